# backends: the backend contract and registry, the simulated board and its device models.
core_sources += \
	backends/backend.h backends/registry.c \
	backends/lock.c backends/lock.h backends/board.c backends/board.h backends/sim.c \
	backends/devices/devices.h backends/devices/registry.c backends/devices/lpt.c \
	backends/devices/uart.c backends/devices/cmos.c backends/devices/ram.c \
	backends/devices/pit.c backends/devices/portb.c \
	backends/devices/pci.c backends/devices/ec.c backends/devices/superio.c
# Real ports (the real-port helper's files): direct ioperm, /dev/port, ppdev, the iotrapd
# client and the wire protocol it shares with the daemon.
core_sources += backends/direct.c backends/direct_io.h
core_sources += backends/devport.c
core_sources += backends/ppdev.c
core_sources += backends/helper.c backends/helper_proto.c backends/helper_proto.h

# A sample device plug-in, loaded by the unit tests.  It leaves the iotrap_* symbols
# undefined: the process that loads it provides them.
check_LTLIBRARIES += tests/plugins/counter.la tests/plugins/clash.la
tests_plugins_counter_la_SOURCES = examples/device-plugin/counter.c
tests_plugins_counter_la_LDFLAGS = -module -avoid-version -shared -rpath $(abs_builddir)/tests/plugins
tests_plugins_clash_la_SOURCES = tests/plugins/clash.c
tests_plugins_clash_la_LDFLAGS = -module -avoid-version -shared -rpath $(abs_builddir)/tests/plugins
EXTRA_DIST += tests/unit/test_ports_helpers.h

if HAVE_CMOCKA
backends_test_cppflags = $(AM_CPPFLAGS) $(CMOCKA_CFLAGS) \
	-DIOTRAP_TEST_PLUGIN='"$(abs_builddir)/tests/plugins/.libs/counter.so"' \
	-DIOTRAP_TEST_CLASH_PLUGIN='"$(abs_builddir)/tests/plugins/.libs/clash.so"'
# -export-dynamic: a plug-in loaded by the test binds to the core linked into it.
backends_test_ldflags = -export-dynamic
backends_test_ldadd = libiotrap_core.la $(CMOCKA_LIBS)
check_PROGRAMS += tests/unit/test_parse tests/unit/test_ports tests/unit/test_devices \
	tests/unit/test_board tests/unit/test_trace tests/unit/test_portset tests/unit/test_portmap \
	tests/unit/test_lock
tests_unit_test_portset_SOURCES = tests/unit/test_portset.c daemon/conf.c
tests_unit_test_portset_CPPFLAGS = $(backends_test_cppflags)
tests_unit_test_portset_LDADD = $(backends_test_ldadd)
tests_unit_test_portmap_SOURCES = tests/unit/test_portmap.c
tests_unit_test_portmap_CPPFLAGS = $(backends_test_cppflags)
tests_unit_test_portmap_LDADD = $(backends_test_ldadd)
tests_unit_test_parse_SOURCES = tests/unit/test_parse.c
tests_unit_test_parse_CPPFLAGS = $(backends_test_cppflags)
tests_unit_test_parse_LDFLAGS = $(backends_test_ldflags)
tests_unit_test_parse_LDADD = $(backends_test_ldadd)
tests_unit_test_ports_SOURCES = tests/unit/test_ports.c
tests_unit_test_ports_CPPFLAGS = $(backends_test_cppflags)
tests_unit_test_ports_LDADD = $(backends_test_ldadd)
tests_unit_test_devices_SOURCES = tests/unit/test_devices.c
tests_unit_test_devices_CPPFLAGS = $(backends_test_cppflags)
tests_unit_test_devices_LDFLAGS = $(backends_test_ldflags)
tests_unit_test_devices_LDADD = $(backends_test_ldadd)
tests_unit_test_lock_SOURCES = tests/unit/test_lock.c
tests_unit_test_lock_CPPFLAGS = $(backends_test_cppflags)
tests_unit_test_lock_LDADD = $(backends_test_ldadd)
tests_unit_test_board_SOURCES = tests/unit/test_board.c
tests_unit_test_board_CPPFLAGS = $(backends_test_cppflags)
tests_unit_test_board_LDADD = $(backends_test_ldadd)
tests_unit_test_trace_SOURCES = tests/unit/test_trace.c
tests_unit_test_trace_CPPFLAGS = $(backends_test_cppflags)
tests_unit_test_trace_LDADD = $(backends_test_ldadd)
# One test program per device model, each against its data sheet.
check_PROGRAMS += tests/unit/test_cmos
tests_unit_test_cmos_SOURCES = tests/unit/test_cmos.c
tests_unit_test_cmos_CPPFLAGS = $(backends_test_cppflags)
tests_unit_test_cmos_LDADD = $(backends_test_ldadd)
check_PROGRAMS += tests/unit/test_lpt
tests_unit_test_lpt_SOURCES = tests/unit/test_lpt.c
tests_unit_test_lpt_CPPFLAGS = $(backends_test_cppflags)
tests_unit_test_lpt_LDADD = $(backends_test_ldadd)
check_PROGRAMS += tests/unit/test_ec_superio
tests_unit_test_ec_superio_SOURCES = tests/unit/test_ec_superio.c
tests_unit_test_ec_superio_CPPFLAGS = $(backends_test_cppflags)
tests_unit_test_ec_superio_LDADD = $(backends_test_ldadd)
check_PROGRAMS += tests/unit/test_pit
tests_unit_test_pit_SOURCES = tests/unit/test_pit.c
tests_unit_test_pit_CPPFLAGS = $(backends_test_cppflags)
tests_unit_test_pit_LDADD = $(backends_test_ldadd)
check_PROGRAMS += tests/unit/test_pci
tests_unit_test_pci_SOURCES = tests/unit/test_pci.c
tests_unit_test_pci_CPPFLAGS = $(backends_test_cppflags)
tests_unit_test_pci_LDADD = $(backends_test_ldadd)
check_PROGRAMS += tests/unit/test_userfile
tests_unit_test_userfile_SOURCES = tests/unit/test_userfile.c
tests_unit_test_userfile_CPPFLAGS = $(backends_test_cppflags)
tests_unit_test_userfile_LDADD = $(backends_test_ldadd)
check_PROGRAMS += tests/unit/test_rundir
tests_unit_test_rundir_SOURCES = tests/unit/test_rundir.c
tests_unit_test_rundir_CPPFLAGS = $(backends_test_cppflags)
tests_unit_test_rundir_LDADD = $(backends_test_ldadd)
check_PROGRAMS += tests/unit/test_direct
tests_unit_test_direct_SOURCES = tests/unit/test_direct.c
tests_unit_test_direct_CPPFLAGS = $(backends_test_cppflags)
tests_unit_test_direct_LDADD = $(backends_test_ldadd)
endif
