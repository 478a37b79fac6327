#!/bin/sh
# The real-port checks, run as root inside the QEMU guest by /init (tests/vm/init).
# Each `check NAME FUNCTION` prints one "VMTAP: ok N - NAME" or "VMTAP: not ok N - NAME"
# line on the console; tests/vm.test collects them.  `guest.sh --list` prints the names
# only (the host uses it to know the plan, so that a check that never reports fails).
#
# Only QEMU's devices are ever touched: the LPTs at 0x378-0x37f and 0xe050-0xe057, the UART
# at 0x3f8-0x3ff and the pci-serial card's UART (the programs check: tests/vm/vm_safe.h).
list=0
[ "${1:-}" = --list ] && list=1
n=0
T=/tmp/vmt
[ $list = 1 ] || { mkdir -p $T && chmod 1777 $T; }  # users write traces here too
SOCK=/run/iotrap/iotrapd.sock
PRINT_TEXT='iotrap: Centronics through iotrapd, uid 1000.'
PRINT2_TEXT='iotrap: Centronics at 0x378 through a ppdev route to the card at 0xe050.'
CLAIMED=

LOG=/var/log/messages
# The daemon's pid lives in a file: every check runs in a subshell, and `check` stops a
# daemon a check left running, so that none keeps holding /dev/parport0.
stop_iotrapd() {
    if [ -s $T/iotrapd.pid ]; then
        pid=$(cat $T/iotrapd.pid)
        kill $pid 2>/dev/null
        i=0
        while kill -0 $pid 2>/dev/null && [ $i -lt 50 ]; do usleep 100000; i=$((i + 1)); done
    fi
    rm -f $T/iotrapd.pid $SOCK
}

check() {
    name=$1; shift
    n=$((n + 1))
    if [ $list = 1 ]; then echo "$name"; return; fi
    log=$T/check.$n.log
    ("$@") >"$log" 2>&1 </dev/null &
    pid=$!
    (sleep "${CHECK_TIMEOUT:-60}"; kill -9 $pid 2>/dev/null) &
    dog=$!
    wait $pid
    rc=$?
    kill $dog 2>/dev/null
    wait $dog 2>/dev/null
    stop_iotrapd
    if [ $rc = 0 ]; then
        echo "VMTAP: ok $n - $name"
    else
        echo "VMTAP: not ok $n - $name (exit $rc)"
        tail -n 30 "$log" | sed 's/^/VMTAP: # /'
    fi
}

# Runs a command and fails with its output when the output differs from the reference.
same_as() {
    ref=$1; shift
    "$@" >$T/out 2>$T/err
    rc=$?
    if [ $rc != 0 ]; then echo "exit $rc"; cat $T/err; return 1; fi
    if ! cmp -s "$ref" $T/out; then
        echo "differs from the native reference:"
        diff "$ref" $T/out | grep '^[-+][0-9a-z]' | head -n 12 | cut -c1-230
        cat $T/err
        return 1
    fi
}

reset() { vm-prog --ioperm reset; }

