#!/bin/bash
# io.dll: byte/word/dword calls and the bit helpers (read-modify-write of one port).
. "$top_srcdir/tests/wine/lib.sh"
run --device ram@0x300-0x31f -- "$(exe "$bits" io_dll)"
expect_passed
[[ -n $(trace_grep '"op":"out"' '"port":768,' '"value":143') ]] || fail "SetPortBit(7) did not write 0x8F"
echo "io_dll: ok"
