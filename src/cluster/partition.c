#include "partition.h"

#include <string.h>

size_t partition_select(const uint32_t *capacity, size_t n_workers, uint64_t needed) {
    uint64_t sum = 0;
    for (size_t i = 0; i < n_workers; i++) {
        sum += capacity[i];
        if (needed != 0 && sum >= needed) return i + 1;
    }
    if (needed == 0) return sum > 0 ? n_workers : 0;
    return 0;
}

int partition_deal(const uint32_t *capacity, size_t n_workers, uint64_t n_units, uint64_t *first,
                   uint64_t *count) {
    if (n_workers == 0 || n_units == 0) return -1;
    uint64_t total = 0;
    for (size_t i = 0; i < n_workers; i++) {
        if (capacity[i] == 0) return -1;
        total += capacity[i];
    }
    /* Quotas n_units * c_i / total, floored; the leftover units go to the largest remainders.
     * 128-bit products: n_units and total may both be large. */
    uint64_t dealt = 0;
    for (size_t i = 0; i < n_workers; i++) {
        count[i] = (uint64_t)(((unsigned __int128)n_units * capacity[i]) / total);
        dealt += count[i];
    }
    while (dealt < n_units) {
        size_t best = 0;
        uint64_t best_rem = 0;
        int found = 0;
        for (size_t i = 0; i < n_workers; i++) {
            /* remainder of worker i, scaled by total; ignore workers already given their extra */
            uint64_t rem = (uint64_t)(((unsigned __int128)n_units * capacity[i]) % total);
            if (count[i] > (uint64_t)(((unsigned __int128)n_units * capacity[i]) / total)) continue;
            if (!found || rem > best_rem) {
                best = i;
                best_rem = rem;
                found = 1;
            }
        }
        count[best]++;
        dealt++;
    }
    uint64_t next = 0;
    for (size_t i = 0; i < n_workers; i++) {
        first[i] = next;
        next += count[i];
    }
    return 0;
}

/* Sorts instance indices by weight, descending, stably (equal weights keep instance order),
 * so every machine derives the same assignment. Bottom-up merge sort using tmp (n entries). */
static void sort_by_weight_desc(const uint64_t *weight, size_t *idx, size_t *tmp, size_t n) {
    for (size_t width = 1; width < n; width *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * width) {
            size_t mid = lo + width < n ? lo + width : n, hi = lo + 2 * width < n ? lo + 2 * width : n;
            size_t a = lo, b = mid, k = lo;
            while (a < mid && b < hi) tmp[k++] = weight[idx[b]] > weight[idx[a]] ? idx[b++] : idx[a++];
            while (a < mid) tmp[k++] = idx[a++];
            while (b < hi) tmp[k++] = idx[b++];
        }
        memcpy(idx, tmp, n * sizeof *idx);
    }
}

int partition_balance(const uint64_t *weight, size_t n_instances, uint64_t n_units, uint32_t *unit_of,
                      uint64_t *load, size_t *scratch) {
    if (n_units == 0 || n_units > UINT32_MAX) return -1;
    size_t *order = scratch, *tmp = scratch + n_instances;
    for (size_t i = 0; i < n_instances; i++) order[i] = i;
    sort_by_weight_desc(weight, order, tmp, n_instances);
    memset(load, 0, n_units * sizeof *load);
    for (size_t k = 0; k < n_instances; k++) {
        size_t inst = order[k];
        uint64_t best = 0;
        for (uint64_t u = 1; u < n_units; u++)
            if (load[u] < load[best]) best = u;
        load[best] += weight[inst];
        unit_of[inst] = (uint32_t)best;
    }
    return 0;
}
