/* The program as the child of `iotrap run` and `iotrap wine`.  It does not outlive them,
 * and they end as it ended: with its exit status, or killed by its signal, so that their
 * own parent (a shell, a crash reporter, a supervisor) sees what it would see without
 * iotrap. */
#ifndef IOTRAP_TOOLS_CHILD_H
#define IOTRAP_TOOLS_CHILD_H

#include <sys/types.h>

/* In the child, before exec: SIGKILL when the launcher `parent` dies, which a launcher
 * killed with SIGKILL cannot pass on itself.  It survives exec (except of a set-user-ID
 * program, which iotrap cannot trap anyway). */
void iotrap__die_with_parent(pid_t parent);

/* A command's return value that means "die by signal N" (tools/commands.h). */
#define IOTRAP__DIE_BY(sig) (256 + (sig))

/* A waitpid() status as a command's return value: the exit status, or
 * IOTRAP__DIE_BY(signal). */
int iotrap__child_status(int wstatus);

/* Ends the process with `status` as a command returned it.  For IOTRAP__DIE_BY(N) the
 * process kills itself with N after disabling its own core dump (the program has made
 * its core already, where one was due); a signal it cannot die by gives 128+N. */
int iotrap__exit_like(int status);

#endif
