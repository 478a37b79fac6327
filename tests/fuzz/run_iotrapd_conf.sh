#!/bin/bash
# iotrapd's configuration parser under libFuzzer (see run_iotrapd.sh).
exec "$(dirname "$0")/run_iotrapd.sh" conf
