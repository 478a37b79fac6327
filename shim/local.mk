# shim: the trap engine of the preload library (see the top Makefile.am).
shim_sources += \
	shim/shim.h \
	shim/safecopy.S \
	shim/context.c \
	shim/scratch.c \
	shim/decode_cache.c \
	shim/trap.c \
	shim/patch.h \
	shim/patch.c \
	shim/patch_code.c \
	shim/patch_fast.c \
	shim/sigchain.c \
	shim/sigmask.c \
	shim/report.c \
	shim/ioperm.c \
	shim/grants.c \
	shim/start_env.c \
	shim/exec.c \
	shim/port_file.c \
	shim/port_file_open.c \
	shim/session_open.c \
	shim/init.c

# ---- Integration tests: real programs under `iotrap run` (tests/integration.test) ----
check_PROGRAMS += tests/progs/io_forms tests/progs/io_faults tests/progs/io_sent \
	tests/progs/io_threads tests/progs/io_fork tests/progs/io_compat tests/progs/io_patch tests/progs/port_in \
	tests/progs/dev_port tests/progs/spi_bitbang tests/progs/pit_delay tests/progs/io_strings \
	tests/progs/io_lazy tests/progs/exec_static
tests_progs_exec_static_SOURCES = tests/progs/exec_static.c
tests_progs_exec_static_LDFLAGS = -all-static
tests_progs_io_lazy_SOURCES = tests/progs/io_lazy.c tests/progs/fork_io.h tests/progs/progs.h
tests_progs_io_lazy_LDADD = -lpthread
tests_progs_io_strings_SOURCES = tests/progs/io_strings.c tests/progs/progs.h
tests_progs_port_in_SOURCES = tests/progs/port_in.c
tests_progs_pit_delay_SOURCES = tests/progs/pit_delay.c tests/progs/progs.h
tests_progs_dev_port_SOURCES = tests/progs/dev_port.c tests/progs/progs.h
tests_progs_spi_bitbang_SOURCES = tests/progs/spi_bitbang.c
tests_progs_io_forms_SOURCES = tests/progs/io_forms.c tests/progs/progs.h
tests_progs_io_faults_SOURCES = tests/progs/io_faults.c tests/progs/progs.h
tests_progs_io_sent_SOURCES = tests/progs/io_sent.c tests/progs/progs.h
tests_progs_io_sent_LDADD = -lpthread
tests_progs_io_threads_SOURCES = tests/progs/io_threads.c tests/progs/progs.h
tests_progs_io_fork_SOURCES = tests/progs/io_fork.c tests/progs/fork_io.h tests/progs/progs.h
tests_progs_io_patch_SOURCES = tests/progs/io_patch.c tests/progs/patch_sites.S \
	tests/progs/progs.h
tests_progs_io_patch_LDADD = -lpthread
tests_progs_io_compat_SOURCES = tests/progs/io_compat.c tests/progs/compat_blob.S \
	tests/progs/progs.h

# The same programs built 32-bit, for i386 processes (and exec across bitness).
if HAVE_M32
check_PROGRAMS += tests/progs/io_forms-m32 tests/progs/io_faults-m32 tests/progs/io_sent-m32 \
	tests/progs/io_threads-m32 tests/progs/io_fork-m32 tests/progs/io_patch-m32 \
	tests/progs/port_in-m32 tests/progs/dev_port-m32 tests/progs/io_strings-m32 \
	tests/progs/io_lazy-m32
tests_progs_io_lazy_m32_SOURCES = $(tests_progs_io_lazy_SOURCES)
tests_progs_io_lazy_m32_CFLAGS = -m32 $(WARN_CFLAGS)
tests_progs_io_lazy_m32_LDFLAGS = -m32
tests_progs_io_lazy_m32_LDADD = -lpthread
tests_progs_io_strings_m32_SOURCES = $(tests_progs_io_strings_SOURCES)
tests_progs_io_strings_m32_CFLAGS = -m32 $(WARN_CFLAGS)
tests_progs_io_strings_m32_LDFLAGS = -m32
tests_progs_dev_port_m32_SOURCES = $(tests_progs_dev_port_SOURCES)
tests_progs_dev_port_m32_CFLAGS = -m32 $(WARN_CFLAGS)
tests_progs_dev_port_m32_LDFLAGS = -m32
tests_progs_port_in_m32_SOURCES = $(tests_progs_port_in_SOURCES)
tests_progs_port_in_m32_CFLAGS = -m32 $(WARN_CFLAGS)
tests_progs_port_in_m32_LDFLAGS = -m32
tests_progs_io_forms_m32_SOURCES = $(tests_progs_io_forms_SOURCES)
tests_progs_io_forms_m32_CFLAGS = -m32 $(WARN_CFLAGS)
tests_progs_io_forms_m32_LDFLAGS = -m32
tests_progs_io_faults_m32_SOURCES = $(tests_progs_io_faults_SOURCES)
tests_progs_io_faults_m32_CFLAGS = -m32 $(WARN_CFLAGS)
tests_progs_io_faults_m32_LDFLAGS = -m32
tests_progs_io_sent_m32_SOURCES = $(tests_progs_io_sent_SOURCES)
tests_progs_io_sent_m32_CFLAGS = -m32 $(WARN_CFLAGS)
tests_progs_io_sent_m32_LDFLAGS = -m32
tests_progs_io_sent_m32_LDADD = -lpthread
tests_progs_io_threads_m32_SOURCES = $(tests_progs_io_threads_SOURCES)
tests_progs_io_threads_m32_CFLAGS = -m32 $(WARN_CFLAGS)
tests_progs_io_threads_m32_LDFLAGS = -m32
tests_progs_io_fork_m32_SOURCES = $(tests_progs_io_fork_SOURCES)
tests_progs_io_fork_m32_CFLAGS = -m32 $(WARN_CFLAGS)
tests_progs_io_fork_m32_LDFLAGS = -m32
tests_progs_io_patch_m32_SOURCES = $(tests_progs_io_patch_SOURCES)
tests_progs_io_patch_m32_CFLAGS = -m32 $(WARN_CFLAGS)
tests_progs_io_patch_m32_CCASFLAGS = -m32
tests_progs_io_patch_m32_LDFLAGS = -m32
tests_progs_io_patch_m32_LDADD = -lpthread
endif

iotrap_tests += tests/integration.test
EXTRA_DIST += tests/integration.test tests/integration/common.bash tests/integration/Npe.java \
	tests/integration/hostile_dirs.sh
CLEANFILES += tests/integration-cases/*
