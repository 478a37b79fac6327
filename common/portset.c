/* Port sets and the port-list parser, see portset.h. */
#include <string.h>
#include <iotrap/status.h>
#include "common/parse.h"
#include "common/portset.h"

#define WORDS (IOTRAP__PORTS / 64)

void iotrap__portset_clear(iotrap__portset *s)
{
    memset(s->bits, 0, sizeof s->bits);
}

void iotrap__portset_fill(iotrap__portset *s)
{
    memset(s->bits, 0xff, sizeof s->bits);
}

void iotrap__portset_add(iotrap__portset *s, uint32_t first, uint32_t last)
{
    for (uint32_t p = first; p <= last && p < IOTRAP__PORTS; p++)
        s->bits[p / 64] |= (uint64_t)1 << (p % 64);
}

void iotrap__portset_remove(iotrap__portset *s, uint32_t first, uint32_t last)
{
    for (uint32_t p = first; p <= last && p < IOTRAP__PORTS; p++)
        s->bits[p / 64] &= ~((uint64_t)1 << (p % 64));
}

void iotrap__portset_or(iotrap__portset *dst, const iotrap__portset *src)
{
    for (size_t i = 0; i < WORDS; i++)
        dst->bits[i] |= src->bits[i];
}

void iotrap__portset_and(iotrap__portset *dst, const iotrap__portset *src)
{
    for (size_t i = 0; i < WORDS; i++)
        dst->bits[i] &= src->bits[i];
}

void iotrap__portset_andnot(iotrap__portset *dst, const iotrap__portset *src)
{
    for (size_t i = 0; i < WORDS; i++)
        dst->bits[i] &= ~src->bits[i];
}

bool iotrap__portset_empty(const iotrap__portset *s)
{
    for (size_t i = 0; i < WORDS; i++)
        if (s->bits[i])
            return false;
    return true;
}

int32_t iotrap__portset_first_outside(const iotrap__portset *a, const iotrap__portset *b)
{
    for (size_t i = 0; i < WORDS; i++) {
        uint64_t w = a->bits[i] & (b ? ~b->bits[i] : ~(uint64_t)0);
        if (w)
            return (int32_t)(i * 64 + (size_t)__builtin_ctzll(w));
    }
    return -1;
}

int iotrap__portset_each_run(const iotrap__portset *s,
                             int (*fn)(void *ctx, uint32_t first, uint32_t last), void *ctx)
{
    uint32_t p = 0;
    while (p < IOTRAP__PORTS) {
        /* Whole empty words are skipped: most sets are a few short runs. */
        if ((p % 64) == 0 && s->bits[p / 64] == 0) {
            p += 64;
            continue;
        }
        if (!iotrap__portset_has(s, p)) {
            p++;
            continue;
        }
        uint32_t first = p;
        while (p < IOTRAP__PORTS && iotrap__portset_has(s, p))
            p++;
        int rc = fn(ctx, first, p - 1);
        if (rc)
            return rc;
    }
    return 0;
}

struct format_ctx {
    char *buf;
    size_t len, used;
};

static void put(struct format_ctx *f, const char *text, size_t n)
{
    for (size_t i = 0; i < n; i++, f->used++)
        if (f->used + 1 < f->len)
            f->buf[f->used] = text[i];
}

static void put_port(struct format_ctx *f, uint32_t port)
{
    static const char hex[] = "0123456789abcdef";
    char t[8] = "0x";
    size_t n = 2;
    int started = 0;
    for (int shift = 12; shift >= 0; shift -= 4) {
        unsigned d = (port >> shift) & 0xf;
        if (d || started || shift == 0) {
            t[n++] = hex[d];
            started = 1;
        }
    }
    put(f, t, n);
}

static int format_run(void *ctx, uint32_t first, uint32_t last)
{
    struct format_ctx *f = ctx;
    if (f->used)
        put(f, ",", 1);
    put_port(f, first);
    if (last != first) {
        put(f, "-", 1);
        put_port(f, last);
    }
    return 0;
}

size_t iotrap__portset_format(const iotrap__portset *s, char *buf, size_t len)
{
    struct format_ctx f = {buf, len, 0};
    if (iotrap__portset_first_outside(s, NULL) < 0)
        put(&f, "none", 4);
    else if (iotrap__portset_has_all(s, 0, IOTRAP__PORTS))
        put(&f, "all", 3);
    else
        iotrap__portset_each_run(s, format_run, &f);
    if (len)
        buf[f.used < len ? f.used : len - 1] = '\0';
    return f.used;
}

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static void trim(const char **s, size_t *len)
{
    while (*len && is_space(**s)) {
        (*s)++;
        (*len)--;
    }
    while (*len && is_space((*s)[*len - 1]))
        (*len)--;
}

