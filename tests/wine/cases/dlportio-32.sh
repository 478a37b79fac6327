#!/bin/bash
exec "$top_srcdir/tests/wine/checks/dlportio.sh" 32
