/* The only ports the guest tests may touch: QEMU's emulated LPT at 0x378-0x37f and the
 * 16550 UART at 0x3f8-0x3ff.  Every guest program checks its ports against this before
 * doing real I/O, so that a typo can never reach the keyboard controller, the reset
 * register or PCI configuration space.
 */
#ifndef IOTRAP_TESTS_VM_SAFE_H
#define IOTRAP_TESTS_VM_SAFE_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include "backends/direct_io.h"

#define VM_LPT 0x378u
#define VM_UART 0x3f8u
#define VM_SCRATCH 0x3ffu

static inline int vm_port_safe(unsigned port, unsigned width)
{
    unsigned last = port + width - 1;
    return (port >= 0x378 && last <= 0x37f) || (port >= 0x3f8 && last <= 0x3ff);
}

static inline void vm_require_safe(unsigned port, unsigned width)
{
    if (!vm_port_safe(port, width)) {
        fprintf(stderr, "refusing real I/O at port 0x%x width %u: only 0x378-0x37f and "
                        "0x3f8-0x3ff are test devices\n", port, width);
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
