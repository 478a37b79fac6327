/* `iotrap bench [--json] [--rounds N] [--port P]`: the costs that matter, as ratios
 * measured in one run.
 *
 * Absolute times on a shared, virtualised machine drift by tens of percent from one
 * second to the next, so every figure is a ratio of two measurements taken side by side:
 * each round runs every measurement once, and the result is the median over the rounds
 * of each round's ratio.  The trap measurements run in child processes (bench/
 * iotrap-bench-trap), the trapped one under the preload library with a private simulated
 * board, quiet and untraced; the decoder measurements run here. */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <iotrap/decode.h>
#include "decoder/uncached.h"
#include "bench/timing.h"
#include "tools/bench_capstone.h"
#include "tools/bench_config.h"
#include "tools/bench_targets.h"
#include "tools/bench_start.h"
#include "tools/commands.h"
#include "tools/preload_env.h"
#include "tools/program_check.h"

#ifndef IOTRAP_PKGLIBEXECDIR
#error "IOTRAP_PKGLIBEXECDIR must be defined by the build"
#endif

#define HELPER "iotrap-bench-trap"
#define MAX_ROUNDS 101
#define TRAP_ITER 5000
#define DECODE_ITER 200000

extern char **environ;

/* The instruction every measurement uses: `in al, dx`. */
static const uint8_t insn_bytes[] = { 0xEC };

struct round {
    double bare, inb, outb, rep;              /* ns per instruction */
    double capstone, cached, uncached;        /* ns per decode */
    struct iotrap__bench_targets tg;          /* rep_ratios */
    struct iotrap__start_round start;         /* ns per start of /bin/true, kB */
    double patched, ports_in, scale1, scale2; /* ns per read, see patched_figure() */
    double cpu1, cpu2;                        /* the same for a loop without I/O */
    double patched_dev, ports_in_dev;         /* patched and ports_in at DEVICE_PORT */
};

/* The patched figures are taken a second time at a port a device model answers (the
 * default board's LPT status register): the fast path of an access the bus answers
 * (shim/patch_fast.c) does not reach it, so it shows what a program polling a device
 * pays. */
#define DEVICE_PORT "0x379"

/* The figures of the helper's `patched` mode (bench/patched_bench.c); 1 if `name` is one. */
static int patched_figure(struct round *r, const char *name, double v)
{
    static const struct { const char *name; size_t off; } f[] = {
        {"patched", offsetof(struct round, patched)},
        {"ports_in", offsetof(struct round, ports_in)},
        {"scale1", offsetof(struct round, scale1)},
        {"scale2", offsetof(struct round, scale2)},
        {"cpu1", offsetof(struct round, cpu1)},
        {"cpu2", offsetof(struct round, cpu2)},
    };
    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++)
        if (strcmp(name, f[i].name) == 0) {
            *(double *)((char *)r + f[i].off) = v;
            return 1;
        }
    return 0;
}

/* The helper program: $IOTRAP_BENCH_DIR, else next to the build tree's tools/iotrap
 * (../bench), else the installed one. */
static int find_helper(char *out, size_t len)
{
    const char *d = getenv("IOTRAP_BENCH_DIR");
    if (d && *d) {
        snprintf(out, len, "%s/" HELPER, d);
        return access(out, X_OK) == 0 ? 0 : -1;
    }
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    if (n > 0) {
        exe[n] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = '\0';
            int w = snprintf(out, len, "%s/../bench/" HELPER, exe);
            if (w > 0 && (size_t)w < len && access(out, X_OK) == 0)
                return 0;
        }
    }
    snprintf(out, len, "%s/" HELPER, IOTRAP_PKGLIBEXECDIR);
    return access(out, X_OK) == 0 ? 0 : -1;
}

/* The environment of a child: ours without any iotrap or preload setting, plus `extra`. */
static char **child_env(char **extra)
{
    size_t n = 0, m = 0;
    while (environ[n])
        n++;
    while (extra[m])
        m++;
    char **env = calloc(n + m + 1, sizeof(*env));
    if (!env)
        return NULL;
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (strncmp(environ[i], "IOTRAP_", 7) != 0 && strncmp(environ[i], "LD_PRELOAD=", 11) != 0)
            env[k++] = environ[i];
    for (size_t i = 0; i < m; i++)
        env[k++] = extra[i];
    env[k] = NULL;
    return env;
}

