/* The decoder's functions on the path of a decode without its cache. */
#ifndef IOTRAP_DECODER_HOT_PATH_H
#define IOTRAP_DECODER_HOT_PATH_H

/* Their speed moved with where the code before them ended: one source built in two trees
 * measured decode_cold_ratio 1.17 and 1.28 (docs/performance.md).  Each starting on a
 * cache line of its own keeps its loops and branches where they were, whatever comes
 * before; Capstone's copy starts on a page of its own for the same reason. */
#define IOTRAP__DECODE_PATH __attribute__((aligned(64)))

#endif
