#!/bin/bash
# scripts/deps.sh asks for packages this release's archive has, each for the architecture
# it needs: every name of every group has a candidate here (of "A|B", at least one), and
# an installed i386 build does not stand in for the native package.
. "$top_srcdir/tests/wine/lib.sh"
[[ $bits == 64 ]] || { echo "one package list for both bitnesses"; exit 0; }
. "$top_srcdir/scripts/deps.sh"
groups=("${iotrap_deps_build[@]}" "${iotrap_deps_test[@]}" "${iotrap_deps_m32[@]}"
        "${iotrap_deps_m32_optional[@]}" "${iotrap_deps_wine[@]}" "${iotrap_deps_wine32[@]}"
        "${iotrap_deps_vm[@]}" "${iotrap_deps_chroot[@]}")
# One apt-cache call for every name (each call reads the whole package cache): the
# names that have a candidate version.
declare -A has
names=$(printf '%s\n' "${groups[@]}" | tr '|' '\n' | sort -u)
# shellcheck disable=SC2086
while read -r name; do
    has[$name]=1
done < <(apt-cache policy $names 2>/dev/null |
         awk '/^[^ ].*:$/ { p = substr($0, 1, length($0) - 1) }
              /^  Candidate: / && $2 != "(none)" { print p }')
for p in "${groups[@]}"; do
    found=
    for alt in ${p//|/ }; do
        # apt-cache names a package of the native architecture without it.
        [[ -n ${has[$alt]:-} || -n ${has[${alt%:$(dpkg --print-architecture)}]:-} ]] &&
            { found=$alt; break; }
    done
    [[ -n $found ]] || fail "the archive of $(. /etc/os-release; echo "$PRETTY_NAME") has no $p"
done

# A dpkg database in which only libcapstone-dev:i386 is installed.
admin=$work/dpkg
mkdir -p "$admin/info" "$admin/updates"
: >"$admin/available"
printf 'Package: libcapstone-dev\nStatus: install ok installed\nArchitecture: i386\nMulti-Arch: same\nVersion: 4.0.2-5\n\n' \
    >"$admin/status"
[[ $(DPKG_ADMINDIR=$admin iotrap__missing libcapstone-dev) == libcapstone-dev ]] ||
    fail "libcapstone-dev:i386 was taken for the native libcapstone-dev"
[[ -z $(DPKG_ADMINDIR=$admin iotrap__missing libcapstone-dev:i386) ]] ||
    fail "the installed libcapstone-dev:i386 was not found"
echo "packages: ok"
