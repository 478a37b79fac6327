#!/bin/bash
# The quickstart demo: the LPT probe of eantcal/ioperm, unchanged legacy code doing
# iopl(3) and outb_p/inb_p, finds exactly the one LPT of the default simulated board.
. "$top_srcdir/tests/cli/common.bash"
[[ -x $demo ]] || fail "$demo was not built"
# Natively it cannot run here: iopl is refused (ENOSYS or EPERM).
expect_status 1 "$demo"
expect_in "$tmp/err" "iopl"
expect_status 0 iotrap run -- "$demo"
lines=$(wc -l <"$tmp/out")
[[ $lines == 1 ]] || { cat "$tmp/out"; fail "expected one line, got $lines"; }
grep -q '^Parallel port found at address 0x378 (Status Info 0x[0-9A-F][0-9A-F] - Control Info 0x[0-9A-F][0-9A-F])$' "$tmp/out" ||
    fail "unexpected output: $(cat "$tmp/out")"
echo ok
