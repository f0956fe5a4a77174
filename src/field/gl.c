/*
 * gl.c: out-of-line Goldilocks helpers, the scalar vector kernels (the reference every SIMD
 * backend is tested against) and the run-time selection of a backend.
 */
#include "gl.h"
#include "gl_simd.h"

#include <stdlib.h>
#include <string.h>

#include "base.h"

gl_t gl_root_of_unity(unsigned log_n) {
    ZISK_ASSERT(log_n <= GL_TWO_ADICITY);
    return gl_sqr_n(GL_TWO_ADIC_ROOT, GL_TWO_ADICITY - log_n);
}

void gl_batch_inv(gl_t *out, const gl_t *a, size_t n, gl_t *scratch) {
    if (n == 0) return;
    /* scratch[i] = product of the non-zero a[0..i]; zeros are treated as 1 so they do not
     * poison the running product, and written back as 0. */
    gl_t acc = 1;
    for (size_t i = 0; i < n; i++) {
        if (a[i] != 0) acc = gl_mul(acc, a[i]);
        scratch[i] = acc;
    }
    gl_t inv = gl_inv(acc); /* acc != 0: a product of non-zero elements */
    for (size_t i = n; i-- > 0;) {
        gl_t ai = a[i];
        if (ai == 0) {
            out[i] = 0;
            continue;
        }
        /* inv = (prod a[0..i])^-1; a[i]^-1 = inv * prod a[0..i-1]. */
        gl_t prev = i > 0 ? scratch[i - 1] : 1;
        out[i] = gl_mul(inv, prev);
        inv = gl_mul(inv, ai); /* ai read before out[i] was written: out may alias a */
    }
}

void gl_powers(gl_t *out, gl_t base, uint64_t start, size_t n) {
    if (n == 0) return;
    gl_t x = gl_pow(base, start);
    for (size_t i = 0; i < n; i++) {
        out[i] = x;
        x = gl_mul(x, base);
    }
}

/* ---- scalar kernels ---------------------------------------------------------------------- */

static void scalar_add(gl_t *out, const gl_t *a, const gl_t *b, size_t n) {
    for (size_t i = 0; i < n; i++) out[i] = gl_add(a[i], b[i]);
}
static void scalar_sub(gl_t *out, const gl_t *a, const gl_t *b, size_t n) {
    for (size_t i = 0; i < n; i++) out[i] = gl_sub(a[i], b[i]);
}
static void scalar_mul(gl_t *out, const gl_t *a, const gl_t *b, size_t n) {
    for (size_t i = 0; i < n; i++) out[i] = gl_mul(a[i], b[i]);
}
static void scalar_scale(gl_t *out, const gl_t *a, gl_t s, size_t n) {
    for (size_t i = 0; i < n; i++) out[i] = gl_mul(a[i], s);
}
/* ---- NTT stages, per-block twiddles (the reference for the vector versions) ----------------- */

static void ct_pair(gl_t *u, gl_t *v, gl_t z) {
    gl_t t = gl_mul(*v, z);
    gl_t a = *u;
    *u = gl_add(a, t);
    *v = gl_sub(a, t);
}

static void gs_pair(gl_t *u, gl_t *v, gl_t z) {
    gl_t a = *u, b = *v;
    *u = gl_add(a, b);
    *v = gl_mul(gl_sub(a, b), z);
}

static void scalar_ntt_ct2(gl_t *x, size_t m, size_t len, size_t blocks, const gl_t *tw) {
    for (size_t b = 0; b < blocks; b++)
        for (size_t j = 0; j < len; j++) ct_pair(x + 2 * m * b + j, x + 2 * m * b + j + m, tw[b]);
}

static void scalar_ntt_gs2(gl_t *x, size_t m, size_t len, size_t blocks, const gl_t *tw) {
    for (size_t b = 0; b < blocks; b++)
        for (size_t j = 0; j < len; j++) gs_pair(x + 2 * m * b + j, x + 2 * m * b + j + m, tw[b]);
}

static void scalar_ntt_ct4(gl_t *x, size_t m, size_t len, size_t blocks, const gl_t *tw_a,
                           const gl_t *tw_b) {
    for (size_t b = 0; b < blocks; b++) {
        gl_t *r = x + 4 * m * b;
        for (size_t j = 0; j < len; j++) {
            ct_pair(r + j, r + j + 2 * m, tw_a[b]);
            ct_pair(r + j + m, r + j + 3 * m, tw_a[b]);
            ct_pair(r + j, r + j + m, tw_b[2 * b]);
            ct_pair(r + j + 2 * m, r + j + 3 * m, tw_b[2 * b + 1]);
        }
    }
}

