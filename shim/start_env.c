/* The environment as the program started with it.
 *
 * The constructor reads it once (iotrap__start_env_read): it copies the LD_PRELOAD entry
 * that loaded this library and every IOTRAP_* variable.  They are needed after the program
 * may have changed or overwritten its environment (to show another name in ps, say): to
 * open a session left for the first access (shim/session_open.c), and to hand them on to
 * a child that execs without them (shim/exec.c).  The settings the constructor reads are
 * read from these copies too (iotrap__start_getenv): one pass over the environment
 * instead of a getenv() for each of some twenty names.
 *
 * While the copies fit the room kept for them (32 variables, 2 KiB of text), nothing here
 * calls the C library: a process that never traps should not pay for binding and paging
 * in string functions it never needed (docs/performance.md, "Start-up").
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "common/startup.h"
#include "shim/shim.h"

#define PRELOAD_NAME "libiotrap-preload.so"
#define VAR_PREFIX "IOTRAP_"
#define KEPT_STATIC 32

extern char **environ;

/* What is kept, in one block of zeroes.  The constructor's first touch of it is a write:
 * a page of zeroes that is read first maps the shared zero page, and the write after that
 * faults a second time. */
static struct {
    size_t used;       /* of text */
    char *preload;     /* the LD_PRELOAD entry naming this library */
    char **heap;       /* the variables once more than fit room, else NULL */
    size_t count, cap; /* variables kept; room for them in heap */
    bool dropped;      /* one found no memory, and is looked up with getenv() then */
    char *room[KEPT_STATIC];
    /* The usual few fit here, so that a process that never calls malloc does not set up
     * its heap for them; longer ones go to the heap. */
    char text[2048];
} kept;

/* The kept "IOTRAP_...=value" strings. */
static char **vars(void)
{
    return kept.heap ? kept.heap : kept.room;
}

/* `prefix` is a prefix of s: the length of prefix, else 0. */
IOTRAP__STARTUP static size_t starts_with(const char *s, const char *prefix)
{
    size_t n = 0;
    for (; prefix[n]; n++)
        if (s[n] != prefix[n])
            return 0;
    return n;
}

/* A copy of the first len bytes of s (up to a NUL), for good; NULL if there is no memory
 * for it. */
IOTRAP__STARTUP static char *keep(const char *s, size_t len)
{
    if (len >= sizeof kept.text - kept.used)
        return strndup(s, len);
    char *c = kept.text + kept.used;
    /* A byte loop that also stops at a NUL, which the compiler does not turn into a call
     * of memcpy. */
    size_t n = 0;
    while (n < len && s[n]) {
        c[n] = s[n];
        n++;
    }
    c[n] = '\0';
    kept.used += n + 1;
    return c;
}

IOTRAP__STARTUP static size_t length(const char *s)
{
    const char *e = s;
    while (*e)
        e++;
    return (size_t)(e - s);
}

IOTRAP__STARTUP const char *iotrap__preload_entry(const char *list, size_t *len)
{
    const char *p = list;
    while (*p) {
        /* Split at ':' and ' ', as the loader does. */
        const char *end = p, *name = p;
        for (; *end && *end != ':' && *end != ' '; end++)
            if (*end == '/')
                name = end + 1;
        if (end - name == (long)sizeof PRELOAD_NAME - 1 &&
            starts_with(name, PRELOAD_NAME) == sizeof PRELOAD_NAME - 1) {
            *len = (size_t)(end - p);
            return p;
        }
        p = *end ? end + 1 : end;
    }
    return NULL;
}

IOTRAP__STARTUP static void keep_var(char *var)
{
    char *copy = keep(var, length(var));
    if (!copy)
        copy = var; /* no memory: the program's own string, as without a copy */
    size_t cap = kept.heap ? kept.cap : KEPT_STATIC;
    if (kept.count == cap) {
        char **grown = malloc(2 * cap * sizeof *grown);
        if (!grown) {
            kept.dropped = true;
            return;
        }
        for (size_t i = 0; i < kept.count; i++)
            grown[i] = vars()[i];
        free(kept.heap);
        kept.heap = grown;
        kept.cap = 2 * cap;
    }
    vars()[kept.count++] = copy;
}

IOTRAP__STARTUP void iotrap__start_env_read(void)
{
    kept.used = 0; /* the first touch, see kept */
    for (char **e = environ; e && *e; e++) {
        size_t n = starts_with(*e, "LD_PRELOAD=");
        if (n && !kept.preload) {
            size_t len;
            const char *entry = iotrap__preload_entry(*e + n, &len);
            if (entry)
                kept.preload = keep(entry, len);
        } else if (starts_with(*e, VAR_PREFIX)) {
            keep_var(*e);
        }
    }
}

IOTRAP__STARTUP const char *iotrap__start_getenv(const char *name)
{
    char **v = vars();
    for (size_t i = 0; i < kept.count; i++) {
        size_t n = starts_with(v[i], name);
        if (n && v[i][n] == '=')
            return v[i] + n + 1;
    }
    return kept.dropped ? getenv(name) : NULL;
}

const char *iotrap__start_preload(void)
{
    return kept.preload;
}

char *const *iotrap__start_vars(size_t *count)
{
    *count = kept.count;
    return vars();
}
