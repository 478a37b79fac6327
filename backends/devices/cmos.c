/* cmos@BASE[,time=utc|local][,file=PATH]: the MC146818 RTC and 256 bytes of CMOS RAM
 * behind two index/data pairs, as on PC chipsets since the ICH:
 *   +0 index   bank 1 (registers 0x00-0x7f); write-only (reads 0xff, as on QEMU); bit 7
 *              is the NMI mask, ignored;
 *   +1 data    the bank-1 register the index selects;
 *   +2 index   bank 2 (0x80-0xff: the index's low 7 bits pick one); write-only;
 *   +3 data    the bank-2 byte.
 * Registers:
 *   0x00-0x09  seconds, alarm seconds, minutes, alarm minutes, hours, alarm hours, day of
 *              week (1 = Sunday), day of month, month, year (two digits), read from the
 *              host clock in BCD or binary and in 24- or 12-hour form (bit 7 of the hour:
 *              PM) as register B says; writes move this board's clock;
 *   0x0a       A: rate bits as written (0x26 after reset); bit 7, update in progress (UIP),
 *              see uip() below;
 *   0x0b       B: 0x02 after reset (24-hour, BCD); bit 7 (SET) freezes the clock while a
 *              program writes it, as on the chip;
 *   0x0c       C: interrupt flags, always 0 (no interrupts are raised);
 *   0x0d       D: 0x80, battery good;
 *   0x32       century, from the clock like the year;
 *   the rest   battery-backed RAM, kept in the shared board, holding at reset what a BIOS
 *              leaves there (no floppy or hard disk in the CMOS, 640 KiB base and 63 MiB
 *              extended memory) with a valid AT checksum over 0x10-0x2d at 0x2e-0x2f.
 * The clock is the host's clock (UTC unless time=local) plus an offset that writes set;
 * the offset lives in the board so every process sees the same time.  file=PATH keeps the
 * RAM in a 256-byte image (the format of nvramtool -b): loaded when the board is made,
 * written through on every RAM write. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "backends/devices/devices.h"
#include "common/parse.h"
#include "common/userfile.h"

#define REG_A 0x0a
#define REG_B 0x0b
#define REG_C 0x0c
#define REG_D 0x0d
#define FIRST_RAM 0x0e
#define REG_CENTURY 0x32
#define B_SET 0x80
#define B_BINARY 0x04
#define B_24H 0x02
#define A_UIP 0x80
#define CMOS_SIZE 256

/* The MC146818 with its 32.768 kHz time base sets UIP 244 us before each update and
 * keeps it through the 1984 us update cycle (data sheet: tBUC and tUC). */
#define UIP_BEFORE_NS 244141LL
#define UIP_AFTER_NS 1984375LL
#define NS 1000000000LL

/* 64-bit fields first: i386 aligns int64_t to 4 bytes inside structs, and 32- and
 * 64-bit processes share this state. */
struct cmos_state {
    int64_t offset;      /* seconds added to the host clock */
    int64_t frozen;      /* the clock while B.SET is set */
    int64_t last_a_read; /* board time (ns) of the last read of register A; 0: none yet */
    uint8_t index;       /* bank 1 */
    uint8_t index2;      /* bank 2, 0x80-0xff */
    uint8_t pad[6];
    uint8_t reg[CMOS_SIZE];
};
_Static_assert(sizeof(struct cmos_state) == 288, "cmos state layout must not depend on ABI");

struct cmos_config {
    int local;
    int64_t gmtoff; /* local time minus UTC at start(), in seconds; 0 for UTC */
    char path[4096]; /* file=, "" for none */
    int fd;          /* open on path from start() to stop(), else -1 */
};

static const char *const cmos_options[] = { "time=utc|local", "file=PATH", NULL };

static int cmos_configure(iotrap_device *dev, const char *key, const char *value, char *err,
                          size_t errlen)
{
    struct cmos_config *c = dev->config;
    if (strcmp(key, "time") == 0) {
        if (strcmp(value, "utc") == 0)
            c->local = 0;
        else if (strcmp(value, "local") == 0)
            c->local = 1;
        else
            return iotrap__err(err, errlen, IOTRAP_E_SYNTAX,
                               "bad value \"%s\" for option \"time\" of cmos (known: utc, local)",
                               value);
        return IOTRAP_OK;
    }
    if (strcmp(key, "file") == 0) {
        if (!*value)
            return iotrap__err(err, errlen, IOTRAP_E_SYNTAX,
                               "option \"file\" for cmos needs a file name");
        if (strlen(value) >= sizeof(c->path))
            return iotrap__err(err, errlen, IOTRAP_E_SYNTAX,
                               "option \"file\" for cmos: path too long");
        strcpy(c->path, value);
        return IOTRAP_OK;
    }
    return iotrap__err(err, errlen, IOTRAP_E_SYNTAX,
                       "unknown option \"%s\" for cmos (known: time, file)", key);
}

