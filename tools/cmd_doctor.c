/* `iotrap doctor [OPTIONS]`: what this machine allows, one line per item with the reason,
 * and the port map that the session options (those of `iotrap run`, or the IOTRAP_*
 * variables) give here.
 *
 * It never executes IN/OUT.  Its checks only ask: ioperm is called with turn_on=0, which
 * can only take permission away, /dev/port is opened without reading or writing it, and
 * ppdev devices are not opened.  The map is the session `iotrap run` would check before
 * starting a program: it is opened and closed again the same way (a real backend holds its
 * device for that moment), so that what "auto" would choose is shown. */
#include <cpuid.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/membarrier.h>
#include <glob.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include "backends/backend.h"
#include "session/env.h"
#include "session/session.h"
#include "tools/cmd_wine_info.h"
#include "tools/commands.h"
#include "tools/run_options.h"
#include "tools/preload_env.h"
#include "tools/program_check.h"

#define CAP_SYS_RAWIO_BIT 17
#define DAEMON_SOCKET "/run/iotrap/iotrapd.sock"

static void line(const char *item, int ok, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void line(const char *item, int ok, const char *fmt, ...)
{
    va_list ap;
    printf("%-16s %-4s ", item, ok ? "yes" : "no");
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
}

/* 1 if the effective capability set holds CAP_SYS_RAWIO, read from /proc so that no
 * libcap is needed. */
static int have_rawio(void)
{
    FILE *f = fopen("/proc/self/status", "re");
    char buf[256];
    int r = 0;
    if (!f)
        return 0;
    while (fgets(buf, sizeof(buf), f))
        if (strncmp(buf, "CapEff:", 7) == 0) {
            unsigned long long caps = strtoull(buf + 7, NULL, 16);
            r = (caps >> CAP_SYS_RAWIO_BIT) & 1;
            break;
        }
    fclose(f);
    return r;
}

/* The kernel lockdown mode in force ("none" when the file is absent). */
static void lockdown_mode(char *out, size_t outlen)
{
    char buf[128] = "";
    snprintf(out, outlen, "none");
    FILE *f = fopen("/sys/kernel/security/lockdown", "re");
    if (!f)
        return;
    if (fgets(buf, sizeof(buf), f)) {
        char *a = strchr(buf, '['), *b = a ? strchr(a, ']') : NULL;
        if (a && b)
            snprintf(out, outlen, "%.*s", (int)(b - a - 1), a + 1);
    }
    fclose(f);
}

/* ioperm and iopl are asked through syscall() so that a preload library interposing the
 * libc wrappers (as iotrap's own does) cannot answer in the kernel's place. */
static void check_kernel_io(const char *item, long rc, int err)
{
    char lock[32];
    lockdown_mode(lock, sizeof(lock));
    if (rc < 0 && err == ENOSYS) {
        line(item, 0, "the kernel lacks CONFIG_X86_IOPL_IOPERM (%s: ENOSYS)", item);
    } else if (rc < 0) {
        line(item, 0, "%s failed: %s", item, strerror(err));
    } else if (strcmp(lock, "none") != 0) {
        line(item, 0, "the kernel supports it, but lockdown '%s' forbids raw port access", lock);
    } else if (have_rawio()) {
        line(item, 1, "the kernel supports it and this process has CAP_SYS_RAWIO");
    } else {
        line(item, 0, "the kernel supports it, but granting needs CAP_SYS_RAWIO (EPERM "
             "here): run as root, or use the iotrapd daemon");
    }
}

static void check_ioperm(void)
{
#ifdef SYS_ioperm
    /* turn_on=0 on a range never grants anything, and succeeds whenever the kernel has
     * the call at all. */
    long rc = syscall(SYS_ioperm, 0x378UL, 8UL, 0);
    check_kernel_io("ioperm", rc, errno);
#else
    line("ioperm", 0, "not an x86 build");
#endif
}

static void check_iopl(void)
{
#ifdef SYS_iopl
    /* Level 0 is what a fresh process has: asking for it changes nothing. */
    long rc = syscall(SYS_iopl, 0);
    check_kernel_io("iopl", rc, errno);
#else
    line("iopl", 0, "not an x86 build");
#endif
}

static void check_devport(void)
{
    struct stat st;
    if (stat("/dev/port", &st) < 0) {
        line("/dev/port", 0, "does not exist (kernel without CONFIG_DEVPORT?): %s",
             strerror(errno));
        return;
    }
    /* Opening reads and writes nothing; the kernel checks CAP_SYS_RAWIO at open. */
    int fd = open("/dev/port", O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        line("/dev/port", 0, "exists (mode %04o) but cannot be opened: %s%s",
             (unsigned)(st.st_mode & 07777), strerror(errno),
             errno == EPERM || errno == EACCES ? " (needs CAP_SYS_RAWIO)" : "");
        return;
    }
    close(fd);
    line("/dev/port", 1, "exists and opens read-write");
}

static int in_group(gid_t g)
{
    if (getegid() == g)
        return 1;
    int n = getgroups(0, NULL);
    if (n <= 0)
        return 0;
    gid_t *gs = calloc((size_t)n, sizeof(*gs));
    int r = 0;
    if (gs && (n = getgroups(n, gs)) > 0)
        for (int i = 0; i < n; i++)
            if (gs[i] == g)
                r = 1;
    free(gs);
    return r;
}

static void check_ppdev(void)
{
    glob_t g;
    if (glob("/dev/parport[0-9]*", 0, NULL, &g) != 0 || g.gl_pathc == 0) {
        line("ppdev", 0, "no /dev/parport* (no parallel port, or the parport_pc and ppdev "
             "modules are not loaded)");
        globfree(&g);
        return;
    }
    for (size_t i = 0; i < g.gl_pathc; i++) {
        const char *p = g.gl_pathv[i];
        struct stat st;
        if (stat(p, &st) < 0) {
            line(p, 0, "%s", strerror(errno));
            continue;
        }
        struct group *gr = getgrgid(st.st_gid);
        char gname[64];
        snprintf(gname, sizeof(gname), "%s", gr ? gr->gr_name : "?");
        int member = in_group(st.st_gid);
        int rw = access(p, R_OK | W_OK) == 0;
        line(p, rw, "mode %04o group %s; you are %sin group %s; read-write access %s",
             (unsigned)(st.st_mode & 07777), gname, member ? "" : "not ", gname,
             rw ? "granted" : "denied");
    }
    globfree(&g);
}

static void check_daemon(void)
{
    struct sockaddr_un sa;
    memset(&sa, 0, sizeof(sa));
    sa.sun_family = AF_UNIX;
    snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", DAEMON_SOCKET);
    struct stat st;
    if (stat(DAEMON_SOCKET, &st) < 0) {
        line("iotrapd", 0, "%s: %s (the daemon is not running)", DAEMON_SOCKET,
             strerror(errno));
        return;
    }
    /* Connecting and closing at once sends no request. */
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int e = fd < 0 ? errno : 0;
    if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
        close(fd);
        line("iotrapd", 1, "%s accepts connections", DAEMON_SOCKET);
        return;
    }
    if (fd >= 0) {
        e = errno;
        close(fd);
    }
    line("iotrapd", 0, "%s exists but does not accept connections: %s", DAEMON_SOCKET,
         strerror(e));
}

