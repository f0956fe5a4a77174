/*
 * poseidon2_avx512.c: 8 Poseidon2 permutations at once with AVX-512 (F + DQ + VL), one 8-lane
 * vector per state element. Compiled with -mavx512f -mavx512dq -mavx512vl; only called after the
 * CPU check (hash_internal.h).
 *
 * Representation: inside the kernel a lane holds any 64-bit integer congruent to the field
 * element (not necessarily < p); inputs are canonical and the result is made canonical at the end.
 * This saves the final conditional subtraction of every operation. eps = 2^32 - 1 = 2^64 mod p,
 * so a carry out of 64 bits is compensated by adding eps and a borrow by subtracting it.
 *
 * Cost-saving choices (the permutation is the prover's hashing floor):
 *  - the external layer runs on the 32-bit halves of each element with plain 64-bit adds (its
 *    coefficients sum to at most 64 per row, so the halves stay below 2^38) and recombines once;
 *  - the partial rounds' sum counts carries in a vector and folds them back once;
 *  - x*DIAG + sum adds sum into the 128-bit product and reduces once.
 */
#include <immintrin.h>

#include "hash_internal.h"

typedef __m512i V;

#define EPS_C 0xFFFFFFFFull

static inline V v_eps(void) { return _mm512_set1_epi64((long long)EPS_C); }

/* Any a, b: a + b mod p (result any 64-bit value). */
static inline V add_any(V a, V b) {
    V s = _mm512_add_epi64(a, b);
    __mmask8 c = _mm512_cmplt_epu64_mask(s, a);
    s = _mm512_mask_add_epi64(s, c, s, v_eps());
    /* A second wrap is possible only when both inputs were close to 2^64. */
    __mmask8 c2 = _mm512_mask_cmplt_epu64_mask(c, s, v_eps());
    return _mm512_mask_add_epi64(s, c2, s, v_eps());
}

/* Any a, canonical b (< p): one carry correction suffices (a + b - 2^64 + eps < 2^64). */
static inline V add_canon(V a, V b) {
    V s = _mm512_add_epi64(a, b);
    __mmask8 c = _mm512_cmplt_epu64_mask(s, a);
    return _mm512_mask_add_epi64(s, c, s, v_eps());
}

/* hi*2^64 + lo mod p = lo - (hi >> 32) + (hi & eps)*eps (see gl.h "Reduction"). */
static inline V reduce128(V hi, V lo) {
    V hh = _mm512_srli_epi64(hi, 32);
    V t = _mm512_sub_epi64(lo, hh);
    __mmask8 b = _mm512_cmplt_epu64_mask(lo, hh);
    t = _mm512_mask_sub_epi64(t, b, t, v_eps());
    V m = _mm512_mul_epu32(hi, v_eps());
    V r = _mm512_add_epi64(t, m);
    __mmask8 c = _mm512_cmplt_epu64_mask(r, m);
    return _mm512_mask_add_epi64(r, c, r, v_eps());
}

/* Full 64x64 -> 128 product from four 32x32 products. xh, yh: the high halves moved down. */
static inline void mul128(V x, V xh, V y, V yh, V *hi, V *lo) {
    V ll = _mm512_mul_epu32(x, y);
    V lh = _mm512_mul_epu32(x, yh);
    V hl = _mm512_mul_epu32(xh, y);
    V hh = _mm512_mul_epu32(xh, yh);
    V m32 = v_eps();
    V t0 = _mm512_add_epi64(hl, _mm512_srli_epi64(ll, 32));          /* < 2^64 */
    V t1 = _mm512_add_epi64(lh, _mm512_and_si512(t0, m32));           /* < 2^64 */
    *hi = _mm512_add_epi64(_mm512_add_epi64(hh, _mm512_srli_epi64(t0, 32)), _mm512_srli_epi64(t1, 32));
    /* lo = (t1 << 32) | (ll & m32): copy t1's low dword into the odd dword positions. */
    *lo = _mm512_mask_blend_epi32(0xAAAA, ll, _mm512_shuffle_epi32(t1, _MM_PERM_CCAA));
}

