/* The direct backend's checks that run before any ioperm(), and so can be tested on a
 * machine without port permission: without the capability, only what a launcher granted
 * can be had, and a port that was not granted is never accessed. */
#include <stdlib.h>
#include "tests/unit/harness.h"
#include "backends/backend.h"

extern const struct iotrap__backend iotrap__backend_direct;

static void t_grant_needs_the_launchers_ports(void **state)
{
    (void)state;
    const struct iotrap__backend *d = &iotrap__backend_direct;
    /* A zeroed instance is one without CAP_SYS_RAWIO whose launcher granted nothing. */
    struct iotrap__backend_instance di = {d, calloc(1, d->priv_size)};
    assert_non_null(di.priv);
    iotrap__portset native, reach;
    iotrap__portset_clear(&native);
    iotrap__portset_clear(&reach);
    iotrap__portset_add(&reach, 0xe050, 0xe057);
    char err[256];
    assert_int_equal(d->grant(&di, &native, &reach, err, sizeof err), IOTRAP_E_PERM);
    assert_string_equal(err, "port 0xe050 is not among the ports the launcher granted "
                             "(IOTRAP_IOPERM_GRANTED)");
    iotrap__portset_clear(&reach);
    iotrap__portset_add(&native, 0x378, 0x37f);
    assert_int_equal(d->grant(&di, &native, &reach, err, sizeof err), IOTRAP_E_PERM);
    assert_string_equal(err, "port 0x378 is not among the ports the launcher granted "
                             "(IOTRAP_IOPERM_GRANTED)");
    /* Nothing was granted, so no port is served. */
    uint32_t v;
    assert_int_equal(d->in(&di, 0x378, 1, &v), IOTRAP_E_PERM);
    assert_int_equal(d->out(&di, 0xe050, 1, 0), IOTRAP_E_PERM);
    assert_int_equal(d->in(&di, 0xffff, 1, &v), IOTRAP_E_PERM);
    free(di.priv);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(t_grant_needs_the_launchers_ports),
};

IOTRAP_TEST_MAIN(tests)
