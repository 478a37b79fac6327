#!/bin/bash
# The Wine start-up benchmark (docs/performance.md, "Wine start-up"): how long `iotrap
# wine` takes to run a program that does nothing (tests/wine/bench.c's "start"), against
# plain `wine` running the same program in the same prefix, side by side in one run:
#   cold  no wineserver of the prefix running (each starts the session: services,
#         winedevice.exe, the board)
#   warm  the session of the run just before still running (plain wine finds its
#         wineserver, `iotrap wine` joins its session); the median of five such starts
# Rounds alternate which of the two goes first; each ratio is the median of the rounds'
# ratios, so that a busy machine slows both alike.  Prints the figures and the ratios
# iotrap/plain (target: at most 1.5 each) and exits 1 if one is over.
#
#   tests/wine/bench-start.sh BUILDDIR [ROUNDS [BITS]]      BITS: 64 (default) or 32
default_rounds=7
. "$(dirname "$0")/bench-env.sh"
iotrap=$b/tools/iotrap

# Ends the prefix's session, and waits until iotrap's keeper has removed its record.
stop() {
    wineserver -k 2>/dev/null
    wineserver -w
    local i
    for ((i = 0; i < 600 && ${#WINEPREFIX} > 0; i++)); do
        [[ -e $WINEPREFIX/.iotrap-session ]] || return 0
        sleep 0.1
    done
    echo "bench-start.sh: the iotrap session of $WINEPREFIX did not end" >&2
    exit 1
}
ms() { # COMMAND...: its wall time in milliseconds
    local t0 t1
    t0=$(date +%s%N)
    "$@" >/dev/null 2>&1 || { echo "bench-start.sh: '$*' failed" >&2; exit 1; }
    t1=$(date +%s%N)
    echo $(((t1 - t0) / 1000000))
}
# Cold, then the median of five warm starts: "COLD WARM" in ms.  A warm start is short
# enough for one descheduling to double it, so it is taken five times a round.
pair() {
    stop
    local c w=() k
    c=$(ms "$@")
    for k in 1 2 3 4 5; do w+=("$(ms "$@")"); done
    echo "$c $(printf '%s\n' "${w[@]}" | median)"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
pc=() pw=() ic=() iw=() rc=() rw=()
for ((i = 0; i < rounds; i++)); do
    if ((i % 2)); then
        read -r ic1 iw1 < <(pair "$iotrap" wine -- "$exe" start)
        read -r pc1 pw1 < <(pair wine "$exe" start)
    else
        read -r pc1 pw1 < <(pair wine "$exe" start)
        read -r ic1 iw1 < <(pair "$iotrap" wine -- "$exe" start)
    fi
    [[ -n ${pw1:-} && -n ${iw1:-} ]] || exit 1
    pc+=("$pc1") pw+=("$pw1") ic+=("$ic1") iw+=("$iw1")
    rc+=("$(ratio "$ic1" "$pc1")") rw+=("$(ratio "$iw1" "$pw1")")
done
stop
echo "plain wine, cold (ms):   $(printf '%s\n' "${pc[@]}" | median)  rounds: ${pc[*]}"
echo "iotrap wine, cold (ms):  $(printf '%s\n' "${ic[@]}" | median)  rounds: ${ic[*]}"
echo "plain wine, warm (ms):   $(printf '%s\n' "${pw[@]}" | median)  rounds: ${pw[*]}"
echo "iotrap wine, warm (ms):  $(printf '%s\n' "${iw[@]}" | median)  rounds: ${iw[*]}"
c=$(printf '%s\n' "${rc[@]}" | median)
w=$(printf '%s\n' "${rw[@]}" | median)
echo "cold: iotrap / plain = $c (median of the rounds' ratios: ${rc[*]}; at most 1.5)"
echo "warm: iotrap / plain = $w (median of the rounds' ratios: ${rw[*]}; at most 1.5)"
awk -v c="$c" -v w="$w" 'BEGIN { exit !(c <= 1.5 && w <= 1.5) }'
