#!/bin/bash
# Asking for a part that cannot be built stops configure with the reason, the tool's own
# error text included; a value that is no choice is named.
. "$top_srcdir/tests/build/common.bash"
cd "$tmp" || fail "no scratch directory"
# A compiler that cannot build 32-bit code, and says so.
cat >"$tmp/cc" <<'CC'
#!/bin/sh
for a in "$@"; do
    [ "$a" = -m32 ] && { echo "cc: error: this test compiler has no 32-bit libraries" >&2; exit 1; }
done
exec gcc "$@"
CC
chmod +x "$tmp/cc"
mkdir b1 && cd b1
if CC=$tmp/cc "$top_srcdir/configure" -q --enable-preload32 >"$tmp/log" 2>&1; then
    fail "configure --enable-preload32 succeeded without a 32-bit compiler"
fi
grep -q "error: --enable-preload32: .* -m32 cannot build against Capstone" "$tmp/log" &&
    grep -q "this test compiler has no 32-bit libraries" "$tmp/log" || { cat "$tmp/log"; fail "no reason given"; }
# auto leaves it out with a warning instead.
CC=$tmp/cc "$top_srcdir/configure" --disable-tests >"$tmp/log" 2>&1 || { cat "$tmp/log"; fail "auto stopped configure"; }
grep -q "32-bit preload: *no" "$tmp/log" || { cat "$tmp/log"; fail "auto did not say the 32-bit preload is left out"; }
cd "$tmp" && mkdir b2 && cd b2
# No cmocka where pkg-config looks (only Capstone's own file).
mkdir "$tmp/pc"
cp "$(pkg-config --variable=pcfiledir capstone)/capstone.pc" "$tmp/pc/"
if PKG_CONFIG_LIBDIR=$tmp/pc "$top_srcdir/configure" -q --enable-tests --disable-preload32 >"$tmp/log" 2>&1; then
    fail "configure --enable-tests succeeded without cmocka"
fi
grep -q "error: --enable-tests: the unit tests need cmocka >= 1.1 (libcmocka-dev): .*cmocka" "$tmp/log" ||
    { cat "$tmp/log"; fail "no reason given"; }
for bad in "--enable-tests=maybe:want yes, no or auto" "--enable-preload32=sometimes:want yes, no or auto" \
           "--enable-daemon=perhaps:want yes or no"; do
    opt=${bad%%:*} want=${bad#*:}
    if "$top_srcdir/configure" -q "$opt" >"$tmp/log" 2>&1; then fail "configure $opt succeeded"; fi
    grep -qF -- "$opt: $want" "$tmp/log" || { cat "$tmp/log"; fail "$opt: not named"; }
done
echo ok
