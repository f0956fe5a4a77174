/*
 * config.c: the table-driven configuration resolver described in config.h.
 */
#include "config.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "toml.h"

#define CFG_FILE_MAX_BYTES ((size_t)16 << 20)

static void value_set(cfg_value *v, const char *text, cfg_source src, const char *origin) {
    free(v->text);
    v->text = text ? zisk_xstrdup(text) : NULL;
    v->source = src;
    snprintf(v->origin, sizeof v->origin, "%s", origin);
}

static void add_warning(cfg_result *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add_warning(cfg_result *r, const char *fmt, ...) {
    if (r->n_warnings >= CFG_MAX_WARNINGS) return;
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    r->warnings[r->n_warnings++] = zisk_xstrdup(buf);
}

void cfg_result_free(cfg_result *r) {
    if (!r) return;
    if (r->values)
        for (size_t i = 0; i < r->n_options; i++) free(r->values[i].text);
    free(r->values);
    free(r->config_path);
    for (size_t i = 0; i < r->n_warnings; i++) free(r->warnings[i]);
    memset(r, 0, sizeof *r);
}

int cfg_find(const cfg_result *r, const char *name) {
    for (size_t i = 0; i < r->n_options; i++)
        if (!strcmp(r->options[i].name, name)) return (int)i;
    return -1;
}

const cfg_value *cfg_get(const cfg_result *r, const char *name) {
    int i = cfg_find(r, name);
    if (i < 0) zisk_panic(__FILE__, __LINE__, "no option named '%s' in the table", name);
    return &r->values[i];
}

const char *cfg_env(char **env, const char *name) {
    if (!env || !name) return NULL;
    size_t n = strlen(name);
    for (char **e = env; *e; e++)
        if (!strncmp(*e, name, n) && (*e)[n] == '=') return *e + n + 1;
    return NULL;
}

/* ---- command line ---- */

typedef struct pending_flag {
    size_t opt;
    const char *text; /* NULL for switches and counts */
    char used[48];    /* the flag as typed, for messages */
} pending_flag;

static int find_long(const cfg_option *opts, size_t n, const char *name, size_t len) {
    for (size_t i = 0; i < n; i++)
        if (opts[i].flag && strlen(opts[i].flag) == len && !strncmp(opts[i].flag, name, len)) return (int)i;
    return -1;
}

static int find_short(const cfg_option *opts, size_t n, char c) {
    for (size_t i = 0; i < n; i++)
        if (opts[i].short_flag == c) return (int)i;
    return -1;
}

static int takes_value(const cfg_option *o) { return o->type != CFG_BOOL && o->type != CFG_COUNT; }

static int parse_argv(const cfg_option *opts, size_t n, int argc, char **argv, pending_flag *pend,
                      size_t *n_pend, cfg_result *r, zisk_err *err) {
    const char *prog = argc > 0 ? argv[0] : "program";
    *n_pend = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            r->help = 1;
            continue;
        }
        if (!strcmp(a, "--version") || !strcmp(a, "-V")) {
            r->version = 1;
            continue;
        }
        if (a[0] == '-' && a[1] == '-' && a[2]) {
            const char *eq = strchr(a, '=');
            size_t len = eq ? (size_t)(eq - a) : strlen(a);
            int o = find_long(opts, n, a, len);
            if (o < 0)
                return zisk_err_set(err, "unknown option '%.*s' (see '%s --help')", (int)len, a, prog);
            pending_flag *p = &pend[(*n_pend)++];
            p->opt = (size_t)o;
            snprintf(p->used, sizeof p->used, "%.*s", (int)len, a);
            if (takes_value(&opts[o])) {
                if (eq) p->text = eq + 1;
                else if (i + 1 < argc) p->text = argv[++i];
                else return zisk_err_set(err, "option '%s' needs a value (%s)", p->used, opts[o].metavar ? opts[o].metavar : "VALUE");
            } else {
                if (eq) return zisk_err_set(err, "option '%.*s' takes no value", (int)len, a);
                p->text = NULL;
            }
            continue;
        }
        if (a[0] == '-' && a[1] && a[1] != '-') {
            /* Short flags: -c VALUE, -cVALUE, or a cluster of switches like -vv. */
            for (const char *s = a + 1; *s; s++) {
                if (*s == 'h') { r->help = 1; continue; }
                if (*s == 'V') { r->version = 1; continue; }
                int o = find_short(opts, n, *s);
                if (o < 0) return zisk_err_set(err, "unknown option '-%c' (see '%s --help')", *s, prog);
                pending_flag *p = &pend[(*n_pend)++];
                p->opt = (size_t)o;
                snprintf(p->used, sizeof p->used, "-%c", *s);
                p->text = NULL;
                if (takes_value(&opts[o])) {
                    if (s[1]) p->text = s + 1;
                    else if (i + 1 < argc) p->text = argv[++i];
                    else return zisk_err_set(err, "option '-%c' needs a value (%s)", *s, opts[o].metavar ? opts[o].metavar : "VALUE");
                    break;
                }
            }
            continue;
        }
        return zisk_err_set(err, "unexpected argument '%s' (see '%s --help')", a, prog);
    }
    return 0;
}

