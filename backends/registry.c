/* Every backend compiled in, in the order `--backend auto` tries them: real ports
 * first (ppdev, direct ioperm, /dev/port, the iotrapd helper), the simulated board last,
 * since it always opens.  Adding a backend is one extern line and one table entry. */
#include <string.h>
#include "backends/backend.h"

extern const struct iotrap__backend iotrap__backend_sim;
extern const struct iotrap__backend iotrap__backend_ppdev;
extern const struct iotrap__backend iotrap__backend_direct;
extern const struct iotrap__backend iotrap__backend_devport;
extern const struct iotrap__backend iotrap__backend_helper;

const struct iotrap__backend *const iotrap__backends[] = {
    &iotrap__backend_ppdev,
    &iotrap__backend_direct,
    &iotrap__backend_devport,
    &iotrap__backend_helper,
    &iotrap__backend_sim,
    NULL,
};

const struct iotrap__backend *iotrap__backend_find(const struct iotrap__backend *const *table,
                                                   const char *name, size_t namelen)
{
    for (size_t i = 0; table[i]; i++) {
        const char *n = table[i]->name;
        if (strlen(n) == namelen && memcmp(n, name, namelen) == 0)
            return table[i];
    }
    return NULL;
}

size_t iotrap__backend_spec_split(const char *spec, const char **args)
{
    const char *colon = strchr(spec, ':');
    *args = colon ? colon + 1 : "";
    return colon ? (size_t)(colon - spec) : strlen(spec);
}
