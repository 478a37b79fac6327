/* The port map (session/portmap.c) and the session built on it (session/session.c):
 * route and remap parsing, overlaps, the remap arithmetic at range ends and at 0xffff,
 * whole and split accesses, the default allow list each kind of backend gets, windows,
 * native grants, --allow checked on the program's port, and the trace's target field.
 * Recording test backends stand in for real ports, which this machine cannot reach. */
#include <stdlib.h>
#include "tests/unit/test_ports_helpers.h"
#include "backends/backend.h"
#include "common/parse.h"
#include "session/portmap.h"
#include "session/session.h"

static char err[512];

/* ---- Parsing and building ------------------------------------------------------------ */

static void expect_route_error(const char *text, const char *msg)
{
    iotrap__route_spec r;
    assert_true(iotrap__route_parse(text, &r, err, sizeof err) < 0);
    assert_string_equal(err, msg);
}

static void expect_remap_error(const char *text, const char *msg)
{
    iotrap__remap_spec m;
    assert_true(iotrap__remap_parse(text, &m, err, sizeof err) < 0);
    assert_string_equal(err, msg);
}

static void t_route_parse(void **state)
{
    iotrap__route_spec r;
    assert_int_equal(iotrap__route_parse("0x3f8-0x3ff,0x378-0x37f=ppdev:/dev/parport1@0x378",
                                         &r, err, sizeof err), IOTRAP_OK);
    assert_int_equal(r.first, 0x378);
    assert_string_equal(r.backend, "ppdev:/dev/parport1@0x378");
    assert_true(iotrap__portset_has(&r.ports, 0x3ff) && !iotrap__portset_has(&r.ports, 0x380));
    expect_route_error("0x378-0x37f", "route \"0x378-0x37f\" has no \"=\" (expected "
                                      "PORTS=NAME[:ARGS], e.g. 0x378-0x37f=ppdev:/dev/parport0)");
    expect_route_error("0x378=", "route \"0x378=\" names no backend after \"=\"");
    expect_route_error("0x378=:x", "route \"0x378=:x\" names no backend after \"=\"");
    expect_route_error("none=sim", "route \"none=sim\" covers no port");
    expect_route_error("=sim", "route \"=sim\": empty port list (give ranges like "
                               "0x378-0x37f,0x3f8, or all, or none)");
    expect_route_error("0x378-0x370=sim", "route \"0x378-0x370=sim\": bad port range "
                                          "\"0x378-0x370\": end before start");
}

static void t_remap_parse(void **state)
{
    iotrap__remap_spec m;
    assert_int_equal(iotrap__remap_parse(" 0x378 - 0x37f = 0xe050 ", &m, err, sizeof err),
                     IOTRAP_OK);
    assert_int_equal(m.first, 0x378);
    assert_int_equal(m.last, 0x37f);
    assert_int_equal(m.target, 0xe050);
    /* The ends of the port space, exactly reached. */
    assert_int_equal(iotrap__remap_parse("0xfff0-0xffff=0xfff0", &m, err, sizeof err), IOTRAP_OK);
    assert_int_equal(iotrap__remap_parse("0x100-0x107=0xfff8", &m, err, sizeof err), IOTRAP_OK);
    assert_int_equal(iotrap__remap_parse("0-0xffff=0", &m, err, sizeof err), IOTRAP_OK);
    assert_int_equal(iotrap__remap_parse("0xffff=0", &m, err, sizeof err), IOTRAP_OK);
    expect_remap_error("0x100-0x107=0xfff9",
                       "remap \"0x100-0x107=0xfff9\" would move 0x107-0x107 past port 0xffff");
    expect_remap_error("0-0xffff=1", "remap \"0-0xffff=1\" would move 0xffff-0xffff past port "
                                     "0xffff");
    expect_remap_error("0x378-0x37f", "remap \"0x378-0x37f\" has no \"=\" (expected "
                                      "PORTS=TARGET, e.g. 0x378-0x37f=0xe050)");
    expect_remap_error("0x378-0x37f=", "remap \"0x378-0x37f=\" has no target port");
    expect_remap_error("0x378,0x37a=0x278", "remap \"0x378,0x37a=0x278\": PORTS is one range "
                       "(a remap moves one block of ports; give each block its own remap)");
    expect_remap_error("0x378=0x10000", "remap \"0x378=0x10000\": target: bad port \"0x10000\": "
                                        "above 0xffff");
    expect_remap_error("0x378=lpt", "remap \"0x378=lpt\": target: bad port \"lpt\": not a number");
}

