/*
 * test_shift64.c: the shift64 provider AIR (src/zkvm/shift/shift64.c, docs/zkvm/shift64.md).
 * (1) zkvm_op_eval on corner cases of SLL/SRL worked out by hand; (2) honest traces (every pair
 * of corner operands, both ops, random records, padding) pass the checker and balance the job's
 * buses with a sender AIR and the range AIR; (3) single corruptions by a malicious prover, each
 * caught by the named constraint or by a bus that stops balancing; (4) one real STARK job
 * accepted, and one where only the provider's trace was edited rejected.
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
#include "shift64.h"

#define M32 0xffffffffull

static air *g_air;
static ph_provider g_prov;

static const zkvm_op OPS[] = {ZKVM_OP_SLL, ZKVM_OP_SRL};
#define N_OPS (sizeof OPS / sizeof OPS[0])

typedef ph_job job;
static zkvm_op_record rec(zkvm_op op, uint64_t x, uint64_t y) { return ph_rec(op, x, y); }
static job job_new(const zkvm_op_record *r, size_t n) { return ph_job_new(&g_prov, zkvm_shift64_trace, r, n); }
static void job_free(job *j) { ph_job_free(j); }
static gl_t *cell(job *j, const char *col, size_t row) { return ph_cell(j, col, row); }
static ph_outcome check(job *j) { return ph_check(j); }
static void expect_ok(const char *what, ph_outcome o) { ph_expect_ok(what, o); }
static void expect_caught(const char *what, ph_outcome o, const char *want) { ph_expect_caught(what, o, want); }
static job job_claiming(zkvm_op op, uint64_t x, uint64_t y, uint64_t bad_c) {
    return ph_job_claiming(&g_prov, zkvm_shift64_trace, op, x, y, bad_c);
}

static void test_eval_known(void **state) {
    (void)state;
    static const struct {
        zkvm_op op;
        uint64_t x, y, c;
    } K[] = {
        {ZKVM_OP_SLL, 1, 0, 1},
        {ZKVM_OP_SLL, 1, 63, 0x8000000000000000ull},
        {ZKVM_OP_SLL, 1, 64, 1}, /* y & 63 */
        {ZKVM_OP_SLL, 0x80000001ull, 1, 0x100000002ull},
        {ZKVM_OP_SLL, 0x123456789abcdef0ull, 32, 0x9abcdef000000000ull},
        {ZKVM_OP_SLL, 0x123456789abcdef0ull, 36, 0xabcdef0000000000ull},
        {ZKVM_OP_SLL, (uint64_t)-1, 4, 0xfffffffffffffff0ull},
        {ZKVM_OP_SRL, 0x8000000000000000ull, 63, 1},
        {ZKVM_OP_SRL, 0x8000000000000000ull, 0, 0x8000000000000000ull},
        {ZKVM_OP_SRL, 0x100000000ull, 1, 0x80000000ull},
        {ZKVM_OP_SRL, 0x123456789abcdef0ull, 32, 0x12345678ull},
        {ZKVM_OP_SRL, 0x123456789abcdef0ull, 4, 0x0123456789abcdefull},
        {ZKVM_OP_SRL, (uint64_t)-1, 0xffffffff00000021ull, 0x7fffffff},
    };
    for (size_t i = 0; i < sizeof K / sizeof K[0]; i++) {
        uint64_t c = 0;
        assert_true(zkvm_op_eval(zkvm_opc(K[i].op, 0), K[i].x, K[i].y, &c));
        if (c != K[i].c)
            fail_msg("%s(%#llx, %#llx) = %#llx, expected %#llx", zkvm_op_name(K[i].op), (unsigned long long)K[i].x,
                     (unsigned long long)K[i].y, (unsigned long long)c, (unsigned long long)K[i].c);
    }
    for (unsigned op = 0; op < ZKVM_OP_COUNT + 2; op++)
        assert_int_equal(zkvm_shift64_handles((zkvm_op)op), op == ZKVM_OP_SLL || op == ZKVM_OP_SRL);
    assert_null(zkvm_shift64_fixed(4));
}

static const uint64_t XS[] = {
    0, 1, 2, M32, 0x7fffffff, 0x80000000ull, 0x100000000ull, 0xffffffff80000000ull, 0x8000000000000000ull,
    0xdeadbeef7fffffffull, 0x12345678ffffffffull, 0x55555555aaaaaaaaull, (uint64_t)-1,
};
static const uint64_t YS[] = {
    0, 1, 7, 8, 15, 16, 31, 32, 33, 47, 63, 64, 65, 0xffffffc0ull, M32, 0x12345678ull, 0xffffffff0000003full,
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
    uint64_t s = 13;
    while (k < n) {
        uint64_t x = ph_rnd(&s), y = ph_rnd(&s);
        if (k % 3 == 0) y &= 63;
        r[k] = rec(OPS[k % N_OPS], x, y);
        k++;
    }
    job j = job_new(r, n);
    expect_ok("corners and random records", check(&j));
    job_free(&j);
    zkvm_op_record one = rec(ZKVM_OP_SRL, 0x8000000000000000ull, 0);
    j = job_new(&one, 1);
    expect_ok("one record", check(&j));
    job_free(&j);
    j = job_new(NULL, 0);
    expect_ok("padding only", check(&j));
    job_free(&j);
    free(r);
}

