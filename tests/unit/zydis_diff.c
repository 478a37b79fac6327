/* iotrap_decode() against Zydis, an independent decoder (issue 11, item 3): every port
 * instruction (IN and OUT with an imm8 port and with DX, INS, OUTS; every width) behind
 * every sequence of up to four prefixes drawn from the legacy prefixes and, in 64-bit
 * mode, REX (every order, every combination, repeats included), in 16-, 32- and 64-bit
 * mode, and the same instructions grown past the 15-byte limit.  Each decode is compared
 * field by field: whether it is a port instruction at all, its length, operation, width,
 * port, address size, segment, REP, and the refusal of LOCK and of lengths over 15.
 *
 * Where the two decoders answer differently by design, the rule is written out below and
 * asserted, never skipped.  Prints the first mismatches and a count; exits 1 on any. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <Zydis/Zydis.h>
#include <iotrap/decode.h>

static const uint8_t opcodes[] = { 0xe4, 0xe5, 0xe6, 0xe7, 0xec, 0xed, 0xee, 0xef,
                                   0x6c, 0x6d, 0x6e, 0x6f };
/* The legacy prefixes, and REX plain, with W only, and with every bit; the REX bytes
 * are INC and DEC outside 64-bit mode, which the comparison covers too. */
static const uint8_t prefixes[] = { 0xf0, 0xf2, 0xf3, 0x2e, 0x36, 0x3e, 0x26, 0x64, 0x65,
                                    0x66, 0x67, 0x40, 0x48, 0x4f };
#define NPREFIX (sizeof prefixes)
#define NLEGACY 11 /* the first NLEGACY of them */
#define MAX_DEPTH 4

static unsigned long checked, mismatches;

static void report(const uint8_t *b, size_t n, int mode, const char *why)
{
    mismatches++;
    if (mismatches > 25)
        return;
    printf("MISMATCH mode %d bytes", mode);
    for (size_t i = 0; i < n; i++)
        printf(" %02x", b[i]);
    printf(": %s\n", why);
}

/* What Zydis says, reduced to iotrap_insn's fields. */
struct zview {
    int ok;           /* decoded, as a port instruction */
    int other;        /* decoded, as some other instruction */
    ZyanStatus status;
    iotrap_insn x;
};

static int seg_of(ZydisRegister r)
{
    switch (r) {
    case ZYDIS_REGISTER_ES: return IOTRAP_SEG_ES;
    case ZYDIS_REGISTER_CS: return IOTRAP_SEG_CS;
    case ZYDIS_REGISTER_SS: return IOTRAP_SEG_SS;
    case ZYDIS_REGISTER_DS: return IOTRAP_SEG_DS;
    case ZYDIS_REGISTER_FS: return IOTRAP_SEG_FS;
    case ZYDIS_REGISTER_GS: return IOTRAP_SEG_GS;
    default: return -1;
    }
}