# Fails when the device registers, read natively, differ from a reference dump
# ($2: --ppdev-claimed after ppdev held the port, see vm-prog.c; $3...: vm-prog's options
# that name the devices, the legacy ones without).
same_dump() {
    ref=$1 flag=${2:-}
    shift
    [ $# = 0 ] || shift
    vm-prog --ioperm "$@" dump $flag >$T/dump || return 1
    if ! cmp -s "$ref" $T/dump; then
        echo "device state differs from the native reference:"
        diff "$ref" $T/dump
        return 1
    fi
}

# The moved devices: the second LPT and the pci-serial card's UART, at the base the guest
# firmware gave it.
LPT2=0xe050
UART2=
if [ $list = 0 ]; then
    for p in parport0 parport1; do
        for f in modes base-addr irq; do
            echo "VMTAP: info $p $f: $(cat /proc/sys/dev/parport/$p/$f 2>&1 | tr '\t\n' '  ')"
        done
    done
    if vm-prog pci-uart >$T/pci-uart 2>&1; then
        read UART2 UART2_TTY <$T/pci-uart
        # Until a program opens it, its driver leaves the line unset; the console's
        # settings make its line-control register read as the console UART's.
        stty -F /dev/$UART2_TTY $(stty -F /dev/ttyS0 -g) 2>&1 | sed 's/^/VMTAP: info stty: /'
        echo "VMTAP: info pci-serial UART at $UART2 (/dev/$UART2_TTY)"
    else
        sed 's/^/VMTAP: info /' $T/pci-uart
    fi
fi
# vm-prog's options for the moved devices; the end of the UART's 8 ports.
AT_NEW="--lpt $LPT2 --uart $UART2"
UART2_END=$(printf 0x%x $((${UART2:-0} + 7)))

# ---- native reference -----------------------------------------------------------------
t_native_ioperm() {
    reset || return 1
    vm-prog --ioperm lptuart all >$T/ref.all || return 1
    vm-prog --ioperm dump >$T/ref.all.dump || return 1
    reset
    vm-prog --ioperm lptuart lpt >$T/ref.lpt || return 1
    vm-prog --ioperm dump >$T/ref.lpt.dump || return 1
    # The two known states of vm-prog, for checks that a run reached only the devices
    # it should.
    reset
    vm-prog --ioperm dump >$T/ref.reset.dump || return 1
    vm-prog --ioperm mark && vm-prog --ioperm dump >$T/ref.mark.dump || return 1
    cmp -s $T/ref.reset.dump $T/ref.mark.dump && { echo "mark looks like reset"; return 1; }
    # The devices answer as QEMU documents them: data reads back, status 0xd8 idle.
    grep -q '^r8 378 = 55$' $T/ref.all && grep -q '^r8 379 = d8$' $T/ref.all &&
        grep -q '^r8 3ff = a5$' $T/ref.all
}
t_devices_present() {
    [ -c /dev/port ] && [ -c /dev/parport0 ] || { ls -l /dev/port /dev/parport*; return 1; }
}
check "native IN/OUT with ioperm on QEMU's LPT and UART scratch" t_native_ioperm
check "/dev/port and /dev/parport0 exist in the guest" t_devices_present

# ---- backends through their vtable (no trap engine involved) --------------------------
# $1 backend spec, $2 sequence (all: LPT and UART, lpt: LPT only), $3.. a prefix command
# (vm-runas ...) to run it as another user.
t_vtable() {
    spec=$1 seq=$2
    shift 2
    reset
    same_as $T/ref.$seq "$@" vm-backend "$spec" lptuart $seq || return 1
    stop_iotrapd
    case "$spec $CLAIMED" in *ppdev*) same_dump $T/ref.$seq.dump --ppdev-claimed ;;
    *) same_dump $T/ref.$seq.dump ;; esac
}
# The backend must refuse to open, with the errno text in its message.
t_vtable_refused() {
    spec=$1 want=$2
    shift 2
    "$@" vm-backend "$spec" lptuart lpt >$T/out 2>&1 && { echo "opened"; return 1; }
    grep -F "$want" $T/out || { cat $T/out; return 1; }
}
AS_USER="vm-runas 1000 1000,7"
check "direct backend (vtable) matches native" t_vtable direct all
check "devport backend (vtable) matches native" t_vtable devport all
check "ppdev backend (vtable) matches native" t_vtable "ppdev:/dev/parport0@0x378" lpt
check "ppdev backend (vtable) as uid 1000 in group lp matches native" \
    t_vtable "ppdev:/dev/parport0@0x378" lpt $AS_USER
check "ppdev backend finds /dev/parport0 and its base by itself" t_vtable ppdev lpt
check "direct backend as uid 1000 after a launcher's ioperm matches native" \
    t_vtable direct all vm-runas --ioperm 0x378-0x37f,0x3f8-0x3ff 1000 1000
check "direct backend as uid 1000 without permission refuses to open" \
    t_vtable_refused direct "ioperm: Operation not permitted" $AS_USER
check "devport backend as uid 1000 refuses to open" \
    t_vtable_refused devport "open /dev/port: Permission denied" $AS_USER
check "ppdev backend refuses a missing device" \
    t_vtable_refused ppdev:/dev/parport7@0x378 "open /dev/parport7: No such file or directory"
t_ppdev_epp_refused() {
    # QEMU's LPT has no EPP hardware: BASE+3/+4 are refused rather than bit-banged.
    grep -q EPP /proc/sys/dev/parport/parport0/modes && { echo "port has EPP"; return 1; }
    vm-backend ppdev:/dev/parport0@0x378 epp >$T/out 2>&1
    grep -q "in failed: operation not supported" $T/out || { cat $T/out; return 1; }
}
check "ppdev backend refuses EPP registers on a port without EPP" t_ppdev_epp_refused

