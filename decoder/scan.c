/* The prefix + opcode scan: everything iotrap_decode() reports comes from here; Capstone
 * only confirms the operation and the length (see decode.c and docs/decoder.md).
 *
 * The rules, each checked against the Intel SDM (vol. 2, ch. 2 and the IN/OUT/INS/OUTS
 * pages) and, where ordinary instructions can show it, against this machine's CPU
 * (tests/unit/test_decode.c, t_cpu_segment_rules):
 *  - Legacy prefixes (66 67 F0 F2 F3 26 2E 36 3E 64 65) may come in any order and repeat;
 *    repeating one changes nothing.
 *  - 0x40-0x4F are REX prefixes only in 64-bit mode; elsewhere they are INC/DEC opcodes.
 *    A REX counts only when it is the byte right before the opcode; a REX followed by any
 *    other prefix is ignored (but still occupies a byte of the instruction).
 *  - Operand size: default 16 in 16-bit mode, 32 otherwise; a 66 toggles it.  In 64-bit
 *    mode REX.W makes it 64 and then 66 is ignored (SDM 2.2.1.2); port I/O has no 64-bit
 *    form and carries a 64-bit operand size out as 32 bits, so REX.W never yields 8 bytes
 *    but does cancel a 66.  The byte forms (E4 E6 EC EE 6C 6E) ignore both.
 *  - Address size: 16-bit mode 16 (67: 32), 32-bit mode 32 (67: 16), 64-bit mode 64 (67: 32).
 *  - F3 and F2 both repeat INS/OUTS (F2 is REPNE only for CMPS/SCAS); on IN/OUT they are
 *    ignored.
 *  - The last segment prefix wins.  In 64-bit mode CS/DS/ES/SS overrides are ignored and do
 *    not displace an earlier FS/GS (measured: `64 3e 8b 01` loads through FS).  Only OUTS
 *    has an overridable segment; INS always stores through ES.
 *  - LOCK (F0) on these opcodes raises #UD: IOTRAP_E_BAD_INSN.
 *  - More than 15 bytes raises #GP; length is checked before LOCK, as the SDM's exception
 *    priority puts "instruction length > 15" before "invalid opcode".
 */
#include "decoder/hot_path.h"
#include "decoder/scan.h"

enum { P_66 = 1, P_67 = 2, P_REP = 4, P_LOCK = 8 };

/* Byte classes for the length pass: one table lookup per byte. */
enum { C_LEGACY = 1, C_REX = 2, C_IO = 4, C_IMM = 8 };

#define R4(v) v, v, v, v
#define R16(v) R4(v), R4(v), R4(v), R4(v)
static const uint8_t byte_class[256] = {
    [0x26] = C_LEGACY, [0x2e] = C_LEGACY, [0x36] = C_LEGACY, [0x3e] = C_LEGACY,
    [0x40] = R16(C_REX),
    [0x64] = C_LEGACY, [0x65] = C_LEGACY, [0x66] = C_LEGACY, [0x67] = C_LEGACY,
    [0x6c] = R4(C_IO),
    [0xe4] = R4(C_IO | C_IMM),
    [0xec] = R4(C_IO),
    [0xf0] = C_LEGACY, [0xf2] = C_LEGACY, [0xf3] = C_LEGACY,
};

IOTRAP__DECODE_PATH
static int length_pass(const uint8_t *code, size_t avail, int mode, size_t *opcode_at)
{
    if (mode != 16 && mode != 32 && mode != 64)
        return IOTRAP_E_BAD_MODE;
    size_t lim = avail < IOTRAP_MAX_INSN_LEN ? avail : IOTRAP_MAX_INSN_LEN;
    unsigned prefix = mode == 64 ? C_LEGACY | C_REX : C_LEGACY;
    size_t i = 0;
    while (i < lim && (byte_class[code[i]] & prefix))
        i++;
    if (i == lim)
        return i == IOTRAP_MAX_INSN_LEN ? IOTRAP_E_TOO_LONG : IOTRAP_E_TRUNCATED;
    unsigned c = byte_class[code[i]];
    if (!(c & C_IO))
        return IOTRAP_E_NOT_IO;
    size_t len = i + 1 + ((c & C_IMM) != 0);
    if (len > IOTRAP_MAX_INSN_LEN)
        return IOTRAP_E_TOO_LONG;
    if (len > avail)
        return IOTRAP_E_TRUNCATED;
    *opcode_at = i;
    return (int)len;
}

/* Segment override per prefix byte, +1 so that 0 means "not a segment prefix". */
static unsigned seg_of(uint8_t b)
{
    switch (b) {
    case 0x26: return IOTRAP_SEG_ES + 1;
    case 0x2e: return IOTRAP_SEG_CS + 1;
    case 0x36: return IOTRAP_SEG_SS + 1;
    case 0x3e: return IOTRAP_SEG_DS + 1;
    case 0x64: return IOTRAP_SEG_FS + 1;
    case 0x65: return IOTRAP_SEG_GS + 1;
    default: return 0;
    }
}

IOTRAP__DECODE_PATH
int iotrap__scan(const uint8_t *code, size_t avail, int mode, iotrap_insn *insn)
{
    size_t i;
    int len = length_pass(code, avail, mode, &i);
    if (len < 0)
        return len;
    unsigned flags = 0, rex_w = 0, seg = IOTRAP_SEG_DS;
    for (size_t k = 0; k < i; k++) {
        uint8_t b = code[k];
        unsigned s = seg_of(b);
        rex_w = 0;
        if (s) {
            if (mode != 64 || s - 1 >= IOTRAP_SEG_FS)
                seg = s - 1;
        } else if (b == 0x66) {
            flags |= P_66;
        } else if (b == 0x67) {
            flags |= P_67;
        } else if (b == 0xf2 || b == 0xf3) {
            flags |= P_REP;
        } else if (b == 0xf0) {
            flags |= P_LOCK;
        } else {
            rex_w = b & 0x08; /* a REX: only the byte right before the opcode counts */
        }
    }
    if (flags & P_LOCK)
        return IOTRAP_E_BAD_INSN;

    uint8_t opc = code[i];
    iotrap_insn x;
    x.op = opc >= 0xe4 ? ((opc & 2) ? IOTRAP_OP_OUT : IOTRAP_OP_IN)
                       : ((opc & 2) ? IOTRAP_OP_OUTS : IOTRAP_OP_INS);
    x.port_is_dx = (opc & 0xfc) != 0xe4;
    unsigned opsize16 = mode == 16 ? !(flags & P_66) : (flags & P_66) && !rex_w;
    x.width = (opc & 1) ? (opsize16 ? 2 : 4) : 1;
    if (mode == 16)
        x.addr_size = (flags & P_67) ? 32 : 16;
    else if (mode == 32)
        x.addr_size = (flags & P_67) ? 16 : 32;
    else
        x.addr_size = (flags & P_67) ? 32 : 64;
    x.mode = (uint8_t)mode;
    x.length = (uint8_t)len;
    x.rep = (x.op == IOTRAP_OP_INS || x.op == IOTRAP_OP_OUTS) && (flags & P_REP);
    x.port_imm = x.port_is_dx ? 0 : code[i + 1];
    x.seg = x.op == IOTRAP_OP_OUTS ? (uint8_t)seg
          : x.op == IOTRAP_OP_INS ? IOTRAP_SEG_ES : IOTRAP_SEG_DS;
    *insn = x;
    return IOTRAP_OK;
}
