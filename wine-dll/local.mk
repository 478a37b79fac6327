# wine-dll: the Wine builtin DLLs and drivers, their Unix side, `iotrap wine`, and the
# Wine test suite.  See docs/wine.md.
#
# Layout, in the build tree (stage/wine) and installed ($(pkglibdir)/wine) alike, as Wine
# expects a WINEDLLPATH entry to be:
#   x86_64-windows/NAME.dll|NAME.sys  the PE side (winegcc, --wine-builtin)
#   x86_64-unix/NAME.so               the Unix side: one library, linked under every name
#   fakedlls/x86_64/NAME              placeholders that `iotrap wine --setup` copies into
#                                     the prefix (Wine loads a builtin only if a file of
#                                     that name exists there)
#   i386-windows, i386-unix, fakedlls/i386: the same for 32-bit programs

EXTRA_DIST += docs/wine.md
EXTRA_DIST += wine-dll/unixlib.h wine-dll/pe_port.h wine-dll/pe_port.c \
	wine-dll/inpout.c wine-dll/inpout.spec \
	wine-dll/dlportio.c wine-dll/dlportio.spec \
	wine-dll/winio.c wine-dll/winio2.spec wine-dll/winio3.spec \
	wine-dll/io.c wine-dll/io.spec \
	wine-dll/driver.c wine-dll/driver.h wine-dll/driver_devices.c wine-dll/driver.spec \
	wine-dll/unix_side.map wine-dll/pe_unixcall.c wine-dll/unix_private.h wine-dll/unix_wow64.c

# Module names, in lower case as Wine looks builtins up (WinIo.dll is winio.dll).  Every
# DLL module has a spec; the drivers all share one image: whichever
# of them Wine loads creates every device that does not exist yet.
WINE_DLLS = inpout32.dll inpoutx64.dll dlportio.dll winio32.dll winio64.dll winio.dll io.dll
WINE_DRIVERS = iotrap.sys giveio.sys porttalk.sys ioperm.sys inpout32.sys inpoutx64.sys \
	hwinterface.sys hwinterfacex64.sys winio.sys winio32.sys winio64.sys dlportio.sys
WINE_MODULES = $(WINE_DLLS) $(WINE_DRIVERS)
# The 32-bit builds: no x64-only DLLs.  The drivers are built for i386 too: services.exe
# starts a kernel driver in the 32-bit winedevice.exe when the image file the application
# registered is a 32-bit binary (as an old inpout32.dll's hwinterface.sys is).
WINE_DLLS32 = inpout32.dll dlportio.dll winio32.dll winio.dll io.dll
WINE_MODULES32 = $(WINE_DLLS32) $(WINE_DRIVERS)

spec_inpout32.dll = inpout
spec_inpoutx64.dll = inpout
spec_dlportio.dll = dlportio
spec_winio32.dll = winio3
spec_winio64.dll = winio3
spec_winio.dll = winio2
spec_io.dll = io
src_inpout = inpout
src_dlportio = dlportio
src_winio3 = winio
src_winio2 = winio
src_io = io

if HAVE_WINE64_BUILD
# ---- Unix side (ELF, x86-64) ------------------------------------------------------
# Built shared (-rpath) but installed from stage/wine with the rest (wine-install).
noinst_LTLIBRARIES += wine-dll/iotrap-wine.la
wine_dll_iotrap_wine_la_SOURCES = wine-dll/unix_side.c wine-dll/unixlib.h wine-dll/unix_private.h \
	wine-dll/unix_wow64.c
wine_dll_iotrap_wine_la_LIBADD = libiotrap_core.la -lpthread
wine_dll_iotrap_wine_la_LDFLAGS = -module -avoid-version -shared -no-undefined -rpath /nowhere \
	-Wl,--version-script=$(srcdir)/wine-dll/unix_side.map

