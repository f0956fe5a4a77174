/*
 * log.c: the process-wide logger: configuration, the enabled checks, writing lines, and the
 * rate limiter.
 *
 * One mutex guards all state. A record is checked against the filter, formatted and written
 * while holding it, so lines reach the output whole and in timestamp order; each line is one
 * write(2) on a descriptor (no stdio buffer), so nothing is lost if the process dies and a
 * file opened with O_APPEND gets whole lines even when another process appends too.
 * zlog__max_level mirrors the filter's most verbose level outside the mutex for the macros'
 * cheap check; it is only a hint (a stale value costs one extra full check or skips a record
 * while the filter is being changed).
 */
#include "log_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

_Atomic int zlog__max_level = ZLOG_LEVEL_INFO;

static pthread_mutex_t g_mu = PTHREAD_MUTEX_INITIALIZER;
static zlog_filter g_filter = {.default_level = ZLOG_LEVEL_INFO};
static zlog_format g_format = ZLOG_FORMAT_PRETTY;
static zlog_color g_color = ZLOG_COLOR_AUTO;
static int g_fd = STDERR_FILENO;
static bool g_fd_owned = false; /* g_fd is a log file we opened (close it when replaced) */
static char *g_path = NULL;     /* that file's path, for zlog_reopen */
static int g_use_color = -1;    /* decided at the next write: -1 unknown, 0 no, 1 yes */
static _Atomic uint64_t g_dropped = 0;

static void lock(void) { ZISK_ASSERT(pthread_mutex_lock(&g_mu) == 0); }
static void unlock(void) { ZISK_ASSERT(pthread_mutex_unlock(&g_mu) == 0); }

/* ---- Output ---- */

/* Decided lazily (and again after each change of output or mode) because isatty and NO_COLOR
 * describe the output in use, and logging may start before zlog_init. */
static bool use_color_locked(void) {
    if (g_use_color < 0) {
        if (g_color == ZLOG_COLOR_ALWAYS) {
            g_use_color = 1;
        } else if (g_color == ZLOG_COLOR_NEVER) {
            g_use_color = 0;
        } else {
            const char *no_color = getenv("NO_COLOR");
            g_use_color = isatty(g_fd) && !(no_color && *no_color);
        }
    }
    return g_use_color == 1;
}

static void write_all_locked(const char *p, size_t len) {
    while (len > 0) {
        ssize_t n = write(g_fd, p, len);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            /* Nowhere to report it: the output itself is failing. Count it for the metrics. */
            atomic_fetch_add_explicit(&g_dropped, 1, memory_order_relaxed);
            return;
        }
        p += n;
        len -= (size_t)n;
    }
}

/* Replaces the output descriptor; closes the previous one if we opened it. */
static void set_output_locked(int fd, bool owned, char *path) {
    if (g_fd_owned && g_fd != fd) close(g_fd);
    free(g_path);
    g_fd = fd;
    g_fd_owned = owned;
    g_path = path;
    g_use_color = -1;
}

static void set_filter_locked(const zlog_filter *f) {
    g_filter = *f;
    atomic_store_explicit(&zlog__max_level, (int)zlog_filter_max_level(f), memory_order_relaxed);
}

static int open_log_file(const char *path, int *fd, zisk_err *err) {
    int d;
    do {
        d = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0644);
    } while (d < 0 && errno == EINTR);
    if (d < 0) return zisk_err_set(err, "cannot open log file '%s': %s", path, strerror(errno));
    *fd = d;
    return 0;
}

static char *xstrdup(const char *s) {
    size_t n = strlen(s) + 1;
    char *p = zisk_xmalloc(n);
    memcpy(p, s, n);
    return p;
}

/* ---- Configuration ---- */

