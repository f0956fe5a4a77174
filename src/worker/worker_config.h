/*
 * worker_config.h: zisk-worker's settings, described once as a table (config.h) and resolved
 * into a plain struct. The user documentation (spec/zisk-worker.md) is the contract; the table
 * is the single source of the flags, environment variables, TOML keys and defaults, of --help
 * and of docs/CONFIGURATION.md.
 */
#ifndef ZISK_WORKER_CONFIG_H
#define ZISK_WORKER_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "base.h"
#include "config.h"
#include "service.h"

extern const cfg_option worker_options[];
extern const size_t worker_n_options;

typedef enum worker_backend {
    WORKER_BACKEND_EMULATOR, /* the interpreter */
} worker_backend;

typedef struct worker_settings {
    char *coordinator_url;
    uint64_t compute_units;
    char *worker_id;          /* from the config, or a random UUID */
    int worker_id_generated;  /* 1 when worker_id is a fresh random UUID */
    char *environment;        /* "development" | "production" */
    char *inputs_folder;
    char *proving_key;        /* "~" expanded */
    char *proving_key_snark;  /* NULL when unset */
    worker_backend backend;
    const char *backend_note; /* one line saying which backend runs and why */
    uint64_t reconnect_interval_seconds;
    uint64_t heartbeat_timeout_seconds;
    service_log log;
} worker_settings;

/* Builds settings from a resolved configuration and checks what the table cannot check alone
 * (flag combinations, features this build lacks, folders). env is consulted for RUST_LOG.
 * Returns 0, or -1 with err saying what is wrong and how to fix it. */
int worker_settings_from(const cfg_result *cfg, char **env, worker_settings *out, zisk_err *err);
void worker_settings_free(worker_settings *s);

#endif
