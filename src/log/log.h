/*
 * log.h: leveled, structured logging for the long-running binaries (zisk-coordinator,
 * zisk-worker). Modelled on Rust's `tracing` + `RUST_LOG`, which ZisK uses, so operators see
 * the same levels, filters and formats.
 *
 * Overview
 *  - Five levels, most severe first: error, warn, info, debug, trace (plus "off" for filters).
 *  - Every record has a *target*: a "::"-separated path naming where it comes from, e.g.
 *    "zisk_worker" or "zisk_worker::conn". Filters select levels per target.
 *  - Three output formats: pretty (human), compact (one short line), json (one object per line).
 *  - Output goes to stderr, or, when a log file is set, to that file only (not also to stderr:
 *    like ZisK's tracing file appender). Lines are written whole with one write(2) each, under
 *    one mutex, so lines from different threads never interleave.
 *  - Logging works before zlog_init(): the defaults are filter "info", pretty, stderr, colour
 *    chosen automatically.
 *
 * Filters (zlog_filter_parse) follow RUST_LOG / env_logger syntax: comma-separated entries, each
 * either a bare level, which sets the default for every target, or `target=level`, which applies
 * to records whose target equals `target` or starts with `target::` (the longest matching
 * target wins; "zisk_worker" matches "zisk_worker::conn" but not "zisk_worker2"). Examples:
 *     "info"                          everything at info and more severe
 *     "zisk_worker=debug,rpc=warn"    two targets; everything else at the fallback level
 *     "warn,zisk_worker::conn=trace"  default warn, one module at trace
 * Levels are case-insensitive. Deliberate differences from env_logger, chosen so that a typo is
 * reported instead of silently changing what is logged: a bare word must be a level (env_logger
 * would read "inof" as a target name), an empty entry such as "info,," is ignored but an empty
 * spec is an error, and regex suffixes ("/foo") are refused.
 *
 * Formats (examples with fields worker_id=w1 attempt=3):
 *  pretty:  2025-01-31T12:00:00.123456Z  INFO zisk_worker::conn: connected worker_id=w1 attempt=3
 *  compact: 12:00:00.123 INFO conn: connected worker_id=w1 attempt=3
 *           (time of day UTC in milliseconds, the last segment of the target)
 *  json:    {"timestamp":"2025-01-31T12:00:00.123456Z","level":"INFO","target":"zisk_worker::conn",
 *            "message":"connected","fields":{"worker_id":"w1","attempt":3}}
 *           (one line; "fields" is present only when there are fields; timestamps are RFC 3339 UTC
 *           with microseconds; string fields are JSON strings, integer/boolean/float fields are
 *           JSON numbers/booleans, non-finite floats are strings).
 * Text formats are ANSI-coloured only when the output is a terminal and the NO_COLOR environment
 * variable is unset or empty (https://no-color.org), unless zlog_set_color() forces a choice.
 *
 * Outside data in log records (messages, field values, targets) cannot break a line or the
 * terminal: in json, strings are escaped per RFC 8259 (control characters as \uXXXX, invalid
 * UTF-8 replaced by U+FFFD); in text formats, control characters (including ESC and the C1
 * range) are written as \n, \t, \xNN or \u{NN}, invalid UTF-8 bytes as \xNN, and field values
 * that contain spaces, '=', '"' or escapes are quoted. Over-long parts are truncated (see the
 * ZLOG_*_MAX limits) and end in "[...]", so one record is always one bounded line.
 *
 * Cost of disabled records: the ZLOG_* macros compare the level with a cached maximum (the most
 * verbose level any filter entry enables) before evaluating their arguments, so a disabled
 * trace/debug call costs one relaxed atomic load and one comparison. Enabled calls then check
 * the per-target filter.
 *
 * Errors: functions that take outside input (filter specs, level/format names, file paths)
 * return 0, or -1 with err filled with a sentence saying what was wrong; on error nothing is
 * changed. Logging calls themselves never fail and never abort: a bad format string cannot be
 * detected at run time (the printf attribute makes the compiler check it), a vsnprintf failure
 * logs "<message formatting failed>", and lines that cannot be written (full disk, closed
 * pipe) are dropped and counted (zlog_dropped_lines). The caller should ignore SIGPIPE if stderr
 * may be a pipe that closes.
 *
 * Thread safety: every function here is thread-safe.
 *
 * Names: the prefix is zlog_/ZLOG_, not log_, because STYLE.md keeps log_ for base-2
 * logarithms (log_blowup) and syslog.h already owns LOG_INFO and LOG_DEBUG.
 */
