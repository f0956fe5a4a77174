/*
 * poseidon2_avx512.c: 8 Poseidon2 permutations at once with AVX-512 (F + DQ + VL), one 8-lane
 * vector per state element ("x8" layout). Compiled with -mavx512f -mavx512dq -mavx512vl; only
 * called after the CPU check (hash_internal.h).
 *
 * Representation: inside the kernel a lane holds any 64-bit integer congruent to the field
 * element (not necessarily < p); inputs are canonical and the result is made canonical at the end.
 * This saves the final conditional subtraction of every operation. eps = 2^32 - 1 = 2^64 mod p,
 * so a carry out of 64 bits is compensated by adding eps and a borrow by subtracting it.
 *
 * Where the time goes, and why the code is shaped as it is. All figures were measured on this
 * project's Zen 4 machine (AVX-512 executed as two 256-bit halves), in ns per permutation:
 * 523 before this design, ~395 with it (bench/bench_hash; about 1,430 core cycles at 3.6 GHz).
 *  - A permutation is 736 field multiplications per lane (8 full rounds x 12 S-boxes x 4, plus 22
 *    partial rounds x (4 + 12 diagonal products)); a general one is ~22 vector operations (four
 *    32x32 products, the high word, the reduction). The core sustains ~1.7 such operations per
 *    cycle, and compare-and-correct steps (a compare into a mask, then a masked add) cost far
 *    more than their operation count, because their latency lengthens chains the small vector
 *    scheduler has to wait on. So the budget is: few operations, fewer corrections, short chains.
 *  - Program order matters: an S-box is a ~100-cycle chain and the scheduler holds about one
 *    S-box's operations. Twelve S-boxes one after the other: 67 cycles per 8-lane S-box; level by
 *    level (x^2 for all, then x^3 and x^4, then x^7): 51. The partial round likewise places its
 *    lone S-box between the diagonal products that do not depend on it.
 *  - The reduction reads both of its corrections from the same intermediate (reduce128), so they
 *    do not wait for each other (-2.5% per S-box).
 *  - Full rounds: the last S-box product feeds the external layer, which adds on 32-bit halves
 *    anyway (external_layer_halves); mul_to_halves reduces it straight into biased halves with no
 *    correction at all, and the bias leaves through the constants added in that layer.
 *  - Partial rounds: the diagonal constants are fixed, so x*DIAG[i] is six 32x32 products of
 *    21-bit limbs of x by the halves of precomputed DIAG[i]*2^(21j): halves again, no
 *    correction. Adding s = y + R, summing R (as sum L[i] + 11 s: -2.5%) and adding the next
 *    constant all happen on the halves; each element is recombined once (combine: one
 *    correction). This cut the partial rounds from 268 to about 235 cycles each.
 *  - x_new[0] = DIAG[0]*y + (y + R) is computed as (DIAG[0] + 1)*y + R, so after the S-box the
 *    critical path is one constant product and one combine.
 *  - Every loop is fully unrolled (pragmas): GCC left some rolled with the state in memory (-6%).
 *  - Batches transpose 8 states in registers (load_states) instead of through the x8 buffer (-3%).
 * Tried and dropped (no gain or a loss, measured): two groups of 8 lanes per call so one group's
 * partial rounds overlap the other's (+1% with the first design, -5% with this one: register
 * spills); interleaving scalar (mulx) permutations to use the idle integer units (1 extra state:
 * no gain, 2: -10%; the integer code takes dispatch slots the vector code needs); software-
 * pipelining the partial rounds across iterations; summing R from 32-bit halves of reduced
 * elements; vpmullq vs shuffle+blend for the low word (equal; vpmullq kept, it is shorter);
 * 52-bit IFMA products (seven multiply-adds for a 64x64 product and a 2^52-radix reduction that
 * does not fit 2^64 = 2^32 - 1: no fewer operations); one permutation per vector (the 12
 * diagonal products per permutation remain, and horizontal sums are added); -O3, -mtune.
 * The DIAG constants are full 64-bit values, so no shift-and-add shortcut exists.
 */
#include <immintrin.h>
#include <threads.h>

#include "base.h"
#include "hash_internal.h"

typedef __m512i V;

#define EPS_C 0xFFFFFFFFull

/* Bias added to each S-box output in the half representation (see mul_to_halves). */
#define SBOX_BIAS (UINT64_C(1) << 33)

