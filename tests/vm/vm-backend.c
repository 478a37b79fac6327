/* Drives one real-port backend through its vtable, with no trap engine and no session
 * layer in between, and prints the same transcript as `vm-prog lptuart`:
 *   vm-backend NAME[:ARGS] lptuart lpt|uart|all
 *   vm-backend NAME[:ARGS] epp        reads the EPP registers BASE+3 and BASE+4
 * Used in the guest to prove each backend against native access on QEMU's devices.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "backends/backend.h"
#include "vm_seq.h"

extern const struct iotrap__backend iotrap__backend_direct;
extern const struct iotrap__backend iotrap__backend_devport;
extern const struct iotrap__backend iotrap__backend_ppdev;
extern const struct iotrap__backend iotrap__backend_helper;

static struct iotrap__backend_instance inst;

static void fail(const char *what, int rc)
{
    fprintf(stderr, "vm-backend: %s failed: %s\n", what, iotrap_strerror(rc));
    exit(1);
}

static uint32_t vm_raw_in(unsigned port, unsigned width)
{
    uint32_t v = 0;
    int rc = inst.backend->in(&inst, (uint16_t)port, width, &v);
    if (rc != IOTRAP_OK)
        fail("in", rc);
    return v;
}

static void vm_raw_out(unsigned port, unsigned width, uint32_t v)
{
    int rc = inst.backend->out(&inst, (uint16_t)port, width, v);
    if (rc != IOTRAP_OK)
        fail("out", rc);
}

int main(int argc, char **argv)
{
    static const struct iotrap__backend *const all[] = {
        &iotrap__backend_direct, &iotrap__backend_devport, &iotrap__backend_ppdev,
        &iotrap__backend_helper,
    };
    setvbuf(stdout, NULL, _IOLBF, 0);
    int epp = argc == 3 && strcmp(argv[2], "epp") == 0;
    if (!epp && (argc != 4 || strcmp(argv[2], "lptuart") != 0)) {
        fprintf(stderr, "usage: vm-backend NAME[:ARGS] lptuart lpt|uart|all | epp\n");
        return 2;
    }
    const char *colon = strchr(argv[1], ':');
    size_t nlen = colon ? (size_t)(colon - argv[1]) : strlen(argv[1]);
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        if (strlen(all[i]->name) == nlen && strncmp(all[i]->name, argv[1], nlen) == 0)
            inst.backend = all[i];
    if (!inst.backend) {
        fprintf(stderr, "vm-backend: no backend '%.*s'\n", (int)nlen, argv[1]);
        return 2;
    }
    inst.priv = calloc(1, inst.backend->priv_size ? inst.backend->priv_size : 1);
    char why[256] = "";
    iotrap_ports_config cfg = {.size = sizeof(cfg), .backend = argv[1]};
    const char *args = colon ? colon + 1 : "";
    if (inst.backend->probe) {
        int rc = inst.backend->probe(args, why, sizeof why);
        fprintf(stderr, "probe: %s: %s\n", iotrap_status_name(rc), why);
    }
    struct iotrap__backend_params bp = {.args = args, .route_first = -1, .cfg = &cfg};
    int rc = inst.backend->open(&inst, &bp, why, sizeof why);
    if (rc != IOTRAP_OK) {
        fprintf(stderr, "vm-backend: open: %s\n", why);
        return 1;
    }
    if (inst.backend->grant) {
        iotrap__portset native, reach;
        iotrap__portset_clear(&native);
        iotrap__portset_clear(&reach);
        iotrap__portset_add(&native, 0x378, 0x37f);
        iotrap__portset_add(&native, 0x3f8, 0x3ff);
        if ((rc = inst.backend->grant(&inst, &native, &reach, why, sizeof why)) != IOTRAP_OK) {
            fprintf(stderr, "vm-backend: grant: %s\n", why);
            return 1;
        }
    }
    if (epp) {
        /* Reads only: the EPP address and data registers. */
        printf("epp addr %02x\n", vm_raw_in(0x37b, 1));
        printf("epp data %02x\n", vm_raw_in(0x37c, 1));
        return 0;
    }
    if (strcmp(argv[3], "lpt") == 0 || strcmp(argv[3], "all") == 0)
        seq_lpt();
    if (strcmp(argv[3], "uart") == 0 || strcmp(argv[3], "all") == 0)
        seq_uart();
    printf("reads %u\n", nread);
    if (inst.backend->close)
        inst.backend->close(&inst);
    return 0;
}
