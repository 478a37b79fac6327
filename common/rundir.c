/* The private directory of a run's files, see rundir.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <iotrap/status.h>
#include "common/parse.h"
#include "common/rundir.h"

/* Where the directories of random name go when no shared one can be used. */
static const char *const fallback_parents[] = {"/dev/shm", "/tmp"};

/* The inode of this process's pid namespace, 0 when /proc cannot say. */
static unsigned long long pid_namespace(void)
{
    struct stat st;
    return stat("/proc/self/ns/pid", &st) == 0 ? (unsigned long long)st.st_ino : 0;
}

/* Whether `name` ("KIND-PID-NS-XXXXXX") was made by a process of pid namespace `ns` that
 * no longer exists.  A process of another user answers EPERM: alive. */
static bool made_by_the_dead(const char *name, unsigned long long ns)
{
    const char *p = strchr(name, '-');
    if (!p || ns == 0)
        return false;
    char *end;
    errno = 0;
    unsigned long pid = strtoul(p + 1, &end, 10);
    if (end == p + 1 || *end != '-' || errno || pid == 0 || pid > INT_MAX)
        return false;
    p = end + 1;
    unsigned long long file_ns = strtoull(p, &end, 10);
    if (end == p || *end != '-' || errno || file_ns != ns)
        return false;
    return kill((pid_t)pid, 0) != 0 && errno == ESRCH;
}

/* Removes the files of dead makers from the directory open as `dfd` (which it closes);
 * returns how many it removed. */
static int remove_stale(int dfd, unsigned long long ns)
{
    DIR *d = fdopendir(dfd);
    if (!d) {
        close(dfd);
        return 0;
    }
    int removed = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        struct stat st;
        if (!made_by_the_dead(e->d_name, ns) ||
            fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode))
            continue;
        if (unlinkat(dirfd(d), e->d_name, 0) == 0)
            removed++;
    }
    closedir(d);
    return removed;
}

/* The directories of random name of this user under `parent` that dead makers left: their
 * stale files go, and then the directory if that emptied it.  A directory holding no
 * stale file is left alone even when empty, since its maker may be about to fill it. */
static void remove_stale_fallbacks(const char *parent, uid_t uid, unsigned long long ns)
{
    char prefix[32];
    int plen = snprintf(prefix, sizeof prefix, "iotrap-%u.", (unsigned)uid);
    DIR *d = opendir(parent);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        struct stat st;
        if (strncmp(e->d_name, prefix, (size_t)plen) != 0 ||
            fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
            !S_ISDIR(st.st_mode) || st.st_uid != uid || (st.st_mode & 077))
            continue;
        int sub = openat(dirfd(d), e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (sub >= 0 && remove_stale(sub, ns) > 0)
            unlinkat(dirfd(d), e->d_name, AT_REMOVEDIR);
    }
    closedir(d);
}

/* A shared private directory: made 0700 if missing, used only if it is a real directory
 * of this user that nobody else can enter.  Returns NULL or why not. */
static const char *usable(const char *dir, uid_t uid)
{
    struct stat st;
    if (mkdir(dir, 0700) != 0 && errno != EEXIST)
        return strerror(errno);
    if (lstat(dir, &st) != 0)
        return strerror(errno);
    if (!S_ISDIR(st.st_mode) || st.st_uid != uid || (st.st_mode & 077))
        return "it exists but is not a private directory of this user";
    return NULL;
}

/* Chooses the directory into dir; *own says whether it was made for this one file. */
static int choose_dir(char *dir, size_t len, bool *own, char *err, size_t errlen)
{
    uid_t uid = geteuid();
    const char *xdg = getenv("XDG_RUNTIME_DIR");
    char shared[3][PATH_MAX];
    int n = 0;
    if (xdg && xdg[0] == '/' && strlen(xdg) + sizeof "/iotrap" <= sizeof shared[0])
        snprintf(shared[n++], sizeof shared[0], "%s/iotrap", xdg);
    for (size_t i = 0; i < sizeof fallback_parents / sizeof fallback_parents[0]; i++)
        snprintf(shared[n++], sizeof shared[0], "%s/iotrap-%u", fallback_parents[i],
                 (unsigned)uid);
    *own = false;
    for (int i = 0; i < n; i++) {
        if (usable(shared[i], uid))
            continue;
        if (strlen(shared[i]) >= len)
            return iotrap__err(err, errlen, IOTRAP_E_RANGE, "run file path buffer too small");
        strcpy(dir, shared[i]);
        return IOTRAP_OK;
    }
    const char *why = "";
    for (size_t i = 0; i < sizeof fallback_parents / sizeof fallback_parents[0]; i++) {
        if ((size_t)snprintf(dir, len, "%s/iotrap-%u.XXXXXX", fallback_parents[i],
                             (unsigned)uid) >= len)
            return iotrap__err(err, errlen, IOTRAP_E_RANGE, "run file path buffer too small");
        if (mkdtemp(dir)) {
            *own = true;
            return IOTRAP_OK;
        }
        why = strerror(errno);
    }
    return iotrap__err(err, errlen, IOTRAP_E_SYSTEM,
                       "no private directory for the run's files: none of $XDG_RUNTIME_DIR/"
                       "iotrap, /dev/shm/iotrap-%u, /tmp/iotrap-%u is usable, and no new one "
                       "could be made in /dev/shm or /tmp (%s)",
                       (unsigned)uid, (unsigned)uid, why);
}

int iotrap__rundir_create(const char *kind, char *path, size_t pathlen, char *err,
                          size_t errlen)
{
    char dir[PATH_MAX];
    bool own;
    int rc = choose_dir(dir, sizeof dir, &own, err, errlen);
    if (rc != IOTRAP_OK)
        return rc;
    unsigned long long ns = pid_namespace();
    if (own) {
        for (size_t i = 0; i < sizeof fallback_parents / sizeof fallback_parents[0]; i++)
            remove_stale_fallbacks(fallback_parents[i], geteuid(), ns);
    } else {
        int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (dfd >= 0)
            remove_stale(dfd, ns);
    }
    if ((size_t)snprintf(path, pathlen, "%s/%s-%ld-%llu-XXXXXX", dir, kind, (long)getpid(),
                         ns) >= pathlen) {
        if (own)
            rmdir(dir);
        return iotrap__err(err, errlen, IOTRAP_E_RANGE, "run file path buffer too small");
    }
    int fd = mkostemp(path, O_CLOEXEC);
    if (fd < 0) {
        rc = iotrap__err(err, errlen, IOTRAP_E_SYSTEM, "cannot create a file in %s: %s", dir,
                         strerror(errno));
        if (own)
            rmdir(dir);
        return rc;
    }
    return fd;
}

void iotrap__rundir_remove(const char *path)
{
    if (!path || !*path || unlink(path) != 0)
        return;
    /* Its directory, if that was made for it: "PARENT/iotrap-UID.XXXXXX/FILE". */
    char dir[PATH_MAX];
    const char *slash = strrchr(path, '/');
    if (!slash || (size_t)(slash - path) >= sizeof dir)
        return;
    memcpy(dir, path, (size_t)(slash - path));
    dir[slash - path] = '\0';
    char prefix[32];
    snprintf(prefix, sizeof prefix, "iotrap-%u.", (unsigned)geteuid());
    const char *base = strrchr(dir, '/');
    if (base && strncmp(base + 1, prefix, strlen(prefix)) == 0)
        rmdir(dir);
}
