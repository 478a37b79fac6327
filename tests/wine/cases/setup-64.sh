#!/bin/bash
exec "$top_srcdir/tests/wine/checks/setup.sh" 64
