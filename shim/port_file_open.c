/* Opening /dev/port: the paths that name it, and the interposed open family, creat and
 * the stdio openers, which give an emulated descriptor (shim/port_file.c) once the
 * session is up.  Before that - while the constructor opens the session, whose devport
 * backend opens the real device - every open goes to the C library untouched, as it does
 * for every other path.  As the kernel does for a process without CAP_SYS_RAWIO, the open
 * fails with EPERM when the policy allows no port at all. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "shim/shim.h"

/* Whether `path` (relative to dirfd) names /dev/port, read as the kernel walks it but
 * without following symbolic links: "/dev//./port" and "../dev/port" from / do. */
static int names_dev_port(int dirfd, const char *path)
{
    size_t len = strlen(path);
    if (len < 4 || strcmp(path + len - 4, "port") != 0)
        return 0; /* the common case, decided without a system call */
    char full[PATH_MAX + 8];
    size_t n = 0;
    if (path[0] != '/') {
        long r;
        if (dirfd == AT_FDCWD) {
            r = syscall(SYS_getcwd, full, sizeof full - 1);
            r = r > 0 ? (long)strlen(full) : -1;
        } else {
            char link[32];
            snprintf(link, sizeof link, "/proc/self/fd/%d", dirfd);
            r = readlink(link, full, sizeof full - 1);
        }
        if (r <= 0 || full[0] != '/')
            return 0;
        n = (size_t)r;
    }
    if (n + 1 + len >= sizeof full)
        return 0;
    full[n++] = '/';
    memcpy(full + n, path, len + 1);
    /* Component by component into out: "." is nothing, ".." drops the last one. */
    char out[PATH_MAX + 8];
    size_t o = 0;
    for (const char *s = full; *s;) {
        while (*s == '/')
            s++;
        const char *e = s;
        while (*e && *e != '/')
            e++;
        size_t c = (size_t)(e - s);
        if (c == 0 || (c == 1 && s[0] == '.')) {
            /* nothing */
        } else if (c == 2 && s[0] == '.' && s[1] == '.') {
            while (o && out[o - 1] != '/')
                o--;
            if (o)
                o--;
        } else {
            out[o++] = '/';
            memcpy(out + o, s, c);
            o += c;
        }
        s = e;
    }
    return o == 9 && memcmp(out, "/dev/port", 9) == 0;
}

static int open_port(int flags)
{
    if (flags & O_DIRECTORY) {
        errno = ENOTDIR;
        return -1;
    }
    if ((flags & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL)) {
        errno = EEXIST;
        return -1;
    }
    if (!iotrap__shim_any_port_allowed()) {
        errno = EPERM;
        return -1;
    }
    return iotrap__port_file_create(flags);
}

static int wanted(int dirfd, const char *path)
{
    return path && names_dev_port(dirfd, path) && iotrap__shim_session();
}

/* The mode argument exists only when the flags create a file. */
#define MODE_ARG(flags, mode)                                                          \
    mode_t mode = 0;                                                                   \
    if ((flags) & O_CREAT || ((flags) & O_TMPFILE) == O_TMPFILE) {                    \
        va_list ap_;                                                                   \
        va_start(ap_, flags);                                                          \
        mode = (mode_t)va_arg(ap_, int);                                               \
        va_end(ap_);                                                                   \
    }

/* The fortified entries the C library gives programs built with _FORTIFY_SOURCE. */
int __open_2(const char *path, int flags);
int __open64_2(const char *path, int flags);
int __openat_2(int dirfd, const char *path, int flags);
int __openat64_2(int dirfd, const char *path, int flags);

/* The C library's own functions (shim.h, iotrap__next). */
static struct {
    int (*open)(const char *, int, ...);
    int (*open64)(const char *, int, ...);
    int (*openat)(int, const char *, int, ...);
    int (*openat64)(int, const char *, int, ...);
    int (*open_2)(const char *, int);
    int (*open64_2)(const char *, int);
    int (*openat_2)(int, const char *, int);
    int (*openat64_2)(int, const char *, int);
    FILE *(*fopen)(const char *, const char *);
    FILE *(*fopen64)(const char *, const char *);
    FILE *(*fdopen)(int, const char *);
} real;

#define REAL(field, name) ((__typeof__(real.field))iotrap__next((void **)&real.field, name))

void iotrap__port_file_open_resolve(void)
{
    iotrap__next_resolve((void **)&real.open, "open");
    iotrap__next_resolve((void **)&real.open64, "open64");
    iotrap__next_resolve((void **)&real.openat, "openat");
    iotrap__next_resolve((void **)&real.openat64, "openat64");
    iotrap__next_resolve((void **)&real.open_2, "__open_2");
    iotrap__next_resolve((void **)&real.open64_2, "__open64_2");
    iotrap__next_resolve((void **)&real.openat_2, "__openat_2");
    iotrap__next_resolve((void **)&real.openat64_2, "__openat64_2");
    iotrap__next_resolve((void **)&real.fopen, "fopen");
    iotrap__next_resolve((void **)&real.fopen64, "fopen64");
    iotrap__next_resolve((void **)&real.fdopen, "fdopen");
}

