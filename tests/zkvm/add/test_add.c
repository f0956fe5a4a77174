/*
 * test_add.c: the add provider AIR (src/zkvm/add, docs/zkvm/add.md). (1) zkvm_op_eval on
 * corner cases of ADD/SUB/ADDW/SUBW worked out by hand; (2) honest traces (every pair of corner
 * operands, every op, random records, padding) pass the checker and balance the job's buses
 * with a sender AIR (the main AIR's stand-in) and the range AIR; (3) single corruptions by a
 * malicious prover, each caught by the named constraint or by a bus that stops balancing;
 * (4) one real STARK job accepted, and one where only the provider's trace was edited rejected.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "add.h"
#include "provider_harness.h"

#define M32 0xffffffffull
#define MIN64 0x8000000000000000ull

static air *g_add;
static ph_provider g_prov;

static const zkvm_op OPS[] = {ZKVM_OP_ADD, ZKVM_OP_SUB, ZKVM_OP_ADDW, ZKVM_OP_SUBW, ZKVM_OP_LD};
#define N_OPS (sizeof OPS / sizeof OPS[0])
#define N_BINARY_OPS 4 /* the ones that take any y (LD's y must be 0) */

/* The harness's helpers, bound to this provider. */
typedef ph_job job;
static zkvm_op_record rec(zkvm_op op, uint64_t x, uint64_t y) { return ph_rec(op, x, op == ZKVM_OP_LD ? 0 : y); }
static uint64_t rnd(uint64_t *s) { return ph_rnd(s); }
static job job_new(const zkvm_op_record *r, size_t n) { return ph_job_new(&g_prov, zkvm_add_trace, r, n); }
static void job_free(job *j) { ph_job_free(j); }
static gl_t *cell(job *j, const char *col, size_t row) { return ph_cell(j, col, row); }
static ph_outcome check(job *j) { return ph_check(j); }
static void expect_ok(const char *what, ph_outcome o) { ph_expect_ok(what, o); }
static void expect_caught(const char *what, ph_outcome o, const char *want) { ph_expect_caught(what, o, want); }

/* ------------------------------------------------------------------------------------------ */
/* 1. Reference semantics                                                                       */
/* ------------------------------------------------------------------------------------------ */

static void test_eval_known(void **state) {
    (void)state;
    static const struct {
        zkvm_op op;
        uint64_t x, y, c;
    } K[] = {
        {ZKVM_OP_ADD, 1, 2, 3},
        {ZKVM_OP_ADD, (uint64_t)-1, 1, 0},
        {ZKVM_OP_ADD, M32, 1, 0x100000000ull},
        {ZKVM_OP_ADD, MIN64, MIN64, 0},
        {ZKVM_OP_SUB, 0, 1, (uint64_t)-1},
        {ZKVM_OP_SUB, 0x100000000ull, 1, M32},
        {ZKVM_OP_SUB, MIN64, 1, 0x7fffffffffffffffull},
        {ZKVM_OP_ADDW, 0x7fffffff, 1, 0xffffffff80000000ull},
        {ZKVM_OP_ADDW, 0xdeadbeef00000001ull, 0x1234567800000002ull, 3},
        {ZKVM_OP_ADDW, M32, 1, 0},
        {ZKVM_OP_ADDW, 0x80000000ull, 0x80000000ull, 0},
        {ZKVM_OP_SUBW, 0, 1, (uint64_t)-1},
        {ZKVM_OP_SUBW, 0x80000000ull, 1, 0x7fffffff},
        {ZKVM_OP_SUBW, 0xffffffff00000005ull, 3, 2},
        {ZKVM_OP_SUBW, 0, 0x80000000ull, 0xffffffff80000000ull},
        {ZKVM_OP_LD, 0xdeadbeef12345678ull, 0, 0xdeadbeef12345678ull},
    };
    for (size_t i = 0; i < sizeof K / sizeof K[0]; i++) {
        uint64_t c = 0;
        assert_true(zkvm_op_eval(zkvm_opc(K[i].op, 0), K[i].x, K[i].y, &c));
        if (c != K[i].c)
            fail_msg("%s(%#llx, %#llx) = %#llx, expected %#llx", zkvm_op_name(K[i].op), (unsigned long long)K[i].x,
                     (unsigned long long)K[i].y, (unsigned long long)c, (unsigned long long)K[i].c);
    }
    uint64_t c;
    assert_false(zkvm_op_eval(zkvm_opc(ZKVM_OP_ADD, 1), 2, 3, &c)); /* no offsets */
    assert_false(zkvm_op_eval(zkvm_opc(ZKVM_OP_LD, 0), 2, 3, &c));  /* a load's y is 0 */
    for (unsigned op = 0; op < ZKVM_OP_COUNT + 2; op++) {
        int ours = 0;
        for (size_t i = 0; i < N_OPS; i++) ours |= OPS[i] == (zkvm_op)op;
        assert_int_equal(zkvm_add_handles((zkvm_op)op), ours);
    }
    assert_null(zkvm_add_fixed(4));
}

