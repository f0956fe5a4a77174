/*
 * gl.h: the Goldilocks prime field p = 2^64 - 2^32 + 1, its cubic extension
 * F[X]/(X^3 - X - 1), and vector kernels over arrays (scalar, AVX2, AVX-512 chosen at run time).
 *
 * Representation
 *   gl_t is a uint64_t in canonical form [0, p). Every function here takes canonical inputs and
 *   returns canonical outputs; gl_from_u64 and gl_reduce128 turn any integer into canonical form.
 *   Passing a non-canonical value to the arithmetic is a caller bug (results are then unspecified,
 *   though never undefined behaviour). Code that reads field elements from outside data must check
 *   gl_is_canonical first (or reduce with gl_from_u64 when that is the documented convention).
 *
 * Reduction
 *   p = 2^64 - eps with eps = 2^32 - 1, so 2^64 = eps (mod p) and 2^96 = -1 (mod p). A 128-bit
 *   product hi*2^64 + lo, with hi = hh*2^32 + hl, is lo - hh + hl*eps (mod p): one subtraction,
 *   one 32x32 multiplication and one addition, each with a conditional correction by eps.
 *
 * Constants (checked by tests/field)
 *   GL_GENERATOR = 7 generates the whole multiplicative group (p - 1 = 2^32 * 3 * 5 * 17 * 257 *
 *   65537, and 7^((p-1)/q) != 1 for each prime q). It is also the coset shift used by the LDE.
 *   GL_TWO_ADIC_ROOT = 7^((p-1)/2^32) has exact order 2^32 (two-adicity 32);
 *   gl_root_of_unity(k) = GL_TWO_ADIC_ROOT^(2^(32-k)) has exact order 2^k.
 *
 * Cubic extension
 *   gl3_t {c0, c1, c2} is c0 + c1*X + c2*X^2 with X^3 = X + 1. X^3 - X - 1 has no root in F_p
 *   (tests/field proves it through the norm of X^p - X), so the quotient ring is the field F_{p^3}.
 *
 * Memory: nothing in this header allocates. Vector kernels work on caller-owned arrays and
 * allow out to alias an input exactly (same pointer), never a partial overlap.
 */
#ifndef ZISK_FIELD_GL_H
#define ZISK_FIELD_GL_H

#include <stddef.h>
#include <stdint.h>

#define GL_P 0xFFFFFFFF00000001ull
/* 2^64 mod p = 2^32 - 1. */
#define GL_EPS 0xFFFFFFFFull
/* Generator of the multiplicative group F_p^*, used as the LDE coset shift. */
#define GL_GENERATOR 7ull
/* Two-adicity of p - 1. */
#define GL_TWO_ADICITY 32
/* 7^((p-1)/2^32): a primitive 2^32-th root of unity. */
#define GL_TWO_ADIC_ROOT 0x185629dcda58878cull

typedef uint64_t gl_t;

/* ------------------------------------------------------------------------------------------ */
/* Scalar base field                                                                            */
/* ------------------------------------------------------------------------------------------ */

/* 1 when x is in canonical form [0, p), else 0. */
static inline int gl_is_canonical(uint64_t x) { return x < GL_P; }

/* Any 64-bit integer reduced mod p (one conditional subtraction suffices since 2^64 < 2p). */
static inline gl_t gl_from_u64(uint64_t x) { return x >= GL_P ? x - GL_P : x; }

/* The arithmetic below must be branch-free: with random field elements a carry happens half
 * the time, and a mispredicted branch costs more than the whole operation. Compilers turn the
 * obvious C (even mask arithmetic) back into branches, so on x86-64 the carry/borrow adjustment
 * is written with sbb, which materialises -CF without a jump. */

/* The mask all-ones when c is 1, zero when c is 0. */
static inline uint64_t gl_mask_(uint64_t c) { return (uint64_t)0 - c; }

