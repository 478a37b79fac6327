/* Capstone handles for iotrap_decode(): a bounded pool claimed without locks, and an
 * allocator that keeps Capstone async-signal-safe while we use it (internal). */
#ifndef IOTRAP_DECODER_CS_POOL_H
#define IOTRAP_DECODER_CS_POOL_H

#include <stddef.h>
#include <stdint.h>

/* Ask Capstone what the `len` bytes at `code` are in `mode`: its instruction id and size.
 * Returns 0, IOTRAP_E_INVALID when Capstone cannot decode them, or IOTRAP_E_BUSY when
 * every handle is in use (the pool is full).  Async-signal-safe; reads only `len` bytes. */
int iotrap__cs_identify(const uint8_t *code, size_t len, int mode, unsigned *id, size_t *size);

/* The same outside the signal-safe context: Capstone formats its text with the C library's
 * vsnprintf and allocates with malloc.  For the test that proves the quiet formatter used
 * inside the context does not change ids or sizes. */
int iotrap__cs_identify_plain(const uint8_t *code, size_t len, int mode, unsigned *id,
                              size_t *size);

/* Statistics for tests: handles opened so far, and the bytes a slot's arena has carved
 * (freed blocks are reused, so this stops growing once a handle has warmed up). */
unsigned iotrap__cs_handles_open(void);
size_t iotrap__cs_arena_used(unsigned index);

#endif
