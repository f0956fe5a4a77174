#include "service.h"

#include <stdlib.h>
#include <string.h>

#include "log.h"

int service_log_resolve(const cfg_result *cfg, char **env, service_log *l, zisk_err *err) {
    memset(l, 0, sizeof *l);
    const cfg_value *level = cfg_get(cfg, "logging.level"), *verbose = cfg_get(cfg, "verbose");
    const char *rust_log = cfg_env(env, "RUST_LOG");
    zlog_level base;
    if (zlog_level_parse(level->text, &base, err) != 0) return -1;
    l->level = base;
    if (verbose->number > 0) {
        l->level = verbose->number == 1 ? ZLOG_LEVEL_DEBUG : ZLOG_LEVEL_TRACE;
        snprintf(l->origin, sizeof l->origin, "flag -v");
    } else if (rust_log && *rust_log) {
        zlog_filter f;
        zisk_err ferr;
        if (zlog_filter_parse(rust_log, base, &f, &ferr) != 0)
            return zisk_err_set(err, "RUST_LOG '%s': %s", rust_log, ferr.msg);
        l->filter = zisk_xstrdup(rust_log);
        snprintf(l->origin, sizeof l->origin, "env RUST_LOG");
    } else {
        snprintf(l->origin, sizeof l->origin, "%s", level->origin);
    }
    l->format = zisk_xstrdup(cfg_get(cfg, "logging.format")->text);
    const char *file = cfg_get(cfg, "logging.file_path")->text;
    l->file = file && *file ? zisk_xstrdup(file) : NULL;
    return 0;
}

void service_log_free(service_log *l) {
    free(l->filter);
    free(l->format);
    free(l->file);
    memset(l, 0, sizeof *l);
}

int service_log_start(const service_log *l, zisk_err *err) {
    zlog_format fmt;
    if (zlog_format_parse(l->format, &fmt, err) != 0) return -1;
    zlog_config lc = {.filter = l->filter, .fallback = (zlog_level)l->level, .format = fmt, .file_path = l->file};
    return zlog_init(&lc, err);
}

void service_banner(const cfg_result *cfg, const service_log *l, const char *target, const char *override_name,
                    const char *override_text) {
    if (cfg->config_path) ZLOG_INFO(target, "configuration file: %s", cfg->config_path);
    else ZLOG_INFO(target, "no configuration file: defaults, environment and flags only");
    for (size_t i = 0; i < cfg->n_options; i++) {
        const cfg_option *o = &cfg->options[i];
        if (o->type == CFG_COUNT || o->type == CFG_PATH_CONFIG) continue;
        if (override_name && !strcmp(o->name, override_name)) {
            ZLOG_INFO(target, "%s", override_text);
            continue;
        }
        char line[512];
        cfg_describe(cfg, i, line, sizeof line);
        ZLOG_INFO(target, "%s", line);
    }
    ZLOG_INFO(target, "logging = %s%s%s (%s)", zlog_level_name((zlog_level)l->level), l->filter ? ", filter " : "",
              l->filter ? l->filter : "", l->origin);
    for (size_t i = 0; i < cfg->n_warnings; i++) ZLOG_WARN(target, "%s", cfg->warnings[i]);
}
