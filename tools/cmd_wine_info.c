/* What the installed Wine can run (cmd_wine_info.h).
 *
 * The answer comes from Wine's own loaders, not from a distribution's file layout: the
 * launcher's `--version` is handled by ntdll.so, so running it with the dynamic loader's
 * LD_DEBUG=files shows which Unix-side ntdll.so the loader found by its own search order,
 * and its ELF class says which bitness that loader is.  A 32-bit loader hands 64-bit
 * programs to the 64-bit loader of its own directory (Wine's loader_exec), which is asked
 * the same way.  A 64-bit ntdll.so runs 32-bit programs itself (new WoW64) when the
 * 32-bit PE modules lie in the i386-windows directory beside its own Unix directory,
 * where it looks for modules of other machines. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tools/cmd_wine_info.h"
#include "tools/program_check.h"

#define OUTPUT_MAX 65536

/* Runs `prog --version` with LD_DEBUG=files; its stdout and stderr in `out`. */
static int run_version(const char *prog, char *out, size_t outlen)
{
    int pfd[2];
    if (pipe(pfd) < 0)
        return -1;
    pid_t pid = fork();
    if (pid < 0) {
        close(pfd[0]);
        close(pfd[1]);
        return -1;
    }
    if (pid == 0) {
        dup2(pfd[1], 1);
        dup2(pfd[1], 2);
        close(pfd[0]);
        close(pfd[1]);
        setenv("LD_DEBUG", "files", 1);
        /* Neither the preload library nor a debug channel of the caller's. */
        unsetenv("LD_PRELOAD");
        setenv("WINEDEBUG", "-all", 1);
        execl(prog, prog, "--version", (char *)NULL);
        _exit(127);
    }
    close(pfd[1]);
    size_t n = 0;
    ssize_t r;
    while ((r = read(pfd[0], out + n, outlen - 1 - n)) != 0) {
        if (r < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        n += (size_t)r;
        if (n == outlen - 1) {
            /* Keep draining so that the child never blocks on a full pipe. */
            char sink[4096];
            while (read(pfd[0], sink, sizeof(sink)) > 0)
                ;
            break;
        }
    }
    out[n] = '\0';
    close(pfd[0]);
    int st;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR)
            return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* The ntdll.so that the output shows loaded, and the loader that loaded it.  LD_DEBUG
 * lines read "file=PATH [0];  dynamically loaded by LOADER [0]". */
static int loaded_ntdll(const char *out, char *ntdll, size_t nlen, char *loader, size_t llen)
{
    static const char key[] = "file=", by[] = "dynamically loaded by ";
    for (const char *p = strstr(out, key); p; p = strstr(p + 1, key)) {
        const char *path = p + sizeof(key) - 1, *end = strchr(path, ' ');
        const char *eol = strchr(path, '\n');
        if (!end || (eol && eol < end) || (size_t)(end - path) < 9 ||
            strncmp(end - 9, "/ntdll.so", 9) != 0)
            continue;
        const char *b = strstr(path, by);
        if (!b || (eol && b > eol))
            continue;
        b += sizeof(by) - 1;
        const char *bend = strchr(b, ' ');
        if (!bend || (eol && bend > eol))
            continue;
        snprintf(ntdll, nlen, "%.*s", (int)(end - path), path);
        snprintf(loader, llen, "%.*s", (int)(bend - b), b);
        return 0;
    }
    return -1;
}

static void version_line(const char *out, char *version, size_t len)
{
    for (const char *p = out; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
        if (strncmp(p, "wine-", 5) == 0) {
            snprintf(version, len, "%.*s", (int)strcspn(p, "\n"), p);
            return;
        }
    }
}

/* Which ntdll.so `prog --version` loads: into ntdll32 or ntdll64 by its ELF class. */
static int ask(const char *prog, iotrap__wine_info *info, char *loader, size_t llen, char *err,
               size_t errlen)
{
    char *out = malloc(OUTPUT_MAX);
    if (!out) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    int rc = run_version(prog, out, OUTPUT_MAX);
    char ntdll[PATH_MAX];
    if (rc != 0 || loaded_ntdll(out, ntdll, sizeof(ntdll), loader, llen) < 0) {
        const char *last = out[0] ? out : "no output";
        snprintf(err, errlen, "'%s --version' %s: %.200s", prog,
                 rc == 127 ? "cannot be executed" : "loaded no ntdll.so", last);
        free(out);
        return -1;
    }
    if (!info->version[0])
        version_line(out, info->version, sizeof(info->version));
    free(out);
    iotrap__program_info pi;
    if (iotrap__inspect_program(ntdll, &pi) != 0 || !pi.elf_class) {
        snprintf(err, errlen, "%s is not an ELF library", ntdll);
        return -1;
    }
    char *slot = pi.elf_class == 2 ? info->ntdll64 : info->ntdll32;
    snprintf(slot, PATH_MAX, "%s", ntdll);
    return 0;
}

int iotrap__wine_info_probe(const char *wine, iotrap__wine_info *info, char *err, size_t errlen)
{
    memset(info, 0, sizeof(*info));
    char loader[PATH_MAX];
    if (ask(wine, info, loader, sizeof(loader), err, errlen) < 0)
        return -1;
    if (info->ntdll32[0] && !info->ntdll64[0]) {
        /* The 32-bit loader execs the "wine64" of its own directory for 64-bit programs. */
        char other[PATH_MAX + 8], unused[PATH_MAX], ignored[256];
        const char *slash = strrchr(loader, '/');
        snprintf(other, sizeof(other), "%.*swine64", slash ? (int)(slash - loader + 1) : 0,
                 loader);
        if (access(other, X_OK) == 0)
            ask(other, info, unused, sizeof(unused), ignored, sizeof(ignored));
    }
    if (info->ntdll64[0]) {
        /* <dir>/x86_64-unix/ntdll.so looks for 32-bit modules in <dir>/i386-windows. */
        char dir[PATH_MAX];
        snprintf(dir, sizeof(dir), "%s", info->ntdll64);
        for (int i = 0; i < 2; i++) {
            char *s = strrchr(dir, '/');
            if (s)
                *s = '\0';
        }
        snprintf(info->wow64_pe, sizeof(info->wow64_pe), "%s/i386-windows/ntdll.dll", dir);
        if (info->ntdll32[0] || access(info->wow64_pe, R_OK) != 0)
            info->wow64_pe[0] = '\0';
    }
    info->runs64 = info->ntdll64[0] != '\0';
    info->runs32 = info->ntdll32[0] || info->wow64_pe[0];
    if (info->ntdll32[0])
        info->build = info->runs64 ? IOTRAP__WINE_CLASSIC : IOTRAP__WINE_32_ONLY;
    else
        info->build = info->wow64_pe[0] ? IOTRAP__WINE_NEW_WOW64 : IOTRAP__WINE_64_ONLY;
    return 0;
}

const char *iotrap__wine_build_name(enum iotrap__wine_build build)
{
    switch (build) {
    case IOTRAP__WINE_CLASSIC: return "classic";
    case IOTRAP__WINE_NEW_WOW64: return "new WoW64";
    case IOTRAP__WINE_32_ONLY: return "32-bit only";
    default: return "64-bit only";
    }
}

void iotrap__wine_doctor(iotrap__doctor_line_fn line)
{
    char wine[PATH_MAX], err[512];
    const char *w = getenv("WINE");
    if (w && *w)
        snprintf(wine, sizeof(wine), "%s", w);
    else if (iotrap__find_program("wine", wine, sizeof(wine)) != 0) {
        line("wine", 0, "no 'wine' in PATH");
        return;
    }
    iotrap__wine_info info;
    if (iotrap__wine_info_probe(wine, &info, err, sizeof(err)) < 0) {
        line("wine", 0, "%s does not start: %s", wine, err);
        return;
    }
    line("wine", 1, "%s: %s", wine, info.version[0] ? info.version : "version unknown");
    line("wine build", 1, "%s build%s", iotrap__wine_build_name(info.build),
         info.build == IOTRAP__WINE_NEW_WOW64 ? ": 32-bit programs run inside the 64-bit process"
         : info.build == IOTRAP__WINE_CLASSIC ? ": 32-bit programs run in 32-bit processes" : "");
    if (info.runs64)
        line("wine 64-bit", 1, "%s", info.ntdll64);
    else
        line("wine 64-bit", 0, "no 64-bit Unix side (ntdll.so)");
    if (info.ntdll32[0])
        line("wine 32-bit", 1, "%s", info.ntdll32);
    else if (info.wow64_pe[0])
        line("wine 32-bit", 1, "%s", info.wow64_pe);
    else
        line("wine 32-bit", 0, "neither a 32-bit Unix side nor 32-bit PE modules beside the "
             "64-bit one (a classic build's 32-bit part is missing; Debian: wine32:i386)");
}
