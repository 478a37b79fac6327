/* The wineserver of a prefix: whether it runs, and waiting for it to exit.
 *
 * A wineserver holds a write lock on the first byte of the file "lock" in its server
 * directory, from its start until it exits, and `wineserver -w` waits for that lock.
 * So whether it runs is asked of the lock (F_GETLK), which the server never sees.
 * Connecting to its socket would be seen: the server takes each connection for a new
 * process, and one that comes while it lingers after its last program can put off its
 * exit.
 *
 * The server directory ends in server-DEV-INO, the device and inode of the prefix, under
 * a root that depends on how Wine was built:
 *   - Wine as released: /tmp/.wine-UID.
 *   - Debian's and Ubuntu's Wine: /run/user/UID/wine when that directory exists, else a
 *     directory made with mkdtemp in $TMPDIR (or /tmp), whose name it writes to the file
 *     "wineserver" in the prefix.
 * Every one of them is looked at; the server runs if any of their locks is held. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tools/cmd_wine.h"

/* 1: the lock of server directory `dir` is held (or, on a file system without locks,
 * its socket exists, as Wine itself then decides); 0: not, or no such directory.  Like
 * Wine, it trusts only a directory of this user's: in /tmp another user could make one. */
static int dir_has_server(const char *dir)
{
    struct stat st;
    if (lstat(dir, &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != getuid())
        return 0;
    char path[PATH_MAX];
    int n = snprintf(path, sizeof(path), "%s/lock", dir);
    if (n < 0 || (size_t)n >= sizeof(path))
        return 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK);
    if (fd < 0)
        return 0;
    struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 1 };
    int rc = fcntl(fd, F_GETLK, &fl);
    close(fd);
    if (rc == 0)
        return fl.l_type != F_UNLCK;
    n = snprintf(path, sizeof(path), "%s/socket", dir);
    return n >= 0 && (size_t)n < sizeof(path) && lstat(path, &st) == 0 && S_ISSOCK(st.st_mode);
}

/* The name Debian's Wine wrote to PREFIX/wineserver: one path component, or "". */
static void debian_dir_name(const char *prefix, char *name, size_t len)
{
    name[0] = '\0';
    char path[PATH_MAX];
    int n = snprintf(path, sizeof(path), "%s/wineserver", prefix);
    if (n < 0 || (size_t)n >= sizeof(path))
        return;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK);
    if (fd < 0)
        return;
    ssize_t got = read(fd, name, len - 1);
    close(fd);
    if (got <= 0)
        return;
    name[got] = '\0';
    name[strcspn(name, "\n")] = '\0';
    if (strchr(name, '/') || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
        name[0] = '\0';
}

static int has_server(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int has_server(const char *fmt, ...)
{
    char dir[PATH_MAX];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(dir, sizeof(dir), fmt, ap);
    va_end(ap);
    return n >= 0 && (size_t)n < sizeof(dir) && dir_has_server(dir);
}

int iotrap__wine_server_running(const iotrap__wine_env *env)
{
    struct stat st;
    if (stat(env->prefix, &st) < 0)
        return 0;
    char server[64];
    snprintf(server, sizeof(server), "server-%llx-%llx", (unsigned long long)st.st_dev,
             (unsigned long long)st.st_ino);
    unsigned uid = (unsigned)getuid();
    if (has_server("/tmp/.wine-%u/%s", uid, server) ||
        has_server("/run/user/%u/wine/%s", uid, server))
        return 1;
    char name[NAME_MAX + 1];
    debian_dir_name(env->prefix, name, sizeof(name));
    if (!name[0])
        return 0;
    const char *tmp = getenv("TMPDIR");
    if (tmp && *tmp && strcmp(tmp, "/tmp") != 0 && has_server("%s/%s/%s", tmp, name, server))
        return 1;
    return has_server("/tmp/%s/%s", name, server);
}

void iotrap__wine_server_wait(const iotrap__wine_env *env)
{
    char *argv[] = { (char *)env->wineserver, "-w", NULL };
    iotrap__wine_spawn(argv, 0);
}