static int build(iotrap__portmap *m, const char *const *routes, const char *const *remaps)
{
    static iotrap__route_spec r[IOTRAP__MAX_ROUTES + 1];
    static iotrap__remap_spec x[IOTRAP__MAX_REMAPS + 1];
    size_t nr = 0, nx = 0;
    for (; routes && routes[nr]; nr++)
        assert_int_equal(iotrap__route_parse(routes[nr], &r[nr], err, sizeof err), IOTRAP_OK);
    for (; remaps && remaps[nx]; nx++)
        assert_int_equal(iotrap__remap_parse(remaps[nx], &x[nx], err, sizeof err), IOTRAP_OK);
    err[0] = '\0';
    return iotrap__portmap_build(m, r, nr, x, nx, err, sizeof err);
}

static void t_map_build(void **state)
{
    iotrap__portmap m;
    /* The default route alone: no table at all. */
    assert_int_equal(build(&m, NULL, NULL), IOTRAP_OK);
    assert_null(m.slot_of);
    assert_int_equal(m.nroutes, 1);
    assert_int_equal(iotrap__portmap_target(&m, 0x1234), 0x1234);
    assert_true(iotrap__portmap_whole(&m, 0xfffc, 4));
    iotrap__portmap_free(&m);

    const char *routes[] = {"0x378-0x37f=ppdev", "0x3f8-0x3ff=devport", NULL};
    const char *remaps[] = {"0x3f8-0x3ff=0xc000", "0xfff8-0xffff=0x100", "0x200-0x207=0xfff8",
                            NULL};
    assert_int_equal(build(&m, routes, remaps), IOTRAP_OK);
    assert_int_equal(m.nroutes, 3);
    assert_int_equal(iotrap__portmap_slot(&m, 0x377)->route, 0);
    assert_int_equal(iotrap__portmap_slot(&m, 0x378)->route, 1);
    assert_int_equal(iotrap__portmap_slot(&m, 0x37f)->route, 1);
    assert_int_equal(iotrap__portmap_slot(&m, 0x380)->route, 0);
    assert_int_equal(iotrap__portmap_slot(&m, 0x3f8)->route, 2);
    /* The arithmetic at both ends of each remap, and just outside them. */
    assert_int_equal(iotrap__portmap_target(&m, 0x3f7), 0x3f7);
    assert_int_equal(iotrap__portmap_target(&m, 0x3f8), 0xc000);
    assert_int_equal(iotrap__portmap_target(&m, 0x3ff), 0xc007);
    assert_int_equal(iotrap__portmap_target(&m, 0x400), 0x400);
    assert_int_equal(iotrap__portmap_target(&m, 0xfff7), 0xfff7);
    assert_int_equal(iotrap__portmap_target(&m, 0xfff8), 0x100);
    assert_int_equal(iotrap__portmap_target(&m, 0xffff), 0x107);
    assert_int_equal(iotrap__portmap_target(&m, 0x200), 0xfff8);
    assert_int_equal(iotrap__portmap_target(&m, 0x207), 0xffff);
    assert_int_equal(iotrap__portmap_target(&m, 0x208), 0x208);
    /* Whole accesses stay within one slot; those that cross a boundary are split. */
    assert_true(iotrap__portmap_whole(&m, 0x378, 4));
    assert_true(iotrap__portmap_whole(&m, 0x37c, 4));
    assert_false(iotrap__portmap_whole(&m, 0x37e, 4));
    assert_false(iotrap__portmap_whole(&m, 0x377, 2));
    assert_false(iotrap__portmap_whole(&m, 0x3f6, 4));
    assert_true(iotrap__portmap_whole(&m, 0xfffc, 4));
    assert_false(iotrap__portmap_whole(&m, 0x206, 4));
    iotrap__portset ports;
    iotrap__portmap_route_ports(&m, 2, &ports);
    assert_int_equal(iotrap__portset_first_outside(&ports, NULL), 0x3f8);
    assert_true(iotrap__portset_has_all(&ports, 0x3f8, 8) && !iotrap__portset_has(&ports, 0x400));
    iotrap__portmap_route_ports(&m, 0, &ports);
    assert_false(iotrap__portset_has(&ports, 0x378));
    assert_true(iotrap__portset_has(&ports, 0x377) && iotrap__portset_has(&ports, 0xffff));
    iotrap__portmap_free(&m);
}

