/* The PE side's access to the Unix side (unixlib.h), shared by every iotrap builtin DLL
 * and driver.  Windows code: built with winegcc for the mingw targets. */
#ifndef IOTRAP_WINE_PE_PORT_H
#define IOTRAP_WINE_PE_PORT_H

#include <stdint.h>

/* Binds the module to its Unix side and opens the process's port session; call once,
 * from DllMain(DLL_PROCESS_ATTACH) or DriverEntry.  Returns 1 if ports can be reached. */
int iotrap_pe_init(void);

/* 1 if iotrap_pe_init() succeeded: what "is the driver open" questions answer. */
int iotrap_pe_ready(void);

/* One access of `width` (1, 2, 4) bytes; `pc` is the caller's address for the trace.
 * A failed or denied read yields all ones, as an undriven ISA bus does.  The status is
 * IOTRAP_OK (0) or a negative IOTRAP_E_* code. */
uint32_t iotrap_pe_in(uint16_t port, unsigned width, const void *pc, int *status);
int iotrap_pe_out(uint16_t port, unsigned width, uint32_t value, const void *pc);

/* `count` elements of `width` bytes to or from one port (REP INS/OUTS). */
int iotrap_pe_in_string(uint16_t port, unsigned width, void *buf, uint32_t count,
                        const void *pc);
int iotrap_pe_out_string(uint16_t port, unsigned width, const void *buf, uint32_t count,
                         const void *pc);

/* Raw-access grants of Windows process `pid` (enum iotrap_wine_grant_op in unixlib.h);
 * `map` is the 8192-byte permission map for IOTRAP_WINE_GRANT_MAP. */
int iotrap_pe_grant(uint32_t pid, unsigned op, const uint8_t *map);

#define IOTRAP_PE_CALLER() __builtin_return_address(0)

#endif
