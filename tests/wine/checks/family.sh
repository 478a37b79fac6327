#!/bin/bash
# One board for the application and its child processes; the policy (--allow) refuses a
# raw instruction with EXCEPTION_PRIV_INSTRUCTION and a DLL read with 0xFF.
. "$top_srcdir/tests/wine/lib.sh"
run --quiet --allow 0x300-0x30f,0x378-0x37f -- "$(exe "$bits" family)"
expect_passed
pids=$(trace_grep '"port":888,' '"value":119' | sed -n 's/.*"pid":\([0-9]*\).*/\1/p' | sort -u | wc -l)
[[ $pids -eq 2 ]] || fail "0x77 at 0x378 should be seen by two processes, the trace shows $pids"
[[ -n $(trace_grep '"port":1016,' '"result":"denied"') ]] || fail "the denied Inp32(0x3F8) is not traced"
[[ -z $(trace_grep '"port":100,') || -n $(trace_grep '"port":100,' '"result":"denied"') ]] ||
    fail "OUT 0x64 reached the board"
echo "family: ok"
