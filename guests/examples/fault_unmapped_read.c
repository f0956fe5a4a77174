/*
 * fault_unmapped_read: loads from an address outside every mapped region (0x1000), which must
 * stop the run with a fault naming the pc and address. zisk only.
 * Console: "reading unmapped memory" before the faulting load.
 */
#include <stdio.h>

#include "zisk.h"

int main(void)
{
    printf("reading unmapped memory\n");
    volatile uint64_t *p = (volatile uint64_t *)(uintptr_t)0x1000;
    uint64_t v = *p;
    printf("BUG: the read did not fault (%lu)\n", (unsigned long)v);
    return 0;
}
