/*
 * ntt.c: radix-2 NTTs over Goldilocks, cache-blocked, with the butterflies done by the field's
 * vector kernels (gl_vec(): AVX-512, AVX2 or scalar) and OpenMP across columns or, for a single
 * large column, across the butterflies of a stage.
 *
 * Twiddles: for the stage whose butterflies are m apart (m = 1, 2, 4, ..., 2^(log_max-1)), the
 * table holds w_{2m}^j for j < m, stored at offset m - 1. The stage tables do not depend on the
 * transform size, so one plan serves every size up to 2^log_max, and each stage reads its
 * twiddles contiguously (what the vector kernels want).
 *
 * Blocking: the stages with m < NTT_BLOCK/2 touch only one aligned block of NTT_BLOCK elements,
 * so they run block by block while the block stays in L1/L2 (DIF: the last stages; DIT: the first
 * ones). The remaining "global" stages sweep the whole column, split into tasks of NTT_TASK
 * butterflies for the threads.
 */
#include "ntt.h"

#include <stdlib.h>
#include <string.h>

#include "base.h"

#ifdef _OPENMP
#include <omp.h>
#define NTT_OMP(x) _Pragma(x)
#else
#define NTT_OMP(x)
#endif

/* log2 of the cache block (2^13 elements = 64 KiB: within L2, two per core with room to spare). */
#define NTT_LOG_BLOCK 13
/* Butterflies per parallel task in a global stage (a multiple of every vector width). */
#define NTT_TASK 4096
/* Below this size a single column is not worth a parallel region. */
#define NTT_LOG_PAR_MIN 14

struct ntt_plan {
    unsigned log_max;
    gl_t *fwd; /* 2^log_max - 1 elements; stage m at fwd + m - 1 */
    gl_t *inv; /* same with w^-1 */
};

static void fill_tables(gl_t *tab, unsigned log_max, int inverse) {
    for (unsigned s = 0; s < log_max; s++) {
        size_t m = (size_t)1 << s;
        gl_t w = gl_root_of_unity(s + 1); /* order 2m */
        if (inverse) w = gl_inv(w);
        gl_powers(tab + m - 1, w, 0, m);
    }
}

ntt_plan *ntt_plan_create(unsigned log_max) {
    ZISK_ASSERT(log_max <= NTT_LOG_MAX);
    ntt_plan *p = zisk_xcalloc(1, sizeof *p);
    p->log_max = log_max;
    size_t len = ((size_t)1 << log_max) - 1;
    /* +1 so that log_max = 0 still gets a valid (unused) allocation. */
    p->fwd = zisk_xmalloc((len + 1) * sizeof(gl_t));
    p->inv = zisk_xmalloc((len + 1) * sizeof(gl_t));
    fill_tables(p->fwd, log_max, 0);
    fill_tables(p->inv, log_max, 1);
    return p;
}

void ntt_plan_free(ntt_plan *plan) {
    if (!plan) return;
    free(plan->fwd);
    free(plan->inv);
    free(plan);
}

unsigned ntt_plan_log_max(const ntt_plan *plan) { return plan->log_max; }

int ntt_threads(void) {
#ifdef _OPENMP
    return omp_get_max_threads();
#else
    return 1;
#endif
}

void ntt_set_threads(int n) {
#ifdef _OPENMP
    if (n >= 1) omp_set_num_threads(n);
#else
    (void)n;
#endif
}

/* ---- stage kernels ----------------------------------------------------------------------- */

/* Vector kernels are used when m is at least this; below, the loops are scalar (and m = 1 has
 * no multiplication at all since its only twiddle is 1). */
#define NTT_VEC_MIN 8

static void dif_stage_block(const gl_vec_ops *ops, gl_t *x, size_t len, size_t m, const gl_t *tw) {
    if (m == 1) {
        for (size_t k = 0; k < len; k += 2) {
            gl_t u = x[k], v = x[k + 1];
            x[k] = gl_add(u, v);
            x[k + 1] = gl_sub(u, v);
        }
    } else if (m < NTT_VEC_MIN) {
        for (size_t k = 0; k < len; k += 2 * m) {
            for (size_t j = 0; j < m; j++) {
                gl_t u = x[k + j], v = x[k + j + m];
                x[k + j] = gl_add(u, v);
                x[k + j + m] = gl_mul(gl_sub(u, v), tw[j]);
            }
        }
    } else {
        for (size_t k = 0; k < len; k += 2 * m) ops->dif(x + k, x + k + m, tw, m);
    }
}

