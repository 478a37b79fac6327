/* pit@BASE: the 8254 programmable interval timer, counting at 1.193182 MHz of the host's
 * monotonic clock, as the PC's timer does (ports 0x40-0x43):
 *   +0..+2  counters 0-2: the count is written and read as the control word's access
 *           field says (LSB, MSB, or LSB then MSB), binary or BCD;
 *   +3      the control word (write-only; reads 0xff, nothing drives the bus): select a
 *           counter and set its mode and access, latch its count (access 00), or the
 *           read-back command (counter field 3) that latches counts and statuses.
 * Modes 0-5 (6 and 7 are 2 and 3) as the data sheet gives them; the count and OUT follow
 * from the time since the count was loaded, as in QEMU's model: mode 0 counts down from
 * N and OUT rises at zero, mode 1 likewise after a gate trigger, mode 2 reloads every N
 * clocks with OUT low for the last one, mode 3 counts down by two per clock and OUT is a
 * square wave of period N, modes 4 and 5 pulse OUT low for one clock at zero.  A count of
 * 0 means 65536 (10000 in BCD).  The gates of counters 0 and 1 are tied high; counter 2's
 * is bit 0 of port 0x61 (portb), which also reads its OUT.  At reset the counters are as
 * a BIOS leaves them: counter 0 in mode 3 with 65536 (18.2 Hz), counter 1 in mode 2 with
 * 18 (the 15.085 us refresh request), counter 2 in mode 3 with 65536 and its gate low. */
#include <string.h>
#include <time.h>
#include "backends/devices/devices.h"

#define PIT_HZ 1193182LL
#define NS 1000000000LL

/* 64-bit fields first, for the same layout in 32- and 64-bit processes. */
struct pit_counter {
    int64_t run_ns;     /* monotonic time from which it counts, while running */
    int64_t base_ticks; /* clocks counted before run_ns since the count was loaded */
    uint32_t count;     /* N, 1..65536 (BCD: 1..10000) */
    uint16_t latch;     /* the latched count */
    uint8_t mode;       /* 0-5 */
    uint8_t access;     /* 1 LSB, 2 MSB, 3 LSB then MSB */
    uint8_t bcd;
    uint8_t gate;
    uint8_t running;    /* clocks reach the count (gate and mode permitting) */
    uint8_t waiting;    /* no count written since the control word */
    uint8_t latched;    /* bytes of `latch` still to read: access-coded, 0 none */
    uint8_t status_latched;
    uint8_t status;
    uint8_t read_msb;   /* the next live read of an LSB/MSB counter gives the MSB */
    uint8_t write_msb;  /* the next write of an LSB/MSB counter is the MSB */
    uint8_t write_lsb;  /* the LSB written first */
    uint8_t pad[3];
};

struct pit_state {
    struct pit_counter c[3];
};
_Static_assert(sizeof(struct pit_counter) == 40, "pit state layout must not depend on ABI");

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * NS + ts.tv_nsec;
}

/* Whole clocks in (a, b], without overflowing 64 bits for any interval. */
static int64_t clocks(int64_t a, int64_t b)
{
    int64_t d = b - a;
    if (d <= 0)
        return 0;
    return d / NS * PIT_HZ + d % NS * PIT_HZ / NS;
}

/* Clocks since the count was loaded. */
static int64_t elapsed(const struct pit_counter *c, int64_t now)
{
    return c->running ? c->base_ticks + clocks(c->run_ns, now) : c->base_ticks;
}

static uint32_t wrap(const struct pit_counter *c)
{
    return c->bcd ? 10000u : 65536u;
}

/* The counting element's value (0..wrap-1; 0 stands for the full count). */
static uint32_t value(const struct pit_counter *c, int64_t now)
{
    int64_t e = elapsed(c, now);
    uint32_t n = c->count;
    switch (c->mode) {
    case 2:
        return n - (uint32_t)(e % n);
    case 3:
        return n - (uint32_t)((2 * e) % n);
    default: /* 0, 1, 4, 5: down from N, wrapping past zero */
        return (uint32_t)(((int64_t)n - e % wrap(c) + wrap(c)) % wrap(c));
    }
}

