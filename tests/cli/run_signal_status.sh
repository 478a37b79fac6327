#!/bin/bash
# A program ended by signal N makes `iotrap run` exit 128+N, as a shell reports it.
. "$top_srcdir/tests/cli/common.bash"
expect_status 143 iotrap run -- sh -c 'kill -TERM $$'
expect_status 137 iotrap run -- sh -c 'kill -KILL $$'
expect_status 134 iotrap run -- sh -c 'kill -ABRT $$'
echo ok
