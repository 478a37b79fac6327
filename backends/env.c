/* iotrap_ports_open_env(): a session configured from the environment, which is how
 * `iotrap run` hands its options to every process of the run. */
#include <stdlib.h>
#include <string.h>
#include "backends/env.h"
#include "common/parse.h"
#include <iotrap/ports.h>

static const char *env(const char *name)
{
    const char *v = getenv(name);
    return v && *v ? v : NULL;
}

/* Splits a copy of `text` at `sep` into a NULL-terminated array; empty items (from a
 * trailing separator, say) are skipped.  *copy receives the buffer to free. */
static const char **split(const char *text, char sep, char **copy)
{
    *copy = strdup(text);
    if (!*copy)
        return NULL;
    size_t n = 2;
    for (const char *s = text; *s; s++)
        n += *s == sep;
    const char **v = calloc(n, sizeof(*v));
    if (!v) {
        free(*copy);
        *copy = NULL;
        return NULL;
    }
    size_t k = 0;
    char *s = *copy;
    for (;;) {
        char *e = strchr(s, sep);
        if (e)
            *e = '\0';
        if (*s)
            v[k++] = s;
        if (!e)
            break;
        s = e + 1;
    }
    v[k] = NULL;
    return v;
}

int iotrap__env_config_read(iotrap__env_config *ec, char *err, size_t errlen)
{
    memset(ec, 0, sizeof(*ec));
    iotrap_ports_config *cfg = &ec->cfg;
    cfg->backend = env("IOTRAP_BACKEND");
    cfg->allow = env("IOTRAP_ALLOW");
    cfg->board = env("IOTRAP_BOARD");
    cfg->trace = env("IOTRAP_TRACE");
    cfg->trace_format = env("IOTRAP_TRACE_FORMAT");
    const char *quiet = env("IOTRAP_QUIET");
    cfg->quiet = quiet && strcmp(quiet, "0") != 0;

    static const char *const no_devices[] = { NULL };
    const char *d = env("IOTRAP_DEVICES");
    const char *pl = env("IOTRAP_DEVICE_PLUGINS");
    if (d && strcmp(d, "none") == 0) {
        cfg->devices = no_devices;
    } else if (d) {
        if (!(ec->devices = split(d, ';', &ec->dev_copy)))
            goto nomem;
        cfg->devices = ec->devices;
    }
    if (pl) {
        if (!(ec->plugins = split(pl, ':', &ec->plug_copy)))
            goto nomem;
        cfg->plugins = ec->plugins;
    }
    return IOTRAP_OK;
nomem:
    iotrap__env_config_free(ec);
    return iotrap__err(err, errlen, IOTRAP_E_NOMEM, "out of memory");
}

void iotrap__env_config_free(iotrap__env_config *ec)
{
    free(ec->devices);
    free(ec->dev_copy);
    free(ec->plugins);
    free(ec->plug_copy);
    memset(ec, 0, sizeof(*ec));
}

int iotrap_ports_open_env(iotrap_ports **out, char *err, size_t errlen)
{
    iotrap__env_config ec;
    int rc = iotrap__env_config_read(&ec, err, errlen);
    if (rc < 0)
        return rc;
    rc = iotrap_ports_open(&ec.cfg, out, err, errlen);
    iotrap__env_config_free(&ec);
    return rc;
}
