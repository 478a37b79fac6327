/* The Unix side's calls (wine-dll/unix_side.c), one per entry of
 * __wine_unix_call_funcs, for the WoW64 thunks (wine-dll/unix_wow64.c) to forward to. */
#ifndef IOTRAP_WINE_UNIX_PRIVATE_H
#define IOTRAP_WINE_UNIX_PRIVATE_H

#include <stdint.h>
#include "wine-dll/unixlib.h"

typedef int32_t iotrap_ntstatus;
typedef iotrap_ntstatus (*unixlib_entry_t)(void *args);

iotrap_ntstatus iotrap_wine_open(void *args);
iotrap_ntstatus iotrap_wine_in(void *args);
iotrap_ntstatus iotrap_wine_out(void *args);
iotrap_ntstatus iotrap_wine_in_string(void *args);
iotrap_ntstatus iotrap_wine_out_string(void *args);
iotrap_ntstatus iotrap_wine_grant(void *args);

#endif
