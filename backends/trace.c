/* The trace decorator, see trace.h.
 *
 * Text lines:   out8  0x0378 <- 0x55          in16  0x0060 -> 0x1234
 *               outs8 0x0378 <- 5 x: 48 45 4c 4c 4f
 *               out8  0x0064 <- 0xfe DENIED   in8   0x0064 -> DENIED
 * JSON lines:   {"op":"out","width":1,"port":888,"value":85,"pc":"0x401136",
 *                "pid":4242,"tid":4242,"result":"ok"}
 *               strings carry "count" and "data" (hex of the bytes) instead of "value";
 *               a denied read has no "value"/"data".
 * At most MAX_DATA bytes of a string are shown; a longer one is marked " ..." in text
 * and "truncated":true in JSON, keeping every line one bounded write. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "backends/lock.h"
#include "backends/trace.h"
#include "common/fmt.h"
#include "common/parse.h"

#define MAX_DATA 256
#define LINE_MAX_BYTES 1200

struct trace_priv {
    struct iotrap__backend_instance *inner;
    int fd;
    int own_fd;
    enum iotrap__trace_format format;
};

static const char *const op_names[] = { "in", "out", "ins", "outs" };

int iotrap__backend_in_string(struct iotrap__backend_instance *bi, uint16_t port,
                              unsigned width, void *buf, size_t count)
{
    if (bi->backend->in_string)
        return bi->backend->in_string(bi, port, width, buf, count);
    uint8_t *p = buf;
    for (size_t i = 0; i < count; i++) {
        uint32_t v = 0;
        int rc = bi->backend->in(bi, port, width, &v);
        if (rc != IOTRAP_OK)
            return rc;
        memcpy(p + i * width, &v, width);
    }
    return IOTRAP_OK;
}

int iotrap__backend_out_string(struct iotrap__backend_instance *bi, uint16_t port,
                               unsigned width, const void *buf, size_t count)
{
    if (bi->backend->out_string)
        return bi->backend->out_string(bi, port, width, buf, count);
    const uint8_t *p = buf;
    for (size_t i = 0; i < count; i++) {
        uint32_t v = 0;
        memcpy(&v, p + i * width, width);
        int rc = bi->backend->out(bi, port, width, v);
        if (rc != IOTRAP_OK)
            return rc;
    }
    return IOTRAP_OK;
}

static void put_op(iotrap__fmt *f, enum iotrap__trace_op op, unsigned width)
{
    char name[8];
    iotrap__fmt n;
    iotrap__fmt_init(&n, name, sizeof(name) - 1);
    iotrap__fmt_str(&n, op_names[op]);
    iotrap__fmt_udec(&n, width * 8u);
    name[n.len] = '\0';
    iotrap__fmt_pad(f, name, 5);
    iotrap__fmt_char(f, ' ');
}

size_t iotrap__trace_format_head(char *buf, size_t cap, enum iotrap__trace_op op,
                                 uint16_t port, unsigned width)
{
    iotrap__fmt f;
    iotrap__fmt_init(&f, buf, cap);
    put_op(&f, op, width);
    iotrap__fmt_0x(&f, port, 4);
    return f.len;
}

size_t iotrap__trace_format_text(char *buf, size_t cap, enum iotrap__trace_op op,
                                 uint16_t port, unsigned width, uint32_t value,
                                 const void *data, size_t count, int denied)
{
    iotrap__fmt f;
    iotrap__fmt_init(&f, buf, cap);
    int is_in = op == IOTRAP__TR_IN || op == IOTRAP__TR_INS;
    f.len = iotrap__trace_format_head(buf, cap, op, port, width);
    iotrap__fmt_str(&f, is_in ? " -> " : " <- ");
    if (op == IOTRAP__TR_IN || op == IOTRAP__TR_OUT) {
        if (denied && is_in) {
            iotrap__fmt_str(&f, "DENIED");
            return f.len;
        }
        iotrap__fmt_0x(&f, value, width * 2);
    } else {
        iotrap__fmt_udec(&f, count);
        iotrap__fmt_str(&f, " x");
        if (!(denied && is_in) && data) {
            const uint8_t *d = data;
            size_t shown = count * width;
            iotrap__fmt_char(&f, ':');
            if (shown > MAX_DATA)
                shown = MAX_DATA - MAX_DATA % width;
            for (size_t i = 0; i < shown; i += width) {
                uint32_t v = 0;
                memcpy(&v, d + i, width);
                iotrap__fmt_char(&f, ' ');
                iotrap__fmt_hex(&f, v, width * 2);
            }
            if (shown < count * width)
                iotrap__fmt_str(&f, " ...");
        }
    }
    if (denied)
        iotrap__fmt_str(&f, " DENIED");
    return f.len;
}

static size_t format_json(char *buf, size_t cap, enum iotrap__trace_op op, uint16_t port,
                          unsigned width, uint32_t value, const void *data, size_t count,
                          int denied, uint64_t pc)
{
    iotrap__fmt f;
    iotrap__fmt_init(&f, buf, cap);
    int is_in = op == IOTRAP__TR_IN || op == IOTRAP__TR_INS;
    iotrap__fmt_str(&f, "{\"op\":\"");
    iotrap__fmt_str(&f, op_names[op]);
    iotrap__fmt_str(&f, "\",\"width\":");
    iotrap__fmt_udec(&f, width);
    iotrap__fmt_str(&f, ",\"port\":");
    iotrap__fmt_udec(&f, port);
    if (op == IOTRAP__TR_IN || op == IOTRAP__TR_OUT) {
        if (!(denied && is_in)) {
            iotrap__fmt_str(&f, ",\"value\":");
            iotrap__fmt_udec(&f, value);
        }
    } else {
        iotrap__fmt_str(&f, ",\"count\":");
        iotrap__fmt_udec(&f, count);
        if (!(denied && is_in) && data) {
            const uint8_t *d = data;
            size_t shown = count * width;
            if (shown > MAX_DATA)
                shown = MAX_DATA - MAX_DATA % width;
            iotrap__fmt_str(&f, ",\"data\":\"");
            for (size_t i = 0; i < shown; i++)
                iotrap__fmt_hex(&f, d[i], 2);
            iotrap__fmt_char(&f, '"');
            if (shown < count * width)
                iotrap__fmt_str(&f, ",\"truncated\":true");
        }
    }
    iotrap__fmt_str(&f, ",\"pc\":\"");
    iotrap__fmt_0x(&f, pc, 1);
    iotrap__fmt_str(&f, "\",\"pid\":");
    iotrap__fmt_udec(&f, (uint64_t)getpid());
    iotrap__fmt_str(&f, ",\"tid\":");
    iotrap__fmt_udec(&f, iotrap__tid());
    iotrap__fmt_str(&f, ",\"result\":\"");
    iotrap__fmt_str(&f, denied ? "denied" : "ok");
    iotrap__fmt_str(&f, "\"}");
    return f.len;
}

static void emit(struct trace_priv *t, enum iotrap__trace_op op, uint16_t port, unsigned width,
                 uint32_t value, const void *data, size_t count, int denied, uint64_t pc)
{
    char line[LINE_MAX_BYTES];
    size_t n;
    if (t->format == IOTRAP__TRACE_JSONL)
        n = format_json(line, sizeof(line) - 1, op, port, width, value, data, count, denied, pc);
    else
        n = iotrap__trace_format_text(line, sizeof(line) - 1, op, port, width, value, data,
                                      count, denied);
    line[n++] = '\n';
    int saved = errno;
    while (write(t->fd, line, n) < 0 && errno == EINTR)
        ;
    errno = saved;
}

int iotrap__trace_in_pc(struct iotrap__backend_instance *bi, uint16_t port, unsigned width,
                        uint32_t *value, uint64_t pc)
{
    struct trace_priv *t = bi->priv;
    int rc = t->inner->backend->in(t->inner, port, width, value);
    if (rc == IOTRAP_OK)
        emit(t, IOTRAP__TR_IN, port, width, *value, NULL, 0, 0, pc);
    return rc;
}

int iotrap__trace_out_pc(struct iotrap__backend_instance *bi, uint16_t port, unsigned width,
                         uint32_t value, uint64_t pc)
{
    struct trace_priv *t = bi->priv;
    int rc = t->inner->backend->out(t->inner, port, width, value);
    if (rc == IOTRAP_OK)
        emit(t, IOTRAP__TR_OUT, port, width, value, NULL, 0, 0, pc);
    return rc;
}

int iotrap__trace_in_string_pc(struct iotrap__backend_instance *bi, uint16_t port,
                               unsigned width, void *buf, size_t count, uint64_t pc)
{
    struct trace_priv *t = bi->priv;
    int rc = iotrap__backend_in_string(t->inner, port, width, buf, count);
    if (rc == IOTRAP_OK)
        emit(t, IOTRAP__TR_INS, port, width, 0, buf, count, 0, pc);
    return rc;
}

int iotrap__trace_out_string_pc(struct iotrap__backend_instance *bi, uint16_t port,
                                unsigned width, const void *buf, size_t count, uint64_t pc)
{
    struct trace_priv *t = bi->priv;
    int rc = iotrap__backend_out_string(t->inner, port, width, buf, count);
    if (rc == IOTRAP_OK)
        emit(t, IOTRAP__TR_OUTS, port, width, 0, buf, count, 0, pc);
    return rc;
}

void iotrap__trace_denied(struct iotrap__backend_instance *bi, enum iotrap__trace_op op,
                          uint16_t port, unsigned width, uint32_t value, const void *data,
                          size_t count, uint64_t pc)
{
    emit(bi->priv, op, port, width, value, data, count, 1, pc);
}

static int trace_in(struct iotrap__backend_instance *bi, uint16_t port, unsigned width,
                    uint32_t *value)
{
    return iotrap__trace_in_pc(bi, port, width, value, 0);
}

static int trace_out(struct iotrap__backend_instance *bi, uint16_t port, unsigned width,
                     uint32_t value)
{
    return iotrap__trace_out_pc(bi, port, width, value, 0);
}

static int trace_in_string(struct iotrap__backend_instance *bi, uint16_t port, unsigned width,
                           void *buf, size_t count)
{
    return iotrap__trace_in_string_pc(bi, port, width, buf, count, 0);
}

static int trace_out_string(struct iotrap__backend_instance *bi, uint16_t port, unsigned width,
                            const void *buf, size_t count)
{
    return iotrap__trace_out_string_pc(bi, port, width, buf, count, 0);
}

static int trace_grant(struct iotrap__backend_instance *bi, uint16_t first, uint32_t count,
                       bool on)
{
    struct trace_priv *t = bi->priv;
    if (!t->inner->backend->grant)
        return IOTRAP_E_UNSUPPORTED;
    return t->inner->backend->grant(t->inner, first, count, on);
}

/* A decorator has nothing to open by name: sessions build it with iotrap__trace_wrap(). */
static int trace_open(struct iotrap__backend_instance *bi, const char *args,
                      const iotrap_ports_config *cfg, char *err, size_t errlen)
{
    return iotrap__err(err, errlen, IOTRAP_E_UNSUPPORTED,
                       "the trace backend wraps another backend: use --trace FILE");
}

