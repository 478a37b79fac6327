/* uart@BASE[,out=FILE]: the register file of a 16550A as QEMU's serial model shows it,
 * with an infinitely fast line: a byte written to THR goes to FILE at once, so LSR
 * always shows the transmitter empty (THRE and TEMT).  Nothing is ever received, except
 * in loopback mode (MCR bit 4), where THR feeds RBR (one byte deep) and MSR mirrors the
 * MCR outputs.  DLAB (LCR bit 7) switches +0/+1 to the divisor latch; IIR reports the
 * THR-empty interrupt when IER enables it, with the FIFO bits that FCR enables; the
 * scratch register (+7) keeps its value. */
#include <string.h>
#include "backends/devices/devices.h"
#include "common/parse.h"

#define LCR_DLAB 0x80
#define IER_MSI 0x08
#define IER_RLSI 0x04
#define IER_THRI 0x02
#define IER_RDI 0x01
#define IIR_NO_INT 0x01
#define IIR_THRI 0x02
#define IIR_RDI 0x04
#define IIR_RLSI 0x06
#define IIR_MSI 0x00
#define IIR_FIFO 0xc0
#define FCR_FE 0x01
#define FCR_RFR 0x02
#define MCR_LOOP 0x10
#define MCR_OUT2 0x08
#define LSR_TEMT 0x40
#define LSR_THRE 0x20
#define LSR_BI 0x10
#define LSR_ERRORS 0x1e
#define LSR_OE 0x02
#define LSR_DR 0x01
#define MSR_DCD 0x80
#define MSR_DSR 0x20
#define MSR_CTS 0x10
#define MSR_DELTAS 0x0f

struct uart_state {
    uint8_t rbr, ier, iir, lcr, mcr, lsr, msr, scr, fcr, dll, dlm, thr_ipending;
};

struct uart_config {
    iotrap__outfile out;
};

static const char *const uart_options[] = { "out=FILE", NULL };

static int uart_configure(iotrap_device *dev, const char *key, const char *value, char *err,
                          size_t errlen)
{
    struct uart_config *c = dev->config;
    if (strcmp(key, "out") == 0)
        return iotrap__outfile_set(&c->out, "uart", value, err, errlen);
    return iotrap__err(err, errlen, IOTRAP_E_SYNTAX,
                       "unknown option \"%s\" for uart (known: out)", key);
}

static int uart_start(iotrap_device *dev, char *err, size_t errlen)
{
    struct uart_config *c = dev->config;
    return iotrap__outfile_open(&c->out, err, errlen);
}

static void uart_stop(iotrap_device *dev)
{
    struct uart_config *c = dev->config;
    iotrap__outfile_close(&c->out);
}

static void update_iir(struct uart_state *s)
{
    uint8_t id = IIR_NO_INT;
    if ((s->ier & IER_RLSI) && (s->lsr & LSR_ERRORS))
        id = IIR_RLSI;
    else if ((s->ier & IER_RDI) && (s->lsr & LSR_DR))
        id = IIR_RDI;
    else if ((s->ier & IER_THRI) && s->thr_ipending)
        id = IIR_THRI;
    else if ((s->ier & IER_MSI) && (s->msr & MSR_DELTAS))
        id = IIR_MSI;
    s->iir = (uint8_t)(id | (s->iir & 0xf0));
}

static void uart_reset(iotrap_device *dev)
{
    struct uart_state *s = dev->state;
    memset(s, 0, sizeof(*s));
    s->iir = IIR_NO_INT;
    s->lsr = LSR_TEMT | LSR_THRE;
    s->msr = MSR_DCD | MSR_DSR | MSR_CTS;
    s->dll = 0x0c; /* 9600 baud from the 1.8432 MHz clock */
    s->mcr = MCR_OUT2;
}

