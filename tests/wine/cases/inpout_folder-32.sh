#!/bin/bash
exec "$top_srcdir/tests/wine/checks/inpout_folder.sh" 32
