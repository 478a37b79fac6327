/* The direct backend: real ports through the process's own I/O permission bitmap.
 *
 * grant() makes exactly the allowed ranges natively accessible with ioperm(), so the
 * program's IN/OUT run without any trap; everything else keeps trapping and the session
 * policy denies it.  ioperm() needs CAP_SYS_RAWIO to turn ports on.  A process without it
 * can still use this backend when a privileged launcher granted the ports before exec
 * (the bitmap survives execve) and named them in IOTRAP_IOPERM_GRANTED; the backend then
 * revokes every granted port the session does not allow, which needs no privilege.  What
 * it keeps it never revokes (grant(off) and close only stop serving those ports): once
 * dropped, they could not be granted again, and `iotrap run` opens and closes a session
 * to check the configuration before it executes the program, which inherits the bitmap.
 *
 * ioperm is called through syscall(): the preload library interposes ioperm() for the
 * programs it runs (shim/ioperm.c), and that must not answer for the backend itself.
 *
 * in()/out() execute the instruction themselves: they serve emulators and iotrapd, and a
 * trapped access from a thread that was created before the grant (ioperm is per thread
 * and inherited only by threads created later).
 */
#include "config.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "backends/backend.h"
#include "backends/direct_io.h"
#include "backends/direct_portset.h"

static int sys_ioperm(unsigned long from, unsigned long num, int on)
{
    return (int)syscall(SYS_ioperm, from, num, on);
}

struct direct_priv {
    iotrap__portset granted;  /* ports this instance made accessible */
    iotrap__portset launcher; /* ports a launcher granted before exec */
    bool capable;             /* ioperm() can turn ports on; else the launcher's grant */
};

/* Port 0xffff is only ever granted and revoked here, never accessed. */
static int ioperm_works(void)
{
    if (sys_ioperm(0xffff, 1, 1) != 0)
        return -errno;
    sys_ioperm(0xffff, 1, 0);
    return 0;
}

static int explain(int e, const char *launcher, char *why, size_t len)
{
    if (e == -ENOSYS) {
        snprintf(why, len, "ioperm: %s (this kernel is built without CONFIG_X86_IOPL_IOPERM)",
                 strerror(-e));
        return IOTRAP_E_UNSUPPORTED;
    }
    if (e == -EPERM) {
        snprintf(why, len, "ioperm: %s (direct needs CAP_SYS_RAWIO, or a launcher that "
                           "grants the ports before exec and lists them in "
                           "IOTRAP_IOPERM_GRANTED%s)",
                 strerror(-e), launcher ? "" : ", which is not set");
        return IOTRAP_E_PERM;
    }
    snprintf(why, len, "ioperm: %s", strerror(-e));
    return IOTRAP_E_SYSTEM;
}

static int direct_probe(const char *args, char *why, size_t len)
{
    if (args && *args) {
        snprintf(why, len, "direct takes no arguments, got '%s'", args);
        return IOTRAP_E_INVAL;
    }
    int e = ioperm_works();
    if (e == 0) {
        snprintf(why, len, "ioperm works (CAP_SYS_RAWIO)");
        return IOTRAP_OK;
    }
    const char *launcher = getenv("IOTRAP_IOPERM_GRANTED");
    if (e == -EPERM && launcher && *launcher) {
        snprintf(why, len, "a launcher granted %s", launcher);
        return IOTRAP_OK;
    }
    return explain(e, launcher, why, len);
}

static void revoke_run(void *ctx, unsigned first, unsigned last)
{
    (void)ctx;
    sys_ioperm(first, last - first + 1, 0);
}

static int direct_open(struct iotrap__backend_instance *bi, const char *args,
                       const iotrap_ports_config *cfg, char *err, size_t errlen)
{
    struct direct_priv *p = bi->priv;
    if (args && *args) {
        snprintf(err, errlen, "direct takes no arguments, got '%s'", args);
        return IOTRAP_E_INVAL;
    }
    int e = ioperm_works();
    if (e == 0) {
        p->capable = true;
        return IOTRAP_OK;
    }
    const char *launcher = getenv("IOTRAP_IOPERM_GRANTED");
    if (e != -EPERM || !launcher || !*launcher)
        return explain(e, launcher, err, errlen);
    char perr[160];
    if (iotrap__portset_parse(&p->launcher, launcher, perr, sizeof perr) != 0) {
        snprintf(err, errlen, "IOTRAP_IOPERM_GRANTED: %s", perr);
        return IOTRAP_E_SYNTAX;
    }
    /* Take back what the session will not allow, so that those ports trap again. */
    iotrap__portset keep = {{0}};
    if (cfg && cfg->allow && iotrap__portset_parse(&keep, cfg->allow, perr, sizeof perr) != 0)
        memset(&keep, 0, sizeof keep);
    iotrap__portset drop = p->launcher;
    for (size_t i = 0; i < sizeof drop.bits / sizeof drop.bits[0]; i++) {
        drop.bits[i] &= ~keep.bits[i];
        p->launcher.bits[i] &= keep.bits[i];
    }
    iotrap__portset_each_run(&drop, revoke_run, NULL);
    return IOTRAP_OK;
}

