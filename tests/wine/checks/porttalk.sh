#!/bin/bash
# PortTalk: READ/WRITE_PORT_UCHAR IOCTLs, then the permission map applied to the process.
. "$top_srcdir/tests/wine/lib.sh"
run -- "$(exe "$bits" porttalk)"
expect_passed
[[ -n $(trace_grep '"op":"out"' '"port":888,' '"value":90') ]] || fail "the IOCTL write is not traced"
[[ -z $(trace_grep '"op":"in"' '"port":1016,') ]] ||
    fail "the IN 0x3F8 outside the map reached the board"
echo "porttalk: ok"
