#!/bin/bash
# --trace and --trace-format reach the preload library: the demo's accesses are recorded,
# one JSON object per line in jsonl, with "t" counted from the run's start by every
# process; --trace-ports filters, --trace-max bounds the whole run's trace and says what
# it dropped, and a VCD trace has one header whatever the number of processes.
. "$top_srcdir/tests/cli/common.bash"
expect_status 0 iotrap run --trace "$tmp/t.jsonl" --trace-format jsonl -- "$demo"
[[ -s $tmp/t.jsonl ]] || fail "the trace file is empty"
python3 - "$tmp/t.jsonl" <<'PY' || fail "the jsonl trace does not parse or lacks port 0x378"
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
assert lines, "no records"
assert any("378" in json.dumps(r).lower() or 0x378 in r.values() for r in lines), "no 0x378"
PY
expect_status 0 iotrap run --trace "$tmp/t.txt" -- "$demo"
[[ -s $tmp/t.txt ]] || fail "the text trace file is empty"
grep -qi '378' "$tmp/t.txt" || fail "the text trace does not mention port 0x378"
# "t": one origin for the run, so a later process's records come later.
expect_status 0 iotrap run --trace "$tmp/t2.jsonl" --trace-format jsonl -- \
    sh -c 'inb 0x379 && sleep 0.01 && inb 0x37a'
python3 - "$tmp/t2.jsonl" <<'PY' || fail "the records of two processes do not count from one start"
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
assert len(recs) == 2 and recs[0]["pid"] != recs[1]["pid"], recs
assert 0 <= recs[0]["t"] and recs[0]["t"] + 10_000_000 <= recs[1]["t"], recs
PY
# --trace-ports.
expect_status 0 iotrap run --trace "$tmp/t3.txt" --trace-ports 0x37a -- \
    sh -c 'inb 0x379 && inb 0x37a && outb 0x378 1'
[[ $(cat "$tmp/t3.txt") == "in8   0x037a -> 0xcc" ]] || fail "--trace-ports: $(cat "$tmp/t3.txt")"
expect_status 2 iotrap run --trace "$tmp/t3.txt" --trace-ports 0x37a-0x379 -- true
expect_in "$tmp/err" "--trace-ports: bad port range \"0x37a-0x379\": end before start"
# --trace-max: one budget for all the processes of the run, a note where it ran out, and
# the count of what was dropped when the run ends.
expect_status 0 iotrap run --trace "$tmp/t4.txt" --trace-max 63 -- \
    sh -c 'for i in 1 2 3 4 5 6; do inb 0x379 >/dev/null; done'
cat "$tmp/t4.txt"
[[ $(grep -c '^in8 ' "$tmp/t4.txt") == 3 ]] || fail "--trace-max 63 should keep three lines"
expect_in "$tmp/t4.txt" "# trace limit of 63 bytes reached: later accesses are not recorded"
expect_in "$tmp/t4.txt" "# 3 accesses were not recorded (trace limit of 63 bytes)"
expect_status 2 iotrap run --trace "$tmp/t4.txt" --trace-max 1X -- true
expect_in "$tmp/err" "1X"
# VCD: the file is replaced, and holds one header however many processes wrote to it.
echo old >"$tmp/t5.vcd"
expect_status 0 iotrap run --trace "$tmp/t5.vcd" --trace-format vcd --trace-ports 0x378 -- \
    sh -c 'outb 0x378 1 && outb 0x378 2 && outb 0x378 3'
[[ $(grep -c '^\$enddefinitions' "$tmp/t5.vcd") == 1 ]] || fail "one VCD header expected"
grep -q '^old' "$tmp/t5.vcd" && fail "the VCD file was appended to"
[[ $(grep -c '^#' "$tmp/t5.vcd") == 3 ]] || fail "three time steps expected"
echo ok
