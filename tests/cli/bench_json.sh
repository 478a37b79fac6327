#!/bin/bash
# `iotrap bench --json` prints one JSON object with the ratios, the raw times and a
# verdict per target.  Timing itself is not asserted: the machines are noisy.
. "$top_srcdir/tests/cli/common.bash"
expect_status 0 iotrap bench --json --rounds 1
python3 - "$tmp/out" <<'PY' || { cat "$tmp/out" "$tmp/err"; fail "bad JSON"; }
import json, sys
doc = json.load(open(sys.argv[1]))
for k in ("trap_ratio", "rep_ratio", "decode_cached_ratio", "decode_cold_ratio",
          "patched_ratio", "patched_scaling", "patched_device_ratio"):
    assert isinstance(doc[k], (int, float)) and doc[k] > 0, k
    assert isinstance(doc["targets"][k]["pass"], bool), k
for k in ("bare_trap", "trapped_inb", "trapped_outb", "rep_outsb_4096", "capstone",
          "decode_cached", "decode_uncached", "patched_inb", "ports_in", "patched_1thread",
          "patched_2threads", "cpu_1thread", "cpu_2threads", "patched_inb_device",
          "ports_in_device"):
    assert doc["ns"][k] > 0, k
assert isinstance(doc["capstone_detail"], bool)
# The start-up figures: /bin/true preloaded and under `iotrap run`, and the memory.
for k in ("start_ratio", "run_ratio", "rss_extra_kb"):
    assert isinstance(doc[k], (int, float)) and doc[k] > 0, k
    assert doc["targets"][k]["max"] > 0 and isinstance(doc["targets"][k]["pass"], bool), k
for k in ("true_bare", "true_preload", "true_run", "true_launcher"):
    assert doc["ns"][k] > 0, k
PY
expect_status 2 iotrap bench --rounds 0
expect_in "$tmp/err" "'--rounds 0'"
expect_status 2 iotrap bench --frobnicate
expect_in "$tmp/err" "'--frobnicate'"
echo ok
