/*
 * test_ntt.c: every NTT against a naive O(n^2) DFT for each size 2^0..2^12; round trips; the raw
 * DIF/DIT kernels; batches with strides; coset transforms; the LDE against direct polynomial
 * evaluation (small sizes), a degree check and the fused blowup-2 path against the plain
 * transforms (large sizes); half-zero coset transforms; transposes. Runs with one thread and
 * with the default thread count, so the OpenMP paths are checked against the serial ones.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "gl.h"
#include "ntt.h"

static uint64_t rng_state = 0x0123456789ABCDEFull;
static uint64_t rnd(void) {
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}
static gl_t rnd_gl(void) {
    uint64_t r = rnd();
    if ((r & 15) == 0) return GL_P - 1 - (r >> 60); /* values near p - 1 */
    return gl_from_u64(rnd());
}
static void fill(gl_t *x, size_t n) {
    for (size_t i = 0; i < n; i++) x[i] = rnd_gl();
}

static ntt_plan *plan;
#define PLAN_LOG 18

static int setup(void **state) {
    (void)state;
    plan = ntt_plan_create(PLAN_LOG);
    return 0;
}
static int teardown(void **state) {
    (void)state;
    ntt_plan_free(plan);
    return 0;
}

/* out[i] = sum_k x[k] * (shift * w^i)^k: Horner at every point of shift*H_n. */
static void naive_coset_dft(gl_t *out, const gl_t *x, size_t n_coeffs, unsigned log_n, gl_t shift) {
    size_t n = (size_t)1 << log_n;
    gl_t w = gl_root_of_unity(log_n), pt = shift;
    for (size_t i = 0; i < n; i++) {
        gl_t acc = 0;
        for (size_t k = n_coeffs; k-- > 0;) acc = gl_add(gl_mul(acc, pt), x[k]);
        out[i] = acc;
        pt = gl_mul(pt, w);
    }
}

static void run_vs_naive(void) {
    for (unsigned log_n = 0; log_n <= 12; log_n++) {
        size_t n = (size_t)1 << log_n;
        gl_t *x = malloc(n * sizeof *x), *y = malloc(n * sizeof *y), *ref = malloc(n * sizeof *ref);
        fill(x, n);
        naive_coset_dft(ref, x, n, log_n, 1);
        memcpy(y, x, n * sizeof *x);
        ntt_forward(plan, y, log_n);
        assert_memory_equal(y, ref, n * sizeof *y);
        ntt_inverse(plan, y, log_n);
        assert_memory_equal(y, x, n * sizeof *y);

        /* Raw kernels: DIF gives bit-reversed evaluations; DIT takes bit-reversed input. */
        memcpy(y, x, n * sizeof *x);
        ntt_dif(plan, y, log_n, 0);
        ntt_bit_reverse(y, log_n);
        assert_memory_equal(y, ref, n * sizeof *y);
        memcpy(y, x, n * sizeof *x);
        ntt_bit_reverse(y, log_n);
        ntt_dit(plan, y, log_n, 0);
        assert_memory_equal(y, ref, n * sizeof *y);

        /* Coset forward vs naive evaluation at shift * w^i. */
        gl_t shift = GL_GENERATOR;
        naive_coset_dft(ref, x, n, log_n, shift);
        memcpy(y, x, n * sizeof *x);
        ntt_coset_forward_batch(plan, y, log_n, 1, n, shift);
        assert_memory_equal(y, ref, n * sizeof *y);
        ntt_coset_inverse_batch(plan, y, log_n, 1, n, shift);
        assert_memory_equal(y, x, n * sizeof *y);
        free(x), free(y), free(ref);
    }
}

/* (Sizes up to 2^12 stay below the parallel threshold, so one thread count covers them.) */
static void test_vs_naive_dft(void **state) {
    (void)state;
    run_vs_naive();
}

