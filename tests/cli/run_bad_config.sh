#!/bin/bash
# A bad option, range, device spec or backend: exit 2, a message naming the bad part,
# and the program is NOT started (it would create the marker file).
. "$top_srcdir/tests/cli/common.bash"
marker=$tmp/marker

check() {
    local name=$1
    shift
    expect_status 2 iotrap run "$@" -- sh -c "touch '$marker'"
    [[ ! -e $marker ]] || fail "$*: the program was started"
    expect_in "$tmp/err" "$name"
}

check "--no-such-option" --no-such-option
check "--backend" --backend
check "--trace-format" --trace-format xml
check "--quiet" --quiet=yes
check "zz" --allow 0x378-zz
check "0x10000" --allow 0x10000
check "nosuchdevice" --device nosuchdevice@0x300
check "lpt@" --device lpt@
check "nosuchbackend" --backend nosuchbackend
check "/no/such/plugin.so" --device-plugin /no/such/plugin.so
check "/no/such/dir/trace.log" --trace /no/such/dir/trace.log
check "sometimes" --patch sometimes
# The same variables, inherited from the environment instead of given as options.
expect_status 2 env IOTRAP_ALLOW=bogus iotrap run -- sh -c "touch '$marker'"
[[ ! -e $marker ]] || fail "IOTRAP_ALLOW=bogus: the program was started"
expect_in "$tmp/err" "bogus"
expect_status 2 env IOTRAP_PATCH=maybe iotrap run -- sh -c "touch '$marker'"
[[ ! -e $marker ]] || fail "IOTRAP_PATCH=maybe: the program was started"
expect_in "$tmp/err" "IOTRAP_PATCH: 'maybe'"
# No program at all.
expect_status 2 iotrap run --quiet
expect_in "$tmp/err" "no program given"
echo ok
