/*
 * fuzz_log.c: libFuzzer target for the logger's outside-data paths.
 *
 * The input is used three ways: as a filter spec (RUST_LOG comes from the environment), as a
 * level and format name, and as the message, target, key and value of a record formatted in all
 * three formats. Every json line must pass the independent validator of json_check.h and every
 * line must be exactly one line; a violation aborts, which the fuzzer reports.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "json_check.h"
#include "log.h"
#include "log_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char *s = malloc(size + 1);
    if (!s) return 0;
    memcpy(s, data, size);
    s[size] = '\0';

    zlog_filter f;
    zisk_err err;
    if (zlog_filter_parse(s, ZLOG_LEVEL_INFO, &f, &err) == 0) {
        /* A parsed filter answers for any target, including the input itself. */
        (void)zlog_filter_level_for(&f, s);
        if (zlog_filter_max_level(&f) > ZLOG_LEVEL_TRACE) abort();
    } else if (err.msg[0] == '\0' || strlen(err.msg) >= sizeof err.msg) {
        abort();
    }
    zlog_level l;
    zlog_format fm;
    (void)zlog_level_parse(s, &l, &err);
    (void)zlog_format_parse(s, &fm, &err);

    /* Split the input at its first NUL (if any) into key and value. */
    const char *key = s, *value = s + strlen(s);
    if (value < s + size) value++;
    const zlog_field fields[] = {ZLOG_F_STR(key, value), ZLOG_F_STR(value, key)};
    for (int format = ZLOG_FORMAT_PRETTY; format <= ZLOG_FORMAT_COMPACT; format++) {
        zlog_record r = {.ts = {.tv_sec = 1738324800, .tv_nsec = 1},
                        .level = ZLOG_LEVEL_INFO,
                        .target = key,
                        .message = (const char *)data,
                        .message_len = size,
                        .fields = fields,
                        .n_fields = 2};
        zlog_buf b = {0};
        zlog__format_record(&b, (zlog_format)format, format != ZLOG_FORMAT_JSON, &r);
        if (b.len == 0 || b.p[b.len - 1] != '\n' || memchr(b.p, '\n', b.len - 1)) abort();
        if (format == ZLOG_FORMAT_JSON && !json_valid(b.p, b.len)) abort();
        zlog__buf_free(&b);
    }
    free(s);
    return 0;
}
