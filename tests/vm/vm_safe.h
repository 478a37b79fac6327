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

/* Plain IN/OUT instructions: under iotrap they trap, with ioperm they run natively. */
static inline uint32_t vm_in(unsigned port, unsigned width)
{
    uint16_t dx = (uint16_t)port;
    if (width == 1) {
        uint8_t v;
        __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(dx));
        return v;
    }
    if (width == 2) {
        uint16_t v;
        __asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(dx));
        return v;
    }
    uint32_t v;
    __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(dx));
    return v;
}

static inline void vm_out(unsigned port, unsigned width, uint32_t v)
{
    uint16_t dx = (uint16_t)port;
    if (width == 1)
        __asm__ volatile("outb %b0, %1" : : "a"(v), "Nd"(dx));
    else if (width == 2)
        __asm__ volatile("outw %w0, %1" : : "a"(v), "Nd"(dx));
    else
        __asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(dx));
}

#endif
