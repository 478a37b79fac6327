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

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "common/preload_names.h"
#include "common/startup.h"
#include "shim/shim.h"

#define LIB_TAIL "/$LIB/" IOTRAP__PRELOAD_FILE
#define VAR_PREFIX "IOTRAP_"
#define KEPT_STATIC 32

extern char **environ;

/* What is kept, in one block of zeroes.  The constructor's first touch of it is a write:
 * a page of zeroes that is read first maps the shared zero page, and the write after that
 * faults a second time. */
static struct {
    size_t used;       /* of text */
    char *preload;     /* the LD_PRELOAD entry naming this library, "$LIB" form if known */
    size_t lib_dir;    /* the length of its directory before LIB_TAIL, else 0 */
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

/* A piece of a string: its first len bytes, up to a NUL. */
struct piece {
    const char *s;
    size_t len;
};

/* The pieces joined and NUL-terminated, for good; NULL if there is no memory for it. */
IOTRAP__STARTUP static char *keep_joined(const struct piece *p, size_t n)
{
    size_t most = 0;
    for (size_t i = 0; i < n; i++)
        most += p[i].len;
    bool room = most < sizeof kept.text - kept.used;
    char *c = room ? kept.text + kept.used : malloc(most + 1);
    if (!c)
        return NULL;
    /* Byte loops that also stop at a NUL, which the compiler does not turn into calls of
     * memcpy. */
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < p[i].len && p[i].s[j]; j++)
            c[k++] = p[i].s[j];
    c[k] = '\0';
    if (room)
        kept.used += k + 1;
    return c;
}

/* A copy of the first len bytes of s, up to a NUL; see keep_joined. */
IOTRAP__STARTUP static char *keep(const char *s, size_t len)
{
    struct piece p = { s, len };
    return keep_joined(&p, 1);
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
        const char *end = p;
        while (*end && *end != ':' && *end != ' ')
            end++;
        if (iotrap__preload_named(p, (size_t)(end - p))) {
            *len = (size_t)(end - p);
            return p;
        }
        p = *end ? end + 1 : end;
    }
    return NULL;
}

/* The length of <dir> if the entry (len bytes, naming the library) is
 * "<dir>/<arch>/libiotrap-preload.so" for one class's directory, else 0. */
IOTRAP__STARTUP static size_t arch_dir(const char *entry, size_t len)
{
    const size_t file = sizeof IOTRAP__PRELOAD_FILE - 1;
    for (int elf_class = 1; elf_class <= 2; elf_class++) {
        const char *arch = iotrap__preload_arch(elf_class);
        size_t tail = 1 + length(arch) + 1 + file;
        if (len > tail && entry[len - tail] == '/' && entry[len - file - 1] == '/' &&
            starts_with(entry + len - tail + 1, arch) == tail - file - 2)
            return len - tail;
    }
    return 0;
}

/* Whether the first len bytes of s are the directory `dir` names (trailing '/' aside). */
IOTRAP__STARTUP static bool same_dir(const char *s, size_t len, const char *dir)
{
    size_t n = length(dir);
    while (n > 1 && dir[n - 1] == '/')
        n--;
    return n == len && starts_with(s, dir) >= len;
}

/* The library's entry of LD_PRELOAD (*slot, whose list starts at `list`).  `iotrap run` and
 * the exec functions here name the directory of the program's own class, which spares its
 * loader the work "$LIB" makes it do (a look at /proc/self/exe).  In the run's preload
 * directory (IOTRAP_PRELOAD_DIR, which has the links "$LIB" expands to), what this
 * process hands on has the "$LIB" form again, for a child of the other class that these
 * exec functions do not see (a raw execve, a static program in between); a copy of the
 * library named elsewhere is kept as it was named. */
IOTRAP__STARTUP static void keep_preload(char **slot, const char *list)
{
    size_t len;
    const char *entry = iotrap__preload_entry(list, &len);
    if (!entry)
        return;
    size_t dir = arch_dir(entry, len);
    const char *run_dir = iotrap__start_getenv("IOTRAP_PRELOAD_DIR");
    if (!dir || !run_dir || !same_dir(entry, dir, run_dir)) {
        kept.preload = keep(entry, len);
        size_t tail = sizeof LIB_TAIL - 1;
        if (kept.preload && len > tail && starts_with(kept.preload + len - tail, LIB_TAIL))
            kept.lib_dir = len - tail;
        return;
    }
    struct piece lib[] = { { entry, dir }, { LIB_TAIL, sizeof LIB_TAIL - 1 } };
    kept.preload = keep_joined(lib, 2);
    if (!kept.preload)
        return;
    kept.lib_dir = dir;
    const char *rest = entry + len;
    struct piece env[] = { { *slot, (size_t)(entry - *slot) },
                           { kept.preload, length(kept.preload) },
                           { rest, length(rest) } };
    char *handed_on = keep_joined(env, 3);
    if (handed_on)
        *slot = handed_on;
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
    char **preload = NULL;
    for (char **e = environ; e && *e; e++) {
        if (!preload && starts_with(*e, "LD_PRELOAD="))
            preload = e;
        else if (starts_with(*e, VAR_PREFIX))
            keep_var(*e);
    }
    /* After the variables: which form it keeps depends on IOTRAP_PRELOAD_DIR. */
    if (preload)
        keep_preload(preload, *preload + sizeof "LD_PRELOAD=" - 1);
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

/* Appends s to out (filled to *k of outlen bytes) if it fits; false if it does not. */
static bool append(char *out, size_t outlen, size_t *k, const char *s, size_t len)
{
    if (len >= outlen - *k)
        return false;
    for (size_t i = 0; i < len; i++)
        out[(*k)++] = s[i];
    out[*k] = '\0';
    return true;
}

const char *iotrap__start_preload_for(int elf_class, char *out, size_t outlen)
{
    /* Whether each class's library is there (0: not asked yet, 1: yes, 2: no); a build
     * without the 32-bit library has the "$LIB" links of the 64-bit one only. */
    static int there[3];
    const char *arch = iotrap__preload_arch(elf_class);
    size_t k = 0;
    if (!kept.preload || !kept.lib_dir || !arch || !outlen)
        return kept.preload;
    out[0] = '\0';
    bool fits = append(out, outlen, &k, kept.preload, kept.lib_dir) &&
                append(out, outlen, &k, "/", 1) && append(out, outlen, &k, arch, length(arch)) &&
                append(out, outlen, &k, "/" IOTRAP__PRELOAD_FILE, sizeof IOTRAP__PRELOAD_FILE);
    if (!fits)
        return kept.preload;
    if (!__atomic_load_n(&there[elf_class], __ATOMIC_RELAXED)) {
        int saved = errno;
        long r = syscall(SYS_faccessat, AT_FDCWD, out, R_OK, 0);
        errno = saved;
        __atomic_store_n(&there[elf_class], r == 0 ? 1 : 2, __ATOMIC_RELAXED);
    }
    return __atomic_load_n(&there[elf_class], __ATOMIC_RELAXED) == 1 ? out : kept.preload;
}

bool iotrap__start_preload_is_kept(const char *entry, size_t len)
{
    if (!kept.preload)
        return false;
    if (len == length(kept.preload) && starts_with(entry, kept.preload) == len)
        return true;
    return kept.lib_dir && arch_dir(entry, len) == kept.lib_dir &&
           strncmp(entry, kept.preload, kept.lib_dir) == 0;
}

char *const *iotrap__start_vars(size_t *count)
{
    *count = kept.count;
    return vars();
}