/* ---- TOML file ---- */

static int key_known(const cfg_option *opts, size_t n, const char *path) {
    size_t len = strlen(path);
    for (size_t i = 0; i < n; i++) {
        const char *keys[2] = {opts[i].toml_key, opts[i].toml_alias};
        for (int k = 0; k < 2; k++) {
            const char *key = keys[k];
            if (!key) continue;
            if (!strcmp(key, path)) return 1;
            /* a table on the way to a known key */
            if (strlen(key) > len && !strncmp(key, path, len) && key[len] == '.') return 1;
        }
    }
    return 0;
}

static void warn_unknown(const cfg_option *opts, size_t n, const toml_doc *doc, const toml_node *table,
                         const char *prefix, cfg_result *r) {
    size_t count = toml_len(table);
    for (size_t i = 0; i < count; i++) {
        size_t klen;
        const char *key = toml_key_at(table, i, &klen);
        const toml_node *child = toml_at(table, i);
        char path[256];
        snprintf(path, sizeof path, "%s%s%.*s", prefix, *prefix ? "." : "", (int)klen, key);
        if (!key_known(opts, n, path)) {
            add_warning(r, "%s:%u:%u: unknown key '%s' (ignored)", toml_doc_name(doc), toml_key_line(child),
                        toml_key_col(child), path);
            continue;
        }
        if (toml_type_of(child) == TOML_TABLE) warn_unknown(opts, n, doc, child, path, r);
    }
}