# ---- iotrapd -----------------------------------------------------------------------------
# start_iotrapd BACKEND RULES...: one rule per argument; IOTRAPD_OPTS, more options.
start_iotrapd() {
    stop_iotrapd
    be=$1; shift
    case $be in ppdev*) CLAIMED=ppdev ;; esac
    : >$T/iotrap.conf
    for r in "$@"; do echo "$r" >>$T/iotrap.conf; done
    iotrapd --config $T/iotrap.conf --backend "$be" ${IOTRAPD_OPTS:-} --foreground \
        2>>$T/iotrapd.log &
    DPID=$!
    echo $DPID >$T/iotrapd.pid
    i=0
    while [ $i -lt 50 ]; do
        [ -S $SOCK ] && vm-client $SOCK ping 2>/dev/null && return 0
        kill -0 $DPID 2>/dev/null || break
        usleep 100000
        i=$((i + 1))
    done
    echo "iotrapd did not start:"; tail -n 5 $T/iotrapd.log
    return 1
}
ROOT_ALL="allow uid=0 ports=0x378-0x37f,0x3f8-0x3ff access=rw"
ROOT_LPT="allow uid=0 ports=0x378-0x37a access=rw"
USER_LPT="allow uid=1000 ports=0x378-0x37a access=rw"
t_iotrapd_privileges() {
    start_iotrapd direct "$ROOT_ALL" "$USER_LPT" || return 1
    st=/proc/$DPID/status
    grep -qE '^Uid:[[:space:]]+65534' $st && grep -qE '^CapEff:[[:space:]]+0+$' $st &&
        grep -qE '^CapPrm:[[:space:]]+0+$' $st || { grep -E 'Uid|Cap' $st; return 1; }
}
t_helper() { # $1 iotrapd backend, $2 sequence, $3.. rules
    be=$1 seq=$2
    shift 2
    start_iotrapd "$be" "$@" || return 1
    t_vtable helper:$SOCK $seq
}
t_helper_user() {
    start_iotrapd direct "$ROOT_ALL" "$USER_LPT" || return 1
    t_vtable helper:$SOCK lpt $AS_USER
}
t_helper_denied() {
    start_iotrapd direct "$ROOT_ALL" "$USER_LPT" || return 1
    reset
    vm-prog --ioperm poke 0x3ff 0x33 >/dev/null
    $AS_USER vm-client $SOCK out 0x3ff 1 0x77
    rc=$?
    [ $rc = 3 ] || { echo "vm-client exited $rc, expected 3 (denied)"; return 1; }
    vm-prog --ioperm dump | grep -q '^r8 3ff = 33$' || { echo "0x3ff changed"; return 1; }
    sleep 1
    grep -E "iotrapd.*denied uid=1000 pid=[0-9]+ port=0x03ff width=1 dir=write" $LOG ||
        { echo "no denial in $LOG:"; tail -n 5 $LOG; return 1; }
}
check "iotrapd (direct) drops to uid 65534 with no capabilities" t_iotrapd_privileges
check "helper via iotrapd (direct) matches native" t_helper direct all "$ROOT_ALL"
check "helper via iotrapd (devport) matches native" t_helper devport all "$ROOT_ALL"
check "helper via iotrapd (ppdev) matches native" t_helper ppdev:/dev/parport0@0x378 lpt "$ROOT_LPT"
check "helper as uid 1000 via iotrapd (direct) matches native" t_helper_user
check "iotrapd denies uid 1000 outside its rule, logs it, device untouched" t_helper_denied

# ---- the trap engine: the program's own IN/OUT through each backend ----------------------
# $1 backend, $2 allowed ports, $3 sequence, $4.. prefix command.
t_run() {
    be=$1 allow=$2 seq=$3
    shift 3
    reset
    same_as $T/ref.$seq "$@" iotrap run --backend "$be" --allow "$allow" -- vm-prog lptuart $seq ||
        return 1
    stop_iotrapd
    case "$be $CLAIMED" in *ppdev*) same_dump $T/ref.$seq.dump --ppdev-claimed ;;
    *) same_dump $T/ref.$seq.dump ;; esac
}
t_run_direct_no_trap() {
    reset
    rm -f $T/trace
    same_as $T/ref.all iotrap run --backend direct --allow 0x378-0x37f,0x3f8-0x3ff \
        --trace $T/trace -- vm-prog lptuart all || return 1
    same_dump $T/ref.all.dump || return 1
    # Natively granted: not a single access went through the trap engine.
    [ ! -s $T/trace ] || { echo "trapped accesses:"; head -n 5 $T/trace; return 1; }
    # A port outside the allowed ranges still traps and is denied.
    iotrap run --backend direct --allow 0x378-0x37a -- vm-prog poke 0x3ff 1 >$T/out 2>&1
    rc=$?
    [ $rc = 139 ] || { echo "poke 0x3ff exited $rc, expected 139"; cat $T/out; return 1; }
}
t_run_helper_print() {
    start_iotrapd direct "$ROOT_ALL" "$USER_LPT" || return 1
    $AS_USER iotrap run --backend helper -- vm-prog print "$PRINT_TEXT"
}
t_run_helper_denied() {
    start_iotrapd direct "$ROOT_ALL" "$USER_LPT" || return 1
    reset
    vm-prog --ioperm poke 0x3ff 0x44 >/dev/null
    n0=$(grep -c 'denied uid=1000' $LOG)
    $AS_USER iotrap run --backend helper -- vm-prog poke 0x3ff 0x99 >$T/out 2>&1
    rc=$?
    [ $rc = 139 ] || { echo "exited $rc, expected 139 (SIGSEGV)"; cat $T/out; return 1; }
    vm-prog --ioperm dump | grep -q '^r8 3ff = 44$' || { echo "0x3ff changed"; return 1; }
    sleep 1
    [ "$(grep -c 'denied uid=1000 pid=[0-9]* port=0x03ff width=1 dir=write' $LOG)" -gt "$n0" ] ||
        { echo "no new denial logged:"; tail -n 5 $LOG; return 1; }
}
check "iotrap run --backend direct: native IN/OUT, no trap; others denied" t_run_direct_no_trap
t_run_direct_launcher() {
    # A root launcher grants LPT and UART, the user's session allows only 0x378-0x37a:
    # those run natively, the rest of what was granted is taken back and traps.
    L="vm-runas --ioperm 0x378-0x37f,0x3f8-0x3ff 1000 1000"
    reset
    rm -f $T/trace
    same_as $T/ref.lpt $L iotrap run --backend direct --allow 0x378-0x37a --trace $T/trace -- \
        vm-prog lptuart lpt || return 1
    [ ! -s $T/trace ] || { echo "trapped:"; head -n 3 $T/trace; return 1; }
    vm-prog --ioperm poke 0x3ff 0x21 >/dev/null
    $L iotrap run --backend direct --allow 0x378-0x37a -- vm-prog poke 0x3ff 0x55 >$T/out 2>&1
    rc=$?
    [ $rc = 139 ] || { echo "poke 0x3ff exited $rc, expected 139"; cat $T/out; return 1; }
    vm-prog --ioperm dump | grep -q '^r8 3ff = 21$' || { echo "0x3ff changed"; return 1; }
}
check "iotrap run --backend direct as uid 1000 after a launcher: native, the rest revoked" \
    t_run_direct_launcher
