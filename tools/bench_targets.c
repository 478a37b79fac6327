/* The string targets of `iotrap bench`, see bench_targets.h. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench/timing.h"
#include "tools/bench_targets.h"

#define PLUGIN "iotrap-bench-latch.so"
#define REP_LAST 0xA5 /* the last byte of the helper's string */

/* Each target's port, and the byte an `in` there must read after the string: a latch
 * shows the string's last byte, the open bus 0xFF; the uart's receiver buffer (its
 * transmitter's port, read) has nothing to do with the string, so any byte passes. */
static const struct target {
    const char *name;
    const char *port;
    int back;
} targets[IOTRAP__BENCH_NTARGETS] = {
    { "ram", "0x300", REP_LAST },
    { "lpt_data", "0x378", REP_LAST },
    { "uart_tx", "0x3f8", -1 },
    { "unclaimed", "0x80", 0xFF },
    { "plugin", "0x310", REP_LAST },
};

/* The board: one device at each target port but the unclaimed one. */
#define BOARD "ram@0x300-0x307;lpt@0x378;uart@0x3f8;bench-latch@0x310"

const char *iotrap__bench_targets_arg(void)
{
    return "ram=0x300,lpt_data=0x378,uart_tx=0x3f8,unclaimed=0x80,plugin=0x310";
}

char **iotrap__bench_targets_env(char *const *base, const char *helper)
{
    static char plugins[4096 + 32];
    const char *slash = strrchr(helper, '/');
    int dirlen = slash ? (int)(slash - helper) : 1;
    const char *dir = slash ? helper : ".";
    int n = snprintf(plugins, sizeof plugins, "IOTRAP_DEVICE_PLUGINS=%.*s/" PLUGIN, dirlen,
                     dir);
    if (n > 0 && (size_t)n < sizeof plugins && access(strchr(plugins, '=') + 1, R_OK) != 0)
        n = snprintf(plugins, sizeof plugins, "IOTRAP_DEVICE_PLUGINS=%.*s/.libs/" PLUGIN,
                     dirlen, dir);
    if (n <= 0 || (size_t)n >= sizeof plugins || access(strchr(plugins, '=') + 1, R_OK) != 0) {
        fprintf(stderr, "iotrap bench: cannot find the bench's device plug-in %s beside %s\n",
                PLUGIN, helper);
        return NULL;
    }
    size_t m = 0;
    while (base[m])
        m++;
    char **env = calloc(m + 3, sizeof *env);
    if (!env) {
        fprintf(stderr, "iotrap bench: out of memory\n");
        return NULL;
    }
    memcpy(env, base, m * sizeof *env);
    env[m] = plugins;
    env[m + 1] = "IOTRAP_DEVICES=" BOARD;
    return env;
}

int iotrap__bench_targets_line(struct iotrap__bench_targets *t, const char *name, double v)
{
    for (int i = 0; i < IOTRAP__BENCH_NTARGETS; i++) {
        size_t len = strlen(targets[i].name);
        if (strncmp(name, targets[i].name, len) != 0 || name[len] != '_')
            continue;
        const char *what = name + len + 1;
        if (strcmp(what, "outb") == 0)
            t->outb[i] = v;
        else if (strcmp(what, "rep") == 0)
            t->rep[i] = v;
        else if (strcmp(what, "back") == 0)
            t->back[i] = (int)v;
        else
            return 0;
        return 1;
    }
    return 0;
}

int iotrap__bench_targets_check(const struct iotrap__bench_targets *t)
{
    for (int i = 0; i < IOTRAP__BENCH_NTARGETS; i++)
        if (targets[i].back >= 0 && t->back[i] != targets[i].back) {
            fprintf(stderr, "iotrap bench: port %s (%s) read back 0x%02x after the string, "
                    "not 0x%02x: the bench's board is not what it configured\n",
                    targets[i].port, targets[i].name, (unsigned)t->back[i],
                    (unsigned)targets[i].back);
            return -1;
        }
    return 0;
}

int iotrap__bench_targets_medians(const struct iotrap__bench_targets *const *t, int rounds,
                                  struct iotrap__bench_targets_medians *m)
{
    double v[rounds > 0 ? rounds : 1];
    for (int i = 0; i < IOTRAP__BENCH_NTARGETS; i++) {
        for (int k = 0; k < rounds; k++)
            v[k] = t[k]->rep[i] / t[k]->outb[i];
        m->ratio[i] = iotrap__median(v, rounds);
        for (int k = 0; k < rounds; k++)
            v[k] = t[k]->outb[i];
        m->outb[i] = iotrap__median(v, rounds);
        for (int k = 0; k < rounds; k++)
            v[k] = t[k]->rep[i];
        m->rep[i] = iotrap__median(v, rounds);
        /* A zero time (a clock that did not move) would print inf, which is not JSON. */
        if (!isfinite(m->ratio[i]) || m->ratio[i] <= 0) {
            fprintf(stderr, "iotrap bench: rep_ratios.%s could not be measured (%g)\n",
                    targets[i].name, m->ratio[i]);
            return -1;
        }
    }
    return 0;
}

void iotrap__bench_targets_print(const struct iotrap__bench_targets_medians *m,
                                 enum iotrap__bench_targets_part part, FILE *out)
{
    const double max = IOTRAP__BENCH_REP_TARGET;
    const int n = IOTRAP__BENCH_NTARGETS;
    switch (part) {
    case IOTRAP__BT_TOP:
        fprintf(out, "\"rep_ratios\":{");
        for (int i = 0; i < n; i++)
            fprintf(out, "%s\"%s\":%.4f", i ? "," : "", targets[i].name, m->ratio[i]);
        fprintf(out, "},\"rep_ports\":{");
        for (int i = 0; i < n; i++)
            fprintf(out, "%s\"%s\":\"%s\"", i ? "," : "", targets[i].name, targets[i].port);
        fprintf(out, "},\"rep_board\":\"%s\",", BOARD);
        break;
    case IOTRAP__BT_NS:
        for (int i = 0; i < n; i++)
            fprintf(out, ",\"trapped_outb_%s\":%.1f,\"rep_outsb_4096_%s\":%.1f",
                    targets[i].name, m->outb[i], targets[i].name, m->rep[i]);
        break;
    case IOTRAP__BT_VERDICT:
        fprintf(out, ",\"rep_ratios\":{");
        for (int i = 0; i < n; i++)
            fprintf(out, "%s\"%s\":{\"max\":%.2f,\"pass\":%s}", i ? "," : "", targets[i].name,
                    max, m->ratio[i] <= max ? "true" : "false");
        fprintf(out, "}");
        break;
    case IOTRAP__BT_TEXT:
        fprintf(out, "\nrep outsb x4096 / trapped outb, per target (board %s):\n", BOARD);
        fprintf(out, "%-20s %-8s %10s %10s %8s %9s  %s\n", "target", "port", "outb ns",
                "rep ns", "value", "target", "result");
        for (int i = 0; i < n; i++)
            fprintf(out, "%-20s %-8s %10.1f %10.1f %8.3f %2s %6.2f  %s\n", targets[i].name,
                    targets[i].port, m->outb[i], m->rep[i], m->ratio[i], "<=", max,
                    m->ratio[i] <= max ? "pass" : "FAIL");
        break;
    }
}
