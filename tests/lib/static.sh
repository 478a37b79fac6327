#!/bin/bash
# libiotrap installed (the library, headers and iotrap.pc, into a scratch root), and a
# program linked statically against libiotrap.a with what `pkg-config --static` says:
# once fully static, once with libiotrap.a in an otherwise dynamic program.  Both run.
source "$top_srcdir/tests/lib/common.bash"
root=$tmp/root
make -s -C "$top_builddir" DESTDIR="$root" install-libLTLIBRARIES install-pkgincludeHEADERS \
    install-nodist_pkgincludeHEADERS install-pkgconfigDATA >"$tmp/install" 2>&1 ||
    { cat "$tmp/install"; fail "installing the library failed"; }
pc=$(find "$root" -name iotrap.pc)
[[ -n $pc ]] || fail "iotrap.pc was not installed"
archive=$(find "$root" -name libiotrap.a)
[[ -n $archive ]] || fail "libiotrap.a was not installed (is the static library built?)"
export PKG_CONFIG_LIBDIR=$(dirname "$pc") PKG_CONFIG_SYSROOT_DIR=$root
cflags=$(pkg-config --cflags iotrap) && libs=$(pkg-config --static --libs iotrap) ||
    fail "pkg-config --static --libs iotrap failed"
echo "pkg-config --static --libs iotrap: $libs"
grep -q capstone <<<"$libs" && fail "a static link should not need libcapstone: $libs"

# Fully static.
gcc -std=c99 -Wall -Werror $cflags -o "$tmp/prog-static" "$top_srcdir/tests/lib/static_prog.c" \
    -static $libs >"$tmp/link" 2>&1 || { cat "$tmp/link"; fail "the fully static link failed"; }
readelf -l "$tmp/prog-static" | grep -q INTERP && fail "prog-static is not a static executable"
expect_status 0 "$tmp/prog-static"
cat "$tmp/out"
# libiotrap.a in a dynamic program: the archive by name, the rest from --static.
gcc -std=c99 -Wall -Werror $cflags -o "$tmp/prog-mixed" "$top_srcdir/tests/lib/static_prog.c" \
    "$archive" $(pkg-config --static --libs-only-other --libs-only-l iotrap | sed 's/-liotrap//') \
    >"$tmp/link" 2>&1 || { cat "$tmp/link"; fail "linking libiotrap.a into a dynamic program failed"; }
readelf -d "$tmp/prog-mixed" | grep -q 'libiotrap' && fail "prog-mixed needs libiotrap.so"
expect_status 0 "$tmp/prog-mixed"
echo "static: ok; libiotrap.a in a dynamic program: ok"
