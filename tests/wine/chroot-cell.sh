#!/bin/bash
# One cell of the Wine test matrix: the Wine suite (tests/wine.test, every case, 32- and
# 64-bit) run against the Wine of Debian release SUITE, in a chroot that
# scripts/chroot.sh makes with debootstrap and keeps in $IOTRAP_CHROOT_CACHE.
#
#   chroot-cell.sh SUITE classic|wow64
#
# classic runs the release's Wine as Debian ships it (wine32:i386 beside wine64); wow64
# turns the same Wine into a new-WoW64 build for the run, as Arch and Fedora ship it:
# the 32-bit PE directory is made visible to the 64-bit loader and the 32-bit loader is
# hidden, so 32-bit programs run inside the 64-bit Unix process.  The tree is copied into
# the chroot and built there once per state of the sources (both cells share the build).
# Prints TAP; the only skips are packages the archive cannot deliver, with apt's error.
set -u
suite=${1:?suite} mode=${2:?classic or wow64}
. "$top_srcdir/scripts/chroot.sh"
log=$top_builddir/tests/wine-$suite-$mode.chroot.log
: >"$log"

plan_one() { # ok|not ok, message
    echo "1..1"
    echo "$1 1 - wine $suite $mode: $2"
    exit 0
}
# A failure whose cause is the archive (a download that failed) is a skip with apt's
# error; anything else fails.
archive_or_fail() {
    local why
    why=$(grep -m1 -E '^(E: Failed to fetch|E: Unable to fetch|E: Version .* was not found|E: Package .* has no installation candidate|E: Unable to locate package)' "$log")
    tail -n 30 "$log" | sed 's/^/# /'
    [[ -n $why ]] && plan_one ok "# SKIP the archive cannot deliver: $why"
    plan_one "not ok" "$* (log: $log)"
}

[[ $(id -u) == 0 ]] || plan_one "not ok" "needs root for debootstrap, chroot and mounts"
case $mode in classic|wow64) ;; *) plan_one "not ok" "unknown mode '$mode'" ;; esac
dir=$(iotrap_chroot_dir "$suite")
iotrap_chroot_ensure "$suite" >>"$log" 2>&1 || archive_or_fail "creating the $suite chroot failed"

# Two runs (two clones) share the chroot: one at a time.
exec 8>"$dir.run.lock"
flock 8
x64=$dir/usr/lib/x86_64-linux-gnu/wine
loader32=$dir/usr/lib/wine/wine
undo() {
    if mountpoint -q "$x64/i386-windows" 2>/dev/null; then
        umount "$x64/i386-windows" || umount -l "$x64/i386-windows"
        rmdir "$x64/i386-windows" 2>/dev/null
    fi
    [[ -e $loader32.iotrap-hidden ]] && mv "$loader32.iotrap-hidden" "$loader32"
    iotrap_chroot_umount "$dir"
}
trap undo EXIT
undo   # what an interrupted run may have left
iotrap_chroot_sync "$top_srcdir" "$dir" >>"$log" 2>&1 || plan_one "not ok" "copying the tree failed"
iotrap_chroot_mount "$dir" >>"$log" 2>&1 || plan_one "not ok" "mounting /proc, /sys, /dev failed"
iotrap_chroot_run "$dir" bash /root/iotrap/tests/wine/chroot-build.sh >>"$log" 2>&1 ||
    archive_or_fail "installing the packages or building iotrap in the $suite chroot failed"

if [[ $mode == wow64 ]]; then
    [[ -d $dir/usr/lib/i386-linux-gnu/wine/i386-windows && -e $loader32 ]] ||
        plan_one "not ok" "the $suite chroot has no 32-bit Wine to turn into a new-WoW64 one"
    mkdir -p "$x64/i386-windows"
    mount --bind "$dir/usr/lib/i386-linux-gnu/wine/i386-windows" "$x64/i386-windows" &&
        mv "$loader32" "$loader32.iotrap-hidden" || plan_one "not ok" "setting up new WoW64 failed"
fi
iotrap_chroot_run "$dir" env top_srcdir=/root/iotrap top_builddir=/root/build \
    IOTRAP_PRELOAD_DIR=/root/build/stage/preload IOTRAP_WINE_MATRIX="$suite $mode" \
    bash /root/iotrap/tests/wine.test
