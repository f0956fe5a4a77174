/*
 * fri_internal.h: what the prover, the verifier and the codec of src/fri share (not public).
 */
#ifndef ZISK_FRI_INTERNAL_H
#define ZISK_FRI_INTERNAL_H

#include "fri.h"

/* Fills the shape fields of *p (params, log_degree, n_layers, first_committed, log_final, per-layer sizes and
 * arities, offsets and per-query lengths) from already checked parameters. Touches no array. */
void fri_layout(fri_proof *p, const fri_params *params, unsigned log_degree);

/* 1 when the shape fields of a and b agree (params, log_degree and everything fri_layout sets). */
int fri_layout_eq(const fri_proof *a, const fri_proof *b);

/* Allocates the proof's arrays for its shape (zeroed). */
void fri_alloc_arrays(fri_proof *p);

/* The transcript header: absorb_bytes("zisk-fri-v1"), log_degree and the six parameters. */
void fri_absorb_header(transcript *t, const fri_params *params, unsigned log_degree);

/* Folds one leaf of 2^k extension values (3 * 2^k elements, position j at 3j) whose points are
 * x0 * w^j (w a primitive 2^k-th root of unity) with challenge beta. x0_inv = 1/x0; w_inv_pow[j]
 * = w^-j for j < 2^(k-1). Returns the folded value at x0^(2^k). */
gl3_t fri_fold_leaf(const gl_t *leaf, unsigned k, gl_t x0_inv, gl3_t beta, const gl_t *w_inv_pow);

/* Test hook (malicious-prover mode, tests only, not thread-safe): when >= 0, fri_prove folds
 * that layer with beta + 1 instead of beta while committing everything else honestly, so the
 * next layer is low-degree but inconsistent with this one (the verifier must say "fold").
 * -1, the default, disables it. */
extern int fri_test_wrong_fold_layer;

#endif
