/*
 * test_eq.c: the eq provider AIR (src/zkvm/eq, docs/zkvm/eq.md). (1) zkvm_op_eval on EQ/NE
 * worked out by hand (words equal in one limb only included), which ops the AIR takes, and its
 * shape (the cost the doc states); (2) honest traces (every pair of corner operands for both
 * ops, random and equal random records, padding) pass the checker and balance the job's buses
 * with a sender AIR (the main AIR's stand-in) and the (empty) range AIR; (3) single
 * corruptions by a malicious prover, each caught by the named constraint or by a bus that stops
 * balancing; (4) one real STARK job accepted, and one where only the provider's trace was
 * edited rejected.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "eq.h"
#include "provider_harness.h"

#define M32 0xffffffffull
#define MIN64 0x8000000000000000ull
#define TWO32 0x100000000ull

static air *g_eq;
static ph_provider g_prov;

static const zkvm_op OPS[] = {ZKVM_OP_EQ, ZKVM_OP_NE};
#define N_OPS (sizeof OPS / sizeof OPS[0])

/* The harness's helpers, bound to this provider. */
typedef ph_job job;
static zkvm_op_record rec(zkvm_op op, uint64_t x, uint64_t y) { return ph_rec(op, x, y); }
static uint64_t rnd(uint64_t *s) { return ph_rnd(s); }
static job job_new(const zkvm_op_record *r, size_t n) { return ph_job_new(&g_prov, zkvm_eq_trace, r, n); }
static void job_free(job *j) { ph_job_free(j); }
static gl_t *cell(job *j, const char *col, size_t row) { return ph_cell(j, col, row); }
static ph_outcome check(job *j) { return ph_check(j); }
static void expect_ok(const char *what, ph_outcome o) { ph_expect_ok(what, o); }
static void expect_caught(const char *what, ph_outcome o, const char *want) { ph_expect_caught(what, o, want); }

/* ------------------------------------------------------------------------------------------ */
/* 1. Reference semantics and shape                                                             */
/* ------------------------------------------------------------------------------------------ */

static void test_eval_known(void **state) {
    (void)state;
    static const struct {
        uint64_t x, y, eq;
    } K[] = {
        {0, 0, 1},
        {5, 5, 1},
        {5, 6, 0},
        {(uint64_t)-1, (uint64_t)-1, 1},
        {(uint64_t)-1, M32, 0},
        {5, 5 + TWO32, 0},                                 /* low words equal, high words differ */
        {0xdeadbeef00000005ull, 0x1234567800000005ull, 0}, /* the same */
        {0xdeadbeef00000005ull, 0xdeadbeef00000006ull, 0}, /* high words equal, low words differ */
        {TWO32, 0, 0},
        {MIN64, MIN64, 1},
        {MIN64, 0, 0},
    };
    for (size_t i = 0; i < sizeof K / sizeof K[0]; i++)
        for (size_t o = 0; o < N_OPS; o++) {
            uint64_t c = 7, want = OPS[o] == ZKVM_OP_EQ ? K[i].eq : 1 - K[i].eq;
            assert_true(zkvm_op_eval(zkvm_opc(OPS[o], 0), K[i].x, K[i].y, &c));
            if (c != want)
                fail_msg("%s(%#llx, %#llx) = %#llx, expected %#llx", zkvm_op_name(OPS[o]),
                         (unsigned long long)K[i].x, (unsigned long long)K[i].y, (unsigned long long)c,
                         (unsigned long long)want);
        }
    uint64_t c;
    assert_false(zkvm_op_eval(zkvm_opc(ZKVM_OP_EQ, 1), 2, 2, &c)); /* no offsets */
    for (unsigned op = 0; op < ZKVM_OP_COUNT + 2; op++) {
        int ours = op == ZKVM_OP_EQ || op == ZKVM_OP_NE;
        assert_int_equal(zkvm_eq_handles((zkvm_op)op), ours);
    }
    assert_null(zkvm_eq_fixed(4));
}

/* The cost docs/zkvm/eq.md states: 10 stage-1 columns, one interaction, hence the accumulator
 * alone in stage 2 (one extension column, 3 base columns), and 2 quotient chunks (degree 3):
 * 10 + 3 + 2 * 3 = 19 committed cells per row. */