/* *s = a + b mod 2^64; returns eps if the addition carried, else 0. */
static inline uint64_t gl_add_carry_eps_(uint64_t a, uint64_t b, uint64_t *s) {
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
    uint64_t m;
    __asm__("add %[b], %[a]\n\tsbb %[m], %[m]" : [a] "+r"(a), [m] "=r"(m) : [b] "r"(b) : "cc");
    *s = a;
    return m & GL_EPS;
#else
    return gl_mask_(__builtin_add_overflow(a, b, s)) & GL_EPS;
#endif
}

/* *d = a - b mod 2^64; returns eps if the subtraction borrowed, else 0. */
static inline uint64_t gl_sub_borrow_eps_(uint64_t a, uint64_t b, uint64_t *d) {
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
    uint64_t m;
    __asm__("sub %[b], %[a]\n\tsbb %[m], %[m]" : [a] "+r"(a), [m] "=r"(m) : [b] "r"(b) : "cc");
    *d = a;
    return m & GL_EPS;
#else
    return gl_mask_(__builtin_sub_overflow(a, b, d)) & GL_EPS;
#endif
}

/* x in [0, 2^64) -> [0, p). */
static inline gl_t gl_canon_(uint64_t x) { return x - (gl_mask_(x >= GL_P) & GL_P); }

/* a + b mod p. */
static inline gl_t gl_add(gl_t a, gl_t b) {
    uint64_t s;
    /* On carry the true sum is s + 2^64 = s + eps (mod p); s + eps cannot carry again because
     * a + b - 2^64 <= 2p - 2 - 2^64 = 2^64 - 2^33. */
    uint64_t e = gl_add_carry_eps_(a, b, &s);
    return gl_canon_(s + e);
}

/* a - b mod p. */
static inline gl_t gl_sub(gl_t a, gl_t b) {
    uint64_t d;
    /* On borrow d = a - b + 2^64; subtracting eps gives a - b + p, already in [0, p). */
    uint64_t e = gl_sub_borrow_eps_(a, b, &d);
    return d - e;
}

/* -a mod p. */
static inline gl_t gl_neg(gl_t a) { return a == 0 ? 0 : GL_P - a; }

/* Any 128-bit integer reduced mod p (see "Reduction" above). */
static inline gl_t gl_reduce128(unsigned __int128 x) {
    uint64_t lo = (uint64_t)x, hi = (uint64_t)(x >> 64);
    uint64_t hh = hi >> 32, hl = hi & GL_EPS;
    uint64_t t0;
    /* lo - hh; a borrow added 2^64 = eps (mod p), so take eps back (no underflow: t0 > eps).
     * A borrow needs lo < hh < 2^32, which is rare, so here a branch predicts well. */
    if (__builtin_sub_overflow(lo, hh, &t0)) t0 -= GL_EPS;
    uint64_t t1 = hl * GL_EPS; /* < 2^64: hl < 2^32 */
    uint64_t t2;
    /* A carry dropped 2^64 = eps; adding it back cannot overflow (t2 < t1 <= 2^64 - 2^33 + 1). */
    uint64_t e1 = gl_add_carry_eps_(t0, t1, &t2);
    return gl_canon_(t2 + e1);
}

/* a * b mod p. */
static inline gl_t gl_mul(gl_t a, gl_t b) { return gl_reduce128((unsigned __int128)a * b); }

/* a^2 mod p. */
static inline gl_t gl_sqr(gl_t a) { return gl_mul(a, a); }

/* a^e mod p by square-and-multiply (gl_pow(0, 0) = 1). Variable time in e. */
static inline gl_t gl_pow(gl_t a, uint64_t e) {
    gl_t r = 1;
    while (e) {
        if (e & 1) r = gl_mul(r, a);
        a = gl_sqr(a);
        e >>= 1;
    }
    return r;
}

static inline gl_t gl_sqr_n(gl_t a, unsigned n) {
    while (n--) a = gl_sqr(a);
    return a;
}

