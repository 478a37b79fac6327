/* iotrap_ports_open_env(): a session configured from the environment, which is how
 * `iotrap run` hands its options to every process of the run. */
#include <stdlib.h>
#include <string.h>
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

int iotrap_ports_open_env(iotrap_ports **out, char *err, size_t errlen)
{
    iotrap_ports_config cfg;
    memset(&cfg, 0, sizeof(cfg));
    cfg.backend = env("IOTRAP_BACKEND");
    cfg.allow = env("IOTRAP_ALLOW");
    cfg.board = env("IOTRAP_BOARD");
    cfg.trace = env("IOTRAP_TRACE");
    cfg.trace_format = env("IOTRAP_TRACE_FORMAT");
    const char *quiet = env("IOTRAP_QUIET");
    cfg.quiet = quiet && strcmp(quiet, "0") != 0;

    char *dev_copy = NULL, *plug_copy = NULL;
    const char **devices = NULL, **plugins = NULL;
    const char *d = env("IOTRAP_DEVICES");
    const char *pl = env("IOTRAP_DEVICE_PLUGINS");
    static const char *const no_devices[] = { NULL };
    int rc;
    if (d && strcmp(d, "none") == 0) {
        cfg.devices = no_devices;
    } else if (d) {
        if (!(devices = split(d, ';', &dev_copy))) {
            rc = iotrap__err(err, errlen, IOTRAP_E_NOMEM, "out of memory");
            goto out;
        }
        cfg.devices = devices;
    }
    if (pl) {
        if (!(plugins = split(pl, ':', &plug_copy))) {
            rc = iotrap__err(err, errlen, IOTRAP_E_NOMEM, "out of memory");
            goto out;
        }
        cfg.plugins = plugins;
    }
    rc = iotrap_ports_open(&cfg, out, err, errlen);
out:
    free(devices);
    free(dev_copy);
    free(plugins);
    free(plug_copy);
    return rc;
}
