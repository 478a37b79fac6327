/* The Unix side's table for 32-bit PE modules in a 64-bit process (new WoW64: Wine runs
 * 32-bit Windows code inside the 64-bit Unix process and serves a 32-bit module's calls
 * from __wine_unix_call_wow64_funcs of the 64-bit Unix library).  Each thunk reads the
 * 32-bit layout of its params structure (wine-dll/unixlib.h, as the i686 PE side lays it
 * out: 4-byte pointers), calls the native entry and writes the results back, as Wine's
 * own libraries do (dlls/winebus.sys/unixlib.c, dlls/bcrypt/gnutls.c).  32-bit pointers
 * are zero-extended: the module and its buffers live below 4 GiB. */
#include <stdint.h>

#include "wine-dll/unix_private.h"

typedef uint32_t PTR32;

static void *ptr64(PTR32 p)
{
    return (void *)(uintptr_t)p;
}

/* The 32-bit layouts: IN and OUT share one, and so do the two string calls. */
struct io32 {
    PTR32 pc;
    uint16_t port;
    uint8_t width;
    uint32_t value;
    int32_t status;
};

struct string32 {
    PTR32 pc;
    PTR32 buf;
    uint32_t count;
    uint16_t port;
    uint8_t width;
    int32_t status;
};

static iotrap_ntstatus wow64_in(void *args)
{
    struct io32 *p32 = args;
    struct iotrap_wine_in_params p = { ptr64(p32->pc), p32->port, p32->width, 0, 0 };
    iotrap_ntstatus st = iotrap_wine_in(&p);
    p32->value = p.value;
    p32->status = p.status;
    return st;
}

static iotrap_ntstatus wow64_out(void *args)
{
    struct io32 *p32 = args;
    struct iotrap_wine_out_params p = { ptr64(p32->pc), p32->port, p32->width, p32->value, 0 };
    iotrap_ntstatus st = iotrap_wine_out(&p);
    p32->status = p.status;
    return st;
}

static iotrap_ntstatus wow64_in_string(void *args)
{
    struct string32 *p32 = args;
    struct iotrap_wine_in_string_params p = {
        ptr64(p32->pc), ptr64(p32->buf), p32->count, p32->port, p32->width, 0
    };
    iotrap_ntstatus st = iotrap_wine_in_string(&p);
    p32->status = p.status;
    return st;
}

static iotrap_ntstatus wow64_out_string(void *args)
{
    struct string32 *p32 = args;
    struct iotrap_wine_out_string_params p = {
        ptr64(p32->pc), ptr64(p32->buf), p32->count, p32->port, p32->width, 0
    };
    iotrap_ntstatus st = iotrap_wine_out_string(&p);
    p32->status = p.status;
    return st;
}

static iotrap_ntstatus wow64_grant(void *args)
{
    struct {
        PTR32 map;
        uint32_t pid;
        uint32_t op;
        int32_t status;
    } *p32 = args;
    struct iotrap_wine_grant_params p = { ptr64(p32->map), p32->pid, p32->op, 0 };
    iotrap_ntstatus st = iotrap_wine_grant(&p);
    p32->status = p.status;
    return st;
}

/* The open call's structure holds no pointer: one layout for both bitnesses. */
__attribute__((visibility("default")))
const unixlib_entry_t __wine_unix_call_wow64_funcs[IOTRAP_WINE_NCALLS] = {
    [IOTRAP_WINE_OPEN] = iotrap_wine_open,
    [IOTRAP_WINE_IN] = wow64_in,
    [IOTRAP_WINE_OUT] = wow64_out,
    [IOTRAP_WINE_IN_STRING] = wow64_in_string,
    [IOTRAP_WINE_OUT_STRING] = wow64_out_string,
    [IOTRAP_WINE_GRANT] = wow64_grant,
};
