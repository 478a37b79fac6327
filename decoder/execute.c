/* iotrap_execute(): apply a decoded port I/O instruction to a register struct, as the CPU
 * would (see include/iotrap/decode.h and docs/decoder.md).
 *
 * Strings are moved in chunks through one buffer (the caller's scratch, else a small stack
 * buffer), one port callback and one memory callback per chunk.  A chunk never crosses the
 * point where the offset register wraps (at 64 KiB, 4 GiB) nor, outside 64-bit mode, the
 * 4 GiB wrap of linear addresses, so its memory is one contiguous range (going down, the
 * chunk's lowest element is at or above both wrap points).  With DF=1 the
 * elements go to descending addresses: the buffer holds them in port order and is
 * reversed element-wise against memory.
 */
#include <string.h>
#include <iotrap/decode.h>
#include "common/structsize.h"

#define DF_BIT (1u << 10)
#define STACK_BUF 512

static uint64_t addr_mask(unsigned addr_size)
{
    return addr_size == 16 ? 0xffffu : addr_size == 32 ? 0xffffffffu : ~(uint64_t)0;
}

/* Write `v` to a register as an instruction of this size does: 16-bit writes keep bits
 * 16..63; 32-bit writes zero-extend in 64-bit mode and keep the (invisible) upper half in
 * 16/32-bit modes. */
static void write_reg(uint64_t *r, uint64_t v, unsigned size, int mode)
{
    if (size == 16)
        *r = (*r & ~(uint64_t)0xffff) | (v & 0xffff);
    else if (size == 32)
        *r = mode == 64 ? (uint32_t)v : (*r & ~(uint64_t)0xffffffff) | (uint32_t)v;
    else
        *r = v;
}

static void advance_rip(const iotrap_insn *x, iotrap_regs *r)
{
    /* In 16-bit code the instruction pointer is IP: it wraps at 64 KiB. */
    uint64_t next = r->rip + x->length;
    if (x->mode == 64)
        r->rip = next;
    else
        r->rip = (r->rip & ~(uint64_t)0xffffffff) | (x->mode == 16 ? next & 0xffff : (uint32_t)next);
}

/* In 64-bit mode only FS and GS have a base; elsewhere linear addresses wrap at 4 GiB. */
static uint64_t linear(const iotrap_insn *x, const iotrap_regs *r, uint64_t off)
{
    if (x->mode == 64)
        return (x->seg >= IOTRAP_SEG_FS ? r->seg_base[x->seg] : 0) + off;
    return (uint32_t)(r->seg_base[x->seg] + off);
}

static void reverse_elements(unsigned char *buf, size_t n, unsigned w)
{
    unsigned char tmp[4];
    for (size_t i = 0, j = n ? n - 1 : 0; i < j; i++, j--) {
        memcpy(tmp, buf + i * w, w);
        memcpy(buf + i * w, buf + j * w, w);
        memcpy(buf + j * w, tmp, w);
    }
}

static int valid(const iotrap_insn *x)
{
    if (x->op > IOTRAP_OP_OUTS || (x->width != 1 && x->width != 2 && x->width != 4))
        return 0;
    if (x->length < 1 || x->length > IOTRAP_MAX_INSN_LEN || x->seg > IOTRAP_SEG_GS)
        return 0;
    if (x->mode == 64)
        return x->addr_size == 32 || x->addr_size == 64;
    if (x->mode == 16 || x->mode == 32)
        return x->addr_size == 16 || x->addr_size == 32;
    return 0;
}

static int exec_in_out(const iotrap_insn *x, iotrap_regs *r, const iotrap_exec_ops *ops,
                       void *ctx)
{
    uint16_t port = x->port_is_dx ? (uint16_t)r->rdx : x->port_imm;
    int rc;
    if (x->op == IOTRAP_OP_IN) {
        uint32_t v = 0;
        rc = ops->in(ctx, port, x->width, &v);
        if (rc != IOTRAP_OK)
            return rc;
        if (x->width == 1)
            r->rax = (r->rax & ~(uint64_t)0xff) | (v & 0xff);
        else
            write_reg(&r->rax, v, x->width * 8u, x->mode);
    } else {
        uint32_t v = (uint32_t)r->rax & (x->width == 1 ? 0xffu : x->width == 2 ? 0xffffu : ~0u);
        rc = ops->out(ctx, port, x->width, v);
        if (rc != IOTRAP_OK)
            return rc;
    }
    advance_rip(x, r);
    return IOTRAP_OK;
}

