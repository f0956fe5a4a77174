/*
 * coord_config.h: zisk-coordinator's settings, described once as a table (config.h) and
 * resolved into a plain struct.
 *
 * HOW IT WORKS
 *  Layers, later winning: built-in defaults < TOML file(s) < ZISK_COORDINATOR_* environment <
 *  flags. The file is the one named by --config or ZISK_COORDINATOR_CONFIG; when neither is
 *  given, the reference's search order applies and every file found is layered in turn (later
 *  ones override earlier ones key by key): /etc/zisk/coordinator.toml, then
 *  $XDG_CONFIG_HOME/zisk/coordinator.toml (XDG_CONFIG_HOME defaults to ~/.config), then
 *  ./coordinator.toml. Each value remembers its origin for the start-up banner.
 */
#ifndef ZISK_COORD_CONFIG_H
#define ZISK_COORD_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base.h"
#include "config.h"
#include "service.h"

extern const cfg_option coord_options[];
extern const size_t coord_n_options;

typedef struct coord_settings {
    char *host;                      /* API and cluster listeners */
    unsigned api_port, cluster_port; /* 0: pick a free port (tests) */
    unsigned shutdown_timeout_seconds;
    bool metrics_enabled;
    char *metrics_host;
    unsigned metrics_port;
    char *data_dir;                  /* "~" expanded */
    unsigned heartbeat_interval_seconds, heartbeat_timeout_seconds;
    unsigned max_queued, queue_timeout_seconds, max_attempts;
    unsigned execute_timeout_seconds, setup_timeout_seconds;
    service_log log;
} coord_settings;

/* Resolves the table with the file search described above. env: environ-style array (HOME,
 * XDG_CONFIG_HOME are read from it). search_files: 0 to skip the search (tests). Returns 0, or
 * -1 with err (bad flag, malformed file, bad value with its origin). */
int coord_config_resolve(int argc, char **argv, char **env, int search_files, cfg_result *out, zisk_err *err);

/* Builds settings from a resolved configuration. Returns 0, or -1 with err. */
int coord_settings_from(const cfg_result *cfg, char **env, coord_settings *out, zisk_err *err);
void coord_settings_free(coord_settings *s);

#endif
