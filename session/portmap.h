/* The port map of a session: for every port a program uses, the route (backend instance)
 * that serves it and the port that backend sees (the target, after --remap).
 *
 *   --route PORTS=NAME[:ARGS]   those program ports go to that backend instance; route 0 is
 *                               the default backend (--backend), for every port no route
 *                               covers.  Two routes may not share a port.
 *   --remap PORTS=TARGET        a program access to p in PORTS reaches its route's backend
 *                               at TARGET + (p - first port of PORTS).  PORTS is one range;
 *                               two remaps may not share a port.
 *
 * Routes and remaps both speak of the program's ports: a remap changes only the port
 * number the backend receives, never which backend serves the access.
 *
 * The map is built once, before any backend opens; the lookups run on the trap path and
 * are inline, branch-light and async-signal-safe.  A map of the default route alone with
 * no remap has no table at all.
 */
#ifndef IOTRAP_SESSION_PORTMAP_H
#define IOTRAP_SESSION_PORTMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "common/portset.h"

/* Routes besides the default one, and remaps, that one session takes. */
#define IOTRAP__MAX_ROUTES 16
#define IOTRAP__MAX_REMAPS 64

typedef struct iotrap__route_spec {
    iotrap__portset ports; /* the program ports it covers */
    uint16_t first;        /* the lowest of them: where a ppdev route's registers appear */
    const char *backend;   /* "NAME[:ARGS]", the text after "=" */
    const char *text;      /* the route as given, for messages */
} iotrap__route_spec;

typedef struct iotrap__remap_spec {
    uint16_t first, last;  /* the program ports it moves */
    uint16_t target;       /* where first lands */
    const char *text;
} iotrap__remap_spec;

/* "PORTS=NAME[:ARGS]" and "PORTS=TARGET".  The specs point into text, which must outlive
 * them.  Errors quote the spec and name its bad part. */
int iotrap__route_parse(const char *text, iotrap__route_spec *r, char *err, size_t errlen);
int iotrap__remap_parse(const char *text, iotrap__remap_spec *r, char *err, size_t errlen);

/* One (route, offset) pair; ports that share both share a slot. */
struct iotrap__map_slot {
    uint8_t route;
    uint16_t delta; /* target = port + delta, modulo 65536 */
};

typedef struct iotrap__portmap {
    uint8_t *slot_of; /* IOTRAP__PORTS slot numbers, or NULL: every port is in slot 0 */
    struct iotrap__map_slot slots[256];
    unsigned nslots;
    unsigned nroutes; /* including the default route 0 */
} iotrap__portmap;

/* Builds the map of routes[0..nroutes) (route numbers 1..nroutes) and the remaps.
 * Refuses overlapping routes, overlapping remaps and targets past 0xffff, naming both
 * specs or the ports concerned.  Release with iotrap__portmap_free(). */
int iotrap__portmap_build(iotrap__portmap *m, const iotrap__route_spec *routes, size_t nroutes,
                          const iotrap__remap_spec *remaps, size_t nremaps, char *err,
                          size_t errlen);
void iotrap__portmap_free(iotrap__portmap *m);

static inline const struct iotrap__map_slot *iotrap__portmap_slot(const iotrap__portmap *m,
                                                                   uint16_t port)
{
    return &m->slots[m->slot_of ? m->slot_of[port] : 0];
}

static inline uint16_t iotrap__portmap_target(const iotrap__portmap *m, uint16_t port)
{
    return (uint16_t)(port + iotrap__portmap_slot(m, port)->delta);
}

/* True when every byte of [port, port + width) has the same route and offset, so that
 * the access reaches one backend whole, at consecutive target ports; false when it must
 * be split into byte accesses.  The caller has checked that port + width <= 0x10000. */
static inline bool iotrap__portmap_whole(const iotrap__portmap *m, uint16_t port,
                                         unsigned width)
{
    if (!m->slot_of)
        return true;
    for (unsigned i = 1; i < width; i++)
        if (m->slot_of[port + i] != m->slot_of[port])
            return false;
    return true;
}

/* The program ports that route r serves (r 0: the default route's). */
void iotrap__portmap_route_ports(const iotrap__portmap *m, unsigned route, iotrap__portset *out);

#endif
