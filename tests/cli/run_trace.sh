#!/bin/bash
# --trace and --trace-format reach the preload library: the demo's accesses are recorded,
# one JSON object per line in jsonl.
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
echo ok
