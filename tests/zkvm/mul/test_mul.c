/*
 * test_mul.c: the mul provider AIR (src/zkvm/mul, docs/zkvm/mul.md). (1) zkvm_op_eval on MUL and
 * MULW worked out by hand and, over every pair of corner operands, against a schoolbook product
 * on 16-bit limbs; which ops the AIR takes, its shape (the cost the doc states) and the carry
 * bounds it relies on; (2) honest traces (every pair of corner operands for both ops, random
 * records, padding) pass the checker and balance the job's buses with a sender AIR (the main
 * AIR's stand-in) and the range AIR; (3) single corruptions by a malicious prover, one per
 * constraint and one per lookup, each caught by the named constraint or by the named bus (the
 * lookup corruptions satisfy every constraint: only the range bus stops them), and forged
 * products that satisfy the field equations but not the integer ones, which only the carries'
 * range lookups stop; (4) one real STARK job accepted, and one where only the provider's trace
 * was edited rejected.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mul.h"
#include "provider_harness.h"
#include "zkvm_bus.h"

#define M16 0xffffull
#define M32 0xffffffffull
#define MIN64 0x8000000000000000ull
#define TWO32 0x100000000ull

static air *g_mul;
static ph_provider g_prov;

static const zkvm_op OPS[] = {ZKVM_OP_MUL, ZKVM_OP_MULW};
#define N_OPS (sizeof OPS / sizeof OPS[0])

/* The harness's helpers, bound to this provider. */
typedef ph_job job;
static zkvm_op_record rec(zkvm_op op, uint64_t x, uint64_t y) { return ph_rec(op, x, y); }
static uint64_t rnd(uint64_t *s) { return ph_rnd(s); }
static job job_new(const zkvm_op_record *r, size_t n) { return ph_job_new(&g_prov, zkvm_mul_trace, r, n); }
static void job_free(job *j) { ph_job_free(j); }
static gl_t *cell(job *j, const char *col, size_t row) { return ph_cell(j, col, row); }
static ph_outcome check(job *j) { return ph_check(j); }
static void expect_ok(const char *what, ph_outcome o) { ph_expect_ok(what, o); }
static void expect_caught(const char *what, ph_outcome o, const char *want) { ph_expect_caught(what, o, want); }

static void expect_only_bus(const char *what, ph_outcome o, uint32_t bus) { ph_expect_only_bus(what, o, bus); }
static size_t bad_lookups(job *j) { return ph_bad_lookups(j); }

/* -2^-k in the field: adding it times 2^(32 + k) to a carry's part shifts the carry's weight
 * by -1, which the fractional "bit" of the forgeries below uses. */
static gl_t neg_inv_pow2(unsigned k) { return gl_neg(gl_inv(gl_pow(2, k))); }

/* ------------------------------------------------------------------------------------------ */
/* 1. Reference semantics and shape                                                             */
/* ------------------------------------------------------------------------------------------ */

/* x y mod 2^64 by schoolbook on 16-bit limbs (independent of the C multiplication that
 * zkvm_op_eval uses). */
static uint64_t ref_mul(uint64_t x, uint64_t y) {
    uint64_t r[4] = {0, 0, 0, 0};
    for (unsigned i = 0; i < 4; i++)
        for (unsigned j = 0; i + j < 4; j++) {
            uint64_t carry = ((x >> (16 * i)) & M16) * ((y >> (16 * j)) & M16);
            for (unsigned k = i + j; k < 4 && carry; k++) {
                carry += r[k];
                r[k] = carry & M16;
                carry >>= 16;
            }
        }
    return r[0] | r[1] << 16 | r[2] << 32 | r[3] << 48;
}
static uint64_t ref_mulw(uint64_t x, uint64_t y) {
    uint64_t lo = ref_mul(x & M32, y & M32) & M32;
    return (lo & 0x80000000ull) ? lo | (M32 << 32) : lo;
}

