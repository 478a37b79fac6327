#!/bin/bash
# The examples of libiotrap(3) are programs that compile against the library as the page
# says, and run to the output they promise.
source "$top_srcdir/tests/lib/common.bash"
page=$top_srcdir/man/libiotrap.3
# Each example follows a comment line '.\" example: NAME', between .EX and .EE; troff's
# escapes in them are \e (a backslash) and \- (a minus).
awk -v dir="$tmp" '
    /^\.\\" example: / { name = $3; next }
    name != "" && /^\.EX$/ { file = dir "/" name ".c"; next }
    file != "" && /^\.EE$/ { close(file); file = ""; name = ""; next }
    file != "" { gsub(/\\e/, "\\"); gsub(/\\-/, "-"); print > file }
' "$page"
names=(decode session execute device)
for n in "${names[@]}"; do
    [[ -s $tmp/$n.c ]] || fail "libiotrap(3) has no example '$n'"
    gcc -std=gnu11 -Wall -Werror -I"$top_builddir/include" -I"$top_srcdir/include" \
        -o "$tmp/$n" "$tmp/$n.c" -L"$top_builddir/.libs" -liotrap \
        -Wl,-rpath,"$top_builddir/.libs" >"$tmp/cc" 2>&1 ||
        { cat "$tmp/cc"; fail "the example '$n' does not compile"; }
    (cd "$tmp" && env -u IOTRAP_BACKEND -u IOTRAP_DEVICES -u IOTRAP_ALLOW "./$n") \
        >"$tmp/$n.out" 2>&1 || { cat "$tmp/$n.out"; fail "the example '$n' failed"; }
done
version=$(sed -n 's/^#define IOTRAP_VERSION_STRING "\(.*\)"/\1/p' "$top_builddir/include/iotrap/version.h")
expect_in "$tmp/decode.out" "libiotrap $version: rep outsw, 2 bytes per element"
expect_in "$tmp/decode.out" '{"op":"outs","width":2,"port":"dx","addr_size":32,"rep":true,"seg":"ds","length":3}'
expect_in "$tmp/session.out" "0x300: 0xbeef, 0x304: 4 4 4 4, 0x64 allowed: 0"
expect_in "$tmp/execute.out" "success: rsi 0x1005, rdi 0x1012, rip 0x2004, stored oo"
expect_in "$tmp/execute.out" "port 0x300: 1, port 0x0: 0"
expect_in "$tmp/device.out" "read back: !"
# Every function the headers declare is named in the page's synopsis.
for f in $(cat $(public_headers) | tr '\n' ' ' | grep -oE 'IOTRAP_API [^(;]*\(' |
           grep -oE 'iotrap_[a-z0-9_]+ *\($' | tr -d ' ('); do
    grep -q "^\.BI \"[^\"]*\b$f(" "$page" || fail "libiotrap(3) does not document $f()"
done
echo "${#names[@]} examples compile and run as the page says; every call is documented"
