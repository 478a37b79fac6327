/* Preparing a Wine prefix for the iotrap builtins (`iotrap wine --setup`), undoing it
 * (`--remove`), and the Wine processes that takes.
 *
 * Wine loads a builtin DLL or driver only if a file of that name exists in the prefix,
 * so setup copies placeholders (made by winebuild --fake-module) into system32,
 * system32\drivers and, for 32-bit builtins, syswow64.  It registers iotrap.sys as an
 * auto-start kernel driver service, so that winedevice.exe creates \\.\giveio,
 * \\.\PortTalk, ... whenever Wine starts in the prefix.  What it placed is listed in the
 * stamp file IOTRAP-STAMP in the prefix, which makes setup idempotent (nothing to do: no
 * Wine process is started) and lets --remove take away exactly that. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tools/cmd_wine.h"
#include "tools/program_check.h"

#define STAMP_NAME ".iotrap-wine"
#define STAMP_VERSION "iotrap-wine 1"
#define SERVICE_LINE "service iotrap"

static const char service_reg[] =
    "REGEDIT4\r\n\r\n"
    "[HKEY_LOCAL_MACHINE\\System\\CurrentControlSet\\Services\\iotrap]\r\n"
    "\"Type\"=dword:00000001\r\n"
    "\"Start\"=dword:00000002\r\n"
    "\"ErrorControl\"=dword:00000001\r\n"
    "\"DisplayName\"=\"iotrap port I/O driver\"\r\n"
    "\"ImagePath\"=\"C:\\\\windows\\\\system32\\\\drivers\\\\iotrap.sys\"\r\n";

static const char service_unreg[] =
    "REGEDIT4\r\n\r\n"
    "[-HKEY_LOCAL_MACHINE\\System\\CurrentControlSet\\Services\\iotrap]\r\n";

/* snprintf for paths: -1 if the result did not fit (it is then cut, never overrun). */
__attribute__((format(printf, 3, 4)))
static int pathf(char *buf, size_t len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, len, fmt, ap);
    va_end(ap);
    return n < 0 || (size_t)n >= len ? -1 : 0;
}

static int find_tool(const char *envname, const char *name, char *out, size_t outlen)
{
    const char *v = getenv(envname);
    if (v && *v) {
        pathf(out, outlen, "%s", v);
        return access(out, X_OK) == 0 ? 0 : -1;
    }
    return iotrap__find_program(name, out, outlen) == 0 ? 0 : -1;
}

int iotrap__wine_env_init(iotrap__wine_env *env)
{
    memset(env, 0, sizeof(*env));
    if (find_tool("WINE", "wine", env->wine, sizeof(env->wine)) < 0) {
        fprintf(stderr, "iotrap wine: Wine is not installed (no 'wine' in PATH; 'iotrap "
                        "doctor' tells what a Wine found runs)\n");
        return -1;
    }
    if (find_tool("WINESERVER", "wineserver", env->wineserver, sizeof(env->wineserver)) < 0) {
        fprintf(stderr, "iotrap wine: no 'wineserver' in PATH: install wine\n");
        return -1;
    }
    const char *p = getenv("WINEPREFIX");
    if (p && *p) {
        if (p[0] != '/') {
            fprintf(stderr, "iotrap wine: WINEPREFIX must be an absolute path, not '%s'\n", p);
            return -1;
        }
        pathf(env->prefix, sizeof(env->prefix), "%s", p);
    } else {
        const char *home = getenv("HOME");
        if (!home || !*home) {
            fprintf(stderr, "iotrap wine: neither WINEPREFIX nor HOME is set\n");
            return -1;
        }
        pathf(env->prefix, sizeof(env->prefix), "%s/.wine", home);
    }
    const char *d = getenv("IOTRAP_WINE_DIR");
    pathf(env->dlldir, sizeof(env->dlldir), "%s", d && *d ? d : IOTRAP_PKGLIBDIR "/wine");
    char probe[4200];
    pathf(probe, sizeof(probe), "%s/x86_64-windows/iotrap.sys", env->dlldir);
    if (access(probe, R_OK) != 0) {
        fprintf(stderr, "iotrap wine: the iotrap Wine builtins are missing (%s: %s); iotrap "
                        "was built without Wine support (install wine64-tools, libwine-dev "
                        "and gcc-mingw-w64, then configure again)\n", probe, strerror(errno));
        return -1;
    }
    return 0;
}

