/* A main() for cmocka unit-test binaries that lets tests/tap-run run every test in its
 * own process:  BINARY --list  prints the test names, one per line;  BINARY NAME  runs only
 * that test;  BINARY  alone runs them all (handy under a debugger).
 *
 * Use:  static const struct CMUnitTest tests[] = { cmocka_unit_test(t_x), ... };
 *       IOTRAP_TEST_MAIN(tests)
 */
#ifndef IOTRAP_TESTS_HARNESS_H
#define IOTRAP_TESTS_HARNESS_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

static inline int iotrap_test_main(const struct CMUnitTest *tests, size_t n, const char *group,
                                   int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--list") == 0) {
        for (size_t i = 0; i < n; i++)
            printf("%s\n", tests[i].name);
        return 0;
    }
    if (argc > 1) {
        for (size_t i = 0; i < n; i++)
            if (strcmp(tests[i].name, argv[1]) == 0)
                return _cmocka_run_group_tests(group, &tests[i], 1, NULL, NULL);
        fprintf(stderr, "no test named %s\n", argv[1]);
        return 2;
    }
    return _cmocka_run_group_tests(group, tests, n, NULL, NULL);
}

#define IOTRAP_TEST_MAIN(tests)                                                         \
    int main(int argc, char **argv)                                                     \
    {                                                                                   \
        return iotrap_test_main(tests, sizeof(tests) / sizeof(tests[0]), #tests, argc, argv); \
    }

#endif
