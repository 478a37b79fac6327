/* Number and device spec parsing, see parse.h. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <iotrap/status.h>
#include "common/parse.h"
#include "common/portset.h"

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

int iotrap__parse_size(const char *s, uint64_t *out, char *err, size_t errlen)
{
    size_t len = s ? strlen(s) : 0;
    unsigned shift = 0;
    if (len && strchr("kKmMgG", s[len - 1])) {
        char c = s[--len];
        shift = c == 'k' || c == 'K' ? 10 : c == 'm' || c == 'M' ? 20 : 30;
    }
    uint64_t v;
    int rc = len && s[0] != '0' ? iotrap__parse_uint(s, len, UINT64_MAX >> shift, &v)
                                : IOTRAP_E_SYNTAX;
    if (rc == IOTRAP_E_SYNTAX)
        return iotrap__err(err, errlen, IOTRAP_E_SYNTAX,
                           "bad size \"%s\" (a number of bytes from 1, or with k, M or G)",
                           s ? s : "");
    if (rc != IOTRAP_OK)
        return iotrap__err(err, errlen, IOTRAP_E_RANGE, "size \"%s\" is too large", s);
    *out = v << shift;
    return IOTRAP_OK;
}

int iotrap__plugin_item(const char *item, const char **file)
{
    static const struct {
        const char *prefix;
        int bits;
    } arch[] = { { "i386=", 32 }, { "x86_64=", 64 } };
    for (size_t i = 0; i < sizeof arch / sizeof arch[0]; i++) {
        size_t n = strlen(arch[i].prefix);
        if (strncmp(item, arch[i].prefix, n) == 0) {
            *file = item + n;
            return arch[i].bits;
        }
    }
    *file = item;
    return 0;
}

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* The part of s without the spaces around it (s is cut in place). */
static char *trim(char *s)
{
    while (is_space(*s))
        s++;
    size_t n = strlen(s);
    while (n && is_space(s[n - 1]))
        s[--n] = '\0';
    return s;
}

int iotrap__device_spec_parse(const char *spec, iotrap__device_spec *out, char *err,
                              size_t errlen)
{
    memset(out, 0, sizeof(*out));
    const char *s = spec;
    while (s && is_space(*s))
        s++;
    if (!s || !*s)
        return iotrap__err(err, errlen, IOTRAP_E_SYNTAX,
                           "empty device spec (expected NAME@BASE[,key=value...])");
    out->text = spec;
    const char *at = strchr(spec, '@');
    const char *comma = strchr(spec, ',');
    if (!at || (comma && comma < at))
        return iotrap__err(err, errlen, IOTRAP_E_SYNTAX,
                           "device spec \"%s\" has no \"@BASE\" (expected NAME@BASE[,key=value...])",
                           spec);
    out->copy = strdup(spec);
    if (!out->copy)
        return iotrap__err(err, errlen, IOTRAP_E_NOMEM, "out of memory");
    char *c = out->copy;
    char *cat = c + (at - spec);
    *cat = '\0';
    out->name = trim(c);
    if (!*out->name) {
        iotrap__device_spec_free(out);
        return iotrap__err(err, errlen, IOTRAP_E_SYNTAX, "device spec \"%s\" has no device name",
                           spec);
    }
    char *where = cat + 1;
    char *opts = strchr(where, ',');
    if (opts)
        *opts++ = '\0';
    where = trim(where);
    if (!*where) {
        iotrap__device_spec_free(out);
        return iotrap__err(err, errlen, IOTRAP_E_SYNTAX, "device spec \"%s\" has no base port",
                           spec);
    }
    uint16_t lo, hi;
    int rc = iotrap__port_range_parse(where, strlen(where), &lo, &hi, spec, err, errlen);
    if (rc != IOTRAP_OK) {
        iotrap__device_spec_free(out);
        return rc;
    }
    out->lo = lo;
    out->hi = hi;
    out->has_range = strchr(where, '-') != NULL;
    while (opts) {
        char *next = strchr(opts, ',');
        if (next)
            *next++ = '\0';
        char *eq = strchr(opts, '=');
        if (eq)
            *eq = '\0';
        char *key = trim(opts);
        if (!*key && !eq) {
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
        const char *value = eq ? trim(eq + 1) : "";
        if (!*key) {
            /* The message quotes the copy, so it is written before the copy goes. */
            rc = iotrap__err(err, errlen, IOTRAP_E_SYNTAX,
                             "option \"=%s\" in device spec \"%s\" has no name", value, spec);
            iotrap__device_spec_free(out);
            return rc;
        }
        out->options[out->noptions].key = key;
        out->options[out->noptions].value = value;
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
