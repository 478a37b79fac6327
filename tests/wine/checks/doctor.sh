#!/bin/bash
# `iotrap doctor` names the Wine found: its version as `wine --version` gives it, the
# build (classic, or new WoW64 in the matrix's wow64 cell: IOTRAP_WINE_MATRIX), and that
# both bitnesses run; it never points a new-WoW64 user to wine32:i386.
. "$top_srcdir/tests/wine/lib.sh"
[[ $bits == 64 ]] || { echo "one Wine for both bitnesses"; exit 0; }
"$iotrap" doctor >"$work/doctor" || fail "iotrap doctor failed"
cat "$work/doctor"
version=$(WINEDEBUG=-all wine --version)
grep -qF "$version" <(grep '^wine  ' "$work/doctor") || fail "the version '$version' is not named"
want=classic
[[ ${IOTRAP_WINE_MATRIX:-} == *wow64 ]] && want="new WoW64"
grep -q "^wine build *yes *$want build" "$work/doctor" || fail "the build is not reported as $want"
grep -q '^wine 64-bit *yes' "$work/doctor" || fail "64-bit Wine is not found"
grep -q '^wine 32-bit *yes' "$work/doctor" || need_bits 32
grep -q 'wine32:i386' "$work/doctor" && [[ $want != classic ]] &&
    fail "a new-WoW64 Wine is sent to wine32:i386"
echo "doctor: ok"
