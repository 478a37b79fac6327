# Helpers of the Wine test cases (tests/wine/cases/*.sh), sourced by each.
set -u
bits=${1:?bitness}
iotrap=$top_builddir/tools/iotrap
work=$IOTRAP_WINE_WORK/$(basename "$0" .sh)-$bits
rm -rf "$work"
mkdir -p "$work"
cd "$work" || exit 1

fail() {
    echo "FAIL: $*"
    exit 1
}

# 32-bit programs need a Wine that runs them: a classic build with its 32-bit part
# (Debian: wine32:i386) or a new-WoW64 build; wine.test asks `iotrap doctor` once
# ($IOTRAP_WINE_32).  The only allowed skip is when the archive could not deliver the
# 32-bit part (./run-tests records apt's error in $IOTRAP_DEPS_UNAVAILABLE, or
# /tmp/iotrap-deps-unavailable.*); otherwise a Wine without 32-bit support is a failure.
need_bits() {
    [[ $1 == 32 ]] || return 0
    [[ $IOTRAP_WINE_32 == yes* ]] && return 0
    local why="" f
    for f in ${IOTRAP_DEPS_UNAVAILABLE:-} /tmp/iotrap-deps-unavailable.*; do
        [[ -f $f ]] && why=$(grep -m1 '^wine32:i386:' "$f") && break
    done
    if [[ -n $why ]]; then
        echo "32-bit Wine is unavailable from the archive: $why"
        exit 77
    fi
    fail "this Wine runs no 32-bit programs: ${IOTRAP_WINE_32#no }"
}

# The test program NAME for bitness BITS: exe BITS NAME.
exe() {
    if [[ $1 == 32 ]]; then
        echo "$IOTRAP_WINE_TESTS/i386/$2.exe"
    else
        echo "$IOTRAP_WINE_TESTS/x86_64/$2.exe"
    fi
}

# Runs `iotrap wine OPTIONS -- PROGRAM ARGS` with a JSONL trace in $work/trace.jsonl;
# output in $work/out, status in $status.
run() {
    rm -f "$work/trace.jsonl"
    "$iotrap" wine --trace "$work/trace.jsonl" --trace-format jsonl "$@" >"$work/out.raw" 2>&1
    status=$?
    # Windows programs end their lines with CR LF.
    tr -d '\r' <"$work/out.raw" >"$work/out"
    cat "$work/out"
}

# Lines of the trace matching every given "key":value fragment.
trace_grep() {
    local f=$work/trace.jsonl
    [[ -f $f ]] || return 0
    local line ok frag
    while IFS= read -r line; do
        ok=1
        for frag in "$@"; do
            [[ $line == *"$frag"* ]] || { ok=0; break; }
        done
        ((ok)) && echo "$line"
    done <"$f"
}

expect_passed() {
    [[ $status -eq 0 ]] || fail "exit status $status"
    grep -q '^PASSED$' "$work/out" || fail "the program did not report PASSED"
}

need_bits "$bits"
