#!/bin/bash
# libiotrap.so exports the public API and nothing else, and needs no library but the C
# library's: its Capstone is a private copy, so loading it does not load libcapstone.
source "$top_srcdir/tests/lib/common.bash"
lib=$top_builddir/.libs/libiotrap.so
[[ -f $lib ]] || fail "$lib was not built"
needed=$(readelf -d "$lib" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | sort | tr '\n' ' ')
[[ $needed == "ld-linux-x86-64.so.2 libc.so.6 " || $needed == "libc.so.6 " ]] ||
    fail "libiotrap.so needs: $needed(expected only the C library)"
nm -D --defined-only "$lib" | awk '{ print $NF }' | sort >"$tmp/exports"
bad=$(grep -v '^iotrap_[a-z]' "$tmp/exports" | grep -vE '^(_init|_fini)$' || true)
[[ -z $bad ]] || fail "exports beyond the public API: $(echo $bad)"
# Every function the public headers declare is exported, and nothing else is.
cat $(public_headers) | tr '\n' ' ' | grep -oE 'IOTRAP_API [^(;]*\(' |
    grep -oE 'iotrap_[a-z0-9_]+ *\($' | tr -d ' (' | sort >"$tmp/declared"
if ! diff "$tmp/declared" "$tmp/exports" >"$tmp/diff"; then
    cat "$tmp/diff"
    fail "the exports differ from the declarations (< declared only, > exported only)"
fi
echo "$(wc -l <"$tmp/exports") exports, all declared in the public headers; needs: $needed"
