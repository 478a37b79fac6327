/* pci@BASE[,card=VENDOR:DEVICE:CLASS[:SUBVENDOR:SUBDEVICE]@PORT[/SIZE][+PORT[/SIZE]...]]:
 * PCI configuration mechanism #1 of an Intel chipset at 0xcf8-0xcff, with bus 0 holding
 * what QEMU's pc machine has there:
 *   00:00.0  host bridge, Intel 440FX (8086:1237, rev 02), class 0600;
 *   00:01.0  ISA bridge, Intel PIIX3 (8086:7000), class 0601 (multi-function header);
 *   00:02.0 onwards, one per card= option in order: a card whose I/O BARs say where its
 *            ports are, so a program that looks for its card on the bus finds it (the
 *            ports themselves belong to whatever model sits there, e.g. an lpt).
 * Ports:
 *   +0 (0xcf8)  CONFIG_ADDRESS, reached by 32-bit accesses only: bit 31 enable, bus,
 *               device, function, register (bits 30-24 and 1-0 read as 0);
 *   +1 (0xcf9)  the PIIX reset control register, a byte: bit 1 is kept, and the reset
 *               request (bit 2) is not carried out, since a board cannot reset a program;
 *   +4..+7      CONFIG_DATA: 1-, 2- and 4-byte accesses to the register CONFIG_ADDRESS
 *               selects, at its offset plus the port's low two bits.
 * Byte and word accesses to 0xcf8 and 0xcfa-0xcfb reach nothing (0xff), as on a chipset
 * without mechanism #2, whose detection (byte writes of 0 there, read back 0) therefore
 * fails.  A function that does not exist, and any bus but 0, read all ones.  Writes
 * reach only the writable bits: command, cache line size, latency timer, interrupt line,
 * the BARs (so sizing them reads ~(size-1)|1 back) and the device-specific registers
 * 0x40-0xff; moving a BAR does not move the device behind it. */
#include <string.h>
#include "backends/devices/devices.h"
#include "common/parse.h"
#include "common/portset.h"

#define MAX_CARDS 8
#define NFUNCS (2 + MAX_CARDS)
#define MAX_BARS 6
#define ADDR_MASK 0x80fffffcu

struct pci_state {
    uint32_t address; /* CONFIG_ADDRESS */
    uint8_t rcr;      /* 0xcf9 */
    uint8_t pad[3];
    uint8_t space[NFUNCS][256];
};

struct pci_card {
    uint16_t vendor, device, subvendor, subdevice;
    uint32_t class_code;
    unsigned nbars;
    struct {
        uint16_t base;
        uint16_t size;
    } bar[MAX_BARS];
};

struct pci_config {
    unsigned ncards;
    struct pci_card card[MAX_CARDS];
};

static const char *const pci_options[] = {
    "card=VENDOR:DEVICE:CLASS[:SUBVENDOR:SUBDEVICE]@PORT[/SIZE][+PORT[/SIZE]...]", NULL
};

