# examples: legacy programs that ./quickstart runs under `iotrap run` and `iotrap wine`, and
# an emulator built on libiotrap.
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

# An emulator built on libiotrap: Unicorn runs the code, libiotrap decodes and executes its
# port instructions (examples/unicorn_ports.c).  Installed as documentation with its demo
# code; built here for tests/lib/unicorn.sh, linked as an emulator links it, against the
# shared library only through the public headers.
unicorndocdir = $(docdir)/examples/unicorn
dist_unicorndoc_DATA = examples/unicorn_ports.c examples/unicorn_demo.S
if HAVE_UNICORN
check_PROGRAMS += examples/unicorn_ports
examples_unicorn_ports_SOURCES = examples/unicorn_ports.c
examples_unicorn_ports_CPPFLAGS = -I$(top_builddir)/include -I$(top_srcdir)/include
examples_unicorn_ports_CFLAGS = $(WARN_CFLAGS) $(UNICORN_CFLAGS)
examples_unicorn_ports_LDADD = libiotrap.la $(UNICORN_LIBS)
examples_unicorn_ports_LDFLAGS = -no-install
endif
# The demo as flat code, which unicorn_ports loads.
check_DATA += examples/unicorn_demo.bin
examples/unicorn_demo.bin: $(srcdir)/examples/unicorn_demo.S
	@mkdir -p $(@D)
	$(AM_V_GEN)$(CCAS) -c -o examples/unicorn_demo-flat.o $(srcdir)/examples/unicorn_demo.S && \
	  $(OBJCOPY) -O binary -j .text.unicorn_demo examples/unicorn_demo-flat.o $@ && \
	  rm -f examples/unicorn_demo-flat.o
CLEANFILES += examples/unicorn_demo.bin
