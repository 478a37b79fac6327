/* iotrap port sessions: policy + backend + trace behind one handle.
 *
 * This is what the trap engine calls for every emulated access, and what emulators,
 * the Wine builtin DLLs and the daemon use to reach ports without trapping at all.
 */
#ifndef IOTRAP_PORTS_H
#define IOTRAP_PORTS_H

#include <stddef.h>
#include <stdint.h>
#include <iotrap/status.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct iotrap_ports iotrap_ports;

/* Every port list (allow, and the PORTS of routes and remaps) is "all", "none" or items
 * "P" or "LO-HI" separated by commas, each port 0x-prefixed hex or decimal (iotrap(1)). */
typedef struct iotrap_ports_config {
    size_t size;                /* sizeof(iotrap_ports_config), see iotrap/iotrap.h */
    const char *backend;        /* "NAME[:ARGS]" for every port no route covers; NULL: "sim" */
    const char *allow;          /* the program ports allowed, "0x378-0x37f,0x3f8"; NULL: each
                                 * route's ports, and the default backend's default (all for
                                 * sim and helper, nothing for real ports but ppdev's own) */
    const char *const *devices; /* sim device specs, NULL-terminated; NULL: the default board */
    const char *const *plugins; /* device plug-in .so paths, NULL-terminated; may be NULL */
    const char *board;          /* path of a shared board to attach (sim); NULL: private board */
    const char *trace;          /* trace file path, "-" for stderr, NULL for none */
    const char *trace_format;   /* "text" (default), "jsonl" or "vcd" */
    int quiet;                  /* no denial messages */
    const char *const *routes;  /* "PORTS=NAME[:ARGS]": those program ports go to that backend
                                 * instance; NULL-terminated, may be NULL */
    const char *const *remaps;  /* "PORTS=TARGET": a program access to p in PORTS reaches its
                                 * backend at TARGET + (p - first of PORTS); NULL-terminated,
                                 * may be NULL */
    const char *trace_ports;    /* a port list: only accesses touching these ports are
                                 * traced (and a VCD trace shows these); NULL: every access */
    uint64_t trace_max;         /* bytes the trace may grow by, then a note says so and
                                 * later accesses are dropped; 0: no limit */
} iotrap_ports_config;

/* Opens a session.  On failure returns a negative status and writes a message naming
 * the bad part (option, range, device spec, errno text) into err. */
IOTRAP_API int iotrap_ports_open(const iotrap_ports_config *cfg, iotrap_ports **out,
                                 char *err, size_t errlen);

/* The same, configured from IOTRAP_BACKEND, IOTRAP_ROUTES (routes separated by ';'),
 * IOTRAP_REMAP (';'), IOTRAP_ALLOW, IOTRAP_DEVICES (';'), IOTRAP_DEVICE_PLUGINS (':'),
 * IOTRAP_BOARD, IOTRAP_TRACE, IOTRAP_TRACE_FORMAT, IOTRAP_TRACE_PORTS, IOTRAP_TRACE_MAX
 * and IOTRAP_QUIET, within the run of `iotrap run` that IOTRAP_RUN names, if any. */
IOTRAP_API int iotrap_ports_open_env(iotrap_ports **out, char *err, size_t errlen);

IOTRAP_API void iotrap_ports_close(iotrap_ports *ports);

/* 1 if the program may access every port of [port, port+width), 0 if not.  The policy is
 * one list of ports for reads and writes alike. */
IOTRAP_API int iotrap_ports_allowed(const iotrap_ports *ports, uint16_t port, unsigned width);

/* Accesses of 1, 2 or 4 bytes at the program's port, which the port map sends to its
 * route's backend at the target port.  A denied access returns IOTRAP_E_DENIED, is traced
 * with result "denied" and does not reach any backend.  `pc` is only reported in the
 * trace. */
IOTRAP_API int iotrap_ports_in(iotrap_ports *ports, uint16_t port, unsigned width,
                               uint32_t *value, uint64_t pc);
IOTRAP_API int iotrap_ports_out(iotrap_ports *ports, uint16_t port, unsigned width,
                                uint32_t value, uint64_t pc);

/* `count` elements to or from one port, in port order (REP INSx / OUTSx). */
IOTRAP_API int iotrap_ports_in_string(iotrap_ports *ports, uint16_t port, unsigned width,
                                      void *buf, size_t count, uint64_t pc);
IOTRAP_API int iotrap_ports_out_string(iotrap_ports *ports, uint16_t port, unsigned width,
                                       const void *buf, size_t count, uint64_t pc);

/* Shared boards: `iotrap run` creates one before starting the program and passes its path
 * in IOTRAP_BOARD; every process of the run attaches to it.  The file is created with mode
 * 0600 in a private directory; iotrap_board_remove() deletes it. */
IOTRAP_API int iotrap_board_create(const iotrap_ports_config *cfg, char *path, size_t pathlen,
                                   char *err, size_t errlen);
IOTRAP_API void iotrap_board_remove(const char *path);

#ifdef __cplusplus
}
#endif

#endif
