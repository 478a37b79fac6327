#!/bin/bash
# `make install` of the tree under test (every part enabled that this machine can build)
# puts each part where it belongs, the preload library for each bitness with the links the
# loader's $LIB expands to, and `make uninstall` takes every file away again.
. "$top_srcdir/tests/build/common.bash"
make -s -C "$top_builddir" install DESTDIR="$tmp/root" >"$tmp/log" 2>&1 || { tail -n 20 "$tmp/log"; fail "make install failed"; }
files_under "$tmp/root" >"$tmp/files"
p=usr/local
has "$tmp/files" "$p/bin/iotrap" "$p/lib/libiotrap.so.0" "$p/include/iotrap/ports.h" \
    "$p/lib/pkgconfig/iotrap.pc" "$p/lib/iotrap/preload/x86_64/libiotrap-preload.so" \
    "$p/lib/iotrap/preload/lib/x86_64-linux-gnu" "$p/lib/iotrap/preload/lib64" \
    "$p/share/man/man1/iotrap.1"
lacks "$tmp/files" 'libiotrap-preload\.la$'
if [[ -x $top_builddir/daemon/iotrapd ]]; then
    has "$tmp/files" "$p/sbin/iotrapd" "$p/etc/iotrap.conf" "$p/lib/systemd/system/iotrapd.socket" \
        "$p/lib/systemd/system/iotrapd.service"
    # The service starts the installed daemon on the installed policy, which is also the
    # daemon's own default, and systemd finds nothing to object to in either unit.
    unit=$tmp/root/$p/lib/systemd/system/iotrapd.service
    exe=$(sed -n 's/^ExecStart=\([^ ]*\).*/\1/p' "$unit")
    conf=$(sed -n 's/^ExecStart=.* --config \([^ ]*\).*/\1/p' "$unit")
    [[ -x $tmp/root$exe && -f $tmp/root$conf ]] || { cat "$unit"; fail "the unit names $exe and $conf"; }
    default=$("$tmp/root$exe" --help | sed -n 's/.*policy file (default \(.*\))$/\1/p')
    [[ $default == "$conf" ]] || fail "iotrapd's default policy is $default, the installed one $conf"
    if command -v systemd-analyze >/dev/null; then
        mkdir "$tmp/units"
        for u in iotrapd.service iotrapd.socket; do
            sed "s|=/|=$tmp/root/|" "$tmp/root/$p/lib/systemd/system/$u" >"$tmp/units/$u"
        done
        out=$(systemd-analyze verify --man=no "$tmp/units/iotrapd.service" "$tmp/units/iotrapd.socket" 2>&1) &&
            [[ -z $out ]] || { echo "$out"; fail "systemd-analyze verify objects to the units"; }
    fi
fi
if [[ -e $top_builddir/stage/preload/i386/libiotrap-preload.so ]]; then
    has "$tmp/files" "$p/lib/iotrap/preload/i386/libiotrap-preload.so" \
        "$p/lib/iotrap/preload/lib/i386-linux-gnu" "$p/lib/iotrap/preload/lib32"
fi
# The links lead to the libraries from where they are.
[[ -f $tmp/root/$p/lib/iotrap/preload/lib/x86_64-linux-gnu/libiotrap-preload.so ]] ||
    fail "lib/x86_64-linux-gnu does not lead to the x86-64 library"
make -s -C "$top_builddir" uninstall DESTDIR="$tmp/root" >"$tmp/log" 2>&1 || { tail -n 20 "$tmp/log"; fail "make uninstall failed"; }
files_under "$tmp/root" >"$tmp/left"
[[ ! -s $tmp/left ]] || { cat "$tmp/left"; fail "make uninstall left files behind"; }
echo ok
