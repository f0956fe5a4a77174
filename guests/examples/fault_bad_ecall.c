/*
 * fault_bad_ecall: an ecall with a7 = 64 (Linux write), which zisk does not provide: the run
 * must stop with "unsupported system call 64 at pc ...". zisk only.
 * Console: "calling ecall 64" before the ecall.
 */
#include <stdio.h>

#include "zisk.h"

int main(void)
{
    printf("calling ecall 64\n");
    register long a0 __asm__("a0") = 1;
    register long a7 __asm__("a7") = 64;
    __asm__ volatile("ecall" : "+r"(a0) : "r"(a7) : "memory");
    printf("BUG: ecall 64 returned %ld\n", a0);
    return 0;
}
