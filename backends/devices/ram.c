/* ram@LO-HI (or ram@PORT): one byte latch per port; a read returns the last value
 * written (0 after reset).  Wider accesses reach consecutive latches little-endian
 * because the board splits them into bytes.  The state holds a latch for every
 * possible offset, so that one fixed state_size fits any window; the board file is
 * sparse, so untouched latches cost nothing. */
#include <string.h>
#include "backends/devices/devices.h"
#include "common/parse.h"

struct ram_state {
    uint8_t latch[65536];
};

static void ram_reset(iotrap_device *dev)
{
    memset(dev->state, 0, sizeof(struct ram_state));
}

static uint8_t ram_read(iotrap_device *dev, uint32_t offset)
{
    struct ram_state *s = dev->state;
    return s->latch[offset & 0xffff];
}

static void ram_write(iotrap_device *dev, uint32_t offset, uint8_t value)
{
    struct ram_state *s = dev->state;
    s->latch[offset & 0xffff] = value;
}

/* A string leaves a latch holding its last byte, as the byte writes would. */
static void ram_write_string(iotrap_device *dev, uint32_t offset, const uint8_t *bytes, size_t n)
{
    ram_write(dev, offset, bytes[n - 1]);
}

const iotrap_device_model iotrap__device_ram = {
    .size = sizeof(iotrap_device_model),
    .name = "ram",
    .summary = "byte latches over a port range (ram@LO-HI): reads return what was written",
    .span = 0,
    .state_size = sizeof(struct ram_state),
    .config_size = 0,
    .reset = ram_reset,
    .read = ram_read,
    .write = ram_write,
    .write_string = ram_write_string,
    .flags = IOTRAP_DEVICE_GENERAL_REGS,
};
