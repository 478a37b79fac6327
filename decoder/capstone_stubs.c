/* The other architectures of Capstone, for the core's private copy of its x86
 * disassembler (decoder/capstone_x86.h).  Capstone's cs.c names every architecture's set-up
 * and option functions in its tables; linking only the x86 members of libcapstone.a, these
 * answer for the rest, so that cs_open() of any other architecture fails with CS_ERR_ARCH
 * instead of pulling 3 MB of other disassemblers (and their relocations) into every process
 * that loads libiotrap. */
#include <capstone/capstone.h>

struct cs_struct;

#define IOTRAP__CS_NO_ARCH(A)                                                               \
    cs_err A##_global_init(struct cs_struct *ud);                                          \
    cs_err A##_global_init(struct cs_struct *ud)                                           \
    {                                                                                      \
        (void)ud;                                                                          \
        return CS_ERR_ARCH;                                                                \
    }                                                                                      \
    cs_err A##_option(struct cs_struct *handle, cs_opt_type type, size_t value);           \
    cs_err A##_option(struct cs_struct *handle, cs_opt_type type, size_t value)            \
    {                                                                                      \
        (void)handle;                                                                      \
        (void)type;                                                                        \
        (void)value;                                                                       \
        return CS_ERR_ARCH;                                                                \
    }

/* The architectures Capstone's cs.c names beside x86, as decoder/local.mk finds them in
 * it: X(ARM) X(AArch64) ... (Capstone 5 names more than 4). */
#define X(A) IOTRAP__CS_NO_ARCH(A)
IOTRAP__CS_OTHER_ARCHES