static void test_eval_known(void **state) {
    (void)state;
    static const struct {
        zkvm_op op;
        uint64_t x, y, c;
    } K[] = {
        {ZKVM_OP_MUL, 3, 5, 15},
        {ZKVM_OP_MUL, TWO32, TWO32, 0},
        {ZKVM_OP_MUL, M32, M32, 0xfffffffe00000001ull},
        {ZKVM_OP_MUL, (uint64_t)-1, (uint64_t)-1, 1},
        {ZKVM_OP_MUL, (uint64_t)-1, 2, (uint64_t)-2},
        {ZKVM_OP_MUL, MIN64, 2, 0},
        {ZKVM_OP_MUL, 0x100000001ull, 0x100000001ull, 0x200000001ull},
        {ZKVM_OP_MUL, 0x10000, 0x10000, TWO32},
        {ZKVM_OP_MUL, 0xdeadbeef, 0, 0},
        {ZKVM_OP_MULW, 0x7fffffff, 2, 0xfffffffffffffffeull},
        {ZKVM_OP_MULW, 0x10000, 0x10000, 0},
        {ZKVM_OP_MULW, M32, M32, 1},
        {ZKVM_OP_MULW, 0x80000000ull, 1, 0xffffffff80000000ull},
        {ZKVM_OP_MULW, 0x1234567800000003ull, 0xabcdef0000000005ull, 15}, /* high words ignored */
        {ZKVM_OP_MULW, 0x40000000, 2, 0xffffffff80000000ull},
        {ZKVM_OP_MULW, 0x7fffffff, 0x7fffffff, 1},
    };
    for (size_t i = 0; i < sizeof K / sizeof K[0]; i++) {
        uint64_t c = 0;
        assert_true(zkvm_op_eval(zkvm_opc(K[i].op, 0), K[i].x, K[i].y, &c));
        if (c != K[i].c)
            fail_msg("%s(%#llx, %#llx) = %#llx, expected %#llx", zkvm_op_name(K[i].op), (unsigned long long)K[i].x,
                     (unsigned long long)K[i].y, (unsigned long long)c, (unsigned long long)K[i].c);
    }
    uint64_t c;
    assert_false(zkvm_op_eval(zkvm_opc(ZKVM_OP_MUL, 1), 2, 3, &c)); /* no offsets */
    for (unsigned op = 0; op < ZKVM_OP_COUNT + 2; op++) {
        int ours = op == ZKVM_OP_MUL || op == ZKVM_OP_MULW;
        assert_int_equal(zkvm_mul_handles((zkvm_op)op), ours);
    }
    assert_null(zkvm_mul_fixed(4));
}

/* Limb-boundary values, signs, and words whose limbs are all 0xffff (the largest carries). */
static const uint64_t CORNERS[] = {
    0, 1, 2, 0xffff, 0x10000, 0x7fffffff, 0x80000000ull, M32, TWO32, MIN64, (uint64_t)-1,
    0x7fffffffffffffffull, 0xffffffff80000000ull, 0x0000ffff0000ffffull, 0xffff0000ffff0000ull,
    0xdeadbeefcafebabeull,
};
#define N_CORNERS (sizeof CORNERS / sizeof CORNERS[0])

static void test_reference(void **state) {
    (void)state;
    for (size_t a = 0; a < N_CORNERS; a++)
        for (size_t b = 0; b < N_CORNERS; b++) {
            uint64_t x = CORNERS[a], y = CORNERS[b], c, cw;
            assert_true(zkvm_op_eval(zkvm_opc(ZKVM_OP_MUL, 0), x, y, &c));
            assert_true(zkvm_op_eval(zkvm_opc(ZKVM_OP_MULW, 0), x, y, &cw));
            if (c != ref_mul(x, y) || cw != ref_mulw(x, y))
                fail_msg("mul/mulw(%#llx, %#llx) = %#llx/%#llx, schoolbook %#llx/%#llx", (unsigned long long)x,
                         (unsigned long long)y, (unsigned long long)c, (unsigned long long)cw,
                         (unsigned long long)ref_mul(x, y), (unsigned long long)ref_mulw(x, y));
        }
}

/* The cost docs/zkvm/mul.md states: 19 stage-1 columns; 16 interactions (the receive and 15
 * range lookups), all of degree 1, paired into 8 groups: 7 helpers and the accumulator, 8
 * extension columns = 24 base columns; 2 quotient chunks (degree 3): 19 + 24 + 6 = 49
 * committed cells per row (arith: 52 + 54 + 6 = 112). And the lookups the trace builder
 * counts: 14 per row, one more per MULW row. */
