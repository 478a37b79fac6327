/* lpt@BASE[,out=FILE][,mode=ecp|epp|spp]: a parallel port with a printer behind it that
 * takes bytes as fast as they come, which is what QEMU's ISA parallel port shows a guest
 * with -parallel file:..., plus the EPP and ECP registers of a Super I/O chip's port
 * (data sheets: the SMSC FDC37C669, and the ECP ISA interface standard):
 *   +0 data     the latch reads back what was written while control bit 5 (direction) is
 *               0; in input mode nothing drives the lines and it reads 0xff (in ECR mode
 *               000 the direction bit is ignored, as the standard says); in ECR mode 011
 *               it is the ECP address FIFO;
 *   +1 status   0xd8 idle (not busy, no ack, online, no error); a strobe makes the
 *               printer busy and the following status reads walk through ack back to
 *               idle, as QEMU does, so Centronics handshake loops terminate; bit 0 is the
 *               EPP timeout, cleared by writing 1 to it;
 *   +2 control  reads back with bits 6-7 set; 0xcc after reset (select + init);
 *   +3, +4..+7  (epp, and ecp in ECR mode 100) the EPP address and data registers: the
 *               printer does not speak EPP, so every cycle times out as with nothing
 *               attached: reads give 0xff and the timeout bit is set; (spp) nothing: 0xff;
 *   +0x400      (ecp) the FIFO of ECR modes 010 (to the printer), 011 (ECP data, which
 *               the printer never takes), 110 (test: written and read back); in mode 111
 *               configuration register A (0x10: an 8-bit port);
 *   +0x401      (ecp) configuration register B in mode 111;
 *   +0x402      (ecp) the extended control register: mode in bits 7-5, nErrIntrEn, dmaEn,
 *               serviceIntr, FIFO full (bit 1) and empty (bit 0); 0x35 after reset (PS/2
 *               mode, where a BIOS leaves an ECP port).  The FIFO holds 16 bytes; in the
 *               FIFO modes, with serviceIntr and dmaEn clear, serviceIntr is set once 8
 *               bytes are free (forward) or present (reverse), as drivers measure the
 *               thresholds.
 * A byte goes to FILE when STROBE (control bit 0) rises while INIT (bit 2) and SELECT
 * (bit 3) are set, and from the FIFO in mode 010 under the same condition.  Power-on:
 * QEMU's reset value has the EPP timeout bit set (0xd9) until the first init pulse, which
 * every BIOS and OS driver sends; the board starts in that initialised state, 0xd8. */
#include <string.h>
#include "backends/devices/devices.h"
#include "common/parse.h"

#define STS_BUSY 0x80 /* set: not busy (the line is inverted) */
#define STS_ACK 0x40
#define STS_ONLINE 0x10
#define STS_ERROR 0x08 /* set: no error */
#define STS_TIMEOUT 0x01
#define CTR_DIR 0x20
#define CTR_SELECT 0x08
#define CTR_INIT 0x04
#define CTR_STROBE 0x01

#define STS_IDLE (STS_BUSY | STS_ACK | STS_ONLINE | STS_ERROR)

#define ECR_MODE(ecr) ((ecr) >> 5)
#define ECR_SPP 0
#define ECR_PS2 1
#define ECR_PPF 2
#define ECR_ECP 3
#define ECR_EPP 4
#define ECR_TST 6
#define ECR_CNF 7
#define ECR_SERVICE 0x04
#define ECR_DMA 0x08
#define ECR_FULL 0x02
#define ECR_EMPTY 0x01
#define FIFO_SIZE 16
#define THRESHOLD 8

enum lpt_mode { MODE_ECP, MODE_EPP, MODE_SPP };

struct lpt_state {
    uint8_t dataw;
    uint8_t datar;
    uint8_t status;
    uint8_t control;
    uint8_t timeout; /* the EPP timeout bit */
    uint8_t ecr;     /* without the full and empty bits, which follow from the FIFO */
    uint8_t cnfgb;
    uint8_t fifo_head;
    uint8_t fifo_count;
    uint8_t fifo[FIFO_SIZE];
};

