#!/bin/bash
# The parsers of port lists, routes, remaps, the port map and device specs under libFuzzer
# (see run_iotrapd.sh).
exec "$(dirname "$0")/run_iotrapd.sh" parsers
