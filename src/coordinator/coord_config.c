/*
 * coord_config.c: the coordinator's option table, the layered file search of the reference
 * (see coord_config.h) and the settings struct.
 *
 * The search layers files with the public config API only: each found file is resolved alone
 * (as if given with --config and no environment), and its file-sourced values replace the
 * values that are still defaults or came from an earlier file. Flags and environment were
 * resolved first and are never overridden.
 */
#include "coord_config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"

static const char *const levels[] = {"trace", "debug", "info", "warn", "error", NULL};
static const char *const formats[] = {"pretty", "json", "compact", NULL};

static int check_host(const char *text, char *why, size_t n) {
    size_t len = strlen(text);
    if (len == 0 || len > 200) {
        snprintf(why, n, "must be a host name or IP address (1 to 200 characters)");
        return -1;
    }
    for (const char *p = text; *p; p++)
        if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f || *p == '/') {
            snprintf(why, n, "must be a host name or IP address without spaces or '/'");
            return -1;
        }
    return 0;
}

/* The order here is the order of --help and of the configuration reference. */
const cfg_option coord_options[] = {
    {.name = "config", .type = CFG_PATH_CONFIG, .env = "ZISK_COORDINATOR_CONFIG", .flag = "--config",
     .metavar = "PATH",
     .help = "TOML configuration file. Without it: /etc/zisk/coordinator.toml, "
             "$XDG_CONFIG_HOME/zisk/coordinator.toml and ./coordinator.toml are layered in that order."},
    {.name = "server.host", .type = CFG_STRING, .default_text = "0.0.0.0", .toml_key = "server.host",
     .env = "ZISK_COORDINATOR_HOST", .flag = "--host", .metavar = "HOST", .validate = check_host,
     .help = "Address the API and cluster ports listen on."},
    {.name = "server.port", .type = CFG_UINT, .default_text = "7000", .toml_key = "server.port",
     .env = "ZISK_COORDINATOR_API_PORT", .flag = "--api-port", .metavar = "PORT", .min = 0, .max = 65535,
     .help = "Public gRPC API port (clients); 0 picks a free port."},
    {.name = "coordinator.port", .type = CFG_UINT, .default_text = "50051", .toml_key = "coordinator.port",
     .env = "ZISK_COORDINATOR_CLUSTER_PORT", .flag = "--cluster-port", .metavar = "PORT", .min = 0, .max = 65535,
     .help = "gRPC port the workers connect to; 0 picks a free port."},
    {.name = "server.shutdown_timeout_seconds", .type = CFG_UINT, .default_text = "30",
     .toml_key = "server.shutdown_timeout_seconds", .env = "ZISK_COORDINATOR_SHUTDOWN_TIMEOUT_SECONDS", .min = 0,
     .max = 3600,
     .help = "On SIGTERM/SIGINT: how long running tasks and API calls in flight may take to finish."},
    {.name = "metrics.enabled", .type = CFG_BOOL, .default_text = "true", .toml_key = "metrics.enabled",
     .env = "ZISK_COORDINATOR_METRICS_ENABLED",
     .help = "Serve GET /metrics (Prometheus) and GET /health over HTTP."},
    {.name = "metrics.host", .type = CFG_STRING, .default_text = "0.0.0.0", .toml_key = "metrics.host",
     .env = "ZISK_COORDINATOR_METRICS_HOST", .validate = check_host, .help = "Address of the HTTP metrics port."},
    {.name = "metrics.port", .type = CFG_UINT, .default_text = "9090", .toml_key = "metrics.port",
     .env = "ZISK_COORDINATOR_METRICS_PORT", .flag = "--metrics-port", .metavar = "PORT", .min = 0, .max = 65535,
     .help = "HTTP port for /metrics and /health; 0 picks a free port."},
    {.name = "storage.data_dir", .type = CFG_STRING, .default_text = "~/.zisk/coordinator",
     .toml_key = "storage.data_dir", .env = "ZISK_COORDINATOR_DATA_DIR", .flag = "--data-dir", .metavar = "PATH",
     .help = "Folder for the state database (coordinator.db) and the programs' ELF files; created if missing."},
    {.name = "cluster.heartbeat_interval_seconds", .type = CFG_UINT, .default_text = "10",
     .toml_key = "cluster.heartbeat_interval_seconds", .env = "ZISK_COORDINATOR_HEARTBEAT_INTERVAL_SECONDS", .min = 1,
     .max = 3600, .help = "Seconds between heartbeats to each worker (workers are told to beat as often)."},
    {.name = "cluster.heartbeat_timeout_seconds", .type = CFG_UINT, .default_text = "30",
     .toml_key = "cluster.heartbeat_timeout_seconds", .env = "ZISK_COORDINATOR_HEARTBEAT_TIMEOUT_SECONDS", .min = 1,
     .max = 86400,
     .help = "A worker silent this long is marked offline and its task is given to another worker."},
    {.name = "jobs.max_queued", .type = CFG_UINT, .default_text = "10000", .toml_key = "jobs.max_queued",
     .env = "ZISK_COORDINATOR_MAX_QUEUED_JOBS", .min = 1, .max = 10000000,
     .help = "Jobs that may wait in the queue; more are refused with RESOURCE_EXHAUSTED."},
    {.name = "jobs.queue_timeout_seconds", .type = CFG_UINT, .default_text = "0",
     .toml_key = "jobs.queue_timeout_seconds", .env = "ZISK_COORDINATOR_QUEUE_TIMEOUT_SECONDS", .max = 31536000,
     .help = "A job waiting this long for a busy worker fails; 0 waits for ever. (A job with no capable "
             "worker connected at all fails after its own timeout.)"},
    {.name = "jobs.execute_timeout_seconds", .type = CFG_UINT, .default_text = "300",
     .toml_key = "jobs.execute_timeout_seconds", .env = "ZISK_COORDINATOR_EXECUTE_TIMEOUT_SECONDS", .min = 1,
     .max = 31536000,
     .help = "Default timeout of execute jobs: longest run of one attempt, and longest wait with no capable "
             "worker connected."},
    {.name = "jobs.setup_timeout_seconds", .type = CFG_UINT, .default_text = "120",
     .toml_key = "jobs.setup_timeout_seconds", .env = "ZISK_COORDINATOR_SETUP_TIMEOUT_SECONDS", .min = 1,
     .max = 31536000, .help = "Default timeout of setup jobs (workers that have not answered by then count as failed)."},
    {.name = "jobs.max_attempts", .type = CFG_UINT, .default_text = "5", .toml_key = "jobs.max_attempts",
     .env = "ZISK_COORDINATOR_MAX_ATTEMPTS", .min = 1, .max = 1000,
     .help = "Retryable task errors a job survives before it fails (lost workers do not count)."},
    {.name = "logging.level", .type = CFG_ENUM, .default_text = "info", .toml_key = "logging.level",
     .env = "ZISK_COORDINATOR_LOG_LEVEL", .flag = "--log-level", .metavar = "LEVEL", .choices = levels,
     .help = "Log level. RUST_LOG (a level or target=level filters) refines it; -v/-vv override both."},
    {.name = "logging.format", .type = CFG_ENUM, .default_text = "pretty", .toml_key = "logging.format",
     .env = "ZISK_COORDINATOR_LOG_FORMAT", .choices = formats,
     .help = "Log format: pretty (coloured on a terminal), json (one object per line) or compact."},
    {.name = "logging.file_path", .type = CFG_STRING, .toml_key = "logging.file_path",
     .env = "ZISK_COORDINATOR_LOG_FILE", .metavar = "PATH", .help = "Append logs to this file instead of stderr."},
    {.name = "verbose", .type = CFG_COUNT, .short_flag = 'v',
     .help = "More logs: -v debug, -vv trace (overrides logging.level and RUST_LOG)."},
};
const size_t coord_n_options = sizeof coord_options / sizeof coord_options[0];

