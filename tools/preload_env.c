/* Where the preload library lives and how LD_PRELOAD names it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tools/preload_env.h"

#ifndef IOTRAP_PKGLIBDIR
#error "IOTRAP_PKGLIBDIR must be defined by the build"
#endif

const char *iotrap__preload_dir(void)
{
    const char *d = getenv("IOTRAP_PRELOAD_DIR");
    return d && *d ? d : IOTRAP_PKGLIBDIR "/preload";
}

char *iotrap__preload_env(const char *dir, const char *existing, int elf_class, char *err,
                          size_t errlen)
{
    if (strpbrk(dir, " \t\n:")) {
        snprintf(err, errlen, "the preload directory '%s' contains a space or ':', which "
                 "LD_PRELOAD cannot carry: install iotrap elsewhere or set IOTRAP_PRELOAD_DIR",
                 dir);
        return NULL;
    }
    size_t dlen = strlen(dir);
    while (dlen > 1 && dir[dlen - 1] == '/')
        dlen--;
    const char *arch = iotrap__preload_arch(elf_class);
    char *ours;
    if (asprintf(&ours, "%.*s/%s/" IOTRAP__PRELOAD_FILE, (int)dlen, dir, arch ? arch : "$LIB") < 0)
        goto nomem;
    /* A build without the class's library: "$LIB", which the loader reports as missing
     * for that program alone, and its children of the other class still find theirs. */
    if (arch && access(ours, R_OK) != 0) {
        free(ours);
        if (asprintf(&ours, "%.*s/$LIB/" IOTRAP__PRELOAD_FILE, (int)dlen, dir) < 0)
            goto nomem;
    }

    size_t cap = strlen(ours) + (existing ? strlen(existing) : 0) + 2;
    char *r = malloc(cap);
    char *copy = existing ? strdup(existing) : NULL;
    if (!r || (existing && !copy)) {
        free(r);
        free(copy);
        free(ours);
        goto nomem;
    }
    strcpy(r, ours);
    /* Entries are separated by spaces or colons; the library's own entries are dropped
     * from the old list, so that a nested `iotrap run` does not load it twice. */
    if (copy) {
        char *save = NULL;
        for (char *t = strtok_r(copy, " \t\n:", &save); t; t = strtok_r(NULL, " \t\n:", &save)) {
            if (iotrap__preload_named(t, strlen(t)))
                continue;
            strcat(r, ":");
            strcat(r, t);
        }
    }
    free(copy);
    free(ours);
    return r;

nomem:
    snprintf(err, errlen, "out of memory");
    return NULL;
}
