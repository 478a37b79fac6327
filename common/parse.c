/* Number, port range and device spec parsing, see parse.h. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <iotrap/status.h>
#include "common/parse.h"

int iotrap__err(char *err, size_t errlen, int status, const char *fmt, ...)
{
    if (err && errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return status;
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

int iotrap__parse_uint(const char *s, size_t len, uint64_t max, uint64_t *out)
{
    uint64_t v = 0;
    int base = 10;
    if (len >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        s += 2;
        len -= 2;
    }
    if (len == 0)
        return IOTRAP_E_SYNTAX;
    int over = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned d;
        char c = s[i];
        if (c >= '0' && c <= '9')
            d = (unsigned)(c - '0');
        else if (base == 16 && c >= 'a' && c <= 'f')
            d = (unsigned)(c - 'a' + 10);
        else if (base == 16 && c >= 'A' && c <= 'F')
            d = (unsigned)(c - 'A' + 10);
        else
            return IOTRAP_E_SYNTAX;
        /* Keep scanning after an overflow so that "99999999999999999999x" is still
         * reported as not a number rather than as too large. */
        if (v > (UINT64_MAX - d) / (unsigned)base)
            over = 1;
        else
            v = v * (unsigned)base + d;
    }
    if (over || v > max)
        return IOTRAP_E_RANGE;
    *out = v;
    return IOTRAP_OK;
}

static int parse_port(const char *s, size_t len, uint32_t *port, const char *where,
                      char *err, size_t errlen)
{
    uint64_t v;
    int rc = iotrap__parse_uint(s, len, 0xffff, &v);
    const char *why = rc == IOTRAP_E_RANGE ? "above 0xffff" : "not a number";
    if (rc != IOTRAP_OK) {
        if (where)
            return iotrap__err(err, errlen, rc, "bad port \"%.*s\" in \"%s\": %s", (int)len, s,
                               where, why);
        return iotrap__err(err, errlen, rc, "bad port \"%.*s\": %s", (int)len, s, why);
    }
    *port = (uint32_t)v;
    return IOTRAP_OK;
}

int iotrap__parse_port_range(const char *s, size_t len, uint32_t *lo, uint32_t *hi,
                             const char *where, char *err, size_t errlen)
{
    trim(&s, &len);
    const char *dash = memchr(s, '-', len);
    int rc;
    if (!dash) {
        rc = parse_port(s, len, lo, where, err, errlen);
        if (rc == IOTRAP_OK)
            *hi = *lo;
        return rc;
    }
    const char *a = s, *b = dash + 1;
    size_t alen = (size_t)(dash - s), blen = len - alen - 1;
    trim(&a, &alen);
    trim(&b, &blen);
    if (alen == 0 || blen == 0) {
        const char *part = alen == 0 ? "start" : "end";
        if (where)
            return iotrap__err(err, errlen, IOTRAP_E_SYNTAX,
                               "bad port range \"%.*s\" in \"%s\": no %s port", (int)len, s,
                               where, part);
        return iotrap__err(err, errlen, IOTRAP_E_SYNTAX, "bad port range \"%.*s\": no %s port",
                           (int)len, s, part);
    }
    if ((rc = parse_port(a, alen, lo, where, err, errlen)) != IOTRAP_OK ||
        (rc = parse_port(b, blen, hi, where, err, errlen)) != IOTRAP_OK)
        return rc;
    if (*hi < *lo) {
        if (where)
            return iotrap__err(err, errlen, IOTRAP_E_RANGE,
                               "bad port range \"%.*s\" in \"%s\": end before start", (int)len,
                               s, where);
        return iotrap__err(err, errlen, IOTRAP_E_RANGE,
                           "bad port range \"%.*s\": end before start", (int)len, s);
    }
    return IOTRAP_OK;
}

