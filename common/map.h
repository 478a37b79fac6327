/* Memory the library maps for itself, kept out of the holes a program makes.
 *
 * A program may unmap a page to fault on it (a guard past a buffer, say).  Natively the
 * page stays unmapped; but the kernel gives a new mapping the highest free range that
 * fits, and a mapping the preload library makes later (a session opened at the first port
 * access, the decoder's arena, the scratch buffers) could land in that hole and make the
 * program's fault go away.  So the preload library reserves address space at start (an
 * inaccessible mapping, which costs no memory) and its own mappings are placed inside it,
 * over the reservation, until it is used up; after that, and in every other process, these
 * are mmap() and munmap().  Async-signal-safe. */
#ifndef IOTRAP_COMMON_MAP_H
#define IOTRAP_COMMON_MAP_H

#include <stddef.h>
#include <sys/types.h>

/* Reserves `len` bytes, a multiple of the page size, for the mappings below (preload
 * library's constructor only). */
void iotrap__map_reserve(size_t len);
/* mmap(NULL, len, prot, flags, fd, off), placed in the reservation when there is room. */
void *iotrap__map(size_t len, int prot, int flags, int fd, off_t off);
/* munmap(); a range of the reservation goes back to it, not to the program. */
void iotrap__unmap(void *p, size_t len);

#endif