static inline V v_set1(uint64_t x) { return _mm512_set1_epi64((long long)x); }
static inline V v_eps(void) { return v_set1(EPS_C); }

/* Any a, canonical b (< p): one carry correction suffices (a + b - 2^64 + eps < 2^64). */
static inline V add_canon(V a, V b) {
    V s = _mm512_add_epi64(a, b);
    __mmask8 c = _mm512_cmplt_epu64_mask(s, a);
    return _mm512_mask_add_epi64(s, c, s, v_eps());
}

/* Any x -> canonical: x + eps wraps exactly when x >= p, and then equals x - p < x. */
static inline V canon(V x) { return _mm512_min_epu64(x, _mm512_add_epi64(x, v_eps())); }

/* hi*2^64 + lo mod p = lo + (hi & eps)*eps - (hi >> 32) (see gl.h "Reduction").
 * s1 = lo + m (m = (hi & eps)*eps) may carry (add eps back); s1 - hh may borrow (take eps off).
 * Both conditions are read from s1 at once, so the two corrections do not wait for each other
 * (the serial form was ~2.5% slower per S-box: a compare is 3+ cycles on the critical path).
 * No double wrap: after a carry s1 < m <= 2^64 - 2^33 + 1, so s1 - hh + eps < 2^64; after a
 * borrow (s1 < hh < 2^32) the wrapped s1 - hh is >= 2^64 - 2^32 > eps; with both, s1 - hh
 * wrapped around exactly once downward after the carry, so the exact value fits 64 bits. */
static inline V reduce128(V hi, V lo) {
    V hh = _mm512_srli_epi64(hi, 32);
    V m = _mm512_mul_epu32(hi, v_eps());
    V s1 = _mm512_add_epi64(lo, m);
    __mmask8 carry = _mm512_cmplt_epu64_mask(s1, m);
    __mmask8 borrow = _mm512_cmplt_epu64_mask(s1, hh);
    V r = _mm512_sub_epi64(s1, hh);
    r = _mm512_mask_add_epi64(r, carry, r, v_eps());
    return _mm512_mask_sub_epi64(r, borrow, r, v_eps());
}

/* The high 32 bits of each lane moved down (what _mm512_mul_epu32 reads). */
static inline V hi_down(V x) { return _mm512_shuffle_epi32(x, _MM_PERM_DDBB); }

/* The partial products of x*y from 32-bit halves: returns the high word of the 128-bit product;
 * *ll is x_lo*y_lo and *t1 holds bits 32..63 of the product in its low half. xh, yh: the high
 * halves moved down. All intermediate sums stay below 2^64: (2^32-1)^2 + 2(2^32-1) < 2^64. */
static inline V mul_hi(V x, V xh, V y, V yh, V *ll_out, V *t1_out) {
    V ll = _mm512_mul_epu32(x, y);
    V lh = _mm512_mul_epu32(x, yh);
    V hl = _mm512_mul_epu32(xh, y);
    V hh = _mm512_mul_epu32(xh, yh);
    V t0 = _mm512_add_epi64(hl, _mm512_srli_epi64(ll, 32));
    V t1 = _mm512_add_epi64(lh, _mm512_and_si512(t0, v_eps()));
    *ll_out = ll;
    *t1_out = t1;
    return _mm512_add_epi64(_mm512_add_epi64(hh, _mm512_srli_epi64(t0, 32)), _mm512_srli_epi64(t1, 32));
}

/* x*y mod p for any x, y (xh, yh: their high halves moved down). The low word comes from
 * vpmullq, one operation instead of a shuffle and a blend of the partial products. */
static inline V mul_h(V x, V xh, V y, V yh) {
    V ll, t1;
    V hi = mul_hi(x, xh, y, yh, &ll, &t1);
    return reduce128(hi, _mm512_mullo_epi64(x, y));
}

static inline V mul(V x, V y) { return mul_h(x, hi_down(x), y, hi_down(y)); }

/* x^2 mod p: three 32x32 products (the two cross products are equal). */
static inline V sqr(V x) {
    V xh = hi_down(x);
    V ll = _mm512_mul_epu32(x, x);
    V lh = _mm512_mul_epu32(x, xh);
    V hh = _mm512_mul_epu32(xh, xh);
    V t0 = _mm512_add_epi64(lh, _mm512_srli_epi64(ll, 32));
    V t1 = _mm512_add_epi64(lh, _mm512_and_si512(t0, v_eps()));
    V hi = _mm512_add_epi64(_mm512_add_epi64(hh, _mm512_srli_epi64(t0, 32)), _mm512_srli_epi64(t1, 32));
    return reduce128(hi, _mm512_mullo_epi64(x, x));
}

