/* The IOTRAP_* environment as a session configuration, for callers that need to adjust
 * it before opening (the trap engine opens its session quiet and reports denials itself). */
#ifndef IOTRAP_BACKENDS_ENV_H
#define IOTRAP_BACKENDS_ENV_H

#include <stddef.h>
#include <iotrap/ports.h>

typedef struct iotrap__env_config {
    iotrap_ports_config cfg;
    /* Storage behind cfg.devices and cfg.plugins. */
    char *dev_copy, *plug_copy;
    const char **devices, **plugins;
} iotrap__env_config;

/* Fills ec from IOTRAP_BACKEND, IOTRAP_ALLOW, IOTRAP_DEVICES, IOTRAP_DEVICE_PLUGINS,
 * IOTRAP_BOARD, IOTRAP_TRACE, IOTRAP_TRACE_FORMAT and IOTRAP_QUIET.  On success the
 * caller releases it with iotrap__env_config_free(). */
int iotrap__env_config_read(iotrap__env_config *ec, char *err, size_t errlen);
void iotrap__env_config_free(iotrap__env_config *ec);

#endif
