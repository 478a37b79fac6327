# The library suite (tests/lib.test): libiotrap as programs embed it.
iotrap_tests += tests/lib.test
EXTRA_DIST += tests/lib.test tests/lib/common.bash tests/lib/headers.sh tests/lib/exports.sh \
	tests/lib/static.sh tests/lib/static_prog.c tests/lib/unicorn.sh tests/lib/man_examples.sh

# examples/unicorn_demo.S run natively, for tests/lib/unicorn.sh.
check_PROGRAMS += tests/progs/io_blob
tests_progs_io_blob_SOURCES = tests/progs/io_blob.c tests/progs/io_blob_run.S \
	examples/unicorn_demo.S
tests/lib.log: examples/unicorn_demo.bin
