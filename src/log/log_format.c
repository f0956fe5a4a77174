/*
 * zlog_format.c: turns one record into one line of pretty, compact or json text.
 *
 * Everything here is pure (no global state, no I/O) so tests can compare exact output. The
 * rules that keep outside data from breaking lines or terminals are in the escapers:
 * json_string() for RFC 8259 strings and text_escaped() for the human formats.
 */
#include "log_internal.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- Buffer ---- */

static void buf_reserve(zlog_buf *b, size_t extra) {
    if (b->cap - b->len >= extra) return;
    size_t cap = b->cap ? b->cap : 256;
    while (cap - b->len < extra) cap *= 2;
    b->p = zisk_xrealloc(b->p, cap);
    b->cap = cap;
}

static void buf_put(zlog_buf *b, const void *s, size_t n) {
    buf_reserve(b, n);
    memcpy(b->p + b->len, s, n);
    b->len += n;
}

static void buf_puts(zlog_buf *b, const char *s) { buf_put(b, s, strlen(s)); }

static void buf_putc(zlog_buf *b, char c) { buf_put(b, &c, 1); }

static void buf_printf(zlog_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void buf_printf(zlog_buf *b, const char *fmt, ...) {
    /* Only used for numbers and timestamps: 64 bytes always suffice. */
    char tmp[64];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0) return;
    buf_put(b, tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

void zlog__buf_free(zlog_buf *b) {
    free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
}

/* ---- UTF-8 ---- */

size_t zlog__utf8_next(const uint8_t *s, size_t n, uint32_t *cp) {
    uint8_t c = s[0];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    /* Table 3-7 of the Unicode standard: the allowed range of the second byte depends on the
     * lead byte (this excludes overlong forms, surrogates and code points above U+10FFFF);
     * later bytes are always 80..BF. */
    size_t need;
    uint8_t lo = 0x80, hi = 0xBF;
    uint32_t v;
    if (c >= 0xC2 && c <= 0xDF) {
        need = 2;
        v = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        need = 3;
        v = c & 0x0F;
        if (c == 0xE0) lo = 0xA0;
        if (c == 0xED) hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        need = 4;
        v = c & 0x07;
        if (c == 0xF0) lo = 0x90;
        if (c == 0xF4) hi = 0x8F;
    } else {
        *cp = UINT32_MAX; /* 80..C1, F5..FF never start a sequence */
        return 1;
    }
    size_t i = 1;
    for (; i < need; i++) {
        if (i >= n || s[i] < lo || s[i] > hi) {
            *cp = UINT32_MAX;
            return i; /* the maximal subpart: the lead byte and the valid continuations */
        }
        v = (v << 6) | (s[i] & 0x3F);
        lo = 0x80;
        hi = 0xBF;
    }
    *cp = v;
    return need;
}

/* Length of s[0..len) cut to at most max bytes without splitting a UTF-8 sequence (it backs
 * off over at most 3 continuation bytes; anything else is left for the escaper to handle). */
static size_t cut_utf8(const char *s, size_t len, size_t max) {
    if (len <= max) return len;
    size_t cut = max;
    for (int k = 0; k < 3 && cut > 0 && ((uint8_t)s[cut] & 0xC0) == 0x80; k++) cut--;
    if (((uint8_t)s[cut] & 0xC0) == 0x80) cut = max; /* not UTF-8 anyway: cut anywhere */
    return cut;
}

static const char TRUNCATED_MARK[] = "[...]";

/* ---- JSON ---- */

/* Writes s[0..len) as the body of a JSON string (no quotes): the two mandatory escapes, every
 * control character (C0, DEL and C1, so a tailed log cannot drive a terminal), and U+FFFD for
 * each ill-formed UTF-8 subpart; all other characters are copied as UTF-8. */
static void json_body(zlog_buf *b, const char *s, size_t len) {
    const uint8_t *u = (const uint8_t *)s;
    size_t i = 0;
    while (i < len) {
        uint32_t cp;
        size_t k = zlog__utf8_next(u + i, len - i, &cp);
        if (cp == UINT32_MAX) {
            buf_put(b, "\xEF\xBF\xBD", 3);
        } else if (cp == '"') {
            buf_puts(b, "\\\"");
        } else if (cp == '\\') {
            buf_puts(b, "\\\\");
        } else if (cp == '\n') {
            buf_puts(b, "\\n");
        } else if (cp == '\r') {
            buf_puts(b, "\\r");
        } else if (cp == '\t') {
            buf_puts(b, "\\t");
        } else if (cp == '\b') {
            buf_puts(b, "\\b");
        } else if (cp == '\f') {
            buf_puts(b, "\\f");
        } else if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F)) {
            buf_printf(b, "\\u%04x", (unsigned)cp);
        } else {
            buf_put(b, u + i, k);
        }
        i += k;
    }
}

