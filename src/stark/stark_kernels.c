/*
 * stark_kernels.c: the prover's two inner products over every committed cell after the
 * commitments: the out-of-domain values and the DEEP codeword (stark_internal.h). Both multiply
 * base-field cells by extension weights and add the products up, so both use delayed reduction:
 * a base x base product is a 128-bit integer, and up to 2^64 of them add up exactly in three
 * 64-bit words (acc3); only the final sum is reduced. One product then costs a mulx and three
 * adds instead of a multiplication with its reduction plus a field addition (about half the
 * time of the vector kernels, which had to write every product to memory and add it in a
 * second pass). tests/stark checks both against plain field arithmetic.
 */
#include <stdlib.h>
#include <string.h>

#include "stark_internal.h"

#ifdef _OPENMP
#include <omp.h>
#endif

/* Rows per work item: the weights of a block (24 KiB) stay in L1/L2 while every column passes. */
#define KERNEL_BLOCK 1024
/* Columns whose products one DEEP row accumulates in registers before touching memory. */
#define DEEP_COL_GROUP 8
/* Below this many rows a parallel region costs more than it saves. */
#define KERNEL_PAR_MIN_ROWS ((size_t)1 << 14)

/* An unreduced sum of products of canonical elements: lo + hi * 2^128. Each product is below
 * 2^128, so hi counts the carries and cannot overflow before 2^64 products. */
typedef struct acc3 {
    unsigned __int128 lo;
    uint64_t hi;
} acc3;

static inline void acc3_madd(acc3 *a, gl_t x, gl_t y) {
    unsigned __int128 p = (unsigned __int128)x * y;
    a->lo += p;
    a->hi += a->lo < p;
}

static inline void acc3_add(acc3 *a, const acc3 *b) {
    a->lo += b->lo;
    a->hi += b->hi + (a->lo < b->lo);
}

/* 2^128 mod p = (2^64 mod p)^2 = (2^32 - 1)^2 = -2^32 mod p. */
#define GL_2_128 UINT64_C(0xFFFFFFFE00000001)

static inline gl_t acc3_reduce(const acc3 *a) {
    return gl_add(gl_reduce128(a->lo), gl_mul(gl_from_u64(a->hi), GL_2_128));
}

static int n_threads(int par) {
#ifdef _OPENMP
    return par ? omp_get_max_threads() : 1;
#else
    (void)par;
    return 1;
#endif
}

static int thread_id(void) {
#ifdef _OPENMP
    return omp_get_thread_num();
#else
    return 0;
#endif
}

/* ---- out-of-domain values ------------------------------------------------------------------ */

/* The barycentric weights of one block: L_i = f * w^i / (z - w^i) for i in [r0, r0 + m),
 * f = (z^n - 1) / n, so that p(z) = sum_i p(w^i) L_i for p of degree < n. (z is outside H_n,
 * so no denominator is zero.) */
static void bary_block(gl3_t z, gl3_t f, gl_t w, size_t r0, size_t m, gl3_t *L, gl3_t *scratch) {
    gl_t x = gl_pow(w, r0);
    gl_t *wp = (gl_t *)(scratch + m); /* scratch holds 2m gl3: the second half is free */
    for (size_t i = 0; i < m; i++) {
        wp[i] = x;
        L[i] = gl3_sub(z, gl3_from_base(x));
        x = gl_mul(x, w);
    }
    stark_gl3_batch_inv(L, L, m, scratch);
    for (size_t i = 0; i < m; i++) L[i] = gl3_mul(L[i], gl3_mul_base(f, wp[i]));
}

/* Why one set of weights serves both points: (z w)^n = z^n, so
 * L_i(z w) = (z^n - 1)/n * w^i / (z w - w^i) = (z^n - 1)/n * w^(i-1) / (z - w^(i-1)) = L_(i-1)(z),
 * hence p(z w) = sum_i p(w^i) L_(i-1)(z) = sum_i p(w^(i+1)) L_i(z): the same weights against the
 * column shifted by one row (indices mod n). */
