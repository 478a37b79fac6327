/* Where the preload library lives and how LD_PRELOAD names it. */
#ifndef IOTRAP_TOOLS_PRELOAD_ENV_H
#define IOTRAP_TOOLS_PRELOAD_ENV_H

#include <stddef.h>

#include "common/preload_names.h"

/* The directory holding <arch>/libiotrap-preload.so and the $LIB links:
 * $IOTRAP_PRELOAD_DIR when set and not empty, else the installed one. */
const char *iotrap__preload_dir(void);

/* The new LD_PRELOAD value: the preload library for a dynamically linked program of ELF
 * class `elf_class`, "<dir>/x86_64/libiotrap-preload.so" or "<dir>/i386/...", followed
 * by the entries of `existing` (may be NULL) other than the library's own, separated by
 * ':'.  For any other program (0: unknown, static) or a class whose library is not there,
 * the entry is "<dir>/$LIB/libiotrap-preload.so", whose literal "$LIB" the dynamic loader
 * of each process expands, so that one value serves 32- and 64-bit programs alike; it
 * costs every process the loader's look at /proc/self/exe, which the named directory
 * does not (docs/performance.md).  The program needs IOTRAP_PRELOAD_DIR=dir as well, for
 * the library to hand on the "$LIB" form.  The preload library hands its children
 * the entry for their own class in turn (shim/exec.c).  Returns a malloc'ed string, or
 * NULL with a message in err: the loader splits LD_PRELOAD at spaces and colons, so a
 * directory containing one cannot be named. */
char *iotrap__preload_env(const char *dir, const char *existing, int elf_class, char *err,
                          size_t errlen);

#endif
