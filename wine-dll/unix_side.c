/* The Unix side of the iotrap builtin DLLs and drivers: an ELF library that Wine loads
 * next to each of them (one file, installed under every module's name; the dynamic
 * loader maps it once per process, so one process has one session however many of the
 * builtins it loads).
 *
 * It opens the port session from the environment with iotrap_ports_open_env(), the same
 * way the trap engine does, so DLL calls, driver IOCTLs (in winedevice.exe) and raw
 * instructions of every process of one `iotrap wine` run reach the same board
 * (IOTRAP_BOARD) under the same policy and trace. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <iotrap/ports.h>
#include "wine-dll/unix_private.h"
#include "session/grants.h"

static pthread_once_t session_once = PTHREAD_ONCE_INIT;
static iotrap_ports *session;
static int session_status;
static char session_message[256];

static void open_session(void)
{
    char err[sizeof(session_message)] = "";
    session_status = iotrap_ports_open_env(&session, err, sizeof(err));
    if (session_status < 0) {
        snprintf(session_message, sizeof(session_message), "%s",
                 err[0] ? err : iotrap_strerror(session_status));
        fprintf(stderr, "iotrap: the Wine builtins cannot reach any port: %s\n",
                session_message);
    }
}

static iotrap_ports *get_session(void)
{
    pthread_once(&session_once, open_session);
    return session;
}

iotrap_ntstatus iotrap_wine_open(void *args)
{
    struct iotrap_wine_open_params *p = args;
    get_session();
    p->status = session_status;
    snprintf(p->message, sizeof(p->message), "%s", session_message);
    return 0;
}

/* The session for an access of `width` bytes, or NULL with the status to answer. */
static iotrap_ports *session_for(unsigned width, int32_t *status)
{
    if (width != 1 && width != 2 && width != 4) {
        *status = IOTRAP_E_INVAL;
        return NULL;
    }
    iotrap_ports *s = get_session();
    if (!s)
        *status = session_status;
    return s;
}

iotrap_ntstatus iotrap_wine_in(void *args)
{
    struct iotrap_wine_in_params *p = args;
    iotrap_ports *s = session_for(p->width, &p->status);
    p->value = 0;
    if (s)
        p->status = iotrap_ports_in(s, p->port, p->width, &p->value, (uintptr_t)p->pc);
    return 0;
}

iotrap_ntstatus iotrap_wine_out(void *args)
{
    struct iotrap_wine_out_params *p = args;
    iotrap_ports *s = session_for(p->width, &p->status);
    if (s)
        p->status = iotrap_ports_out(s, p->port, p->width, p->value, (uintptr_t)p->pc);
    return 0;
}

iotrap_ntstatus iotrap_wine_in_string(void *args)
{
    struct iotrap_wine_in_string_params *p = args;
    iotrap_ports *s = session_for(p->width, &p->status);
    if (s)
        p->status = iotrap_ports_in_string(s, p->port, p->width, p->buf, p->count,
                                           (uintptr_t)p->pc);
    return 0;
}

iotrap_ntstatus iotrap_wine_out_string(void *args)
{
    struct iotrap_wine_out_string_params *p = args;
    iotrap_ports *s = session_for(p->width, &p->status);
    if (s)
        p->status = iotrap_ports_out_string(s, p->port, p->width, p->buf, p->count,
                                            (uintptr_t)p->pc);
    return 0;
}

iotrap_ntstatus iotrap_wine_grant(void *args)
{
    struct iotrap_wine_grant_params *p = args;
    switch (p->op) {
    case IOTRAP_WINE_GRANT_ALL:
        p->status = iotrap__wine_grants_set(p->pid, NULL, 0);
        break;
    case IOTRAP_WINE_GRANT_NONE:
        p->status = iotrap__wine_grants_set(p->pid, NULL, 1);
        break;
    case IOTRAP_WINE_GRANT_MAP:
        p->status = p->map ? iotrap__wine_grants_set(p->pid, p->map, 0) : IOTRAP_E_INVAL;
        break;
    default:
        p->status = IOTRAP_E_INVAL;
    }
    return 0;
}

__attribute__((visibility("default")))
const unixlib_entry_t __wine_unix_call_funcs[IOTRAP_WINE_NCALLS] = {
    [IOTRAP_WINE_OPEN] = iotrap_wine_open,
    [IOTRAP_WINE_IN] = iotrap_wine_in,
    [IOTRAP_WINE_OUT] = iotrap_wine_out,
    [IOTRAP_WINE_IN_STRING] = iotrap_wine_in_string,
    [IOTRAP_WINE_OUT_STRING] = iotrap_wine_out_string,
    [IOTRAP_WINE_GRANT] = iotrap_wine_grant,
};