int iotrap__wine_spawn(char *const argv[], int verbose)
{
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        if (!verbose) {
            int fd = open("/dev/null", O_RDWR);
            if (fd >= 0) {
                dup2(fd, 1);
                dup2(fd, 2);
                close(fd);
            }
        }
        execv(argv[0], argv);
        _exit(127);
    }
    int st;
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR)
            return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* ---- Files ------------------------------------------------------------------------- */

static int read_file(const char *path, char **data, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    size_t cap = 65536, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        size_t r = fread(buf + n, 1, cap - n, f);
        n += r;
        if (n < cap)
            break;
        char *nb = realloc(buf, cap * 2);
        if (!nb) {
            free(buf);
            buf = NULL;
        } else {
            buf = nb;
            cap *= 2;
        }
    }
    int err = ferror(f);
    fclose(f);
    if (!buf || err) {
        free(buf);
        return -1;
    }
    *data = buf;
    *len = n;
    return 0;
}

static int write_file(const char *path, const void *data, size_t len)
{
    char tmp[PATH_MAX];
    pathf(tmp, sizeof(tmp), "%s.iotrap-tmp", path);
    FILE *f = fopen(tmp, "wb");
    if (!f)
        return -1;
    int ok = fwrite(data, 1, len, f) == len;
    ok = fclose(f) == 0 && ok;
    if (!ok || rename(tmp, path) < 0) {
        unlink(tmp);
        return -1;
    }
    return 0;
}

/* 1 if `path` holds exactly `data`. */
static int same_content(const char *path, const char *data, size_t len)
{
    char *have;
    size_t hlen;
    if (read_file(path, &have, &hlen) < 0)
        return 0;
    int same = hlen == len && memcmp(have, data, len) == 0;
    free(have);
    return same;
}

static int mkdirs(const char *dir)
{
    char buf[PATH_MAX];
    pathf(buf, sizeof(buf), "%s", dir);
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(buf, 0755) < 0 && errno != EEXIST)
            return -1;
        *p = '/';
    }
    return mkdir(buf, 0755) < 0 && errno != EEXIST ? -1 : 0;
}

/* The stamp: one line per thing setup did, relative to the prefix. */
struct stamp {
    char *text;     /* NUL-terminated; "" when there is none */
};

static void stamp_read(const iotrap__wine_env *env, struct stamp *s)
{
    char path[PATH_MAX];
    size_t len;
    pathf(path, sizeof(path), "%s/%s", env->prefix, STAMP_NAME);
    char *data;
    if (read_file(path, &data, &len) < 0) {
        s->text = strdup("");
        return;
    }
    s->text = realloc(data, len + 1);
    if (!s->text) {
        free(data);
        s->text = strdup("");
        return;
    }
    s->text[len] = '\0';
}

static int stamp_has(const struct stamp *s, const char *line)
{
    size_t n = strlen(line);
    for (const char *p = s->text; p && *p;) {
        const char *e = strchr(p, '\n');
        size_t l = e ? (size_t)(e - p) : strlen(p);
        if (l == n && strncmp(p, line, n) == 0)
            return 1;
        p = e ? e + 1 : NULL;
    }
    return 0;
}

static int stamp_add(struct stamp *s, const char *line)
{
    if (stamp_has(s, line))
        return 0;
    size_t a = strlen(s->text), b = strlen(line);
    char *t = realloc(s->text, a + b + 2);
    if (!t)
        return -1;
    memcpy(t + a, line, b);
    t[a + b] = '\n';
    t[a + b + 1] = '\0';
    s->text = t;
    return 0;
}

static int stamp_write(const iotrap__wine_env *env, const struct stamp *s)
{
    char path[PATH_MAX];
    pathf(path, sizeof(path), "%s/%s", env->prefix, STAMP_NAME);
    return write_file(path, s->text, strlen(s->text));
}

