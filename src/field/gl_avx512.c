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

#define VEC v8
#define VEC_LANES 8
#define VEC_FN(name) avx512_##name
#include "gl_vec_loops.h"
#undef VEC
#undef VEC_LANES
#undef VEC_FN

/* The three smallest stages, 16 elements (two 8-blocks) at a time. For stage m, lane l of U/V
 * holds the first/second element of butterfly l: block b = l / 4, q = l % 4, k = (q / m) * 2m,
 * j = q % m, first = 8b + k + j, second = first + m. Two vpermt2q gather the pairs from the
 * (A, B) registers, two more put the results back. */
static void small_indices(size_t m, int64_t gu[8], int64_t gv[8], int64_t back_a[8],
                          int64_t back_b[8], gl_t twl[8], const gl_t *tw) {
    for (int l = 0; l < 8; l++) {
        int b = l / 4, q = l % 4;
        int k = (q / (int)m) * 2 * (int)m, j = q % (int)m;
        gu[l] = 8 * b + k + j;
        gv[l] = gu[l] + (int64_t)m;
        twl[l] = tw[m - 1 + (size_t)j];
    }
    /* Inverse map: element e is in U (index lane) or V (index 8 + lane). */
    for (int e = 0; e < 16; e++) {
        int b = e / 8, r = e % 8, k = r / (2 * (int)m) * 2 * (int)m, w = r % (2 * (int)m);
        int64_t src = w < (int)m ? (b * 4 + k / 2 + w) : (8 + b * 4 + k / 2 + w - (int)m);
        if (e < 8) back_a[e] = src;
        else back_b[e - 8] = src;
    }
}

typedef struct {
    v8 gu, gv, ba, bb, tw;
} small_stage;

static small_stage small_stage_make(size_t m, const gl_t *tw) {
    int64_t gu[8], gv[8], ba[8], bb[8];
    gl_t twl[8];
    small_indices(m, gu, gv, ba, bb, twl, tw);
    small_stage s = {_mm512_loadu_si512(gu), _mm512_loadu_si512(gv), _mm512_loadu_si512(ba),
                     _mm512_loadu_si512(bb), _mm512_loadu_si512(twl)};
    return s;
}

static void avx512_dit_small(gl_t *x, size_t n, const gl_t *tw) {
    if (n % 16) {
        gl_scalar_dit_small(x, n, tw);
        return;
    }
    small_stage st[3] = {small_stage_make(1, tw), small_stage_make(2, tw), small_stage_make(4, tw)};
    for (size_t i = 0; i < n; i += 16) {
        v8 a = v_load(x + i), b = v_load(x + i + 8);
        for (int s = 0; s < 3; s++) {
            v8 u = _mm512_permutex2var_epi64(a, st[s].gu, b);
            v8 v = _mm512_permutex2var_epi64(a, st[s].gv, b);
            v8 t = s == 0 ? v : v_mul(v, st[s].tw); /* m = 1: the twiddle is 1 */
            v8 nu = v_add(u, t), nv = v_sub(u, t);
            a = _mm512_permutex2var_epi64(nu, st[s].ba, nv);
            b = _mm512_permutex2var_epi64(nu, st[s].bb, nv);
        }
        v_store(x + i, a);
        v_store(x + i + 8, b);
    }
}

static void avx512_dif_small(gl_t *x, size_t n, const gl_t *tw) {
    if (n % 16) {
        gl_scalar_dif_small(x, n, tw);
        return;
    }
    small_stage st[3] = {small_stage_make(1, tw), small_stage_make(2, tw), small_stage_make(4, tw)};
    for (size_t i = 0; i < n; i += 16) {
        v8 a = v_load(x + i), b = v_load(x + i + 8);
        for (int s = 2; s >= 0; s--) {
            v8 u = _mm512_permutex2var_epi64(a, st[s].gu, b);
            v8 v = _mm512_permutex2var_epi64(a, st[s].gv, b);
            v8 nu = v_add(u, v), d = v_sub(u, v);
            v8 nv = s == 0 ? d : v_mul(d, st[s].tw);
            a = _mm512_permutex2var_epi64(nu, st[s].ba, nv);
            b = _mm512_permutex2var_epi64(nu, st[s].bb, nv);
        }
        v_store(x + i, a);
        v_store(x + i + 8, b);
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
    .dit_small = avx512_dit_small,
    .dif_small = avx512_dif_small,
    .ext_mul = avx512_ext_mul,
    .ext_scale = avx512_ext_scale,
    .ext_batch_inv = avx512_ext_batch_inv,
    .ext_axpy = avx512_ext_axpy,
    .ext_dot = avx512_ext_dot,
};