/* Sizes above the cache block and the parallel threshold, one thread and several. */
static void test_round_trip_large(void **state) {
    (void)state;
    for (int threads = 1; threads <= 2; threads++) {
        ntt_set_threads(threads);
        for (unsigned log_n = 13; log_n <= 17; log_n += 2) {
            size_t n = (size_t)1 << log_n;
            gl_t *x = malloc(n * sizeof *x), *y = malloc(n * sizeof *y), *z = malloc(n * sizeof *z);
            fill(x, n);
            memcpy(y, x, n * sizeof *x);
            ntt_forward(plan, y, log_n);
            /* Spot-check a few outputs against direct evaluation. */
            gl_t w = gl_root_of_unity(log_n);
            for (int s = 0; s < 3; s++) {
                size_t i = rnd() % n;
                gl_t pt = gl_pow(w, i), acc = 0;
                for (size_t k = n; k-- > 0;) acc = gl_add(gl_mul(acc, pt), x[k]);
                assert_int_equal(y[i], acc);
            }
            /* DIF + bit reversal agrees with the natural-order forward transform. */
            memcpy(z, x, n * sizeof *x);
            ntt_dif(plan, z, log_n, 0);
            ntt_bit_reverse(z, log_n);
            assert_memory_equal(z, y, n * sizeof *y);
            ntt_inverse(plan, y, log_n);
            assert_memory_equal(y, x, n * sizeof *y);
            free(x), free(y), free(z);
        }
    }
    ntt_set_threads(2);
}

static void test_batches(void **state) {
    (void)state;
    for (int threads = 1; threads <= 2; threads++) {
        ntt_set_threads(threads);
        for (unsigned log_n = 0; log_n <= 14; log_n += 7) {
            size_t n = (size_t)1 << log_n, stride = n + 3;
            for (size_t width = 1; width <= 5; width += 2) {
                gl_t *x = calloc(stride * width, sizeof *x), *y = calloc(stride * width, sizeof *y);
                for (size_t c = 0; c < width; c++) fill(x + c * stride, n);
                /* Padding between columns must stay untouched: mark it. */
                for (size_t c = 0; c < width; c++)
                    for (size_t i = n; i < stride; i++) x[c * stride + i] = 12345;
                memcpy(y, x, stride * width * sizeof *x);
                ntt_forward_batch(plan, y, log_n, width, stride);
                for (size_t c = 0; c < width; c++) {
                    gl_t *col = malloc(n * sizeof *col);
                    memcpy(col, x + c * stride, n * sizeof *col);
                    ntt_forward(plan, col, log_n);
                    assert_memory_equal(col, y + c * stride, n * sizeof *col);
                    for (size_t i = n; i < stride; i++) assert_int_equal(y[c * stride + i], 12345);
                    free(col);
                }
                ntt_inverse_batch(plan, y, log_n, width, stride);
                assert_memory_equal(y, x, stride * width * sizeof *x);
                free(x), free(y);
            }
        }
    }
    ntt_set_threads(2);
}

/* LDE vs interpolation + direct evaluation on the coset, small sizes, all blowups 0..3. */
static void test_lde_small(void **state) {
    (void)state;
    for (unsigned log_n = 0; log_n <= 7; log_n++) {
        for (unsigned lb = 0; lb <= 3; lb++) {
            size_t n = (size_t)1 << log_n, N = n << lb, width = 3;
            gl_t *ev = malloc(n * width * sizeof *ev), *out = malloc(N * width * sizeof *out);
            gl_t *coef = malloc(n * sizeof *coef), *ref = malloc(N * sizeof *ref);
            gl_t *scratch = malloc(n * sizeof *scratch);
            fill(ev, n * width);
            ntt_lde_batch(plan, ev, n, width, log_n, lb, GL_GENERATOR, out, N, scratch);
            for (size_t c = 0; c < width; c++) {
                memcpy(coef, ev + c * n, n * sizeof *coef);
                ntt_inverse(plan, coef, log_n);
                naive_coset_dft(ref, coef, n, log_n + lb, GL_GENERATOR);
                assert_memory_equal(out + c * N, ref, N * sizeof *ref);
            }
            /* In place: columns already spaced N apart. */
            gl_t *inplace = malloc(N * width * sizeof *inplace);
            for (size_t c = 0; c < width; c++) memcpy(inplace + c * N, ev + c * n, n * sizeof *ev);
            ntt_lde_batch(plan, inplace, N, width, log_n, lb, GL_GENERATOR, inplace, N, scratch);
            assert_memory_equal(inplace, out, N * width * sizeof *out);
            /* Row-major output. */
            gl_t *rows = malloc(N * width * sizeof *rows), *cols = malloc(N * width * sizeof *cols);
            ntt_lde_rows(plan, ev, n, width, log_n, lb, GL_GENERATOR, rows, cols, scratch);
            for (size_t i = 0; i < N; i++)
                for (size_t c = 0; c < width; c++)
                    assert_int_equal(rows[i * width + c], out[c * N + i]);
            free(ev), free(out), free(coef), free(ref), free(scratch), free(inplace), free(rows),
                free(cols);
        }
    }
}

