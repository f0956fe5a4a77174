/*
 * test_field.c: Goldilocks and its cubic extension against a reference built on unsigned
 * __int128 arithmetic mod p; the group constants; and every SIMD backend against the scalar one.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "gl.h"

typedef unsigned __int128 u128;
static const u128 P = GL_P;

/* splitmix64: deterministic, so a failure reproduces. */
static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static uint64_t rnd(void) {
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* Edge values: around 0, 2^32, 2^63, p and 2^64. */
static const uint64_t EDGE_U64[] = {
    0, 1, 2, 3, 0xFFFFFFFFull, 0x100000000ull, 0x100000001ull, 0xFFFFFFFEull,
    0x7FFFFFFFFFFFFFFFull, 0x8000000000000000ull, 0x8000000000000001ull,
    GL_P - 2, GL_P - 1, GL_P, GL_P + 1, GL_P + 0xFFFFFFFEull,
    0xFFFFFFFF00000000ull - 1, 0xFFFFFFFEFFFFFFFFull, 0xFFFFFFFFFFFFFFFEull, 0xFFFFFFFFFFFFFFFFull,
    0x00000000FFFFFFFFull * 0xFFFFull, 0xFFFFFFFF00000000ull >> 1,
};
#define N_EDGE (sizeof EDGE_U64 / sizeof EDGE_U64[0])

/* A canonical element: mostly random, sometimes an edge value (reduced). */
static gl_t rnd_gl(void) {
    uint64_t r = rnd();
    if ((r & 7) == 0) return (gl_t)((u128)EDGE_U64[(r >> 3) % N_EDGE] % P);
    return (gl_t)((u128)rnd() % P);
}

static gl_t ref_add(gl_t a, gl_t b) { return (gl_t)(((u128)a + b) % P); }
static gl_t ref_sub(gl_t a, gl_t b) { return (gl_t)(((u128)a + P - b) % P); }
static gl_t ref_mul(gl_t a, gl_t b) { return (gl_t)(((u128)a * b) % P); }
static gl_t ref_pow(gl_t a, uint64_t e) {
    gl_t r = 1;
    for (int i = 63; i >= 0; i--) {
        r = ref_mul(r, r);
        if ((e >> i) & 1) r = ref_mul(r, a);
    }
    return r;
}

/* Canonical edge values (reduced) plus 0 and p-1 etc. */
static size_t edge_canonical(gl_t *out) {
    size_t k = 0;
    for (size_t i = 0; i < N_EDGE; i++) out[k++] = (gl_t)((u128)EDGE_U64[i] % P);
    return k;
}

static void check_pair(gl_t a, gl_t b) {
    assert_int_equal(gl_add(a, b), ref_add(a, b));
    assert_int_equal(gl_sub(a, b), ref_sub(a, b));
    assert_int_equal(gl_mul(a, b), ref_mul(a, b));
    assert_true(gl_add(a, b) < GL_P && gl_sub(a, b) < GL_P && gl_mul(a, b) < GL_P);
}

static void test_scalar_ops_vs_reference(void **state) {
    (void)state;
    gl_t e[N_EDGE];
    size_t ne = edge_canonical(e);
    for (size_t i = 0; i < ne; i++)
        for (size_t j = 0; j < ne; j++) check_pair(e[i], e[j]);
    for (int i = 0; i < 200000; i++) check_pair(rnd_gl(), rnd_gl());
    for (size_t i = 0; i < ne; i++) {
        assert_int_equal(gl_neg(e[i]), ref_sub(0, e[i]));
        assert_int_equal(gl_sqr(e[i]), ref_mul(e[i], e[i]));
    }
}

static void test_reduction(void **state) {
    (void)state;
    for (size_t i = 0; i < N_EDGE; i++) {
        assert_int_equal(gl_from_u64(EDGE_U64[i]), (gl_t)((u128)EDGE_U64[i] % P));
        assert_int_equal(gl_is_canonical(EDGE_U64[i]), EDGE_U64[i] < GL_P);
        for (size_t j = 0; j < N_EDGE; j++) {
            u128 x = ((u128)EDGE_U64[i] << 64) | EDGE_U64[j];
            assert_int_equal(gl_reduce128(x), (gl_t)(x % P));
        }
    }
    for (int i = 0; i < 100000; i++) {
        u128 x = ((u128)rnd() << 64) | rnd();
        assert_int_equal(gl_reduce128(x), (gl_t)(x % P));
        uint64_t y = rnd();
        assert_int_equal(gl_from_u64(y), (gl_t)(y % GL_P));
    }
    assert_int_equal(gl_reduce128(~(u128)0), (gl_t)(~(u128)0 % P));
}

static void test_axioms(void **state) {
    (void)state;
    for (int i = 0; i < 20000; i++) {
        gl_t a = rnd_gl(), b = rnd_gl(), c = rnd_gl();
        assert_int_equal(gl_add(a, b), gl_add(b, a));
        assert_int_equal(gl_mul(a, b), gl_mul(b, a));
        assert_int_equal(gl_add(gl_add(a, b), c), gl_add(a, gl_add(b, c)));
        assert_int_equal(gl_mul(gl_mul(a, b), c), gl_mul(a, gl_mul(b, c)));
        assert_int_equal(gl_mul(a, gl_add(b, c)), gl_add(gl_mul(a, b), gl_mul(a, c)));
        assert_int_equal(gl_add(a, gl_neg(a)), 0);
        assert_int_equal(gl_sub(a, b), gl_add(a, gl_neg(b)));
        assert_int_equal(gl_mul(a, 1), a);
        assert_int_equal(gl_add(a, 0), a);
    }
}

static void test_inverse_and_pow(void **state) {
    (void)state;
    assert_int_equal(gl_inv(0), 0);
    assert_int_equal(gl_inv(1), 1);
    assert_int_equal(gl_inv(GL_P - 1), GL_P - 1);
    gl_t e[N_EDGE];
    size_t ne = edge_canonical(e);
    for (size_t i = 0; i < ne; i++) {
        if (e[i] == 0) continue;
        assert_int_equal(gl_mul(e[i], gl_inv(e[i])), 1);
    }
    for (int i = 0; i < 3000; i++) {
        gl_t a = rnd_gl();
        uint64_t k = rnd();
        assert_int_equal(gl_pow(a, k), ref_pow(a, k));
        if (a == 0) continue;
        gl_t ia = gl_inv(a);
        assert_int_equal(gl_mul(a, ia), 1);
        assert_int_equal(ia, ref_pow(a, GL_P - 2));
    }
    assert_int_equal(gl_pow(0, 0), 1);
    assert_int_equal(gl_pow(5, 0), 1);
    assert_int_equal(gl_pow(5, 3), 125);
}

static void test_batch_inv(void **state) {
    (void)state;
    enum { N = 257 };
    gl_t a[N], out[N], scratch[N];
    for (int i = 0; i < N; i++) a[i] = rnd_gl();
    a[0] = 0;
    a[17] = 0;
    a[N - 1] = 0;
    a[5] = 1;
    a[6] = GL_P - 1;
    gl_batch_inv(out, a, N, scratch);
    for (int i = 0; i < N; i++) assert_int_equal(out[i], gl_inv(a[i]));
    /* In place, and the trivial lengths. */
    gl_t b[N];
    memcpy(b, a, sizeof b);
    gl_batch_inv(b, b, N, scratch);
    assert_memory_equal(b, out, sizeof b);
    gl_batch_inv(out, a, 0, scratch);
    gl_t z = 0, one = 7;
    gl_batch_inv(&z, &z, 1, scratch);
    assert_int_equal(z, 0);
    gl_batch_inv(&one, &one, 1, scratch);
    assert_int_equal(one, gl_inv(7));
}

static void test_powers(void **state) {
    (void)state;
    gl_t out[40];
    gl_powers(out, GL_GENERATOR, 5, 40);
    for (int i = 0; i < 40; i++) assert_int_equal(out[i], ref_pow(GL_GENERATOR, 5 + (uint64_t)i));
}

/* 7 generates F_p^*: 7^((p-1)/q) != 1 for every prime q | p - 1 = 2^32 * 3 * 5 * 17 * 257 * 65537. */
static void test_group_constants(void **state) {
    (void)state;
    static const uint64_t primes[] = {2, 3, 5, 17, 257, 65537};
    u128 prod = (u128)1 << 32;
    for (size_t i = 1; i < 6; i++) prod *= primes[i];
    assert_true(prod == P - 1);
    for (size_t i = 0; i < 6; i++)
        assert_int_not_equal(ref_pow(GL_GENERATOR, (GL_P - 1) / primes[i]), 1);
    assert_int_equal(ref_pow(GL_GENERATOR, GL_P - 1), 1);

    /* The two-adic root is 7^((p-1)/2^32) and has exact order 2^32. */
    assert_int_equal(GL_TWO_ADIC_ROOT, ref_pow(GL_GENERATOR, (GL_P - 1) >> 32));
    gl_t w = GL_TWO_ADIC_ROOT;
    for (int i = 0; i < 31; i++) w = ref_mul(w, w);
    assert_int_equal(w, GL_P - 1); /* w^(2^31) = -1, so the order is not below 2^32 */
    assert_int_equal(ref_mul(w, w), 1);

    for (unsigned k = 0; k <= 32; k++) {
        gl_t r = gl_root_of_unity(k);
        /* r^(2^k) = 1 and, for k >= 1, r^(2^(k-1)) = -1: exact order 2^k. */
        gl_t x = r;
        for (unsigned i = 0; i + 1 < k; i++) x = gl_sqr(x);
        if (k >= 1) assert_int_equal(x, GL_P - 1);
        else assert_int_equal(x, 1);
    }
    assert_int_equal(gl_root_of_unity(0), 1);
    assert_int_equal(gl_root_of_unity(1), GL_P - 1);
}

/* ---- cubic extension --------------------------------------------------------------------- */

static gl3_t rnd_gl3(void) { return (gl3_t){{rnd_gl(), rnd_gl(), rnd_gl()}}; }

/* Reference product: schoolbook mod p with X^3 = X + 1 applied one power at a time. */
static gl3_t ref_gl3_mul(gl3_t a, gl3_t b) {
    u128 c[5] = {0};
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++) c[i + j] = (c[i + j] + (u128)a.c[i] * b.c[j] % P) % P;
    /* X^4 = X^2 + X, then X^3 = X + 1. */
    c[2] = (c[2] + c[4]) % P;
    c[1] = (c[1] + c[4]) % P;
    c[1] = (c[1] + c[3]) % P;
    c[0] = (c[0] + c[3]) % P;
    return (gl3_t){{(gl_t)c[0], (gl_t)c[1], (gl_t)c[2]}};
}

