# Installs the Debian packages iotrap needs; sourced by ./quickstart and ./run-tests.
#
#   iotrap_deps_install GROUP...     groups: build test m32 wine wine32 vm chroot
#
# Packages that are present are not touched.  A package without an architecture is
# wanted for the native one (an installed foreign build of it does not count); "A|B"
# names the same need on different releases: the first one installed, or else the first
# one the archive has (Debian 12 has OpenJDK 17, Debian 13 OpenJDK 21).  apt-get runs directly as root, through
# sudo otherwise, and when neither is possible the exact command is printed and the
# function fails.  Optional groups (m32, wine32) and the test group's optional packages
# may be undeliverable while a Debian mirror is mid-sync; their apt error is kept in
# $IOTRAP_DEPS_UNAVAILABLE (one "package: error" line each) so that the suites needing
# them report SKIP with the reason instead of failing.

iotrap_deps_build=(build-essential autoconf automake libtool pkg-config libcapstone-dev libunwind-dev)
# The Debian programs the integration suite runs on the simulated board (bookworm's package
# names: hwclock is in util-linux-extra; nvramtool, superiotool and ectool in
# coreboot-utils; sensors-detect in lm-sensors), and the VCD readers its traces are checked
# with (sigrok-cli; gtkwave's vcd2fst); Unicorn for the library suite's emulator example;
# strace, which counts the system calls of a string instruction.
iotrap_deps_test=(libcmocka-dev clang libclang-rt-dev ioport python3
    'openjdk-21-jdk-headless|openjdk-17-jdk-headless' openssh-server openssh-client
    util-linux-extra pciutils coreboot-utils cmospwd lm-sensors sigrok-cli gtkwave
    libunicorn-dev strace)
# Zydis, the independent decoder the unit suite compares the decoder with: optional in
# that a mirror mid-sync may not deliver it, when the comparison is skipped with apt's error.
iotrap_deps_test_optional=(libzydis-dev)
iotrap_deps_m32=(gcc-multilib libc6-dev-i386 libcapstone-dev:i386)
iotrap_deps_m32_optional=(libunwind-dev:i386)
# winegcc of Wine 9 and later runs the mingw C++ compilers even for C.
iotrap_deps_wine=(wine wine64 libwine-dev wine64-tools gcc-mingw-w64 g++-mingw-w64-x86-64
    g++-mingw-w64-i686)
iotrap_deps_wine32=(wine32:i386)
iotrap_deps_vm=(qemu-system-x86 linux-image-amd64 busybox-static cpio)
# The Wine test matrix's Debian chroots (scripts/chroot.sh).
iotrap_deps_chroot=(debootstrap rsync)

: "${IOTRAP_DEPS_UNAVAILABLE:=${TMPDIR:-/tmp}/iotrap-deps-unavailable.$(id -u)}"

iotrap__apt() {
    if [ "$(id -u)" = 0 ]; then
        DEBIAN_FRONTEND=noninteractive apt-get "$@"
    elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
        sudo DEBIAN_FRONTEND=noninteractive apt-get "$@"
    else
        echo "iotrap: not root and no password-less sudo; please run:" >&2
        echo "  sudo apt-get install -y $*" >&2
        return 100
    fi
}