/* x*y + SBOX_BIAS mod p as halves: *L + *H * 2^32 with 0 < *L < 3*2^32 and *H < 2^33.
 * With the product hi*2^64 + lo, hh = hi >> 32, hl = hi & eps:
 *   x*y = lo + hl*2^64 + hh*2^96 = lo + hl*(2^32 - 1) - hh (mod p), so
 *   L = (lo & eps) + 2^33 - hh - hl   (the bias keeps it positive: hh, hl < 2^32)
 *   H = (lo >> 32) + hl
 * which needs no carry checks at all; the external layer consumes halves directly. */
static inline void mul_to_halves(V x, V y, V *L, V *H) {
    V ll, t1;
    V hi = mul_hi(x, hi_down(x), y, hi_down(y), &ll, &t1);
    V hh = _mm512_srli_epi64(hi, 32);
    V hl = _mm512_and_si512(hi, v_eps());
    /* (ll & eps) | 2^33 in one ternary-logic operation: A & B | C = 0xEA. */
    V lb = _mm512_ternarylogic_epi64(ll, v_eps(), v_set1(SBOX_BIAS), 0xEA);
    *L = _mm512_sub_epi64(_mm512_sub_epi64(lb, hh), hl);
    *H = _mm512_add_epi64(_mm512_and_si512(t1, v_eps()), hl);
}

/* M4 on plain integers (no reduction); a linear map with coefficients summing to 16 per row. */
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

/* The external layer on plain integers: every output is a sum of inputs with coefficients adding
 * up to 64, so inputs below 3*2^32 give outputs below 2^40 and 64-bit adds cannot overflow. */
static inline void e_half(V *h) {
    m4_int(h);
    m4_int(h + 4);
    m4_int(h + 8);
#pragma GCC unroll 4
    for (int j = 0; j < 4; j++) {
        V s = _mm512_add_epi64(_mm512_add_epi64(h[j], h[j + 4]), h[j + 8]);
        h[j] = _mm512_add_epi64(h[j], s);
        h[j + 4] = _mm512_add_epi64(h[j + 4], s);
        h[j + 8] = _mm512_add_epi64(h[j + 8], s);
    }
}

/* L + H*2^32 mod p for L, H < 2^62: H*2^32 = (H >> 32)*2^64 + (H << 32 mod 2^64) and
 * 2^64 = eps. y = L + (H >> 32)*eps does not overflow; the final sum wraps at most once and then
 * lies below y, so the eps correction cannot wrap again. */
static inline V combine(V L, V H) {
    V y = _mm512_add_epi64(L, _mm512_mul_epu32(_mm512_srli_epi64(H, 32), v_eps()));
    V x = _mm512_slli_epi64(H, 32);
    V r = _mm512_add_epi64(x, y);
    __mmask8 c = _mm512_cmplt_epu64_mask(r, y);
    return _mm512_mask_add_epi64(r, c, r, v_eps());
}

/* The external layer on halves lo/hi (element i = lo[i] + hi[i]*2^32, each half < 3*2^32),
 * plus the canonical constants k (whose halves join the sums, < 2^41 in all), recombined. */
static inline void external_layer_halves(V *x, V *lo, V *hi, const gl_t *k) {
    e_half(lo);
    e_half(hi);
#pragma GCC unroll 12
    for (int i = 0; i < 12; i++) {
        V l = _mm512_add_epi64(lo[i], v_set1(k[i] & EPS_C));
        V h = _mm512_add_epi64(hi[i], v_set1(k[i] >> 32));
        x[i] = combine(l, h);
    }
}

/* The kernel's constant tables, derived once from poseidon2_rc and poseidon2_diag (call_once). */
static struct {
    /* After full round r (0..7), the external layer adds kf[r][i]: the next round constants
     * minus the image of the S-box bias under the external layer, SBOX_BIAS * (row sum of the
     * layer) = SBOX_BIAS * (64, 48, 64, 48, ...). After round 3 the next constant is the first
     * partial round's (element 0 only); after round 7 there is none. */
    gl_t kf[8][12];
    /* Diagonal products by limbs (see mul_const_halves): for element i, the 32-bit halves of
     * C_j = DIAG'[i] * 2^(21 j) mod p, j = 0, 1, 2, where DIAG' is DIAG with DIAG[0] + 1 in
     * place of DIAG[0] (see partial_rounds). */
    gl_t dlo[3][12], dhi[3][12];
} tables;
static once_flag tables_once = ONCE_FLAG_INIT;