static void test_shape(void **state) {
    (void)state;
    assert_int_equal(air_n_cols(g_mul, AIR_STAGE1), 19);
    assert_int_equal(air_n_cols(g_mul, AIR_FIXED), 0);
    assert_int_equal(air_n_interactions(g_mul), 16);
    assert_int_equal(air_n_cols(g_mul, AIR_STAGE2), 24);
    assert_int_equal(air_quotient_chunks(g_mul), 2);
    zkvm_range_counts *rc = calloc(1, sizeof *rc);
    zkvm_op_record r[3] = {rec(ZKVM_OP_MUL, 3, 5), rec(ZKVM_OP_MULW, 7, 9), rec(ZKVM_OP_MUL, 11, 13)};
    gl_t *t = zkvm_mul_trace(r, 3, 2, rc);
    size_t total = 0;
    for (size_t v = 0; v < (1u << ZKVM_RANGE_LOG_N); v++) total += rc->counts[v];
    assert_int_equal(total, 3 * 14 + 1);
    free(t);
    free(rc);
}

/* The carries' bit columns are needed: (2^64 - 1)^2 (every limb 0xffff) has the largest
 * carries, K0 = 2^17 - 3 and K1 = 2^18 - 5 (mul.md, "Bounds"). */
static void test_carry_bounds(void **state) {
    (void)state;
    zkvm_op_record r = rec(ZKVM_OP_MUL, (uint64_t)-1, (uint64_t)-1);
    job j = job_new(&r, 1);
    assert_int_equal(*cell(&j, "k0", 0) + (*cell(&j, "k0_b16", 0) << 16), (1u << 17) - 3);
    assert_int_equal(*cell(&j, "k1", 0) + (*cell(&j, "k1_b16", 0) << 16) + (*cell(&j, "k1_b17", 0) << 17),
                     (1u << 18) - 5);
    expect_ok("largest carries", check(&j));
    job_free(&j);
}

/* ------------------------------------------------------------------------------------------ */
/* 2. Honest traces                                                                             */
/* ------------------------------------------------------------------------------------------ */

static void test_honest(void **state) {
    (void)state;
    size_t n_rand = 600;
    size_t n = N_OPS * N_CORNERS * N_CORNERS + n_rand;
    zkvm_op_record *r = calloc(n, sizeof *r);
    size_t k = ph_corner_records(r, OPS, N_OPS, CORNERS, N_CORNERS, rec);
    /* random: full words, then sign-extended 32-bit values, then values below 2^16 */
    uint64_t s = 5;
    for (size_t i = 0; k < n; i++, k++) {
        uint64_t x = rnd(&s), y = rnd(&s);
        if (i % 3 == 1) x = (uint64_t)(int64_t)(int32_t)x, y = (uint64_t)(int64_t)(int32_t)y;
        if (i % 3 == 2) x &= M16, y &= M16;
        r[k] = rec(OPS[k % N_OPS], x, y);
    }
    job j = job_new(r, n);
    expect_ok("corners and random records", check(&j));
    job_free(&j);
    /* a single record, and a trace that is all padding */
    zkvm_op_record one = rec(ZKVM_OP_MULW, 0x7fffffff, 3);
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
    return ph_job_claiming(&g_prov, zkvm_mul_trace, op, x, y, bad_c);
}
static void set_c(job *j, uint64_t c) {
    static const char *const names[4] = {"c0", "c1", "c2", "c3"};
    for (int i = 0; i < 4; i++) *cell(j, names[i], 0) = (c >> (16 * i)) & M16;
}
static uint64_t carry1(job *j) {
    return *cell(j, "k1", 0) + (*cell(j, "k1_b16", 0) << 16) + (*cell(j, "k1_b17", 0) << 17);
}
static void set_carry1(job *j, uint64_t k1) {
    assert_true(k1 < (1u << 18));
    *cell(j, "k1", 0) = k1 & M16;
    *cell(j, "k1_b16", 0) = (k1 >> 16) & 1;
    *cell(j, "k1_b17", 0) = k1 >> 17;
}

