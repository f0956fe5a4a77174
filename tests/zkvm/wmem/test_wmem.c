/*
 * test_wmem.c: the wmem provider AIR (src/zkvm/wmem, docs/zkvm/wmem.md). (1) zkvm_op_eval on
 * LW LWU LWA SW SWA worked out by hand, and against a reference written here another way (the
 * selected half by limbs, the sign fill by flipping bit 31) over every pair of corner operands
 * at offsets 0 and 4; which opcs the AIR takes (offsets 0 and 4 only) and its shape (the cost
 * the doc states); (2) honest traces (every op at both offsets over corner words and values,
 * random records, padding) pass the checker and balance the job's buses with a sender AIR (the
 * main AIR's stand-in) and the range AIR; (3) single corruptions by a malicious prover, at
 * least one per constraint (each caught by that constraint) and per lookup (caught by the
 * range bus), among them a load of a word with a non-canonical limb, a load with y != 0 and a
 * forgery that only the booleanity of b stops; (4) one real STARK job accepted, and one where
 * only the provider's trace was edited rejected.
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
#include "wmem.h"

#define M16 0xffffull
#define M32 0xffffffffull
#define TWO32 0x100000000ull

static air *g_wmem;
static ph_provider g_prov;

static const zkvm_op OPS[] = {ZKVM_OP_LW, ZKVM_OP_LWU, ZKVM_OP_LWA, ZKVM_OP_SW, ZKVM_OP_SWA};
#define N_OPS (sizeof OPS / sizeof OPS[0])

static int is_load(zkvm_op op) { return op == ZKVM_OP_LW || op == ZKVM_OP_LWU || op == ZKVM_OP_LWA; }

/* The harness's helpers, bound to this provider. */
typedef ph_job job;
static uint64_t rnd(uint64_t *s) { return ph_rnd(s); }
static job job_new(const zkvm_op_record *r, size_t n) { return ph_job_new(&g_prov, zkvm_wmem_trace, r, n); }
static void job_free(job *j) { ph_job_free(j); }
static gl_t *cell(job *j, const char *col, size_t row) { return ph_cell(j, col, row); }
static void set(job *j, const char *col, gl_t v) { *cell(j, col, 0) = v; }
static ph_outcome check(job *j) { return ph_check(j); }
static void expect_ok(const char *what, ph_outcome o) { ph_expect_ok(what, o); }
static void expect_caught(const char *what, ph_outcome o, const char *want) { ph_expect_caught(what, o, want); }
/* A forgery that satisfies every constraint and fails only on a bus (a lookup or the receive). */
static void expect_bus_only(const char *what, ph_outcome o) {
    if (o.constraint_fail) fail_msg("%s: caught by constraint %s, expected the constraints to hold", what, o.failed);
    ph_expect_caught(what, o, NULL);
}
/* A forgery whose buses balance and that only the named constraint stops. */
static void expect_constraint_only(const char *what, ph_outcome o, const char *want) {
    if (o.bus_fail) fail_msg("%s: the buses do not balance, expected only %s to fail", what, want);
    ph_expect_caught(what, o, want);
}

/* A valid record of op at byte offset off (a load's y is 0; c from zkvm_op_eval). */
static zkvm_op_record rec(zkvm_op op, unsigned off, uint64_t x, uint64_t y) {
    zkvm_op_record r = {zkvm_opc(op, off), x, is_load(op) ? 0 : y, 0};
    assert_true(zkvm_op_eval(r.opc, r.x, r.y, &r.c));
    return r;
}

/* A one-record job (honest trace) whose tuple claims c = bad_c. */
static job job_claiming(zkvm_op op, unsigned off, uint64_t x, uint64_t y, uint64_t bad_c) {
    zkvm_op_record r = rec(op, off, x, y);
    job j = job_new(&r, 1);
    j.t[0].v[5] = bad_c & M32;
    j.t[0].v[6] = bad_c >> 32;
    return j;
}
/* Sets the row's result limbs to those of c (the tuple's claim, when the test forges one). */
static void set_c(job *j, uint64_t c) {
    set(j, "c_lo", c & M32);
    set(j, "c_hi", c >> 32);
}

