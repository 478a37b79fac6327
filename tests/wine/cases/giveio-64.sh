#!/bin/bash
exec "$top_srcdir/tests/wine/checks/giveio.sh" 64