static void check_preload(void)
{
    const char *dir = iotrap__preload_dir();
    static const struct { int cls; const char *item; const char *links[3]; } arches[] = {
        { 2, "preload 64-bit", { "lib/x86_64-linux-gnu", "lib64", NULL } },
        { 1, "preload 32-bit", { "lib/i386-linux-gnu", "lib32", NULL } },
    };
    for (size_t i = 0; i < sizeof(arches) / sizeof(arches[0]); i++) {
        char path[PATH_MAX];
        snprintf(path, sizeof(path), "%s/%s/" IOTRAP__PRELOAD_FILE, dir,
                 iotrap__preload_arch(arches[i].cls));
        iotrap__program_info info;
        int e = iotrap__inspect_program(path, &info);
        if (e != 0) {
            line(arches[i].item, 0, "%s: %s", path, strerror(e));
            continue;
        }
        if (info.elf_class != arches[i].cls) {
            line(arches[i].item, 0, "%s is not a %d-bit ELF file", path,
                 arches[i].cls == 2 ? 64 : 32);
            continue;
        }
        /* The loader expands $LIB to one of these names, depending on the distribution. */
        const char *via = NULL;
        for (const char *const *l = arches[i].links; *l && !via; l++) {
            char lp[PATH_MAX];
            snprintf(lp, sizeof(lp), "%s/%s/" IOTRAP__PRELOAD_FILE, dir, *l);
            if (access(lp, R_OK) == 0)
                via = *l;
        }
        if (via)
            line(arches[i].item, 1, "%s (reached as $LIB=%s)", path, via);
        else
            line(arches[i].item, 0, "%s exists, but no $LIB link (%s) leads to it", path,
                 arches[i].links[0]);
    }
}

