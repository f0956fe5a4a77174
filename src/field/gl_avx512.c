/*
 * gl_avx512.c: Goldilocks kernels on 8 lanes of AVX-512 (F + DQ + VL), compiled with the
 * matching -m flags and used only after gl.c saw those features on the running CPU.
 *
 * Same reduction as gl_avx2.c (gl_reduce128), but AVX-512 has unsigned comparisons into mask
 * registers, masked add/sub, an unsigned minimum and a 64x64-bit low product (vpmullq, DQ), which
 * save most of the sign-flip, blend and recombination work of the AVX2 version. Tails use the
 * scalar functions from gl.h.
 */
#include <immintrin.h>

#include "gl.h"
#include "gl_simd.h"

typedef __m512i v8;

static inline v8 v_set1(uint64_t x) { return _mm512_set1_epi64((long long)x); }
static inline v8 v_load(const gl_t *p) { return _mm512_loadu_si512((const void *)p); }
static inline void v_store(gl_t *p, v8 x) { _mm512_storeu_si512((void *)p, x); }

/* x in [0, 2^64) -> [0, p): x + eps wraps exactly when x >= p, and then equals x - p < x, so
 * the unsigned minimum picks the reduced value (two cheap operations, no mask register). */
static inline v8 v_canon(v8 x) { return _mm512_min_epu64(x, _mm512_add_epi64(x, v_set1(GL_EPS))); }

/* a + b for canonical a, b, as a - (p - b): when a + b >= p this is already a + b - p < p; when
 * it borrows, the wrapped value is a + b - p + 2^64 = a + b + eps, and taking eps off gives
 * a + b < p (no wrap, the value is >= eps). The negation and the comparison do not wait for
 * each other's result. */
static inline v8 v_add(v8 a, v8 b) {
    v8 nb = _mm512_sub_epi64(v_set1(GL_P), b);
    v8 r = _mm512_sub_epi64(a, nb);
    return _mm512_mask_sub_epi64(r, _mm512_cmplt_epu64_mask(a, nb), r, v_set1(GL_EPS));
}

static inline v8 v_sub(v8 a, v8 b) {
    v8 d = _mm512_sub_epi64(a, b);
    /* On borrow d = a - b + 2^64; subtracting eps gives a - b + p, already in [0, p). */
    return _mm512_mask_sub_epi64(d, _mm512_cmplt_epu64_mask(a, b), d, v_set1(GL_EPS));
}

/* The high 32 bits of each lane moved down (what _mm512_mul_epu32 reads). */
static inline v8 v_hi(v8 x) { return _mm512_shuffle_epi32(x, _MM_PERM_DDBB); }

/* hi * 2^64 + lo mod p, canonical (gl.h "Reduction": lo + (hi & eps) * eps - (hi >> 32)).
 * s1 = lo + m (m = (hi & eps) * eps <= 2^64 - 2^33 + 1) may carry (add eps back); s1 - hh may
 * borrow (take eps off). Both conditions are read from s1, so the corrections do not wait for each
 * other. No double wrap: after a carry s1 < m, so s1 - hh + eps < 2^64; after a borrow alone
 * (s1 < hh < 2^32) the wrapped s1 - hh is >= 2^64 - 2^32 > eps; with both, the exact value
 * s1 + 2^64 - hh lies below 2^64 and the two corrections cancel. That leaves some 64-bit value
 * congruent to the input, which v_canon reduces. */
static inline v8 v_reduce(v8 hi, v8 lo) {
    const v8 eps = v_set1(GL_EPS);
    v8 hh = _mm512_srli_epi64(hi, 32);
    v8 m = _mm512_mul_epu32(hi, eps);
    v8 s1 = _mm512_add_epi64(lo, m);
    __mmask8 carry = _mm512_cmplt_epu64_mask(s1, m);
    __mmask8 borrow = _mm512_cmplt_epu64_mask(s1, hh);
    v8 r = _mm512_sub_epi64(s1, hh);
    r = _mm512_mask_add_epi64(r, carry, r, eps);
    r = _mm512_mask_sub_epi64(r, borrow, r, eps);
    return v_canon(r);
}

/* a * b mod p, canonical, for canonical a and b; bh = v_hi(b) (the NTT kernels prepare it once
 * per twiddle). The high word of the 128-bit product comes from four 32x32 products: with
 * t0 = hl + (ll >> 32) and t1 = lh + (t0 & eps), both at most (2^32-1)^2 + 2^32 - 1 < 2^64, the
 * product is (hh + (t0 >> 32) + (t1 >> 32)) * 2^64 + (t1 & eps) * 2^32 + (ll & eps); the low word
 * is one vpmullq. */