static void assert_gl3_eq(gl3_t a, gl3_t b) {
    assert_int_equal(a.c[0], b.c[0]);
    assert_int_equal(a.c[1], b.c[1]);
    assert_int_equal(a.c[2], b.c[2]);
}

static void test_ext_axioms(void **state) {
    (void)state;
    /* every product of coefficients from the edge values (the largest sums of 128-bit products
     * that gl3_mul accumulates before reducing) */
    static const gl_t E[] = {0, 1, 2, 0xffffffffull, 0x100000000ull, P - 1, P - 2, (P - 1) / 2};
    const size_t n_e = sizeof E / sizeof E[0];
    for (size_t i = 0; i < n_e * n_e * n_e; i++)
        for (size_t j = 0; j < n_e * n_e * n_e; j += 3) {
            gl3_t a = {{E[i % n_e], E[i / n_e % n_e], E[i / n_e / n_e]}};
            gl3_t b = {{E[j % n_e], E[j / n_e % n_e], E[j / n_e / n_e]}};
            assert_gl3_eq(gl3_mul(a, b), ref_gl3_mul(a, b));
        }
    gl3_t X = {{0, 1, 0}};
    /* X^3 = X + 1 */
    assert_gl3_eq(gl3_mul(X, gl3_mul(X, X)), (gl3_t){{1, 1, 0}});
    for (int i = 0; i < 5000; i++) {
        gl3_t a = rnd_gl3(), b = rnd_gl3(), c = rnd_gl3();
        assert_gl3_eq(gl3_mul(a, b), ref_gl3_mul(a, b));
        assert_gl3_eq(gl3_mul(a, b), gl3_mul(b, a));
        assert_gl3_eq(gl3_mul(gl3_mul(a, b), c), gl3_mul(a, gl3_mul(b, c)));
        assert_gl3_eq(gl3_mul(a, gl3_add(b, c)), gl3_add(gl3_mul(a, b), gl3_mul(a, c)));
        assert_gl3_eq(gl3_add(a, gl3_neg(a)), gl3_zero());
        assert_gl3_eq(gl3_sub(a, b), gl3_add(a, gl3_neg(b)));
        assert_gl3_eq(gl3_sqr(a), gl3_mul(a, a));
        assert_gl3_eq(gl3_mul(a, gl3_one()), a);
        gl_t s = rnd_gl();
        assert_gl3_eq(gl3_mul_base(a, s), gl3_mul(a, gl3_from_base(s)));
        if (!gl3_is_zero(a)) {
            assert_gl3_eq(gl3_mul(a, gl3_inv(a)), gl3_one());
            /* The norm is multiplicative and lies in F_p. */
            assert_int_equal(gl3_norm(gl3_mul(a, b)), gl_mul(gl3_norm(a), gl3_norm(b)));
        }
    }
    assert_gl3_eq(gl3_inv(gl3_zero()), gl3_zero());
    /* Base-field elements and sparse edge elements. */
    gl_t e[N_EDGE];
    size_t ne = edge_canonical(e);
    for (size_t i = 0; i < ne; i++) {
        for (int pos = 0; pos < 3; pos++) {
            gl3_t a = gl3_zero();
            a.c[pos] = e[i];
            a.c[(pos + 1) % 3] = e[(i + 3) % ne];
            if (gl3_is_zero(a)) continue;
            assert_gl3_eq(gl3_mul(a, gl3_inv(a)), gl3_one());
        }
    }
}

