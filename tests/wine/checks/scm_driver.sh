#!/bin/bash
# An application that installs its own driver file through the service control manager
# ends up talking to the iotrap replacement; a value written through the driver IOCTL
# (in winedevice.exe) is read back by a raw IN (in the application).  With "alone" the
# application first stops the iotrap service, so the builtin loaded for its own file
# serves the devices (for a 32-bit file, in the 32-bit winedevice.exe).
. "$top_srcdir/tests/wine/lib.sh"
mode=${2:-}
run -- "$(exe "$bits" scm_driver)" $mode
expect_passed
pid_of() { sed -n 's/.*"pid":\([0-9]*\).*/\1/p' | sort -u; }
w=$(trace_grep '"op":"out"' '"port":888,' '"value":150' | pid_of)
r=$(trace_grep '"op":"in"' '"port":888,' '"value":150' | pid_of)
[[ $(wc -w <<<"$w") -eq 1 ]] || fail "expected one process writing 0x96 through the IOCTL, got '$w'"
# The IOCTL read comes from winedevice.exe too; the raw IN from the application.
[[ $r == *"$w"* && $(wc -w <<<"$r") -eq 2 ]] ||
    fail "the driver ($w) and the application should both read 0x96 (readers: '$r')"
echo "scm_driver${mode:+ $mode}: ok"