/* Degree check on large sizes: extend random evaluations (a random polynomial of degree < n)
 * to the coset, interpolate back from the extension domain: the coefficients of degree >= n are
 * zero and the others equal the inverse NTT of the input. */
static void test_lde_degree_large(void **state) {
    (void)state;
    for (int threads = 1; threads <= 2; threads++) {
        ntt_set_threads(threads);
        unsigned log_n = 15, lb = 2;
        size_t n = (size_t)1 << log_n, N = n << lb, width = threads == 1 ? 1 : 3;
        gl_t *ev = malloc(n * width * sizeof *ev), *out = malloc(N * width * sizeof *out);
        gl_t *scratch = malloc(n * sizeof *scratch);
        fill(ev, n * width);
        ntt_lde_batch(plan, ev, n, width, log_n, lb, GL_GENERATOR, out, N, scratch);
        /* The first point is shift * w^0 = shift: evaluate directly once. */
        gl_t *coef = malloc(n * sizeof *coef);
        memcpy(coef, ev, n * sizeof *coef);
        ntt_inverse(plan, coef, log_n);
        gl_t acc = 0;
        for (size_t k = n; k-- > 0;) acc = gl_add(gl_mul(acc, GL_GENERATOR), coef[k]);
        assert_int_equal(out[0], acc);

        ntt_coset_inverse_batch(plan, out, log_n + lb, width, N, GL_GENERATOR);
        for (size_t c = 0; c < width; c++) {
            memcpy(coef, ev + c * n, n * sizeof *coef);
            ntt_inverse(plan, coef, log_n);
            assert_memory_equal(out + c * N, coef, n * sizeof *coef);
            for (size_t k = n; k < N; k++) assert_int_equal(out[c * N + k], 0);
        }
        free(ev), free(out), free(scratch), free(coef);
    }
    ntt_set_threads(2);
}

/* Reference coset evaluations of polynomials given by coefficients: scale by shift^k, then the
 * plain forward NTT (bit reversal and the gs transform: none of the blowup-2 fusion). */
static void ref_coset_forward(gl_t *y, const gl_t *coef, size_t n_coeffs, unsigned log_N,
                              gl_t shift) {
    size_t N = (size_t)1 << log_N;
    gl_t p = 1;
    for (size_t k = 0; k < N; k++) {
        y[k] = k < n_coeffs ? gl_mul(coef[k], p) : 0;
        p = gl_mul(p, shift);
    }
    ntt_forward(plan, y, log_N);
}

/* The blowup-2 LDE (fused path) at sizes with global stages on both sides (odd and even counts)
 * and above the parallel threshold: against inverse NTT + coset forward NTT, and at a few
 * points against Horner's rule. Three columns on two threads also run one column with the
 * threads inside it. Out of place and in place. */
static void test_lde_blowup2_large(void **state) {
    (void)state;
    for (int threads = 1; threads <= 2; threads++) {
        ntt_set_threads(threads);
        for (unsigned log_n = 13; log_n <= 16; log_n++) {
            if (log_n == 15) continue;
            size_t n = (size_t)1 << log_n, N = 2 * n, width = 3;
            gl_t *ev = malloc(n * width * sizeof *ev), *out = malloc(N * width * sizeof *out);
            gl_t *ref = malloc(N * sizeof *ref), *coef = malloc(n * sizeof *coef);
            gl_t *scratch = malloc(n * sizeof *scratch);
            fill(ev, n * width);
            ntt_lde_batch(plan, ev, n, width, log_n, 1, GL_GENERATOR, out, N, scratch);
            for (size_t c = 0; c < width; c++) {
                memcpy(coef, ev + c * n, n * sizeof *coef);
                ntt_inverse(plan, coef, log_n);
                ref_coset_forward(ref, coef, n, log_n + 1, GL_GENERATOR);
                assert_memory_equal(out + c * N, ref, N * sizeof *ref);
                gl_t w = gl_root_of_unity(log_n + 1);
                for (int k = 0; k < 3; k++) {
                    size_t i = rnd() % N;
                    gl_t pt = gl_mul(GL_GENERATOR, gl_pow(w, i)), acc = 0;
                    for (size_t j = n; j-- > 0;) acc = gl_add(gl_mul(acc, pt), coef[j]);
                    assert_int_equal(out[c * N + i], acc);
                }
            }
            gl_t *inplace = malloc(N * width * sizeof *inplace);
            for (size_t c = 0; c < width; c++) memcpy(inplace + c * N, ev + c * n, n * sizeof *ev);
            ntt_lde_batch(plan, inplace, N, width, log_n, 1, GL_GENERATOR, inplace, N, scratch);
            assert_memory_equal(inplace, out, N * width * sizeof *out);
            free(ev), free(out), free(ref), free(coef), free(scratch), free(inplace);
        }
    }
    ntt_set_threads(2);
}