static int cmos_start(iotrap_device *dev, char *err, size_t errlen)
{
    struct cmos_config *c = dev->config;
    /* localtime_r is not async-signal-safe, so the zone offset is taken here, once. */
    c->gmtoff = 0;
    if (c->local) {
        time_t now = time(NULL);
        struct tm tm;
        if (localtime_r(&now, &tm))
            c->gmtoff = tm.tm_gmtoff;
    }
    c->fd = -1;
    if (!c->path[0])
        return IOTRAP_OK;
    char full[sizeof(c->path) + 1];
    const char *path = iotrap__device_path(c->path, full, sizeof full, err, errlen);
    if (!path)
        return IOTRAP_E_RANGE;
    c->fd = iotrap__userfile_open("cmos file", path, O_RDWR | O_CREAT, err, errlen);
    if (c->fd < 0) {
        int rc = c->fd;
        c->fd = -1;
        return rc;
    }
    struct stat st;
    if (fstat(c->fd, &st) != 0 || !S_ISREG(st.st_mode) ||
        (st.st_size != 0 && st.st_size != CMOS_SIZE)) {
        int rc = iotrap__err(err, errlen, IOTRAP_E_INVAL,
                             "cmos: file \"%s\" is not a %d-byte CMOS image (as nvramtool -b "
                             "writes) nor empty", path, CMOS_SIZE);
        close(c->fd);
        c->fd = -1;
        return rc;
    }
    return IOTRAP_OK;
}

static void cmos_stop(iotrap_device *dev)
{
    struct cmos_config *c = dev->config;
    if (c->fd >= 0)
        close(c->fd);
    c->fd = -1;
}

/* What a BIOS leaves in the RAM: no floppy or hard disk described, VGA, a coprocessor
 * and a PS/2 mouse in the equipment byte, 640 KiB base and 63 MiB extended memory, and
 * the AT checksum of 0x10-0x2d at 0x2e (high byte) and 0x2f. */
static void bios_defaults(uint8_t *reg)
{
    reg[0x14] = 0x06;
    reg[0x15] = 0x80; /* base memory 0x0280 KiB */
    reg[0x16] = 0x02;
    reg[0x17] = 0x00; /* extended memory 0xfc00 KiB */
    reg[0x18] = 0xfc;
    reg[0x30] = 0x00; /* the same, as POST found it */
    reg[0x31] = 0xfc;
    unsigned sum = 0;
    for (unsigned i = 0x10; i <= 0x2d; i++)
        sum += reg[i];
    reg[0x2e] = (uint8_t)(sum >> 8);
    reg[0x2f] = (uint8_t)sum;
}

static void cmos_reset(iotrap_device *dev)
{
    struct cmos_state *s = dev->state;
    const struct cmos_config *c = dev->config;
    memset(s, 0, sizeof(*s));
    bios_defaults(s->reg);
    if (c->fd >= 0) {
        uint8_t image[CMOS_SIZE];
        if (pread(c->fd, image, sizeof image, 0) == (ssize_t)sizeof image) {
            memcpy(s->reg + FIRST_RAM, image + FIRST_RAM, CMOS_SIZE - FIRST_RAM);
        } else {
            /* A new image: the clock bytes stay zero, as nvramtool -b writes them. */
            memset(image, 0, sizeof image);
            memcpy(image + FIRST_RAM, s->reg + FIRST_RAM, CMOS_SIZE - FIRST_RAM);
            ssize_t w = pwrite(c->fd, image, sizeof image, 0);
            (void)w;
        }
    }
    s->reg[REG_A] = 0x26;
    s->reg[REG_B] = B_24H;
    s->reg[REG_C] = 0;
    s->reg[REG_D] = 0x80;
    s->index2 = 0x80;
}

/* Days since 1970-01-01 of a proleptic Gregorian date, and back: the well-known era
 * arithmetic, valid for any year and free of tables, locks and time zones. */
