/* The backend contract.  Every way of reaching ports (the simulated board, direct ioperm,
 * /dev/port, ppdev, the iotrapd helper) is one const `struct iotrap__backend` table,
 * defined with designated initializers in its own file and listed in backends/registry.c.
 *
 * A session (session/session.c) opens one instance of a backend for each route of its
 * port map.  The core allocates `priv_size` zeroed bytes for each instance; a backend keeps
 * all its state there.  Accesses arrive only after the session's policy allowed them, and
 * at the port the backend is to see (the target, after any --remap).
 *
 * in/out/in_string/out_string may run inside the SIGSEGV handler of the trap engine:
 * they must be async-signal-safe (no malloc, no stdio, no locks the interrupted code may
 * hold), keep errno as they found it, and serialise themselves if the backend is shared
 * between threads or processes.  open/close/probe/grant never run in a signal handler.
 *
 * The core decides by capabilities and by which optional members are present, never by a
 * backend's name.
 */
#ifndef IOTRAP_BACKENDS_BACKEND_H
#define IOTRAP_BACKENDS_BACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <iotrap/device.h>
#include <iotrap/ports.h>
#include "common/portset.h"

/* Capability bits. */
#define IOTRAP__CAP_NATIVE 0x1u /* grant() lets the program's own IN/OUT run untrapped; the
                                 * grant is process-wide, so a session has one such instance */
#define IOTRAP__CAP_SHARED 0x2u /* one device state shared by every process of a run: the
                                 * launcher makes the shared state before the program runs
                                 * (iotrap__backend_params.shared_path) */
#define IOTRAP__CAP_REAL   0x4u /* reaches real hardware: without --allow, a session allows
                                 * only the backend's window (nothing when it has none) */
#define IOTRAP__CAP_OPEN_BUS 0x8u /* a port describe() names no device at reads all ones
                                   * and drops writes, with no state and no record, so
                                   * that the patched path may answer it itself */

struct iotrap__backend_instance;

/* What open() is given. */
struct iotrap__backend_params {
    const char *args;              /* the text after "NAME:", "" when there is none */
    int32_t route_first;           /* the first port of the --route this instance serves, or
                                    * -1 for the default route (--backend) */
    const iotrap_ports_config *cfg; /* the session's configuration (sim: devices, plug-ins,
                                     * board) */
    char *shared_path;             /* IOTRAP__CAP_SHARED: make the state that every process
                                    * of a run shares, and write its path here (`iotrap
                                    * run`); NULL: attach to cfg->board, or keep it private */
    size_t shared_pathlen;
    bool *shared_failed;           /* with shared_path: set when that state could not be
                                    * made for a reason of the machine's (its file), not of
                                    * the configuration */
};

struct iotrap__backend {
    /* Required.  The NAME of --backend NAME[:ARGS]. */
    const char *name;
    /* Required.  One line for `iotrap doctor` and --help. */
    const char *summary;
    /* IOTRAP__CAP_* bits. */
    unsigned caps;
    /* Bytes of private state for open() (may be 0). */
    size_t priv_size;

    /* Optional.  Says whether the backend could open here with these ARGS without
     * opening it; on failure writes why (errno text, missing device) into why. */
    int (*probe)(const char *args, char *why, size_t whylen);
    /* Required.  On failure writes a message that names the bad argument or the failing
     * system call with its errno text. */
    int (*open)(struct iotrap__backend_instance *bi, const struct iotrap__backend_params *bp,
                char *err, size_t errlen);
    /* Optional: releases what open and grant took. */
    void (*close)(struct iotrap__backend_instance *bi);
    /* Optional: the only ports that an instance opened with these parameters answers,
     * [*first, *first + *count) (ppdev: its registers), found without opening anything,
     * so that the session refuses a configuration that would send an allowed access
     * elsewhere before any device is touched.  Fails as open would on bad ARGS.  Absent:
     * every port. */
    int (*window)(const struct iotrap__backend_params *bp, uint16_t *first, uint32_t *count,
                  char *err, size_t errlen);

    /* Required.  width is 1, 2 or 4; a read fills the low `width` bytes of *value. */
    int (*in)(struct iotrap__backend_instance *bi, uint16_t port, unsigned width,
              uint32_t *value);
    int (*out)(struct iotrap__backend_instance *bi, uint16_t port, unsigned width,
               uint32_t value);
    /* Optional: `count` elements to or from one port, in port order, in one call.  The
     * core loops over in/out when absent. */
    int (*in_string)(struct iotrap__backend_instance *bi, uint16_t port, unsigned width,
                     void *buf, size_t count);
    int (*out_string)(struct iotrap__backend_instance *bi, uint16_t port, unsigned width,
                      const void *buf, size_t count);

    /* Optional (IOTRAP__CAP_NATIVE), called once after open.  `native`: ports this
     * process's own IN/OUT may run on untrapped from now until close.  `reach`: further
     * ports that in/out/in_string/out_string will be asked to access (remap targets) and
     * that the program must not reach natively.  On failure writes which port could not be
     * granted and why. */
    int (*grant)(struct iotrap__backend_instance *bi, const iotrap__portset *native,
                 const iotrap__portset *reach, char *err, size_t errlen);
    /* Optional: called in the child after fork(), before it runs program code. */
    void (*atfork_child)(struct iotrap__backend_instance *bi);
    /* Optional: what answers `port` (a target port): 1 if a device does, with the lines
     * behind its register in *lines (NULL for a plain byte; lines may be NULL), 0 if
     * nothing does and the bus answers.  Absent: unknown, as for real hardware.  Used for
     * --summary's "no device" and the signals of a VCD trace, and, in a backend with
     * IOTRAP__CAP_OPEN_BUS, with lines NULL from the SIGSEGV handler when the first site
     * is patched: that call must be async-signal-safe. */
    int (*describe)(struct iotrap__backend_instance *bi, uint16_t port,
                    const iotrap_device_lines **lines);
    /* Optional: 1 if in() and out() at `port` (a target port) use the general registers
     * only, never an x87, SSE, AVX or opmask register, nor call code that might (the
     * library's own code is compiled so: LIB_CFLAGS in Makefile.am), so that a patched
     * instruction may reach them without saving the extended state; 0 otherwise.  Called
     * from the SIGSEGV handler when the first site is patched: async-signal-safe.
     * Absent: 0 for every port. */
    int (*general_regs)(struct iotrap__backend_instance *bi, uint16_t port);
};

struct iotrap__backend_instance {
    const struct iotrap__backend *backend;
    void *priv; /* backend->priv_size bytes, zeroed */
};

/* The table of every backend compiled in, NULL-terminated, in the fixed order that
 * --backend auto tries them. */
extern const struct iotrap__backend *const iotrap__backends[];

/* The backend of that name in a NULL-terminated table (iotrap__backends, or a caller's). */
const struct iotrap__backend *iotrap__backend_find(const struct iotrap__backend *const *table,
                                                   const char *name, size_t namelen);

/* Splits a backend spec "NAME[:ARGS]": the name's length, and ARGS ("" without a colon). */
size_t iotrap__backend_spec_split(const char *spec, const char **args);

#endif