static void dit_stage_block(const gl_vec_ops *ops, gl_t *x, size_t len, size_t m, const gl_t *tw) {
    if (m == 1) {
        for (size_t k = 0; k < len; k += 2) {
            gl_t u = x[k], v = x[k + 1];
            x[k] = gl_add(u, v);
            x[k + 1] = gl_sub(u, v);
        }
    } else if (m < NTT_VEC_MIN) {
        for (size_t k = 0; k < len; k += 2 * m) {
            for (size_t j = 0; j < m; j++) {
                gl_t u = x[k + j], t = gl_mul(x[k + j + m], tw[j]);
                x[k + j] = gl_add(u, t);
                x[k + j + m] = gl_sub(u, t);
            }
        }
    } else {
        for (size_t k = 0; k < len; k += 2 * m) ops->dit(x + k, x + k + m, tw, m);
    }
}

/* One global stage (m >= NTT_TASK) split into tasks of NTT_TASK butterflies. */
static void global_stage(const gl_vec_ops *ops, gl_t *x, size_t n, size_t m, const gl_t *tw,
                         int dif, int par) {
    size_t tasks = n / 2 / NTT_TASK;
    NTT_OMP("omp parallel for schedule(static) if(par)")
    for (size_t t = 0; t < tasks; t++) {
        size_t b = t * NTT_TASK;           /* first butterfly of the task */
        size_t k = (b / m) * 2 * m, j = b % m; /* its block and offset; m % NTT_TASK == 0 */
        if (dif) ops->dif(x + k + j, x + k + j + m, tw + j, NTT_TASK);
        else ops->dit(x + k + j, x + k + j + m, tw + j, NTT_TASK);
    }
}

/* DIT starting at stage m = 2^first_stage (stages below it already done or trivial). */
static void dit_from(const ntt_plan *plan, gl_t *x, unsigned log_n, unsigned first_stage,
                     int inverse, int par) {
    ZISK_ASSERT(log_n <= plan->log_max);
    const gl_vec_ops *ops = gl_vec();
    const gl_t *tab = inverse ? plan->inv : plan->fwd;
    size_t n = (size_t)1 << log_n;
    unsigned log_block = log_n < NTT_LOG_BLOCK ? log_n : NTT_LOG_BLOCK;
    size_t block = (size_t)1 << log_block;
    par = par && log_n >= NTT_LOG_PAR_MIN;
    if (first_stage < log_block) {
        size_t nblocks = n / block;
        NTT_OMP("omp parallel for schedule(static) if(par)")
        for (size_t b = 0; b < nblocks; b++) {
            unsigned s = first_stage;
            if (s == 0 && log_block >= 3) {
                ops->dit_small(x + b * block, block, tab); /* stages m = 1, 2, 4 */
                s = 3;
            }
            for (; s < log_block; s++) {
                size_t m = (size_t)1 << s;
                dit_stage_block(ops, x + b * block, block, m, tab + m - 1);
            }
        }
    }
    for (unsigned s = first_stage > log_block ? first_stage : log_block; s < log_n; s++) {
        size_t m = (size_t)1 << s;
        global_stage(ops, x, n, m, tab + m - 1, 0, par);
    }
}

static void dif_all(const ntt_plan *plan, gl_t *x, unsigned log_n, int inverse, int par) {
    ZISK_ASSERT(log_n <= plan->log_max);
    const gl_vec_ops *ops = gl_vec();
    const gl_t *tab = inverse ? plan->inv : plan->fwd;
    size_t n = (size_t)1 << log_n;
    unsigned log_block = log_n < NTT_LOG_BLOCK ? log_n : NTT_LOG_BLOCK;
    size_t block = (size_t)1 << log_block;
    par = par && log_n >= NTT_LOG_PAR_MIN;
    for (unsigned s = log_n; s-- > log_block;) {
        size_t m = (size_t)1 << s;
        global_stage(ops, x, n, m, tab + m - 1, 1, par);
    }
    size_t nblocks = n / block;
    NTT_OMP("omp parallel for schedule(static) if(par)")
    for (size_t b = 0; b < nblocks; b++) {
        unsigned stop = log_block >= 3 ? 3 : 0;
        for (unsigned s = log_block; s-- > stop;) {
            size_t m = (size_t)1 << s;
            dif_stage_block(ops, x + b * block, block, m, tab + m - 1);
        }
        if (stop) ops->dif_small(x + b * block, block, tab); /* stages m = 4, 2, 1 */
    }
}

