/* The environment as the program started with it.
 *
 * The constructor reads it once (iotrap__start_env_read): it copies the LD_PRELOAD entry
 * that loaded this library and every IOTRAP_* variable.  They are needed after the program
 * may have changed or overwritten its environment (to show another name in ps, say): to
 * open a session left for the first access (shim/session_open.c), and to hand them on to
 * a child that execs without them (shim/exec.c).  The library's own settings are read
 * from these copies too (iotrap__start_getenv), one pass over the environment instead of
 * a getenv() for each of some twenty names.
 *
 * While the copies fit the static buffer, nothing here calls the C library: a process
 * that never traps should not pay for binding and paging in string functions it never
 * needed (docs/performance.md, "Start-up").
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

static char *kept_preload;                 /* the LD_PRELOAD entry naming this library */
static char *kept_static[KEPT_STATIC];
static char **kept_vars = kept_static;     /* "IOTRAP_...=value" */
static size_t kept_count, kept_cap = KEPT_STATIC;
static bool dropped; /* a variable that found no room, looked up with getenv() then */

/* The usual few fit here, so that a process that never calls malloc does not set up its
 * heap for them; longer ones go to the heap. */
static char kept_text[3072];
static size_t kept_used;

/* `prefix` is a prefix of s: the length of prefix, else 0. */
IOTRAP__STARTUP static size_t starts_with(const char *s, const char *prefix)
{
    size_t n = 0;
    for (; prefix[n]; n++)
        if (s[n] != prefix[n])
            return 0;
    return n;
}

IOTRAP__STARTUP char *iotrap__keep(const char *s, size_t len)
{
    if (len >= sizeof kept_text - kept_used)
        return strndup(s, len);
    char *c = kept_text + kept_used;
    /* A byte loop that also stops at a NUL, which the compiler does not turn into a call
     * of memcpy. */
    size_t n = 0;
    while (n < len && s[n]) {
        c[n] = s[n];
        n++;
    }
    c[n] = '\0';
    kept_used += n + 1;
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
    char *copy = iotrap__keep(var, length(var));
    if (!copy)
        copy = var; /* no memory: the program's own string, as without a copy */
    if (kept_count == kept_cap) {
        size_t cap = kept_cap * 2;
        char **grown = malloc(cap * sizeof *grown);
        if (!grown) {
            dropped = true;
            return;
        }
        for (size_t i = 0; i < kept_count; i++)
            grown[i] = kept_vars[i];
        if (kept_vars != kept_static)
            free(kept_vars);
        kept_vars = grown;
        kept_cap = cap;
    }
    kept_vars[kept_count++] = copy;
}

IOTRAP__STARTUP void iotrap__start_env_read(void)
{
    for (char **e = environ; e && *e; e++) {
        size_t n = starts_with(*e, "LD_PRELOAD=");
        if (n && !kept_preload) {
            size_t len;
            const char *entry = iotrap__preload_entry(*e + n, &len);
            if (entry)
                kept_preload = iotrap__keep(entry, len);
        } else if (starts_with(*e, VAR_PREFIX)) {
            keep_var(*e);
        }
    }
}

IOTRAP__STARTUP const char *iotrap__start_getenv(const char *name)
{
    for (size_t i = 0; i < kept_count; i++) {
        size_t n = starts_with(kept_vars[i], name);
        if (n && kept_vars[i][n] == '=')
            return kept_vars[i] + n + 1;
    }
    return dropped ? getenv(name) : NULL;
}

const char *iotrap__start_preload(void)
{
    return kept_preload;
}

char *const *iotrap__start_vars(size_t *count)
{
    *count = kept_count;
    return kept_vars;
}
