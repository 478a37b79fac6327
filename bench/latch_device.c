/* The plug-in device `iotrap bench` puts on its board: "bench-latch@PORT", one byte latch
 * that reads back the last byte written.  It has no write_string member on purpose: it
 * stands for the plug-ins written before that member existed, whose strings take the
 * board's per-element path, so the bench times that path. */
#include <iotrap/device.h>

static uint8_t latch_read(iotrap_device *dev, uint32_t offset)
{
    (void)offset;
    return *(uint8_t *)dev->state;
}

static void latch_write(iotrap_device *dev, uint32_t offset, uint8_t value)
{
    (void)offset;
    *(uint8_t *)dev->state = value;
}

static const iotrap_device_model latch_model = {
    .size = sizeof(iotrap_device_model),
    .name = "bench-latch",
    .summary = "iotrap bench: a one-port latch without a string handler",
    .span = 1,
    .state_size = 1,
    .read = latch_read,
    .write = latch_write,
};

__attribute__((visibility("default"))) int iotrap_device_plugin_init(void);

int iotrap_device_plugin_init(void)
{
    return iotrap_device_register(&latch_model);
}
