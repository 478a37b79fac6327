# bench: the helper `iotrap bench` runs to time trapped instructions in a process of
# their own (one bare, one under the preload library).
pkglibexec_PROGRAMS = bench/iotrap-bench-trap
bench_iotrap_bench_trap_SOURCES = bench/trap_bench.c bench/timing.h \
	bench/patched_bench.c bench/patched_bench.h
# The patched mode opens a session of its own, with a copy of the core linked in.
bench_iotrap_bench_trap_LDADD = libiotrap_core.la -lpthread
# The plug-in device of the bench's board (a string target without a string handler).
# Like any plug-in it leaves the iotrap_* symbols to the process that loads it.  It lies
# beside the helper, where `iotrap bench` looks for it.
benchpluginexecdir = $(pkglibexecdir)
benchpluginexec_LTLIBRARIES = bench/iotrap-bench-latch.la
bench_iotrap_bench_latch_la_SOURCES = bench/latch_device.c
bench_iotrap_bench_latch_la_LDFLAGS = -module -avoid-version -shared
# The minimal launcher and the trivial program of the start-up figures.
pkglibexec_PROGRAMS += bench/iotrap-bench-start
bench_iotrap_bench_start_SOURCES = bench/start_bench.c