static void t_map_overlaps(void **state)
{
    iotrap__portmap m;
    const char *routes[] = {"0x378-0x37f=ppdev", "0x370-0x378=sim", NULL};
    assert_int_equal(build(&m, routes, NULL), IOTRAP_E_RANGE);
    assert_string_equal(err, "route \"0x370-0x378=sim\" overlaps route \"0x378-0x37f=ppdev\" "
                             "at port 0x378");
    const char *remaps[] = {"0x378-0x37f=0xe050", "0x37f-0x380=0x100", NULL};
    assert_int_equal(build(&m, NULL, remaps), IOTRAP_E_RANGE);
    assert_string_equal(err, "remap \"0x37f-0x380=0x100\" overlaps remap \"0x378-0x37f=0xe050\" "
                             "at port 0x37f");
    /* Two remaps onto the same target are fine: both reach the same device. */
    const char *same[] = {"0x378-0x37f=0xe050", "0x278-0x27f=0xe050", NULL};
    assert_int_equal(build(&m, NULL, same), IOTRAP_OK);
    assert_int_equal(iotrap__portmap_target(&m, 0x27a), 0xe052);
    iotrap__portmap_free(&m);
    static char many[IOTRAP__MAX_ROUTES + 2][24];
    const char *lots[IOTRAP__MAX_ROUTES + 2];
    for (int i = 0; i <= IOTRAP__MAX_ROUTES; i++) {
        snprintf(many[i], sizeof many[i], "%d=sim", 0x100 + i);
        lots[i] = many[i];
    }
    lots[IOTRAP__MAX_ROUTES + 1] = NULL;
    assert_int_equal(build(&m, lots, NULL), IOTRAP_E_RANGE);
    assert_string_equal(err, "too many routes (17; at most 16)");
}

/* ---- Through a session, with recording backends -------------------------------------- */

/* What reached the test backends: one entry per call, "NAME op port width"; opened: what
 * the last session open reached. */
static char calls[4096], opened[4096];

static void note(const struct iotrap__backend_instance *bi, const char *op, uint16_t port,
                 unsigned width)
{
    size_t n = strlen(calls);
    snprintf(calls + n, sizeof calls - n, "%s%s %s 0x%x %u", n ? "; " : "", bi->backend->name,
             op, (unsigned)port, width);
}

/* The state of an instance: its native and reach sets once granted. */
struct rec {
    iotrap__portset native, reach;
    int granted;
    int32_t first;
};
static struct rec *last_native;

static int r_open(struct iotrap__backend_instance *bi, const struct iotrap__backend_params *bp,
                  char *e, size_t elen)
{
    struct rec *r = bi->priv;
    r->first = bp->route_first;
    if (*bp->args)
        return iotrap__err(e, elen, IOTRAP_E_NODEV, "%s: no device %s", bi->backend->name,
                           bp->args);
    return IOTRAP_OK;
}

static int r_in(struct iotrap__backend_instance *bi, uint16_t port, unsigned width,
                uint32_t *value)
{
    note(bi, "in", port, width);
    *value = 0x12345678u & (width == 4 ? ~0u : (1u << (8 * width)) - 1);
    return IOTRAP_OK;
}

static int r_out(struct iotrap__backend_instance *bi, uint16_t port, unsigned width,
                 uint32_t value)
{
    note(bi, "out", port, width);
    return IOTRAP_OK;
}

static int r_out_string(struct iotrap__backend_instance *bi, uint16_t port, unsigned width,
                        const void *buf, size_t count)
{
    note(bi, "outs", port, width);
    return IOTRAP_OK;
}

/* The window of "card": 8 registers at its route's first port, or at 0x378.  Opening a
 * card is noted, so that a test sees that a refused window opened nothing. */
static int r_window(const struct iotrap__backend_params *bp, uint16_t *first, uint32_t *count,
                    char *e, size_t elen)
{
    *first = bp->route_first >= 0 ? (uint16_t)bp->route_first : 0x378;
    *count = 8;
    return IOTRAP_OK;
}

static int r_open_noted(struct iotrap__backend_instance *bi,
                        const struct iotrap__backend_params *bp, char *e, size_t elen)
{
    note(bi, "open", 0, 0);
    return r_open(bi, bp, e, elen);
}