struct lpt_config {
    iotrap__outfile out;
    enum lpt_mode mode;
};

static const char *const lpt_options[] = { "out=FILE", "mode=ecp|epp|spp", NULL };

static int lpt_configure(iotrap_device *dev, const char *key, const char *value, char *err,
                         size_t errlen)
{
    struct lpt_config *c = dev->config;
    if (strcmp(key, "out") == 0)
        return iotrap__outfile_set(&c->out, "lpt", value, err, errlen);
    if (strcmp(key, "mode") == 0) {
        if (strcmp(value, "ecp") == 0)
            c->mode = MODE_ECP;
        else if (strcmp(value, "epp") == 0)
            c->mode = MODE_EPP;
        else if (strcmp(value, "spp") == 0)
            c->mode = MODE_SPP;
        else
            return iotrap__err(err, errlen, IOTRAP_E_SYNTAX,
                               "bad value \"%s\" for option \"mode\" of lpt (known: ecp, epp, "
                               "spp)", value);
        return IOTRAP_OK;
    }
    return iotrap__err(err, errlen, IOTRAP_E_SYNTAX,
                       "unknown option \"%s\" for lpt (known: out, mode)", key);
}

static int lpt_windows(const iotrap_device *dev, iotrap_device_window win[], char *err,
                       size_t errlen)
{
    const struct lpt_config *c = dev->config;
    win[0].offset = 0;
    win[0].count = 8;
    if (c->mode != MODE_ECP)
        return 1;
    win[1].offset = 0x400;
    win[1].count = 3;
    return 2;
}

static int lpt_start(iotrap_device *dev, char *err, size_t errlen)
{
    struct lpt_config *c = dev->config;
    return iotrap__outfile_open(&c->out, err, errlen);
}

static void lpt_stop(iotrap_device *dev)
{
    struct lpt_config *c = dev->config;
    iotrap__outfile_close(&c->out);
}

static void lpt_reset(iotrap_device *dev)
{
    struct lpt_state *s = dev->state;
    memset(s, 0, sizeof(*s));
    s->dataw = 0xff;
    s->datar = 0xff;
    s->status = STS_IDLE;
    s->control = 0xc0 | CTR_SELECT | CTR_INIT;
    s->ecr = ECR_PS2 << 5 | 0x10 | ECR_SERVICE;
}

/* The mode the port is in now: EPP registers answer in epp, and in ecp under ECR mode
 * 100. */
static int epp_active(const struct lpt_state *s, const struct lpt_config *c)
{
    return c->mode == MODE_EPP || (c->mode == MODE_ECP && ECR_MODE(s->ecr) == ECR_EPP);
}

static int printer_takes_bytes(const struct lpt_state *s)
{
    return (s->control & CTR_INIT) && (s->control & CTR_SELECT);
}

static uint8_t ecr_value(const struct lpt_state *s)
{
    return (uint8_t)(s->ecr | (s->fifo_count == FIFO_SIZE ? ECR_FULL : 0) |
                     (s->fifo_count == 0 ? ECR_EMPTY : 0));
}

/* Sets serviceIntr when the FIFO crosses its threshold in the current direction, as
 * the standard has it for programmed I/O (serviceIntr and dmaEn clear). */
static void check_service(struct lpt_state *s)
{
    unsigned mode = ECR_MODE(s->ecr);
    if ((s->ecr & (ECR_SERVICE | ECR_DMA)) || !(mode == ECR_PPF || mode == ECR_ECP ||
                                                mode == ECR_TST))
        return;
    int reverse = (s->control & CTR_DIR) != 0;
    if (reverse ? s->fifo_count >= THRESHOLD : FIFO_SIZE - s->fifo_count >= THRESHOLD)
        s->ecr |= ECR_SERVICE;
}