static inline v8 v_mul_pre(v8 a, v8 b, v8 bh) {
    v8 ah = v_hi(a);
    v8 ll = _mm512_mul_epu32(a, b);
    v8 lh = _mm512_mul_epu32(a, bh);
    v8 hl = _mm512_mul_epu32(ah, b);
    v8 hh = _mm512_mul_epu32(ah, bh);
    v8 t0 = _mm512_add_epi64(hl, _mm512_srli_epi64(ll, 32));
    v8 t1 = _mm512_add_epi64(lh, _mm512_and_si512(t0, v_set1(GL_EPS)));
    v8 hi = _mm512_add_epi64(_mm512_add_epi64(hh, _mm512_srli_epi64(t0, 32)),
                             _mm512_srli_epi64(t1, 32));
    return v_reduce(hi, _mm512_mullo_epi64(a, b));
}

/* a * 2^48 mod p (2^48 is a primitive 4th root of unity: 2^96 = -1), a canonical: the product's
 * words are just shifts of a. */
static inline v8 v_mul_w4(v8 a) {
    return v_reduce(_mm512_srli_epi64(a, 16), _mm512_slli_epi64(a, 48));
}

static inline v8 v_mul(v8 a, v8 b) { return v_mul_pre(a, b, v_hi(b)); }

#define VEC v8
#define VEC_LANES 8
#define VEC_FN(name) avx512_##name
#include "gl_vec_loops.h"
#undef VEC
#undef VEC_LANES
#undef VEC_FN

/* ---- The three finest NTT stages in registers --------------------------------------------
 * 16 elements (two vectors) at a time. For the stage of half-size m the 16 elements form
 * nb = 8 / m blocks of 2m; lane l of U / V holds the first / second element of the pair at offset
 * l / nb in block l % nb, so that the lanes' twiddles are tw[l % nb]: one contiguous load
 * (m = 1) or a broadcast of 4 (m = 2) or 2 (m = 4) table entries. The vpermt2q index vectors
 * take the elements from one stage's (U, V) straight to the next stage's: two permutations per
 * stage plus two to restore the natural order at the end. */

typedef struct {
    v8 u[3], v[3], a, b;
} fine_perm;

static fine_perm fine_perm_make(const int order[3]) {
    int pos[16]; /* where element e is: 8 * register + lane (what vpermt2q indexes) */
    int64_t iu[3][8], iv[3][8], ia[8], ib[8];
    for (int e = 0; e < 16; e++) pos[e] = e;
    for (int s = 0; s < 3; s++) {
        int m = order[s], nb = 8 / m;
        for (int l = 0; l < 8; l++) {
            int first = (l % nb) * 2 * m + l / nb;
            iu[s][l] = pos[first];
            iv[s][l] = pos[first + m];
        }
        for (int l = 0; l < 8; l++) {
            int first = (l % nb) * 2 * m + l / nb;
            pos[first] = l;
            pos[first + m] = 8 + l;
        }
    }
    for (int l = 0; l < 8; l++) ia[l] = pos[l], ib[l] = pos[8 + l];
    fine_perm fp;
    for (int s = 0; s < 3; s++) {
        fp.u[s] = _mm512_loadu_si512(iu[s]);
        fp.v[s] = _mm512_loadu_si512(iv[s]);
    }
    fp.a = _mm512_loadu_si512(ia);
    fp.b = _mm512_loadu_si512(ib);
    return fp;
}

/* The twiddles of chunk c (elements 16c .. 16c + 15) in the lane order above. */
static inline v8 fine_tw1(const gl_t *tw1, size_t c) { return v_load(tw1 + 8 * c); }
static inline v8 fine_tw2(const gl_t *tw2, size_t c) {
    return _mm512_broadcast_i64x4(_mm256_loadu_si256((const __m256i *)(tw2 + 4 * c)));
}
static inline v8 fine_tw4(const gl_t *tw4, size_t c) {
    return _mm512_broadcast_i64x2(_mm_loadu_si128((const __m128i *)(tw4 + 2 * c)));
}

/* One stage on the chunk held in (a, b): gather U and V, butterflies, leave (U', V') in (a, b). */
static inline void fine_ct(v8 *a, v8 *b, v8 iu, v8 iv, v8 z) {
    v8 u = _mm512_permutex2var_epi64(*a, iu, *b), v = _mm512_permutex2var_epi64(*a, iv, *b);
    v8 t = v_mul(v, z);
    *a = v_add(u, t);
    *b = v_sub(u, t);
}