/* The product equations, each with the carries left honest. */
static void test_wrong_results(void **state) {
    (void)state;
    uint64_t c = 0x123456789ull * 0xabcdef;
    assert_true((c & M32) != M32);
    job j = job_claiming(ZKVM_OP_MUL, 0x123456789ull, 0xabcdef, c + 1);
    set_c(&j, c + 1);
    expect_caught("mul low word off by one", check(&j), "chunk_lo");
    job_free(&j);
    j = job_claiming(ZKVM_OP_MUL, 0x123456789ull, 0xabcdef, c + TWO32);
    set_c(&j, c + TWO32);
    expect_caught("mul high word off by one", check(&j), "chunk_hi");
    job_free(&j);
    /* a MULW's wrong low word: chunk_lo holds on MULW rows too */
    j = job_claiming(ZKVM_OP_MULW, 3, 5, 16);
    set_c(&j, 16);
    expect_caught("mulw off by one", check(&j), "chunk_lo");
    job_free(&j);
}

/* The op receive: what the row proves is received only as the tuple its flags and limbs make. */
static void test_op_bus(void **state) {
    (void)state;
    /* the tuple alone wrong (the trace proves the honest product) */
    job j = job_claiming(ZKVM_OP_MUL, 0x123456789ull, 0xabcdef, 7);
    expect_only_bus("wrong c, honest trace", check(&j), ZKVM_BUS_OP);
    job_free(&j);
    /* a MUL proven as MULW: 3 * 5 = 15 either way, every constraint holds, only the opc differs */
    j = job_claiming(ZKVM_OP_MUL, 3, 5, 15);
    *cell(&j, "f_mul", 0) = 0;
    *cell(&j, "f_mulw", 0) = 1;
    *cell(&j, "k1", 0) = 0;
    expect_only_bus("mul as mulw", check(&j), ZKVM_BUS_OP);
    job_free(&j);
    /* a padding row that receives a tuple nobody sent (0 * 0 = 0 holds, its zero limbs are
     * looked up and counted) */
    zkvm_op_record r = rec(ZKVM_OP_MUL, 1, 1);
    j = job_new(&r, 1);
    size_t last = ((size_t)1 << j.log_n) - 1;
    *cell(&j, "f_mul", last) = 1;
    expect_only_bus("phantom row", check(&j), ZKVM_BUS_OP);
    job_free(&j);
    /* an operand limb changed: the tuple no longer matches (the product is re-proven) */
    r = rec(ZKVM_OP_MUL, 4, 5);
    j = job_new(&r, 1);
    *cell(&j, "x0", 0) = 5;
    set_c(&j, 25);
    expect_only_bus("other operand", check(&j), ZKVM_BUS_OP);
    job_free(&j);
}

/* The flags: f_mulw and act = f_mul + f_mulw are boolean (f_mul has no constraint of its own). */
static void test_flags(void **state) {
    (void)state;
    /* flags 2 and -1: act = 1, and the received opc is 2*16 - 24 = 8, SRA: the row would prove
     * SRA(3, 5) = 15 (it is 0) */
    job j = job_claiming(ZKVM_OP_MUL, 3, 5, 15);
    j.t[0].v[0] = zkvm_opc(ZKVM_OP_SRA, 0);
    *cell(&j, "f_mul", 0) = 2;
    *cell(&j, "f_mulw", 0) = gl_neg(1);
    expect_caught("sra passed off with flags 2, -1", check(&j), "f_mulw");
    job_free(&j);
    /* flags 1 and -1 on a padding row: act = 0, so it receives nothing, but its sign lookup has
     * multiplicity -1 and cancels the out-of-range sign lookup of a forged MULW (0x7fffffff * 2
     * claimed zero-extended, v = 2 * 0xffff): both buses balance, every other constraint holds
     * (the padding row proves 0x10000 * 0xffff = 0xffff0000, so its v is the same 0x1fffe) */
    j = job_claiming(ZKVM_OP_MULW, 0x7fffffff, 2, 0xfffffffeull);
    set_c(&j, 0xfffffffeull);
    *cell(&j, "f_mul", 1) = 1;
    *cell(&j, "f_mulw", 1) = gl_neg(1);
    *cell(&j, "x1", 1) = 1;      /* x = 0x10000 */
    *cell(&j, "y0", 1) = 0xffff; /* y = 0xffff */
    *cell(&j, "c1", 1) = 0xffff; /* c = 0xffff0000 */
    expect_caught("sign lookup cancelled by flags 1, -1", check(&j), "f_mulw");
    job_free(&j);
    /* two flags: act = 2, opc 16 + 24 = 40 */
    j = job_claiming(ZKVM_OP_MUL, 3, 5, 15);
    *cell(&j, "f_mulw", 0) = 1;
    expect_caught("two ops", check(&j), "one_op");
    job_free(&j);
    /* the one other flag pair the constraints allow, f_mul = -1 with f_mulw = 1, has act = 0: it
     * receives nothing and its one lookup (the sign check, multiplicity 1) must be in the table
     * like any other; accepted, and it proves nothing */
    zkvm_op_record r = rec(ZKVM_OP_MUL, 3, 5);
    j = job_new(&r, 1);
    *cell(&j, "f_mul", 1) = gl_neg(1);
    *cell(&j, "f_mulw", 1) = 1;
    assert_int_equal(bad_lookups(&j), 0);
    expect_ok("flags -1, 1 on a padding row", check(&j));
    job_free(&j);
}

