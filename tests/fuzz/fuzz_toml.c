/*
 * fuzz_toml.c: libFuzzer target for the TOML parser (src/toml).
 *
 * Any byte string goes through toml_parse. A rejection must carry a "NAME:LINE:COL: " message
 * whose line exists in the input. An accepted document is walked and checked against what the
 * header promises (depth bound, positions, NUL-terminated strings, lookups by key and by quoted
 * path find the same nodes), then written back out as TOML (one `key = value` line per root key,
 * everything else inline) and parsed again: the second tree must equal the first. That round trip
 * catches values that parse to something other than what they mean.
 */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "toml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef struct outbuf {
    char *p;
    size_t len, cap;
} outbuf;

static void out_put(outbuf *o, const char *s, size_t n) {
    if (o->cap - o->len < n + 1) {
        while (o->cap - o->len < n + 1) o->cap = o->cap ? 2 * o->cap : 1024;
        o->p = zisk_xrealloc(o->p, o->cap);
    }
    memcpy(o->p + o->len, s, n);
    o->len += n;
    o->p[o->len] = 0;
}

static void out_str(outbuf *o, const char *s) {
    out_put(o, s, strlen(s));
}

/* A basic string with every byte that needs it escaped (the bytes are valid UTF-8). */
static void out_quoted(outbuf *o, const char *s, size_t n) {
    out_put(o, "\"", 1);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') {
            char e[2] = {'\\', (char)c};
            out_put(o, e, 2);
        } else if (c < 0x20 || c == 0x7f) {
            char e[8];
            snprintf(e, sizeof e, "\\u%04X", c);
            out_str(o, e);
        } else {
            out_put(o, (const char *)&c, 1);
        }
    }
    out_put(o, "\"", 1);
}

static void out_value(outbuf *o, const toml_node *n) {
    char tmp[64];
    switch (toml_type_of(n)) {
    case TOML_TABLE:
        out_str(o, "{");
        for (size_t i = 0; i < toml_len(n); i++) {
            size_t kl;
            const char *k = toml_key_at(n, i, &kl);
            if (i) out_str(o, ", ");
            out_quoted(o, k, kl);
            out_str(o, " = ");
            out_value(o, toml_at(n, i));
        }
        out_str(o, "}");
        break;
    case TOML_ARRAY:
        out_str(o, "[");
        for (size_t i = 0; i < toml_len(n); i++) {
            if (i) out_str(o, ", ");
            out_value(o, toml_at(n, i));
        }
        out_str(o, "]");
        break;
    case TOML_STRING: {
        size_t l;
        const char *s = toml_str(n, &l);
        out_quoted(o, s, l);
        break;
    }
    case TOML_INTEGER:
        snprintf(tmp, sizeof tmp, "%lld", (long long)toml_int(n));
        out_str(o, tmp);
        break;
    case TOML_FLOAT: {
        double f = toml_float(n);
        if (isnan(f))
            snprintf(tmp, sizeof tmp, "%snan", signbit(f) ? "-" : "");
        else if (isinf(f))
            snprintf(tmp, sizeof tmp, "%sinf", f < 0 ? "-" : "");
        else {
            snprintf(tmp, sizeof tmp, "%.17g", f);
            if (!strpbrk(tmp, ".e")) strcat(tmp, ".0"); /* keep it a float */
        }
        out_str(o, tmp);
        break;
    }
    case TOML_BOOLEAN:
        out_str(o, toml_bool(n) ? "true" : "false");
        break;
    default:
        out_str(o, toml_str(n, NULL));
        break;
    }
}

static void check_same(const toml_node *a, const toml_node *b) {
    ZISK_ASSERT(toml_type_of(a) == toml_type_of(b));
    switch (toml_type_of(a)) {
    case TOML_TABLE:
        ZISK_ASSERT(toml_len(a) == toml_len(b));
        for (size_t i = 0; i < toml_len(a); i++) {
            size_t la, lb;
            const char *ka = toml_key_at(a, i, &la), *kb = toml_key_at(b, i, &lb);
            ZISK_ASSERT(la == lb && memcmp(ka, kb, la) == 0);
            check_same(toml_at(a, i), toml_at(b, i));
        }
        break;
    case TOML_ARRAY:
        ZISK_ASSERT(toml_len(a) == toml_len(b));
        for (size_t i = 0; i < toml_len(a); i++) check_same(toml_at(a, i), toml_at(b, i));
        break;
    case TOML_INTEGER:
        ZISK_ASSERT(toml_int(a) == toml_int(b));
        break;
    case TOML_FLOAT: {
        double x = toml_float(a), y = toml_float(b);
        ZISK_ASSERT((isnan(x) && isnan(y)) || (x == y && signbit(x) == signbit(y)));
        break;
    }
    case TOML_BOOLEAN:
        ZISK_ASSERT(toml_bool(a) == toml_bool(b));
        break;
    default: {
        size_t la, lb;
        const char *sa = toml_str(a, &la), *sb = toml_str(b, &lb);
        ZISK_ASSERT(la == lb && memcmp(sa, sb, la) == 0);
        if (toml_type_of(a) != TOML_STRING)
            ZISK_ASSERT(memcmp(toml_datetime_of(a), toml_datetime_of(b), sizeof(toml_datetime)) == 0);
        break;
    }
    }
}

