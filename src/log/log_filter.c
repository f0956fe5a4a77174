/*
 * zlog_filter.c: level and format names, and RUST_LOG-style filter specs (syntax in log.h).
 *
 * Specs come from the environment and config files, so the parser reports every problem with
 * the entry it was in and never reads past the string.
 */
#include "log.h"

#include <string.h>

/* ASCII-only case folding: strcasecmp depends on the locale (Turkish 'I'). */
static char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c; }

static bool eq_nocase(const char *s, size_t len, const char *lower) {
    size_t n = strlen(lower);
    if (len != n) return false;
    for (size_t i = 0; i < n; i++)
        if (ascii_lower(s[i]) != lower[i]) return false;
    return true;
}

static const char *const LEVEL_NAMES[] = {"off", "error", "warn", "info", "debug", "trace"};
#define XSTR(x) STR(x)
#define STR(x) #x
#define LEVEL_CHOICES "trace, debug, info, warn, error or off"

/* Longest word quoted back in an error message, so a huge env variable stays readable. */
#define ERR_QUOTE_MAX 64

static int level_from(const char *s, size_t len, zlog_level *out) {
    for (int l = ZLOG_LEVEL_OFF; l <= ZLOG_LEVEL_TRACE; l++) {
        if (eq_nocase(s, len, LEVEL_NAMES[l])) {
            *out = (zlog_level)l;
            return 0;
        }
    }
    return -1;
}

int zlog_level_parse(const char *name, zlog_level *out, zisk_err *err) {
    if (!name) return zisk_err_set(err, "no log level given (expected " LEVEL_CHOICES ")");
    size_t len = strlen(name);
    if (level_from(name, len, out) == 0) return 0;
    return zisk_err_set(err, "unknown log level '%.*s' (expected " LEVEL_CHOICES ")",
                        ERR_QUOTE_MAX, name);
}

const char *zlog_level_name(zlog_level level) {
    if ((int)level < ZLOG_LEVEL_OFF || (int)level > ZLOG_LEVEL_TRACE) return "?";
    return LEVEL_NAMES[level];
}

static const char *const FORMAT_NAMES[] = {"pretty", "json", "compact"};

int zlog_format_parse(const char *name, zlog_format *out, zisk_err *err) {
    if (!name) return zisk_err_set(err, "no log format given (expected pretty, json or compact)");
    for (int f = 0; f < 3; f++) {
        if (eq_nocase(name, strlen(name), FORMAT_NAMES[f])) {
            *out = (zlog_format)f;
            return 0;
        }
    }
    return zisk_err_set(err, "unknown log format '%.*s' (expected pretty, json or compact)",
                        ERR_QUOTE_MAX, name);
}

const char *zlog_format_name(zlog_format format) {
    if ((int)format < 0 || (int)format > 2) return "?";
    return FORMAT_NAMES[format];
}

static bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

static bool is_target_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_' || c == '-' || c == '.';
}

/* A target is one or more non-empty segments of target characters joined by "::". Returns NULL
 * when valid, else what is wrong. */
static const char *target_problem(const char *s, size_t len) {
    if (len == 0) return "an empty target";
    if (len > ZLOG_TARGET_MAX) return "a target longer than " XSTR(ZLOG_TARGET_MAX) " bytes";
    size_t seg = 0; /* length of the current segment */
    for (size_t i = 0; i < len; i++) {
        if (s[i] == ':') {
            if (i + 1 >= len || s[i + 1] != ':') return "a single ':' in the target (use '::')";
            if (seg == 0) return "an empty segment in the target";
            seg = 0;
            i++;
        } else if (is_target_char(s[i])) {
            seg++;
        } else {
            return "a character not allowed in a target (letters, digits, '_', '-', '.', '::')";
        }
    }
    if (seg == 0) return "an empty segment in the target";
    return NULL;
}