/* ---- bit reversal ------------------------------------------------------------------------ */

static inline uint32_t rev32(uint32_t v) {
    v = ((v >> 1) & 0x55555555u) | ((v & 0x55555555u) << 1);
    v = ((v >> 2) & 0x33333333u) | ((v & 0x33333333u) << 2);
    v = ((v >> 4) & 0x0F0F0F0Fu) | ((v & 0x0F0F0F0Fu) << 4);
    v = ((v >> 8) & 0x00FF00FFu) | ((v & 0x00FF00FFu) << 8);
    return (v >> 16) | (v << 16);
}

static inline size_t bitrev(size_t i, unsigned log_n) {
    return log_n == 0 ? 0 : (size_t)(rev32((uint32_t)i) >> (32 - log_n));
}

/* Bit-reversal permutation. The naive loop swaps x[i] with x[rev(i)] in scattered order, one
 * cache miss per element at large sizes. Instead split i = (a, mid, c) with a and c of BR_BITS
 * bits: rev(i) = (rev(c), rev(mid), rev(a)). For one mid, the i's form 2^BR_BITS runs of
 * 2^BR_BITS contiguous elements, and so do their partners (at rev(mid)), so both tiles are read
 * and written while their cache lines are resident. A tile pair (mid, rev(mid)) is handled once,
 * by the smaller mid; a tile mapped onto itself swaps only i < rev(i). */
#define BR_BITS 4

static void bit_reverse(gl_t *x, unsigned log_n, int par) {
    ZISK_ASSERT(log_n <= 32);
    size_t n = (size_t)1 << log_n;
    par = par && log_n >= NTT_LOG_PAR_MIN;
    if (log_n < 2 * BR_BITS + 2) {
        for (size_t i = 0; i < n; i++) {
            size_t j = bitrev(i, log_n);
            if (i < j) {
                gl_t t = x[i];
                x[i] = x[j];
                x[j] = t;
            }
        }
        return;
    }
    const unsigned mid_bits = log_n - 2 * BR_BITS;
    const size_t side = (size_t)1 << BR_BITS, mids = (size_t)1 << mid_bits;
    const unsigned hi_shift = log_n - BR_BITS;
    NTT_OMP("omp parallel for schedule(static) if(par)")
    for (size_t mid = 0; mid < mids; mid++) {
        size_t rmid = bitrev(mid, mid_bits);
        if (rmid < mid) continue;
        for (size_t a = 0; a < side; a++) {
            size_t ra = bitrev(a, BR_BITS);
            for (size_t c = 0; c < side; c++) {
                size_t i = (a << hi_shift) | (mid << BR_BITS) | c;
                size_t j = (bitrev(c, BR_BITS) << hi_shift) | (rmid << BR_BITS) | ra;
                if (rmid == mid && j <= i) continue;
                gl_t t = x[i];
                x[i] = x[j];
                x[j] = t;
            }
        }
    }
}

void ntt_bit_reverse(gl_t *x, unsigned log_n) { bit_reverse(x, log_n, 1); }

/* ---- single column ----------------------------------------------------------------------- */

void ntt_dif(const ntt_plan *plan, gl_t *x, unsigned log_n, int inverse) {
    dif_all(plan, x, log_n, inverse, 1);
}

void ntt_dit(const ntt_plan *plan, gl_t *x, unsigned log_n, int inverse) {
    dit_from(plan, x, log_n, 0, inverse, 1);
}

static void forward_col(const ntt_plan *plan, gl_t *x, unsigned log_n, int par) {
    bit_reverse(x, log_n, par);
    dit_from(plan, x, log_n, 0, 0, par);
}

static void scale_col(gl_t *x, size_t n, gl_t s, int par) {
    const gl_vec_ops *ops = gl_vec();
    if (!par || n < ((size_t)1 << NTT_LOG_PAR_MIN)) {
        ops->scale(x, x, s, n);
        return;
    }
    size_t tasks = (n + NTT_TASK - 1) / NTT_TASK;
    NTT_OMP("omp parallel for schedule(static)")
    for (size_t t = 0; t < tasks; t++) {
        size_t lo = t * NTT_TASK, len = n - lo < NTT_TASK ? n - lo : NTT_TASK;
        ops->scale(x + lo, x + lo, s, len);
    }
}

static void inverse_col(const ntt_plan *plan, gl_t *x, unsigned log_n, int par) {
    bit_reverse(x, log_n, par);
    dit_from(plan, x, log_n, 0, 1, par);
    scale_col(x, (size_t)1 << log_n, gl_inv((gl_t)1 << log_n), par);
}

