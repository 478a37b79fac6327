/* The cmos model against the MC146818 data sheet and the PC's CMOS layout: the clock
 * registers in every format, register A's update-in-progress flag as a slow poller
 * sees it, both RAM banks, the BIOS defaults and their checksum, and file=. */
#include <stdio.h>
#include <time.h>
#include "tests/unit/test_ports_helpers.h"


static uint8_t cmos_get(iotrap_ports *p, uint8_t idx)
{
    out8(p, 0x70, idx);
    return in8(p, 0x71);
}

static void cmos_set(iotrap_ports *p, uint8_t idx, uint8_t v)
{
    out8(p, 0x70, idx);
    out8(p, 0x71, v);
}

static int bcd(int v)
{
    return ((v / 10) << 4) | (v % 10);
}

/* Reads the clock registers until two host-clock samples around the read agree on the
 * second, so the comparison cannot straddle a tick. */
struct rtc_read {
    uint8_t sec, min, hour, wday, mday, mon, year, century;
    struct tm tm;
};

static void read_rtc(iotrap_ports *p, struct rtc_read *r)
{
    for (int tries = 0; tries < 50; tries++) {
        /* CLOCK_REALTIME like the model: time() may lag it by a tick. */
        struct timespec ts0, ts1;
        clock_gettime(CLOCK_REALTIME, &ts0);
        time_t t0 = ts0.tv_sec;
        r->sec = cmos_get(p, 0);
        r->min = cmos_get(p, 2);
        r->hour = cmos_get(p, 4);
        r->wday = cmos_get(p, 6);
        r->mday = cmos_get(p, 7);
        r->mon = cmos_get(p, 8);
        r->year = cmos_get(p, 9);
        r->century = cmos_get(p, 0x32);
        clock_gettime(CLOCK_REALTIME, &ts1);
        time_t t1 = ts1.tv_sec;
        if (t0 == t1) {
            gmtime_r(&t0, &r->tm);
            return;
        }
    }
    fail_msg("the clock never held still for one read");
}

/* UTC is the default, as Linux's hwclock and every other Unix assume. */
static iotrap_ports *open_cmos_utc(void)
{
    const char *devs[] = { "cmos@0x70", NULL };
    return open_sim(NULL, devs);
}

static void t_cmos_status_registers(void **state)
{
    iotrap_ports *p = open_cmos_utc();
    assert_int_equal(cmos_get(p, 0x0a) & 0x7f, 0x26);
    assert_int_equal(cmos_get(p, 0x0b), 0x02);
    assert_int_equal(cmos_get(p, 0x0c), 0x00);
    assert_int_equal(cmos_get(p, 0x0d), 0x80);
    cmos_set(p, 0x0d, 0x00); /* read-only */
    assert_int_equal(cmos_get(p, 0x0d), 0x80);
    assert_int_equal(in8(p, 0x70), 0xff); /* the index port is write-only */
    /* UIP is set only near the end of a second: sample often and see it both ways
     * within a few seconds at most. */
    int seen_set = 0, seen_clear = 0;
    struct timespec ts0, ts;
    clock_gettime(CLOCK_MONOTONIC, &ts0);
    do {
        uint8_t a = cmos_get(p, 0x0a);
        if (a & 0x80)
            seen_set = 1;
        else
            seen_clear = 1;
        clock_gettime(CLOCK_MONOTONIC, &ts);
    } while (!(seen_set && seen_clear) && ts.tv_sec - ts0.tv_sec < 5);
    assert_true(seen_clear);
    assert_true(seen_set);
    iotrap_ports_close(p);
}

static void t_cmos_time_bcd(void **state)
{
    iotrap_ports *p = open_cmos_utc();
    struct rtc_read r;
    read_rtc(p, &r);
    assert_int_equal(r.sec, bcd(r.tm.tm_sec));
    assert_int_equal(r.min, bcd(r.tm.tm_min));
    assert_int_equal(r.hour, bcd(r.tm.tm_hour));
    assert_int_equal(r.wday, r.tm.tm_wday + 1);
    assert_int_equal(r.mday, bcd(r.tm.tm_mday));
    assert_int_equal(r.mon, bcd(r.tm.tm_mon + 1));
    assert_int_equal(r.year, bcd(r.tm.tm_year % 100));
    assert_int_equal(r.century, bcd((r.tm.tm_year + 1900) / 100));
    iotrap_ports_close(p);
}

