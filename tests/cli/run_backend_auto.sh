#!/bin/bash
# --backend auto tries the backends in a fixed order, logs once what each lacked and
# which one it took, and every process of the run then uses that one backend.
. "$top_srcdir/tests/cli/common.bash"
expect_status 0 iotrap run --backend auto -- sh -c 'echo "backend=$IOTRAP_BACKEND"'
[[ $(grep -c 'backend auto' "$tmp/err") == 1 ]] || fail "expected one log line: $(cat "$tmp/err")"
line=$(grep 'backend auto' "$tmp/err")
chosen=$(sed -n 's/^backend=//p' "$tmp/out")
[[ -n $chosen ]] || fail "the program did not see a concrete backend"
expect_in "$tmp/err" "iotrap: backend auto: using $chosen"
# The order of the attempts is the fixed one: ppdev, direct, devport, helper, sim.
order=$(grep -o -E '(ppdev|direct|devport|helper|sim):' <<<"$line" | tr -d ':' | tr '\n' ' ')
case "ppdev direct devport helper sim " in
"$order"*) ;;
*) fail "attempts out of order: $order" ;;
esac
expect_status 0 iotrap run --quiet --backend auto -- true
[[ ! -s $tmp/err ]] || fail "--quiet still logged: $(cat "$tmp/err")"
echo ok
