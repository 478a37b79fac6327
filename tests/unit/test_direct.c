/* The direct backend's range checks, which run before any ioperm() and so can be tested
 * on a machine without port permission: a grant whose end wraps past 2^32 is refused
 * rather than taken as every port. */
#include <stdlib.h>
#include "tests/unit/harness.h"
#include "backends/backend.h"
#include "backends/direct_portset.h"

extern const struct iotrap__backend iotrap__backend_direct;

static void t_grant_range_checked(void **state)
{
    (void)state;
    const struct iotrap__backend *d = &iotrap__backend_direct;
    struct iotrap__backend_instance di = {d, calloc(1, d->priv_size)};
    assert_non_null(di.priv);
    assert_int_equal(d->grant(&di, 1, 0xffffffffu, true), IOTRAP_E_RANGE);
    assert_int_equal(d->grant(&di, 0xffff, 2, true), IOTRAP_E_RANGE);
    assert_int_equal(d->grant(&di, 0, 0, true), IOTRAP_E_RANGE);
    /* None of them granted anything, so no port is served. */
    uint32_t v;
    assert_int_equal(d->in(&di, 0x378, 1, &v), IOTRAP_E_PERM);
    assert_int_equal(d->in(&di, 0x3fff, 1, &v), IOTRAP_E_PERM);
    free(di.priv);
}

static void t_portset_has_all_bounds(void **state)
{
    (void)state;
    iotrap__portset set = {{0}};
    iotrap__portset_add(&set, 0, 0xffff);
    assert_true(iotrap__portset_has_all(&set, 0xfffc, 4));
    assert_false(iotrap__portset_has_all(&set, 0xfffd, 4));
    assert_false(iotrap__portset_has_all(&set, 1, 0xffffffffu));
    assert_false(iotrap__portset_has_all(&set, 0x10000, 0));
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(t_grant_range_checked),
    cmocka_unit_test(t_portset_has_all_bounds),
};

IOTRAP_TEST_MAIN(tests)
