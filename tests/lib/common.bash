# Sourced by the tests/lib/*.sh cases: the helpers of the command-line cases, and the
# library's public headers.
source "$top_srcdir/tests/cli/common.bash"

# The public headers as installed: the shipped ones and the one configure generates.
public_headers() {
    ls "$top_srcdir"/include/iotrap/*.h
    echo "$top_builddir/include/iotrap/version.h"
}
