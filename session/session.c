/* Port sessions: policy + port map + trace (iotrap/ports.h, session/session.h).
 *
 * The access functions run inside the SIGSEGV handler of the trap engine.  Their fast
 * path is a bitmap test, one table lookup and one indirect call into the route's backend;
 * a denied access is traced, reported on standard error (a bounded number of times,
 * unless quiet) and never reaches a backend.
 *
 * Opening follows a fixed order, so that a mistake is reported before any backend
 * touches hardware: the allow list, the routes and the remaps are parsed and the map is
 * built; then each route's backend opens (--backend auto: the first in registry order
 * that probes, opens and whose window holds the route's allowed ports), its default
 * allow list applies where the user gave none, and a native backend is granted the ports
 * that run untrapped; then the trace opens.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "common/map.h"
#include "backends/backend.h"
#include "backends/lock.h"
#include "common/fmt.h"
#include "common/parse.h"
#include "common/structsize.h"
#include "session/portmap.h"
#include "session/run_state.h"
#include "session/session.h"
#include "session/trace.h"

/* A program that polls a forbidden port would flood the terminal otherwise. */
#define MAX_DENIAL_MESSAGES 16

struct route {
    struct iotrap__backend_instance bi; /* bi.backend NULL until opened */
    char *spec;                         /* "NAME[:ARGS]" as opened ("auto" resolved) */
    iotrap__portset *ports;             /* a --route's ports as given; NULL for route 0 */
    bool granted;                       /* grant() succeeded: close() takes it back */
    bool windowed;                      /* the backend answers only wfirst..+wcount */
    uint16_t wfirst;
    uint32_t wcount;
};

struct iotrap_ports {
    iotrap__portset allow;
    iotrap__portmap map;
    struct route routes[IOTRAP__MAX_ROUTES + 1];
    char *remaps[IOTRAP__MAX_REMAPS]; /* as given, for iotrap__session_describe */
    size_t nremaps;
    iotrap__trace *trace;
    iotrap__run_state run;       /* the run's shared state; run.hdr NULL without one */
    iotrap__portset *nodev;      /* with --summary: the ports where the bus answers */
    iotrap__session_fast *fast;  /* see iotrap__session_fast_ports(); NULL until asked */
    int quiet;
    bool native;
    bool forks;
    bool chose; /* some route was "auto" */
    unsigned denials;
    iotrap_ports *next; /* in the list of sessions with fork handlers */
};

/* ---- Fork children ---------------------------------------------------------------- */

/* Open sessions with a backend that wants to hear about fork children (atfork_child). */
static iotrap_ports *forkable;
static pthread_mutex_t forkable_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t forkable_once = PTHREAD_ONCE_INIT;

static void fork_prepare(void)
{
    pthread_mutex_lock(&forkable_lock);
}

static void fork_parent(void)
{
    pthread_mutex_unlock(&forkable_lock);
}

static void fork_child(void)
{
    for (iotrap_ports *p = forkable; p; p = p->next)
        for (unsigned r = 0; r < p->map.nroutes; r++)
            if (p->routes[r].bi.backend->atfork_child)
                p->routes[r].bi.backend->atfork_child(&p->routes[r].bi);
    pthread_mutex_unlock(&forkable_lock);
}

static void register_fork_handlers(void)
{
    pthread_atfork(fork_prepare, fork_parent, fork_child);
}

static void track_forks(iotrap_ports *p)
{
    pthread_once(&forkable_once, register_fork_handlers);
    pthread_mutex_lock(&forkable_lock);
    p->next = forkable;
    forkable = p;
    p->forks = true;
    pthread_mutex_unlock(&forkable_lock);
}

static void untrack_forks(iotrap_ports *p)
{
    pthread_mutex_lock(&forkable_lock);
    for (iotrap_ports **pp = &forkable; *pp; pp = &(*pp)->next) {
        if (*pp == p) {
            *pp = p->next;
            break;
        }
    }
    pthread_mutex_unlock(&forkable_lock);
}

/* ---- Opening ------------------------------------------------------------------------- */

/* What opening one route needs to know besides the session. */
struct route_job {
    unsigned r;
    const char *spec;      /* "NAME[:ARGS]" */
    const char *what;      /* "backend" or "route \"0x378-0x37f=ppdev\"", for messages */
    int32_t first;         /* route_first for the backend */
    iotrap__portset ports; /* the program ports of the route */
    iotrap__portset allow; /* the allowed ones among them */
    bool allow_known;      /* false: the backend's default decides, after it opened */
};

static void known_backends(const struct iotrap__backend *const *table, char *buf, size_t len)
{
    iotrap__fmt f;
    iotrap__fmt_init(&f, buf, len - 1);
    iotrap__fmt_str(&f, "auto");
    for (size_t i = 0; table[i]; i++) {
        iotrap__fmt_str(&f, ", ");
        iotrap__fmt_str(&f, table[i]->name);
    }
    buf[f.len] = '\0';
}

/* Zeroed memory for a backend instance's state and for the port sets of opening a
 * session.  A large block is mapped rather than taken from the heap: the simulated
 * board's state is 68 KiB, mostly a table of all 65536 ports of which a few are used, and
 * calloc would write every byte of it in each process at start, where the kernel's zero
 * pages cost nothing until touched; and the port sets of the opening (8 KiB each) go back
 * to the kernel afterwards instead of staying in the heap of a process that may never
 * trap.  The session itself stays on the heap, where a leak checker sees the pointers it
 * holds. */
