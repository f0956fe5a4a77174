/*
 * linux_platform.c: the Linux variant of the runtime's platform hooks (see zisk_impl.h), for
 * running guests under qemu-riscv64 as an independent reference. Only raw syscalls are used:
 * read (63), write (64), exit (93).
 *
 * Input: stdin is read whole into input_region + 8, so the region has the layout of ZisK's
 * (ignored u64, the input file, zeros) and the record code in zisk_common.c is shared.
 * Console: buffered, written to fd 1 on flush and at exit.
 * Outputs: kept here, printed on fd 2 at exit as one "zisk-outputs:" line (see zisk.h).
 */
#include "zisk.h"
#include "zisk_impl.h"

/* Same size as ZisK's input region. It lives in .bss, which the loader maps lazily and zeroed,
 * so an unused region costs nothing. */
#define INPUT_REGION_SIZE 0x08000000ul
static uint8_t input_region[INPUT_REGION_SIZE] __attribute__((aligned(8)));
static uint32_t outputs[ZISK_OUTPUT_WORDS];
static uint8_t console_buf[4096];
static size_t console_len;

static long sys3(long n, long a, long b, long c)
{
    register long a0 __asm__("a0") = a;
    register long a1 __asm__("a1") = b;
    register long a2 __asm__("a2") = c;
    register long a7 __asm__("a7") = n;
    __asm__ volatile("ecall" : "+r"(a0) : "r"(a1), "r"(a2), "r"(a7) : "memory");
    return a0;
}

#define SYS_read 63
#define SYS_write 64
#define SYS_exit 93
#define EINTR 4

static void write_all(int fd, const uint8_t *p, size_t n)
{
    while (n > 0) {
        long w = sys3(SYS_write, fd, (long)p, (long)n);
        if (w == -EINTR)
            continue;
        if (w <= 0)
            return; /* nowhere to report it: the host sees the truncated output */
        p += w;
        n -= (size_t)w;
    }
}

/* Called by crt0 before main. */
void zisk__linux_init(void)
{
    size_t have = 8, cap = INPUT_REGION_SIZE;
    for (;;) {
        if (have == cap)
            zisk_panic("input larger than the 128 MiB input region");
        long r = sys3(SYS_read, 0, (long)(input_region + have), (long)(cap - have));
        if (r == -EINTR)
            continue;
        if (r < 0)
            zisk_panic("cannot read the input from stdin");
        if (r == 0)
            break;
        have += (size_t)r;
    }
}

const uint8_t *zisk__input_region(size_t *size)
{
    *size = INPUT_REGION_SIZE;
    return input_region;
}

void zisk__console_put(uint8_t c)
{
    if (console_len == sizeof console_buf)
        zisk__console_flush();
    console_buf[console_len++] = c;
}

void zisk__console_flush(void)
{
    write_all(1, console_buf, console_len);
    console_len = 0;
}

void zisk__output_store(unsigned i, uint32_t value)
{
    outputs[i] = value;
}

static char *put_decimal(char *p, uint32_t v)
{
    char tmp[10];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    while (n > 0)
        *p++ = tmp[--n];
    return p;
}

void zisk__sys_exit(int code)
{
    /* 64 words of at most 10 digits plus a space each, tag and newline. */
    char line[sizeof ZISK_LINUX_OUTPUTS_TAG + ZISK_OUTPUT_WORDS * 11 + 2];
    char *p = line;
    for (const char *t = ZISK_LINUX_OUTPUTS_TAG; *t; t++)
        *p++ = *t;
    for (unsigned i = 0; i < ZISK_OUTPUT_WORDS; i++) {
        *p++ = ' ';
        p = put_decimal(p, outputs[i]);
    }
    *p++ = '\n';
    zisk__console_flush();
    write_all(2, (const uint8_t *)line, (size_t)(p - line));
    sys3(SYS_exit, code, 0, 0);
    for (;;)
        __asm__ volatile("" ::: "memory");
}
