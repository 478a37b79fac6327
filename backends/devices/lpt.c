/* lpt@BASE[,out=FILE]: an SPP parallel port that behaves like QEMU's ISA parallel port
 * without a host port behind it (its "software" mode), which is what a guest sees with
 * -parallel file:...:
 *   +0 data     the latch reads back what was written while control bit 5 (direction)
 *               is 0; in input mode nothing drives the lines and it reads 0xff;
 *   +1 status   0xd8 idle (not busy, no ack, online, no error); a strobe makes the
 *               printer busy and the following status reads walk through ack back to
 *               idle, as QEMU does, so Centronics handshake loops terminate;
 *   +2 control  reads back with bits 6-7 set; 0xcc after reset (select + init);
 *   +3..+7      EPP/ECP registers are not modelled: read 0xff, writes ignored.
 * A byte goes to FILE when STROBE (control bit 0) rises while INIT (bit 2) and SELECT
 * (bit 3) are set.  Power-on: QEMU's reset value has the EPP timeout bit set in status
 * (0xd9) until the first init pulse, which every BIOS and OS driver sends; the board
 * starts in that initialised state, status 0xd8. */
#include <string.h>
#include "backends/devices/devices.h"
#include "common/parse.h"

#define STS_BUSY 0x80 /* set: not busy (the line is inverted) */
#define STS_ACK 0x40
#define STS_ONLINE 0x10
#define STS_ERROR 0x08 /* set: no error */
#define CTR_DIR 0x20
#define CTR_INTEN 0x10
#define CTR_SELECT 0x08
#define CTR_INIT 0x04
#define CTR_STROBE 0x01

#define STS_IDLE (STS_BUSY | STS_ACK | STS_ONLINE | STS_ERROR)

struct lpt_state {
    uint8_t dataw;
    uint8_t datar;
    uint8_t status;
    uint8_t control;
};

struct lpt_config {
    iotrap__outfile out;
};

static int lpt_configure(iotrap_device *dev, const char *key, const char *value, char *err,
                         size_t errlen)
{
    struct lpt_config *c = dev->config;
    if (strcmp(key, "out") == 0)
        return iotrap__outfile_set(&c->out, "lpt", value, err, errlen);
    return iotrap__err(err, errlen, IOTRAP_E_SYNTAX, "unknown option \"%s\" for lpt (known: out)",
                       key);
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
    s->dataw = 0xff;
    s->datar = 0xff;
    s->status = STS_IDLE;
    s->control = 0xc0 | CTR_SELECT | CTR_INIT;
}

static uint8_t lpt_read(iotrap_device *dev, uint32_t offset)
{
    struct lpt_state *s = dev->state;
    switch (offset) {
    case 0:
        return (s->control & CTR_DIR) ? s->datar : s->dataw;
    case 1: {
        uint8_t ret = s->status;
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
    default:
        return 0xff;
    }
}

static void lpt_write(iotrap_device *dev, uint32_t offset, uint8_t value)
{
    struct lpt_state *s = dev->state;
    struct lpt_config *c = dev->config;
    if (offset == 0) {
        s->dataw = value;
    } else if (offset == 2) {
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
}

/* A string to the data register only moves the latch; control strings keep their
 * per-byte handshake. */
static void lpt_write_string(iotrap_device *dev, uint32_t offset, const uint8_t *bytes, size_t n)
{
    if (offset == 0) {
        struct lpt_state *s = dev->state;
        s->dataw = bytes[n - 1];
        return;
    }
    for (size_t i = 0; i < n; i++)
        lpt_write(dev, offset, bytes[i]);
}

const iotrap_device_model iotrap__device_lpt = {
    .name = "lpt",
    .summary = "SPP parallel port (data/status/control, Centronics handshake); out=FILE "
               "receives the strobed bytes",
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
};