/* "bad port "X" in "WHERE": WHY" or without the "in" part. */
static int bad(char *err, size_t errlen, int status, const char *what, const char *s,
               size_t len, const char *where, const char *why)
{
    if (where)
        return iotrap__err(err, errlen, status, "bad %s \"%.*s\" in \"%s\": %s", what,
                           (int)len, s, where, why);
    return iotrap__err(err, errlen, status, "bad %s \"%.*s\": %s", what, (int)len, s, why);
}

int iotrap__port_parse(const char *s, size_t len, uint16_t *port, const char *where,
                       char *err, size_t errlen)
{
    uint64_t v;
    int rc = iotrap__parse_uint(s, len, 0xffff, &v);
    if (rc != IOTRAP_OK)
        return bad(err, errlen, rc, "port", s, len, where,
                   rc == IOTRAP_E_RANGE ? "above 0xffff" : "not a number");
    /* "0378" is hex with the x forgotten to some and octal to C; reading it as decimal
     * 378 would quietly reach another port. */
    if (len > 1 && s[0] == '0' && s[1] != 'x' && s[1] != 'X')
        return bad(err, errlen, IOTRAP_E_SYNTAX, "port", s, len, where,
                   "a leading 0 is ambiguous (write 0x... for hex, or the decimal number "
                   "without the 0)");
    *port = (uint16_t)v;
    return IOTRAP_OK;
}

int iotrap__port_range_parse(const char *s, size_t len, uint16_t *lo, uint16_t *hi,
                             const char *where, char *err, size_t errlen)
{
    trim(&s, &len);
    const char *dash = memchr(s, '-', len);
    int rc;
    if (!dash) {
        rc = iotrap__port_parse(s, len, lo, where, err, errlen);
        if (rc == IOTRAP_OK)
            *hi = *lo;
        return rc;
    }
    const char *a = s, *b = dash + 1;
    size_t alen = (size_t)(dash - s), blen = len - alen - 1;
    trim(&a, &alen);
    trim(&b, &blen);
    if (alen == 0 || blen == 0)
        return bad(err, errlen, IOTRAP_E_SYNTAX, "port range", s, len, where,
                   alen == 0 ? "no start port" : "no end port");
    if ((rc = iotrap__port_parse(a, alen, lo, where, err, errlen)) != IOTRAP_OK ||
        (rc = iotrap__port_parse(b, blen, hi, where, err, errlen)) != IOTRAP_OK)
        return rc;
    if (*hi < *lo)
        return bad(err, errlen, IOTRAP_E_RANGE, "port range", s, len, where,
                   "end before start");
    return IOTRAP_OK;
}

int iotrap__portlist_parse(const char *text,
                           int (*item)(void *ctx, uint16_t first, uint16_t last), void *ctx,
                           char *err, size_t errlen)
{
    if (!text)
        return iotrap__err(err, errlen, IOTRAP_E_INVAL, "no port list given");
    const char *s = text;
    size_t len = strlen(text);
    trim(&s, &len);
    if (len == 3 && memcmp(s, "all", 3) == 0)
        return item(ctx, 0, 0xffff);
    if (len == 4 && memcmp(s, "none", 4) == 0)
        return IOTRAP_OK;
    if (len == 0)
        return iotrap__err(err, errlen, IOTRAP_E_SYNTAX,
                           "empty port list (give ranges like 0x378-0x37f,0x3f8, or all, or none)");
    for (;;) {
        const char *comma = memchr(s, ',', len);
        size_t ilen = comma ? (size_t)(comma - s) : len;
        const char *it = s;
        size_t tlen = ilen;
        trim(&it, &tlen);
        if (tlen == 0)
            return iotrap__err(err, errlen, IOTRAP_E_SYNTAX, "empty item in port list \"%s\"",
                               text);
        uint16_t lo, hi;
        int rc = iotrap__port_range_parse(it, tlen, &lo, &hi, NULL, err, errlen);
        if (rc == IOTRAP_OK)
            rc = item(ctx, lo, hi);
        if (rc != IOTRAP_OK)
            return rc;
        if (!comma)
            return IOTRAP_OK;
        s = comma + 1;
        len -= ilen + 1;
    }
}

static int add_item(void *ctx, uint16_t first, uint16_t last)
{
    iotrap__portset_add(ctx, first, last);
    return IOTRAP_OK;
}

int iotrap__portset_parse(iotrap__portset *set, const char *text, char *err, size_t errlen)
{
    iotrap__portset_clear(set);
    return iotrap__portlist_parse(text, add_item, set, err, errlen);
}
