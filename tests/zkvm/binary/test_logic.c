/*
 * test_logic.c: the logic provider AIR (src/zkvm/binary/logic.c, docs/zkvm/logic.md) with the
 * binary byte table as its table. (1) zkvm_op_eval on hand-worked XOR/OR/AND cases; (2) honest
 * traces (every pair of corner operands, every op, random records, padding) pass the checker
 * and balance the job's buses {sender, logic, byte table}; (3) single corruptions by a
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

#include "binary.h"
#include "logic.h"
#include "provider_harness.h"

static air *g_logic, *g_table;
static gl_t *g_table_fixed;
static ph_provider g_prov;

static const zkvm_op OPS[] = {ZKVM_OP_XOR, ZKVM_OP_OR, ZKVM_OP_AND};
#define N_OPS (sizeof OPS / sizeof OPS[0])

/* The table's trace for a (possibly tampered) logic trace. */
static gl_t *table_trace(const gl_t *trace, unsigned log_n) {
    zkvm_binary_counts *bc = calloc(1, sizeof *bc);
    zkvm_logic_count_trace(bc, trace, log_n);
    gl_t *t = zkvm_binary_table_trace(bc);
    free(bc);
    return t;
}

/* The harness's helpers, bound to this provider. */
typedef ph_job job;
static zkvm_op_record rec(zkvm_op op, uint64_t x, uint64_t y) { return ph_rec(op, x, y); }
static uint64_t rnd(uint64_t *s) { return ph_rnd(s); }
static job job_new(const zkvm_op_record *r, size_t n) { return ph_job_new(&g_prov, zkvm_logic_trace, r, n); }
static void job_free(job *j) { ph_job_free(j); }
static gl_t *cell(job *j, const char *col, size_t row) { return ph_cell(j, col, row); }
static ph_outcome check(job *j) { return ph_check(j); }
static void expect_ok(const char *what, ph_outcome o) { ph_expect_ok(what, o); }
static void expect_caught(const char *what, ph_outcome o, const char *want) { ph_expect_caught(what, o, want); }
/* A one-record job whose tuple claims c = bad_c. */
static job job_claiming(zkvm_op op, uint64_t x, uint64_t y, uint64_t bad_c) {
    return ph_job_claiming(&g_prov, zkvm_logic_trace, op, x, y, bad_c);
}

static void test_eval_known(void **state) {
    (void)state;
    static const struct {
        zkvm_op op;
        uint64_t x, y, c;
    } K[] = {
        {ZKVM_OP_XOR, 0xff00ff00ff00ff00ull, 0x0ff00ff00ff00ff0ull, 0xf0f0f0f0f0f0f0f0ull},
        {ZKVM_OP_OR, 0xff00ff00ff00ff00ull, 0x0ff00ff00ff00ff0ull, 0xfff0fff0fff0fff0ull},
        {ZKVM_OP_AND, 0xff00ff00ff00ff00ull, 0x0ff00ff00ff00ff0ull, 0x0f000f000f000f00ull},
        {ZKVM_OP_XOR, UINT64_MAX, UINT64_MAX, 0},
        {ZKVM_OP_OR, 0, 0, 0},
        {ZKVM_OP_AND, UINT64_MAX, 0x8000000000000001ull, 0x8000000000000001ull},
    };
    for (size_t i = 0; i < sizeof K / sizeof K[0]; i++) {
        uint64_t c = 0;
        assert_true(zkvm_op_eval(zkvm_opc(K[i].op, 0), K[i].x, K[i].y, &c));
        assert_true(c == K[i].c);
    }
    for (unsigned op = 0; op < ZKVM_OP_COUNT + 2; op++) {
        int ours = 0;
        for (size_t i = 0; i < N_OPS; i++) ours |= OPS[i] == (zkvm_op)op;
        assert_int_equal(zkvm_logic_handles((zkvm_op)op), ours);
    }
    assert_null(zkvm_logic_fixed(3));
}

static const uint64_t CORNERS[] = {
    0, 1, 0x7f, 0x80, 0xff, 0x100, 0x7fffffff, 0x80000000ull, 0xffffffffull, 0x100000000ull,
    0x8000000000000000ull, UINT64_MAX, 0x0123456789abcdefull, 0xfedcba9876543210ull,
};
#define N_CORNERS (sizeof CORNERS / sizeof CORNERS[0])

