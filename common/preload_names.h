/* How the preload library's files are named: by the launcher that puts the library in
 * LD_PRELOAD (tools/preload_env.c) and by the library that hands it on to the programs a
 * process executes (shim/start_env.c). */
#ifndef IOTRAP_COMMON_PRELOAD_NAMES_H
#define IOTRAP_COMMON_PRELOAD_NAMES_H

#include <stdbool.h>
#include <stddef.h>

#define IOTRAP__PRELOAD_FILE "libiotrap-preload.so"

/* Whether the len bytes at entry, one entry of LD_PRELOAD, name the preload library, in
 * any directory or form.  Byte loops: the preload library calls it at start, before it
 * needs any string function of the C library (shim/start_env.c). */
static inline bool iotrap__preload_named(const char *entry, size_t len)
{
    static const char file[] = IOTRAP__PRELOAD_FILE;
    size_t name = len;
    while (name > 0 && entry[name - 1] != '/')
        name--;
    if (len - name != sizeof file - 1)
        return false;
    for (size_t i = 0; i < sizeof file - 1; i++)
        if (entry[name + i] != file[i])
            return false;
    return true;
}

/* The directory under the preload directory that holds the library for an ELF class (1:
 * 32-bit, 2: 64-bit); NULL for anything else.  Beside them are the links the loader's
 * "$LIB" expands to. */
static inline const char *iotrap__preload_arch(int elf_class)
{
    return elf_class == 1 ? "i386" : elf_class == 2 ? "x86_64" : 0;
}

#endif
