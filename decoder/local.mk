# decoder: the port-I/O decoder (scan + Capstone + cache), its formatters and the
# execution API.  See docs/decoder.md.
core_sources += decoder/scan.c decoder/scan.h decoder/cs_pool.c decoder/cs_pool.h \
	decoder/decode.c decoder/format.c decoder/execute.c

EXTRA_DIST += tests/golden/decode.tsv tests/unit/decode_oracle.h docs/decoder.md

if HAVE_CMOCKA
check_PROGRAMS += tests/unit/test_decode tests/unit/test_exec
tests_unit_test_decode_SOURCES = tests/unit/test_decode.c
tests_unit_test_decode_CPPFLAGS = $(AM_CPPFLAGS) -DIOTRAP_TOP_SRCDIR='"$(abs_top_srcdir)"'
tests_unit_test_decode_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_decode_LDADD = libiotrap_core.la $(CAPSTONE_LIBS) $(CMOCKA_LIBS) -lpthread
tests_unit_test_exec_SOURCES = tests/unit/test_exec.c
tests_unit_test_exec_CFLAGS = $(AM_CFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_exec_LDADD = libiotrap_core.la $(CAPSTONE_LIBS) $(CMOCKA_LIBS)
endif

# The libFuzzer target, built with clang (configure's CLANG) when it supports
# -fsanitize=fuzzer; tests/fuzz.test runs it for a bounded time.  Without it the suite
# fails and says what to install.
iotrap_tests += tests/fuzz.test
EXTRA_DIST += tests/fuzz.test tests/fuzz/run_decode.sh tests/fuzz/fuzz_decode.c
CLEANFILES += tests/fuzz/fuzz_decode
if HAVE_LIBFUZZER
fuzz_decode_sources = tests/fuzz/fuzz_decode.c decoder/scan.c decoder/cs_pool.c \
	decoder/decode.c decoder/format.c decoder/execute.c common/status.c
tests/fuzz/fuzz_decode: $(addprefix $(srcdir)/,$(fuzz_decode_sources)) \
		$(srcdir)/tests/unit/decode_oracle.h $(srcdir)/decoder/scan.h $(srcdir)/decoder/cs_pool.h
	@mkdir -p $(@D)
	$(AM_V_CCLD)$(CLANG) -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
		-I$(top_srcdir)/include -I$(top_srcdir) -I$(top_builddir) -DIOTRAP_BUILDING -D_GNU_SOURCE \
		$(CAPSTONE_CFLAGS) -o $@ $(addprefix $(srcdir)/,$(fuzz_decode_sources)) $(CAPSTONE_LIBS)
tests/fuzz.log: tests/fuzz/fuzz_decode
endif
