#!/bin/bash
# "HELLO" printed through the LPT with the Centronics handshake lands in the out= file.
. "$top_srcdir/tests/wine/lib.sh"
run --device "lpt@0x378,out=$work/lpt.out" -- "$(exe "$bits" lpt_hello)"
[[ $status -eq 0 ]] || fail "exit status $status"
[[ -f $work/lpt.out && $(cat "$work/lpt.out") == HELLO ]] ||
    fail "the printer received '$(cat "$work/lpt.out" 2>/dev/null)', not HELLO"
echo "lpt_hello: ok"
