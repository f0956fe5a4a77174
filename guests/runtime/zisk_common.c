/*
 * zisk_common.c: the part of the guest runtime shared by the zisk and Linux variants: record
 * reading over the input region, outputs, console, exit, and picolibc's stdio and _exit hooks.
 */
#include <stdio.h>
#include <string.h>

#include "zisk.h"
#include "zisk_impl.h"

/* Offset of the next record's length word, counted from the start of the input region. The
 * first record starts after the u64 header word at the region's start. */
static size_t input_cursor = 8;

static uint64_t load_u64_le(const uint8_t *p)
{
    /* The region is 8-byte aligned and records keep that alignment, but the compiler cannot
     * know it: memcpy lets it pick the best load without an alignment assumption. */
    uint64_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

/* Reads the record at offset `at`: returns its data and length, and in *next the offset of the
 * record after it. Panics when the length runs past the region: the input is malformed. */
static const uint8_t *record_at(size_t at, size_t *len, size_t *next)
{
    size_t size;
    const uint8_t *base = zisk__input_region(&size);
    if (at > size || size - at < 8) {
        /* Past the region: reads as the end of the input. */
        *len = 0;
        *next = at;
        return base + size;
    }
    uint64_t n = load_u64_le(base + at);
    size_t avail = size - at - 8;
    if (n > avail)
        zisk_panic("input record length runs past the input region");
    /* Padding to 8 bytes may itself run past the region only when the region size is not a
     * multiple of 8, which neither variant does; clamp anyway so `next` stays in range. */
    size_t padded = ((size_t)n + 7u) & ~(size_t)7u;
    if (padded > avail)
        padded = avail;
    *len = (size_t)n;
    *next = at + 8 + padded;
    return base + at + 8;
}

const uint8_t *zisk_input_next(size_t *len)
{
    size_t next;
    const uint8_t *data = record_at(input_cursor, len, &next);
    input_cursor = next;
    return data;
}

int zisk_input_next_u64(uint64_t *value)
{
    size_t len;
    const uint8_t *data = zisk_input_next(&len);
    if (len < 8) {
        *value = 0;
        return 0;
    }
    *value = load_u64_le(data);
    return 1;
}

const uint8_t *zisk_input_all(size_t *len)
{
    size_t size;
    const uint8_t *base = zisk__input_region(&size);
    size_t at = 8;
    for (;;) {
        size_t n, next;
        record_at(at, &n, &next);
        if (n == 0)
            break;
        at = next;
    }
    *len = at - 8;
    return base + 8;
}

void zisk_commit(unsigned i, uint32_t value)
{
    if (i >= ZISK_OUTPUT_WORDS)
        zisk_panic("zisk_commit: output index out of range (0..63)");
    zisk__output_store(i, value);
}

void zisk_commit_u64(unsigned i, uint64_t value)
{
    if (i + 1 >= ZISK_OUTPUT_WORDS)
        zisk_panic("zisk_commit_u64: output index out of range (0..62)");
    zisk__output_store(i, (uint32_t)value);
    zisk__output_store(i + 1, (uint32_t)(value >> 32));
}

void zisk_console_write(const void *buf, size_t len)
{
    const uint8_t *p = buf;
    for (size_t i = 0; i < len; i++)
        zisk__console_put(p[i]);
}

void zisk_exit(int code)
{
    zisk__console_flush();
    zisk__sys_exit(code);
}

void zisk_panic(const char *msg)
{
    static const char prefix[] = "zisk: ";
    zisk_console_write(prefix, sizeof prefix - 1);
    zisk_console_write(msg, strlen(msg));
    zisk_console_write("\n", 1);
    zisk_exit(ZISK_EXIT_PANIC);
}

/* ---- picolibc hooks ---- */

/* exit() runs atexit handlers and then calls _exit. */
__attribute__((noreturn)) void _exit(int code)
{
    zisk_exit(code);
}

/* tinystdio: one unbuffered stream serves stdin, stdout and stderr, so that everything a guest
 * prints lands on the one console in program order on both variants. */
static int console_putc(char c, FILE *f)
{
    (void)f;
    zisk__console_put((uint8_t)c);
    return (unsigned char)c;
}

static int console_getc(FILE *f)
{
    (void)f;
    return EOF; /* guests read input through zisk_input_*, not stdin */
}

static int console_flush(FILE *f)
{
    (void)f;
    zisk__console_flush();
    return 0;
}

static FILE console_file = FDEV_SETUP_STREAM(console_putc, console_getc, console_flush, _FDEV_SETUP_RW);
FILE *const stdin = &console_file;
FILE *const stdout = &console_file;
FILE *const stderr = &console_file;
