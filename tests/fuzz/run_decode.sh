#!/bin/bash
# Runs tests/fuzz/fuzz_decode for IOTRAP_FUZZ_SECONDS (default 60), seeded with every row
# of the golden table in every mode; any crash or failed invariant fails the test.
set -u
bin="$top_builddir/tests/fuzz/fuzz_decode"
if [[ ! -x $bin ]]; then
    echo "the libFuzzer target was not built: install clang with libFuzzer (Debian: clang"
    echo "and libclang-rt-dev), then re-run configure so that it finds -fsanitize=fuzzer"
    exit 1
fi
secs=${IOTRAP_FUZZ_SECONDS:-60}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/corpus"
n=0
while read -r mode hex _; do
    [[ $mode =~ ^[0-9]+$ && $hex =~ ^[0-9a-f]+$ ]] || continue
    for m in 0 1 2; do
        # Byte 0 selects the mode (0/1/2: 16/32/64) and byte 1 the execution options.
        printf "\\x$(printf %02x $m)\\x$(printf %02x $((n % 256)))" > "$work/corpus/s$n"
        printf "$(sed 's/../\\x&/g' <<<"$hex")" >> "$work/corpus/s$n"
        printf '\x11\x22\x33\x44\x55\x66\x77\x88%.0s' {1..8} >> "$work/corpus/s$n"
        n=$((n + 1))
    done
done < "$top_srcdir/tests/golden/decode.tsv"
cd "$work"
"$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=1024 -print_final_stats=1 \
    -error_exitcode=1 -timeout_exitcode=1 corpus 2>&1 | tail -n 25
status=${PIPESTATUS[0]}
echo "seeds: $n; fuzzer exit status: $status"
# libFuzzer's own default failure status, 77, would read as "skipped" to tests/tap-run.
((status == 0)) || exit 1
