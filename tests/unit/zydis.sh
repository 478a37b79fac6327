#!/bin/bash
# Runs the comparison of iotrap_decode with Zydis (tests/unit/zydis_diff.c).  Without it
# built, the case fails, unless ./run-tests found that the package archive cannot deliver
# libzydis-dev now (recorded in $IOTRAP_DEPS_UNAVAILABLE by scripts/deps.sh): then it is
# skipped with apt's words.
prog=$top_builddir/tests/unit/zydis_diff
if [[ -x $prog ]]; then
    exec "$prog"
fi
if why=$(grep -s '^libzydis-dev:' "${IOTRAP_DEPS_UNAVAILABLE:-/nonexistent}"); then
    echo "the package archive cannot deliver Zydis now: $why"
    exit 77
fi
echo "FAIL: $prog was not built: configure found no Zydis 4 (./run-tests installs" \
    "libzydis-dev; then run configure again)"
exit 1
