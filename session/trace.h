/* The trace of a session: one line per access, text or JSON Lines, written with a single
 * write(2) on an O_APPEND descriptor so that lines of processes sharing one trace file
 * never interleave.  Formatting uses common/fmt.h (no stdio, no allocation), so it runs
 * inside the SIGSEGV handler.  The session calls iotrap__trace_write() after each access
 * it performed or denied; that is the trace's only way in.
 *
 * Text lines:   out8  0x0378 <- 0x55          in16  0x0060 -> 0x1234
 *               outs8 0x0378 <- 5 x: 48 45 4c 4c 4f
 *               out8  0x0378 [0xe050] <- 0x55     (remapped: the backend saw 0xe050)
 *               out8  0x0064 <- 0xfe DENIED   in8   0x0064 -> DENIED
 * JSON lines:   {"op":"out","width":1,"port":888,"value":85,"pc":"0x401136",
 *                "pid":4242,"tid":4242,"result":"ok"}
 *               "port" is the program's port; "target" is added when a remap moved it.
 *               Strings carry "count" and "data" (hex of the bytes) instead of "value";
 *               a denied read has no "value"/"data".
 * At most 256 bytes of a string are shown; a longer one is marked " ..." in text and
 * "truncated":true in JSON, keeping every line one bounded write. */
#ifndef IOTRAP_SESSION_TRACE_H
#define IOTRAP_SESSION_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct iotrap__trace iotrap__trace;

/* The operations of a trace line. */
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

/* Opens the trace file `path` ("-": standard error) in `format` ("text" or "jsonl"; NULL
 * or "": text). */
int iotrap__trace_open(iotrap__trace **t, const char *path, const char *format, char *err,
                       size_t errlen);
void iotrap__trace_close(iotrap__trace *t);
/* 1 if `format` names a trace format (NULL and "" mean the default). */
int iotrap__trace_format_known(const char *format);

void iotrap__trace_write(iotrap__trace *t, const iotrap__trace_rec *r);

/* The start of a text line, "in8   0x0064" (with " [0xTARGET]" when remapped); returns
 * its length. */
size_t iotrap__trace_format_head(char *buf, size_t cap, const iotrap__trace_rec *r);

/* The text line of an access, without the newline (denial messages use it too); returns
 * its length.  At most max_elems elements of a string are shown. */
size_t iotrap__trace_format_text(char *buf, size_t cap, const iotrap__trace_rec *r,
                                 size_t max_elems);

#endif
