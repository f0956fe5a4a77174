/*
 * fault_rom_write: stores into ROM, which must stop the run with a fault naming the pc (and on
 * a real machine would be a protection fault). zisk only: not part of the qemu comparison.
 * Console: "writing to ROM" before the faulting store. Exit: never returns normally.
 */
#include <stdio.h>

#include "zisk.h"

static const uint32_t in_rom = 0x12345678;

int main(void)
{
    printf("writing to ROM\n");
    /* Through an integer so the compiler cannot see (and warn about) the write to const. */
    volatile uint32_t *p = (volatile uint32_t *)(uintptr_t)&in_rom;
    *p = 0xdeadbeef;
    printf("BUG: the ROM write did not fault\n");
    return 0;
}
