#!/bin/bash
exec "$top_srcdir/tests/wine/checks/lpt_hello.sh" 32