static uint8_t uart_read(iotrap_device *dev, uint32_t offset)
{
    struct uart_state *s = dev->state;
    uint8_t ret;
    switch (offset) {
    case 0:
        if (s->lcr & LCR_DLAB)
            return s->dll;
        /* With the FIFO on, an empty FIFO reads 0; without it the last byte stays. */
        ret = (s->fcr & FCR_FE) && !(s->lsr & LSR_DR) ? 0 : s->rbr;
        s->lsr &= (uint8_t)~(LSR_DR | LSR_BI);
        update_iir(s);
        return ret;
    case 1:
        return (s->lcr & LCR_DLAB) ? s->dlm : s->ier;
    case 2:
        ret = s->iir;
        if ((ret & 0x0f) == IIR_THRI) {
            s->thr_ipending = 0;
            update_iir(s);
        }
        return ret;
    case 3:
        return s->lcr;
    case 4:
        return s->mcr;
    case 5:
        ret = s->lsr;
        s->lsr &= (uint8_t)~(LSR_BI | LSR_OE);
        update_iir(s);
        return ret;
    case 6:
        if (s->mcr & MCR_LOOP)
            return (uint8_t)(((s->mcr & 0x0c) << 4) | ((s->mcr & 0x02) << 3) |
                             ((s->mcr & 0x01) << 5));
        ret = s->msr;
        s->msr &= 0xf0;
        update_iir(s);
        return ret;
    default:
        return s->scr;
    }
}

static void uart_write(iotrap_device *dev, uint32_t offset, uint8_t value)
{
    struct uart_state *s = dev->state;
    struct uart_config *c = dev->config;
    switch (offset) {
    case 0:
        if (s->lcr & LCR_DLAB) {
            s->dll = value;
            return;
        }
        if (s->mcr & MCR_LOOP) {
            if (s->lsr & LSR_DR)
                s->lsr |= LSR_OE;
            s->rbr = value;
            s->lsr |= LSR_DR;
        } else {
            iotrap_device_emit(c->out.fd, &value, 1);
        }
        /* The byte left at once: THR is empty again, which raises THRI if enabled. */
        s->thr_ipending = 1;
        update_iir(s);
        return;
    case 1:
        if (s->lcr & LCR_DLAB) {
            s->dlm = value;
            return;
        }
        s->ier = value & 0x0f;
        s->thr_ipending = 1;
        update_iir(s);
        return;
    case 2:
        if ((value ^ s->fcr) & FCR_FE)
            value |= FCR_RFR;
        if (value & FCR_RFR)
            s->lsr &= (uint8_t)~LSR_DR;
        if (value & FCR_FE)
            s->iir |= IIR_FIFO;
        else
            s->iir &= (uint8_t)~IIR_FIFO;
        s->fcr = value & 0xc9;
        update_iir(s);
        return;
    case 3:
        s->lcr = value;
        return;
    case 4:
        s->mcr = value & 0x1f;
        return;
    case 7:
        s->scr = value;
        return;
    default:
        return; /* LSR and MSR writes are factory-test only */
    }
}

/* A string to the transmitter leaves in one write of the output file, and one to a plain
 * latch (LCR, MCR, scratch, the divisor latches) leaves only its last byte; the rest
 * (loopback, IER, FCR) goes byte by byte. */
static void uart_write_string(iotrap_device *dev, uint32_t offset, const uint8_t *bytes,
                              size_t n)
{
    struct uart_state *s = dev->state;
    int dlab = (s->lcr & LCR_DLAB) != 0;
    if (offset == 3 || offset == 4 || offset == 7 || (dlab && offset <= 1)) {
        uart_write(dev, offset, bytes[n - 1]);
        return;
    }
    if (offset == 0 && !(s->mcr & MCR_LOOP)) {
        struct uart_config *c = dev->config;
        iotrap_device_emit(c->out.fd, bytes, n);
        s->thr_ipending = 1;
        update_iir(s);
        return;
    }
    for (size_t i = 0; i < n; i++)
        uart_write(dev, offset, bytes[i]);
}

const iotrap_device_model iotrap__device_uart = {
    .size = sizeof(iotrap_device_model),
    .name = "uart",
    .summary = "16550A serial port registers (DLAB, IIR/FCR, scratch, loopback); out=FILE "
               "receives THR bytes",
    .span = 8,
    .state_size = sizeof(struct uart_state),
    .config_size = sizeof(struct uart_config),
    .configure = uart_configure,
    .start = uart_start,
    .reset = uart_reset,
    .read = uart_read,
    .write = uart_write,
    .stop = uart_stop,
    .write_string = uart_write_string,
    .options = uart_options,
    .flags = IOTRAP_DEVICE_GENERAL_REGS,
};
