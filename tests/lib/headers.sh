#!/bin/bash
# Each public header compiles alone, as the first include of a file, as strict C99 and as
# C++: it includes what it uses and uses nothing C99 or C++ lack.
source "$top_srcdir/tests/lib/common.bash"
inc=(-I"$top_builddir/include" -I"$top_srcdir/include")
command -v g++ >/dev/null || fail "g++ is missing (scripts/deps.sh installs it with build-essential)"
n=0
for h in $(public_headers); do
    name=iotrap/$(basename "$h")
    printf '#include <%s>\nint iotrap_header_test;\n' "$name" >"$tmp/t.c"
    cp "$tmp/t.c" "$tmp/t.cc"
    gcc -std=c99 -pedantic-errors -Wall -Wextra -Werror -fsyntax-only "${inc[@]}" "$tmp/t.c" \
        >"$tmp/err" 2>&1 || { cat "$tmp/err"; fail "$name does not compile alone as C99"; }
    g++ -std=c++11 -pedantic-errors -Wall -Wextra -Werror -fsyntax-only "${inc[@]}" "$tmp/t.cc" \
        >"$tmp/err" 2>&1 || { cat "$tmp/err"; fail "$name does not compile alone as C++11"; }
    n=$((n + 1))
done
[[ $n -ge 7 ]] || fail "only $n public headers found"
# The declarations link as C from C++: a call through the umbrella header.
cat >"$tmp/use.cc" <<'CC'
#include <iotrap/iotrap.h>
#include <cstring>
int main()
{
    static const unsigned char in_al_dx[] = { 0xec };
    iotrap_insn insn;
    return iotrap_decode(in_al_dx, 1, 64, &insn) == IOTRAP_OK &&
           std::strcmp(iotrap_version(), IOTRAP_VERSION_STRING) == 0 ? 0 : 1;
}
CC
g++ -std=c++11 -pedantic-errors -Wall -Werror "${inc[@]}" -o "$tmp/use" "$tmp/use.cc" \
    -L"$top_builddir/.libs" -liotrap -Wl,-rpath,"$top_builddir/.libs" >"$tmp/err" 2>&1 ||
    { cat "$tmp/err"; fail "a C++ program does not link with libiotrap"; }
"$tmp/use" || fail "the C++ program's decode or version failed"
echo "$n headers compile alone as C99 and C++11; C++ links and calls"
