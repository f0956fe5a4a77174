/*
 * zisk_platform.c: the zisk variant of the runtime's platform hooks (see zisk_impl.h): the
 * memory-mapped devices of ZisK's guest interface.
 */
#include "zisk_impl.h"

#define ZISK_INPUT_ADDR 0x40000000ul
#define ZISK_INPUT_SIZE 0x08000000ul /* 128 MiB mapped, header word included */
#define ZISK_UART_ADDR 0xa0000200ul
#define ZISK_OUTPUT_ADDR 0xa0010000ul

const uint8_t *zisk__input_region(size_t *size)
{
    *size = ZISK_INPUT_SIZE;
    return (const uint8_t *)ZISK_INPUT_ADDR;
}

void zisk__console_put(uint8_t c)
{
    *(volatile uint8_t *)ZISK_UART_ADDR = c;
}

void zisk__console_flush(void)
{
    /* The UART is not buffered. */
}

void zisk__output_store(unsigned i, uint32_t value)
{
    ((volatile uint32_t *)ZISK_OUTPUT_ADDR)[i] = value;
}

void zisk__sys_exit(int code)
{
    register long a0 __asm__("a0") = code;
    register long a7 __asm__("a7") = 93;
    __asm__ volatile("ecall" : : "r"(a0), "r"(a7) : "memory");
    /* The machine never returns from the exit ecall; if it does, stop here for good. */
    for (;;)
        __asm__ volatile("" ::: "memory");
}
