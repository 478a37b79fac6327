# common: what every layer shares: status codes, formatting without stdio, the library's
# own mappings, the number and
# device-spec parsers, the port set with the one parser of port lists, files an option
# names, the private directory of a run's files, and the size check of the public structs a
# caller fills in.
core_sources += common/status.c common/structsize.c common/structsize.h common/version.c \
	common/fmt.c common/fmt.h common/parse.c common/parse.h common/portset.c common/portset.h \
	common/userfile.c common/userfile.h common/rundir.c common/rundir.h \
	common/map.c common/map.h common/startup.h common/preload_names.h

if HAVE_CMOCKA
check_PROGRAMS += tests/unit/test_version
tests_unit_test_version_SOURCES = tests/unit/test_version.c
tests_unit_test_version_CPPFLAGS = $(AM_CPPFLAGS) -DIOTRAP_TOP_SRCDIR='"$(abs_top_srcdir)"'
tests_unit_test_version_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_version_LDADD = libiotrap.la $(CMOCKA_LIBS)
tests_unit_test_version_LDFLAGS = -no-install
endif