#ifndef ZISK_LOG_H
#define ZISK_LOG_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base.h"

/* ---- Levels ---- */

/* Ordered like Rust's LevelFilter: a record of level L passes a filter of level F when L <= F.
 * ZLOG_LEVEL_OFF is only meaningful as a filter level (it lets nothing through). */
typedef enum zlog_level {
    ZLOG_LEVEL_OFF = 0,
    ZLOG_LEVEL_ERROR = 1,
    ZLOG_LEVEL_WARN = 2,
    ZLOG_LEVEL_INFO = 3,
    ZLOG_LEVEL_DEBUG = 4,
    ZLOG_LEVEL_TRACE = 5,
} zlog_level;

/* Parses "trace", "debug", "info", "warn", "error" or "off", in any letter case (exactly these
 * names: "warning" is refused). Returns 0, or -1 with err naming the bad word and the choices. */
int zlog_level_parse(const char *name, zlog_level *out, zisk_err *err);

/* Lower-case name of a level ("info"); "?" for values outside the enum. Static string. */
const char *zlog_level_name(zlog_level level);

/* ---- Formats and colour ---- */

typedef enum zlog_format {
    ZLOG_FORMAT_PRETTY = 0,
    ZLOG_FORMAT_JSON = 1,
    ZLOG_FORMAT_COMPACT = 2,
} zlog_format;

/* Parses "pretty", "json" or "compact" (any letter case). Returns 0 or -1 with err filled. */
int zlog_format_parse(const char *name, zlog_format *out, zisk_err *err);

/* Lower-case name of a format; "?" for values outside the enum. Static string. */
const char *zlog_format_name(zlog_format format);

typedef enum zlog_color {
    ZLOG_COLOR_AUTO = 0, /* colour when the output is a terminal and NO_COLOR is unset/empty */
    ZLOG_COLOR_ALWAYS = 1,
    ZLOG_COLOR_NEVER = 2,
} zlog_color;

/* ---- Filters ---- */

#define ZLOG_FILTER_MAX_ENTRIES 32 /* target=level entries in one spec */
#define ZLOG_TARGET_MAX 128        /* bytes of a target in a filter entry */

typedef struct zlog_filter_entry {
    char target[ZLOG_TARGET_MAX + 1];
    zlog_level level;
} zlog_filter_entry;

/* A parsed filter. A plain value: copy it freely, nothing to free. */
typedef struct zlog_filter {
    zlog_level default_level; /* for targets no entry matches */
    int n_entries;
    zlog_filter_entry entries[ZLOG_FILTER_MAX_ENTRIES];
} zlog_filter;

/* Parses a RUST_LOG-style spec (syntax above) into *out. `fallback` is the default level when
 * the spec has no bare level (e.g. the configured logging.level when the spec came from
 * RUST_LOG); a bare level in the spec overrides it, and the last bare level wins. A target
 * listed twice keeps its last level. Targets may contain letters, digits, '_', '-', '.' and
 * "::" separators. Returns 0, or -1 with err saying which entry is wrong and why (unknown
 * level, empty target, too many entries, ...); *out is untouched on error. */
int zlog_filter_parse(const char *spec, zlog_level fallback, zlog_filter *out, zisk_err *err);

/* A filter that applies `level` to every target. */
zlog_filter zlog_filter_from_level(zlog_level level);

