/* zkvm_range.c: the 16-bit range table AIR (zkvm_range.h). */
#include "zkvm_range.h"

#include <stdlib.h>
#include <string.h>

#include "base.h"
#include "zkvm_bus.h"

air *zkvm_range_air(void) {
    air_builder *b = air_builder_new("range16", 2);
    air_col v = air_col_fixed(b, "v");
    air_col m = air_col_stage1(b, "m");
    air_expr val = air_cur(b, v);
    air_bus_recv(b, "range", ZKVM_BUS_RANGE16, air_cur(b, m), &val, 1);
    zisk_err err;
    air *a = air_build(b, &err);
    ZISK_ASSERT(a != NULL);
    return a;
}

gl_t *zkvm_range_fixed(void) {
    size_t n = (size_t)1 << ZKVM_RANGE_LOG_N;
    gl_t *f = zisk_xmalloc(n * sizeof *f);
    for (size_t i = 0; i < n; i++) f[i] = gl_from_u64(i);
    return f;
}

gl_t *zkvm_range_trace(const zkvm_range_counts *rc) {
    size_t n = (size_t)1 << ZKVM_RANGE_LOG_N;
    gl_t *t = zisk_xmalloc(n * sizeof *t);
    for (size_t i = 0; i < n; i++) t[i] = gl_from_u64(rc->counts[i]);
    return t;
}

gl_t *zkvm_trace_alloc(size_t n_cols, size_t n) {
    size_t total = n_cols * n;
    gl_t *t = zisk_xmalloc((total ? total : 1) * sizeof *t);
    size_t chunk = (size_t)1 << 16, n_chunks = (total + chunk - 1) / chunk;
#pragma omp parallel for schedule(static) if (n_chunks > 8)
    for (size_t c = 0; c < n_chunks; c++) {
        size_t lo = c * chunk, len = total - lo < chunk ? total - lo : chunk;
        memset(t + lo, 0, len * sizeof *t);
    }
    return t;
}
