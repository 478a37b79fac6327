# tests/vm: the real-port suite in a QEMU guest (tests/vm.test) and the programs it puts
# into the guest.  Only QEMU's devices are ever touched: its LPTs at 0x378 and 0xe050, its
# UART at 0x3f8 and its pci-serial UART (tests/vm/vm_safe.h).
check_PROGRAMS += tests/vm/vm-prog tests/vm/vm-runas tests/vm/vm-backend tests/vm/vm-client \
	tests/vm/vm-fidelity tests/vm/vm-bench
tests_vm_vm_prog_SOURCES = tests/vm/vm-prog.c tests/vm/vm_safe.h tests/vm/vm_seq.h \
	tests/vm/vm_where.h
tests_vm_vm_runas_SOURCES = tests/vm/vm-runas.c tests/vm/vm_safe.h
tests_vm_vm_backend_SOURCES = tests/vm/vm-backend.c tests/vm/vm_safe.h tests/vm/vm_seq.h
tests_vm_vm_backend_LDADD = libiotrap_core.la
tests_vm_vm_client_SOURCES = tests/vm/vm-client.c
tests_vm_vm_client_LDADD = libiotrap_core.la
tests_vm_vm_fidelity_SOURCES = tests/vm/vm-fidelity.c tests/vm/vm_safe.h tests/vm/vm_where.h
tests_vm_vm_bench_SOURCES = tests/vm/vm-bench.c tests/vm/vm_safe.h

# The guest checks serve through iotrapd too.
if ENABLE_DAEMON
iotrap_tests += tests/vm.test
endif
EXTRA_DIST += tests/vm.test tests/vm/init tests/vm/guest.sh tests/vm/mkinitramfs
