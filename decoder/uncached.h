/* iotrap_decode() without its per-thread cache (internal): for the trap engine, which
 * keeps a cache of its own keyed by address (shim/decode_cache.c), for `iotrap decode` and
 * `iotrap bench`, and for tests that must reach Capstone every time. */
#ifndef IOTRAP_DECODER_UNCACHED_H
#define IOTRAP_DECODER_UNCACHED_H

#include <stddef.h>
#include <iotrap/decode.h>

int iotrap__decode_uncached(const void *code, size_t avail, int mode, iotrap_insn *insn);

#endif