static void zydis_view(const ZydisDecoder *dec, const uint8_t *b, size_t n, int mode,
                       struct zview *v)
{
    ZydisDecodedInstruction zi;
    ZydisDecodedOperand op[ZYDIS_MAX_OPERAND_COUNT];
    memset(v, 0, sizeof *v);
    v->status = ZydisDecoderDecodeFull(dec, b, n, &zi, op);
    if (!ZYAN_SUCCESS(v->status))
        return;
    iotrap_insn *x = &v->x;
    switch (zi.mnemonic) {
    case ZYDIS_MNEMONIC_IN: x->op = IOTRAP_OP_IN; break;
    case ZYDIS_MNEMONIC_OUT: x->op = IOTRAP_OP_OUT; break;
    case ZYDIS_MNEMONIC_INSB: case ZYDIS_MNEMONIC_INSW: case ZYDIS_MNEMONIC_INSD:
        x->op = IOTRAP_OP_INS; break;
    case ZYDIS_MNEMONIC_OUTSB: case ZYDIS_MNEMONIC_OUTSW: case ZYDIS_MNEMONIC_OUTSD:
        x->op = IOTRAP_OP_OUTS; break;
    default:
        v->other = 1;
        return;
    }
    v->ok = 1;
    x->mode = (uint8_t)mode;
    x->length = zi.length;
    x->addr_size = zi.address_width;
    x->port_is_dx = 1;
    x->seg = IOTRAP_SEG_DS;
    for (unsigned i = 0; i < zi.operand_count; i++) {
        const ZydisDecodedOperand *o = &op[i];
        if (o->type == ZYDIS_OPERAND_TYPE_IMMEDIATE) {
            x->port_is_dx = 0;
            x->port_imm = (uint8_t)o->imm.value.u;
        } else if (o->type == ZYDIS_OPERAND_TYPE_MEMORY) {
            x->width = (uint8_t)(o->size / 8);
            x->seg = (uint8_t)seg_of(o->mem.segment);
        } else if (o->type == ZYDIS_OPERAND_TYPE_REGISTER &&
                   (o->reg.value == ZYDIS_REGISTER_AL || o->reg.value == ZYDIS_REGISTER_AX ||
                    o->reg.value == ZYDIS_REGISTER_EAX)) {
            x->width = (uint8_t)(o->size / 8); /* the accumulator of IN and OUT */
        }
    }
    x->rep = (zi.attributes & (ZYDIS_ATTRIB_HAS_REP | ZYDIS_ATTRIB_HAS_REPE |
                               ZYDIS_ATTRIB_HAS_REPNE)) != 0;
}

/* The one place where the two answer differently, and both rightly: outside 64-bit mode
 * 40-4F are INC and DEC of a register, not REX.  iotrap_decode stops at the first byte
 * that is neither a prefix nor a port opcode and says "not port I/O" (IOTRAP_E_NOT_IO)
 * without judging the instruction that byte begins; Zydis decodes it, and LOCK on INC or
 * DEC of a register is #UD, so it refuses it (ZYDIS_STATUS_ILLEGAL_LOCK).  The rule
 * asserted: that answer pair is accepted only when the first byte that is not a legacy
 * prefix is 40-4F, outside 64-bit mode, behind an F0. */
static int locked_inc_dec(const uint8_t *b, size_t n, int mode)
{
    static const uint8_t legacy[] = { 0xf0, 0xf2, 0xf3, 0x2e, 0x36, 0x3e, 0x26, 0x64, 0x65,
                                      0x66, 0x67 };
    int lock = 0;
    for (size_t i = 0; i < n; i++) {
        if (!memchr(legacy, b[i], sizeof legacy))
            return mode != 64 && (b[i] & 0xf0) == 0x40 && lock;
        lock |= b[i] == 0xf0;
    }
    return 0;
}

