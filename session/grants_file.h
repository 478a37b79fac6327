/* The layout of the grant file (see grants.h), shared by its writers (session/grants.c)
 * and its reader in the trap engine (shim/grants.c). */
#ifndef IOTRAP_SESSION_GRANTS_FILE_H
#define IOTRAP_SESSION_GRANTS_FILE_H

#include <stddef.h>
#include <stdint.h>
#include "session/grants.h"

#define IOTRAP__GRANT_VERSION 2

struct iotrap__grant_slot {
    uint32_t seq;       /* odd while a writer changes the slot */
    uint32_t reserved[3];
    uint8_t map[IOTRAP__GRANT_MAP_BYTES]; /* bit set: port denied */
};

/* The process ids sit together in the header, so that finding a process's slot reads a
 * few cache lines, not one page per slot. */
struct iotrap__grant_file {
    char magic[8];      /* "IOTRAPGR" */
    uint32_t version;
    uint32_t nslots;
    uint32_t generation; /* bumped each time a slot gets a process id */
    uint32_t reserved[3];
    uint32_t pid[IOTRAP__GRANT_SLOTS]; /* Windows process id of each slot; 0: free */
    struct iotrap__grant_slot slots[IOTRAP__GRANT_SLOTS];
};

int iotrap__wine_grants_valid(const struct iotrap__grant_file *f, size_t size);

/* What a reader remembers of its last search: the slot found, or that there was none
 * while the file's generation was `none_gen`. */
struct iotrap__grant_hint {
    unsigned slot;
    int none;
    uint32_t none_gen;
};

/* 1 if process `pid` may access [port, port + width): no slot, or its map allows it.
 * Lock-free and async-signal-safe.  `*hint` (may be NULL) remembers the last search, so
 * that a process without a slot does not search the ids again until a slot changes
 * hands. */
int iotrap__wine_grants_lookup(const struct iotrap__grant_file *f, uint32_t pid, uint16_t port,
                               unsigned width, struct iotrap__grant_hint *hint);

#endif