static void tables_init(void) {
    for (int r = 0; r < 8; r++) {
        for (int i = 0; i < 12; i++) {
            gl_t rc = 0;
            if (r < 3) rc = poseidon2_rc[12 * (r + 1) + i];
            else if (r == 3 && i == 0) rc = poseidon2_rc[48];
            else if (r >= 4 && r < 7) rc = poseidon2_rc[48 + POSEIDON2_PARTIAL_ROUNDS + 12 * (r - 3) + i];
            gl_t bias = gl_from_u64(SBOX_BIAS * (i % 2 == 0 ? 64 : 48));
            tables.kf[r][i] = gl_sub(rc, bias);
        }
    }
    for (int i = 0; i < 12; i++) {
        gl_t d = i == 0 ? gl_add(poseidon2_diag[0], 1) : poseidon2_diag[i];
        for (int j = 0; j < 3; j++) {
            gl_t c = gl_mul(d, (gl_t)1 << (21 * j));
            tables.dlo[j][i] = c & EPS_C;
            tables.dhi[j][i] = c >> 32;
        }
    }
}

/* Full round r (0..7) on x, whose round constants are already added: the twelve S-boxes level by
 * level, the last product straight into biased halves, then the external layer with kf[r]. Kept
 * out of line: eight inlined copies would overflow the micro-op cache. */
static __attribute__((noinline)) void full_round(V *x, int r) {
    V x2[12], x3[12], lo[12], hi[12];
#pragma GCC unroll 12
    for (int i = 0; i < 12; i++) x2[i] = sqr(x[i]);
#pragma GCC unroll 12
    for (int i = 0; i < 12; i++) {
        x3[i] = mul(x2[i], x[i]);
        x2[i] = sqr(x2[i]);
    }
#pragma GCC unroll 12
    for (int i = 0; i < 12; i++) mul_to_halves(x3[i], x2[i], &lo[i], &hi[i]);
    external_layer_halves(x, lo, hi, tables.kf[r]);
}

/* x * DIAG'[i] mod p as halves *L + *H * 2^32 with *L, *H < 2^55, for any 64-bit x.
 * x = x0 + x1*2^21 + x2*2^42 (x0, x1 < 2^21, x2 < 2^22), so x*D = sum_j xj * C_j (mod p) with
 * C_j = D*2^(21 j) mod p; each xj * C_j is two 32x32 products (by C_j's halves) below 2^54, and
 * the sums of three stay far below 2^64. Six products, no reduction and no carry check: the
 * general path (four products, the high word, a two-correction reduction) costs more operations
 * and, worse, two compare-and-correct steps. */
static inline void mul_const_halves(V x, int i, V *L, V *H) {
    const V m21 = v_set1((UINT64_C(1) << 21) - 1);
    V x0 = _mm512_and_si512(x, m21);
    V x1 = _mm512_and_si512(_mm512_srli_epi64(x, 21), m21);
    V x2 = _mm512_srli_epi64(x, 42);
    V l0 = _mm512_mul_epu32(x0, v_set1(tables.dlo[0][i]));
    V l1 = _mm512_mul_epu32(x1, v_set1(tables.dlo[1][i]));
    V l2 = _mm512_mul_epu32(x2, v_set1(tables.dlo[2][i]));
    V h0 = _mm512_mul_epu32(x0, v_set1(tables.dhi[0][i]));
    V h1 = _mm512_mul_epu32(x1, v_set1(tables.dhi[1][i]));
    V h2 = _mm512_mul_epu32(x2, v_set1(tables.dhi[2][i]));
    *L = _mm512_add_epi64(_mm512_add_epi64(l0, l1), l2);
    *H = _mm512_add_epi64(_mm512_add_epi64(h0, h1), h2);
}

