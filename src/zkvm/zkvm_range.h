/*
 * zkvm_range.h: the 16-bit range table AIR. 2^16 rows; fixed column v = row index; stage-1
 * column m = how many times the job looked v up. It receives (v) on ZKVM_BUS_RANGE16 with
 * multiplicity m, so any AIR proves 0 <= x < 2^16 by sending (x) with multiplicity 1.
 * To prove x < 2^b (b < 16) send BOTH (x) and (x * 2^(16-b)): the scaled lookup alone is NOT
 * enough, since in the field x = w / 2^(16-b) passes it for any w < 2^16; with x < 2^16 known
 * as an integer, x * 2^(16-b) < 2^16 then holds over the integers and bounds x.
 */
#ifndef ZISK_ZKVM_RANGE_H
#define ZISK_ZKVM_RANGE_H

#include <stddef.h>
#include <stdint.h>

#include "air.h"
#include "base.h"
#include "gl.h"

#define ZKVM_RANGE_LOG_N 16

/* Builds the AIR (free with air_free). Aborts only on a bug. */
air *zkvm_range_air(void);

/* The fixed column (2^16 values, allocated; free()). */
gl_t *zkvm_range_fixed(void);

/* A multiplicity counter: counts[v] for v < 2^16. */
typedef struct zkvm_range_counts {
    uint32_t counts[1u << ZKVM_RANGE_LOG_N];
} zkvm_range_counts;

/* Counts one lookup of v (aborts if v >= 2^16: a trace builder bug). Not thread-safe. */
static inline void zkvm_range_add(zkvm_range_counts *rc, uint64_t v) {
    ZISK_ASSERT(v < (1u << ZKVM_RANGE_LOG_N));
    rc->counts[v]++;
}

/* A zeroed column-major trace of n_cols columns of n rows (allocated; free()), zeroed by all
 * threads: traces are tens to hundreds of MiB, and one thread's memset was a good part of
 * building one. For the trace builders of the zkVM's AIRs. */
gl_t *zkvm_trace_alloc(size_t n_cols, size_t n);

/* dst += src, count by count (a trace builder's per-thread counts). Not thread-safe on dst. */
static inline void zkvm_range_merge(zkvm_range_counts *dst, const zkvm_range_counts *src) {
    for (size_t v = 0; v < ((size_t)1 << ZKVM_RANGE_LOG_N); v++) dst->counts[v] += src->counts[v];
}

/* The stage-1 trace (column-major, one column m of 2^16 rows; allocated, free()). */
gl_t *zkvm_range_trace(const zkvm_range_counts *rc);

#endif
