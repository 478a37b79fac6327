/* How the preload library's files are named: by the launcher that puts the library in
 * LD_PRELOAD (tools/preload_env.c) and by the library that hands it on to the programs a
 * process executes (shim/start_env.c). */
#ifndef IOTRAP_COMMON_PRELOAD_NAMES_H
#define IOTRAP_COMMON_PRELOAD_NAMES_H

#define IOTRAP__PRELOAD_FILE "libiotrap-preload.so"

/* The directory under the preload directory that holds the library for an ELF class (1:
 * 32-bit, 2: 64-bit); NULL for anything else.  Beside them are the links the loader's
 * "$LIB" expands to. */
static inline const char *iotrap__preload_arch(int elf_class)
{
    return elf_class == 1 ? "i386" : elf_class == 2 ? "x86_64" : 0;
}

#endif
