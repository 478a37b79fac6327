/* iotrapd's per-uid log budgets (daemon/lograte.c), on a clock of the test's own: a
 * flooding uid gets its burst and then summaries, other uids and other kinds of line are
 * never held back, nothing counted is lost at exit or when the table is full. */
#include "tests/unit/harness.h"
#include <stdlib.h>
#include <syslog.h>
#include "daemon/lograte.h"

static char lines[64][192];
static int nlines;
static int summary_at; /* the index of the last summary line, -1: none */

static void sink(int priority, const char *line)
{
    (void)priority;
    if (nlines < 64)
        snprintf(lines[nlines], sizeof lines[0], "%s", line);
    if (strstr(line, "suppressed"))
        summary_at = nlines;
    nlines++;
}

static iotrapd_lograte *fresh(void)
{
    static iotrapd_lograte lr;
    memset(&lr, 0, sizeof lr);
    lr.sink = sink;
    nlines = 0;
    summary_at = -1;
    return &lr;
}

static void t_burst_then_summary(void **state)
{
    iotrapd_lograte *lr = fresh();
    for (int i = 0; i < 1000; i++)
        iotrapd_log(lr, 0, 1001, IOTRAPD_LOG_DENIED, LOG_WARNING, "denied uid=1001 n=%d", i);
    assert_int_equal(nlines, IOTRAPD_LOG_BURST);
    assert_string_equal(lines[9], "denied uid=1001 n=9");
    /* Another user, and another kind of line of the same user, are not held back. */
    iotrapd_log(lr, 0, 1002, IOTRAPD_LOG_DENIED, LOG_WARNING, "denied uid=1002");
    iotrapd_log(lr, 0, 1001, IOTRAPD_LOG_MALFORMED, LOG_NOTICE, "malformed uid=1001");
    assert_int_equal(nlines, IOTRAPD_LOG_BURST + 2);
    assert_string_equal(lines[10], "denied uid=1002");
    assert_string_equal(lines[11], "malformed uid=1001");
    /* The count comes out within a second, not before. */
    assert_int_equal(iotrapd_log_flush(lr, 400, false), 600);
    assert_int_equal(nlines, IOTRAPD_LOG_BURST + 2);
    assert_int_equal(iotrapd_log_flush(lr, 1000, false), -1);
    assert_int_equal(nlines, IOTRAPD_LOG_BURST + 3);
    assert_string_equal(lines[12], "uid=1001: 990 more denied lines suppressed in the last 1 s");
}

static void t_summary_before_the_next_line(void **state)
{
    iotrapd_lograte *lr = fresh();
    for (int i = 0; i < 15; i++)
        iotrapd_log(lr, 0, 7, IOTRAPD_LOG_FAILED, LOG_ERR, "failed %d", i);
    /* Half a second later one line's worth has come back. */
    iotrapd_log(lr, 500, 7, IOTRAPD_LOG_FAILED, LOG_ERR, "failed late");
    iotrapd_log(lr, 1000, 7, IOTRAPD_LOG_FAILED, LOG_ERR, "failed later");
    assert_int_equal(nlines, 12);
    assert_string_equal(lines[10], "uid=7: 6 more failed lines suppressed in the last 1 s");
    assert_string_equal(lines[11], "failed later");
    /* A quiet while fills the budget up again, to the burst and no more. */
    nlines = 0;
    for (int i = 0; i < 20; i++)
        iotrapd_log(lr, 60000, 7, IOTRAPD_LOG_FAILED, LOG_ERR, "again %d", i);
    assert_int_equal(nlines, IOTRAPD_LOG_BURST);
    assert_int_equal(iotrapd_log_flush(lr, 60000, true), -1);
    assert_string_equal(lines[IOTRAPD_LOG_BURST], "uid=7: 10 more failed lines suppressed in the "
                                                  "last 0 s");
}

/* More uids than the table holds: the one idle longest gives up its slot, and what it had
 * counted is logged then, not lost. */
static void t_full_table(void **state)
{
    iotrapd_lograte *lr = fresh();
    for (int i = 0; i < 11; i++)
        iotrapd_log(lr, 0, 5000, IOTRAPD_LOG_DENIED, LOG_WARNING, "denied 5000");
    /* 1023 more uids fill the table; the next one takes uid 5000's slot. */
    for (unsigned u = 0; u < IOTRAPD_LOG_UIDS; u++)
        iotrapd_log(lr, 1 + u, u, IOTRAPD_LOG_MALFORMED, LOG_NOTICE, "m %u", u);
    assert_int_equal(summary_at, IOTRAPD_LOG_BURST + IOTRAPD_LOG_UIDS - 1);
    assert_int_equal(nlines, IOTRAPD_LOG_BURST + IOTRAPD_LOG_UIDS + 1);
    /* Nothing else was pending. */
    assert_int_equal(iotrapd_log_flush(lr, 100000, true), -1);
    assert_int_equal(nlines, IOTRAPD_LOG_BURST + IOTRAPD_LOG_UIDS + 1);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(t_burst_then_summary),
    cmocka_unit_test(t_summary_before_the_next_line),
    cmocka_unit_test(t_full_table),
};

IOTRAP_TEST_MAIN(tests)
