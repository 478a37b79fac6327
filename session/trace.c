/* The trace of a session, see trace.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <iotrap/iotrap.h>
#include "backends/lock.h"
#include "common/fmt.h"
#include "common/parse.h"
#include "common/userfile.h"
#include "session/trace.h"

#define MAX_DATA 256
#define LINE_MAX_BYTES 1200
/* One write of VCD changes: a string's elements go out in records of this size. */
#define VCD_CHUNK 4096

enum format { TEXT, JSONL, VCD };

/* A port a VCD trace shows, with the identifiers of its signals: one per named line, or
 * one bus in id[0]. */
struct vcd_port {
    uint16_t port;
    const iotrap_device_lines *lines;
    char id[8][4];
};

struct iotrap__trace {
    int fd;
    int own_fd;
    enum format format;
    iotrap__portset *ports; /* NULL: every access */
    uint64_t max;
    /* The start, the budget and the VCD order: the run's, or this trace's own. */
    struct iotrap__run_hdr *h;
    struct iotrap__run_hdr local;
    struct vcd_port *vcd;
    size_t nvcd;
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

static size_t format_json(char *buf, size_t cap, const iotrap__trace_rec *r, int64_t t)
{
    iotrap__fmt f;
    iotrap__fmt_init(&f, buf, cap);
    iotrap__fmt_str(&f, "{\"t\":");
    iotrap__fmt_udec(&f, (uint64_t)t);
    iotrap__fmt_str(&f, ",\"op\":\"");
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

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Nanoseconds since the run (or this trace) started. */
static int64_t elapsed(const iotrap__trace *t)
{
    int64_t d = now_ns() - t->h->start_ns;
    return d > 0 ? d : 0;
}

static void put(const iotrap__trace *t, const char *buf, size_t n)
{
    int saved = errno;
    while (n) {
        ssize_t w = write(t->fd, buf, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            break;
        buf += w;
        n -= (size_t)w;
    }
    errno = saved;
}

/* The note that the limit was reached, or (end) of how many accesses were dropped. */
static size_t format_note(char *buf, size_t cap, enum format format, uint64_t max,
                          uint64_t dropped, int end, int64_t t)
{
    iotrap__fmt f;
    iotrap__fmt_init(&f, buf, cap - 1);
    if (format == JSONL) {
        iotrap__fmt_str(&f, "{\"t\":");
        iotrap__fmt_udec(&f, (uint64_t)t);
        iotrap__fmt_str(&f, end ? ",\"event\":\"dropped\",\"count\":" : ",\"event\":\"limit\"");
        if (end)
            iotrap__fmt_udec(&f, dropped);
        iotrap__fmt_str(&f, ",\"max_bytes\":");
        iotrap__fmt_udec(&f, max);
        iotrap__fmt_str(&f, "}\n");
    } else {
        iotrap__fmt_str(&f, format == VCD ? "$comment " : "# ");
        if (end) {
            iotrap__fmt_udec(&f, dropped);
            iotrap__fmt_str(&f, dropped == 1 ? " access was" : " accesses were");
            iotrap__fmt_str(&f, " not recorded (trace limit of ");
            iotrap__fmt_udec(&f, max);
            iotrap__fmt_str(&f, " bytes)");
        } else {
            iotrap__fmt_str(&f, "trace limit of ");
            iotrap__fmt_udec(&f, max);
            iotrap__fmt_str(&f, " bytes reached: later accesses are not recorded");
        }
        iotrap__fmt_str(&f, format == VCD ? " $end\n" : "\n");
    }
    return f.len;
}

/* Takes n bytes of the budget; false (and the access counted as dropped) once the limit
 * is reached, where the first to find it full writes the note that says so. */
static bool reserve(iotrap__trace *t, size_t n)
{
    uint64_t old = __atomic_fetch_add(&t->h->trace_bytes, n, __ATOMIC_RELAXED);
    if (!t->max || old + n <= t->max)
        return true;
    __atomic_fetch_add(&t->h->trace_dropped, 1, __ATOMIC_RELAXED);
    uint32_t no = 0;
    if (__atomic_compare_exchange_n(&t->h->trace_full, &no, 1, 0, __ATOMIC_RELAXED,
                                    __ATOMIC_RELAXED)) {
        char note[200];
        put(t, note, format_note(note, sizeof note, t->format, t->max, 0, 0, elapsed(t)));
    }
    return false;
}

/* Whether the access touches a port the trace records. */
static bool wanted(const iotrap__trace *t, const iotrap__trace_rec *r)
{
    if (!t->ports)
        return true;
    for (unsigned i = 0; i < r->width; i++)
        if (iotrap__portset_has(t->ports, (uint32_t)r->port + i))
            return true;
    return false;
}

static const struct vcd_port *vcd_find(const iotrap__trace *t, uint32_t port)
{
    size_t lo = 0, hi = t->nvcd;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (t->vcd[mid].port == port)
            return &t->vcd[mid];
        if (t->vcd[mid].port < port)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* The changes one byte makes on its port's signals (none when a program writes to lines
 * its device drives). */
static void vcd_byte(iotrap__fmt *f, const struct vcd_port *vp, uint8_t v, bool write)
{
    if (!vp->lines) {
        iotrap__fmt_char(f, 'b');
        for (int b = 7; b >= 0; b--)
            iotrap__fmt_char(f, (char)('0' + ((v >> b) & 1)));
        iotrap__fmt_char(f, ' ');
        iotrap__fmt_str(f, vp->id[0]);
        iotrap__fmt_char(f, '\n');
        return;
    }
    if (write && vp->lines->input)
        return; /* the device drives these lines: a write does not change them */
    for (int b = 0; b < 8; b++) {
        if (!vp->lines->name[b])
            continue;
        iotrap__fmt_char(f, (char)('0' + (((v ^ vp->lines->invert) >> b) & 1)));
        iotrap__fmt_str(f, vp->id[b]);
        iotrap__fmt_char(f, '\n');
    }
}

/* One time step: "#t" and the changes of one element; false if it changes nothing. */
static bool vcd_element(const iotrap__trace *t, iotrap__fmt *f, int64_t when,
                        const iotrap__trace_rec *r, const uint8_t *bytes, bool write)
{
    size_t start = f->len;
    iotrap__fmt_char(f, '#');
    iotrap__fmt_udec(f, (uint64_t)when);
    iotrap__fmt_char(f, '\n');
    size_t head = f->len;
    for (unsigned i = 0; i < r->width; i++) {
        const struct vcd_port *vp = vcd_find(t, (uint32_t)r->port + i);
        if (vp)
            vcd_byte(f, vp, bytes[i], write);
    }
    if (f->len == head) {
        f->len = start;
        return false;
    }
    return true;
}

static void write_vcd(iotrap__trace *t, const iotrap__trace_rec *r)
{
    if (r->denied)
        return; /* nothing reached the lines */
    bool write = r->op == IOTRAP__TR_OUT || r->op == IOTRAP__TR_OUTS;
    bool string = r->op == IOTRAP__TR_INS || r->op == IOTRAP__TR_OUTS;
    size_t count = string ? r->count : 1;
    const uint8_t *data = string ? r->data : (const uint8_t *)&r->value;
    if (!data || !count)
        return;
    if (iotrap__lock_take(&t->h->trace_lock) != IOTRAP_OK) {
        /* A trap inside a trap of this thread that was writing: it cannot wait. */
        __atomic_fetch_add(&t->h->trace_dropped, 1, __ATOMIC_RELAXED);
        return;
    }
    int64_t when = elapsed(t);
    if (when <= t->h->trace_last_t)
        when = t->h->trace_last_t + 1;
    char buf[VCD_CHUNK];
    iotrap__fmt f;
    iotrap__fmt_init(&f, buf, sizeof buf);
    for (size_t e = 0; e < count; e++) {
        size_t before = f.len;
        if (!vcd_element(t, &f, when, r, data + e * r->width, write))
            continue;
        if (f.overflow) { /* the chunk is full: send what came before this element */
            f.len = before;
            f.overflow = 0;
            if (!reserve(t, f.len))
                goto out;
            put(t, buf, f.len);
            f.len = 0;
            vcd_element(t, &f, when, r, data + e * r->width, write);
        }
        t->h->trace_last_t = when++;
    }
    if (f.len && reserve(t, f.len))
        put(t, buf, f.len);
out:
    iotrap__lock_release(&t->h->trace_lock);
}

void iotrap__trace_write(iotrap__trace *t, const iotrap__trace_rec *r)
{
    if (!wanted(t, r))
        return;
    if (t->format == VCD) {
        write_vcd(t, r);
        return;
    }
    char line[LINE_MAX_BYTES];
    size_t n = t->format == JSONL ? format_json(line, sizeof(line) - 1, r, elapsed(t))
                                  : iotrap__trace_format_text(line, sizeof(line) - 1, r,
                                                              (size_t)-1);
    line[n++] = '\n';
    if (reserve(t, n))
        put(t, line, n);
}

static int parse_format(const char *format, enum format *out)
{
    if (!format || !*format || strcmp(format, "text") == 0)
        *out = TEXT;
    else if (strcmp(format, "jsonl") == 0)
        *out = JSONL;
    else if (strcmp(format, "vcd") == 0)
        *out = VCD;
    else
        return -1;
    return 0;
}

int iotrap__trace_format_known(const char *format)
{
    enum format f;
    return parse_format(format, &f) == 0;
}

int iotrap__trace_format_vcd(const char *format)
{
    enum format f;
    return parse_format(format, &f) == 0 && f == VCD;
}

/* VCD identifiers: printable characters, as many as needed; '#' and '$' are left out,
 * as readers take them for a time step or a keyword. */
static void vcd_id(char id[4], unsigned k)
{
    static const char digits[] = "!\"%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                 "[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~";
    const unsigned base = sizeof digits - 1;
    int n = 0;
    do {
        id[n++] = digits[k % base];
        k /= base;
    } while (k && n < 3);
    id[n] = '\0';
}

/* Whether a signal name is taken by an earlier port of the trace. */
static bool name_taken(const iotrap__trace *t, size_t upto, const char *name)
{
    for (size_t i = 0; i < upto; i++)
        for (int b = 0; b < 8 && t->vcd[i].lines; b++)
            if (t->vcd[i].lines->name[b] && strcmp(t->vcd[i].lines->name[b], name) == 0)
                return true;
    return false;
}

static int vcd_header(iotrap__trace *t, char *err, size_t errlen)
{
    /* One process of a run writes the header; the others find the file begun. */
    if (t->own_fd && flock(t->fd, LOCK_EX) != 0)
        return iotrap__err(err, errlen, IOTRAP_E_SYSTEM, "cannot lock the trace file: %s",
                           strerror(errno));
    struct stat st;
    int rc = IOTRAP_OK;
    if (fstat(t->fd, &st) == 0 && (!S_ISREG(st.st_mode) || st.st_size == 0)) {
        size_t cap = 512 + t->nvcd * 8 * 64;
        char *h = malloc(cap);
        if (!h) {
            rc = iotrap__err(err, errlen, IOTRAP_E_NOMEM, "out of memory");
            goto out;
        }
        size_t n = (size_t)snprintf(h, cap,
                                    "$version iotrap " IOTRAP_VERSION_STRING " $end\n"
                                    "$comment nanoseconds since the run started $end\n"
                                    "$timescale 1ns $end\n$scope module iotrap $end\n");
        for (size_t i = 0; i < t->nvcd; i++) {
            const struct vcd_port *vp = &t->vcd[i];
            n += (size_t)snprintf(h + n, cap - n, "$scope module port_0x%04x $end\n", vp->port);
            if (!vp->lines) {
                n += (size_t)snprintf(h + n, cap - n, "$var wire 8 %s port_0x%04x $end\n",
                                      vp->id[0], vp->port);
            } else {
                for (int b = 0; b < 8; b++) {
                    const char *name = vp->lines->name[b];
                    if (!name)
                        continue;
                    if (name_taken(t, i, name))
                        n += (size_t)snprintf(h + n, cap - n, "$var wire 1 %s %s_0x%04x $end\n",
                                              vp->id[b], name, vp->port);
                    else
                        n += (size_t)snprintf(h + n, cap - n, "$var wire 1 %s %s $end\n",
                                              vp->id[b], name);
                }
            }
            n += (size_t)snprintf(h + n, cap - n, "$upscope $end\n");
        }
        n += (size_t)snprintf(h + n, cap - n, "$upscope $end\n$enddefinitions $end\n");
        __atomic_fetch_add(&t->h->trace_bytes, n, __ATOMIC_RELAXED);
        put(t, h, n);
        free(h);
    }
out:
    if (t->own_fd)
        flock(t->fd, LOCK_UN);
    return rc;
}

static int vcd_ports(iotrap__trace *t, const iotrap__trace_params *tp, char *err,
                     size_t errlen)
{
    if (tp->nvcd == 0)
        return iotrap__err(err, errlen, IOTRAP_E_INVAL,
                           "a VCD trace shows no port: give --trace-ports");
    if (tp->nvcd > IOTRAP__TRACE_VCD_PORTS)
        return iotrap__err(err, errlen, IOTRAP_E_RANGE,
                           "a VCD trace shows at most %d ports, and %zu were asked for: give "
                           "fewer with --trace-ports", IOTRAP__TRACE_VCD_PORTS, tp->nvcd);
    t->vcd = calloc(tp->nvcd, sizeof(*t->vcd));
    if (!t->vcd)
        return iotrap__err(err, errlen, IOTRAP_E_NOMEM, "out of memory");
    unsigned k = 0;
    for (size_t i = 0; i < tp->nvcd; i++) {
        struct vcd_port *vp = &t->vcd[i];
        vp->port = tp->vcd[i].port;
        vp->lines = tp->vcd[i].lines;
        if (i && vp->port <= t->vcd[i - 1].port)
            return iotrap__err(err, errlen, IOTRAP_E_INVAL, "VCD ports out of order");
        if (!vp->lines)
            vcd_id(vp->id[0], k++);
        for (int b = 0; b < 8 && vp->lines; b++)
            if (vp->lines->name[b])
                vcd_id(vp->id[b], k++);
    }
    t->nvcd = tp->nvcd;
    return IOTRAP_OK;
}

int iotrap__trace_open(iotrap__trace **out, const iotrap__trace_params *tp, char *err,
                       size_t errlen)
{
    *out = NULL;
    enum format format;
    if (parse_format(tp->format, &format) != 0)
        return iotrap__err(err, errlen, IOTRAP_E_SYNTAX,
                           "unknown trace format \"%s\" (known: text, jsonl, vcd)", tp->format);
    if (!tp->path || !*tp->path)
        return iotrap__err(err, errlen, IOTRAP_E_INVAL, "empty trace file name");
    iotrap__trace *t = calloc(1, sizeof(*t));
    if (!t)
        return iotrap__err(err, errlen, IOTRAP_E_NOMEM, "out of memory");
    t->fd = -1;
    t->format = format;
    t->max = tp->max_bytes;
    t->h = tp->run ? tp->run->hdr : &t->local;
    if (!tp->run)
        t->local.start_ns = now_ns();
    int rc = IOTRAP_OK;
    if (tp->ports) {
        if (!(t->ports = malloc(sizeof(*t->ports)))) {
            rc = iotrap__err(err, errlen, IOTRAP_E_NOMEM, "out of memory");
            goto fail;
        }
        *t->ports = *tp->ports;
    }
    if (format == VCD && (rc = vcd_ports(t, tp, err, errlen)) != IOTRAP_OK)
        goto fail;
    if (strcmp(tp->path, "-") == 0) {
        t->fd = STDERR_FILENO;
    } else {
        t->fd = iotrap__userfile_open("trace file", tp->path, O_WRONLY | O_CREAT | O_APPEND,
                                      err, errlen);
        if (t->fd < 0) {
            rc = t->fd;
            t->fd = -1;
            goto fail;
        }
        t->own_fd = 1;
    }
    if (format == VCD && (rc = vcd_header(t, err, errlen)) != IOTRAP_OK)
        goto fail;
    *out = t;
    return IOTRAP_OK;
fail:
    iotrap__trace_close(t);
    return rc;
}

void iotrap__trace_close(iotrap__trace *t)
{
    if (!t)
        return;
    /* A trace of its own says here what it dropped; a run's says it at the run's end. */
    if (t->h == &t->local && t->local.trace_dropped && t->fd >= 0) {
        char note[200];
        put(t, note, format_note(note, sizeof note, t->format, t->max, t->local.trace_dropped,
                                 1, elapsed(t)));
    }
    if (t->own_fd)
        close(t->fd);
    free(t->ports);
    free(t->vcd);
    free(t);
}

int iotrap__trace_end(const char *path, const char *format, uint64_t max_bytes,
                      const iotrap__run_state *run, char *err, size_t errlen)
{
    enum format f;
    uint64_t dropped = run && run->hdr ? __atomic_load_n(&run->hdr->trace_dropped,
                                                         __ATOMIC_RELAXED) : 0;
    if (!dropped || !path || parse_format(format, &f) != 0)
        return IOTRAP_OK;
    int fd = strcmp(path, "-") == 0 ? STDERR_FILENO
                                    : open(path, O_WRONLY | O_APPEND | O_CLOEXEC | O_NOCTTY);
    if (fd < 0)
        return iotrap__err(err, errlen, IOTRAP_E_SYSTEM, "cannot open trace file \"%s\": %s",
                           path, strerror(errno));
    iotrap__trace t = { .fd = fd, .format = f, .h = run->hdr };
    char note[200];
    put(&t, note, format_note(note, sizeof note, f, max_bytes, dropped, 1, elapsed(&t)));
    if (fd != STDERR_FILENO)
        close(fd);
    return IOTRAP_OK;
}