void ntt_forward(const ntt_plan *plan, gl_t *x, unsigned log_n) { forward_col(plan, x, log_n, 1); }
void ntt_inverse(const ntt_plan *plan, gl_t *x, unsigned log_n) { inverse_col(plan, x, log_n, 1); }

/* ---- batches ----------------------------------------------------------------------------- */

/* Parallelise across columns when there are enough of them to keep every thread busy; otherwise
 * go column by column and parallelise inside each. */
static int across_columns(size_t width) { return width > 1 && width >= (size_t)ntt_threads(); }

void ntt_forward_batch(const ntt_plan *plan, gl_t *data, unsigned log_n, size_t width,
                       size_t stride) {
    ZISK_ASSERT(stride >= ((size_t)1 << log_n) || width <= 1);
    if (across_columns(width)) {
        NTT_OMP("omp parallel for schedule(dynamic, 1)")
        for (size_t c = 0; c < width; c++) forward_col(plan, data + c * stride, log_n, 0);
    } else {
        for (size_t c = 0; c < width; c++) forward_col(plan, data + c * stride, log_n, 1);
    }
}

void ntt_inverse_batch(const ntt_plan *plan, gl_t *data, unsigned log_n, size_t width,
                       size_t stride) {
    ZISK_ASSERT(stride >= ((size_t)1 << log_n) || width <= 1);
    if (across_columns(width)) {
        NTT_OMP("omp parallel for schedule(dynamic, 1)")
        for (size_t c = 0; c < width; c++) inverse_col(plan, data + c * stride, log_n, 0);
    } else {
        for (size_t c = 0; c < width; c++) inverse_col(plan, data + c * stride, log_n, 1);
    }
}

/* x[k] *= s^k for k < n (a running power: n multiplications for the powers). */
static void scale_by_powers(gl_t *x, size_t n, gl_t s) {
    gl_t p = 1;
    for (size_t k = 0; k < n; k++) {
        x[k] = gl_mul(x[k], p);
        p = gl_mul(p, s);
    }
}

void ntt_coset_forward_batch(const ntt_plan *plan, gl_t *data, unsigned log_n, size_t width,
                             size_t stride, gl_t shift) {
    ZISK_ASSERT(stride >= ((size_t)1 << log_n) || width <= 1);
    size_t n = (size_t)1 << log_n;
    int across = across_columns(width);
    NTT_OMP("omp parallel for schedule(dynamic, 1) if(across)")
    for (size_t c = 0; c < width; c++) {
        scale_by_powers(data + c * stride, n, shift);
        forward_col(plan, data + c * stride, log_n, !across);
    }
}

void ntt_coset_inverse_batch(const ntt_plan *plan, gl_t *data, unsigned log_n, size_t width,
                             size_t stride, gl_t shift) {
    ZISK_ASSERT(shift != 0);
    ZISK_ASSERT(stride >= ((size_t)1 << log_n) || width <= 1);
    size_t n = (size_t)1 << log_n;
    gl_t inv_shift = gl_inv(shift);
    int across = across_columns(width);
    NTT_OMP("omp parallel for schedule(dynamic, 1) if(across)")
    for (size_t c = 0; c < width; c++) {
        inverse_col(plan, data + c * stride, log_n, !across);
        scale_by_powers(data + c * stride, n, inv_shift);
    }
}

/* ---- low-degree extension ---------------------------------------------------------------- */

/* t[j] = shift^bitrev_n(j) / n for j < n. Built by doubling: bitrev_2s(2j) = bitrev_s(j) and
 * bitrev_2s(2j+1) = bitrev_s(j) + s, so the table for 2s interleaves the table for s with itself
 * times shift^s (filled from the top so nothing is overwritten before it is read). */
static void lde_scale_table(gl_t *t, unsigned log_n, gl_t shift) {
    size_t n = (size_t)1 << log_n;
    t[0] = gl_inv((gl_t)n);
    gl_t sp = shift; /* shift^s */
    for (size_t s = 1; s < n; s *= 2) {
        for (size_t j = s; j-- > 0;) {
            gl_t v = t[j];
            t[2 * j + 1] = gl_mul(v, sp);
            t[2 * j] = v;
        }
        sp = gl_sqr(sp);
    }
}

