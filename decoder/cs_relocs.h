/* Capstone's pointer tables, relocated at the decoder's first use instead of by the dynamic
 * loader at start (decoder/defer_relocs.c writes the table at build time). */
#ifndef IOTRAP_DECODER_CS_RELOCS_H
#define IOTRAP_DECODER_CS_RELOCS_H

#include <stdint.h>

#define IOTRAP__CS_DEFERRED_MAGIC 0x52444349u /* "ICDR": written by defer-relocs */

/* The same layout in 32- and 64-bit builds.  Bit i of map: the pointer-sized word at
 * start + i words (a link-time address) needs the load address added.  The range covers
 * Capstone's read-only tables (iotrap_cs_relro: [ro_start, ro_start + ro_size), read-only
 * again once relocated) and its writable data with pointers (iotrap_cs_data). */
struct iotrap__cs_deferred {
    uint32_t magic; /* 0 in a library the tool has not processed: nothing is deferred */
    uint32_t words;
    uint64_t start;
    uint64_t ro_start, ro_size;
    uint8_t map[2048];
};

/* Applies the deferred relocations, once per process; async-signal-safe.  The decoder
 * calls it before every use of Capstone. */
void iotrap__cs_relocate(void);
/* Held across fork() (the preload library's fork handlers), so that no child starts with
 * the tables half relocated. */
void iotrap__cs_relocs_lock(void);
void iotrap__cs_relocs_unlock(void);

#endif
