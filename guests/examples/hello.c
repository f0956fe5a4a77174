/*
 * hello: console output through printf and memory from malloc.
 *
 * Input: optional record u64 k (default 3): number of "hello #i" lines.
 * Console: "hello, world", then k lines "hello #i of k: <greeting>" built in malloc'd
 *          buffers, then "input: <n> bytes" (size of the raw input stream).
 * Outputs: word 0 = k, word 1 = bytes printed on the console before the last line,
 *          word 2 = size of the raw input stream in bytes.
 * Exit: 0; 2 when k > 1000 (keeps test output small) or malloc fails.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zisk.h"

int main(void)
{
    uint64_t k = 3;
    uint64_t given;
    if (zisk_input_next_u64(&given))
        k = given;
    if (k > 1000) {
        printf("hello: k=%lu is too large (max 1000)\n", (unsigned long)k);
        return 2;
    }

    int total = printf("hello, world\n");
    char **lines = malloc((k ? k : 1) * sizeof *lines);
    if (lines == NULL)
        return 2;
    for (uint64_t i = 0; i < k; i++) {
        /* Buffers of growing size, so the allocator is exercised beyond one size class. */
        size_t cap = 48 + (size_t)i * 8;
        lines[i] = malloc(cap);
        if (lines[i] == NULL)
            return 2;
        snprintf(lines[i], cap, "hello #%lu of %lu: %s", (unsigned long)i, (unsigned long)k,
                 (i % 2) ? "riscv" : "zisk");
    }
    for (uint64_t i = 0; i < k; i++) {
        total += printf("%s\n", lines[i]);
        free(lines[i]);
    }
    free(lines);

    size_t in_len;
    zisk_input_all(&in_len);
    printf("input: %lu bytes\n", (unsigned long)in_len);

    zisk_commit(0, (uint32_t)k);
    zisk_commit(1, (uint32_t)total);
    zisk_commit(2, (uint32_t)in_len);
    return 0;
}