/* Multiplicative inverse a^(p-2) (Fermat). By convention gl_inv(0) = 0; callers that must not
 * divide by zero check first. p - 2 = 0xFFFFFFFE_FFFFFFFF is 31 ones, a zero, 32 ones, so
 * a^(p-2) = (a^(2^31-1))^(2^33) * a^(2^32-1), built by the addition chain below
 * (64 squarings, 9 multiplications). */
static inline gl_t gl_inv(gl_t a) {
    gl_t e1 = a;
    gl_t e2 = gl_mul(gl_sqr(e1), e1);              /* a^(2^2-1)  */
    gl_t e3 = gl_mul(gl_sqr(e2), a);               /* a^(2^3-1)  */
    gl_t e6 = gl_mul(gl_sqr_n(e3, 3), e3);         /* a^(2^6-1)  */
    gl_t e12 = gl_mul(gl_sqr_n(e6, 6), e6);        /* a^(2^12-1) */
    gl_t e24 = gl_mul(gl_sqr_n(e12, 12), e12);     /* a^(2^24-1) */
    gl_t e30 = gl_mul(gl_sqr_n(e24, 6), e6);       /* a^(2^30-1) */
    gl_t e31 = gl_mul(gl_sqr(e30), a);             /* a^(2^31-1) */
    gl_t e32 = gl_mul(gl_sqr(e31), a);             /* a^(2^32-1) */
    return gl_mul(gl_sqr_n(e31, 33), e32);
}

/* A primitive 2^log_n-th root of unity, for 0 <= log_n <= 32 (aborts otherwise: a caller bug).
 * gl_root_of_unity(k)^2 = gl_root_of_unity(k-1); gl_root_of_unity(1) = p - 1. */
gl_t gl_root_of_unity(unsigned log_n);

/* Montgomery batch inversion: out[i] = a[i]^-1 for i < n, with one field inversion and 3(n-1)
 * multiplications. Zeros are allowed and map to 0 (they are skipped, so they do not poison the
 * others). scratch: caller-owned, at least n elements; it is overwritten. out may alias a exactly;
 * scratch must not alias either. */
void gl_batch_inv(gl_t *out, const gl_t *a, size_t n, gl_t *scratch);

/* out[i] = base^(start + i) for i < n (a geometric sequence; used for coset shifts). */
void gl_powers(gl_t *out, gl_t base, uint64_t start, size_t n);

/* ------------------------------------------------------------------------------------------ */
/* Cubic extension F_p[X]/(X^3 - X - 1)                                                         */
/* ------------------------------------------------------------------------------------------ */

typedef struct {
    gl_t c[3];
} gl3_t;

static inline gl3_t gl3_zero(void) { return (gl3_t){{0, 0, 0}}; }
static inline gl3_t gl3_one(void) { return (gl3_t){{1, 0, 0}}; }
/* The element a + 0X + 0X^2. */
static inline gl3_t gl3_from_base(gl_t a) { return (gl3_t){{a, 0, 0}}; }
static inline int gl3_eq(gl3_t a, gl3_t b) {
    return a.c[0] == b.c[0] && a.c[1] == b.c[1] && a.c[2] == b.c[2];
}
static inline int gl3_is_zero(gl3_t a) { return (a.c[0] | a.c[1] | a.c[2]) == 0; }

static inline gl3_t gl3_add(gl3_t a, gl3_t b) {
    return (gl3_t){{gl_add(a.c[0], b.c[0]), gl_add(a.c[1], b.c[1]), gl_add(a.c[2], b.c[2])}};
}
static inline gl3_t gl3_sub(gl3_t a, gl3_t b) {
    return (gl3_t){{gl_sub(a.c[0], b.c[0]), gl_sub(a.c[1], b.c[1]), gl_sub(a.c[2], b.c[2])}};
}
static inline gl3_t gl3_neg(gl3_t a) {
    return (gl3_t){{gl_neg(a.c[0]), gl_neg(a.c[1]), gl_neg(a.c[2])}};
}
/* a * s for s in the base field. */
static inline gl3_t gl3_mul_base(gl3_t a, gl_t s) {
    return (gl3_t){{gl_mul(a.c[0], s), gl_mul(a.c[1], s), gl_mul(a.c[2], s)}};
}