/* One hex field of at most `digits` digits (an optional 0x prefix) ending at `end`. */
static int hex_field(const char *s, const char *end, unsigned digits, uint32_t *out)
{
    if (end - s > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
        s += 2;
    if (s == end || (size_t)(end - s) > digits)
        return -1;
    uint32_t v = 0;
    for (; s < end; s++) {
        unsigned d;
        if (*s >= '0' && *s <= '9')
            d = (unsigned)(*s - '0');
        else if (*s >= 'a' && *s <= 'f')
            d = (unsigned)(*s - 'a' + 10);
        else if (*s >= 'A' && *s <= 'F')
            d = (unsigned)(*s - 'A' + 10);
        else
            return -1;
        v = v << 4 | d;
    }
    *out = v;
    return 0;
}

static int bad_card(const char *value, const char *why, char *err, size_t errlen)
{
    return iotrap__err(err, errlen, IOTRAP_E_SYNTAX,
                       "bad value \"%s\" for option \"card\" of pci: %s (expected VENDOR:DEVICE:"
                       "CLASS[:SUBVENDOR:SUBDEVICE]@PORT[/SIZE][+PORT[/SIZE]...], e.g. "
                       "9710:9865:070101@0x378/8)", value, why);
}

static int parse_card(const char *value, struct pci_card *c, char *err, size_t errlen)
{
    memset(c, 0, sizeof(*c));
    const char *at = strchr(value, '@');
    if (!at)
        return bad_card(value, "no \"@PORT\"", err, errlen);
    /* The IDs: 3 or 5 hex fields separated by ':'. */
    uint32_t f[5];
    unsigned nf = 0;
    static const unsigned width[5] = { 4, 4, 6, 4, 4 };
    for (const char *s = value;;) {
        const char *e = s;
        while (e < at && *e != ':')
            e++;
        if (nf == 5 || hex_field(s, e, width[nf], &f[nf]) != 0)
            return bad_card(value, nf == 5 ? "too many IDs" : "an ID is not hexadecimal or too "
                                                              "long", err, errlen);
        nf++;
        if (e == at)
            break;
        s = e + 1;
    }
    if (nf != 3 && nf != 5)
        return bad_card(value, "it needs vendor, device and class", err, errlen);
    c->vendor = (uint16_t)f[0];
    c->device = (uint16_t)f[1];
    c->class_code = f[2];
    if (nf == 5) {
        c->subvendor = (uint16_t)f[3];
        c->subdevice = (uint16_t)f[4];
    }
    if (c->vendor == 0xffff || c->vendor == 0)
        return bad_card(value, "vendor 0000 and ffff mean no device", err, errlen);
    /* The I/O BARs. */
    for (const char *s = at + 1;;) {
        const char *e = strchr(s, '+');
        if (!e)
            e = s + strlen(s);
        const char *slash = memchr(s, '/', (size_t)(e - s));
        uint16_t port;
        uint64_t size = 8;
        char why[256];
        if (c->nbars == MAX_BARS)
            return bad_card(value, "more than 6 BARs", err, errlen);
        if (iotrap__port_parse(s, (size_t)((slash ? slash : e) - s), &port, value, why,
                               sizeof why) != IOTRAP_OK)
            return bad_card(value, why, err, errlen);
        if (slash && (iotrap__parse_uint(slash + 1, (size_t)(e - slash - 1), 256, &size) !=
                          IOTRAP_OK ||
                      size < 4 || (size & (size - 1))))
            return bad_card(value, "a BAR size is a power of two from 4 to 256", err, errlen);
        if (port & (size - 1))
            return bad_card(value, "a BAR's port must be a multiple of its size", err, errlen);
        c->bar[c->nbars].base = port;
        c->bar[c->nbars].size = (uint16_t)size;
        c->nbars++;
        if (!*e)
            break;
        s = e + 1;
    }
    return IOTRAP_OK;
}

static int pci_configure(iotrap_device *dev, const char *key, const char *value, char *err,
                         size_t errlen)
{
    struct pci_config *c = dev->config;
    if (strcmp(key, "card") != 0)
        return iotrap__err(err, errlen, IOTRAP_E_SYNTAX,
                           "unknown option \"%s\" for pci (known: card)", key);
    if (c->ncards == MAX_CARDS)
        return iotrap__err(err, errlen, IOTRAP_E_RANGE, "pci: at most %d cards", MAX_CARDS);
    int rc = parse_card(value, &c->card[c->ncards], err, errlen);
    if (rc == IOTRAP_OK)
        c->ncards++;
    return rc;
}

static void put16(uint8_t *s, unsigned off, uint16_t v)
{
    s[off] = (uint8_t)v;
    s[off + 1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *s, unsigned off, uint32_t v)
{
    put16(s, off, (uint16_t)v);
    put16(s, off + 2, (uint16_t)(v >> 16));
}

/* A type-0 header: IDs, command, status, revision and class. */
static void header(uint8_t *s, uint16_t vendor, uint16_t device, uint16_t command,
                   uint16_t status, uint8_t rev, uint32_t class_code, uint8_t type)
{
    put16(s, 0x00, vendor);
    put16(s, 0x02, device);
    put16(s, 0x04, command);
    put16(s, 0x06, status);
    s[0x08] = rev;
    s[0x09] = (uint8_t)class_code;
    s[0x0a] = (uint8_t)(class_code >> 8);
    s[0x0b] = (uint8_t)(class_code >> 16);
    s[0x0e] = type;
}

static void pci_reset(iotrap_device *dev)
{
    struct pci_state *st = dev->state;
    const struct pci_config *c = dev->config;
    memset(st, 0, sizeof(*st));
    header(st->space[0], 0x8086, 0x1237, 0x0006, 0x0280, 0x02, 0x060000, 0x00);
    header(st->space[1], 0x8086, 0x7000, 0x0007, 0x0200, 0x00, 0x060100, 0x80);
    for (unsigned i = 0; i < c->ncards; i++) {
        const struct pci_card *k = &c->card[i];
        uint8_t *s = st->space[2 + i];
        header(s, k->vendor, k->device, 0x0001, 0x0000, 0x00, k->class_code, 0x00);
        for (unsigned b = 0; b < k->nbars; b++)
            put32(s, 0x10 + 4 * b, (uint32_t)k->bar[b].base | 1u);
        put16(s, 0x2c, k->subvendor);
        put16(s, 0x2e, k->subdevice);
        s[0x3d] = 0x01; /* INTA# */
    }
    /* Every function absent until here reads all ones. */
    for (unsigned f = 2 + c->ncards; f < NFUNCS; f++)
        memset(st->space[f], 0xff, 256);
}

/* The function CONFIG_ADDRESS selects, or -1. */
static int selected(const struct pci_state *st, const struct pci_config *c)
{
    uint32_t a = st->address;
    if (!(a & 0x80000000u) || (a >> 16 & 0xff) != 0 || (a >> 8 & 7) != 0)
        return -1;
    unsigned devno = a >> 11 & 0x1f;
    return devno < 2 + c->ncards ? (int)devno : -1;
}

/* Which bits of byte `off` of function f a write reaches. */
static uint8_t writable(const struct pci_config *c, int f, unsigned off)
{
    if (off >= 0x40 || off == 0x0c || off == 0x0d || off == 0x3c)
        return 0xff;
    if (off == 0x04)
        return 0x47; /* I/O, memory, master, parity error response, wait cycles */
    if (off == 0x05)
        return 0x05; /* SERR enable, interrupt disable */
    if (f >= 2 && off >= 0x10 && off < 0x10 + 4 * MAX_BARS) {
        const struct pci_card *k = &c->card[f - 2];
        unsigned b = (off - 0x10) / 4;
        if (b >= k->nbars)
            return 0;
        uint32_t mask = ~(uint32_t)(k->bar[b].size - 1) & ~1u; /* bit 0 says I/O */
        return (uint8_t)(mask >> (8 * ((off - 0x10) % 4)));
    }
    return 0;
}

static uint32_t data_read(struct pci_state *st, const struct pci_config *c, unsigned lane,
                          unsigned width)
{
    int f = selected(st, c);
    if (f < 0)
        return 0xffffffffu;
    unsigned off = (st->address & 0xfc) + lane;
    uint32_t v = 0;
    for (unsigned i = 0; i < width; i++)
        v |= (uint32_t)st->space[f][(off + i) & 0xff] << (8 * i);
    return v;
}

static void data_write(struct pci_state *st, const struct pci_config *c, unsigned lane,
                       unsigned width, uint32_t v)
{
    int f = selected(st, c);
    if (f < 0)
        return;
    unsigned off = (st->address & 0xfc) + lane;
    for (unsigned i = 0; i < width; i++) {
        unsigned o = (off + i) & 0xff;
        uint8_t m = writable(c, f, o);
        st->space[f][o] = (uint8_t)((st->space[f][o] & ~m) | ((v >> (8 * i)) & m));
    }
}

static uint8_t pci_read(iotrap_device *dev, uint32_t offset)
{
    struct pci_state *st = dev->state;
    if (offset >= 4)
        return (uint8_t)data_read(st, dev->config, offset - 4, 1);
    return offset == 1 ? st->rcr : 0xff;
}

static void pci_write(iotrap_device *dev, uint32_t offset, uint8_t value)
{
    struct pci_state *st = dev->state;
    if (offset >= 4)
        data_write(st, dev->config, offset - 4, 1, value);
    else if (offset == 1)
        st->rcr = value & 0x02;
}

static uint32_t pci_read_wide(iotrap_device *dev, uint32_t offset, unsigned width)
{
    struct pci_state *st = dev->state;
    if (offset == 0 && width == 4)
        return st->address;
    if (offset >= 4)
        return data_read(st, dev->config, offset - 4, width);
    uint32_t v = 0;
    for (unsigned i = 0; i < width; i++)
        v |= (uint32_t)pci_read(dev, offset + i) << (8 * i);
    return v;
}

static void pci_write_wide(iotrap_device *dev, uint32_t offset, unsigned width, uint32_t v)
{
    struct pci_state *st = dev->state;
    if (offset == 0 && width == 4) {
        st->address = v & ADDR_MASK;
    } else if (offset >= 4) {
        data_write(st, dev->config, offset - 4, width, v);
    } else {
        for (unsigned i = 0; i < width; i++)
            pci_write(dev, offset + i, (uint8_t)(v >> (8 * i)));
    }
}

const iotrap_device_model iotrap__device_pci = {
    .size = sizeof(iotrap_device_model),
    .name = "pci",
    .summary = "PCI configuration mechanism #1 with a 440FX host bridge, a PIIX3 ISA bridge "
               "and cards whose I/O BARs point at other models",
    .span = 8,
    .state_size = sizeof(struct pci_state),
    .config_size = sizeof(struct pci_config),
    .configure = pci_configure,
    .reset = pci_reset,
    .read = pci_read,
    .write = pci_write,
    .options = pci_options,
    .read_wide = pci_read_wide,
    .write_wide = pci_write_wide,
    .flags = IOTRAP_DEVICE_GENERAL_REGS,
};
