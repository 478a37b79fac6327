/* The calls from the PE side of the iotrap builtins (DLLs and drivers, Windows code) to
 * their Unix side (wine-dll/unix_side.c, an ELF library linked with the iotrap core),
 * laid out as Wine's own builtins do it (dlls/winebus.sys/unixlib.h): one code and one
 * params structure per call.
 *
 * Wine's own builtins get the plumbing from wine/unixlib.h, which Debian does not ship,
 * so the few declarations used are spelled here.  The PE side calls
 * __wine_init_unix_call() once, then __wine_unix_call_dispatcher(handle, code, params).
 * A PE module of the Unix library's own bitness is served by its __wine_unix_call_funcs
 * table; a 32-bit module in a 64-bit process (new WoW64) by __wine_unix_call_wow64_funcs,
 * whose thunks (wine-dll/unix_wow64.c) read the 32-bit layout of the same structures.
 * The fields are pointers and fixed-size integers only, never `long` (32 bits on the PE
 * side, 64 on the Unix side) nor 64-bit integers (aligned differently by i686 mingw and
 * i386 gcc), so that both sides of one bitness agree on every offset.
 */
#ifndef IOTRAP_WINE_UNIXLIB_H
#define IOTRAP_WINE_UNIXLIB_H

#include <stdint.h>

enum iotrap_wine_call {
    IOTRAP_WINE_OPEN,       /* struct iotrap_wine_open_params */
    IOTRAP_WINE_IN,         /* struct iotrap_wine_in_params */
    IOTRAP_WINE_OUT,        /* struct iotrap_wine_out_params */
    IOTRAP_WINE_IN_STRING,  /* struct iotrap_wine_in_string_params */
    IOTRAP_WINE_OUT_STRING, /* struct iotrap_wine_out_string_params */
    IOTRAP_WINE_GRANT,      /* struct iotrap_wine_grant_params */
    IOTRAP_WINE_NCALLS
};

/* Opens the process's port session (once; later calls report the first result). */
struct iotrap_wine_open_params {
    int32_t status;         /* out: IOTRAP_OK or an IOTRAP_E_* code */
    char message[256];      /* out: why it failed */
};

/* One IN of 1, 2 or 4 bytes. */
struct iotrap_wine_in_params {
    const void *pc;         /* the caller's address, for the trace */
    uint16_t port;
    uint8_t width;
    uint32_t value;         /* out */
    int32_t status;         /* out */
};

/* One OUT of 1, 2 or 4 bytes. */
struct iotrap_wine_out_params {
    const void *pc;
    uint16_t port;
    uint8_t width;
    uint32_t value;
    int32_t status;         /* out */
};

/* `count` INs from one port into `buf`, like REP INS. */
struct iotrap_wine_in_string_params {
    const void *pc;
    void *buf;              /* count * width bytes */
    uint32_t count;
    uint16_t port;
    uint8_t width;
    int32_t status;         /* out */
};

/* `count` OUTs to one port from `buf`, like REP OUTS. */
struct iotrap_wine_out_string_params {
    const void *pc;
    const void *buf;
    uint32_t count;
    uint16_t port;
    uint8_t width;
    int32_t status;         /* out */
};

/* Raw-access grants of a Windows process (session/grants.h). */
enum iotrap_wine_grant_op {
    IOTRAP_WINE_GRANT_ALL,  /* every port the policy allows */
    IOTRAP_WINE_GRANT_NONE, /* no port: raw IN/OUT raise EXCEPTION_PRIV_INSTRUCTION */
    IOTRAP_WINE_GRANT_MAP   /* the 8192-byte I/O permission map at `map` (bit set: denied) */
};

struct iotrap_wine_grant_params {
    const uint8_t *map;     /* for IOTRAP_WINE_GRANT_MAP */
    uint32_t pid;           /* Windows process id */
    uint32_t op;            /* enum iotrap_wine_grant_op */
    int32_t status;         /* out */
};

#endif