/* Layers one file's values over `out` (see the top of the file). */
static int layer_file(const char *path, cfg_result *out, zisk_err *err) {
    char *argv[] = {"zisk-coordinator", "--config", (char *)path, NULL};
    char *no_env[] = {NULL};
    cfg_result layer;
    if (cfg_resolve(coord_options, coord_n_options, 3, argv, no_env, &layer, err) != 0) return -1;
    for (size_t i = 0; i < coord_n_options; i++) {
        cfg_value *v = &out->values[i], *f = &layer.values[i];
        if (f->source != CFG_SRC_FILE) continue;
        if (v->source != CFG_SRC_DEFAULT && v->source != CFG_SRC_UNSET && v->source != CFG_SRC_FILE) continue;
        free(v->text);
        v->text = f->text;
        f->text = NULL;
        v->number = f->number;
        v->boolean = f->boolean;
        v->source = CFG_SRC_FILE;
        memcpy(v->origin, f->origin, sizeof v->origin);
    }
    for (size_t i = 0; i < layer.n_warnings && out->n_warnings < CFG_MAX_WARNINGS; i++) {
        out->warnings[out->n_warnings++] = layer.warnings[i];
        layer.warnings[i] = NULL;
    }
    if (layer.n_warnings) layer.n_warnings = 0;
    size_t len = out->config_path ? strlen(out->config_path) + 2 : 0;
    char *joined = zisk_xmalloc(len + strlen(path) + 1);
    snprintf(joined, len + strlen(path) + 1, "%s%s%s", out->config_path ? out->config_path : "",
             out->config_path ? ", " : "", path);
    free(out->config_path);
    out->config_path = joined;
    cfg_result_free(&layer);
    return 0;
}