/* X^3 - X - 1 has no root in F_p (so, being a cubic, it is irreducible and the extension is a
 * field): a root exists iff gcd(X^p - X, f) != 1 iff X^p - X is not invertible mod f iff its
 * norm (the determinant of multiplication by it, i.e. the resultant) is zero. Also checks the
 * norm against its definition a * a^p * a^(p^2). */
static void test_ext_is_field(void **state) {
    (void)state;
    gl3_t X = {{0, 1, 0}};
    gl3_t xp = gl3_pow(X, GL_P);
    assert_int_not_equal(gl3_norm(gl3_sub(xp, X)), 0);
    /* Frobenius has order 3: X^(p^3) = X, and X^(p^2) != X. */
    gl3_t xp2 = gl3_pow(xp, GL_P);
    assert_false(gl3_eq(xp2, X));
    assert_gl3_eq(gl3_pow(xp2, GL_P), X);
    for (int i = 0; i < 20; i++) {
        gl3_t a = rnd_gl3();
        gl3_t ap = gl3_pow(a, GL_P), ap2 = gl3_pow(ap, GL_P);
        gl3_t nrm = gl3_mul(a, gl3_mul(ap, ap2));
        assert_gl3_eq(nrm, gl3_from_base(gl3_norm(a)));
    }
}