static int64_t days_from_civil(int64_t y, int64_t m, int64_t d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

struct civil {
    int64_t year;
    int month, day, hour, min, sec, wday; /* wday 0 = Sunday */
};

static void civil_from_time(int64_t t, struct civil *c)
{
    int64_t days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
    int64_t secs = t - days * 86400;
    c->hour = (int)(secs / 3600);
    c->min = (int)(secs / 60 % 60);
    c->sec = (int)(secs % 60);
    int64_t w = (days + 4) % 7; /* 1970-01-01 was a Thursday */
    c->wday = (int)(w < 0 ? w + 7 : w);
    int64_t z = days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    c->day = (int)(doy - (153 * mp + 2) / 5 + 1);
    c->month = (int)(mp < 10 ? mp + 3 : mp - 9);
    c->year = yoe + era * 400 + (c->month <= 2);
}

static int64_t time_from_civil(const struct civil *c)
{
    return days_from_civil(c->year, c->month, c->day) * 86400 + c->hour * 3600 + c->min * 60 +
           c->sec;
}

/* The host clock in the board's zone, in nanoseconds. */
static int64_t host_now_ns(const struct cmos_config *cfg)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return ((int64_t)ts.tv_sec + cfg->gmtoff) * NS + ts.tv_nsec;
}

static int64_t floor_div(int64_t a, int64_t b)
{
    return a >= 0 ? a / b : -((-a + b - 1) / b);
}

static int64_t board_now(const struct cmos_state *s, const struct cmos_config *cfg)
{
    if (s->reg[REG_B] & B_SET)
        return s->frozen;
    return floor_div(host_now_ns(cfg), NS) + s->offset;
}

/* Register A's UIP bit at board time `now` (ns).  On the chip it is set from 244 us
 * before each second's update until the update ends 1984 us later, and programs wait
 * for it to rise and fall to meet a second boundary (hwclock --directisa does).  A
 * trapped program polls far more slowly than the chip's bus and may be preempted for
 * longer than that window, so it could miss the window again and again; a read that
 * comes after a whole window passed unseen since the previous read of A therefore
 * still sees UIP once, as a poll during the window would have, and the next read sees
 * it fall.  Reads inside a window see exactly what the chip shows. */
static int uip(struct cmos_state *s, int64_t now)
{
    int64_t last = s->last_a_read;
    s->last_a_read = now;
    int64_t window = floor_div(now + UIP_BEFORE_NS, NS); /* the latest window begun */
    if (now < window * NS + UIP_AFTER_NS)
        return 1;
    return last != 0 && floor_div(last + UIP_BEFORE_NS, NS) < window;
}

static uint8_t encode(const struct cmos_state *s, int v)
{
    if (v < 0)
        v = 0;
    if (s->reg[REG_B] & B_BINARY)
        return (uint8_t)v;
    return (uint8_t)(((v / 10 % 10) << 4) | (v % 10));
}

static int decode(const struct cmos_state *s, uint8_t v)
{
    if (s->reg[REG_B] & B_BINARY)
        return v;
    return (v >> 4) * 10 + (v & 0x0f);
}

static uint8_t read_clock(const struct cmos_state *s, const struct cmos_config *cfg,
                          unsigned idx)
{
    struct civil c;
    civil_from_time(board_now(s, cfg), &c);
    switch (idx) {
    case 0x00:
        return encode(s, c.sec);
    case 0x02:
        return encode(s, c.min);
    case 0x04:
        if (s->reg[REG_B] & B_24H)
            return encode(s, c.hour);
        /* 12-hour: 12, 1..11 with bit 7 for PM, on the encoded value. */
        return (uint8_t)(encode(s, c.hour % 12 ? c.hour % 12 : 12) | (c.hour >= 12 ? 0x80 : 0));
    case 0x06:
        return encode(s, c.wday + 1);
    case 0x07:
        return encode(s, c.day);
    case 0x08:
        return encode(s, c.month);
    case 0x09:
        return encode(s, (int)(c.year % 100));
    default: /* REG_CENTURY */
        return encode(s, (int)(c.year / 100));
    }
}

