/* An independent reference model of the port-I/O decode rules, for the tests only.
 *
 * It shares no code with decoder/: where the decoder scans prefixes forwards and keeps
 * running state, this model first finds the opcode and then answers each question by
 * walking the prefix bytes backwards from it ("the last one that counts wins").  Two
 * different algorithms written from the same rules catch each other's slips.
 */
#ifndef IOTRAP_TESTS_DECODE_ORACLE_H
#define IOTRAP_TESTS_DECODE_ORACLE_H

#include <stddef.h>
#include <stdint.h>
#include <iotrap/decode.h>

static inline int oracle_is_prefix(uint8_t b, int mode)
{
    switch (b) {
    case 0x26: case 0x2e: case 0x36: case 0x3e: case 0x64: case 0x65:
    case 0x66: case 0x67: case 0xf0: case 0xf2: case 0xf3:
        return 1;
    default:
        /* REX exists only in 64-bit mode; elsewhere 0x40-0x4f are INC/DEC. */
        return mode == 64 && (b & 0xf0) == 0x40;
    }
}

static inline int oracle_has(const uint8_t *b, size_t nprefix, uint8_t want)
{
    for (size_t j = nprefix; j-- > 0;)
        if (b[j] == want)
            return 1;
    return 0;
}

/* Returns IOTRAP_OK with *r filled, or the status the decoder must return. */
static inline int oracle_decode(const uint8_t *b, size_t n, int mode, iotrap_insn *r)
{
    if (mode != 16 && mode != 32 && mode != 64)
        return IOTRAP_E_BAD_MODE;
    size_t i = 0;
    while (i < n && i < IOTRAP_MAX_INSN_LEN && oracle_is_prefix(b[i], mode))
        i++;
    if (i == IOTRAP_MAX_INSN_LEN)
        return IOTRAP_E_TOO_LONG;
    if (i == n)
        return IOTRAP_E_TRUNCATED;
    uint8_t opc = b[i];
    static const uint8_t ops[] = { 0xe4, 0xe5, 0xe6, 0xe7, 0xec, 0xed, 0xee, 0xef,
                                   0x6c, 0x6d, 0x6e, 0x6f };
    int known = 0;
    for (size_t k = 0; k < sizeof ops; k++)
        known |= ops[k] == opc;
    if (!known)
        return IOTRAP_E_NOT_IO;
    size_t len = i + 1 + ((opc & 0xfc) == 0xe4 ? 1 : 0);
    if (len > IOTRAP_MAX_INSN_LEN)
        return IOTRAP_E_TOO_LONG;
    if (len > n)
        return IOTRAP_E_TRUNCATED;
    if (oracle_has(b, i, 0xf0))
        return IOTRAP_E_BAD_INSN;

    iotrap_insn x = { 0 };
    x.mode = (uint8_t)mode;
    x.length = (uint8_t)len;
    if (opc >= 0xe4)
        x.op = (opc & 0x02) ? IOTRAP_OP_OUT : IOTRAP_OP_IN;
    else
        x.op = (opc & 0x02) ? IOTRAP_OP_OUTS : IOTRAP_OP_INS;
    int o16 = oracle_has(b, i, 0x66) ? mode != 16 : mode == 16;
    /* REX.W makes the operand size 64, which beats 66 and which these opcodes carry
     * out as 32 bits; a REX counts only as the byte right before the opcode. */
    if (mode == 64 && i > 0 && (b[i - 1] & 0xf8) == 0x48)
        o16 = 0;
    x.width = (opc & 1) ? (o16 ? 2 : 4) : 1;
    int a67 = oracle_has(b, i, 0x67);
    x.addr_size = mode == 16 ? (a67 ? 32 : 16) : mode == 32 ? (a67 ? 16 : 32) : (a67 ? 32 : 64);
    x.rep = opc < 0xe4 && (oracle_has(b, i, 0xf2) || oracle_has(b, i, 0xf3));
    x.port_is_dx = (opc & 0xfc) != 0xe4;
    x.port_imm = x.port_is_dx ? 0 : b[i + 1];
    x.seg = x.op == IOTRAP_OP_INS ? IOTRAP_SEG_ES : IOTRAP_SEG_DS;
    if (x.op == IOTRAP_OP_OUTS) {
        for (size_t j = i; j-- > 0;) {
            int s = b[j] == 0x26 ? IOTRAP_SEG_ES : b[j] == 0x2e ? IOTRAP_SEG_CS
                  : b[j] == 0x36 ? IOTRAP_SEG_SS : b[j] == 0x3e ? IOTRAP_SEG_DS
                  : b[j] == 0x64 ? IOTRAP_SEG_FS : b[j] == 0x65 ? IOTRAP_SEG_GS : -1;
            if (s < 0 || (mode == 64 && s < IOTRAP_SEG_FS))
                continue;
            x.seg = (uint8_t)s;
            break;
        }
    }
    *r = x;
    return IOTRAP_OK;
}

#endif