/* The carries' bits: a result off by one whose chunk equation is balanced by a "bit" of -2^-k
 * (so 2^(32+16) or 2^(32+17) times it is -1): the field equation holds, only the boolean
 * constraint catches it. */
static void test_carry_bits(void **state) {
    (void)state;
    /* on a MULW row (no high chunk, so nothing else sees K0): c_lo + 1 */
    job j = job_claiming(ZKVM_OP_MULW, 3, 5, 16);
    set_c(&j, 16);
    *cell(&j, "k0_b16", 0) = neg_inv_pow2(48);
    expect_caught("k0 bit 16 fractional", check(&j), "k0_b16");
    job_free(&j);
    j = job_claiming(ZKVM_OP_MUL, 3, 5, 15 + TWO32);
    set_c(&j, 15 + TWO32);
    *cell(&j, "k1_b16", 0) = neg_inv_pow2(48);
    expect_caught("k1 bit 16 fractional", check(&j), "k1_b16");
    job_free(&j);
    j = job_claiming(ZKVM_OP_MUL, 3, 5, 15 + TWO32);
    set_c(&j, 15 + TWO32);
    *cell(&j, "k1_b17", 0) = neg_inv_pow2(49);
    expect_caught("k1 bit 17 fractional", check(&j), "k1_b17");
    job_free(&j);
}

static void test_mulw(void **state) {
    (void)state;
    /* the fill not the sign: c2 = 0xffff, c3 = 0 */
    job j = job_claiming(ZKVM_OP_MULW, 3, 5, 0x0000ffff0000000full);
    set_c(&j, 0x0000ffff0000000full);
    expect_caught("mulw fill c2 != c3", check(&j), "w_fill");
    job_free(&j);
    /* c2 = c3, but neither 0 nor 0xffff: the sign lookup's value 2 c1 - (2^16 / 0xffff) 5 is
     * far out of the table */
    j = job_claiming(ZKVM_OP_MULW, 3, 5, 0x000500050000000full);
    set_c(&j, 0x000500050000000full);
    expect_only_bus("mulw fill 5", check(&j), ZKVM_BUS_RANGE16);
    assert_int_equal(bad_lookups(&j), 1);
    job_free(&j);
    /* a negative result claimed zero-extended: 2 c1 - 0 = 0x1fffe is out of the table */
    j = job_claiming(ZKVM_OP_MULW, 0x7fffffff, 2, 0xfffffffeull);
    set_c(&j, 0xfffffffeull);
    expect_only_bus("mulw not sign-extended", check(&j), ZKVM_BUS_RANGE16);
    assert_int_equal(bad_lookups(&j), 1);
    job_free(&j);
    /* a positive result claimed negative: 2 c1 - 2^16 = -2^16 */
    j = job_claiming(ZKVM_OP_MULW, 3, 5, 0xffffffff0000000full);
    set_c(&j, 0xffffffff0000000full);
    expect_only_bus("mulw sign-extended wrongly", check(&j), ZKVM_BUS_RANGE16);
    assert_int_equal(bad_lookups(&j), 1);
    job_free(&j);
}

/* One corruption per range lookup, each satisfying every constraint: a word's two limbs
 * rebalanced (lo + 2^16, hi - 1; or lo + 1, hi - 2^-16 in the field) so that the tuple, and with
 * the operands chosen below the chunk equations, are unchanged while exactly one limb leaves
 * [0, 2^16). The operands: x = (2, 1, 4, 3), y = (7, 0, 9, 0) in 16-bit limbs; with y1 = y3 = 0
 * both chunks are unchanged by either rebalancing of x's limbs (mul.md has the convolution),
 * and symmetrically for y with the roles swapped. c = (14, 7, 46, 30). */
