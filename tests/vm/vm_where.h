/* Where a test program's LPT (0x378-0x37f) and UART (0x3f8-0x3ff) really are.
 *
 * The programs know only the legacy addresses, as the software iotrap serves does.  Given
 * --lpt BASE or --uart BASE they do, natively, what `iotrap run --remap` does for an
 * unchanged program: every access to a legacy port goes to the same register of the
 * device at BASE, while transcripts keep naming the legacy port.  A native run at the
 * moved devices can then be compared line by line with the native run at the legacy ones,
 * which proves the moved devices behave alike before iotrap is involved.
 */
#ifndef IOTRAP_TESTS_VM_WHERE_H
#define IOTRAP_TESTS_VM_WHERE_H

#include <errno.h>
#include <string.h>
#include <sys/io.h>
#include "vm_safe.h"

static unsigned vm_lpt_at = VM_LPT, vm_uart_at = VM_UART;

/* The device port a program port reaches. */
static inline unsigned vm_where(unsigned port)
{
    if (port >= VM_LPT && port <= VM_LPT + 7)
        return vm_lpt_at + (port - VM_LPT);
    if (port >= VM_UART && port <= VM_UART + 7)
        return vm_uart_at + (port - VM_UART);
    return port;
}

/* Reads the leading options [--ioperm] [--lpt BASE] [--uart BASE], in any order, from
 * argv[*a] on.  Each BASE must start a test device's 8 ports.  --ioperm grants the
 * process the 8 ports of both devices in use.  Returns 0, or 2 after a message. */
static inline int vm_where_options(int argc, char **argv, int *a)
{
    int grant = 0;
    for (; *a < argc; ++*a) {
        unsigned *base = NULL;
        if (strcmp(argv[*a], "--ioperm") == 0)
            grant = 1;
        else if (strcmp(argv[*a], "--lpt") == 0)
            base = &vm_lpt_at;
        else if (strcmp(argv[*a], "--uart") == 0)
            base = &vm_uart_at;
        else
            break;
        if (!base)
            continue;
        if (++*a == argc) {
            fprintf(stderr, "%s needs a base port\n", argv[*a - 1]);
            return 2;
        }
        char *end;
        unsigned long v = strtoul(argv[*a], &end, 0);
        if (*end || v > 0xfff8) {
            fprintf(stderr, "bad base port \"%s\"\n", argv[*a]);
            return 2;
        }
        vm_require_safe((unsigned)v, 8);
        *base = (unsigned)v;
    }
    if (grant && (ioperm(vm_lpt_at, 8, 1) != 0 || ioperm(vm_uart_at, 8, 1) != 0)) {
        fprintf(stderr, "ioperm: %s\n", strerror(errno));
        return 2;
    }
    return 0;
}

#endif