/* ---- SIMD backends ----------------------------------------------------------------------- */

static void fill_vec(gl_t *v, size_t n) {
    gl_t e[N_EDGE];
    size_t ne = edge_canonical(e);
    for (size_t i = 0; i < n; i++) v[i] = (rnd() & 3) == 0 ? e[rnd() % ne] : rnd_gl();
}

static void check_backend(const gl_vec_ops *ops) {
    const gl_vec_ops *ref = gl_vec_ops_get(GL_SIMD_SCALAR);
    enum { MAXN = 1031 };
    static gl_t a[MAXN], b[MAXN], o1[MAXN], o2[MAXN];
    static const size_t lens[] = {0, 1, 3, 4, 5, 7, 8, 9, 15, 16, 17, 24, 31, 33, 64, 100, 1031};
    for (int rep = 0; rep < 20; rep++) {
        for (size_t li = 0; li < sizeof lens / sizeof lens[0]; li++) {
            size_t n = lens[li];
            fill_vec(a, MAXN);
            fill_vec(b, MAXN);
            /* Every edge value against every edge value in the first lanes. */
            gl_t e[N_EDGE];
            size_t ne = edge_canonical(e);
            if (rep == 0 && n >= ne * 2)
                for (size_t i = 0; i < ne; i++) a[i] = e[i], b[i] = e[(i * 7 + rep) % ne];

            ref->add(o1, a, b, n), ops->add(o2, a, b, n);
            assert_memory_equal(o1, o2, n * sizeof(gl_t));
            ref->sub(o1, a, b, n), ops->sub(o2, a, b, n);
            assert_memory_equal(o1, o2, n * sizeof(gl_t));
            ref->mul(o1, a, b, n), ops->mul(o2, a, b, n);
            assert_memory_equal(o1, o2, n * sizeof(gl_t));
            for (size_t i = 0; i < n; i++) assert_int_equal(o2[i], ref_mul(a[i], b[i]));
            ref->scale(o1, a, b[0], n), ops->scale(o2, a, b[0], n);
            assert_memory_equal(o1, o2, n * sizeof(gl_t));

            /* Exact aliasing: out == a. */
            memcpy(o1, a, sizeof a), memcpy(o2, a, sizeof a);
            ref->mul(o1, o1, b, n), ops->mul(o2, o2, b, n);
            assert_memory_equal(o1, o2, n * sizeof(gl_t));
            ref->add(o1, o1, b, n), ops->add(o2, o2, b, n);
            assert_memory_equal(o1, o2, n * sizeof(gl_t));
        }
    }
}

