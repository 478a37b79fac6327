#!/bin/bash
# `iotrap decode`: what the CPU would execute, as text and JSON; the statuses 1 (not a
# complete port-I/O instruction) and 2 (bad usage) with a message naming the problem.
. "$top_srcdir/tests/cli/common.bash"
expect_status 0 iotrap decode f3 6e
expect_in "$tmp/out" "rep outsb"
expect_in "$tmp/out" "width 1"
# The operand-size prefix makes IN eAX 16 bits wide; in 16-bit code it is the default.
expect_status 0 iotrap decode --json 66 ed
python3 - "$tmp/out" <<'PY' || fail "bad JSON: $(cat "$tmp/out")"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["op"] == "in" and d["width"] == 2 and d["port"] == "dx" and d["length"] == 2, d
PY
expect_status 0 iotrap decode --mode 16 ed
expect_in "$tmp/out" "in ax, dx"
expect_status 0 iotrap decode e4 80
expect_in "$tmp/out" "in al, 0x80"
# Not port I/O, cut short: 1.
expect_status 1 iotrap decode 90
expect_in "$tmp/err" "not a port I/O instruction"
expect_status 1 iotrap decode f3
expect_in "$tmp/err" "end before the instruction does"
# Bad usage: 2.
expect_status 2 iotrap decode zz
expect_in "$tmp/err" "'zz'"
expect_status 2 iotrap decode --mode 8 ec
expect_in "$tmp/err" "'8'"
echo ok
