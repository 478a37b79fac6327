/* iotrap_io_permitted(): the CPU's I/O permission rule (include/iotrap/decode.h), as the
 * Intel SDM states it (vol. 1, "I/O Privilege Level" and "I/O Permission Bit Map"; vol. 3,
 * I/O in virtual-8086 mode) and QEMU's check_io implements it. */
#include <iotrap/decode.h>
#include "common/structsize.h"

int iotrap_io_permitted(const iotrap_io_perm *perm, uint16_t port, unsigned width)
{
    if (!perm)
        return IOTRAP_E_INVAL;
    int rc = iotrap__struct_size_check(perm, sizeof *perm);
    if (rc != IOTRAP_OK)
        return rc;
    if ((width != 1 && width != 2 && width != 4) || perm->cpl > 3 || perm->iopl > 3)
        return IOTRAP_E_INVAL;
    /* I/O instructions are IOPL-sensitive in protected mode only; in virtual-8086 mode the
     * bitmap alone decides. */
    if (!perm->vm86 && perm->cpl <= perm->iopl)
        return 1;
    /* The CPU reads a 16-bit word at port/8: the access needs both bytes inside the TSS
     * limit, and the bits of all its ports clear. */
    size_t at = port / 8u;
    if (!perm->bitmap || at + 1 >= perm->bitmap_len)
        return 0;
    unsigned word = perm->bitmap[at] | (unsigned)perm->bitmap[at + 1] << 8;
    unsigned mask = ((1u << width) - 1u) << (port % 8u);
    return (word & mask) == 0;
}