IOTRAP__EXPORT int open(const char *path, int flags, ...)
{
    MODE_ARG(flags, mode);
    if (wanted(AT_FDCWD, path))
        return open_port(flags);
    return REAL(open, "open")(path, flags, mode);
}

IOTRAP__EXPORT int open64(const char *path, int flags, ...)
{
    MODE_ARG(flags, mode);
    if (wanted(AT_FDCWD, path))
        return open_port(flags);
    return REAL(open64, "open64")(path, flags, mode);
}

IOTRAP__EXPORT int openat(int dirfd, const char *path, int flags, ...)
{
    MODE_ARG(flags, mode);
    if (wanted(dirfd, path))
        return open_port(flags);
    return REAL(openat, "openat")(dirfd, path, flags, mode);
}

IOTRAP__EXPORT int openat64(int dirfd, const char *path, int flags, ...)
{
    MODE_ARG(flags, mode);
    if (wanted(dirfd, path))
        return open_port(flags);
    return REAL(openat64, "openat64")(dirfd, path, flags, mode);
}

/* The _FORTIFY_SOURCE entries, for opens whose flags are not known when compiled. */
IOTRAP__EXPORT int __open_2(const char *path, int flags)
{
    return wanted(AT_FDCWD, path) ? open_port(flags) : REAL(open_2, "__open_2")(path, flags);
}

IOTRAP__EXPORT int __open64_2(const char *path, int flags)
{
    return wanted(AT_FDCWD, path) ? open_port(flags)
                                  : REAL(open64_2, "__open64_2")(path, flags);
}

IOTRAP__EXPORT int __openat_2(int dirfd, const char *path, int flags)
{
    return wanted(dirfd, path) ? open_port(flags)
                               : REAL(openat_2, "__openat_2")(dirfd, path, flags);
}

IOTRAP__EXPORT int __openat64_2(int dirfd, const char *path, int flags)
{
    return wanted(dirfd, path) ? open_port(flags)
                               : REAL(openat64_2, "__openat64_2")(dirfd, path, flags);
}

IOTRAP__EXPORT int creat(const char *path, mode_t mode)
{
    return open(path, O_CREAT | O_WRONLY | O_TRUNC, mode);
}

IOTRAP__EXPORT int creat64(const char *path, mode_t mode)
{
    return open64(path, O_CREAT | O_WRONLY | O_TRUNC, mode);
}

/* fopen's mode as open flags (its "r", "w", "a", "+", "x", "e"); -1 for a bad mode. */
static int stdio_flags(const char *mode)
{
    int flags;
    switch (mode[0]) {
    case 'r':
        flags = O_RDONLY;
        break;
    case 'w':
        flags = O_WRONLY | O_CREAT | O_TRUNC;
        break;
    case 'a':
        flags = O_WRONLY | O_CREAT | O_APPEND;
        break;
    default:
        return -1;
    }
    for (const char *m = mode + 1; *m; m++) {
        if (*m == '+')
            flags = (flags & ~O_ACCMODE) | O_RDWR;
        else if (*m == 'x')
            flags |= O_EXCL;
        else if (*m == 'e')
            flags |= O_CLOEXEC;
    }
    return flags;
}

static FILE *fopen_port(const char *mode)
{
    int flags = stdio_flags(mode);
    if (flags < 0) {
        errno = EINVAL;
        return NULL;
    }
    int fd = open_port(flags);
    if (fd < 0)
        return NULL;
    FILE *f = iotrap__port_file_stream(fd, mode);
    if (!f) {
        int e = errno;
        close(fd);
        errno = e;
    }
    return f;
}

IOTRAP__EXPORT FILE *fopen(const char *path, const char *mode)
{
    return wanted(AT_FDCWD, path) ? fopen_port(mode) : REAL(fopen, "fopen")(path, mode);
}

IOTRAP__EXPORT FILE *fopen64(const char *path, const char *mode)
{
    return wanted(AT_FDCWD, path) ? fopen_port(mode) : REAL(fopen64, "fopen64")(path, mode);
}

IOTRAP__EXPORT FILE *fdopen(int fd, const char *mode)
{
    if (iotrap__port_file_accmode(fd) == -2)
        return REAL(fdopen, "fdopen")(fd, mode);
    if (stdio_flags(mode) < 0) {
        errno = EINVAL;
        return NULL;
    }
    return iotrap__port_file_stream(fd, mode);
}
