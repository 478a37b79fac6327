#!/bin/bash
# scripts/deps.sh asks for packages this release's archive has, each for the architecture
# it needs: every name of every group has a candidate here (of "A|B", at least one), and
# an installed i386 build does not stand in for the native package.
. "$top_srcdir/tests/wine/lib.sh"
[[ $bits == 64 ]] || { echo "one package list for both bitnesses"; exit 0; }
. "$top_srcdir/scripts/deps.sh"
candidate() {
    apt-cache policy "$1" 2>/dev/null | grep -q 'Candidate: [^(]'
}
for p in "${iotrap_deps_build[@]}" "${iotrap_deps_test[@]}" "${iotrap_deps_m32[@]}" \
         "${iotrap_deps_m32_optional[@]}" "${iotrap_deps_wine[@]}" "${iotrap_deps_wine32[@]}" \
         "${iotrap_deps_vm[@]}" "${iotrap_deps_chroot[@]}"; do
    found=
    for alt in ${p//|/ }; do
        candidate "$alt" && { found=$alt; break; }
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
