#!/bin/bash
# One reading of every list and spec: a value of IOTRAP_DEVICES (and the other list
# variables) is accepted or refused alike by `iotrap run` and by the preload library of a
# program started without it, with the same message; spaces around items and parts are
# ignored everywhere.
. "$top_srcdir/tests/cli/common.bash"
cd "$tmp"
preload="$IOTRAP_PRELOAD_DIR/\$LIB/libiotrap-preload.so"

# reads VAR VALUE: runs `true` both ways and compares.
reads() {
    local var=$1 value=$2 a b ma mb
    env "$var=$value" iotrap run -- true >/dev/null 2>"$tmp/run.err"
    a=$?
    env LD_PRELOAD="$preload" "$var=$value" true >/dev/null 2>"$tmp/pre.err"
    b=$?
    ma=$(sed -n 's/^iotrap run: //p' "$tmp/run.err" | head -n 1)
    mb=$(sed -n 's/^iotrap: cannot start: //p' "$tmp/pre.err" | head -n 1)
    echo "$var='$value': iotrap run $a ($ma), preloaded $b ($mb)"
    [[ $a == "$b" ]] || fail "$var='$value' is read two ways: exit $a and $b"
    [[ $ma == "$mb" ]] || fail "$var='$value': different messages"
    last_status=$a
}

for v in ';' ' ' ' ; ;' 'bogus@1' 'lpt@0x378,' 'lpt@0x378;uart@0x37c' ' @0x378'; do
    reads IOTRAP_DEVICES "$v"
    [[ $last_status == 2 ]] || fail "IOTRAP_DEVICES='$v' was accepted"
done
for v in 'lpt@0x378 ; uart@0x3f8 ' ' lpt @ 0x378 , out = printed , mode = spp ;cmos@0x70'\
         'lpt@0x378;;uart@0x3f8' 'none'; do
    reads IOTRAP_DEVICES "$v"
    [[ $last_status == 0 ]] || fail "IOTRAP_DEVICES='$v' was refused"
done
[[ -e $tmp/printed ]] || fail "out = printed (with spaces) did not name the file 'printed'"
reads IOTRAP_DEVICE_PLUGINS ':'
reads IOTRAP_ROUTES ' ; '
reads IOTRAP_REMAP '0x378=0x278 ; 0x379'
reads IOTRAP_ALLOW '0x378 - 0x37f , 0x80'
[[ $last_status == 0 ]] || fail "spaces in IOTRAP_ALLOW were refused"

# The same specs as options: one --device each, spaces ignored the same way.
expect_status 0 iotrap run --device ' lpt @ 0x378 , out = opt-printed ' -- \
    sh -c 'outb 0x378 0x41 && outb 0x37a 0x0d && outb 0x37a 0x0c'
[[ $(cat "$tmp/opt-printed") == A ]] || fail "the spaced --device spec did not print to opt-printed"
echo ok
