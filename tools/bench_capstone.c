/* The system's Capstone for `iotrap bench`, loaded on demand (tools/bench_capstone.h). */
#include <dlfcn.h>
#include <stdio.h>

#include "tools/bench_capstone.h"

#define STR(x) STR_(x)
#define STR_(x) #x
/* Debian's and upstream's soname: libcapstone.so.4 for 4.x, libcapstone.so.5 for 5.x. */
#define CAPSTONE_LIB "libcapstone.so." STR(CS_API_MAJOR)

int iotrap__capstone_load(struct iotrap__capstone_api *api, char *err, size_t errlen)
{
    void *lib = dlopen(CAPSTONE_LIB, RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        snprintf(err, errlen, "cannot load Capstone: %s", dlerror());
        return -1;
    }
    static const char *const names[] = { "cs_open", "cs_option", "cs_malloc",
                                         "cs_disasm_iter", "cs_free", "cs_close" };
    void *f[sizeof names / sizeof names[0]];
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        f[i] = dlsym(lib, names[i]);
        if (!f[i]) {
            snprintf(err, errlen, "%s has no %s", CAPSTONE_LIB, names[i]);
            dlclose(lib);
            return -1;
        }
    }
    api->open = (cs_err (*)(cs_arch, cs_mode, csh *))f[0];
    api->option = (cs_err (*)(csh, cs_opt_type, size_t))f[1];
    api->malloc = (cs_insn * (*)(csh)) f[2];
    api->disasm_iter =
        (bool (*)(csh, const uint8_t **, size_t *, uint64_t *, cs_insn *))f[3];
    api->free = (void (*)(cs_insn *, size_t))f[4];
    api->close = (cs_err (*)(csh *))f[5];
    return 0;
}
