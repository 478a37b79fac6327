/* What `iotrap run --summary` prints when the program has ended. */
#ifndef IOTRAP_TOOLS_RUN_SUMMARY_H
#define IOTRAP_TOOLS_RUN_SUMMARY_H

#include <stdio.h>
#include "session/run_state.h"

/* One line per port the run's processes touched, in port order: its reads and writes
 * (string elements counted one by one) and "no device" or "denied" where that is what
 * happened to some access; each line starts with "iotrap: ". */
void iotrap__run_summary_print(const iotrap__run_state *rs, FILE *f);

#endif
