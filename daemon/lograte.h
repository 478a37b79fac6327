/* Per-user rate limits on iotrapd's log lines.  One client that provokes denials or sends
 * malformed requests in a loop must neither fill the disk nor make the journal drop other
 * users' lines: each uid has a budget per kind of line (a burst, then one line a second),
 * what it overspends is counted, and the count is logged as one summary line, "uid=U:
 * N more denied lines suppressed", once that uid may log again or within a second.
 * Other uids' lines never wait for it.
 *
 * Not thread-safe: iotrapd calls it under its serving lock. */
#ifndef IOTRAP_DAEMON_LOGRATE_H
#define IOTRAP_DAEMON_LOGRATE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

enum iotrapd_log_kind {
    IOTRAPD_LOG_DENIED,
    IOTRAPD_LOG_MALFORMED,
    IOTRAPD_LOG_FAILED,
    IOTRAPD_LOG_KINDS
};

/* A burst of this many lines of one kind per uid, then one more per second. */
#define IOTRAPD_LOG_BURST 10
#define IOTRAPD_LOG_PER_SECOND 1
/* The uids tracked at once; as many as clients can be connected. */
#define IOTRAPD_LOG_UIDS 1024

struct iotrapd_log_budget {
    uint32_t tokens_milli;   /* lines it may still log, in thousandths */
    uint64_t suppressed;     /* lines counted instead of logged since the last summary */
    int64_t first_ms;        /* when the first of those was suppressed */
};

typedef struct iotrapd_lograte {
    /* Where lines go: syslog(3) when NULL. */
    void (*sink)(int priority, const char *line);
    struct {
        uid_t uid;
        bool used;
        int64_t last_ms; /* when the budgets were last refilled; also for eviction */
        struct iotrapd_log_budget budget[IOTRAPD_LOG_KINDS];
    } slot[IOTRAPD_LOG_UIDS];
} iotrapd_lograte;

/* Logs one line (printf format) of `kind` for `uid` at time now_ms (CLOCK_MONOTONIC,
 * milliseconds), or counts it when uid has no budget left for that kind. */
void iotrapd_log(iotrapd_lograte *lr, int64_t now_ms, uid_t uid, enum iotrapd_log_kind kind,
                 int priority, const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/* Logs the summaries that are due (every one when `all`: at exit).  Returns how many
 * milliseconds until the next is due, or -1 when none is pending. */
int64_t iotrapd_log_flush(iotrapd_lograte *lr, int64_t now_ms, bool all);

/* CLOCK_MONOTONIC in milliseconds. */
int64_t iotrapd_now_ms(void);

#endif