static int apply_file(const cfg_option *opts, size_t n, const char *path, cfg_result *r, zisk_err *err) {
    toml_doc *doc;
    if (toml_parse_file(path, CFG_FILE_MAX_BYTES, &doc, err) != 0) return -1;
    for (size_t i = 0; i < n; i++) {
        const cfg_option *o = &opts[i];
        const toml_node *node = o->toml_key ? toml_get(doc, o->toml_key) : NULL;
        if (!node && o->toml_alias) node = toml_get(doc, o->toml_alias);
        if (!node) continue;
        char text[64], origin[160];
        const char *val = NULL;
        toml_type t = toml_type_of(node);
        snprintf(origin, sizeof origin, "file %s:%u:%u", toml_doc_name(doc), toml_line(node), toml_col(node));
        switch (o->type) {
        case CFG_UINT:
            if (t != TOML_INTEGER) {
                toml_value_err(doc, node, err, "'%s' must be an integer, not %s", o->toml_key, toml_type_name(t));
                toml_free(doc);
                return -1;
            }
            if (toml_int(node) < 0) {
                toml_value_err(doc, node, err, "'%s' must not be negative (%lld)", o->toml_key, (long long)toml_int(node));
                toml_free(doc);
                return -1;
            }
            snprintf(text, sizeof text, "%lld", (long long)toml_int(node));
            val = text;
            break;
        case CFG_BOOL:
            if (t != TOML_BOOLEAN) {
                toml_value_err(doc, node, err, "'%s' must be true or false, not %s", o->toml_key, toml_type_name(t));
                toml_free(doc);
                return -1;
            }
            val = toml_bool(node) ? "true" : "false";
            break;
        case CFG_STRING:
        case CFG_ENUM: {
            if (t != TOML_STRING) {
                toml_value_err(doc, node, err, "'%s' must be a string, not %s", o->toml_key, toml_type_name(t));
                toml_free(doc);
                return -1;
            }
            size_t slen;
            val = toml_str(node, &slen);
            if (strlen(val) != slen) {
                toml_value_err(doc, node, err, "'%s' must not contain NUL characters", o->toml_key);
                toml_free(doc);
                return -1;
            }
            break;
        }
        case CFG_COUNT:
        case CFG_PATH_CONFIG:
            continue; /* never from the file */
        }
        value_set(&r->values[i], val, CFG_SRC_FILE, origin);
    }
    warn_unknown(opts, n, doc, toml_root(doc), "", r);
    toml_free(doc);
    return 0;
}

/* ---- validation ---- */

static int parse_bool(const char *s, int *out) {
    static const char *const yes[] = {"true", "1", "yes", "on"}, *const no[] = {"false", "0", "no", "off"};
    for (int i = 0; i < 4; i++) {
        if (!strcasecmp(s, yes[i])) { *out = 1; return 0; }
        if (!strcasecmp(s, no[i])) { *out = 0; return 0; }
    }
    return -1;
}

static int validate_value(const cfg_option *o, cfg_value *v, zisk_err *err) {
    char why[256] = "";
    if (!v->text) return 0;
    switch (o->type) {
    case CFG_UINT: {
        uint64_t x, max = o->max ? o->max : UINT64_MAX;
        if (zisk_parse_u64(v->text, &x) != 0)
            return zisk_err_set(err, "%s '%s' from %s: not a non-negative integer", o->name, v->text, v->origin);
        if (x < o->min)
            return zisk_err_set(err, "%s '%s' from %s: must be at least %llu", o->name, v->text, v->origin,
                                (unsigned long long)o->min);
        if (x > max)
            return zisk_err_set(err, "%s '%s' from %s: must be at most %llu", o->name, v->text, v->origin,
                                (unsigned long long)max);
        v->number = x;
        break;
    }
    case CFG_COUNT:
        v->number = strtoull(v->text, NULL, 10); /* our own decimal text */
        break;
    case CFG_BOOL:
        if (parse_bool(v->text, &v->boolean) != 0)
            return zisk_err_set(err, "%s '%s' from %s: expected true or false", o->name, v->text, v->origin);
        break;
    case CFG_ENUM: {
        const char *const *c = o->choices;
        for (; c && *c; c++)
            if (!strcasecmp(*c, v->text)) break;
        if (!c || !*c) {
            char list[256] = "";
            for (const char *const *k = o->choices; k && *k; k++)
                snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", k == o->choices ? "" : ", ", *k);
            return zisk_err_set(err, "%s '%s' from %s: expected one of %s", o->name, v->text, v->origin, list);
        }
        char *canon = zisk_xstrdup(*c);
        free(v->text);
        v->text = canon;
        break;
    }
    default:
        break;
    }
    if (o->validate && o->validate(v->text, why, sizeof why) != 0)
        return zisk_err_set(err, "%s '%s' from %s: %s", o->name, v->text, v->origin, why);
    return 0;
}