static int r_grant(struct iotrap__backend_instance *bi, const iotrap__portset *native,
                   const iotrap__portset *reach, char *e, size_t elen)
{
    struct rec *r = bi->priv;
    r->native = *native;
    r->reach = *reach;
    r->granted = 1;
    last_native = r;
    return IOTRAP_OK;
}

/* "plain": neither real nor windowed (as sim and helper); "real": real ports, every
 * port (as devport); "card": real, windowed (as ppdev); "native": real, granting (as
 * direct). */
static const struct iotrap__backend plain = {.name = "plain", .summary = "test",
    .priv_size = sizeof(struct rec), .open = r_open, .in = r_in, .out = r_out,
    .out_string = r_out_string};
static const struct iotrap__backend real = {.name = "real", .summary = "test",
    .caps = IOTRAP__CAP_REAL, .priv_size = sizeof(struct rec), .open = r_open, .in = r_in,
    .out = r_out};
static const struct iotrap__backend card = {.name = "card", .summary = "test",
    .caps = IOTRAP__CAP_REAL, .priv_size = sizeof(struct rec), .open = r_open_noted,
    .window = r_window, .in = r_in, .out = r_out};
static const struct iotrap__backend native = {.name = "native", .summary = "test",
    .caps = IOTRAP__CAP_REAL | IOTRAP__CAP_NATIVE, .priv_size = sizeof(struct rec),
    .open = r_open, .in = r_in, .out = r_out, .grant = r_grant};
static const struct iotrap__backend *const table[] = {&card, &native, &real, &plain, NULL};

static iotrap_ports *open_map(const char *backend, const char *allow, const char *const *routes,
                              const char *const *remaps)
{
    iotrap_ports_config cfg = {.size = sizeof(cfg), .backend = backend, .allow = allow,
                               .routes = routes, .remaps = remaps, .quiet = 1};
    iotrap__session_params sp = { .cfg = &cfg, .backends = table };
    iotrap_ports *p = NULL;
    err[0] = '\0';
    calls[0] = '\0';
    last_native = NULL;
    int rc = iotrap__session_open(&sp, &p, err, sizeof err);
    /* What opening reached, kept apart from the accesses that follow. */
    strcpy(opened, calls);
    calls[0] = '\0';
    return rc == IOTRAP_OK ? p : NULL;
}

static const char *allowed(iotrap_ports *p)
{
    static char buf[1024];
    char *d = buf;
    size_t n = iotrap__session_describe(p, "", buf, sizeof buf);
    assert_true(n < sizeof buf);
    d = strstr(buf, "allowed: ");
    assert_non_null(d);
    d += strlen("allowed: ");
    d[strcspn(d, " \n")] = '\0';
    return d;
}

static void t_default_allow(void **state)
{
    /* Not real: every port.  Real without a window: nothing.  Windowed: its window. */
    iotrap_ports *p = open_map("plain", NULL, NULL, NULL);
    assert_non_null(p);
    assert_string_equal(allowed(p), "all");
    iotrap_ports_close(p);
    assert_non_null(p = open_map("real", NULL, NULL, NULL));
    assert_string_equal(allowed(p), "none");
    iotrap_ports_close(p);
    assert_non_null(p = open_map("card", NULL, NULL, NULL));
    assert_string_equal(allowed(p), "0x378-0x37f");
    iotrap_ports_close(p);
    /* Each route allows the ports it covers, whatever its backend; the rest follow the
     * default backend. */
    const char *routes[] = {"0x3f8-0x3ff=real", "0x278-0x27f=card", NULL};
    assert_non_null(p = open_map("real", NULL, routes, NULL));
    assert_string_equal(allowed(p), "0x278-0x27f,0x3f8-0x3ff");
    iotrap_ports_close(p);
    /* A windowed default backend allows the program ports that reach its window. */
    const char *remaps[] = {"0x278-0x27f=0x378", NULL};
    assert_non_null(p = open_map("card", NULL, NULL, remaps));
    assert_string_equal(allowed(p), "0x278-0x27f,0x378-0x37f");
    iotrap_ports_close(p);
    /* --allow, when given, is the whole policy. */
    assert_non_null(p = open_map("plain", "0x300", routes, NULL));
    assert_string_equal(allowed(p), "0x300");
    iotrap_ports_close(p);
}

