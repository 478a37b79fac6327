/* What `iotrap bench` compares against, kept in one place so that the figures stay honest
 * when the decoder or the default board change. */
#ifndef IOTRAP_TOOLS_BENCH_CONFIG_H
#define IOTRAP_TOOLS_BENCH_CONFIG_H

/* The Capstone configuration the decoder itself uses, so that "Capstone alone" is the
 * same work the decoder delegates: decoder/cs_pool.c opens its handles without
 * CS_OPT_DETAIL (detail off), taking only the id and the size from Capstone. */
#define IOTRAP__BENCH_CS_DETAIL 0

/* A port that a trapped access may use freely: allowed (the sim backend allows all by
 * default) and claimed by no device of the default board (lpt@0x378, uart@0x3f8,
 * cmos@0x70), so that the board's dispatch, not a device model, is what is timed. */
#define IOTRAP__BENCH_PORT 0x80

#endif
