#!/bin/bash
# iotrapd's request decoder and handler under libFuzzer (see run_iotrapd.sh).
exec "$(dirname "$0")/run_iotrapd.sh" proto
