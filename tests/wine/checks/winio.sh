#!/bin/bash
# WinIo v2 and v3: InitializeWinIo, GetPortVal/SetPortVal at sizes 1, 2, 4, raw IN/OUT,
# ShutdownWinIo, and the \\.\WINIO IOCTLs.
. "$top_srcdir/tests/wine/lib.sh"
run --device lpt@0x378 --device ram@0x300-0x31f -- "$(exe "$bits" winio)"
expect_passed
for w in 1 2 4; do
    [[ -n $(trace_grep '"op":"out"' "\"width\":$w," '"port":768,') ]] ||
        fail "no SetPortVal of size $w in the trace"
done
[[ -n $(trace_grep '"op":"out"' '"width":1,' '"port":784,' '"value":60') ]] ||
    fail "the raw OUT 0x310 is not in the trace"
echo "winio: ok"
