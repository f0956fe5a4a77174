#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "base.h"
#include "cli.h"

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
