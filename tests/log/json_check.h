/*
 * json_check.h: a strict RFC 8259 validator for the log tests (header-only, test code).
 *
 * Written independently of the logger's escaper so the two cannot share a mistake: it accepts
 * exactly one JSON value with optional surrounding whitespace, rejects raw control characters
 * and ill-formed UTF-8 in strings, bad escapes, bad numbers, and nesting deeper than 64.
 */
#ifndef ZISK_TEST_JSON_CHECK_H
#define ZISK_TEST_JSON_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct jc {
    const uint8_t *p, *end;
    int depth;
} jc;

static bool jc_value(jc *c);

static void jc_ws(jc *c) {
    while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r'))
        c->p++;
}

static bool jc_lit(jc *c, const char *s) {
    for (; *s; s++, c->p++)
        if (c->p >= c->end || *c->p != (uint8_t)*s) return false;
    return true;
}

static bool jc_hex(uint8_t h) {
    return (h >= '0' && h <= '9') || (h >= 'a' && h <= 'f') || (h >= 'A' && h <= 'F');
}

/* One UTF-8 character, checked by decoding and range tests (not by the logger's table). */
static bool jc_utf8(jc *c) {
    uint8_t b = *c->p;
    int n;
    uint32_t v, min;
    if (b < 0x80) {
        c->p++;
        return true;
    } else if ((b & 0xE0) == 0xC0) {
        n = 1, v = b & 0x1F, min = 0x80;
    } else if ((b & 0xF0) == 0xE0) {
        n = 2, v = b & 0x0F, min = 0x800;
    } else if ((b & 0xF8) == 0xF0) {
        n = 3, v = b & 0x07, min = 0x10000;
    } else {
        return false;
    }
    c->p++;
    for (int i = 0; i < n; i++, c->p++) {
        if (c->p >= c->end || (*c->p & 0xC0) != 0x80) return false;
        v = (v << 6) | (*c->p & 0x3F);
    }
    return v >= min && v <= 0x10FFFF && !(v >= 0xD800 && v <= 0xDFFF);
}

static bool jc_string(jc *c) {
    if (c->p >= c->end || *c->p != '"') return false;
    c->p++;
    while (c->p < c->end) {
        uint8_t b = *c->p;
        if (b == '"') {
            c->p++;
            return true;
        }
        if (b < 0x20) return false;
        if (b == '\\') {
            c->p++;
            if (c->p >= c->end) return false;
            uint8_t e = *c->p++;
            if (e == 'u') {
                for (int i = 0; i < 4; i++, c->p++)
                    if (c->p >= c->end || !jc_hex(*c->p)) return false;
            } else if (!(e == '"' || e == '\\' || e == '/' || e == 'b' || e == 'f' || e == 'n' ||
                         e == 'r' || e == 't')) {
                return false;
            }
            continue;
        }
        if (!jc_utf8(c)) return false;
    }
    return false;
}

static bool jc_digits(jc *c) {
    const uint8_t *s = c->p;
    while (c->p < c->end && *c->p >= '0' && *c->p <= '9') c->p++;
    return c->p > s;
}

static bool jc_number(jc *c) {
    if (c->p < c->end && *c->p == '-') c->p++;
    if (c->p < c->end && *c->p == '0') {
        c->p++;
    } else if (!jc_digits(c)) {
        return false;
    }
    if (c->p < c->end && *c->p == '.') {
        c->p++;
        if (!jc_digits(c)) return false;
    }
    if (c->p < c->end && (*c->p == 'e' || *c->p == 'E')) {
        c->p++;
        if (c->p < c->end && (*c->p == '+' || *c->p == '-')) c->p++;
        if (!jc_digits(c)) return false;
    }
    return true;
}

static bool jc_value(jc *c) {
    jc_ws(c);
    if (c->p >= c->end) return false;
    uint8_t b = *c->p;
    bool ok;
    if (b == '{' || b == '[') {
        if (++c->depth > 64) return false;
        uint8_t close = b == '{' ? '}' : ']';
        c->p++;
        jc_ws(c);
        if (c->p < c->end && *c->p == close) {
            c->p++;
            c->depth--;
            return true;
        }
        for (;;) {
            if (close == '}') {
                jc_ws(c);
                if (!jc_string(c)) return false;
                jc_ws(c);
                if (c->p >= c->end || *c->p != ':') return false;
                c->p++;
            }
            if (!jc_value(c)) return false;
            jc_ws(c);
            if (c->p >= c->end) return false;
            if (*c->p == ',') {
                c->p++;
                continue;
            }
            if (*c->p != close) return false;
            c->p++;
            break;
        }
        c->depth--;
        ok = true;
    } else if (b == '"') {
        ok = jc_string(c);
    } else if (b == 't') {
        ok = jc_lit(c, "true");
    } else if (b == 'f') {
        ok = jc_lit(c, "false");
    } else if (b == 'n') {
        ok = jc_lit(c, "null");
    } else {
        ok = jc_number(c);
    }
    return ok;
}

/* True when s[0..len) is exactly one JSON value (whitespace around it allowed). */
static inline bool json_valid(const char *s, size_t len) {
    jc c = {(const uint8_t *)s, (const uint8_t *)s + len, 0};
    if (!jc_value(&c)) return false;
    jc_ws(&c);
    return c.p == c.end;
}

#endif