#define OPND_A 0x0003000400010002ull
#define OPND_B 0x0000000900000007ull

static void rebalance(job *j, const char *lo, const char *hi, int lo_out) {
    if (lo_out) {
        *cell(j, lo, 0) = gl_add(*cell(j, lo, 0), 1u << 16);
        *cell(j, hi, 0) = gl_sub(*cell(j, hi, 0), 1);
    } else {
        *cell(j, lo, 0) = gl_add(*cell(j, lo, 0), 1);
        *cell(j, hi, 0) = gl_add(*cell(j, hi, 0), neg_inv_pow2(16));
    }
}

static void test_range_lookups(void **state) {
    (void)state;
    static const struct {
        const char *lo, *hi;
        int lo_out;
        uint64_t x, y;
    } T[] = {
        {"x0", "x1", 1, OPND_A, OPND_B}, {"x0", "x1", 0, OPND_A, OPND_B}, /* x0, x1 */
        {"x2", "x3", 1, OPND_A, OPND_B}, {"x2", "x3", 0, OPND_A, OPND_B}, /* x2, x3 */
        {"y0", "y1", 1, OPND_B, OPND_A}, {"y0", "y1", 0, OPND_B, OPND_A}, /* y0, y1 */
        {"y2", "y3", 1, OPND_B, OPND_A}, {"y2", "y3", 0, OPND_B, OPND_A}, /* y2, y3 */
        {"c0", "c1", 1, OPND_A, OPND_B}, {"c0", "c1", 0, OPND_A, OPND_B}, /* c0, c1 */
        {"c2", "c3", 1, OPND_A, OPND_B}, {"c2", "c3", 0, OPND_A, OPND_B}, /* c2, c3 */
    };
    for (size_t i = 0; i < sizeof T / sizeof T[0]; i++) {
        zkvm_op_record r = rec(ZKVM_OP_MUL, T[i].x, T[i].y);
        assert_int_equal(r.c, 0x001e002e0007000eull);
        job j = job_new(&r, 1);
        rebalance(&j, T[i].lo, T[i].hi, T[i].lo_out);
        char what[64];
        snprintf(what, sizeof what, "%s out of range", T[i].lo_out ? T[i].lo : T[i].hi);
        expect_only_bus(what, check(&j), ZKVM_BUS_RANGE16);
        assert_int_equal(bad_lookups(&j), 1);
        job_free(&j);
    }
}

/* Forged rows that satisfy every constraint, their equations holding in the field but not over
 * the integers, and prove a false tuple: the op bus balances with it, and the one thing out of
 * place is a value outside [0, 2^16), which only its range lookup rejects. First products off
 * by exactly p in a chunk equation (a carry part of 2^32 - 1 or more: why the carries are
 * range-checked limbs, not free field elements), then an operand limb that is no integer below
 * 2^16 (why x and y are range-checked although the tuple's limbs are canonical), then a result
 * word of 2^32 or more. */
