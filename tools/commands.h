/* The subcommands of the `iotrap` command.  Each takes the arguments after its own
 * name (argv[0] is the subcommand name) and returns the process exit status:
 * 0 success, 1 failure of the work asked for, 2 bad usage (a message names the bad part);
 * a command that runs a program returns the program's status, IOTRAP__DIE_BY(N) when a
 * signal killed it (tools/child.h). */
#ifndef IOTRAP_TOOLS_COMMANDS_H
#define IOTRAP_TOOLS_COMMANDS_H

int iotrap__cmd_run(int argc, char **argv);     /* tools/cmd_run.c */
int iotrap__cmd_decode(int argc, char **argv);  /* tools/cmd_decode.c */
int iotrap__cmd_doctor(int argc, char **argv);  /* tools/cmd_doctor.c */
int iotrap__cmd_bench(int argc, char **argv);   /* tools/cmd_bench.c */
int iotrap__cmd_devices(int argc, char **argv); /* tools/cmd_devices.c */

int iotrap__cmd_wine(int argc, char **argv);    /* tools/cmd_wine.c */

#endif
