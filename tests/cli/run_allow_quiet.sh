#!/bin/bash
# --allow reaches the preload library: the demo's write to 0x80 (the _p delay port) is
# denied when only the LPT is allowed, named on stderr, and faults as it would natively;
# --quiet silences the message but not the fault.
. "$top_srcdir/tests/cli/common.bash"
expect_status 139 iotrap run --allow 0x378-0x37f -- "$demo"
expect_in "$tmp/err" "denied outb 0x80"
expect_status 139 iotrap run --quiet --allow 0x378-0x37f -- "$demo"
grep -q "denied" "$tmp/err" && fail "--quiet still reported: $(cat "$tmp/err")"
# Allowing the delay port and the other two LPT bases it probes lets it run through.
expect_status 0 iotrap run --allow 0x378-0x37f,0x80,0x278-0x27a,0x3bc-0x3be -- "$demo"
expect_in "$tmp/out" "Parallel port found at address 0x378"
echo ok
