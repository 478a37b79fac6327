#!/bin/bash
# configure's Wine switch: --enable-wine stops with winegcc's own message when winegcc
# cannot build a builtin (as Wine 10's does without the mingw C++ compilers: "Could not
# find g++"); the default (auto) goes on without Wine but says why; a bad value is named.
. "$top_srcdir/tests/wine/lib.sh"
[[ $bits == 64 ]] || { echo "configure runs once"; exit 0; }
fake=$work/winegcc
printf '#!/bin/sh\necho "winegcc: Could not find g++" >&2\nexit 2\n' >"$fake"
chmod +x "$fake"
mkdir -p "$work/b"
cd "$work/b" || exit 1
cfg() {
    "$top_srcdir/configure" --cache-file="$work/config.cache" "$@" >"$work/cfg.out" 2>&1
}
cfg --enable-wine=maybe && fail "configure accepted --enable-wine=maybe"
grep -q 'enable-wine=maybe: the value must be yes, no or auto' "$work/cfg.out" ||
    fail "the bad value is not named: $(tail -n 2 "$work/cfg.out")"
cfg --enable-wine WINEGCC="$fake" && fail "configure --enable-wine went on with a winegcc that fails"
grep -q 'enable-wine: the Wine builtins cannot be built: winegcc cannot build a 64-bit builtin DLL: winegcc: Could not find g++' \
    "$work/cfg.out" || fail "the reason is not given: $(tail -n 2 "$work/cfg.out")"
cfg WINEGCC="$fake" || fail "configure (auto) failed: $(tail -n 2 "$work/cfg.out")"
grep -q 'WARNING: no Wine builtins: winegcc cannot build a 64-bit builtin DLL: winegcc: Could not find g++' \
    "$work/cfg.out" || fail "configure (auto) drops Wine without saying why"
grep -q 'Wine builtins: 64-bit no' "$work/cfg.out" || fail "the summary does not say Wine is left out"
echo "configure: ok"
