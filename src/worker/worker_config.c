/*
 * worker_config.c: the worker's option table and the checks that span several options.
 */
#include "worker_config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <uuid/uuid.h>

#include "log.h"
#include "rpc.h"

static const char *const environments[] = {"development", "production", NULL};
static const char *const levels[] = {"trace", "debug", "info", "warn", "error", NULL};
static const char *const formats[] = {"pretty", "json", "compact", NULL};

static int check_url(const char *text, char *why, size_t n) {
    zisk_err err;
    rpc_url url;
    if (rpc_url_parse(text, &url, &err) == 0) return 0;
    snprintf(why, n, "%s", err.msg);
    return -1;
}

static int check_worker_id(const char *text, char *why, size_t n) {
    size_t len = strlen(text);
    if (len == 0 || len > 128) {
        snprintf(why, n, "must be 1 to 128 characters");
        return -1;
    }
    for (const char *p = text; *p; p++)
        if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f) {
            snprintf(why, n, "must be printable ASCII without spaces");
            return -1;
        }
    return 0;
}

/* The order here is the order of --help and of docs/CONFIGURATION.md. */
const cfg_option worker_options[] = {
    {.name = "config", .type = CFG_PATH_CONFIG, .env = "ZISK_WORKER_CONFIG", .flag = "--config",
     .metavar = "PATH", .help = "TOML configuration file (see docs/CONFIGURATION.md)."},
    {.name = "coordinator.url", .type = CFG_STRING, .default_text = "http://127.0.0.1:50051",
     .toml_key = "coordinator.url", .env = "ZISK_WORKER_COORDINATOR_URL", .flag = "--coordinator-url",
     .short_flag = 'c', .metavar = "URL", .validate = check_url,
     .help = "Coordinator to dial: http://host:port (plaintext) or https://host:port (TLS)."},
    {.name = "worker.compute_capacity", .type = CFG_UINT, .default_text = "10",
     .toml_key = "worker.compute_capacity.compute_units", .toml_alias = "worker.compute_capacity",
     .env = "ZISK_WORKER_COMPUTE_CAPACITY", .flag = "--compute-capacity", .metavar = "UNITS", .min = 1,
     .max = 1000000, .help = "Compute units advertised to the coordinator (its share of a job's load)."},
    {.name = "worker.worker_id", .type = CFG_STRING, .default_doc = "random UUID", .toml_key = "worker.worker_id",
     .env = "ZISK_WORKER_WORKER_ID", .flag = "--worker-id", .metavar = "ID", .validate = check_worker_id,
     .help = "Stable worker identifier (distinct per worker process)."},
    {.name = "worker.environment", .type = CFG_ENUM, .default_text = "development",
     .toml_key = "worker.environment", .env = "ZISK_WORKER_ENVIRONMENT", .choices = environments,
     .help = "Deployment environment reported to the coordinator."},
    {.name = "worker.inputs_folder", .type = CFG_STRING, .default_text = ".", .toml_key = "worker.inputs_folder",
     .env = "ZISK_WORKER_INPUTS_FOLDER",
     .help = "Folder that job inputs given by path resolve in; they can never escape it. Must exist "
             "and be writable."},
    {.name = "worker.proving_key", .type = CFG_STRING, .default_text = "~/.zisk/provingKey",
     .toml_key = "worker.proving_key", .env = "ZISK_WORKER_PROVING_KEY", .flag = "--proving-key",
     .short_flag = 'k', .metavar = "PATH", .help = "STARK proving key folder."},
    {.name = "proving_key_snark", .type = CFG_STRING, .flag = "--proving-key-snark", .short_flag = 's',
     .metavar = "PATH", .help = "SNARK proving key folder (required for --plonk)."},
    {.name = "asm", .type = CFG_STRING, .flag = "--asm", .short_flag = 'a', .metavar = "PATH",
     .help = "Use the native (assembly) backend from PATH. Not supported by this build."},
    {.name = "emulator", .type = CFG_BOOL, .default_text = "false", .flag = "--emulator", .short_flag = 'l',
     .help = "Use the emulator (interpreter) backend."},
    {.name = "gpu", .type = CFG_BOOL, .default_text = "false", .flag = "--gpu", .short_flag = 'g',
     .help = "Prove on a CUDA GPU. Not supported by this build."},
    {.name = "max_streams", .type = CFG_UINT, .flag = "--max-streams", .short_flag = 't', .metavar = "N",
     .min = 1, .max = 1024, .help = "Concurrent GPU streams (only with --gpu)."},
    {.name = "plonk", .type = CFG_BOOL, .default_text = "false", .flag = "--plonk", .short_flag = 'p',
     .help = "Produce PLONK proofs (needs --proving-key-snark). Not supported by this build."},
    {.name = "preload_plonk", .type = CFG_BOOL, .default_text = "false", .flag = "--preload-plonk",
     .short_flag = 'P', .help = "Load the PLONK key at start-up (only with --plonk)."},
    {.name = "connection.reconnect_interval_seconds", .type = CFG_UINT, .default_text = "5",
     .toml_key = "connection.reconnect_interval_seconds", .env = "ZISK_WORKER_RECONNECT_INTERVAL_SECONDS",
     .min = 1, .max = 86400, .help = "Seconds between attempts to reach the coordinator."},
    {.name = "connection.heartbeat_timeout_seconds", .type = CFG_UINT, .default_text = "30",
     .toml_key = "connection.heartbeat_timeout_seconds", .env = "ZISK_WORKER_HEARTBEAT_TIMEOUT_SECONDS",
     .min = 1, .max = 86400,
     .help = "A coordinator silent this long is considered gone: the worker reconnects."},
    {.name = "logging.level", .type = CFG_ENUM, .default_text = "info", .toml_key = "logging.level",
     .env = "ZISK_WORKER_LOG_LEVEL", .choices = levels,
     .help = "Log level. RUST_LOG (a level or target=level filters) overrides it; -v/-vv override both."},
    {.name = "logging.format", .type = CFG_ENUM, .default_text = "pretty", .toml_key = "logging.format",
     .env = "ZISK_WORKER_LOG_FORMAT", .choices = formats,
     .help = "Log format: pretty (coloured on a terminal), json (one object per line) or compact."},
    {.name = "logging.file_path", .type = CFG_STRING, .toml_key = "logging.file_path",
     .env = "ZISK_WORKER_LOG_FILE", .metavar = "PATH",
     .help = "Append logs to this file instead of stderr."},
    {.name = "verbose", .type = CFG_COUNT, .short_flag = 'v',
     .help = "More logs: -v debug, -vv trace (overrides logging.level and RUST_LOG)."},
};
const size_t worker_n_options = sizeof worker_options / sizeof worker_options[0];