static void test_shape(void **state) {
    (void)state;
    assert_int_equal(air_n_cols(g_eq, AIR_STAGE1), 10);
    assert_int_equal(air_n_cols(g_eq, AIR_FIXED), 0);
    assert_int_equal(air_n_interactions(g_eq), 1);
    assert_int_equal(air_n_cols(g_eq, AIR_STAGE2), 3);
    assert_int_equal(air_quotient_chunks(g_eq), 2);
    /* no lookups: the trace builder and the counter leave the range counts alone */
    zkvm_range_counts *rc = calloc(1, sizeof *rc);
    zkvm_op_record r[2] = {rec(ZKVM_OP_EQ, 1, 1), rec(ZKVM_OP_NE, 1, 2)};
    gl_t *t = zkvm_eq_trace(r, 2, 2, rc);
    assert_int_equal(zkvm_eq_count_lookups(t, 2, rc), 0);
    for (size_t v = 0; v < (1u << ZKVM_RANGE_LOG_N); v++) assert_int_equal(rc->counts[v], 0);
    free(t);
    free(rc);
}

/* ------------------------------------------------------------------------------------------ */
/* 2. Honest traces                                                                             */
/* ------------------------------------------------------------------------------------------ */

/* Pairs that agree in exactly one limb (5 / 5 + 2^32 / 0xdeadbeef00000005 and the high words of
 * the last two) and the word-boundary values. */
static const uint64_t CORNERS[] = {
    0, 1, 2, 5, (uint64_t)-1, (uint64_t)-2, MIN64, MIN64 - 1, 0x7fffffff, 0x80000000ull, M32, TWO32,
    5 + TWO32, 0xdeadbeef00000005ull, 0xdeadbeef00000006ull, 0xffffffff00000000ull,
};
#define N_CORNERS (sizeof CORNERS / sizeof CORNERS[0])

static void test_honest(void **state) {
    (void)state;
    size_t n_rand = 600;
    size_t n = N_OPS * N_CORNERS * N_CORNERS + n_rand;
    zkvm_op_record *r = calloc(n, sizeof *r);
    size_t k = ph_corner_records(r, OPS, N_OPS, CORNERS, N_CORNERS, rec);
    /* random pairs are almost never equal: a third each of unrelated pairs, equal pairs, and
     * pairs one bit apart (in either limb) */
    uint64_t s = 5;
    for (size_t i = 0; k < n; i++, k++) {
        uint64_t x = rnd(&s), y = rnd(&s);
        if (i % 3 == 1) y = x;
        if (i % 3 == 2) y = x ^ (1ull << (y & 63));
        r[k] = rec(OPS[k % N_OPS], x, y);
    }
    job j = job_new(r, n);
    expect_ok("corners and random records", check(&j));
    job_free(&j);
    /* a single record, and a trace that is all padding */
    zkvm_op_record one = rec(ZKVM_OP_NE, 3, 3);
    j = job_new(&one, 1);
    expect_ok("one record", check(&j));
    job_free(&j);
    j = job_new(NULL, 0);
    expect_ok("padding only", check(&j));
    job_free(&j);
    free(r);
}

/* ------------------------------------------------------------------------------------------ */
/* 3. A malicious prover                                                                        */
/* ------------------------------------------------------------------------------------------ */

/* A job of one record whose tuple claims c = bad_c (the trace still proves the honest one until
 * the test edits it). */
static job job_claiming(zkvm_op op, uint64_t x, uint64_t y, uint64_t bad_c) {
    return ph_job_claiming(&g_prov, zkvm_eq_trace, op, x, y, bad_c);
}

static void test_wrong_results(void **state) {
    (void)state;
    /* the tuple alone wrong (NE of different words claimed 0; an EQ claiming c_hi != 0) */
    job j = job_claiming(ZKVM_OP_NE, 3, 4, 0);
    expect_caught("ne claimed 0, trace honest", check(&j), NULL);
    job_free(&j);
    j = job_claiming(ZKVM_OP_EQ, 3, 3, 1 + TWO32);
    expect_caught("eq with a high result word", check(&j), NULL);
    job_free(&j);
    /* NE claimed 0 for x != y, z forced to 1 so that c_lo = 1 - z = 0 matches the tuple */
    j = job_claiming(ZKVM_OP_NE, 3, 4, 0);
    *cell(&j, "z", 0) = 1;
    expect_caught("ne claimed 0, z forced", check(&j), "z_def");
    job_free(&j);
    /* the same for x == y: EQ claimed 0 with z = 0 */
    j = job_claiming(ZKVM_OP_EQ, 9, 9, 0);
    *cell(&j, "z", 0) = 0;
    expect_caught("eq claimed 0, z forced", check(&j), "z_def");
    job_free(&j);
}

