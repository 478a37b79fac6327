/* `iotrap devices [--json] [--device-plugin FILE]...`: every device model of the
 * simulated board (and of the plug-ins given), with its ports, options, one line of
 * help, and where the default board puts it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <iotrap/device.h>
#include "backends/board.h"
#include "backends/devices/devices.h"
#include "session/env.h"
#include "tools/commands.h"

static void usage(FILE *f)
{
    fprintf(f, "Usage: iotrap devices [--json] [--device-plugin FILE]...\n"
               "List the device models of the simulated board: each one's ports (from the\n"
               "BASE of its spec), options, a line of help, and its place on the default\n"
               "board.  Models of the plug-ins given (and of IOTRAP_DEVICE_PLUGINS) are\n"
               "listed too.\n"
               "  --json                 one JSON array of objects with \"name\", \"ports\",\n"
               "                         \"options\", \"summary\" and \"default\" (null when\n"
               "                         not on the default board)\n"
               "  --device-plugin FILE   load device models from a plug-in; repeatable\n"
               "  -h, --help             this text\n");
}

/* "BASE" or "BASE+0x400". */
static int offset_text(char *buf, size_t len, uint32_t offset)
{
    return offset ? snprintf(buf, len, "BASE+0x%x", offset) : snprintf(buf, len, "BASE");
}

/* The ports an instance with no options answers, as "BASE..BASE+0x7, BASE+0x400..
 * BASE+0x402" (a model placed on a range: "LO-HI"). */
static void ports_text(const iotrap_device_model *m, char *buf, size_t len)
{
    if (!m->span) {
        snprintf(buf, len, "LO-HI");
        return;
    }
    iotrap_device dev;
    memset(&dev, 0, sizeof dev);
    dev.model = m;
    dev.span = m->span;
    dev.config = m->config_size ? calloc(1, m->config_size) : NULL;
    iotrap_device_window win[IOTRAP_DEVICE_MAX_WINDOWS] = {{0, m->span}};
    char err[256];
    int n = 1;
    if (m->windows && (!m->config_size || dev.config))
        n = m->windows(&dev, win, err, sizeof err);
    free(dev.config);
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; i < n && used + 1 < len; i++) {
        char first[32], last[32];
        offset_text(first, sizeof first, win[i].offset);
        offset_text(last, sizeof last, win[i].offset + win[i].count - 1);
        int k = snprintf(buf + used, len - used, "%s%s%s%s", i ? ", " : "", first,
                         win[i].count > 1 ? ".." : "", win[i].count > 1 ? last : "");
        used += k > 0 ? (size_t)k : 0;
    }
}

/* The default board's spec of a model, or NULL. */
static const char *default_spec(const iotrap_device_model *m)
{
    size_t n = strlen(m->name);
    for (const char *const *d = iotrap__board_defaults; *d; d++)
        if (strncmp(*d, m->name, n) == 0 && (*d)[n] == '@')
            return *d;
    return NULL;
}

static void json_str(const char *s)
{
    putchar('"');
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            printf("\\%c", c);
        else if (c < 0x20)
            printf("\\u%04x", c);
        else
            putchar(c);
    }
    putchar('"');
}

/* Calls show() for each model of the registry, in order, with its ports and its spec on
 * the default board (NULL if none). */
static void each_model(void (*show)(size_t i, const iotrap_device_model *m, const char *ports,
                                    const char *dflt))
{
    for (size_t i = 0;; i++) {
        const iotrap_device_model *m = iotrap__device_at(i);
        if (!m)
            break;
        char ports[256];
        ports_text(m, ports, sizeof ports);
        show(i, m, ports, default_spec(m));
    }
}

static void show_json(size_t i, const iotrap_device_model *m, const char *ports,
                      const char *dflt)
{
    printf("%s\n  {\"name\": ", i ? "," : "");
    json_str(m->name);
    printf(", \"ports\": ");
    json_str(ports);
    printf(", \"span\": %u, \"options\": [", m->span);
    for (size_t k = 0; m->options && m->options[k]; k++) {
        printf("%s", k ? ", " : "");
        json_str(m->options[k]);
    }
    printf("], \"summary\": ");
    json_str(m->summary ? m->summary : "");
    printf(", \"default\": ");
    if (dflt)
        json_str(dflt);
    else
        printf("null");
    putchar('}');
}

static void show_text(size_t i, const iotrap_device_model *m, const char *ports,
                      const char *dflt)
{
    printf("\n%-9s ports %s%s%s\n", m->name, ports, dflt ? "; default board: " : "",
           dflt ? dflt : "");
    printf("          %s\n", m->summary ? m->summary : "");
    printf("          options:");
    if (!m->options || !m->options[0])
        printf(" none");
    for (size_t k = 0; m->options && m->options[k]; k++)
        printf("%s %s", k ? "," : "", m->options[k]);
    printf("\n");
}

int iotrap__cmd_devices(int argc, char **argv)
{
    int json = 0;
    char err[1024];
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--json") == 0) {
            json = 1;
        } else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage(stdout);
            return 0;
        } else if (strcmp(a, "--device-plugin") == 0 || strncmp(a, "--device-plugin=", 16) == 0) {
            const char *file = a[15] == '=' ? a + 16 : i + 1 < argc ? argv[++i] : NULL;
            if (!file || !*file) {
                fprintf(stderr, "iotrap devices: option '--device-plugin' needs a value (FILE)\n");
                return 2;
            }
            if (iotrap__device_load_plugin(file, err, sizeof err) != IOTRAP_OK) {
                fprintf(stderr, "iotrap devices: %s\n", err);
                return 2;
            }
        } else {
            fprintf(stderr, "iotrap devices: unknown argument '%s' (see --help)\n", a);
            return 2;
        }
    }
    iotrap__env_config ec;
    if (iotrap__env_config_read(&ec, NULL, err, sizeof err) != IOTRAP_OK) {
        fprintf(stderr, "iotrap devices: %s\n", err);
        return 2;
    }
    for (size_t i = 0; ec.cfg.plugins && ec.cfg.plugins[i]; i++) {
        if (iotrap__device_load_plugin(ec.cfg.plugins[i], err, sizeof err) != IOTRAP_OK) {
            fprintf(stderr, "iotrap devices: IOTRAP_DEVICE_PLUGINS: %s\n", err);
            iotrap__env_config_free(&ec);
            return 2;
        }
    }
    iotrap__env_config_free(&ec);
    if (json) {
        putchar('[');
        each_model(show_json);
        printf("\n]\n");
    } else {
        printf("Device models of the simulated board (iotrap run --device NAME@BASE[,OPTION...]).\n"
               "Without --device the board holds:");
        for (const char *const *d = iotrap__board_defaults; *d; d++)
            printf(" %s", *d);
        printf("\n");
        each_model(show_text);
    }
    return fflush(stdout) == 0 ? 0 : 1;
}
