/*
 * sort: sorts N u64 values with a bottom-up merge sort (malloc'd buffers).
 *
 * Input:   record 0: u64 N; record 1: N little-endian u64 values (8*N bytes, more is ignored).
 * Console: "sort: N values", "min <min> max <max>", "checksum <c>", then the first up to 4
 *          sorted values as "v[i] = <v>".
 * Outputs: words 0,1 = N; 2,3 = min; 4,5 = max; 6,7 = checksum = sum over i of (i+1)*v[i]
 *          mod 2^64 (i in sorted order, so the order matters); 8,9 = xor of all values.
 *          (low, high halves; min = max = 0 when N = 0).
 * Exit:    0; 2 when the input is missing or shorter than N values, or memory runs out.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zisk.h"

static void merge_sort(uint64_t *v, uint64_t *tmp, size_t n)
{
    for (size_t width = 1; width < n; width *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * width) {
            size_t mid = lo + width < n ? lo + width : n;
            size_t hi = lo + 2 * width < n ? lo + 2 * width : n;
            size_t i = lo, j = mid, k = lo;
            while (i < mid && j < hi)
                tmp[k++] = v[j] < v[i] ? v[j++] : v[i++]; /* ties from the left: stable */
            while (i < mid)
                tmp[k++] = v[i++];
            while (j < hi)
                tmp[k++] = v[j++];
        }
        memcpy(v, tmp, n * sizeof *v); /* copy back rather than swap: keeps v the result */
    }
}

int main(void)
{
    uint64_t n;
    if (!zisk_input_next_u64(&n)) {
        printf("sort: expected an input record with u64 N\n");
        return 2;
    }
    size_t len;
    const uint8_t *data = zisk_input_next(&len);
    if (n > len / 8) {
        printf("sort: N=%lu but the data record holds only %lu values\n", (unsigned long)n,
               (unsigned long)(len / 8));
        return 2;
    }
    size_t bytes = (size_t)n * sizeof(uint64_t);
    uint64_t *v = malloc(bytes ? bytes : 1);
    uint64_t *tmp = malloc(bytes ? bytes : 1);
    if (v == NULL || tmp == NULL) {
        printf("sort: out of memory for %lu values\n", (unsigned long)n);
        return 2;
    }
    memcpy(v, data, bytes);
    merge_sort(v, tmp, (size_t)n);

    uint64_t checksum = 0, x = 0;
    for (size_t i = 0; i < n; i++) {
        if (i > 0 && v[i - 1] > v[i]) {
            printf("sort: BUG: not sorted at %lu\n", (unsigned long)i);
            return 1;
        }
        checksum += (uint64_t)(i + 1) * v[i];
        x ^= v[i];
    }
    uint64_t min = n ? v[0] : 0, max = n ? v[n - 1] : 0;
    printf("sort: %lu values\n", (unsigned long)n);
    printf("min %lu max %lu\n", (unsigned long)min, (unsigned long)max);
    printf("checksum %lu\n", (unsigned long)checksum);
    for (size_t i = 0; i < n && i < 4; i++)
        printf("v[%lu] = %lu\n", (unsigned long)i, (unsigned long)v[i]);
    zisk_commit_u64(0, n);
    zisk_commit_u64(2, min);
    zisk_commit_u64(4, max);
    zisk_commit_u64(6, checksum);
    zisk_commit_u64(8, x);
    free(tmp);
    free(v);
    return 0;
}
