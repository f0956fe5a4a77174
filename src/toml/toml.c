/*
 * toml.c: TOML 1.0 parser. A single pass of recursive descent straight over the bytes (no token
 * stream); recursion only for arrays and inline tables, bounded by TOML_MAX_DEPTH.
 *
 * The input is checked to be valid UTF-8 first, so later stages can copy multi-byte characters
 * without re-validating and every error message can quote the offending character.
 *
 * The tree lives in one arena owned by the doc: a failed parse frees everything at once, however
 * far it got, and nodes never move once created (growable arrays move, their elements do not).
 *
 * Table semantics (the subtle part of TOML). Every table carries how it came to be:
 *   TF_IMPLICIT  created as a prefix of a header path ("a" in [a.b]); one later [a] may define it.
 *   TF_HEADER    defined by [a] or an element of [[a]]; another [a] is an error.
 *   TF_DOTTED    created by a dotted key (a.b = 1 creates "a"); more dotted keys of the same block
 *                may add to it, a header may not redefine it, but [a.c] may add a sub-table.
 *   TF_INLINE    { ... }: closed once written, nothing may add to it.
 * Dotted keys only descend into TF_DOTTED tables. Blocks are never re-entered, so a TF_DOTTED
 * table is only reachable by dotted keys from the block that created it. Headers descend through
 * any table except inline ones, and into the last element of an array of tables (TF_AOT).
 */
#define _GNU_SOURCE
#include "toml.h"

#include <locale.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------------------------ tree */

enum {
    TF_IMPLICIT = 1u << 0,
    TF_HEADER = 1u << 1,
    TF_DOTTED = 1u << 2,
    TF_INLINE = 1u << 3,
    TF_AOT = 1u << 4, /* array created by [[header]] */
};

typedef struct toml_entry {
    const char *key;
    size_t key_len;
    toml_node *val;
} toml_entry;

struct toml_node {
    toml_type type;
    unsigned flags;
    uint32_t depth; /* root 0; a table's values and an array's elements are one deeper */
    uint32_t line, col, key_line, key_col;
    union {
        int64_t i;
        double f;
        bool b;
        struct {
            const char *s;
            size_t len;
            toml_datetime dt;
        } str;
        struct {
            toml_node **items;
            size_t n, cap;
        } arr;
        struct {
            toml_entry *e;
            size_t n, cap;
            uint32_t *index; /* open addressing, entry index + 1 (0 = empty); NULL while small */
            size_t index_cap;
        } tab;
    } u;
};

/* Arena: chunks of ARENA_CHUNK bytes; larger requests get a chunk of their own, linked behind
 * the current one so the current chunk keeps serving small requests. */
#define ARENA_CHUNK (64u * 1024u)
#define ARENA_ALIGN (_Alignof(max_align_t))

typedef struct arena_chunk {
    struct arena_chunk *next;
    size_t used, cap;
    max_align_t data[];
} arena_chunk;

struct toml_doc {
    arena_chunk *chunks;
    char *name;
    toml_node *root;
};

static void *arena_alloc(toml_doc *d, size_t n) {
    ZISK_ASSERT(n <= SIZE_MAX / 4);
    n = (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
    if (n == 0) n = ARENA_ALIGN;
    arena_chunk *c = d->chunks;
    if (c && c->cap - c->used >= n) {
        void *r = (unsigned char *)c->data + c->used;
        c->used += n;
        return r;
    }
    if (n > ARENA_CHUNK / 4) {
        arena_chunk *big = zisk_xmalloc(sizeof *big + n);
        big->used = big->cap = n;
        if (c) {
            big->next = c->next;
            c->next = big;
        } else {
            big->next = NULL;
            d->chunks = big;
        }
        return big->data;
    }
    arena_chunk *nc = zisk_xmalloc(sizeof *nc + ARENA_CHUNK);
    nc->next = c;
    nc->used = n;
    nc->cap = ARENA_CHUNK;
    d->chunks = nc;
    return nc->data;
}

static void arena_free(toml_doc *d) {
    for (arena_chunk *c = d->chunks, *next; c; c = next) {
        next = c->next;
        free(c);
    }
    d->chunks = NULL;
}

static char *arena_strndup(toml_doc *d, const void *s, size_t n) {
    char *r = arena_alloc(d, n + 1);
    if (n) memcpy(r, s, n);
    r[n] = 0;
    return r;
}

/* FNV-1a. Not seeded: a config file that collides its own keys only slows its own parse. */
static uint64_t key_hash(const char *k, size_t n) {
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)k[i]) * 0x100000001b3ull;
    return h;
}

#define TABLE_INDEX_MIN 8 /* below this many keys a linear scan is faster than hashing */

static toml_entry *table_find(const toml_node *t, const char *k, size_t n) {
    toml_entry *e = t->u.tab.e;
    if (t->u.tab.index) {
        size_t mask = t->u.tab.index_cap - 1;
        for (size_t h = key_hash(k, n) & mask;; h = (h + 1) & mask) {
            uint32_t ix = t->u.tab.index[h];
            if (!ix) return NULL;
            toml_entry *c = &e[ix - 1];
            if (c->key_len == n && memcmp(c->key, k, n) == 0) return c;
        }
    }
    for (size_t i = 0; i < t->u.tab.n; i++)
        if (e[i].key_len == n && memcmp(e[i].key, k, n) == 0) return &e[i];
    return NULL;
}

static void index_insert(toml_node *t, size_t ix) {
    size_t mask = t->u.tab.index_cap - 1;
    const toml_entry *e = &t->u.tab.e[ix];
    size_t h = key_hash(e->key, e->key_len) & mask;
    while (t->u.tab.index[h]) h = (h + 1) & mask;
    t->u.tab.index[h] = (uint32_t)(ix + 1);
}

/* Appends key -> v; the caller has checked that the key is not there yet. */
static void table_add(toml_doc *d, toml_node *t, const char *k, size_t n, toml_node *v) {
    ZISK_ASSERT(t->type == TOML_TABLE);
    if (t->u.tab.n == t->u.tab.cap) {
        size_t cap = t->u.tab.cap ? 2 * t->u.tab.cap : 4;
        toml_entry *e = arena_alloc(d, cap * sizeof *e);
        if (t->u.tab.n) memcpy(e, t->u.tab.e, t->u.tab.n * sizeof *e);
        t->u.tab.e = e;
        t->u.tab.cap = cap;
    }
    size_t ix = t->u.tab.n++;
    ZISK_ASSERT(ix < UINT32_MAX - 1);
    t->u.tab.e[ix] = (toml_entry){.key = k, .key_len = n, .val = v};
    if (t->u.tab.n <= TABLE_INDEX_MIN) return;
    if (!t->u.tab.index || 2 * t->u.tab.n > t->u.tab.index_cap) {
        size_t cap = 32;
        while (cap < 4 * t->u.tab.n) cap *= 2;
        t->u.tab.index = arena_alloc(d, cap * sizeof *t->u.tab.index);
        memset(t->u.tab.index, 0, cap * sizeof *t->u.tab.index);
        t->u.tab.index_cap = cap;
        for (size_t i = 0; i < t->u.tab.n; i++) index_insert(t, i);
    } else {
        index_insert(t, ix);
    }
}

static void array_push(toml_doc *d, toml_node *a, toml_node *v) {
    if (a->u.arr.n == a->u.arr.cap) {
        size_t cap = a->u.arr.cap ? 2 * a->u.arr.cap : 4;
        toml_node **items = arena_alloc(d, cap * sizeof *items);
        if (a->u.arr.n) memcpy(items, a->u.arr.items, a->u.arr.n * sizeof *items);
        a->u.arr.items = items;
        a->u.arr.cap = cap;
    }
    a->u.arr.items[a->u.arr.n++] = v;
}

