/* Async-signal-safe text building, see fmt.h. */
#include "common/fmt.h"

void iotrap__fmt_char(iotrap__fmt *f, char c)
{
    if (f->len < f->cap)
        f->buf[f->len++] = c;
    else
        f->overflow = 1;
}

void iotrap__fmt_str(iotrap__fmt *f, const char *s)
{
    while (*s)
        iotrap__fmt_char(f, *s++);
}

void iotrap__fmt_pad(iotrap__fmt *f, const char *s, size_t width)
{
    size_t n = 0;
    for (; s[n]; n++)
        iotrap__fmt_char(f, s[n]);
    for (; n < width; n++)
        iotrap__fmt_char(f, ' ');
}

void iotrap__fmt_udec(iotrap__fmt *f, uint64_t v)
{
    char tmp[20];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n)
        iotrap__fmt_char(f, tmp[--n]);
}

void iotrap__fmt_hex(iotrap__fmt *f, uint64_t v, unsigned digits)
{
    static const char hex[] = "0123456789abcdef";
    char tmp[16];
    unsigned n = 0;
    do {
        tmp[n++] = hex[v & 0xf];
        v >>= 4;
    } while (v);
    while (n < digits && n < sizeof(tmp))
        tmp[n++] = '0';
    while (n)
        iotrap__fmt_char(f, tmp[--n]);
}

void iotrap__fmt_0x(iotrap__fmt *f, uint64_t v, unsigned digits)
{
    iotrap__fmt_str(f, "0x");
    iotrap__fmt_hex(f, v, digits);
}
