/* The version: written once (AC_INIT in configure.ac), and the same in iotrap_version(),
 * the IOTRAP_VERSION_* macros of the headers and the man pages, which cannot take it from
 * configure (they are shipped as they are). */
#include "config.h"
#include "tests/unit/harness.h"
#include <iotrap/iotrap.h>

#ifndef IOTRAP_TOP_SRCDIR
#error "IOTRAP_TOP_SRCDIR must name the source tree"
#endif

static void t_one_version(void **state)
{
    (void)state;
    char parts[64];
    snprintf(parts, sizeof parts, "%d.%d.%d", IOTRAP_VERSION_MAJOR, IOTRAP_VERSION_MINOR,
             IOTRAP_VERSION_PATCH);
    assert_string_equal(parts, PACKAGE_VERSION);
    assert_string_equal(IOTRAP_VERSION_STRING, PACKAGE_VERSION);
    assert_string_equal(iotrap_version(), PACKAGE_VERSION);
}

static void t_man_pages_say_it(void **state)
{
    (void)state;
    static const char *const pages[] = { "iotrap.1", "libiotrap.3", "iotrap.conf.5",
                                         "iotrap-devices.7", "iotrapd.8" };
    char want[64];
    snprintf(want, sizeof want, "\"iotrap %s\"", PACKAGE_VERSION);
    for (size_t i = 0; i < sizeof pages / sizeof pages[0]; i++) {
        char path[512], line[512] = "";
        snprintf(path, sizeof path, "%s/man/%s", IOTRAP_TOP_SRCDIR, pages[i]);
        FILE *f = fopen(path, "r");
        assert_non_null(f);
        assert_non_null(fgets(line, sizeof line, f));
        fclose(f);
        if (strncmp(line, ".TH ", 4) != 0 || !strstr(line, want))
            fail_msg("man/%s: the .TH line should name %s: %s", pages[i], want, line);
    }
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test(t_one_version),
    cmocka_unit_test(t_man_pages_say_it),
};

IOTRAP_TEST_MAIN(tests)
