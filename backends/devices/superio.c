/* superio@BASE: the configuration ports of a Winbond W83627HF Super I/O chip at BASE
 * (index) and BASE+1 (data), 0x2e or 0x4e on PC boards.  Idle, the chip does not drive
 * the bus (both ports read 0xff); writing its entry key, 0x87 twice, to the index port
 * enters configuration mode, where the index selects a register and the data port
 * reads and writes it; 0xaa leaves.  Registers, as the data sheet gives them:
 *   0x07       the logical device the registers 0x30-0xff belong to;
 *   0x20/0x21  device ID 0x52 and revision 0x41 (read-only);
 *   0x22-0x2f  global configuration (0x26 bit 6, HEFRAS, says the chip sits at 0x4e);
 *   0x30       a logical device's activation; 0x60-0x63 its I/O bases; 0x70/0x72 its
 *              IRQs; 0x74 its DMA channel; 0xf0-0xff its configuration.
 * The registers hold the data sheet's defaults, except that the logical devices describe
 * the default board: the parallel port (1) active at 0x378 with IRQ 7, serial port A (2)
 * active at 0x3f8 with IRQ 4, and the others (floppy, serial port B, keyboard, IR, game
 * port and GPIO, ACPI, and the hardware monitor at 0x290, where a BIOS puts it) inactive,
 * since the board has nothing at their ports. */
#include <string.h>
#include "backends/devices/devices.h"

#define NLDN 12

struct superio_state {
    uint8_t config_mode;
    uint8_t key_seen; /* the first 0x87 of the entry key was the last write */
    uint8_t index;
    uint8_t global[0x30];
    uint8_t ldn[NLDN][256];
};

static void ldn(struct superio_state *s, unsigned n, int active, uint16_t base, uint8_t irq,
                uint8_t dma)
{
    uint8_t *r = s->ldn[n];
    r[0x30] = (uint8_t)active;
    r[0x60] = (uint8_t)(base >> 8);
    r[0x61] = (uint8_t)base;
    r[0x70] = irq;
    r[0x74] = dma;
}

static void superio_reset(iotrap_device *dev)
{
    struct superio_state *s = dev->state;
    memset(s, 0, sizeof(*s));
    s->global[0x20] = 0x52;
    s->global[0x21] = 0x41;
    s->global[0x22] = 0xff; /* every logical device powered */
    s->global[0x26] = dev->base == 0x4e ? 0x40 : 0x00;
    s->global[0x2a] = 0x7c;
    s->global[0x2b] = 0xc0;
    ldn(s, 0x0, 0, 0x3f0, 6, 2);
    s->ldn[0x0][0xf0] = 0x0e;
    s->ldn[0x0][0xf2] = 0xff;
    ldn(s, 0x1, 1, 0x378, 7, 4);
    s->ldn[0x1][0xf0] = 0x3f;
    ldn(s, 0x2, 1, 0x3f8, 4, 4);
    ldn(s, 0x3, 0, 0x2f8, 3, 4);
    ldn(s, 0x5, 0, 0x060, 1, 4);
    s->ldn[0x5][0x62] = 0x00;
    s->ldn[0x5][0x63] = 0x64;
    s->ldn[0x5][0x72] = 12;
    s->ldn[0x5][0xf0] = 0x80;
    ldn(s, 0x7, 0, 0x201, 9, 4);
    s->ldn[0x7][0x62] = 0x03;
    s->ldn[0x7][0x63] = 0x30;
    s->ldn[0x7][0xf0] = 0xff;
    s->ldn[0x8][0xf0] = 0xff;
    s->ldn[0x9][0xf0] = 0xff;
    ldn(s, 0xb, 0, 0x290, 0, 4);
}

static uint8_t *reg(struct superio_state *s, unsigned idx)
{
    if (idx < 0x30)
        return &s->global[idx];
    unsigned n = s->global[0x07];
    return n < NLDN ? &s->ldn[n][idx] : NULL;
}

static uint8_t superio_read(iotrap_device *dev, uint32_t offset)
{
    struct superio_state *s = dev->state;
    if (!s->config_mode)
        return 0xff;
    if (offset == 0)
        return s->index;
    uint8_t *r = reg(s, s->index);
    return r ? *r : 0xff;
}

static void superio_write(iotrap_device *dev, uint32_t offset, uint8_t v)
{
    struct superio_state *s = dev->state;
    if (offset == 0) {
        if (!s->config_mode) {
            s->config_mode = s->key_seen && v == 0x87;
            s->key_seen = v == 0x87 && !s->config_mode;
        } else if (v == 0xaa) {
            s->config_mode = 0;
            s->key_seen = 0;
        } else {
            s->index = v;
        }
        return;
    }
    if (!s->config_mode)
        return;
    unsigned idx = s->index;
    if (idx == 0x20 || idx == 0x21 || idx == 0x02)
        return; /* the IDs are read-only; 0x02's soft reset is not modelled */
    uint8_t *r = reg(s, idx);
    if (r)
        *r = v;
}

const iotrap_device_model iotrap__device_superio = {
    .size = sizeof(iotrap_device_model),
    .name = "superio",
    .summary = "Winbond W83627HF Super I/O configuration ports (0x2e/0x2f or 0x4e/0x4f): "
               "entry key, chip ID, logical devices of the default board",
    .span = 2,
    .state_size = sizeof(struct superio_state),
    .reset = superio_reset,
    .read = superio_read,
    .write = superio_write,
    .flags = IOTRAP_DEVICE_GENERAL_REGS,
};