static void test_field_forgeries(void **state) {
    (void)state;
    /* 0 * 0 = p = 0xffffffff00000001: chunk_lo reads 0 - 1 - 2^32 (2^32 - 1) = -p, chunk_hi
     * 0 + (2^32 - 1) - (2^32 - 1) - 0 = 0 */
    job j = job_claiming(ZKVM_OP_MUL, 0, 0, 0xffffffff00000001ull);
    set_c(&j, 0xffffffff00000001ull);
    *cell(&j, "k0", 0) = M32;
    expect_only_bus("0 * 0 = p (k0 = 2^32 - 1)", check(&j), ZKVM_BUS_RANGE16);
    assert_int_equal(bad_lookups(&j), 1);
    job_free(&j);
    /* 0 * 0 = 2^32: chunk_hi reads 0 + 0 - 1 - 2^32 (2^32 - 1) = -p */
    j = job_claiming(ZKVM_OP_MUL, 0, 0, TWO32);
    set_c(&j, TWO32);
    *cell(&j, "k1", 0) = M32;
    expect_only_bus("0 * 0 = 2^32 (k1 = 2^32 - 1)", check(&j), ZKVM_BUS_RANGE16);
    assert_int_equal(bad_lookups(&j), 1);
    job_free(&j);
    /* any product claimed as c + 1 - 2^32: c_lo + 1 with K0 + 2^32 - 1 (chunk_lo off by -p),
     * then c_hi - 1 with K1 + 1 (chunk_hi exact) */
    uint64_t x = 0x123456789abcdef1ull, y = 0x0fedcba987654321ull, c = x * y;
    assert_true((c & M32) != M32 && (c >> 32) != 0);
    j = job_claiming(ZKVM_OP_MUL, x, y, c + 1 - TWO32);
    set_c(&j, c + 1 - TWO32);
    *cell(&j, "k0", 0) += M32;
    set_carry1(&j, carry1(&j) + 1);
    expect_only_bus("x * y = c + 1 - 2^32 (k0 + 2^32 - 1)", check(&j), ZKVM_BUS_RANGE16);
    assert_int_equal(bad_lookups(&j), 1);
    job_free(&j);
    /* the tuple's x as sent (canonical), its limbs split off the integers: x0 + 1 and
     * x1 - 2^-16 still make x_lo, and with y1 = 0 the chunks change by 2^16 y3 in the high one
     * only: the row proves x * y + 2^48 y3. Only x1's lookup stops it. */
    x = OPND_A, y = 0x0005000900000007ull, c = x * y;
    uint64_t forged = c + (5ull << 48);
    assert_true((c >> 32) + (5ull << 16) < TWO32); /* the high chunk's carry is unchanged */
    j = job_claiming(ZKVM_OP_MUL, x, y, forged);
    rebalance(&j, "x0", "x1", 0);
    set_c(&j, forged);
    expect_only_bus("x limbs off the integers: x * y + 2^48 y3", check(&j), ZKVM_BUS_RANGE16);
    assert_int_equal(bad_lookups(&j), 1);
    job_free(&j);
    /* a result that is not canonical: the same 64-bit value as (c_lo + 2^32, c_hi - 1), one
     * unit of the carry K0 kept in the low word (c1 + 2^16, K0 - 1, and K0 - 1 in the high
     * chunk matched by c2 - 1); the tuple's c_lo is >= 2^32. Only c1's lookup stops it. */
    x = y = M32, c = x * y; /* c = 0xfffffffe00000001: c1 = 0, c2 = 0xfffe; K0 = 2^17 - 3 */
    j = job_claiming(ZKVM_OP_MUL, x, y, c);
    j.t[0].v[5] = gl_add(j.t[0].v[5], TWO32);
    j.t[0].v[6] = gl_sub(j.t[0].v[6], 1);
    *cell(&j, "c1", 0) += 1u << 16;
    *cell(&j, "c2", 0) -= 1;
    assert_int_equal(*cell(&j, "k0", 0), 0xfffd);
    *cell(&j, "k0", 0) -= 1;
    expect_only_bus("c_lo + 2^32, carry - 1", check(&j), ZKVM_BUS_RANGE16);
    assert_int_equal(bad_lookups(&j), 1);
    job_free(&j);
}

/* ------------------------------------------------------------------------------------------ */
/* 4. A real STARK job                                                                          */
/* ------------------------------------------------------------------------------------------ */

static void test_stark_job(void **state) {
    (void)state;
    ph_test_stark_job(&g_prov, zkvm_mul_trace, OPS, N_OPS, 12, 17, "c0", 0); /* a result limb */
}

static int setup(void **state) {
    (void)state;
    g_mul = zkvm_mul_air();
    g_prov = (ph_provider){"mul", g_mul, zkvm_mul_count_lookups, NULL, NULL, 0, NULL};
    return 0;
}

static int teardown(void **state) {
    (void)state;
    air_free(g_mul);
    ph_teardown();
    return 0;
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_eval_known),      cmocka_unit_test(test_reference),
        cmocka_unit_test(test_shape),           cmocka_unit_test(test_carry_bounds),
        cmocka_unit_test(test_honest),          cmocka_unit_test(test_wrong_results),
        cmocka_unit_test(test_op_bus),          cmocka_unit_test(test_flags),
        cmocka_unit_test(test_carry_bits),      cmocka_unit_test(test_mulw),
        cmocka_unit_test(test_range_lookups),   cmocka_unit_test(test_field_forgeries),
        cmocka_unit_test(test_stark_job),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