/* A JSON string of at most max bytes of input (NULL: the JSON null). */
static void json_string(zlog_buf *b, const char *s, size_t len, size_t max, bool truncated) {
    if (!s) {
        buf_puts(b, "null");
        return;
    }
    size_t n = cut_utf8(s, len, max);
    buf_putc(b, '"');
    json_body(b, s, n);
    if (n < len || truncated) buf_puts(b, TRUNCATED_MARK);
    buf_putc(b, '"');
}

static void json_cstr(zlog_buf *b, const char *s, size_t max) {
    json_string(b, s, s ? strlen(s) : 0, max, false);
}

/* ---- Text (pretty, compact) ---- */

/* Whether byte-level escaping would change this text, or it holds characters that make a
 * key=value pair ambiguous; such values are written in double quotes. */
static bool text_needs_quotes(const char *s, size_t len) {
    if (len == 0) return true;
    const uint8_t *u = (const uint8_t *)s;
    size_t i = 0;
    while (i < len) {
        uint32_t cp;
        size_t k = zlog__utf8_next(u + i, len - i, &cp);
        if (cp == UINT32_MAX || cp <= 0x20 || (cp >= 0x7F && cp <= 0x9F) || cp == '"' ||
            cp == '=' || cp == '\\')
            return true;
        i += k;
    }
    return false;
}

/* Writes text with control characters and ill-formed UTF-8 made visible: \n \r \t, \xNN for
 * other C0 bytes, DEL and invalid bytes, \u{NN} for C1 controls. `quoted` also escapes '"' and
 * '\\' (inside a quoted value they would otherwise be ambiguous). */
static void text_escaped(zlog_buf *b, const char *s, size_t len, bool quoted) {
    const uint8_t *u = (const uint8_t *)s;
    size_t i = 0;
    while (i < len) {
        uint32_t cp;
        size_t k = zlog__utf8_next(u + i, len - i, &cp);
        if (cp == UINT32_MAX) {
            for (size_t j = 0; j < k; j++) buf_printf(b, "\\x%02x", u[i + j]);
        } else if (cp == '\n') {
            buf_puts(b, "\\n");
        } else if (cp == '\r') {
            buf_puts(b, "\\r");
        } else if (cp == '\t') {
            buf_puts(b, "\\t");
        } else if (cp < 0x20 || cp == 0x7F) {
            buf_printf(b, "\\x%02x", (unsigned)cp);
        } else if (cp >= 0x80 && cp <= 0x9F) {
            buf_printf(b, "\\u{%02x}", (unsigned)cp);
        } else if (quoted && (cp == '"' || cp == '\\')) {
            buf_putc(b, '\\');
            buf_putc(b, (char)cp);
        } else {
            buf_put(b, u + i, k);
        }
        i += k;
    }
}

static void text_plain(zlog_buf *b, const char *s, size_t len, size_t max, bool truncated) {
    size_t n = cut_utf8(s, len, max);
    text_escaped(b, s, n, false);
    if (n < len || truncated) buf_puts(b, TRUNCATED_MARK);
}

static void text_value(zlog_buf *b, const char *s, size_t max) {
    if (!s) {
        buf_puts(b, "(null)");
        return;
    }
    size_t len = strlen(s);
    size_t n = cut_utf8(s, len, max);
    if (text_needs_quotes(s, n)) {
        buf_putc(b, '"');
        text_escaped(b, s, n, true);
        if (n < len) buf_puts(b, TRUNCATED_MARK);
        buf_putc(b, '"');
    } else {
        buf_put(b, s, n);
        if (n < len) buf_puts(b, TRUNCATED_MARK);
    }
}

