/* The hot-site patched path that leaves the extended state alone (patch.h).
 *
 * The common stub calls iotrap__patch_fast() before it saves anything but the general
 * registers and the flags.  It answers the accesses that the session's fast ports cover
 * (iotrap__session_fast_ports(): allowed, neither traced nor counted, no grant file that
 * could refuse them): at a port where a simulated board's bus answers, it answers itself;
 * at a port whose backend and device model use the general registers only, it calls the
 * session.  Everything else returns 0, and the stub goes on to save the extended state
 * and call iotrap__patch_run().
 *
 * The library is compiled for the general registers only (LIB_CFLAGS in Makefile.am),
 * and the session reaches only code that is so on a direct port: nothing here can touch
 * an x87, MMX, SSE, AVX or opmask register, which is what lets the stub skip XSAVE for
 * it.  tests/progs/io_patch.c (the xstate, xstate-bus, xstate-devices and regs-bus cases)
 * checks the registers. */
#include "config.h"

#include <errno.h>

#include "common/portset.h"
#include "session/session.h"
#include "shim/patch.h"

static const iotrap__session_fast *fast;
static iotrap_ports *session;

void iotrap__patch_fast_init(iotrap_ports *ports, const iotrap__session_fast *ports_fast)
{
    session = ports;
    fast = ports_fast;
}

int iotrap__patch_fast_used(void)
{
    return fast != NULL;
}

/* A direct port: the access through the session, which a failure leaves undone (the
 * board lock already held by this thread is the one way); the slow path then tries it
 * again and reports it. */
static int direct(const iotrap__patch_site *s, uint16_t port, uint32_t *value)
{
    int saved = errno;
    int rc = s->insn.op == IOTRAP_OP_IN
                 ? iotrap_ports_in(session, port, s->insn.width, value, s->pc)
                 : iotrap_ports_out(session, port, s->insn.width, *value, s->pc);
    errno = saved;
    return rc == IOTRAP_OK;
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
    if (!fast)
        return 0;
    if (iotrap__portset_has_all(&fast->bus, port, width)) {
        if (s->insn.op == IOTRAP_OP_IN) {
            /* As the instruction writes AL, AX or EAX; EAX zero-extends into RAX. */
            if (width == 4)
                *ax = 0xffffffffu;
            else
                *ax |= width == 2 ? 0xffffu : 0xffu;
        }
        return 1;
    }
    if (!iotrap__portset_has_all(&fast->direct, port, width))
        return 0;
    uint32_t v = (uint32_t)*ax;
    if (!direct(s, port, &v))
        return 0;
    if (s->insn.op == IOTRAP_OP_IN) {
        if (width == 4) {
            *ax = v;
        } else {
            uint32_t mask = width == 2 ? 0xffffu : 0xffu;
            *ax = (*ax & ~(uint64_t)mask) | (v & mask);
        }
    }
    return 1;
}
