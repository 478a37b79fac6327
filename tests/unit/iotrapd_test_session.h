/* The port session of an iotrapd under test, opened as iotrapd opens its own (a server
 * session over the rules' ports) but with a test backend that records or counts what
 * reaches it.  Include after harness.h. */
#ifndef IOTRAP_TESTS_IOTRAPD_TEST_SESSION_H
#define IOTRAP_TESTS_IOTRAPD_TEST_SESSION_H

#include "backends/backend.h"
#include "daemon/dispatch.h"
#include "session/session.h"

/* The open member of the test backends: they have nothing to open. */
static int test_backend_open(struct iotrap__backend_instance *bi,
                             const struct iotrap__backend_params *bp, char *err, size_t errlen)
{
    (void)bi, (void)bp, (void)err, (void)errlen;
    return IOTRAP_OK;
}

/* Opens srv->ports over conf's ports with `backend` as the only backend, and the routes
 * and remaps given (NULL-terminated lists, or NULL).  Returns the session's status. */
static int open_test_session(iotrapd_server *srv, const struct iotrap__backend *backend,
                             const iotrapd_conf *conf, const char *const *remaps)
{
    const struct iotrap__backend *table[] = {backend, NULL};
    iotrap_ports_config cfg = {.size = sizeof(cfg), .backend = backend->name, .quiet = 1,
                               .remaps = remaps};
    iotrap__session_params sp = { .cfg = &cfg, .serve_targets = &conf->all, .backends = table };
    char err[256];
    int rc = iotrap__session_open(&sp, &srv->ports, err, sizeof err);
    if (rc != IOTRAP_OK)
        print_error("open_test_session: %s\n", err);
    return rc;
}

#endif
