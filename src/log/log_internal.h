/*
 * log_internal.h: the pure line formatter behind log.c, exposed for the tests (tests/log) so
 * they can check exact output with a fixed timestamp. Not part of the public API.
 */
#ifndef ZISK_LOG_INTERNAL_H
#define ZISK_LOG_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "log.h"

/* A growable byte buffer; zero-initialise, free with zlog__buf_free. Growth aborts on
 * out-of-memory like every zisk_xmalloc. */
typedef struct zlog_buf {
    char *p;
    size_t len, cap;
} zlog_buf;

void zlog__buf_free(zlog_buf *b);

typedef struct zlog_record {
    struct timespec ts;       /* CLOCK_REALTIME */
    zlog_level level;          /* ERROR..TRACE */
    const char *target;       /* NULL counts as "" */
    const char *message;      /* message_len bytes, need not be NUL-terminated; NULL = "" */
    size_t message_len;
    bool message_truncated;   /* the message was already cut by the caller: add "[...]" */
    const zlog_field *fields;  /* n_fields of them */
    size_t n_fields;          /* only the first ZLOG_FIELDS_MAX are written */
    uint64_t fields_dropped;  /* fields the caller already left out (added to the excess) */
} zlog_record;

/* Appends one complete line (ending in '\n') for r in the given format to b. `color` adds
 * ANSI escapes (text formats only; json never has them). */
void zlog__format_record(zlog_buf *b, zlog_format format, bool color, const zlog_record *r);

/* Decodes one UTF-8 sequence at s[0..n) (n >= 1). Returns the number of bytes it covers and
 * sets *cp to the code point, or, for an ill-formed sequence, to UINT32_MAX with the return
 * value covering its maximal subpart (Unicode 15, section 3.9, "U+FFFD substitution of maximal
 * subparts"), which is at least 1. */
size_t zlog__utf8_next(const uint8_t *s, size_t n, uint32_t *cp);

#endif