/* State of one string instruction. */
typedef struct strx {
    const iotrap_insn *x;
    const iotrap_regs *r;
    const iotrap_exec_ops *ops;
    void *ctx;
    unsigned char *buf;
    uint16_t port;
    unsigned w;
    int down;
    uint64_t bad; /* first bad byte when a chunk stops short */
} strx;

/* INS, one chunk of n elements starting at offset `cur` (the port-order first one).
 * Returns the elements stored to memory in port order through *done. */
static int ins_chunk(strx *s, uint64_t cur, size_t n, size_t *done)
{
    unsigned w = s->w;
    size_t bytes = n * w;
    uint64_t first = linear(s->x, s->r, cur);
    uint64_t lo = s->down ? first - (uint64_t)(n - 1) * w : first;
    size_t good = n;
    int rc = IOTRAP_OK;
    *done = 0;
    /* The CPU checks each element's destination before it reads the port: the elements
     * before the first bad one are read and stored, and the bad one takes nothing from the
     * port. */
    size_t ok = s->ops->mem_writable(s->ctx, lo, bytes);
    if (ok < bytes && !s->down) {
        good = ok / w;
        s->bad = lo + ok;
    } else if (ok < bytes) {
        /* The elements come first from the top; find the first bad one going down. */
        for (good = 0; good < n; good++) {
            uint64_t a = first - (uint64_t)good * w;
            size_t e = s->ops->mem_writable(s->ctx, a, w);
            if (e < w) {
                s->bad = a + e;
                break;
            }
        }
    }
    if (good < n)
        rc = IOTRAP_E_FAULT;
    if (!good)
        return rc;

    size_t got = good;
    if (s->ops->in_string) {
        int prc = s->ops->in_string(s->ctx, s->port, w, s->buf, good);
        if (prc != IOTRAP_OK)
            return prc;
    } else {
        for (size_t k = 0; k < good; k++) {
            uint32_t v = 0;
            int prc = s->ops->in(s->ctx, s->port, w, &v);
            if (prc != IOTRAP_OK) {
                /* The elements already read left the port: store them, then stop. */
                got = k;
                rc = prc;
                break;
            }
            memcpy(s->buf + k * w, &v, w);
        }
        if (!got)
            return rc;
    }

    uint64_t at = s->down ? first - (uint64_t)(got - 1) * w : first;
    if (s->down)
        reverse_elements(s->buf, got, w);
    size_t wr = s->ops->mem_write(s->ctx, at, s->buf, got * w);
    if (wr < got * w) {
        /* Going down, the first elements in port order are the highest: they are stored
         * only if the whole range was. */
        *done = s->down ? 0 : wr / w;
        s->bad = at + wr;
        return IOTRAP_E_FAULT;
    }
    *done = got;
    return rc;
}

/* OUTS, one chunk: load the elements, then send them in port order. */
static int outs_chunk(strx *s, uint64_t cur, size_t n, size_t *done)
{
    unsigned w = s->w;
    size_t bytes = n * w;
    uint64_t first = linear(s->x, s->r, cur);
    uint64_t lo = s->down ? first - (uint64_t)(n - 1) * w : first;
    size_t good = n;
    int rc = IOTRAP_OK;
    *done = 0;
    size_t rd = s->ops->mem_read(s->ctx, lo, s->buf, bytes);
    if (rd >= bytes) {
        if (s->down)
            reverse_elements(s->buf, n, w);
    } else if (!s->down) {
        good = rd / w;
        s->bad = lo + rd;
        rc = IOTRAP_E_FAULT;
    } else {
        for (good = 0; good < n; good++) {
            uint64_t a = first - (uint64_t)good * w;
            size_t e = s->ops->mem_read(s->ctx, a, s->buf + good * w, w);
            if (e < w) {
                s->bad = a + e;
                break;
            }
        }
        rc = IOTRAP_E_FAULT;
    }
    if (!good)
        return rc;

    if (s->ops->out_string) {
        int prc = s->ops->out_string(s->ctx, s->port, w, s->buf, good);
        if (prc != IOTRAP_OK)
            return prc;
    } else {
        for (size_t k = 0; k < good; k++) {
            uint32_t v = 0;
            memcpy(&v, s->buf + k * w, w);
            int prc = s->ops->out(s->ctx, s->port, w, v);
            if (prc != IOTRAP_OK) {
                *done = k;
                return prc;
            }
        }
    }
    *done = good;
    return rc;
}

