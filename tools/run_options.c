/* Parsing the options of `iotrap run` and mapping them to environment variables. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/parse.h"
#include "tools/run_options.h"

static int fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return -1;
}

enum opt_id { OPT_BACKEND, OPT_ROUTE, OPT_REMAP, OPT_ALLOW, OPT_DEVICE, OPT_PLUGIN, OPT_TRACE,
              OPT_TRACE_FORMAT, OPT_TRACE_PORTS, OPT_TRACE_MAX, OPT_SUMMARY, OPT_PATCH,
              OPT_QUIET, OPT_HELP };

struct opt_def {
    const char *name;  /* without the leading "--" */
    char short_name;   /* 0: none */
    enum opt_id id;
    const char *arg;   /* what the value looks like; NULL for a flag */
};

static const struct opt_def opt_defs[] = {
    { "backend", 0, OPT_BACKEND, "NAME[:ARGS]" },
    { "route", 0, OPT_ROUTE, "PORTS=NAME[:ARGS]" },
    { "remap", 0, OPT_REMAP, "PORTS=TARGET" },
    { "allow", 0, OPT_ALLOW, "PORTS" },
    { "device", 0, OPT_DEVICE, "SPEC" },
    { "device-plugin", 0, OPT_PLUGIN, "FILE" },
    { "trace", 0, OPT_TRACE, "FILE|-" },
    { "trace-format", 0, OPT_TRACE_FORMAT, "text|jsonl|vcd" },
    { "trace-ports", 0, OPT_TRACE_PORTS, "PORTS" },
    { "trace-max", 0, OPT_TRACE_MAX, "SIZE" },
    { "summary", 0, OPT_SUMMARY, NULL },
    { "patch", 0, OPT_PATCH, "auto|on|off" },
    { "quiet", 'q', OPT_QUIET, NULL },
    { "help", 'h', OPT_HELP, NULL },
};

static const struct opt_def *find_long(const char *name, size_t len)
{
    for (size_t i = 0; i < sizeof(opt_defs) / sizeof(opt_defs[0]); i++)
        if (strlen(opt_defs[i].name) == len && strncmp(opt_defs[i].name, name, len) == 0)
            return &opt_defs[i];
    return NULL;
}

static const struct opt_def *find_short(char c)
{
    for (size_t i = 0; i < sizeof(opt_defs) / sizeof(opt_defs[0]); i++)
        if (opt_defs[i].short_name == c)
            return &opt_defs[i];
    return NULL;
}

/* Stores a single-valued option, refusing a second occurrence: silently letting the
 * last one win would hide a mistake in a long command line. */
static int set_once(const char **slot, const char *value, const struct opt_def *d,
                    char *err, size_t errlen)
{
    if (*slot)
        return fail(err, errlen, "option '--%s' given twice ('%s' and '%s')", d->name, *slot,
                    value);
    *slot = value;
    return 0;
}

static int apply(iotrap__run_options *o, const struct opt_def *d, const char *value,
                 char *err, size_t errlen)
{
    if (value && !*value)
        return fail(err, errlen, "option '--%s' has an empty value (expected %s)", d->name,
                    d->arg);
    switch (d->id) {
    case OPT_BACKEND:
        return set_once(&o->backend, value, d, err, errlen);
    case OPT_ALLOW:
        return set_once(&o->allow, value, d, err, errlen);
    case OPT_TRACE:
        return set_once(&o->trace, value, d, err, errlen);
    case OPT_TRACE_FORMAT:
        if (strcmp(value, "text") != 0 && strcmp(value, "jsonl") != 0 &&
            strcmp(value, "vcd") != 0)
            return fail(err, errlen, "bad value '%s' for '--trace-format': use text, jsonl or "
                        "vcd", value);
        return set_once(&o->trace_format, value, d, err, errlen);
    case OPT_TRACE_PORTS:
        return set_once(&o->trace_ports, value, d, err, errlen);
    case OPT_TRACE_MAX: {
        uint64_t size;
        char why[200];
        if (iotrap__parse_size(value, &size, why, sizeof why) != 0)
            return fail(err, errlen, "bad value for '--trace-max': %s", why);
        return set_once(&o->trace_max, value, d, err, errlen);
    }
    case OPT_SUMMARY:
        o->summary = 1;
        return 0;
    case OPT_PATCH:
        if (!iotrap__run_patch_valid(value))
            return fail(err, errlen, "bad value '%s' for '--patch': use auto, on or off", value);
        return set_once(&o->patch, value, d, err, errlen);
    case OPT_ROUTE:
        o->routes[o->nroutes++] = value;
        return 0;
    case OPT_REMAP:
        o->remaps[o->nremaps++] = value;
        return 0;
    case OPT_DEVICE:
        o->devices[o->ndevices++] = value;
        return 0;
    case OPT_PLUGIN:
        o->plugins[o->nplugins++] = value;
        return 0;
    case OPT_QUIET:
        o->quiet = 1;
        return 0;
    case OPT_HELP:
        o->help = 1;
        return 0;
    }
    return fail(err, errlen, "internal error: option '--%s' not handled", d->name);
}