/* ---- Numbers ---- */

/* Shortest of %.15g / %.17g that reads back as the same double: readable for 0.1, exact for
 * everything. Non-finite values get no digits; the callers handle them. */
static void put_double(zlog_buf *b, double d) {
    char tmp[40];
    snprintf(tmp, sizeof tmp, "%.15g", d);
    if (strtod(tmp, NULL) != d) snprintf(tmp, sizeof tmp, "%.17g", d);
    buf_puts(b, tmp);
}

/* ---- Records ---- */

static const char *level_upper(zlog_level l) {
    switch (l) {
    case ZLOG_LEVEL_ERROR: return "ERROR";
    case ZLOG_LEVEL_WARN: return "WARN";
    case ZLOG_LEVEL_INFO: return "INFO";
    case ZLOG_LEVEL_DEBUG: return "DEBUG";
    case ZLOG_LEVEL_TRACE: return "TRACE";
    default: return "?";
    }
}

/* The colours of tracing-subscriber's default formatter, so operators see what they know. */
static const char *level_color(zlog_level l) {
    switch (l) {
    case ZLOG_LEVEL_ERROR: return "\x1b[31m";
    case ZLOG_LEVEL_WARN: return "\x1b[33m";
    case ZLOG_LEVEL_INFO: return "\x1b[32m";
    case ZLOG_LEVEL_DEBUG: return "\x1b[34m";
    default: return "\x1b[35m";
    }
}

#define C_DIM "\x1b[2m"
#define C_ITALIC "\x1b[3m"
#define C_RESET "\x1b[0m"

/* How many fields of r are written (*shown, at most ZLOG_FIELDS_MAX) and how many are reported
 * as left out (those the caller dropped plus the excess). */
static uint64_t fields_dropped(const zlog_record *r, size_t *shown) {
    *shown = r->n_fields < ZLOG_FIELDS_MAX ? r->n_fields : ZLOG_FIELDS_MAX;
    return r->fields_dropped + (r->n_fields - *shown);
}

static void text_fields(zlog_buf *b, bool color, const zlog_record *r) {
    size_t shown;
    uint64_t dropped = fields_dropped(r, &shown);
    for (size_t i = 0; i < shown; i++) {
        const zlog_field *f = &r->fields[i];
        const char *key = f->key ? f->key : "?";
        buf_putc(b, ' ');
        if (color) buf_puts(b, C_ITALIC);
        text_plain(b, key, strlen(key), ZLOG_VALUE_MAX, false);
        if (color) buf_puts(b, C_RESET);
        buf_putc(b, '=');
        switch (f->type) {
        case ZLOG_FIELD_STR: text_value(b, f->v.s, ZLOG_VALUE_MAX); break;
        case ZLOG_FIELD_I64: buf_printf(b, "%" PRId64, f->v.i); break;
        case ZLOG_FIELD_U64: buf_printf(b, "%" PRIu64, f->v.u); break;
        case ZLOG_FIELD_F64:
            if (isnan(f->v.f)) buf_puts(b, "NaN");
            else if (isinf(f->v.f)) buf_puts(b, f->v.f > 0 ? "inf" : "-inf");
            else put_double(b, f->v.f);
            break;
        case ZLOG_FIELD_BOOL: buf_puts(b, f->v.b ? "true" : "false"); break;
        default: buf_puts(b, "(bad field type)"); break;
        }
    }
    if (dropped) {
        buf_puts(b, " fields_dropped=");
        buf_printf(b, "%" PRIu64, dropped);
    }
}