static void test_honest(void **state) {
    (void)state;
    size_t n = N_OPS * N_CORNERS * N_CORNERS + 300;
    zkvm_op_record *r = calloc(n, sizeof *r);
    size_t k = ph_corner_records(r, OPS, N_OPS, CORNERS, N_CORNERS, rec);
    uint64_t s = 9;
    for (; k < n; k++) {
        uint64_t x = rnd(&s), y = rnd(&s);
        r[k] = rec(OPS[k % N_OPS], x, y);
    }
    job j = job_new(r, n);
    expect_ok("corners and random records", check(&j));
    job_free(&j);
    j = job_new(NULL, 0);
    expect_ok("padding only", check(&j));
    job_free(&j);
    /* the count from records equals the count from the trace */
    zkvm_binary_counts *a = calloc(1, sizeof *a), *b = calloc(1, sizeof *b);
    j = job_new(r, n);
    zkvm_logic_count(a, r, n);
    assert_int_equal(zkvm_logic_count_trace(b, j.trace, j.log_n), 0);
    assert_memory_equal(a, b, sizeof *a);
    job_free(&j);
    free(a);
    free(b);
    free(r);
}

static void test_malicious(void **state) {
    (void)state;
    /* a result bit flipped in each limb (the result is computed from the bytes): the op bus */
    job j = job_claiming(ZKVM_OP_XOR, 0x1234, 0x4321, (0x1234 ^ 0x4321) ^ 1);
    expect_caught("xor low bit", check(&j), NULL);
    job_free(&j);
    j = job_claiming(ZKVM_OP_OR, 0x1234, 0x4321, (0x1234 | 0x4321) ^ (1ull << 40));
    expect_caught("or high limb", check(&j), NULL);
    job_free(&j);
    /* a wrong AND byte, which the result follows (and the tuple claims): no table row */
    j = job_claiming(ZKVM_OP_AND, 0xf0, 0x3c, 0x31);
    *cell(&j, "r[0]", 0) = 0x31;
    expect_caught("and byte not in the table", check(&j), NULL);
    job_free(&j);
    /* x's limb unchanged but split into a "byte" of 256 or more: no table row */
    j = job_claiming(ZKVM_OP_AND, 0x100, 0xff, 0);
    *cell(&j, "x[0]", 0) = 0x100;
    *cell(&j, "x[1]", 0) = 0;
    expect_caught("byte out of range", check(&j), NULL);
    job_free(&j);
    /* an XOR row claimed as OR (the tuple says XOR) */
    j = job_claiming(ZKVM_OP_XOR, 6, 3, 7);
    j.t[0].v[0] = zkvm_opc(ZKVM_OP_XOR, 0);
    *cell(&j, "f_xor", 0) = 0;
    *cell(&j, "f_or", 0) = 1;
    expect_caught("xor proven as or", check(&j), NULL);
    job_free(&j);
    /* two flags; a flag of 2; a padding row that receives */
    j = job_claiming(ZKVM_OP_AND, 6, 3, 2);
    *cell(&j, "f_or", 0) = 1;
    expect_caught("two ops", check(&j), "one_op");
    job_free(&j);
    j = job_claiming(ZKVM_OP_AND, 6, 3, 2);
    *cell(&j, "f_and", 0) = 2;
    expect_caught("flag 2", check(&j), "f_and");
    job_free(&j);
    zkvm_op_record r = rec(ZKVM_OP_AND, 6, 3);
    j = job_new(&r, 1);
    *cell(&j, "f_and", ((size_t)1 << j.log_n) - 1) = 1;
    expect_caught("phantom row", check(&j), NULL);
    job_free(&j);
}

static void test_stark_job(void **state) {
    (void)state;
    ph_test_stark_job(&g_prov, zkvm_logic_trace, OPS, N_OPS, 10, 21, "r[0]", 3); /* an AND byte */
}

static int setup(void **state) {
    (void)state;
    g_logic = zkvm_logic_air();
    g_table = zkvm_binary_table_air();
    g_table_fixed = zkvm_binary_table_fixed();
    g_prov = (ph_provider){"logic", g_logic, NULL, g_table, g_table_fixed, ZKVM_BINARY_TABLE_LOG_N, table_trace};
    return 0;
}

static int teardown(void **state) {
    (void)state;
    air_free(g_logic);
    air_free(g_table);
    free(g_table_fixed);
    ph_teardown();
    return 0;
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_eval_known),
        cmocka_unit_test(test_honest),
        cmocka_unit_test(test_malicious),
        cmocka_unit_test(test_stark_job),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