/* ------------------------------------------------------------------------------------------ */
/* 2. Honest traces                                                                             */
/* ------------------------------------------------------------------------------------------ */

static const uint64_t CORNERS[] = {
    0, 1, 2, (uint64_t)-1, (uint64_t)-2, MIN64, MIN64 - 1, 0x7fffffff, 0x80000000ull, M32,
    0x100000000ull, 0xffffffff80000000ull, 0xdeadbeef7fffffffull, 0x12345678ffffffffull, 0xffff, 0x10000,
};
#define N_CORNERS (sizeof CORNERS / sizeof CORNERS[0])

static void test_honest(void **state) {
    (void)state;
    size_t n = N_OPS * N_CORNERS * N_CORNERS + 500;
    zkvm_op_record *r = calloc(n, sizeof *r);
    size_t k = ph_corner_records(r, OPS, N_OPS, CORNERS, N_CORNERS, rec);
    uint64_t s = 5;
    while (k < n) {
        uint64_t x = rnd(&s), y = rnd(&s);
        r[k] = rec(OPS[k % N_OPS], x, y);
        k++;
    }
    job j = job_new(r, n);
    expect_ok("corners and random records", check(&j));
    job_free(&j);
    /* a single record, and a trace that is all padding */
    zkvm_op_record one = rec(ZKVM_OP_SUBW, 3, 5);
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
    return ph_job_claiming(&g_prov, zkvm_add_trace, op, x, y, bad_c);
}
static void set_c(job *j, uint64_t c) {
    static const char *const names[4] = {"c0", "c1", "c2", "c3"};
    for (int i = 0; i < 4; i++) *cell(j, names[i], 0) = (c >> (16 * i)) & 0xffff;
}

static void test_wrong_results(void **state) {
    (void)state;
    /* c one more than x + y: the low carry equation breaks */
    job j = job_claiming(ZKVM_OP_ADD, 5, 7, 13);
    set_c(&j, 13);
    expect_caught("add off by one", check(&j), "carry_lo");
    job_free(&j);
    /* the high word wrong */
    j = job_claiming(ZKVM_OP_ADD, 5, 7, 12 + (1ull << 32));
    set_c(&j, 12 + (1ull << 32));
    expect_caught("add high word", check(&j), "carry_hi");
    job_free(&j);
    /* a sub proven as an add (flag changed, tuple honest): the opc differs */
    j = job_claiming(ZKVM_OP_SUB, 9, 4, 5);
    j.t[0].v[0] = zkvm_opc(ZKVM_OP_SUB, 0);
    *cell(&j, "f_sub", 0) = 0;
    *cell(&j, "f_add", 0) = 1;
    set_c(&j, 13);
    *cell(&j, "k0", 0) = 0;
    expect_caught("sub as add", check(&j), NULL);
    job_free(&j);
    /* a dropped carry: x_lo + y_lo = 2^33 - 2 written as c_lo with a limb of 2^16 or more */
    j = job_claiming(ZKVM_OP_ADD, M32, M32, 2 * M32);
    *cell(&j, "k0", 0) = 0;
    *cell(&j, "c1", 0) = gl_add(*cell(&j, "c1", 0), 1u << 16);
    *cell(&j, "c2", 0) = 0; /* c_hi 0: no carry into it */
    expect_caught("carry kept in the low limbs", check(&j), NULL);
    job_free(&j);
    /* the same value, limbs rebalanced out of range (the tuple is unchanged): range bus */
    j = job_claiming(ZKVM_OP_ADD, 0x12345, 0x1, 0x12346);
    *cell(&j, "c0", 0) = gl_add(*cell(&j, "c0", 0), 1u << 16);
    *cell(&j, "c1", 0) = gl_sub(*cell(&j, "c1", 0), 1);
    expect_caught("limbs out of range", check(&j), NULL);
    job_free(&j);
    /* a non-boolean carry */
    j = job_claiming(ZKVM_OP_ADD, M32, 2, (1ull << 32) + 1);
    *cell(&j, "k0", 0) = 2;
    *cell(&j, "c2", 0) = 2;
    expect_caught("carry 2", check(&j), "k0");
    job_free(&j);
}