t_run_refused() {
    # A backend that cannot open stops the run before the program starts.
    vm-prog --ioperm poke 0x3ff 0x5c >/dev/null
    $AS_USER iotrap run --backend devport --allow 0x3ff -- vm-prog poke 0x3ff 0x66 >$T/out 2>&1
    rc=$?
    cat $T/out
    [ $rc != 0 ] && grep -q "open /dev/port: Permission denied" $T/out &&
        ! grep -q poked $T/out || return 1
    $AS_USER iotrap run --backend ppdev:/dev/parport9@0x378 -- vm-prog poke 0x378 0x66 >$T/out 2>&1
    rc=$?
    cat $T/out
    [ $rc != 0 ] && grep -q "open /dev/parport9: No such file or directory" $T/out &&
        ! grep -q poked $T/out || return 1
    vm-prog --ioperm dump | grep -q '^r8 3ff = 5c$'
}
check "iotrap run with a backend that cannot open: errno text, program not started" \
    t_run_refused
check "iotrap run --backend devport matches native" t_run devport 0x378-0x37f,0x3f8-0x3ff all
t_run_devport_file() {
    # A program's own /dev/port under iotrap: the same session, so the real device
    # through the backend and --allow enforced (tests/progs/dev_port.c, case vm).
    reset
    iotrap run --backend devport --allow 0x378-0x37a -- dev_port vm
}
check "/dev/port of a program under --backend devport: the real device, within --allow" \
    t_run_devport_file
check "iotrap run --backend ppdev as uid 1000 matches native" \
    t_run ppdev:/dev/parport0@0x378 0x378-0x37a lpt $AS_USER
t_run_helper() {
    start_iotrapd direct "$ROOT_ALL" "$USER_LPT" || return 1
    t_run helper all all
}
check "iotrap run --backend helper (iotrapd direct) matches native" t_run_helper
check "uid 1000 prints through iotrapd with the Centronics handshake" t_run_helper_print
check "uid 1000 outside its rule: SIGSEGV, logged, nothing reaches the device" t_run_helper_denied

# ---- --backend auto and iotrap doctor ----------------------------------------------------
t_auto_user_lpt() {
    # uid 1000 may use only ppdev (direct and devport need CAP_SYS_RAWIO): auto finds it,
    # and the kernel's interrupt-enable bit in the control register shows ppdev held it.
    reset
    same_as $T/ref.lpt $AS_USER iotrap run --backend auto --allow 0x378-0x37a -- \
        vm-prog lptuart lpt || return 1
    vm-prog --ioperm dump | grep -q '^r8 37a = dc$' || { echo "ppdev did not claim the port"; return 1; }
    same_dump $T/ref.lpt.dump --ppdev-claimed
}
t_auto_root_uart() {
    # Root, UART ports: ppdev does not cover them, so auto takes direct (no trap at all).
    reset
    rm -f $T/trace
    same_as $T/ref.all iotrap run --backend auto --allow 0x378-0x37f,0x3f8-0x3ff \
        --trace $T/trace -- vm-prog lptuart all || return 1
    [ ! -s $T/trace ] || { echo "trapped: auto did not choose direct"; head -n 3 $T/trace; return 1; }
}
t_doctor() {
    start_iotrapd direct "$ROOT_ALL" || return 1
    iotrap doctor >$T/doctor 2>&1
    cat $T/doctor
    for b in ppdev direct devport helper sim; do
        grep -qE "^backend $b +yes" $T/doctor || { echo "backend $b not found usable"; return 1; }
    done
    $AS_USER iotrap doctor >$T/doctor.user 2>&1
    cat $T/doctor.user
    grep -qE '^backend direct +no .*Operation not permitted' $T/doctor.user &&
        grep -qE '^backend devport +no .*Permission denied' $T/doctor.user &&
        grep -qE '^backend ppdev +yes' $T/doctor.user
}
check "--backend auto as uid 1000 on the LPT picks ppdev, matches native" t_auto_user_lpt
check "--backend auto as root on LPT+UART picks direct: native, no trap" t_auto_root_uart
check "iotrap doctor shows what each real backend found, as root and uid 1000" t_doctor