int iotrap__run_patch_valid(const char *value)
{
    return strcmp(value, "auto") == 0 || strcmp(value, "on") == 0 || strcmp(value, "off") == 0;
}

int iotrap__run_parse(int argc, char **argv, int need_program, iotrap__run_options *o,
                      char *err, size_t errlen)
{
    memset(o, 0, sizeof(*o));
    /* Each repeatable option takes at least one argument, so argc bounds both lists. */
    o->devices = calloc((size_t)argc + 1, sizeof(*o->devices));
    o->plugins = calloc((size_t)argc + 1, sizeof(*o->plugins));
    o->routes = calloc((size_t)argc + 1, sizeof(*o->routes));
    o->remaps = calloc((size_t)argc + 1, sizeof(*o->remaps));
    if (!o->devices || !o->plugins || !o->routes || !o->remaps) {
        iotrap__run_options_free(o);
        return fail(err, errlen, "out of memory");
    }

    int i = 1;
    while (i < argc) {
        const char *a = argv[i];
        const struct opt_def *d;
        const char *value = NULL;
        int inline_value = 0;

        if (strcmp(a, "--") == 0) {
            i++;
            break;
        }
        if (a[0] != '-' || a[1] == '\0')
            break; /* the program: "-" alone is a (strange) file name, not an option */
        if (a[1] == '-') {
            const char *name = a + 2;
            const char *eq = strchr(name, '=');
            size_t len = eq ? (size_t)(eq - name) : strlen(name);
            d = find_long(name, len);
            if (!d)
                goto bad;
            if (eq) {
                value = eq + 1;
                inline_value = 1;
            }
        } else {
            if (a[2] != '\0' || !(d = find_short(a[1])))
                goto bad;
        }
        if (d->arg && !inline_value) {
            /* "--backend -- prog": the "--" ends the options, it is not a backend. */
            if (i + 1 >= argc || strcmp(argv[i + 1], "--") == 0)
                goto bad_missing;
            value = argv[++i];
        } else if (!d->arg && inline_value) {
            goto bad_flag;
        }
        if (apply(o, d, value, err, errlen) < 0)
            goto out_fail;
        i++;
        continue;

    bad:
        fail(err, errlen, "unknown option '%s' (see --help)", a);
        goto out_fail;
    bad_missing:
        fail(err, errlen, "option '--%s' needs a value (%s)", d->name, d->arg);
        goto out_fail;
    bad_flag:
        fail(err, errlen, "option '--%s' takes no value", d->name);
        goto out_fail;
    }

    o->program = argv + i;
    if (o->help || (!need_program && i >= argc))
        return 0;
    if (i >= argc) {
        fail(err, errlen, "no program given: iotrap run [OPTIONS] -- PROGRAM [ARGS]");
        goto out_fail;
    }
    if (argv[i][0] == '\0') {
        fail(err, errlen, "the program name is empty");
        goto out_fail;
    }
    return 0;

out_fail:
    iotrap__run_options_free(o);
    return -1;
}

void iotrap__run_options_free(iotrap__run_options *o)
{
    free(o->devices);
    free(o->plugins);
    free(o->routes);
    free(o->remaps);
    o->devices = o->plugins = o->routes = o->remaps = NULL;
    o->ndevices = o->nplugins = o->nroutes = o->nremaps = 0;
}

/* A path made absolute against the current directory, because the program may change
 * directory before the preload library opens it, and because dlopen() of a name without
 * a slash searches the library path instead of the current directory. */
static char *absolute(const char *path, char *err, size_t errlen)
{
    char *r;
    if (path[0] == '/') {
        r = strdup(path);
    } else {
        char *cwd = getcwd(NULL, 0);
        if (!cwd) {
            fail(err, errlen, "cannot make '%s' absolute: getcwd: %s", path, strerror(errno));
            return NULL;
        }
        while (path[0] == '.' && path[1] == '/') /* "./x" is "x" */
            for (path += 2; *path == '/';)
                path++;
        if (asprintf(&r, "%s/%s", cwd, path) < 0)
            r = NULL;
        free(cwd);
    }
    if (!r)
        fail(err, errlen, "out of memory");
    return r;
}

