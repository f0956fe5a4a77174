/*
 * service.h: what the two long-running processes (zisk-coordinator, zisk-worker) share at
 * start-up: the logging settings resolved from their option tables, and the banner that logs
 * every resolved setting with its origin.
 *
 * Logging precedence (both processes): logging.level (default < file < <PREFIX>_LOG_LEVEL) is
 * the base level; RUST_LOG (environment) refines it with target=level filters or replaces it
 * with a bare level; -v (debug) / -vv (trace) override both. The option table must contain
 * "logging.level", "logging.format", "logging.file_path" and "verbose".
 */
#ifndef ZISK_SERVICE_H
#define ZISK_SERVICE_H

#include "base.h"
#include "config.h"

typedef struct service_log {
    int level;          /* zlog_level: the base level */
    char *filter;       /* RUST_LOG filter spec refining `level`, or NULL (owned) */
    char origin[160];   /* where the effective level/filter came from */
    char *format;       /* "pretty" | "json" | "compact" (owned) */
    char *file;         /* append to this file, or NULL for stderr (owned) */
} service_log;

/* Reads the logging settings (env: an environ-style array, for RUST_LOG). Returns 0, or -1
 * with err (a malformed RUST_LOG). Free with service_log_free. */
int service_log_resolve(const cfg_result *cfg, char **env, service_log *out, zisk_err *err);
void service_log_free(service_log *l);

/* zlog_init with these settings. Returns 0 or -1 with err (e.g. the log file cannot be opened). */
int service_log_start(const service_log *l, zisk_err *err);

/* Logs, at info on `target`, one line per resolved option ("name = value (origin)"), skipping
 * counters; then the effective logging line; then the configuration warnings (unknown keys)
 * at warn. `override` may replace the line of one option (name, text) or be NULL. */
void service_banner(const cfg_result *cfg, const service_log *l, const char *target,
                    const char *override_name, const char *override_text);

#endif
