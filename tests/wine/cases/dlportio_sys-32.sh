#!/bin/bash
exec "$top_srcdir/tests/wine/checks/dlportio_sys.sh" 32
