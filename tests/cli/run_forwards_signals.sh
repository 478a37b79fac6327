#!/bin/bash
# SIGTERM, SIGINT, SIGHUP and SIGQUIT sent to `iotrap run` reach the program.
. "$top_srcdir/tests/cli/common.bash"
for sig in TERM INT HUP QUIT; do
    rm -f "$tmp/ready"
    iotrap run -- sh -c "trap 'echo got-$sig; exit 7' $sig; touch '$tmp/ready'; while :; do sleep 0.05; done" \
        >"$tmp/out" 2>"$tmp/err" &
    pid=$!
    for _ in $(seq 200); do [[ -e $tmp/ready ]] && break; sleep 0.05; done
    [[ -e $tmp/ready ]] || fail "the program did not start"
    kill -"$sig" "$pid"
    wait "$pid"
    st=$?
    [[ $st == 7 ]] || { cat "$tmp/err"; fail "SIG$sig: iotrap run exited $st, expected the program's 7"; }
    expect_in "$tmp/out" "got-$sig"
done
echo ok
