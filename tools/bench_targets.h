/* The string targets of `iotrap bench` (rep_ratios): one 4096-byte rep outsb against one
 * trapped outb at each kind of port a string may meet, on a board of the bench's own. */
#ifndef IOTRAP_TOOLS_BENCH_TARGETS_H
#define IOTRAP_TOOLS_BENCH_TARGETS_H

#include <stdio.h>

#define IOTRAP__BENCH_NTARGETS 5

/* rep_ratios' target: a 4096-byte string costs at most 3 trapped outb. */
#define IOTRAP__BENCH_REP_TARGET 3.0

/* One round's figures, in ns per instruction, and the byte each port read back. */
struct iotrap__bench_targets {
    double outb[IOTRAP__BENCH_NTARGETS], rep[IOTRAP__BENCH_NTARGETS];
    int back[IOTRAP__BENCH_NTARGETS];
};

/* The helper's NAME=PORT,... argument. */
const char *iotrap__bench_targets_arg(void);

/* The child's environment: `base` (NULL-terminated) plus the bench's board and its
 * plug-in, which lies beside `helper` (installed) or in its .libs (a build tree).  NULL
 * with a message on stderr when the plug-in is missing or memory is short.  Freed with
 * free(). */
char **iotrap__bench_targets_env(char *const *base, const char *helper);

/* Takes one "NAME_outb|NAME_rep|NAME_back VALUE" line of the helper; 1 if it was one. */
int iotrap__bench_targets_line(struct iotrap__bench_targets *t, const char *name, double v);

/* 0 when every port read back what its device must show after the string, else -1 with
 * a message on stderr. */
int iotrap__bench_targets_check(const struct iotrap__bench_targets *t);

/* Medians over `rounds` rounds (t[k] is round k): the ratio and the two times of each
 * target.  -1 with a message on stderr when a ratio could not be measured. */
struct iotrap__bench_targets_medians {
    double ratio[IOTRAP__BENCH_NTARGETS], outb[IOTRAP__BENCH_NTARGETS],
        rep[IOTRAP__BENCH_NTARGETS];
};
int iotrap__bench_targets_medians(const struct iotrap__bench_targets *const *t, int rounds,
                                  struct iotrap__bench_targets_medians *m);

/* The parts of `iotrap bench`'s output that are the targets': in JSON the top-level
 * members (each followed by a comma), the "ns" members (each preceded by one), the
 * "targets" member (preceded by one); in text, the lines of the table. */
enum iotrap__bench_targets_part { IOTRAP__BT_TOP, IOTRAP__BT_NS, IOTRAP__BT_VERDICT,
                                  IOTRAP__BT_TEXT };
void iotrap__bench_targets_print(const struct iotrap__bench_targets_medians *m,
                                 enum iotrap__bench_targets_part part, FILE *out);

#endif