/* Runs the helper and reads "NAME VALUE" lines into the named fields of r. */
static int run_helper(const char *helper, const char *mode, char **extra, const char *port,
                      struct round *r)
{
    char iter[32];
    snprintf(iter, sizeof(iter), "%d", TRAP_ITER);
    char *argv[] = { (char *)helper, (char *)mode, iter, (char *)port, NULL };
    char **env = child_env(extra);
    int pfd[2];
    if (!env || pipe(pfd) < 0) {
        free(env);
        fprintf(stderr, "iotrap bench: %s\n", strerror(errno));
        return -1;
    }
    pid_t pid = fork();
    if (pid < 0) {
        fprintf(stderr, "iotrap bench: fork: %s\n", strerror(errno));
        free(env);
        close(pfd[0]);
        close(pfd[1]);
        return -1;
    }
    if (pid == 0) {
        dup2(pfd[1], 1);
        close(pfd[0]);
        close(pfd[1]);
        execve(helper, argv, env);
        _exit(127);
    }
    free(env);
    close(pfd[1]);
    FILE *f = fdopen(pfd[0], "r");
    char name[16];
    double v;
    int got = 0;
    while (f && fscanf(f, "%15s %lf", name, &v) == 2) {
        if (strcmp(name, "bare") == 0)
            r->bare = v, got++;
        else if (strcmp(name, "inb") == 0)
            r->inb = v, got++;
        else if (strcmp(name, "outb") == 0)
            r->outb = v, got++;
        else if (strcmp(name, "rep") == 0)
            r->rep = v, got++;
        else if (iotrap__bench_targets_line(&r->tg, name, v))
            got++;
        else
            got += patched_figure(r, name, v);
    }
    if (f)
        fclose(f);
    else
        close(pfd[0]);
    int st;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
        ;
    int want = strcmp(mode, "bare") == 0      ? 1
               : strcmp(mode, "targets") == 0 ? 3 * IOTRAP__BENCH_NTARGETS
               : strcmp(mode, "patched") == 0 ? 6
                                              : 3;
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0 || got != want) {
        if (WIFSIGNALED(st))
            fprintf(stderr, "iotrap bench: %s %s was killed by signal %d%s\n", helper, mode,
                    WTERMSIG(st), strcmp(mode, "bare") != 0
                    ? " (was the preload library loaded? check IOTRAP_PRELOAD_DIR)" : "");
        else
            fprintf(stderr, "iotrap bench: %s %s failed (status %d, %d of %d figures)\n",
                    helper, mode, WIFEXITED(st) ? WEXITSTATUS(st) : -1, got, want);
        return -1;
    }
    return 0;
}

/* What the start-up figures run: the start helper beside the trap helper, this program
 * for `iotrap run`, and the environments.  dir_var (PATH_MAX + 32 bytes) holds the
 * IOTRAP_PRELOAD_DIR setting that `iotrap run` gets. */
static int start_setup(struct iotrap__start_setup *s, const char *trap_helper, char **shim_env,
                       char *dir_var)
{
    const char *slash = strrchr(trap_helper, '/');
    snprintf((char *)s->helper, PATH_MAX, "%.*s/iotrap-bench-start",
             slash ? (int)(slash - trap_helper) : 1, slash ? trap_helper : ".");
    ssize_t n = readlink("/proc/self/exe", (char *)s->iotrap, PATH_MAX - 1);
    if (access(s->helper, X_OK) != 0 || n <= 0) {
        fprintf(stderr, "iotrap bench: cannot find %s\n",
                n <= 0 ? "this program (/proc/self/exe)" : s->helper);
        return -1;
    }
    ((char *)s->iotrap)[n] = '\0';
    snprintf(dir_var, PATH_MAX + 32, "IOTRAP_PRELOAD_DIR=%s", iotrap__preload_dir());
    char *none[] = { NULL }, *run_extra[] = { dir_var, NULL };
    s->bare_env = child_env(none);
    s->preload_env = child_env(shim_env);
    s->run_env = child_env(run_extra);
    if (!s->bare_env || !s->preload_env || !s->run_env) {
        fprintf(stderr, "iotrap bench: out of memory\n");
        return -1;
    }
    return 0;
}

