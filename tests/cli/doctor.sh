#!/bin/bash
# `iotrap doctor` runs and reports each item on a line of its own, with yes/no.
. "$top_srcdir/tests/cli/common.bash"
expect_status 0 iotrap doctor
for item in ioperm iopl /dev/port ppdev iotrapd wine "preload 64-bit" "preload 32-bit" patching "backend sim"; do
    grep -qE "^$item +(yes|no) " "$tmp/out" || { cat "$tmp/out"; fail "no line for '$item'"; }
done
# The build tree's preload library is found through IOTRAP_PRELOAD_DIR.
grep -qE "^preload 64-bit +yes .*$IOTRAP_PRELOAD_DIR" "$tmp/out" || { cat "$tmp/out"; fail "preload 64-bit not found"; }
expect_status 2 iotrap doctor --bogus
expect_in "$tmp/err" "'--bogus'"
echo ok