static int out(const struct pit_counter *c, int64_t now)
{
    if (c->waiting)
        return c->mode != 0; /* after the control word: low in mode 0, high otherwise */
    int64_t e = elapsed(c, now);
    uint32_t n = c->count;
    switch (c->mode) {
    case 0:
        return e >= n;
    case 1:
        return !c->running || e >= n; /* high until a trigger, low while counting */
    case 2:
        return !c->gate || e % n != n - 1;
    case 3:
        return !c->gate || e % n < (n + 1) / 2;
    default: /* 4, 5: one clock low at zero */
        return !c->running || e != n;
    }
}

static uint16_t to_bcd(uint32_t v)
{
    return (uint16_t)(v % 10 | (v / 10 % 10) << 4 | (v / 100 % 10) << 8 | (v / 1000 % 10) << 12);
}

static uint32_t from_bcd(uint16_t v)
{
    return (v & 0xf) + (v >> 4 & 0xf) * 10 + (v >> 8 & 0xf) * 100 + (v >> 12 & 0xf) * 1000;
}

/* The count as a program reads it: 16 bits, BCD-coded in BCD mode. */
static uint16_t readable(const struct pit_counter *c, int64_t now)
{
    uint32_t v = value(c, now) % wrap(c);
    return c->bcd ? to_bcd(v) : (uint16_t)v;
}

/* Starts counting from the count just written (or a gate trigger). */
static void load(struct pit_counter *c, int64_t now)
{
    c->waiting = 0;
    c->base_ticks = 0;
    c->run_ns = now;
    /* Modes 1 and 5 wait for a trigger; the others count while the gate is high. */
    c->running = c->mode != 1 && c->mode != 5 && c->gate;
}

static void set_count(struct pit_counter *c, uint16_t raw, int64_t now)
{
    uint32_t n = c->bcd ? from_bcd(raw) : raw;
    c->count = n ? n : wrap(c);
    load(c, now);
}

static void gate(struct pit_counter *c, int level, int64_t now)
{
    level = !!level;
    if (level == c->gate)
        return;
    int64_t e = elapsed(c, now);
    c->gate = (uint8_t)level;
    if (c->waiting)
        return;
    switch (c->mode) {
    case 0:
    case 4: /* the gate enables and disables counting */
        c->base_ticks = e;
        c->run_ns = now;
        c->running = (uint8_t)level;
        break;
    default: /* 1, 2, 3, 5: a rising edge (re)starts from N; 2 and 3 stop while low */
        if (level) {
            c->base_ticks = 0;
            c->run_ns = now;
            c->running = 1;
        } else if (c->mode == 2 || c->mode == 3) {
            c->base_ticks = e;
            c->running = 0;
        }
        break;
    }
}

static void reset_counter(struct pit_counter *c, uint8_t mode, uint32_t count, int gate_level,
                          int64_t now)
{
    memset(c, 0, sizeof(*c));
    c->mode = mode;
    c->access = 3;
    c->gate = (uint8_t)gate_level;
    c->count = count;
    load(c, now);
}

static void pit_reset(iotrap_device *dev)
{
    struct pit_state *s = dev->state;
    int64_t now = now_ns();
    reset_counter(&s->c[0], 3, 65536, 1, now);
    reset_counter(&s->c[1], 2, 18, 1, now);
    reset_counter(&s->c[2], 3, 65536, 0, now);
}

static uint8_t status_byte(const struct pit_counter *c, int64_t now)
{
    int null_count = c->waiting || elapsed(c, now) == 0;
    return (uint8_t)(out(c, now) << 7 | null_count << 6 | c->access << 4 | c->mode << 1 | c->bcd);
}

static void latch_count(struct pit_counter *c, int64_t now)
{
    if (c->latched)
        return; /* a second latch before the first is read is ignored */
    c->latch = readable(c, now);
    c->latched = c->access;
}