#define X3(p) ((gl_t *const[3]){(p)[0], (p)[1], (p)[2]})

/* ext_mul / ext_scale / ext_axpy / ext_batch_inv of every backend against gl3_mul element by element, also with the
 * output planes being input planes (the aliasing the kernels allow). */
static void test_simd_ext(void **state) {
    (void)state;
    enum { MAXN = 133 };
    static gl_t a[3][MAXN], b[3][MAXN], o[3][MAXN], w[3][MAXN];
    static const size_t lens[] = {0, 1, 7, 8, 9, 16, 31, 128, 133};
    for (int l = 0; l < GL_SIMD_LEVELS; l++) {
        const gl_vec_ops *ops = gl_vec_ops_get((gl_simd_level)l);
        if (!ops) continue;
        for (int rep = 0; rep < 10; rep++)
            for (size_t li = 0; li < sizeof lens / sizeof lens[0]; li++) {
                size_t n = lens[li];
                for (int k = 0; k < 3; k++) fill_vec(a[k], MAXN), fill_vec(b[k], MAXN);
                gl3_t s = {{b[0][MAXN - 1], b[1][MAXN - 1], b[2][MAXN - 1]}};
                if (rep == 0) s = (gl3_t){{GL_P - 1, GL_P - 1, GL_P - 1}};
                const gl_t *A[3] = {a[0], a[1], a[2]}, *B[3] = {b[0], b[1], b[2]};
                gl_t *O[3] = {o[0], o[1], o[2]};
                ops->ext_mul(O, A, B, n);
                for (size_t i = 0; i < n; i++) {
                    gl3_t r = gl3_mul((gl3_t){{a[0][i], a[1][i], a[2][i]}},
                                      (gl3_t){{b[0][i], b[1][i], b[2][i]}});
                    for (int k = 0; k < 3; k++) assert_int_equal(o[k][i], r.c[k]);
                }
                ops->ext_scale(O, A, s, n);
                for (size_t i = 0; i < n; i++) {
                    gl3_t r = gl3_mul((gl3_t){{a[0][i], a[1][i], a[2][i]}}, s);
                    for (int k = 0; k < 3; k++) assert_int_equal(o[k][i], r.c[k]);
                }
                /* In place, with the planes rotated: out[k] = a[(k + 1) % 3]. */
                memcpy(w, a, sizeof a);
                gl_t *W[3] = {w[1], w[2], w[0]};
                const gl_t *WA[3] = {w[0], w[1], w[2]};
                ops->ext_mul(W, WA, B, n);
                for (size_t i = 0; i < n; i++) {
                    gl3_t r = gl3_mul((gl3_t){{a[0][i], a[1][i], a[2][i]}},
                                      (gl3_t){{b[0][i], b[1][i], b[2][i]}});
                    for (int k = 0; k < 3; k++) assert_int_equal(w[(k + 1) % 3][i], r.c[k]);
                }
                /* acc += x * s on planes. */
                memcpy(w, a, sizeof a);
                ops->ext_axpy(X3(w), b[0], s, n);
                for (size_t i = 0; i < n; i++) {
                    gl3_t r = gl3_add((gl3_t){{a[0][i], a[1][i], a[2][i]}},
                                      gl3_mul_base(s, b[0][i]));
                    for (int k = 0; k < 3; k++) assert_int_equal(w[k][i], r.c[k]);
                }
                gl3_t dot = ops->ext_dot(b[1], (const gl_t *const[3]){a[0], a[1], a[2]}, n), ref = gl3_zero();
                for (size_t i = 0; i < n; i++)
                    ref = gl3_add(ref, gl3_mul_base((gl3_t){{a[0][i], a[1][i], a[2][i]}}, b[1][i]));
                assert_true(gl3_eq(dot, ref));
                /* Batch inversion: every element, and a zero anywhere leaves x as it was. */
                gl_t *X[3] = {w[0], w[1], w[2]}, *S[3] = {o[0], o[1], o[2]};
                memcpy(w, a, sizeof a);
                for (size_t i = 0; i < n; i++)
                    if (a[0][i] == 0 && a[1][i] == 0 && a[2][i] == 0) w[0][i] = a[0][i] = 1;
                assert_int_equal(ops->ext_batch_inv(X, n, S), 0);
                for (size_t i = 0; i < n; i++) {
                    gl3_t r = gl3_inv((gl3_t){{a[0][i], a[1][i], a[2][i]}});
                    for (int k = 0; k < 3; k++) assert_int_equal(w[k][i], r.c[k]);
                }
                if (n) {
                    memcpy(w, a, sizeof a);
                    size_t z = (size_t)rep * 13 % n;
                    w[0][z] = w[1][z] = w[2][z] = 0;
                    memcpy(b, w, sizeof w);
                    assert_int_equal(ops->ext_batch_inv(X, n, S), 1);
                    assert_memory_equal(w, b, sizeof w);
                }
                memcpy(w, a, sizeof a);
                ops->ext_scale(W, WA, s, n);
                for (size_t i = 0; i < n; i++) {
                    gl3_t r = gl3_mul((gl3_t){{a[0][i], a[1][i], a[2][i]}}, s);
                    for (int k = 0; k < 3; k++) assert_int_equal(w[(k + 1) % 3][i], r.c[k]);
                }
            }
    }
}

