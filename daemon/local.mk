# daemon: iotrapd, the privilege-separated port server (iotrapd(8), iotrap.conf(5),
# docs/protocol.md), its unit tests and its host-side suite.
sbin_PROGRAMS += daemon/iotrapd
daemon_iotrapd_SOURCES = daemon/iotrapd.c daemon/conf.c daemon/conf.h \
	daemon/server.c daemon/server.h
daemon_iotrapd_LDADD = libiotrap_core.la $(CAPSTONE_LIBS)

if HAVE_CMOCKA
check_PROGRAMS += tests/unit/test_iotrapd_conf tests/unit/test_iotrapd_proto
tests_unit_test_iotrapd_conf_SOURCES = tests/unit/test_iotrapd_conf.c daemon/conf.c
tests_unit_test_iotrapd_conf_CPPFLAGS = $(AM_CPPFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_iotrapd_conf_LDADD = libiotrap_core.la $(CMOCKA_LIBS) $(CAPSTONE_LIBS)
tests_unit_test_iotrapd_proto_SOURCES = tests/unit/test_iotrapd_proto.c daemon/conf.c \
	daemon/server.c
tests_unit_test_iotrapd_proto_CPPFLAGS = $(AM_CPPFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_iotrapd_proto_LDADD = libiotrap_core.la $(CMOCKA_LIBS) $(CAPSTONE_LIBS)
endif

# The daemon with the simulated board, on this machine, unprivileged or as root.
TESTS += tests/daemon.test
EXTRA_DIST += tests/daemon.test

# The shipped policy (all commented out) and the systemd units; the service names the
# daemon where this build installs it.
dist_sysconf_DATA = etc/iotrap.conf
systemdsystemunitdir = $(prefix)/lib/systemd/system
dist_systemdsystemunit_DATA = etc/iotrapd.socket
nodist_systemdsystemunit_DATA = etc/iotrapd.service
EXTRA_DIST += etc/iotrapd.service.in
CLEANFILES += etc/iotrapd.service
etc/iotrapd.service: $(srcdir)/etc/iotrapd.service.in Makefile
	@mkdir -p $(@D)
	$(AM_V_GEN)sed 's|@sbindir[@]|$(sbindir)|g' $(srcdir)/etc/iotrapd.service.in >$@
