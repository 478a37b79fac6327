#!/bin/bash
# A launcher killed with SIGKILL cannot pass the signal on or clean up: its program dies
# with it all the same, and the next run removes the board and run state it left.
. "$top_srcdir/tests/cli/common.bash"
# A directory of the test's own for the run files: any run of this user cleans up after
# dead launchers, and one running beside the test must not remove the board first.
mkdir -m 0700 "$tmp/xdg"
export XDG_RUNTIME_DIR=$tmp/xdg
iotrap run -- sh -c 'echo "$$ $IOTRAP_BOARD $IOTRAP_RUN" >"$0.tmp" && mv "$0.tmp" "$0" &&
                     exec sleep 3600' "$tmp/started" &
launcher=$!
for _ in $(seq 1200); do [[ -e $tmp/started ]] && break; sleep 0.05; done
read -r program board run <"$tmp/started" || fail "the program did not start"
[[ -f $board && -f $run ]] || fail "no board ($board) or run state ($run) while it runs"
kill -KILL "$launcher"
wait "$launcher" 2>/dev/null
for _ in $(seq 1200); do kill -0 "$program" 2>/dev/null || break; sleep 0.05; done
if kill -0 "$program" 2>/dev/null; then
    kill -KILL "$program"
    fail "the program outlived its launcher by a minute"
fi
[[ -f $board ]] || fail "the killed launcher's board is already gone: the test proves nothing"
expect_status 0 iotrap run -- true
[[ ! -e $board ]] || fail "the next run left the dead launcher's board $board"
[[ ! -e $run ]] || fail "the next run left the dead launcher's run state $run"
echo ok
