/* The port policy of a session: one bit per port, as in the TSS I/O bitmap, except
 * that a set bit here means "allowed".  An access of `width` bytes at `port` needs every
 * port of port..port+width-1; ports past 0xffff are never allowed (the CPU's bitmap ends
 * with an all-ones byte for the same reason).  Reads and writes share the bitmap for now;
 * the daemon adds per-direction rules on its side. */
#ifndef IOTRAP_BACKENDS_POLICY_H
#define IOTRAP_BACKENDS_POLICY_H

#include <stddef.h>
#include <stdint.h>
#include "common/parse.h"

typedef struct iotrap__policy {
    uint8_t bits[IOTRAP__PORT_BITMAP_BYTES];
} iotrap__policy;

/* Builds the policy from a port list ("all", "none", "0x378-0x37f,0x3f8"). */
int iotrap__policy_parse(iotrap__policy *pol, const char *text, char *err, size_t errlen);

/* Async-signal-safe and branch-light: the trap engine calls it for every access. */
static inline int iotrap__policy_allowed(const iotrap__policy *pol, uint32_t port,
                                         unsigned width)
{
    if (port + width > 0x10000u)
        return 0;
    for (unsigned i = 0; i < width; i++) {
        uint32_t p = port + i;
        if (!(pol->bits[p >> 3] & (1u << (p & 7))))
            return 0;
    }
    return 1;
}

/* Calls fn for each maximal run of allowed ports, in port order; stops at the first
 * nonzero return and returns it. */
int iotrap__policy_each_run(const iotrap__policy *pol,
                            int (*fn)(void *ctx, uint16_t first, uint32_t count), void *ctx);

#endif
