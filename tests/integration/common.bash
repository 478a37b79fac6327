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

# need_prog PATH: a 32-bit program exists only where configure found a -m32 toolchain.
need_prog() {
    [[ -x $1 ]] && return
    if [[ $1 == *-m32 ]]; then
        echo "no 32-bit test programs: configure found no working gcc -m32 with libcapstone-dev:i386"
        exit 77
    fi
    fail "$1 was not built"
}

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
