/* The only ports the guest tests may touch: QEMU's emulated devices, each a block of 8
 * ports.  The legacy ones are the LPT at 0x378 and the 16550 UART at 0x3f8; the moved ones
 * are a second LPT at 0xe050 (an isa-parallel placed where a PCI parallel card's BAR
 * would be) and the 16550 of QEMU's pci-serial card at whatever I/O BAR the guest gave it.
 * Every guest program checks its ports against this before doing real I/O, so that a typo
 * can never reach the keyboard controller, the reset register or PCI configuration space.
 */
#ifndef IOTRAP_TESTS_VM_SAFE_H
#define IOTRAP_TESTS_VM_SAFE_H

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "backends/direct_io.h"

#define VM_LPT 0x378u
#define VM_UART 0x3f8u
#define VM_SCRATCH 0x3ffu
#define VM_LPT2 0xe050u

/* Finds QEMU's pci-serial card (vendor 1b36, device 0002) in sysfs: its directory goes to
 * dir, the return value is the start of its 8-port I/O BAR, or 0 when there is none.  The
 * BAR is taken only if the kernel lists it as I/O space of exactly 8 ports. */
static inline unsigned vm_pci_uart_find(char *dir, size_t len)
{
    static const char devices[] = "/sys/bus/pci/devices";
    DIR *d = opendir(devices);
    struct dirent *e;
    unsigned base = 0;
    while (d && !base && (e = readdir(d)) != NULL) {
        char path[512], id[64] = "";
        if (e->d_name[0] == '.')
            continue;
        snprintf(dir, len, "%s/%s", devices, e->d_name);
        snprintf(path, sizeof path, "%s/vendor", dir);
        FILE *f = fopen(path, "r");
        if (f) {
            size_t n = fread(id, 1, 6, f);
            fclose(f);
            id[n] = 0;
        }
        snprintf(path, sizeof path, "%s/device", dir);
        if (strcmp(id, "0x1b36") != 0 || !(f = fopen(path, "r")))
            continue;
        size_t n = fread(id, 1, 6, f);
        fclose(f);
        id[n] = 0;
        snprintf(path, sizeof path, "%s/resource", dir);
        unsigned long long start, end, flags;
        if (strcmp(id, "0x0002") != 0 || !(f = fopen(path, "r")))
            continue;
        /* IORESOURCE_IO is 0x100 in the flags column. */
        if (fscanf(f, "%llx %llx %llx", &start, &end, &flags) == 3 && (flags & 0x100) &&
            end == start + 7 && start >= 0x1000 && end <= 0xffff)
            base = (unsigned)start;
        fclose(f);
    }
    if (d)
        closedir(d);
    return base;
}

/* The pci-serial card's base, looked up once. */
static inline unsigned vm_pci_uart(void)
{
    static int looked;
    static unsigned base;
    if (!looked) {
        char dir[300];
        base = vm_pci_uart_find(dir, sizeof dir);
        looked = 1;
    }
    return base;
}

static inline int vm_in_block(unsigned port, unsigned width, unsigned base)
{
    return base != 0 && port >= base && port + width - 1 <= base + 7;
}

static inline int vm_port_safe(unsigned port, unsigned width)
{
    return vm_in_block(port, width, VM_LPT) || vm_in_block(port, width, VM_UART) ||
           vm_in_block(port, width, VM_LPT2) || vm_in_block(port, width, vm_pci_uart());
}

static inline void vm_require_safe(unsigned port, unsigned width)
{
    if (!vm_port_safe(port, width)) {
        fprintf(stderr, "refusing real I/O at port 0x%x width %u: only 0x378-0x37f, "
                        "0x3f8-0x3ff, 0xe050-0xe057 and the pci-serial card's 8 ports "
                        "(0x%x) are test devices\n", port, width, vm_pci_uart());
        exit(3);
    }
}

/* Plain IN/OUT instructions (the direct backend's own): under iotrap they trap, with
 * ioperm they run natively. */
static inline uint32_t vm_in(unsigned port, unsigned width)
{
    return iotrap__native_in((uint16_t)port, width);
}

static inline void vm_out(unsigned port, unsigned width, uint32_t v)
{
    iotrap__native_out((uint16_t)port, width, v);
}

#endif
