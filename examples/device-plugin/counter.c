/* A sample device plug-in: "counter@BASE[,start=N][,step=N]", two ports.
 *   +0  reads the counter, then advances it by the step; a write sets the counter;
 *   +1  reads and writes the step.
 * It shows the whole plug-in interface: options parsed per process (configure), the
 * power-on value taken from them (reset), byte accesses on shared state without
 * pointers, and registration from iotrap_device_plugin_init().
 *
 * Build it as a shared object that leaves the iotrap_* symbols undefined: the process
 * that loads it (the preload library, the iotrap command, libiotrap) provides them.
 *     cc -shared -fPIC -o counter.so counter.c -I<prefix>/include
 * Load it with  --device-plugin ./counter.so --device counter@0x240,start=5  (or
 * IOTRAP_DEVICE_PLUGINS / IOTRAP_DEVICES).  A run whose programs are of both bitnesses
 * needs a build of each, given as one file per bitness:
 *     cc -m32 -shared -fPIC -o counter32.so counter.c -I<prefix>/include
 *     iotrap run --device-plugin i386=./counter32.so --device-plugin x86_64=./counter.so \
 *         --device counter@0x240 -- ./program */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <iotrap/device.h>

/* Shared by every process of the run: plain bytes, no pointers. */
struct counter_state {
    uint8_t value;
    uint8_t step;
};

/* Private to each process, filled from the spec. */
struct counter_config {
    uint8_t start;
    uint8_t step;
    int step_set;
};

static int parse_byte(const char *key, const char *value, uint8_t *out, char *err,
                      size_t errlen)
{
    char *end;
    unsigned long v = strtoul(value, &end, 0);
    if (!*value || *end || v > 0xff) {
        snprintf(err, errlen, "bad value \"%s\" for option \"%s\" of counter (0..255)", value,
                 key);
        return IOTRAP_E_SYNTAX;
    }
    *out = (uint8_t)v;
    return IOTRAP_OK;
}

static int counter_configure(iotrap_device *dev, const char *key, const char *value, char *err,
                             size_t errlen)
{
    struct counter_config *c = dev->config;
    if (strcmp(key, "start") == 0)
        return parse_byte(key, value, &c->start, err, errlen);
    if (strcmp(key, "step") == 0) {
        c->step_set = 1;
        return parse_byte(key, value, &c->step, err, errlen);
    }
    snprintf(err, errlen, "unknown option \"%s\" for counter (known: start, step)", key);
    return IOTRAP_E_SYNTAX;
}

static void counter_reset(iotrap_device *dev)
{
    struct counter_state *s = dev->state;
    const struct counter_config *c = dev->config;
    s->value = c->start;
    s->step = c->step_set ? c->step : 1;
}

static uint8_t counter_read(iotrap_device *dev, uint32_t offset)
{
    struct counter_state *s = dev->state;
    if (offset == 1)
        return s->step;
    uint8_t v = s->value;
    s->value = (uint8_t)(v + s->step);
    return v;
}

static void counter_write(iotrap_device *dev, uint32_t offset, uint8_t value)
{
    struct counter_state *s = dev->state;
    if (offset == 1)
        s->step = value;
    else
        s->value = value;
}

static const iotrap_device_model counter_model = {
    .size = sizeof(iotrap_device_model),
    .name = "counter",
    .summary = "sample plug-in: a byte counter that advances on every read",
    .span = 2,
    .state_size = sizeof(struct counter_state),
    .config_size = sizeof(struct counter_config),
    .configure = counter_configure,
    .reset = counter_reset,
    .read = counter_read,
    .write = counter_write,
};

/* The one symbol the loader looks up.  Exported explicitly, in case the plug-in is
 * built with -fvisibility=hidden as this tree builds everything. */
__attribute__((visibility("default"))) int iotrap_device_plugin_init(void);

int iotrap_device_plugin_init(void)
{
    return iotrap_device_register(&counter_model);
}
