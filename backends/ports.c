/* Port sessions: policy + backend + trace (iotrap/ports.h).
 *
 * The access functions run inside the SIGSEGV handler of the trap engine.  Their fast
 * path is a bitmap test and one indirect call into the backend; a denied access is
 * traced, reported on standard error (a bounded number of times, unless quiet) and
 * never reaches the backend. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "backends/backend.h"
#include "backends/lock.h"
#include "backends/policy.h"
#include "backends/trace.h"
#include "common/fmt.h"
#include "common/parse.h"

/* A program that polls a forbidden port would flood the terminal otherwise. */
#define MAX_DENIAL_MESSAGES 16

struct iotrap_ports {
    iotrap__policy policy;
    struct iotrap__backend_instance inner;
    struct iotrap__backend_instance trace; /* backend NULL when not tracing */
    int traced;
    int quiet;
    int granted;
    unsigned denials;
    iotrap_ports *next; /* in the list of open sessions, for fork children */
};

/* Open sessions whose backend wants to hear about fork children (atfork_child). */
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
        p->inner.backend->atfork_child(&p->inner);
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

static int open_backend(iotrap_ports *p, const struct iotrap__backend *be, const char *args,
                        const iotrap_ports_config *cfg, char *err, size_t errlen)
{
    p->inner.backend = be;
    p->inner.priv = NULL;
    if (be->priv_size) {
        p->inner.priv = calloc(1, be->priv_size);
        if (!p->inner.priv)
            return iotrap__err(err, errlen, IOTRAP_E_NOMEM, "out of memory");
    }
    int rc = be->open(&p->inner, args, cfg, err, errlen);
    if (rc != IOTRAP_OK) {
        free(p->inner.priv);
        p->inner.priv = NULL;
        p->inner.backend = NULL;
        if (rc > 0)
            rc = IOTRAP_E_IO;
    }
    return rc;
}

static void known_backends(char *buf, size_t len)
{
    iotrap__fmt f;
    iotrap__fmt_init(&f, buf, len - 1);
    iotrap__fmt_str(&f, "auto");
    for (size_t i = 0; iotrap__backends[i]; i++) {
        iotrap__fmt_str(&f, ", ");
        iotrap__fmt_str(&f, iotrap__backends[i]->name);
    }
    buf[f.len] = '\0';
}

/* --backend auto: the first backend in registry order whose probe passes and which
 * opens; the messages of those that did not are kept for the final error. */
