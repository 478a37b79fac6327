/* A set of I/O ports (one bit per port of the 64 KiB port space) and the parser of the
 * range lists that fill it ("0x378-0x37f,0x3f8,888").  Used by the direct backend for the
 * ranges a launcher granted, and by iotrapd for the ports= of its rules.
 */
#ifndef IOTRAP_BACKENDS_DIRECT_PORTSET_H
#define IOTRAP_BACKENDS_DIRECT_PORTSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct iotrap__portset {
    uint64_t bits[65536 / 64];
} iotrap__portset;

static inline bool iotrap__portset_has(const iotrap__portset *s, unsigned port)
{
    return port < 65536 && (s->bits[port / 64] >> (port % 64)) & 1;
}

/* 1 if every port of [port, port+count) is in the set (false past 0xffff). */
bool iotrap__portset_has_all(const iotrap__portset *s, unsigned port, unsigned count);
void iotrap__portset_add(iotrap__portset *s, unsigned first, unsigned last);
void iotrap__portset_remove(iotrap__portset *s, unsigned first, unsigned last);

/* Calls fn for each maximal run [first, last] of ports in the set, in port order. */
void iotrap__portset_each_run(const iotrap__portset *s,
                              void (*fn)(void *ctx, unsigned first, unsigned last), void *ctx);

/* Parses a comma-separated list of PORT or FIRST-LAST items (C integer syntax: 0x378,
 * 888, 01570) and calls item() for each; "all" means 0-0xffff, "none" nothing.  Returns 0, or -1 with a
 * message naming the bad item in err. */
int iotrap__ranges_parse(const char *text,
                         int (*item)(void *ctx, unsigned first, unsigned last), void *ctx,
                         char *err, size_t errlen);

/* Adds every range of text to the set; same return as iotrap__ranges_parse. */
int iotrap__portset_parse(iotrap__portset *s, const char *text, char *err, size_t errlen);

#endif