/* The level that applies to `target` (NULL counts as ""): the level of the entry with the
 * longest target that equals `target` or is a "::"-prefix of it, else the default. */
zlog_level zlog_filter_level_for(const zlog_filter *f, const char *target);

/* The most verbose level the filter enables for any target (what the cached check uses). */
zlog_level zlog_filter_max_level(const zlog_filter *f);

/* ---- Configuration ---- */

typedef struct zlog_config {
    const char *filter;    /* RUST_LOG-style spec; NULL or "" means just the fallback level */
    zlog_level fallback;    /* default level when `filter` has no bare level (e.g. the configured
                              logging.level when `filter` is RUST_LOG); 0 (OFF) means info */
    zlog_format format;     /* ZLOG_FORMAT_PRETTY when zero-initialised */
    const char *file_path; /* append to this file (created 0644 & ~umask if missing);
                              NULL or "" means stderr */
    zlog_color color;       /* ZLOG_COLOR_AUTO when zero-initialised */
} zlog_config;

/* Typical start-up of a binary (the worker's precedence: defaults < TOML < env < flags decides
 * level, format and file; RUST_LOG, when set, refines the level per target):
 *     zlog_level level;   zlog_format format;   (parsed with zlog_level_parse/zlog_format_parse)
 *     zlog_config cfg = {.filter = getenv("RUST_LOG"), .fallback = level, .format = format,
 *                       .file_path = file_path_or_NULL};
 *     if (zlog_init(&cfg, &err) != 0) { fprintf(stderr, "zisk-worker: %s\n", err.msg); exit(2); }
 *     ...
 *     zlog_shutdown();
 * With RUST_LOG="rpc=debug" and logging.level = warn, rpc logs at debug and the rest at warn;
 * a bare level in RUST_LOG ("debug") replaces logging.level.
 *
 * Applies a whole configuration: parses the filter, opens the file, then switches over at once.
 * Returns 0, or -1 with err filled (bad filter, or "cannot open log file 'PATH': reason"), in
 * which case the previous configuration stays in force. May be called again to reconfigure;
 * a previously opened log file is closed. */
int zlog_init(const zlog_config *cfg, zisk_err *err);

/* Replaces the filter. Always succeeds. */
void zlog_set_filter(const zlog_filter *f);

/* Parses `spec` (see zlog_filter_parse, fallback as there) and installs it. Returns 0 or -1 with
 * err filled; the current filter stays on error. */
int zlog_set_filter_spec(const char *spec, zlog_level fallback, zisk_err *err);

/* Shorthand for zlog_set_filter(&zlog_filter_from_level(level)). */
void zlog_set_level(zlog_level level);

void zlog_set_format(zlog_format format);
void zlog_set_color(zlog_color color);

/* Sends logs to `path` (opened for append, O_CLOEXEC, created if missing), or back to stderr
 * when path is NULL or "". The previous log file, if any, is closed. Returns 0, or -1 with err
 * "cannot open log file 'PATH': reason" and the output unchanged. */
int zlog_set_file(const char *path, zisk_err *err);

/* Reopens the current log file by its path (for logrotate's move-and-reopen); a no-op returning
 * 0 when logging to stderr or a caller's fd. On failure the old file stays open and -1 is
 * returned with err filled. Not async-signal-safe: call it from a normal thread after SIGHUP. */
int zlog_reopen(zisk_err *err);

/* Sends logs to a descriptor the caller owns (it is never closed here), e.g. a pipe in tests.
 * A previously opened log file is closed. */
void zlog_set_fd(int fd);

/* Closes the log file if one is open (write(2) is unbuffered, so nothing is left to flush) and
 * returns to stderr; filter and format stay. Logging keeps working afterwards. */
void zlog_shutdown(void);

/* Number of lines that could not be written since start (write errors). */
uint64_t zlog_dropped_lines(void);

/* ---- Structured fields ---- */

