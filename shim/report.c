/* The one-line message for a denied (or failed) port access, with a short backtrace.
 *
 *   iotrap: denied outb 0x64 <- 0xfe at 0x401136 (prog+0x1136)
 *
 * It is written from the SIGSEGV handler, so it is built in a stack buffer with hand-made
 * number formatting and goes out in one write(2); the module comes from /proc/self/maps
 * read with read(2).  The backtrace uses libunwind's local unwinder from the signal's
 * context (built without it, or with IOTRAP_NO_UNWIND set, there is no backtrace).
 *
 * libunwind (and the liblzma it needs) is loaded with dlopen by the first backtrace, not
 * by the dynamic loader with the library: every process would otherwise pay for mapping
 * and relocating two libraries that only a denial uses (docs/performance.md,
 * "Start-up").  dlopen takes the loader's lock and allocates, which a signal handler
 * should not; the denial line is written before it, and a program whose port access is
 * denied inside a signal handler that interrupted the dynamic loader or malloc of the
 * same thread is the one case left that could hang there.  That program would be dying
 * of the denial anyway, and IOTRAP_NO_UNWIND avoids the load.
 */
#include "config.h"

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#if defined(HAVE_LIBUNWIND) && !defined(IOTRAP_NO_UNWIND)
#define IOTRAP_USE_UNWIND 1
#define UNW_LOCAL_ONLY
#include <dlfcn.h>
#include <libunwind.h>
#endif

#include "shim/shim.h"

#define MAX_REPORTS 16

struct line {
    char buf[512];
    size_t n;
};

static void put(struct line *l, const char *s)
{
    while (*s && l->n < sizeof l->buf - 1)
        l->buf[l->n++] = *s++;
}

static void put_hex(struct line *l, uint64_t v)
{
    char tmp[19];
    int i = (int)sizeof tmp;
    tmp[--i] = '\0';
    do {
        tmp[--i] = "0123456789abcdef"[v & 15];
        v >>= 4;
    } while (v);
    tmp[--i] = 'x';
    tmp[--i] = '0';
    put(l, tmp + i);
}