int iotrap__parse_port_list(const char *text, uint8_t bitmap[IOTRAP__PORT_BITMAP_BYTES],
                            char *err, size_t errlen)
{
    memset(bitmap, 0, IOTRAP__PORT_BITMAP_BYTES);
    if (!text)
        return iotrap__err(err, errlen, IOTRAP_E_INVAL, "no port list given");
    const char *s = text;
    size_t len = strlen(text);
    trim(&s, &len);
    if (len == 3 && memcmp(s, "all", 3) == 0) {
        memset(bitmap, 0xff, IOTRAP__PORT_BITMAP_BYTES);
        return IOTRAP_OK;
    }
    if (len == 4 && memcmp(s, "none", 4) == 0)
        return IOTRAP_OK;
    if (len == 0)
        return iotrap__err(err, errlen, IOTRAP_E_SYNTAX,
                           "empty port list (give ranges like 0x378-0x37f,0x3f8, or all, or none)");
    for (;;) {
        const char *comma = memchr(s, ',', len);
        size_t ilen = comma ? (size_t)(comma - s) : len;
        const char *item = s;
        size_t tlen = ilen;
        trim(&item, &tlen);
        if (tlen == 0)
            return iotrap__err(err, errlen, IOTRAP_E_SYNTAX, "empty item in port list \"%s\"",
                               text);
        uint32_t lo, hi;
        int rc = iotrap__parse_port_range(item, tlen, &lo, &hi, NULL, err, errlen);
        if (rc != IOTRAP_OK)
            return rc;
        for (uint32_t p = lo; p <= hi; p++)
            bitmap[p >> 3] |= (uint8_t)(1u << (p & 7));
        if (!comma)
            return IOTRAP_OK;
        s = comma + 1;
        len -= ilen + 1;
    }
}

int iotrap__device_spec_parse(const char *spec, iotrap__device_spec *out, char *err,
                              size_t errlen)
{
    memset(out, 0, sizeof(*out));
    if (!spec || !*spec)
        return iotrap__err(err, errlen, IOTRAP_E_SYNTAX,
                           "empty device spec (expected NAME@BASE[,key=value...])");
    out->text = spec;
    const char *at = strchr(spec, '@');
    const char *comma = strchr(spec, ',');
    if (!at || (comma && comma < at))
        return iotrap__err(err, errlen, IOTRAP_E_SYNTAX,
                           "device spec \"%s\" has no \"@BASE\" (expected NAME@BASE[,key=value...])",
                           spec);
    if (at == spec)
        return iotrap__err(err, errlen, IOTRAP_E_SYNTAX, "device spec \"%s\" has no device name",
                           spec);
    out->copy = strdup(spec);
    if (!out->copy)
        return iotrap__err(err, errlen, IOTRAP_E_NOMEM, "out of memory");
    char *c = out->copy;
    char *cat = c + (at - spec);
    *cat = '\0';
    out->name = c;
    char *where = cat + 1;
    char *opts = strchr(where, ',');
    if (opts)
        *opts++ = '\0';
    if (!*where) {
        iotrap__device_spec_free(out);
        return iotrap__err(err, errlen, IOTRAP_E_SYNTAX, "device spec \"%s\" has no base port",
                           spec);
    }
    int rc = iotrap__parse_port_range(where, strlen(where), &out->lo, &out->hi, spec, err,
                                      errlen);
    if (rc != IOTRAP_OK) {
        iotrap__device_spec_free(out);
        return rc;
    }
    out->has_range = strchr(where, '-') != NULL;
    while (opts) {
        char *next = strchr(opts, ',');
        if (next)
            *next++ = '\0';
        if (!*opts) {
            iotrap__device_spec_free(out);
            return iotrap__err(err, errlen, IOTRAP_E_SYNTAX, "empty option in device spec \"%s\"",
                               spec);
        }
        if (out->noptions == IOTRAP__SPEC_MAX_OPTIONS) {
            iotrap__device_spec_free(out);
            return iotrap__err(err, errlen, IOTRAP_E_SYNTAX,
                               "too many options in device spec \"%s\" (at most %d)", spec,
                               IOTRAP__SPEC_MAX_OPTIONS);
        }
        char *eq = strchr(opts, '=');
        if (eq)
            *eq = '\0';
        if (!*opts) {
            /* The message quotes the copy, so it is written before the copy goes. */
            rc = iotrap__err(err, errlen, IOTRAP_E_SYNTAX,
                             "option \"=%s\" in device spec \"%s\" has no name", eq + 1, spec);
            iotrap__device_spec_free(out);
            return rc;
        }
        out->options[out->noptions].key = opts;
        out->options[out->noptions].value = eq ? eq + 1 : "";
        out->noptions++;
        opts = next;
    }
    return IOTRAP_OK;
}

void iotrap__device_spec_free(iotrap__device_spec *spec)
{
    free(spec->copy);
    spec->copy = NULL;
    spec->name = NULL;
    spec->noptions = 0;
}