static void json_fields(zlog_buf *b, const zlog_record *r) {
    size_t shown;
    uint64_t dropped = fields_dropped(r, &shown);
    if (shown == 0 && dropped == 0) return;
    buf_puts(b, ",\"fields\":{");
    for (size_t i = 0; i < shown; i++) {
        const zlog_field *f = &r->fields[i];
        if (i) buf_putc(b, ',');
        json_cstr(b, f->key ? f->key : "?", ZLOG_VALUE_MAX);
        buf_putc(b, ':');
        switch (f->type) {
        case ZLOG_FIELD_STR: json_cstr(b, f->v.s, ZLOG_VALUE_MAX); break;
        case ZLOG_FIELD_I64: buf_printf(b, "%" PRId64, f->v.i); break;
        case ZLOG_FIELD_U64: buf_printf(b, "%" PRIu64, f->v.u); break;
        case ZLOG_FIELD_F64:
            /* JSON has no NaN or infinities: write them as strings rather than break the line. */
            if (isnan(f->v.f)) buf_puts(b, "\"NaN\"");
            else if (isinf(f->v.f)) buf_puts(b, f->v.f > 0 ? "\"inf\"" : "\"-inf\"");
            else put_double(b, f->v.f);
            break;
        case ZLOG_FIELD_BOOL: buf_puts(b, f->v.b ? "true" : "false"); break;
        default: buf_puts(b, "null"); break;
        }
    }
    if (dropped) {
        if (shown) buf_putc(b, ',');
        buf_printf(b, "\"fields_dropped\":%" PRIu64, dropped);
    }
    buf_putc(b, '}');
}

/* RFC 3339 UTC with microseconds, e.g. 2025-01-31T12:00:00.123456Z. */
static void put_timestamp(zlog_buf *b, const struct timespec *ts) {
    struct tm tm;
    time_t t = ts->tv_sec;
    if (!gmtime_r(&t, &tm)) memset(&tm, 0, sizeof tm); /* years beyond int: print 1900-01-00 */
    long usec = ts->tv_nsec / 1000;
    if (usec < 0 || usec > 999999) usec = 0;
    buf_printf(b, "%04d-%02d-%02dT%02d:%02d:%02d.%06ldZ", tm.tm_year + 1900, tm.tm_mon + 1,
               tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, usec);
}

static void put_time_of_day(zlog_buf *b, const struct timespec *ts) {
    struct tm tm;
    time_t t = ts->tv_sec;
    if (!gmtime_r(&t, &tm)) memset(&tm, 0, sizeof tm);
    long msec = ts->tv_nsec / 1000000;
    if (msec < 0 || msec > 999) msec = 0;
    buf_printf(b, "%02d:%02d:%02d.%03ld", tm.tm_hour, tm.tm_min, tm.tm_sec, msec);
}

void zlog__format_record(zlog_buf *b, zlog_format format, bool color, const zlog_record *r) {
    const char *target = r->target ? r->target : "";
    const char *msg = r->message ? r->message : "";
    size_t msg_len = r->message ? r->message_len : 0;

    if (format == ZLOG_FORMAT_JSON) {
        buf_puts(b, "{\"timestamp\":\"");
        put_timestamp(b, &r->ts);
        buf_puts(b, "\",\"level\":\"");
        buf_puts(b, level_upper(r->level));
        buf_puts(b, "\",\"target\":");
        json_cstr(b, target, ZLOG_TARGET_MAX);
        buf_puts(b, ",\"message\":");
        json_string(b, msg, msg_len, ZLOG_MESSAGE_MAX, r->message_truncated);
        json_fields(b, r);
        buf_puts(b, "}\n");
        return;
    }

    /* pretty: full timestamp and target; compact: time of day and the target's last segment. */
    bool compact = format == ZLOG_FORMAT_COMPACT;
    if (compact) {
        const char *last = target;
        for (const char *p = target; (p = strstr(p, "::")) != NULL; p += 2) last = p + 2;
        target = last;
    }
    if (color) buf_puts(b, C_DIM);
    if (compact) put_time_of_day(b, &r->ts);
    else put_timestamp(b, &r->ts);
    if (color) buf_puts(b, C_RESET);
    buf_putc(b, ' ');
    if (color) buf_puts(b, level_color(r->level));
    if (compact) buf_puts(b, level_upper(r->level));
    else buf_printf(b, "%5s", level_upper(r->level));
    if (color) buf_puts(b, C_RESET);
    buf_putc(b, ' ');
    if (*target) {
        if (color) buf_puts(b, C_DIM);
        text_plain(b, target, strlen(target), ZLOG_TARGET_MAX, false);
        buf_putc(b, ':');
        if (color) buf_puts(b, C_RESET);
        buf_putc(b, ' ');
    }
    text_plain(b, msg, msg_len, ZLOG_MESSAGE_MAX, r->message_truncated);
    text_fields(b, color, r);
    buf_putc(b, '\n');
}