/* ------------------------------------------------------------------------------------------ */
/* 1. Reference semantics and shape                                                             */
/* ------------------------------------------------------------------------------------------ */

/* The same semantics written another way: the selected half from x's 16-bit limbs, the sign
 * fill as (half ^ 2^31) - 2^31 in 64 bits; a store puts y_lo in the selected half. */
static uint64_t reference(zkvm_op op, unsigned off, uint64_t x, uint64_t y) {
    uint64_t limb[4];
    for (unsigned i = 0; i < 4; i++) limb[i] = (x >> (16 * i)) & M16;
    unsigned k = off / 2; /* the selected half's low limb */
    uint64_t half = limb[k] | limb[k + 1] << 16;
    if (op == ZKVM_OP_LWU) return half;
    if (op == ZKVM_OP_LW || op == ZKVM_OP_LWA) return (half ^ 0x80000000ull) - 0x80000000ull;
    uint64_t other = off == 0 ? (limb[2] | limb[3] << 16) : (limb[0] | limb[1] << 16);
    return off == 0 ? (other << 32 | (y & M32)) : ((y & M32) << 32 | other);
}

static void test_eval_known(void **state) {
    (void)state;
    static const struct {
        zkvm_op op;
        unsigned off;
        uint64_t x, y, c;
    } K[] = {
        {ZKVM_OP_LW, 0, 0x1122334455667788ull, 0, 0x55667788ull},
        {ZKVM_OP_LW, 4, 0x1122334455667788ull, 0, 0x11223344ull},
        {ZKVM_OP_LW, 0, 0x00000000deadbeefull, 0, 0xffffffffdeadbeefull},
        {ZKVM_OP_LW, 4, 0x8000000000000000ull, 0, 0xffffffff80000000ull},
        {ZKVM_OP_LW, 4, 0x7fffffffffffffffull, 0, 0x7fffffffull},
        {ZKVM_OP_LWU, 0, 0x00000000deadbeefull, 0, 0xdeadbeefull},
        {ZKVM_OP_LWU, 4, 0xffffffff00000000ull, 0, M32},
        {ZKVM_OP_LWA, 0, 0x0000000080000000ull, 0, 0xffffffff80000000ull},
        {ZKVM_OP_LWA, 4, 0x7fffffff80000000ull, 0, 0x7fffffffull},
        {ZKVM_OP_SW, 0, 0x1122334455667788ull, 0xffffffffaabbccddull, 0x11223344aabbccddull},
        {ZKVM_OP_SW, 4, 0x1122334455667788ull, 0xffffffffaabbccddull, 0xaabbccdd55667788ull},
        {ZKVM_OP_SW, 0, (uint64_t)-1, 0, 0xffffffff00000000ull},
        {ZKVM_OP_SWA, 4, 0, M32, 0xffffffff00000000ull},
        {ZKVM_OP_SWA, 0, 0xdeadbeef00000000ull, 0x123456789ull, 0xdeadbeef23456789ull},
    };
    for (size_t i = 0; i < sizeof K / sizeof K[0]; i++) {
        uint64_t c = 0;
        assert_true(zkvm_op_eval(zkvm_opc(K[i].op, K[i].off), K[i].x, K[i].y, &c));
        if (c != K[i].c)
            fail_msg("%s@%u(%#llx, %#llx) = %#llx, expected %#llx", zkvm_op_name(K[i].op), K[i].off,
                     (unsigned long long)K[i].x, (unsigned long long)K[i].y, (unsigned long long)c,
                     (unsigned long long)K[i].c);
    }
    uint64_t c;
    assert_false(zkvm_op_eval(zkvm_opc(ZKVM_OP_LW, 0), 2, 3, &c));  /* a load's y is 0 */
    assert_false(zkvm_op_eval(zkvm_opc(ZKVM_OP_LWA, 2), 2, 0, &c)); /* atomics are aligned */
    assert_false(zkvm_op_eval(zkvm_opc(ZKVM_OP_SWA, 1), 2, 0, &c));
    assert_false(zkvm_op_eval(zkvm_opc(ZKVM_OP_SW, 5), 2, 0, &c));  /* crosses the word */
    assert_true(zkvm_op_eval(zkvm_opc(ZKVM_OP_LW, 3), 2, 0, &c));   /* valid, but the shift AIR's */
}