static inline void fine_gs(v8 *a, v8 *b, v8 iu, v8 iv, v8 z) {
    v8 u = _mm512_permutex2var_epi64(*a, iu, *b), v = _mm512_permutex2var_epi64(*a, iv, *b);
    *a = v_add(u, v);
    *b = v_mul(v_sub(u, v), z);
}

static inline void fine_store(gl_t *x, v8 a, v8 b, const fine_perm *fp) {
    v_store(x, _mm512_permutex2var_epi64(a, fp->a, b));
    v_store(x + 8, _mm512_permutex2var_epi64(a, fp->b, b));
}

static void avx512_ntt_ct_tail(gl_t *x, size_t n, const gl_t *tw4, const gl_t *tw2,
                               const gl_t *tw1) {
    if (n % 16) {
        gl_scalar_ntt_ct_tail(x, n, tw4, tw2, tw1);
        return;
    }
    static const int order[3] = {4, 2, 1};
    fine_perm fp = fine_perm_make(order);
    for (size_t c = 0; c < n / 16; c++) {
        v8 a = v_load(x + 16 * c), b = v_load(x + 16 * c + 8);
        fine_ct(&a, &b, fp.u[0], fp.v[0], fine_tw4(tw4, c));
        fine_ct(&a, &b, fp.u[1], fp.v[1], fine_tw2(tw2, c));
        fine_ct(&a, &b, fp.u[2], fp.v[2], fine_tw1(tw1, c));
        fine_store(x + 16 * c, a, b, &fp);
    }
}

static void avx512_ntt_gs_head(gl_t *x, size_t n, const gl_t *tw1, const gl_t *tw2,
                               const gl_t *tw4) {
    if (n % 16) {
        gl_scalar_ntt_gs_head(x, n, tw1, tw2, tw4);
        return;
    }
    static const int order[3] = {1, 2, 4};
    fine_perm fp = fine_perm_make(order);
    for (size_t c = 0; c < n / 16; c++) {
        v8 a = v_load(x + 16 * c), b = v_load(x + 16 * c + 8);
        fine_gs(&a, &b, fp.u[0], fp.v[0], fine_tw1(tw1, c));
        fine_gs(&a, &b, fp.u[1], fp.v[1], fine_tw2(tw2, c));
        fine_gs(&a, &b, fp.u[2], fp.v[2], fine_tw4(tw4, c));
        fine_store(x + 16 * c, a, b, &fp);
    }
}

/* Input chunk c (8 elements) becomes output chunk c (16): the first GS stage of (a, 0) is
 * (a, a z), which is already the (U, V) layout of half-size 1 (lane l = pair l), so only the
 * two later stages permute. Chunks go downwards so that out == in works (chunk c writes over
 * input chunks 2c and 2c + 1, already read). */
static void avx512_ntt_lde2_head(gl_t *out, const gl_t *in, size_t n, const gl_t *t,
                                 const gl_t *tw1, const gl_t *tw2, const gl_t *tw4) {
    static const int order[3] = {1, 2, 4};
    fine_perm fp = fine_perm_make(order);
    for (size_t c = n / 8; c-- > 0;) {
        v8 a = v_load(in + 8 * c);
        if (t) a = v_mul(a, v_load(t + 8 * c));
        v8 b = v_mul(a, fine_tw1(tw1, c));
        fine_gs(&a, &b, fp.u[1], fp.v[1], fine_tw2(tw2, c));
        fine_gs(&a, &b, fp.u[2], fp.v[2], fine_tw4(tw4, c));
        fine_store(out + 16 * c, a, b, &fp);
    }
}

const gl_vec_ops gl_avx512_ops = {
    .level = GL_SIMD_AVX512,
    .name = "avx512",
    .add = avx512_add,
    .sub = avx512_sub,
    .mul = avx512_mul,
    .scale = avx512_scale,
    .ntt_ct2 = avx512_ntt_ct2,
    .ntt_gs2 = avx512_ntt_gs2,
    .ntt_ct4 = avx512_ntt_ct4,
    .ntt_gs4 = avx512_ntt_gs4,
    .ntt_ct_tail = avx512_ntt_ct_tail,
    .ntt_gs_head = avx512_ntt_gs_head,
    .ntt_lde2_head = avx512_ntt_lde2_head,
    .scale_powers = avx512_scale_powers,
    .ext_mul = avx512_ext_mul,
    .ext_scale = avx512_ext_scale,
    .ext_batch_inv = avx512_ext_batch_inv,
    .ext_axpy = avx512_ext_axpy,
    .ext_dot = avx512_ext_dot,
};
