#!/bin/bash
# The port map from the command line and the environment, on the simulated board: a
# remap moves the demo's LPT to a card at 0x278 (the trace names both ports), --allow is
# held against the program's ports, routes give ports their own backend instance, and
# every mistake stops the run with a message naming it (status 2, program not started).
. "$top_srcdir/tests/cli/common.bash"
probes=0x80,0x278-0x27a,0x3bc-0x3be

# The program knows 0x378; the only LPT is at 0x278.
expect_status 0 iotrap run --device lpt@0x278 --remap 0x378-0x37f=0x278 \
    --allow 0x378-0x37f,$probes --trace "$tmp/t" --trace-format jsonl -- "$demo"
expect_in "$tmp/out" "Parallel port found at address 0x378 (Status Info 0xD8"
expect_in "$tmp/out" "Parallel port found at address 0x278"
expect_in "$tmp/t" '"op":"out","width":1,"port":888,"target":632,"value":172'
grep -q '"port":632,"target"' "$tmp/t" && fail "an unmoved port got a target: $(head "$tmp/t")"
# Without the remap the board has nothing at 0x378.
expect_status 0 iotrap run --device lpt@0x278 --allow 0x378-0x37f,$probes -- "$demo"
grep -q "address 0x378" "$tmp/out" && fail "found an LPT at 0x378 without the remap"

# An allowed target does not make a denied program port allowed.
expect_status 139 iotrap run --device lpt@0x278 --remap 0x378-0x37f=0x278 \
    --allow 0x278-0x27f,$probes -- "$demo"
expect_in "$tmp/err" "denied outb 0x378 <- 0xac"

# The same through the environment, routes and remaps separated by ';'.
expect_status 0 env IOTRAP_REMAP='0x3bc-0x3be=0x278 ; 0x378-0x37f=0x278' IOTRAP_DEVICES=lpt@0x278 \
    IOTRAP_ROUTES='0x2f8-0x2ff=sim' iotrap run --trace "$tmp/t2" -- "$demo"
expect_in "$tmp/out" "Parallel port found at address 0x3BC"
expect_in "$tmp/t2" "out8  0x03bc [0x0278] <- 0xac"

# A route is a backend instance of its own, here a second view of the run's board.
expect_status 0 iotrap run --route "0x378-0x37f=sim" -- "$demo"
expect_in "$tmp/out" "Parallel port found at address 0x378"

# Mistakes, each named.
expect_status 2 iotrap run --route 0x378-0x37f=sim --route 0x37c-0x380=sim -- "$demo"
expect_in "$tmp/err" 'route "0x37c-0x380=sim" overlaps route "0x378-0x37f=sim" at port 0x37c'
[[ ! -s $tmp/out ]] || fail "the program ran: $(cat "$tmp/out")"
expect_status 2 iotrap run --remap 0x378-0x37f=0xfffc -- "$demo"
expect_in "$tmp/err" 'remap "0x378-0x37f=0xfffc" would move 0x37c-0x37f past port 0xffff'
expect_status 2 iotrap run --route 0x378-0x37f=ppdev:/dev/parport7 -- "$demo"
expect_in "$tmp/err" 'route "0x378-0x37f=ppdev:/dev/parport7": open /dev/parport7: No such file or directory'
expect_status 2 iotrap run --route 0x378-0x37f=nosuch -- "$demo"
expect_in "$tmp/err" 'unknown backend "nosuch" in route "0x378-0x37f=nosuch"'
expect_status 2 iotrap run --allow 0378 -- "$demo"
expect_in "$tmp/err" 'bad port "0378": a leading 0 is ambiguous'
expect_status 2 env IOTRAP_REMAP=' ; ' iotrap run -- "$demo"
expect_in "$tmp/err" 'IOTRAP_REMAP=" ; " holds no remap'
expect_status 2 env IOTRAP_ROUTES='0x378' iotrap run -- "$demo"
expect_in "$tmp/err" 'route "0x378" has no "="'
expect_status 2 iotrap run --route 'a;b=sim' -- "$demo"
expect_in "$tmp/err" "route 'a;b=sim' contains ';'"

# auto in a route is chosen once, logged with the map, and pinned for the program.
expect_status 0 iotrap run --route 0x378-0x37f=auto -- sh -c 'echo "routes=$IOTRAP_ROUTES"'
expect_in "$tmp/out" "routes=0x378-0x37f=sim"
expect_in "$tmp/err" 'iotrap: route "0x378-0x37f=auto" auto: using sim'
expect_in "$tmp/err" "iotrap: map: 0x378-0x37f -> sim"
expect_in "$tmp/err" "iotrap: map: other ports -> sim"

# iotrap doctor shows the map the same options give.
expect_status 0 iotrap doctor --route 0x378-0x37f=sim --remap 0x3f8-0x3ff=0x2f8 --allow 0x378-0x37f,0x3f8-0x3ff
grep -qE '^map +yes +0x378-0x37f -> sim$' "$tmp/out" || fail "no route line: $(cat "$tmp/out")"
grep -qE '^map +yes +other ports -> sim$' "$tmp/out" || fail "no default line: $(cat "$tmp/out")"
grep -qE '^map +yes +remap 0x3f8-0x3ff=0x2f8$' "$tmp/out" || fail "no remap line: $(cat "$tmp/out")"
grep -qE '^map +yes +allowed: 0x378-0x37f,0x3f8-0x3ff$' "$tmp/out" || fail "no allow line: $(cat "$tmp/out")"
expect_status 0 iotrap doctor --route 0x378-0x37f=ppdev:/dev/parport7
grep -qE '^map +no +route "0x378-0x37f=ppdev:/dev/parport7": open /dev/parport7' "$tmp/out" ||
    fail "no failed map line: $(cat "$tmp/out")"
echo ok