/* Where a placeholder of module `name` built for `arch` goes, relative to the prefix. */
static int placement(const char *arch, const char *name, char *rel, size_t rellen)
{
    size_t n = strlen(name);
    int is_sys = n > 4 && strcasecmp(name + n - 4, ".sys") == 0;
    if (strcmp(arch, "x86_64") == 0)
        pathf(rel, rellen, "drive_c/windows/system32/%s%s", is_sys ? "drivers/" : "", name);
    else if (!is_sys)
        /* A driver runs in the 32-bit winedevice.exe only when the image file registered
         * is a 32-bit binary, which is then there already: no placeholder is needed. */
        pathf(rel, rellen, "drive_c/windows/syswow64/%s", name);
    else
        return -1;
    return 0;
}

/* Copies every placeholder of one architecture that is missing; a file of the same name
 * that is not ours (a real DLL someone installed) is left alone: the builtin wins over it
 * anyway. */
static int place_arch(const iotrap__wine_env *env, const char *arch, struct stamp *s,
                      int *changed)
{
    char dir[PATH_MAX];
    pathf(dir, sizeof(dir), "%s/fakedlls/%s", env->dlldir, arch);
    DIR *d = opendir(dir);
    if (!d)
        return errno == ENOENT ? 0 : -1;
    int rc = 0;
    struct dirent *de;
    while (rc == 0 && (de = readdir(d))) {
        if (de->d_name[0] == '.')
            continue;
        char rel[PATH_MAX], src[PATH_MAX], dst[PATH_MAX * 2], line[PATH_MAX + 8];
        if (placement(arch, de->d_name, rel, sizeof(rel)) < 0)
            continue;
        pathf(src, sizeof(src), "%s/%s", dir, de->d_name);
        pathf(dst, sizeof(dst), "%s/%s", env->prefix, rel);
        pathf(line, sizeof(line), "file %s", rel);
        char *data;
        size_t len;
        if (read_file(src, &data, &len) < 0) {
            fprintf(stderr, "iotrap wine: cannot read %s: %s\n", src, strerror(errno));
            rc = -1;
            break;
        }
        if (same_content(dst, data, len)) {
            if (!stamp_has(s, line) && stamp_add(s, line) < 0)
                rc = -1;
        } else if (access(dst, F_OK) == 0) {
            /* Not ours: keep it. */
        } else {
            char parent[PATH_MAX * 2];
            pathf(parent, sizeof(parent), "%s", dst);
            *strrchr(parent, '/') = '\0';
            if (mkdirs(parent) < 0 || write_file(dst, data, len) < 0) {
                fprintf(stderr, "iotrap wine: cannot write %s: %s\n", dst, strerror(errno));
                rc = -1;
            } else if (stamp_add(s, line) < 0) {
                rc = -1;
            } else {
                *changed = 1;
            }
        }
        free(data);
    }
    closedir(d);
    return rc;
}

/* Imports a .reg text with Wine's regedit. */
static int import_reg(const iotrap__wine_env *env, const char *text, int verbose)
{
    char dir[] = "/tmp/iotrap-wine-reg-XXXXXX";
    if (!mkdtemp(dir))
        return -1;
    char path[sizeof(dir) + 16], winpath[sizeof(path) + 4];
    pathf(path, sizeof(path), "%s/iotrap.reg", dir);
    int rc = -1;
    if (write_file(path, text, strlen(text)) == 0) {
        /* Wine maps Z: to the Unix root in every prefix it creates. */
        pathf(winpath, sizeof(winpath), "Z:%s", path);
        for (char *p = winpath; *p; p++)
            if (*p == '/')
                *p = '\\';
        char *argv[] = { (char *)env->wine, "regedit", "/S", winpath, NULL };
        rc = iotrap__wine_spawn(argv, verbose) == 0 ? 0 : -1;
    }
    unlink(path);
    rmdir(dir);
    return rc;
}