static inline V hi_down(V x) { return _mm512_shuffle_epi32(x, _MM_PERM_DDBB); }

static inline V mul(V x, V y) {
    V hi, lo;
    mul128(x, hi_down(x), y, hi_down(y), &hi, &lo);
    return reduce128(hi, lo);
}

static inline V sqr(V x) {
    V xh = hi_down(x);
    V ll = _mm512_mul_epu32(x, x);
    V lh = _mm512_mul_epu32(x, xh);
    V hh = _mm512_mul_epu32(xh, xh);
    V m32 = v_eps();
    V t0 = _mm512_add_epi64(lh, _mm512_srli_epi64(ll, 32));
    V t1 = _mm512_add_epi64(lh, _mm512_and_si512(t0, m32));
    V hi = _mm512_add_epi64(_mm512_add_epi64(hh, _mm512_srli_epi64(t0, 32)), _mm512_srli_epi64(t1, 32));
    V lo = _mm512_mask_blend_epi32(0xAAAA, ll, _mm512_shuffle_epi32(t1, _MM_PERM_CCAA));
    return reduce128(hi, lo);
}

static inline V sbox(V x) {
    V x2 = sqr(x);
    V x3 = mul(x2, x);
    V x4 = sqr(x2);
    return mul(x3, x4);
}

/* M4 on plain integers (no reduction): inputs < 2^32, outputs < 16 * 2^32. */
static inline void m4_int(V *x) {
    V t0 = _mm512_add_epi64(x[0], x[1]);
    V t1 = _mm512_add_epi64(x[2], x[3]);
    V t2 = _mm512_add_epi64(_mm512_slli_epi64(x[1], 1), t1);
    V t3 = _mm512_add_epi64(_mm512_slli_epi64(x[3], 1), t0);
    V t4 = _mm512_add_epi64(_mm512_slli_epi64(t1, 2), t3);
    V t5 = _mm512_add_epi64(_mm512_slli_epi64(t0, 2), t2);
    x[0] = _mm512_add_epi64(t3, t5);
    x[1] = t5;
    x[2] = _mm512_add_epi64(t2, t4);
    x[3] = t4;
}

/* The external layer on 32-bit halves: every output is a sum of inputs with coefficients
 * adding up to at most 64, so each half-sum is < 2^38 and plain 64-bit adds cannot overflow. */
static inline void e_half(V *h) {
    m4_int(h);
    m4_int(h + 4);
    m4_int(h + 8);
    for (int j = 0; j < 4; j++) {
        V s = _mm512_add_epi64(_mm512_add_epi64(h[j], h[j + 4]), h[j + 8]);
        h[j] = _mm512_add_epi64(h[j], s);
        h[j + 4] = _mm512_add_epi64(h[j + 4], s);
        h[j + 8] = _mm512_add_epi64(h[j + 8], s);
    }
}

/* L + H*2^32 mod p for L, H < 2^38: H*2^32 = (H >> 32)*2^64 + (H << 32 mod 2^64) and
 * 2^64 = eps. The sum wraps at most once and the eps correction cannot wrap again. */
static inline V combine(V L, V H) {
    V y = _mm512_add_epi64(L, _mm512_mul_epu32(_mm512_srli_epi64(H, 32), v_eps()));
    V x = _mm512_slli_epi64(H, 32);
    V r = _mm512_add_epi64(x, y);
    __mmask8 c = _mm512_cmplt_epu64_mask(r, y);
    return _mm512_mask_add_epi64(r, c, r, v_eps());
}

static inline void external_layer(V *x) {
    V lo[12], hi[12];
    for (int i = 0; i < 12; i++) {
        lo[i] = _mm512_and_si512(x[i], v_eps());
        hi[i] = _mm512_srli_epi64(x[i], 32);
    }
    e_half(lo);
    e_half(hi);
    for (int i = 0; i < 12; i++) x[i] = combine(lo[i], hi[i]);
}