static void compare(const ZydisDecoder *dec, const uint8_t *b, size_t n, int mode)
{
    iotrap_insn x;
    struct zview z;
    int st = iotrap_decode(b, n, mode, &x);
    zydis_view(dec, b, n, mode, &z);
    checked++;
    char why[256];
    if (st == IOTRAP_OK) {
        if (!z.ok) {
            snprintf(why, sizeof why, "iotrap decodes it, Zydis %s (status 0x%x)",
                     z.other ? "sees another instruction" : "refuses it", (unsigned)z.status);
            report(b, n, mode, why);
            return;
        }
#define FIELD(f)                                                                        \
        if (x.f != z.x.f) {                                                             \
            snprintf(why, sizeof why, #f ": iotrap %u, Zydis %u", x.f, z.x.f);          \
            report(b, n, mode, why);                                                    \
            return;                                                                     \
        }
        FIELD(op) FIELD(length) FIELD(width) FIELD(addr_size) FIELD(port_is_dx)
        FIELD(port_imm) FIELD(rep)
        if (x.op == IOTRAP_OP_INS || x.op == IOTRAP_OP_OUTS)
            FIELD(seg)
#undef FIELD
        return;
    }
    if (z.ok) {
        snprintf(why, sizeof why, "iotrap refuses it (%d), Zydis decodes it", st);
        report(b, n, mode, why);
        return;
    }
    int agree = (st == IOTRAP_E_TOO_LONG && z.status == ZYDIS_STATUS_INSTRUCTION_TOO_LONG) ||
                (st == IOTRAP_E_BAD_INSN && z.status == ZYDIS_STATUS_ILLEGAL_LOCK) ||
                (st == IOTRAP_E_NOT_IO && z.other) ||
                (st == IOTRAP_E_NOT_IO && z.status == ZYDIS_STATUS_ILLEGAL_LOCK &&
                 locked_inc_dec(b, n, mode));
    if (!agree) {
        snprintf(why, sizeof why, "iotrap status %d, Zydis status 0x%x%s", st,
                 (unsigned)z.status, z.other ? " (another instruction)" : "");
        report(b, n, mode, why);
    }
}

/* The instruction at b[depth], its imm8 (when it has one) and a byte after it, so that a
 * decoder that reads too far shows as a length mismatch. */
static size_t finish(uint8_t *b, size_t at, uint8_t opc)
{
    b[at] = opc;
    b[at + 1] = 0x5a;
    b[at + 2] = 0x90;
    return at + 3;
}

int main(void)
{
    static const int modes[] = { 16, 32, 64 };
    uint8_t b[32];
    for (size_t m = 0; m < 3; m++) {
        ZydisDecoder dec;
        int mode = modes[m];
        ZydisDecoderInit(&dec, mode == 16 ? ZYDIS_MACHINE_MODE_LEGACY_16
                               : mode == 32 ? ZYDIS_MACHINE_MODE_LEGACY_32
                                            : ZYDIS_MACHINE_MODE_LONG_64,
                         mode == 16 ? ZYDIS_STACK_WIDTH_16
                         : mode == 32 ? ZYDIS_STACK_WIDTH_32 : ZYDIS_STACK_WIDTH_64);
        for (size_t o = 0; o < sizeof opcodes; o++) {
            /* Every sequence of 0 to MAX_DEPTH prefixes. */
            for (unsigned depth = 0; depth <= MAX_DEPTH; depth++) {
                unsigned long total = 1;
                for (unsigned d = 0; d < depth; d++)
                    total *= NPREFIX;
                for (unsigned long t = 0; t < total; t++) {
                    unsigned long v = t;
                    for (unsigned d = 0; d < depth; d++, v /= NPREFIX)
                        b[d] = prefixes[v % NPREFIX];
                    compare(&dec, b, finish(b, depth, opcodes[o]), mode);
                }
            }
            /* Every REX byte, alone and behind or before each legacy prefix (a REX counts
             * only right before the opcode). */
            for (unsigned rex = 0x40; rex <= 0x4f; rex++) {
                b[0] = (uint8_t)rex;
                compare(&dec, b, finish(b, 1, opcodes[o]), mode);
                for (size_t p = 0; p < NLEGACY; p++) {
                    b[0] = prefixes[p];
                    b[1] = (uint8_t)rex;
                    compare(&dec, b, finish(b, 2, opcodes[o]), mode);
                    b[0] = (uint8_t)rex;
                    b[1] = prefixes[p];
                    compare(&dec, b, finish(b, 2, opcodes[o]), mode);
                }
            }
            /* Across the 15-byte limit: 10 to 16 prefix bytes, each prefix repeated and
             * each pair alternating. */
            for (unsigned len = 10; len <= 16; len++)
                for (size_t p = 0; p < NPREFIX; p++)
                    for (size_t q = 0; q < NPREFIX; q++) {
                        for (unsigned i = 0; i < len; i++)
                            b[i] = prefixes[i % 2 ? q : p];
                        compare(&dec, b, finish(b, len, opcodes[o]), mode);
                    }
        }
    }
    printf("%lu decodes compared, %lu mismatches\n", checked, mismatches);
    /* 3 modes x 12 opcodes x (the 14^0..14^4 prefix sequences, 16 x 23 REX forms,
     * 7 x 14 x 14 long ones). */
    unsigned long want = 3ul * 12 * (1 + 14 + 196 + 2744 + 38416 + 16 * 23 + 7 * 196);
    if (checked != want) {
        printf("FAIL: %lu decodes compared, the enumeration makes %lu\n", checked, want);
        return 1;
    }
    return mismatches ? 1 : 0;
}
