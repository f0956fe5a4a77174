/*
 * gl_avx512.c: Goldilocks kernels on 8 lanes of AVX-512 (F + DQ + VL), compiled with the
 * matching -m flags and used only after gl.c saw those features on the running CPU.
 *
 * Same algorithm as gl_avx2.c (four 32x32 products, then the gl_reduce128 reduction), but
 * AVX-512 has unsigned comparisons into mask registers and masked add/sub, which saves the
 * sign-flip and blend work of the AVX2 version. Tails use the scalar functions from gl.h.
 */
#include <immintrin.h>

#include "gl.h"
#include "gl_simd.h"

typedef __m512i v8;

static inline v8 v_set1(uint64_t x) { return _mm512_set1_epi64((long long)x); }
static inline v8 v_load(const gl_t *p) { return _mm512_loadu_si512((const void *)p); }
static inline void v_store(gl_t *p, v8 x) { _mm512_storeu_si512((void *)p, x); }

/* x in [0, 2^64) -> [0, p): subtract p where x >= p. */
static inline v8 v_canon(v8 x) {
    const v8 p = v_set1(GL_P);
    return _mm512_mask_sub_epi64(x, _mm512_cmpge_epu64_mask(x, p), x, p);
}

static inline v8 v_add(v8 a, v8 b) {
    const v8 eps = v_set1(GL_EPS);
    v8 s = _mm512_add_epi64(a, b);
    s = _mm512_mask_add_epi64(s, _mm512_cmplt_epu64_mask(s, a), s, eps);
    return v_canon(s);
}

static inline v8 v_sub(v8 a, v8 b) {
    const v8 eps = v_set1(GL_EPS);
    v8 d = _mm512_sub_epi64(a, b);
    return _mm512_mask_sub_epi64(d, _mm512_cmplt_epu64_mask(a, b), d, eps);
}

static inline v8 v_mul(v8 a, v8 b) {
    const v8 m32 = v_set1(0xFFFFFFFFull);
    const v8 eps = m32;
    v8 ah = _mm512_shuffle_epi32(a, (_MM_PERM_ENUM)0xF5), bh = _mm512_shuffle_epi32(b, (_MM_PERM_ENUM)0xF5);
    v8 ll = _mm512_mul_epu32(a, b);
    v8 lh = _mm512_mul_epu32(a, bh);
    v8 hl = _mm512_mul_epu32(ah, b);
    v8 hh = _mm512_mul_epu32(ah, bh);
    /* (2^32-1)^2 + 2^32 - 1 < 2^64: these sums cannot overflow. */
    v8 mid = _mm512_add_epi64(lh, _mm512_srli_epi64(ll, 32));
    v8 mid2 = _mm512_add_epi64(hl, _mm512_and_si512(mid, m32));
    v8 lo = _mm512_or_si512(_mm512_slli_epi64(mid2, 32), _mm512_and_si512(ll, m32));
    v8 hi = _mm512_add_epi64(hh, _mm512_add_epi64(_mm512_srli_epi64(mid, 32),
                                                  _mm512_srli_epi64(mid2, 32)));
    /* Reduction of hi*2^64 + lo, as in gl_reduce128. */
    v8 hhi = _mm512_srli_epi64(hi, 32);
    v8 hlo = _mm512_and_si512(hi, m32);
    v8 t0 = _mm512_sub_epi64(lo, hhi);
    t0 = _mm512_mask_sub_epi64(t0, _mm512_cmplt_epu64_mask(lo, hhi), t0, eps);
    v8 t1 = _mm512_sub_epi64(_mm512_slli_epi64(hlo, 32), hlo);
    v8 t2 = _mm512_add_epi64(t0, t1);
    t2 = _mm512_mask_add_epi64(t2, _mm512_cmplt_epu64_mask(t2, t1), t2, eps);
    return v_canon(t2);
}

static void avx512_add(gl_t *out, const gl_t *a, const gl_t *b, size_t n) {
    size_t i = 0;
    for (; i + 8 <= n; i += 8) v_store(out + i, v_add(v_load(a + i), v_load(b + i)));
    for (; i < n; i++) out[i] = gl_add(a[i], b[i]);
}

static void avx512_sub(gl_t *out, const gl_t *a, const gl_t *b, size_t n) {
    size_t i = 0;
    for (; i + 8 <= n; i += 8) v_store(out + i, v_sub(v_load(a + i), v_load(b + i)));
    for (; i < n; i++) out[i] = gl_sub(a[i], b[i]);
}

static void avx512_mul(gl_t *out, const gl_t *a, const gl_t *b, size_t n) {
    size_t i = 0;
    for (; i + 8 <= n; i += 8) v_store(out + i, v_mul(v_load(a + i), v_load(b + i)));
    for (; i < n; i++) out[i] = gl_mul(a[i], b[i]);
}

static void avx512_scale(gl_t *out, const gl_t *a, gl_t s, size_t n) {
    size_t i = 0;
    v8 vs = v_set1(s);
    for (; i + 8 <= n; i += 8) v_store(out + i, v_mul(v_load(a + i), vs));
    for (; i < n; i++) out[i] = gl_mul(a[i], s);
}

static void avx512_dit(gl_t *x, gl_t *y, const gl_t *tw, size_t n) {
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        v8 u = v_load(x + i);
        v8 t = v_mul(v_load(y + i), v_load(tw + i));
        v_store(x + i, v_add(u, t));
        v_store(y + i, v_sub(u, t));
    }
    for (; i < n; i++) {
        gl_t t = gl_mul(y[i], tw[i]), u = x[i];
        x[i] = gl_add(u, t);
        y[i] = gl_sub(u, t);
    }
}

static void avx512_dif(gl_t *x, gl_t *y, const gl_t *tw, size_t n) {
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        v8 u = v_load(x + i), v = v_load(y + i);
        v_store(x + i, v_add(u, v));
        v_store(y + i, v_mul(v_sub(u, v), v_load(tw + i)));
    }
    for (; i < n; i++) {
        gl_t u = x[i], v = y[i];
        x[i] = gl_add(u, v);
        y[i] = gl_mul(gl_sub(u, v), tw[i]);
    }
}

const gl_vec_ops gl_avx512_ops = {
    .level = GL_SIMD_AVX512,
    .name = "avx512",
    .add = avx512_add,
    .sub = avx512_sub,
    .mul = avx512_mul,
    .scale = avx512_scale,
    .dit = avx512_dit,
    .dif = avx512_dif,
};
