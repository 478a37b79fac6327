# Test suites.  Each suite is a TAP script run by automake's TAP driver; every test case
# in it runs in its own process under a timeout (tests/tap-run).
TEST_EXTENSIONS = .test
TEST_LOG_DRIVER = env AM_TAP_AWK='$(AWK)' $(SHELL) $(top_srcdir)/build-aux/tap-driver.sh
AM_TESTS_ENVIRONMENT = \
	top_srcdir='$(abs_top_srcdir)'; top_builddir='$(abs_top_builddir)'; \
	IOTRAP_PRELOAD_DIR='$(abs_top_builddir)/stage/preload'; \
	PATH='$(abs_top_builddir)/tools:$(PATH)'; \
	export top_srcdir top_builddir IOTRAP_PRELOAD_DIR PATH;
EXTRA_DIST += tests/tap-run tests/unit/harness.h

# configure's switches and make install, on trees of their own.
iotrap_tests += tests/build.test
EXTRA_DIST += tests/build.test tests/build/common.bash tests/build/install_full.sh \
	tests/build/install_minimal.sh tests/build/configure_refusals.sh

# Unit tests (cmocka): tests/unit.test runs every tests/unit/test_* binary of check_PROGRAMS.
iotrap_tests += tests/unit.test
EXTRA_DIST += tests/unit.test