/* ---------------------------------------------------------------------------------- parser */

typedef struct tpos {
    uint32_t line, col;
} tpos;

typedef struct keypart {
    const char *s; /* decoded, in the arena */
    size_t len;
    tpos at;
} keypart;

#define KEY_TEXT_MAX 112 /* keys quoted in messages are cut to about this many bytes */

typedef struct parser {
    const unsigned char *s;
    size_t len, pos;
    uint32_t line;
    size_t line_start;
    /* Column cache: columns count characters from line_start, and positions are asked for
     * mostly in increasing order, so continue from the last answer on the same line. Keeps a
     * long single-line document linear. */
    size_t cc_line_start, cc_pos;
    uint32_t cc_col;
    const char *name;
    zisk_err *err;
    bool failed;
    toml_doc *doc;
    char *sb; /* scratch for decoding strings and numbers */
    size_t sb_len, sb_cap;
    keypart *parts; /* the key being parsed, reused by every key */
    size_t nparts, parts_cap;
    locale_t cloc; /* "C" numeric locale for strtod_l, created on the first float */
    char last_key[KEY_TEXT_MAX + 8];
} parser;

static int peek(const parser *p, size_t k) {
    return p->pos + k < p->len ? p->s[p->pos + k] : -1;
}

static uint32_t col_of(parser *p, size_t pos) {
    ZISK_ASSERT(pos >= p->line_start);
    size_t from = p->line_start;
    uint32_t col = 1;
    if (p->cc_line_start == p->line_start && p->cc_pos <= pos) {
        from = p->cc_pos;
        col = p->cc_col;
    }
    for (size_t i = from; i < pos && i < p->len; i++)
        if ((p->s[i] & 0xC0) != 0x80) col++;
    p->cc_line_start = p->line_start;
    p->cc_pos = pos;
    p->cc_col = col;
    return col;
}

static tpos here(parser *p) {
    return (tpos){p->line, col_of(p, p->pos)};
}

/* A position k ASCII characters after `at` on the same line (tokens are ASCII). */
static tpos tpos_add(tpos at, size_t k) {
    return (tpos){at.line, at.col + (uint32_t)k};
}

