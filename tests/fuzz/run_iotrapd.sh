#!/bin/bash
# Runs one of the libFuzzer targets of what users and clients send (proto: iotrapd's request
# decoder and dispatch, tests/fuzz/fuzz_iotrapd_proto; conf: its configuration parser,
# fuzz_iotrapd_conf; parsers: port lists, routes, remaps, the port map and device specs,
# fuzz_parsers) for half of IOTRAP_FUZZ_SECONDS (default 60, so 30 s each), seeded with
# well-formed inputs; any crash, leak or failed invariant fails the test.
#   run_iotrapd.sh proto|conf|parsers
set -u
target=$1
bin="$top_builddir/tests/fuzz/fuzz_iotrapd_$target"
[[ $target == parsers ]] && bin="$top_builddir/tests/fuzz/fuzz_parsers"
if [[ ! -x $bin ]]; then
    echo "the libFuzzer target was not built: install clang with libFuzzer (Debian: clang"
    echo "and libclang-rt-dev), then re-run configure so that it finds -fsanitize=fuzzer"
    exit 1
fi
secs=$(( ${IOTRAP_FUZZ_SECONDS:-60} / 2 ))
((secs >= 1)) || secs=1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/corpus"
# le VALUE BYTES: VALUE as little-endian \x escapes.
le() { local i; for ((i = 0; i < $2; i++)); do printf '\\x%02x' $((($1 >> (8 * i)) & 255)); done; }
# req OP SEQ PORT WIDTH COUNT LEN DATA: one request, as the protocol lays it out.
req() { printf "$(le 0x44544f49 4)$(le 1 2)$(le $1 2)$(le $2 4)$(le $3 2)$(le $4 1)\\x00$(le $5 4)$(le $6 4)$7"; }
dict=()
case $target in
proto)
    n=0
    for seq in 0 1 2 3 4 7; do
        req 1 $seq 0 0 0 0 '' >"$work/corpus/ping$seq"
        req 2 $seq 0x379 1 1 0 '' >"$work/corpus/in$seq"
        req 2 $seq 0x70 2 1 0 '' >"$work/corpus/inw$seq"
        req 3 $seq 0x378 1 1 1 '\x5a' >"$work/corpus/out$seq"
        req 3 $seq 0xcf8 4 1 4 '\x00\x00\x00\x80' >"$work/corpus/outl$seq"
        req 4 $seq 0x3f8 2 4 0 '' >"$work/corpus/ins$seq"
        req 5 $seq 0x378 1 5 5 'HELLO' >"$work/corpus/outs$seq"
        n=$((n + 7))
    done
    ;;
conf)
    cp "$top_srcdir/etc/iotrap.conf" "$work/corpus/shipped"
    printf 'allow user=alice ports=0x378-0x37a access=rw\nallow group=lp ports=0x3f8-0x3ff access=r\n' >"$work/corpus/a"
    printf 'allow uid=1000 ports=0x379,0x70-0x71,0xcf8-0xcff access=read # x\n' >"$work/corpus/b"
    printf 'allow gid=7 access=w ports=0-0xffff\nbackend sim\nuser alice\ndevice lpt@0x378\n' >"$work/corpus/c"
    printf 'allow uid=1 ports=0x60-0x64,0x92,0x20-0x23,all access=rw\r\n\n' >"$work/corpus/d"
    n=5
    for w in allow user= uid= group= gid= ports= access= rw readwrite backend device \
             0x all none alice lp root; do
        dict+=("\"$w\"")
    done
    ;;
parsers)
    # The first byte picks the parser: 0 port list, 1 route, 2 remap, 3 device spec, 4 map.
    printf '\x000x378-0x37f, 0x3f8,888' >"$work/corpus/list"
    printf '\x00all' >"$work/corpus/all"
    printf '\x010x378-0x37f=ppdev:/dev/parport1' >"$work/corpus/route"
    printf '\x020x378-0x37f=0xe050' >"$work/corpus/remap"
    printf '\x03lpt@0x378,out=x,mode=epp' >"$work/corpus/device"
    printf '\x03ram@768-0x30f' >"$work/corpus/ram"
    printf '\x04r 0x378-0x37f=ppdev\nr 0x3f8-0x3ff=devport\nm 0x3f8-0x3ff=0xc000\nm 0xfff0-0xffff=0x100\n' \
        >"$work/corpus/map"
    n=7
    for w in 0x all none - , = : @ ppdev sim devport 0xffff 65535 0378; do
        dict+=("\"$w\"")
    done
    ;;
*) echo "usage: run_iotrapd.sh proto|conf|parsers"; exit 2 ;;
esac
opts=()
if ((${#dict[@]})); then
    printf '%s\n' "${dict[@]}" >"$work/dict"
    opts+=(-dict="$work/dict")
fi
cd "$work"
"$bin" "${opts[@]}" -max_total_time="$secs" -timeout=10 -rss_limit_mb=1024 -print_final_stats=1 \
    -error_exitcode=1 -timeout_exitcode=1 corpus 2>&1 | tail -n 25
status=${PIPESTATUS[0]}
echo "target: $target; seeds: $n; fuzzer exit status: $status"
# libFuzzer's own default failure status, 77, would read as "skipped" to tests/tap-run.
((status == 0)) || exit 1
