/* The direct backend: real ports through the process's own I/O permission bitmap.
 *
 * grant() makes exactly the session's native ports accessible with ioperm(), so the
 * program's IN/OUT on them run without any trap; every other port keeps trapping and the
 * session denies it, or sends it here when a remap moved it: the targets of remapped
 * ports ("reach") are performed by in()/out() with the process's own ioperm, opened for
 * the calling thread around each access only, so that the program itself never reaches a
 * target natively (it may not be in --allow).
 *
 * ioperm() needs CAP_SYS_RAWIO to turn ports on.  A process without it can still use this
 * backend when a privileged launcher granted the ports before exec (the bitmap survives
 * execve) and named them in IOTRAP_IOPERM_GRANTED; the backend then revokes every granted
 * port the session neither runs natively nor reaches, which needs no privilege.  What it
 * keeps it never revokes (close only stops serving those ports): once dropped, they could
 * not be granted again, and `iotrap run` opens and closes a session to check the
 * configuration before it executes the program, which inherits the bitmap.  For the same
 * reason the remap targets stay granted in that case, where the program could reach them
 * natively.
 *
 * ioperm is called through syscall(): the preload library interposes ioperm() for the
 * programs it runs (shim/ioperm.c), and that must not answer for the backend itself.
 *
 * in()/out() execute the instruction themselves: they serve emulators and iotrapd, remap
 * targets, and a trapped access from a thread that was created before the grant (ioperm
 * is per thread and inherited only by threads created later).
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
#include "common/parse.h"

static int sys_ioperm(unsigned long from, unsigned long num, int on)
{
    return (int)syscall(SYS_ioperm, from, num, on);
}

struct direct_priv {
    iotrap__portset native;   /* granted for the program's own IN/OUT */
    iotrap__portset reach;    /* remap targets: opened around each access */
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

static int revoke_run(void *ctx, uint32_t first, uint32_t last)
{
    (void)ctx;
    sys_ioperm(first, last - first + 1, 0);
    return 0;
}

static int grant_run(void *ctx, uint32_t first, uint32_t last)
{
    (void)ctx;
    return sys_ioperm(first, last - first + 1, 1) == 0 ? 0 : errno;
}

static int direct_open(struct iotrap__backend_instance *bi, const struct iotrap__backend_params *bp,
                       char *err, size_t errlen)
{
    struct direct_priv *p = bi->priv;
    if (*bp->args) {
        snprintf(err, errlen, "direct takes no arguments, got '%s'", bp->args);
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
    char perr[200];
    int rc = iotrap__portset_parse(&p->launcher, launcher, perr, sizeof perr);
    if (rc != IOTRAP_OK)
        return iotrap__err(err, errlen, rc, "IOTRAP_IOPERM_GRANTED: %s", perr);
    return IOTRAP_OK;
}

static int direct_grant(struct iotrap__backend_instance *bi, const iotrap__portset *native,
                        const iotrap__portset *reach, char *err, size_t errlen)
{
    struct direct_priv *p = bi->priv;
    p->native = *native;
    p->reach = *reach;
    if (p->capable) {
        int e = iotrap__portset_each_run(native, grant_run, NULL);
        if (e) {
            iotrap__portset_each_run(native, revoke_run, NULL);
            iotrap__portset_clear(&p->native);
            return iotrap__err(err, errlen, e == EPERM ? IOTRAP_E_PERM : IOTRAP_E_SYSTEM,
                               "ioperm: %s", strerror(e));
        }
        return IOTRAP_OK;
    }
    /* Only what the launcher granted can be had, and what the session does not use is
     * taken back, so that those ports trap again. */
    iotrap__portset keep = *native;
    iotrap__portset_or(&keep, reach);
    int32_t missing = iotrap__portset_first_outside(&keep, &p->launcher);
    if (missing >= 0) {
        iotrap__portset_clear(&p->native);
        iotrap__portset_clear(&p->reach);
        return iotrap__err(err, errlen, IOTRAP_E_PERM,
                           "port 0x%x is not among the ports the launcher granted "
                           "(IOTRAP_IOPERM_GRANTED)", (unsigned)missing);
    }
    iotrap__portset drop = p->launcher;
    iotrap__portset_andnot(&drop, &keep);
    iotrap__portset_each_run(&drop, revoke_run, NULL);
    p->launcher = keep;
    return IOTRAP_OK;
}

static void direct_close(struct iotrap__backend_instance *bi)
{
    struct direct_priv *p = bi->priv;
    if (p->capable)
        iotrap__portset_each_run(&p->native, revoke_run, NULL);
}

/* Readies the calling thread for an access.  A native port is granted again for this
 * thread, which may predate the grant; once that fails (iotrapd after its privilege
 * drop), it stops trying: the grant made before stays.  A reach port is opened for this
 * access only; *close says it must be closed after. */
static int ready(struct direct_priv *p, uint16_t port, unsigned width, bool *close)
{
    *close = false;
    int saved = errno, rc = IOTRAP_OK;
    if (iotrap__portset_has_all(&p->native, port, width)) {
        if (p->capable && sys_ioperm(port, width, 1) != 0)
            p->capable = false;
    } else if (!iotrap__portset_has_all(&p->reach, port, width)) {
        rc = IOTRAP_E_PERM;
    } else if (p->capable) {
        /* Without the capability the launcher's grant was kept for it. */
        *close = sys_ioperm(port, width, 1) == 0;
        rc = *close ? IOTRAP_OK : IOTRAP_E_PERM;
    }
    errno = saved;
    return rc;
}

static void done(uint16_t port, unsigned width, bool close)
{
    if (close) {
        int saved = errno;
        sys_ioperm(port, width, 0);
        errno = saved;
    }
}

static int direct_in(struct iotrap__backend_instance *bi, uint16_t port, unsigned width,
                     uint32_t *value)
{
    bool close;
    int rc = ready(bi->priv, port, width, &close);
    if (rc == IOTRAP_OK)
        *value = iotrap__native_in(port, width);
    done(port, width, close);
    return rc;
}

static int direct_out(struct iotrap__backend_instance *bi, uint16_t port, unsigned width,
                      uint32_t value)
{
    bool close;
    int rc = ready(bi->priv, port, width, &close);
    if (rc == IOTRAP_OK)
        iotrap__native_out(port, width, value);
    done(port, width, close);
    return rc;
}

static int direct_in_string(struct iotrap__backend_instance *bi, uint16_t port, unsigned width,
                            void *buf, size_t count)
{
    bool close;
    int rc = ready(bi->priv, port, width, &close);
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
    done(port, width, close);
    return IOTRAP_OK;
}

static int direct_out_string(struct iotrap__backend_instance *bi, uint16_t port,
                             unsigned width, const void *buf, size_t count)
{
    bool close;
    int rc = ready(bi->priv, port, width, &close);
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
    done(port, width, close);
    return IOTRAP_OK;
}

const struct iotrap__backend iotrap__backend_direct = {
    .name = "direct",
    .summary = "real ports natively through ioperm (CAP_SYS_RAWIO or a granting launcher)",
    .caps = IOTRAP__CAP_NATIVE | IOTRAP__CAP_REAL,
    .priv_size = sizeof(struct direct_priv),
    .probe = direct_probe,
    .open = direct_open,
    .close = direct_close,
    .in = direct_in,
    .out = direct_out,
    .in_string = direct_in_string,
    .out_string = direct_out_string,
    .grant = direct_grant,
};