/* The partial rounds. On entry x[0] already includes the first partial round constant.
 *
 * Per round, with t = x[0] + rc and R = x[1] + ... + x[11]:
 *   y = t^7;  x_new[0] = DIAG[0]*y + (y + R) = (DIAG[0] + 1)*y + R;  x_new[i] = DIAG[i]*x[i] + (y + R).
 * The diagonal products come out as halves (mul_const_halves), so adding s = y + R is two plain
 * adds and each new element costs one combine; R for the next round is the sum of those halves
 * (11 terms below 2^56: no overflow), kept as halves (RL, RH) and never reduced on its own. The
 * next round's constant joins x_new[0]'s halves too, so after the S-box the critical path is one
 * constant product and one combine. The products DIAG[i]*x[i] do not depend on the S-box and are
 * placed between its levels in program order, where the scheduler finds them while the chain
 * waits. The last round adds the first constant of the final full rounds (poseidon2_rc[70]
 * follows the partial constants); on exit x[0] includes it, x[1..11] do not. */
static __attribute__((noinline)) void partial_rounds(V *x) {
    const gl_t *rc_next = poseidon2_rc + 48 + 1;
    V RL = _mm512_setzero_si512(), RH = _mm512_setzero_si512();
#pragma GCC unroll 11
    for (int i = 1; i < 12; i++) {
        RL = _mm512_add_epi64(RL, _mm512_and_si512(x[i], v_eps()));
        RH = _mm512_add_epi64(RH, _mm512_srli_epi64(x[i], 32));
    }
    V t = x[0];
    for (int r = 0; r < POSEIDON2_PARTIAL_ROUNDS; r++) {
        V L[12], H[12];
        V th = hi_down(t);
        V t2 = mul_h(t, th, t, th);
#pragma GCC unroll 4
        for (int i = 1; i < 5; i++) mul_const_halves(x[i], i, &L[i], &H[i]);
        V t2h = hi_down(t2);
        V t3 = mul_h(t2, t2h, t, th);
        V t4 = mul_h(t2, t2h, t2, t2h);
#pragma GCC unroll 4
        for (int i = 5; i < 9; i++) mul_const_halves(x[i], i, &L[i], &H[i]);
        /* R + next constant, off the critical path. */
        V RLk = _mm512_add_epi64(RL, v_set1(rc_next[r] & EPS_C));
        V RHk = _mm512_add_epi64(RH, v_set1(rc_next[r] >> 32));
        V y = mul(t3, t4);
#pragma GCC unroll 3
        for (int i = 9; i < 12; i++) mul_const_halves(x[i], i, &L[i], &H[i]);
        mul_const_halves(y, 0, &L[0], &H[0]);
        t = combine(_mm512_add_epi64(L[0], RLk), _mm512_add_epi64(H[0], RHk));
        /* s = y + R as a 64-bit value, then its exact halves. */
        V s = combine(_mm512_add_epi64(RL, _mm512_and_si512(y, v_eps())),
                      _mm512_add_epi64(RH, _mm512_srli_epi64(y, 32)));
        V sl = _mm512_and_si512(s, v_eps()), sh = _mm512_srli_epi64(s, 32);
        /* Next R = sum (L[i] + sl) = sum L[i] + 11 sl (and the same for H): 11 terms below
         * 2^55 + 2^32, so below 2^59. */
        V sumL = L[1], sumH = H[1];
#pragma GCC unroll 10
        for (int i = 2; i < 12; i++) {
            sumL = _mm512_add_epi64(sumL, L[i]);
            sumH = _mm512_add_epi64(sumH, H[i]);
        }
        RL = _mm512_add_epi64(sumL, _mm512_mul_epu32(sl, v_set1(11)));
        RH = _mm512_add_epi64(sumH, _mm512_mul_epu32(sh, v_set1(11)));
#pragma GCC unroll 11
        for (int i = 1; i < 12; i++) x[i] = combine(_mm512_add_epi64(L[i], sl), _mm512_add_epi64(H[i], sh));
    }
    x[0] = t;
}

/* The permutation on x (one vector per state element, 8 states); canonical in and out. The
 * caller has run tables_init (call_once). */
static inline void permute(V *x) {
    const gl_t *rc_end = poseidon2_rc + 48 + POSEIDON2_PARTIAL_ROUNDS;
    V lo[12], hi[12];

    /* The initial external layer (inputs canonical: exact halves, no bias) with the first full
     * round's constants. */
#pragma GCC unroll 12
    for (int i = 0; i < 12; i++) {
        lo[i] = _mm512_and_si512(x[i], v_eps());
        hi[i] = _mm512_srli_epi64(x[i], 32);
    }
    external_layer_halves(x, lo, hi, poseidon2_rc);
    for (int r = 0; r < 4; r++) full_round(x, r);

    partial_rounds(x);

    /* x[0] already has its constant (see partial_rounds). */
#pragma GCC unroll 11
    for (int i = 1; i < 12; i++) x[i] = add_canon(x[i], v_set1(rc_end[i]));
    for (int r = 4; r < 8; r++) full_round(x, r);

#pragma GCC unroll 12
    for (int i = 0; i < 12; i++) x[i] = canon(x[i]);
}

