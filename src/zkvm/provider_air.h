/*
 * provider_air.h: what the narrow operation-bus providers (add, eq, shiftw, shift64) share when
 * they build their AIR: a builder bound to the AIR's stage-1 columns, short expression helpers
 * over it, and the flag-index lookup of their op tables. Internal to src/zkvm (header only;
 * include it from a provider's .c file, never from a public header: the short names are meant
 * for the AIR definitions, which read like the tables of their docs/zkvm/<provider>.md with them).
 */
#ifndef ZISK_ZKVM_PROVIDER_AIR_H
#define ZISK_ZKVM_PROVIDER_AIR_H

#include <stdint.h>

#include "air.h"
#include "base.h"
#include "zkvm_ops.h"
#include "zkvm_range.h"

/* An AIR under construction with its stage-1 columns 0..n-1 (pa_begin). */
typedef struct bld {
    air_builder *b;
    air_col s1; /* stage-1 column 0 */
} bld;

/* Starts AIR `name` (max degree 3) with stage-1 columns names[0..n), in order. */
static inline bld pa_begin(const char *name, const char *const *names, unsigned n) {
    bld B = {air_builder_new(name, 3), {0, 0}};
    for (unsigned c = 0; c < n; c++) {
        air_col cc = air_col_stage1(B.b, names[c]);
        ZISK_ASSERT(cc.index == c);
        if (c == 0) B.s1 = cc;
    }
    return B;
}

/* Builds it (an error is a bug in the definition: aborts) and checks its column count. */
static inline air *pa_finish(bld *B, unsigned n_cols) {
    zisk_err err;
    air *a = air_build(B->b, &err);
    if (!a) zisk_panic(__FILE__, __LINE__, "%s", err.msg);
    ZISK_ASSERT(air_n_cols(a, AIR_STAGE1) == n_cols);
    return a;
}

static inline air_expr K(bld *B, int64_t c) { return air_const_i64(B->b, c); }
static inline air_expr col(bld *B, unsigned c) { return air_cur(B->b, air_col_at(B->s1, c)); }
static inline air_expr add(bld *B, air_expr x, air_expr y) { return air_add(B->b, x, y); }
static inline air_expr sub(bld *B, air_expr x, air_expr y) { return air_sub(B->b, x, y); }
static inline air_expr mul(bld *B, air_expr x, air_expr y) { return air_mul(B->b, x, y); }
static inline air_expr scale(bld *B, int64_t c, air_expr x) { return mul(B, K(B, c), x); }
static inline air_expr one_minus(bld *B, air_expr x) { return sub(B, K(B, 1), x); }
static inline void constrain(bld *B, const char *name, air_expr e) { air_constrain(B->b, AIR_EVERY_ROW, name, e); }
static inline void boolean(bld *B, const char *name, air_expr x) { constrain(B, name, mul(B, x, one_minus(B, x))); }

/* 1 + (2^(2^i) - 1) s for the bit column s of weight 2^i: 2^(2^i) when the bit is set, 1
 * otherwise (products of these give 2^s from the bits of s). */
static inline air_expr pow2_factor(bld *B, unsigned i, unsigned bit_col) {
    return add(B, K(B, 1), scale(B, ((int64_t)1 << (1u << i)) - 1, col(B, bit_col)));
}

/* Index of op in ops[0..n), or -1. */
static inline int pa_op_slot(const zkvm_op *ops, int n, zkvm_op op) {
    for (int i = 0; i < n; i++)
        if (ops[i] == op) return i;
    return -1;
}

/* A row of a provider's trace as integers (witness) and the AIR's equations on it (row_ok). */
typedef void (*pa_witness_fn)(const zkvm_op_record *r, int flag, uint64_t *row);
typedef int (*pa_row_ok_fn)(const uint64_t *row, const zkvm_op_record *r);

