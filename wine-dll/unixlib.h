/* The calls from the PE side of the iotrap builtins (DLLs and drivers, Windows code) to
 * their Unix side (wine-dll/unix_side.c, an ELF library linked with the iotrap core).
 *
 * Wine's own builtins get this plumbing from wine/unixlib.h, which Debian does not ship,
 * so the few declarations used are spelled here.  The PE side calls
 * __wine_init_unix_call() once, then __wine_unix_call_dispatcher(handle, code, params);
 * the Unix side exports __wine_unix_call_funcs[], indexed by code.  Both sides of one
 * process always have the same bitness under Wine 8, but every field has a fixed size
 * anyway so that the layout cannot depend on the compiler (LLP64 on the PE side, LP64 on
 * the Unix side).
 */
#ifndef IOTRAP_WINE_UNIXLIB_H
#define IOTRAP_WINE_UNIXLIB_H

#include <stdint.h>

enum iotrap_wine_call {
    IOTRAP_WINE_OPEN,       /* struct iotrap_wine_open_params */
    IOTRAP_WINE_IN,         /* struct iotrap_wine_io_params */
    IOTRAP_WINE_OUT,        /* struct iotrap_wine_io_params */
    IOTRAP_WINE_IN_STRING,  /* struct iotrap_wine_string_params */
    IOTRAP_WINE_OUT_STRING, /* struct iotrap_wine_string_params */
    IOTRAP_WINE_GRANT,      /* struct iotrap_wine_grant_params */
    IOTRAP_WINE_NCALLS
};

/* Opens the process's port session (once; later calls report the first result). */
struct iotrap_wine_open_params {
    int32_t status;         /* out: IOTRAP_OK or an IOTRAP_E_* code */
    char message[256];      /* out: why it failed */
};

/* One access of 1, 2 or 4 bytes. */
struct iotrap_wine_io_params {
    uint64_t pc;            /* in: the caller's address, for the trace */
    uint32_t value;         /* in for OUT, out for IN */
    uint16_t port;
    uint8_t width;
    uint8_t pad;
    int32_t status;         /* out */
};

/* `count` accesses to one port, like REP INS/OUTS. */
struct iotrap_wine_string_params {
    uint64_t pc;
    uint64_t buf;           /* address of count * width bytes */
    uint64_t count;
    uint16_t port;
    uint8_t width;
    uint8_t pad;
    int32_t status;
};

/* Raw-access grants of a Windows process (wine-dll/wine_grants.h). */
enum iotrap_wine_grant_op {
    IOTRAP_WINE_GRANT_ALL,  /* every port the policy allows */
    IOTRAP_WINE_GRANT_NONE, /* no port: raw IN/OUT raise EXCEPTION_PRIV_INSTRUCTION */
    IOTRAP_WINE_GRANT_MAP   /* the 8192-byte I/O permission map at `map` (bit set: denied) */
};

struct iotrap_wine_grant_params {
    uint64_t map;           /* in, for IOTRAP_WINE_GRANT_MAP */
    uint32_t pid;           /* in: Windows process id */
    uint32_t op;            /* in: enum iotrap_wine_grant_op */
    int32_t status;         /* out */
};

#endif
