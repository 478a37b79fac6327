#!/bin/bash
# --summary: at exit, one line per port the run's processes touched, with reads and
# writes, and "no device" or "denied" where that is what happened.
. "$top_srcdir/tests/cli/common.bash"
expect_status 0 iotrap run --summary -- \
    sh -c 'inb 0x379 && inb 0x379 && outb 0x378 0x55 && inb 0x278 && outb 0x80 1'
cat "$tmp/err"
expect_in "$tmp/err" "iotrap: summary of the ports the program touched:"
expect_in "$tmp/err" "iotrap:   0x0080  0 reads, 1 write, no device"
expect_in "$tmp/err" "iotrap:   0x0278  1 read, 0 writes, no device"
expect_in "$tmp/err" "iotrap:   0x0378  0 reads, 1 write"
expect_in "$tmp/err" "iotrap:   0x0379  2 reads, 0 writes"
[[ $(grep -c '^iotrap:   0x' "$tmp/err") == 4 ]] || fail "one line per port expected"
grep -q '0x0379.*no device' "$tmp/err" && fail "the LPT status port is a device"
# Denied accesses, and a program that dies of one: the summary still comes.
expect_status 139 iotrap run --quiet --summary --allow 0x378-0x37f -- sh -c 'inb 0x379; outb 0x64 0xfe'
expect_in "$tmp/err" "iotrap:   0x0064  0 reads, 1 write, denied"
expect_in "$tmp/err" "iotrap:   0x0379  1 read, 0 writes"
# From the environment, and a run that touches nothing.
expect_status 0 env IOTRAP_SUMMARY=1 iotrap run -- true
expect_in "$tmp/err" "iotrap: summary: the program touched no port"
# Without it, nothing is printed.
expect_status 0 iotrap run -- inb 0x278
[[ ! -s $tmp/err ]] || fail "a summary without --summary: $(cat "$tmp/err")"
echo ok
