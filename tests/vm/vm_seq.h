/* The fixed access sequence of the "lptuart" check, shared by vm-prog (real IN/OUT
 * instructions) and vm-backend (a backend's vtable), so that both print transcripts that
 * can be compared line by line.  The includer defines vm_raw_in() and vm_raw_out().
 */
#ifndef IOTRAP_TESTS_VM_SEQ_H
#define IOTRAP_TESTS_VM_SEQ_H

#include <stdio.h>
#include "vm_safe.h"

static uint32_t vm_raw_in(unsigned port, unsigned width);
static void vm_raw_out(unsigned port, unsigned width, uint32_t v);

static unsigned nread;

static uint32_t rd(unsigned port, unsigned width)
{
    vm_require_safe(port, width);
    uint32_t v = vm_raw_in(port, width);
    printf("r%u %03x = %0*x\n", width * 8, port, (int)width * 2, v);
    nread++;
    return v;
}

static void wr(unsigned port, unsigned width, uint32_t v)
{
    vm_require_safe(port, width);
    /* Never raise STROBE from here: a strobe sends a byte to the host's lpt file, which
     * only the print test may write to. */
    if (port <= 0x37a && port + width - 1 >= 0x37a)
        v &= ~(1u << ((0x37a - port) * 8));
    vm_raw_out(port, width, v);
}

static void seq_lpt(void)
{
    static const uint8_t pat[] = {0x00, 0x55, 0xaa, 0xff, 0x5a, 0x81};
    for (size_t i = 0; i < sizeof pat; i++) {
        wr(0x378, 1, pat[i]);
        rd(0x378, 1);
    }
    rd(0x379, 1);
    rd(0x37a, 1);
    /* Control: INIT, SELECT, AUTOFD combinations (never STROBE). */
    static const uint8_t ctl[] = {0x0c, 0x0e, 0x08, 0x04, 0x0c};
    for (size_t i = 0; i < sizeof ctl; i++) {
        wr(0x37a, 1, ctl[i]);
        rd(0x37a, 1);
        rd(0x379, 1);
    }
    /* Reverse direction (control bit 5): the data register reads the input latch. */
    wr(0x378, 1, 0x3c);
    wr(0x37a, 1, 0x2c);
    rd(0x37a, 1);
    rd(0x378, 1);
    wr(0x37a, 1, 0x0c);
    rd(0x378, 1);
    /* Wide accesses split into bytes in port order. */
    wr(0x378, 2, 0x1234);
    rd(0x378, 2);
    rd(0x379, 2);
    wr(0x378, 1, 0xc3);
}

static void seq_uart(void)
{
    static const uint8_t pat[] = {0x00, 0x01, 0x80, 0xa5, 0xff, 0x3c};
    for (size_t i = 0; i < sizeof pat; i++) {
        wr(0x3ff, 1, pat[i]);
        rd(0x3ff, 1);
    }
    rd(0x3fb, 1); /* LCR: harmless to read */
    wr(0x3ff, 1, 0x42);
}

#endif