static int fail_at(parser *p, tpos at, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail_at(parser *p, tpos at, const char *fmt, ...) {
    if (!p->failed) {
        p->failed = true;
        if (p->err) {
            char msg[ZISK_ERR_MSG_MAX];
            va_list ap;
            va_start(ap, fmt);
            vsnprintf(msg, sizeof msg, fmt, ap);
            va_end(ap);
            zisk_err_set(p->err, "%s:%u:%u: %s", p->name, at.line, at.col, msg);
        }
    }
    return -1;
}

#define fail(p, ...) fail_at((p), here(p), __VA_ARGS__)

static void newline(parser *p, size_t n) {
    p->pos += n;
    p->line++;
    p->line_start = p->pos;
}

static bool is_ctrl(unsigned c) {
    return (c < 0x20 && c != '\t') || c == 0x7f;
}

static bool is_bare(int c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
}

static bool is_digit(int c) {
    return c >= '0' && c <= '9';
}

/* Length of the valid UTF-8 sequence at s[0..n), or 0 when it is not valid (overlong forms,
 * surrogates and values above U+10FFFF are invalid). */
static size_t utf8_seq(const unsigned char *s, size_t n) {
    unsigned c = s[0];
    if (c < 0x80) return 1;
    if (c < 0xC2) return 0;
    size_t l = c < 0xE0 ? 2 : c < 0xF0 ? 3 : c < 0xF5 ? 4 : 0;
    if (l == 0 || n < l) return 0;
    for (size_t i = 1; i < l; i++)
        if ((s[i] & 0xC0) != 0x80) return 0;
    if (c == 0xE0 && s[1] < 0xA0) return 0; /* overlong */
    if (c == 0xED && s[1] >= 0xA0) return 0; /* surrogate */
    if (c == 0xF0 && s[1] < 0x90) return 0; /* overlong */
    if (c == 0xF4 && s[1] >= 0x90) return 0; /* above U+10FFFF */
    return l;
}

/* Describes the character at pos for "found ..." in messages. */
static const char *describe(const parser *p, size_t pos, char *buf, size_t cap) {
    if (pos >= p->len) return "end of file";
    unsigned c = p->s[pos];
    if (c == '\n' || (c == '\r' && pos + 1 < p->len && p->s[pos + 1] == '\n')) return "end of line";
    if (c == '\r') return "a carriage return without a line feed";
    if (c == '\t') return "a tab";
    if (c == ' ') return "a space";
    if (c == '#') return "a comment";
    if (is_ctrl(c)) {
        snprintf(buf, cap, "control character U+%04X", c);
        return buf;
    }
    size_t l = c < 0x80 ? 1 : utf8_seq(p->s + pos, p->len - pos);
    if (l == 0) l = 1;
    snprintf(buf, cap, "'%.*s'", (int)l, (const char *)p->s + pos);
    return buf;
}

#define FOUND(p) describe((p), (p)->pos, (char[48]){0}, 48)

/* Renders key parts for messages: bare parts as written, others quoted; cut near cap. */
static void render_key(const keypart *parts, size_t n, char *buf, size_t cap) {
    size_t o = 0;
    const size_t limit = cap - 8; /* room for "..." and NUL */
    buf[0] = 0;
    for (size_t k = 0; k < n; k++) {
        const unsigned char *s = (const unsigned char *)parts[k].s;
        size_t len = parts[k].len;
        bool bare = len > 0;
        for (size_t i = 0; i < len && bare; i++) bare = is_bare(s[i]);
        char tmp[16];
        if (k && o < limit) buf[o++] = '.';
        if (!bare && o < limit) buf[o++] = '"';
        for (size_t i = 0; i < len;) {
            size_t l = 1;
            const char *piece = (const char *)s + i;
            if (s[i] == '"' || s[i] == '\\') {
                snprintf(tmp, sizeof tmp, "\\%c", s[i]);
                piece = tmp;
                l = 2;
            } else if (is_ctrl(s[i]) || s[i] == '\t') {
                snprintf(tmp, sizeof tmp, "\\u%04X", s[i]);
                piece = tmp;
                l = 6;
            } else if (s[i] >= 0x80) {
                l = utf8_seq(s + i, len - i);
                if (l == 0) l = 1; /* keys are decoded from valid UTF-8; defensive only */
            }
            if (o + l > limit) {
                memcpy(buf + o, "...", 3);
                buf[o + 3] = 0;
                return;
            }
            memcpy(buf + o, piece, l);
            o += l;
            i += (piece == tmp) ? 1 : l;
        }
        if (!bare && o < limit) buf[o++] = '"';
    }
    buf[o] = 0;
}

static const char *type_phrase(const toml_node *v) {
    switch (v->type) {
    case TOML_TABLE: return (v->flags & TF_INLINE) ? "an inline table" : "a table";
    case TOML_ARRAY: return (v->flags & TF_AOT) ? "an array of tables" : "an array";
    case TOML_STRING: return "a string";
    case TOML_INTEGER: return "an integer";
    case TOML_FLOAT: return "a float";
    case TOML_BOOLEAN: return "a boolean";
    case TOML_OFFSET_DATETIME: return "an offset date-time";
    case TOML_LOCAL_DATETIME: return "a local date-time";
    case TOML_LOCAL_DATE: return "a local date";
    case TOML_LOCAL_TIME: return "a local time";
    }
    return "a value";
}

/* scratch buffer */
static void sb_put(parser *p, const void *d, size_t n) {
    if (p->sb_cap - p->sb_len < n + 1) {
        size_t cap = p->sb_cap ? p->sb_cap : 256;
        while (cap - p->sb_len < n + 1) cap *= 2;
        p->sb = zisk_xrealloc(p->sb, cap);
        p->sb_cap = cap;
    }
    memcpy(p->sb + p->sb_len, d, n);
    p->sb_len += n;
    p->sb[p->sb_len] = 0;
}

static void sb_putc(parser *p, char c) {
    sb_put(p, &c, 1);
}

static void sb_put_utf8(parser *p, uint32_t cp) {
    unsigned char b[4];
    size_t n;
    if (cp < 0x80) {
        b[0] = (unsigned char)cp;
        n = 1;
    } else if (cp < 0x800) {
        b[0] = (unsigned char)(0xC0 | (cp >> 6));
        b[1] = (unsigned char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        b[0] = (unsigned char)(0xE0 | (cp >> 12));
        b[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        b[2] = (unsigned char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        b[0] = (unsigned char)(0xF0 | (cp >> 18));
        b[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
        b[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        b[3] = (unsigned char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    sb_put(p, b, n);
}

static toml_node *new_node(parser *p, toml_type type, uint32_t depth, tpos at) {
    toml_node *n = arena_alloc(p->doc, sizeof *n);
    memset(n, 0, sizeof *n);
    n->type = type;
    n->depth = depth;
    n->line = n->key_line = at.line;
    n->col = n->key_col = at.col;
    return n;
}

static toml_node *new_table(parser *p, unsigned flags, uint32_t depth, tpos at, tpos key_at) {
    toml_node *t = new_node(p, TOML_TABLE, depth, at);
    t->flags = flags;
    t->key_line = key_at.line;
    t->key_col = key_at.col;
    return t;
}

/* ------------------------------------------------------------------------ whitespace, lines */

static void skip_ws(parser *p) {
    while (p->pos < p->len && (p->s[p->pos] == ' ' || p->s[p->pos] == '\t')) p->pos++;
}

/* At '#': skips the comment up to (not including) its line end. */
static int skip_comment(parser *p) {
    p->pos++;
    while (p->pos < p->len) {
        unsigned c = p->s[p->pos];
        if (c == '\n') return 0;
        if (c == '\r') {
            if (peek(p, 1) == '\n') return 0;
            return fail(p, "carriage return without a line feed in a comment");
        }
        if (is_ctrl(c)) return fail(p, "control character U+%04X is not allowed in a comment", c);
        p->pos++;
    }
    return 0;
}

/* Whitespace, comments and newlines, as allowed between array elements. */
static int skip_ws_comments_newlines(parser *p) {
    for (;;) {
        int c = peek(p, 0);
        if (c == ' ' || c == '\t') {
            p->pos++;
        } else if (c == '\n') {
            newline(p, 1);
        } else if (c == '\r' && peek(p, 1) == '\n') {
            newline(p, 2);
        } else if (c == '#') {
            if (skip_comment(p)) return -1;
        } else {
            return 0;
        }
    }
}

/* The rest of a line after a key/value pair or header: whitespace, an optional comment, then a
 * line end or the end of the document. */
static int expect_eol(parser *p, const char *after) {
    skip_ws(p);
    if (peek(p, 0) == '#' && skip_comment(p)) return -1;
    int c = peek(p, 0);
    if (c < 0) return 0;
    if (c == '\n') {
        newline(p, 1);
        return 0;
    }
    if (c == '\r' && peek(p, 1) == '\n') {
        newline(p, 2);
        return 0;
    }
    return fail(p, "expected end of line after %s, found %s", after, FOUND(p));
}

/* -------------------------------------------------------------------------------- strings */

static int hex_val(int c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* At a backslash inside a basic string. */
static int parse_escape(parser *p, bool ml) {
    tpos at = here(p);
    int e = peek(p, 1);
    char simple = 0;
    switch (e) {
    case 'b': simple = '\b'; break;
    case 't': simple = '\t'; break;
    case 'n': simple = '\n'; break;
    case 'f': simple = '\f'; break;
    case 'r': simple = '\r'; break;
    case '"': simple = '"'; break;
    case '\\': simple = '\\'; break;
    default: break;
    }
    if (simple) {
        sb_putc(p, simple);
        p->pos += 2;
        return 0;
    }
    if (e == 'u' || e == 'U') {
        int nd = e == 'u' ? 4 : 8;
        uint32_t cp = 0;
        for (int i = 0; i < nd; i++) {
            int v = hex_val(peek(p, 2 + (size_t)i));
            if (v < 0)
                return fail_at(p, at, "escape \\%c needs exactly %d hexadecimal digits", e, nd);
            cp = cp * 16 + (uint32_t)v;
        }
        if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return fail_at(p, at, "escape \\%c%.*s is not a Unicode scalar value", e, nd,
                           (const char *)p->s + p->pos + 2);
        sb_put_utf8(p, cp);
        p->pos += 2 + (size_t)nd;
        return 0;
    }
    if (ml) {
        /* Line-ending backslash: trims the line end and all whitespace/newlines after it. */
        size_t i = p->pos + 1;
        while (i < p->len && (p->s[i] == ' ' || p->s[i] == '\t')) i++;
        if (i < p->len && (p->s[i] == '\n' || (p->s[i] == '\r' && i + 1 < p->len && p->s[i + 1] == '\n'))) {
            p->pos = i;
            for (;;) {
                int c = peek(p, 0);
                if (c == ' ' || c == '\t')
                    p->pos++;
                else if (c == '\n')
                    newline(p, 1);
                else if (c == '\r' && peek(p, 1) == '\n')
                    newline(p, 2);
                else
                    return 0;
            }
        }
    }
    if (e < 0) return fail_at(p, at, "unterminated string: backslash at end of file");
    if (e > 0x20 && e < 0x7f)
        return fail_at(p, at, "invalid escape sequence '\\%c' (valid: \\b \\t \\n \\f \\r \\\" \\\\ "
                              "\\uXXXX \\UXXXXXXXX)", e);
    p->pos++;
    return fail_at(p, at, "invalid escape sequence: backslash followed by %s", FOUND(p));
}

/* At an opening quote: parses any of the four string forms (multi-line ones only when allow_ml)
 * and returns the decoded bytes, copied into the arena. */
static int parse_string(parser *p, bool allow_ml, const char **out, size_t *out_len) {
    tpos start = here(p);
    const unsigned char q = p->s[p->pos];
    const bool literal = q == '\'';
    const bool ml = peek(p, 1) == q && peek(p, 2) == q;
    if (ml && !allow_ml) return fail_at(p, start, "a multi-line string cannot be used as a key");
    const char *close = ml ? (literal ? "'''" : "\"\"\"") : (literal ? "'" : "\"");
    p->sb_len = 0;
    sb_put(p, "", 0);
    p->pos += ml ? 3 : 1;
    if (ml) { /* a newline right after the opening delimiter is trimmed */
        if (peek(p, 0) == '\n')
            newline(p, 1);
        else if (peek(p, 0) == '\r' && peek(p, 1) == '\n')
            newline(p, 2);
    }
    for (;;) {
        if (p->pos >= p->len)
            return fail_at(p, start, "unterminated string: no closing %s before end of file", close);
        unsigned c = p->s[p->pos];
        if (c == q) {
            if (!ml) {
                p->pos++;
                break;
            }
            size_t run = 0;
            while (p->pos + run < p->len && p->s[p->pos + run] == q) run++;
            if (run < 3) { /* one or two quotes are content */
                sb_put(p, p->s + p->pos, run);
                p->pos += run;
                continue;
            }
            /* A run of 3..5 closes the string, up to two quotes before it being content. */
            if (run > 5)
                return fail(p, "%zu consecutive %s in a multi-line string: at most two may appear "
                               "together (escape the others)", run, literal ? "apostrophes" : "quotes");
            sb_put(p, p->s + p->pos, run - 3);
            p->pos += run;
            break;
        }
        if (c == '\\' && !literal) {
            if (parse_escape(p, ml)) return -1;
            continue;
        }
        if (c == '\n' || (c == '\r' && peek(p, 1) == '\n')) {
            if (!ml)
                return fail_at(p, start, "unterminated string: no closing %s before end of line "
                                         "(multi-line strings use %s)", close, literal ? "'''" : "\"\"\"");
            sb_putc(p, '\n'); /* CRLF is normalised to LF */
            newline(p, c == '\n' ? 1 : 2);
            continue;
        }
        if (c == '\r') return fail(p, "carriage return without a line feed in a string");
        if (is_ctrl(c))
            return fail(p, "control character U+%04X is not allowed in a string%s", c,
                        literal ? "" : " (write it as an escape)");
        /* Copy a run of ordinary bytes at once (UTF-8 was validated up front). */
        size_t e = p->pos + 1;
        while (e < p->len) {
            unsigned d = p->s[e];
            if (d == q || d == '\\' || d == '\n' || d == '\r' || (d < 0x80 && is_ctrl(d))) break;
            e++;
        }
        sb_put(p, p->s + p->pos, e - p->pos);
        p->pos = e;
    }
    *out = arena_strndup(p->doc, p->sb, p->sb_len);
    *out_len = p->sb_len;
    return 0;
}

/* ----------------------------------------------------------------------------------- keys */

/* Parses a (dotted) key into p->parts. ctx names what was expected, for the message. */
static int parse_key(parser *p, const char *ctx) {
    p->nparts = 0;
    for (;;) {
        keypart kp;
        kp.at = here(p);
        int c = peek(p, 0);
        if (is_bare(c)) {
            size_t st = p->pos;
            while (is_bare(peek(p, 0))) p->pos++;
            kp.len = p->pos - st;
            kp.s = arena_strndup(p->doc, p->s + st, kp.len);
        } else if (c == '"' || c == '\'') {
            if (parse_string(p, false, &kp.s, &kp.len)) return -1;
        } else {
            return fail(p, "expected %s, found %s", p->nparts ? "a key after '.'" : ctx, FOUND(p));
        }
        if (p->nparts == p->parts_cap) {
            p->parts_cap = p->parts_cap ? 2 * p->parts_cap : 8;
            p->parts = zisk_xrealloc(p->parts, p->parts_cap * sizeof *p->parts);
        }
        p->parts[p->nparts++] = kp;
        skip_ws(p);
        if (peek(p, 0) != '.') return 0;
        p->pos++;
        skip_ws(p);
    }
}

/* --------------------------------------------------------------------- numbers, date-times */

static int digit_val(int c, int radix) {
    int v = hex_val(c);
    return v >= 0 && v < radix ? v : -1;
}

static const char *radix_name(int radix) {
    return radix == 16 ? "hexadecimal" : radix == 8 ? "octal" : radix == 2 ? "binary" : "decimal";
}

/* Scans DIGIT *( [ "_" ] DIGIT ) in radix from t[*i], appending the digits to the scratch buffer.
 * Returns the number of digits, or -1 (failed; message says what). */
static long scan_digits(parser *p, const char *t, size_t n, size_t *i, int radix, tpos at,
                        const char *where) {
    long nd = 0;
    if (*i >= n || digit_val(t[*i], radix) < 0) {
        if (*i < n && t[*i] == '_') return fail_at(p, tpos_add(at, *i), "underscores in numbers must be between digits");
        if (*i < n)
            return fail_at(p, tpos_add(at, *i), "expected %s %s digit%s%s, found '%c'",
                           radix == 8 ? "an" : "a", radix_name(radix), *where ? " " : "", where, t[*i]);
        return fail_at(p, tpos_add(at, *i), "expected %s %s digit%s%s", radix == 8 ? "an" : "a",
                       radix_name(radix), *where ? " " : "", where);
    }
    while (*i < n) {
        if (digit_val(t[*i], radix) >= 0) {
            sb_putc(p, t[*i]);
            nd++;
            (*i)++;
        } else if (t[*i] == '_') {
            if (*i + 1 >= n || digit_val(t[*i + 1], radix) < 0)
                return fail_at(p, tpos_add(at, *i), "underscores in numbers must be between digits");
            (*i)++;
        } else {
            break;
        }
    }
    return nd;
}

#define TOKEN_SHOW 40 /* number/date tokens quoted in messages are cut to this */

static int parse_number(parser *p, const char *t, size_t n, tpos at, toml_node *node) {
    const int shown = (int)(n < TOKEN_SHOW ? n : TOKEN_SHOW);
    const char *more = n > TOKEN_SHOW ? "..." : "";
    size_t i = 0;
    bool neg = false, sign = false;
    if (t[0] == '+' || t[0] == '-') {
        sign = true;
        neg = t[0] == '-';
        i = 1;
    }
    if (n - i == 3 && (memcmp(t + i, "inf", 3) == 0 || memcmp(t + i, "nan", 3) == 0)) {
        node->type = TOML_FLOAT;
        node->u.f = t[i] == 'i' ? (double)INFINITY : (double)NAN;
        if (neg) node->u.f = -node->u.f;
        return 0;
    }
    p->sb_len = 0;
    if (n - i >= 2 && t[i] == '0' && (t[i + 1] == 'x' || t[i + 1] == 'o' || t[i + 1] == 'b')) {
        int radix = t[i + 1] == 'x' ? 16 : t[i + 1] == 'o' ? 8 : 2;
        if (sign)
            return fail_at(p, at, "a sign is not allowed on %s integers ('%.*s%s')", radix_name(radix),
                           shown, t, more);
        i += 2;
        char where[24];
        snprintf(where, sizeof where, "after '0%c'", t[1]);
        if (scan_digits(p, t, n, &i, radix, at, where) < 0) return -1;
        if (i != n)
            return fail_at(p, tpos_add(at, i), "invalid character '%c' in %s integer '%.*s%s'", t[i],
                           radix_name(radix), shown, t, more);
        uint64_t acc = 0;
        for (size_t k = 0; k < p->sb_len; k++) {
            uint64_t d = (uint64_t)digit_val(p->sb[k], radix);
            if (acc > ((uint64_t)INT64_MAX - d) / (uint64_t)radix)
                return fail_at(p, at, "integer '%.*s%s' does not fit in a signed 64-bit integer", shown,
                               t, more);
            acc = acc * (uint64_t)radix + d;
        }
        node->type = TOML_INTEGER;
        node->u.i = (int64_t)acc;
        return 0;
    }

    if (neg) sb_putc(p, '-');
    size_t int_start = i;
    long nd = scan_digits(p, t, n, &i, 10, at, sign ? "after the sign" : "");
    if (nd < 0) return -1;
    if (t[int_start] == '0' && nd > 1)
        return fail_at(p, tpos_add(at, int_start), "leading zeros are not allowed in '%.*s%s'", shown,
                       t, more);
    bool is_float = false;
    if (i < n && t[i] == '.') {
        is_float = true;
        sb_putc(p, '.');
        i++;
        if (scan_digits(p, t, n, &i, 10, at, "after the decimal point") < 0) return -1;
    }
    if (i < n && (t[i] == 'e' || t[i] == 'E')) {
        is_float = true;
        sb_putc(p, 'e');
        i++;
        if (i < n && (t[i] == '+' || t[i] == '-')) sb_putc(p, t[i++]);
        if (scan_digits(p, t, n, &i, 10, at, "in the exponent") < 0) return -1;
    }
    if (i != n)
        return fail_at(p, tpos_add(at, i), "invalid character '%c' in number '%.*s%s'", t[i], shown, t,
                       more);
    if (!is_float) {
        const uint64_t limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
        uint64_t acc = 0;
        for (size_t k = neg ? 1 : 0; k < p->sb_len; k++) {
            uint64_t d = (uint64_t)(p->sb[k] - '0');
            if (acc > (limit - d) / 10)
                return fail_at(p, at, "integer '%.*s%s' does not fit in a signed 64-bit integer", shown,
                               t, more);
            acc = acc * 10 + d;
        }
        node->type = TOML_INTEGER;
        node->u.i = neg ? (acc == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)acc) : (int64_t)acc;
        return 0;
    }
    if (!p->cloc) {
        p->cloc = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
        if (!p->cloc) return fail_at(p, at, "cannot create the C locale to convert '%.*s%s'", shown, t, more);
    }
    char *end = NULL;
    double v = strtod_l(p->sb, &end, p->cloc);
    ZISK_ASSERT(end == p->sb + p->sb_len); /* the scratch holds a well-formed C float */
    if (isinf(v))
        return fail_at(p, at, "float '%.*s%s' is out of range for a 64-bit float", shown, t, more);
    node->type = TOML_FLOAT;
    node->u.f = v;
    return 0;
}

static bool digits_at(const char *t, size_t n, size_t i, size_t count) {
    if (i + count > n) return false;
    for (size_t k = 0; k < count; k++)
        if (!is_digit(t[i + k])) return false;
    return true;
}

static int num2(const char *t) {
    return (t[0] - '0') * 10 + (t[1] - '0');
}

static int days_in_month(int year, int month) {
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (month == 2 && ((year % 4 == 0 && year % 100 != 0) || year % 400 == 0)) return 29;
    return days[month - 1];
}

/* RFC 3339 date-times as TOML 1.0 restricts them (seconds are required). */
static int parse_datetime(parser *p, const char *t, size_t n, tpos at, toml_node *node) {
    const int shown = (int)(n < TOKEN_SHOW ? n : TOKEN_SHOW);
    const char *more = n > TOKEN_SHOW ? "..." : "";
    toml_datetime dt;
    memset(&dt, 0, sizeof dt);
    size_t i = 0;
    bool has_date = false, has_offset = false;
    if (n >= 5 && digits_at(t, n, 0, 4) && t[4] == '-') {
        if (!(digits_at(t, n, 5, 2) && n >= 8 && t[7] == '-' && digits_at(t, n, 8, 2) &&
              (n == 10 || !is_digit(t[10]))))
            return fail_at(p, at, "invalid date '%.*s%s': expected YYYY-MM-DD", shown, t, more);
        dt.year = (t[0] - '0') * 1000 + (t[1] - '0') * 100 + num2(t + 2);
        dt.month = num2(t + 5);
        dt.day = num2(t + 8);
        if (dt.month < 1 || dt.month > 12)
            return fail_at(p, tpos_add(at, 5), "invalid date '%.*s%s': month %02d is not 01..12", shown,
                           t, more, dt.month);
        if (dt.day < 1 || dt.day > days_in_month(dt.year, dt.month))
            return fail_at(p, tpos_add(at, 8), "invalid date '%.*s%s': %04d-%02d has no day %02d", shown,
                           t, more, dt.year, dt.month, dt.day);
        has_date = true;
        i = 10;
        if (i == n) goto done;
        if (t[i] != 'T' && t[i] != 't' && t[i] != ' ')
            return fail_at(p, tpos_add(at, i), "invalid date-time '%.*s%s': expected 'T' or a space "
                                               "between date and time, found '%c'", shown, t, more, t[i]);
        i++;
    }
    if (!(digits_at(t, n, i, 2) && i + 2 < n && t[i + 2] == ':' && digits_at(t, n, i + 3, 2) &&
          i + 5 < n && t[i + 5] == ':' && digits_at(t, n, i + 6, 2)))
        return fail_at(p, tpos_add(at, i), "invalid time in '%.*s%s': expected HH:MM:SS (seconds are "
                                           "required)", shown, t, more);
    dt.hour = num2(t + i);
    dt.minute = num2(t + i + 3);
    dt.second = num2(t + i + 6);
    if (dt.hour > 23 || dt.minute > 59 || dt.second > 60)
        return fail_at(p, tpos_add(at, i), "invalid time in '%.*s%s': %02d:%02d:%02d is out of range",
                       shown, t, more, dt.hour, dt.minute, dt.second);
    i += 8;
    if (i < n && t[i] == '.') {
        i++;
        if (i >= n || !is_digit(t[i]))
            return fail_at(p, tpos_add(at, i), "invalid time in '%.*s%s': expected digits after '.'",
                           shown, t, more);
        int nd = 0;
        for (; i < n && is_digit(t[i]); i++, nd++)
            if (nd < 9) dt.nanosecond = dt.nanosecond * 10 + (uint32_t)(t[i] - '0');
        for (; nd < 9; nd++) dt.nanosecond *= 10;
    }
    if (has_date && i < n) {
        if (t[i] == 'Z' || t[i] == 'z') {
            has_offset = true;
            i++;
        } else if (t[i] == '+' || t[i] == '-') {
            if (!(digits_at(t, n, i + 1, 2) && i + 3 < n && t[i + 3] == ':' && digits_at(t, n, i + 4, 2)))
                return fail_at(p, tpos_add(at, i), "invalid offset in '%.*s%s': expected Z or +HH:MM",
                               shown, t, more);
            int oh = num2(t + i + 1), om = num2(t + i + 4);
            if (oh > 23 || om > 59)
                return fail_at(p, tpos_add(at, i), "invalid offset in '%.*s%s': out of range", shown, t,
                               more);
            dt.offset_minutes = (t[i] == '-' ? -1 : 1) * (oh * 60 + om);
            has_offset = true;
            i += 6;
        }
    }
    if (i != n) {
        if (!has_date && (t[i] == 'Z' || t[i] == 'z' || t[i] == '+' || t[i] == '-'))
            return fail_at(p, tpos_add(at, i), "a local time cannot have an offset ('%.*s%s')", shown, t,
                           more);
        return fail_at(p, tpos_add(at, i), "invalid date-time '%.*s%s': unexpected '%c'", shown, t, more,
                       t[i]);
    }
done:
    node->type = has_offset ? TOML_OFFSET_DATETIME
                 : has_date ? (i > 10 ? TOML_LOCAL_DATETIME : TOML_LOCAL_DATE)
                            : TOML_LOCAL_TIME;
    node->u.str.s = arena_strndup(p->doc, t, n);
    node->u.str.len = n;
    node->u.str.dt = dt;
    return 0;
}

/* Characters a number, boolean, inf/nan or date-time may consist of (the token ends at the
 * first other one; whether it is well-formed is decided afterwards). */
static bool is_tok(int c) {
    return is_bare(c) || c == '+' || c == '.' || c == ':';
}

static int parse_scalar(parser *p, uint32_t depth, tpos at, toml_node **out) {
    size_t st = p->pos, e = st;
    while (e < p->len && is_tok(p->s[e])) e++;
    const char *t = (const char *)p->s + st;
    /* "1979-05-27 07:32:00": a space may separate date and time. */
    if (e - st == 10 && digits_at(t, 10, 0, 4) && t[4] == '-' && e + 3 < p->len && p->s[e] == ' ' &&
        is_digit(p->s[e + 1]) && is_digit(p->s[e + 2]) && p->s[e + 3] == ':') {
        e++;
        while (e < p->len && is_tok(p->s[e])) e++;
    }
    size_t n = e - st;
    ZISK_ASSERT(n > 0);
    toml_node *node = new_node(p, TOML_BOOLEAN, depth, at);
    const int shown = (int)(n < TOKEN_SHOW ? n : TOKEN_SHOW);
    const char *more = n > TOKEN_SHOW ? "..." : "";
    int rc;
    if ((n == 4 && memcmp(t, "true", 4) == 0) || (n == 5 && memcmp(t, "false", 5) == 0)) {
        node->u.b = n == 4;
        rc = 0;
    } else if ((t[0] >= 'a' && t[0] <= 'z') || (t[0] >= 'A' && t[0] <= 'Z') || t[0] == '_') {
        if ((n == 3 && (memcmp(t, "inf", 3) == 0 || memcmp(t, "nan", 3) == 0)))
            rc = parse_number(p, t, n, at, node);
        else
            rc = fail_at(p, at, "invalid value '%.*s%s' (strings must be quoted; booleans are "
                                "lowercase true/false)", shown, t, more);
    } else if ((n >= 5 && digits_at(t, n, 0, 4) && t[4] == '-') ||
               (n >= 3 && digits_at(t, n, 0, 2) && t[2] == ':')) {
        rc = parse_datetime(p, t, n, at, node);
    } else {
        rc = parse_number(p, t, n, at, node);
    }
    if (rc) return -1;
    p->pos = e;
    *out = node;
    return 0;
}

/* ---------------------------------------------------------------------------------- values */

static int parse_value(parser *p, const char *ctx, uint32_t depth, toml_node **out);
static int parse_keyval(parser *p, toml_node *t, const char *ctx);

/* Every node's depth is bounded, whether it comes from headers, dotted keys, arrays or inline
 * tables: the parser recurses only through arrays and inline tables, and consumers may walk the
 * tree recursively. */
static int check_depth(parser *p, uint32_t depth, tpos at) {
    if (depth > TOML_MAX_DEPTH)
        return fail_at(p, at, "nested deeper than %d levels (tables, arrays and inline tables count "
                              "together)", TOML_MAX_DEPTH);
    return 0;
}

static int parse_array(parser *p, uint32_t depth, toml_node **out) {
    tpos at = here(p);
    toml_node *a = new_node(p, TOML_ARRAY, depth, at);
    p->pos++;
    for (;;) {
        if (skip_ws_comments_newlines(p)) return -1;
        if (peek(p, 0) == ']') break;
        toml_node *v;
        char ctx[64];
        snprintf(ctx, sizeof ctx, "a value or ']' in the array opened at %u:%u", at.line, at.col);
        if (parse_value(p, ctx, depth + 1, &v)) return -1;
        array_push(p->doc, a, v);
        if (skip_ws_comments_newlines(p)) return -1;
        int c = peek(p, 0);
        if (c == ',') {
            p->pos++;
            continue;
        }
        if (c == ']') break;
        return fail(p, "expected ',' or ']' after an element of the array opened at %u:%u, found %s",
                    at.line, at.col, FOUND(p));
    }
    p->pos++; /* ']' */
    *out = a;
    return 0;
}

static int parse_inline_table(parser *p, uint32_t depth, toml_node **out) {
    tpos at = here(p);
    toml_node *t = new_table(p, TF_INLINE, depth, at, at);
    p->pos++;
    skip_ws(p);
    if (peek(p, 0) != '}') {
        for (;;) {
            int c = peek(p, 0);
            if (c == '\n' || c == '\r')
                return fail(p, "an inline table must be written on one line (TOML 1.0); use a [table] "
                               "for longer ones");
            if (parse_keyval(p, t, "a key in the inline table")) return -1;
            skip_ws(p);
            c = peek(p, 0);
            if (c == ',') {
                p->pos++;
                skip_ws(p);
                if (peek(p, 0) == '}') return fail(p, "a trailing comma is not allowed in an inline table");
                continue;
            }
            if (c == '}') break;
            if (c == '\n' || c == '\r' || c == '#')
                return fail(p, "an inline table must be written on one line (TOML 1.0): expected ',' or "
                               "'}' to continue the one opened at %u:%u, found %s", at.line, at.col,
                            FOUND(p));
            return fail(p, "expected ',' or '}' in the inline table opened at %u:%u, found %s", at.line,
                        at.col, FOUND(p));
        }
    }
    p->pos++; /* '}' */
    *out = t;
    return 0;
}

/* A value whose node will sit at the given depth. */
static int parse_value(parser *p, const char *ctx, uint32_t depth, toml_node **out) {
    tpos at = here(p);
    if (check_depth(p, depth, at)) return -1;
    int c = peek(p, 0);
    if (c == '"' || c == '\'') {
        toml_node *n = new_node(p, TOML_STRING, depth, at);
        if (parse_string(p, true, &n->u.str.s, &n->u.str.len)) return -1;
        *out = n;
        return 0;
    }
    if (c == '[') return parse_array(p, depth, out);
    if (c == '{') return parse_inline_table(p, depth, out);
    if (c >= 0 && is_tok(c) && c != '.' && c != ':') return parse_scalar(p, depth, at, out);
    return fail(p, "expected %s, found %s", ctx, FOUND(p));
}

/* Why a dotted key cannot descend into v (the table/value its prefix names). */
static int dotted_conflict(parser *p, tpos at, const char *name, const toml_node *v) {
    if (v->type == TOML_TABLE && (v->flags & TF_INLINE))
        return fail_at(p, at, "cannot add to '%s': it is an inline table (defined at %u:%u), which is "
                              "complete once written", name, v->line, v->col);
    if (v->type == TOML_TABLE)
        return fail_at(p, at, "cannot use a dotted key to add to table '%s': it was created by a "
                              "[header] at %u:%u", name, v->line, v->col);
    return fail_at(p, at, "cannot use '%s' as a table: it is already %s (defined at %u:%u)", name,
                   type_phrase(v), v->key_line, v->key_col);
}

/* key = value, added to table t. */
static int parse_keyval(parser *p, toml_node *t, const char *ctx) {
    char name[KEY_TEXT_MAX + 8];
    if (parse_key(p, ctx)) return -1;
    render_key(p->parts, p->nparts, name, sizeof name);
    if (peek(p, 0) != '=')
        return fail(p, "expected '=' after key '%s', found %s", name, FOUND(p));
    p->pos++;
    for (size_t i = 0; i + 1 < p->nparts; i++) {
        const keypart *kp = &p->parts[i];
        toml_entry *e = table_find(t, kp->s, kp->len);
        if (!e) {
            if (check_depth(p, t->depth + 1, kp->at)) return -1;
            toml_node *c = new_table(p, TF_DOTTED, t->depth + 1, kp->at, kp->at);
            table_add(p->doc, t, kp->s, kp->len, c);
            t = c;
            continue;
        }
        toml_node *v = e->val;
        if (v->type == TOML_TABLE && (v->flags & TF_DOTTED)) {
            t = v;
            continue;
        }
        char prefix[KEY_TEXT_MAX + 8];
        render_key(p->parts, i + 1, prefix, sizeof prefix);
        return dotted_conflict(p, kp->at, prefix, v);
    }
    const keypart last = p->parts[p->nparts - 1]; /* p->parts is reused by nested inline tables */
    toml_entry *e = table_find(t, last.s, last.len);
    if (e)
        return fail_at(p, last.at, "duplicate key '%s' (first defined at %u:%u)", name, e->val->key_line,
                       e->val->key_col);
    skip_ws(p);
    char vctx[KEY_TEXT_MAX + 40];
    snprintf(vctx, sizeof vctx, "a value after '=' for key '%s'", name);
    toml_node *v;
    if (check_depth(p, t->depth + 1, last.at) || parse_value(p, vctx, t->depth + 1, &v)) return -1;
    v->key_line = last.at.line;
    v->key_col = last.at.col;
    table_add(p->doc, t, last.s, last.len, v);
    snprintf(p->last_key, sizeof p->last_key, "%s", name);
    return 0;
}

/* [a.b.c] or [[a.b.c]]; sets *cur to the table that the following key/value pairs fill. */
static int parse_header(parser *p, toml_node **cur, char *text, size_t text_cap) {
    tpos at = here(p);
    const bool aot = peek(p, 1) == '[';
    p->pos += aot ? 2 : 1;
    skip_ws(p);
    if (parse_key(p, aot ? "a table name after '[['" : "a table name after '['")) return -1;
    char name[KEY_TEXT_MAX + 8];
    render_key(p->parts, p->nparts, name, sizeof name);
    snprintf(text, text_cap, aot ? "[[%s]]" : "[%s]", name);
    if (aot) {
        if (peek(p, 0) != ']' || peek(p, 1) != ']')
            return fail(p, "expected ']]' to close the array-of-tables header '[[%s', found %s", name,
                        FOUND(p));
        p->pos += 2;
    } else {
        if (peek(p, 0) != ']')
            return fail(p, "expected ']' to close the table header '[%s', found %s%s", name, FOUND(p),
                        is_bare(peek(p, 0)) ? " (keys with spaces must be quoted)" : "");
        p->pos++;
    }

    toml_node *t = p->doc->root;
    for (size_t i = 0; i + 1 < p->nparts; i++) {
        const keypart *kp = &p->parts[i];
        toml_entry *e = table_find(t, kp->s, kp->len);
        if (!e) {
            if (check_depth(p, t->depth + 1, kp->at)) return -1;
            toml_node *c = new_table(p, TF_IMPLICIT, t->depth + 1, kp->at, kp->at);
            table_add(p->doc, t, kp->s, kp->len, c);
            t = c;
            continue;
        }
        toml_node *v = e->val;
        char prefix[KEY_TEXT_MAX + 8];
        render_key(p->parts, i + 1, prefix, sizeof prefix);
        if (v->type == TOML_TABLE && !(v->flags & TF_INLINE)) {
            t = v;
        } else if (v->type == TOML_ARRAY && (v->flags & TF_AOT)) {
            ZISK_ASSERT(v->u.arr.n > 0);
            t = v->u.arr.items[v->u.arr.n - 1];
        } else if (v->type == TOML_TABLE) {
            return fail_at(p, kp->at, "cannot add to '%s': it is an inline table (defined at %u:%u), "
                                      "which is complete once written", prefix, v->line, v->col);
        } else {
            return fail_at(p, kp->at, "cannot use '%s' as a table: it is already %s (defined at %u:%u)",
                           prefix, type_phrase(v), v->key_line, v->key_col);
        }
    }
    const keypart *kp = &p->parts[p->nparts - 1];
    toml_entry *e = table_find(t, kp->s, kp->len);
    toml_node *v = e ? e->val : NULL;
    if (aot) {
        if (v && !(v->type == TOML_ARRAY && (v->flags & TF_AOT))) {
            if (v->type == TOML_ARRAY)
                return fail_at(p, at, "cannot append to '%s' with [[%s]]: it is a static array "
                                      "(defined at %u:%u)", name, name, v->key_line, v->key_col);
            return fail_at(p, at, "[[%s]] conflicts with '%s', already %s (defined at %u:%u)", name, name,
                           type_phrase(v), v->key_line, v->key_col);
        }
        if (!v) {
            if (check_depth(p, t->depth + 2, kp->at)) return -1;
            v = new_node(p, TOML_ARRAY, t->depth + 1, at);
            v->flags = TF_AOT;
            v->key_line = kp->at.line;
            v->key_col = kp->at.col;
            table_add(p->doc, t, kp->s, kp->len, v);
        }
        toml_node *elem = new_table(p, TF_HEADER, v->depth + 1, at, at);
        array_push(p->doc, v, elem);
        *cur = elem;
        return 0;
    }
    if (!v) {
        if (check_depth(p, t->depth + 1, kp->at)) return -1;
        toml_node *c = new_table(p, TF_HEADER, t->depth + 1, at, kp->at);
        table_add(p->doc, t, kp->s, kp->len, c);
        *cur = c;
        return 0;
    }
    if (v->type == TOML_TABLE && v->flags == TF_IMPLICIT) {
        v->flags = TF_HEADER;
        v->line = at.line;
        v->col = at.col;
        v->key_line = kp->at.line;
        v->key_col = kp->at.col;
        *cur = v;
        return 0;
    }
    if (v->type == TOML_TABLE && (v->flags & TF_HEADER))
        return fail_at(p, at, "table [%s] is defined twice (first at %u:%u)", name, v->line, v->col);
    if (v->type == TOML_TABLE && (v->flags & TF_DOTTED))
        return fail_at(p, at, "table [%s] was already defined by dotted keys at %u:%u", name, v->key_line,
                       v->key_col);
    if (v->type == TOML_ARRAY && (v->flags & TF_AOT))
        return fail_at(p, at, "[%s] conflicts with the array of tables [[%s]] defined at %u:%u", name,
                       name, v->line, v->col);
    return fail_at(p, at, "[%s] conflicts with '%s', already %s (defined at %u:%u)", name, name,
                   type_phrase(v), v->key_line, v->key_col);
}

static int check_utf8(parser *p) {
    uint32_t line = 1, col = 1;
    for (size_t i = 0; i < p->len;) {
        size_t l = utf8_seq(p->s + i, p->len - i);
        if (l == 0)
            return fail_at(p, ((tpos){line, col}), "invalid UTF-8 (byte 0x%02X); TOML documents must be "
                                                   "UTF-8", p->s[i]);
        if (p->s[i] == '\n') {
            line++;
            col = 1;
        } else {
            col++;
        }
        i += l;
    }
    return 0;
}

static int parse_document(parser *p) {
    if (p->len >= 3 && memcmp(p->s, "\xEF\xBB\xBF", 3) == 0) { /* byte-order mark */
        p->pos = 3;
    }
    toml_node *cur = p->doc->root;
    char header[KEY_TEXT_MAX + 16];
    char after[KEY_TEXT_MAX + 40];
    for (;;) {
        skip_ws(p);
        int c = peek(p, 0);
        if (c < 0) return 0;
        if (c == '\r' && peek(p, 1) != '\n')
            return fail(p, "carriage return without a line feed (lines must end with LF or CRLF)");
        if (c == '#' || c == '\n' || c == '\r') {
            if (expect_eol(p, "a comment")) return -1;
            continue;
        }
        if (c == '[') {
            if (parse_header(p, &cur, header, sizeof header)) return -1;
            snprintf(after, sizeof after, "table header %s", header);
        } else {
            if (parse_keyval(p, cur, "a key, a [table] header or a comment")) return -1;
            snprintf(after, sizeof after, "the value of '%s'", p->last_key);
        }
        if (expect_eol(p, after)) return -1;
    }
}

static void parser_init(parser *p, const void *data, size_t len, toml_doc *doc, const char *name,
                        zisk_err *err) {
    memset(p, 0, sizeof *p);
    p->s = len ? data : (const unsigned char *)"";
    p->len = len;
    p->line = 1;
    p->cc_line_start = SIZE_MAX;
    p->doc = doc;
    p->name = name;
    p->err = err;
}

static void parser_release(parser *p) {
    free(p->sb);
    free(p->parts);
    if (p->cloc) freelocale(p->cloc);
}

/* ------------------------------------------------------------------------------ public API */

int toml_parse(const void *data, size_t len, const char *name, toml_doc **out, zisk_err *err) {
    ZISK_ASSERT(out != NULL);
    ZISK_ASSERT(data != NULL || len == 0);
    *out = NULL;
    if (!name) name = "<toml>";
    if (len > TOML_MAX_SIZE)
        return zisk_err_set(err, "%s: document is %zu bytes; at most %u are accepted", name, len,
                            (unsigned)TOML_MAX_SIZE);
    toml_doc *d = zisk_xcalloc(1, sizeof *d);
    size_t nl = strlen(name);
    d->name = zisk_xmalloc(nl + 1);
    memcpy(d->name, name, nl + 1);
    parser p;
    parser_init(&p, data, len, d, d->name, err);
    d->root = new_table(&p, TF_HEADER, 0, (tpos){1, 1}, (tpos){1, 1});
    int rc = check_utf8(&p);
    if (rc == 0) rc = parse_document(&p);
    parser_release(&p);
    if (rc != 0) {
        toml_free(d);
        return -1;
    }
    *out = d;
    return 0;
}

int toml_parse_file(const char *path, size_t max_size, toml_doc **out, zisk_err *err) {
    ZISK_ASSERT(out != NULL && path != NULL);
    *out = NULL;
    if (max_size > TOML_MAX_SIZE) max_size = TOML_MAX_SIZE;
    uint8_t *data = NULL;
    size_t len = 0;
    if (zisk_read_file(path, max_size, &data, &len, err) != 0) return -1;
    int rc = toml_parse(data, len, path, out, err);
    free(data);
    return rc;
}

void toml_free(toml_doc *doc) {
    if (!doc) return;
    arena_free(doc);
    free(doc->name);
    free(doc);
}

const char *toml_doc_name(const toml_doc *doc) {
    ZISK_ASSERT(doc != NULL);
    return doc->name;
}

const toml_node *toml_root(const toml_doc *doc) {
    ZISK_ASSERT(doc != NULL);
    return doc->root;
}

const toml_node *toml_lookup(const toml_node *table, const char *path) {
    ZISK_ASSERT(table != NULL && path != NULL);
    if (table->type != TOML_TABLE) return NULL;
    /* The path is parsed by the document's own key grammar, into a scratch arena. */
    size_t n = strlen(path);
    toml_doc tmp;
    memset(&tmp, 0, sizeof tmp);
    parser p;
    parser_init(&p, path, n, &tmp, "", NULL);
    const toml_node *cur = NULL;
    if (check_utf8(&p) == 0) {
        skip_ws(&p);
        if (parse_key(&p, "") == 0 && p.pos == p.len) {
            cur = table;
            for (size_t i = 0; i < p.nparts && cur; i++) {
                if (cur->type != TOML_TABLE) {
                    cur = NULL;
                    break;
                }
                const toml_entry *e = table_find(cur, p.parts[i].s, p.parts[i].len);
                cur = e ? e->val : NULL;
            }
        }
    }
    parser_release(&p);
    arena_free(&tmp);
    return cur;
}

const toml_node *toml_get(const toml_doc *doc, const char *path) {
    ZISK_ASSERT(doc != NULL);
    return toml_lookup(doc->root, path);
}

const toml_node *toml_table_get(const toml_node *table, const char *key, size_t key_len) {
    ZISK_ASSERT(table != NULL && (key != NULL || key_len == 0));
    if (table->type != TOML_TABLE) return NULL;
    const toml_entry *e = table_find(table, key ? key : "", key_len);
    return e ? e->val : NULL;
}

toml_type toml_type_of(const toml_node *n) {
    ZISK_ASSERT(n != NULL);
    return n->type;
}

const char *toml_type_name(toml_type t) {
    switch (t) {
    case TOML_TABLE: return "table";
    case TOML_ARRAY: return "array";
    case TOML_STRING: return "string";
    case TOML_INTEGER: return "integer";
    case TOML_FLOAT: return "float";
    case TOML_BOOLEAN: return "boolean";
    case TOML_OFFSET_DATETIME: return "offset date-time";
    case TOML_LOCAL_DATETIME: return "local date-time";
    case TOML_LOCAL_DATE: return "local date";
    case TOML_LOCAL_TIME: return "local time";
    }
    return "unknown";
}

uint32_t toml_line(const toml_node *n) {
    ZISK_ASSERT(n != NULL);
    return n->line;
}

uint32_t toml_col(const toml_node *n) {
    ZISK_ASSERT(n != NULL);
    return n->col;
}

uint32_t toml_key_line(const toml_node *n) {
    ZISK_ASSERT(n != NULL);
    return n->key_line;
}

uint32_t toml_key_col(const toml_node *n) {
    ZISK_ASSERT(n != NULL);
    return n->key_col;
}

int64_t toml_int(const toml_node *n) {
    ZISK_ASSERT(n != NULL && n->type == TOML_INTEGER);
    return n->u.i;
}

double toml_float(const toml_node *n) {
    ZISK_ASSERT(n != NULL && n->type == TOML_FLOAT);
    return n->u.f;
}

bool toml_bool(const toml_node *n) {
    ZISK_ASSERT(n != NULL && n->type == TOML_BOOLEAN);
    return n->u.b;
}

static bool is_datetime(toml_type t) {
    return t == TOML_OFFSET_DATETIME || t == TOML_LOCAL_DATETIME || t == TOML_LOCAL_DATE ||
           t == TOML_LOCAL_TIME;
}

const char *toml_str(const toml_node *n, size_t *len) {
    ZISK_ASSERT(n != NULL && (n->type == TOML_STRING || is_datetime(n->type)));
    if (len) *len = n->u.str.len;
    return n->u.str.s;
}

const toml_datetime *toml_datetime_of(const toml_node *n) {
    ZISK_ASSERT(n != NULL && is_datetime(n->type));
    return &n->u.str.dt;
}

size_t toml_len(const toml_node *n) {
    ZISK_ASSERT(n != NULL && (n->type == TOML_ARRAY || n->type == TOML_TABLE));
    return n->type == TOML_ARRAY ? n->u.arr.n : n->u.tab.n;
}

const toml_node *toml_at(const toml_node *n, size_t i) {
    ZISK_ASSERT(n != NULL && (n->type == TOML_ARRAY || n->type == TOML_TABLE));
    if (n->type == TOML_ARRAY) {
        ZISK_ASSERT(i < n->u.arr.n);
        return n->u.arr.items[i];
    }
    ZISK_ASSERT(i < n->u.tab.n);
    return n->u.tab.e[i].val;
}

const char *toml_key_at(const toml_node *table, size_t i, size_t *len) {
    ZISK_ASSERT(table != NULL && table->type == TOML_TABLE && i < table->u.tab.n);
    if (len) *len = table->u.tab.e[i].key_len;
    return table->u.tab.e[i].key;
}

bool toml_is_array_of_tables(const toml_node *n) {
    ZISK_ASSERT(n != NULL);
    return n->type == TOML_ARRAY && (n->flags & TF_AOT);
}

static int node_verr(const toml_doc *doc, uint32_t line, uint32_t col, zisk_err *err, const char *fmt,
                     va_list ap) __attribute__((format(printf, 5, 0)));
static int node_verr(const toml_doc *doc, uint32_t line, uint32_t col, zisk_err *err, const char *fmt,
                     va_list ap) {
    if (!err) return -1;
    char msg[ZISK_ERR_MSG_MAX];
    vsnprintf(msg, sizeof msg, fmt, ap);
    return zisk_err_set(err, "%s:%u:%u: %s", doc->name, line, col, msg);
}

int toml_value_err(const toml_doc *doc, const toml_node *n, zisk_err *err, const char *fmt, ...) {
    ZISK_ASSERT(doc != NULL && n != NULL);
    va_list ap;
    va_start(ap, fmt);
    node_verr(doc, n->line, n->col, err, fmt, ap);
    va_end(ap);
    return -1;
}

int toml_key_err(const toml_doc *doc, const toml_node *n, zisk_err *err, const char *fmt, ...) {
    ZISK_ASSERT(doc != NULL && n != NULL);
    va_list ap;
    va_start(ap, fmt);
    node_verr(doc, n->key_line, n->key_col, err, fmt, ap);
    va_end(ap);
    return -1;
}
