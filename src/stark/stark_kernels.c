/*
 * stark_kernels.c: the prover's two inner products over every committed cell after the
 * commitments: the out-of-domain values and the DEEP codeword (stark_internal.h). Both multiply
 * base-field cells by extension weights and add the products up. They work on blocks of rows
 * with the extension values as three planes (one per component), so every step is one of the
 * field's SIMD kernels: ext_axpy (acc += column * weight), ext_dot (a column against weights),
 * ext_batch_inv (the denominators) and ext_mul. tests/stark checks both against plain field
 * arithmetic. (Until STARK version 5 they used scalar 128-bit delayed reduction, which was
 * faster than the vector kernels of that time, which wrote every product to memory first.)
 */
#include <stdlib.h>
#include <string.h>

#include "stark_internal.h"

#ifdef _OPENMP
#include <omp.h>
#endif

/* Rows per work item: a block's planes (a few times 24 KiB) stay in L1/L2 while every column
 * passes. */
#define KERNEL_BLOCK 1024
/* Below this many rows a parallel region costs more than it saves. */
#define KERNEL_PAR_MIN_ROWS ((size_t)1 << 14)

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

/* Three planes of m elements carved from one buffer. */
typedef struct planes {
    gl_t *p[3];
} planes;

static planes planes_at(gl_t *buf, size_t m) { return (planes){{buf, buf + m, buf + 2 * m}}; }

/* Writes the extension value (x - c) into element i of P for base x: (x - c0, -c1, -c2). */
static inline void set_base_minus(planes P, size_t i, gl_t x, gl3_t c) {
    P.p[0][i] = gl_sub(x, c.c[0]);
    P.p[1][i] = gl_neg(c.c[1]);
    P.p[2][i] = gl_neg(c.c[2]);
}

/* ---- out-of-domain values ------------------------------------------------------------------ */

/* The barycentric weights of one block: L_i = f * w^i / (z - w^i) for i in [r0, r0 + m),
 * f = (z^n - 1) / n, so that p(z) = sum_i p(w^i) L_i for p of degree < n. (z is outside H_n,
 * so no denominator is zero.) L and scratch: 3m elements each (planes); wp: m. */
static void bary_block(gl3_t z, gl3_t f, gl_t w, size_t r0, size_t m, planes L, planes scratch,
                       gl_t *wp) {
    const gl_vec_ops *vo = gl_vec();
    gl_t x = gl_pow(w, r0);
    for (size_t i = 0; i < m; i++) {
        wp[i] = x;
        set_base_minus(L, i, x, z); /* x - z = -(z - x): the sign goes into f below */
        x = gl_mul(x, w);
    }
    int zero = vo->ext_batch_inv(L.p, m, scratch.p);
    ZISK_ASSERT(!zero); /* z outside H_n: the transcript re-squeezes otherwise */
    vo->ext_scale(L.p, (const gl_t *const *)L.p, gl3_neg(f), m);
    for (int k = 0; k < 3; k++) vo->mul(L.p[k], L.p[k], wp, m);
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
    /* Per thread: the sums at z and z w per trace column, at z per coefficient column. */
    size_t per_thread = 2 * n_trace + n_coef;
    gl3_t *acc = zisk_xcalloc((size_t)nt * per_thread + 1, sizeof(gl3_t));
    (void)par;
#pragma omp parallel if (par) num_threads(nt)
    {
        const gl_vec_ops *vo = gl_vec();
        gl3_t *my = acc + (size_t)thread_id() * per_thread;
        gl_t *buf = zisk_xmalloc(10 * KERNEL_BLOCK * sizeof(gl_t));
        planes L = planes_at(buf, KERNEL_BLOCK), scr = planes_at(buf + 3 * KERNEL_BLOCK, KERNEL_BLOCK);
        gl_t *wp = buf + 9 * KERNEL_BLOCK;
        const gl_t *const *Lc = (const gl_t *const *)L.p;
#pragma omp for schedule(dynamic, 1)
        for (size_t b = 0; b < nblk; b++) {
            size_t r0 = b * KERNEL_BLOCK, m = n - r0 < KERNEL_BLOCK ? n - r0 : KERNEL_BLOCK;
            if (n_trace) bary_block(z, f, w, r0, m, L, scr, wp);
            for (size_t j = 0; j < n_trace; j++) {
                const gl_t *col = trace[j];
                my[2 * j] = gl3_add(my[2 * j], vo->ext_dot(col + r0, Lc, m));
                /* rows r0 + 1 .. r0 + m (the last one wraps to row 0 in the last block) */
                gl3_t s = vo->ext_dot(col + r0 + 1, Lc, m - 1);
                gl_t last = col[(r0 + m) & mask];
                s = gl3_add(s, (gl3_t){{gl_mul(last, L.p[0][m - 1]), gl_mul(last, L.p[1][m - 1]),
                                        gl_mul(last, L.p[2][m - 1])}});
                my[2 * j + 1] = gl3_add(my[2 * j + 1], s);
            }
            if (n_coef) { /* the powers z^(r0 + i) into L */
                gl3_t p = gl3_pow(z, r0);
                for (size_t i = 0; i < m; i++) {
                    L.p[0][i] = p.c[0], L.p[1][i] = p.c[1], L.p[2][i] = p.c[2];
                    p = gl3_mul(p, z);
                }
            }
            for (size_t j = 0; j < n_coef; j++)
                my[2 * n_trace + j] = gl3_add(my[2 * n_trace + j], vo->ext_dot(coef[j] + r0, Lc, m));
        }
        free(buf);
    }
    for (size_t j = 0; j < n_trace + n_coef; j++) {
        gl3_t vz = gl3_zero(), vzw = gl3_zero();
        for (int t = 0; t < nt; t++) {
            const gl3_t *a = acc + (size_t)t * per_thread;
            if (j < n_trace) {
                vz = gl3_add(vz, a[2 * j]);
                vzw = gl3_add(vzw, a[2 * j + 1]);
            } else {
                vz = gl3_add(vz, a[2 * n_trace + (j - n_trace)]);
            }
        }
        out_z[j] = vz;
        if (j < n_trace) out_zw[j] = vzw;
    }
    free(acc);
}

