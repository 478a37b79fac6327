/* sim: the simulated PC board (board.c) as a backend.  Asked to make the state a run
 * shares, it creates the run's board file; with cfg->board it attaches to it; without
 * either, it makes a private board that forked children share.  It takes no ARGS. */
#include <stdbool.h>
#include <string.h>
#include "backends/backend.h"
#include "backends/board.h"
#include "common/parse.h"

static int sim_open(struct iotrap__backend_instance *bi, const struct iotrap__backend_params *bp,
                    char *err, size_t errlen)
{
    const iotrap_ports_config *cfg = bp->cfg;
    if (*bp->args)
        return iotrap__err(err, errlen, IOTRAP_E_SYNTAX,
                           "backend sim takes no arguments (got \"%s\"); configure it with "
                           "--device", bp->args);
    if (bp->shared_path) {
        int rc = iotrap__board_open(bi->priv, cfg, IOTRAP__BOARD_CREATE, bp->shared_path,
                                    bp->shared_pathlen, err, errlen);
        if (rc != IOTRAP_OK && bp->shared_failed && ((iotrap__board *)bi->priv)->file_failed)
            *bp->shared_failed = true;
        if (rc != IOTRAP_OK)
            bp->shared_path[0] = '\0'; /* not made, or removed again */
        return rc;
    }
    return iotrap__board_open(bi->priv, cfg,
                              cfg->board ? IOTRAP__BOARD_ATTACH : IOTRAP__BOARD_PRIVATE, NULL, 0,
                              err, errlen);
}

static void sim_close(struct iotrap__backend_instance *bi)
{
    iotrap__board_close(bi->priv);
}

static int sim_in(struct iotrap__backend_instance *bi, uint16_t port, unsigned width,
                  uint32_t *value)
{
    return iotrap__board_in(bi->priv, port, width, value);
}

static int sim_out(struct iotrap__backend_instance *bi, uint16_t port, unsigned width,
                   uint32_t value)
{
    return iotrap__board_out(bi->priv, port, width, value);
}

static int sim_in_string(struct iotrap__backend_instance *bi, uint16_t port, unsigned width,
                         void *buf, size_t count)
{
    return iotrap__board_in_string(bi->priv, port, width, buf, count);
}

static int sim_out_string(struct iotrap__backend_instance *bi, uint16_t port, unsigned width,
                          const void *buf, size_t count)
{
    return iotrap__board_out_string(bi->priv, port, width, buf, count);
}

static int sim_describe(struct iotrap__backend_instance *bi, uint16_t port,
                        const iotrap_device_lines **lines)
{
    return iotrap__board_device_at(bi->priv, port, lines) != NULL;
}

static int sim_general_regs(struct iotrap__backend_instance *bi, uint16_t port)
{
    return iotrap__board_general_regs(bi->priv, port);
}

const struct iotrap__backend iotrap__backend_sim = {
    .name = "sim",
    .summary = "simulated PC board (timer, CMOS/RTC, LPT, 16550 UART, PCI configuration, "
               "plug-in devices) shared by every process of a run",
    .caps = IOTRAP__CAP_SHARED | IOTRAP__CAP_OPEN_BUS,
    .priv_size = sizeof(iotrap__board),
    .open = sim_open,
    .close = sim_close,
    .in = sim_in,
    .out = sim_out,
    .in_string = sim_in_string,
    .out_string = sim_out_string,
    .describe = sim_describe,
    .general_regs = sim_general_regs,
};
