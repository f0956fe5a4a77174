/*
 * test_shiftw.c: the shiftw provider AIR (src/zkvm/shift/shiftw.c, docs/zkvm/shiftw.md).
 * (1) zkvm_op_eval on corner cases of SLLW/SRLW worked out by hand; (2) honest traces (every
 * pair of corner operands, both ops, random records, padding) pass the checker and balance the
 * job's buses with a sender AIR (the main AIR's stand-in) and the range AIR; (3) single
 * corruptions by a malicious prover, each caught by the named constraint or by a bus that
 * stops balancing; (4) one real STARK job accepted, and one where only the provider's trace was
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

#include "provider_harness.h"
#include "shiftw.h"

#define M32 0xffffffffull

static air *g_air;
static ph_provider g_prov;

static const zkvm_op OPS[] = {ZKVM_OP_SLLW, ZKVM_OP_SRLW};
#define N_OPS (sizeof OPS / sizeof OPS[0])

/* The harness's helpers, bound to this provider. */
typedef ph_job job;
static zkvm_op_record rec(zkvm_op op, uint64_t x, uint64_t y) { return ph_rec(op, x, y); }
static job job_new(const zkvm_op_record *r, size_t n) { return ph_job_new(&g_prov, zkvm_shiftw_trace, r, n); }
static void job_free(job *j) { ph_job_free(j); }
static gl_t *cell(job *j, const char *col, size_t row) { return ph_cell(j, col, row); }
static ph_outcome check(job *j) { return ph_check(j); }
static void expect_ok(const char *what, ph_outcome o) { ph_expect_ok(what, o); }
static void expect_caught(const char *what, ph_outcome o, const char *want) { ph_expect_caught(what, o, want); }
static job job_claiming(zkvm_op op, uint64_t x, uint64_t y, uint64_t bad_c) {
    return ph_job_claiming(&g_prov, zkvm_shiftw_trace, op, x, y, bad_c);
}

/* ------------------------------------------------------------------------------------------ */
/* 1. Reference semantics                                                                       */
/* ------------------------------------------------------------------------------------------ */

static void test_eval_known(void **state) {
    (void)state;
    static const struct {
        zkvm_op op;
        uint64_t x, y, c;
    } K[] = {
        {ZKVM_OP_SLLW, 1, 0, 1},
        {ZKVM_OP_SLLW, 1, 31, 0xffffffff80000000ull},
        {ZKVM_OP_SLLW, 1, 32, 1}, /* y & 31 */
        {ZKVM_OP_SLLW, M32, 1, 0xfffffffffffffffeull},
        {ZKVM_OP_SLLW, 0xdeadbeef00000003ull, 30, 0xffffffffc0000000ull},
        {ZKVM_OP_SLLW, 0x40000000ull, 1, 0xffffffff80000000ull},
        {ZKVM_OP_SLLW, 0x12345678ull, 0xffffffff00000004ull, 0x23456780ull},
        {ZKVM_OP_SRLW, 0x80000000ull, 0, 0xffffffff80000000ull}, /* s = 0 keeps bit 31 */
        {ZKVM_OP_SRLW, 0x80000000ull, 1, 0x40000000ull},
        {ZKVM_OP_SRLW, 0xffffffff00000010ull, 4, 1},
        {ZKVM_OP_SRLW, M32, 31, 1},
        {ZKVM_OP_SRLW, M32, 63, 1},
        {ZKVM_OP_SRLW, 0, 0, 0},
    };
    for (size_t i = 0; i < sizeof K / sizeof K[0]; i++) {
        uint64_t c = 0;
        assert_true(zkvm_op_eval(zkvm_opc(K[i].op, 0), K[i].x, K[i].y, &c));
        if (c != K[i].c)
            fail_msg("%s(%#llx, %#llx) = %#llx, expected %#llx", zkvm_op_name(K[i].op), (unsigned long long)K[i].x,
                     (unsigned long long)K[i].y, (unsigned long long)c, (unsigned long long)K[i].c);
    }
    for (unsigned op = 0; op < ZKVM_OP_COUNT + 2; op++) {
        int ours = op == ZKVM_OP_SLLW || op == ZKVM_OP_SRLW;
        assert_int_equal(zkvm_shiftw_handles((zkvm_op)op), ours);
    }
    assert_null(zkvm_shiftw_fixed(4));
}

/* ------------------------------------------------------------------------------------------ */
/* 2. Honest traces                                                                             */
/* ------------------------------------------------------------------------------------------ */

