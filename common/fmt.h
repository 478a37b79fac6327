/* A tiny text builder for code that runs in the SIGSEGV handler, where stdio is not
 * async-signal-safe: it appends to a caller-supplied buffer, never allocates, and
 * silently stops at the end of the buffer (`overflow` says so). */
#ifndef IOTRAP_COMMON_FMT_H
#define IOTRAP_COMMON_FMT_H

#include <stddef.h>
#include <stdint.h>

typedef struct iotrap__fmt {
    char *buf;
    size_t len;
    size_t cap;
    int overflow;
} iotrap__fmt;

static inline void iotrap__fmt_init(iotrap__fmt *f, char *buf, size_t cap)
{
    f->buf = buf;
    f->len = 0;
    f->cap = cap;
    f->overflow = 0;
}

void iotrap__fmt_char(iotrap__fmt *f, char c);
void iotrap__fmt_str(iotrap__fmt *f, const char *s);
/* The string padded with spaces on the right to at least `width` characters. */
void iotrap__fmt_pad(iotrap__fmt *f, const char *s, size_t width);
void iotrap__fmt_udec(iotrap__fmt *f, uint64_t v);
/* Lower-case hex, at least `digits` digits (zero-padded), no prefix. */
void iotrap__fmt_hex(iotrap__fmt *f, uint64_t v, unsigned digits);
/* "0x" followed by iotrap__fmt_hex(). */
void iotrap__fmt_0x(iotrap__fmt *f, uint64_t v, unsigned digits);

#endif
