#!/bin/bash
# giveio: opening the device grants raw access; REP INSB/OUTSW with DF=1 and the 66/67
# prefixes are emulated in one trap each.
. "$top_srcdir/tests/wine/lib.sh"
run --device lpt@0x378 --device ram@0x300-0x31f -- "$(exe "$bits" giveio)"
expect_passed
[[ -n $(trace_grep '"op":"outs"' '"width":2' '"port":768,' '"count":4' '"data":"4444333322221111"') ]] ||
    fail "REP OUTSW with DF=1 is not one trapped string access, elements last to first"
[[ -n $(trace_grep '"op":"ins"' '"width":1' '"port":770,' '"count":3') ]] ||
    fail "REP INSB is not one trapped string access of 3"
if [[ $bits == 64 ]]; then
    [[ -n $(trace_grep '"op":"outs"' '"width":1' '"port":776,' '"count":3' '"data":"717273"') ]] ||
        fail "the 0x67-prefixed REP OUTSB is missing from the trace"
fi
echo "giveio: ok"
