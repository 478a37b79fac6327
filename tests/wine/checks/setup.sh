#!/bin/bash
# `iotrap wine --setup` is idempotent and starts no Wine process once done; --remove takes
# away what it placed; a bad option is refused before Wine starts.
. "$top_srcdir/tests/wine/lib.sh"
[[ $bits == 64 ]] || { echo "the prefix is the same for both bitnesses"; exit 0; }
"$iotrap" wine --setup || fail "--setup on a prepared prefix failed"
# A Wine that cannot run anything: setup of a prepared prefix must not need it.
WINE=/bin/false "$iotrap" wine --setup || fail "--setup on a prepared prefix started a Wine process"
sys32=$WINEPREFIX/drive_c/windows/system32
for f in inpout32.dll inpoutx64.dll dlportio.dll winio.dll winio32.dll winio64.dll io.dll \
         drivers/iotrap.sys drivers/giveio.sys drivers/inpoutx64.sys; do
    [[ -f $sys32/$f ]] || fail "$f is not in system32"
done
if [[ -d $IOTRAP_WINE_DIR/fakedlls/i386 ]]; then
    for f in inpout32.dll dlportio.dll winio.dll winio32.dll io.dll; do
        [[ -f $WINEPREFIX/drive_c/windows/syswow64/$f ]] || fail "$f is not in syswow64"
    done
fi
grep -q '^service iotrap$' "$WINEPREFIX/.iotrap-wine" || fail "the service is not recorded"
grep -qi 'Services\\\\iotrap\]' "$WINEPREFIX/system.reg" || fail "the iotrap service is not registered"
"$iotrap" wine --bogus -- x.exe 2>"$work/err"; st=$?
[[ $st -eq 2 ]] && grep -q -- '--bogus' "$work/err" || fail "a bad option gave status $st: $(cat "$work/err")"
"$iotrap" wine --setup extra.exe 2>/dev/null && fail "--setup accepted a program"
"$iotrap" wine 2>"$work/err"; st=$?
[[ $st -eq 2 ]] && grep -q 'no program' "$work/err" || fail "no program gave status $st: $(cat "$work/err")"
# Remove and set up again; the prefix ends as it was for the other cases.
"$iotrap" wine --remove || fail "--remove failed"
[[ ! -e $sys32/inpout32.dll ]] || fail "--remove left inpout32.dll"
[[ ! -e $WINEPREFIX/.iotrap-wine ]] || fail "--remove left its stamp"
grep -qi 'Services\\\\iotrap\]' "$WINEPREFIX/system.reg" && fail "--remove left the service"
"$iotrap" wine --setup || fail "--setup after --remove failed"
[[ -f $sys32/inpout32.dll ]] || fail "--setup did not place inpout32.dll again"
grep -qi 'Services\\\\iotrap\]' "$WINEPREFIX/system.reg" || fail "the service is not registered again"
echo "setup: ok"