typedef enum zlog_field_type {
    ZLOG_FIELD_STR = 0,
    ZLOG_FIELD_I64,
    ZLOG_FIELD_U64,
    ZLOG_FIELD_F64,
    ZLOG_FIELD_BOOL,
} zlog_field_type;

/* One key/value pair. The key and string value are borrowed for the duration of the call. */
typedef struct zlog_field {
    const char *key;
    zlog_field_type type;
    union {
        const char *s; /* NULL prints as null in json and (null) in text */
        int64_t i;
        uint64_t u;
        double f;
        bool b;
    } v;
} zlog_field;

/* Constructors for compound literals: ZLOG_F_STR("worker_id", id), ZLOG_F_U64("capacity", 10). */
#define ZLOG_F_STR(k, x) ((zlog_field){.key = (k), .type = ZLOG_FIELD_STR, .v.s = (x)})
#define ZLOG_F_I64(k, x) ((zlog_field){.key = (k), .type = ZLOG_FIELD_I64, .v.i = (int64_t)(x)})
#define ZLOG_F_U64(k, x) ((zlog_field){.key = (k), .type = ZLOG_FIELD_U64, .v.u = (uint64_t)(x)})
#define ZLOG_F_F64(k, x) ((zlog_field){.key = (k), .type = ZLOG_FIELD_F64, .v.f = (double)(x)})
#define ZLOG_F_BOOL(k, x) ((zlog_field){.key = (k), .type = ZLOG_FIELD_BOOL, .v.b = (x)})

/* Limits on one record: longer parts are cut at a UTF-8 boundary and end in "[...]"; fields
 * past ZLOG_FIELDS_MAX are left out and counted in a "fields_dropped" field. */
#define ZLOG_MESSAGE_MAX 16384
#define ZLOG_VALUE_MAX 4096
#define ZLOG_FIELDS_MAX 32

/* ---- Emitting records ---- */

/* The cached maximum level (internal; read it through ZLOG_ENABLED). */
extern _Atomic int zlog__max_level;

/* True when some filter entry could let `level` through (the cheap check). */
#define ZLOG_ENABLED(level) \
    ((int)(level) <= atomic_load_explicit(&zlog__max_level, memory_order_relaxed))

/* True when a record of `level` for `target` would be written (full check, takes the mutex):
 * use it to skip building expensive fields. */
bool zlog_enabled(zlog_level level, const char *target);