# ---- PE side (winegcc with the mingw-w64 cross compiler) --------------------------
WINE_PE64_CFLAGS = -b x86_64-w64-mingw32 -O2 -Wall -Wno-unused-parameter \
	-I$(top_srcdir) -I$(top_srcdir)/include
WINE_PE64_OBJS_COMMON = wine-dll/pe64/pe_port.o

# Objects reached only through pattern rules: keep them between builds.
.PRECIOUS: wine-dll/pe64/%.o wine-dll/pe32/%.o
wine-dll/pe64/%.o: $(srcdir)/wine-dll/%.c $(srcdir)/wine-dll/pe_port.h $(srcdir)/wine-dll/unixlib.h \
		$(srcdir)/wine-dll/driver.h
	@mkdir -p $(@D)
	$(AM_V_CC)$(WINEGCC) $(WINE_PE64_CFLAGS) -c -o $@ $<

WINE_DLL_LIBS = -lkernel32 -lntdll
WINE_SYS_LIBS = -Wl,--subsystem,native -lntoskrnl -lkernel32 -lntdll
# $(call wine_link64,OUTPUT,OBJECTS,SPEC,EXTRA) links one builtin module.
wine_link64 = mkdir -p $(dir $(1)) && \
	$(WINEGCC) -b x86_64-w64-mingw32 -shared -o $(1) $(2) $(3) -Wl,--wine-builtin $(4)

stage/wine/x86_64-windows/%.dll: $(WINE_PE64_OBJS_COMMON) wine-dll/pe64/inpout.o \
		wine-dll/pe64/dlportio.o wine-dll/pe64/winio.o wine-dll/pe64/io.o \
		$(srcdir)/wine-dll/inpout.spec $(srcdir)/wine-dll/dlportio.spec \
		$(srcdir)/wine-dll/winio2.spec $(srcdir)/wine-dll/winio3.spec $(srcdir)/wine-dll/io.spec
	$(AM_V_GEN)$(call wine_link64,$@,$(WINE_PE64_OBJS_COMMON) \
		wine-dll/pe64/$(src_$(spec_$(@F))).o,$(srcdir)/wine-dll/$(spec_$(@F)).spec,$(WINE_DLL_LIBS))

stage/wine/x86_64-windows/%.sys: $(WINE_PE64_OBJS_COMMON) wine-dll/pe64/driver.o \
		wine-dll/pe64/driver_devices.o $(srcdir)/wine-dll/driver.spec
	$(AM_V_GEN)$(call wine_link64,$@,$(WINE_PE64_OBJS_COMMON) wine-dll/pe64/driver.o \
		wine-dll/pe64/driver_devices.o,$(srcdir)/wine-dll/driver.spec,$(WINE_SYS_LIBS))

stage/wine/fakedlls/x86_64/%.dll: $(srcdir)/wine-dll/inpout.spec $(srcdir)/wine-dll/dlportio.spec \
		$(srcdir)/wine-dll/winio2.spec $(srcdir)/wine-dll/winio3.spec $(srcdir)/wine-dll/io.spec
	@mkdir -p $(@D)
	$(AM_V_GEN)$(WINEBUILD) -m64 --dll --fake-module -E $(srcdir)/wine-dll/$(spec_$(@F)).spec \
		-F $(@F) -o $@

stage/wine/fakedlls/x86_64/%.sys: $(srcdir)/wine-dll/driver.spec
	@mkdir -p $(@D)
	$(AM_V_GEN)$(WINEBUILD) -m64 --dll --fake-module --subsystem=native \
		-E $(srcdir)/wine-dll/driver.spec -F $(@F) -o $@

WINE_STAGE32 =
WINE_STAGE64 = $(addprefix stage/wine/x86_64-windows/,$(WINE_MODULES)) \
	$(addprefix stage/wine/fakedlls/x86_64/,$(WINE_MODULES))

