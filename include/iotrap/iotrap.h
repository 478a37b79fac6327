/* iotrap — run legacy port-I/O software unchanged on Linux.  Umbrella header.
 *
 * Versions.  iotrap_version() names the library a program runs with, IOTRAP_VERSION_* the
 * headers it was compiled with (iotrap/version.h).  The structs a caller fills in for the
 * library (iotrap_ports_config, iotrap_exec_ops, iotrap_regs, iotrap_io_perm,
 * iotrap_device_model) start with `size`, which the caller sets to sizeof the struct:
 *
 *     iotrap_ports_config cfg = { .size = sizeof cfg, .backend = "sim" };
 *
 * so that the struct can grow: a newer library reads the fields an older program's struct
 * has and takes the rest as absent, and an older library accepts a newer program's struct
 * as long as the fields it does not know are zero (their defaults), else the call fails with
 * IOTRAP_E_UNSUPPORTED.  A size smaller than the first release's struct fails with
 * IOTRAP_E_INVAL.  The structs the library fills in for the caller (iotrap_insn,
 * iotrap_exec_fault) keep their layout for the library's soname.
 */
#ifndef IOTRAP_IOTRAP_H
#define IOTRAP_IOTRAP_H

#include <iotrap/version.h>
#include <iotrap/status.h>
#include <iotrap/decode.h>
#include <iotrap/device.h>
#include <iotrap/ports.h>

#endif
