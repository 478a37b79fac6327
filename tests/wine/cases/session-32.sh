#!/bin/bash
exec "$top_srcdir/tests/wine/checks/session.sh" 32