static void t_cmos_time_binary(void **state)
{
    iotrap_ports *p = open_cmos_utc();
    cmos_set(p, 0x0b, 0x06);
    struct rtc_read r;
    read_rtc(p, &r);
    assert_int_equal(r.sec, r.tm.tm_sec);
    assert_int_equal(r.min, r.tm.tm_min);
    assert_int_equal(r.hour, r.tm.tm_hour);
    assert_int_equal(r.mday, r.tm.tm_mday);
    assert_int_equal(r.mon, r.tm.tm_mon + 1);
    assert_int_equal(r.year, r.tm.tm_year % 100);
    iotrap_ports_close(p);
}

static void t_cmos_time_12h(void **state)
{
    iotrap_ports *p = open_cmos_utc();
    for (int binary = 0; binary < 2; binary++) {
        cmos_set(p, 0x0b, binary ? 0x04 : 0x00);
        struct rtc_read r;
        read_rtc(p, &r);
        int h = r.tm.tm_hour % 12 ? r.tm.tm_hour % 12 : 12;
        int want = (binary ? h : bcd(h)) | (r.tm.tm_hour >= 12 ? 0x80 : 0);
        assert_int_equal(r.hour, want);
    }
    /* Set 11 PM in 12-hour BCD, read it back as 23 in 24-hour mode. */
    cmos_set(p, 0x0b, 0x80);
    cmos_set(p, 0x04, 0x91);
    cmos_set(p, 0x0b, 0x02);
    uint8_t hour = cmos_get(p, 0x04);
    assert_true(hour == 0x23 || hour == 0x00); /* 0x00 only if midnight passed meanwhile */
    iotrap_ports_close(p);
}

static void t_cmos_set_time(void **state)
{
    iotrap_ports *p = open_cmos_utc();
    /* The SET bit freezes the clock while it is written, as a BIOS setup does. */
    cmos_set(p, 0x0b, 0x82);
    cmos_set(p, 0x09, 0x99);
    cmos_set(p, 0x32, 0x19);
    cmos_set(p, 0x08, 0x12);
    cmos_set(p, 0x07, 0x31);
    cmos_set(p, 0x04, 0x23);
    cmos_set(p, 0x02, 0x59);
    cmos_set(p, 0x00, 0x58);
    assert_int_equal(cmos_get(p, 0x00), 0x58);
    assert_int_equal(cmos_get(p, 0x06), 0x06); /* 1999-12-31 was a Friday */
    cmos_set(p, 0x0b, 0x02);
    assert_int_equal(cmos_get(p, 0x09), 0x99);
    assert_int_equal(cmos_get(p, 0x32), 0x19);
    assert_int_equal(cmos_get(p, 0x08), 0x12);
    /* Running again: two seconds later the date rolls into 2000. */
    struct timespec ts0, ts;
    clock_gettime(CLOCK_MONOTONIC, &ts0);
    do {
        struct timespec nap = { 0, 50000000 };
        nanosleep(&nap, NULL);
        clock_gettime(CLOCK_MONOTONIC, &ts);
    } while (cmos_get(p, 0x09) != 0x00 && ts.tv_sec - ts0.tv_sec < 30);
    assert_int_equal(cmos_get(p, 0x09), 0x00);
    assert_int_equal(cmos_get(p, 0x32), 0x20);
    assert_int_equal(cmos_get(p, 0x08), 0x01);
    assert_int_equal(cmos_get(p, 0x07), 0x01);
    iotrap_ports_close(p);
}

static void t_cmos_nvram(void **state)
{
    iotrap_ports *p = open_cmos_utc();
    for (unsigned i = 0x0e; i < 0x80; i++)
        if (i != 0x32)
            cmos_set(p, (uint8_t)i, (uint8_t)(i ^ 0xa5));
    for (unsigned i = 0x0e; i < 0x80; i++)
        if (i != 0x32)
            assert_int_equal(cmos_get(p, (uint8_t)i), i ^ 0xa5);
    /* Bit 7 of the index is the NMI mask: 0x8e selects 0x0e. */
    out8(p, 0x70, 0x8e);
    assert_int_equal(in8(p, 0x71), 0x0e ^ 0xa5);
    /* Alarm registers are plain storage. */
    cmos_set(p, 0x01, 0x33);
    assert_int_equal(cmos_get(p, 0x01), 0x33);
    iotrap_ports_close(p);
}


