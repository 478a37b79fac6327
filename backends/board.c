/* The simulated board, see board.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include "common/map.h"
#include "backends/board.h"
#include "backends/devices/devices.h"
#include "backends/lock.h"
#include "common/parse.h"
#include "common/rundir.h"
#include "common/structsize.h"

_Static_assert(sizeof(struct iotrap__board_dev) == 56, "board layout must not depend on ABI");
_Static_assert(sizeof(struct iotrap__board_hdr) == 40 + 56 * IOTRAP__BOARD_MAX_DEVICES + 4096,
               "board layout must not depend on ABI");

/* What a PC has at these ports, so that programs written for one find it. */
const char *const iotrap__board_defaults[] = {
    "pit@0x40", "portb@0x61", "cmos@0x70", "lpt@0x378", "uart@0x3f8", "pci@0xcf8", NULL,
};

#define ALIGN64(x) (((x) + 63u) & ~(uint64_t)63u)

static int load_plugins(const iotrap_ports_config *cfg, char *err, size_t errlen)
{
    if (!cfg->plugins)
        return IOTRAP_OK;
    for (size_t i = 0; cfg->plugins[i]; i++) {
        int rc = iotrap__device_load_plugin(cfg->plugins[i], err, errlen);
        if (rc != IOTRAP_OK)
            return rc;
    }
    return IOTRAP_OK;
}

/* The windows of a configured device: the model's, or its span from BASE. */
static int device_windows(const iotrap_device *d, iotrap_device_window win[IOTRAP_DEVICE_MAX_WINDOWS],
                          const char *text, char *err, size_t errlen)
{
    if (!d->model->windows) {
        win[0].offset = 0;
        win[0].count = d->span;
        return 1;
    }
    char why[512] = "";
    int n = d->model->windows(d, win, why, sizeof why);
    if (n < 0)
        return iotrap__err(err, errlen, n, "%s", why[0] ? why : iotrap_strerror(n));
    if (n == 0 || n > IOTRAP_DEVICE_MAX_WINDOWS)
        return iotrap__err(err, errlen, IOTRAP_E_INVAL,
                           "device \"%s\": model %s reports %d port windows (1 to %d allowed)",
                           text, d->model->name, n, IOTRAP_DEVICE_MAX_WINDOWS);
    return n;
}

/* Claims the ports of window w of device idx, or says which device holds one already. */
static int claim_window(iotrap__board *b, size_t idx, const iotrap_device_window *w,
                        const char *text, char *err, size_t errlen)
{
    const iotrap_device *d = &b->slot[idx].dev;
    uint64_t first = (uint64_t)d->base + w->offset;
    if (w->count == 0 || first + w->count - 1 > 0xffff) {
        if (w->offset == 0 && w->count == d->span)
            return iotrap__err(err, errlen, IOTRAP_E_RANGE,
                               "device \"%s\" ends past port 0xffff (%s spans %u ports)", text,
                               d->model->name, d->span);
        return iotrap__err(err, errlen, IOTRAP_E_RANGE,
                           "device \"%s\" ends past port 0xffff (%s also answers BASE+0x%x to "
                           "BASE+0x%x)", text, d->model->name, w->offset,
                           w->offset + w->count - 1);
    }
    for (uint32_t p = (uint32_t)first; p < first + w->count; p++) {
        if (b->port_dev[p] && b->port_dev[p] != idx + 1) {
            size_t other = b->port_dev[p] - 1u;
            return iotrap__err(err, errlen, IOTRAP_E_BUSY,
                               "device \"%s\" overlaps \"%s\" at port 0x%x", text,
                               b->spec[other], p);
        }
        b->port_dev[p] = (uint8_t)(idx + 1);
    }
    return IOTRAP_OK;
}

