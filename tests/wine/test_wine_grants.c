/* Unit tests of the grant file shared by the iotrap Wine drivers and the trap engine
 * (wine-dll/wine_grants.h): creation, the writers' side and the lock-free lookup. */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "tests/unit/harness.h"
#include <iotrap/status.h>
#include "session/grants.h"
#include "session/grants_file.h"

static char dir[64];
static char path[96];
static const struct iotrap__grant_file *view;

static void remove_file(void)
{
    unlink(path);
    rmdir(dir);
}

/* One grant file per process, named by IOTRAP_WINE_GRANTS (the writers map it once). */
static void use_file(void)
{
    if (view)
        return;
    snprintf(dir, sizeof(dir), "/tmp/iotrap-grants-test-XXXXXX");
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/grants", dir);
    assert_int_equal(iotrap__wine_grants_create(path), IOTRAP_OK);
    assert_int_equal(setenv(IOTRAP__GRANT_ENV, path, 1), 0);
    int fd = open(path, O_RDONLY);
    assert_true(fd >= 0);
    void *p = mmap(NULL, sizeof(struct iotrap__grant_file), PROT_READ, MAP_SHARED, fd, 0);
    close(fd);
    assert_true(p != MAP_FAILED);
    view = p;
    atexit(remove_file);
}

static void t_create_valid_and_exclusive(void **state)
{
    (void)state;
    char d[] = "/tmp/iotrap-grants-test-XXXXXX", p[64];
    assert_non_null(mkdtemp(d));
    snprintf(p, sizeof(p), "%s/g", d);
    assert_int_equal(iotrap__wine_grants_create(p), IOTRAP_OK);
    assert_int_equal(iotrap__wine_grants_create(p), IOTRAP_E_BUSY);
    int fd = open(p, O_RDONLY);
    assert_true(fd >= 0);
    struct iotrap__grant_file *f =
        mmap(NULL, sizeof(*f), PROT_READ, MAP_SHARED, fd, 0);
    close(fd);
    assert_true(f != MAP_FAILED);
    assert_true(iotrap__wine_grants_valid(f, sizeof(*f)));
    munmap(f, sizeof(*f));
    unlink(p);
    rmdir(d);
}

static void t_no_file_configured(void **state)
{
    (void)state;
    unsetenv(IOTRAP__GRANT_ENV);
    assert_int_equal(iotrap__wine_grants_set(42, NULL, 0), IOTRAP_E_NODEV);
}

static void t_pid_zero_refused(void **state)
{
    (void)state;
    use_file();
    assert_int_equal(iotrap__wine_grants_set(0, NULL, 0), IOTRAP_E_INVAL);
}

static void t_no_entry_allows(void **state)
{
    (void)state;
    use_file();
    assert_int_equal(iotrap__wine_grants_lookup(view, 77, 0x378, 1, NULL), 1);
}

static void t_all_none_all(void **state)
{
    (void)state;
    use_file();
    assert_int_equal(iotrap__wine_grants_set(100, NULL, 1), IOTRAP_OK);
    assert_int_equal(iotrap__wine_grants_lookup(view, 100, 0x378, 1, NULL), 0);
    assert_int_equal(iotrap__wine_grants_lookup(view, 101, 0x378, 1, NULL), 1);
    assert_int_equal(iotrap__wine_grants_set(100, NULL, 0), IOTRAP_OK);
    assert_int_equal(iotrap__wine_grants_lookup(view, 100, 0x378, 1, NULL), 1);
    assert_int_equal(iotrap__wine_grants_lookup(view, 100, 0xffff, 1, NULL), 1);
}

static void t_map_bits(void **state)
{
    (void)state;
    use_file();
    static uint8_t map[IOTRAP__GRANT_MAP_BYTES];
    memset(map, 0xff, sizeof(map));
    map[0x378 / 8] = 0x00;                  /* 0x378-0x37f allowed */
    map[0x3f8 / 8] = (uint8_t)~0x80;        /* only 0x3ff of 0x3f8-0x3ff */
    assert_int_equal(iotrap__wine_grants_set(200, map, 0), IOTRAP_OK);
    assert_int_equal(iotrap__wine_grants_lookup(view, 200, 0x378, 1, NULL), 1);
    assert_int_equal(iotrap__wine_grants_lookup(view, 200, 0x37c, 4, NULL), 1);
    assert_int_equal(iotrap__wine_grants_lookup(view, 200, 0x37e, 4, NULL), 0); /* reaches 0x380 */
    assert_int_equal(iotrap__wine_grants_lookup(view, 200, 0x3f8, 1, NULL), 0);
    assert_int_equal(iotrap__wine_grants_lookup(view, 200, 0x3ff, 1, NULL), 1);
    assert_int_equal(iotrap__wine_grants_lookup(view, 200, 0x3fe, 2, NULL), 0);
    assert_int_equal(iotrap__wine_grants_lookup(view, 200, 0x80, 1, NULL), 0);
}

