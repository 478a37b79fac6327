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
# Every kind of bad device spec, and files, plug-ins and backends that cannot be
# opened: all of them are the configuration's fault, status 2 (iotrap(1), EXIT STATUS).
check "--device" --device ''
check "empty option" --device 'lpt@0x378,'
check "\"bogus\" for lpt" --device 'lpt@0x378,bogus=1'
check "\"sideways\" for option \"mode\"" --device 'lpt@0x378,mode=sideways'
check "lpt@0xfffc" --device lpt@0xfffc
check "uart@0x37c\" overlaps" --device lpt@0x378 --device uart@0x37c
check "/no/such/dir/printer" --device 'lpt@0x378,out=/no/such/dir/printer'
check "/no/such/dir/nvram" --device 'cmos@0x70,file=/no/such/dir/nvram'
check "\"zz\" for option \"card\"" --device 'pci@0xcf8,card=zz'
echo 'not a shared object' >"$tmp/text.so"
check "$tmp/text.so" --device-plugin "$tmp/text.so"
check "ioperm" --backend direct
check "/dev/nonexistent" --backend ppdev:/dev/nonexistent@0x378
check "0x378=bogus" --route 0x378=bogus
check "0x378" --remap 0x378
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