/* Coset forward transforms of coefficient vectors whose upper half is zero (they take the
 * blowup-2 path) against the naive DFT (small sizes) and against the generic path (large
 * sizes, one and two threads, three columns); a vector with a single non-zero coefficient in
 * the upper half must take the generic path and still be right. */
static void test_coset_forward_half_zero(void **state) {
    (void)state;
    for (unsigned log_n = 1; log_n <= 11; log_n++) {
        size_t n = (size_t)1 << log_n;
        gl_t *x = calloc(n, sizeof *x), *ref = malloc(n * sizeof *ref);
        fill(x, n / 2);
        naive_coset_dft(ref, x, n, log_n, GL_GENERATOR);
        ntt_coset_forward_batch(plan, x, log_n, 1, n, GL_GENERATOR);
        assert_memory_equal(x, ref, n * sizeof *ref);
        free(x), free(ref);
    }
    for (int threads = 1; threads <= 2; threads++) {
        ntt_set_threads(threads);
        for (unsigned log_n = 14; log_n <= 17; log_n += 3) {
            size_t n = (size_t)1 << log_n, width = 3;
            gl_t *x = calloc(n * width, sizeof *x), *ref = malloc(n * sizeof *ref);
            for (size_t c = 0; c < width; c++) fill(x + c * n, n / 2);
            x[2 * n - 1] = 5; /* column 1: not half-zero */
            gl_t *coef = malloc(n * width * sizeof *coef);
            memcpy(coef, x, n * width * sizeof *x);
            ntt_coset_forward_batch(plan, x, log_n, width, n, GL_GENERATOR);
            for (size_t c = 0; c < width; c++) {
                ref_coset_forward(ref, coef + c * n, n, log_n, GL_GENERATOR);
                assert_memory_equal(x + c * n, ref, n * sizeof *ref);
            }
            free(x), free(ref), free(coef);
        }
    }
    ntt_set_threads(2);
}

static void test_transpose(void **state) {
    (void)state;
    static const size_t dims[][2] = {{1, 1}, {1, 7}, {7, 1}, {33, 65}, {64, 64}, {100, 3}, {300, 257}};
    for (size_t d = 0; d < sizeof dims / sizeof dims[0]; d++) {
        size_t rows = dims[d][0], cols = dims[d][1];
        gl_t *a = malloc(rows * cols * sizeof *a), *b = malloc(rows * cols * sizeof *b);
        fill(a, rows * cols);
        ntt_transpose(b, a, rows, cols);
        for (size_t r = 0; r < rows; r++)
            for (size_t c = 0; c < cols; c++) assert_int_equal(b[c * rows + r], a[r * cols + c]);
        free(a), free(b);
    }
}

static void test_plan(void **state) {
    (void)state;
    assert_int_equal(ntt_plan_log_max(plan), PLAN_LOG);
    ntt_plan *p0 = ntt_plan_create(0);
    gl_t x = 42;
    ntt_forward(p0, &x, 0);
    assert_int_equal(x, 42);
    ntt_inverse(p0, &x, 0);
    assert_int_equal(x, 42);
    ntt_plan_free(p0);
    ntt_plan_free(NULL);
    assert_true(ntt_threads() >= 1);
    /* The shared plan of a size is one plan, and it transforms like a private one. */
    const ntt_plan *s = ntt_plan_shared(6);
    assert_ptr_equal(s, ntt_plan_shared(6));
    assert_int_equal(ntt_plan_log_max(s), 6);
    assert_ptr_not_equal(s, ntt_plan_shared(5));
    gl_t a[64], b[64];
    for (int i = 0; i < 64; i++) a[i] = b[i] = gl_from_u64((uint64_t)i * 0x9e3779b97f4a7c15u);
    ntt_forward(s, a, 6), ntt_forward(plan, b, 6);
    assert_memory_equal(a, b, sizeof a);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plan),
        cmocka_unit_test(test_vs_naive_dft),
        cmocka_unit_test(test_round_trip_large),
        cmocka_unit_test(test_batches),
        cmocka_unit_test(test_lde_small),
        cmocka_unit_test(test_lde_degree_large),
        cmocka_unit_test(test_lde_blowup2_large),
        cmocka_unit_test(test_coset_forward_half_zero),
        cmocka_unit_test(test_transpose),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