/* A sum of up to 5 products of canonical elements, kept exact: lo + 2^128 carry (carry <= 4). */
typedef struct gl_acc_ {
    unsigned __int128 lo;
    uint64_t carry;
} gl_acc_;
static inline void gl_acc_add_(gl_acc_ *s, unsigned __int128 x) {
    s->lo += x;
    s->carry += s->lo < x;
}
/* The accumulated value mod p: 2^128 = eps^2 = -2^32 (mod p), and carry * 2^32 < p. */
static inline gl_t gl_acc_reduce_(gl_acc_ s) { return gl_sub(gl_reduce128(s.lo), s.carry << 32); }

/* a * b. Schoolbook product c0..c4, then X^3 = X + 1 and X^4 = X^2 + X:
 * r0 = c0 + c3, r1 = c1 + c3 + c4, r2 = c2 + c4. The nine 128-bit products are summed exactly
 * per output coefficient and reduced once each (3 reductions instead of 9; tests/field checks
 * it against a reference product, edge values included). */
static inline gl3_t gl3_mul(gl3_t a, gl3_t b) {
    typedef unsigned __int128 u128_;
    gl_t a0 = a.c[0], a1 = a.c[1], a2 = a.c[2], b0 = b.c[0], b1 = b.c[1], b2 = b.c[2];
    u128_ c4 = (u128_)a2 * b2;
    gl_acc_ c3 = {(u128_)a1 * b2, 0};
    gl_acc_add_(&c3, (u128_)a2 * b1);
    gl_acc_ r0 = c3, r1 = c3, r2 = {c4, 0};
    gl_acc_add_(&r0, (u128_)a0 * b0);
    gl_acc_add_(&r1, (u128_)a0 * b1);
    gl_acc_add_(&r1, (u128_)a1 * b0);
    gl_acc_add_(&r1, c4);
    gl_acc_add_(&r2, (u128_)a0 * b2);
    gl_acc_add_(&r2, (u128_)a1 * b1);
    gl_acc_add_(&r2, (u128_)a2 * b0);
    return (gl3_t){{gl_acc_reduce_(r0), gl_acc_reduce_(r1), gl_acc_reduce_(r2)}};
}

static inline gl3_t gl3_sqr(gl3_t a) { return gl3_mul(a, a); }

/* a^e by square-and-multiply (variable time in e). */
static inline gl3_t gl3_pow(gl3_t a, uint64_t e) {
    gl3_t r = gl3_one();
    while (e) {
        if (e & 1) r = gl3_mul(r, a);
        a = gl3_sqr(a);
        e >>= 1;
    }
    return r;
}

/* Multiplication by a is the linear map with matrix (columns a, a*X, a*X^2)
 *     M = | a0  a2     a1    |
 *         | a1  a0+a2  a1+a2 |
 *         | a2  a1     a0+a2 |
 * Its determinant is the norm N(a) in F_p, zero only for a = 0. Writes the first column of
 * adj(M) (the cofactors of M's first row) to cof and returns det(M). */
static inline gl_t gl3_norm_cofactors_(gl3_t a, gl_t cof[3]) {
    gl_t m00 = a.c[0], m01 = a.c[2], m02 = a.c[1];
    gl_t m10 = a.c[1], m11 = gl_add(a.c[0], a.c[2]), m12 = gl_add(a.c[1], a.c[2]);
    gl_t m20 = a.c[2], m21 = a.c[1], m22 = m11;
    cof[0] = gl_sub(gl_mul(m11, m22), gl_mul(m12, m21));
    cof[1] = gl_sub(gl_mul(m12, m20), gl_mul(m10, m22));
    cof[2] = gl_sub(gl_mul(m10, m21), gl_mul(m11, m20));
    return gl_add(gl_add(gl_mul(m00, cof[0]), gl_mul(m01, cof[1])), gl_mul(m02, cof[2]));
}