void poseidon2_x8_avx512(gl_t st[POSEIDON2_WIDTH][POSEIDON2_LANES]) {
    call_once(&tables_once, tables_init);
    V x[12];
#pragma GCC unroll 12
    for (int i = 0; i < 12; i++) x[i] = _mm512_loadu_si512((const void *)st[i]);
    permute(x);
#pragma GCC unroll 12
    for (int i = 0; i < 12; i++) _mm512_storeu_si512((void *)st[i], x[i]);
}

/* States one after the other (state j is s[12j .. 12j+12)) <-> one vector per element, by
 * blocks of four elements: each state's four (one 256-bit load) pair up with those of state
 * j + 4 in one register, then two rounds of 64-bit interleaves and two-source permutes finish the
 * 8x4 transpose. The same network, run backwards, stores. Copying element by element through the
 * x8 buffer instead cost ~3% of a permutation (96 scalar loads and stores each way, and vector
 * loads that could not be forwarded from the scalar stores). */
static inline void load_states(const gl_t *s, V *x) {
    const __m512i idx_a = _mm512_set_epi64(13, 12, 5, 4, 9, 8, 1, 0);
    const __m512i idx_b = _mm512_set_epi64(15, 14, 7, 6, 11, 10, 3, 2);
#pragma GCC unroll 3
    for (int b = 0; b < 3; b++) {
        V z[4];
#pragma GCC unroll 4
        for (int j = 0; j < 4; j++) {
            __m256i lo = _mm256_loadu_si256((const void *)(s + 12 * j + 4 * b));
            __m256i hi = _mm256_loadu_si256((const void *)(s + 12 * (j + 4) + 4 * b));
            z[j] = _mm512_inserti64x4(_mm512_castsi256_si512(lo), hi, 1);
        }
        V t0 = _mm512_unpacklo_epi64(z[0], z[1]), t1 = _mm512_unpackhi_epi64(z[0], z[1]);
        V t2 = _mm512_unpacklo_epi64(z[2], z[3]), t3 = _mm512_unpackhi_epi64(z[2], z[3]);
        x[4 * b + 0] = _mm512_permutex2var_epi64(t0, idx_a, t2);
        x[4 * b + 1] = _mm512_permutex2var_epi64(t1, idx_a, t3);
        x[4 * b + 2] = _mm512_permutex2var_epi64(t0, idx_b, t2);
        x[4 * b + 3] = _mm512_permutex2var_epi64(t1, idx_b, t3);
    }
}

static inline void store_states(gl_t *s, const V *x) {
    const __m512i idx_a = _mm512_set_epi64(13, 12, 5, 4, 9, 8, 1, 0);
    const __m512i idx_b = _mm512_set_epi64(15, 14, 7, 6, 11, 10, 3, 2);
#pragma GCC unroll 3
    for (int b = 0; b < 3; b++) {
        V t0 = _mm512_permutex2var_epi64(x[4 * b + 0], idx_a, x[4 * b + 2]);
        V t2 = _mm512_permutex2var_epi64(x[4 * b + 0], idx_b, x[4 * b + 2]);
        V t1 = _mm512_permutex2var_epi64(x[4 * b + 1], idx_a, x[4 * b + 3]);
        V t3 = _mm512_permutex2var_epi64(x[4 * b + 1], idx_b, x[4 * b + 3]);
        V z[4] = {_mm512_unpacklo_epi64(t0, t1), _mm512_unpackhi_epi64(t0, t1),
                  _mm512_unpacklo_epi64(t2, t3), _mm512_unpackhi_epi64(t2, t3)};
#pragma GCC unroll 4
        for (int j = 0; j < 4; j++) {
            _mm256_storeu_si256((void *)(s + 12 * j + 4 * b), _mm512_castsi512_si256(z[j]));
            _mm256_storeu_si256((void *)(s + 12 * (j + 4) + 4 * b), _mm512_extracti64x4_epi64(z[j], 1));
        }
    }
}