static void t_routes_and_remaps_reach_targets(void **state)
{
    const char *routes[] = {"0x378-0x37f=card", "0x3f8-0x3ff=real", NULL};
    const char *remaps[] = {"0x3f8-0x3ff=0xc000", "0x2f8-0x2ff=0xd000", NULL};
    iotrap_ports *p = open_map("plain", NULL, routes, remaps);
    assert_non_null(p);
    uint32_t v;
    /* The card's registers appear at its route's first port. */
    assert_int_equal(iotrap_ports_out(p, 0x378, 1, 0x55, 0), IOTRAP_OK);
    assert_int_equal(iotrap_ports_in(p, 0x37f, 1, &v, 0), IOTRAP_OK);
    assert_int_equal(iotrap_ports_out(p, 0x3f8, 1, 1, 0), IOTRAP_OK);
    assert_int_equal(iotrap_ports_in(p, 0x3ff, 1, &v, 0), IOTRAP_OK);
    assert_int_equal(iotrap_ports_out(p, 0x2fc, 4, 0x01020304, 0), IOTRAP_OK);
    assert_int_equal(iotrap_ports_in(p, 0x80, 2, &v, 0), IOTRAP_OK);
    assert_string_equal(calls, "card out 0x378 1; card in 0x37f 1; real out 0xc000 1; "
                               "real in 0xc007 1; plain out 0xd004 4; plain in 0x80 2");
    /* A word across two routes becomes byte accesses, each to its own backend and target,
     * in port order, least significant byte first. */
    calls[0] = '\0';
    assert_int_equal(iotrap_ports_in(p, 0x37f, 2, &v, 0), IOTRAP_OK);
    assert_int_equal(v, 0x7878);
    assert_int_equal(iotrap_ports_out(p, 0x3f6, 4, 0xaabbccdd, 0), IOTRAP_OK);
    assert_string_equal(calls, "card in 0x37f 1; plain in 0x380 1; plain out 0x3f6 1; "
                               "plain out 0x3f7 1; real out 0xc000 1; real out 0xc001 1");
    /* Strings: one call when the backend has one and the element is whole, else one access
     * per element. */
    calls[0] = '\0';
    assert_int_equal(iotrap_ports_out_string(p, 0x300, 1, "abc", 3, 0), IOTRAP_OK);
    assert_int_equal(iotrap_ports_out_string(p, 0x3f8, 1, "ab", 2, 0), IOTRAP_OK);
    assert_int_equal(iotrap_ports_out_string(p, 0x37f, 2, "abcd", 2, 0), IOTRAP_OK);
    assert_string_equal(calls, "plain outs 0x300 1; real out 0xc000 1; real out 0xc000 1; "
                               "card out 0x37f 1; plain out 0x380 1; card out 0x37f 1; "
                               "plain out 0x380 1");
    iotrap_ports_close(p);
}

/* --allow speaks of the program's ports: an allowed target does not make a denied port
 * allowed, and a denied access reaches no backend. */
static void t_allow_on_program_ports(void **state)
{
    const char *remaps[] = {"0x378-0x37f=0xe050", NULL};
    iotrap_ports *p = open_map("real", "0x379,0xe050-0xe057", NULL, remaps);
    assert_non_null(p);
    uint32_t v;
    assert_int_equal(iotrap_ports_out(p, 0x378, 1, 0x55, 0), IOTRAP_E_DENIED);
    assert_int_equal(iotrap_ports_in(p, 0x379, 2, &v, 0), IOTRAP_E_DENIED);
    assert_int_equal(iotrap_ports_in(p, 0x379, 1, &v, 0), IOTRAP_OK);
    assert_int_equal(iotrap_ports_out(p, 0xe050, 1, 0x55, 0), IOTRAP_OK);
    assert_string_equal(calls, "real in 0xe051 1; real out 0xe050 1");
    assert_int_equal(iotrap__session_target(p, 0x37f), 0xe057);
    iotrap_ports_close(p);
}

