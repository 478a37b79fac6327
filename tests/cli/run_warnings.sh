#!/bin/bash
# Programs the loader will not preload into are named before they start: static ones
# (no PT_INTERP), and set-user-ID ones (secure mode ignores LD_PRELOAD).
. "$top_srcdir/tests/cli/common.bash"
static=$top_builddir/tests/cli/static_true
[[ -x $static ]] || fail "$static was not built"
expect_status 0 iotrap run -- "$static"
expect_in "$tmp/err" "statically linked"
expect_in "$tmp/err" "will NOT be trapped"
# A dynamic program gets no such warning.
expect_status 0 iotrap run -- sh -c 'exit 0'
grep -q "warning" "$tmp/err" && fail "unexpected warning: $(cat "$tmp/err")"
if [[ $(id -u) == 0 ]] && ! findmnt -no OPTIONS --target "$tmp" 2>/dev/null | grep -qw nosuid; then
    cp "$(type -P true)" "$tmp/suid-true"
    chown 65534 "$tmp/suid-true"
    chmod 4755 "$tmp/suid-true"
    expect_status 0 iotrap run -- "$tmp/suid-true"
    expect_in "$tmp/err" "set-user-ID"
    expect_in "$tmp/err" "ignores LD_PRELOAD"
fi
echo ok