static void put_dec(struct line *l, uint64_t v)
{
    char tmp[21];
    int i = (int)sizeof tmp;
    tmp[--i] = '\0';
    do {
        tmp[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    put(l, tmp + i);
}

static uint64_t parse_hex(const char **p)
{
    uint64_t v = 0;
    for (;; (*p)++) {
        char c = **p;
        if (c >= '0' && c <= '9')
            v = v << 4 | (uint64_t)(c - '0');
        else if (c >= 'a' && c <= 'f')
            v = v << 4 | (uint64_t)(c - 'a' + 10);
        else
            return v;
    }
}

/* One line of /proc/self/maps: "start-end perms offset dev inode   path". */
static const char *maps_path(const char *line, uint64_t *start, uint64_t *end)
{
    const char *p = line;
    *start = parse_hex(&p);
    if (*p++ != '-')
        return NULL;
    *end = parse_hex(&p);
    for (int field = 0; field < 4; field++) { /* perms, offset, dev, inode */
        while (*p == ' ')
            p++;
        while (*p && *p != ' ')
            p++;
    }
    while (*p == ' ')
        p++;
    return p;
}

/* Writes "NAME+0xOFF" for `addr` from /proc/self/maps into out (raw read(2)). */
static size_t format_module(uint64_t addr, char *out, size_t outlen)
{
    int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    char chunk[4096], line[1024], run_path[1024] = "";
    size_t ln = 0;
    uint64_t run_start = 0;
    size_t written = 0;
    int found = 0;
    ssize_t got;
    while (!found && (got = read(fd, chunk, sizeof chunk)) > 0) {
        for (ssize_t i = 0; i < got && !found; i++) {
            if (chunk[i] != '\n') {
                if (ln < sizeof line - 1)
                    line[ln++] = chunk[i];
                continue;
            }
            line[ln] = '\0';
            ln = 0;
            uint64_t start, end;
            const char *path = maps_path(line, &start, &end);
            if (!path)
                continue;
            /* A module's mappings are consecutive: its base is the first of the run. */
            if (strcmp(path, run_path) != 0 || !*path) {
                size_t pl = strlen(path);
                memcpy(run_path, path, pl + 1);
                run_start = start;
            }
            if (addr < start || addr >= end)
                continue;
            found = 1;
            if (!*path)
                break;
            const char *base = strrchr(path, '/');
            base = base ? base + 1 : path;
            struct line l = {.n = 0};
            put(&l, base);
            put(&l, "+");
            put_hex(&l, addr - run_start);
            written = l.n < outlen ? l.n : outlen - 1;
            memcpy(out, l.buf, written);
            out[written] = '\0';
        }
    }
    close(fd);
    return written;
}

static const char *mnemonic(const iotrap_insn *insn)
{
    static const char *const names[4][3] = {
        {"inb", "inw", "inl"},
        {"outb", "outw", "outl"},
        {"insb", "insw", "insd"},
        {"outsb", "outsw", "outsd"},
    };
    int w = insn->width == 1 ? 0 : insn->width == 2 ? 1 : 2;
    return names[insn->op & 3][w];
}

static void put_where(struct line *l, uint64_t pc)
{
    char mod[256];
    put(l, " at ");
    put_hex(l, pc);
    if (format_module(pc, mod, sizeof mod)) {
        put(l, " (");
        put(l, mod);
        put(l, ")");
    }
}

static uint64_t count_of(const iotrap_insn *insn, const iotrap_regs *r)
{
    if (!insn->rep)
        return 1;
    return insn->addr_size == 64 ? r->rcx : insn->addr_size == 32 ? (uint32_t)r->rcx
                                                                  : (uint16_t)r->rcx;
}

#ifdef IOTRAP_USE_UNWIND
/* libunwind's soname, the same for every version since 1.0. */
#define UNWIND_LIB "libunwind.so.8"
/* The names behind libunwind's macros (unw_step is _ULx86_64_step, or _ULx86_step). */
#define NAME_OF(f) NAME_OF_(f)
#define NAME_OF_(f) #f

struct unwinder {
    int (*init_local2)(unw_cursor_t *, unw_context_t *, int);
    int (*get_reg)(unw_cursor_t *, unw_regnum_t, unw_word_t *);
    int (*step)(unw_cursor_t *);
};

/* libunwind's local unwinder, loaded by the first call; NULL if it cannot be loaded.
 * Reports are counted (MAX_REPORTS), so a failed load is tried again a few times at most. */
static const struct unwinder *unwinder(void)
{
    static struct unwinder u;
    static int loaded;
    if (__atomic_load_n(&loaded, __ATOMIC_ACQUIRE))
        return &u;
    void *lib = dlopen(UNWIND_LIB, RTLD_NOW | RTLD_LOCAL);
    if (!lib)
        return NULL;
    struct unwinder found = {
        .init_local2 = (int (*)(unw_cursor_t *, unw_context_t *, int))dlsym(
            lib, NAME_OF(unw_init_local2)),
        .get_reg = (int (*)(unw_cursor_t *, unw_regnum_t, unw_word_t *))dlsym(
            lib, NAME_OF(unw_get_reg)),
        .step = (int (*)(unw_cursor_t *))dlsym(lib, NAME_OF(unw_step)),
    };
    if (!found.init_local2 || !found.get_reg || !found.step)
        return NULL;
    /* Threads that race here store the same pointers. */
    u = found;
    __atomic_store_n(&loaded, 1, __ATOMIC_RELEASE);
    return &u;
}

static void backtrace_from(ucontext_t *uc)
{
    const struct unwinder *u = unwinder();
    unw_cursor_t cursor;
    if (!u || u->init_local2(&cursor, (unw_context_t *)uc, UNW_INIT_SIGNAL_FRAME) < 0)
        return;
    for (int depth = 0; depth < 16; depth++) {
        unw_word_t ip = 0;
        if (u->get_reg(&cursor, UNW_REG_IP, &ip) < 0 || ip == 0)
            break;
        struct line l = {.n = 0};
        char mod[256];
        put(&l, "iotrap:   #");
        put_dec(&l, (uint64_t)depth);
        put(&l, " ");
        put_hex(&l, (uint64_t)ip);
        /* Return addresses point after the call: name the call's own module. */
        if (format_module(depth ? (uint64_t)ip - 1 : (uint64_t)ip, mod, sizeof mod)) {
            put(&l, " (");
            put(&l, mod);
            put(&l, ")");
        }
        put(&l, "\n");
        if (write(2, l.buf, l.n) < 0)
            return;
        if (u->step(&cursor) <= 0)
            break;
    }
}
#endif

void iotrap__report_denied(const iotrap_insn *insn, const iotrap_regs *r, uint16_t port,
                           uint64_t pc, ucontext_t *uc, int status)
{
    /* A program that catches the SIGSEGV and polls the port again would flood the
     * terminal: the first few are reported. */
    static unsigned reported;
    unsigned n = __atomic_fetch_add(&reported, 1, __ATOMIC_RELAXED);
    if (n >= MAX_REPORTS)
        return;
    struct line l = {.n = 0};
    put(&l, status == IOTRAP_E_DENIED ? "iotrap: denied " : "iotrap: failed ");
    if (insn->rep)
        put(&l, "rep ");
    put(&l, mnemonic(insn));
    put(&l, " ");
    put_hex(&l, port);
    if (insn->op == IOTRAP_OP_OUT) {
        uint32_t v = (uint32_t)r->rax;
        if (insn->width == 1)
            v &= 0xff;
        else if (insn->width == 2)
            v &= 0xffff;
        put(&l, " <- ");
        put_hex(&l, v);
    }
    if (insn->rep) {
        put(&l, " (count ");
        put_dec(&l, count_of(insn, r));
        put(&l, ")");
    }
    put_where(&l, pc);
    if (status != IOTRAP_E_DENIED) {
        put(&l, ": ");
        put(&l, iotrap_strerror(status));
    }
    if (n + 1 == MAX_REPORTS)
        put(&l, "; further ones are not reported");
    put(&l, "\n");
    if (write(2, l.buf, l.n) < 0)
        return;
#ifdef IOTRAP_USE_UNWIND
    if (!iotrap__shim.no_unwind)
        backtrace_from(uc);
#else
    (void)uc;
#endif
}
