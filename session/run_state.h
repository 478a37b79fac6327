/* What every process of one `iotrap run` shares besides the board: when the run started
 * (the trace's "t"), the trace's size budget and the order of its VCD records, and, with
 * --summary, how often each port was read and written and what answered.
 *
 * `iotrap run` creates the file (in the run's private directory) before the program
 * starts and passes its path in IOTRAP_RUN; each session maps it.  It holds no pointers
 * and has the same layout in 32- and 64-bit processes.  Everything used on the trap path
 * is atomics on the mapping: async-signal-safe. */
#ifndef IOTRAP_SESSION_RUN_STATE_H
#define IOTRAP_SESSION_RUN_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define IOTRAP__RUN_MAGIC "IOTRAPRN"
#define IOTRAP__RUN_VERSION 1u

/* What happened at a port (the flags of a summary entry). */
#define IOTRAP__RUN_NODEV 0x1u  /* some access reached no device (the bus answered) */
#define IOTRAP__RUN_DENIED 0x2u /* some access was refused by --allow */

struct iotrap__run_port {
    uint32_t reads;
    uint32_t writes;
    uint32_t flags;
};

struct iotrap__run_hdr {
    char magic[8];
    uint32_t version;
    uint32_t summary;        /* 1: the per-port table follows the header */
    int64_t start_ns;        /* CLOCK_MONOTONIC when the run was created */
    uint64_t trace_bytes;    /* bytes the processes wrote to the trace */
    uint64_t trace_dropped;  /* accesses not recorded once --trace-max was reached */
    int64_t trace_last_t;    /* the last VCD time written: records go strictly forward */
    uint32_t trace_lock;     /* backends/lock.h: one VCD record at a time */
    uint32_t trace_full;     /* 1 once the line saying the limit was reached is written */
    uint8_t pad[8];
};

typedef struct iotrap__run_state {
    struct iotrap__run_hdr *hdr;
    struct iotrap__run_port *ports; /* NULL without a summary */
    size_t size;
} iotrap__run_state;

/* Creates a run state file (with the summary table when `summary`) and maps it into rs;
 * its path goes to `path`.  The launcher removes it with iotrap__run_state_remove(). */
int iotrap__run_state_create(iotrap__run_state *rs, bool summary, char *path, size_t pathlen,
                             char *err, size_t errlen);
/* Maps the run state file at `path` (IOTRAP_RUN), checking it is one. */
int iotrap__run_state_attach(iotrap__run_state *rs, const char *path, char *err,
                             size_t errlen);
void iotrap__run_state_detach(iotrap__run_state *rs);
void iotrap__run_state_remove(const char *path);

/* Counts an access of `count` elements at `port` (its first byte) for the summary;
 * flags are IOTRAP__RUN_*.  Nothing without a summary table. */
static inline void iotrap__run_state_note(iotrap__run_state *rs, uint16_t port, bool write,
                                          uint32_t count, uint32_t flags)
{
    if (!rs || !rs->ports)
        return;
    struct iotrap__run_port *e = &rs->ports[port];
    __atomic_fetch_add(write ? &e->writes : &e->reads, count, __ATOMIC_RELAXED);
    if (flags)
        __atomic_fetch_or(&e->flags, flags, __ATOMIC_RELAXED);
}

#endif
