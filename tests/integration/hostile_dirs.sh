#!/bin/bash
# Another user who makes /dev/shm/iotrap-UID and /tmp/iotrap-UID first (mode 0777, so
# that they are no private directories) must not stop UID's runs, and a SIGKILLed run's
# files in the directory of random name made instead are removed by the next run.  Runs
# as root in a mount namespace of its own (tests/integration.test), with empty /dev/shm
# and /tmp, for user nobody, with XDG_RUNTIME_DIR unset as under su, sudo and cron.
source "$top_srcdir/tests/integration/common.bash"
# The source and build trees may lie in /tmp or /dev/shm themselves (a fresh clone in
# /tmp): each is opened before the empty file systems cover it and bound back at its own
# path (not canonicalized: the name the descriptor shows is covered too), and the top
# directory holding it is left out of what a run must not leave.
trees=() tree_fds=() tree_tops=()
for d in "$top_srcdir" "$top_builddir"; do
    d=$(realpath "$d")
    for fs in /tmp /dev/shm; do
        [[ $d == "$fs"/* ]] || continue
        rel=${d#"$fs"/}
        exec {fd}<"$d"
        trees+=("$d") tree_fds+=("$fd") tree_tops+=("$fs/${rel%%/*}")
    done
done
mount -t tmpfs -o mode=1777 tmpfs /dev/shm && mount -t tmpfs -o mode=1777 tmpfs /tmp ||
    fail "cannot mount the private /dev/shm and /tmp"
for i in "${!trees[@]}"; do
    mkdir -p "${trees[i]}" &&
        mount --no-canonicalize --bind "/proc/self/fd/${tree_fds[i]}" "${trees[i]}" ||
        fail "cannot bind ${trees[i]} back over the private /tmp and /dev/shm"
done
mkdir -m 0777 /dev/shm/iotrap-65534 /tmp/iotrap-65534
chmod 0777 /dev/shm/iotrap-65534 /tmp/iotrap-65534 # whatever the umask
scratch=$(mktemp -d /tmp/scratch.XXXXXX)
chmod 0777 "$scratch"
export TMPDIR=$scratch # run_status's files

# What is left in /dev/shm and /tmp besides the squatted directories and the scratch one.
leftovers() {
    local t skip=()
    for t in "${tree_tops[@]}"; do skip+=(! -path "$t" ! -path "$t/*"); done
    find /dev/shm /tmp -mindepth 1 -maxdepth 2 ! -path /dev/shm/iotrap-65534 \
        ! -path /tmp/iotrap-65534 ! -path "$scratch" ! -path "$scratch/*" "${skip[@]}" | sort
}

run_status 0 as_nobody "$iotrap" run --device lpt@0x378 --allow 0x378-0x37f -- \
    sh -c 'outb 0x378 0x5a && inb --hex 0x378 && echo "board=$IOTRAP_BOARD"'
stdout_has 5a
stdout_has 'board=/dev/shm/iotrap-65534\.[A-Za-z0-9]{6}/board-[0-9]+-[0-9]+-[A-Za-z0-9]{6}'
[[ -z $(leftovers) ]] || fail "the run left: $(leftovers)"

# A launcher killed with SIGKILL leaves its files; its program dies with it.
as_nobody "$iotrap" run -- sh -c 'echo "$PPID $$ $IOTRAP_BOARD" >"$0.tmp" && mv "$0.tmp" "$0" &&
    exec sleep 3600' "$scratch/started" &
for _ in $(seq 1200); do [[ -e $scratch/started ]] && break; sleep 0.05; done
read -r launcher program board <"$scratch/started" || fail "the program did not start"
kill -KILL "$launcher"
for _ in $(seq 1200); do kill -0 "$program" 2>/dev/null || break; sleep 0.05; done
kill -0 "$program" 2>/dev/null && fail "the program outlived its launcher by a minute"
wait
[[ -f $board ]] || fail "the killed run's board $board is gone already: nothing to test"
run_status 0 as_nobody "$iotrap" run -- true
[[ ! -e $board ]] || fail "the next run left the killed run's board $board"
[[ -z $(leftovers) ]] || fail "the runs left: $(leftovers)"
# With no directory to make the run's files in, the board cannot be made: iotrap's own
# failure, status 1, said as such.
chmod 0755 /dev/shm /tmp
run_status 1 as_nobody "$iotrap" run -- true
stderr_has 'iotrap run: cannot create the simulated board: no private directory for the run.*'
chmod 1777 /dev/shm /tmp
[[ -z $(leftovers) ]] || fail "the failed run left: $(leftovers)"
echo "ok: runs of nobody work beside squatted directories, clean up after a killed one, and"
echo "ok: say that the board cannot be made where no directory is usable"
