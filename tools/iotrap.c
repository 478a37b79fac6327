/* The `iotrap` command: dispatches to one subcommand (tools/commands.h). */
#include <stdio.h>
#include <string.h>

#include <iotrap/iotrap.h>
#include "tools/child.h"
#include "tools/commands.h"

struct command {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *summary;
};

static const struct command commands[] = {
    { "run", iotrap__cmd_run, "run a program with its port I/O trapped and emulated" },
    { "decode", iotrap__cmd_decode, "decode port I/O instructions from hex bytes" },
    { "devices", iotrap__cmd_devices, "list the device models of the simulated board" },
    { "doctor", iotrap__cmd_doctor, "say which ways of reaching ports this machine allows" },
    { "wine", iotrap__cmd_wine, "run a Windows program under Wine with its port I/O emulated" },
    { "bench", iotrap__cmd_bench, "measure the cost of trapping and decoding" },
};

static void usage(FILE *f)
{
    fprintf(f, "Usage: iotrap COMMAND [ARGS...]\n"
               "Run legacy x86 port-I/O software unchanged and unprivileged.\n\nCommands:\n");
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "\n'iotrap COMMAND --help' describes a command; man iotrap(1) says more.\n"
               "Options: -h, --help: this text; -V, --version: the version.\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "-V") == 0) {
        printf("iotrap %s\n", iotrap_version());
        return 0;
    }
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        if (strcmp(cmd, commands[i].name) == 0)
            return iotrap__exit_like(commands[i].fn(argc - 1, argv + 1));
    fprintf(stderr, "iotrap: unknown command '%s' (try 'iotrap --help')\n", cmd);
    return 2;
}
