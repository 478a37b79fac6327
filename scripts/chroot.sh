# Debian chroots for running iotrap's tests on other Debian releases; sourced by
# scripts/wine32-chroot and by the Wine matrix suites (tests/wine/chroot-cell.sh).
#
#   iotrap_chroot_dir SUITE           where the chroot of SUITE is kept
#   iotrap_chroot_ensure SUITE        creates it with debootstrap unless it exists
#   iotrap_chroot_mount DIR           /proc, /sys, /dev, /dev/pts inside it
#   iotrap_chroot_umount DIR          undoes that (also what iotrap_chroot_mount left)
#   iotrap_chroot_sync TOP DIR        copies the source tree TOP to DIR/root/iotrap
#   iotrap_chroot_run DIR CMD...      runs CMD inside, with a clean environment
#
# Chroots live outside any clone, in $IOTRAP_CHROOT_CACHE (default /var/cache/iotrap),
# one directory per suite, so that every clone and every run reuses them.  They take
# packages from the host's own Debian mirror ($IOTRAP_CHROOT_MIRROR overrides it).  All
# of this needs root: debootstrap, chroot and mounts.

: "${IOTRAP_CHROOT_CACHE:=/var/cache/iotrap}"

iotrap_chroot_dir() {
    echo "$IOTRAP_CHROOT_CACHE/${1:?suite}"
}

# The first Debian archive (not the security one) in the host's apt sources.
iotrap_chroot_mirror() {
    if [ -n "${IOTRAP_CHROOT_MIRROR:-}" ]; then
        echo "$IOTRAP_CHROOT_MIRROR"
        return
    fi
    local m
    m=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources \
            2>/dev/null |
        awk '/^deb / && $2 !~ /security/ && $0 ~ /debian/ { print $2; exit }
             /^URIs:/ && $2 !~ /security/ && $2 ~ /debian/ { print $2; exit }')
    echo "${m:-http://deb.debian.org/debian}"
}

# Creates the chroot of SUITE (minbase, main and SUITE-updates) unless it is there.  Two
# runs at once serialise on a lock; a half-made chroot is made again.
iotrap_chroot_ensure() {
    local suite=${1:?suite} dir mirror
    dir=$(iotrap_chroot_dir "$suite")
    mirror=$(iotrap_chroot_mirror)
    [ -e "$dir/.iotrap-ready" ] && return 0
    if ! command -v debootstrap >/dev/null 2>&1; then
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q -o DPkg::Lock::Timeout=900 debootstrap ||
            return 1
    fi
    mkdir -p "$IOTRAP_CHROOT_CACHE"
    (
        flock 9
        [ -e "$dir/.iotrap-ready" ] && exit 0
        echo "chroot: creating $dir ($suite from $mirror)"
        iotrap_chroot_umount "$dir"
        rm -rf "$dir"
        debootstrap --arch=amd64 --variant=minbase "$suite" "$dir" "$mirror" >"$dir.log" 2>&1 || {
            tail -n 20 "$dir.log"
            echo "chroot: debootstrap $suite failed (log: $dir.log)"
            exit 1
        }
        printf 'deb %s %s main\ndeb %s %s-updates main\n' "$mirror" "$suite" "$mirror" "$suite" \
            >"$dir/etc/apt/sources.list"
        # The chroot is for tests only: no documentation, no recommended packages.
        printf 'APT::Install-Recommends "false";\n' >"$dir/etc/apt/apt.conf.d/90iotrap"
        printf 'path-exclude /usr/share/doc/*\npath-exclude /usr/share/man/*\n' \
            >"$dir/etc/dpkg/dpkg.cfg.d/90iotrap"
        touch "$dir/.iotrap-ready"
    ) 9>"$dir.lock"
}

iotrap_chroot_mount() {
    local dir=${1:?dir}
    cp /etc/resolv.conf "$dir/etc/resolv.conf" 2>/dev/null
    mountpoint -q "$dir/proc" || mount -t proc proc "$dir/proc" || return 1
    mountpoint -q "$dir/sys" || mount -t sysfs sys "$dir/sys" || return 1
    if ! mountpoint -q "$dir/dev"; then
        mount --rbind /dev "$dir/dev" && mount --make-rslave "$dir/dev" || return 1
    fi
    mountpoint -q "$dir/dev/pts" || mount --bind /dev/pts "$dir/dev/pts" || return 1
}

# Unmounts everything below DIR, deepest first, whoever mounted it.
iotrap_chroot_umount() {
    local dir=${1:?dir} m
    [ -d "$dir" ] || return 0
    dir=$(cd "$dir" && pwd -P)
    for m in $(awk -v d="$dir/" 'index($2, d) == 1 { print $2 }' /proc/mounts | sort -r); do
        umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true
    done
}

# The source tree without what .gitignore names (build trees, generated files).  Files
# are compared by content and a changed one gets the time of the copy, so that make
# rebuilds exactly what changed, also when the tree copied is older than the last one (a
# fresh clone after a working tree).  Files gone from the tree go from the copy; files
# the build generated in the copy stay.
iotrap_chroot_sync() {
    local top=${1:?top} dir=${2:?dir}
    mkdir -p "$dir/root/iotrap"
    rsync -rlpD --checksum --delete --exclude=/.git --filter=':- .gitignore' \
        "$top/" "$dir/root/iotrap/"
}

iotrap_chroot_run() {
    local dir=${1:?dir}
    shift
    chroot "$dir" /usr/bin/env -i HOME=/root LANG=C.UTF-8 TERM=dumb \
        PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "$@"
}
