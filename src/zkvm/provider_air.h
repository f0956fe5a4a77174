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

#endif