int zlog_filter_parse(const char *spec, zlog_level fallback, zlog_filter *out, zisk_err *err) {
    ZISK_ASSERT((int)fallback >= ZLOG_LEVEL_OFF && (int)fallback <= ZLOG_LEVEL_TRACE);
    if (!spec) return zisk_err_set(err, "no log filter given");
    zlog_filter f;
    memset(&f, 0, sizeof f);
    f.default_level = fallback;
    bool any = false;

    const char *p = spec;
    for (;;) {
        const char *end = strchr(p, ',');
        if (!end) end = p + strlen(p);
        const char *a = p, *b = end;
        while (a < b && is_space(*a)) a++;
        while (b > a && is_space(b[-1])) b--;
        size_t n = (size_t)(b - a);
        int q = n > ERR_QUOTE_MAX ? ERR_QUOTE_MAX : (int)n; /* quoted part of the entry */

        if (n > 0) {
            any = true;
            if (memchr(a, '/', n))
                return zisk_err_set(err,
                                    "log filter entry '%.*s': regex filters ('/...') are not "
                                    "supported",
                                    q, a);
            const char *eq = memchr(a, '=', n);
            if (!eq) {
                if (level_from(a, n, &f.default_level) != 0)
                    return zisk_err_set(err,
                                        "log filter entry '%.*s' is neither a level (" LEVEL_CHOICES
                                        ") nor target=level",
                                        q, a);
            } else {
                const char *ta = a, *tb = eq, *la = eq + 1, *lb = b;
                while (tb > ta && is_space(tb[-1])) tb--;
                while (la < lb && is_space(*la)) la++;
                size_t tn = (size_t)(tb - ta), ln = (size_t)(lb - la);
                if (ln == 0)
                    return zisk_err_set(err, "log filter entry '%.*s' has no level after '='", q,
                                        a);
                if (memchr(la, '=', ln))
                    return zisk_err_set(err, "log filter entry '%.*s' has more than one '='", q,
                                        a);
                const char *why = target_problem(ta, tn);
                if (why) return zisk_err_set(err, "log filter entry '%.*s' has %s", q, a, why);
                zlog_level level;
                if (level_from(la, ln, &level) != 0)
                    return zisk_err_set(err,
                                        "log filter entry '%.*s': unknown level '%.*s' (expected "
                                        LEVEL_CHOICES ")",
                                        q, a, ln > ERR_QUOTE_MAX ? ERR_QUOTE_MAX : (int)ln, la);
                int slot = -1;
                for (int i = 0; i < f.n_entries; i++) {
                    if (strlen(f.entries[i].target) == tn && !memcmp(f.entries[i].target, ta, tn))
                        slot = i;
                }
                if (slot < 0) {
                    if (f.n_entries == ZLOG_FILTER_MAX_ENTRIES)
                        return zisk_err_set(err, "log filter has more than %d target=level entries",
                                            ZLOG_FILTER_MAX_ENTRIES);
                    slot = f.n_entries++;
                    memcpy(f.entries[slot].target, ta, tn);
                    f.entries[slot].target[tn] = '\0';
                }
                f.entries[slot].level = level;
            }
        }
        if (*end == '\0') break;
        p = end + 1;
    }
    if (!any)
        return zisk_err_set(err,
                            "log filter '%.*s' is empty; expected a level such as 'info' or "
                            "target=level entries",
                            ERR_QUOTE_MAX, spec);
    *out = f;
    return 0;
}

zlog_filter zlog_filter_from_level(zlog_level level) {
    zlog_filter f;
    memset(&f, 0, sizeof f);
    f.default_level = level;
    return f;
}

zlog_level zlog_filter_level_for(const zlog_filter *f, const char *target) {
    if (!target) target = "";
    zlog_level level = f->default_level;
    size_t best = 0;
    for (int i = 0; i < f->n_entries; i++) {
        const char *t = f->entries[i].target;
        size_t n = strlen(t);
        if (n <= best || strncmp(target, t, n) != 0) continue;
        /* "a::b" matches "a::b" and "a::b::c", never "a::bc". */
        if (target[n] == '\0' || (target[n] == ':' && target[n + 1] == ':')) {
            best = n;
            level = f->entries[i].level;
        }
    }
    return level;
}

zlog_level zlog_filter_max_level(const zlog_filter *f) {
    zlog_level m = f->default_level;
    for (int i = 0; i < f->n_entries; i++)
        if (f->entries[i].level > m) m = f->entries[i].level;
    return m;
}