static void t_windows(void **state)
{
    iotrap_ports *p = open_map("card", "0x378-0x37f,0x3f8", NULL, NULL);
    assert_null(p);
    assert_string_equal(err, "backend card serves only ports 0x378-0x37f, and the allowed ports "
                             "include 0x3f8 (give those ports a --route of their own)");
    /* Refused before the device was touched: a real card would have been claimed. */
    assert_string_equal(opened, "");
    const char *routes[] = {"0x378-0x37f=card", NULL};
    const char *remaps[] = {"0x37c-0x37f=0x400", NULL};
    assert_null(open_map("plain", NULL, routes, remaps));
    assert_string_equal(err, "route \"0x378-0x37f=card\" serves only ports 0x378-0x37f, and "
                             "the allowed ports include 0x37c (remapped to 0x400) (give those "
                             "ports a --route of their own)");
    const char *wide[] = {"0x378-0x380=card", NULL};
    assert_null(open_map("plain", NULL, wide, NULL));
    assert_string_equal(err, "route \"0x378-0x380=card\" serves only ports 0x378-0x37f, and "
                             "the allowed ports include 0x380 (give those ports a --route of "
                             "their own)");
    /* auto takes the first backend whose window holds the allowed ports. */
    assert_non_null(p = open_map("auto", "0x378-0x37f,0x3f8", NULL, NULL));
    assert_string_equal(allowed(p), "0x378-0x37f,0x3f8");
    assert_string_equal(opened, "");
    char spec[64];
    iotrap__session_backend_spec(p, spec, sizeof spec);
    assert_string_equal(spec, "native");
    iotrap_ports_close(p);
    const char *autoroute[] = {"0x278-0x27f=auto", NULL};
    assert_non_null(p = open_map("plain", NULL, autoroute, NULL));
    assert_string_equal(opened, "card open 0x0 0");
    char routes_spec[128];
    iotrap__session_routes_spec(p, routes_spec, sizeof routes_spec);
    assert_string_equal(routes_spec, "0x278-0x27f=card");
    iotrap_ports_close(p);
}

static void t_native_grants(void **state)
{
    /* Unmoved allowed ports run natively; remapped ones trap and are reached at their
     * targets, which the program itself does not get. */
    const char *remaps[] = {"0x378-0x37f=0xe050", NULL};
    iotrap_ports *p = open_map("native", "0x378-0x37f,0x3f8-0x3ff", NULL, remaps);
    assert_non_null(p);
    assert_non_null(last_native);
    char buf[256];
    iotrap__portset_format(&last_native->native, buf, sizeof buf);
    assert_string_equal(buf, "0x3f8-0x3ff");
    iotrap__portset_format(&last_native->reach, buf, sizeof buf);
    assert_string_equal(buf, "0xe050-0xe057");
    assert_true(iotrap__session_native(p));
    iotrap_ports_close(p);
    /* Everything remapped: nothing runs natively, so hot-site patching stays possible. */
    const char *all[] = {"0x378-0x37f=0xe050", "0x3f8-0x3ff=0xc000", NULL};
    assert_non_null(p = open_map("native", "0x378-0x37f,0x3f8-0x3ff", NULL, all));
    assert_false(iotrap__session_native(p));
    iotrap_ports_close(p);
    /* The grant is the whole process's: one native route per session. */
    const char *routes[] = {"0x378-0x37f=native", NULL};
    assert_null(open_map("native", "0x378-0x37f,0x3f8", routes, NULL));
    assert_string_equal(err, "backend native and another route both use native, which grants "
                             "ports to the whole process: give it one --route with all their "
                             "ports");
    /* A server grants every target its rules name, and nothing else. */
    iotrap__portset targets;
    iotrap__portset_clear(&targets);
    iotrap__portset_add(&targets, 0xe050, 0xe052);
    iotrap__portset_add(&targets, 0x3f8, 0x3f8);
    iotrap_ports_config cfg = {.size = sizeof(cfg), .backend = "native", .remaps = remaps,
                               .quiet = 1};
    iotrap__session_params sp = { .cfg = &cfg, .serve_targets = &targets, .backends = table };
    assert_int_equal(iotrap__session_open(&sp, &p, err, sizeof err), IOTRAP_OK);
    iotrap__portset_format(&last_native->native, buf, sizeof buf);
    assert_string_equal(buf, "0x3f8,0xe050-0xe052");
    assert_true(iotrap__portset_empty(&last_native->reach));
    assert_true(iotrap_ports_allowed(p, 0x378, 3));
    assert_false(iotrap_ports_allowed(p, 0x37b, 1));
    assert_true(iotrap_ports_allowed(p, 0xe050, 1)); /* named itself */
    iotrap_ports_close(p);
}

