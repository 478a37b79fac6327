#!/bin/bash
# One board per prefix session: a second `iotrap wine` of the same options joins the
# running session (a byte one run writes, the next reads back; the keeper stays the
# same), a run of other options says why it cannot run while the session is busy, and
# when the session ends its record and board go.
. "$top_srcdir/tests/wine/lib.sh"
prog=$(exe "$bits" session)
record=$WINEPREFIX/.iotrap-session
# Generous bounds for a busy machine: the session lingers only a few seconds.
wait_for() { # SECONDS COMMAND...: until COMMAND succeeds
    local i
    for ((i = 0; i < $1 * 10; i++)); do "${@:2}" && return 0; sleep 0.1; done
    return 1
}
keeper() { sed -n 's/^keeper //p' "$record" 2>/dev/null; }
wineserver -k 2>/dev/null
wait_for 60 test ! -e "$record" || fail "an earlier session did not end"

run --device ram@0x300-0x31f -- "$prog" out 0x310 0x5a
[[ $status -eq 0 ]] || fail "the first run failed with status $status"
k1=$(keeper)
[[ -n $k1 ]] && kill -0 "$k1" || fail "no session is recorded after the first run"
board=$(sed -n 's/^env IOTRAP_BOARD=//p' "$record")
[[ -f $board ]] || fail "the session's board '$board' does not exist"

run --device ram@0x300-0x31f -- "$prog" in 0x310
grep -qx 'in 0x310 = 0x5A' "$work/out" || fail "the second run did not read what the first wrote"
[[ $(keeper) == "$k1" ]] || fail "the second run started a session of its own"

# Busy with a program of the session, the session cannot take other options.
"$iotrap" wine --trace "$work/trace.jsonl" --trace-format jsonl --device ram@0x300-0x31f -- \
    "$prog" wait 60 >"$work/busy" 2>&1 &
busy=$!
wait_for 60 grep -q waiting "$work/busy" || fail "the busy program did not start: $(cat "$work/busy")"
"$iotrap" wine --device ram@0x300-0x30f -- "$prog" in 0x300 >"$work/other" 2>&1
st=$?
[[ $st -ne 0 ]] || fail "a run of other options ran in the busy session"
grep -q 'other options is running' "$work/other" || fail "no reason given: $(cat "$work/other")"
grep -q 'IOTRAP_DEVICES=ram@0x300-0x31f' "$work/other" || fail "the session's options are not named"

wineserver -k
wait "$busy"
wait_for 60 test ! -e "/proc/$k1" || fail "the keeper outlived its session"
[[ ! -e $record ]] || fail "the ended session is still recorded"
[[ ! -e $board ]] || fail "the ended session's board $board was left"

# Wine started without iotrap in the prefix: a run waits for it (its winedevice.exe has
# no board), then says why it cannot run.  Debian's Wine keeps its server directory
# elsewhere than Wine as released (tools/cmd_wine_server.c); this finds it either way.
wine "$prog" wait 60 >"$work/plain" 2>&1 &
plain=$!
wait_for 60 grep -q waiting "$work/plain" || fail "Wine without iotrap did not start: $(cat "$work/plain")"
"$iotrap" wine --device ram@0x300-0x31f -- "$prog" in 0x300 >"$work/other" 2>&1
st=$?
wineserver -k
wait "$plain"
[[ $st -ne 0 ]] || fail "a run joined a Wine session started without iotrap: $(cat "$work/other")"
grep -q 'without iotrap' "$work/other" || fail "no reason given: $(cat "$work/other")"
wait_for 60 test ! -e "$record" || fail "an earlier session did not end"

# A session whose last `iotrap wine` has ended lingers while a process of it runs (here a
# child the program leaves running for 20 s, longer than a run waits for a busy session):
# a run of other options waits for it to end, then starts its own.
run --device ram@0x300-0x31f -- "$prog" spawn 20
[[ $status -eq 0 ]] || fail "the spawning run failed with status $status"
k2=$(keeper)
[[ -n $k2 ]] || fail "no session is recorded after the spawning run"
"$iotrap" wine --device ram@0x300-0x30f -- "$prog" in 0x300 >"$work/other" 2>&1 ||
    fail "a run of other options did not wait for the lingering session: $(cat "$work/other")"
tr -d '\r' <"$work/other" | grep -qx 'in 0x300 = 0x00' || fail "the run read no port: $(cat "$work/other")"
[[ $(keeper) != "$k2" ]] || fail "the run did not start a session of its own"
echo "session: ok"
