#!/bin/bash
# An emulator driven by libiotrap against the CPU: examples/unicorn_demo.S, port I/O of
# every form, run by Unicorn with every port instruction handed to iotrap_decode() and
# iotrap_execute() (examples/unicorn_ports), and run natively with its port instructions
# trapped by `iotrap run` (tests/progs/io_blob), on the same simulated board.  The
# registers and the data page afterwards must be the same, byte for byte.
source "$top_srcdir/tests/lib/common.bash"
emu=$top_builddir/examples/unicorn_ports
native=$top_builddir/tests/progs/io_blob
code=$top_builddir/examples/unicorn_demo.bin
counter=$top_builddir/tests/plugins/.libs/counter.so
[[ -x $emu ]] || fail "examples/unicorn_ports was not built: install libunicorn-dev (scripts/deps.sh, test group) and re-run configure"
for f in "$native" "$code" "$counter"; do [[ -e $f ]] || fail "$f was not built"; done
board=(--device-plugin "$counter" --device counter@0x240 --device ram@0xe0-0xef
       --device ram@0x300-0x33f)

expect_status 0 "$emu" "${board[@]}" "$code"
cp "$tmp/out" "$tmp/unicorn"
expect_status 0 "$top_builddir/tools/iotrap" run --quiet "${board[@]}" -- "$native"
cp "$tmp/out" "$tmp/native"
if ! diff "$tmp/native" "$tmp/unicorn" >"$tmp/diff"; then
    head -n 40 "$tmp/diff"
    fail "Unicorn with libiotrap and the trapped native run differ (< native, > Unicorn)"
fi
# The run did what the demo says: a log entry per LOG step, and INS stored the counter's
# values.
steps=$(grep -cE '^[[:space:]]+LOG$' "$top_srcdir/examples/unicorn_demo.S")
r8=$(printf 'r8 %016x' $((0x20000200 + 32 * steps)))
grep -qx "$r8" "$tmp/native" || fail "the demo did not log $steps steps: $(grep '^r8' "$tmp/native")"
grep -q '^data 100 00 01 02 03 04 05 06' "$tmp/native" ||
    fail "REP INSB from the counter did not store 0, 1, 2...: $(grep '^data 100' "$tmp/native")"
echo "$(grep -c '^data' "$tmp/native") lines of data and 7 registers are the same"