# 0 if package NAME[:ARCH] is installed for ARCH (default: the native architecture, or
# "all").  dpkg-query alone would accept any architecture's build of an unqualified name.
iotrap__installed() {
    local name=${1%%:*} arch=${1#*:}
    [ "$arch" = "$1" ] && arch=$(dpkg --print-architecture)
    dpkg-query -W -f='${Architecture} ${Status}\n' "$name" 2>/dev/null |
        grep -qE "^($arch|all) install ok installed\$"
}

# The package that stands for "A|B|...": the first installed, else the first the archive
# has a candidate for, else A (whose install then fails with apt's own message).
iotrap__resolve() {
    local alt
    case $1 in *'|'*) ;; *) echo "$1"; return ;; esac
    for alt in ${1//|/ }; do
        iotrap__installed "$alt" && { echo "$alt"; return; }
    done
    iotrap__update >/dev/null
    for alt in ${1//|/ }; do
        if apt-cache policy "$alt" 2>/dev/null | grep -q 'Candidate: [^(]'; then
            echo "$alt"
            return
        fi
    done
    echo "${1%%|*}"
}

# Prints the packages of "$@" that are not installed.
iotrap__missing() {
    local p
    for p in "$@"; do
        p=$(iotrap__resolve "$p")
        iotrap__installed "$p" || echo "$p"
    done
}

iotrap__updated=no
iotrap__update_error=
iotrap__update() {
    [ "$iotrap__updated" = yes ] && return 0
    local out
    out=$(iotrap__apt update -q 2>&1) || out=$(iotrap__apt update -q 2>&1)
    echo "$out"
    # A mirror mid-sync shows here first; an optional package that then fails to
    # install is recorded with this reason too.
    iotrap__update_error=$(echo "$out" | grep -m1 -E '^E: Failed to fetch' | sed 's/ *\[IP:.*//')
    iotrap__updated=yes
}

iotrap__need_i386() {
    dpkg --print-foreign-architectures | grep -qx i386 && return 0
    if [ "$(id -u)" = 0 ]; then dpkg --add-architecture i386
    elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo dpkg --add-architecture i386
    else echo "iotrap: please run: sudo dpkg --add-architecture i386" >&2; return 100; fi
    iotrap__updated=no
}

# Installs required packages; fails (returns non-zero) when they cannot be installed.
iotrap__install_required() {
    local missing
    missing=$(iotrap__missing "$@")
    [ -z "$missing" ] && return 0
    echo "iotrap: installing $(echo $missing)"
    iotrap__update
    # shellcheck disable=SC2086
    iotrap__apt install -y -q -o DPkg::Lock::Timeout=900 $missing
}

# Installs optional packages one by one; records each one the archive cannot deliver.
iotrap__pin=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/apt-prefer-main.pref
iotrap__install_optional() {
    local p out
    for p in $(iotrap__missing "$@"); do
        iotrap__update
        # While a mirror is mid-sync, Debian-Security may list newer amd64 than i386
        # versions of a Multi-Arch: same library; preferring the main archive's versions
        # for this one transaction then gives both architectures the same version.
        if ! out=$(iotrap__apt install -y -q -o DPkg::Lock::Timeout=900 "$p" 2>&1) &&
           ! out=$(iotrap__apt install -y -q -o DPkg::Lock::Timeout=900 \
                   -o Dir::Etc::Preferences="$iotrap__pin" "$p" 2>&1); then
            echo "iotrap: optional package $p cannot be installed now:" >&2
            echo "$out" | grep -E '^(E:| [^ ].*: Depends)' | head -n 8 >&2
            echo "$p: $(echo "$out" | grep -E '^E:' | tail -n 1)${iotrap__update_error:+ (apt-get update: $iotrap__update_error)}" \
                >> "$IOTRAP_DEPS_UNAVAILABLE"
        fi
    done
}

iotrap_deps_install() {
    local g
    : > "$IOTRAP_DEPS_UNAVAILABLE"
    export IOTRAP_DEPS_UNAVAILABLE
    for g in "$@"; do
        case $g in
        build) iotrap__install_required "${iotrap_deps_build[@]}" || return 1 ;;
        test)
            iotrap__install_required "${iotrap_deps_test[@]}" || return 1
            iotrap__install_optional "${iotrap_deps_test_optional[@]}" ;;
        vm) iotrap__install_required "${iotrap_deps_vm[@]}" || return 1 ;;
        chroot) iotrap__install_required "${iotrap_deps_chroot[@]}" || return 1 ;;
        wine) iotrap__install_required "${iotrap_deps_wine[@]}" || return 1 ;;
        m32)
            iotrap__need_i386 || return 1
            iotrap__install_optional "${iotrap_deps_m32[@]}" "${iotrap_deps_m32_optional[@]}" ;;
        wine32)
            iotrap__need_i386 || return 1
            iotrap__install_optional "${iotrap_deps_wine32[@]}" ;;
        *) echo "iotrap_deps_install: unknown group $g" >&2; return 1 ;;
        esac
    done
}
