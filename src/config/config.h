/*
 * config.h: configuration as a table (STYLE.md practice 6, after Redis' config.c).
 *
 * A program describes each of its settings once, as a cfg_option row: name, type, default,
 * TOML key, environment variable, command-line flag, bounds or choices, help text. From that
 * one table this module
 *   - resolves values in four layers, later winning: built-in default < TOML file < environment
 *     < command-line flag, remembering where each value came from;
 *   - reports bad values with their origin ("compute capacity '0' from env
 *     ZISK_WORKER_COMPUTE_CAPACITY: must be at least 1");
 *   - warns about unknown TOML keys with file:line:column;
 *   - prints --help and the Markdown reference (docs/CONFIGURATION.md is generated from it).
 *
 * The config file path is itself an option (type CFG_PATH_CONFIG): taken from its flag, else its
 * environment variable; it never comes from the file.
 *
 * Ownership: cfg_resolve fills a cfg_result whose strings it owns; free with cfg_result_free.
 * The option table is static data owned by the caller and must outlive the result.
 */
#ifndef ZISK_CONFIG_H
#define ZISK_CONFIG_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "base.h"

typedef enum cfg_type {
    CFG_STRING,      /* any string (validate for more) */
    CFG_UINT,        /* unsigned integer within [min, max] */
    CFG_BOOL,        /* flag: a switch without value; TOML: boolean; env: true/false/1/0/yes/no */
    CFG_ENUM,        /* one of choices (case-insensitive), stored as the canonical choice */
    CFG_COUNT,       /* flag only, may repeat (-v -vv): the value is the number of times */
    CFG_PATH_CONFIG, /* the configuration file's path: flag or env only */
} cfg_type;

typedef enum cfg_source {
    CFG_SRC_UNSET = 0,
    CFG_SRC_DEFAULT,
    CFG_SRC_FILE,
    CFG_SRC_ENV,
    CFG_SRC_FLAG,
} cfg_source;

typedef struct cfg_option {
    const char *name;          /* canonical name shown in the banner and docs, e.g. "coordinator.url" */
    cfg_type type;
    const char *default_text;  /* NULL: no default (unset) */
    const char *default_doc;   /* describes a computed default in help/docs (e.g. "random UUID") */
    const char *toml_key;      /* dotted path in the file, NULL if not settable there */
    const char *toml_alias;    /* a second accepted path (e.g. a shorter legacy form), or NULL */
    const char *env;           /* environment variable, or NULL */
    const char *flag;          /* long flag with dashes, e.g. "--coordinator-url", or NULL */
    char short_flag;           /* e.g. 'c', or 0 */
    const char *metavar;       /* value name in help, e.g. "URL" */
    uint64_t min, max;         /* CFG_UINT bounds (max 0 means UINT64_MAX) */
    const char *const *choices;/* CFG_ENUM: NULL-terminated list */
    /* Extra check of the final text; returns 0 or -1 with why filled (a sentence fragment). */
    int (*validate)(const char *text, char *why, size_t why_len);
    const char *help;
} cfg_option;

typedef struct cfg_value {
    cfg_source source;
    char *text;       /* resolved text (owned), NULL when unset */
    uint64_t number;  /* CFG_UINT and CFG_COUNT */
    int boolean;      /* CFG_BOOL */
    char origin[160]; /* "default", "file worker.toml:3:7", "env NAME", "flag --name" */
} cfg_value;

#define CFG_MAX_WARNINGS 32

typedef struct cfg_result {
    const cfg_option *options;
    size_t n_options;
    cfg_value *values;          /* n_options entries, same order as the table */
    int help;                   /* --help / -h seen */
    int version;                /* --version / -V seen */
    char *config_path;          /* file read, or NULL */
    size_t n_warnings;
    char *warnings[CFG_MAX_WARNINGS]; /* unknown TOML keys etc., for the caller to log */
} cfg_result;

/* Resolves every option. env: an environ-style NULL-terminated array (pass `environ`), so tests
 * can give their own. argv[0] is the program name. On error returns -1 with err filled (bad
 * flag, unreadable or malformed file, bad value with its origin) and frees what it made.
 * --help/--version stop flag validation early only in the sense that values are still
 * resolved, but bad values are not reported (so `--help` always works). */
int cfg_resolve(const cfg_option *opts, size_t n_opts, int argc, char **argv, char **env,
                cfg_result *out, zisk_err *err);
void cfg_result_free(cfg_result *r);

/* Index of the option with this name, or -1. */
int cfg_find(const cfg_result *r, const char *name);
/* The resolved value of a named option; aborts if the name is not in the table (our bug). */
const cfg_value *cfg_get(const cfg_result *r, const char *name);

/* Prints the options part of --help: one entry per option with its flag, env, TOML key and
 * default. */
void cfg_print_help(FILE *f, const cfg_option *opts, size_t n_opts);
/* Prints the Markdown reference table (docs/CONFIGURATION.md embeds it verbatim). */
void cfg_print_markdown(FILE *f, const cfg_option *opts, size_t n_opts);
/* The value of `name` in an environ-style NULL-terminated array, or NULL. */
const char *cfg_env(char **env, const char *name);

/* A copy of path with a leading "~" (alone or before "/") replaced by HOME from env; other
 * paths, or no HOME, are copied as they are. The caller frees the result. */
char *cfg_expand_home(const char *path, char **env);

/* Writes "name = value (origin)" for option i into buf. */
void cfg_describe(const cfg_result *r, size_t i, char *buf, size_t n);

#endif
