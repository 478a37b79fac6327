#!/bin/bash
exec "$top_srcdir/tests/wine/checks/doctor.sh" 64
