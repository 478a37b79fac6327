#!/bin/bash
# `iotrap run` does not load Capstone: only `iotrap bench` does, for its baseline, and the
# program it runs decodes with the preload library's own copy.  The program looks at the
# launcher waiting for it, its parent.
. "$top_srcdir/tests/cli/common.bash"
expect_status 0 iotrap run -- sh -c 'cat /proc/$PPID/maps'
expect_in "$tmp/out" "[stack]"
grep -q 'libcapstone' "$tmp/out" && { grep capstone "$tmp/out"; fail "the launcher maps libcapstone"; }
echo ok
