/* The port map: parsing routes and remaps, building the slot table.  See portmap.h. */
#include <stdlib.h>
#include <string.h>
#include <iotrap/status.h>
#include "common/parse.h"
#include "session/portmap.h"

int iotrap__route_parse(const char *text, iotrap__route_spec *r, char *err, size_t errlen)
{
    memset(r, 0, sizeof *r);
    r->text = text;
    const char *eq = text ? strchr(text, '=') : NULL;
    if (!eq)
        return iotrap__err(err, errlen, IOTRAP_E_SYNTAX,
                           "route \"%s\" has no \"=\" (expected PORTS=NAME[:ARGS], e.g. "
                           "0x378-0x37f=ppdev:/dev/parport0)", text ? text : "");
    char ports[512], why[256];
    size_t plen = (size_t)(eq - text);
    if (plen >= sizeof ports)
        return iotrap__err(err, errlen, IOTRAP_E_RANGE, "route \"%.64s...\": port list too long",
                           text);
    memcpy(ports, text, plen);
    ports[plen] = '\0';
    int rc = iotrap__portset_parse(&r->ports, ports, why, sizeof why);
    if (rc != IOTRAP_OK)
        return iotrap__err(err, errlen, rc, "route \"%s\": %s", text, why);
    int32_t first = iotrap__portset_first_outside(&r->ports, NULL);
    if (first < 0)
        return iotrap__err(err, errlen, IOTRAP_E_SYNTAX, "route \"%s\" covers no port", text);
    r->first = (uint16_t)first;
    r->backend = eq + 1;
    if (!*r->backend || *r->backend == ':')
        return iotrap__err(err, errlen, IOTRAP_E_SYNTAX,
                           "route \"%s\" names no backend after \"=\"", text);
    return IOTRAP_OK;
}

int iotrap__remap_parse(const char *text, iotrap__remap_spec *r, char *err, size_t errlen)
{
    memset(r, 0, sizeof *r);
    r->text = text;
    const char *eq = text ? strchr(text, '=') : NULL;
    if (!eq)
        return iotrap__err(err, errlen, IOTRAP_E_SYNTAX,
                           "remap \"%s\" has no \"=\" (expected PORTS=TARGET, e.g. "
                           "0x378-0x37f=0xe050)", text ? text : "");
    if (memchr(text, ',', (size_t)(eq - text)))
        return iotrap__err(err, errlen, IOTRAP_E_SYNTAX,
                           "remap \"%s\": PORTS is one range (a remap moves one block of "
                           "ports; give each block its own remap)", text);
    char why[256];
    int rc = iotrap__port_range_parse(text, (size_t)(eq - text), &r->first, &r->last, NULL,
                                      why, sizeof why);
    if (rc != IOTRAP_OK)
        return iotrap__err(err, errlen, rc, "remap \"%s\": %s", text, why);
    const char *t = eq + 1;
    size_t tlen = strlen(t);
    while (tlen && t[0] == ' ')
        t++, tlen--;
    while (tlen && t[tlen - 1] == ' ')
        tlen--;
    if (tlen == 0)
        return iotrap__err(err, errlen, IOTRAP_E_SYNTAX, "remap \"%s\" has no target port",
                           text);
    rc = iotrap__port_parse(t, tlen, &r->target, NULL, why, sizeof why);
    if (rc != IOTRAP_OK)
        return iotrap__err(err, errlen, rc, "remap \"%s\": target: %s", text, why);
    uint32_t end = (uint32_t)r->target + (r->last - r->first);
    if (end > 0xffff)
        return iotrap__err(err, errlen, IOTRAP_E_RANGE,
                           "remap \"%s\" would move 0x%x-0x%x past port 0xffff", text,
                           (unsigned)(r->first + (0x10000u - r->target)), (unsigned)r->last);
    return IOTRAP_OK;
}

/* The slot of (route, delta), added when new; -1 when the table is full. */
static int slot_for(iotrap__portmap *m, unsigned route, uint16_t delta)
{
    for (unsigned i = 0; i < m->nslots; i++)
        if (m->slots[i].route == route && m->slots[i].delta == delta)
            return (int)i;
    if (m->nslots == sizeof m->slots / sizeof m->slots[0])
        return -1;
    m->slots[m->nslots].route = (uint8_t)route;
    m->slots[m->nslots].delta = delta;
    return (int)m->nslots++;
}