/* Every canonical edge value against every other through the vector add, sub and mul (the
 * random pairs above reach only a few of these combinations). */
static void check_edge_pairs(const gl_vec_ops *ops) {
    gl_t e[N_EDGE];
    size_t ne = edge_canonical(e);
    gl_t a[N_EDGE * N_EDGE], b[N_EDGE * N_EDGE], o[N_EDGE * N_EDGE];
    size_t n = 0;
    for (size_t i = 0; i < ne; i++)
        for (size_t j = 0; j < ne; j++) a[n] = e[i], b[n] = e[j], n++;
    ops->add(o, a, b, n);
    for (size_t i = 0; i < n; i++) assert_int_equal(o[i], ref_add(a[i], b[i]));
    ops->sub(o, a, b, n);
    for (size_t i = 0; i < n; i++) assert_int_equal(o[i], ref_sub(a[i], b[i]));
    ops->mul(o, a, b, n);
    for (size_t i = 0; i < n; i++) assert_int_equal(o[i], ref_mul(a[i], b[i]));
}

/* Twiddle tables for the NTT stage kernels: random and edge values, with 1 (the first block's
 * twiddle in every stage, which the kernels special-case) where ones != 0. */
static void fill_tw(gl_t *t, size_t n, int ones) {
    fill_vec(t, n);
    if (ones)
        for (size_t i = 0; i < n; i += 2) t[i] = 1;
}

/* Twiddles for the radix-4 kernels, related as their contract requires: tw_a[b] = r^2,
 * tw_b[2b] = r, tw_b[2b + 1] = r w4 with w4 = 2^48 or p - 2^48 (as in the forward and inverse
 * tables), r random or an edge value, and r = 1 for every other block where ones != 0. */
