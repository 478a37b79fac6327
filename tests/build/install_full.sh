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
# Capstone's tables of pointers are relocated by the decoder at its first use, not by the
# dynamic loader at every start (decoder/defer_relocs.c): no packed relative relocation of
# an installed preload library falls inside them, and the library's own table is filled.
deferred() {
    local lib=$1 range lo size magic
    range=$(readelf -SW "$lib" | sed -n 's/.* iotrap_cs_relro *PROGBITS *\([0-9a-f]*\) *\([0-9a-f]*\) *\([0-9a-f]*\).*/\1 \3/p')
    [[ -n $range ]] || fail "$lib has no iotrap_cs_relro section"
    read -r lo size <<<"$range"
    local rlo=$lo
    readelf -d "$lib" | grep -q '(RELR)' || fail "$lib has no DT_RELR (the toolchain packs them)"
    readelf -rW "$lib" | sed -n '/^Relocation section .\.relr\.dyn/,/^$/p' |
        grep -E '^[0-9a-f]{8,16}$' >"$tmp/relr" || fail "$lib lists no packed relocation"
    while read -r a; do
        (( 0x$a >= 0x$rlo && 0x$a < 0x$rlo + 0x$size )) && fail "$lib: the loader still relocates 0x$a in Capstone's tables"
    done <"$tmp/relr"
    local sym sec off
    sym=$(readelf -sW "$lib" | awk '$NF == "iotrap__cs_deferred" { print $2, $7 }')
    [[ -n $sym ]] || fail "$lib has no iotrap__cs_deferred"
    read -r a sec <<<"$sym"
    sec=$(readelf -SW "$lib" | sed -n "s/^ *\\[ *$sec\\] [^ ]* *[A-Z_]* *\\([0-9a-f]*\\) \\([0-9a-f]*\\).*/\\1 \\2/p")
    read -r lo off <<<"$sec"
    magic=$(od -An -tx4 -j $((0x$a - 0x$lo + 0x$off)) -N4 "$lib" | tr -d ' ')
    [[ $magic == 52444349 ]] || fail "$lib: the deferred relocations were not recorded (magic $magic)"
    echo "$lib: $(wc -l <"$tmp/relr") relocations left to the loader, none in 0x$rlo+0x$size"
}
deferred "$tmp/root/$p/lib/iotrap/preload/x86_64/libiotrap-preload.so"
[[ -e $top_builddir/stage/preload/i386/libiotrap-preload.so ]] &&
    deferred "$tmp/root/$p/lib/iotrap/preload/i386/libiotrap-preload.so"
# The links lead to the libraries from where they are.
[[ -f $tmp/root/$p/lib/iotrap/preload/lib/x86_64-linux-gnu/libiotrap-preload.so ]] ||
    fail "lib/x86_64-linux-gnu does not lead to the x86-64 library"
make -s -C "$top_builddir" uninstall DESTDIR="$tmp/root" >"$tmp/log" 2>&1 || { tail -n 20 "$tmp/log"; fail "make uninstall failed"; }
files_under "$tmp/root" >"$tmp/left"
[[ ! -s $tmp/left ]] || { cat "$tmp/left"; fail "make uninstall left files behind"; }
echo ok