int cfg_resolve(const cfg_option *opts, size_t n, int argc, char **argv, char **env, cfg_result *out,
                zisk_err *err) {
    memset(out, 0, sizeof *out);
    out->options = opts;
    out->n_options = n;
    out->values = zisk_xcalloc(n, sizeof *out->values);
    /* Each argument yields at most one pending flag per character (-vvv). */
    size_t max_pend = 1;
    for (int i = 1; i < argc; i++) max_pend += strlen(argv[i]) + 1;
    pending_flag *pend = zisk_xcalloc(max_pend, sizeof *pend);
    size_t n_pend = 0;
    int rc = -1;

    for (size_t i = 0; i < n; i++)
        if (opts[i].default_text) value_set(&out->values[i], opts[i].default_text, CFG_SRC_DEFAULT, "default");
    if (parse_argv(opts, n, argc, argv, pend, &n_pend, out, err) != 0) goto done;

    /* The file path: its flag, else its environment variable. */
    for (size_t i = 0; i < n; i++) {
        if (opts[i].type != CFG_PATH_CONFIG) continue;
        const char *path = NULL, *flag_used = NULL;
        for (size_t k = 0; k < n_pend; k++)
            if (pend[k].opt == i) {
                path = pend[k].text;
                flag_used = pend[k].used;
            }
        char origin[160];
        if (path) {
            snprintf(origin, sizeof origin, "flag %s", flag_used);
            value_set(&out->values[i], path, CFG_SRC_FLAG, origin);
        } else if ((path = cfg_env(env, opts[i].env)) && *path) {
            snprintf(origin, sizeof origin, "env %s", opts[i].env);
            value_set(&out->values[i], path, CFG_SRC_ENV, origin);
        }
        if (path && *path) out->config_path = zisk_xstrdup(path);
    }
    if (out->config_path && apply_file(opts, n, out->config_path, out, err) != 0) goto done;

    for (size_t i = 0; i < n; i++) {
        if (opts[i].type == CFG_PATH_CONFIG) continue;
        const char *e = cfg_env(env, opts[i].env);
        if (e && *e) { /* an empty variable counts as unset */
            char origin[160];
            snprintf(origin, sizeof origin, "env %s", opts[i].env);
            value_set(&out->values[i], e, CFG_SRC_ENV, origin);
        }
    }
    for (size_t k = 0; k < n_pend; k++) {
        const cfg_option *o = &opts[pend[k].opt];
        cfg_value *v = &out->values[pend[k].opt];
        char origin[160];
        if (o->type == CFG_PATH_CONFIG) continue;
        snprintf(origin, sizeof origin, "flag %s", pend[k].used);
        if (o->type == CFG_COUNT) {
            char num[32];
            uint64_t prev = v->source == CFG_SRC_FLAG && v->text ? strtoull(v->text, NULL, 10) : 0;
            snprintf(num, sizeof num, "%llu", (unsigned long long)(prev + 1));
            value_set(v, num, CFG_SRC_FLAG, origin);
        } else if (o->type == CFG_BOOL) {
            value_set(v, "true", CFG_SRC_FLAG, origin);
        } else {
            value_set(v, pend[k].text, CFG_SRC_FLAG, origin);
        }
    }
    if (!out->help && !out->version) {
        for (size_t i = 0; i < n; i++)
            if (validate_value(&opts[i], &out->values[i], err) != 0) goto done;
    }
    rc = 0;
done:
    free(pend);
    if (rc != 0) cfg_result_free(out);
    return rc;
}

/* ---- help, docs, banner ---- */

static void default_text(const cfg_option *o, char *buf, size_t n) {
    if (o->default_doc) snprintf(buf, n, "%s", o->default_doc);
    else if (o->default_text) snprintf(buf, n, "%s", *o->default_text ? o->default_text : "\"\"");
    else snprintf(buf, n, "(unset)");
}