static void t_errors_name_the_route(void **state)
{
    const char *routes[] = {"0x378-0x37f=card:/dev/none", NULL};
    assert_null(open_map("plain", NULL, routes, NULL));
    assert_string_equal(err, "route \"0x378-0x37f=card:/dev/none\": card: no device /dev/none");
    const char *unknown[] = {"0x378-0x37f=bogus", NULL};
    assert_null(open_map("plain", NULL, unknown, NULL));
    assert_string_equal(err, "unknown backend \"bogus\" in route \"0x378-0x37f=bogus\" (known: "
                             "auto, card, native, real, plain)");
    assert_null(open_map("bogus", NULL, NULL, NULL));
    assert_string_equal(err, "unknown backend \"bogus\" (known: auto, card, native, real, plain)");
    const char *bad[] = {"0x378-0x37f", NULL};
    assert_null(open_map("plain", NULL, bad, NULL));
    assert_non_null(strstr(err, "route \"0x378-0x37f\" has no \"=\""));
}

static void t_trace_names_the_target(void **state)
{
    char path[256];
    snprintf(path, sizeof path, "%s/trace", test_dir());
    const char *remaps[] = {"0x378-0x37f=0xe050", NULL};
    iotrap_ports_config cfg = {.size = sizeof(cfg), .backend = "plain",
                               .allow = "0x378-0x37f,0x80", .remaps = remaps, .trace = path,
                               .trace_format = "jsonl", .quiet = 1};
    iotrap__session_params sp = { .cfg = &cfg, .backends = table };
    iotrap_ports *p = NULL;
    assert_int_equal(iotrap__session_open(&sp, &p, err, sizeof err), IOTRAP_OK);
    uint32_t v;
    assert_int_equal(iotrap_ports_out(p, 0x37a, 1, 0x0c, 0x401000), IOTRAP_OK);
    assert_int_equal(iotrap_ports_in(p, 0x80, 1, &v, 0x401002), IOTRAP_OK);
    assert_int_equal(iotrap_ports_in(p, 0x3f8, 1, &v, 0x401004), IOTRAP_E_DENIED);
    iotrap_ports_close(p);
    char *text = slurp(path, NULL);
    /* Each record starts with its time, "t":N: taken out to compare the rest. */
    for (char *r = text; (r = strstr(r, "{\"t\":"));) {
        char *comma = strchr(r, ',');
        memmove(r + 1, comma + 1, strlen(comma + 1) + 1);
        r++;
    }
    char want[1024];
    snprintf(want, sizeof want,
             "{\"op\":\"out\",\"width\":1,\"port\":890,\"target\":57426,\"value\":12,"
             "\"pc\":\"0x401000\",\"pid\":%d,\"tid\":%d,\"result\":\"ok\"}\n"
             "{\"op\":\"in\",\"width\":1,\"port\":128,\"value\":120,\"pc\":\"0x401002\","
             "\"pid\":%d,\"tid\":%d,\"result\":\"ok\"}\n"
             "{\"op\":\"in\",\"width\":1,\"port\":1016,\"pc\":\"0x401004\",\"pid\":%d,"
             "\"tid\":%d,\"result\":\"denied\"}\n",
             getpid(), getpid(), getpid(), getpid(), getpid(), getpid());
    assert_string_equal(text, want);
    free(text);
    cfg.trace_format = "text";
    unlink(path);
    assert_int_equal(iotrap__session_open(&sp, &p, err, sizeof err), IOTRAP_OK);
    assert_int_equal(iotrap_ports_out(p, 0x37a, 1, 0x0c, 0), IOTRAP_OK);
    iotrap_ports_close(p);
    text = slurp(path, NULL);
    assert_string_equal(text, "out8  0x037a [0xe052] <- 0x0c\n");
    free(text);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(t_route_parse),
    cmocka_unit_test(t_remap_parse),
    cmocka_unit_test(t_map_build),
    cmocka_unit_test(t_map_overlaps),
    cmocka_unit_test(t_default_allow),
    cmocka_unit_test(t_routes_and_remaps_reach_targets),
    cmocka_unit_test(t_allow_on_program_ports),
    cmocka_unit_test(t_windows),
    cmocka_unit_test(t_native_grants),
    cmocka_unit_test(t_errors_name_the_route),
    cmocka_unit_test(t_trace_names_the_target),
};

IOTRAP_TEST_MAIN(tests)
