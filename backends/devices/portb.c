/* portb@BASE: system control port B of the PC (port 0x61), one port:
 *   read   bits 0-3 as last written; bit 4 the refresh toggle, which flips every
 *          15.085 us of host time (the refresh request of the AT's counter 1; programs
 *          busy-wait on it to pace short delays); bit 5 the OUT of the 8254's counter 2
 *          (0 when the board has no pit); bits 6-7 (IOCHK, SERR) 0: no errors;
 *   write  bit 0 the gate of counter 2, bit 1 speaker data enable, bits 2-3 the parity
 *          and channel check enables; bits 4-7 are ignored.
 * On real hardware this port also controls NMI sources; here it controls nothing else. */
#include <time.h>
#include "backends/devices/devices.h"

#define REFRESH_NS 15085

struct portb_state {
    uint8_t reg;
};

struct portb_config {
    iotrap_device *pit; /* the board's 8254, or NULL */
};

static int portb_start(iotrap_device *dev, char *err, size_t errlen)
{
    struct portb_config *c = dev->config;
    c->pit = iotrap__device_peer(dev, &iotrap__device_pit);
    return IOTRAP_OK;
}

static void portb_reset(iotrap_device *dev)
{
    struct portb_state *s = dev->state;
    const struct portb_config *c = dev->config;
    s->reg = 0;
    if (c->pit)
        iotrap__pit_set_gate2(c->pit, 0);
}

static uint8_t portb_read(iotrap_device *dev, uint32_t offset)
{
    const struct portb_state *s = dev->state;
    const struct portb_config *c = dev->config;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    int64_t ns = (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
    uint8_t v = s->reg & 0x0f;
    if ((ns / REFRESH_NS) & 1)
        v |= 0x10;
    if (c->pit && iotrap__pit_out2(c->pit))
        v |= 0x20;
    return v;
}

static void portb_write(iotrap_device *dev, uint32_t offset, uint8_t value)
{
    struct portb_state *s = dev->state;
    const struct portb_config *c = dev->config;
    s->reg = value & 0x0f;
    if (c->pit)
        iotrap__pit_set_gate2(c->pit, value & 1);
}

const iotrap_device_model iotrap__device_portb = {
    .size = sizeof(iotrap_device_model),
    .name = "portb",
    .summary = "system control port B (0x61): counter 2 gate and output, speaker enable, the "
               "15.085 us refresh toggle",
    .span = 1,
    .state_size = sizeof(struct portb_state),
    .config_size = sizeof(struct portb_config),
    .start = portb_start,
    .reset = portb_reset,
    .read = portb_read,
    .write = portb_write,
    .flags = IOTRAP_DEVICE_GENERAL_REGS,
};