/* ---- Decoder measurements, in this process ----------------------------------------- */

static volatile unsigned decode_sink;
static struct iotrap__capstone_api capstone;

#define DECODE_BATCHES 9

/* ns per decode over `n` decodes; < 0 if the decoder refused the instruction. */
static double time_capstone(csh h, cs_insn *ci, int n)
{
    double t0 = iotrap__now_ns();
    for (int i = 0; i < n; i++) {
        const uint8_t *code = insn_bytes;
        size_t size = sizeof(insn_bytes);
        uint64_t addr = 0x1000;
        if (!capstone.disasm_iter(h, &code, &size, &addr, ci))
            return -1;
        decode_sink += ci->id;
    }
    return (iotrap__now_ns() - t0) / n;
}

/* The cached path is timed through iotrap_decode() itself, the entry point the trap
 * engine and emulators call; the uncached one through iotrap__decode_uncached(). */
static double time_iotrap(int cached, int n)
{
    iotrap_insn insn;
    double t0 = iotrap__now_ns();
    for (int i = 0; i < n; i++) {
        int st = cached ? iotrap_decode(insn_bytes, sizeof(insn_bytes), 64, &insn)
                        : iotrap__decode_uncached(insn_bytes, sizeof(insn_bytes), 64, &insn);
        if (st != IOTRAP_OK)
            return -1;
        decode_sink += insn.width;
    }
    return (iotrap__now_ns() - t0) / n;
}

/* The three decoder figures of one round, each the median of short batches that take
 * turns, so that an interruption spoils one batch of one figure, not a whole figure. */
static int decode_round(csh h, cs_insn *ci, struct round *r)
{
    double cs[DECODE_BATCHES], ca[DECODE_BATCHES], un[DECODE_BATCHES];
    const int n = DECODE_ITER / DECODE_BATCHES;
    for (int b = 0; b < DECODE_BATCHES; b++) {
        cs[b] = time_capstone(h, ci, n);
        ca[b] = time_iotrap(1, n);
        un[b] = time_iotrap(0, n);
        if (cs[b] < 0 || ca[b] < 0 || un[b] < 0)
            return -1;
    }
    r->capstone = iotrap__median(cs, DECODE_BATCHES);
    r->cached = iotrap__median(ca, DECODE_BATCHES);
    r->uncached = iotrap__median(un, DECODE_BATCHES);
    return 0;
}

/* ---- Output ------------------------------------------------------------------------- */

struct ratio {
    const char *key;
    const char *what;
    double value;
    double target;
    int at_most; /* 1: pass when value <= target; 0: when value >= target */
};

static int passes(const struct ratio *r)
{
    return r->at_most ? r->value <= r->target : r->value >= r->target;
}

static void usage(FILE *f)
{
    fprintf(f, "Usage: iotrap bench [--json] [--rounds N] [--port PORT]\n"
               "Measure trap and decode costs as ratios taken in one run (medians over N\n"
               "interleaved rounds, default 15).  PORT (default 0x%X) is the port the\n"
               "trapped instructions use on a private simulated board.\n",
            IOTRAP__BENCH_PORT);
}

