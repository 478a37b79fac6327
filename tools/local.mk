# tools: the `iotrap` command.  It links the core statically (libiotrap_core.la is a
# convenience library), so the build tree holds the real binary, not a libtool wrapper.
# It exports the device API (and only that) from its dynamic symbol table, so that a
# device plug-in it loads to check a run's configuration binds to its copy of the core,
# as plug-ins bind to the preload library's and libiotrap's.
bin_PROGRAMS += tools/iotrap
tools_iotrap_SOURCES = tools/iotrap.c tools/commands.h \
	tools/cmd_run.c tools/run_options.c tools/run_options.h \
	tools/preload_env.c tools/preload_env.h tools/program_check.c tools/program_check.h \
	tools/cmd_doctor.c tools/cmd_bench.c tools/bench_config.h tools/bench_targets.c \
	tools/bench_targets.h tools/bench_capstone.c tools/bench_capstone.h tools/bench_start.c \
	tools/bench_start.h tools/cmd_devices.c \
	tools/run_summary.c tools/run_summary.h tools/child.c tools/child.h
tools_iotrap_CPPFLAGS = $(AM_CPPFLAGS) -DIOTRAP_PKGLIBEXECDIR='"$(pkglibexecdir)"'
# Not Capstone: `iotrap bench` loads it for its baseline (tools/bench_capstone.h).
tools_iotrap_LDADD = libiotrap_core.la
tools_iotrap_LDFLAGS = -Wl,--dynamic-list=$(srcdir)/tools/device_api.dynlist
EXTRA_DIST += tools/device_api.dynlist
tools_iotrap_DEPENDENCIES = libiotrap_core.la $(srcdir)/tools/device_api.dynlist

# The option parser, tested on its own (tests/unit.test finds the binary by its name;
# unit_tests is defined only later, by tests/local.mk).
if HAVE_CMOCKA
check_PROGRAMS += tests/unit/test_options
tests_unit_test_options_SOURCES = tests/unit/test_options.c tools/run_options.c \
	tools/preload_env.c tools/program_check.c
tests_unit_test_options_CPPFLAGS = $(AM_CPPFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_options_LDADD = libiotrap_core.la $(CMOCKA_LIBS)
endif

# The command-line suite, and a static program it runs to see the warning about it.
iotrap_tests += tests/cli.test
EXTRA_DIST += tests/cli.test tests/cli/common.bash tests/cli/run_backend_auto.sh \
	tests/cli/bench_json.sh tests/cli/bench_rep_ratios.sh tests/cli/command_help.sh \
	tests/cli/decode.sh tests/cli/doctor.sh \
	tests/cli/run_allow_quiet.sh tests/cli/run_bad_config.sh tests/cli/run_demo.sh \
	tests/cli/run_environment.sh tests/cli/run_exit_status.sh \
	tests/cli/run_forwards_signals.sh tests/cli/run_not_found.sh \
	tests/cli/run_signal_status.sh tests/cli/run_trace.sh tests/cli/run_warnings.sh \
	tests/cli/run_port_map.sh tests/cli/run_spec_reading.sh tests/cli/devices.sh \
	tests/cli/run_summary.sh tests/cli/run_killed_launcher.sh tests/cli/run_lean_launcher.sh
check_PROGRAMS += tests/cli/static_true
tests_cli_static_true_SOURCES = tests/cli/static_true.c
tests_cli_static_true_LDFLAGS = -all-static

# The decode subcommand (decoder helper).
tools_iotrap_SOURCES += tools/cmd_decode.c