static void fill_tw4(gl_t *tw_a, gl_t *tw_b, size_t blocks, int ones, int neg) {
    gl_t w4 = neg ? GL_P - ((gl_t)1 << 48) : (gl_t)1 << 48;
    fill_vec(tw_b, 2 * blocks);
    for (size_t b = 0; b < blocks; b++) {
        gl_t r = ones && b % 2 == 0 ? 1 : tw_b[2 * b];
        tw_b[2 * b] = r;
        tw_b[2 * b + 1] = ref_mul(r, w4);
        tw_a[b] = ref_mul(r, r);
    }
}

/* The NTT stage kernels against the scalar ones: every m, len and block count the NTT uses
 * (m from 1 to past a vector, len short of m for the split tasks), in-place heads included. */
static void check_ntt_kernels(const gl_vec_ops *ops) {
    const gl_vec_ops *ref = gl_vec_ops_get(GL_SIMD_SCALAR);
    enum { N = 1024 };
    static gl_t x1[2 * N], x2[2 * N], ta[N], tb[N], tc[N];
    static const size_t ms[] = {1, 2, 3, 4, 8, 9, 16, 24, 32};
    for (int rep = 0; rep < 6; rep++) {
        for (size_t mi = 0; mi < sizeof ms / sizeof ms[0]; mi++) {
            size_t m = ms[mi];
            size_t lens[] = {m, m > 8 ? m - 8 : m, m > 3 ? m - 3 : m};
            for (size_t li = 0; li < 3; li++) {
                size_t len = lens[li], blocks = 1 + (size_t)(rnd() % (N / (4 * m)));
                fill_vec(x1, 4 * m * blocks);
                memcpy(x2, x1, 4 * m * blocks * sizeof(gl_t));
                fill_tw(tb, 2 * blocks, rep & 1);
                ref->ntt_ct2(x1, m, len, 2 * blocks, tb), ops->ntt_ct2(x2, m, len, 2 * blocks, tb);
                assert_memory_equal(x1, x2, 4 * m * blocks * sizeof(gl_t));
                ref->ntt_gs2(x1, m, len, 2 * blocks, tb), ops->ntt_gs2(x2, m, len, 2 * blocks, tb);
                assert_memory_equal(x1, x2, 4 * m * blocks * sizeof(gl_t));
                fill_tw4(ta, tb, blocks, rep & 1, (rep >> 1) & 1);
                ref->ntt_ct4(x1, m, len, blocks, ta, tb), ops->ntt_ct4(x2, m, len, blocks, ta, tb);
                assert_memory_equal(x1, x2, 4 * m * blocks * sizeof(gl_t));
                ref->ntt_gs4(x1, m, len, blocks, ta, tb), ops->ntt_gs4(x2, m, len, blocks, ta, tb);
                assert_memory_equal(x1, x2, 4 * m * blocks * sizeof(gl_t));
            }
        }
        for (size_t n = 8; n <= N; n += n < 64 ? 8 : 8 * (rnd() % 32 + 1)) {
            fill_vec(x1, 2 * n);
            memcpy(x2, x1, 2 * n * sizeof(gl_t));
            fill_tw(ta, n, rep & 1), fill_tw(tb, n / 2, rep & 1), fill_tw(tc, n / 4, rep & 1);
            ref->ntt_ct_tail(x1, n, tc, tb, ta), ops->ntt_ct_tail(x2, n, tc, tb, ta);
            assert_memory_equal(x1, x2, n * sizeof(gl_t));
            ref->ntt_gs_head(x1, n, ta, tb, tc), ops->ntt_gs_head(x2, n, ta, tb, tc);
            assert_memory_equal(x1, x2, n * sizeof(gl_t));
            /* Blowup-2 head, in place (with and without t) and out of place. */
            const gl_t *t = rep % 3 == 2 ? NULL : tc;
            fill_tw(tc, n, 0);
            ref->ntt_lde2_head(x1, x1, n, t, ta, tb, tc + n / 2);
            ops->ntt_lde2_head(x2, x2, n, t, ta, tb, tc + n / 2);
            assert_memory_equal(x1, x2, 2 * n * sizeof(gl_t));
            static gl_t y1[2 * N], y2[2 * N];
            ref->ntt_lde2_head(y1, x1, n, t, ta, tb, tc + n / 2);
            ops->ntt_lde2_head(y2, x1, n, t, ta, tb, tc + n / 2);
            assert_memory_equal(y1, y2, 2 * n * sizeof(gl_t));
        }
        for (size_t n = 0; n <= 200; n += 1 + rnd() % 13) {
            fill_vec(x1, n);
            memcpy(x2, x1, n * sizeof(gl_t));
            gl_t c = rnd_gl(), sh = rep == 0 ? 1 : rnd_gl();
            ref->scale_powers(x1, n, c, sh), ops->scale_powers(x2, n, c, sh);
            assert_memory_equal(x1, x2, n * sizeof(gl_t));
            for (size_t i = 0; i < n; i++) assert_true(x2[i] < GL_P);
        }
    }
    /* The scalar heads against their definition: the blowup-2 head is ntt_gs_head of the
     * zero-padded scaled input. */
    size_t n = 64;
    fill_vec(x1, n), fill_tw(ta, n, 0), fill_tw(tb, n / 2, 0), fill_tw(tc, n, 0);
    for (size_t j = 0; j < n; j++) x2[2 * j] = ref_mul(x1[j], tc[j]), x2[2 * j + 1] = 0;
    ref->ntt_gs_head(x2, 2 * n, ta, tb, tc + n / 2);
    ref->ntt_lde2_head(x1, x1, n, tc, ta, tb, tc + n / 2);
    assert_memory_equal(x1, x2, 2 * n * sizeof(gl_t));
    /* scale_powers against its definition. */
    fill_vec(x1, n);
    memcpy(x2, x1, n * sizeof(gl_t));
    gl_t c = rnd_gl(), sh = rnd_gl();
    ref->scale_powers(x2, n, c, sh);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(x2[i], ref_mul(x1[i], ref_mul(c, ref_pow(sh, i))));
}

