# examples: legacy programs that ./quickstart runs under `iotrap run` and `iotrap wine`.
noinst_PROGRAMS += examples/ioperm_test
examples_ioperm_test_SOURCES = examples/ioperm_test.c
# It stands for code written without iotrap in mind: no project headers or flags.
examples_ioperm_test_CPPFLAGS =
examples_ioperm_test_CFLAGS = -O2 -Wall

# The same source built for Windows, as the original also was.
if HAVE_MINGW64
noinst_DATA = examples/ioperm_test.exe
examples/ioperm_test.exe: $(srcdir)/examples/ioperm_test.c
	@mkdir -p $(@D)
	$(AM_V_CC)$(MINGW64_CC) -O2 -Wall -Wextra -o $@ $(srcdir)/examples/ioperm_test.c
CLEANFILES += examples/ioperm_test.exe
endif

# The sample device plug-in, installed with the documentation as the example that
# docs/devices.md and iotrap-devices(7) walk through (the tests build it too).
plugindocdir = $(docdir)/examples/device-plugin
dist_plugindoc_DATA = examples/device-plugin/counter.c