static const uint64_t CORNERS[] = {
    0, 1, 0x7fffffff, 0x80000000ull, M32, TWO32, (uint64_t)-1,
    0x7fffffff80000000ull, 0x80000000ffffffffull, 0xffffffff00000000ull, 0x80000000ull << 32,
    0x000000017fffffffull, 0x0000ffffffff0000ull, 0xdeadbeef12345678ull, 0x12345678deadbeefull,
};
#define N_CORNERS (sizeof CORNERS / sizeof CORNERS[0])

static void test_reference(void **state) {
    (void)state;
    uint64_t s = 3;
    for (size_t o = 0; o < N_OPS; o++)
        for (unsigned off = 0; off <= 4; off += 4)
            for (size_t a = 0; a < N_CORNERS + 20; a++)
                for (size_t b = 0; b < N_CORNERS + 20; b++) {
                    uint64_t x = a < N_CORNERS ? CORNERS[a] : rnd(&s), y = b < N_CORNERS ? CORNERS[b] : rnd(&s);
                    if (is_load(OPS[o])) y = 0;
                    uint64_t c = 0;
                    assert_true(zkvm_op_eval(zkvm_opc(OPS[o], off), x, y, &c));
                    if (c != reference(OPS[o], off, x, y))
                        fail_msg("%s@%u(%#llx, %#llx): eval %#llx, reference %#llx", zkvm_op_name(OPS[o]), off,
                                 (unsigned long long)x, (unsigned long long)y, (unsigned long long)c,
                                 (unsigned long long)reference(OPS[o], off, x, y));
                }
}

static void test_handles(void **state) {
    (void)state;
    for (unsigned op = 0; op < ZKVM_OP_COUNT + 2; op++) {
        int ours = 0;
        for (size_t i = 0; i < N_OPS; i++) ours |= OPS[i] == (zkvm_op)op;
        assert_int_equal(zkvm_wmem_handles((zkvm_op)op), ours);
    }
    /* exactly the ten opcs op + 64 off, off in {0, 4}; offsets 1..3 and 5..7 (some valid for LW,
     * LWU, SW: the shift AIR's) are refused, and so is everything else up to far past the limit */
    unsigned n = 0;
    for (uint32_t opc = 0; opc < 4 * ZKVM_OPC_LIMIT; opc++) {
        unsigned off = zkvm_opc_off(opc);
        int want = opc < ZKVM_OPC_LIMIT && zkvm_wmem_handles(zkvm_opc_op(opc)) && (off == 0 || off == 4);
        assert_int_equal(zkvm_wmem_handles_opc(opc), want);
        n += (unsigned)want;
    }
    assert_int_equal(n, 10);
    for (size_t i = 0; i < N_OPS; i++)
        for (unsigned off = 1; off < 8; off++) assert_int_equal(zkvm_wmem_handles_opc(zkvm_opc(OPS[i], off)), off == 4);
    assert_false(zkvm_wmem_handles_opc(UINT32_MAX));
    assert_null(zkvm_wmem_fixed(4));
}

