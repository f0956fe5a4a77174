/*
 * ntt.h: number-theoretic transforms over Goldilocks for power-of-two sizes: forward NTT
 * (coefficients -> evaluations), inverse NTT, coset transforms and the coset low-degree extension
 * (LDE) used to commit to trace columns. Batches of columns run in parallel with OpenMP when the
 * library was built with it (OMP_NUM_THREADS or ntt_set_threads choose the thread count).
 *
 * Conventions
 *  - Size n = 2^log_n. The evaluation domain H_n = {w^i : i < n} with w = gl_root_of_unity(log_n);
 *    the forward NTT of coefficients c is X[i] = sum_k c[k] w^(i*k), in natural order i = 0..n-1.
 *    A coset shift*H_n has points shift * w^i.
 *  - Layout: batches are COLUMN-MAJOR. Column c of a batch of `width` columns starts at
 *    data + c * stride (stride >= n), and its n elements are contiguous. Every column is
 *    transformed independently, which is what parallelises best and keeps each transform in
 *    cache. Merkle trees over LDE rows want the ROW-MAJOR matrix (a row's cells contiguous, to be
 *    hashed as one leaf): ntt_transpose turns the column-major LDE into that with one
 *    cache-blocked pass (ntt_lde_rows does both).
 *  - Bit-reversed order: ntt_dif / ntt_dit are the raw in-place kernels for callers that want
 *    bit-reversed evaluations (e.g. FRI folding of adjacent pairs); ntt_bit_reverse converts.
 *
 * Ownership: every buffer is caller-owned; nothing here allocates except ntt_plan_create. A plan
 * is immutable after creation and may be shared by any number of threads.
 *
 * Misuse (log_n above the plan's size, stride < n, a NULL plan) is a caller bug and aborts with
 * file and line (ZISK_ASSERT); sizes here never come from outside data unchecked.
 */
#ifndef ZISK_NTT_H
#define ZISK_NTT_H

#include <stddef.h>
#include <stdint.h>

#include "gl.h"

/* Largest transform a plan can be created for (2^28 elements = 2 GiB per column). */
#define NTT_LOG_MAX 28

typedef struct ntt_plan ntt_plan;

/* Creates the twiddle tables for every size up to 2^log_max (0 <= log_max <= NTT_LOG_MAX):
 * a forward and an inverse table of 2^(log_max - 1) elements each (e.g. 32 MiB in all for
 * log_max = 22). Aborts on out-of-memory. The caller frees it with ntt_plan_free. */
ntt_plan *ntt_plan_create(unsigned log_max);
/* A process-wide plan for 2^log_max, created on first use and never freed: plans are immutable,
 * so every user of one size (the STARK's keys, one per AIR and size) can share it instead of
 * building the same tables again. Thread-safe. */
const ntt_plan *ntt_plan_shared(unsigned log_max);
/* Frees a plan (NULL is allowed; never a shared one). */
void ntt_plan_free(ntt_plan *plan);
/* The log_max the plan was created for. */
unsigned ntt_plan_log_max(const ntt_plan *plan);

/* Single column, in place, natural order in and out, 0 <= log_n <= plan's log_max. */
/* Coefficients -> evaluations over H_n. */
void ntt_forward(const ntt_plan *plan, gl_t *x, unsigned log_n);
/* Evaluations over H_n -> coefficients (includes the 1/n factor). */
void ntt_inverse(const ntt_plan *plan, gl_t *x, unsigned log_n);

/* Raw kernels, in place, no 1/n factor. inverse = 0 uses w, inverse = 1 uses w^-1.
 * ntt_dif: natural order in, bit-reversed order out.
 * ntt_dit: bit-reversed order in, natural order out. */
void ntt_dif(const ntt_plan *plan, gl_t *x, unsigned log_n, int inverse);
void ntt_dit(const ntt_plan *plan, gl_t *x, unsigned log_n, int inverse);
/* Permutes x[i] <-> x[bitrev(i)] in place (log_n <= 32). */
void ntt_bit_reverse(gl_t *x, unsigned log_n);

/* Batches of `width` columns (column-major, see above), in place. */
void ntt_forward_batch(const ntt_plan *plan, gl_t *data, unsigned log_n, size_t width,
                       size_t stride);
void ntt_inverse_batch(const ntt_plan *plan, gl_t *data, unsigned log_n, size_t width,
                       size_t stride);
/* Coefficients -> evaluations over the coset shift*H_n: scales c[k] by shift^k, then NTT.
 * A column whose upper half is zero (c[k] = 0 for k >= n/2) costs about half: it is the coset
 * extension of its lower half (the zero test reads until the first non-zero element). */
void ntt_coset_forward_batch(const ntt_plan *plan, gl_t *data, unsigned log_n, size_t width,
                             size_t stride, gl_t shift);
/* Evaluations over shift*H_n -> coefficients (shift != 0; inverse of the above). */
void ntt_coset_inverse_batch(const ntt_plan *plan, gl_t *data, unsigned log_n, size_t width,
                             size_t stride, gl_t shift);

/* Coset low-degree extension. Input: `width` columns of evaluations over H_n (column c at
 * in + c * in_stride, n = 2^log_n elements, natural order). Output: the evaluations of the same
 * degree < n polynomials over shift*H_N, N = 2^(log_n + log_blowup), natural order, column c at
 * out + c * out_stride (out_stride >= N). log_n + log_blowup must not exceed the plan's log_max;
 * shift is normally GL_GENERATOR (it must not lie in H_N, or the extension would repeat H_n's
 * points). in may equal out when in_stride == out_stride (in place); otherwise the two must not
 * overlap. scratch: caller-owned, at least n elements, overwritten.
 * Cost: per column an inverse NTT of size n and a forward NTT of size N on zero-padded
 * coefficients; with log_blowup = 1 the two are fused block by block (the zero half, the scaling
 * and the first forward stage cost one multiplication per output). */
void ntt_lde_batch(const ntt_plan *plan, const gl_t *in, size_t in_stride, size_t width,
                   unsigned log_n, unsigned log_blowup, gl_t shift, gl_t *out, size_t out_stride,
                   gl_t *scratch);

/* ntt_lde_batch followed by ntt_transpose: out_rows is the ROW-MAJOR N x width matrix (row i =
 * the width evaluations at shift * w_N^i). cols_scratch: caller-owned, at least N * width
 * elements (the column-major LDE), plus scratch as above (n elements). in may not overlap either
 * scratch or out_rows. */
void ntt_lde_rows(const ntt_plan *plan, const gl_t *in, size_t in_stride, size_t width,
                  unsigned log_n, unsigned log_blowup, gl_t shift, gl_t *out_rows,
                  gl_t *cols_scratch, gl_t *scratch);

/* Matrix transpose: src is a ROW-MAJOR rows x cols matrix (element (r, c) at src[r*cols + c]);
 * dst receives its cols x rows transpose (element (c, r) at dst[c*rows + r]). Equivalently:
 * converts `rows`-long columns stored column-major (cols of them) into a row-major matrix when
 * called with (rows = width, cols = n), and the reverse. Cache-blocked and parallel. dst and src
 * must not overlap. */
void ntt_transpose(gl_t *dst, const gl_t *src, size_t rows, size_t cols);

/* Threads used by the parallel loops (1 when built without OpenMP). ntt_set_threads(n) with
 * n >= 1 sets it for the calling thread's subsequent parallel regions (omp_set_num_threads). */
int ntt_threads(void);
void ntt_set_threads(int n);

#endif
