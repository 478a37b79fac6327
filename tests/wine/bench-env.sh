# The arguments and environment of the Wine benchmarks (tests/wine/bench.sh,
# tests/wine/bench-start.sh), sourced with BUILDDIR [ROUNDS [BITS]] and the default
# number of rounds in $default_rounds.  Sets b (the build directory), rounds, exe (the
# benchmark program of that bitness), and prepares the prefix.
set -u
me=$(basename "$0")
b=${1:?usage: $me BUILDDIR [ROUNDS [BITS]]}
b=$(cd "$b" && pwd)
rounds=${2:-$default_rounds}
case ${3:-64} in
    64) exe=$b/tests/wine/x86_64/bench.exe ;;
    32) exe=$b/tests/wine/i386/bench.exe ;;
    *) echo "$me: BITS must be 32 or 64, not '$3'" >&2; exit 2 ;;
esac
export WINEDEBUG=-all
export WINEPREFIX=${WINEPREFIX:-$b/tests/wine-prefix}
export IOTRAP_WINE_DIR=$b/stage/wine IOTRAP_PRELOAD_DIR=$b/stage/preload
"$b/tools/iotrap" wine --setup || exit 1
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
