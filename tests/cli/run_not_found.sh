#!/bin/bash
# A program that does not exist: 127; one that cannot be executed: 126 (as a shell says).
. "$top_srcdir/tests/cli/common.bash"
expect_status 127 iotrap run -- no-such-program-iotrap
expect_in "$tmp/err" "no-such-program-iotrap: command not found"
expect_status 127 iotrap run -- "$tmp/missing"
echo data >"$tmp/plain"
chmod 644 "$tmp/plain"
expect_status 126 iotrap run -- "$tmp/plain"
expect_in "$tmp/err" "$tmp/plain"
expect_status 126 iotrap run -- "$tmp"
echo ok
