/* Opening files an option names, see userfile.h. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <iotrap/status.h>
#include "common/parse.h"
#include "common/userfile.h"

/* The directory part of path ("." without one), into buf. */
static const char *dir_of(const char *path, char *buf, size_t len)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return ".";
    size_t n = slash == path ? 1 : (size_t)(slash - path);
    if (n >= len)
        return NULL;
    memcpy(buf, path, n);
    buf[n] = '\0';
    return buf;
}

/* As root: the file's directory must be root's (or this user's) and writable by nobody
 * else but for a sticky one such as /tmp, where only a file of our own is used; the file
 * itself no link, no device and no pipe. */
static int open_as_root(const char *what, const char *path, int flags, char *err,
                        size_t errlen)
{
    char buf[PATH_MAX];
    const char *dir = dir_of(path, buf, sizeof buf);
    if (!dir)
        return iotrap__err(err, errlen, IOTRAP_E_RANGE, "%s \"%s\": path too long", what, path);
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    struct stat st;
    if (dfd < 0 || fstat(dfd, &st) != 0) {
        int e = errno;
        if (dfd >= 0)
            close(dfd);
        return iotrap__err(err, errlen, IOTRAP_E_INVAL, "cannot open %s \"%s\": %s", what,
                           path, strerror(e));
    }
    bool ours = st.st_uid == 0 || st.st_uid == geteuid();
    /* A directory others may write is safe only where its sticky bit keeps them from
     * replacing what is ours (/tmp): there only a file of our own is used, and a new one
     * is made only if nobody made it first. */
    bool shared = ours && (st.st_mode & 022) && (st.st_mode & S_ISVTX);
    if (!ours || ((st.st_mode & 022) && !shared)) {
        close(dfd);
        return iotrap__err(err, errlen, IOTRAP_E_PERM,
                           "refusing to open %s \"%s\" as root: its directory %s belongs to "
                           "uid %u with mode %04o, so another user could put a link there "
                           "(use a directory only root may write, such as /var/lib/iotrap)",
                           what, path, dir, (unsigned)st.st_uid, (unsigned)(st.st_mode & 07777));
    }
    /* What is there is looked at first: opening a pipe or a device could wait or act. */
    const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    int fd = -1, e = 0;
    bool link = false, irregular = false, foreign = false;
    if (fstatat(dfd, base, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode)) {
        e = EISDIR;
    } else if (fstatat(dfd, base, &st, AT_SYMLINK_NOFOLLOW) == 0) {
        link = S_ISLNK(st.st_mode);
        irregular = !link && !S_ISREG(st.st_mode);
        foreign = shared && st.st_uid != geteuid();
        if (!link && !irregular && !foreign &&
            (fd = openat(dfd, base, (flags & ~O_CREAT) | O_NOFOLLOW)) < 0)
            e = errno;
    } else if ((fd = openat(dfd, base, flags | O_NOFOLLOW | (shared ? O_EXCL : 0), 0600)) < 0) {
        e = errno;
    }
    close(dfd);
    if (foreign)
        return iotrap__err(err, errlen, IOTRAP_E_PERM,
                           "refusing to open %s \"%s\" as root: it belongs to uid %u, in a "
                           "directory anyone may write", what, path, (unsigned)st.st_uid);
    if (link || e == ELOOP)
        return iotrap__err(err, errlen, IOTRAP_E_PERM,
                           "refusing to open %s \"%s\" as root: a symbolic link, which root "
                           "does not follow", what, path);
    if (irregular || (fd >= 0 && (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)))) {
        if (fd >= 0)
            close(fd);
        return iotrap__err(err, errlen, IOTRAP_E_PERM,
                           "refusing to open %s \"%s\" as root: not a regular file", what, path);
    }
    if (fd < 0)
        return iotrap__err(err, errlen, IOTRAP_E_INVAL, "cannot open %s \"%s\": %s", what,
                           path, strerror(e));
    return fd;
}

int iotrap__userfile_open(const char *what, const char *path, int flags, char *err,
                          size_t errlen)
{
    flags |= O_CLOEXEC | O_NOCTTY;
    if (geteuid() == 0)
        return open_as_root(what, path, flags, err, errlen);
    int fd = open(path, flags, 0600);
    if (fd < 0)
        return iotrap__err(err, errlen, IOTRAP_E_INVAL, "cannot open %s \"%s\": %s", what, path,
                           strerror(errno));
    return fd;
}