static void scalar_ntt_gs4(gl_t *x, size_t m, size_t len, size_t blocks, const gl_t *tw_a,
                           const gl_t *tw_b) {
    for (size_t b = 0; b < blocks; b++) {
        gl_t *r = x + 4 * m * b;
        for (size_t j = 0; j < len; j++) {
            gs_pair(r + j, r + j + m, tw_b[2 * b]);
            gs_pair(r + j + 2 * m, r + j + 3 * m, tw_b[2 * b + 1]);
            gs_pair(r + j, r + j + 2 * m, tw_a[b]);
            gs_pair(r + j + m, r + j + 3 * m, tw_a[b]);
        }
    }
}

void gl_scalar_ntt_ct_tail(gl_t *x, size_t n, const gl_t *tw4, const gl_t *tw2, const gl_t *tw1) {
    scalar_ntt_ct2(x, 4, 4, n / 8, tw4);
    scalar_ntt_ct2(x, 2, 2, n / 4, tw2);
    scalar_ntt_ct2(x, 1, 1, n / 2, tw1);
}

void gl_scalar_ntt_gs_head(gl_t *x, size_t n, const gl_t *tw1, const gl_t *tw2, const gl_t *tw4) {
    scalar_ntt_gs2(x, 1, 1, n / 2, tw1);
    scalar_ntt_gs2(x, 2, 2, n / 4, tw2);
    scalar_ntt_gs2(x, 4, 4, n / 8, tw4);
}

void gl_scalar_ntt_lde2_head(gl_t *out, const gl_t *in, size_t n, const gl_t *t, const gl_t *tw1,
                             const gl_t *tw2, const gl_t *tw4) {
    /* The GS butterfly of (a, 0) is (a, a z). Downwards, so that out == in works: out[2j] and
     * out[2j + 1] lie at or above j, where the inputs were already read. */
    for (size_t j = n; j-- > 0;) {
        gl_t a = t ? gl_mul(in[j], t[j]) : in[j];
        out[2 * j] = a;
        out[2 * j + 1] = gl_mul(a, tw1[j]);
    }
    scalar_ntt_gs2(out, 2, 2, n / 2, tw2);
    scalar_ntt_gs2(out, 4, 4, n / 4, tw4);
}

void gl_scalar_scale_powers(gl_t *x, size_t n, gl_t c, gl_t s) {
    for (size_t i = 0; i < n; i++) {
        x[i] = gl_mul(x[i], c);
        c = gl_mul(c, s);
    }
}

static void scalar_ext_mul(gl_t *const out[3], const gl_t *const a[3], const gl_t *const b[3],
                           size_t n) {
    for (size_t i = 0; i < n; i++) {
        gl3_t r = gl3_mul((gl3_t){{a[0][i], a[1][i], a[2][i]}}, (gl3_t){{b[0][i], b[1][i], b[2][i]}});
        out[0][i] = r.c[0], out[1][i] = r.c[1], out[2][i] = r.c[2];
    }
}

static void scalar_ext_scale(gl_t *const out[3], const gl_t *const a[3], gl3_t s, size_t n) {
    for (size_t i = 0; i < n; i++) {
        gl3_t r = gl3_mul((gl3_t){{a[0][i], a[1][i], a[2][i]}}, s);
        out[0][i] = r.c[0], out[1][i] = r.c[1], out[2][i] = r.c[2];
    }
}

static int scalar_ext_batch_inv(gl_t *const x[3], size_t n, gl_t *const scratch[3]) {
    gl3_t acc = gl3_one();
    for (size_t i = 0; i < n; i++) {
        scratch[0][i] = acc.c[0], scratch[1][i] = acc.c[1], scratch[2][i] = acc.c[2];
        acc = gl3_mul(acc, (gl3_t){{x[0][i], x[1][i], x[2][i]}});
    }
    if (gl3_is_zero(acc)) return 1; /* some x[i] is 0 (no zero divisors); x untouched */
    gl3_t inv = gl3_inv(acc);
    for (size_t i = n; i-- > 0;) {
        gl3_t xi = {{x[0][i], x[1][i], x[2][i]}};
        gl3_t o = gl3_mul(inv, (gl3_t){{scratch[0][i], scratch[1][i], scratch[2][i]}});
        inv = gl3_mul(inv, xi);
        x[0][i] = o.c[0], x[1][i] = o.c[1], x[2][i] = o.c[2];
    }
    return 0;
}

static void scalar_ext_axpy(gl_t *const acc[3], const gl_t *x, gl3_t s, size_t n) {
    for (size_t i = 0; i < n; i++)
        for (int k = 0; k < 3; k++) acc[k][i] = gl_add(acc[k][i], gl_mul(x[i], s.c[k]));
}

