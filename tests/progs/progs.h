/* Helpers of the integration test programs: each program runs one case named on its
 * command line, prints what it checked, and exits 0 when every check passed. */
#ifndef IOTRAP_TESTS_PROGS_H
#define IOTRAP_TESTS_PROGS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int progs_failures;

#define CHECK_EQ(what, got, want)                                                      \
    do {                                                                               \
        unsigned long long g_ = (unsigned long long)(got);                             \
        unsigned long long w_ = (unsigned long long)(want);                            \
        if (g_ != w_) {                                                                \
            printf("FAIL %s:%d %s: got 0x%llx, want 0x%llx\n", __FILE__, __LINE__,      \
                   what, g_, w_);                                                      \
            progs_failures++;                                                          \
        } else {                                                                       \
            printf("ok   %s = 0x%llx\n", what, g_);                                    \
        }                                                                              \
    } while (0)

struct progs_case {
    const char *name;
    void (*run)(void);
};

/* Runs the case named by argv[1]; with no argument lists the cases. */
static inline int progs_main(int argc, char **argv, const struct progs_case *cases)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    for (const struct progs_case *c = cases; c->name; c++) {
        if (argc < 2) {
            puts(c->name);
            continue;
        }
        if (strcmp(argv[1], c->name) == 0) {
            c->run();
            if (progs_failures)
                printf("%d check(s) failed\n", progs_failures);
            return progs_failures ? 1 : 0;
        }
    }
    if (argc < 2)
        return 0;
    fprintf(stderr, "%s: no case named '%s'\n", argv[0], argv[1]);
    return 2;
}

#endif
