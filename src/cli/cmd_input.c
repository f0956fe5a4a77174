/*
 * cmd_input.c: `zisk input`: build a ZisK input file, a stream of records (u64 little-endian
 * length, then the data zero-padded to a multiple of 8 bytes). Each item makes one record.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "vm.h"

static void input_usage(FILE *f) {
    fprintf(f,
            "Usage: zisk input -o OUT ITEM...\n"
            "\n"
            "Builds a ZisK input file for 'zisk execute --input'. Each ITEM appends one record\n"
            "(u64 little-endian length, then the data zero-padded to a multiple of 8 bytes):\n"
            "  --u64 N            one 8-byte little-endian integer (decimal or 0x hex)\n"
            "  --u64-list N,N,..  consecutive 8-byte little-endian integers in one record\n"
            "  --string TEXT      the bytes of TEXT (no terminating NUL)\n"
            "  --hex HEX          bytes given in hexadecimal (e.g. 00ff10)\n"
            "  --file PATH        the bytes of a file\n");
}

typedef struct buf {
    uint8_t *p;
    size_t len, cap;
} buf;

static void buf_put(buf *b, const void *src, size_t n) {
    if (b->len + n > b->cap) {
        while (b->len + n > b->cap) b->cap = b->cap ? b->cap * 2 : 256;
        b->p = zisk_xrealloc(b->p, b->cap);
    }
    if (n) memcpy(b->p + b->len, src, n);
    b->len += n;
}

static void put_le64(buf *b, uint64_t v) {
    uint8_t t[8];
    for (int i = 0; i < 8; i++) t[i] = (uint8_t)(v >> (8 * i));
    buf_put(b, t, 8);
}

static void put_record(buf *out, const uint8_t *data, size_t n) {
    static const uint8_t zeros[8];
    put_le64(out, n);
    buf_put(out, data, n);
    buf_put(out, zeros, (8 - (n & 7)) & 7);
}

static int hexval(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

int cmd_input(int argc, char **argv) {
    cli_args a = {argc, 1, argv, "zisk input"};
    const char *out_path = NULL, *v;
    buf out = {0}, rec = {0};
    int status = CLI_EXIT_USAGE;
    while (a.i < argc) {
        int r;
        rec.len = 0;
        if (!strcmp(argv[a.i], "--help") || !strcmp(argv[a.i], "-h")) {
            input_usage(stdout);
            status = CLI_EXIT_OK;
            goto done;
        }
        if ((r = cli_flag(&a, "-o", 1, &out_path)) || (r = cli_flag(&a, "--output", 1, &out_path))) {
            if (r < 0) goto done;
            continue;
        }
        if ((r = cli_flag(&a, "--u64", 1, &v))) {
            uint64_t n;
            if (r < 0) goto done;
            if (zisk_parse_u64(v, &n) != 0) { cli_usage_error(&a, "--u64: '%s' is not an unsigned 64-bit integer", v); goto done; }
            put_le64(&rec, n);
        } else if ((r = cli_flag(&a, "--u64-list", 1, &v))) {
            if (r < 0) goto done;
            char *copy = strdup(v), *save = NULL;
            for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
                uint64_t n;
                if (zisk_parse_u64(t, &n) != 0) {
                    cli_usage_error(&a, "--u64-list: '%s' is not an unsigned 64-bit integer", t);
                    free(copy);
                    goto done;
                }
                put_le64(&rec, n);
            }
            free(copy);
        } else if ((r = cli_flag(&a, "--string", 1, &v))) {
            if (r < 0) goto done;
            buf_put(&rec, v, strlen(v));
        } else if ((r = cli_flag(&a, "--hex", 1, &v))) {
            if (r < 0) goto done;
            size_t n = strlen(v);
            if (n % 2) { cli_usage_error(&a, "--hex: odd number of hex digits in '%s'", v); goto done; }
            for (size_t i = 0; i < n; i += 2) {
                int hi = hexval(v[i]), lo = hexval(v[i + 1]);
                if (hi < 0 || lo < 0) { cli_usage_error(&a, "--hex: '%s' is not hexadecimal", v); goto done; }
                uint8_t byte = (uint8_t)(hi << 4 | lo);
                buf_put(&rec, &byte, 1);
            }
        } else if ((r = cli_flag(&a, "--file", 1, &v))) {
            zisk_err err;
            uint8_t *data;
            size_t n;
            if (r < 0) goto done;
            if (zisk_read_file(v, (size_t)(VM_INPUT_SIZE - 16), &data, &n, &err) != 0) {
                fprintf(stderr, "zisk input: %s\n", err.msg);
                status = CLI_EXIT_FAILURE;
                goto done;
            }
            buf_put(&rec, data, n);
            free(data);
        } else {
            cli_usage_error(&a, "unknown option '%s'", argv[a.i]);
            goto done;
        }
        put_record(&out, rec.p, rec.len);
    }
    if (!out_path) { cli_usage_error(&a, "-o OUT is required"); goto done; }
    if (out.len > VM_INPUT_SIZE - 8) {
        fprintf(stderr, "zisk input: the records add up to %zu bytes, more than the input region holds (%llu)\n",
                out.len, (unsigned long long)(VM_INPUT_SIZE - 8));
        status = CLI_EXIT_FAILURE;
        goto done;
    }
    zisk_err err;
    if (zisk_write_file(out_path, out.p, out.len, &err) != 0) {
        fprintf(stderr, "zisk input: %s\n", err.msg);
        status = CLI_EXIT_FAILURE;
        goto done;
    }
    status = CLI_EXIT_OK;
done:
    free(out.p);
    free(rec.p);
    return status;
}