/* The default is UTC whatever the zone of the process; time=local gives local time. */
static void t_cmos_utc_default_and_local(void **state)
{
    setenv("TZ", "IST-5:30", 1); /* a zone without summer time, half an hour off */
    tzset();
    iotrap_ports *p = open_cmos_utc();
    struct rtc_read r;
    read_rtc(p, &r);
    assert_int_equal(r.hour, bcd(r.tm.tm_hour));
    assert_int_equal(r.min, bcd(r.tm.tm_min));
    iotrap_ports_close(p);

    const char *devs[] = { "cmos@0x70,time=local", NULL };
    p = open_sim(NULL, devs);
    for (int tries = 0;; tries++) {
        time_t t0 = time(NULL);
        uint8_t min = cmos_get(p, 0x02), hour = cmos_get(p, 0x04);
        if (time(NULL) != t0 && tries < 50)
            continue;
        struct tm lt;
        localtime_r(&t0, &lt);
        assert_int_equal(min, bcd(lt.tm_min));
        assert_int_equal(hour, bcd(lt.tm_hour));
        break;
    }
    iotrap_ports_close(p);
    unsetenv("TZ");
    tzset();
}

/* What a BIOS leaves in CMOS RAM, with the AT checksum of 0x10-0x2d at 0x2e (high) and
 * 0x2f, so that programs that check it (nvramtool, cmospwd) find it valid. */
static void t_cmos_bios_defaults(void **state)
{
    iotrap_ports *p = open_cmos_utc();
    unsigned sum = 0;
    for (unsigned i = 0x10; i <= 0x2d; i++)
        sum += cmos_get(p, (uint8_t)i);
    assert_int_equal(cmos_get(p, 0x2e), (sum >> 8) & 0xff);
    assert_int_equal(cmos_get(p, 0x2f), sum & 0xff);
    assert_true(sum != 0);
    /* 640 KiB of base memory, and extended memory both where POST reports it and where
     * the setup value sits. */
    assert_int_equal(cmos_get(p, 0x15) | cmos_get(p, 0x16) << 8, 640);
    assert_int_equal(cmos_get(p, 0x17) | cmos_get(p, 0x18) << 8,
                     cmos_get(p, 0x30) | cmos_get(p, 0x31) << 8);
    assert_int_equal(cmos_get(p, 0x0e), 0x00); /* POST diagnostics: all good */
    iotrap_ports_close(p);
}

/* The second bank, 0x80-0xff, behind 0x72/0x73: the index's low seven bits pick the
 * byte, as nvramtool writes 0x80-0xff there; it is RAM apart from the first bank. */
static void t_cmos_bank2(void **state)
{
    iotrap_ports *p = open_cmos_utc();
    for (unsigned i = 0x80; i <= 0xff; i++) {
        out8(p, 0x72, (uint8_t)i);
        assert_int_equal(in8(p, 0x73), 0x00);
        out8(p, 0x73, (uint8_t)(i ^ 0x5a));
    }
    for (unsigned i = 0x80; i <= 0xff; i++) {
        out8(p, 0x72, (uint8_t)(i & 0x7f)); /* bit 7 does not matter */
        assert_int_equal(in8(p, 0x73), i ^ 0x5a);
    }
    assert_int_equal(in8(p, 0x72), 0xff); /* write-only, like 0x70 */
    /* The banks are apart: 0x0e of bank 1 is not 0x8e. */
    cmos_set(p, 0x0e, 0x11);
    out8(p, 0x72, 0x8e);
    assert_int_equal(in8(p, 0x73), 0x8e ^ 0x5a);
    /* A word access reaches index and data at once, as on the bus. */
    out_w(p, 0x72, 2, 0x3390);
    out8(p, 0x72, 0x90);
    assert_int_equal(in8(p, 0x73), 0x33);
    iotrap_ports_close(p);
}

/* file=PATH keeps both banks' RAM in a 256-byte image across boards; the clock bytes
 * are not taken from it. */
static void t_cmos_file(void **state)
{
    char path[300], spec[340];
    snprintf(path, sizeof path, "%s/nvram.bin", test_dir());
    snprintf(spec, sizeof spec, "cmos@0x70,file=%s", path);
    const char *devs[] = { spec, NULL };
    iotrap_ports *p = open_sim(NULL, devs);
    size_t len;
    char *img = slurp(path, &len);
    assert_int_equal(len, 256); /* a new image holds the defaults */
    assert_int_equal((uint8_t)img[0x15], 0x80);
    assert_int_equal(img[0x00], 0);
    free(img);
    cmos_set(p, 0x40, 0xa5);
    out8(p, 0x72, 0xf0);
    out8(p, 0x73, 0x3c);
    iotrap_ports_close(p);

    p = open_sim(NULL, devs);
    assert_int_equal(cmos_get(p, 0x40), 0xa5);
    out8(p, 0x72, 0xf0);
    assert_int_equal(in8(p, 0x73), 0x3c);
    assert_int_equal(cmos_get(p, 0x0b), 0x02); /* registers come from reset, not the file */
    iotrap_ports_close(p);

    /* A file of another size is refused with its name. */
    int fd = open(path, O_WRONLY | O_TRUNC);
    assert_int_equal(write(fd, "short", 5), 5);
    close(fd);
    iotrap_ports_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.size = sizeof cfg;
    cfg.devices = devs;
    char err[512];
    assert_int_equal(open_fails(&cfg, err, sizeof err), IOTRAP_E_INVAL);
    assert_non_null(strstr(err, path));
    assert_non_null(strstr(err, "256-byte"));
    /* So is a file that cannot be opened. */
    const char *nodir[] = { "cmos@0x70,file=/nonexistent/dir/nvram", NULL };
    cfg.devices = nodir;
    assert_int_equal(open_fails(&cfg, err, sizeof err), IOTRAP_E_INVAL);
    assert_non_null(strstr(err, "/nonexistent/dir/nvram"));
}

