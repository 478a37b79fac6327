/* The hot-site patched path that leaves the extended state alone (patch.h).
 *
 * The common stub calls iotrap__patch_fast() before it saves anything but the general
 * registers and the flags.  It answers the accesses that need no device model and no
 * record: the port is allowed, a simulated board's bus answers it (a read gives all ones,
 * a write is dropped), the session neither traces nor counts, and no grant file can
 * refuse it.  Everything else returns 0, and the stub goes on to save the extended state
 * and call iotrap__patch_run().
 *
 * This file is compiled for the general registers only (the pragma below, before any
 * header, so that the inline functions it uses are compiled so too) and calls no function
 * (on i386 but the compiler's position thunk, a load and a return): nothing here can
 * touch an x87, MMX, SSE, AVX or opmask register, which is what lets the stub skip XSAVE
 * for it.  tests/progs/io_patch.c (the -bus cases) checks the registers. */
#pragma GCC target("general-regs-only")

#include "config.h"

#include "common/portset.h"
#include "shim/patch.h"

static const iotrap__portset *bus_only;

void iotrap__patch_fast_init(const iotrap__portset *ports)
{
    bus_only = ports;
}

int iotrap__patch_fast_used(void)
{
    return bus_only != NULL;
}

int iotrap__patch_fast(uintptr_t id, iotrap__patch_frame *f)
{
    const iotrap__patch_site *s = &iotrap__patch_sites[id];
#if defined(__x86_64__)
    uint64_t *ax = &f->rax;
    uint16_t dx = (uint16_t)f->rdx;
#else
    uint32_t *ax = &f->eax;
    uint16_t dx = (uint16_t)f->edx;
#endif
    uint16_t port = s->insn.port_is_dx ? dx : s->insn.port_imm;
    unsigned width = s->insn.width;
    if (!bus_only || !iotrap__portset_has_all(bus_only, port, width))
        return 0;
    if (s->insn.op == IOTRAP_OP_IN) {
        /* As the instruction writes AL, AX or EAX; EAX zero-extends into RAX. */
        if (width == 4)
            *ax = 0xffffffffu;
        else
            *ax |= width == 2 ? 0xffffu : 0xffu;
    }
    return 1;
}