int iotrap__cmd_bench(int argc, char **argv)
{
    int json = 0, rounds = 15;
    unsigned long port = IOTRAP__BENCH_PORT;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        char *end;
        if (strcmp(a, "--json") == 0) {
            json = 1;
        } else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            return 0;
        } else if (strcmp(a, "--rounds") == 0 || strcmp(a, "--port") == 0) {
            if (i + 1 >= argc) {
                fprintf(stderr, "iotrap bench: option '%s' needs a value\n", a);
                return 2;
            }
            const char *v = argv[++i];
            errno = 0;
            unsigned long n = strtoul(v, &end, 0);
            if (errno || end == v || *end || v[0] == '-') {
                fprintf(stderr, "iotrap bench: bad value '%s' for '%s'\n", v, a);
                return 2;
            }
            if (a[2] == 'r') {
                if (n < 1 || n > MAX_ROUNDS) {
                    fprintf(stderr, "iotrap bench: '--rounds %s' out of range 1..%d\n", v,
                            MAX_ROUNDS);
                    return 2;
                }
                rounds = (int)n;
            } else {
                if (n > 0xFFFF) {
                    fprintf(stderr, "iotrap bench: port '%s' above 0xFFFF\n", v);
                    return 2;
                }
                port = n;
            }
        } else {
            fprintf(stderr, "iotrap bench: unknown argument '%s' (see 'iotrap bench --help')\n",
                    a);
            return 2;
        }
    }

    char helper[PATH_MAX];
    if (find_helper(helper, sizeof(helper)) < 0) {
        fprintf(stderr, "iotrap bench: cannot find the helper program %s (tried %s; set "
                "IOTRAP_BENCH_DIR)\n", HELPER, helper);
        return 1;
    }
    char err[512];
    /* LD_PRELOAD as `iotrap run` would set it for /bin/true, the program of the start-up
     * figures (the trapped ones are the helper's, of the same class). */
    iotrap__program_info true_info;
    int true_rc = iotrap__inspect_program("/bin/true", &true_info);
    char *preload = iotrap__preload_env(iotrap__preload_dir(), NULL,
                                        iotrap__preload_class(true_rc, &true_info), err,
                                        sizeof(err));
    if (!preload) {
        fprintf(stderr, "iotrap bench: %s\n", err);
        return 1;
    }
    char pl_var[PATH_MAX + 16], portstr[16];
    snprintf(pl_var, sizeof(pl_var), "LD_PRELOAD=%s", preload);
    free(preload);
    snprintf(portstr, sizeof(portstr), "0x%lx", port);
    /* The trapped figures are a trap's: `auto` would patch the helper, which has no
     * signal handler, after its 64th trap. */
    char *shim_env[] = { pl_var, "IOTRAP_BACKEND=sim", "IOTRAP_QUIET=1", "IOTRAP_PATCH=off",
                         NULL };
    char *bare_env[] = { NULL };
    char start_helper[PATH_MAX], self[PATH_MAX], dir_var[PATH_MAX + 32];
    struct iotrap__start_setup start = { start_helper, self, "/bin/true", NULL, NULL, NULL };
    if (start_setup(&start, helper, shim_env, dir_var) < 0)
        return 1;
    /* Patching is asked for explicitly, whatever `auto` would decide. */
    char *patched_env[] = { pl_var, "IOTRAP_BACKEND=sim", "IOTRAP_QUIET=1", "IOTRAP_PATCH=on",
                            NULL };

    if (iotrap__capstone_load(&capstone, err, sizeof(err)) < 0) {
        fprintf(stderr, "iotrap bench: %s\n", err);
        return 1;
    }
    csh cs;
    if (capstone.open(CS_ARCH_X86, CS_MODE_64, &cs) != CS_ERR_OK) {
        fprintf(stderr, "iotrap bench: cs_open failed\n");
        return 1;
    }
    capstone.option(cs, CS_OPT_DETAIL, IOTRAP__BENCH_CS_DETAIL ? CS_OPT_ON : CS_OPT_OFF);
    cs_insn *ci = capstone.malloc(cs);
    int status = 1;
    struct round *r = calloc((size_t)rounds, sizeof(*r));
    const struct iotrap__bench_targets **tg = calloc((size_t)rounds, sizeof(*tg));
    char **tg_env = iotrap__bench_targets_env(shim_env, helper);
    if (!tg_env)
        goto out;
    if (!ci || !r || !tg) {
        fprintf(stderr, "iotrap bench: out of memory\n");
        goto out;
    }
    /* Warm-up: Capstone's first decode per handle allocates, the decoder's cache fills. */
    struct round warm;
    if (decode_round(cs, ci, &warm) < 0) {
        fprintf(stderr, "iotrap bench: a decoder did not recognise 'in al, dx'\n");
        goto out;
    }

    for (int k = 0; k < rounds; k++) {
        /* The order alternates so that neither side always runs in the other's wake. */
        int bare_first = k % 2 == 0;
        if (bare_first && run_helper(helper, "bare", bare_env, portstr, &r[k]) < 0)
            goto out;
        if (run_helper(helper, "shim", shim_env, portstr, &r[k]) < 0)
            goto out;
        if (!bare_first && run_helper(helper, "bare", bare_env, portstr, &r[k]) < 0)
            goto out;
        if (run_helper(helper, "targets", tg_env, iotrap__bench_targets_arg(), &r[k]) < 0 ||
            iotrap__bench_targets_check(&r[k].tg) < 0)
            goto out;
        tg[k] = &r[k].tg;
        if (run_helper(helper, "patched", patched_env, portstr, &r[k]) < 0)
            goto out;
        struct round dev = { 0 };
        if (run_helper(helper, "patched", patched_env, DEVICE_PORT, &dev) < 0)
            goto out;
        r[k].patched_dev = dev.patched;
        r[k].ports_in_dev = dev.ports_in;
        decode_round(cs, ci, &r[k]);
        if (iotrap__bench_start_round(&start, &r[k].start) < 0)
            goto out;
    }

    double v[MAX_ROUNDS];
