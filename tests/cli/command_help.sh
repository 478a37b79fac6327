#!/bin/bash
# The top-level command: --help, --version, unknown commands, each subcommand's --help.
. "$top_srcdir/tests/cli/common.bash"
expect_status 0 iotrap --help
for c in run decode doctor bench devices; do expect_in "$tmp/out" "$c"; done
expect_status 0 iotrap --version
grep -qE '^iotrap [0-9]+\.[0-9]+\.[0-9]+$' "$tmp/out" || fail "bad version line: $(cat "$tmp/out")"
expect_status 2 iotrap no-such-command
expect_in "$tmp/err" "unknown command 'no-such-command'"
expect_status 2 iotrap
for c in run decode doctor bench devices; do
    expect_status 0 iotrap "$c" --help
    expect_in "$tmp/out" "Usage: iotrap $c"
done
expect_in "$tmp/out" "--json"
echo ok
