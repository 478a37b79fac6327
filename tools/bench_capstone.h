/* The system's Capstone, the baseline of `iotrap bench`, loaded with dlopen by the bench
 * alone: the `iotrap` launcher does not link it, so that `iotrap run` does not pay for
 * mapping and relocating all of Capstone's architectures (docs/performance.md,
 * "Start-up").  The decoder itself uses its private copy (docs/decoder.md). */
#ifndef IOTRAP_TOOLS_BENCH_CAPSTONE_H
#define IOTRAP_TOOLS_BENCH_CAPSTONE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <capstone/capstone.h>

/* The functions of Capstone's API the bench calls, named as in the API without "cs_". */
struct iotrap__capstone_api {
    cs_err (*open)(cs_arch arch, cs_mode mode, csh *handle);
    cs_err (*option)(csh handle, cs_opt_type type, size_t value);
    cs_insn *(*malloc)(csh handle);
    bool (*disasm_iter)(csh handle, const uint8_t **code, size_t *size, uint64_t *address,
                        cs_insn *insn);
    void (*free)(cs_insn *insn, size_t count);
    cs_err (*close)(csh *handle);
};

/* Loads the Capstone whose headers the bench was built with (its soname carries the API's
 * major version).  0, or -1 with a message naming the library or function in err. */
int iotrap__capstone_load(struct iotrap__capstone_api *api, char *err, size_t errlen);

#endif
