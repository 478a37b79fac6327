#!/bin/bash
# `iotrap run` ends with the program's own exit status.
. "$top_srcdir/tests/cli/common.bash"
expect_status 0 iotrap run -- sh -c 'exit 0'
expect_status 3 iotrap run -- sh -c 'exit 3'
expect_status 255 iotrap run -- sh -c 'exit 255'
# The arguments reach the program unchanged, options of its own included.
expect_status 0 iotrap run -- sh -c 'printf "%s|" "$@"' sh --backend "a b" ''
[[ $(cat "$tmp/out") == "--backend|a b||" ]] || fail "arguments changed: $(cat "$tmp/out")"
# Without "--", the first non-option starts the program.
expect_status 4 iotrap run --quiet sh -c 'exit 4'
# An executable text file without "#!" runs through /bin/sh, as execvp() and shells do.
printf 'echo "plain $*"; exit 6\n' >"$tmp/plain-script"
chmod +x "$tmp/plain-script"
expect_status 6 iotrap run -- "$tmp/plain-script" a b
expect_in "$tmp/out" "plain a b"
echo ok
