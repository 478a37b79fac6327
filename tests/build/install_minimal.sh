#!/bin/bash
# A tree configured with every optional part left out (--disable-daemon,
# --disable-preload32, --disable-tests, --disable-wine) builds, installs only what it built, runs a program
# from the installed files, and says that its tests were left out instead of running none.
. "$top_srcdir/tests/build/common.bash"
mkdir "$tmp/build"
cd "$tmp/build" || fail "no build directory"
"$top_srcdir/configure" --disable-daemon --disable-preload32 --disable-tests --disable-wine \
    >"$tmp/log" 2>&1 ||
    { tail -n 20 "$tmp/log"; fail "configure failed"; }
grep -q "iotrapd: *no" "$tmp/log" || { cat "$tmp/log"; fail "configure's summary does not say iotrapd: no"; }
make -s -j"$(nproc)" >"$tmp/log" 2>&1 || { tail -n 30 "$tmp/log"; fail "make failed"; }
make -s install DESTDIR="$tmp/root" >"$tmp/log" 2>&1 || { tail -n 20 "$tmp/log"; fail "make install failed"; }
files_under "$tmp/root" >"$tmp/files"
p=usr/local
has "$tmp/files" "$p/bin/iotrap" "$p/lib/iotrap/preload/x86_64/libiotrap-preload.so" \
    "$p/lib/iotrap/preload/lib64"
lacks "$tmp/files" 'sbin/iotrapd' 'etc/iotrap\.conf' 'iotrapd\.(socket|service)' \
    'preload/i386' 'preload/lib32' 'i386-linux-gnu' 'lib/iotrap/wine/'
# The installed command runs a program under the installed preload library.
IOTRAP_PRELOAD_DIR=$tmp/root/$p/lib/iotrap/preload "$tmp/root/$p/bin/iotrap" run --trace "$tmp/t" -- \
    "$tmp/build/examples/ioperm_test" >"$tmp/out" 2>&1 || { cat "$tmp/out"; fail "the installed iotrap failed"; }
grep -q "Parallel port found at address 0x378" "$tmp/out" || { cat "$tmp/out"; fail "no LPT found"; }
[[ -s $tmp/t ]] || fail "nothing was trapped"
if make check >"$tmp/log" 2>&1; then fail "make check succeeded with the tests left out"; fi
grep -q "the tests were left out" "$tmp/log" || { tail -n 5 "$tmp/log"; fail "make check did not say why"; }
echo ok
