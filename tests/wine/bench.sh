#!/bin/bash
# The Wine benchmark (docs/performance.md, "Wine"), in one run:
#   raw   `in al, dx` under `iotrap wine` (trapped and emulated by the preload library,
#         then patched into a call once hot: docs/patching.md)
#   veh   the same instruction in the same program under plain Wine, emulated by the
#         program's own vectored exception handler
#   inp32 Inp32() through the iotrap builtin inpout32.dll under `iotrap wine`
# Rounds are interleaved (the order of raw and veh alternates), each figure is the median
# of nine batches, and the ratio is the median of the rounds' ratios, so that a busy
# machine slows every variant alike.  Prints the figures and the ratios raw/veh (at most 0.5) and inp32/raw
# (at most 0.2); exits 1 if a ratio is over its bound.
#
#   tests/wine/bench.sh BUILDDIR [ROUNDS [BITS]]      BITS: 64 (default) or 32
default_rounds=5
. "$(dirname "$0")/bench-env.sh"
ns() { tr -d '\r' | awk '{print $2}'; }
raw=() veh=() inp=() r1=() r2=()
for ((i = 0; i < rounds; i++)); do
    # The order alternates between rounds.
    if ((i % 2)); then
        v=$(WINEDLLPATH= wine "$exe" veh 90000 | ns); wineserver -w
        r=$("$b/tools/iotrap" wine -- "$exe" raw 180000 | ns)
    else
        r=$("$b/tools/iotrap" wine -- "$exe" raw 180000 | ns)
        v=$(WINEDLLPATH= wine "$exe" veh 90000 | ns); wineserver -w
    fi
    p=$("$b/tools/iotrap" wine -- "$exe" inp32 1800000 | ns)
    raw+=("$r") veh+=("$v") inp+=("$p")
    r1+=("$(awk -v a="$r" -v b="$v" 'BEGIN {printf "%.3f", a / b}')")
    r2+=("$(awk -v a="$p" -v b="$r" 'BEGIN {printf "%.4f", a / b}')")
done
echo "raw in al,dx under iotrap wine (ns):     $(printf '%s\n' "${raw[@]}" | median)  rounds: ${raw[*]}"
echo "the same with the program's own VEH (ns): $(printf '%s\n' "${veh[@]}" | median)  rounds: ${veh[*]}"
echo "Inp32 through the builtin (ns):           $(printf '%s\n' "${inp[@]}" | median)  rounds: ${inp[*]}"
a=$(printf '%s\n' "${r1[@]}" | median)
c=$(printf '%s\n' "${r2[@]}" | median)
echo "raw / veh   = $a (median of the rounds' ratios: ${r1[*]}; at most 0.5)"
echo "inp32 / raw = $c (median of the rounds' ratios: ${r2[*]}; at most 0.2)"
awk -v a="$a" -v c="$c" 'BEGIN { exit !(a <= 0.5 && c <= 0.2) }'