int iotrap__portmap_build(iotrap__portmap *m, const iotrap__route_spec *routes, size_t nroutes,
                          const iotrap__remap_spec *remaps, size_t nremaps, char *err,
                          size_t errlen)
{
    memset(m, 0, sizeof *m);
    m->nslots = 1; /* slot 0: the default route, unmoved */
    m->nroutes = 1;
    if (nroutes > IOTRAP__MAX_ROUTES)
        return iotrap__err(err, errlen, IOTRAP_E_RANGE, "too many routes (%zu; at most %d)",
                           nroutes, IOTRAP__MAX_ROUTES);
    if (nremaps > IOTRAP__MAX_REMAPS)
        return iotrap__err(err, errlen, IOTRAP_E_RANGE, "too many remaps (%zu; at most %d)",
                           nremaps, IOTRAP__MAX_REMAPS);
    m->nroutes = (unsigned)nroutes + 1;
    if (nroutes == 0 && nremaps == 0)
        return IOTRAP_OK;

    /* Which route and which remap each port belongs to, checked for overlaps first. */
    uint8_t *route_of = calloc(IOTRAP__PORTS, 1);
    uint8_t *remap_of = calloc(IOTRAP__PORTS, 1); /* remap index + 1, 0: none */
    m->slot_of = calloc(IOTRAP__PORTS, 1);
    int rc = IOTRAP_OK;
    if (!route_of || !remap_of || !m->slot_of) {
        rc = iotrap__err(err, errlen, IOTRAP_E_NOMEM, "out of memory");
        goto out;
    }
    for (size_t r = 0; r < nroutes; r++) {
        for (uint32_t p = 0; p < IOTRAP__PORTS; p++) {
            if (!iotrap__portset_has(&routes[r].ports, p))
                continue;
            if (route_of[p]) {
                rc = iotrap__err(err, errlen, IOTRAP_E_RANGE,
                                 "route \"%s\" overlaps route \"%s\" at port 0x%x",
                                 routes[r].text, routes[route_of[p] - 1].text, (unsigned)p);
                goto out;
            }
            route_of[p] = (uint8_t)(r + 1);
        }
    }
    for (size_t k = 0; k < nremaps; k++) {
        for (uint32_t p = remaps[k].first; p <= remaps[k].last; p++) {
            if (remap_of[p]) {
                rc = iotrap__err(err, errlen, IOTRAP_E_RANGE,
                                 "remap \"%s\" overlaps remap \"%s\" at port 0x%x",
                                 remaps[k].text, remaps[remap_of[p] - 1].text, (unsigned)p);
                goto out;
            }
            remap_of[p] = (uint8_t)(k + 1);
        }
    }
    for (uint32_t p = 0; p < IOTRAP__PORTS; p++) {
        uint16_t delta = 0;
        if (remap_of[p]) {
            const iotrap__remap_spec *rm = &remaps[remap_of[p] - 1];
            delta = (uint16_t)(rm->target - rm->first);
        }
        int s = slot_for(m, route_of[p], delta);
        if (s < 0) {
            rc = iotrap__err(err, errlen, IOTRAP_E_RANGE,
                             "too many different (route, remap) pairs: at most %zu",
                             sizeof m->slots / sizeof m->slots[0]);
            goto out;
        }
        m->slot_of[p] = (uint8_t)s;
    }
out:
    free(route_of);
    free(remap_of);
    if (rc != IOTRAP_OK)
        iotrap__portmap_free(m);
    return rc;
}

void iotrap__portmap_free(iotrap__portmap *m)
{
    free(m->slot_of);
    m->slot_of = NULL;
    m->nslots = 1;
    m->slots[0].route = 0;
    m->slots[0].delta = 0;
}

void iotrap__portmap_route_ports(const iotrap__portmap *m, unsigned route, iotrap__portset *out)
{
    if (!m->slot_of) {
        if (route == 0)
            iotrap__portset_fill(out);
        else
            iotrap__portset_clear(out);
        return;
    }
    iotrap__portset_clear(out);
    for (uint32_t p = 0; p < IOTRAP__PORTS; p++)
        if (m->slots[m->slot_of[p]].route == route)
            out->bits[p / 64] |= (uint64_t)1 << (p % 64);
}