# ---- fidelity: generated encodings, native vs trapped-and-emulated ----------------------
# The native transcript of a set (see vm-fidelity.c) and the device state it leaves,
# made once.
fid_ref() {
    [ -s $T/ref.fid.$1 ] && return 0
    reset
    vm-fidelity --ioperm $1 >$T/ref.fid.$1.new 2>$T/err || { cat $T/err; return 1; }
    vm-prog --ioperm dump >$T/ref.fid.$1.dump && mv $T/ref.fid.$1.new $T/ref.fid.$1
}
# $1 backend, $2 allowed ports, $3 set (all, bytes or lpt).
t_fidelity() {
    be=$1 allow=$2 set=$3
    fid_ref $set || return 1
    reset
    same_as $T/ref.fid.$set iotrap run --backend "$be" --allow "$allow" -- vm-fidelity $set ||
        return 1
    stop_iotrapd
    case "$be $CLAIMED" in *ppdev*) same_dump $T/ref.fid.$set.dump --ppdev-claimed ;;
    *) same_dump $T/ref.fid.$set.dump ;; esac
    echo "$(wc -l <$T/ref.fid.$set) cases identical"
}
t_fidelity_helper() {
    start_iotrapd direct "$ROOT_ALL" || return 1
    t_fidelity helper all all
}
# (devport: no 4-byte LPT accesses, see vm-fidelity.c: QEMU does not split those.)
check "fidelity: generated IN/OUT/INS/OUTS through devport equal native" \
    t_fidelity devport 0x378-0x37f,0x3f8-0x3ff bytes
check "fidelity: generated IN/OUT/INS/OUTS through ppdev (LPT) equal native" \
    t_fidelity ppdev:/dev/parport0@0x378 0x378-0x37a lpt
check "fidelity: generated IN/OUT/INS/OUTS through helper equal native" t_fidelity_helper

# ---- moved devices: the second LPT and the pci-serial UART -------------------------------
# Every run at the moved devices starts with them reset and the legacy ones marked
# (vm-prog mark): the transcripts must equal the native ones at the legacy devices, the
# moved devices must end as the legacy ones did there, and the legacy devices must still
# hold the mark, so that a run that went to the legacy devices after all cannot pass.
moved_setup() {
    [ -n "$UART2" ] || { echo "no pci-serial UART was found (see the guest's info lines)"; return 1; }
    vm-prog --ioperm $AT_NEW reset && vm-prog --ioperm mark
}
# $1 the reference dump, $2 --ppdev-claimed when ppdev held the moved LPT.
moved_check() {
    same_dump "$1" "${2:-}" $AT_NEW || return 1
    same_dump $T/ref.mark.dump || { echo "(a legacy device lost its mark)"; return 1; }
}
t_moved_devices() {
    moved_setup || return 1
    grep -q '^57424[[:space:]]' /proc/sys/dev/parport/parport1/base-addr && [ -c /dev/parport1 ] ||
        { echo "no /dev/parport1 at 0xe050:"; cat /proc/sys/dev/parport/parport1/base-addr; return 1; }
    # Four separate devices: each keeps its own state, whichever pair was written last.
    same_dump $T/ref.reset.dump "" $AT_NEW && same_dump $T/ref.mark.dump || return 1
    vm-prog --ioperm $AT_NEW mark && reset || return 1
    same_dump $T/ref.mark.dump "" $AT_NEW && same_dump $T/ref.reset.dump
}
t_moved_native() {
    moved_setup || return 1
    same_as $T/ref.all vm-prog --ioperm $AT_NEW lptuart all && moved_check $T/ref.all.dump
}
t_moved_native_fidelity() {
    fid_ref all && moved_setup || return 1
    same_as $T/ref.fid.all vm-fidelity --ioperm $AT_NEW all && moved_check $T/ref.fid.all.dump
}
check "second LPT at 0xe050 (/dev/parport1) and pci-serial UART: four separate devices" \
    t_moved_devices
check "native IN/OUT at 0xe050 and the pci-serial UART: the legacy transcript and state" \
    t_moved_native
check "native fidelity cases at 0xe050 and the pci-serial UART equal those at the legacy ones" \
    t_moved_native_fidelity

# ---- the port map: an unchanged program at the moved devices ---------------------------
# The program knows only 0x378 and 0x3f8; --remap and --route take its accesses to the
# moved devices.
LEGACY=0x378-0x37f,0x3f8-0x3ff
REMAP="--remap 0x378-0x37f=$LPT2 --remap 0x3f8-0x3ff=$UART2"
ROUTE_LPT2="--route 0x378-0x37f=ppdev:/dev/parport1"
USER_MOVED="allow uid=1000 ports=$LPT2-0xe057,$UART2-$UART2_END access=rw"

# Fails unless every line of the JSONL trace $1 has a legacy "port" and, as "target", the
# same register of the moved device (REMAP); prints how many there were.
traced_targets() {
    awk -v lpt2=$((LPT2)) -v uart2=$((UART2)) '{
            p = t = -1
            if (match($0, /"port":[0-9]+/)) p = substr($0, RSTART + 7, RLENGTH - 7) + 0
            if (match($0, /"target":[0-9]+/)) t = substr($0, RSTART + 9, RLENGTH - 9) + 0
            want = p >= 888 && p <= 895 ? p - 888 + lpt2 : p >= 1016 && p <= 1023 ? p - 1016 + uart2 : -2
            if (t != want) { print "wrong target: " $0; bad = 1 } }
        END { print NR " remapped accesses traced"; exit bad || NR == 0 }' "$1"
}

