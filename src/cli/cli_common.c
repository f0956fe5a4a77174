#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "base.h"
#include "cli.h"
#include "vm.h"

int cli_flag(cli_args *a, const char *name, int takes_value, const char **value) {
    const char *arg = a->argv[a->i];
    size_t n = strlen(name);
    if (strncmp(arg, name, n) != 0) return 0;
    if (arg[n] == '=' && takes_value) {
        *value = arg + n + 1;
        a->i++;
        return 1;
    }
    if (arg[n] != 0) return 0;
    if (!takes_value) {
        if (value) *value = NULL;
        a->i++;
        return 1;
    }
    if (a->i + 1 >= a->argc) {
        cli_usage_error(a, "%s needs a value", name);
        return -1;
    }
    *value = a->argv[a->i + 1];
    a->i += 2;
    return 1;
}

int cli_usage_error(const cli_args *a, const char *fmt, ...) {
    va_list ap;
    fprintf(stderr, "%s: ", a->cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n(see '%s --help')\n", a->cmd);
    return CLI_EXIT_USAGE;
}

void cli_json_string(FILE *f, const char *s) {
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '"': fputs("\\\"", f); break;
        case '\\': fputs("\\\\", f); break;
        case '\n': fputs("\\n", f); break;
        case '\t': fputs("\\t", f); break;
        case '\r': fputs("\\r", f); break;
        default:
            if (*p < 0x20) fprintf(f, "\\u%04x", *p);
            else fputc(*p, f);
        }
    }
    fputc('"', f);
}

/* The 64 words, 8 per row in hex; a run of all-zero rows is folded into one line. */
void cli_print_outputs(FILE *f, const uint32_t out[64]) {
    fprintf(f, "outputs:\n");
    for (int i = 0; i < 64;) {
        int zero_rows = 0;
        while (i + 8 * zero_rows < 64) {
            int nz = 0;
            for (int j = 0; j < 8; j++) nz |= out[i + 8 * zero_rows + j] != 0;
            if (nz) break;
            zero_rows++;
        }
        if (zero_rows > 1) {
            fprintf(f, "  [%2d..%2d] all 00000000\n", i, i + 8 * zero_rows - 1);
            i += 8 * zero_rows;
            continue;
        }
        fprintf(f, "  [%2d]", i);
        for (int j = 0; j < 8; j++) fprintf(f, " %08x", out[i + j]);
        fputc('\n', f);
        i += 8;
    }
}


void cli_wrap_record(uint8_t **data, size_t *len) {
    size_t n = *len, padded = (n + 7) & ~(size_t)7;
    uint8_t *rec = zisk_xcalloc(8 + padded, 1);
    for (int i = 0; i < 8; i++) rec[i] = (uint8_t)((uint64_t)n >> (8 * i));
    if (n) memcpy(rec + 8, *data, n);
    free(*data);
    *data = rec;
    *len = 8 + padded;
}

/* Checks that data is a well-formed record stream; returns NULL or what is wrong. */
static const char *check_records(const uint8_t *data, size_t len, size_t *nrec) {
    size_t pos = 0;
    *nrec = 0;
    while (pos < len) {
        if (len - pos < 8) return "a record length is cut short by the end of the file";
        uint64_t n = 0;
        for (int i = 0; i < 8; i++) n |= (uint64_t)data[pos + i] << (8 * i);
        pos += 8;
        uint64_t padded = (n + 7) & ~7ull;
        if (n > len || padded > len - pos) return "a record's data runs past the end of the file";
        pos += padded;
        (*nrec)++;
    }
    return NULL;
}

int cli_load_input(const char *cmd, const char *path, int raw, uint8_t **buf, size_t *len) {
    zisk_err err;
    uint8_t *data;
    size_t n;
    size_t max = (size_t)(VM_INPUT_SIZE - 8 - (raw ? 16 : 0));
    if (zisk_read_file(path, max, &data, &n, &err) != 0) {
        fprintf(stderr, "%s: input: %s\n", cmd, err.msg);
        return -1;
    }
    if (raw) {
        cli_wrap_record(&data, &n);
        *buf = data;
        *len = n;
        return 0;
    }
    size_t nrec;
    const char *why = check_records(data, n, &nrec);
    if (why)
        fprintf(stderr,
                "%s: warning: '%s' is not a well-formed record stream (%s); it is placed "
                "verbatim anyway. Use --input-raw to wrap a plain file as one record.\n",
                cmd, path, why);
    *buf = data;
    *len = n;
    return 0;
}

