#!/bin/bash
exec "$top_srcdir/tests/wine/checks/family.sh" 32
