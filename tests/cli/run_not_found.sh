#!/bin/bash
# A program that does not exist: 127; one that cannot be executed: 126 (as a shell says).
# A run that cannot start leaves the devices' output files as they were (the board that
# empties them is made only for a program that can start), and a bad setting is still
# what it reports first.
. "$top_srcdir/tests/cli/common.bash"
expect_status 127 iotrap run -- no-such-program-iotrap
expect_in "$tmp/err" "no-such-program-iotrap: command not found"
expect_status 127 iotrap run -- "$tmp/missing"
echo data >"$tmp/plain"
chmod 644 "$tmp/plain"
expect_status 126 iotrap run -- "$tmp/plain"
expect_in "$tmp/err" "$tmp/plain"
expect_status 126 iotrap run -- "$tmp"
echo kept >"$tmp/lpt.out"
expect_status 127 iotrap run --device "lpt@0x378,out=$tmp/lpt.out" -- no-such-program-iotrap
[[ $(cat "$tmp/lpt.out") == kept ]] || fail "a run that did not start emptied the out= file"
expect_status 126 iotrap run --device "lpt@0x378,out=$tmp/lpt.out" -- "$tmp/plain"
[[ $(cat "$tmp/lpt.out") == kept ]] || fail "a run that did not start emptied the out= file"
expect_status 2 iotrap run --device bogus@0x300 -- no-such-program-iotrap
expect_in "$tmp/err" 'unknown device "bogus"'
echo ok
