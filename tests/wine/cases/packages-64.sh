#!/bin/bash
exec "$top_srcdir/tests/wine/checks/packages.sh" 64
