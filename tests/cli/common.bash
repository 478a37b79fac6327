# Sourced by the tests/cli/*.sh cases: a scratch directory and small assertions.
set -u
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
demo=$top_builddir/examples/ioperm_test

fail() {
    echo "FAIL: $*"
    exit 1
}

# expect_status WANT COMMAND...: runs COMMAND with stdout and stderr in $tmp/out and
# $tmp/err and checks its exit status.
expect_status() {
    local want=$1
    shift
    "$@" >"$tmp/out" 2>"$tmp/err"
    local got=$?
    if [[ $got != "$want" ]]; then
        echo "stdout:"; cat "$tmp/out"; echo "stderr:"; cat "$tmp/err"
        fail "'$*' exited $got, expected $want"
    fi
}

# expect_in FILE TEXT: FILE contains TEXT (fixed string).
expect_in() {
    grep -qF -- "$2" "$1" || { cat "$1"; fail "$1 does not contain '$2'"; }
}