/* A reader that found no slot does not search again until a slot gets an id, and then
 * finds it. */
static void t_hint_none_until_new_slot(void **state)
{
    (void)state;
    use_file();
    struct iotrap__grant_hint hint = {0, 0, 0};
    assert_int_equal(iotrap__wine_grants_lookup(view, 300, 0x378, 1, &hint), 1);
    assert_int_equal(hint.none, 1);
    assert_int_equal(iotrap__wine_grants_set(300, NULL, 1), IOTRAP_OK);
    assert_int_equal(iotrap__wine_grants_lookup(view, 300, 0x378, 1, &hint), 0);
    assert_int_equal(hint.none, 0);
    /* A map rewritten for the same id keeps its slot; the remembered slot sees it. */
    assert_int_equal(iotrap__wine_grants_set(300, NULL, 0), IOTRAP_OK);
    assert_int_equal(iotrap__wine_grants_lookup(view, 300, 0x378, 1, &hint), 1);
}

static void t_past_last_port_denied(void **state)
{
    (void)state;
    use_file();
    assert_int_equal(iotrap__wine_grants_set(300, NULL, 0), IOTRAP_OK);
    assert_int_equal(iotrap__wine_grants_lookup(view, 300, 0xffff, 1, NULL), 1);
    assert_int_equal(iotrap__wine_grants_lookup(view, 300, 0xffff, 2, NULL), 0);
    assert_int_equal(iotrap__wine_grants_lookup(view, 300, 0xfffe, 4, NULL), 0);
}

static void t_hint_follows_the_process(void **state)
{
    (void)state;
    use_file();
    assert_int_equal(iotrap__wine_grants_set(400, NULL, 1), IOTRAP_OK);
    assert_int_equal(iotrap__wine_grants_set(401, NULL, 0), IOTRAP_OK);
    struct iotrap__grant_hint hint = {0, 0, 0};
    assert_int_equal(iotrap__wine_grants_lookup(view, 401, 0x378, 1, &hint), 1);
    unsigned slot401 = hint.slot;
    assert_int_equal(iotrap__wine_grants_lookup(view, 400, 0x378, 1, &hint), 0);
    assert_true(hint.slot != slot401);
    /* A stale hint (another process's slot) is not trusted. */
    hint.slot = slot401;
    assert_int_equal(iotrap__wine_grants_lookup(view, 400, 0x378, 1, &hint), 0);
    hint.slot = 100000;
    assert_int_equal(iotrap__wine_grants_lookup(view, 401, 0x378, 1, &hint), 1);
}

static void t_slots_run_out(void **state)
{
    (void)state;
    use_file();
    /* Fill every free slot (other tests of this process may hold some). */
    uint32_t pid = 1000;
    int st;
    while ((st = iotrap__wine_grants_set(pid, NULL, 1)) == IOTRAP_OK && pid < 1000 + 2 * IOTRAP__GRANT_SLOTS)
        pid++;
    assert_int_equal(st, IOTRAP_E_BUSY);
    assert_true(pid > 1000);
    /* A process that has a slot can still change it. */
    assert_int_equal(iotrap__wine_grants_set(1000, NULL, 0), IOTRAP_OK);
    assert_int_equal(iotrap__wine_grants_lookup(view, 1000, 0x378, 1, NULL), 1);
    assert_int_equal(iotrap__wine_grants_lookup(view, pid - 1, 0x378, 1, NULL), 0);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(t_create_valid_and_exclusive),
    cmocka_unit_test(t_no_file_configured),
    cmocka_unit_test(t_pid_zero_refused),
    cmocka_unit_test(t_no_entry_allows),
    cmocka_unit_test(t_all_none_all),
    cmocka_unit_test(t_map_bits),
    cmocka_unit_test(t_hint_none_until_new_slot),
    cmocka_unit_test(t_past_last_port_denied),
    cmocka_unit_test(t_hint_follows_the_process),
    cmocka_unit_test(t_slots_run_out),
};

IOTRAP_TEST_MAIN(tests)
