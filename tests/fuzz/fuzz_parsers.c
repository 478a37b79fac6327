/* libFuzzer target: arbitrary text through the parsers of what users write: port lists
 * (common/portset.c), routes and remaps and the port map built from them
 * (session/portmap.c), and device specs (common/parse.c).  The first byte picks the
 * parser.  Invariants checked:
 *  - every parser either succeeds or fails with a negative status and a message;
 *  - a port list read back from its own formatting is the same set;
 *  - a route covers its first port and none below it, and names a backend;
 *  - a remap moves a range that ends within the port space, and so does its target's;
 *  - a device spec has a name and a range in order, and every option a key;
 *  - a map built from routes and remaps sends every port to its route (or the default)
 *    at the target its remap gives, and splits exactly the accesses that cross a slot.
 * Inputs are NUL-terminated heap copies of exactly their size, so that AddressSanitizer
 * catches a read past either end. */
#include <stdlib.h>
#include <string.h>
#include <iotrap/status.h>
#include "common/parse.h"
#include "common/portset.h"
#include "session/portmap.h"

#define CHECK(c) do { if (!(c)) __builtin_trap(); } while (0)

static void check_list(const char *text)
{
    static iotrap__portset a, b;
    char err[256] = "", buf[8192];
    int rc = iotrap__portset_parse(&a, text, err, sizeof err);
    CHECK(rc == IOTRAP_OK || (rc < 0 && err[0]));
    if (rc != IOTRAP_OK)
        return;
    size_t need = iotrap__portset_format(&a, buf, sizeof buf);
    CHECK(need < sizeof buf && strlen(buf) == need);
    CHECK(iotrap__portset_parse(&b, buf, err, sizeof err) == IOTRAP_OK);
    CHECK(memcmp(&a, &b, sizeof a) == 0);
}

static void check_route(const char *text)
{
    static iotrap__route_spec r;
    char err[512] = "";
    int rc = iotrap__route_parse(text, &r, err, sizeof err);
    CHECK(rc == IOTRAP_OK || (rc < 0 && err[0]));
    if (rc != IOTRAP_OK)
        return;
    CHECK(iotrap__portset_has(&r.ports, r.first));
    CHECK(iotrap__portset_first_outside(&r.ports, NULL) == r.first);
    CHECK(r.backend > text && r.backend < text + strlen(text) && r.backend[-1] == '=');
}

static void check_remap(const char *text)
{
    iotrap__remap_spec m;
    char err[512] = "";
    int rc = iotrap__remap_parse(text, &m, err, sizeof err);
    CHECK(rc == IOTRAP_OK || (rc < 0 && err[0]));
    if (rc == IOTRAP_OK)
        CHECK(m.first <= m.last && (uint32_t)m.target + (m.last - m.first) <= 0xffff);
}

static void check_device(const char *text)
{
    iotrap__device_spec d;
    char err[512] = "";
    int rc = iotrap__device_spec_parse(text, &d, err, sizeof err);
    CHECK(rc == IOTRAP_OK || (rc < 0 && err[0]));
    if (rc == IOTRAP_OK) {
        CHECK(d.name && d.name[0] && d.lo <= d.hi && d.hi <= 0xffff);
        for (size_t i = 0; i < d.noptions; i++)
            CHECK(d.options[i].key[0] && d.options[i].value);
    }
    iotrap__device_spec_free(&d);
}

/* Lines "r SPEC" are routes, "m SPEC" remaps; the rest is ignored. */
static void check_map(char *text)
{
    static iotrap__route_spec routes[IOTRAP__MAX_ROUTES + 2];
    static iotrap__remap_spec remaps[IOTRAP__MAX_REMAPS + 2];
    static iotrap__portmap m;
    size_t nr = 0, nm = 0;
    char err[512];
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        if (line[0] == 'r' && line[1] == ' ' && nr < IOTRAP__MAX_ROUTES + 1 &&
            iotrap__route_parse(line + 2, &routes[nr], err, sizeof err) == IOTRAP_OK)
            nr++;
        else if (line[0] == 'm' && line[1] == ' ' && nm < IOTRAP__MAX_REMAPS + 1 &&
                 iotrap__remap_parse(line + 2, &remaps[nm], err, sizeof err) == IOTRAP_OK)
            nm++;
    }
    err[0] = '\0';
    int rc = iotrap__portmap_build(&m, routes, nr, remaps, nm, err, sizeof err);
    CHECK(rc == IOTRAP_OK || (rc < 0 && err[0]));
    if (rc != IOTRAP_OK)
        return;
    CHECK(m.nroutes == nr + 1);
    for (uint32_t p = 0; p < IOTRAP__PORTS; p++) {
        unsigned route = 0;
        for (size_t i = 0; i < nr; i++)
            if (iotrap__portset_has(&routes[i].ports, p))
                route = (unsigned)i + 1;
        uint32_t target = p;
        for (size_t k = 0; k < nm; k++)
            if (p >= remaps[k].first && p <= remaps[k].last)
                target = remaps[k].target + (p - remaps[k].first);
        const struct iotrap__map_slot *s = iotrap__portmap_slot(&m, (uint16_t)p);
        CHECK(s->route == route);
        CHECK(iotrap__portmap_target(&m, (uint16_t)p) == target);
        if (p + 1 < IOTRAP__PORTS) {
            const struct iotrap__map_slot *n = iotrap__portmap_slot(&m, (uint16_t)(p + 1));
            bool same = n->route == s->route && n->delta == s->delta;
            CHECK(iotrap__portmap_whole(&m, (uint16_t)p, 2) == same);
        }
    }
    iotrap__portmap_free(&m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 4096)
        return 0;
    char *text = malloc(size);
    memcpy(text, data + 1, size - 1);
    text[size - 1] = '\0';
    switch (data[0] % 5) {
    case 0: check_list(text); break;
    case 1: check_route(text); break;
    case 2: check_remap(text); break;
    case 3: check_device(text); break;
    default: check_map(text); break;
    }
    free(text);
    return 0;
}