/* Parses one spec into device slot b->ndev, claiming its ports. */
static int add_device(iotrap__board *b, const char *text, char *err, size_t errlen)
{
    if (b->ndev == IOTRAP__BOARD_MAX_DEVICES)
        return iotrap__err(err, errlen, IOTRAP_E_RANGE, "too many devices (at most %d)",
                           IOTRAP__BOARD_MAX_DEVICES);
    iotrap__device_spec spec;
    int rc = iotrap__device_spec_parse(text, &spec, err, errlen);
    if (rc != IOTRAP_OK)
        return rc;
    const iotrap_device_model *m = iotrap_device_find(spec.name);
    if (!m) {
        char names[256];
        iotrap__device_names(names, sizeof(names));
        rc = iotrap__err(err, errlen, IOTRAP_E_NODEV,
                         "unknown device \"%s\" in \"%s\" (known: %s; see iotrap devices)",
                         spec.name, text, names);
        goto out;
    }
    uint32_t span;
    if (m->span) {
        if (spec.has_range) {
            rc = iotrap__err(err, errlen, IOTRAP_E_SYNTAX,
                             "%s takes a base port, not a range, in \"%s\" (it spans %u ports)",
                             m->name, text, m->span);
            goto out;
        }
        span = m->span;
    } else {
        span = spec.hi - spec.lo + 1;
    }
    size_t idx = b->ndev;
    iotrap_device *d = &b->slot[idx].dev;
    b->slot[idx].board = b;
    d->model = m;
    d->base = (uint16_t)spec.lo;
    d->span = span;
    d->config = m->config_size ? calloc(1, m->config_size) : NULL;
    if (m->config_size && !d->config) {
        rc = iotrap__err(err, errlen, IOTRAP_E_NOMEM, "out of memory");
        goto out;
    }
    snprintf(b->spec[idx], sizeof(b->spec[idx]), "%s@0x%x", m->name, spec.lo);
    b->ndev++; /* from here on iotrap__board_close() frees the config */
    for (size_t i = 0; i < spec.noptions; i++) {
        if (!m->configure) {
            rc = iotrap__err(err, errlen, IOTRAP_E_SYNTAX,
                             "unknown option \"%s\" for %s (it takes none)", spec.options[i].key,
                             m->name);
            goto out;
        }
        rc = m->configure(d, spec.options[i].key, spec.options[i].value, err, errlen);
        if (rc != IOTRAP_OK) {
            if (rc > 0)
                rc = IOTRAP_E_SYNTAX;
            goto out;
        }
    }
    iotrap_device_window win[IOTRAP_DEVICE_MAX_WINDOWS];
    int nwin = device_windows(d, win, text, err, errlen);
    if (nwin < 0) {
        rc = nwin;
        goto out;
    }
    for (int i = 0; i < nwin && rc == IOTRAP_OK; i++)
        rc = claim_window(b, idx, &win[i], text, err, errlen);
    if (rc != IOTRAP_OK) /* the ports claimed so far go back to the bus */
        for (uint32_t p = 0; p < 65536; p++)
            if (b->port_dev[p] == idx + 1)
                b->port_dev[p] = 0;
out:
    iotrap__device_spec_free(&spec);
    return rc;
}

iotrap_device *iotrap__device_peer(const iotrap_device *dev, const iotrap_device_model *model)
{
    const struct iotrap__board_slot *me = (const struct iotrap__board_slot *)dev;
    const iotrap__board *b = me->board;
    for (size_t i = 0; i < b->ndev; i++)
        if (b->slot[i].dev.model == model)
            return (iotrap_device *)&b->slot[i].dev;
    return NULL;
}

/* Fills the header fields that describe the layout, as this process computes it. */
static void layout(const iotrap__board *b, struct iotrap__board_hdr *h)
{
    memset(h, 0, sizeof(*h));
    memcpy(h->magic, IOTRAP__BOARD_MAGIC, 8);
    h->version = IOTRAP__BOARD_VERSION;
    h->header_size = sizeof(*h);
    uint64_t off = ALIGN64(sizeof(*h));
    h->ndevices = (uint32_t)b->ndev;
    for (size_t i = 0; i < b->ndev; i++) {
        const iotrap_device *d = &b->slot[i].dev;
        strncpy(h->dev[i].name, d->model->name, sizeof(h->dev[i].name) - 1);
        h->dev[i].base = d->base;
        h->dev[i].span = d->span;
        h->dev[i].state_offset = off;
        h->dev[i].state_size = d->model->state_size;
        off = ALIGN64(off + d->model->state_size);
    }
    /* Whole pages, so that a board file and its mapping agree on the size. */
    long page = sysconf(_SC_PAGESIZE);
    if (page <= 0)
        page = 4096;
    h->total_size = (off + (uint64_t)page - 1) / (uint64_t)page * (uint64_t)page;
}