void stark_ood_values(unsigned log_n, const gl_t *const *trace, size_t n_trace,
                      const gl_t *const *coef, size_t n_coef, gl3_t z, gl3_t *out_z,
                      gl3_t *out_zw) {
    size_t n = (size_t)1 << log_n, mask = n - 1;
    size_t nblk = (n + KERNEL_BLOCK - 1) / KERNEL_BLOCK;
    gl_t w = gl_root_of_unity(log_n);
    gl3_t zn = z;
    for (unsigned i = 0; i < log_n; i++) zn = gl3_sqr(zn);
    gl3_t f = gl3_mul_base(gl3_sub(zn, gl3_one()), gl_inv(gl_from_u64(n)));
    int par = n >= KERNEL_PAR_MIN_ROWS;
    int nt = n_threads(par);
    /* Per thread: 6 accumulators per trace column (z and z w, 3 components each), 3 per
     * coefficient column; summed over the threads at the end. */
    size_t per_thread = 6 * n_trace + 3 * n_coef;
    acc3 *acc = zisk_xcalloc((size_t)nt * per_thread + 1, sizeof(acc3));
    (void)par;
#pragma omp parallel if (par) num_threads(nt)
    {
        acc3 *my = acc + (size_t)thread_id() * per_thread;
        gl3_t *L = zisk_xmalloc(KERNEL_BLOCK * sizeof(gl3_t));
        gl3_t *zp = zisk_xmalloc(KERNEL_BLOCK * sizeof(gl3_t));
        gl3_t *scratch = zisk_xmalloc(2 * KERNEL_BLOCK * sizeof(gl3_t));
#pragma omp for schedule(dynamic, 1)
        for (size_t b = 0; b < nblk; b++) {
            size_t r0 = b * KERNEL_BLOCK, m = n - r0 < KERNEL_BLOCK ? n - r0 : KERNEL_BLOCK;
            if (n_trace) bary_block(z, f, w, r0, m, L, scratch);
            for (size_t j = 0; j < n_trace; j++) {
                const gl_t *col = trace[j];
                acc3 a[6];
                memset(a, 0, sizeof a);
                gl_t x = col[r0];
                for (size_t i = 0; i < m; i++) {
                    gl_t xn = col[(r0 + i + 1) & mask];
                    for (int e = 0; e < 3; e++) {
                        acc3_madd(&a[e], x, L[i].c[e]);
                        acc3_madd(&a[3 + e], xn, L[i].c[e]);
                    }
                    x = xn;
                }
                for (int e = 0; e < 6; e++) acc3_add(&my[6 * j + e], &a[e]);
            }
            if (n_coef) {
                gl3_t p = gl3_pow(z, r0);
                for (size_t i = 0; i < m; i++) {
                    zp[i] = p;
                    p = gl3_mul(p, z);
                }
            }
            for (size_t j = 0; j < n_coef; j++) {
                const gl_t *col = coef[j] + r0;
                acc3 a[3];
                memset(a, 0, sizeof a);
                for (size_t i = 0; i < m; i++)
                    for (int e = 0; e < 3; e++) acc3_madd(&a[e], col[i], zp[i].c[e]);
                for (int e = 0; e < 3; e++) acc3_add(&my[6 * n_trace + 3 * j + e], &a[e]);
            }
        }
        free(L);
        free(zp);
        free(scratch);
    }
    for (size_t j = 0; j < n_trace + n_coef; j++) {
        gl3_t vz = gl3_zero(), vzw = gl3_zero();
        for (int t = 0; t < nt; t++) {
            const acc3 *a = acc + (size_t)t * per_thread;
            for (int e = 0; e < 3; e++) {
                if (j < n_trace) {
                    vz.c[e] = gl_add(vz.c[e], acc3_reduce(&a[6 * j + e]));
                    vzw.c[e] = gl_add(vzw.c[e], acc3_reduce(&a[6 * j + 3 + e]));
                } else {
                    vz.c[e] = gl_add(vz.c[e], acc3_reduce(&a[6 * n_trace + 3 * (j - n_trace) + e]));
                }
            }
        }
        out_z[j] = vz;
        if (j < n_trace) out_zw[j] = vzw;
    }
    free(acc);
}

/* ---- DEEP codeword ------------------------------------------------------------------------- */

