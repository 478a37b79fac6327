#!/bin/bash
# dlportio.sys: no IOCTLs; opening it grants raw access to ports 0x100-0xFFFF only.
. "$top_srcdir/tests/wine/lib.sh"
run -- "$(exe "$bits" dlportio_sys)"
expect_passed
[[ -n $(trace_grep '"op":"out"' '"port":888,' '"value":165') ]] || fail "the raw OUT 0x378 is not traced"
[[ -n $(trace_grep '"op":"in"' '"port":888,' '"value":165') ]] || fail "the raw IN 0x378 is not traced"
[[ -z $(trace_grep '"port":255,') ]] || fail "the IN 0xFF below the map reached the board"
[[ -z $(trace_grep '"port":112,') ]] || fail "the OUT 0x70 below the map reached the board"
echo "dlportio_sys: ok"
