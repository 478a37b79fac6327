# daemon: iotrapd, the privilege-separated port server (iotrapd(8), iotrap.conf(5),
# docs/protocol.md), its unit tests and its host-side suite.
if ENABLE_DAEMON
sbin_PROGRAMS += daemon/iotrapd
endif
iotrapd_core = daemon/conf.c daemon/conf.h daemon/dispatch.c daemon/dispatch.h \
	daemon/lograte.c daemon/lograte.h \
	daemon/socket.c daemon/socket.h daemon/channel.c daemon/channel.h
daemon_iotrapd_SOURCES = daemon/iotrapd.c $(iotrapd_core)
daemon_iotrapd_CPPFLAGS = $(AM_CPPFLAGS) -DIOTRAP_SYSCONFDIR='"$(sysconfdir)"'
daemon_iotrapd_LDADD = libiotrap_core.la

if HAVE_CMOCKA
check_PROGRAMS += tests/unit/test_iotrapd_lograte
tests_unit_test_iotrapd_lograte_SOURCES = tests/unit/test_iotrapd_lograte.c daemon/lograte.c
tests_unit_test_iotrapd_lograte_CPPFLAGS = $(AM_CPPFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_iotrapd_lograte_LDADD = $(CMOCKA_LIBS)
check_PROGRAMS += tests/unit/test_iotrapd_conf tests/unit/test_iotrapd_proto \
	tests/unit/test_iotrapd_serve tests/unit/test_iotrapd_channel
tests_unit_test_iotrapd_conf_SOURCES = tests/unit/test_iotrapd_conf.c daemon/conf.c
tests_unit_test_iotrapd_conf_CPPFLAGS = $(AM_CPPFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_iotrapd_conf_LDADD = libiotrap_core.la $(CMOCKA_LIBS)
tests_unit_test_iotrapd_proto_SOURCES = tests/unit/test_iotrapd_proto.c $(iotrapd_core)
tests_unit_test_iotrapd_proto_CPPFLAGS = $(AM_CPPFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_iotrapd_proto_LDADD = libiotrap_core.la $(CMOCKA_LIBS)
tests_unit_test_iotrapd_serve_SOURCES = tests/unit/test_iotrapd_serve.c \
	tests/unit/iotrapd_test_server.h $(iotrapd_core)
tests_unit_test_iotrapd_serve_CPPFLAGS = $(AM_CPPFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_iotrapd_serve_LDADD = libiotrap_core.la $(CMOCKA_LIBS)
tests_unit_test_iotrapd_channel_SOURCES = tests/unit/test_iotrapd_channel.c \
	tests/unit/iotrapd_test_server.h $(iotrapd_core)
tests_unit_test_iotrapd_channel_CPPFLAGS = $(AM_CPPFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_iotrapd_channel_LDADD = libiotrap_core.la $(CMOCKA_LIBS)
endif

# The daemon with the simulated board, on this machine, unprivileged or as root.
EXTRA_DIST += tests/daemon.test etc/iotrap.conf etc/iotrapd.socket etc/iotrapd.service.in
if ENABLE_DAEMON
iotrap_tests += tests/daemon.test

# The shipped policy (all commented out) and the systemd units; the service names the
# daemon where this build installs it.
sysconf_DATA = etc/iotrap.conf
systemdsystemunitdir = $(prefix)/lib/systemd/system
systemdsystemunit_DATA = etc/iotrapd.socket etc/iotrapd.service
endif
CLEANFILES += etc/iotrapd.service
etc/iotrapd.service: $(srcdir)/etc/iotrapd.service.in Makefile
	@mkdir -p $(@D)
	$(AM_V_GEN)sed -e 's|@sbindir[@]|$(sbindir)|g' -e 's|@sysconfdir[@]|$(sysconfdir)|g' \
		$(srcdir)/etc/iotrapd.service.in >$@

# libFuzzer targets for the request decoder and handler and for the configuration parser,
# built with clang like the decoder's (decoder/local.mk); tests/fuzz.test runs each for a
# share of IOTRAP_FUZZ_SECONDS.
EXTRA_DIST += tests/fuzz/fuzz_iotrapd_proto.c tests/fuzz/fuzz_iotrapd_conf.c \
	tests/fuzz/fuzz_parsers.c tests/fuzz/run_iotrapd.sh tests/fuzz/run_iotrapd_proto.sh \
	tests/fuzz/run_iotrapd_conf.sh tests/fuzz/run_parsers.sh
CLEANFILES += tests/fuzz/fuzz_iotrapd_proto tests/fuzz/fuzz_iotrapd_conf tests/fuzz/fuzz_parsers
if HAVE_LIBFUZZER
fuzz_iotrapd_flags = -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	-I$(top_builddir)/include -I$(top_srcdir)/include -I$(top_srcdir) -I$(top_builddir) \
	-DIOTRAP_BUILDING -D_GNU_SOURCE $(CAPSTONE_CFLAGS)
# The dispatch serves through the whole port session, so the request target is built
# with every source of the core.
fuzz_iotrapd_proto_sources = tests/fuzz/fuzz_iotrapd_proto.c $(filter %.c,$(iotrapd_core)) \
	$(filter %.c,$(core_sources))
fuzz_iotrapd_conf_sources = tests/fuzz/fuzz_iotrapd_conf.c daemon/conf.c common/portset.c \
	common/parse.c session/portmap.c common/status.c
fuzz_iotrapd_headers = $(addprefix $(srcdir)/,$(filter %.h,$(iotrapd_core) $(core_sources)))
tests/fuzz/fuzz_iotrapd_proto: $(addprefix $(srcdir)/,$(fuzz_iotrapd_proto_sources)) \
		$(fuzz_iotrapd_headers) decoder/capstone-x86.o
	@mkdir -p $(@D)
	$(AM_V_CCLD)$(CLANG) $(fuzz_iotrapd_flags) -o $@ \
		$(addprefix $(srcdir)/,$(fuzz_iotrapd_proto_sources)) decoder/capstone-x86.o -ldl -lpthread
tests/fuzz/fuzz_iotrapd_conf: $(addprefix $(srcdir)/,$(fuzz_iotrapd_conf_sources)) \
		$(fuzz_iotrapd_headers)
	@mkdir -p $(@D)
	$(AM_V_CCLD)$(CLANG) $(fuzz_iotrapd_flags) -o $@ \
		$(addprefix $(srcdir)/,$(fuzz_iotrapd_conf_sources))
fuzz_parsers_sources = tests/fuzz/fuzz_parsers.c common/portset.c common/parse.c \
	session/portmap.c common/status.c
tests/fuzz/fuzz_parsers: $(addprefix $(srcdir)/,$(fuzz_parsers_sources)) $(fuzz_iotrapd_headers)
	@mkdir -p $(@D)
	$(AM_V_CCLD)$(CLANG) $(fuzz_iotrapd_flags) -o $@ $(addprefix $(srcdir)/,$(fuzz_parsers_sources))
tests/fuzz.log: tests/fuzz/fuzz_iotrapd_proto tests/fuzz/fuzz_iotrapd_conf tests/fuzz/fuzz_parsers
endif
