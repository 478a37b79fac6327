#!/bin/bash
exec "$top_srcdir/tests/wine/checks/io_dll.sh" 64