static inline void full_round(V *x, const gl_t *rc) {
    for (int i = 0; i < 12; i++) x[i] = sbox(add_canon(x[i], _mm512_set1_epi64((long long)rc[i])));
    external_layer(x);
}

/* One partial round on G independent groups of 8 lanes, step by step so the out-of-order core
 * can overlap the groups' dependency chains (the S-box on x[0] feeds everything else).
 * Measured on Zen 4: G = 2 gives no gain (the kernel is bound by vector-op throughput, not
 * latency), so POSEIDON2_LANES is 8 and G is 1. */
#define G (POSEIDON2_LANES / 8)
static inline void partial_round(V (*x)[12], gl_t rc, const V *diag, const V *diag_hi) {
    const V one = _mm512_set1_epi64(1);
    const V rcv = _mm512_set1_epi64((long long)rc);
    V sum[G];
    for (int g = 0; g < G; g++) {
        /* sum of x[1..11] first: it does not wait for the S-box. Carries out of 64 bits are
         * counted and folded back once (count * eps < 2^36: the final add wraps at most once). */
        V s = x[g][1], carries = _mm512_setzero_si512();
        for (int i = 2; i < 12; i++) {
            s = _mm512_add_epi64(s, x[g][i]);
            __mmask8 c = _mm512_cmplt_epu64_mask(s, x[g][i]);
            carries = _mm512_mask_add_epi64(carries, c, carries, one);
        }
        x[g][0] = sbox(add_canon(x[g][0], rcv));
        s = _mm512_add_epi64(s, x[g][0]);
        carries = _mm512_mask_add_epi64(carries, _mm512_cmplt_epu64_mask(s, x[g][0]), carries, one);
        V m = _mm512_mul_epu32(carries, v_eps());
        V t = _mm512_add_epi64(s, m);
        sum[g] = _mm512_mask_add_epi64(t, _mm512_cmplt_epu64_mask(t, m), t, v_eps());
    }
    /* x[i]*DIAG[i] + sum: add sum into the 128-bit product (the high word of a product is at
     * most 2^64 - 2, so the carry fits) and reduce once. */
    for (int i = 0; i < 12; i++) {
        for (int g = 0; g < G; g++) {
            V hi, lo;
            mul128(x[g][i], hi_down(x[g][i]), diag[i], diag_hi[i], &hi, &lo);
            lo = _mm512_add_epi64(lo, sum[g]);
            hi = _mm512_mask_add_epi64(hi, _mm512_cmplt_epu64_mask(lo, sum[g]), hi, one);
            x[g][i] = reduce128(hi, lo);
        }
    }
}

void poseidon2_x8_avx512(gl_t st[POSEIDON2_WIDTH][POSEIDON2_LANES]) {
    V x[G][12], diag[12], diag_hi[12];
    for (int i = 0; i < 12; i++) {
        for (int g = 0; g < G; g++) x[g][i] = _mm512_loadu_si512((const void *)&st[i][8 * g]);
        diag[i] = _mm512_set1_epi64((long long)poseidon2_diag[i]);
        diag_hi[i] = _mm512_set1_epi64((long long)(poseidon2_diag[i] >> 32));
    }
    for (int g = 0; g < G; g++) external_layer(x[g]);
    for (int r = 0; r < 4; r++)
        for (int g = 0; g < G; g++) full_round(x[g], poseidon2_rc + 12 * r);
    for (int r = 0; r < POSEIDON2_PARTIAL_ROUNDS; r++) partial_round(x, poseidon2_rc[48 + r], diag, diag_hi);
    for (int r = 0; r < 4; r++)
        for (int g = 0; g < G; g++) full_round(x[g], poseidon2_rc + 48 + 22 + 12 * r);
    for (int i = 0; i < 12; i++) {
        for (int g = 0; g < G; g++) {
            /* Canonical form: x + eps wraps exactly when x >= p, and then equals x - p < x. */
            V c = _mm512_min_epu64(x[g][i], _mm512_add_epi64(x[g][i], v_eps()));
            _mm512_storeu_si512((void *)&st[i][8 * g], c);
        }
    }
}
