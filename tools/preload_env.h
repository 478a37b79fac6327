/* Where the preload library lives and how LD_PRELOAD names it. */
#ifndef IOTRAP_TOOLS_PRELOAD_ENV_H
#define IOTRAP_TOOLS_PRELOAD_ENV_H

#include <stddef.h>

/* The directory holding <arch>/libiotrap-preload.so and the $LIB links:
 * $IOTRAP_PRELOAD_DIR when set and not empty, else the installed one. */
const char *iotrap__preload_dir(void);

/* The directory name of the preload library for an ELF class (1: 32-bit, 2: 64-bit):
 * "i386" or "x86_64"; NULL for anything else. */
const char *iotrap__preload_arch(int elf_class);

/* The new LD_PRELOAD value: "<dir>/$LIB/libiotrap-preload.so", followed by the entries of
 * `existing` (may be NULL) other than that one, separated by ':'.  The literal "$LIB" is
 * expanded by the dynamic loader of each process, so one value serves 32- and 64-bit
 * programs alike.  Returns a malloc'ed string, or NULL with a message in err: the loader
 * splits LD_PRELOAD at spaces and colons, so a directory containing one cannot be named. */
char *iotrap__preload_env(const char *dir, const char *existing, char *err, size_t errlen);

#endif
