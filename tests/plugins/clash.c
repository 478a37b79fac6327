/* A broken plug-in for the tests: it tries to register a model under a built-in's name,
 * so its iotrap_device_plugin_init() fails and loading it must report that. */
#include <iotrap/device.h>

static uint8_t clash_read(iotrap_device *dev, uint32_t offset)
{
    return 0;
}

static void clash_write(iotrap_device *dev, uint32_t offset, uint8_t value)
{
}

static const iotrap_device_model clash_model = {
    .size = sizeof(iotrap_device_model),
    .name = "lpt",
    .summary = "test: a name that is taken",
    .span = 1,
    .read = clash_read,
    .write = clash_write,
};

__attribute__((visibility("default"))) int iotrap_device_plugin_init(void);

int iotrap_device_plugin_init(void)
{
    return iotrap_device_register(&clash_model);
}
