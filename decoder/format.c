/* Text and JSON renderings of a decoded instruction.  Written without stdio so that they
 * are async-signal-safe like the decoder (the trap engine may log from its handler). */
#include <string.h>
#include <iotrap/decode.h>

typedef struct out {
    char *buf;
    size_t len, pos;
} out;

static void put(out *o, const char *s)
{
    for (; *s; s++, o->pos++)
        if (o->pos + 1 < o->len)
            o->buf[o->pos] = *s;
}

static void put_uint(out *o, unsigned v, int hex)
{
    char tmp[16];
    int n = 0;
    unsigned base = hex ? 16 : 10;
    do {
        tmp[n++] = "0123456789abcdef"[v % base];
        v /= base;
    } while (v);
    if (hex)
        put(o, "0x");
    char s[2] = { 0, 0 };
    while (n)
        s[0] = tmp[--n], put(o, s);
}

static int finish(out *o)
{
    if (o->len == 0 || o->pos >= o->len) {
        if (o->len)
            o->buf[o->len - 1] = '\0';
        return IOTRAP_E_RANGE;
    }
    o->buf[o->pos] = '\0';
    return (int)o->pos;
}

static int valid(const iotrap_insn *x)
{
    return x && x->op <= IOTRAP_OP_OUTS && (x->width == 1 || x->width == 2 || x->width == 4)
        && (x->addr_size == 16 || x->addr_size == 32 || x->addr_size == 64)
        && x->seg <= IOTRAP_SEG_GS;
}

static const char *const seg_names[] = { "es", "cs", "ss", "ds", "fs", "gs" };
static const char *const op_names[] = { "in", "out", "ins", "outs" };

static const char *acc(unsigned width)
{
    return width == 1 ? "al" : width == 2 ? "ax" : "eax";
}

int iotrap_insn_format(const iotrap_insn *x, char *buf, size_t len)
{
    if (!valid(x) || (!buf && len))
        return IOTRAP_E_INVAL;
    out o = { buf, len, 0 };
    char port[8];
    out p = { port, sizeof port, 0 };
    if (x->port_is_dx)
        put(&p, "dx");
    else
        put_uint(&p, x->port_imm, 1);
    finish(&p);

    if (x->op == IOTRAP_OP_IN || x->op == IOTRAP_OP_OUT) {
        put(&o, op_names[x->op]);
        put(&o, " ");
        put(&o, x->op == IOTRAP_OP_IN ? acc(x->width) : port);
        put(&o, ", ");
        put(&o, x->op == IOTRAP_OP_IN ? port : acc(x->width));
        return finish(&o);
    }
    if (x->rep)
        put(&o, "rep ");
    put(&o, op_names[x->op]);
    put(&o, x->width == 1 ? "b" : x->width == 2 ? "w" : "d");
    /* The bare mnemonic says it all when the segment and address size are the defaults;
     * otherwise spell out the memory operand as Intel syntax does. */
    unsigned def_addr = x->mode == 64 ? 64 : x->mode == 32 ? 32 : 16;
    int def_seg = x->op == IOTRAP_OP_INS || x->seg == IOTRAP_SEG_DS;
    if (def_seg && x->addr_size == def_addr)
        return finish(&o);
    const char *ptr = x->width == 1 ? "byte ptr " : x->width == 2 ? "word ptr " : "dword ptr ";
    const char *reg = x->op == IOTRAP_OP_INS
        ? (x->addr_size == 64 ? "rdi" : x->addr_size == 32 ? "edi" : "di")
        : (x->addr_size == 64 ? "rsi" : x->addr_size == 32 ? "esi" : "si");
    put(&o, " ");
    if (x->op == IOTRAP_OP_OUTS)
        put(&o, "dx, ");
    put(&o, ptr);
    put(&o, seg_names[x->seg]);
    put(&o, ":[");
    put(&o, reg);
    put(&o, "]");
    if (x->op == IOTRAP_OP_INS)
        put(&o, ", dx");
    return finish(&o);
}

int iotrap_insn_json(const iotrap_insn *x, char *buf, size_t len)
{
    if (!valid(x) || (!buf && len))
        return IOTRAP_E_INVAL;
    out o = { buf, len, 0 };
    put(&o, "{\"op\":\"");
    put(&o, op_names[x->op]);
    put(&o, "\",\"width\":");
    put_uint(&o, x->width, 0);
    put(&o, ",\"port\":");
    if (x->port_is_dx)
        put(&o, "\"dx\"");
    else
        put_uint(&o, x->port_imm, 0);
    put(&o, ",\"addr_size\":");
    put_uint(&o, x->addr_size, 0);
    put(&o, ",\"rep\":");
    put(&o, x->rep ? "true" : "false");
    if (x->op == IOTRAP_OP_OUTS) {
        put(&o, ",\"seg\":\"");
        put(&o, seg_names[x->seg]);
        put(&o, "\"");
    }
    put(&o, ",\"length\":");
    put_uint(&o, x->length, 0);
    put(&o, "}");
    return finish(&o);
}
