/* The IOTRAP_* environment as a session configuration, see env.h. */
#include <stdlib.h>
#include <string.h>
#include <iotrap/ports.h>
#include "common/parse.h"
#include "common/startup.h"
#include "session/env.h"
#include "session/session.h"

IOTRAP__STARTUP static const char *process_env(const char *name)
{
    return getenv(name);
}

/* A set variable's value; an empty one counts as unset. */
IOTRAP__STARTUP static const char *env(iotrap__env_get_fn *get, const char *name)
{
    const char *v = get(name);
    return v && *v ? v : NULL;
}

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Splits the variable `name` (when set) at `sep` into l; `what` names an item in the
 * message about a list without any. */
static int read_list(iotrap__env_get_fn *get, struct iotrap__env_list *l, const char *name,
                     char sep, const char *what, const char *hint, char *err, size_t errlen)
{
    const char *text = env(get, name);
    if (!text)
        return IOTRAP_OK;
    size_t n = 2;
    for (const char *s = text; *s; s++)
        n += *s == sep;
    l->copy = strdup(text);
    l->items = calloc(n, sizeof(*l->items));
    if (!l->copy || !l->items)
        return iotrap__err(err, errlen, IOTRAP_E_NOMEM, "out of memory");
    size_t k = 0;
    for (char *s = l->copy;;) {
        char *e = strchr(s, sep);
        if (e)
            *e = '\0';
        while (is_space(*s))
            s++;
        size_t len = strlen(s);
        while (len && is_space(s[len - 1]))
            s[--len] = '\0';
        if (len)
            l->items[k++] = s;
        if (!e)
            break;
        s = e + 1;
    }
    if (k == 0)
        return iotrap__err(err, errlen, IOTRAP_E_SYNTAX, "%s=\"%s\" holds no %s%s", name, text,
                           what, hint);
    return IOTRAP_OK;
}

static void free_list(struct iotrap__env_list *l)
{
    free(l->copy);
    free(l->items);
    l->copy = NULL;
    l->items = NULL;
}

IOTRAP__STARTUP
int iotrap__env_config_read(iotrap__env_config *ec, iotrap__env_get_fn *get, char *err,
                            size_t errlen)
{
    if (!get)
        get = process_env;
    memset(ec, 0, sizeof(*ec));
    iotrap_ports_config *cfg = &ec->cfg;
    cfg->size = sizeof(*cfg);
    cfg->backend = env(get, "IOTRAP_BACKEND");
    cfg->allow = env(get, "IOTRAP_ALLOW");
    cfg->board = env(get, "IOTRAP_BOARD");
    cfg->trace = env(get, "IOTRAP_TRACE");
    cfg->trace_format = env(get, "IOTRAP_TRACE_FORMAT");
    cfg->trace_ports = env(get, "IOTRAP_TRACE_PORTS");
    const char *quiet = env(get, "IOTRAP_QUIET");
    cfg->quiet = quiet && strcmp(quiet, "0") != 0;
    const char *summary = env(get, "IOTRAP_SUMMARY");
    ec->summary = summary && strcmp(summary, "0") != 0;
    ec->run = env(get, "IOTRAP_RUN");
    int rc;
    const char *max = env(get, "IOTRAP_TRACE_MAX");
    char why[256];
    if (max && (rc = iotrap__parse_size(max, &cfg->trace_max, why, sizeof why)) != IOTRAP_OK) {
        iotrap__err(err, errlen, rc, "IOTRAP_TRACE_MAX: %s", why);
        goto fail;
    }

    static const char *const no_devices[] = { NULL };
    const char *d = env(get, "IOTRAP_DEVICES");
    if (d && strcmp(d, "none") == 0) {
        cfg->devices = no_devices;
    } else if ((rc = read_list(get, &ec->devices, "IOTRAP_DEVICES", ';', "device spec",
                               " (use none for an empty board)", err, errlen)) != IOTRAP_OK) {
        goto fail;
    }
    if ((rc = read_list(get, &ec->plugins, "IOTRAP_DEVICE_PLUGINS", ':', "plug-in file", "", err,
                        errlen)) != IOTRAP_OK ||
        (rc = read_list(get, &ec->routes, "IOTRAP_ROUTES", ';', "route", "", err, errlen)) !=
            IOTRAP_OK ||
        (rc = read_list(get, &ec->remaps, "IOTRAP_REMAP", ';', "remap", "", err, errlen)) !=
            IOTRAP_OK)
        goto fail;
    if (ec->devices.items)
        cfg->devices = ec->devices.items;
    cfg->plugins = ec->plugins.items;
    cfg->routes = ec->routes.items;
    cfg->remaps = ec->remaps.items;
    return IOTRAP_OK;
fail:
    iotrap__env_config_free(ec);
    return rc;
}

void iotrap__env_config_free(iotrap__env_config *ec)
{
    free_list(&ec->devices);
    free_list(&ec->plugins);
    free_list(&ec->routes);
    free_list(&ec->remaps);
    memset(ec, 0, sizeof(*ec));
}

int iotrap__env_session_open(const iotrap__env_config *ec, iotrap_ports **out, char *err,
                             size_t errlen)
{
    iotrap__session_params sp = { .cfg = &ec->cfg, .run = ec->run };
    return iotrap__session_open(&sp, out, err, errlen);
}

int iotrap_ports_open_env(iotrap_ports **out, char *err, size_t errlen)
{
    iotrap__env_config ec;
    int rc = iotrap__env_config_read(&ec, NULL, err, errlen);
    if (rc < 0)
        return rc;
    rc = iotrap__env_session_open(&ec, out, err, errlen);
    iotrap__env_config_free(&ec);
    return rc;
}
