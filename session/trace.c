/* The trace of a session, see trace.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <iotrap/status.h>
#include "backends/lock.h"
#include "common/fmt.h"
#include "common/parse.h"
#include "session/trace.h"

#define MAX_DATA 256
#define LINE_MAX_BYTES 1200

enum format { TEXT, JSONL };

struct iotrap__trace {
    int fd;
    int own_fd;
    enum format format;
};

static const char *const op_names[] = { "in", "out", "ins", "outs" };

static int is_in(enum iotrap__trace_op op)
{
    return op == IOTRAP__TR_IN || op == IOTRAP__TR_INS;
}

static int is_string(enum iotrap__trace_op op)
{
    return op == IOTRAP__TR_INS || op == IOTRAP__TR_OUTS;
}

size_t iotrap__trace_format_head(char *buf, size_t cap, const iotrap__trace_rec *r)
{
    iotrap__fmt f;
    iotrap__fmt_init(&f, buf, cap);
    char name[8];
    iotrap__fmt n;
    iotrap__fmt_init(&n, name, sizeof(name) - 1);
    iotrap__fmt_str(&n, op_names[r->op]);
    iotrap__fmt_udec(&n, r->width * 8u);
    name[n.len] = '\0';
    iotrap__fmt_pad(&f, name, 5);
    iotrap__fmt_char(&f, ' ');
    iotrap__fmt_0x(&f, r->port, 4);
    if (r->target != r->port) {
        iotrap__fmt_str(&f, " [");
        iotrap__fmt_0x(&f, r->target, 4);
        iotrap__fmt_char(&f, ']');
    }
    return f.len;
}

size_t iotrap__trace_format_text(char *buf, size_t cap, const iotrap__trace_rec *r,
                                 size_t max_elems)
{
    iotrap__fmt f;
    iotrap__fmt_init(&f, buf, cap);
    f.len = iotrap__trace_format_head(buf, cap, r);
    iotrap__fmt_str(&f, is_in(r->op) ? " -> " : " <- ");
    if (!is_string(r->op)) {
        if (r->denied && is_in(r->op)) {
            iotrap__fmt_str(&f, "DENIED");
            return f.len;
        }
        iotrap__fmt_0x(&f, r->value, r->width * 2);
    } else {
        iotrap__fmt_udec(&f, r->count);
        iotrap__fmt_str(&f, " x");
        if (!(r->denied && is_in(r->op)) && r->data) {
            const uint8_t *d = r->data;
            size_t total = r->count * r->width;
            size_t shown = (r->count < max_elems ? r->count : max_elems) * r->width;
            if (shown > MAX_DATA)
                shown = MAX_DATA - MAX_DATA % r->width;
            iotrap__fmt_char(&f, ':');
            for (size_t i = 0; i < shown; i += r->width) {
                uint32_t v = 0;
                memcpy(&v, d + i, r->width);
                iotrap__fmt_char(&f, ' ');
                iotrap__fmt_hex(&f, v, r->width * 2);
            }
            if (shown < total)
                iotrap__fmt_str(&f, " ...");
        }
    }
    if (r->denied)
        iotrap__fmt_str(&f, " DENIED");
    return f.len;
}

static size_t format_json(char *buf, size_t cap, const iotrap__trace_rec *r)
{
    iotrap__fmt f;
    iotrap__fmt_init(&f, buf, cap);
    iotrap__fmt_str(&f, "{\"op\":\"");
    iotrap__fmt_str(&f, op_names[r->op]);
    iotrap__fmt_str(&f, "\",\"width\":");
    iotrap__fmt_udec(&f, r->width);
    iotrap__fmt_str(&f, ",\"port\":");
    iotrap__fmt_udec(&f, r->port);
    if (r->target != r->port) {
        iotrap__fmt_str(&f, ",\"target\":");
        iotrap__fmt_udec(&f, r->target);
    }
    if (!is_string(r->op)) {
        if (!(r->denied && is_in(r->op))) {
            iotrap__fmt_str(&f, ",\"value\":");
            iotrap__fmt_udec(&f, r->value);
        }
    } else {
        iotrap__fmt_str(&f, ",\"count\":");
        iotrap__fmt_udec(&f, r->count);
        if (!(r->denied && is_in(r->op)) && r->data) {
            const uint8_t *d = r->data;
            size_t shown = r->count * r->width;
            if (shown > MAX_DATA)
                shown = MAX_DATA - MAX_DATA % r->width;
            iotrap__fmt_str(&f, ",\"data\":\"");
            for (size_t i = 0; i < shown; i++)
                iotrap__fmt_hex(&f, d[i], 2);
            iotrap__fmt_char(&f, '"');
            if (shown < r->count * r->width)
                iotrap__fmt_str(&f, ",\"truncated\":true");
        }
    }
    iotrap__fmt_str(&f, ",\"pc\":\"");
    iotrap__fmt_0x(&f, r->pc, 1);
    iotrap__fmt_str(&f, "\",\"pid\":");
    iotrap__fmt_udec(&f, (uint64_t)getpid());
    iotrap__fmt_str(&f, ",\"tid\":");
    iotrap__fmt_udec(&f, iotrap__tid());
    iotrap__fmt_str(&f, ",\"result\":\"");
    iotrap__fmt_str(&f, r->denied ? "denied" : "ok");
    iotrap__fmt_str(&f, "\"}");
    return f.len;
}

void iotrap__trace_write(iotrap__trace *t, const iotrap__trace_rec *r)
{
    char line[LINE_MAX_BYTES];
    size_t n = t->format == JSONL ? format_json(line, sizeof(line) - 1, r)
                                  : iotrap__trace_format_text(line, sizeof(line) - 1, r,
                                                              (size_t)-1);
    line[n++] = '\n';
    int saved = errno;
    while (write(t->fd, line, n) < 0 && errno == EINTR)
        ;
    errno = saved;
}

int iotrap__trace_format_known(const char *format)
{
    return !format || !*format || strcmp(format, "text") == 0 || strcmp(format, "jsonl") == 0;
}

int iotrap__trace_open(iotrap__trace **out, const char *path, const char *format, char *err,
                       size_t errlen)
{
    *out = NULL;
    if (!iotrap__trace_format_known(format))
        return iotrap__err(err, errlen, IOTRAP_E_SYNTAX,
                           "unknown trace format \"%s\" (known: text, jsonl)", format);
    if (!path || !*path)
        return iotrap__err(err, errlen, IOTRAP_E_INVAL, "empty trace file name");
    iotrap__trace *t = calloc(1, sizeof(*t));
    if (!t)
        return iotrap__err(err, errlen, IOTRAP_E_NOMEM, "out of memory");
    t->format = format && strcmp(format, "jsonl") == 0 ? JSONL : TEXT;
    if (strcmp(path, "-") == 0) {
        t->fd = STDERR_FILENO;
    } else {
        t->fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOCTTY, 0644);
        if (t->fd < 0) {
            int e = errno;
            free(t);
            return iotrap__err(err, errlen, IOTRAP_E_SYSTEM, "cannot open trace file \"%s\": %s",
                               path, strerror(e));
        }
        t->own_fd = 1;
    }
    *out = t;
    return IOTRAP_OK;
}

void iotrap__trace_close(iotrap__trace *t)
{
    if (!t)
        return;
    if (t->own_fd)
        close(t->fd);
    free(t);
}
