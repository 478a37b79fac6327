#!/bin/bash
# The seed's probe: \\.\ioperm + IOCTL_IOPM_ENABLE_IO, raw OUT/IN at 0x378, 0x278, 0x3BC:
# only the LPT at 0x378 is found; after IOCTL_IOPM_DISABLE_IO a raw IN raises
# EXCEPTION_PRIV_INSTRUCTION, also at a site patched into a jump after 500 traps.
. "$top_srcdir/tests/wine/lib.sh"
prog=$(exe "$bits" probe)
run -- "$prog"
[[ $status -eq 0 ]] || fail "exit status $status"
n=$(grep -c '^Parallel port found' "$work/out")
[[ $n -eq 1 ]] || fail "expected exactly one parallel port, found $n"
grep -qx 'Parallel port found at address 0x378 (Status Info 0xD8 - Control Info 0xCC)' "$work/out" ||
    fail "the port at 0x378 is not reported as the original does"
for p in 888 632 956; do
    [[ -n $(trace_grep '"op":"out"' "\"port\":$p," '"value":172') ]] ||
        fail "no raw OUT 0xAC to port $p in the trace"
done
[[ -n $(trace_grep '"op":"in"' '"port":632,' '"value":255') ]] || fail "IN 0x278 did not read 0xFF"

run -- "$prog" --disable
expect_passed
grep -qx 'hot site: patched' "$work/out" || fail "the hot IN site was not patched"
[[ -n $(trace_grep '"op":"in"' '"port":888,') ]] || fail "no trapped IN 0x378 before DISABLE"
echo "probe: ok"
