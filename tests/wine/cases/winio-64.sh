#!/bin/bash
exec "$top_srcdir/tests/wine/checks/winio.sh" 64
