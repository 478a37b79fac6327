/* The decoder's own prefix + opcode scan (internal). */
#ifndef IOTRAP_DECODER_SCAN_H
#define IOTRAP_DECODER_SCAN_H

#include <stddef.h>
#include <stdint.h>
#include <iotrap/decode.h>

/* Decode the raw bytes by the CPU's rules alone: every field of *insn, or the status
 * iotrap_decode() returns.  Reads at most min(avail, 15) bytes; never allocates. */
int iotrap__scan(const uint8_t *code, size_t avail, int mode, iotrap_insn *insn);

#endif
