/* The trace decorator: a backend that wraps another and writes one line per access
 * (text or JSON Lines) with a single write(2) on an O_APPEND descriptor, so lines of
 * processes sharing one trace file never interleave.  Formatting uses common/fmt.h:
 * no stdio, no allocation, so it runs inside the SIGSEGV handler.
 *
 * The session (ports.c) calls the *_pc entry points, which also know the program
 * counter; the vtable entries report pc 0. */
#ifndef IOTRAP_BACKENDS_TRACE_H
#define IOTRAP_BACKENDS_TRACE_H

#include "backends/backend.h"

extern const struct iotrap__backend iotrap__backend_trace;

enum iotrap__trace_format { IOTRAP__TRACE_TEXT, IOTRAP__TRACE_JSONL };

/* Sets up `bi` to trace accesses to `inner` (which stays owned by the caller) into
 * `path` ("-": standard error) in `format` ("text", "jsonl"; NULL: text). */
int iotrap__trace_wrap(struct iotrap__backend_instance *bi,
                       struct iotrap__backend_instance *inner, const char *path,
                       const char *format, char *err, size_t errlen);
void iotrap__trace_unwrap(struct iotrap__backend_instance *bi);

int iotrap__trace_in_pc(struct iotrap__backend_instance *bi, uint16_t port, unsigned width,
                        uint32_t *value, uint64_t pc);
int iotrap__trace_out_pc(struct iotrap__backend_instance *bi, uint16_t port, unsigned width,
                         uint32_t value, uint64_t pc);
int iotrap__trace_in_string_pc(struct iotrap__backend_instance *bi, uint16_t port,
                               unsigned width, void *buf, size_t count, uint64_t pc);
int iotrap__trace_out_string_pc(struct iotrap__backend_instance *bi, uint16_t port,
                                unsigned width, const void *buf, size_t count, uint64_t pc);

/* The operations of a trace line. */
enum iotrap__trace_op { IOTRAP__TR_IN, IOTRAP__TR_OUT, IOTRAP__TR_INS, IOTRAP__TR_OUTS };

/* Formats the start of a text line, "in8   0x0064", and returns its length. */
size_t iotrap__trace_format_head(char *buf, size_t cap, enum iotrap__trace_op op,
                                 uint16_t port, unsigned width);

/* Formats one access as a text line without the newline (for denial messages too);
 * returns its length.  `data` is the string (count elements) for INS/OUTS. */
size_t iotrap__trace_format_text(char *buf, size_t cap, enum iotrap__trace_op op,
                                 uint16_t port, unsigned width, uint32_t value,
                                 const void *data, size_t count, int denied);

/* Writes the line of a denied access (which never reaches the wrapped backend). */
void iotrap__trace_denied(struct iotrap__backend_instance *bi, enum iotrap__trace_op op,
                          uint16_t port, unsigned width, uint32_t value, const void *data,
                          size_t count, uint64_t pc);

/* Generic string loops for backends without in_string/out_string. */
int iotrap__backend_in_string(struct iotrap__backend_instance *bi, uint16_t port,
                              unsigned width, void *buf, size_t count);
int iotrap__backend_out_string(struct iotrap__backend_instance *bi, uint16_t port,
                               unsigned width, const void *buf, size_t count);

#endif