# The Unix side under every module's name (NAME.so next to NAME.dll or NAME.sys).  The
# stamps depend on the Makefile too, which holds the list of names.
stage/wine/x86_64-unix/.stamp: wine-dll/iotrap-wine.la Makefile
	@mkdir -p $(@D)
	$(AM_V_GEN)cp -f wine-dll/.libs/iotrap-wine.so $(@D)/iotrap-wine.so && \
	for m in $(basename $(WINE_MODULES)); do ln -sfn iotrap-wine.so $(@D)/$$m.so; done && \
	touch $@

wine-stage: $(WINE_STAGE64) stage/wine/x86_64-unix/.stamp $(WINE_STAGE32)

wine-install: wine-stage
	$(MKDIR_P) $(DESTDIR)$(pkglibdir)/wine
	cd stage/wine && for f in $$(find . \( -type f -o -type l \) ! -name .stamp); do \
	  $(MKDIR_P) $(DESTDIR)$(pkglibdir)/wine/$$(dirname $$f) && \
	  cp -P $$f $(DESTDIR)$(pkglibdir)/wine/$$f || exit 1; done

wine-uninstall:
	rm -rf $(DESTDIR)$(pkglibdir)/wine

CLEANFILES += wine-dll/pe64/*.o

# ---- i386: PE side linked with mingw-w64's own runtime -----------------------------
# Wine's i386 development files (libwine-dev:i386) are often not installable next to the
# amd64 ones, so the 32-bit DLLs do not need them: the export table comes from the spec
# (winebuild --def), pe_unixcall.c replaces libwinecrt0's binding to the Unix side, and
# winebuild --builtin marks the result as a Wine builtin.  The drivers are compiled against
# Wine's headers (winegcc only compiles; mingw-w64's import libraries resolve ntoskrnl.exe)
# and have no C runtime: their entry point is DriverEntry.
if HAVE_MINGW32
WINE_PE32_CFLAGS = -O2 -Wall -Wno-unused-parameter -I$(top_srcdir) -I$(top_srcdir)/include
WINE_PE32_OBJS_COMMON = wine-dll/pe32/pe_port.o wine-dll/pe32/pe_unixcall.o
# $(call wine_link32,OUTPUT,OBJECTS,SPEC,EXTRA) links one builtin module: exports from the
# spec, then the builtin mark.
wine_link32 = mkdir -p $(dir $(1)) && \
	$(WINEBUILD) -m32 --def -E $(3) -F $(notdir $(1)) -o $(1).def && \
	$(MINGW32_CC) -shared -o $(1) $(2) $(1).def -Wl,--kill-at -Wl,--enable-stdcall-fixup $(4) && \
	rm -f $(1).def && $(WINEBUILD) --builtin $(1)
WINE_SYS32_LIBS = -nostdlib -Wl,--subsystem,native -Wl,-e,_DriverEntry@8 \
	-lntoskrnl -lkernel32 -lntdll -lgcc

wine-dll/pe32/%.o: $(srcdir)/wine-dll/%.c $(srcdir)/wine-dll/pe_port.h $(srcdir)/wine-dll/unixlib.h
	@mkdir -p $(@D)
	$(AM_V_CC)$(MINGW32_CC) $(WINE_PE32_CFLAGS) -c -o $@ $<

stage/wine/i386-windows/%.dll: $(WINE_PE32_OBJS_COMMON) wine-dll/pe32/inpout.o \
		wine-dll/pe32/dlportio.o wine-dll/pe32/winio.o wine-dll/pe32/io.o \
		$(srcdir)/wine-dll/inpout.spec $(srcdir)/wine-dll/dlportio.spec \
		$(srcdir)/wine-dll/winio2.spec $(srcdir)/wine-dll/winio3.spec $(srcdir)/wine-dll/io.spec
	$(AM_V_GEN)$(call wine_link32,$@,$(WINE_PE32_OBJS_COMMON) \
		wine-dll/pe32/$(src_$(spec_$(@F))).o,$(srcdir)/wine-dll/$(spec_$(@F)).spec,-lntdll)

wine-dll/pe32/driver.o wine-dll/pe32/driver_devices.o: wine-dll/pe32/%.o: $(srcdir)/wine-dll/%.c \
		$(srcdir)/wine-dll/pe_port.h $(srcdir)/wine-dll/unixlib.h $(srcdir)/wine-dll/driver.h
	@mkdir -p $(@D)
	$(AM_V_CC)$(WINEGCC) -b i686-w64-mingw32 -m32 $(WINE_PE32_CFLAGS) -c -o $@ $<

stage/wine/i386-windows/%.sys: $(WINE_PE32_OBJS_COMMON) wine-dll/pe32/driver.o \
		wine-dll/pe32/driver_devices.o $(srcdir)/wine-dll/driver.spec
	$(AM_V_GEN)$(call wine_link32,$@,$(WINE_PE32_OBJS_COMMON) wine-dll/pe32/driver.o \
		wine-dll/pe32/driver_devices.o,$(srcdir)/wine-dll/driver.spec,$(WINE_SYS32_LIBS))

stage/wine/fakedlls/i386/%.dll: $(srcdir)/wine-dll/inpout.spec $(srcdir)/wine-dll/dlportio.spec \
		$(srcdir)/wine-dll/winio2.spec $(srcdir)/wine-dll/winio3.spec $(srcdir)/wine-dll/io.spec
	@mkdir -p $(@D)
	$(AM_V_GEN)$(WINEBUILD) -m32 --dll --fake-module -E $(srcdir)/wine-dll/$(spec_$(@F)).spec \
		-F $(@F) -o $@

WINE_STAGE32 += $(addprefix stage/wine/i386-windows/,$(WINE_MODULES32)) \
	$(addprefix stage/wine/fakedlls/i386/,$(WINE_DLLS32))
CLEANFILES += wine-dll/pe32/*.o
endif

# ---- i386: Unix side, from the same 32-bit core objects as the preload library -----
if HAVE_M32
wine_unix32_objs = $(patsubst %.c,m32/%.o,$(filter %.c,$(core_sources))) \
	$(patsubst %.S,m32/%.o,$(filter %.S,$(core_sources))) \
	m32/decoder/capstone-x86.o m32/wine-dll/unix_side.o
stage/wine/i386-unix/.stamp: $(wine_unix32_objs) $(srcdir)/wine-dll/unix_side.map Makefile
	@mkdir -p $(@D)
	$(AM_V_CCLD)$(CC) -m32 -shared -Wl,--no-undefined -o $(@D)/iotrap-wine.so $(wine_unix32_objs) \
		-Wl,--version-script=$(srcdir)/wine-dll/unix_side.map -lpthread && \
	for m in $(basename $(WINE_MODULES32)); do ln -sfn iotrap-wine.so $(@D)/$$m.so; done && \
	touch $@
WINE_STAGE32 += stage/wine/i386-unix/.stamp
endif
else
wine-stage wine-install wine-uninstall:
	@:
endif
all-local: wine-stage
install-data-local: wine-install
uninstall-local: wine-uninstall
.PHONY: wine-stage wine-install wine-uninstall

# ---- `iotrap wine` ------------------------------------------------------------------
tools_iotrap_SOURCES += tools/cmd_wine.c tools/cmd_wine_prefix.c tools/cmd_wine.h \
	tools/cmd_wine_info.c tools/cmd_wine_info.h tools/cmd_wine_server.c \
	tools/cmd_wine_session.c

# ---- Tests ----------------------------------------------------------------------------
# The grant file, on its own (tests/unit.test runs every tests/unit/test_* binary).
if HAVE_CMOCKA
check_PROGRAMS += tests/unit/test_wine_grants
tests_unit_test_wine_grants_SOURCES = tests/wine/test_wine_grants.c
tests_unit_test_wine_grants_CPPFLAGS = $(AM_CPPFLAGS) $(CMOCKA_CFLAGS)
tests_unit_test_wine_grants_LDADD = libiotrap_core.la $(CMOCKA_LIBS)
endif

# Windows programs built with mingw-w64, run under Wine.
WINE_TEST_PROGS = probe giveio porttalk winio inpout_folder dlportio dlportio_sys io_dll \
	scm_driver lpt_hello bench family session
EXTRA_DIST += tests/wine.test tests/wine/lib.sh tests/wine/common.h \
	$(addprefix tests/wine/,$(addsuffix .c,$(WINE_TEST_PROGS))) tests/wine/native_inpout32.c \
	tests/wine/cases tests/wine/checks tests/wine/bench.sh tests/wine/bench-start.sh tests/wine/bench-env.sh \
	tests/wine/test_wine_grants.c \
	tests/wine/chroot-cell.sh tests/wine/chroot-build.sh tests/wine-trixie.test \
	tests/wine-trixie-wow64.test
if WINE_ENABLED
# The matrix: the host's Wine, then Debian 13's Wine 10 as Debian builds it (classic) and
# as a new-WoW64 build, each in a debootstrap chroot (tests/wine/chroot-cell.sh).
iotrap_tests += tests/wine.test tests/wine-trixie.test tests/wine-trixie-wow64.test
endif
# The programs are prerequisites of the suite's log, so `make check` builds them first.
WINE_CHECK_FILES =
tests/wine.log: $(WINE_CHECK_FILES)
# What the suite needs, for running it outside `make check` (tests/wine/chroot-build.sh).
wine-check-files: wine-stage $(WINE_CHECK_FILES)
.PHONY: wine-check-files

if HAVE_MINGW64
WINE_TEST_EXE64 = $(addprefix tests/wine/x86_64/,$(addsuffix .exe,$(WINE_TEST_PROGS)))
tests/wine/x86_64/%.exe: $(srcdir)/tests/wine/%.c $(srcdir)/tests/wine/common.h
	@mkdir -p $(@D)
	$(AM_V_CC)$(MINGW64_CC) -O2 -Wall -Wextra -Wno-unused-parameter -Wno-cast-function-type -o $@ $<
# A stand-in for the inpout32.dll an application ships in its own folder.
tests/wine/x86_64/native/inpout32.dll: $(srcdir)/tests/wine/native_inpout32.c
	@mkdir -p $(@D)
	$(AM_V_CC)$(MINGW64_CC) -O2 -Wall -shared -o $@ $<
WINE_CHECK_FILES += $(WINE_TEST_EXE64) tests/wine/x86_64/native/inpout32.dll
endif
if HAVE_MINGW32
WINE_TEST_EXE32 = $(addprefix tests/wine/i386/,$(addsuffix .exe,$(WINE_TEST_PROGS)))
tests/wine/i386/%.exe: $(srcdir)/tests/wine/%.c $(srcdir)/tests/wine/common.h
	@mkdir -p $(@D)
	$(AM_V_CC)$(MINGW32_CC) -O2 -Wall -Wextra -Wno-unused-parameter -Wno-cast-function-type -o $@ $<
tests/wine/i386/native/inpout32.dll: $(srcdir)/tests/wine/native_inpout32.c
	@mkdir -p $(@D)
	$(AM_V_CC)$(MINGW32_CC) -O2 -Wall -shared -Wl,--kill-at -o $@ $<
WINE_CHECK_FILES += $(WINE_TEST_EXE32) tests/wine/i386/native/inpout32.dll
endif
CLEANFILES += tests/wine/x86_64/*.exe tests/wine/i386/*.exe tests/wine/*/native/*.dll
# The suite's throw-away prefix and work directories.
clean-local: wine-clean
wine-clean:
	rm -rf tests/wine-prefix tests/wine-work
.PHONY: wine-clean
