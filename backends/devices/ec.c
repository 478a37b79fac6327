/* ec@BASE: an ACPI embedded controller that is idle and infinitely fast, at BASE (data,
 * 0x62 on PCs) and BASE+4 (command and status, 0x66), as the ACPI specification's EC
 * interface describes it:
 *   status   OBF (bit 0) while a byte waits in the output buffer, IBF (bit 1) never
 *            (every byte is taken at once), CMD (bit 3) when the last byte written was
 *            a command, BURST (bit 4) in burst mode;
 *   commands RD_EC 0x80 (then the address; the byte comes back in the data port),
 *            WR_EC 0x81 (then address and byte), BE_EC 0x82 (burst on, answers 0x90),
 *            BD_EC 0x83 (burst off), QR_EC 0x84 (answers 0: no event pending);
 *            others are ignored.
 * Behind them, 256 bytes of EC RAM, zero at reset, shared by the run.  Without this model
 * both ports read 0xff, which says IBF forever: programs like ectool then wait. */
#include <string.h>
#include "backends/devices/devices.h"

#define OBF 0x01
#define CMD 0x08
#define BURST 0x10

enum phase { IDLE, READ_ADDR, WRITE_ADDR, WRITE_DATA };

struct ec_state {
    uint8_t status;
    uint8_t out;   /* the output buffer */
    uint8_t phase; /* enum phase */
    uint8_t addr;
    uint8_t ram[256];
};

static int ec_windows(const iotrap_device *dev, iotrap_device_window win[], char *err,
                      size_t errlen)
{
    win[0].offset = 0;
    win[0].count = 1;
    win[1].offset = 4;
    win[1].count = 1;
    return 2;
}

static void ec_reset(iotrap_device *dev)
{
    memset(dev->state, 0, sizeof(struct ec_state));
}

static void answer(struct ec_state *s, uint8_t v)
{
    s->out = v;
    s->status |= OBF;
}

static uint8_t ec_read(iotrap_device *dev, uint32_t offset)
{
    struct ec_state *s = dev->state;
    if (offset == 4)
        return s->status;
    s->status &= (uint8_t)~OBF;
    return s->out;
}

static void ec_write(iotrap_device *dev, uint32_t offset, uint8_t v)
{
    struct ec_state *s = dev->state;
    if (offset == 4) {
        s->status |= CMD;
        s->phase = IDLE;
        switch (v) {
        case 0x80:
            s->phase = READ_ADDR;
            break;
        case 0x81:
            s->phase = WRITE_ADDR;
            break;
        case 0x82:
            s->status |= BURST;
            answer(s, 0x90);
            break;
        case 0x83:
            s->status &= (uint8_t)~BURST;
            break;
        case 0x84:
            answer(s, 0x00);
            break;
        default:
            break;
        }
        return;
    }
    s->status &= (uint8_t)~CMD;
    switch (s->phase) {
    case READ_ADDR:
        answer(s, s->ram[v]);
        s->phase = IDLE;
        break;
    case WRITE_ADDR:
        s->addr = v;
        s->phase = WRITE_DATA;
        break;
    case WRITE_DATA:
        s->ram[s->addr] = v;
        s->phase = IDLE;
        break;
    default:
        break; /* data without a command: nothing asked for it */
    }
}

const iotrap_device_model iotrap__device_ec = {
    .size = sizeof(iotrap_device_model),
    .name = "ec",
    .summary = "idle ACPI embedded controller at BASE and BASE+4 (0x62/0x66): RD/WR/BE/BD/QR "
               "commands on 256 bytes of EC RAM",
    .span = 5,
    .state_size = sizeof(struct ec_state),
    .reset = ec_reset,
    .read = ec_read,
    .write = ec_write,
    .windows = ec_windows,
    .flags = IOTRAP_DEVICE_GENERAL_REGS,
};
