/* Runs a command as another user inside the guest, with no capabilities left:
 *   vm-runas [--ioperm FIRST-LAST[,...]] UID GID[,SUPPLEMENTARY...] COMMAND [ARGS...]
 * (busybox has no su that works without a login database).  With --ioperm it is the
 * "privileged launcher" of the direct backend: it grants those ports with ioperm while
 * still root (the I/O bitmap survives setuid and execve), names them in
 * IOTRAP_IOPERM_GRANTED, then drops to the user.
 */
#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/io.h>
#include <unistd.h>
#include "vm_safe.h"

static int grant(const char *list)
{
    char *copy = strdup(list), *save = NULL;
    for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        char *dash = strchr(t, '-');
        unsigned first = (unsigned)strtoul(t, NULL, 0);
        unsigned last = dash ? (unsigned)strtoul(dash + 1, NULL, 0) : first;
        if (last < first)
            return -1;
        vm_require_safe(first, last - first + 1);
        if (ioperm(first, last - first + 1, 1) != 0) {
            fprintf(stderr, "vm-runas: ioperm: %s\n", strerror(errno));
            return -1;
        }
    }
    free(copy);
    return setenv("IOTRAP_IOPERM_GRANTED", list, 1);
}

int main(int argc, char **argv)
{
    int a = 1;
    if (a + 1 < argc && strcmp(argv[a], "--ioperm") == 0) {
        if (grant(argv[a + 1]) != 0)
            return 2;
        a += 2;
    }
    if (argc - a < 3) {
        fprintf(stderr, "usage: vm-runas [--ioperm RANGES] UID GID[,GID...] COMMAND [ARGS...]\n");
        return 2;
    }
    uid_t uid = (uid_t)strtoul(argv[a], NULL, 10);
    gid_t groups[16];
    int n = 0;
    char *save = NULL;
    for (char *t = strtok_r(argv[a + 1], ",", &save); t && n < 16; t = strtok_r(NULL, ",", &save))
        groups[n++] = (gid_t)strtoul(t, NULL, 10);
    if (n == 0) {
        fprintf(stderr, "vm-runas: no group\n");
        return 2;
    }
    if (setgroups((size_t)n, groups) != 0 || setgid(groups[0]) != 0 || setuid(uid) != 0) {
        fprintf(stderr, "vm-runas: %s\n", strerror(errno));
        return 2;
    }
    execvp(argv[a + 2], argv + a + 2);
    fprintf(stderr, "vm-runas: %s: %s\n", argv[a + 2], strerror(errno));
    return 127;
}
