#!/bin/bash
# inpout32 loaded from the application's folder, where a dummy native inpout32.dll sits:
# the builtin must win (the dummy would answer 0x42 and a closed driver).
. "$top_srcdir/tests/wine/lib.sh"
arch=x86_64
[[ $bits == 32 ]] && arch=i386
mkdir -p "$work/app"
cp "$(exe "$bits" inpout_folder)" "$IOTRAP_WINE_TESTS/$arch/native/inpout32.dll" "$work/app/"
cd "$work/app" || exit 1
run -- ./inpout_folder.exe inpout32.dll
expect_passed
[[ -n $(trace_grep '"op":"out"' '"port":888,' '"value":172') ]] || fail "Out32 is not traced"
if [[ $bits == 64 ]]; then
    run -- ./inpout_folder.exe inpoutx64.dll
    expect_passed
fi
echo "inpout_folder: ok"
