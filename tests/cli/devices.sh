#!/bin/bash
# `iotrap devices`: every model with its ports, options, summary and place on the default
# board, as text and as JSON; plug-ins given with --device-plugin are listed too.
. "$top_srcdir/tests/cli/common.bash"
expect_status 0 iotrap devices
for m in lpt uart cmos ram pit portb pci ec superio; do
    grep -qE "^$m +ports " "$tmp/out" || fail "model $m is not listed"
done
expect_in "$tmp/out" "lpt       ports BASE..BASE+0x7, BASE+0x400..BASE+0x402; default board: lpt@0x378"
expect_in "$tmp/out" "options: out=FILE, mode=ecp|epp|spp"
expect_in "$tmp/out" "options: time=utc|local, file=PATH"
expect_status 0 iotrap devices --json
python3 - "$tmp/out" <<'PY' || fail "the JSON is not what iotrap devices --json promises"
import json, sys
models = json.load(open(sys.argv[1]))
assert isinstance(models, list)
by = {m["name"]: m for m in models}
for m in models:
    for key in ("name", "ports", "options", "summary", "default"):
        assert key in m, (m, key)
    assert isinstance(m["options"], list) and isinstance(m["summary"], str) and m["summary"]
assert by["pit"]["default"] == "pit@0x40" and by["pit"]["ports"] == "BASE..BASE+0x3"
assert by["pci"]["default"] == "pci@0xcf8"
assert by["ec"]["default"] is None and by["ec"]["ports"] == "BASE, BASE+0x4"
assert by["ram"]["ports"] == "LO-HI"
assert "file=PATH" in by["cmos"]["options"]
PY
# The board's own error names the command.
expect_status 2 iotrap run --device nosuch@0x300 -- true
expect_in "$tmp/err" "see iotrap devices"
# Plug-ins: listed with their own summary.
plugin=$top_builddir/tests/plugins/.libs/counter.so
expect_status 0 iotrap devices --device-plugin "$plugin"
expect_in "$tmp/out" "sample plug-in: a byte counter"
expect_status 0 env IOTRAP_DEVICE_PLUGINS="$plugin" iotrap devices --json
expect_in "$tmp/out" '"name": "counter"'
expect_status 2 iotrap devices --device-plugin /no/such/plugin.so
expect_in "$tmp/err" "/no/such/plugin.so"
expect_status 2 iotrap devices --bogus
expect_in "$tmp/err" "--bogus"
echo ok
