#!/bin/bash
exec "$top_srcdir/tests/wine/checks/probe.sh" 64
