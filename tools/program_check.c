/* Finding the program `iotrap run` starts and telling whether the preload library can
 * reach it at all. */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "tools/program_check.h"

static int executable_file(const char *path)
{
    struct stat st;
    if (stat(path, &st) < 0)
        return errno == ENOTDIR ? ENOENT : errno;
    if (!S_ISREG(st.st_mode) || access(path, X_OK) < 0)
        return EACCES;
    return 0;
}

int iotrap__find_program(const char *name, char *path, size_t pathlen)
{
    if (strchr(name, '/')) {
        if ((size_t)snprintf(path, pathlen, "%s", name) >= pathlen)
            return ENAMETOOLONG;
        return executable_file(path);
    }
    const char *p = getenv("PATH");
    if (!p)
        p = "/bin:/usr/bin"; /* what execvp() uses when PATH is unset */
    int seen_eacces = 0;
    for (;;) {
        const char *end = strchr(p, ':');
        size_t dlen = end ? (size_t)(end - p) : strlen(p);
        /* An empty entry means the current directory. */
        int n = dlen ? snprintf(path, pathlen, "%.*s/%s", (int)dlen, p, name)
                     : snprintf(path, pathlen, "%s", name);
        if (n >= 0 && (size_t)n < pathlen) {
            int e = executable_file(path);
            if (e == 0)
                return 0;
            if (e == EACCES)
                seen_eacces = 1;
        }
        if (!end)
            break;
        p = end + 1;
    }
    return seen_eacces ? EACCES : ENOENT;
}

/* True if the loader will treat an exec of `path` as secure: it then ignores LD_PRELOAD
 * entries with a slash.  Set-ID bits and capabilities count only where the mount honours
 * them, and a set-ID file owned by the caller itself changes nothing. */
static int secure_exec(const char *path, const struct stat *st, char *why, size_t whylen)
{
    struct statvfs vfs;
    if (statvfs(path, &vfs) == 0 && (vfs.f_flag & ST_NOSUID))
        return 0;
    if ((st->st_mode & S_ISUID) && st->st_uid != getuid()) {
        snprintf(why, whylen, "it is set-user-ID (owner uid %u)", (unsigned)st->st_uid);
        return 1;
    }
    if ((st->st_mode & S_ISGID) && (st->st_mode & S_IXGRP) && st->st_gid != getgid()) {
        snprintf(why, whylen, "it is set-group-ID (group gid %u)", (unsigned)st->st_gid);
        return 1;
    }
    if (getxattr(path, "security.capability", NULL, 0) > 0) {
        snprintf(why, whylen, "it has file capabilities (security.capability)");
        return 1;
    }
    return 0;
}

static int inspect_elf(int fd, iotrap__program_info *info)
{
    unsigned char ident[EI_NIDENT];
    if (pread(fd, ident, sizeof(ident), 0) != (ssize_t)sizeof(ident) ||
        memcmp(ident, ELFMAG, SELFMAG) != 0)
        return 0;
    if (ident[EI_CLASS] == ELFCLASS64) {
        Elf64_Ehdr eh;
        if (pread(fd, &eh, sizeof(eh), 0) != (ssize_t)sizeof(eh))
            return 0;
        info->elf_class = 2;
        info->elf_machine = eh.e_machine;
        for (unsigned i = 0; i < eh.e_phnum && eh.e_phentsize >= sizeof(Elf64_Phdr); i++) {
            Elf64_Phdr ph;
            if (pread(fd, &ph, sizeof(ph), (off_t)(eh.e_phoff + (Elf64_Off)i * eh.e_phentsize)) !=
                (ssize_t)sizeof(ph))
                break;
            if (ph.p_type == PT_INTERP)
                info->dynamic = 1;
        }
    } else if (ident[EI_CLASS] == ELFCLASS32) {
        Elf32_Ehdr eh;
        if (pread(fd, &eh, sizeof(eh), 0) != (ssize_t)sizeof(eh))
            return 0;
        info->elf_class = 1;
        info->elf_machine = eh.e_machine;
        for (unsigned i = 0; i < eh.e_phnum && eh.e_phentsize >= sizeof(Elf32_Phdr); i++) {
            Elf32_Phdr ph;
            if (pread(fd, &ph, sizeof(ph), (off_t)(eh.e_phoff + (Elf32_Off)i * eh.e_phentsize)) !=
                (ssize_t)sizeof(ph))
                break;
            if (ph.p_type == PT_INTERP)
                info->dynamic = 1;
        }
    }
    return 0;
}

/* The interpreter of a "#!" script, or "" if the file is not one. */
static void script_interpreter(int fd, char *out, size_t outlen)
{
    char line[PATH_MAX + 3];
    ssize_t n = pread(fd, line, sizeof(line) - 1, 0);
    out[0] = '\0';
    if (n < 3 || line[0] != '#' || line[1] != '!')
        return;
    line[n] = '\0';
    char *s = line + 2;
    s += strspn(s, " \t");
    size_t len = strcspn(s, " \t\n");
    if (len && len < outlen) {
        memcpy(out, s, len);
        out[len] = '\0';
    }
}

static int inspect_file(const char *path, iotrap__program_info *info, int follow_script)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return errno;
    struct stat st;
    if (fstat(fd, &st) < 0) {
        int e = errno;
        close(fd);
        return e;
    }
    char interp[PATH_MAX];
    script_interpreter(fd, interp, sizeof(interp));
    if (interp[0] && follow_script) {
        close(fd);
        /* The kernel ignores set-ID bits on scripts; what matters is the interpreter. */
        int e = inspect_file(interp, info, 0);
        snprintf(info->script_interp, sizeof(info->script_interp), "%s", interp);
        return e;
    }
    inspect_elf(fd, info);
    info->secure = secure_exec(path, &st, info->secure_why, sizeof(info->secure_why));
    close(fd);
    return 0;
}

int iotrap__inspect_program(const char *path, iotrap__program_info *info)
{
    memset(info, 0, sizeof(*info));
    return inspect_file(path, info, 1);
}
