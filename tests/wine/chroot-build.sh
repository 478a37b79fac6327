#!/bin/bash
# Inside a matrix chroot (tests/wine/chroot-cell.sh): installs what the Wine suite needs
# with the project's own scripts/deps.sh, then builds the copy of the tree in /root/build
# with --enable-werror --enable-wine.  A build of an earlier copy is reused: make rebuilds
# what changed (and reruns autoconf and configure when their inputs did).
set -eu
cd /root/iotrap
. scripts/deps.sh
iotrap_deps_install build m32 wine wine32
mkdir -p /root/build
cd /root/build
if [[ ! -f Makefile ]]; then
    (cd /root/iotrap && autoreconf -fi)
    /root/iotrap/configure --enable-werror --enable-wine
fi
make -j"$(nproc)"
make -j"$(nproc)" wine-check-files
