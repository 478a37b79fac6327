#!/bin/bash
exec "$top_srcdir/tests/wine/checks/configure.sh" 64