/* A plug-in item with its file made absolute, its "i386=" or "x86_64=" kept. */
static char *absolute_plugin(const char *item, char *err, size_t errlen)
{
    const char *file;
    iotrap__plugin_item(item, &file);
    char *abs = absolute(file, err, errlen);
    char *r = NULL;
    if (abs && asprintf(&r, "%.*s%s", (int)(file - item), item, abs) < 0) {
        r = NULL;
        fail(err, errlen, "out of memory");
    }
    free(abs);
    return r;
}

/* Joins the list with `sep`, refusing an element that contains the separator: the
 * preload library would split it in two.  With plugin_items, the items are plug-in items
 * whose files are made absolute. */
static char *join(const char **list, size_t n, char sep, int plugin_items, const char *what,
                  const char *option, char *err, size_t errlen)
{
    size_t total = 1;
    char **parts = calloc(n ? n : 1, sizeof(*parts));
    char *r = NULL;
    if (!parts) {
        fail(err, errlen, "out of memory");
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        if (strchr(list[i], sep)) {
            fail(err, errlen, "%s '%s' contains '%c', which separates the list passed to the "
                 "preload library: give each one its own '%s'", what, list[i], sep, option);
            goto out;
        }
        parts[i] = plugin_items ? absolute_plugin(list[i], err, errlen) : strdup(list[i]);
        if (!parts[i]) {
            if (!plugin_items)
                fail(err, errlen, "out of memory");
            goto out;
        }
        if (plugin_items && strchr(parts[i], sep)) {
            fail(err, errlen, "%s '%s' contains '%c' once made absolute ('%s')", what, list[i],
                 sep, parts[i]);
            goto out;
        }
        total += strlen(parts[i]) + 1;
    }
    r = malloc(total);
    if (!r) {
        fail(err, errlen, "out of memory");
        goto out;
    }
    r[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        if (i)
            strncat(r, &sep, 1);
        strcat(r, parts[i]);
    }
out:
    for (size_t i = 0; i < n; i++)
        free(parts[i]);
    free(parts);
    return r;
}

int iotrap__run_env(const iotrap__run_options *o, iotrap__env_var vars[IOTRAP__RUN_ENV_MAX],
                    char *err, size_t errlen)
{
    int n = 0;
    if (err && errlen)
        err[0] = '\0';
#define ADD(NAME, EXPR)                                                                      \
    do {                                                                                     \
        char *v_ = (EXPR);                                                                   \
        if (!v_)                                                                             \
            goto out_fail;                                                                   \
        vars[n].name = (NAME);                                                               \
        vars[n++].value = v_;                                                                \
    } while (0)

    if (o->backend)
        ADD("IOTRAP_BACKEND", strdup(o->backend));
    if (o->nroutes)
        ADD("IOTRAP_ROUTES", join(o->routes, o->nroutes, ';', 0, "route", "--route", err,
                                  errlen));
    if (o->nremaps)
        ADD("IOTRAP_REMAP", join(o->remaps, o->nremaps, ';', 0, "remap", "--remap", err,
                                 errlen));
    if (o->allow)
        ADD("IOTRAP_ALLOW", strdup(o->allow));
    if (o->ndevices)
        ADD("IOTRAP_DEVICES", join(o->devices, o->ndevices, ';', 0, "device spec", "--device",
                                   err, errlen));
    if (o->nplugins)
        ADD("IOTRAP_DEVICE_PLUGINS", join(o->plugins, o->nplugins, ':', 1, "plug-in path",
                                          "--device-plugin", err, errlen));
    if (o->trace)
        ADD("IOTRAP_TRACE", strcmp(o->trace, "-") == 0 ? strdup("-")
                                                        : absolute(o->trace, err, errlen));
    if (o->trace_format)
        ADD("IOTRAP_TRACE_FORMAT", strdup(o->trace_format));
    if (o->trace_ports)
        ADD("IOTRAP_TRACE_PORTS", strdup(o->trace_ports));
    if (o->trace_max)
        ADD("IOTRAP_TRACE_MAX", strdup(o->trace_max));
    if (o->summary)
        ADD("IOTRAP_SUMMARY", strdup("1"));
    if (o->patch)
        ADD("IOTRAP_PATCH", strdup(o->patch));
    if (o->quiet)
        ADD("IOTRAP_QUIET", strdup("1"));
    return n;
#undef ADD

out_fail:
    /* strdup failures leave err empty; the join/absolute failures have filled it. */
    if (err && errlen && !err[0])
        fail(err, errlen, "out of memory");
    iotrap__run_env_free(vars, n);
    return -1;
}

void iotrap__run_env_free(iotrap__env_var *vars, int n)
{
    for (int i = 0; i < n; i++) {
        free(vars[i].value);
        vars[i].value = NULL;
    }
}