/* What hot-site patching (docs/patching.md) needs: XSAVE enabled by the kernel, and
 * membarrier's SYNC_CORE command to make every thread refetch changed code. */
static void check_patching(void)
{
    unsigned a, b, c, d;
    int xsave = __get_cpuid(1, &a, &b, &c, &d) && (c & bit_OSXSAVE);
    long cmds = syscall(SYS_membarrier, MEMBARRIER_CMD_QUERY, 0, 0);
    int sync_core = cmds > 0 && (cmds & MEMBARRIER_CMD_PRIVATE_EXPEDITED_SYNC_CORE);
    if (xsave && sync_core)
        line("patching", 1, "hot IN/OUT sites can become calls (--patch)");
    else
        line("patching", 0, "%s: every IN/OUT stays a trap",
             !xsave ? "the kernel has not enabled XSAVE" : "no membarrier SYNC_CORE");
}

static void check_backends(void)
{
    for (const struct iotrap__backend *const *b = iotrap__backends; *b; b++) {
        char item[64], why[256] = "";
        snprintf(item, sizeof(item), "backend %s", (*b)->name);
        if (!(*b)->probe) {
            line(item, 1, "%s", (*b)->summary);
            continue;
        }
        int st = (*b)->probe("", why, sizeof(why));
        if (st == 0)
            line(item, 1, "%s%s%s", (*b)->summary, why[0] ? ": " : "", why);
        else
            line(item, 0, "%s: %s", (*b)->summary, why[0] ? why : iotrap_strerror(st));
    }
}

/* The port map of the effective configuration, as a session opened from it has it. */
static void check_map(void)
{
    char err[1024] = "";
    iotrap__env_config ec;
    iotrap_ports *ports = NULL;
    int st = iotrap__env_config_read(&ec, NULL, err, sizeof err);
    if (st == IOTRAP_OK) {
        ec.cfg.quiet = 1;
        ec.cfg.trace = NULL;
        ec.cfg.board = NULL;
        st = iotrap_ports_open(&ec.cfg, &ports, err, sizeof err);
        iotrap__env_config_free(&ec);
    }
    if (st != IOTRAP_OK) {
        line("map", 0, "%s", err[0] ? err : iotrap_strerror(st));
        return;
    }
    char map[8192];
    iotrap__session_describe(ports, "", map, sizeof map);
    iotrap_ports_close(ports);
    for (char *l = strtok(map, "\n"); l; l = strtok(NULL, "\n"))
        line("map", 1, "%s", l);
}

static const char doctor_usage[] =
    "Usage: iotrap doctor [SESSION OPTIONS]\n"
    "Say which ways of reaching ports this machine allows, one line each with the reason,\n"
    "and where each port would go: the port map of --backend, --route, --remap, --allow\n"
    "and --device as `iotrap run` takes them (or the IOTRAP_* variables).\n"
    "No port I/O is done.\n";

int iotrap__cmd_doctor(int argc, char **argv)
{
    char err[1024];
    iotrap__run_options opts;
    if (iotrap__run_parse(argc, argv, 0, &opts, err, sizeof err) < 0) {
        fprintf(stderr, "iotrap doctor: %s\n", err);
        return 2;
    }
    if (opts.help) {
        fputs(doctor_usage, stdout);
        iotrap__run_options_free(&opts);
        return 0;
    }
    if (*opts.program) {
        fprintf(stderr, "iotrap doctor: unexpected argument '%s'\n", *opts.program);
        iotrap__run_options_free(&opts);
        return 2;
    }
    iotrap__env_var vars[IOTRAP__RUN_ENV_MAX];
    int nvars = iotrap__run_env(&opts, vars, err, sizeof err);
    iotrap__run_options_free(&opts);
    if (nvars < 0) {
        fprintf(stderr, "iotrap doctor: %s\n", err);
        return 2;
    }
    for (int i = 0; i < nvars; i++)
        setenv(vars[i].name, vars[i].value, 1);
    iotrap__run_env_free(vars, nvars);
    struct passwd *pw = getpwuid(geteuid());
    printf("iotrap doctor: uid %u (%s), no port I/O is done\n", (unsigned)geteuid(),
           pw ? pw->pw_name : "?");
    check_ioperm();
    check_iopl();
    check_devport();
    check_ppdev();
    check_daemon();
    iotrap__wine_doctor(line);
    check_preload();
    check_patching();
    check_backends();
    check_map();
    return 0;
}