/* Formats a printf-style message and writes one record with no fields. */
void zlog_write(zlog_level level, const char *target, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Same with structured fields (n of them; fields may be NULL when n is 0). */
void zlog_write_fields(zlog_level level, const char *target, const zlog_field *fields, size_t n,
                      const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* A fixed message plus string fields given as key, value, key, value, ..., NULL. A NULL value
 * is allowed (printed as null); the key list must end with a NULL key (the sentinel attribute
 * makes the compiler check it). */
void zlog_kv(zlog_level level, const char *target, const char *message, ...)
    __attribute__((sentinel));

/* The macros check ZLOG_ENABLED before evaluating their arguments.
 *   ZLOG_INFO("zisk_worker::conn", "connected to %s", url);
 *   ZLOG_KV(ZLOG_LEVEL_INFO, "zisk_worker", "task done", "job_id", job, "worker_id", id);
 *   ZLOG_FIELDS(ZLOG_LEVEL_WARN, "zisk_worker", ((zlog_field[]){ZLOG_F_STR("job_id", job),
 *              ZLOG_F_U64("attempt", n)}), 2, "retrying in %d s", secs);                      */
#define ZLOG_AT(level, target, ...)                                         \
    do {                                                                   \
        if (ZLOG_ENABLED(level)) zlog_write((level), (target), __VA_ARGS__); \
    } while (0)
#define ZLOG_ERROR(target, ...) ZLOG_AT(ZLOG_LEVEL_ERROR, target, __VA_ARGS__)
#define ZLOG_WARN(target, ...) ZLOG_AT(ZLOG_LEVEL_WARN, target, __VA_ARGS__)
#define ZLOG_INFO(target, ...) ZLOG_AT(ZLOG_LEVEL_INFO, target, __VA_ARGS__)
#define ZLOG_DEBUG(target, ...) ZLOG_AT(ZLOG_LEVEL_DEBUG, target, __VA_ARGS__)
#define ZLOG_TRACE(target, ...) ZLOG_AT(ZLOG_LEVEL_TRACE, target, __VA_ARGS__)

#define ZLOG_KV(level, target, message, ...)                                                    \
    do {                                                                                       \
        if (ZLOG_ENABLED(level)) zlog_kv((level), (target), (message), ##__VA_ARGS__, (char *)0); \
    } while (0)

#define ZLOG_FIELDS(level, target, fields, n, ...)                                           \
    do {                                                                                    \
        if (ZLOG_ENABLED(level)) zlog_write_fields((level), (target), (fields), (n), __VA_ARGS__); \
    } while (0)

/* ---- Logging without flooding ---- */

/* State of one rate-limited call site, e.g. the "cannot connect" message of a reconnect loop.
 * Zero-initialise it (ZLOG_RATELIMIT_INIT or a static). The first event always passes; after
 * each passing event the next one is held back for an interval that starts at min_interval
 * seconds and doubles up to max_interval (min == max gives a plain "at most once every N
 * seconds"). Events in between are counted as suppressed and reported with the next one that
 * passes. zlog_ratelimit_reset() (e.g. once connected) makes the next event pass at once with
 * the interval back at the minimum. The state is guarded by the log mutex, so one state may be
 * shared by threads. */
typedef struct zlog_ratelimit {
    double next_at;      /* monotonic seconds before which events are suppressed */
    double interval;     /* hold-back after the next passing event */
    uint64_t suppressed; /* events held back since the last one that passed */
    bool started;
} zlog_ratelimit;

#define ZLOG_RATELIMIT_INIT {0}

/* Decides for an event at monotonic time `now` (seconds, as zisk_now_seconds()). Returns true
 * when the caller should log it, with *suppressed (if not NULL) set to how many events were
 * held back since the previous one that passed; false otherwise. Intervals <= 0 count as 0,
 * and max_interval below min_interval counts as min_interval. */
bool zlog_ratelimit_check_at(zlog_ratelimit *rl, double now, double min_interval,
                            double max_interval, uint64_t *suppressed);

/* Same at the current time (zisk_now_seconds()). */
bool zlog_ratelimit_check(zlog_ratelimit *rl, double min_interval, double max_interval,
                         uint64_t *suppressed);

/* Forgets the history: the next event passes and the back-off restarts at the minimum. */
void zlog_ratelimit_reset(zlog_ratelimit *rl);

/* Logs a printf-style message through a rate limiter; a record that follows suppressed ones
 * carries a field suppressed=N. Example for a reconnect loop (first failure at once, then
 * after 5 s, 10 s, 20 s, ... at most every 5 minutes):
 *   static zlog_ratelimit rl = ZLOG_RATELIMIT_INIT;
 *   ZLOG_RATELIMITED(&rl, 5, 300, ZLOG_LEVEL_WARN, "zisk_worker::conn",
 *                   "cannot reach coordinator %s: %s", url, why);
 * Events are only counted while the level is enabled. */
#define ZLOG_RATELIMITED(rl, min_s, max_s, level, target, ...)                                   \
    do {                                                                                        \
        uint64_t zlog__suppressed_;                                                              \
        if (ZLOG_ENABLED(level) && zlog_ratelimit_check((rl), (min_s), (max_s), &zlog__suppressed_)) \
            zlog_write_suppressed((level), (target), zlog__suppressed_, __VA_ARGS__);             \
    } while (0)

/* What ZLOG_RATELIMITED calls: zlog_write plus a "suppressed" field when suppressed > 0. */
void zlog_write_suppressed(zlog_level level, const char *target, uint64_t suppressed,
                          const char *fmt, ...) __attribute__((format(printf, 4, 5)));

#endif