static void test_simd_backends(void **state) {
    (void)state;
    assert_non_null(gl_vec_ops_get(GL_SIMD_SCALAR));
    assert_non_null(gl_vec());
    int tested = 0;
    for (int l = 0; l < GL_SIMD_LEVELS; l++) {
        const gl_vec_ops *ops = gl_vec_ops_get((gl_simd_level)l);
        if (!ops) {
            print_message("  (backend level %d not available on this CPU/build)\n", l);
            continue;
        }
        assert_int_equal(ops->level, l);
        check_backend(ops);
        check_edge_pairs(ops);
        check_ntt_kernels(ops);
        tested++;
    }
    assert_true(tested >= 1);
    assert_true(gl_vec()->level == gl_simd_best());
    /* The wrappers use the best backend. */
    gl_t a[9], b[9], o[9];
    fill_vec(a, 9), fill_vec(b, 9);
    gl_vec_mul(o, a, b, 9);
    for (int i = 0; i < 9; i++) assert_int_equal(o[i], ref_mul(a[i], b[i]));
    gl_vec_add(o, a, b, 9);
    for (int i = 0; i < 9; i++) assert_int_equal(o[i], ref_add(a[i], b[i]));
    gl_vec_sub(o, a, b, 9);
    for (int i = 0; i < 9; i++) assert_int_equal(o[i], ref_sub(a[i], b[i]));
    gl_vec_scale(o, a, b[3], 9);
    for (int i = 0; i < 9; i++) assert_int_equal(o[i], ref_mul(a[i], b[3]));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scalar_ops_vs_reference),
        cmocka_unit_test(test_reduction),
        cmocka_unit_test(test_axioms),
        cmocka_unit_test(test_inverse_and_pow),
        cmocka_unit_test(test_batch_inv),
        cmocka_unit_test(test_powers),
        cmocka_unit_test(test_group_constants),
        cmocka_unit_test(test_ext_axioms),
        cmocka_unit_test(test_ext_is_field),
        cmocka_unit_test(test_simd_backends),
        cmocka_unit_test(test_simd_ext),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