static void test_shape(void **state) {
    (void)state;
    assert_int_equal(air_n_cols(g_wmem, AIR_STAGE1), 16);
    assert_int_equal(air_n_cols(g_wmem, AIR_FIXED), 0);
    assert_int_equal(air_n_interactions(g_wmem), 6);
    assert_int_equal(air_n_bus_groups(g_wmem), 3);
    assert_int_equal(air_n_cols(g_wmem, AIR_STAGE2), 9);
    assert_int_equal(air_quotient_chunks(g_wmem), 2);
    assert_int_equal(air_n_cols(g_wmem, AIR_STAGE1) + air_n_cols(g_wmem, AIR_STAGE2) + 3 * air_quotient_chunks(g_wmem),
                     31);
    /* five lookups per record, none on padding rows, the same from the builder and the counter */
    zkvm_range_counts *rc = calloc(2, sizeof *rc);
    zkvm_op_record r[2 * N_OPS];
    for (size_t i = 0; i < 2 * N_OPS; i++)
        r[i] = rec(OPS[i % N_OPS], 4 * (unsigned)(i / N_OPS), 0x123456789abcdefull * (i + 1), 0xfedcba987654321ull * i);
    gl_t *t = zkvm_wmem_trace(r, 2 * N_OPS, 5, &rc[0]);
    assert_int_equal(zkvm_wmem_count_lookups(t, 5, &rc[1]), 0);
    uint64_t total = 0;
    for (size_t v = 0; v < (1u << ZKVM_RANGE_LOG_N); v++) {
        assert_int_equal(rc[0].counts[v], rc[1].counts[v]);
        total += rc[0].counts[v];
    }
    assert_int_equal(total, 5 * 2 * N_OPS);
    free(t);
    free(rc);
}

/* ------------------------------------------------------------------------------------------ */
/* 2. Honest traces                                                                             */
/* ------------------------------------------------------------------------------------------ */

