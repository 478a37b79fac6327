#!/bin/bash
# DLPortIO: the buffer calls repeat accesses to one port, as one string access each.
. "$top_srcdir/tests/wine/lib.sh"
run --device lpt@0x378 --device ram@0x300-0x31f -- "$(exe "$bits" dlportio)"
expect_passed
[[ -n $(trace_grep '"op":"outs"' '"width":1,' '"port":776,' '"count":3' '"data":"414243"') ]] ||
    fail "WritePortBufferUchar is not 3 writes to 0x308"
[[ -n $(trace_grep '"op":"ins"' '"width":1,' '"port":776,' '"count":4') ]] ||
    fail "ReadPortBufferUchar is not 4 reads of 0x308"
[[ -n $(trace_grep '"op":"outs"' '"width":4,' '"port":780,' '"count":2') ]] ||
    fail "WritePortBufferUlong is not 2 writes to 0x30C"
echo "dlportio: ok"