int zlog_init(const zlog_config *cfg, zisk_err *err) {
    ZISK_ASSERT(cfg != NULL);
    if ((int)cfg->format < ZLOG_FORMAT_PRETTY || (int)cfg->format > ZLOG_FORMAT_COMPACT)
        return zisk_err_set(err, "invalid log format value %d", (int)cfg->format);
    if ((int)cfg->color < ZLOG_COLOR_AUTO || (int)cfg->color > ZLOG_COLOR_NEVER)
        return zisk_err_set(err, "invalid log colour value %d", (int)cfg->color);
    if ((int)cfg->fallback < ZLOG_LEVEL_OFF || (int)cfg->fallback > ZLOG_LEVEL_TRACE)
        return zisk_err_set(err, "invalid log level value %d", (int)cfg->fallback);
    zlog_level fallback = cfg->fallback == ZLOG_LEVEL_OFF ? ZLOG_LEVEL_INFO : cfg->fallback;
    zlog_filter f;
    if (cfg->filter && *cfg->filter) {
        if (zlog_filter_parse(cfg->filter, fallback, &f, err) != 0) return -1;
    } else {
        f = zlog_filter_from_level(fallback);
    }
    int fd = STDERR_FILENO;
    bool file = cfg->file_path && *cfg->file_path;
    if (file && open_log_file(cfg->file_path, &fd, err) != 0) return -1;

    lock();
    set_filter_locked(&f);
    g_format = cfg->format;
    g_color = cfg->color;
    set_output_locked(fd, file, file ? xstrdup(cfg->file_path) : NULL);
    unlock();
    return 0;
}

void zlog_set_filter(const zlog_filter *f) {
    lock();
    set_filter_locked(f);
    unlock();
}

int zlog_set_filter_spec(const char *spec, zlog_level fallback, zisk_err *err) {
    zlog_filter f;
    if (zlog_filter_parse(spec, fallback, &f, err) != 0) return -1;
    zlog_set_filter(&f);
    return 0;
}

void zlog_set_level(zlog_level level) {
    zlog_filter f = zlog_filter_from_level(level);
    zlog_set_filter(&f);
}

void zlog_set_format(zlog_format format) {
    ZISK_ASSERT((int)format >= ZLOG_FORMAT_PRETTY && (int)format <= ZLOG_FORMAT_COMPACT);
    lock();
    g_format = format;
    unlock();
}

void zlog_set_color(zlog_color color) {
    ZISK_ASSERT((int)color >= ZLOG_COLOR_AUTO && (int)color <= ZLOG_COLOR_NEVER);
    lock();
    g_color = color;
    g_use_color = -1;
    unlock();
}

int zlog_set_file(const char *path, zisk_err *err) {
    if (!path || !*path) {
        lock();
        set_output_locked(STDERR_FILENO, false, NULL);
        unlock();
        return 0;
    }
    int fd = -1;
    if (open_log_file(path, &fd, err) != 0) return -1;
    char *copy = xstrdup(path);
    lock();
    set_output_locked(fd, true, copy);
    unlock();
    return 0;
}

int zlog_reopen(zisk_err *err) {
    lock();
    if (!g_fd_owned || !g_path) {
        unlock();
        return 0;
    }
    int fd = -1;
    int rc = open_log_file(g_path, &fd, err);
    if (rc == 0) set_output_locked(fd, true, xstrdup(g_path));
    unlock();
    return rc;
}

void zlog_set_fd(int fd) {
    ZISK_ASSERT(fd >= 0);
    lock();
    set_output_locked(fd, false, NULL);
    unlock();
}

void zlog_shutdown(void) {
    lock();
    set_output_locked(STDERR_FILENO, false, NULL);
    unlock();
}

uint64_t zlog_dropped_lines(void) { return atomic_load_explicit(&g_dropped, memory_order_relaxed); }

/* ---- Records ---- */

static bool level_valid(zlog_level level) {
    return (int)level >= ZLOG_LEVEL_ERROR && (int)level <= ZLOG_LEVEL_TRACE;
}

bool zlog_enabled(zlog_level level, const char *target) {
    if (!level_valid(level) || !ZLOG_ENABLED(level)) return false;
    lock();
    bool on = level <= zlog_filter_level_for(&g_filter, target);
    unlock();
    return on;
}

/* Formats and writes one record; the caller holds the mutex and has checked the filter. */
static void emit_locked(zlog_record *r) {
    clock_gettime(CLOCK_REALTIME, &r->ts);
    zlog_buf b = {0};
    zlog__format_record(&b, g_format, g_format != ZLOG_FORMAT_JSON && use_color_locked(), r);
    write_all_locked(b.p, b.len);
    zlog__buf_free(&b);
}

/* Shared by the printf-style entry points: filter, format the message, write. Formatting the
 * message happens after the per-target check so filtered-out records cost no vsnprintf. */