/* One column: evaluations (n, natural) in col[0..n) -> coset evaluations (N, natural).
 * 1. inverse DIF: natural evaluations -> bit-reversed coefficients (times n);
 * 2. scale by shift^k / n (in bit-reversed order: table t);
 * 3. the zero-padded coefficient vector in bit-reversed order of size N has coefficient
 *    bitrev_n(j) at position j * B (B = 2^log_blowup) and zeros elsewhere; the first log_blowup
 *    DIT stages then just copy each such value over its B-block, so (for large blowups) write
 *    the copies directly and skip those stages;
 * 4. the remaining DIT stages give natural-order evaluations over shift * H_N. */
static void lde_col(const ntt_plan *plan, gl_t *col, unsigned log_n, unsigned log_blowup,
                    const gl_t *t, int par) {
    size_t n = (size_t)1 << log_n, B = (size_t)1 << log_blowup;
    dif_all(plan, col, log_n, 1, par);
    gl_vec()->mul(col, col, t, n);
    /* For blowups below 8 the zero-padded layout goes through the full DIT, whose first three
     * stages run in one vectorised kernel (cheaper than scalar copies followed by scalar
     * stages); larger blowups write the copies and skip log_blowup stages. */
    unsigned first_stage = log_blowup < 3 ? 0 : log_blowup;
    for (size_t j = n; j-- > 0 && B > 1;) {
        gl_t v = col[j];
        gl_t *dst = col + j * B; /* j*B >= j: the entries below j are not touched yet */
        if (first_stage == 0) {
            dst[0] = v;
            for (size_t r = 1; r < B; r++) dst[r] = 0;
        } else {
            for (size_t r = 0; r < B; r++) dst[r] = v;
        }
    }
    dit_from(plan, col, log_n + log_blowup, first_stage, 0, par);
}

void ntt_lde_batch(const ntt_plan *plan, const gl_t *in, size_t in_stride, size_t width,
                   unsigned log_n, unsigned log_blowup, gl_t shift, gl_t *out, size_t out_stride,
                   gl_t *scratch) {
    ZISK_ASSERT(log_n + log_blowup <= plan->log_max);
    size_t n = (size_t)1 << log_n, N = n << log_blowup;
    ZISK_ASSERT(width <= 1 || (in_stride >= n && out_stride >= N));
    ZISK_ASSERT(in != out || in_stride == out_stride);
    lde_scale_table(scratch, log_n, shift);
    int across = across_columns(width);
    NTT_OMP("omp parallel for schedule(dynamic, 1) if(across)")
    for (size_t c = 0; c < width; c++) {
        gl_t *col = out + c * out_stride;
        if (in != out) memcpy(col, in + c * in_stride, n * sizeof(gl_t));
        lde_col(plan, col, log_n, log_blowup, scratch, !across);
    }
}

void ntt_lde_rows(const ntt_plan *plan, const gl_t *in, size_t in_stride, size_t width,
                  unsigned log_n, unsigned log_blowup, gl_t shift, gl_t *out_rows,
                  gl_t *cols_scratch, gl_t *scratch) {
    size_t N = (size_t)1 << (log_n + log_blowup);
    ntt_lde_batch(plan, in, in_stride, width, log_n, log_blowup, shift, cols_scratch, N, scratch);
    ntt_transpose(out_rows, cols_scratch, width, N);
}

/* ---- transpose --------------------------------------------------------------------------- */

/* Tiles of 32 x 32 elements (8 KiB in, 8 KiB out) stay in L1 while one is transposed. */
#define NTT_TILE 32

void ntt_transpose(gl_t *dst, const gl_t *src, size_t rows, size_t cols) {
    size_t row_tiles = (rows + NTT_TILE - 1) / NTT_TILE;
    size_t col_tiles = (cols + NTT_TILE - 1) / NTT_TILE;
    size_t tiles = row_tiles * col_tiles;
    int par = rows * cols >= ((size_t)1 << NTT_LOG_PAR_MIN);
    (void)par; /* used only by the OpenMP pragma */
    NTT_OMP("omp parallel for schedule(static) if(par)")
    for (size_t t = 0; t < tiles; t++) {
        size_t r0 = (t / col_tiles) * NTT_TILE, c0 = (t % col_tiles) * NTT_TILE;
        size_t r1 = r0 + NTT_TILE < rows ? r0 + NTT_TILE : rows;
        size_t c1 = c0 + NTT_TILE < cols ? c0 + NTT_TILE : cols;
        for (size_t r = r0; r < r1; r++)
            for (size_t c = c0; c < c1; c++) dst[c * rows + r] = src[r * cols + c];
    }
}