/* The norm N(a) = a * a^p * a^(p^2) in F_p (zero iff a = 0). */
static inline gl_t gl3_norm(gl3_t a) {
    gl_t cof[3];
    return gl3_norm_cofactors_(a, cof);
}

/* a^-1, solving M x = (1, 0, 0) by Cramer's rule: x = adj(M)[:,0] / det(M), one base-field
 * inversion. By convention gl3_inv(0) = 0. */
static inline gl3_t gl3_inv(gl3_t a) {
    gl_t cof[3];
    gl_t d = gl_inv(gl3_norm_cofactors_(a, cof));
    return (gl3_t){{gl_mul(cof[0], d), gl_mul(cof[1], d), gl_mul(cof[2], d)}};
}

/* ------------------------------------------------------------------------------------------ */
/* Vector kernels with run-time dispatch                                                        */
/* ------------------------------------------------------------------------------------------ */

/* Instruction-set levels, lowest first. A level is usable when it was compiled in (x86-64 with
 * GCC or clang) and the running CPU supports it (AVX2; AVX-512 needs F, DQ, VL). */
typedef enum { GL_SIMD_SCALAR = 0, GL_SIMD_AVX2 = 1, GL_SIMD_AVX512 = 2 } gl_simd_level;
#define GL_SIMD_LEVELS 3

/* One backend's kernels. All lengths are element counts; arrays are caller-owned, need no
 * particular alignment, and an output may alias an input exactly (same pointer). All inputs must
 * be canonical; all outputs are canonical. */