#define MAPPED_MIN (8u * 1024u)

static void *zeroed_alloc(size_t n)
{
    if (n < MAPPED_MIN)
        return calloc(1, n);
    void *p = iotrap__map(n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

static void zeroed_free(void *p, size_t n)
{
    if (n < MAPPED_MIN)
        free(p);
    else if (p)
        iotrap__unmap(p, n);
}

static void close_instance(struct route *rt)
{
    const struct iotrap__backend *be = rt->bi.backend;
    if (be && be->close)
        be->close(&rt->bi);
    if (be)
        zeroed_free(rt->bi.priv, be->priv_size);
    rt->bi.priv = NULL;
    rt->bi.backend = NULL;
    rt->granted = false;
}

static int open_instance(struct route *rt, const struct iotrap__backend *be,
                         const struct iotrap__backend_params *given, char *err, size_t errlen)
{
    /* Only a backend with state that the processes of a run share is asked to make it,
     * and only the first: a later one attaches to what that one made. */
    struct iotrap__backend_params own = *given;
    const struct iotrap__backend_params *bp = &own;
    iotrap_ports_config attach;
    if (given->shared_path && (!(be->caps & IOTRAP__CAP_SHARED) || given->shared_path[0])) {
        if (be->caps & IOTRAP__CAP_SHARED) {
            attach = *given->cfg;
            attach.board = given->shared_path;
            own.cfg = &attach;
        }
        own.shared_path = NULL;
        own.shared_pathlen = 0;
        own.shared_failed = NULL;
    }
    rt->bi.backend = be;
    rt->bi.priv = NULL;
    if (be->priv_size && !(rt->bi.priv = zeroed_alloc(be->priv_size))) {
        rt->bi.backend = NULL;
        return iotrap__err(err, errlen, IOTRAP_E_NOMEM, "out of memory");
    }
    int rc = be->open(&rt->bi, bp, err, errlen);
    if (rc != IOTRAP_OK) {
        zeroed_free(rt->bi.priv, be->priv_size);
        rt->bi.priv = NULL;
        rt->bi.backend = NULL;
        if (rc > 0)
            rc = IOTRAP_E_IO;
    }
    return rc;
}

/* How messages name a route: "backend direct" for the default one, else the route as
 * given. */
static const char *who(const struct route_job *job, const struct route *rt, char *buf,
                       size_t len)
{
    if (job->r)
        return job->what;
    snprintf(buf, len, "backend %s", rt->spec);
    return buf;
}

/* Refuses a backend whose window does not hold the target of every allowed port of the
 * route: those accesses could never be served. */
static int check_window(const iotrap_ports *p, const struct route *rt,
                        const struct route_job *job, char *err, size_t errlen)
{
    if (!rt->windowed || !job->allow_known)
        return IOTRAP_OK;
    uint16_t wfirst = rt->wfirst;
    uint32_t wcount = rt->wcount;
    for (uint32_t port = 0; port < IOTRAP__PORTS; port++) {
        if (!iotrap__portset_has(&job->allow, port))
            continue;
        uint16_t t = iotrap__portmap_target(&p->map, (uint16_t)port);
        if (t >= wfirst && (uint32_t)t < wfirst + wcount)
            continue;
        char moved[32] = "", name[320];
        if (t != port)
            snprintf(moved, sizeof moved, " (remapped to 0x%x)", (unsigned)t);
        return iotrap__err(err, errlen, IOTRAP_E_RANGE,
                           "%s serves only ports 0x%x-0x%x, and the allowed ports include "
                           "0x%x%s (give those ports a --route of their own)",
                           who(job, rt, name, sizeof name), (unsigned)wfirst,
                           (unsigned)(wfirst + wcount - 1), (unsigned)port, moved);
    }
    return IOTRAP_OK;
}

/* Opens backend `be` for a route, once its window (known before anything is opened)
 * holds the route's allowed ports. */
static int open_named(iotrap_ports *p, struct route *rt, const struct iotrap__backend *be,
                      const struct route_job *job, const struct iotrap__backend_params *bp,
                      char *err, size_t errlen)
{
    char why[512];
    int rc = IOTRAP_OK;
    rt->windowed = be->window != NULL;
    if (rt->windowed &&
        (rc = be->window(bp, &rt->wfirst, &rt->wcount, why, sizeof why)) == IOTRAP_OK &&
        (rc = check_window(p, rt, job, err, errlen)) != IOTRAP_OK)
        return rc;
    if (rc == IOTRAP_OK)
        rc = open_instance(rt, be, bp, why, sizeof why);
    if (rc != IOTRAP_OK) {
        /* The backend's message names what failed; a route says which route it was. */
        if (job->r)
            return iotrap__err(err, errlen, rc, "%s: %s", job->what, why);
        return iotrap__err(err, errlen, rc, "%s", why);
    }
    return IOTRAP_OK;
}

/* "auto[:ARGS]": the first backend in registry order whose probe passes, which opens and
 * whose window holds the allowed ports; the reasons of those that did not are kept for
 * the log line and the final error. */
static int open_auto(iotrap_ports *p, struct route *rt, const struct route_job *job,
                     const struct iotrap__backend_params *bp,
                     const struct iotrap__backend *const *table, char *err, size_t errlen)
{
    const iotrap_ports_config *cfg = bp->cfg;
    char why[256], all[1024] = "";
    size_t used = 0;
    for (size_t i = 0; table[i]; i++) {
        const struct iotrap__backend *be = table[i];
        why[0] = '\0';
        int rc = be->probe ? be->probe(bp->args, why, sizeof(why)) : IOTRAP_OK;
        if (rc == IOTRAP_OK) {
            char spec[512];
            snprintf(spec, sizeof spec, "%s%s%s", be->name, *bp->args ? ":" : "", bp->args);
            free(rt->spec);
            rt->spec = strdup(spec);
            if (!rt->spec)
                return iotrap__err(err, errlen, IOTRAP_E_NOMEM, "out of memory");
            rc = open_named(p, rt, be, job, bp, why, sizeof(why));
        }
        if (rc == IOTRAP_OK) {
            /* The fixed order and what each earlier backend lacked, so that a user can
             * see why this one was taken. */
            if (!cfg->quiet)
                fprintf(stderr, "iotrap: %s auto: using %s%s%s%s\n", job->what, be->name,
                        used ? " (tried " : "", all, used ? ")" : "");
            p->chose = true;
            return IOTRAP_OK;
        }
        /* Most reasons already start with the backend's name. */
        size_t nl = strlen(be->name);
        int named = strncmp(why, be->name, nl) == 0 && why[nl] == ':';
        int n = snprintf(all + used, sizeof(all) - used, "%s%s%s%s", used ? "; " : "",
                         named ? "" : be->name, named ? "" : ": ", why[0] ? why : "unavailable");
        if (n > 0 && (size_t)n < sizeof(all) - used)
            used += (size_t)n;
    }
    return iotrap__err(err, errlen, IOTRAP_E_NODEV, "%s auto: no backend could open (%s)",
                       job->what, all);
}

/* The ports a route allows when the user gave no allow list: a backend of real hardware
 * only its window (nothing without one), any other backend every port of the route. */
static void default_allow(const iotrap_ports *p, const struct route *rt, struct route_job *job)
{
    const struct iotrap__backend *be = rt->bi.backend;
    job->allow = job->ports;
    job->allow_known = true;
    if (!(be->caps & IOTRAP__CAP_REAL))
        return;
    if (!rt->windowed) {
        iotrap__portset_clear(&job->allow);
        return;
    }
    uint16_t wfirst = rt->wfirst;
    uint32_t wcount = rt->wcount;
    for (uint32_t port = 0; port < IOTRAP__PORTS; port++) {
        uint16_t t = iotrap__portmap_target(&p->map, (uint16_t)port);
        if (iotrap__portset_has(&job->allow, port) && (t < wfirst || t >= wfirst + wcount))
            iotrap__portset_remove(&job->allow, port, port);
    }
}

/* Gives a native backend its ports: in a program's session the allowed ports that are
 * not remapped run untrapped, and the targets of the remapped ones are reached from the
 * trap handler only; in a server every target is granted, as no program code runs. */
static int grant_native(iotrap_ports *p, struct route *rt, const struct route_job *job,
                        bool serving, char *err, size_t errlen)
{
    iotrap__portset *native = calloc(2, sizeof *native);
    if (!native)
        return iotrap__err(err, errlen, IOTRAP_E_NOMEM, "out of memory");
    iotrap__portset *reach = native + 1;
    for (uint32_t port = 0; port < IOTRAP__PORTS; port++) {
        if (!iotrap__portset_has(&job->allow, port))
            continue;
        uint16_t t = iotrap__portmap_target(&p->map, (uint16_t)port);
        iotrap__portset_add(serving || t == port ? native : reach, t, t);
    }
    iotrap__portset_andnot(reach, native);
    char why[256] = "", name[320];
    int rc = rt->bi.backend->grant(&rt->bi, native, reach, why, sizeof why);
    if (rc > 0)
        rc = IOTRAP_E_SYSTEM;
    if (rc == IOTRAP_OK) {
        rt->granted = true;
        p->native = p->native || (!serving && !iotrap__portset_empty(native));
    } else {
        iotrap__err(err, errlen, rc, "%s could not grant the allowed ports: %s",
                    who(job, rt, name, sizeof name), why[0] ? why : iotrap_strerror(rc));
    }
    free(native);
    return rc;
}

static int open_route(iotrap_ports *p, struct route_job *job, const iotrap_ports_config *cfg,
                      const iotrap__session_params *sp, char *err, size_t errlen)
{
    struct route *rt = &p->routes[job->r];
    const char *args;
    size_t namelen = iotrap__backend_spec_split(job->spec, &args);
    struct iotrap__backend_params bp = {
        .args = args, .route_first = job->first, .cfg = cfg, .shared_path = sp->shared_path,
        .shared_pathlen = sp->shared_pathlen, .shared_failed = sp->shared_failed,
    };
    const struct iotrap__backend *const *table = sp->backends ? sp->backends : iotrap__backends;
    int rc;
    if (namelen == 4 && memcmp(job->spec, "auto", 4) == 0) {
        rc = open_auto(p, rt, job, &bp, table, err, errlen);
    } else {
        const struct iotrap__backend *be = iotrap__backend_find(table, job->spec, namelen);
        if (!be) {
            char names[256];
            known_backends(table, names, sizeof(names));
            if (job->r == 0)
                return iotrap__err(err, errlen, IOTRAP_E_NODEV,
                                   "unknown backend \"%.*s\" (known: %s)", (int)namelen,
                                   job->spec, names);
            return iotrap__err(err, errlen, IOTRAP_E_NODEV,
                               "unknown backend \"%.*s\" in %s (known: %s)", (int)namelen,
                               job->spec, job->what, names);
        }
        if (!(rt->spec = strdup(job->spec)))
            return iotrap__err(err, errlen, IOTRAP_E_NOMEM, "out of memory");
        rc = open_named(p, rt, be, job, &bp, err, errlen);
    }
    if (rc != IOTRAP_OK)
        return rc;
    if (!job->allow_known)
        default_allow(p, rt, job);
    const struct iotrap__backend *be = rt->bi.backend;
    if ((be->caps & IOTRAP__CAP_NATIVE) && be->grant) {
        /* The grant is the process's I/O bitmap: two instances would undo each other. */
        char name[320];
        for (unsigned r = 0; r < p->map.nroutes; r++)
            if (r != job->r && p->routes[r].granted)
                return iotrap__err(err, errlen, IOTRAP_E_INVAL,
                                   "%s and another route both use %s, which grants ports "
                                   "to the whole process: give it one --route with all their "
                                   "ports", who(job, rt, name, sizeof name), be->name);
        rc = grant_native(p, rt, job, sp->serve_targets != NULL, err, errlen);
        if (rc != IOTRAP_OK)
            return rc;
    }
    iotrap__portset_or(&p->allow, &job->allow);
    return IOTRAP_OK;
}

/* The allowed ports of a route before its backend opens, where they are known then. */
static void route_allow(const iotrap_ports *p, struct route_job *job, const iotrap__portset *given,
                        const iotrap__session_params *sp)
{
    job->allow = job->ports;
    job->allow_known = true;
    if (sp->serve_targets) {
        for (uint32_t port = 0; port < IOTRAP__PORTS; port++)
            if (iotrap__portset_has(&job->allow, port) &&
                !iotrap__portset_has(sp->serve_targets,
                                     iotrap__portmap_target(&p->map, (uint16_t)port)))
                iotrap__portset_remove(&job->allow, port, port);
    } else if (given) {
        iotrap__portset_and(&job->allow, given);
    } else if (job->r == 0) {
        job->allow_known = false;
    }
}

/* What answers program port `port`: 1 a device (with *lines), 0 the bus, -1 unknown (the
 * route's backend cannot tell). */
static int describe(const iotrap_ports *p, uint16_t port, const iotrap_device_lines **lines)
{
    const struct iotrap__map_slot *s = iotrap__portmap_slot(&p->map, port);
    const struct route *rt = &p->routes[s->route];
    *lines = NULL;
    if (!rt->bi.backend->describe)
        return -1;
    return rt->bi.backend->describe((struct iotrap__backend_instance *)&rt->bi,
                                    (uint16_t)(port + s->delta), lines);
}

/* The ports where nothing answers, for --summary's "no device". */
static int find_nodev(iotrap_ports *p, char *err, size_t errlen)
{
    if (!(p->nodev = calloc(1, sizeof *p->nodev)))
        return iotrap__err(err, errlen, IOTRAP_E_NOMEM, "out of memory");
    for (uint32_t port = 0; port < IOTRAP__PORTS; port++) {
        const iotrap_device_lines *lines;
        if (describe(p, (uint16_t)port, &lines) == 0)
            iotrap__portset_add(p->nodev, port, port);
    }
    return IOTRAP_OK;
}

/* Opens the trace.  A VCD trace shows the ports of --trace-ports, or else every port a
 * device answers, each with the lines its device names. */
static int open_trace(iotrap_ports *p, const iotrap_ports_config *cfg,
                      const iotrap__portset *tports, char *err, size_t errlen)
{
    iotrap__trace_params tp = {
        .path = cfg->trace, .format = cfg->trace_format, .ports = tports,
        .max_bytes = cfg->trace_max, .run = p->run.hdr ? &p->run : NULL,
    };
    iotrap__trace_port *vcd = NULL;
    if (iotrap__trace_format_vcd(cfg->trace_format)) {
        if (!(vcd = calloc(IOTRAP__TRACE_VCD_PORTS + 1, sizeof *vcd)))
            return iotrap__err(err, errlen, IOTRAP_E_NOMEM, "out of memory");
        bool known = tports != NULL;
        for (uint32_t port = 0; port < IOTRAP__PORTS; port++) {
            const iotrap_device_lines *lines;
            int d = describe(p, (uint16_t)port, &lines);
            known = known || d >= 0;
            if (tports ? !iotrap__portset_has(tports, port) : d != 1)
                continue;
            if (tp.nvcd <= IOTRAP__TRACE_VCD_PORTS)
                vcd[tp.nvcd] = (iotrap__trace_port){ (uint16_t)port, lines };
            tp.nvcd++;
        }
        if (!known) {
            free(vcd);
            return iotrap__err(err, errlen, IOTRAP_E_INVAL,
                               "--trace-format vcd: the backend cannot say which ports hold "
                               "devices; give the ports to show with --trace-ports");
        }
        tp.vcd = vcd;
    }
    int rc = iotrap__trace_open(&p->trace, &tp, err, errlen);
    free(vcd);
    return rc;
}

static size_t count(const char *const *list)
{
    size_t n = 0;
    while (list && list[n])
        n++;
    return n;
}

int iotrap__session_open(const iotrap__session_params *sp, iotrap_ports **out, char *err,
                         size_t errlen)
{
    static const iotrap_ports_config defaults = {.size = sizeof defaults};
    const iotrap_ports_config *cfg = sp->cfg ? sp->cfg : &defaults;
    if (err && errlen)
        err[0] = '\0';
    if (!out)
        return iotrap__err(err, errlen, IOTRAP_E_INVAL, "no place for the session");
    *out = NULL;
    int st = iotrap__struct_size_check_msg(cfg, sizeof *cfg, "iotrap_ports_config", err, errlen);
    if (st != IOTRAP_OK)
        return st;
    iotrap__tid(); /* primes the thread-id cache and its fork handler before any access */

    iotrap_ports *p = calloc(1, sizeof(*p));
    size_t nroutes = count(cfg->routes), nremaps = count(cfg->remaps);
    iotrap__route_spec *routes = calloc(nroutes ? nroutes : 1, sizeof *routes);
    iotrap__remap_spec *remaps = calloc(nremaps ? nremaps : 1, sizeof *remaps);
    iotrap__portset *given = zeroed_alloc(2 * sizeof *given);
    iotrap__portset *tports = given + 1;
    struct route_job *job = zeroed_alloc(sizeof *job);
    char why[512];
    int rc = IOTRAP_OK;
    if (!p || !routes || !remaps || !given || !job) {
        rc = iotrap__err(err, errlen, IOTRAP_E_NOMEM, "out of memory");
        goto out;
    }
    p->quiet = cfg->quiet;
    p->map.nroutes = 1;

    /* Everything the user wrote is checked before any backend touches hardware. */
    if (cfg->allow && !sp->serve_targets &&
        (rc = iotrap__portset_parse(given, cfg->allow, why, sizeof why)) != IOTRAP_OK) {
        iotrap__err(err, errlen, rc, "--allow: %s", why);
        goto out;
    }
    if (!iotrap__trace_format_known(cfg->trace_format)) {
        rc = iotrap__err(err, errlen, IOTRAP_E_SYNTAX,
                         "unknown trace format \"%s\" (known: text, jsonl, vcd)",
                         cfg->trace_format);
        goto out;
    }
    if (cfg->trace_ports &&
        (rc = iotrap__portset_parse(tports, cfg->trace_ports, why, sizeof why)) != IOTRAP_OK) {
        iotrap__err(err, errlen, rc, "--trace-ports: %s", why);
        goto out;
    }
    for (size_t i = 0; i < nroutes && rc == IOTRAP_OK; i++)
        rc = iotrap__route_parse(cfg->routes[i], &routes[i], err, errlen);
    for (size_t i = 0; i < nremaps && rc == IOTRAP_OK; i++)
        rc = iotrap__remap_parse(cfg->remaps[i], &remaps[i], err, errlen);
    if (rc != IOTRAP_OK ||
        (rc = iotrap__portmap_build(&p->map, routes, nroutes, remaps, nremaps, err, errlen)) !=
            IOTRAP_OK)
        goto out;
    for (size_t i = 0; i < nremaps; i++)
        if (!(p->remaps[p->nremaps++] = strdup(remaps[i].text))) {
            rc = iotrap__err(err, errlen, IOTRAP_E_NOMEM, "out of memory");
            goto out;
        }

    /* The routes first, then the default route, which serves what they leave. */
    for (size_t k = 1; k <= nroutes + 1 && rc == IOTRAP_OK; k++) {
        unsigned r = k <= nroutes ? (unsigned)k : 0;
        char what[300];
        /* Every member is set here, by iotrap__portmap_route_ports() and by route_allow():
         * zeroing the job would touch all of its 16 KiB. */
        job->r = r;
        if (r) {
            snprintf(what, sizeof what, "route \"%s\"", routes[r - 1].text);
            job->spec = routes[r - 1].backend;
            job->first = routes[r - 1].first;
            if (!(p->routes[r].ports = malloc(sizeof *p->routes[r].ports))) {
                rc = iotrap__err(err, errlen, IOTRAP_E_NOMEM, "out of memory");
                break;
            }
            *p->routes[r].ports = routes[r - 1].ports;
        } else {
            snprintf(what, sizeof what, "backend");
            job->spec = cfg->backend && *cfg->backend ? cfg->backend : "sim";
            job->first = -1;
        }
        job->what = what;
        iotrap__portmap_route_ports(&p->map, r, &job->ports);
        route_allow(p, job, cfg->allow ? given : NULL, sp);
        rc = open_route(p, job, cfg, sp, err, errlen);
    }
    if (rc != IOTRAP_OK)
        goto out;
    /* What auto chose, with the rest of the map, so that a user sees where each port goes. */
    if (p->chose && !cfg->quiet) {
        char map[4096];
        iotrap__session_describe(p, "iotrap: map: ", map, sizeof map);
        fputs(map, stderr);
    }

    if (sp->run && (rc = iotrap__run_state_attach(&p->run, sp->run, err, errlen)) != IOTRAP_OK)
        goto out;
    if (p->run.ports && (rc = find_nodev(p, err, errlen)) != IOTRAP_OK)
        goto out;
    if (cfg->trace && (rc = open_trace(p, cfg, cfg->trace_ports ? tports : NULL, err, errlen)) !=
                          IOTRAP_OK)
        goto out;
    for (unsigned r = 0; r < p->map.nroutes; r++)
        if (p->routes[r].bi.backend->atfork_child && !p->forks)
            track_forks(p);
    *out = p;
    p = NULL;
out:
    if (p)
        iotrap_ports_close(p);
    free(routes);
    free(remaps);
    zeroed_free(given, 2 * sizeof *given);
    zeroed_free(job, sizeof *job);
    return rc;
}

int iotrap_ports_open(const iotrap_ports_config *cfg, iotrap_ports **out, char *err,
                      size_t errlen)
{
    iotrap__session_params sp = { .cfg = cfg };
    return iotrap__session_open(&sp, out, err, errlen);
}

void iotrap_ports_close(iotrap_ports *p)
{
    if (!p)
        return;
    if (p->forks)
        untrack_forks(p);
    iotrap__trace_close(p->trace);
    iotrap__run_state_detach(&p->run);
    free(p->nodev);
    if (p->fast)
        iotrap__unmap(p->fast, sizeof *p->fast);
    for (unsigned r = 0; r <= IOTRAP__MAX_ROUTES; r++) {
        close_instance(&p->routes[r]);
        free(p->routes[r].spec);
        free(p->routes[r].ports);
    }
    for (size_t i = 0; i < p->nremaps; i++)
        free(p->remaps[i]);
    iotrap__portmap_free(&p->map);
    free(p);
}

/* ---- Queries ------------------------------------------------------------------------- */

bool iotrap__session_native(const iotrap_ports *p)
{
    return p->native;
}

const iotrap__session_fast *iotrap__session_fast_ports(iotrap_ports *p)
{
    /* A traced or counted access must go through the session, which records it. */
    if (p->trace || p->run.ports)
        return NULL;
    if (!p->fast) {
        /* Mapped, not allocated: the first patching asks, in the SIGSEGV handler. */
        iotrap__session_fast *f = iotrap__map(sizeof *f, PROT_READ | PROT_WRITE,
                                       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (f == MAP_FAILED)
            return NULL;
        for (uint32_t port = 0; port < IOTRAP__PORTS; port++) {
            if (!iotrap__portset_has(&p->allow, port))
                continue;
            const struct iotrap__map_slot *slot = iotrap__portmap_slot(&p->map, (uint16_t)port);
            struct iotrap__backend_instance *bi = &p->routes[slot->route].bi;
            const struct iotrap__backend *be = bi->backend;
            uint16_t target = (uint16_t)(port + slot->delta);
            if ((be->caps & IOTRAP__CAP_OPEN_BUS) && be->describe &&
                !be->describe(bi, target, NULL))
                iotrap__portset_add(&f->bus, port, port);
            else if (be->general_regs && be->general_regs(bi, target))
                iotrap__portset_add(&f->direct, port, port);
        }
        p->fast = f;
    }
    return p->fast;
}

uint16_t iotrap__session_target(const iotrap_ports *p, uint16_t port)
{
    return iotrap__portmap_target(&p->map, port);
}

size_t iotrap__session_backend_spec(const iotrap_ports *p, char *buf, size_t len)
{
    return (size_t)snprintf(buf, len, "%s", p->routes[0].spec);
}

size_t iotrap__session_routes_spec(const iotrap_ports *p, char *buf, size_t len)
{
    size_t used = 0;
    if (len)
        buf[0] = '\0';
    for (unsigned r = 1; r < p->map.nroutes; r++) {
        char ports[4096];
        iotrap__portset_format(p->routes[r].ports, ports, sizeof ports);
        int n = snprintf(used < len ? buf + used : NULL, used < len ? len - used : 0, "%s%s=%s",
                         r > 1 ? ";" : "", ports, p->routes[r].spec);
        used += n > 0 ? (size_t)n : 0;
    }
    return used;
}

size_t iotrap__session_describe(const iotrap_ports *p, const char *prefix, char *buf,
                                size_t len)
{
    size_t used = 0;
#define PUT(...)                                                                             \
    do {                                                                                     \
        int n_ = snprintf(used < len ? buf + used : NULL, used < len ? len - used : 0,       \
                          __VA_ARGS__);                                                      \
        used += n_ > 0 ? (size_t)n_ : 0;                                                     \
    } while (0)
    char ports[4096];
    for (unsigned r = 0; r < p->map.nroutes; r++) {
        const struct route *rt = &p->routes[(r + 1) % p->map.nroutes];
        if (rt->ports)
            iotrap__portset_format(rt->ports, ports, sizeof ports);
        PUT("%s%s -> %s", prefix, rt->ports ? ports : p->map.nroutes > 1 ? "other ports" :
                                                                            "every port",
            rt->spec);
        if (rt->windowed)
            PUT(" (serves 0x%x-0x%x)", (unsigned)rt->wfirst,
                (unsigned)(rt->wfirst + rt->wcount - 1));
        PUT("\n");
    }
    for (size_t i = 0; i < p->nremaps; i++)
        PUT("%sremap %s\n", prefix, p->remaps[i]);
    iotrap__portset_format(&p->allow, ports, sizeof ports);
    PUT("%sallowed: %s%s\n", prefix, ports, p->native ? " (some run natively, untrapped)" : "");
#undef PUT
    if (len)
        buf[used < len ? used : len - 1] = '\0';
    return used;
}

int iotrap_ports_allowed(const iotrap_ports *p, uint16_t port, unsigned width)
{
    return p && iotrap__portset_has_all(&p->allow, port, width);
}

/* ---- Accesses ------------------------------------------------------------------------ */

static int valid_width(unsigned width)
{
    return width == 1 || width == 2 || width == 4;
}

static void trace(iotrap_ports *p, enum iotrap__trace_op op, uint16_t port, unsigned width,
                  uint32_t value, const void *data, size_t count, bool denied, uint64_t pc)
{
    iotrap__trace_rec rec = {op, width, port, iotrap__portmap_target(&p->map, port), value,
                             data, count, denied, pc};
    iotrap__trace_write(p->trace, &rec);
}

/* Counts an access for --summary, at its program port: reads or writes (each element of
 * a string), whether a byte of it reached no device (a performed access), and `flags`. */
static void note(iotrap_ports *p, enum iotrap__trace_op op, uint16_t port, unsigned width,
                 size_t count, uint32_t flags)
{
    for (unsigned i = 0; i < width && !(flags & IOTRAP__RUN_DENIED); i++)
        if (iotrap__portset_has(p->nodev, (uint32_t)port + i))
            flags |= IOTRAP__RUN_NODEV;
    bool write = op == IOTRAP__TR_OUT || op == IOTRAP__TR_OUTS;
    bool string = op == IOTRAP__TR_INS || op == IOTRAP__TR_OUTS;
    iotrap__run_state_note(&p->run, port, write, string ? (uint32_t)count : 1u, flags);
}

/* After an access the session performed: its trace record and its --summary count. */
static void done(iotrap_ports *p, enum iotrap__trace_op op, uint16_t port, unsigned width,
                 uint32_t value, const void *data, size_t count, uint64_t pc)
{
    if (p->trace)
        trace(p, op, port, width, value, data, count, false, pc);
    if (p->run.ports)
        note(p, op, port, width, count, 0);
}

void iotrap__say_denied(unsigned *budget, const char *what, size_t len, uint64_t pc)
{
    unsigned n = __atomic_fetch_add(budget, 1, __ATOMIC_RELAXED);
    if (n >= MAX_DENIAL_MESSAGES)
        return;
    char line[640];
    iotrap__fmt f;
    iotrap__fmt_init(&f, line, sizeof(line));
    iotrap__fmt_str(&f, "iotrap: denied: ");
    for (size_t i = 0; i < len; i++)
        iotrap__fmt_char(&f, what[i]);
    iotrap__fmt_str(&f, " at pc ");
    iotrap__fmt_0x(&f, pc, 1);
    iotrap__fmt_str(&f, " (port not in --allow)");
    if (n + 1 == MAX_DENIAL_MESSAGES)
        iotrap__fmt_str(&f, "; further denials are not reported");
    iotrap__fmt_char(&f, '\n');
    int saved = errno;
    while (write(STDERR_FILENO, line, f.len) < 0 && errno == EINTR)
        ;
    errno = saved;
}

/* Traces a denial and tells the user, within the message budget; async-signal-safe. */
static int deny(iotrap_ports *p, enum iotrap__trace_op op, uint16_t port, unsigned width,
                uint32_t value, const void *data, size_t count, uint64_t pc)
{
    if (p->trace)
        trace(p, op, port, width, value, data, count, true, pc);
    if (p->run.ports)
        note(p, op, port, width, count, IOTRAP__RUN_DENIED);
    if (p->quiet)
        return IOTRAP_E_DENIED;
    /* A write shows what it tried to write (strings: the first elements); a read has
     * nothing to show but where. */
    char acc[400];
    iotrap__trace_rec rec = {op, width, port, iotrap__portmap_target(&p->map, port), value,
                             data, count, false, pc};
    size_t alen = op == IOTRAP__TR_OUT || op == IOTRAP__TR_OUTS
                      ? iotrap__trace_format_text(acc, sizeof(acc), &rec, 8)
                      : iotrap__trace_format_head(acc, sizeof(acc), &rec);
    iotrap__say_denied(&p->denials, acc, alen, pc);
    return IOTRAP_E_DENIED;
}

static struct iotrap__backend_instance *route_of(iotrap_ports *p, uint16_t port, uint16_t *target)
{
    const struct iotrap__map_slot *s = iotrap__portmap_slot(&p->map, port);
    *target = (uint16_t)(port + s->delta);
    return &p->routes[s->route].bi;
}

/* An access whose bytes take different routes or offsets becomes byte accesses at
 * consecutive program ports, least significant byte first, as a bus splits a wide access
 * to byte-wide devices. */
static int split_in(iotrap_ports *p, uint16_t port, unsigned width, uint32_t *value)
{
    uint32_t v = 0;
    for (unsigned i = 0; i < width; i++) {
        uint16_t t;
        struct iotrap__backend_instance *bi = route_of(p, (uint16_t)(port + i), &t);
        uint32_t b = 0;
        int rc = bi->backend->in(bi, t, 1, &b);
        if (rc != IOTRAP_OK)
            return rc;
        v |= (b & 0xffu) << (8 * i);
    }
    *value = v;
    return IOTRAP_OK;
}

static int split_out(iotrap_ports *p, uint16_t port, unsigned width, uint32_t value)
{
    for (unsigned i = 0; i < width; i++) {
        uint16_t t;
        struct iotrap__backend_instance *bi = route_of(p, (uint16_t)(port + i), &t);
        int rc = bi->backend->out(bi, t, 1, (value >> (8 * i)) & 0xffu);
        if (rc != IOTRAP_OK)
            return rc;
    }
    return IOTRAP_OK;
}

static int do_in(iotrap_ports *p, uint16_t port, unsigned width, uint32_t *value)
{
    if (__builtin_expect(!iotrap__portmap_whole(&p->map, port, width), 0))
        return split_in(p, port, width, value);
    uint16_t t;
    struct iotrap__backend_instance *bi = route_of(p, port, &t);
    return bi->backend->in(bi, t, width, value);
}

static int do_out(iotrap_ports *p, uint16_t port, unsigned width, uint32_t value)
{
    if (__builtin_expect(!iotrap__portmap_whole(&p->map, port, width), 0))
        return split_out(p, port, width, value);
    uint16_t t;
    struct iotrap__backend_instance *bi = route_of(p, port, &t);
    return bi->backend->out(bi, t, width, value);
}

int iotrap_ports_in(iotrap_ports *p, uint16_t port, unsigned width, uint32_t *value,
                    uint64_t pc)
{
    if (__builtin_expect(!valid_width(width) || !value, 0))
        return IOTRAP_E_INVAL;
    if (__builtin_expect(!iotrap__portset_has_all(&p->allow, port, width), 0))
        return deny(p, IOTRAP__TR_IN, port, width, 0, NULL, 0, pc);
    *value = 0;
    int rc = do_in(p, port, width, value);
    if (rc == IOTRAP_OK)
        done(p, IOTRAP__TR_IN, port, width, *value, NULL, 0, pc);
    return rc;
}

int iotrap_ports_out(iotrap_ports *p, uint16_t port, unsigned width, uint32_t value,
                     uint64_t pc)
{
    if (__builtin_expect(!valid_width(width), 0))
        return IOTRAP_E_INVAL;
    if (width < 4)
        value &= (1u << (8 * width)) - 1;
    if (__builtin_expect(!iotrap__portset_has_all(&p->allow, port, width), 0))
        return deny(p, IOTRAP__TR_OUT, port, width, value, NULL, 0, pc);
    int rc = do_out(p, port, width, value);
    if (rc == IOTRAP_OK)
        done(p, IOTRAP__TR_OUT, port, width, value, NULL, 0, pc);
    return rc;
}

/* A string to one port: one call of the backend's string member when the whole element
 * reaches one backend and it has one, else element by element. */
static int do_in_string(iotrap_ports *p, uint16_t port, unsigned width, void *buf,
                        size_t count)
{
    uint16_t t;
    struct iotrap__backend_instance *bi = route_of(p, port, &t);
    bool whole = iotrap__portmap_whole(&p->map, port, width);
    if (whole && bi->backend->in_string)
        return bi->backend->in_string(bi, t, width, buf, count);
    uint8_t *d = buf;
    for (size_t i = 0; i < count; i++) {
        uint32_t v = 0;
        int rc = whole ? bi->backend->in(bi, t, width, &v) : split_in(p, port, width, &v);
        if (rc != IOTRAP_OK)
            return rc;
        memcpy(d + i * width, &v, width);
    }
    return IOTRAP_OK;
}

static int do_out_string(iotrap_ports *p, uint16_t port, unsigned width, const void *buf,
                         size_t count)
{
    uint16_t t;
    struct iotrap__backend_instance *bi = route_of(p, port, &t);
    bool whole = iotrap__portmap_whole(&p->map, port, width);
    if (whole && bi->backend->out_string)
        return bi->backend->out_string(bi, t, width, buf, count);
    const uint8_t *s = buf;
    for (size_t i = 0; i < count; i++) {
        uint32_t v = 0;
        memcpy(&v, s + i * width, width);
        int rc = whole ? bi->backend->out(bi, t, width, v) : split_out(p, port, width, v);
        if (rc != IOTRAP_OK)
            return rc;
    }
    return IOTRAP_OK;
}

int iotrap_ports_in_string(iotrap_ports *p, uint16_t port, unsigned width, void *buf,
                           size_t count, uint64_t pc)
{
    if (!valid_width(width) || (!buf && count))
        return IOTRAP_E_INVAL;
    if (!iotrap__portset_has_all(&p->allow, port, width))
        return deny(p, IOTRAP__TR_INS, port, width, 0, NULL, count, pc);
    if (count == 0)
        return IOTRAP_OK;
    int rc = do_in_string(p, port, width, buf, count);
    if (rc == IOTRAP_OK)
        done(p, IOTRAP__TR_INS, port, width, 0, buf, count, pc);
    return rc;
}

int iotrap_ports_out_string(iotrap_ports *p, uint16_t port, unsigned width, const void *buf,
                            size_t count, uint64_t pc)
{
    if (!valid_width(width) || (!buf && count))
        return IOTRAP_E_INVAL;
    if (!iotrap__portset_has_all(&p->allow, port, width))
        return deny(p, IOTRAP__TR_OUTS, port, width, 0, buf, count, pc);
    if (count == 0)
        return IOTRAP_OK;
    int rc = do_out_string(p, port, width, buf, count);
    if (rc == IOTRAP_OK)
        done(p, IOTRAP__TR_OUTS, port, width, 0, buf, count, pc);
    return rc;
}