static void test_wrong_results(void **state) {
    (void)state;
    /* a result limb one off: the c_lo / c_hi equations break */
    job j = job_claiming(ZKVM_OP_SLL, 5, 3, 41);
    *cell(&j, "c_lo", 0) = 41;
    expect_caught("sll low word off", check(&j), "c_lo");
    job_free(&j);
    j = job_claiming(ZKVM_OP_SRL, 0x1234567800000000ull, 4, 0x0123456780000001ull);
    *cell(&j, "c_hi", 0) = 0x01234567 + 1;
    *cell(&j, "c_lo", 0) = 0x80000001ull;
    expect_caught("srl off", check(&j), NULL);
    job_free(&j);
    /* a part that does not multiply out */
    j = job_claiming(ZKVM_OP_SLL, 0x80000001ull, 1, 0x100000002ull);
    *cell(&j, "u0_lo", 0) = 3;
    *cell(&j, "c_lo", 0) = 3;
    expect_caught("part off", check(&j), "product_lo");
    job_free(&j);
    /* the field wrap: x_lo 2^s = prod < 2^32 - 1 also equals (prod + 1) + 2^32 (2^32 - 1) mod p;
     * only d < 2^31 (the lookup of 2 d1) refuses it */
    j = job_claiming(ZKVM_OP_SLL, 3, 2, 13 | 0xffffffff00000000ull); /* the tuple agrees with the row */
    *cell(&j, "u0_lo", 0) = 13;
    *cell(&j, "c_lo", 0) = 13;
    *cell(&j, "d0_lo", 0) = 0xffff;
    *cell(&j, "d1_lo", 0) = 0xffff;
    *cell(&j, "c_hi", 0) = 0xffffffffull; /* d_lo + u_hi */
    expect_caught("product wrapped around p", check(&j), NULL);
    job_free(&j);
}

static void test_shift_amount(void **state) {
    (void)state;
    /* y = 33 proven as a shift by 1 (s5 = 0): q0 = 1/2 keeps y_lo = 1 + 64 q0 in the field */
    job j = job_claiming(ZKVM_OP_SLL, 1, 33, 2);
    *cell(&j, "s5", 0) = 0;
    *cell(&j, "q0", 0) = gl_inv(2);
    *cell(&j, "c_lo", 0) = 2;
    *cell(&j, "c_hi", 0) = 0;
    expect_caught("shift amount not y & 63", check(&j), NULL);
    job_free(&j);
    j = job_claiming(ZKVM_OP_SLL, 1, 3, 16);
    *cell(&j, "pw", 0) = 16;
    expect_caught("pw not 2^s", check(&j), "pw");
    job_free(&j);
    j = job_claiming(ZKVM_OP_SRL, 8, 1, 4);
    *cell(&j, "s5", 0) = 2;
    expect_caught("s5 = 2", check(&j), "s5");
    job_free(&j);
}

static void test_flags(void **state) {
    (void)state;
    job j = job_claiming(ZKVM_OP_SLL, 1, 1, 2);
    *cell(&j, "f_srl", 0) = 1;
    expect_caught("two ops", check(&j), "one_op");
    job_free(&j);
    zkvm_op_record r = rec(ZKVM_OP_SLL, 1, 1);
    j = job_new(&r, 1);
    size_t last = ((size_t)1 << j.log_n) - 1;
    *cell(&j, "f_sll", last) = 1;
    expect_caught("phantom row", check(&j), NULL);
    job_free(&j);
    j = job_claiming(ZKVM_OP_SLL, 1, 1, 2);
    *cell(&j, "f_sll", 0) = 2;
    expect_caught("flag 2", check(&j), "f_sll");
    job_free(&j);
}

static void test_stark_job(void **state) {
    (void)state;
    ph_test_stark_job(&g_prov, zkvm_shift64_trace, OPS, N_OPS, 12, 23, "c_lo", 0);
}

static int setup(void **state) {
    (void)state;
    g_air = zkvm_shift64_air();
    g_prov = (ph_provider){"shift64", g_air, zkvm_shift64_count_lookups, NULL, NULL, 0, NULL};
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
        cmocka_unit_test(test_shift_amount), cmocka_unit_test(test_flags),  cmocka_unit_test(test_stark_job),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