static int check_layout(const struct iotrap__board_hdr *want, const struct iotrap__board_hdr *got,
                        uint64_t file_size, const char *path, char *err, size_t errlen)
{
    if (memcmp(got->magic, IOTRAP__BOARD_MAGIC, 8) != 0)
        return iotrap__err(err, errlen, IOTRAP_E_INVAL,
                           "board \"%s\" is not an iotrap board (bad magic)", path);
    if (got->version != IOTRAP__BOARD_VERSION)
        return iotrap__err(err, errlen, IOTRAP_E_INVAL,
                           "board \"%s\" has layout version %u, this library reads version %u",
                           path, got->version, IOTRAP__BOARD_VERSION);
    if (got->header_size != want->header_size || got->total_size != file_size)
        return iotrap__err(err, errlen, IOTRAP_E_INVAL,
                           "board \"%s\" is %llu bytes with a %u-byte header, its header says "
                           "%llu bytes and this library expects a %u-byte header",
                           path, (unsigned long long)file_size, got->header_size,
                           (unsigned long long)got->total_size, want->header_size);
    if (!__atomic_load_n(&got->ready, __ATOMIC_ACQUIRE))
        return iotrap__err(err, errlen, IOTRAP_E_INVAL,
                           "board \"%s\" was never initialised (its creator failed)", path);
    if (got->ndevices != want->ndevices)
        return iotrap__err(err, errlen, IOTRAP_E_INVAL,
                           "board \"%s\" has %u devices but this process configures %u "
                           "(IOTRAP_DEVICES differs from the run's)",
                           path, got->ndevices, want->ndevices);
    for (uint32_t i = 0; i < want->ndevices && i < IOTRAP__BOARD_MAX_DEVICES; i++) {
        const struct iotrap__board_dev *w = &want->dev[i], *g = &got->dev[i];
        if (memcmp(w->name, g->name, sizeof(w->name)) != 0 || w->base != g->base ||
            w->span != g->span || w->state_offset != g->state_offset ||
            w->state_size != g->state_size)
            return iotrap__err(err, errlen, IOTRAP_E_INVAL,
                               "board \"%s\": device %u is %.31s@0x%x (%u ports, %llu bytes of "
                               "state) but this process configures %.31s@0x%x (%u ports, %llu bytes)",
                               path, i + 1, g->name, g->base, g->span,
                               (unsigned long long)g->state_size, w->name, w->base, w->span,
                               (unsigned long long)w->state_size);
    }
    return IOTRAP_OK;
}

