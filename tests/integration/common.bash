# Helpers of the integration cases (tests/integration.test writes one small script per
# case that sources this file).  Every program runs under `iotrap run` on the simulated
# board: never real port I/O.

progs=$top_builddir/tests/progs
iotrap=$top_builddir/tools/iotrap

# The board of io_forms, io_faults, io_threads, io_fork and io_compat: RAM latches that
# make reads predictable; everything else (0x64 above all) is denied.
BOARD=(--device 'ram@0xe0-0xef' --device 'ram@0x300-0x33f' --allow '0xe0-0xef,0x300-0x33f')

fail() {
    echo "FAIL: $*"
    exit 1
}

# need_prog PATH: a 32-bit program exists only where configure found gcc -m32 with
# libcapstone-dev:i386.  ./run-tests installs those; only when the archive could not
# deliver them (recorded in $IOTRAP_DEPS_UNAVAILABLE) is the case skipped.
need_prog() {
    [[ -x $1 ]] && return
    local why
    if [[ $1 == *-m32 ]] &&
        why=$(grep -Es '^(gcc-multilib|libc6-dev-i386|libcapstone-dev:i386):' \
            "${IOTRAP_DEPS_UNAVAILABLE:-/nonexistent}"); then
        echo "no 32-bit test programs: the archive could not deliver: $why"
        exit 77
    fi
    fail "$1 was not built (32-bit programs need gcc-multilib and libcapstone-dev:i386)"
}

# need_cmd NAME...: third-party programs the suite runs; ./run-tests installs them.
need_cmd() {
    local c
    for c in "$@"; do
        command -v "$c" >/dev/null || fail "$c is not installed (./run-tests installs it)"
    done
}

# as_nobody CMD...: runs CMD as user nobody with no capabilities at all, from a copy of
# the command and the preload libraries that nobody can read wherever the build tree is.
as_nobody() {
    if [[ $(id -u) != 0 ]]; then
        "$@"
        return
    fi
    local dir
    dir=$(mktemp -d /tmp/iotrap-nobody.XXXXXX)
    cp "$iotrap" "$dir/iotrap"
    cp -r "$IOTRAP_PRELOAD_DIR/." "$dir/preload"
    # The $LIB links of the build tree are absolute; point them into the copy.
    local l
    for l in "$dir"/preload/lib/*-linux-gnu "$dir"/preload/lib32 "$dir"/preload/lib64; do
        [[ -L $l ]] && ln -sfn "$dir/preload/$(basename "$(readlink "$l")")" "$l"
    done
    chmod -R a+rX "$dir"
    local cmd=("$@")
    [[ ${cmd[0]} == "$iotrap" ]] && cmd[0]=$dir/iotrap
    setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all --bounding-set=-all \
        env HOME=/ XDG_RUNTIME_DIR= IOTRAP_PRELOAD_DIR="$dir/preload" "${cmd[@]}"
    local rc=$?
    rm -rf "$dir"
    return $rc
}
# run_status starts its command in a new shell.
export iotrap
export -f as_nobody

# run_status EXPECTED_STATUS CMD...: runs CMD through a shell (so that a death by SIGSEGV
# shows as the shell's 139), keeping its stdout in $out and stderr in $err.
run_status() {
    local want=$1
    shift
    out=$(mktemp) err=$(mktemp)
    trap 'rm -f "$out" "$err"' EXIT
    bash -c '"$@"; exit $?' run "$@" >"$out" 2>"$err"
    status=$?
    sed 's/^/stdout: /' "$out"
    sed 's/^/stderr: /' "$err"
    [[ $status == "$want" ]] || fail "exit status $status, want $want: $*"
}

# stderr_has REGEX / stderr_lacks REGEX (extended regular expressions, whole lines)
stderr_has() { grep -Eqx -- "$1" "$err" || fail "stderr has no line matching: $1"; }
stderr_lacks() { ! grep -Eq -- "$1" "$err" || fail "stderr has a line matching: $1"; }
stdout_has() { grep -Eqx -- "$1" "$out" || fail "stdout has no line matching: $1"; }

# string_syscalls PROGRAM CASE BYTES: the system calls the program's thread makes between
# its close(-77) and close(-78) marks (tests/progs/io_strings.c), counted under strace;
# the signal's own delivery shows as a line of strace's, not a call, and is not counted,
# nor is the "<... resumed>" second line of a call that another process's line split
# (the marks themselves may be split so too).
string_syscalls() {
    local trace
    trace=$(mktemp)
    strace -f -qq -o "$trace" "$iotrap" run "${BOARD[@]}" -- "$1" "$2" "$3" >/dev/null ||
        { rm -f "$trace"; fail "$1 $2 $3 failed under strace"; }
    awk '/close\(-77[ )]/ { pid = $1; on = 1; next }
         /close\(-78[ )]/ && $1 == pid { on = 0 }
         on && $1 == pid && $2 !~ /^(---|\+\+\+|<\.\.\.)/ { n++ }
         END { print n + 0 }' "$trace"
    sed -n '/close(-77/,/close(-78/p' "$trace" | sed 's/^/strace: /' | head -20 >&2
    rm -f "$trace"
}