static char *dup_or_null(const char *s) { return s ? zisk_xstrdup(s) : NULL; }

int worker_settings_from(const cfg_result *cfg, char **env, worker_settings *s, zisk_err *err) {
    memset(s, 0, sizeof *s);
    const cfg_value *asm_v = cfg_get(cfg, "asm"), *emu = cfg_get(cfg, "emulator"), *gpu = cfg_get(cfg, "gpu");
    const cfg_value *plonk = cfg_get(cfg, "plonk"), *snark = cfg_get(cfg, "proving_key_snark");
    if (asm_v->text && emu->boolean)
        return zisk_err_set(err, "--asm and --emulator select different backends: give only one");
    if (gpu->boolean)
        return zisk_err_set(err, "--gpu is not supported by this build (no GPU prover is built in); "
                                 "remove --gpu to use the emulator backend");
    if (cfg_get(cfg, "max_streams")->text)
        return zisk_err_set(err, "--max-streams only applies with --gpu, which this build does not support");
    if (plonk->boolean) {
        if (!snark->text)
            return zisk_err_set(err, "--plonk needs the SNARK proving key: pass --proving-key-snark PATH");
        struct stat st;
        char *p = cfg_expand_home(snark->text, env);
        int ok = stat(p, &st) == 0 && S_ISDIR(st.st_mode);
        free(p);
        if (!ok)
            return zisk_err_set(err, "--proving-key-snark '%s' is not an existing folder", snark->text);
        return zisk_err_set(err, "--plonk is not supported by this build (no PLONK prover is built in)");
    }
    if (cfg_get(cfg, "preload_plonk")->boolean)
        return zisk_err_set(err, "--preload-plonk only applies with --plonk");
    if (asm_v->text)
        return zisk_err_set(err, "--asm is not supported by this build (the native backend is not built in "
                                 "yet); the emulator backend is used when neither --asm nor --emulator is given");

    const cfg_value *folder = cfg_get(cfg, "worker.inputs_folder");
    struct stat st;
    if (stat(folder->text, &st) != 0)
        return zisk_err_set(err, "inputs folder '%s' (%s) does not exist: create it or set worker.inputs_folder",
                            folder->text, folder->origin);
    if (!S_ISDIR(st.st_mode))
        return zisk_err_set(err, "inputs folder '%s' (%s) is not a folder", folder->text, folder->origin);
    if (access(folder->text, W_OK | X_OK) != 0)
        return zisk_err_set(err, "inputs folder '%s' (%s) is not writable by this user: %s", folder->text,
                            folder->origin, strerror(errno));

    if (service_log_resolve(cfg, env, &s->log, err) != 0) return -1;

    s->coordinator_url = zisk_xstrdup(cfg_get(cfg, "coordinator.url")->text);
    s->compute_units = cfg_get(cfg, "worker.compute_capacity")->number;
    const cfg_value *id = cfg_get(cfg, "worker.worker_id");
    if (id->text) {
        s->worker_id = zisk_xstrdup(id->text);
    } else {
        uuid_t u;
        char text[37];
        uuid_generate_random(u);
        uuid_unparse_lower(u, text);
        s->worker_id = zisk_xstrdup(text);
        s->worker_id_generated = 1;
    }
    s->environment = zisk_xstrdup(cfg_get(cfg, "worker.environment")->text);
    s->inputs_folder = zisk_xstrdup(folder->text);
    s->proving_key = cfg_expand_home(cfg_get(cfg, "worker.proving_key")->text, env);
    s->proving_key_snark = dup_or_null(snark->text);
    s->backend = WORKER_BACKEND_EMULATOR;
    s->backend_note = emu->boolean ? "backend: emulator (--emulator)"
                                   : "backend: emulator (the default assembly backend is not built in yet; "
                                     "using the interpreter)";
    s->reconnect_interval_seconds = cfg_get(cfg, "connection.reconnect_interval_seconds")->number;
    s->heartbeat_timeout_seconds = cfg_get(cfg, "connection.heartbeat_timeout_seconds")->number;
    return 0;
}

void worker_settings_free(worker_settings *s) {
    free(s->coordinator_url);
    free(s->worker_id);
    free(s->environment);
    free(s->inputs_folder);
    free(s->proving_key);
    free(s->proving_key_snark);
    service_log_free(&s->log);
    memset(s, 0, sizeof *s);
}