static gl3_t scalar_ext_dot(const gl_t *x, const gl_t *const y[3], size_t n) {
    gl3_t r = gl3_zero();
    for (size_t i = 0; i < n; i++)
        r = gl3_add(r, (gl3_t){{gl_mul(x[i], y[0][i]), gl_mul(x[i], y[1][i]), gl_mul(x[i], y[2][i])}});
    return r;
}

static const gl_vec_ops scalar_ops = {
    .level = GL_SIMD_SCALAR,
    .name = "scalar",
    .add = scalar_add,
    .sub = scalar_sub,
    .mul = scalar_mul,
    .scale = scalar_scale,
    .ntt_ct2 = scalar_ntt_ct2,
    .ntt_gs2 = scalar_ntt_gs2,
    .ntt_ct4 = scalar_ntt_ct4,
    .ntt_gs4 = scalar_ntt_gs4,
    .ntt_ct_tail = gl_scalar_ntt_ct_tail,
    .ntt_gs_head = gl_scalar_ntt_gs_head,
    .ntt_lde2_head = gl_scalar_ntt_lde2_head,
    .scale_powers = gl_scalar_scale_powers,
    .ext_mul = scalar_ext_mul,
    .ext_scale = scalar_ext_scale,
    .ext_batch_inv = scalar_ext_batch_inv,
    .ext_axpy = scalar_ext_axpy,
    .ext_dot = scalar_ext_dot,
};

/* ---- dispatch ---------------------------------------------------------------------------- */

static int level_supported(gl_simd_level level) {
    switch (level) {
    case GL_SIMD_SCALAR:
        return 1;
#if defined(ZISK_GL_HAVE_AVX2)
    case GL_SIMD_AVX2:
        __builtin_cpu_init();
        return __builtin_cpu_supports("avx2");
#endif
#if defined(ZISK_GL_HAVE_AVX512)
    case GL_SIMD_AVX512:
        __builtin_cpu_init();
        return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
               __builtin_cpu_supports("avx512vl");
#endif
    default:
        return 0;
    }
}

const gl_vec_ops *gl_vec_ops_get(gl_simd_level level) {
    if (!level_supported(level)) return NULL;
    switch (level) {
    case GL_SIMD_SCALAR:
        return &scalar_ops;
#if defined(ZISK_GL_HAVE_AVX2)
    case GL_SIMD_AVX2:
        return &gl_avx2_ops;
#endif
#if defined(ZISK_GL_HAVE_AVX512)
    case GL_SIMD_AVX512:
        return &gl_avx512_ops;
#endif
    default:
        return NULL;
    }
}

/* Detection result + 1 (0 = not yet detected). Racing first calls compute the same value, so a
 * relaxed atomic store is enough. */
static int best_plus_one;

gl_simd_level gl_simd_best(void) {
    int v = __atomic_load_n(&best_plus_one, __ATOMIC_RELAXED);
    if (v) return (gl_simd_level)(v - 1);
    int cap = GL_SIMD_LEVELS - 1;
    const char *env = getenv("ZISK_SIMD");
    if (env) {
        if (strcmp(env, "scalar") == 0) cap = GL_SIMD_SCALAR;
        else if (strcmp(env, "avx2") == 0) cap = GL_SIMD_AVX2;
        else if (strcmp(env, "avx512") == 0) cap = GL_SIMD_AVX512;
    }
    int best = GL_SIMD_SCALAR;
    for (int l = cap; l > GL_SIMD_SCALAR; l--) {
        if (level_supported((gl_simd_level)l)) {
            best = l;
            break;
        }
    }
    __atomic_store_n(&best_plus_one, best + 1, __ATOMIC_RELAXED);
    return (gl_simd_level)best;
}

const gl_vec_ops *gl_vec(void) {
    static const gl_vec_ops *cached; /* same value from every racing thread: relaxed is enough */
    const gl_vec_ops *ops = __atomic_load_n(&cached, __ATOMIC_RELAXED);
    if (ZISK_LIKELY(ops != NULL)) return ops;
    ops = gl_vec_ops_get(gl_simd_best());
    __atomic_store_n(&cached, ops, __ATOMIC_RELAXED);
    return ops;
}

void gl_vec_add(gl_t *out, const gl_t *a, const gl_t *b, size_t n) { gl_vec()->add(out, a, b, n); }
void gl_vec_sub(gl_t *out, const gl_t *a, const gl_t *b, size_t n) { gl_vec()->sub(out, a, b, n); }
void gl_vec_mul(gl_t *out, const gl_t *a, const gl_t *b, size_t n) { gl_vec()->mul(out, a, b, n); }
void gl_vec_scale(gl_t *out, const gl_t *a, gl_t s, size_t n) { gl_vec()->scale(out, a, s, n); }
