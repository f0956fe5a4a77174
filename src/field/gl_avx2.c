/*
 * gl_avx2.c: Goldilocks kernels on 4 lanes of AVX2, compiled with -mavx2 and used only after
 * gl.c saw AVX2 on the running CPU.
 *
 * AVX2 has neither unsigned 64-bit comparisons nor a 64x64-bit multiplication, so:
 *  - a < b (unsigned) is computed as a signed comparison of a ^ 2^63 and b ^ 2^63;
 *  - the 128-bit product is assembled from four 32x32 products (vpmuludq) and then reduced
 *    exactly as gl_reduce128 does: lo - hh + hl*eps with corrections by eps.
 * Tails shorter than a vector use the scalar functions from gl.h.
 */
#include <immintrin.h>

#include "gl.h"
#include "gl_simd.h"

typedef __m256i v4;

static inline v4 v_set1(uint64_t x) { return _mm256_set1_epi64x((long long)x); }
static inline v4 v_load(const gl_t *p) { return _mm256_loadu_si256((const __m256i *)p); }
static inline void v_store(gl_t *p, v4 x) { _mm256_storeu_si256((__m256i *)p, x); }

/* All-ones lanes where a < b as unsigned 64-bit integers. */
static inline v4 v_ltu(v4 a, v4 b) {
    const v4 sign = v_set1(1ull << 63);
    return _mm256_cmpgt_epi64(_mm256_xor_si256(b, sign), _mm256_xor_si256(a, sign));
}

/* x in [0, 2^64) -> [0, p): subtract p where x >= p. */
static inline v4 v_canon(v4 x) {
    const v4 p = v_set1(GL_P);
    return _mm256_sub_epi64(x, _mm256_andnot_si256(v_ltu(x, p), p));
}

static inline v4 v_add(v4 a, v4 b) {
    const v4 eps = v_set1(GL_EPS);
    v4 s = _mm256_add_epi64(a, b);
    s = _mm256_add_epi64(s, _mm256_and_si256(v_ltu(s, a), eps));
    return v_canon(s);
}

static inline v4 v_sub(v4 a, v4 b) {
    const v4 eps = v_set1(GL_EPS);
    v4 d = _mm256_sub_epi64(a, b);
    return _mm256_sub_epi64(d, _mm256_and_si256(v_ltu(a, b), eps));
}

/* The high 32 bits of each lane moved down (vpshufd is cheaper than a 64-bit shift). */
static inline v4 v_hi(v4 x) { return _mm256_shuffle_epi32(x, 0xF5); }

/* a * b with bh = v_hi(b). */
static inline v4 v_mul_pre(v4 a, v4 b, v4 bh) {
    const v4 m32 = v_set1(0xFFFFFFFFull);
    const v4 eps = m32;
    v4 ah = v_hi(a);
    v4 ll = _mm256_mul_epu32(a, b);
    v4 lh = _mm256_mul_epu32(a, bh);
    v4 hl = _mm256_mul_epu32(ah, b);
    v4 hh = _mm256_mul_epu32(ah, bh);
    /* (2^32-1)^2 + 2^32 - 1 < 2^64: these sums cannot overflow. */
    v4 mid = _mm256_add_epi64(lh, _mm256_srli_epi64(ll, 32));
    v4 mid2 = _mm256_add_epi64(hl, _mm256_and_si256(mid, m32));
    v4 lo = _mm256_or_si256(_mm256_slli_epi64(mid2, 32), _mm256_and_si256(ll, m32));
    v4 hi = _mm256_add_epi64(hh, _mm256_add_epi64(_mm256_srli_epi64(mid, 32),
                                                  _mm256_srli_epi64(mid2, 32)));
    /* Reduction of hi*2^64 + lo, as in gl_reduce128. */
    v4 hhi = _mm256_srli_epi64(hi, 32);
    v4 hlo = _mm256_and_si256(hi, m32);
    v4 t0 = _mm256_sub_epi64(lo, hhi);
    t0 = _mm256_sub_epi64(t0, _mm256_and_si256(v_ltu(lo, hhi), eps));
    v4 t1 = _mm256_sub_epi64(_mm256_slli_epi64(hlo, 32), hlo);
    v4 t2 = _mm256_add_epi64(t0, t1);
    t2 = _mm256_add_epi64(t2, _mm256_and_si256(v_ltu(t2, t1), eps));
    return v_canon(t2);
}

static inline v4 v_mul(v4 a, v4 b) { return v_mul_pre(a, b, v_hi(b)); }

/* a * 2^48 (the NTT's 4th root of unity); a general product is good enough here. */
static inline v4 v_mul_w4(v4 a) { return v_mul(a, v_set1(1ull << 48)); }

#define VEC v4
#define VEC_LANES 4
#define VEC_FN(name) avx2_##name
#include "gl_vec_loops.h"
#undef VEC
#undef VEC_LANES
#undef VEC_FN

const gl_vec_ops gl_avx2_ops = {
    .level = GL_SIMD_AVX2,
    .name = "avx2",
    .add = avx2_add,
    .sub = avx2_sub,
    .mul = avx2_mul,
    .scale = avx2_scale,
    .ntt_ct2 = avx2_ntt_ct2,
    .ntt_gs2 = avx2_ntt_gs2,
    .ntt_ct4 = avx2_ntt_ct4,
    .ntt_gs4 = avx2_ntt_gs4,
    .ntt_ct_tail = gl_scalar_ntt_ct_tail,
    .ntt_gs_head = gl_scalar_ntt_gs_head,
    .ntt_lde2_head = gl_scalar_ntt_lde2_head,
    .scale_powers = avx2_scale_powers,
    .ext_mul = avx2_ext_mul,
    .ext_scale = avx2_ext_scale,
    .ext_batch_inv = avx2_ext_batch_inv,
    .ext_axpy = avx2_ext_axpy,
    .ext_dot = avx2_ext_dot,
};