static void fifo_put(struct lpt_state *s, uint8_t v)
{
    if (s->fifo_count == FIFO_SIZE)
        return; /* overrun: the byte is lost, as on the chip */
    s->fifo[(s->fifo_head + s->fifo_count) % FIFO_SIZE] = v;
    s->fifo_count++;
    check_service(s);
}

static uint8_t fifo_get(struct lpt_state *s)
{
    if (s->fifo_count == 0)
        return 0xff;
    uint8_t v = s->fifo[s->fifo_head];
    s->fifo_head = (uint8_t)((s->fifo_head + 1) % FIFO_SIZE);
    s->fifo_count--;
    check_service(s);
    return v;
}

static uint8_t lpt_read(iotrap_device *dev, uint32_t offset)
{
    struct lpt_state *s = dev->state;
    const struct lpt_config *c = dev->config;
    switch (offset) {
    case 0:
        if ((s->control & CTR_DIR) && !(c->mode == MODE_ECP && ECR_MODE(s->ecr) == ECR_SPP))
            return s->datar;
        return s->dataw;
    case 1: {
        uint8_t ret = s->status | s->timeout;
        /* After a strobe the printer is busy; while the host keeps STROBE low each read
         * advances it: first ACK drops, then it is idle again with ACK high. */
        if (!(s->status & STS_BUSY) && !(s->control & CTR_STROBE)) {
            if (s->status & STS_ACK)
                s->status &= (uint8_t)~STS_ACK;
            else
                s->status |= STS_ACK | STS_BUSY;
        }
        return ret;
    }
    case 2:
        return s->control;
    case 0x400:
        if (ECR_MODE(s->ecr) == ECR_CNF)
            return 0x10; /* cnfgA: 8-bit implementation */
        return ECR_MODE(s->ecr) == ECR_TST ? fifo_get(s) : 0xff;
    case 0x401:
        return ECR_MODE(s->ecr) == ECR_CNF ? s->cnfgb : 0xff;
    case 0x402:
        return ecr_value(s);
    default: /* 3..7 */
        if (!epp_active(s, c))
            return 0xff;
        s->timeout = STS_TIMEOUT; /* nobody answers the read cycle */
        return 0xff;
    }
}

static void write_control(struct lpt_state *s, const struct lpt_config *c, uint8_t value)
{
    value |= 0xc0;
    if (!(value & CTR_INIT)) {
        s->status = STS_IDLE; /* an init pulse resets the printer */
    } else if ((value & CTR_SELECT) && (value & CTR_STROBE)) {
        s->status &= (uint8_t)~STS_BUSY;
        if (!(s->control & CTR_STROBE))
            iotrap_device_emit(c->out.fd, &s->dataw, 1);
    }
    s->control = value;
}

static void write_ecr(struct lpt_state *s, uint8_t value)
{
    unsigned mode = ECR_MODE(value);
    /* Going to mode 000 or 001 empties the FIFO, which is how drivers reset it. */
    if (mode == ECR_SPP || mode == ECR_PS2) {
        s->fifo_count = 0;
        s->fifo_head = 0;
    }
    s->ecr = value & 0xfc;
    check_service(s);
}

/* In mode 010 the hardware strobes the FIFO's bytes to the printer, which takes them at
 * once while it is selected and out of reset. */
static void drain_to_printer(struct lpt_state *s, const struct lpt_config *c)
{
    while (s->fifo_count && printer_takes_bytes(s)) {
        uint8_t v = fifo_get(s);
        iotrap_device_emit(c->out.fd, &v, 1);
    }
}

static void write_fifo(struct lpt_state *s, const struct lpt_config *c, uint8_t value)
{
    switch (ECR_MODE(s->ecr)) {
    case ECR_PPF:
        fifo_put(s, value);
        drain_to_printer(s, c);
        return;
    case ECR_ECP:
    case ECR_TST:
        fifo_put(s, value); /* no ECP peripheral drains it; the test FIFO keeps it */
        return;
    default:
        return; /* cnfgA (mode 111) is read-only; other modes have no FIFO */
    }
}

