#!/bin/bash
# PortTalk: READ/WRITE_PORT_UCHAR IOCTLs, then the permission map applied to the process;
# short buffers and an unknown process id succeed without effect, as in PortTalk 2.0.
. "$top_srcdir/tests/wine/lib.sh"
run -- "$(exe "$bits" porttalk)"
expect_passed
[[ -n $(trace_grep '"op":"out"' '"port":888,' '"value":90') ]] || fail "the IOCTL write is not traced"
[[ -z $(trace_grep '"op":"in"' '"port":1016,') ]] ||
    fail "the IN 0x3F8 outside the map reached the board"
[[ -z $(trace_grep '"op":"out"' '"port":1016,') ]] || fail "the 2-byte WRITE_PORT_UCHAR reached port 0x3F8"
echo "porttalk: ok"