void poseidon2_states_avx512(gl_t *states, size_t n_groups) {
    call_once(&tables_once, tables_init);
    for (size_t g = 0; g < n_groups; g++) {
        gl_t *s = states + g * POSEIDON2_LANES * POSEIDON2_WIDTH;
        V x[12];
        load_states(s, x);
        permute(x);
        store_states(s, x);
    }
}

/* The leaf sponge of whole groups of 8 leaves of a column-major matrix (rows contiguous within
 * a column; a leaf is n_parts rows part_stride apart, hash.h). Element c of a part for leaves
 * r0..r0+7 is one contiguous 8-element load from column c, which is already the x8 layout, so
 * each block is 8 vector loads into the state and the state stays in registers for the whole
 * leaf: no gather through memory and no transposes. The next group's lines are prefetched
 * while this group is absorbed (a 100-column matrix has more streams than the hardware
 * prefetcher tracks); one group is ~13 permutations per part, far longer than a memory access,
 * so one group ahead is enough. */
void poseidon2_sponge_cols_avx512(const gl_t *mat, size_t n_groups, size_t n_parts,
                                  size_t part_stride, size_t n_cols, size_t col_stride,
                                  hash_digest *out) {
    call_once(&tables_once, tables_init);
    const size_t len = n_parts * n_cols;
    const size_t n_blocks = len == 0 ? 1 : (len + HASH_RATE - 1) / HASH_RATE;
    for (size_t g = 0; g < n_groups; g++) {
        const gl_t *base = mat + g * POSEIDON2_LANES;
        const int prefetch = g + 1 < n_groups;
        V x[12];
#pragma GCC unroll 12
        for (int i = 0; i < 12; i++) x[i] = _mm512_setzero_si512();
        x[HASH_RATE] = v_set1((uint64_t)len);
        x[POSEIDON2_WIDTH - 1] = v_set1(HASH_DOMAIN_SPONGE);
        size_t part = 0, col = 0; /* the next element's position */
        for (size_t b = 0; b < n_blocks; b++) {
            /* Overwrite mode; a short last block is zero-padded (hash.h). */
#pragma GCC unroll 8
            for (size_t i = 0; i < HASH_RATE; i++) {
                if (b * HASH_RATE + i < len) {
                    const gl_t *src = base + part * part_stride + col * col_stride;
                    x[i] = _mm512_loadu_si512((const void *)src);
                    if (prefetch) _mm_prefetch((const char *)(src + POSEIDON2_LANES), _MM_HINT_T0);
                    if (++col == n_cols) col = 0, part++;
                } else {
                    x[i] = _mm512_setzero_si512();
                }
            }
            permute(x);
        }
        gl_t d[HASH_DIGEST_LEN][POSEIDON2_LANES];
#pragma GCC unroll 4
        for (int i = 0; i < HASH_DIGEST_LEN; i++) _mm512_storeu_si512((void *)d[i], x[i]);
        for (int j = 0; j < POSEIDON2_LANES; j++)
            for (int i = 0; i < HASH_DIGEST_LEN; i++) out[g * POSEIDON2_LANES + j].h[i] = d[i][j];
    }
}

void poseidon2_avx512_test_op_impl(int op, const gl_t a[8], const gl_t b[8], gl_t out[8]) {
    call_once(&tables_once, tables_init);
    V va = _mm512_loadu_si512((const void *)a), vb = _mm512_loadu_si512((const void *)b), r;
    V L, H;
    switch (op) {
    case P2_TEST_REDUCE128: r = reduce128(va, vb); break;
    case P2_TEST_MUL: r = mul(va, vb); break;
    case P2_TEST_SQR: r = sqr(va); break;
    case P2_TEST_MUL_HALVES:
        mul_to_halves(va, vb, &L, &H);
        /* Take the bias off: + (p - SBOX_BIAS) is + 1 on the low half, + eps - 2 on the high. */
        r = combine(_mm512_add_epi64(L, v_set1(1)), _mm512_add_epi64(H, v_set1(EPS_C - 2)));
        break;
    case P2_TEST_MUL_DIAG:
        mul_const_halves(va, (int)(b[0] % 12), &L, &H);
        r = combine(L, H);
        break;
    case P2_TEST_COMBINE: r = combine(va, vb); break;
    default: ZISK_ASSERT(0 && "unknown Poseidon2 test operation"); r = va; break;
    }
    _mm512_storeu_si512((void *)out, canon(r));
}
