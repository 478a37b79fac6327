/* The trace of a session: one record per access, as text, JSON Lines or a Value Change
 * Dump, each written with a single write(2) on an O_APPEND descriptor so that records of
 * processes sharing one trace file never interleave.  Formatting uses common/fmt.h (no
 * stdio, no allocation), so it runs inside the SIGSEGV handler.  The session calls
 * iotrap__trace_write() after each access it performed or denied; that is the trace's
 * only way in.
 *
 * Text lines:   out8  0x0378 <- 0x55          in16  0x0060 -> 0x1234
 *               outs8 0x0378 <- 5 x: 48 45 4c 4c 4f
 *               out8  0x0378 [0xe050] <- 0x55     (remapped: the backend saw 0xe050)
 *               out8  0x0064 <- 0xfe DENIED   in8   0x0064 -> DENIED
 * JSON lines:   {"t":81234,"op":"out","width":1,"port":888,"value":85,"pc":"0x401136",
 *                "pid":4242,"tid":4242,"result":"ok"}
 *               "t" is nanoseconds since the run started (the monotonic clock); "port" is
 *               the program's port; "target" is added when a remap moved it.  Strings
 *               carry "count" and "data" (hex of the bytes) instead of "value"; a denied
 *               read has no "value"/"data".
 * VCD:          a header declaring one signal per line of each port shown (the lines a
 *               device names, such as an LPT's D0-D7, STROBE..., at their line levels) or
 *               an 8-bit bus for a port whose device names none, then for each access
 *               "#t" (ns since the run started, strictly increasing over the file) and
 *               the values the access put on those signals; a string's elements get one
 *               nanosecond each.  GTKWave and sigrok (its vcd input) read it.
 * At most 256 bytes of a string are shown in text and JSON; a longer one is marked " ..."
 * in text and "truncated":true in JSON, keeping every record one bounded write.
 *
 * Filters and limits: only accesses that touch a port of `ports` are recorded; once the
 * trace holds `max_bytes`, a note says so and later accesses are counted instead of
 * recorded, and iotrap__trace_end() (the run's end) or the close of a trace without a
 * run writes how many were dropped. */
#ifndef IOTRAP_SESSION_TRACE_H
#define IOTRAP_SESSION_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <iotrap/device.h>
#include "common/portset.h"
#include "session/run_state.h"

typedef struct iotrap__trace iotrap__trace;

/* The operations of a record. */
enum iotrap__trace_op { IOTRAP__TR_IN, IOTRAP__TR_OUT, IOTRAP__TR_INS, IOTRAP__TR_OUTS };

/* One access, as the program made it. */
typedef struct iotrap__trace_rec {
    enum iotrap__trace_op op;
    unsigned width;
    uint16_t port;   /* the program's port */
    uint16_t target; /* the port the backend saw (== port unless remapped) */
    uint32_t value;  /* IN/OUT */
    const void *data; /* INS/OUTS: count elements, or NULL */
    size_t count;
    bool denied;
    uint64_t pc;
} iotrap__trace_rec;

/* A port a VCD trace shows, with the lines behind it (NULL: shown as an 8-bit bus). */
typedef struct iotrap__trace_port {
    uint16_t port;
    const iotrap_device_lines *lines;
} iotrap__trace_port;

/* The most ports a VCD trace shows. */
#define IOTRAP__TRACE_VCD_PORTS 256

typedef struct iotrap__trace_params {
    const char *path;                 /* "-": standard error */
    const char *format;               /* "text", "jsonl" or "vcd"; NULL or "": text */
    const iotrap__portset *ports;     /* only accesses touching these; NULL: every one */
    uint64_t max_bytes;               /* what the trace may grow by; 0: no limit */
    iotrap__run_state *run;           /* the run's shared state (start, budget), or NULL:
                                       * this trace alone, started when it opens */
    const iotrap__trace_port *vcd;    /* vcd: the ports shown, in port order */
    size_t nvcd;
} iotrap__trace_params;

/* Opens the trace.  A VCD file that is empty gets its header (under a lock, so that one
 * of the processes of a run writes it). */
int iotrap__trace_open(iotrap__trace **t, const iotrap__trace_params *tp, char *err,
                       size_t errlen);
void iotrap__trace_close(iotrap__trace *t);
/* 1 if `format` names a trace format (NULL and "" mean the default). */
int iotrap__trace_format_known(const char *format);
/* 1 for the VCD format. */
int iotrap__trace_format_vcd(const char *format);

void iotrap__trace_write(iotrap__trace *t, const iotrap__trace_rec *r);

/* At the end of a run: appends to the trace file the record of how many accesses the run
 * could not record, if any. */
int iotrap__trace_end(const char *path, const char *format, uint64_t max_bytes,
                      const iotrap__run_state *run, char *err, size_t errlen);

/* The start of a text line, "in8   0x0064" (with " [0xTARGET]" when remapped); returns
 * its length. */
size_t iotrap__trace_format_head(char *buf, size_t cap, const iotrap__trace_rec *r);

/* The text line of an access, without the newline (denial messages use it too); returns
 * its length.  At most max_elems elements of a string are shown. */
size_t iotrap__trace_format_text(char *buf, size_t cap, const iotrap__trace_rec *r,
                                 size_t max_elems);

#endif
