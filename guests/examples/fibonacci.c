/*
 * fibonacci: F(n) modulo 2^64 by iteration (F(0) = 0, F(1) = 1; F(93) is the largest that fits
 * in a u64, F(94) wraps).
 *
 * Input:   record 0: u64 n.
 * Console: "fib(<n>) = <F(n) mod 2^64>".
 * Outputs: words 0,1 = F(n) mod 2^64 (low, high); words 2,3 = n (low, high).
 * Exit:    0; 2 when the input has no u64 record.
 */
#include <stdio.h>

#include "zisk.h"

int main(void)
{
    uint64_t n;
    if (!zisk_input_next_u64(&n)) {
        printf("fibonacci: expected an input record with u64 n\n");
        return 2;
    }
    uint64_t a = 0, b = 1;
    for (uint64_t i = 0; i < n; i++) {
        uint64_t t = a + b; /* unsigned: wraps modulo 2^64 by definition */
        a = b;
        b = t;
    }
    printf("fib(%lu) = %lu\n", (unsigned long)n, (unsigned long)a);
    zisk_commit_u64(0, a);
    zisk_commit_u64(2, n);
    return 0;
}
