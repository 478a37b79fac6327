/* Port sessions, the core's side of iotrap/ports.h: the policy (the program ports
 * allowed), the port map (session/portmap.h: which backend instance serves each port, at
 * which target port) and the trace, behind one handle.
 *
 *     program port p --policy(p)--> map: route r, target t --> backend r at port t
 *
 * The trap engine, the Wine builtins and emulators open sessions with iotrap_ports_open();
 * iotrapd opens one as a server (iotrap__session_open with serve_targets) and serves each
 * client request through the same access functions.
 */
#ifndef IOTRAP_SESSION_SESSION_H
#define IOTRAP_SESSION_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <iotrap/ports.h>
#include "common/portset.h"

struct iotrap__backend;

typedef struct iotrap__session_params {
    const iotrap_ports_config *cfg;
    /* A server (iotrapd) instead of a program: the target ports it may touch at all (the
     * union of its rules).  The policy then allows the ports that reach them, and a native
     * backend is granted all of them for good, since no program code runs in the server.
     * NULL for a program's session. */
    const iotrap__portset *serve_targets;
    /* The backends that cfg may name, NULL-terminated, in the order "auto" tries them;
     * NULL: every backend compiled in (iotrap__backends).  Tests put recorders here. */
    const struct iotrap__backend *const *backends;
    /* The run state file of the `iotrap run` this session belongs to (IOTRAP_RUN): the
     * trace's start and budget, and the --summary counts.  NULL: none. */
    const char *run;
    /* `iotrap run`: the backend with state that every process of the run shares (the
     * simulated board) makes it while opening, and its path is written here; "" when no
     * backend of the session has such state.  Another instance of such a backend in the
     * session attaches to it.  NULL: attach to cfg->board, or keep it private. */
    char *shared_path;
    size_t shared_pathlen;
    /* With shared_path: set when that state could not be made for a reason of the
     * machine's, not of the configuration (its file could not be created). */
    bool *shared_failed;
} iotrap__session_params;

int iotrap__session_open(const iotrap__session_params *sp, iotrap_ports **out, char *err,
                         size_t errlen);

/* True when some allowed port runs natively, untrapped (a granted native backend). */
bool iotrap__session_native(const iotrap_ports *p);

/* The program ports a hot patched IN or OUT may take without the trap, and without
 * saving the extended state (shim/patch_fast.c), all of them allowed by the policy:
 *   bus:    a simulated board's bus answers, no device being there (a read gives all
 *           ones, a write is dropped), so the patched path answers them itself;
 *   direct: iotrap_ports_in() and iotrap_ports_out() reach every byte of them through
 *           backend code that uses the general registers only
 *           (iotrap__backend.general_regs), a wide access split across routes too.
 * NULL when the session traces or counts accesses (each must be recorded), or out of
 * memory.  Computed on the first call, which looks at every port: async-signal-safe,
 * but not thread-safe (the shim calls it with its patch writer lock held). */
typedef struct iotrap__session_fast {
    iotrap__portset bus;
    iotrap__portset direct;
} iotrap__session_fast;
const iotrap__session_fast *iotrap__session_fast_ports(iotrap_ports *p);
/* The port a backend sees for program port `port`. */
uint16_t iotrap__session_target(const iotrap_ports *p, uint16_t port);

/* The map as chosen, in the forms the launcher passes on so that every process of a run
 * uses the backends that "auto" chose: *backend the default route's "NAME[:ARGS]", routes
 * "PORTS=NAME[:ARGS]" items joined with ';' ("" without routes).  Each returns the length
 * it needs, as snprintf. */
size_t iotrap__session_backend_spec(const iotrap_ports *p, char *buf, size_t len);
size_t iotrap__session_routes_spec(const iotrap_ports *p, char *buf, size_t len);

/* Tells the user on standard error "iotrap: denied: WHAT at pc PC (port not in --allow)",
 * WHAT being `len` bytes of `what`, while *budget (counted up) allows; async-signal-safe.
 * The sessions' own denial messages and the preload library's /dev/port use it. */
void iotrap__say_denied(unsigned *budget, const char *what, size_t len, uint64_t pc);

/* The map in lines for people ("  0x378-0x37f -> ppdev:/dev/parport0 (window
 * 0x378-0x37f)", "  other ports -> sim", remaps, "  allowed: ..."), each line starting
 * with `prefix`.  Returns the length it needs. */
size_t iotrap__session_describe(const iotrap_ports *p, const char *prefix, char *buf,
                                size_t len);

#endif
