/* The port summary of a run, see run_summary.h. */
#include "tools/run_summary.h"

static const char *plural(uint32_t n, const char *one, const char *more)
{
    return n == 1 ? one : more;
}

void iotrap__run_summary_print(const iotrap__run_state *rs, FILE *f)
{
    if (!rs->ports)
        return;
    unsigned touched = 0;
    for (uint32_t port = 0; port < 65536; port++) {
        const struct iotrap__run_port *e = &rs->ports[port];
        uint32_t reads = __atomic_load_n(&e->reads, __ATOMIC_RELAXED);
        uint32_t writes = __atomic_load_n(&e->writes, __ATOMIC_RELAXED);
        uint32_t flags = __atomic_load_n(&e->flags, __ATOMIC_RELAXED);
        if (!reads && !writes)
            continue;
        if (!touched++)
            fprintf(f, "iotrap: summary of the ports the program touched:\n");
        fprintf(f, "iotrap:   0x%04x  %u %s, %u %s%s%s\n", (unsigned)port, reads,
                plural(reads, "read", "reads"), writes, plural(writes, "write", "writes"),
                flags & IOTRAP__RUN_NODEV ? ", no device" : "",
                flags & IOTRAP__RUN_DENIED ? ", denied" : "");
    }
    if (!touched)
        fprintf(f, "iotrap: summary: the program touched no port\n");
}
