/* Finding the program `iotrap run` starts and telling whether the preload library can
 * reach it at all. */
#ifndef IOTRAP_TOOLS_PROGRAM_CHECK_H
#define IOTRAP_TOOLS_PROGRAM_CHECK_H

#include <limits.h>
#include <stddef.h>

/* Looks `name` up as execvp() would: a name containing '/' is used as it is, any other
 * is searched in $PATH.  Returns 0 with the path in `path`, or the errno to report:
 * ENOENT (not found: exit 127) or EACCES (found but not executable: exit 126). */
int iotrap__find_program(const char *name, char *path, size_t pathlen);

typedef struct iotrap__program_info {
    int elf_class;          /* 1: ELF32, 2: ELF64, 0: not an ELF file */
    int elf_machine;        /* e_machine */
    int dynamic;            /* 1 if it has a PT_INTERP: the dynamic loader runs, and
                             * with it LD_PRELOAD */
    int secure;             /* 1 if the loader runs it in secure mode and ignores
                             * LD_PRELOAD (set-user-ID, set-group-ID, file capabilities) */
    char secure_why[96];    /* what makes it secure */
    char script_interp[PATH_MAX]; /* for a "#!" script: its interpreter, which the
                                   * fields above describe instead; else "" */
} iotrap__program_info;

/* Reads the file's headers.  Returns 0, or an errno value if it cannot be read. */
int iotrap__inspect_program(const char *path, iotrap__program_info *info);

/* The ELF class whose preload library LD_PRELOAD names for the program that
 * iotrap__inspect_program() returned `rc` and `info` for: its own when it is dynamically
 * linked, else 0 (the "$LIB" form, tools/preload_env.h). */
static inline int iotrap__preload_class(int rc, const iotrap__program_info *info)
{
    return rc == 0 && info->dynamic ? info->elf_class : 0;
}

#endif
