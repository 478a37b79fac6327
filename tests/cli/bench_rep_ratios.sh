#!/bin/bash
# `iotrap bench --json` times a 4096-byte rep outsb against one trapped outb at each kind of
# string target (issue 11, item 4): a device with a string handler of its own (ram, the lpt
# data latch, the uart transmitter), the unclaimed bus, and a plug-in device without one,
# which takes the board's per-element path.  Timing is not asserted, only that every
# target was measured and judged, and on the board the bench says it used.
. "$top_srcdir/tests/cli/common.bash"
expect_status 0 iotrap bench --json --rounds 1
python3 - "$tmp/out" <<'PY' || { cat "$tmp/out" "$tmp/err"; fail "bad rep_ratios"; }
import json, sys
doc = json.load(open(sys.argv[1]))
targets = ("ram", "lpt_data", "uart_tx", "unclaimed", "plugin")
ratios = doc["rep_ratios"]
assert sorted(ratios) == sorted(targets), ratios
for t in targets:
    assert isinstance(ratios[t], (int, float)) and ratios[t] > 0, t
    verdict = doc["targets"]["rep_ratios"][t]
    assert verdict["max"] == 3.0 and isinstance(verdict["pass"], bool), t
    assert doc["ns"]["rep_outsb_4096_" + t] > 0 and doc["ns"]["trapped_outb_" + t] > 0, t
ports = doc["rep_ports"]
assert ports["unclaimed"] == "0x80", ports
# Each device target names the device at its port, so a board that lost one shows.
for t, dev in (("ram", "ram@"), ("lpt_data", "lpt@"), ("uart_tx", "uart@"),
               ("plugin", "bench-latch@")):
    assert ports[t].startswith("0x"), ports
    assert dev + ports[t] in doc["rep_board"], (t, doc["rep_board"])
PY
echo ok
