#!/bin/bash
# The options reach the program as the variables the preload library reads; LD_PRELOAD
# names the library through $LIB ahead of what was there; the shared board exists while
# the program runs and is gone afterwards.
. "$top_srcdir/tests/cli/common.bash"
cd "$tmp"
LD_PRELOAD=/nonexistent/other.so \
expect_status 0 iotrap run --backend sim --allow 0x378-0x37f,0x80 --device lpt@0x378 \
    --device cmos@0x70 --trace rel.log --trace-format jsonl --quiet -- \
    sh -c 'env | grep -E "^(IOTRAP_|LD_PRELOAD=)" | sort; test -f "$IOTRAP_BOARD" && echo board-exists'
out=$tmp/out
expect_in "$out" "IOTRAP_BACKEND=sim"
expect_in "$out" "IOTRAP_ALLOW=0x378-0x37f,0x80"
expect_in "$out" "IOTRAP_DEVICES=lpt@0x378;cmos@0x70"
expect_in "$out" "IOTRAP_TRACE=$tmp/rel.log"
expect_in "$out" "IOTRAP_TRACE_FORMAT=jsonl"
expect_in "$out" "IOTRAP_QUIET=1"
expect_in "$out" "board-exists"
expect_in "$out" "LD_PRELOAD=$IOTRAP_PRELOAD_DIR/\$LIB/libiotrap-preload.so:/nonexistent/other.so"
board=$(sed -n 's/^IOTRAP_BOARD=//p' "$out")
[[ -n $board ]] || fail "IOTRAP_BOARD was not set"
[[ ! -e $board ]] || fail "the board file $board was not removed"
# A board inherited from an enclosing run is replaced by this run's own.
IOTRAP_BOARD=/stale/board expect_status 0 iotrap run --quiet -- sh -c 'echo "board=${IOTRAP_BOARD:-}"'
grep -q '^board=/stale/board$' "$tmp/out" && fail "a stale IOTRAP_BOARD was passed on"
echo ok