static void control(struct pit_state *s, uint8_t v, int64_t now)
{
    unsigned sel = v >> 6;
    if (sel == 3) { /* read-back: bit 5 low latches counts, bit 4 low statuses */
        for (unsigned i = 0; i < 3; i++) {
            if (!(v & (2u << i)))
                continue;
            struct pit_counter *c = &s->c[i];
            if (!(v & 0x20))
                latch_count(c, now);
            if (!(v & 0x10) && !c->status_latched) {
                c->status = status_byte(c, now);
                c->status_latched = 1;
            }
        }
        return;
    }
    struct pit_counter *c = &s->c[sel];
    unsigned access = v >> 4 & 3;
    if (access == 0) {
        latch_count(c, now);
        return;
    }
    unsigned mode = v >> 1 & 7;
    c->mode = (uint8_t)(mode > 5 ? mode - 4 : mode);
    c->access = (uint8_t)access;
    c->bcd = v & 1;
    c->read_msb = c->write_msb = 0;
    c->latched = 0;
    c->status_latched = 0;
    c->waiting = 1;
    c->running = 0;
    c->base_ticks = 0;
}

static uint8_t read_counter(struct pit_counter *c, int64_t now)
{
    if (c->status_latched) {
        c->status_latched = 0;
        return c->status;
    }
    if (c->latched) {
        /* 1: the LSB is left, 2: the MSB, 3: both, LSB first. */
        uint8_t r = c->latched == 2 ? (uint8_t)(c->latch >> 8) : (uint8_t)c->latch;
        c->latched = c->latched == 3 ? 2 : 0;
        return r;
    }
    uint16_t v = readable(c, now);
    switch (c->access) {
    case 1:
        return (uint8_t)v;
    case 2:
        return (uint8_t)(v >> 8);
    default:
        c->read_msb ^= 1;
        return c->read_msb ? (uint8_t)v : (uint8_t)(v >> 8);
    }
}

static void write_counter(struct pit_counter *c, uint8_t v, int64_t now)
{
    switch (c->access) {
    case 1:
        set_count(c, v, now);
        break;
    case 2:
        set_count(c, (uint16_t)(v << 8), now);
        break;
    default:
        if (!c->write_msb) {
            c->write_lsb = v;
            c->write_msb = 1;
            if (c->mode == 0) { /* the first byte stops mode 0's count */
                c->base_ticks = elapsed(c, now);
                c->running = 0;
                c->waiting = 1;
            }
        } else {
            c->write_msb = 0;
            set_count(c, (uint16_t)(c->write_lsb | v << 8), now);
        }
        break;
    }
}

static uint8_t pit_read(iotrap_device *dev, uint32_t offset)
{
    struct pit_state *s = dev->state;
    if (offset == 3)
        return 0xff;
    return read_counter(&s->c[offset], now_ns());
}

static void pit_write(iotrap_device *dev, uint32_t offset, uint8_t v)
{
    struct pit_state *s = dev->state;
    if (offset == 3)
        control(s, v, now_ns());
    else
        write_counter(&s->c[offset], v, now_ns());
}

void iotrap__pit_set_gate2(iotrap_device *pit, int level)
{
    struct pit_state *s = pit->state;
    gate(&s->c[2], level, now_ns());
}

int iotrap__pit_out2(iotrap_device *pit)
{
    const struct pit_state *s = pit->state;
    return out(&s->c[2], now_ns());
}

const iotrap_device_model iotrap__device_pit = {
    .size = sizeof(iotrap_device_model),
    .name = "pit",
    .summary = "8254 interval timer: three counters, modes 0-5, latch and read-back, at "
               "1.193182 MHz of the host's clock",
    .span = 4,
    .state_size = sizeof(struct pit_state),
    .reset = pit_reset,
    .read = pit_read,
    .write = pit_write,
    .flags = IOTRAP_DEVICE_GENERAL_REGS,
};