static void lpt_write(iotrap_device *dev, uint32_t offset, uint8_t value)
{
    struct lpt_state *s = dev->state;
    const struct lpt_config *c = dev->config;
    switch (offset) {
    case 0:
        if (c->mode == MODE_ECP && ECR_MODE(s->ecr) == ECR_ECP)
            fifo_put(s, value); /* ecpAFifo: a command the printer never takes */
        else
            s->dataw = value;
        return;
    case 1:
        if (c->mode != MODE_SPP && (value & STS_TIMEOUT))
            s->timeout = 0; /* writing 1 clears the timeout bit */
        return;
    case 2:
        write_control(s, c, value);
        if (c->mode == MODE_ECP && ECR_MODE(s->ecr) == ECR_PPF)
            drain_to_printer(s, c);
        return;
    case 0x400:
        write_fifo(s, c, value);
        return;
    case 0x401:
        if (ECR_MODE(s->ecr) == ECR_CNF)
            s->cnfgb = (uint8_t)((s->cnfgb & 0x7f) | (value & 0x80));
        return;
    case 0x402:
        write_ecr(s, value);
        return;
    default: /* 3..7 */
        if (epp_active(s, c))
            s->timeout = STS_TIMEOUT; /* nobody answers the write cycle */
        return;
    }
}

/* A string to the data register only moves the latch; control strings keep their
 * per-byte handshake. */
static void lpt_write_string(iotrap_device *dev, uint32_t offset, const uint8_t *bytes, size_t n)
{
    struct lpt_state *s = dev->state;
    const struct lpt_config *c = dev->config;
    if (offset == 0 && !(c->mode == MODE_ECP && ECR_MODE(s->ecr) == ECR_ECP)) {
        s->dataw = bytes[n - 1];
        return;
    }
    for (size_t i = 0; i < n; i++)
        lpt_write(dev, offset, bytes[i]);
}

/* The lines of the cable (IEEE 1284 names; signals active low are named without their
 * n and shown at their line level). */
static const iotrap_device_lines data_lines = {
    { "D0", "D1", "D2", "D3", "D4", "D5", "D6", "D7" }, 0x00, 0,
};
static const iotrap_device_lines status_lines = {
    { NULL, NULL, NULL, "ERROR", "SELECT", "PE", "ACK", "BUSY" }, 0x80, 1,
};
static const iotrap_device_lines control_lines = {
    { "STROBE", "AUTOFD", "INIT", "SELECTIN", NULL, NULL, NULL, NULL }, 0x0b, 0,
};

const iotrap_device_lines *iotrap__lpt_lines(uint32_t offset)
{
    switch (offset) {
    case 0:
        return &data_lines;
    case 1:
        return &status_lines;
    case 2:
        return &control_lines;
    default:
        return NULL;
    }
}

static const iotrap_device_lines *lpt_lines(const iotrap_device *dev, uint32_t offset)
{
    return iotrap__lpt_lines(offset);
}

const iotrap_device_model iotrap__device_lpt = {
    .size = sizeof(iotrap_device_model),
    .name = "lpt",
    .summary = "parallel port with a printer behind it (Centronics handshake), EPP and ECP "
               "registers; out=FILE receives the printed bytes",
    .span = 8,
    .state_size = sizeof(struct lpt_state),
    .config_size = sizeof(struct lpt_config),
    .configure = lpt_configure,
    .start = lpt_start,
    .reset = lpt_reset,
    .read = lpt_read,
    .write = lpt_write,
    .stop = lpt_stop,
    .write_string = lpt_write_string,
    .options = lpt_options,
    .windows = lpt_windows,
    .lines = lpt_lines,
    .flags = IOTRAP_DEVICE_GENERAL_REGS,
};