/* ---- DEEP codeword ------------------------------------------------------------------------- */

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
    /* f(x) = (A(x) - A(z)) / (x - z) + gamma^K (B(x) - B(z w)) / (x - z w) with
     * A = sum_k gamma^k c_k over every column and B the same over the trace columns (the first
     * Kt), evaluated at the block's points x: A and B by ext_axpy column after column, the
     * denominators by one batch inversion, the rest by ext_mul. */
#pragma omp parallel if (par)
    {
        const gl_vec_ops *vo = gl_vec();
        size_t M = KERNEL_BLOCK;
        gl_t *buf = zisk_xmalloc(18 * M * sizeof(gl_t));
        planes A = planes_at(buf, M), B = planes_at(buf + 3 * M, M);
        planes D = planes_at(buf + 6 * M, 2 * M), scr = planes_at(buf + 12 * M, 2 * M);
#pragma omp for schedule(dynamic, 1)
        for (size_t b = 0; b < nblk; b++) {
            size_t r0 = b * M, m = N - r0 < M ? N - r0 : M;
            for (int k = 0; k < 3; k++) memset(A.p[k], 0, m * sizeof(gl_t));
            for (size_t k = 0; k < Kt; k++) vo->ext_axpy(A.p, cols[k] + r0, gp[k], m);
            for (int k = 0; k < 3; k++) memcpy(B.p[k], A.p[k], m * sizeof(gl_t));
            for (size_t k = Kt; k < K; k++) vo->ext_axpy(A.p, cols[k] + r0, gp[k], m);
            gl_t x = gl_mul(GL_GENERATOR, gl_pow(wN, r0));
            for (size_t i = 0; i < m; i++) {
                set_base_minus(D, i, x, z);
                set_base_minus(D, m + i, x, zw);
                x = gl_mul(x, wN);
            }
            /* (x - z)(x - z w) != 0: z lies outside the LDE coset (stark_transcript_z). */
            int zero = vo->ext_batch_inv(D.p, 2 * m, scr.p);
            ZISK_ASSERT(!zero);
            for (size_t i = 0; i < m; i++)
                for (int k = 0; k < 3; k++) {
                    A.p[k][i] = gl_sub(A.p[k][i], Az.c[k]);
                    B.p[k][i] = gl_sub(B.p[k][i], Bzw.c[k]);
                }
            const gl_t *const Dz[3] = {D.p[0], D.p[1], D.p[2]};
            const gl_t *const Dzw[3] = {D.p[0] + m, D.p[1] + m, D.p[2] + m};
            vo->ext_mul(A.p, (const gl_t *const *)A.p, Dz, m);
            vo->ext_mul(B.p, (const gl_t *const *)B.p, Dzw, m);
            vo->ext_scale(B.p, (const gl_t *const *)B.p, gK, m);
            for (size_t i = 0; i < m; i++)
                for (int k = 0; k < 3; k++) f[r0 + i].c[k] = gl_add(A.p[k][i], B.p[k][i]);
        }
        free(buf);
    }
    free(gp);
}
