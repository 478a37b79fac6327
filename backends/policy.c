/* Port policy bitmaps, see policy.h. */
#include "backends/policy.h"

int iotrap__policy_parse(iotrap__policy *pol, const char *text, char *err, size_t errlen)
{
    return iotrap__parse_port_list(text, pol->bits, err, errlen);
}

int iotrap__policy_each_run(const iotrap__policy *pol,
                            int (*fn)(void *ctx, uint16_t first, uint32_t count), void *ctx)
{
    uint32_t p = 0;
    while (p < 0x10000u) {
        if (!(pol->bits[p >> 3] & (1u << (p & 7)))) {
            p++;
            continue;
        }
        uint32_t first = p;
        while (p < 0x10000u && (pol->bits[p >> 3] & (1u << (p & 7))))
            p++;
        int rc = fn(ctx, (uint16_t)first, p - first);
        if (rc)
            return rc;
    }
    return 0;
}
