/* cmos@BASE[,time=local|utc]: the MC146818 RTC and CMOS RAM behind an index/data pair.
 *   +0 index   write-only (reads 0xff, as on QEMU); bit 7 is the NMI mask, ignored;
 *   +1 data    the register the index selects:
 *     0x00-0x09  seconds, alarm seconds, minutes, alarm minutes, hours, alarm hours,
 *                day of week (1 = Sunday), day of month, month, year (two digits), read
 *                from the host clock in BCD or binary and in 24- or 12-hour form (bit 7 of
 *                the hour: PM) as register B says; writes move this board's clock;
 *     0x0a       A: rate bits as written (0x26 after reset); bit 7, update in progress, is
 *                set during the last 244 us before each second ticks;
 *     0x0b       B: 0x02 after reset (24-hour, BCD); bit 7 (SET) freezes the clock while
 *                a program writes it, as on the chip;
 *     0x0c       C: interrupt flags, always 0 (no interrupts are raised);
 *     0x0d       D: 0x80, battery good;
 *     0x32       century, from the clock like the year;
 *     the rest   battery-backed RAM: kept in the shared board.
 * The clock is the host clock (local time unless time=utc) plus an offset that writes
 * set; the offset lives in the board so every process sees the same time. */
#include <string.h>
#include <time.h>
#include "backends/devices/devices.h"
#include "common/parse.h"

#define REG_A 0x0a
#define REG_B 0x0b
#define REG_C 0x0c
#define REG_D 0x0d
#define REG_CENTURY 0x32
#define B_SET 0x80
#define B_BINARY 0x04
#define B_24H 0x02
#define A_UIP 0x80

/* 64-bit fields first: i386 aligns int64_t to 4 bytes inside structs, and 32- and
 * 64-bit processes share this state. */
struct cmos_state {
    int64_t offset;  /* seconds added to the host clock */
    int64_t frozen;  /* the clock while B.SET is set */
    uint8_t index;
    uint8_t pad[7];
    uint8_t reg[128];
};
_Static_assert(sizeof(struct cmos_state) == 152, "cmos state layout must not depend on ABI");

struct cmos_config {
    int utc;
    int64_t gmtoff; /* local time minus UTC at start(), in seconds */
};

static int cmos_configure(iotrap_device *dev, const char *key, const char *value, char *err,
                          size_t errlen)
{
    struct cmos_config *c = dev->config;
    if (strcmp(key, "time") == 0) {
        if (strcmp(value, "utc") == 0)
            c->utc = 1;
        else if (strcmp(value, "local") == 0)
            c->utc = 0;
        else
            return iotrap__err(err, errlen, IOTRAP_E_SYNTAX,
                               "bad value \"%s\" for option \"time\" of cmos (known: local, utc)",
                               value);
        return IOTRAP_OK;
    }
    return iotrap__err(err, errlen, IOTRAP_E_SYNTAX,
                       "unknown option \"%s\" for cmos (known: time)", key);
}

static int cmos_start(iotrap_device *dev, char *err, size_t errlen)
{
    struct cmos_config *c = dev->config;
    /* localtime_r is not async-signal-safe, so the zone offset is taken here, once. */
    c->gmtoff = 0;
    if (!c->utc) {
        time_t now = time(NULL);
        struct tm tm;
        if (localtime_r(&now, &tm))
            c->gmtoff = tm.tm_gmtoff;
    }
    return IOTRAP_OK;
}

static void cmos_reset(iotrap_device *dev)
{
    struct cmos_state *s = dev->state;
    memset(s, 0, sizeof(*s));
    s->reg[REG_A] = 0x26;
    s->reg[REG_B] = B_24H;
    s->reg[REG_D] = 0x80;
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

static int64_t host_now(const struct cmos_config *cfg, long *nsec)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    if (nsec)
        *nsec = ts.tv_nsec;
    return (int64_t)ts.tv_sec + cfg->gmtoff;
}

static int64_t board_now(const struct cmos_state *s, const struct cmos_config *cfg)
{
    if (s->reg[REG_B] & B_SET)
        return s->frozen;
    return host_now(cfg, NULL) + s->offset;
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

static uint8_t cmos_read(iotrap_device *dev, uint32_t offset)
{
    struct cmos_state *s = dev->state;
    const struct cmos_config *cfg = dev->config;
    if (offset == 0)
        return 0xff;
    unsigned idx = s->index;
    switch (idx) {
    case 0x00: case 0x02: case 0x04: case 0x06: case 0x07: case 0x08: case 0x09:
    case REG_CENTURY:
        return read_clock(s, cfg, idx);
    case REG_A: {
        long ns;
        host_now(cfg, &ns);
        uint8_t a = s->reg[REG_A] & 0x7f;
        if (!(s->reg[REG_B] & B_SET) && ns >= 1000000000L - 244000L)
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

static void cmos_write(iotrap_device *dev, uint32_t offset, uint8_t value)
{
    struct cmos_state *s = dev->state;
    const struct cmos_config *cfg = dev->config;
    if (offset == 0) {
        s->index = value & 0x7f;
        return;
    }
    unsigned idx = s->index;
    switch (idx) {
    case 0x00: case 0x02: case 0x04: case 0x06: case 0x07: case 0x08: case 0x09:
    case REG_CENTURY:
        write_clock(s, cfg, idx, value);
        return;
    case REG_A:
        s->reg[REG_A] = value & 0x7f;
        return;
    case REG_B: {
        uint8_t old = s->reg[REG_B];
        if ((value & B_SET) && !(old & B_SET))
            s->frozen = host_now(cfg, NULL) + s->offset;
        else if (!(value & B_SET) && (old & B_SET))
            s->offset = s->frozen - host_now(cfg, NULL);
        s->reg[REG_B] = value;
        return;
    }
    case REG_C:
    case REG_D:
        return; /* read-only */
    default:
        s->reg[idx] = value;
        return;
    }
}

const iotrap_device_model iotrap__device_cmos = {
    .name = "cmos",
    .summary = "MC146818 RTC + CMOS RAM at an index/data pair: host clock in BCD/binary, "
               "12/24h; time=utc for UTC",
    .span = 2,
    .state_size = sizeof(struct cmos_state),
    .config_size = sizeof(struct cmos_config),
    .configure = cmos_configure,
    .start = cmos_start,
    .reset = cmos_reset,
    .read = cmos_read,
    .write = cmos_write,
};