#define MEDIAN_OF(EXPR)                                                                      \
    (({                                                                                      \
        for (int k_ = 0; k_ < rounds; k_++) {                                                \
            const struct round *x = &r[k_];                                                  \
            v[k_] = (EXPR);                                                                  \
        }                                                                                    \
    }), iotrap__median(v, rounds))
    struct ratio ratios[] = {
        { "trap_ratio", "trapped inb / bare SIGSEGV round trip",
          MEDIAN_OF(x->inb / x->bare), 1.10, 1 },
        { "rep_ratio", "rep outsb x4096 / trapped outb", MEDIAN_OF(x->rep / x->outb), 3.0, 1 },
        { "decode_cached_ratio", "Capstone / iotrap_decode (cached)",
          MEDIAN_OF(x->capstone / x->cached), 10.0, 0 },
        { "decode_cold_ratio", "iotrap_decode (no cache) / Capstone",
          MEDIAN_OF(x->uncached / x->capstone), 1.3, 1 },
        { "start_ratio", "/bin/true preloaded / bare",
          MEDIAN_OF(x->start.preload / x->start.bare), 1.2, 1 },
        { "run_ratio", "iotrap run -- true / minimal launcher",
          MEDIAN_OF(x->start.run / x->start.launcher), 1.5, 1 },
        { "rss_extra_kb", "VmRSS preloaded - bare, kB (trivial)",
          MEDIAN_OF(x->start.rss_extra_kb), 1024, 1 },
        { "patched_ratio", "patched in al, dx / iotrap_ports_in()",
          MEDIAN_OF(x->patched / x->ports_in), 3.0, 1 },
        { "patched_scaling", "2 threads / 1 on two patched sites",
          MEDIAN_OF(2 * x->scale1 / x->scale2), 1.6, 0 },
        { "patched_device_ratio", "the same at " DEVICE_PORT " (lpt status)",
          MEDIAN_OF(x->patched_dev / x->ports_in_dev), 3.0, 1 },
    };
    struct { const char *key, *what; double ns; } raw[] = {
        { "bare_trap", "bare SIGSEGV round trip (in al, dx)", MEDIAN_OF(x->bare) },
        { "trapped_inb", "trapped in al, dx (shim, sim)", MEDIAN_OF(x->inb) },
        { "trapped_outb", "trapped out dx, al (shim, sim)", MEDIAN_OF(x->outb) },
        { "rep_outsb_4096", "trapped rep outsb, 4096 bytes", MEDIAN_OF(x->rep) },
        { "capstone", IOTRAP__BENCH_CS_DETAIL ? "Capstone cs_disasm_iter, detail on"
                                              : "Capstone cs_disasm_iter, detail off",
          MEDIAN_OF(x->capstone) },
        { "decode_cached", "iotrap_decode (cached)", MEDIAN_OF(x->cached) },
        { "decode_uncached", "iotrap_decode without its cache", MEDIAN_OF(x->uncached) },
        { "true_bare", "/bin/true, bare", MEDIAN_OF(x->start.bare) },
        { "true_preload", "/bin/true, preloaded", MEDIAN_OF(x->start.preload) },
        { "true_run", "iotrap run -- /bin/true", MEDIAN_OF(x->start.run) },
        { "true_launcher", "minimal launcher of /bin/true", MEDIAN_OF(x->start.launcher) },
        { "patched_inb", "patched in al, dx (shim, sim)", MEDIAN_OF(x->patched) },
        { "ports_in", "iotrap_ports_in() from C (sim)", MEDIAN_OF(x->ports_in) },
        { "patched_1thread", "patched reads, one thread", MEDIAN_OF(x->scale1) },
        { "patched_2threads", "patched reads, two threads (wall/read)", MEDIAN_OF(x->scale2) },
        { "cpu_1thread", "a loop without I/O, one thread", MEDIAN_OF(x->cpu1) },
        { "cpu_2threads", "the same, two threads (wall/iteration)", MEDIAN_OF(x->cpu2) },
        { "patched_inb_device", "patched in al, dx at " DEVICE_PORT, MEDIAN_OF(x->patched_dev) },
        { "ports_in_device", "iotrap_ports_in() at " DEVICE_PORT, MEDIAN_OF(x->ports_in_dev) },
    };