# moved_seq SEQ FLAG COMMAND...: the sequence SEQ (vm-prog lptuart) run as COMMAND...
# vm-prog; FLAG is --ppdev-claimed when ppdev holds the LPT.
moved_seq() {
    seq=$1 flag=$2
    shift 2
    moved_setup || return 1
    same_as $T/ref.$seq "$@" vm-prog lptuart $seq && moved_check $T/ref.$seq.dump $flag
}
# t_moved SEQ SET FLAG COMMAND...: that, then the fidelity set SET the same way.
t_moved() {
    seq=$1 set=$2 flag=$3
    shift 3
    fid_ref $set && moved_seq $seq "$flag" "$@" && moved_setup || return 1
    same_as $T/ref.fid.$set "$@" vm-fidelity $set && moved_check $T/ref.fid.$set.dump $flag ||
        return 1
    echo "$(wc -l <$T/ref.fid.$set) cases identical"
}
t_remap_helper() {
    # iotrapd allows uid 1000 the moved devices only: its policy sees the targets.
    start_iotrapd direct "$USER_MOVED" || return 1
    t_moved all all "" $AS_USER iotrap run --backend helper --allow $LEGACY $REMAP --
}
t_remap_iotrapd() {
    # The same remap done by iotrapd itself, for a client that knows nothing of it; its
    # trace names the client's ports and their targets.  (The sequence only: the
    # fidelity cases through helper take the check above.)
    IOTRAPD_OPTS="$REMAP --trace $T/dtrace --trace-format jsonl"
    rm -f $T/dtrace
    start_iotrapd direct "$USER_MOVED" || return 1
    moved_seq all "" $AS_USER iotrap run --backend helper -- && traced_targets $T/dtrace
}
# (devport: the bytes set, as for the legacy devices.)
check "--remap on devport: the program's LPT and UART reach the moved devices, as native" \
    t_moved all bytes "" iotrap run --backend devport --allow $LEGACY $REMAP --
check "--remap on direct: the program's LPT and UART reach the moved devices, as native" \
    t_moved all all "" iotrap run --backend direct --allow $LEGACY $REMAP --
check "--remap on helper as uid 1000, iotrapd allowing only the targets: as native" \
    t_remap_helper
check "iotrapd --remap: a helper client's LPT and UART reach the moved devices, traced" \
    t_remap_iotrapd
check "--route 0x378-0x37f=ppdev:/dev/parport1 as uid 1000: the card at 0xe050, as native" \
    t_moved lpt lpt --ppdev-claimed $AS_USER iotrap run $ROUTE_LPT2 --
t_ppdev_own_base() {
    # A program that knows the card's own address: ppdev finds parport1's base by itself
    # and allows base..base+7 by default, wherever that is.
    moved_setup || return 1
    same_as $T/ref.lpt $AS_USER iotrap run --backend ppdev:/dev/parport1 -- \
        vm-prog --lpt $LPT2 lptuart lpt && moved_check $T/ref.lpt.dump --ppdev-claimed
}
check "--backend ppdev:/dev/parport1 as uid 1000: the card's own 0xe050, allowed by default" \
    t_ppdev_own_base
check "composite: LPT by a ppdev route, UART by a devport route remapped to pci-serial" \
    t_moved all lptuart --ppdev-claimed iotrap run $ROUTE_LPT2 --route 0x3f8-0x3ff=devport \
    --remap 0x3f8-0x3ff=$UART2 --

# The JSONL trace of a run without its time, pc, pid and tid (they change from run to run)
# and without "target" (checked on its own).
trace_core() {
    sed -e 's/^{"t":[0-9]*,/{/' -e 's/,"target":[0-9]*//' -e 's/,"pc":"[^"]*"//' \
        -e 's/,"pid":[0-9]*//' -e 's/,"tid":[0-9]*//' "$1"
}
t_remap_direct_trace() {
    # The reference: the same run through devport at the legacy devices, whose LPT
    # accesses the remapped run must repeat port for port and value for value.
    reset
    rm -f $T/trace
    iotrap run --backend devport --allow $LEGACY --trace $T/trace --trace-format jsonl -- \
        vm-prog lptuart all >/dev/null || return 1
    grep -q '"target"' $T/trace && { echo "target in an unremapped trace:"; head -n 3 $T/trace; return 1; }
    trace_core $T/trace | grep -E '"port":(88[89]|89[0-5]),' >$T/trace.ref
    # The LPT is remapped, the UART is not: the moved LPT and the legacy UART reset, the
    # other two marked.
    [ -n "$UART2" ] && vm-prog --ioperm --lpt $LPT2 reset && vm-prog --ioperm --uart $UART2 mark ||
        return 1
    rm -f $T/trace
    same_as $T/ref.all iotrap run --backend direct --allow $LEGACY --remap 0x378-0x37f=$LPT2 \
        --trace $T/trace --trace-format jsonl -- vm-prog lptuart all || return 1
    same_dump $T/ref.all.dump "" --lpt $LPT2 && same_dump $T/ref.mark.dump "" --uart $UART2 ||
        return 1
    # Only the remapped accesses trapped (the UART ran natively: the reference holds the
    # LPT's accesses only), each traced with the program's port and its target.
    trace_core $T/trace >$T/trace.got
    cmp -s $T/trace.ref $T/trace.got ||
        { echo "trace differs from the unremapped one:"; diff $T/trace.ref $T/trace.got | head; return 1; }
    traced_targets $T/trace
}
check "--remap on direct: remapped ports trap and are traced with their target, the rest native" \
    t_remap_direct_trace

