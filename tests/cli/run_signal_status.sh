#!/bin/bash
# A program ended by signal N ends `iotrap run` by signal N too, without a core of its
# own, so that the parent sees WIFSIGNALED as without iotrap (a shell reports 128+N).
. "$top_srcdir/tests/cli/common.bash"
expect_status 143 iotrap run -- sh -c 'kill -TERM $$'
expect_status 137 iotrap run -- sh -c 'kill -KILL $$'

# How the parent sees it: "exited E" or "signal S core C" (perl's system() gives the raw
# wait status).
how_ended() {
    perl -e 'system(@ARGV) == -1 and die "cannot run $ARGV[0]: $!\n";
             printf(($? & 127) ? "signal %d core %d\n" : "exited %d\n",
                    ($? & 127) ? ($? & 127, ($? & 128) ? 1 : 0) : $? >> 8)' "$@" 2>"$tmp/err"
}
for sig in SEGV ABRT TERM KILL; do
    num=$(kill -l "$sig")
    # The program forgoes its own core; iotrap run may make none whatever its limit.
    got=$(ulimit -c unlimited 2>/dev/null || ulimit -c "$(ulimit -Hc)"; cd "$tmp" && how_ended iotrap run -- sh -c "ulimit -c 0; kill -$sig \$\$")
    [[ $got == "signal $num core 0" ]] || { cat "$tmp/err"; fail "SIG$sig: the parent saw '$got'"; }
done
[[ -z $(ls "$tmp" | grep core) ]] || fail "a core file was left: $(ls "$tmp")"
got=$(how_ended iotrap run -- sh -c 'exit 139')
[[ $got == "exited 139" ]] || fail "exit 139: the parent saw '$got'"
echo ok
