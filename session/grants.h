/* Raw port access of Windows processes under Wine, per process: the channel from the
 * builtin drivers to the trap engine.
 *
 * On Windows a driver such as giveio.sys, PortTalk or ioperm.sys changes the I/O
 * permission map of a process, after which that process's own IN/OUT instructions run.
 * Under Wine the drivers run in winedevice.exe, not in the application, so the iotrap
 * drivers write the map into a file shared by every process of one `iotrap wine` run
 * (named by IOTRAP_WINE_GRANTS), keyed by Windows process id, and the trap engine of the
 * application process reads it before emulating a raw instruction.
 *
 * A process without an entry may use every port the policy allows (the Windows 9x
 * behaviour many such programs expect); an entry narrows that to the ports whose bit in
 * the map is clear, exactly as the processor reads a TSS I/O permission map.
 *
 * The drivers' Unix side (wine-dll/) writes the file with the calls below; the trap
 * engine (shim/grants.c) reads it.  Neither includes the other: the file is core state.
 *
 * File layout (session/grants_file.h): a header, then IOTRAP__GRANT_SLOTS slots.  Writers (the drivers' Unix
 * side) serialise on flock() and publish a slot under a sequence counter; readers (the
 * SIGSEGV handler) never lock: they retry while the counter is odd or changes.
 */
#ifndef IOTRAP_SESSION_GRANTS_H
#define IOTRAP_SESSION_GRANTS_H

#include <stddef.h>
#include <stdint.h>

#define IOTRAP__GRANT_MAP_BYTES 8192
#define IOTRAP__GRANT_SLOTS 128
#define IOTRAP__GRANT_ENV "IOTRAP_WINE_GRANTS"

/* Creates an empty grant file (mode 0600).  Returns 0 or a negative IOTRAP_E_* code. */
int iotrap__wine_grants_create(const char *path);

/* Sets the map of Windows process `pid` in the file named by IOTRAP_WINE_GRANTS: `map`
 * (IOTRAP__GRANT_MAP_BYTES, bit set = denied), or all clear / all set when map is NULL
 * and `deny_all` is 0 / 1.  Returns 0 or a negative IOTRAP_E_* code (IOTRAP_E_NODEV
 * without the variable, IOTRAP_E_BUSY when every slot is taken). */
int iotrap__wine_grants_set(uint32_t pid, const uint8_t *map, int deny_all);

#endif