static int open_auto(iotrap_ports *p, const char *args, const iotrap_ports_config *cfg,
                     char *err, size_t errlen)
{
    char why[256], all[1024] = "";
    size_t used = 0;
    for (size_t i = 0; iotrap__backends[i]; i++) {
        const struct iotrap__backend *be = iotrap__backends[i];
        why[0] = '\0';
        int rc = be->probe ? be->probe(args, why, sizeof(why)) : IOTRAP_OK;
        if (rc == IOTRAP_OK && open_backend(p, be, args, cfg, why, sizeof(why)) == IOTRAP_OK) {
            /* The fixed order and what each earlier backend lacked, so that a user can
             * see why this one was taken. */
            if (!cfg->quiet)
                fprintf(stderr, "iotrap: backend auto: using %s%s%s%s\n", be->name,
                        used ? " (tried " : "", all, used ? ")" : "");
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
    return iotrap__err(err, errlen, IOTRAP_E_NODEV, "no backend could open (%s)", all);
}

static int grant_run(void *ctx, uint16_t first, uint32_t count)
{
    struct iotrap__backend_instance *bi = ctx;
    return bi->backend->grant(bi, first, count, true);
}

static int revoke_run(void *ctx, uint16_t first, uint32_t count)
{
    struct iotrap__backend_instance *bi = ctx;
    bi->backend->grant(bi, first, count, false);
    return 0;
}

int iotrap_ports_open(const iotrap_ports_config *cfg, iotrap_ports **out, char *err,
                      size_t errlen)
{
    static const iotrap_ports_config defaults;
    if (err && errlen)
        err[0] = '\0';
    if (!out)
        return iotrap__err(err, errlen, IOTRAP_E_INVAL, "no place for the session");
    *out = NULL;
    if (!cfg)
        cfg = &defaults;
    iotrap__tid(); /* primes the thread-id cache and its fork handler, outside any handler */

    iotrap_ports *p = calloc(1, sizeof(*p));
    if (!p)
        return iotrap__err(err, errlen, IOTRAP_E_NOMEM, "out of memory");
    p->quiet = cfg->quiet;

    /* A bad allow list is reported before any backend touches hardware. */
    char why[256];
    int rc;
    if (cfg->allow && (rc = iotrap__policy_parse(&p->policy, cfg->allow, why, sizeof(why))) !=
                          IOTRAP_OK) {
        free(p);
        return iotrap__err(err, errlen, rc, "--allow: %s", why);
    }

    const char *spec = cfg->backend && *cfg->backend ? cfg->backend : "sim";
    const char *colon = strchr(spec, ':');
    size_t namelen = colon ? (size_t)(colon - spec) : strlen(spec);
    const char *args = colon ? colon + 1 : "";
    if (namelen == 4 && memcmp(spec, "auto", 4) == 0) {
        rc = open_auto(p, args, cfg, err, errlen);
    } else {
        const struct iotrap__backend *be = iotrap__backend_find(spec, namelen);
        if (!be) {
            char names[256];
            known_backends(names, sizeof(names));
            rc = iotrap__err(err, errlen, IOTRAP_E_NODEV, "unknown backend \"%.*s\" (known: %s)",
                             (int)namelen, spec, names);
        } else {
            rc = open_backend(p, be, args, cfg, err, errlen);
        }
    }
    if (rc != IOTRAP_OK) {
        free(p);
        return rc;
    }

    /* Without an allow list the backend's default applies (none: nothing allowed). */
    if (!cfg->allow && p->inner.backend->default_allow) {
        rc = iotrap__policy_parse(&p->policy, p->inner.backend->default_allow, why, sizeof(why));
        if (rc != IOTRAP_OK) {
            iotrap__err(err, errlen, rc, "backend %s has a bad default allow list: %s",
                        p->inner.backend->name, why);
            goto fail;
        }
    }

    if ((p->inner.backend->caps & IOTRAP__CAP_NATIVE) && p->inner.backend->grant) {
        rc = iotrap__policy_each_run(&p->policy, grant_run, &p->inner);
        p->granted = 1;
        if (rc != IOTRAP_OK) {
            iotrap__err(err, errlen, rc < 0 ? rc : IOTRAP_E_SYSTEM,
                        "backend %s could not grant the allowed ports: %s",
                        p->inner.backend->name, iotrap_strerror(rc));
            goto fail;
        }
    }

    if (cfg->trace) {
        rc = iotrap__trace_wrap(&p->trace, &p->inner, cfg->trace, cfg->trace_format, err, errlen);
        if (rc != IOTRAP_OK)
            goto fail;
        p->traced = 1;
    } else if (cfg->trace_format && strcmp(cfg->trace_format, "text") != 0 &&
               strcmp(cfg->trace_format, "jsonl") != 0) {
        rc = iotrap__err(err, errlen, IOTRAP_E_SYNTAX,
                         "unknown trace format \"%s\" (known: text, jsonl)", cfg->trace_format);
        goto fail;
    }
    if (p->inner.backend->atfork_child)
        track_forks(p);
    *out = p;
    return IOTRAP_OK;

fail:
    iotrap_ports_close(p);
    return rc;
}

void iotrap_ports_close(iotrap_ports *p)
{
    if (!p)
        return;
    if (p->inner.backend && p->inner.backend->atfork_child)
        untrack_forks(p);
    if (p->traced)
        iotrap__trace_unwrap(&p->trace);
    if (p->inner.backend) {
        if (p->granted)
            iotrap__policy_each_run(&p->policy, revoke_run, &p->inner);
        if (p->inner.backend->close)
            p->inner.backend->close(&p->inner);
    }
    free(p->inner.priv);
    free(p);
}

int iotrap_ports_allowed(const iotrap_ports *p, uint16_t port, unsigned width, int write)
{
    (void)write; /* one bitmap governs both directions for now */
    return p && iotrap__policy_allowed(&p->policy, port, width);
}

static int valid_width(unsigned width)
{
    return width == 1 || width == 2 || width == 4;
}

/* Traces a denial and tells the user, within the message budget; async-signal-safe. */
static int deny(iotrap_ports *p, enum iotrap__trace_op op, uint16_t port, unsigned width,
                uint32_t value, const void *data, size_t count, uint64_t pc)
{
    if (p->traced)
        iotrap__trace_denied(&p->trace, op, port, width, value, data, count, pc);
    if (p->quiet)
        return IOTRAP_E_DENIED;
    unsigned n = __atomic_fetch_add(&p->denials, 1, __ATOMIC_RELAXED);
    if (n >= MAX_DENIAL_MESSAGES)
        return IOTRAP_E_DENIED;
    char line[640];
    iotrap__fmt f;
    iotrap__fmt_init(&f, line, sizeof(line));
    iotrap__fmt_str(&f, "iotrap: denied: ");
    /* A write shows what it tried to write (strings: the first elements); a read has
     * nothing to show but where. */
    char acc[400];
    size_t alen;
    if (op == IOTRAP__TR_OUT || op == IOTRAP__TR_OUTS)
        alen = iotrap__trace_format_text(acc, sizeof(acc), op, port, width, value, data,
                                         count < 8 ? count : 8, 0);
    else
        alen = iotrap__trace_format_head(acc, sizeof(acc), op, port, width);
    for (size_t i = 0; i < alen; i++)
        iotrap__fmt_char(&f, acc[i]);
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
    return IOTRAP_E_DENIED;
}

int iotrap_ports_in(iotrap_ports *p, uint16_t port, unsigned width, uint32_t *value,
                    uint64_t pc)
{
    if (__builtin_expect(!valid_width(width) || !value, 0))
        return IOTRAP_E_INVAL;
    if (__builtin_expect(!iotrap__policy_allowed(&p->policy, port, width), 0))
        return deny(p, IOTRAP__TR_IN, port, width, 0, NULL, 0, pc);
    *value = 0;
    if (p->traced)
        return iotrap__trace_in_pc(&p->trace, port, width, value, pc);
    return p->inner.backend->in(&p->inner, port, width, value);
}

int iotrap_ports_out(iotrap_ports *p, uint16_t port, unsigned width, uint32_t value,
                     uint64_t pc)
{
    if (__builtin_expect(!valid_width(width), 0))
        return IOTRAP_E_INVAL;
    if (width < 4)
        value &= (1u << (8 * width)) - 1;
    if (__builtin_expect(!iotrap__policy_allowed(&p->policy, port, width), 0))
        return deny(p, IOTRAP__TR_OUT, port, width, value, NULL, 0, pc);
    if (p->traced)
        return iotrap__trace_out_pc(&p->trace, port, width, value, pc);
    return p->inner.backend->out(&p->inner, port, width, value);
}

int iotrap_ports_in_string(iotrap_ports *p, uint16_t port, unsigned width, void *buf,
                           size_t count, uint64_t pc)
{
    if (!valid_width(width) || (!buf && count))
        return IOTRAP_E_INVAL;
    if (!iotrap__policy_allowed(&p->policy, port, width))
        return deny(p, IOTRAP__TR_INS, port, width, 0, NULL, count, pc);
    if (count == 0)
        return IOTRAP_OK;
    if (p->traced)
        return iotrap__trace_in_string_pc(&p->trace, port, width, buf, count, pc);
    return iotrap__backend_in_string(&p->inner, port, width, buf, count);
}

int iotrap_ports_out_string(iotrap_ports *p, uint16_t port, unsigned width, const void *buf,
                            size_t count, uint64_t pc)
{
    if (!valid_width(width) || (!buf && count))
        return IOTRAP_E_INVAL;
    if (!iotrap__policy_allowed(&p->policy, port, width))
        return deny(p, IOTRAP__TR_OUTS, port, width, 0, buf, count, pc);
    if (count == 0)
        return IOTRAP_OK;
    if (p->traced)
        return iotrap__trace_out_string_pc(&p->trace, port, width, buf, count, pc);
    return iotrap__backend_out_string(&p->inner, port, width, buf, count);
}

const char *iotrap__ports_backend_name(const iotrap_ports *p)
{
    return p->inner.backend->name;
}
