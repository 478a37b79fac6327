/* The backend contract.  Every way of reaching ports (the simulated board, direct
 * ioperm, /dev/port, ppdev, the iotrapd helper, the trace decorator) is one const
 * `struct iotrap__backend` table, defined with designated initializers in its own file
 * and listed in backends/registry.c.
 *
 * The core allocates `priv_size` zeroed bytes for each open instance; a backend keeps
 * all its state there.  Accesses arrive only after the session policy allowed them.
 *
 * in/out/in_string/out_string may run inside the SIGSEGV handler of the trap engine:
 * they must be async-signal-safe and must serialise themselves if the backend is shared
 * between threads or processes.  open/close/probe never run in a signal handler.
 */
#ifndef IOTRAP_BACKENDS_BACKEND_H
#define IOTRAP_BACKENDS_BACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <iotrap/ports.h>

/* Capability bits. */
#define IOTRAP__CAP_STRING   0x1u /* in_string/out_string do a whole string in one call */
#define IOTRAP__CAP_NATIVE   0x2u /* grant() lets the program's own IN/OUT run untrapped */
#define IOTRAP__CAP_SHARED   0x4u /* one device state shared by every process of a run */
#define IOTRAP__CAP_REAL     0x8u /* reaches real hardware */

struct iotrap__backend_instance;

struct iotrap__backend {
    /* Required.  The NAME of --backend NAME[:ARGS]. */
    const char *name;
    /* Required.  One line for `iotrap doctor` and --help. */
    const char *summary;
    /* Required.  IOTRAP__CAP_* bits. */
    unsigned caps;
    /* Bytes of private state for open() (may be 0). */
    size_t priv_size;
    /* Default allowed ranges when the user gives none ("all" or a range list); NULL
     * means nothing is allowed by default. */
    const char *default_allow;

    /* Optional.  Says whether the backend could open here with these ARGS without
     * opening it; on failure writes why (errno text, missing device) into why. */
    int (*probe)(const char *args, char *why, size_t whylen);
    /* Required.  ARGS is the text after "NAME:" or "" .  On failure writes a message that
     * names the bad argument or the failing system call with its errno text. */
    int (*open)(struct iotrap__backend_instance *bi, const char *args,
                const iotrap_ports_config *cfg, char *err, size_t errlen);
    /* Optional. */
    void (*close)(struct iotrap__backend_instance *bi);

    /* Required.  width is 1, 2 or 4; a read fills the low `width` bytes of *value. */
    int (*in)(struct iotrap__backend_instance *bi, uint16_t port, unsigned width,
              uint32_t *value);
    int (*out)(struct iotrap__backend_instance *bi, uint16_t port, unsigned width,
               uint32_t value);
    /* Optional: a whole string to or from one port.  The core loops over in/out when
     * absent. */
    int (*in_string)(struct iotrap__backend_instance *bi, uint16_t port, unsigned width,
                     void *buf, size_t count);
    int (*out_string)(struct iotrap__backend_instance *bi, uint16_t port, unsigned width,
                      const void *buf, size_t count);

    /* Optional (IOTRAP__CAP_NATIVE): make [first, first+count) natively accessible (on)
     * or trapping again (off) for the calling process. */
    int (*grant)(struct iotrap__backend_instance *bi, uint16_t first, uint32_t count, bool on);
    /* Optional: called in the child after fork(), before it runs program code. */
    void (*atfork_child)(struct iotrap__backend_instance *bi);
};

struct iotrap__backend_instance {
    const struct iotrap__backend *backend;
    void *priv; /* backend->priv_size bytes, zeroed */
};

/* The table of every backend compiled in, NULL-terminated, in the fixed order that
 * --backend auto tries them. */
extern const struct iotrap__backend *const iotrap__backends[];

const struct iotrap__backend *iotrap__backend_find(const char *name, size_t namelen);

/* The backend a session opened: for --backend auto, the one it chose. */
const char *iotrap__ports_backend_name(const iotrap_ports *p);

#endif
