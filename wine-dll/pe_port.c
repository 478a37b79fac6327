/* The PE side's access to the Unix side: see pe_port.h. */
#include <stdarg.h>
#include <string.h>

#include "ntstatus.h"
#define WIN32_NO_STATUS
#include "windef.h"
#include "winbase.h"
#include "winternl.h"

#include "wine-dll/pe_port.h"
#include "wine-dll/unixlib.h"

/* From Wine's libwinecrt0.a and ntdll (declared in wine/unixlib.h, not shipped). */
typedef UINT64 unixlib_handle_t;
extern unixlib_handle_t __wine_unixlib_handle;
extern NTSTATUS (WINAPI *__wine_unix_call_dispatcher)(unixlib_handle_t, unsigned int, void *);
extern NTSTATUS WINAPI __wine_init_unix_call(void);

static int bound;   /* the Unix side is loaded */
static int ready;   /* and its session is open */

static void unix_call(enum iotrap_wine_call code, void *params)
{
    __wine_unix_call_dispatcher(__wine_unixlib_handle, code, params);
}

int iotrap_pe_init(void)
{
    if (bound)
        return ready;
    if (__wine_init_unix_call())
        return 0;
    bound = 1;
    struct iotrap_wine_open_params p;
    memset(&p, 0, sizeof(p));
    unix_call(IOTRAP_WINE_OPEN, &p);
    ready = p.status == 0;
    return ready;
}

int iotrap_pe_ready(void)
{
    return ready;
}

/* -8 is IOTRAP_E_IO: without a Unix side nothing reaches a port. */
#define NOT_BOUND (-8)

uint32_t iotrap_pe_in(uint16_t port, unsigned width, const void *pc, int *status)
{
    struct iotrap_wine_in_params p = { pc, port, (uint8_t)width, 0, NOT_BOUND };
    if (bound)
        unix_call(IOTRAP_WINE_IN, &p);
    if (status)
        *status = p.status;
    if (p.status != 0)
        return width >= 4 ? 0xffffffffu : (1u << (8 * width)) - 1;
    return p.value;
}

int iotrap_pe_out(uint16_t port, unsigned width, uint32_t value, const void *pc)
{
    struct iotrap_wine_out_params p = { pc, port, (uint8_t)width, value, NOT_BOUND };
    if (bound)
        unix_call(IOTRAP_WINE_OUT, &p);
    return p.status;
}

int iotrap_pe_in_string(uint16_t port, unsigned width, void *buf, uint32_t count, const void *pc)
{
    struct iotrap_wine_in_string_params p = { pc, buf, count, port, (uint8_t)width, NOT_BOUND };
    if (bound)
        unix_call(IOTRAP_WINE_IN_STRING, &p);
    /* A refused read leaves what an undriven bus reads, not stale memory. */
    if (p.status != 0)
        memset(buf, 0xff, (size_t)count * width);
    return p.status;
}

int iotrap_pe_out_string(uint16_t port, unsigned width, const void *buf, uint32_t count,
                         const void *pc)
{
    struct iotrap_wine_out_string_params p = { pc, buf, count, port, (uint8_t)width, NOT_BOUND };
    if (bound)
        unix_call(IOTRAP_WINE_OUT_STRING, &p);
    return p.status;
}

int iotrap_pe_grant(uint32_t pid, unsigned op, const uint8_t *map)
{
    struct iotrap_wine_grant_params p = { map, pid, op, NOT_BOUND };
    if (bound)
        unix_call(IOTRAP_WINE_GRANT, &p);
    return p.status;
}