int coord_config_resolve(int argc, char **argv, char **env, int search_files, cfg_result *out, zisk_err *err) {
    if (cfg_resolve(coord_options, coord_n_options, argc, argv, env, out, err) != 0) return -1;
    if (out->config_path || !search_files || out->help || out->version) return 0;
    char xdg[4096];
    const char *x = cfg_env(env, "XDG_CONFIG_HOME"), *home = cfg_env(env, "HOME");
    if (x && *x) snprintf(xdg, sizeof xdg, "%s/zisk/coordinator.toml", x);
    else if (home && *home) snprintf(xdg, sizeof xdg, "%s/.config/zisk/coordinator.toml", home);
    else xdg[0] = 0;
    const char *paths[] = {"/etc/zisk/coordinator.toml", xdg, "./coordinator.toml"};
    for (size_t i = 0; i < 3; i++) {
        if (!paths[i][0] || access(paths[i], F_OK) != 0) continue;
        if (layer_file(paths[i], out, err) != 0) {
            cfg_result_free(out);
            return -1;
        }
    }
    return 0;
}

static unsigned get_u(const cfg_result *cfg, const char *name) { return (unsigned)cfg_get(cfg, name)->number; }

int coord_settings_from(const cfg_result *cfg, char **env, coord_settings *s, zisk_err *err) {
    memset(s, 0, sizeof *s);
    if (service_log_resolve(cfg, env, &s->log, err) != 0) return -1;
    s->host = zisk_xstrdup(cfg_get(cfg, "server.host")->text);
    s->api_port = get_u(cfg, "server.port");
    s->cluster_port = get_u(cfg, "coordinator.port");
    s->shutdown_timeout_seconds = get_u(cfg, "server.shutdown_timeout_seconds");
    s->metrics_enabled = cfg_get(cfg, "metrics.enabled")->boolean != 0;
    s->metrics_host = zisk_xstrdup(cfg_get(cfg, "metrics.host")->text);
    s->metrics_port = get_u(cfg, "metrics.port");
    s->data_dir = cfg_expand_home(cfg_get(cfg, "storage.data_dir")->text, env);
    s->heartbeat_interval_seconds = get_u(cfg, "cluster.heartbeat_interval_seconds");
    s->heartbeat_timeout_seconds = get_u(cfg, "cluster.heartbeat_timeout_seconds");
    s->max_queued = get_u(cfg, "jobs.max_queued");
    s->queue_timeout_seconds = get_u(cfg, "jobs.queue_timeout_seconds");
    s->execute_timeout_seconds = get_u(cfg, "jobs.execute_timeout_seconds");
    s->setup_timeout_seconds = get_u(cfg, "jobs.setup_timeout_seconds");
    s->max_attempts = get_u(cfg, "jobs.max_attempts");
    if (s->metrics_enabled && s->metrics_port &&
        (s->metrics_port == s->api_port || s->metrics_port == s->cluster_port)) {
        zisk_err_set(err, "metrics.port %u is also the API or cluster port: give each its own port", s->metrics_port);
        coord_settings_free(s);
        return -1;
    }
    if (s->api_port && s->api_port == s->cluster_port) {
        zisk_err_set(err, "server.port (API) and coordinator.port (cluster) are both %u: give them different ports",
                     s->api_port);
        coord_settings_free(s);
        return -1;
    }
    return 0;
}

void coord_settings_free(coord_settings *s) {
    free(s->host);
    free(s->metrics_host);
    free(s->data_dir);
    service_log_free(&s->log);
    memset(s, 0, sizeof *s);
}