static void test_honest(void **state) {
    (void)state;
    size_t n = 2 * N_OPS * N_CORNERS * N_CORNERS + 500;
    zkvm_op_record *r = calloc(n, sizeof *r);
    size_t k = 0;
    for (size_t o = 0; o < N_OPS; o++)
        for (unsigned off = 0; off <= 4; off += 4)
            for (size_t a = 0; a < N_CORNERS; a++)
                for (size_t b = 0; b < N_CORNERS; b++) r[k++] = rec(OPS[o], off, CORNERS[a], CORNERS[b]);
    uint64_t s = 5;
    while (k < n) {
        uint64_t x = rnd(&s), y = rnd(&s);
        r[k] = rec(OPS[k % N_OPS], 4 * (unsigned)((k / N_OPS) & 1), x, y);
        k++;
    }
    job j = job_new(r, n);
    expect_ok("corners and random records", check(&j));
    job_free(&j);
    /* a single record, and a trace that is all padding */
    zkvm_op_record one = rec(ZKVM_OP_SWA, 4, 3, 5);
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

static void test_bits_and_flags(void **state) {
    (void)state;
    /* every boolean column at 2 on an honest row is caught by its own constraint */
    static const struct {
        zkvm_op op;
        const char *col;
    } B[] = {
        {ZKVM_OP_LW, "f_lw"}, {ZKVM_OP_LWU, "f_lwu"}, {ZKVM_OP_LWA, "f_lwa"}, {ZKVM_OP_SW, "f_sw"},
        {ZKVM_OP_SWA, "f_swa"}, {ZKVM_OP_SW, "b"}, {ZKVM_OP_LW, "s"},
    };
    for (size_t i = 0; i < sizeof B / sizeof B[0]; i++) {
        zkvm_op_record r = rec(B[i].op, 4, 0x8000000012345678ull, 9);
        job j = job_new(&r, 1);
        set(&j, B[i].col, 2);
        expect_caught(B[i].col, check(&j), B[i].col);
        job_free(&j);
    }
    /* LW at offset 1 of x = (v, v) claiming v's sign extension (the bytes at 0, not at 1):
     * b = 1/4 makes the row's opc 44 + 64, and with equal halves h_sel, ld_lo and the lookups
     * all hold; only the booleanity of b stops it */
    uint64_t v = 0x81223344ull, x = v << 32 | v;
    job j = job_claiming(ZKVM_OP_LW, 0, x, 0, 0xffffffff81223344ull);
    j.t[0].v[0] = zkvm_opc(ZKVM_OP_LW, 1);
    set(&j, "b", gl_inv(4));
    expect_constraint_only("lw at offset 1 via b = 1/4", check(&j), "b");
    job_free(&j);
    /* two flags on one row */
    j = job_claiming(ZKVM_OP_LW, 0, x, 0, 0xffffffff81223344ull);
    set(&j, "f_lwa", 1);
    expect_caught("two ops", check(&j), "one_op");
    job_free(&j);
    /* an LWU tuple received by an LW row of the same word (both honest otherwise): opc differs */
    j = job_claiming(ZKVM_OP_LW, 0, 5, 0, 5);
    j.t[0].v[0] = zkvm_opc(ZKVM_OP_LWU, 0);
    expect_bus_only("lwu as lw", check(&j));
    job_free(&j);
    /* an SW tuple received by an SWA row */
    j = job_claiming(ZKVM_OP_SWA, 4, 5, 6, (6ull << 32) | 5);
    j.t[0].v[0] = zkvm_opc(ZKVM_OP_SW, 4);
    expect_bus_only("sw as swa", check(&j));
    job_free(&j);
    /* the offset claimed wrong: the row proves offset 0, the tuple says 4 (its c then agrees) */
    j = job_claiming(ZKVM_OP_LWU, 0, 0x0000000700000003ull, 0, 3);
    j.t[0].v[0] = zkvm_opc(ZKVM_OP_LWU, 4);
    expect_bus_only("offset 4 as 0", check(&j));
    job_free(&j);
    /* offsets 1..3, 5..7 find no receiver here, even with the correct result */
    for (unsigned off = 1; off < 8; off++) {
        if (off == 4) continue;
        zkvm_op_record r = rec(ZKVM_OP_LWU, off & 4, 0x1122334455667788ull, 0);
        j = job_new(&r, 1);
        uint64_t c;
        r.opc = zkvm_opc(ZKVM_OP_LWU, off);
        if (zkvm_op_eval(r.opc, r.x, 0, &c)) r.c = c;
        j.t[0] = ph_tuple_of(&r);
        expect_bus_only("lwu at an odd offset", check(&j));
        job_free(&j);
    }
    /* a padding row that receives a tuple nobody sent */
    zkvm_op_record r = rec(ZKVM_OP_SW, 0, 1, 1);
    j = job_new(&r, 1);
    *cell(&j, "f_sw", ((size_t)1 << j.log_n) - 1) = 1;
    expect_bus_only("phantom row", check(&j));
    job_free(&j);
}

static void test_loads(void **state) {
    (void)state;
    uint64_t x = 0x8000000112345678ull; /* high half negative, low half positive */
    /* the wrong half: LW at offset 0 claiming the high half */
    job j = job_claiming(ZKVM_OP_LWU, 0, x, 0, 0x80000001ull);
    set_c(&j, 0x80000001ull);
    expect_constraint_only("lwu of the other half", check(&j), "ld_lo");
    job_free(&j);
    /* LWU claiming a sign extension (s is the true bit) */
    j = job_claiming(ZKVM_OP_LWU, 4, x, 0, 0xffffffff80000001ull);
    set_c(&j, 0xffffffff80000001ull);
    expect_constraint_only("lwu sign-extended", check(&j), "ld_hi");
    job_free(&j);
    /* LW of a negative half claimed zero-extended, s kept */
    j = job_claiming(ZKVM_OP_LW, 4, x, 0, 0x80000001ull);
    set_c(&j, 0x80000001ull);
    expect_constraint_only("lw zero-extended", check(&j), "ld_hi");
    job_free(&j);
    /* ... and with s = 0 to match: the sign lookup 2 h - 0 = 2^16 + 0 fails */
    j = job_claiming(ZKVM_OP_LWA, 4, x, 0, 0x80000001ull);
    set_c(&j, 0x80000001ull);
    set(&j, "s", 0);
    expect_bus_only("lwa not sign-extended", check(&j));
    job_free(&j);
    /* a positive half claimed negative: 2 h - 2^16 < 0 */
    j = job_claiming(ZKVM_OP_LW, 0, x, 0, 0xffffffff12345678ull);
    set_c(&j, 0xffffffff12345678ull);
    set(&j, "s", 1);
    expect_bus_only("lw sign-extended wrongly", check(&j));
    job_free(&j);
    /* LW of a half with h = 0x8000 claiming c_hi = 0xffffffff / 2 (a field element far above
     * 2^32): s = 1/2 makes 2 h - 2^16 s = 2^15, in range; only the booleanity of s stops it */
    j = job_claiming(ZKVM_OP_LW, 0, 0x80001234ull, 0, 0);
    gl_t half_fill = gl_mul(M32, gl_inv(2));
    j.t[0].v[5] = 0x80001234ull;
    j.t[0].v[6] = half_fill;
    set(&j, "s", gl_inv(2));
    set(&j, "c_hi", half_fill);
    expect_constraint_only("lw with s = 1/2", check(&j), "s");
    job_free(&j);
    /* h not the selected half's high limb: at offset 4, h = x1 (positive) hides the sign */
    j = job_claiming(ZKVM_OP_LW, 4, x, 0, 0x80000001ull);
    set_c(&j, 0x80000001ull);
    set(&j, "h", 0x1234);
    set(&j, "s", 0);
    expect_constraint_only("h of the other half", check(&j), "h_sel");
    job_free(&j);
    /* a load with y != 0 (either limb), the tuple and the row agreeing */
    j = job_claiming(ZKVM_OP_LW, 0, 40, 0, 40);
    j.t[0].v[3] = 3;
    set(&j, "y_lo", 3);
    expect_constraint_only("lw with y_lo", check(&j), "ld_y_zero");
    job_free(&j);
    j = job_claiming(ZKVM_OP_LWU, 4, 40, 0, 0);
    j.t[0].v[4] = 1;
    set(&j, "y_hi", 1);
    expect_constraint_only("lwu with y_hi", check(&j), "ld_y_zero");
    job_free(&j);
}

/* A one-record load whose x limb k (1: x_lo, 2: x_hi) in the tuple is the field element
 * 2^32 + 5, written in the row as 5 + 2^16 * 2^16 (the limbs a forger would pick; every other
 * split has a limb out of range just as well); a selected half's h follows it, and c_lo is
 * whatever the field equations make it. */
static job noncanonical_load(zkvm_op op, unsigned off, unsigned k, uint64_t x) {
    job j = job_claiming(op, off, x, 0, 0);
    j.t[0].v[k] = TWO32 + 5;
    set(&j, k == 1 ? "x0" : "x2", 5);
    set(&j, k == 1 ? "x1" : "x3", 1u << 16);
    int selected = (k == 2) == (off == 4);
    if (selected) set(&j, "h", 1u << 16);
    gl_t c_lo = selected ? TWO32 + 5 : j.t[0].v[off == 4 ? 2 : 1];
    j.t[0].v[5] = c_lo;
    set(&j, "c_lo", c_lo);
    j.t[0].v[6] = *cell(&j, "c_hi", 0);
    return j;
}

static void test_noncanonical_word(void **state) {
    (void)state;
    /* the selected half non-canonical: LWU at 0 of x_lo = 2^32 + 5 would give c_lo = 2^32 + 5;
     * x1 = h = 2^16 fail their lookups (x1's and the sign lookup), every equation holds */
    job j = noncanonical_load(ZKVM_OP_LWU, 0, 1, 7ull << 32);
    expect_bus_only("lwu of x_lo = 2^32 + 5", check(&j));
    job_free(&j);
    j = noncanonical_load(ZKVM_OP_LW, 4, 2, 7);
    expect_bus_only("lw of x_hi = 2^32 + 5", check(&j));
    job_free(&j);
    /* the other half non-canonical (a load must check all of x): only x3's, x1's lookup fails */
    j = noncanonical_load(ZKVM_OP_LW, 0, 2, 9);
    expect_bus_only("lw beside x_hi = 2^32 + 5", check(&j));
    job_free(&j);
    j = noncanonical_load(ZKVM_OP_LWA, 4, 1, 9ull << 32);
    expect_bus_only("lwa beside x_lo = 2^32 + 5", check(&j));
    job_free(&j);
    /* canonical limbs written with a low 16-bit limb out of range (x0 = 2^16 + 5, x1 = 0 for
     * x_lo = 0x10005: the tuple unchanged): only x0's lookup fails; the same for x2 */
    j = job_claiming(ZKVM_OP_LWU, 4, 0x10005, 0, 0);
    set(&j, "x0", 0x10005);
    set(&j, "x1", 0);
    expect_bus_only("x0 out of range", check(&j));
    job_free(&j);
    j = job_claiming(ZKVM_OP_SW, 0, 0x10005ull << 32, 3, 0x10005ull << 32 | 3);
    set(&j, "x2", 0x10005);
    set(&j, "x3", 0);
    expect_bus_only("x2 out of range", check(&j));
    job_free(&j);
}

static void test_stores(void **state) {
    (void)state;
    uint64_t x = 0x1111111122222222ull, y = 0x33333333444444ull;
    /* SW at offset 0 leaving the low half as it was */
    job j = job_claiming(ZKVM_OP_SW, 0, x, y, x);
    set_c(&j, x);
    expect_constraint_only("sw that writes nothing", check(&j), "st_lo");
    job_free(&j);
    /* SW at offset 4 clobbering the low half with y_lo too */
    uint64_t bad = (y & M32) << 32 | (y & M32);
    j = job_claiming(ZKVM_OP_SW, 4, x, y, bad);
    set_c(&j, bad);
    expect_constraint_only("sw that clobbers the other half", check(&j), "st_lo");
    job_free(&j);
    /* SWA at offset 4 leaving the high half as it was */
    j = job_claiming(ZKVM_OP_SWA, 4, x, y, x);
    set_c(&j, x);
    expect_constraint_only("swa that writes nothing", check(&j), "st_hi");
    job_free(&j);
    /* SWA at offset 0 writing the full register (y_hi into the high half) */
    j = job_claiming(ZKVM_OP_SWA, 0, x, y, y);
    set_c(&j, y);
    expect_constraint_only("swa of 8 bytes", check(&j), "st_hi");
    job_free(&j);
}

/* ------------------------------------------------------------------------------------------ */
/* 4. A real STARK job                                                                          */
/* ------------------------------------------------------------------------------------------ */

static void test_stark_job(void **state) {
    (void)state;
    /* 20 random records, every op at both offsets twice; row 0 is an LW at offset 0 */
    enum { N = 20 };
    zkvm_op_record r[N];
    uint64_t s = 17;
    for (size_t i = 0; i < N; i++) {
        uint64_t x = rnd(&s), y = rnd(&s);
        r[i] = rec(OPS[i % N_OPS], 4 * (unsigned)((i / N_OPS) & 1), x, y);
    }
    job j = job_new(r, N);
    assert_int_equal(ph_prove_and_verify(&g_prov, j.t, j.n, j.trace, j.log_n), STARK_OK);
    *cell(&j, "c_lo", 0) ^= 1; /* the result's low limb, edited in the trace only */
    assert_int_not_equal(ph_prove_and_verify(&g_prov, j.t, j.n, j.trace, j.log_n), STARK_OK);
    job_free(&j);
}

static int setup(void **state) {
    (void)state;
    g_wmem = zkvm_wmem_air();
    g_prov = (ph_provider){"wmem", g_wmem, zkvm_wmem_count_lookups, NULL, NULL, 0, NULL};
    return 0;
}

static int teardown(void **state) {
    (void)state;
    air_free(g_wmem);
    ph_teardown();
    return 0;
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_eval_known),   cmocka_unit_test(test_reference),         cmocka_unit_test(test_handles),
        cmocka_unit_test(test_shape),        cmocka_unit_test(test_honest),            cmocka_unit_test(test_bits_and_flags),
        cmocka_unit_test(test_loads),        cmocka_unit_test(test_noncanonical_word), cmocka_unit_test(test_stores),
        cmocka_unit_test(test_stark_job),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
