# Sourced by the tests/build/*.sh cases: a scratch directory and small assertions.
set -u
# The trees built here are not the one under test: nothing of its make (TESTS=..., -j,
# MAKEFLAGS) may leak into theirs, or a `make check` there would run this very suite.
unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES TESTS
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

fail() {
    echo "FAIL: $*"
    exit 1
}

# The files under DIR, one path per line relative to it, sorted.
files_under() {
    (cd "$1" && find . \( -type f -o -type l \) | sed 's|^\./||' | sort)
}

# has LISTFILE PATH...: each PATH is in the list.
has() {
    local list=$1 p
    shift
    for p in "$@"; do
        grep -qxF -- "$p" "$list" || { cat "$list"; fail "$p was not installed"; }
    done
}

# lacks LISTFILE PATTERN...: no path matches any extended regular expression.
lacks() {
    local list=$1 p
    shift
    for p in "$@"; do
        ! grep -qE -- "$p" "$list" || fail "installed, but should not be: $(grep -E -- "$p" "$list")"
    done
}