static void test_w_forms(void **state) {
    (void)state;
    /* ADDW with a negative result claimed zero-extended: s = 0 fails the sign lookup */
    job j = job_claiming(ZKVM_OP_ADDW, 0x7fffffff, 1, 0x80000000ull);
    *cell(&j, "s", 0) = 0;
    *cell(&j, "c2", 0) = 0;
    *cell(&j, "c3", 0) = 0;
    expect_caught("addw not sign-extended", check(&j), NULL);
    job_free(&j);
    /* SUBW with a positive result claimed negative: 2 c1 - 2^16 < 0 */
    j = job_claiming(ZKVM_OP_SUBW, 5, 3, 0xffffffff00000002ull);
    *cell(&j, "s", 0) = 1;
    *cell(&j, "c2", 0) = 0xffff;
    *cell(&j, "c3", 0) = 0xffff;
    expect_caught("subw sign-extended wrongly", check(&j), NULL);
    job_free(&j);
    /* the fill not the sign: c2 = 0xffff with s = 0 */
    j = job_claiming(ZKVM_OP_ADDW, 1, 1, 0x0000ffff00000002ull);
    *cell(&j, "c2", 0) = 0xffff;
    expect_caught("addw fill", check(&j), "w_fill2");
    job_free(&j);
    /* a 64-bit add claiming a W result's fill: s on a non-W row */
    j = job_claiming(ZKVM_OP_ADD, 1, 1, 2);
    *cell(&j, "s", 0) = 1;
    expect_caught("s on add", check(&j), "s_only_w");
    job_free(&j);
}

static void test_ld(void **state) {
    (void)state;
    /* an input word whose low limb is not canonical (2^32 + 5): read with a carry as
     * c = 5 + 2^32 (x_hi + 1), which carry_lo/carry_hi allow; ld_copy forbids the carry */
    job j = job_claiming(ZKVM_OP_LD, 7ull << 32, 0, (8ull << 32) + 5);
    j.t[0].v[1] = (1ull << 32) + 5;
    *cell(&j, "x_lo", 0) = (1ull << 32) + 5;
    set_c(&j, (8ull << 32) + 5);
    *cell(&j, "k0", 0) = 1;
    expect_caught("ld of a non-canonical word", check(&j), "ld_copy");
    job_free(&j);
    /* a load with y != 0 claiming x + y (a valid ADD row otherwise) */
    j = job_claiming(ZKVM_OP_LD, 40, 0, 43);
    j.t[0].v[3] = 3;
    *cell(&j, "y_lo", 0) = 3;
    set_c(&j, 43);
    expect_caught("ld with y", check(&j), "ld_copy");
    job_free(&j);
    /* LD at offset 8 bytes in: no receiver (the row's opc is LD at offset 0) */
    j = job_claiming(ZKVM_OP_LD, 40, 0, 40);
    j.t[0].v[0] = zkvm_opc(ZKVM_OP_LD, 1);
    expect_caught("ld at an offset", check(&j), NULL);
    job_free(&j);
}

static void test_flags(void **state) {
    (void)state;
    /* two flags on one row */
    job j = job_claiming(ZKVM_OP_ADD, 1, 1, 2);
    *cell(&j, "f_addw", 0) = 1;
    expect_caught("two ops", check(&j), "one_op");
    job_free(&j);
    /* a padding row that receives a tuple nobody sent */
    zkvm_op_record r = rec(ZKVM_OP_ADD, 1, 1);
    j = job_new(&r, 1);
    size_t last = ((size_t)1 << j.log_n) - 1;
    *cell(&j, "f_add", last) = 1;
    expect_caught("phantom row", check(&j), NULL);
    job_free(&j);
    /* a flag that is not boolean */
    j = job_claiming(ZKVM_OP_ADD, 1, 1, 2);
    *cell(&j, "f_add", 0) = 2;
    expect_caught("flag 2", check(&j), "f_add");
    job_free(&j);
}

/* ------------------------------------------------------------------------------------------ */
/* 4. A real STARK job                                                                          */
/* ------------------------------------------------------------------------------------------ */

static void test_stark_job(void **state) {
    (void)state;
    ph_test_stark_job(&g_prov, zkvm_add_trace, OPS, N_BINARY_OPS, 12, 17, "c0", 0); /* a result limb */
}

static int setup(void **state) {
    (void)state;
    g_add = zkvm_add_air();
    g_prov = (ph_provider){"add", g_add, zkvm_add_count_lookups, NULL, NULL, 0, NULL};
    return 0;
}

static int teardown(void **state) {
    (void)state;
    air_free(g_add);
    ph_teardown();
    return 0;
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_eval_known), cmocka_unit_test(test_honest), cmocka_unit_test(test_wrong_results),
        cmocka_unit_test(test_w_forms),    cmocka_unit_test(test_ld),     cmocka_unit_test(test_flags),
        cmocka_unit_test(test_stark_job),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