# $1 backend, $2 fidelity set.  Only the UART's scratch register is remapped, so each
# 2-byte access at 0x3fe takes its low byte (MSR) from the legacy UART and its high byte
# (scratch) from the pci-serial one: the run equals the native one only if the access is
# split between the two devices.
t_remap_edge() {
    fid_ref $2 || return 1
    # The legacy LPT and the pci-serial UART start as for the reference, the other two
    # are marked: the legacy UART's scratch register must keep its mark.
    [ -n "$UART2" ] && vm-prog --ioperm --uart $UART2 reset && vm-prog --ioperm --lpt $LPT2 mark ||
        return 1
    same_as $T/ref.fid.$2 iotrap run --backend $1 --allow $LEGACY \
        --remap 0x3ff=$(printf 0x%x $((UART2 + 7))) -- vm-fidelity $2 || return 1
    same_dump $T/ref.fid.$2.dump "" --uart $UART2 && same_dump $T/ref.mark.dump "" --lpt $LPT2
}
check "a 2-byte access across a remap's edge is split between two devices (devport)" \
    t_remap_edge devport bytes
check "a 2-byte access across a remap's edge is split between two devices (direct)" \
    t_remap_edge direct all
t_remap_direct_launcher() {
    # Without CAP_SYS_RAWIO, direct needs the targets granted by the launcher too.
    moved_seq all "" vm-runas --ioperm $LEGACY,$LPT2-0xe057,$UART2-$UART2_END 1000 1000 \
        iotrap run --backend direct --allow $LEGACY $REMAP --
}
check "--remap on direct as uid 1000 after a launcher granted program ports and targets" \
    t_remap_direct_launcher

t_route_print() {
    moved_setup || return 1
    $AS_USER iotrap run $ROUTE_LPT2 -- vm-prog print "$PRINT2_TEXT" || return 1
    same_dump $T/ref.mark.dump
}
check "uid 1000 prints at 0x378 through a ppdev route onto the card at 0xe050" t_route_print

# $1 the expected value of the pci-serial UART's scratch register.
uart2_scratch_is() {
    vm-prog --ioperm $AT_NEW dump | grep -q "^r8 3ff = $1\$" ||
        { echo "pci-serial scratch is not $1:"; vm-prog --ioperm $AT_NEW dump | tail -n 1; return 1; }
}
t_remap_denied() {
    moved_setup || return 1
    # With 0x3ff allowed, the remapped write lands on the pci-serial UART's scratch...
    iotrap run --backend devport --allow 0x3ff $REMAP -- vm-prog poke 0x3ff 0x66 >$T/out 2>&1 ||
        { cat $T/out; return 1; }
    uart2_scratch_is 66 || return 1
    # ...with only the targets allowed, the program's 0x3ff is denied and nothing lands.
    iotrap run --backend devport --allow $LPT2-0xe057,$UART2-$UART2_END $REMAP -- \
        vm-prog poke 0x3ff 0x99 >$T/out 2>&1
    rc=$?
    [ $rc = 139 ] || { echo "poke 0x3ff exited $rc, expected 139"; cat $T/out; return 1; }
    # The message names the program's port.
    grep -qE 'denied:? out(b|8) +0x0*3ff ' $T/out ||
        { echo "no denial message:"; cat $T/out; return 1; }
    uart2_scratch_is 66 && same_dump $T/ref.mark.dump
}
t_remap_denied_iotrapd() {
    # iotrapd allows uid 1000 the legacy UART, not the pci-serial one the remap reaches.
    start_iotrapd direct "allow uid=1000 ports=0x3f8-0x3ff access=rw" || return 1
    moved_setup || return 1
    target=$(printf 0x%04x $((UART2 + 7)))
    denial="denied uid=1000 pid=[0-9]* port=$target width=1 dir=write"
    n0=$(grep -c "$denial" $LOG)
    $AS_USER iotrap run --backend helper --remap 0x3f8-0x3ff=$UART2 -- vm-prog poke 0x3ff 0x99 \
        >$T/out 2>&1
    rc=$?
    [ $rc = 139 ] || { echo "exited $rc, expected 139 (SIGSEGV)"; cat $T/out; return 1; }
    uart2_scratch_is 00 && same_dump $T/ref.mark.dump || return 1
    sleep 1
    [ "$(grep -c "$denial" $LOG)" -gt "$n0" ] ||
        { echo "no denial at $target logged:"; tail -n 5 $LOG; return 1; }
}
t_remap_direct_closed() {
    # direct opens a target for the one access it performs there: right after a remapped
    # write to 0xe050, the program's own OUT to 0xe050 traps and is denied.
    moved_setup || return 1
    iotrap run --backend direct --allow 0x378-0x37f --remap 0x378-0x37f=$LPT2 -- \
        vm-prog poke 0x378 0x11 $LPT2 0x22 >$T/out 2>&1
    rc=$?
    [ $rc = 139 ] && grep -q '^poked 378 = 11$' $T/out && ! grep -q "^poked e050" $T/out ||
        { echo "exited $rc, expected 139 after the first poke:"; cat $T/out; return 1; }
    vm-prog --ioperm $AT_NEW dump | grep -q '^r8 378 = 11$' ||
        { echo "0xe050 does not hold the remapped write:"; vm-prog --ioperm $AT_NEW dump; return 1; }
    same_dump $T/ref.mark.dump
}
check "a program port outside --allow stays denied when its remap target is allowed" \
    t_remap_denied
