/* The x86 port I/O instructions for backends that reach real ports from this process
 * (direct, and iotrapd serving through it).  The caller must hold I/O permission for the
 * ports, or the instruction raises #GP.
 */
#ifndef IOTRAP_BACKENDS_DIRECT_IO_H
#define IOTRAP_BACKENDS_DIRECT_IO_H

#include <stdint.h>

static inline uint32_t iotrap__native_in(uint16_t port, unsigned width)
{
    if (width == 1) {
        uint8_t v;
        __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
        return v;
    }
    if (width == 2) {
        uint16_t v;
        __asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
        return v;
    }
    uint32_t v;
    __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

static inline void iotrap__native_out(uint16_t port, unsigned width, uint32_t v)
{
    if (width == 1)
        __asm__ volatile("outb %b0, %1" : : "a"(v), "Nd"(port));
    else if (width == 2)
        __asm__ volatile("outw %w0, %1" : : "a"(v), "Nd"(port));
    else
        __asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

#endif