void cfg_print_help(FILE *f, const cfg_option *opts, size_t n) {
    for (size_t i = 0; i < n; i++) {
        const cfg_option *o = &opts[i];
        if (!o->flag && !o->short_flag) continue;
        char head[128] = "  ";
        if (o->short_flag) snprintf(head + strlen(head), sizeof head - strlen(head), "-%c%s", o->short_flag, o->flag ? ", " : "");
        else snprintf(head + strlen(head), sizeof head - strlen(head), "    ");
        if (o->flag) snprintf(head + strlen(head), sizeof head - strlen(head), "%s", o->flag);
        if (takes_value(o)) snprintf(head + strlen(head), sizeof head - strlen(head), " %s", o->metavar ? o->metavar : "VALUE");
        fprintf(f, "%s\n          %s", head, o->help);
        if (o->type == CFG_ENUM) {
            fprintf(f, " [one of:");
            for (const char *const *c = o->choices; c && *c; c++) fprintf(f, " %s", *c);
            fprintf(f, "]");
        }
        /* A switch's default is only worth showing when it is on (the flag cannot turn it off). */
        int show_default = o->type != CFG_COUNT && o->type != CFG_PATH_CONFIG &&
                           (o->type != CFG_BOOL || (o->default_text && !strcmp(o->default_text, "true")));
        if (show_default) {
            char d[128];
            default_text(o, d, sizeof d);
            fprintf(f, "\n          [default: %s]", d);
        }
        if (o->env) fprintf(f, " [env: %s]", o->env);
        if (o->toml_key) fprintf(f, " [config: %s]", o->toml_key);
        fputc('\n', f);
    }
    fprintf(f, "  -h, --help\n          Print this help and exit\n  -V, --version\n          Print the version and exit\n");
}

void cfg_print_markdown(FILE *f, const cfg_option *opts, size_t n) {
    fprintf(f, "| Setting | Flag | Environment | TOML key | Default | Description |\n");
    fprintf(f, "|---|---|---|---|---|---|\n");
    for (size_t i = 0; i < n; i++) {
        const cfg_option *o = &opts[i];
        char flag[96] = "", d[128];
        if (o->short_flag) snprintf(flag, sizeof flag, "`-%c`%s", o->short_flag, o->flag ? ", " : "");
        if (o->flag) snprintf(flag + strlen(flag), sizeof flag - strlen(flag), "`%s%s%s`", o->flag,
                              takes_value(o) ? " " : "", takes_value(o) ? (o->metavar ? o->metavar : "VALUE") : "");
        default_text(o, d, sizeof d);
        fprintf(f, "| `%s` | %s | %s%s%s | %s%s%s | %s | %s", o->name, *flag ? flag : "—", o->env ? "`" : "",
                o->env ? o->env : "—", o->env ? "`" : "", o->toml_key ? "`" : "", o->toml_key ? o->toml_key : "—",
                o->toml_key ? "`" : "", (o->type == CFG_COUNT || o->type == CFG_PATH_CONFIG) ? "—" : d,
                o->help);
        if (o->type == CFG_ENUM) {
            fprintf(f, " One of:");
            for (const char *const *c = o->choices; c && *c; c++) fprintf(f, " `%s`", *c);
            fprintf(f, ".");
        }
        fprintf(f, " |\n");
    }
}

char *cfg_expand_home(const char *path, char **env) {
    if (path[0] != '~' || (path[1] != '/' && path[1] != 0)) return zisk_xstrdup(path);
    const char *home = cfg_env(env, "HOME");
    if (!home || !*home) return zisk_xstrdup(path);
    size_t n = strlen(home) + strlen(path);
    char *out = zisk_xmalloc(n + 1);
    snprintf(out, n + 1, "%s%s", home, path + 1);
    return out;
}

void cfg_describe(const cfg_result *r, size_t i, char *buf, size_t n) {
    const cfg_value *v = &r->values[i];
    if (!v->text) snprintf(buf, n, "%s is unset", r->options[i].name);
    else snprintf(buf, n, "%s = %s (%s)", r->options[i].name, v->text, v->origin);
}