int iotrap__wine_setup(const iotrap__wine_env *env, int verbose)
{
    char sysreg[PATH_MAX];
    pathf(sysreg, sizeof(sysreg), "%s/system.reg", env->prefix);
    int started = 0;
    if (access(sysreg, F_OK) != 0) {
        /* A new prefix: wineboot creates it (this takes a while, once). */
        char *argv[] = { (char *)env->wine, "wineboot", "-i", NULL };
        int st = iotrap__wine_spawn(argv, verbose);
        /* The wineserver writes the registry files when it exits. */
        iotrap__wine_server_wait(env);
        if (st != 0 || access(sysreg, F_OK) != 0) {
            fprintf(stderr, "iotrap wine: creating the Wine prefix %s failed (wineboot exit "
                            "status %d)\n", env->prefix, st);
            return -1;
        }
    }

    struct stamp s;
    stamp_read(env, &s);
    int changed = 0, rc = 0;
    if (!stamp_has(&s, STAMP_VERSION))
        rc = stamp_add(&s, STAMP_VERSION);
    if (rc == 0)
        rc = place_arch(env, "x86_64", &s, &changed);
    if (rc == 0)
        rc = place_arch(env, "i386", &s, &changed);
    if (rc == 0 && !stamp_has(&s, SERVICE_LINE)) {
        started = 1;
        if (import_reg(env, service_reg, verbose) < 0) {
            fprintf(stderr, "iotrap wine: registering the iotrap driver service in %s failed\n",
                    env->prefix);
            rc = -1;
        } else {
            rc = stamp_add(&s, SERVICE_LINE);
            changed = 1;
        }
    }
    if (changed && stamp_write(env, &s) < 0) {
        fprintf(stderr, "iotrap wine: cannot write %s/%s: %s\n", env->prefix, STAMP_NAME,
                strerror(errno));
        rc = -1;
    }
    free(s.text);
    /* The Wine processes setup started must be gone before the program starts: their
     * winedevice.exe would not see the run's board. */
    if (started)
        iotrap__wine_server_wait(env);
    return rc;
}

/* 1 if the placed file `rel` still holds the placeholder it was given (or is gone). */
static int still_ours(const iotrap__wine_env *env, const char *rel, const char *path)
{
    const char *arch = strstr(rel, "/syswow64/") ? "i386" : "x86_64";
    const char *name = strrchr(rel, '/');
    char src[PATH_MAX];
    pathf(src, sizeof(src), "%s/fakedlls/%s/%s", env->dlldir, arch, name ? name + 1 : rel);
    if (access(path, F_OK) != 0)
        return 1;
    char *data;
    size_t len;
    if (read_file(src, &data, &len) < 0)
        return 0;
    int same = same_content(path, data, len);
    free(data);
    return same;
}

int iotrap__wine_remove(const iotrap__wine_env *env, int verbose)
{
    struct stamp s;
    stamp_read(env, &s);
    int rc = 0;
    for (char *p = s.text; p && *p;) {
        char *e = strchr(p, '\n');
        if (e)
            *e = '\0';
        if (strncmp(p, "file ", 5) == 0) {
            char path[PATH_MAX * 2];
            pathf(path, sizeof(path), "%s/%s", env->prefix, p + 5);
            if (!still_ours(env, p + 5, path)) {
                fprintf(stderr, "iotrap wine: keeping %s: it was replaced since setup\n", path);
            } else if (unlink(path) < 0 && errno != ENOENT) {
                fprintf(stderr, "iotrap wine: cannot remove %s: %s\n", path, strerror(errno));
                rc = -1;
            }
        } else if (strcmp(p, SERVICE_LINE) == 0) {
            if (import_reg(env, service_unreg, verbose) < 0) {
                fprintf(stderr, "iotrap wine: removing the iotrap driver service failed\n");
                rc = -1;
            }
            iotrap__wine_server_wait(env);
        }
        p = e ? e + 1 : NULL;
    }
    free(s.text);
    if (rc == 0) {
        char path[PATH_MAX];
        pathf(path, sizeof(path), "%s/%s", env->prefix, STAMP_NAME);
        if (unlink(path) < 0 && errno != ENOENT)
            rc = -1;
    }
    return rc;
}
