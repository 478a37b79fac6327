#!/bin/bash
exec "$top_srcdir/tests/wine/checks/scm_driver.sh" 32 alone