check "--remap on direct never leaves the target open to the program's own IN/OUT" \
    t_remap_direct_closed
check "iotrapd checks its policy on the target: a remap onto a port it denies is denied" \
    t_remap_denied_iotrapd

# ---- benchmark ----------------------------------------------------------------------------
# The first figure's check measures them all: about 15 s on a quiet machine, several times
# that when the host's cores are busy.
CHECK_TIMEOUT=300
# Figures go to $T/bench (ns per instruction) and to the console as "VMTAP: bench" lines.
ns() { sed -n 's/^ns\/op //p'; }
# pin_iotrapd: with more than one CPU, the running iotrapd on CPU 1 (see bench_measure).
pin_iotrapd() {
    [ "$(nproc)" -gt 1 ] || return 0
    taskset -p -c 1 $DPID >/dev/null
}
bench_measure() {
    [ -s $T/bench ] && return 0
    {
        # Native and direct alternate, five runs each; the best of each counts.
        nat= dir=
        for i in 1 2 3 4 5; do
            nat="$nat $(vm-bench --ioperm outb 200000 | ns)"
            dir="$dir $(iotrap run --backend direct --allow 0x3ff -- vm-bench outb 200000 | ns)"
        done
        echo "native $(echo $nat | tr ' ' '\n' | sort -n | head -n 1)"
        echo "direct $(echo $dir | tr ' ' '\n' | sort -n | head -n 1)"
        # With two vCPUs or more, the program runs on CPU 0 and iotrapd (pinned before any
        # client connects, so its channel threads too) on CPU 1: the helper's fast channel
        # then goes without a process switch (docs/performance.md).
        cpus=$(nproc)
        echo "cpus $cpus"
        pin=
        [ "$cpus" -gt 1 ] && pin="taskset -c 0"
        echo "devport $($pin iotrap run --backend devport --allow 0x3ff -- vm-bench outb 2000 | ns)"
        start_iotrapd devport "$ROOT_ALL" >&2 && pin_iotrapd &&
            echo "helper-devport $($pin iotrap run --backend helper -- vm-bench outb 2000 | ns)"
        # One string against one OUT, interleaved in one process (vm-bench string).
        start_iotrapd sim "$ROOT_ALL" >&2 && pin_iotrapd &&
            $pin iotrap run --backend helper -- vm-bench string 200 20 4096 >$T/string &&
            echo "helper-sim $(sed -n 's/^ns\/op outb //p' $T/string)" &&
            echo "helper-sim-outsb4096 $(sed -n 's/^ns\/op outsb //p' $T/string)" &&
            echo "helper-sim-string-ratio $(sed -n 's/^ratio //p' $T/string)"
        start_iotrapd direct "$ROOT_ALL" >&2 && pin_iotrapd &&
            echo "helper-direct-outsb4096 $($pin iotrap run --backend helper -- vm-bench outsb 20 4096 | ns)"
        stop_iotrapd
    } >$T/bench.new
    mv $T/bench.new $T/bench
}
# ratio A B TARGET: the figure A/B against its target, printed for docs/performance.md.
# Speed targets are measured and reported, never asserted: a machine's timing is no test
# verdict.  The check fails only when a figure could not be measured.
ratio() {
    bench_measure || return 1
    a=$(sed -n "s/^$1 //p" $T/bench) b=$(sed -n "s/^$2 //p" $T/bench)
    [ -n "$a" ] && [ -n "$b" ] || { echo "missing figures:"; cat $T/bench; return 1; }
    awk -v a="$a" -v b="$b" -v l="$3" -v n="$1/$2" 'BEGIN {
        r = a / b; printf "ratio %s = %.1f ns / %.1f ns = %.3f (target <= %s: %s)\n",
        n, a, b, r, l, r <= l ? "met" : "NOT met" }' | tee -a $T/ratios
}
check "benchmark figures: direct backend / native (target <= 1.05)" ratio direct native 1.05
check "benchmark figures: helper round trip / in-process trapped devport (target <= 2.5)" \
    ratio helper-devport devport 2.5
t_string_ratio() {
    bench_measure || return 1
    r=$(sed -n 's/^helper-sim-string-ratio //p' $T/bench)
    [ -n "$r" ] || { echo "missing figures:"; cat $T/bench; return 1; }
    awk -v r="$r" 'BEGIN { printf "ratio helper 4096-byte REP OUTSB / one OUTB = %.3f (median of per-round ratios; target <= 3: %s)\n",
        r, r <= 3 ? "met" : "NOT met" }' | tee -a $T/ratios
}
check "benchmark figures: 4096-byte REP OUTSB via helper / one trapped OUTB via helper (target <= 3)" \
    t_string_ratio
[ $list = 1 ] || cat $T/bench $T/ratios 2>/dev/null | sed 's/^/VMTAP: bench /'