static void test_indicators(void **state) {
    (void)state;
    /* low words differ, claimed equal: z_lo = 1 with i_lo = 0 satisfies lo_inv and z_def (the
     * high words agree); only lo_zero sees e z_lo = e != 0 */
    job j = job_claiming(ZKVM_OP_EQ, 0xdeadbeef00000005ull, 0xdeadbeef00000006ull, 1);
    *cell(&j, "z_lo", 0) = 1;
    *cell(&j, "i_lo", 0) = 0;
    *cell(&j, "z", 0) = 1;
    expect_caught("low words differ, z_lo = 1", check(&j), "lo_zero");
    job_free(&j);
    /* low words equal, z_lo = 0: no inverse of e = 0 can make lo_inv hold */
    j = job_claiming(ZKVM_OP_EQ, 7, 7, 0);
    *cell(&j, "z_lo", 0) = 0;
    *cell(&j, "i_lo", 0) = 12345;
    *cell(&j, "z", 0) = 0;
    expect_caught("low words equal, z_lo = 0", check(&j), "lo_inv");
    job_free(&j);
    /* high words differ, claimed equal: i_hi = 0 makes 1 - f i_hi = 1, so z_def holds with
     * z = 1; hi_zero sees f (1 - f i_hi) = f != 0 */
    j = job_claiming(ZKVM_OP_EQ, 5, 5 + TWO32, 1);
    *cell(&j, "i_hi", 0) = 0;
    *cell(&j, "z", 0) = 1;
    expect_caught("high words differ, i_hi = 0", check(&j), "hi_zero");
    job_free(&j);
    /* the same claim through a wrong, nonzero i_hi: f i_hi != 1 */
    j = job_claiming(ZKVM_OP_NE, 5, 5 + TWO32, 0);
    *cell(&j, "i_hi", 0) = 2;
    *cell(&j, "z", 0) = 1;
    expect_caught("high words differ, i_hi = 2", check(&j), "hi_zero");
    job_free(&j);
}

static void test_flags(void **state) {
    (void)state;
    /* a flag that is not boolean */
    job j = job_claiming(ZKVM_OP_EQ, 1, 1, 1);
    *cell(&j, "f_eq", 0) = 2;
    expect_caught("flag 2", check(&j), "f_eq");
    job_free(&j);
    /* two flags on one row */
    j = job_claiming(ZKVM_OP_EQ, 1, 1, 1);
    *cell(&j, "f_ne", 0) = 1;
    expect_caught("two ops", check(&j), "one_op");
    job_free(&j);
    /* an EQ proven as NE (flag swapped, tuple honest): the opc differs */
    j = job_claiming(ZKVM_OP_EQ, 1, 2, 0);
    *cell(&j, "f_eq", 0) = 0;
    *cell(&j, "f_ne", 0) = 1;
    expect_caught("eq as ne", check(&j), NULL);
    job_free(&j);
    /* a padding row that receives a tuple nobody sent */
    zkvm_op_record r = rec(ZKVM_OP_EQ, 1, 1);
    j = job_new(&r, 1);
    size_t last = ((size_t)1 << j.log_n) - 1;
    *cell(&j, "f_eq", last) = 1;
    expect_caught("phantom row", check(&j), NULL);
    job_free(&j);
}

/* ------------------------------------------------------------------------------------------ */
/* 4. A real STARK job                                                                          */
/* ------------------------------------------------------------------------------------------ */

static void test_stark_job(void **state) {
    (void)state;
    ph_test_stark_job(&g_prov, zkvm_eq_trace, OPS, N_OPS, 12, 17, "z", 0); /* random x != y: z 0 -> 1 */
}

static int setup(void **state) {
    (void)state;
    g_eq = zkvm_eq_air();
    g_prov = (ph_provider){"eq", g_eq, zkvm_eq_count_lookups, NULL, NULL, 0, NULL};
    return 0;
}

static int teardown(void **state) {
    (void)state;
    air_free(g_eq);
    ph_teardown();
    return 0;
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_eval_known), cmocka_unit_test(test_shape),      cmocka_unit_test(test_honest),
        cmocka_unit_test(test_wrong_results), cmocka_unit_test(test_indicators), cmocka_unit_test(test_flags),
        cmocka_unit_test(test_stark_job),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