static void vwrite_fields(zlog_level level, const char *target, const zlog_field *fields,
                          size_t n, const char *fmt, va_list ap) {
    if (!level_valid(level) || !ZLOG_ENABLED(level)) return;
    lock();
    if (level > zlog_filter_level_for(&g_filter, target)) {
        unlock();
        return;
    }
    zlog_record r = {.level = level, .target = target, .fields = fields, .n_fields = n};
    char small[1024];
    char *big = NULL;
    if (!fmt) {
        r.message = "(null)";
        r.message_len = 6;
    } else {
        va_list ap2;
        va_copy(ap2, ap);
        int len = vsnprintf(small, sizeof small, fmt, ap2);
        va_end(ap2);
        if (len < 0) {
            r.message = "<message formatting failed>";
            r.message_len = strlen(r.message);
        } else if ((size_t)len < sizeof small) {
            r.message = small;
            r.message_len = (size_t)len;
        } else {
            /* One byte past the limit is enough for the formatter to see it must cut. */
            size_t want = (size_t)len > ZLOG_MESSAGE_MAX + 1 ? ZLOG_MESSAGE_MAX + 1 : (size_t)len;
            big = malloc(want + 1);
            if (big) {
                vsnprintf(big, want + 1, fmt, ap);
                r.message = big;
                r.message_len = want;
            } else {
                r.message = small; /* keep what fits rather than lose the record */
                r.message_len = sizeof small - 1;
                r.message_truncated = true;
            }
        }
    }
    emit_locked(&r);
    unlock();
    free(big);
}

void zlog_write(zlog_level level, const char *target, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vwrite_fields(level, target, NULL, 0, fmt, ap);
    va_end(ap);
}

void zlog_write_fields(zlog_level level, const char *target, const zlog_field *fields, size_t n,
                      const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vwrite_fields(level, target, fields, fields ? n : 0, fmt, ap);
    va_end(ap);
}

void zlog_write_suppressed(zlog_level level, const char *target, uint64_t suppressed,
                          const char *fmt, ...) {
    zlog_field f = ZLOG_F_U64("suppressed", suppressed);
    va_list ap;
    va_start(ap, fmt);
    vwrite_fields(level, target, &f, suppressed ? 1 : 0, fmt, ap);
    va_end(ap);
}

void zlog_kv(zlog_level level, const char *target, const char *message, ...) {
    if (!level_valid(level) || !ZLOG_ENABLED(level)) return;
    zlog_field fields[ZLOG_FIELDS_MAX];
    size_t n = 0;
    uint64_t dropped = 0;
    va_list ap;
    va_start(ap, message);
    for (;;) {
        const char *key = va_arg(ap, const char *);
        if (!key) break;
        const char *value = va_arg(ap, const char *);
        if (n < ZLOG_FIELDS_MAX) fields[n++] = ZLOG_F_STR(key, value);
        else dropped++;
    }
    va_end(ap);

    lock();
    if (level <= zlog_filter_level_for(&g_filter, target)) {
        zlog_record r = {.level = level,
                        .target = target,
                        .message = message ? message : "(null)",
                        .message_len = strlen(message ? message : "(null)"),
                        .fields = fields,
                        .n_fields = n,
                        .fields_dropped = dropped};
        emit_locked(&r);
    }
    unlock();
}

/* ---- Rate limiting ---- */

bool zlog_ratelimit_check_at(zlog_ratelimit *rl, double now, double min_interval,
                            double max_interval, uint64_t *suppressed) {
    /* Written so that NaN arguments fall back to 0 / min rather than poison the state. */
    if (!(min_interval > 0)) min_interval = 0;
    if (!(max_interval >= min_interval)) max_interval = min_interval;
    bool pass;
    lock();
    if (!rl->started || !(now < rl->next_at)) {
        double iv = rl->started ? rl->interval : min_interval;
        if (iv < min_interval) iv = min_interval;
        if (iv > max_interval) iv = max_interval;
        if (suppressed) *suppressed = rl->suppressed;
        rl->suppressed = 0;
        rl->next_at = now + iv;
        rl->interval = iv * 2 > max_interval ? max_interval : iv * 2;
        rl->started = true;
        pass = true;
    } else {
        rl->suppressed++;
        pass = false;
    }
    unlock();
    return pass;
}

bool zlog_ratelimit_check(zlog_ratelimit *rl, double min_interval, double max_interval,
                         uint64_t *suppressed) {
    return zlog_ratelimit_check_at(rl, zisk_now_seconds(), min_interval, max_interval, suppressed);
}

void zlog_ratelimit_reset(zlog_ratelimit *rl) {
    lock();
    memset(rl, 0, sizeof *rl);
    unlock();
}
