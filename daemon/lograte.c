/* Per-user rate limits on iotrapd's log lines: see lograte.h. */
#include "config.h"
#include <stdarg.h>
#include <stdio.h>
#include <syslog.h>
#include <time.h>
#include "daemon/lograte.h"

static const char *const kind_names[IOTRAPD_LOG_KINDS] = {"denied", "malformed", "failed"};

int64_t iotrapd_now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static void emit(iotrapd_lograte *lr, int priority, const char *line)
{
    if (lr->sink)
        lr->sink(priority, line);
    else
        syslog(priority, "%s", line);
}

static void summary(iotrapd_lograte *lr, int64_t now_ms, unsigned i, unsigned k)
{
    struct iotrapd_log_budget *b = &lr->slot[i].budget[k];
    if (!b->suppressed)
        return;
    char line[160];
    snprintf(line, sizeof line, "uid=%u: %llu more %s lines suppressed in the last %lld s",
             (unsigned)lr->slot[i].uid, (unsigned long long)b->suppressed, kind_names[k],
             (long long)((now_ms - b->first_ms + 999) / 1000));
    emit(lr, LOG_NOTICE, line);
    b->suppressed = 0;
}

/* The slot of uid, made when new; a full table gives up the one idle longest, after its
 * summaries. */
static unsigned slot_of(iotrapd_lograte *lr, int64_t now_ms, uid_t uid)
{
    unsigned free_slot = IOTRAPD_LOG_UIDS, oldest = 0;
    for (unsigned i = 0; i < IOTRAPD_LOG_UIDS; i++) {
        if (!lr->slot[i].used) {
            if (free_slot == IOTRAPD_LOG_UIDS)
                free_slot = i;
            continue;
        }
        if (lr->slot[i].uid == uid)
            return i;
        if (lr->slot[i].last_ms < lr->slot[oldest].last_ms || !lr->slot[oldest].used)
            oldest = i;
    }
    unsigned i = free_slot;
    if (i == IOTRAPD_LOG_UIDS) {
        i = oldest;
        for (unsigned k = 0; k < IOTRAPD_LOG_KINDS; k++)
            summary(lr, now_ms, i, k);
    }
    lr->slot[i].used = true;
    lr->slot[i].uid = uid;
    lr->slot[i].last_ms = now_ms;
    for (unsigned k = 0; k < IOTRAPD_LOG_KINDS; k++) {
        lr->slot[i].budget[k].tokens_milli = IOTRAPD_LOG_BURST * 1000u;
        lr->slot[i].budget[k].suppressed = 0;
    }
    return i;
}

static void refill(iotrapd_lograte *lr, unsigned i, int64_t now_ms)
{
    int64_t gained = (now_ms - lr->slot[i].last_ms) * IOTRAPD_LOG_PER_SECOND;
    if (gained <= 0)
        return;
    for (unsigned k = 0; k < IOTRAPD_LOG_KINDS; k++) {
        struct iotrapd_log_budget *b = &lr->slot[i].budget[k];
        int64_t t = (int64_t)b->tokens_milli + gained;
        b->tokens_milli = t > IOTRAPD_LOG_BURST * 1000 ? IOTRAPD_LOG_BURST * 1000u : (uint32_t)t;
    }
    lr->slot[i].last_ms = now_ms;
}

void iotrapd_log(iotrapd_lograte *lr, int64_t now_ms, uid_t uid, enum iotrapd_log_kind kind,
                 int priority, const char *fmt, ...)
{
    unsigned i = slot_of(lr, now_ms, uid);
    refill(lr, i, now_ms);
    struct iotrapd_log_budget *b = &lr->slot[i].budget[kind];
    if (b->tokens_milli < 1000) {
        if (!b->suppressed++)
            b->first_ms = now_ms;
        return;
    }
    b->tokens_milli -= 1000;
    /* What was held back is said before the line that follows it. */
    summary(lr, now_ms, i, kind);
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    emit(lr, priority, line);
}

int64_t iotrapd_log_flush(iotrapd_lograte *lr, int64_t now_ms, bool all)
{
    int64_t next = -1;
    for (unsigned i = 0; i < IOTRAPD_LOG_UIDS; i++) {
        if (!lr->slot[i].used)
            continue;
        for (unsigned k = 0; k < IOTRAPD_LOG_KINDS; k++) {
            struct iotrapd_log_budget *b = &lr->slot[i].budget[k];
            if (!b->suppressed)
                continue;
            int64_t due = b->first_ms + 1000;
            if (all || now_ms >= due) {
                summary(lr, now_ms, i, k);
                continue;
            }
            if (next < 0 || due - now_ms < next)
                next = due - now_ms;
        }
    }
    return next;
}