/* The stage-1 trace (column-major, 2^log_n rows, zkvm_trace_alloc) of provider `name` whose
 * flag i proves ops[i], with rows 0..n-1 from the records and the rest zero. A record must be
 * valid for the provider (its op in ops, a byte offset k with bit k of `offsets` set (1: offset
 * 0 only), c = zkvm_op_eval): otherwise the caller has a bug and this aborts, naming the
 * provider and the record. Every row witness() builds must pass row_ok() (a builder that
 * disagrees with its AIR aborts here, not in a proof). Rows are independent and built by all
 * threads (the trace does not depend on the thread count). */
static inline gl_t *pa_trace(const char *name, const zkvm_op *ops, int n_ops, unsigned n_cols,
                             const zkvm_op_record *recs, size_t n, unsigned log_n, pa_witness_fn witness,
                             pa_row_ok_fn row_ok, unsigned offsets) {
    ZISK_ASSERT(log_n >= 1 && log_n <= 30 && n_cols <= 64);
    size_t rows = (size_t)1 << log_n;
    ZISK_ASSERT(n <= rows && (n == 0 || recs != NULL));
    gl_t *t = zkvm_trace_alloc(n_cols, rows);
#pragma omp parallel for schedule(static) if (n >= ((size_t)1 << 12))
    for (size_t i = 0; i < n; i++) {
        const zkvm_op_record *r = &recs[i];
        uint64_t c, row[64];
        int f = (offsets >> zkvm_opc_off(r->opc)) & 1u ? pa_op_slot(ops, n_ops, zkvm_opc_op(r->opc)) : -1;
        if (f < 0 || !zkvm_op_eval(r->opc, r->x, r->y, &c) || c != r->c)
            zisk_panic(__FILE__, __LINE__, "%s: record %zu (opc %u, x %#llx, y %#llx, c %#llx) is not a valid %s operation",
                       name, i, r->opc, (unsigned long long)r->x, (unsigned long long)r->y,
                       (unsigned long long)r->c, name);
        witness(r, f, row);
        ZISK_ASSERT(row_ok(row, r));
        for (unsigned k = 0; k < n_cols; k++) t[(size_t)k * rows + i] = row[k];
    }
    return t;
}

/* Counts a trace's range lookups into rc; returns how many it skipped (zkvm_<p>_count_lookups). */
typedef size_t (*pa_count_fn)(const gl_t *trace, unsigned log_n, zkvm_range_counts *rc);

/* What a provider's trace needs beyond pa_trace_counted's defaults. */
typedef struct pa_extra {
    unsigned offsets;        /* pa_trace's offset mask (0 is taken as 1: offset 0 only) */
    const unsigned *pad_one; /* columns that hold 1 on padding rows (e.g. a power 2^0) */
    unsigned n_pad_one;
} pa_extra;

/* pa_trace, the padding rows' ones, then the trace's range lookups counted into rc (must not be
 * NULL): the body of the trace builders of the range-table providers. An honest trace skips no
 * lookup (asserted). x may be NULL (offset 0 only, padding all zero). */
static inline gl_t *pa_trace_counted(const char *name, const zkvm_op *ops, int n_ops, unsigned n_cols,
                                     const zkvm_op_record *recs, size_t n, unsigned log_n, pa_witness_fn witness,
                                     pa_row_ok_fn row_ok, pa_count_fn count, zkvm_range_counts *rc,
                                     const pa_extra *x) {
    ZISK_ASSERT(rc != NULL);
    gl_t *t = pa_trace(name, ops, n_ops, n_cols, recs, n, log_n, witness, row_ok, x && x->offsets ? x->offsets : 1);
    size_t rows = (size_t)1 << log_n;
    for (unsigned k = 0; x && k < x->n_pad_one; k++)
        for (size_t i = n; i < rows; i++) t[(size_t)x->pad_one[k] * rows + i] = 1;
    size_t skipped = count(t, log_n, rc);
    ZISK_ASSERT(skipped == 0);
    return t;
}

#endif