/* Adds sum_k g[k] * col_k[i] for the columns [k0, k1) to acc[i] (3 components) for i < m. */
static void deep_accumulate(const gl_t *const *cols, const gl3_t *g, size_t k0, size_t k1,
                            size_t r0, size_t m, acc3 *acc) {
    size_t k = k0;
    for (; k + DEEP_COL_GROUP <= k1; k += DEEP_COL_GROUP) {
        const gl_t *c[DEEP_COL_GROUP];
        gl3_t gk[DEEP_COL_GROUP];
        for (int q = 0; q < DEEP_COL_GROUP; q++) c[q] = cols[k + q] + r0, gk[q] = g[k + q];
        for (size_t i = 0; i < m; i++) {
            acc3 a[3] = {acc[3 * i], acc[3 * i + 1], acc[3 * i + 2]};
#pragma GCC unroll 8
            for (int q = 0; q < DEEP_COL_GROUP; q++) {
                gl_t v = c[q][i];
                acc3_madd(&a[0], v, gk[q].c[0]);
                acc3_madd(&a[1], v, gk[q].c[1]);
                acc3_madd(&a[2], v, gk[q].c[2]);
            }
            acc[3 * i] = a[0], acc[3 * i + 1] = a[1], acc[3 * i + 2] = a[2];
        }
    }
    for (; k < k1; k++) {
        const gl_t *c = cols[k] + r0;
        for (size_t i = 0; i < m; i++)
            for (int e = 0; e < 3; e++) acc3_madd(&acc[3 * i + e], c[i], g[k].c[e]);
    }
}

void stark_deep_codeword(unsigned log_n, unsigned log_lde, const gl_t *const *cols, size_t K,
                         size_t Kt, gl3_t z, gl3_t gamma, const gl3_t *ood, gl3_t *f) {
    ZISK_ASSERT(Kt <= K);
    size_t N = (size_t)1 << log_lde;
    gl3_t zw = gl3_mul_base(z, gl_root_of_unity(log_n));
    gl3_t *gp = zisk_xmalloc((K + Kt + 1) * sizeof(gl3_t));
    gp[0] = gl3_one();
    for (size_t k = 1; k <= K + Kt; k++) gp[k] = gl3_mul(gp[k - 1], gamma);
    gl3_t Az = gl3_zero(), Bzw = gl3_zero();
    for (size_t k = 0; k < K; k++) Az = gl3_add(Az, gl3_mul(gp[k], ood[k]));
    for (size_t k = 0; k < Kt; k++) Bzw = gl3_add(Bzw, gl3_mul(gp[k], ood[K + k]));
    gl3_t gK = gp[K];
    gl_t wN = gl_root_of_unity(log_lde);
    size_t nblk = (N + KERNEL_BLOCK - 1) / KERNEL_BLOCK;
    int par = N >= KERNEL_PAR_MIN_ROWS;
    (void)par;
#pragma omp parallel if (par)
    {
        acc3 *acc = zisk_xmalloc(3 * KERNEL_BLOCK * sizeof(acc3));
        gl3_t *at = zisk_xmalloc(KERNEL_BLOCK * sizeof(gl3_t));
        gl3_t *d = zisk_xmalloc(2 * KERNEL_BLOCK * sizeof(gl3_t));
        gl3_t *scr = zisk_xmalloc(2 * KERNEL_BLOCK * sizeof(gl3_t));
#pragma omp for schedule(dynamic, 1)
        for (size_t b = 0; b < nblk; b++) {
            size_t r0 = b * KERNEL_BLOCK, m = N - r0 < KERNEL_BLOCK ? N - r0 : KERNEL_BLOCK;
            memset(acc, 0, 3 * m * sizeof(acc3));
            /* A_t (the trace columns), kept, then A = A_t + the quotient columns' terms. */
            deep_accumulate(cols, gp, 0, Kt, r0, m, acc);
            for (size_t i = 0; i < m; i++)
                for (int e = 0; e < 3; e++) at[i].c[e] = acc3_reduce(&acc[3 * i + e]);
            deep_accumulate(cols, gp, Kt, K, r0, m, acc);
            gl_t x = gl_mul(GL_GENERATOR, gl_pow(wN, r0));
            for (size_t i = 0; i < m; i++) {
                d[i] = gl3_sub(gl3_from_base(x), z);
                d[m + i] = gl3_sub(gl3_from_base(x), zw);
                x = gl_mul(x, wN);
            }
            stark_gl3_batch_inv(d, d, 2 * m, scr);
            for (size_t i = 0; i < m; i++) {
                gl3_t a;
                for (int e = 0; e < 3; e++) a.c[e] = acc3_reduce(&acc[3 * i + e]);
                gl3_t u = gl3_mul(gl3_sub(a, Az), d[i]);
                gl3_t v = gl3_mul(gl3_mul(gl3_sub(at[i], Bzw), d[m + i]), gK);
                f[r0 + i] = gl3_add(u, v);
            }
        }
        free(acc);
        free(at);
        free(d);
        free(scr);
    }
    free(gp);
}