static void trace_close(struct iotrap__backend_instance *bi)
{
    iotrap__trace_unwrap(bi);
}

const struct iotrap__backend iotrap__backend_trace = {
    .name = "trace",
    .summary = "writes one line per access of the backend it wraps (text or JSON Lines)",
    .caps = IOTRAP__CAP_STRING,
    .priv_size = sizeof(struct trace_priv),
    .default_allow = NULL,
    .open = trace_open,
    .close = trace_close,
    .in = trace_in,
    .out = trace_out,
    .in_string = trace_in_string,
    .out_string = trace_out_string,
    .grant = trace_grant,
};

int iotrap__trace_wrap(struct iotrap__backend_instance *bi,
                       struct iotrap__backend_instance *inner, const char *path,
                       const char *format, char *err, size_t errlen)
{
    enum iotrap__trace_format fmt;
    if (!format || !*format || strcmp(format, "text") == 0)
        fmt = IOTRAP__TRACE_TEXT;
    else if (strcmp(format, "jsonl") == 0)
        fmt = IOTRAP__TRACE_JSONL;
    else
        return iotrap__err(err, errlen, IOTRAP_E_SYNTAX,
                           "unknown trace format \"%s\" (known: text, jsonl)", format);
    if (!path || !*path)
        return iotrap__err(err, errlen, IOTRAP_E_INVAL, "empty trace file name");
    struct trace_priv *t = calloc(1, sizeof(*t));
    if (!t)
        return iotrap__err(err, errlen, IOTRAP_E_NOMEM, "out of memory");
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
    t->inner = inner;
    t->format = fmt;
    bi->backend = &iotrap__backend_trace;
    bi->priv = t;
    return IOTRAP_OK;
}

void iotrap__trace_unwrap(struct iotrap__backend_instance *bi)
{
    struct trace_priv *t = bi->priv;
    if (!t)
        return;
    if (t->own_fd)
        close(t->fd);
    free(t);
    bi->priv = NULL;
}
