/* A set of I/O ports, one bit for each of the 65536, and the one parser of the port lists
 * people write: --allow, --route and --remap, IOTRAP_ALLOW, IOTRAP_IOPERM_GRANTED, the
 * ports= of iotrap.conf and the base of a device spec all go through it.
 *
 * The grammar (iotrap(1), "PORT LISTS"):
 *     list  = "all" | "none" | item { "," item }
 *     item  = port | port "-" port            (spaces around items and "-" are ignored)
 *     port  = "0x" hexdigits | decimal        (0 to 0xffff; a decimal other than 0 has no
 *                                              leading zero: "0378" is refused, not read
 *                                              as 378 or as octal)
 * Every message quotes the bad part.  Nothing here allocates, and the queries used on the
 * trap path are inline and async-signal-safe.
 */
#ifndef IOTRAP_COMMON_PORTSET_H
#define IOTRAP_COMMON_PORTSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define IOTRAP__PORTS 65536u

typedef struct iotrap__portset {
    uint64_t bits[IOTRAP__PORTS / 64];
} iotrap__portset;

static inline bool iotrap__portset_has(const iotrap__portset *s, uint32_t port)
{
    return port < IOTRAP__PORTS && (s->bits[port / 64] >> (port % 64)) & 1;
}

/* True if every port of [port, port + count) is in the set; false for any part past
 * 0xffff (as the CPU's I/O bitmap ends with a byte of ones), and for count 0. */
static inline bool iotrap__portset_has_all(const iotrap__portset *s, uint32_t port,
                                           uint32_t count)
{
    if (count == 0 || port >= IOTRAP__PORTS || count > IOTRAP__PORTS - port)
        return false;
    for (uint32_t p = port; p < port + count; p++)
        if (!iotrap__portset_has(s, p))
            return false;
    return true;
}

void iotrap__portset_clear(iotrap__portset *s);
void iotrap__portset_fill(iotrap__portset *s);
/* Adds or removes [first, last]; ports past 0xffff are ignored. */
void iotrap__portset_add(iotrap__portset *s, uint32_t first, uint32_t last);
void iotrap__portset_remove(iotrap__portset *s, uint32_t first, uint32_t last);
/* dst |= src, dst &= src, dst &= ~src. */
void iotrap__portset_or(iotrap__portset *dst, const iotrap__portset *src);
void iotrap__portset_and(iotrap__portset *dst, const iotrap__portset *src);
void iotrap__portset_andnot(iotrap__portset *dst, const iotrap__portset *src);
bool iotrap__portset_empty(const iotrap__portset *s);
/* The lowest port of a that is not in b (b NULL: the lowest port of a), or -1. */
int32_t iotrap__portset_first_outside(const iotrap__portset *a, const iotrap__portset *b);

/* Calls fn for each maximal run [first, last] of the set, in port order; stops at the
 * first nonzero return and returns it (0 when every call returned 0). */
int iotrap__portset_each_run(const iotrap__portset *s,
                             int (*fn)(void *ctx, uint32_t first, uint32_t last), void *ctx);

/* The set as a list this parser reads back: "none", "all" or "0x378-0x37f,0x3f8".
 * Writes at most len bytes including the terminating NUL and returns the length the
 * whole text needs, as snprintf does. */
size_t iotrap__portset_format(const iotrap__portset *s, char *buf, size_t len);

/* One port number in [s, s+len) (no spaces).  `where` (may be NULL) is quoted in messages
 * as the text the number came from. */
int iotrap__port_parse(const char *s, size_t len, uint16_t *port, const char *where,
                       char *err, size_t errlen);

/* One item "P" or "LO-HI" in [s, s+len); spaces around the numbers are ignored. */
int iotrap__port_range_parse(const char *s, size_t len, uint16_t *lo, uint16_t *hi,
                             const char *where, char *err, size_t errlen);

/* The parser itself: calls item() for each item of the list, in the order written ("all":
 * one item 0-0xffff; "none": none), and stops at the first error, or at the first nonzero
 * return of item(), which it returns (item() then writes its own message). */
int iotrap__portlist_parse(const char *text,
                           int (*item)(void *ctx, uint16_t first, uint16_t last), void *ctx,
                           char *err, size_t errlen);

/* A whole list into s (cleared first).  Returns IOTRAP_OK or a negative status with a
 * message naming the bad part in err. */
int iotrap__portset_parse(iotrap__portset *s, const char *text, char *err, size_t errlen);

#endif