static const uint64_t XS[] = {
    0, 1, 2, M32, 0x7fffffff, 0x80000000ull, 0xffffffff80000000ull, 0xdeadbeef7fffffffull,
    0x12345678ffffffffull, 0xffff, 0x10000, 0x55555555aaaaaaaaull, (uint64_t)-1,
};
static const uint64_t YS[] = {
    0, 1, 7, 8, 15, 16, 17, 31, 32, 33, 63, 64, 0xffffffe0ull, M32, 0x12345678ull, 0xffffffff0000001full, (uint64_t)-1,
};
#define N_XS (sizeof XS / sizeof XS[0])
#define N_YS (sizeof YS / sizeof YS[0])

static void test_honest(void **state) {
    (void)state;
    size_t n = N_OPS * N_XS * N_YS + 600;
    zkvm_op_record *r = calloc(n, sizeof *r);
    size_t k = 0;
    for (size_t o = 0; o < N_OPS; o++)
        for (size_t a = 0; a < N_XS; a++)
            for (size_t b = 0; b < N_YS; b++) r[k++] = rec(OPS[o], XS[a], YS[b]);
    uint64_t s = 11;
    while (k < n) {
        uint64_t x = ph_rnd(&s), y = ph_rnd(&s);
        if (k % 3 == 0) y &= 31; /* the immediate forms */
        r[k] = rec(OPS[k % N_OPS], x, y);
        k++;
    }
    job j = job_new(r, n);
    expect_ok("corners and random records", check(&j));
    job_free(&j);
    zkvm_op_record one = rec(ZKVM_OP_SRLW, 0x80000000ull, 0);
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

static void set_r(job *j, uint64_t r) {
    *cell(j, "r0", 0) = r & 0xffff;
    *cell(j, "r1", 0) = (r >> 16) & 0xffff;
    *cell(j, "sg", 0) = (r >> 31) & 1;
}

static void test_wrong_results(void **state) {
    (void)state;
    /* SLLW one off: the product equation breaks */
    job j = job_claiming(ZKVM_OP_SLLW, 5, 3, 41);
    set_r(&j, 41);
    expect_caught("sllw off by one", check(&j), "product");
    job_free(&j);
    /* SRLW one off */
    j = job_claiming(ZKVM_OP_SRLW, 0x1000, 4, 0x101);
    set_r(&j, 0x101);
    expect_caught("srlw off by one", check(&j), "product");
    job_free(&j);
    /* the shifted-out bits moved into the result: x_lo 2^s = r + 2^32 d still holds with r
     * 2^32 too big, so the result limb r1 is out of range (range bus) */
    j = job_claiming(ZKVM_OP_SLLW, 0x80000001ull, 1, 2 + (1ull << 32));
    *cell(&j, "r1", 0) = gl_add(*cell(&j, "r1", 0), 1u << 16);
    *cell(&j, "d0", 0) = 0;
    expect_caught("carry kept in the result", check(&j), NULL);
    job_free(&j);
    /* the field wrap: x_lo 2^s = prod < 2^32 - 1 also equals (prod + 1) + 2^32 (2^32 - 1) mod p;
     * only the d < 2^31 bound (the lookup of 2 d1) refuses it */
    j = job_claiming(ZKVM_OP_SLLW, 3, 2, 13);
    set_r(&j, 13);
    *cell(&j, "d0", 0) = 0xffff;
    *cell(&j, "d1", 0) = 0xffff;
    ph_outcome o = check(&j);
    expect_caught("product wrapped around p", o, NULL);
    job_free(&j);
    /* the same value, result limbs rebalanced out of range (tuple unchanged): range bus */
    j = job_claiming(ZKVM_OP_SLLW, 0x12345, 0, 0x12345);
    *cell(&j, "r0", 0) = gl_add(*cell(&j, "r0", 0), 1u << 16);
    *cell(&j, "r1", 0) = gl_sub(*cell(&j, "r1", 0), 1);
    expect_caught("limbs out of range", check(&j), NULL);
    job_free(&j);
}

static void test_shift_amount(void **state) {
    (void)state;
    /* y = 5 proven as a shift by 4: a consistent row for s = 4 but q0 = 1/32, which keeps
     * y_lo = 4 + 32 q0 = 5 in the field and fails its range lookup */
    job j = job_claiming(ZKVM_OP_SLLW, 1, 5, 16);
    *cell(&j, "s0", 0) = 0;
    *cell(&j, "p1", 0) = 16;
    *cell(&j, "pw", 0) = 16;
    set_r(&j, 16);
    *cell(&j, "q0", 0) = gl_inv(32);
    expect_caught("shift amount not y & 31", check(&j), NULL);
    job_free(&j);
    /* a power that is not 2^s */
    j = job_claiming(ZKVM_OP_SLLW, 1, 3, 16);
    *cell(&j, "pw", 0) = 16;
    set_r(&j, 16);
    expect_caught("pw not 2^s", check(&j), "pw");
    job_free(&j);
    j = job_claiming(ZKVM_OP_SLLW, 1, 3, 8);
    *cell(&j, "p1", 0) = 4;
    expect_caught("p1 not 2^(s & 7)", check(&j), "p1");
    job_free(&j);
    /* a shift bit that is not boolean */
    j = job_claiming(ZKVM_OP_SRLW, 8, 1, 4);
    *cell(&j, "s1", 0) = 2;
    expect_caught("s1 = 2", check(&j), "s1");
    job_free(&j);
}

static void test_sign(void **state) {
    (void)state;
    /* SLLW into bit 31 claimed zero-extended: sg = 0 fails the sign lookup */
    job j = job_claiming(ZKVM_OP_SLLW, 1, 31, 0x80000000ull);
    *cell(&j, "sg", 0) = 0;
    expect_caught("sllw not sign-extended", check(&j), NULL);
    job_free(&j);
    /* SRLW by 1 claimed negative */
    j = job_claiming(ZKVM_OP_SRLW, 0x80000000ull, 1, 0xffffffff40000000ull);
    *cell(&j, "sg", 0) = 1;
    expect_caught("srlw sign-extended wrongly", check(&j), NULL);
    job_free(&j);
    j = job_claiming(ZKVM_OP_SRLW, 4, 1, 2);
    *cell(&j, "sg", 0) = 3;
    expect_caught("sg = 3", check(&j), "sg");
    job_free(&j);
}

static void test_flags(void **state) {
    (void)state;
    job j = job_claiming(ZKVM_OP_SLLW, 1, 1, 2);
    *cell(&j, "f_srlw", 0) = 1;
    expect_caught("two ops", check(&j), "one_op");
    job_free(&j);
    /* an SRLW proven by the SLLW equation (flag changed, tuple honest): the opc differs */
    j = job_claiming(ZKVM_OP_SRLW, 8, 1, 4);
    j.t[0].v[0] = zkvm_opc(ZKVM_OP_SRLW, 0);
    *cell(&j, "f_srlw", 0) = 0;
    *cell(&j, "f_sllw", 0) = 1;
    set_r(&j, 16);
    *cell(&j, "d0", 0) = 0;
    expect_caught("srlw as sllw", check(&j), NULL);
    job_free(&j);
    zkvm_op_record r = rec(ZKVM_OP_SLLW, 1, 1);
    j = job_new(&r, 1);
    size_t last = ((size_t)1 << j.log_n) - 1;
    *cell(&j, "f_sllw", last) = 1;
    expect_caught("phantom row", check(&j), NULL);
    job_free(&j);
    j = job_claiming(ZKVM_OP_SLLW, 1, 1, 2);
    *cell(&j, "f_sllw", 0) = 2;
    expect_caught("flag 2", check(&j), "f_sllw");
    job_free(&j);
}

/* ------------------------------------------------------------------------------------------ */
/* 4. A real STARK job                                                                          */
/* ------------------------------------------------------------------------------------------ */

static void test_stark_job(void **state) {
    (void)state;
    ph_test_stark_job(&g_prov, zkvm_shiftw_trace, OPS, N_OPS, 12, 19, "r0", 0); /* a result limb */
}

static int setup(void **state) {
    (void)state;
    g_air = zkvm_shiftw_air();
    g_prov = (ph_provider){"shiftw", g_air, zkvm_shiftw_count_lookups, NULL, NULL, 0, NULL};
    return 0;
}

static int teardown(void **state) {
    (void)state;
    air_free(g_air);
    ph_teardown();
    return 0;
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_eval_known),   cmocka_unit_test(test_honest), cmocka_unit_test(test_wrong_results),
        cmocka_unit_test(test_shift_amount), cmocka_unit_test(test_sign),   cmocka_unit_test(test_flags),
        cmocka_unit_test(test_stark_job),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