static int exec_string(const iotrap_insn *x, iotrap_regs *r, const iotrap_exec_ops *ops,
                       void *ctx, void *scratch, size_t scratch_size, iotrap_exec_fault *fault)
{
    unsigned char local[STACK_BUF];
    unsigned w = x->width;
    uint64_t mask = addr_mask(x->addr_size);
    int is_ins = x->op == IOTRAP_OP_INS;
    uint64_t *idx = is_ins ? &r->rdi : &r->rsi;
    uint64_t off = *idx & mask;
    uint64_t count = x->rep ? r->rcx & mask : 1;
    if (count == 0) {
        /* REP with a zero count touches nothing and writes no register but rIP. */
        advance_rip(x, r);
        return IOTRAP_OK;
    }
    strx s = { .x = x, .r = r, .ops = ops, .ctx = ctx, .port = (uint16_t)r->rdx, .w = w,
               .down = (r->rflags & DF_BIT) != 0, .bad = 0 };
    size_t cap;
    if (scratch && scratch_size >= w) {
        s.buf = scratch;
        cap = scratch_size / w;
    } else {
        s.buf = local;
        cap = sizeof local / w;
    }

    uint64_t done = 0;
    int rc = IOTRAP_OK;
    while (done < count) {
        uint64_t step = done * w;
        uint64_t cur = (s.down ? off - step : off + step) & mask;
        /* Elements after this one before the offset register wraps (kept one less than
         * the run so that a 64-bit run cannot overflow): a chunk stops there. */
        uint64_t more = s.down ? cur / w : (mask - cur) / w;
        if (x->mode != 64) {
            uint64_t lin = linear(x, r, cur);
            uint64_t lmore = s.down ? lin / w : ((1ull << 32) - lin - 1) / w;
            if (lmore < more)
                more = lmore;
        }
        uint64_t n = count - done;
        if (n > cap)
            n = cap;
        if (n - 1 > more)
            n = more + 1;
        size_t got = 0;
        rc = is_ins ? ins_chunk(&s, cur, (size_t)n, &got) : outs_chunk(&s, cur, (size_t)n, &got);
        done += got;
        if (rc != IOTRAP_OK)
            break;
    }

    if (done) {
        uint64_t step = done * w;
        write_reg(idx, s.down ? off - step : off + step, x->addr_size, x->mode);
        if (x->rep)
            write_reg(&r->rcx, count - done, x->addr_size, x->mode);
    }
    if (rc == IOTRAP_OK) {
        advance_rip(x, r);
        return IOTRAP_OK;
    }
    if (rc == IOTRAP_E_FAULT && fault) {
        fault->addr = s.bad;
        fault->write = is_ins;
    }
    return rc;
}

int iotrap_execute(const iotrap_insn *insn, iotrap_regs *regs, const iotrap_exec_ops *ops,
                   void *ctx, void *scratch, size_t scratch_size, iotrap_exec_fault *fault)
{
    if (!insn || !regs || !ops)
        return IOTRAP_E_INVAL;
    int rc = iotrap__struct_size_check(regs, sizeof *regs);
    if (rc == IOTRAP_OK)
        rc = iotrap__struct_size_check(ops, sizeof *ops);
    if (rc != IOTRAP_OK)
        return rc;
    if (!ops->in || !ops->out || !ops->mem_read || !ops->mem_write || !ops->mem_writable ||
        !valid(insn))
        return IOTRAP_E_INVAL;
    if (insn->op == IOTRAP_OP_IN || insn->op == IOTRAP_OP_OUT)
        return exec_in_out(insn, regs, ops, ctx);
    return exec_string(insn, regs, ops, ctx, scratch, scratch_size, fault);
}
