/* What the installed Wine can run: its version, its build (classic or new WoW64) and the
 * bitnesses of Windows programs it runs.  For `iotrap doctor` and `iotrap wine`. */
#ifndef IOTRAP_TOOLS_CMD_WINE_INFO_H
#define IOTRAP_TOOLS_CMD_WINE_INFO_H

#include <limits.h>

enum iotrap__wine_build {
    IOTRAP__WINE_64_ONLY,   /* no way to run 32-bit programs */
    IOTRAP__WINE_CLASSIC,   /* 32-bit programs run in a 32-bit Unix process */
    IOTRAP__WINE_NEW_WOW64, /* 32-bit programs run inside the 64-bit Unix process */
    IOTRAP__WINE_32_ONLY    /* a 32-bit Wine alone */
};

typedef struct iotrap__wine_info {
    char version[128];          /* what `wine --version` printed, e.g. "wine-10.0 (...)" */
    char ntdll64[PATH_MAX];     /* the 64-bit Unix side it loads, or "" */
    char ntdll32[PATH_MAX];     /* the 32-bit Unix side it loads, or "" */
    char wow64_pe[PATH_MAX + 32]; /* new WoW64: the 32-bit ntdll.dll beside the 64-bit
                                 * Unix side, or "" */
    enum iotrap__wine_build build;
    int runs64, runs32;
} iotrap__wine_info;

/* Asks the Wine launcher `wine` (a path) which Unix sides its loaders load, by running
 * `wine --version` and the 64-bit loader beside a 32-bit one with the dynamic loader's
 * LD_DEBUG=files, which names every library mapped.  Returns 0, or -1 with a message in
 * `err` when Wine does not start. */
int iotrap__wine_info_probe(const char *wine, iotrap__wine_info *info, char *err, size_t errlen);

/* "classic", "new WoW64", ... */
const char *iotrap__wine_build_name(enum iotrap__wine_build build);

/* `iotrap doctor`'s lines about Wine, printed with doctor's own line printer. */
typedef void (*iotrap__doctor_line_fn)(const char *item, int ok, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void iotrap__wine_doctor(iotrap__doctor_line_fn line);

#endif