/* Checks the promises of toml.h on every node; returns the depth below n. */
static int walk(const toml_node *n, int depth, uint32_t lines) {
    ZISK_ASSERT(depth <= TOML_MAX_DEPTH);
    ZISK_ASSERT(toml_line(n) >= 1 && toml_line(n) <= lines && toml_col(n) >= 1);
    ZISK_ASSERT(toml_key_line(n) >= 1 && toml_key_line(n) <= lines && toml_key_col(n) >= 1);
    toml_type t = toml_type_of(n);
    ZISK_ASSERT(t >= TOML_TABLE && t <= TOML_LOCAL_TIME);
    int max = depth;
    if (t == TOML_TABLE) {
        for (size_t i = 0; i < toml_len(n); i++) {
            size_t kl;
            const char *k = toml_key_at(n, i, &kl);
            ZISK_ASSERT(k[kl] == 0);
            const toml_node *v = toml_at(n, i);
            ZISK_ASSERT(toml_table_get(n, k, kl) == v); /* keys are unique */
            if (memchr(k, 0, kl) == NULL && kl < 200) {
                /* the same node through a quoted path */
                outbuf path = {0};
                out_quoted(&path, k, kl);
                ZISK_ASSERT(toml_lookup(n, path.p) == v);
                free(path.p);
            }
            int d = walk(v, depth + 1, lines);
            if (d > max) max = d;
        }
    } else if (t == TOML_ARRAY) {
        for (size_t i = 0; i < toml_len(n); i++) {
            const toml_node *e = toml_at(n, i);
            if (toml_is_array_of_tables(n)) ZISK_ASSERT(toml_type_of(e) == TOML_TABLE);
            int d = walk(e, depth + 1, lines);
            if (d > max) max = d;
        }
    } else if (t == TOML_STRING) {
        size_t l;
        const char *s = toml_str(n, &l);
        ZISK_ASSERT(s[l] == 0);
    } else if (t != TOML_INTEGER && t != TOML_FLOAT && t != TOML_BOOLEAN) {
        const toml_datetime *dt = toml_datetime_of(n);
        if (t != TOML_LOCAL_TIME)
            ZISK_ASSERT(dt->month >= 1 && dt->month <= 12 && dt->day >= 1 && dt->day <= 31);
        if (t != TOML_LOCAL_DATE)
            ZISK_ASSERT(dt->hour <= 23 && dt->minute <= 59 && dt->second <= 60 &&
                        dt->nanosecond < 1000000000u);
        ZISK_ASSERT(dt->offset_minutes > -24 * 60 && dt->offset_minutes < 24 * 60);
    }
    return max;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    uint32_t lines = 1;
    for (size_t i = 0; i < size; i++) lines += data[i] == '\n';
    toml_doc *doc = NULL;
    zisk_err err;
    err.msg[0] = 0;
    if (toml_parse(data, size, "f.toml", &doc, &err) != 0) {
        /* Every rejection says where: "f.toml:LINE:COL: what". */
        ZISK_ASSERT(doc == NULL);
        ZISK_ASSERT(memchr(err.msg, 0, sizeof err.msg) != NULL);
        unsigned line = 0, col = 0;
        int used = 0;
        ZISK_ASSERT(sscanf(err.msg, "f.toml:%u:%u: %n", &line, &col, &used) == 2 && used > 0);
        ZISK_ASSERT(line >= 1 && line <= lines && col >= 1);
        ZISK_ASSERT(err.msg[used] != 0);
        return 0;
    }
    const toml_node *root = toml_root(doc);
    ZISK_ASSERT(toml_type_of(root) == TOML_TABLE);
    int depth = walk(root, 0, lines);

    /* Round trip. Root tables become inline tables, one level deeper in the new tree only through
     * arrays of tables that become arrays of inline tables: the depth stays the same. */
    outbuf o = {0};
    out_str(&o, "");
    for (size_t i = 0; i < toml_len(root); i++) {
        size_t kl;
        const char *k = toml_key_at(root, i, &kl);
        out_quoted(&o, k, kl);
        out_str(&o, " = ");
        out_value(&o, toml_at(root, i));
        out_str(&o, "\n");
    }
    toml_doc *again = NULL;
    zisk_err err2;
    if (toml_parse(o.p, o.len, "roundtrip.toml", &again, &err2) != 0) {
        fprintf(stderr, "round trip failed (depth %d): %s\n---\n%s\n", depth, err2.msg, o.p);
        ZISK_ASSERT(!"re-parsing the written document failed");
    }
    check_same(root, toml_root(again));
    toml_free(again);
    free(o.p);
    toml_free(doc);
    return 0;
}