typedef struct gl_vec_ops {
    gl_simd_level level;
    const char *name; /* "scalar", "avx2", "avx512" */
    /* out[i] = a[i] + b[i] */
    void (*add)(gl_t *out, const gl_t *a, const gl_t *b, size_t n);
    /* out[i] = a[i] - b[i] */
    void (*sub)(gl_t *out, const gl_t *a, const gl_t *b, size_t n);
    /* out[i] = a[i] * b[i] */
    void (*mul)(gl_t *out, const gl_t *a, const gl_t *b, size_t n);
    /* out[i] = a[i] * s */
    void (*scale)(gl_t *out, const gl_t *a, gl_t s, size_t n);
    /* NTT stages with one twiddle per block (src/ntt keeps its twiddles in that layout). A stage
     * of half-size m cuts x into blocks of 2m elements and pairs (k + j, k + j + m) inside each;
     * all pairs of a block share its twiddle z. CT (Cooley-Tukey) butterflies map (u, v) to
     * (u + z v, u - z v); GS (Gentleman-Sande) butterflies map them to (u + v, (u - v) z). */
    /* One stage on `blocks` consecutive blocks, block b (at x + 2mb) with twiddle tw[b], limited
     * to the pairs with j < len (len <= m: a caller that splits one block among threads passes
     * x + j0 and a shorter len). */
    void (*ntt_ct2)(gl_t *x, size_t m, size_t len, size_t blocks, const gl_t *tw);
    void (*ntt_gs2)(gl_t *x, size_t m, size_t len, size_t blocks, const gl_t *tw);
    /* Two stages on `blocks` consecutive blocks of 4m (rows x + 4mb + {0, m, 2m, 3m}, columns
     * j < len <= m). ntt_ct4: CT of half-size 2m with tw_a[b] (rows 0-2, 1-3), then CT of
     * half-size m with tw_b[2b] (rows 0-1) and tw_b[2b + 1] (rows 2-3). ntt_gs4: the same two
     * stages as GS butterflies in the opposite order (half-size m first). The twiddles must be
     * related as in the NTT's tables: tw_a[b] = tw_b[2b]^2 and tw_b[2b + 1] = tw_b[2b] * w4 for
     * all b, with one w4 in {2^48, p - 2^48} (the primitive 4th roots of unity); the vector
     * backends use it to save a multiplication. */
    void (*ntt_ct4)(gl_t *x, size_t m, size_t len, size_t blocks, const gl_t *tw_a,
                    const gl_t *tw_b);
    void (*ntt_gs4)(gl_t *x, size_t m, size_t len, size_t blocks, const gl_t *tw_a,
                    const gl_t *tw_b);
    /* The three finest stages on x[0..n), n a multiple of 8, the block of 2m elements starting at
     * k using tw4[k / 8], tw2[k / 4] or tw1[k / 2]. ntt_ct_tail: CT half-sizes 4, 2, 1 in that
     * order; ntt_gs_head: GS half-sizes 1, 2, 4. */
    void (*ntt_ct_tail)(gl_t *x, size_t n, const gl_t *tw4, const gl_t *tw2, const gl_t *tw1);
    void (*ntt_gs_head)(gl_t *x, size_t n, const gl_t *tw1, const gl_t *tw2, const gl_t *tw4);
    /* The head of a blowup-2 extension: y[2j] = in[j] * t[j] (in[j] when t is NULL) and
     * y[2j + 1] = 0 for j < n (n a multiple of 8), then ntt_gs_head(y, 2n, tw1, tw2, tw4), written
     * to out[0..2n). out may equal in (the same pointer, with room for 2n elements); otherwise
     * the two must not overlap. */
    void (*ntt_lde2_head)(gl_t *out, const gl_t *in, size_t n, const gl_t *t, const gl_t *tw1,
                          const gl_t *tw2, const gl_t *tw4);
    /* x[i] = x[i] * c * s^i for i < n (coset shifts, with the 1/n of an inverse folded in c). */
    void (*scale_powers)(gl_t *x, size_t n, gl_t c, gl_t s);
    /* Cubic-extension planes: element i of an extension vector x is (x[0][i], x[1][i],
     * x[2][i]). out = a * b (ext_mul) or out = a * s (ext_scale, one extension element) for
     * i < n, the same values as gl3_mul. Element i of every output plane is written after
     * element i of every input plane is read, so an output plane may be an input plane (any
     * one of them, e.g. out == a), but planes must not overlap otherwise. */
    void (*ext_mul)(gl_t *const out[3], const gl_t *const a[3], const gl_t *const b[3], size_t n);
    void (*ext_scale)(gl_t *const out[3], const gl_t *const a[3], gl3_t s, size_t n);
    /* x[i] = 1 / x[i] for i < n, in place, by Montgomery's trick (one inversion per lane, a
     * few products per element); scratch: three planes of at least n elements, overwritten.
     * Returns 0; or 1 when some x[i] is 0, and then x is left as it was. */
    int (*ext_batch_inv)(gl_t *const x[3], size_t n, gl_t *const scratch[3]);
    /* acc[i] += x[i] * s for i < n: x a base vector, s one extension element, acc three
     * planes (none overlapping x). */
    void (*ext_axpy)(gl_t *const acc[3], const gl_t *x, gl3_t s, size_t n);
    /* sum_i x[i] * y[i] for i < n: x a base vector, y three planes. */
    gl3_t (*ext_dot)(const gl_t *x, const gl_t *const y[3], size_t n);
} gl_vec_ops;

/* The highest level usable on this CPU (detected once, thread-safe). The environment variable
 * ZISK_SIMD=scalar|avx2|avx512 caps it (for debugging and benchmarks); unknown values are
 * ignored. */
gl_simd_level gl_simd_best(void);

/* The kernels of one level, or NULL when that level is not usable on this CPU/build. The
 * returned table is static (never freed). */
const gl_vec_ops *gl_vec_ops_get(gl_simd_level level);

/* The kernels of gl_simd_best() (never NULL). */
const gl_vec_ops *gl_vec(void);

/* Convenience wrappers over gl_vec(). */
void gl_vec_add(gl_t *out, const gl_t *a, const gl_t *b, size_t n);
void gl_vec_sub(gl_t *out, const gl_t *a, const gl_t *b, size_t n);
void gl_vec_mul(gl_t *out, const gl_t *a, const gl_t *b, size_t n);
void gl_vec_scale(gl_t *out, const gl_t *a, gl_t s, size_t n);

#endif
