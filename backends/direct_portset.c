/* Port sets and range lists: see direct_portset.h. */
#include "config.h"
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "backends/direct_portset.h"

bool iotrap__portset_has_all(const iotrap__portset *s, unsigned port, unsigned count)
{
    /* Checked first: port + count could wrap, and an empty loop would say yes. */
    if (port > 65535 || count > 65536 - port)
        return false;
    for (unsigned p = port; p < port + count; p++)
        if (!iotrap__portset_has(s, p))
            return false;
    return true;
}

void iotrap__portset_add(iotrap__portset *s, unsigned first, unsigned last)
{
    for (unsigned p = first; p <= last && p < 65536; p++)
        s->bits[p / 64] |= (uint64_t)1 << (p % 64);
}

void iotrap__portset_remove(iotrap__portset *s, unsigned first, unsigned last)
{
    for (unsigned p = first; p <= last && p < 65536; p++)
        s->bits[p / 64] &= ~((uint64_t)1 << (p % 64));
}

void iotrap__portset_each_run(const iotrap__portset *s,
                              void (*fn)(void *ctx, unsigned first, unsigned last), void *ctx)
{
    unsigned p = 0;
    while (p < 65536) {
        if (!iotrap__portset_has(s, p)) {
            p++;
            continue;
        }
        unsigned first = p;
        while (p < 65536 && iotrap__portset_has(s, p))
            p++;
        fn(ctx, first, p - 1);
    }
}

/* One port number: the whole token must be a number in 0..0xffff. */
static int parse_port(const char *tok, size_t len, unsigned *out)
{
    char buf[24];
    if (len == 0 || len >= sizeof buf || !isdigit((unsigned char)tok[0]))
        return -1;
    memcpy(buf, tok, len);
    buf[len] = '\0';
    char *end;
    errno = 0;
    unsigned long v = strtoul(buf, &end, 0);
    if (errno || *end || v > 0xffff)
        return -1;
    *out = (unsigned)v;
    return 0;
}

int iotrap__ranges_parse(const char *text,
                         int (*item)(void *ctx, unsigned first, unsigned last), void *ctx,
                         char *err, size_t errlen)
{
    if (!text || !*text) {
        snprintf(err, errlen, "empty port range list");
        return -1;
    }
    const char *p = text;
    for (;;) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        unsigned first, last;
        const char *dash = memchr(p, '-', len);
        if (len == 3 && strncmp(p, "all", 3) == 0) {
            first = 0;
            last = 0xffff;
        } else if (len == 4 && strncmp(p, "none", 4) == 0) {
            if (!end)
                return 0;
            p = end + 1;
            continue;
        } else if (dash) {
            if (parse_port(p, (size_t)(dash - p), &first) != 0 ||
                parse_port(dash + 1, len - (size_t)(dash - p) - 1, &last) != 0) {
                snprintf(err, errlen, "bad port range '%.*s' (want FIRST-LAST, each 0-0xffff)",
                         (int)len, p);
                return -1;
            }
            if (last < first) {
                snprintf(err, errlen, "port range '%.*s' ends before it starts", (int)len, p);
                return -1;
            }
        } else {
            if (parse_port(p, len, &first) != 0) {
                snprintf(err, errlen, "bad port '%.*s' (want a number 0-0xffff or FIRST-LAST)",
                         (int)len, p);
                return -1;
            }
            last = first;
        }
        if (item(ctx, first, last) != 0) {
            snprintf(err, errlen, "port range '%.*s' refused", (int)len, p);
            return -1;
        }
        if (!end)
            return 0;
        p = end + 1;
    }
}

static int add_item(void *ctx, unsigned first, unsigned last)
{
    iotrap__portset_add(ctx, first, last);
    return 0;
}

int iotrap__portset_parse(iotrap__portset *s, const char *text, char *err, size_t errlen)
{
    return iotrap__ranges_parse(text, add_item, s, err, errlen);
}