static int64_t realtime_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* The UIP window of the second that ends at k seconds: [k - 244 us, k + 1984 us). */
#define UIP_BEFORE 244141LL
#define UIP_AFTER 1984375LL

/* A program that polls register A slowly (here with pauses far longer than the window)
 * still sees UIP rise once after every second boundary it passed, and fall at the next
 * read: whatever the machine's load, each read is checked against where the clock was
 * just before and after it, so the test holds without any timing assumption. */
static void t_cmos_uip_seen_by_slow_polls(void **state)
{
    iotrap_ports *p = open_cmos_utc();
    int64_t prev_before = 0, prev_after = 0;
    int rises = 0;
    for (int i = 0; i < 12; i++) {
        int64_t before = realtime_ns();
        int uip = (cmos_get(p, 0x0a) & 0x80) != 0;
        int64_t after = realtime_ns();
        /* k(t): the window that began last at or before t. */
#define K(t) (((t) + UIP_BEFORE) / 1000000000LL)
        int in_window_possible = before < K(after) * 1000000000LL + UIP_AFTER;
        if (i > 0 && K(before) > K(prev_after))
            assert_true(uip); /* a window began since the previous read: seen */
        else if (i > 0 && !in_window_possible && K(before) == K(prev_before))
            assert_false(uip); /* no window since the previous read, and not in one */
#undef K
        rises += uip;
        prev_before = before;
        prev_after = after;
        struct timespec nap = { 0, 150000000L + (i % 3) * 130000000L };
        nanosleep(&nap, NULL);
    }
    assert_true(rises >= 1);
    iotrap_ports_close(p);
}

/* hwclock --directisa's synchronisation: wait for UIP to rise, then to fall.  It ends
 * at the first second boundary after it starts: within one second plus the longest
 * pause between two of its polls, however long the pauses. */
static void t_cmos_uip_sync_within_a_second(void **state)
{
    iotrap_ports *p = open_cmos_utc();
    for (int round = 0; round < 2; round++) {
        int64_t start = realtime_ns(), last = start, max_gap = 0;
        while (!(cmos_get(p, 0x0a) & 0x80)) {
            int64_t now = realtime_ns();
            if (now - last > max_gap)
                max_gap = now - last;
            last = now;
            if (round) { /* slow polls: 1 ms to 4 ms apart */
                struct timespec nap = { 0, 1000000L + (last % 3000000L) };
                nanosleep(&nap, NULL);
            }
        }
        int64_t rise = realtime_ns();
        if (rise - last > max_gap)
            max_gap = rise - last;
        while (cmos_get(p, 0x0a) & 0x80)
            ;
        int64_t fall = realtime_ns();
        assert_true(rise - start <= 1000000000LL + 2 * max_gap);
        /* After the fall the seconds register shows the second that just began. */
        int64_t sec = (fall / 1000000000LL) % 60;
        uint8_t reg = cmos_get(p, 0x00);
        assert_true(reg == bcd((int)sec) || reg == bcd((int)((sec + 1) % 60)));
    }
    iotrap_ports_close(p);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(t_cmos_status_registers),
    cmocka_unit_test(t_cmos_time_bcd),
    cmocka_unit_test(t_cmos_time_binary),
    cmocka_unit_test(t_cmos_time_12h),
    cmocka_unit_test(t_cmos_set_time),
    cmocka_unit_test(t_cmos_nvram),
    cmocka_unit_test(t_cmos_utc_default_and_local),
    cmocka_unit_test(t_cmos_bios_defaults),
    cmocka_unit_test(t_cmos_bank2),
    cmocka_unit_test(t_cmos_file),
    cmocka_unit_test(t_cmos_uip_seen_by_slow_polls),
    cmocka_unit_test(t_cmos_uip_sync_within_a_second),
};

IOTRAP_TEST_MAIN(tests)
