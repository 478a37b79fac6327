#!/bin/bash
exec "$top_srcdir/tests/wine/checks/porttalk.sh" 32