static void write_clock(struct cmos_state *s, const struct cmos_config *cfg, unsigned idx,
                        uint8_t v)
{
    struct civil c;
    int64_t now = board_now(s, cfg);
    civil_from_time(now, &c);
    switch (idx) {
    case 0x00:
        c.sec = decode(s, v);
        break;
    case 0x02:
        c.min = decode(s, v);
        break;
    case 0x04:
        if (s->reg[REG_B] & B_24H)
            c.hour = decode(s, v);
        else
            c.hour = decode(s, v & 0x7f) % 12 + (v & 0x80 ? 12 : 0);
        break;
    case 0x06:
        return; /* the weekday follows from the date */
    case 0x07:
        c.day = decode(s, v);
        break;
    case 0x08:
        c.month = decode(s, v);
        break;
    case 0x09:
        c.year = c.year / 100 * 100 + decode(s, v);
        break;
    default: /* REG_CENTURY */
        c.year = (int64_t)decode(s, v) * 100 + c.year % 100;
        break;
    }
    /* Out-of-range fields (month 13, BCD 0xff) are kept arithmetically: the date rolls
     * over as mktime would, and nothing indexes a table with them. */
    int64_t t = time_from_civil(&c);
    if (s->reg[REG_B] & B_SET)
        s->frozen = t;
    else
        s->offset += t - now;
}

static int is_clock(unsigned idx)
{
    return idx <= 0x09 ? idx != 0x01 && idx != 0x03 && idx != 0x05 : idx == REG_CENTURY;
}

static uint8_t read_reg(struct cmos_state *s, const struct cmos_config *cfg, unsigned idx)
{
    if (is_clock(idx))
        return read_clock(s, cfg, idx);
    switch (idx) {
    case REG_A: {
        uint8_t a = s->reg[REG_A] & 0x7f;
        if (!(s->reg[REG_B] & B_SET) && uip(s, host_now_ns(cfg) + s->offset * NS))
            a |= A_UIP;
        return a;
    }
    case REG_C: {
        uint8_t c = s->reg[REG_C];
        s->reg[REG_C] = 0;
        return c;
    }
    case REG_D:
        return 0x80;
    default:
        return s->reg[idx];
    }
}

static void write_reg(struct cmos_state *s, const struct cmos_config *cfg, unsigned idx,
                      uint8_t value)
{
    if (is_clock(idx)) {
        write_clock(s, cfg, idx, value);
        return;
    }
    switch (idx) {
    case REG_A:
        s->reg[REG_A] = value & 0x7f;
        return;
    case REG_B: {
        uint8_t old = s->reg[REG_B];
        if ((value & B_SET) && !(old & B_SET))
            s->frozen = floor_div(host_now_ns(cfg), NS) + s->offset;
        else if (!(value & B_SET) && (old & B_SET))
            s->offset = s->frozen - floor_div(host_now_ns(cfg), NS);
        s->reg[REG_B] = value;
        return;
    }
    case REG_C:
    case REG_D:
        return; /* read-only */
    default:
        s->reg[idx] = value;
        /* Written through, so that the image is right however the run ends. */
        if (cfg->fd >= 0) {
            int saved = errno;
            ssize_t w = pwrite(cfg->fd, &value, 1, (off_t)idx);
            (void)w;
            errno = saved;
        }
        return;
    }
}

static uint8_t cmos_read(iotrap_device *dev, uint32_t offset)
{
    struct cmos_state *s = dev->state;
    const struct cmos_config *cfg = dev->config;
    switch (offset) {
    case 1:
        return read_reg(s, cfg, s->index);
    case 3:
        return read_reg(s, cfg, s->index2);
    default:
        return 0xff; /* the index registers are write-only */
    }
}

static void cmos_write(iotrap_device *dev, uint32_t offset, uint8_t value)
{
    struct cmos_state *s = dev->state;
    const struct cmos_config *cfg = dev->config;
    switch (offset) {
    case 0:
        s->index = value & 0x7f;
        return;
    case 1:
        write_reg(s, cfg, s->index, value);
        return;
    case 2:
        s->index2 = value | 0x80;
        return;
    default:
        write_reg(s, cfg, s->index2, value);
        return;
    }
}

const iotrap_device_model iotrap__device_cmos = {
    .size = sizeof(iotrap_device_model),
    .name = "cmos",
    .summary = "MC146818 RTC + 256 bytes of CMOS RAM (two banks), the host clock in UTC, "
               "BIOS defaults with a valid checksum",
    .span = 4,
    .state_size = sizeof(struct cmos_state),
    .config_size = sizeof(struct cmos_config),
    .configure = cmos_configure,
    .start = cmos_start,
    .reset = cmos_reset,
    .read = cmos_read,
    .write = cmos_write,
    .stop = cmos_stop,
    .options = cmos_options,
    .flags = IOTRAP_DEVICE_GENERAL_REGS,
};