#undef MEDIAN_OF
    const size_t nratios = sizeof(ratios) / sizeof(ratios[0]);
    const size_t nraw = sizeof(raw) / sizeof(raw[0]);
    /* A zero time (a clock that did not move) would print inf, which is not JSON. */
    for (size_t i = 0; i < nratios; i++)
        if (!isfinite(ratios[i].value) || ratios[i].value <= 0) {
            fprintf(stderr, "iotrap bench: %s could not be measured (%g)\n", ratios[i].key,
                    ratios[i].value);
            goto out;
        }
    struct iotrap__bench_targets_medians tgm;
    if (iotrap__bench_targets_medians(tg, rounds, &tgm) < 0)
        goto out;

    if (json) {
        printf("{");
        for (size_t i = 0; i < nratios; i++)
            printf("\"%s\":%.4f,", ratios[i].key, ratios[i].value);
        iotrap__bench_targets_print(&tgm, IOTRAP__BT_TOP, stdout);
        printf("\"ns\":{");
        for (size_t i = 0; i < nraw; i++)
            printf("%s\"%s\":%.1f", i ? "," : "", raw[i].key, raw[i].ns);
        iotrap__bench_targets_print(&tgm, IOTRAP__BT_NS, stdout);
        printf("},\"targets\":{");
        for (size_t i = 0; i < nratios; i++)
            printf("%s\"%s\":{\"%s\":%.2f,\"pass\":%s}", i ? "," : "", ratios[i].key,
                   ratios[i].at_most ? "max" : "min", ratios[i].target,
                   passes(&ratios[i]) ? "true" : "false");
        iotrap__bench_targets_print(&tgm, IOTRAP__BT_VERDICT, stdout);
        printf("},\"rounds\":%d,\"port\":\"%s\",\"instruction\":\"in al, dx\","
               "\"capstone_detail\":%s,\"capstone_version\":\"%d.%d\"}\n",
               rounds, portstr, IOTRAP__BENCH_CS_DETAIL ? "true" : "false", CS_API_MAJOR,
               CS_API_MINOR);
    } else {
        printf("iotrap bench: %d interleaved rounds, medians; instruction 'in al, dx', port %s "
               "on a private simulated board\n\n", rounds, portstr);
        printf("%-40s %10s\n", "measurement", "ns/op");
        for (size_t i = 0; i < nraw; i++)
            printf("%-40s %10.1f\n", raw[i].what, raw[i].ns);
        printf("\n%-20s %-38s %8s %9s  %s\n", "ratio", "", "value", "target", "result");
        for (size_t i = 0; i < nratios; i++)
            printf("%-20s %-38s %8.3f %2s %6.2f  %s\n", ratios[i].key, ratios[i].what,
                   ratios[i].value, ratios[i].at_most ? "<=" : ">=", ratios[i].target,
                   passes(&ratios[i]) ? "pass" : "FAIL");
        iotrap__bench_targets_print(&tgm, IOTRAP__BT_TEXT, stdout);
    }
    status = 0;

out:
    free(tg_env);
    free(tg);
    free(r);
    free(start.bare_env);
    free(start.preload_env);
    free(start.run_env);
    if (ci)
        capstone.free(ci, 1);
    capstone.close(&cs);
    return status;
}