static void direct_close(struct iotrap__backend_instance *bi)
{
    struct direct_priv *p = bi->priv;
    if (p->capable)
        iotrap__portset_each_run(&p->granted, revoke_run, NULL);
}

static int direct_grant(struct iotrap__backend_instance *bi, uint16_t first, uint32_t count,
                        bool on)
{
    struct direct_priv *p = bi->priv;
    if (count == 0 || count > 65536u - first) /* first + count could wrap */
        return IOTRAP_E_RANGE;
    unsigned last = first + count - 1;
    if (!on) {
        if (p->capable)
            sys_ioperm(first, count, 0);
        iotrap__portset_remove(&p->granted, first, last);
        return IOTRAP_OK;
    }
    if (p->capable) {
        if (sys_ioperm(first, count, 1) != 0)
            return errno == EPERM ? IOTRAP_E_PERM : IOTRAP_E_SYSTEM;
    } else if (!iotrap__portset_has_all(&p->launcher, first, count)) {
        return IOTRAP_E_PERM;
    }
    iotrap__portset_add(&p->granted, first, last);
    return IOTRAP_OK;
}

/* The calling thread may predate the grant: renew it for this thread.  Once that fails
 * (iotrapd after its privilege drop), stop trying: the grant made before stays. */
static int ready(struct direct_priv *p, uint16_t port, unsigned width)
{
    if (!iotrap__portset_has_all(&p->granted, port, width))
        return IOTRAP_E_PERM;
    if (p->capable && sys_ioperm(port, width, 1) != 0)
        p->capable = false;
    return IOTRAP_OK;
}

static int direct_in(struct iotrap__backend_instance *bi, uint16_t port, unsigned width,
                     uint32_t *value)
{
    int rc = ready(bi->priv, port, width);
    if (rc == IOTRAP_OK)
        *value = iotrap__native_in(port, width);
    return rc;
}

static int direct_out(struct iotrap__backend_instance *bi, uint16_t port, unsigned width,
                      uint32_t value)
{
    int rc = ready(bi->priv, port, width);
    if (rc == IOTRAP_OK)
        iotrap__native_out(port, width, value);
    return rc;
}

static int direct_in_string(struct iotrap__backend_instance *bi, uint16_t port, unsigned width,
                            void *buf, size_t count)
{
    int rc = ready(bi->priv, port, width);
    if (rc != IOTRAP_OK)
        return rc;
    /* Direction flag clear, as the ABI guarantees at a call. */
    void *d = buf;
    size_t c = count;
    if (width == 1)
        __asm__ volatile("rep insb" : "+D"(d), "+c"(c) : "d"(port) : "memory");
    else if (width == 2)
        __asm__ volatile("rep insw" : "+D"(d), "+c"(c) : "d"(port) : "memory");
    else
        __asm__ volatile("rep insl" : "+D"(d), "+c"(c) : "d"(port) : "memory");
    return IOTRAP_OK;
}

static int direct_out_string(struct iotrap__backend_instance *bi, uint16_t port,
                             unsigned width, const void *buf, size_t count)
{
    int rc = ready(bi->priv, port, width);
    if (rc != IOTRAP_OK)
        return rc;
    const void *s = buf;
    size_t c = count;
    if (width == 1)
        __asm__ volatile("rep outsb" : "+S"(s), "+c"(c) : "d"(port) : "memory");
    else if (width == 2)
        __asm__ volatile("rep outsw" : "+S"(s), "+c"(c) : "d"(port) : "memory");
    else
        __asm__ volatile("rep outsl" : "+S"(s), "+c"(c) : "d"(port) : "memory");
    return IOTRAP_OK;
}

const struct iotrap__backend iotrap__backend_direct = {
    .name = "direct",
    .summary = "real ports natively through ioperm (CAP_SYS_RAWIO or a granting launcher)",
    .caps = IOTRAP__CAP_NATIVE | IOTRAP__CAP_STRING | IOTRAP__CAP_REAL,
    .priv_size = sizeof(struct direct_priv),
    .default_allow = NULL,
    .probe = direct_probe,
    .open = direct_open,
    .close = direct_close,
    .in = direct_in,
    .out = direct_out,
    .in_string = direct_in_string,
    .out_string = direct_out_string,
    .grant = direct_grant,
};