static int map_board(iotrap__board *b, const struct iotrap__board_hdr *want,
                     enum iotrap__board_mode mode, const iotrap_ports_config *cfg, char *path,
                     size_t pathlen, char *err, size_t errlen)
{
    size_t size = (size_t)want->total_size;
    int fd = -1;
    void *map;
    if (mode == IOTRAP__BOARD_PRIVATE) {
        map = iotrap__map(size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        if (map == MAP_FAILED)
            return iotrap__err(err, errlen, IOTRAP_E_SYSTEM, "cannot map the board: %s",
                               strerror(errno));
    } else if (mode == IOTRAP__BOARD_CREATE) {
        if (!path)
            return iotrap__err(err, errlen, IOTRAP_E_RANGE, "board path buffer too small");
        fd = iotrap__rundir_create("board", path, pathlen, err, errlen);
        if (fd < 0) {
            b->file_failed = true;
            return fd;
        }
        int rc;
        if (ftruncate(fd, (off_t)size) != 0) {
            rc = iotrap__err(err, errlen, IOTRAP_E_SYSTEM, "cannot size board file \"%s\": %s",
                             path, strerror(errno));
            close(fd);
            iotrap__rundir_remove(path);
            b->file_failed = true;
            return rc;
        }
        map = iotrap__map(size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        close(fd);
        if (map == MAP_FAILED) {
            rc = iotrap__err(err, errlen, IOTRAP_E_SYSTEM, "cannot map board file \"%s\": %s",
                             path, strerror(errno));
            iotrap__rundir_remove(path);
            b->file_failed = true;
            return rc;
        }
    } else {
        struct stat st;
        fd = open(cfg->board, O_RDWR | O_CLOEXEC);
        if (fd < 0)
            return iotrap__err(err, errlen, IOTRAP_E_SYSTEM, "cannot open board \"%s\": %s",
                               cfg->board, strerror(errno));
        if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
            close(fd);
            return iotrap__err(err, errlen, IOTRAP_E_INVAL, "board \"%s\" is not a regular file",
                               cfg->board);
        }
        if ((uint64_t)st.st_size < sizeof(struct iotrap__board_hdr)) {
            close(fd);
            return iotrap__err(err, errlen, IOTRAP_E_INVAL,
                               "board \"%s\" is too small (%lld bytes) to be an iotrap board",
                               cfg->board, (long long)st.st_size);
        }
        size = (size_t)st.st_size;
        map = iotrap__map(size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        close(fd);
        if (map == MAP_FAILED)
            return iotrap__err(err, errlen, IOTRAP_E_SYSTEM, "cannot map board \"%s\": %s",
                               cfg->board, strerror(errno));
        int rc = check_layout(want, map, (uint64_t)st.st_size, cfg->board, err, errlen);
        if (rc != IOTRAP_OK) {
            iotrap__unmap(map, size);
            return rc;
        }
    }
    b->hdr = map;
    b->map_size = size;
    if (mode != IOTRAP__BOARD_ATTACH) {
        /* A fresh mapping is zero: write the layout, leave `ready` for after reset. */
        memcpy(b->hdr, want, sizeof(*want));
        b->hdr->ready = 0;
        if (mode == IOTRAP__BOARD_CREATE &&
            !getcwd(b->hdr->base_dir, sizeof(b->hdr->base_dir)))
            b->hdr->base_dir[0] = '\0';
    }
    return IOTRAP_OK;
}

int iotrap__board_open(iotrap__board *b, const iotrap_ports_config *cfg,
                       enum iotrap__board_mode mode, char *path, size_t pathlen, char *err,
                       size_t errlen)
{
    iotrap__tid(); /* primes the per-thread id cache before any access */
    int rc = load_plugins(cfg, err, errlen);
    if (rc != IOTRAP_OK)
        return rc;
    const char *const *specs = cfg->devices ? cfg->devices : iotrap__board_defaults;
    for (size_t i = 0; specs[i]; i++)
        if ((rc = add_device(b, specs[i], err, errlen)) != IOTRAP_OK)
            goto fail;

    struct iotrap__board_hdr want;
    layout(b, &want);
    if ((rc = map_board(b, &want, mode, cfg, path, pathlen, err, errlen)) != IOTRAP_OK)
        goto fail;
    for (size_t i = 0; i < b->ndev; i++)
        b->slot[i].dev.state = (char *)b->hdr + b->hdr->dev[i].state_offset;

    /* Output files: truncated by the creator of a shared board, and named relative to
     * its working directory, so every process of a run writes the same file. */
    iotrap__device_truncate_outputs = mode == IOTRAP__BOARD_CREATE;
    iotrap__device_base_dir = NULL;
    if (mode != IOTRAP__BOARD_PRIVATE &&
        memchr(b->hdr->base_dir, '\0', sizeof(b->hdr->base_dir)) && b->hdr->base_dir[0])
        iotrap__device_base_dir = b->hdr->base_dir;
    for (size_t i = 0; i < b->ndev; i++) {
        iotrap_device *d = &b->slot[i].dev;
        if (d->model->start && (rc = d->model->start(d, err, errlen)) != IOTRAP_OK) {
            iotrap__device_truncate_outputs = 0;
            iotrap__device_base_dir = NULL;
            if (rc > 0)
                rc = IOTRAP_E_INVAL;
            goto fail_unlink;
        }
        b->started[i] = 1;
    }
    iotrap__device_truncate_outputs = 0;
    iotrap__device_base_dir = NULL;
    if (mode != IOTRAP__BOARD_ATTACH) {
        for (size_t i = 0; i < b->ndev; i++)
            if (b->slot[i].dev.model->reset)
                b->slot[i].dev.model->reset(&b->slot[i].dev);
        __atomic_store_n(&b->hdr->ready, 1, __ATOMIC_RELEASE);
    }
    return IOTRAP_OK;

fail_unlink:
    if (mode == IOTRAP__BOARD_CREATE && path)
        iotrap__rundir_remove(path);
fail:
    iotrap__board_close(b);
    return rc;
}

void iotrap__board_close(iotrap__board *b)
{
    for (size_t i = 0; i < b->ndev; i++) {
        iotrap_device *d = &b->slot[i].dev;
        if (b->started[i] && d->model->stop)
            d->model->stop(d);
        b->started[i] = 0;
        free(d->config);
        d->config = NULL;
    }
    b->ndev = 0;
    if (b->hdr)
        iotrap__unmap(b->hdr, b->map_size);
    b->hdr = NULL;
}

static inline iotrap_device *device_at(iotrap__board *b, uint32_t p)
{
    unsigned idx = p <= 0xffff ? b->port_dev[p] : 0;
    return idx ? &b->slot[idx - 1].dev : NULL;
}

static inline uint8_t read_byte(iotrap__board *b, uint32_t p)
{
    iotrap_device *d = device_at(b, p);
    if (!d)
        return 0xff; /* nothing drives the bus: the pull-ups win */
    return d->model->read(d, p - d->base);
}

static inline void write_byte(iotrap__board *b, uint32_t p, uint8_t v)
{
    iotrap_device *d = device_at(b, p);
    if (d)
        d->model->write(d, p - d->base, v);
}

/* The device that takes a `width`-byte access at `port` whole: one device answers every
 * byte of it and has the wide member asked for.  NULL: the access is split into bytes. */
static inline iotrap_device *whole_device(iotrap__board *b, uint32_t port, unsigned width,
                                          int write)
{
    iotrap_device *d = device_at(b, port);
    if (!d || !(write ? d->model->write_wide != NULL : d->model->read_wide != NULL))
        return NULL;
    for (unsigned i = 1; i < width; i++)
        if (device_at(b, port + i) != d)
            return NULL;
    return d;
}

static inline uint32_t read_wide(iotrap__board *b, uint32_t port, unsigned width)
{
    iotrap_device *d = whole_device(b, port, width, 0);
    if (d)
        return d->model->read_wide(d, port - d->base, width) &
               (width == 4 ? 0xffffffffu : (1u << (8 * width)) - 1);
    uint32_t v = 0;
    for (unsigned i = 0; i < width; i++)
        v |= (uint32_t)read_byte(b, port + i) << (8 * i);
    return v;
}

static inline void write_wide(iotrap__board *b, uint32_t port, unsigned width, uint32_t v)
{
    iotrap_device *d = whole_device(b, port, width, 1);
    if (d) {
        d->model->write_wide(d, port - d->base, width, v);
        return;
    }
    for (unsigned i = 0; i < width; i++)
        write_byte(b, port + i, (uint8_t)(v >> (8 * i)));
}

int iotrap__board_in(iotrap__board *b, uint16_t port, unsigned width, uint32_t *value)
{
    int rc = iotrap__lock_take(&b->hdr->lock);
    if (rc != IOTRAP_OK)
        return rc;
    *value = width == 1 ? read_byte(b, port) : read_wide(b, port, width);
    iotrap__lock_release(&b->hdr->lock);
    return IOTRAP_OK;
}

int iotrap__board_out(iotrap__board *b, uint16_t port, unsigned width, uint32_t value)
{
    int rc = iotrap__lock_take(&b->hdr->lock);
    if (rc != IOTRAP_OK)
        return rc;
    if (width == 1)
        write_byte(b, port, (uint8_t)value);
    else
        write_wide(b, port, width, value);
    iotrap__lock_release(&b->hdr->lock);
    return IOTRAP_OK;
}

/* The devices behind the byte lanes of a `width`-byte access at `port`, looked up once
 * per string since every element goes to the same ports.  Returns how many lanes some
 * device claims. */
static unsigned string_lanes(iotrap__board *b, uint16_t port, unsigned width,
                             iotrap_device *lane[4])
{
    unsigned claimed = 0;
    for (unsigned i = 0; i < width; i++) {
        lane[i] = device_at(b, (uint32_t)port + i);
        claimed += lane[i] != NULL;
    }
    return claimed;
}

/* The per-element paths, for devices without a string member: the device, its offset and
 * its handler are looked up once per string and held in locals, so that each element costs
 * one call of the model's handler and nothing else (the board lock is held for the whole
 * string).  The loops are unrolled: a call and its return are two taken branches already,
 * and on CPUs that take one branch per cycle the loop's own third one costs about a
 * quarter of each element's time. */
static void write_each(iotrap_device *d, uint32_t offset, const uint8_t *in, size_t count)
{
    void (*write)(iotrap_device *, uint32_t, uint8_t) = d->model->write;
#pragma GCC unroll 8
    for (size_t i = 0; i < count; i++)
        write(d, offset, in[i]);
}

static void read_each(iotrap_device *d, uint32_t offset, uint8_t *out, size_t count)
{
    uint8_t (*read)(iotrap_device *, uint32_t) = d->model->read;
#pragma GCC unroll 8
    for (size_t i = 0; i < count; i++)
        out[i] = read(d, offset);
}

int iotrap__board_in_string(iotrap__board *b, uint16_t port, unsigned width, void *buf,
                            size_t count)
{
    int rc = iotrap__lock_take(&b->hdr->lock);
    if (rc != IOTRAP_OK)
        return rc;
    iotrap_device *lane[4];
    uint8_t *out = buf;
    iotrap_device *whole = width > 1 ? whole_device(b, port, width, 0) : NULL;
    if (whole) {
        for (size_t i = 0; i < count; i++, out += width) {
            uint32_t v = whole->model->read_wide(whole, port - whole->base, width);
            memcpy(out, &v, width);
        }
    } else if (string_lanes(b, port, width, lane) == 0) {
        memset(out, 0xff, count * width); /* nothing drives the bus */
    } else if (width == 1) {
        read_each(lane[0], port - lane[0]->base, out, count);
    } else {
        /* Element by element, lane by lane, as the bus reads a wide access in pieces. */
        for (size_t i = 0; i < count; i++, out += width)
            for (unsigned l = 0; l < width; l++)
                out[l] = lane[l] ? lane[l]->model->read(lane[l], port + l - lane[l]->base)
                                 : 0xff;
    }
    iotrap__lock_release(&b->hdr->lock);
    return IOTRAP_OK;
}

int iotrap__board_out_string(iotrap__board *b, uint16_t port, unsigned width,
                             const void *buf, size_t count)
{
    int rc = iotrap__lock_take(&b->hdr->lock);
    if (rc != IOTRAP_OK)
        return rc;
    iotrap_device *lane[4];
    const uint8_t *in = buf;
    iotrap_device *whole = width > 1 ? whole_device(b, port, width, 1) : NULL;
    /* Writes to ports no device claims are dropped, so such a string costs nothing. */
    unsigned claimed = string_lanes(b, port, width, lane);
    if (whole) {
        for (size_t i = 0; i < count; i++, in += width) {
            uint32_t v = 0;
            memcpy(&v, in, width);
            whole->model->write_wide(whole, port - whole->base, width, v);
        }
    } else if (width == 1 && claimed && count && lane[0]->model->write_string) {
        lane[0]->model->write_string(lane[0], port - lane[0]->base, in, count);
    } else if (width == 1 && claimed) {
        write_each(lane[0], port - lane[0]->base, in, count);
    } else if (claimed) {
        for (size_t i = 0; i < count; i++, in += width)
            for (unsigned l = 0; l < width; l++)
                if (lane[l])
                    lane[l]->model->write(lane[l], port + l - lane[l]->base, in[l]);
    }
    iotrap__lock_release(&b->hdr->lock);
    return IOTRAP_OK;
}

const iotrap_device *iotrap__board_device_at(const iotrap__board *b, uint16_t port,
                                             const iotrap_device_lines **lines)
{
    unsigned idx = b->port_dev[port];
    const iotrap_device *d = idx ? &b->slot[idx - 1].dev : NULL;
    if (lines)
        *lines = d && d->model->lines ? d->model->lines(d, (uint32_t)port - d->base) : NULL;
    return d;
}

int iotrap__board_general_regs(const iotrap__board *b, uint16_t port)
{
    const iotrap_device *d = iotrap__board_device_at(b, port, NULL);
    return !d || (d->model->flags & IOTRAP_DEVICE_GENERAL_REGS) != 0;
}

int iotrap_board_create(const iotrap_ports_config *cfg, char *path, size_t pathlen, char *err,
                        size_t errlen)
{
    static const iotrap_ports_config none = {.size = sizeof none};
    if (!path || !pathlen)
        return iotrap__err(err, errlen, IOTRAP_E_INVAL, "no buffer for the board path");
    int rc = cfg ? iotrap__struct_size_check_msg(cfg, sizeof *cfg, "iotrap_ports_config", err,
                                                 errlen)
                 : IOTRAP_OK;
    if (rc != IOTRAP_OK) {
        path[0] = '\0';
        return rc;
    }
    iotrap__board *b = calloc(1, sizeof(*b));
    if (!b)
        return iotrap__err(err, errlen, IOTRAP_E_NOMEM, "out of memory");
    rc = iotrap__board_open(b, cfg ? cfg : &none, IOTRAP__BOARD_CREATE, path, pathlen, err,
                            errlen);
    if (rc == IOTRAP_OK)
        iotrap__board_close(b);
    else
        path[0] = '\0';
    free(b);
    return rc;
}

void iotrap_board_remove(const char *path)
{
    iotrap__rundir_remove(path);
}
