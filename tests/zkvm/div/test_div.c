/*
 * test_div.c: the div provider AIR (src/zkvm/div, docs/zkvm/div.md). (1) zkvm_op_eval on DIV,
 * DIVU, REM and REMU worked out by hand and, over every pair of corner operands, against a
 * shift-and-subtract long division on magnitudes; which ops the AIR takes, its shape (the cost
 * the doc states) and the carry bound it relies on; (2) honest traces (every pair of corner
 * operands for every op, division by zero and MIN / -1 included, random records, padding) pass
 * the checker and balance the job's buses with a sender AIR (the main AIR's stand-in) and the
 * range AIR; (3) single corruptions by a malicious prover, one per constraint and one per
 * lookup, each caught by the named constraint or by the named bus (the lookup corruptions
 * satisfy every constraint: only the range bus stops them), and forged divisions that hold in
 * the field but not over the integers; (4) one real STARK job accepted, and one where only the
 * provider's trace was edited rejected.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "div.h"
#include "provider_harness.h"
#include "zkvm_bus.h"

#define M16 0xffffull
#define M32 0xffffffffull
#define MIN64 0x8000000000000000ull
#define NEG(v) ((uint64_t)0 - (uint64_t)(v))

static air *g_div;
static ph_provider g_prov;

static const zkvm_op OPS[] = {ZKVM_OP_DIV, ZKVM_OP_DIVU, ZKVM_OP_REM, ZKVM_OP_REMU};
#define N_OPS (sizeof OPS / sizeof OPS[0])

/* The harness's helpers, bound to this provider. */
typedef ph_job job;
static zkvm_op_record rec(zkvm_op op, uint64_t x, uint64_t y) { return ph_rec(op, x, y); }
static uint64_t rnd(uint64_t *s) { return ph_rnd(s); }
static job job_new(const zkvm_op_record *r, size_t n) { return ph_job_new(&g_prov, zkvm_div_trace, r, n); }
static job job_of(zkvm_op op, uint64_t x, uint64_t y) {
    zkvm_op_record r = rec(op, x, y);
    return job_new(&r, 1);
}
static void job_free(job *j) { ph_job_free(j); }
static gl_t *cell(job *j, const char *col, size_t row) { return ph_cell(j, col, row); }
static ph_outcome check(job *j) { return ph_check(j); }
static void expect_ok(const char *what, ph_outcome o) { ph_expect_ok(what, o); }
static void expect_caught(const char *what, ph_outcome o, const char *want) { ph_expect_caught(what, o, want); }

static void expect_only_bus(const char *what, ph_outcome o, uint32_t bus) { ph_expect_only_bus(what, o, bus); }
static size_t bad_lookups(job *j) { return ph_bad_lookups(j); }

/* The job's tuple claims c (the provider's c words are set to match, so the op bus balances). */
static void claim_c(job *j, uint64_t c) {
    j->t[0].v[5] = c & M32, j->t[0].v[6] = c >> 32;
    *cell(j, "c_lo", 0) = c & M32, *cell(j, "c_hi", 0) = c >> 32;
}
static void set_limbs(job *j, const char *name, uint64_t v) {
    for (int i = 0; i < 4; i++) {
        char c[8];
        snprintf(c, sizeof c, "%s%d", name, i);
        *cell(j, c, 0) = (v >> (16 * i)) & M16;
    }
}
static void set_k0(job *j, uint64_t k0) {
    *cell(j, "k0", 0) = k0 & M16, *cell(j, "k0_b16", 0) = k0 >> 16;
}
/* The index bits for the most significant differing limb j (0: none set). */
static void set_index(job *jb, unsigned j) {
    *cell(jb, "g1", 0) = j == 1, *cell(jb, "g2", 0) = j == 2, *cell(jb, "g3", 0) = j == 3;
}
static void add_cell(job *j, const char *col, gl_t delta) { *cell(j, col, 0) = gl_add(*cell(j, col, 0), delta); }
static gl_t inv16(void) { return gl_inv(1u << 16); }

/* ------------------------------------------------------------------------------------------ */
/* 1. Reference semantics and shape                                                             */
/* ------------------------------------------------------------------------------------------ */

/* a = q b + r, r < b, by shift-and-subtract (b != 0). */
static void long_div(uint64_t a, uint64_t b, uint64_t *q, uint64_t *r) {
    uint64_t qq = 0, rr = 0;
    for (int i = 63; i >= 0; i--) {
        int top = (int)(rr >> 63);
        rr = rr << 1 | ((a >> i) & 1);
        if (top || rr >= b) rr -= b, qq |= 1ull << i;
    }
    *q = qq, *r = rr;
}
/* RISC-V's DIV/DIVU/REM/REMU from the magnitudes (independent of C's / and %). */
static uint64_t ref_div(zkvm_op op, uint64_t x, uint64_t y) {
    int sgn = op == ZKVM_OP_DIV || op == ZKVM_OP_REM, rem = op == ZKVM_OP_REM || op == ZKVM_OP_REMU;
    if (y == 0) return rem ? x : ~0ull;
    int sx = sgn && (x >> 63), sy = sgn && (y >> 63);
    uint64_t q, r;
    long_div(sx ? NEG(x) : x, sy ? NEG(y) : y, &q, &r);
    if (rem) return sx ? NEG(r) : r;
    return sx != sy ? NEG(q) : q; /* MIN / -1: q = 2^63, the result MIN */
}

static void test_eval_known(void **state) {
    (void)state;
    static const struct {
        zkvm_op op;
        uint64_t x, y, c;
    } K[] = {
        {ZKVM_OP_DIVU, 100, 7, 14},          {ZKVM_OP_REMU, 100, 7, 2},
        {ZKVM_OP_DIV, NEG(7), 2, NEG(3)},    {ZKVM_OP_REM, NEG(7), 2, NEG(1)},
        {ZKVM_OP_DIV, 7, NEG(2), NEG(3)},    {ZKVM_OP_REM, 7, NEG(2), 1},
        {ZKVM_OP_DIV, NEG(7), NEG(2), 3},    {ZKVM_OP_REM, NEG(7), NEG(2), NEG(1)},
        {ZKVM_OP_DIV, 5, 0, ~0ull},          {ZKVM_OP_DIVU, 5, 0, ~0ull},
        {ZKVM_OP_REM, NEG(5), 0, NEG(5)},    {ZKVM_OP_REMU, 5, 0, 5},
        {ZKVM_OP_DIV, MIN64, NEG(1), MIN64}, {ZKVM_OP_REM, MIN64, NEG(1), 0},
        {ZKVM_OP_DIVU, MIN64, NEG(1), 0},    {ZKVM_OP_REMU, MIN64, NEG(1), MIN64},
        {ZKVM_OP_DIV, MIN64, 1, MIN64},      {ZKVM_OP_DIV, MIN64, MIN64, 1},
        {ZKVM_OP_DIVU, ~0ull, 1, ~0ull},     {ZKVM_OP_DIV, 3, 5, 0},
        {ZKVM_OP_DIV, NEG(3), 5, 0},         {ZKVM_OP_REM, NEG(3), 5, NEG(3)},
    };
    for (size_t i = 0; i < sizeof K / sizeof K[0]; i++) {
        uint64_t c = 0;
        assert_true(zkvm_op_eval(zkvm_opc(K[i].op, 0), K[i].x, K[i].y, &c));
        if (c != K[i].c)
            fail_msg("%s(%#llx, %#llx) = %#llx, expected %#llx", zkvm_op_name(K[i].op), (unsigned long long)K[i].x,
                     (unsigned long long)K[i].y, (unsigned long long)c, (unsigned long long)K[i].c);
    }
    uint64_t c;
    assert_false(zkvm_op_eval(zkvm_opc(ZKVM_OP_DIV, 1), 2, 3, &c)); /* no offsets */
    for (unsigned op = 0; op < ZKVM_OP_COUNT + 2; op++) {
        int ours = op == ZKVM_OP_DIV || op == ZKVM_OP_DIVU || op == ZKVM_OP_REM || op == ZKVM_OP_REMU;
        assert_int_equal(zkvm_div_handles((zkvm_op)op), ours);
    }
    assert_null(zkvm_div_fixed(4));
}

/* Limb and sign boundaries; the last one is random. */
static const uint64_t CORNERS[] = {
    0, 1, 2, NEG(1), 0x80000000ull, M32, 0x100000000ull, MIN64, 0x7fffffffffffffffull, NEG(2),
    0xffff, 0x10000, NEG(7), 7, 0xffffffff00000000ull, 0x0000ffff0000ffffull, 0x9d3a5c7e21f08b64ull,
};
#define N_CORNERS (sizeof CORNERS / sizeof CORNERS[0])

static void test_reference(void **state) {
    (void)state;
    for (size_t o = 0; o < N_OPS; o++)
        for (size_t a = 0; a < N_CORNERS; a++)
            for (size_t b = 0; b < N_CORNERS; b++) {
                uint64_t x = CORNERS[a], y = CORNERS[b], c;
                assert_true(zkvm_op_eval(zkvm_opc(OPS[o], 0), x, y, &c));
                if (c != ref_div(OPS[o], x, y))
                    fail_msg("%s(%#llx, %#llx) = %#llx, long division %#llx", zkvm_op_name(OPS[o]),
                             (unsigned long long)x, (unsigned long long)y, (unsigned long long)c,
                             (unsigned long long)ref_div(OPS[o], x, y));
            }
}

/* The cost docs/zkvm/div.md states: 32 stage-1 columns; 17 interactions (the receive and 16
 * range lookups), all of degree 1, paired into 9 groups = 27 base columns; 2 quotient chunks:
 * 32 + 27 + 6 = 65 committed cells per row (arith: 112). And the lookups the trace builder
 * counts: 13 per row, 3 more per signed row. */
static void test_shape(void **state) {
    (void)state;
    assert_int_equal(air_n_cols(g_div, AIR_STAGE1), 32);
    assert_int_equal(air_n_cols(g_div, AIR_FIXED), 0);
    assert_int_equal(air_n_interactions(g_div), 17);
    assert_int_equal(air_n_cols(g_div, AIR_STAGE2), 27);
    assert_int_equal(air_quotient_chunks(g_div), 2);
    zkvm_range_counts *rc = calloc(1, sizeof *rc);
    zkvm_op_record r[3] = {rec(ZKVM_OP_DIV, 3, 5), rec(ZKVM_OP_REMU, 7, 9), rec(ZKVM_OP_REM, NEG(11), 13)};
    gl_t *t = zkvm_div_trace(r, 3, 2, rc);
    size_t total = 0;
    for (size_t v = 0; v < (1u << ZKVM_RANGE_LOG_N); v++) total += rc->counts[v];
    assert_int_equal(total, 3 * 13 + 2 * 3);
    free(t);
    free(rc);
}

/* The carry's bit column is needed: (2^32 - 1)^2 + 2^32 - 2 divided by 2^32 - 1 has P0 near
 * 2^49 and K0 = 2^17 - 3 (div.md, "Bounds"). */
static void test_carry_bound(void **state) {
    (void)state;
    job j = job_of(ZKVM_OP_DIVU, M32 * M32 + M32 - 1, M32);
    assert_int_equal(*cell(&j, "k0", 0) + (*cell(&j, "k0_b16", 0) << 16), (1u << 17) - 3);
    expect_ok("largest carry", check(&j));
    job_free(&j);
}

/* ------------------------------------------------------------------------------------------ */
/* 2. Honest traces                                                                             */
/* ------------------------------------------------------------------------------------------ */

static void test_honest(void **state) {
    (void)state;
    size_t n_rand = 800;
    size_t n = N_OPS * N_CORNERS * N_CORNERS + n_rand;
    zkvm_op_record *r = calloc(n, sizeof *r);
    size_t k = ph_corner_records(r, OPS, N_OPS, CORNERS, N_CORNERS, rec);
    /* random: full words, small divisors (large quotients), sign-extended 32-bit values, a
     * divisor just above the dividend's magnitude, zero divisors */
    uint64_t s = 11;
    for (size_t i = 0; k < n; i++, k++) {
        uint64_t x = rnd(&s), y = rnd(&s);
        switch (i % 5) {
        case 1: y >>= 40 + (y & 15); break;
        case 2: x = (uint64_t)(int64_t)(int32_t)x, y = (uint64_t)(int64_t)(int32_t)(y >> 20); break;
        case 3: y = x + 1; break;
        case 4: if (i % 10 == 4) y = 0; else y = NEG(y >> 50); break;
        default: break;
        }
        r[k] = rec(OPS[k % N_OPS], x, y);
    }
    job j = job_new(r, n);
    expect_ok("corners and random records", check(&j));
    job_free(&j);
    zkvm_op_record one = rec(ZKVM_OP_REM, MIN64, NEG(1));
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

/* The flags, each bit and the index: one corruption each, caught by its name. */
static void test_bits(void **state) {
    (void)state;
    /* act = 2: the row would receive twice */
    job j = job_of(ZKVM_OP_DIVU, 100, 7);
    *cell(&j, "act", 0) = 2;
    expect_caught("act = 2", check(&j), "act");
    job_free(&j);
    /* u = 2 on a DIV row: opc 22, the row would pass a DIV off as a REM */
    j = job_of(ZKVM_OP_DIV, 100, 7);
    *cell(&j, "u", 0) = 2;
    expect_caught("u = 2", check(&j), "u");
    job_free(&j);
    /* rem = 2: opc 24 (MULW) */
    j = job_of(ZKVM_OP_DIV, 100, 7);
    *cell(&j, "rem", 0) = 2;
    expect_caught("rem = 2", check(&j), "rem");
    job_free(&j);
    /* u on a padding row: act - u = -1 would cancel a signed row's out-of-range sign lookups */
    j = job_of(ZKVM_OP_DIV, 100, 7);
    *cell(&j, "u", 1) = 1;
    expect_caught("u on a padding row", check(&j), "u_act");
    job_free(&j);
    static const char *const BITS[] = {"s_x", "s_y", "s_q", "s_r", "k0_b16", "dz", "g1", "g2", "g3"};
    for (size_t i = 0; i < sizeof BITS / sizeof BITS[0]; i++) {
        j = job_of(ZKVM_OP_DIV, NEG(100), 7);
        *cell(&j, BITS[i], 0) = 2;
        char what[32];
        snprintf(what, sizeof what, "%s = 2", BITS[i]);
        expect_caught(what, check(&j), BITS[i]);
        job_free(&j);
    }
    /* two index bits: g0 = 1 - g1 - g2 = -1 */
    j = job_of(ZKVM_OP_DIVU, 0x50000, 0x30000); /* index 1 */
    assert_int_equal(*cell(&j, "g1", 0), 1);
    *cell(&j, "g2", 0) = 1;
    expect_caught("two index bits", check(&j), "g0");
    job_free(&j);
}

/* Signs: unsigned rows have none; the remainder takes x's sign unless it is 0, the quotient
 * s_x XOR s_y unless it is 0. Each forgery moves only the sign (the magnitudes are the honest
 * ones), so the named rule is what stops it. */
static void test_signs(void **state) {
    (void)state;
    /* DIVU of 2^64 - 7 by 2 read as -7 / 2: q~ = 2 with s_q = 1 (c = -3), s_x = 1; the magnitude
     * identity |x| = 3 * 2 + 1 holds */
    job j = job_of(ZKVM_OP_DIVU, NEG(7), 2);
    *cell(&j, "s_x", 0) = 1, *cell(&j, "s_q", 0) = 1, *cell(&j, "s_r", 0) = 1;
    set_limbs(&j, "q", 2), set_limbs(&j, "r", 0), set_k0(&j, 1);
    *cell(&j, "d", 0) = 1, *cell(&j, "inv", 0) = 1;
    claim_c(&j, NEG(3));
    expect_caught("unsigned read as signed", check(&j), "u_sx");
    job_free(&j);
    j = job_of(ZKVM_OP_DIVU, 7, NEG(2));
    *cell(&j, "s_y", 0) = 1;
    expect_caught("unsigned y read as signed", check(&j), "u_sy");
    job_free(&j);
    /* REM(7, 2) claimed -1: s_r = 1 on a positive x (r~ = 0) */
    j = job_of(ZKVM_OP_REM, 7, 2);
    *cell(&j, "s_r", 0) = 1;
    set_limbs(&j, "r", 0);
    *cell(&j, "d", 0) = 1, *cell(&j, "inv", 0) = 1;
    claim_c(&j, NEG(1));
    expect_caught("remainder negative, x positive", check(&j), "r_sign");
    job_free(&j);
    /* REM(-7, 2) claimed +1: a remainder with the wrong sign (R = 1 either way) */
    j = job_of(ZKVM_OP_REM, NEG(7), 2);
    *cell(&j, "s_r", 0) = 0;
    set_limbs(&j, "r", 1);
    *cell(&j, "inv", 0) = 0, *cell(&j, "d", 0) = 0;
    claim_c(&j, 1);
    expect_caught("remainder positive, x negative", check(&j), "r_zero");
    job_free(&j);
    /* DIV(7, 2) claimed -3 */
    j = job_of(ZKVM_OP_DIV, 7, 2);
    *cell(&j, "s_q", 0) = 1;
    set_limbs(&j, "q", 2);
    claim_c(&j, NEG(3));
    expect_caught("quotient negative, signs equal", check(&j), "q_sign");
    job_free(&j);
    /* DIV(-7, 2) claimed +3 */
    j = job_of(ZKVM_OP_DIV, NEG(7), 2);
    *cell(&j, "s_q", 0) = 0;
    set_limbs(&j, "q", 3);
    claim_c(&j, 3);
    expect_caught("quotient positive, signs differ", check(&j), "q_zero");
    job_free(&j);
}

/* The product identity and the result. */
static void test_equations(void **state) {
    (void)state;
    /* DIVU(100, 7) claimed 15 (q~ + 1): the low chunk is off by 7 */
    job j = job_of(ZKVM_OP_DIVU, 100, 7);
    set_limbs(&j, "q", 15);
    claim_c(&j, 15);
    expect_caught("quotient + 1", check(&j), "chunk_lo");
    job_free(&j);
    /* REMU claimed with the high word of the remainder + 1 */
    uint64_t x = 0x123456789abcdef0ull, y = 0x100000000ull;
    j = job_of(ZKVM_OP_REMU, x, y);
    *cell(&j, "r2", 0) += 1;
    claim_c(&j, (x % y) + (1ull << 32));
    expect_caught("remainder high word + 1", check(&j), "chunk_hi");
    job_free(&j);
    /* 0 / 2^32 = 2^32: q y = 2^64 wraps to 0 mod 2^64, both chunks hold; only the high terms
     * (q2 y2 = 1) see it */
    j = job_of(ZKVM_OP_DIVU, 0, 1ull << 32);
    set_limbs(&j, "q", 1ull << 32);
    claim_c(&j, 1ull << 32);
    expect_caught("0 / 2^32 = 2^32", check(&j), "high");
    job_free(&j);
    /* 5 / 3 claimed as a division by zero (5 / 0 = all ones) */
    j = job_of(ZKVM_OP_DIVU, 5, 3);
    *cell(&j, "dz", 0) = 1;
    expect_caught("dz on a nonzero divisor", check(&j), "dz_y");
    job_free(&j);
    /* 5 / 0 = 7 (r = 5 still holds x = q 0 + r) */
    j = job_of(ZKVM_OP_DIVU, 5, 0);
    set_limbs(&j, "q", 7);
    claim_c(&j, 7);
    expect_caught("5 / 0 = 7", check(&j), "dz_q");
    job_free(&j);
    /* the result words */
    j = job_of(ZKVM_OP_DIV, NEG(100), 7);
    claim_c(&j, NEG(14) + 1);
    expect_caught("c_lo", check(&j), "c_lo");
    job_free(&j);
    j = job_of(ZKVM_OP_REM, NEG(100), 7);
    claim_c(&j, NEG(2) + (1ull << 32));
    expect_caught("c_hi", check(&j), "c_hi");
    job_free(&j);
}

/* The comparison R < |y|: a wrong index, a wrong d, and |r| = |y| on a negative remainder. */
static void test_comparison(void **state) {
    (void)state;
    /* r~ and y~ differ in limb 3 (index 3), claimed at 2, 1, 0: the limbs above disagree */
    static const struct {
        uint64_t y;
        unsigned j, claimed;
        const char *want;
    } T[] = {
        {0x0005000000000000ull, 3, 2, "eq3"},
        {0x0000000500000000ull, 2, 1, "eq2"},
        {0x0000000000050000ull, 1, 0, "eq1"},
    };
    for (size_t i = 0; i < sizeof T / sizeof T[0]; i++) {
        job j = job_of(ZKVM_OP_REMU, 3 * T[i].y + 1, T[i].y);
        set_index(&j, T[i].claimed);
        expect_caught(T[i].want, check(&j), T[i].want);
        job_free(&j);
    }
    job j = job_of(ZKVM_OP_REMU, 100, 7);
    add_cell(&j, "d", 1);
    expect_caught("d + 1", check(&j), "cmp_d");
    job_free(&j);
    /* REM(-7, 7) = 0 forged as -7 (q = 0, |r| = 7 = |y|): r~ = 6 < y~ = 7, d = 0 is in range;
     * |y| - |r| = 0 has no inverse */
    j = job_of(ZKVM_OP_REM, NEG(7), 7);
    set_limbs(&j, "q", 0);
    *cell(&j, "s_q", 0) = 0;
    set_limbs(&j, "r", 6);
    *cell(&j, "s_r", 0) = 1;
    *cell(&j, "d", 0) = 0;
    *cell(&j, "inv", 0) = 1;
    claim_c(&j, NEG(7));
    expect_caught("|r| = |y|", check(&j), "cmp_inv");
    job_free(&j);
}

/* The op receive: what the row proves is received only as the tuple its columns make. */
static void test_op_bus(void **state) {
    (void)state;
    job j = ph_job_claiming(&g_prov, zkvm_div_trace, ZKVM_OP_DIVU, 100, 7, 15);
    expect_only_bus("wrong c, honest trace", check(&j), ZKVM_BUS_OP);
    job_free(&j);
    /* DIVU(6, 3) = 2 = DIV(6, 3): only the opc differs */
    j = job_of(ZKVM_OP_DIVU, 6, 3);
    *cell(&j, "u", 0) = 0;
    expect_only_bus("divu as div", check(&j), ZKVM_BUS_OP);
    job_free(&j);
    /* a padding row that proves and receives REMU(0, 0) = 0, which nobody sent (dz, q~ all
     * ones) */
    zkvm_op_record r = rec(ZKVM_OP_DIVU, 1, 1);
    j = job_new(&r, 1);
    size_t last = ((size_t)1 << j.log_n) - 1;
    *cell(&j, "act", last) = 1, *cell(&j, "u", last) = 1, *cell(&j, "rem", last) = 1;
    *cell(&j, "dz", last) = 1;
    for (int i = 0; i < 4; i++) {
        char c[4];
        snprintf(c, sizeof c, "q%d", i);
        *cell(&j, c, last) = M16;
    }
    expect_only_bus("phantom row", check(&j), ZKVM_BUS_OP);
    job_free(&j);
}

/* One corruption per range lookup, each satisfying every constraint and leaving exactly one
 * looked-up value out of [0, 2^16): a word's two limbs rebalanced (lo + 2^16, hi - 1; or lo + 1,
 * hi - 2^-16 in the field), with operands for which the product's limb terms do not move (div.md
 * has the convolution) and a comparison index above the limbs touched. */
static void rebalance(job *j, const char *lo, const char *hi, int lo_out) {
    if (lo_out) {
        add_cell(j, lo, 1u << 16);
        add_cell(j, hi, gl_neg(1));
    } else {
        add_cell(j, lo, 1);
        add_cell(j, hi, gl_neg(inv16()));
    }
}

static void test_range_lookups(void **state) {
    (void)state;
    /* y: q = 5 (only q0), y = (4, 3, 2, 2): index 3, d = 1 */
    uint64_t y = 0x0002000200030004ull, x = 5 * y + 0x12345; /* r = (0x2345, 1, 0, 0) */
    for (int lo_out = 0; lo_out < 2; lo_out++) {
        job j = job_of(ZKVM_OP_DIVU, x, y);
        rebalance(&j, "y0", "y1", lo_out);
        expect_only_bus(lo_out ? "y0 out of range" : "y1 out of range", check(&j), ZKVM_BUS_RANGE16);
        assert_int_equal(bad_lookups(&j), 1);
        job_free(&j);
    }
    /* y2 + 2^16, y3 - 1: y~3 - r~3 - 1 = d drops by one (still in range) */
    job j = job_of(ZKVM_OP_DIVU, x, y);
    rebalance(&j, "y2", "y3", 1);
    add_cell(&j, "d", gl_neg(1));
    expect_only_bus("y2 out of range", check(&j), ZKVM_BUS_RANGE16);
    assert_int_equal(bad_lookups(&j), 1);
    job_free(&j);
    /* q~: y = 7 (only y0) and any q: every limb product moves by a multiple of y1..y3 = 0 */
    uint64_t q = 0x0003000400010002ull;
    static const char *const QL[4] = {"q0", "q1", "q2", "q3"};
    for (int w = 0; w < 2; w++)
        for (int lo_out = 0; lo_out < 2; lo_out++) {
            j = job_of(ZKVM_OP_DIVU, 7 * q + 6, 7);
            rebalance(&j, QL[2 * w], QL[2 * w + 1], lo_out);
            char what[32];
            snprintf(what, sizeof what, "%s out of range", lo_out ? QL[2 * w] : QL[2 * w + 1]);
            expect_only_bus(what, check(&j), ZKVM_BUS_RANGE16);
            assert_int_equal(bad_lookups(&j), 1);
            job_free(&j);
        }
    /* r~ low word, index 3 */
    for (int lo_out = 0; lo_out < 2; lo_out++) {
        j = job_of(ZKVM_OP_REMU, x, y);
        rebalance(&j, "r0", "r1", lo_out);
        expect_only_bus(lo_out ? "r0 out of range" : "r1 out of range", check(&j), ZKVM_BUS_RANGE16);
        assert_int_equal(bad_lookups(&j), 1);
        job_free(&j);
    }
    /* r~ high word on a division by zero (no comparison): r = x */
    for (int lo_out = 0; lo_out < 2; lo_out++) {
        j = job_of(ZKVM_OP_REMU, x, 0);
        rebalance(&j, "r2", "r3", lo_out);
        expect_only_bus(lo_out ? "r2 out of range" : "r3 out of range", check(&j), ZKVM_BUS_RANGE16);
        assert_int_equal(bad_lookups(&j), 1);
        job_free(&j);
    }
    /* the sign checks: a_x + 2^16, l_x - 1 */
    j = job_of(ZKVM_OP_DIV, NEG(100), 7);
    add_cell(&j, "a_x", 1u << 16);
    expect_only_bus("a_x out of range", check(&j), ZKVM_BUS_RANGE16);
    assert_int_equal(bad_lookups(&j), 1);
    job_free(&j);
}

/* Forged divisions whose equations hold in the field but not over the integers, or whose one
 * inequality fails: every constraint holds, the op bus balances with the false tuple, and the
 * one thing out of place is a value outside [0, 2^16) that only its range lookup rejects. */
static void test_forgeries(void **state) {
    (void)state;
    /* a wrong quotient with r >= y: 100 / 7 = 13 (r = 9): d = 7 - 9 - 1 = -3 */
    job j = job_of(ZKVM_OP_DIVU, 100, 7);
    set_limbs(&j, "q", 13), set_limbs(&j, "r", 9);
    *cell(&j, "d", 0) = gl_neg(3);
    claim_c(&j, 13);
    expect_only_bus("100 / 7 = 13, r = 9", check(&j), ZKVM_BUS_RANGE16);
    assert_int_equal(bad_lookups(&j), 1);
    job_free(&j);
    /* the same with r = r + y agreeing with y down to limb 0: x / (5 2^32) = 2, r = y + 0x10
     * (index 0, d = 0 - 0x10 - 1) */
    uint64_t y = 0x0000000500000000ull, x = 3 * y + 0x10;
    j = job_of(ZKVM_OP_DIVU, x, y);
    set_limbs(&j, "q", 2), set_limbs(&j, "r", y + 0x10);
    set_index(&j, 0);
    *cell(&j, "d", 0) = gl_neg(0x11);
    claim_c(&j, 2);
    expect_only_bus("x / y = q - 1, r = r + y", check(&j), ZKVM_BUS_RANGE16);
    assert_int_equal(bad_lookups(&j), 1);
    job_free(&j);
    /* a product that wraps p: x / 1 = x - p for x = 2^64 - 2^32 + 5 = p + 4. With q = 4 the low
     * chunk reads 4 - 5 - 2^32 K0, balanced by K0 = 2^32 - 1 (2^32 (2^32 - 1) = -1 mod p); the
     * high chunk reads 0 + K0 - (2^32 - 1) = 0 */
    x = 0xffffffff00000005ull;
    j = job_of(ZKVM_OP_DIVU, x, 1);
    set_limbs(&j, "q", 4);
    *cell(&j, "k0", 0) = M32;
    claim_c(&j, 4);
    expect_only_bus("(p + 4) / 1 = 4 (k0 = 2^32 - 1)", check(&j), ZKVM_BUS_RANGE16);
    assert_int_equal(bad_lookups(&j), 1);
    job_free(&j);
    /* x's sign forged: DIV(-6, 3) computed on 2^64 - 6 read as positive (q = 0x5555...53,
     * r = 1, c = q; it is -2): x_hi + 2^31 >= 2^32, so one of a_x, l_x leaves the table; first
     * l_x = 0xffff with a_x taking the rest, then a_x the honest low half */
    x = NEG(6);
    uint64_t q = x / 3, rr = x % 3;
    j = job_of(ZKVM_OP_DIV, x, 3);
    *cell(&j, "s_x", 0) = 0, *cell(&j, "s_q", 0) = 0, *cell(&j, "s_r", 0) = 0;
    set_limbs(&j, "q", q), set_limbs(&j, "r", rr);
    set_k0(&j, ((q & M32) * 3 + rr - (x & M32)) >> 32);
    *cell(&j, "inv", 0) = 0;
    *cell(&j, "d", 0) = 3 - rr - 1;
    *cell(&j, "a_x", 0) = (x >> 32) + (1ull << 31) - (M16 << 16);
    claim_c(&j, q);
    expect_only_bus("x's sign forged (a_x)", check(&j), ZKVM_BUS_RANGE16);
    assert_int_equal(bad_lookups(&j), 1);
    /* ... and with a_x the honest low half, l_x leaves the table */
    *cell(&j, "a_x", 0) = (x >> 32) & M16;
    expect_only_bus("x's sign forged (l_x)", check(&j), ZKVM_BUS_RANGE16);
    assert_int_equal(bad_lookups(&j), 1);
    job_free(&j);
    /* y's sign forged: DIV(7, -2) with y read as 2^64 - 2: q = 0, r = 7, c = 0 (it is -3);
     * 2 y3 - 0 = 0x1fffe */
    j = job_of(ZKVM_OP_DIV, 7, NEG(2));
    *cell(&j, "s_y", 0) = 0, *cell(&j, "s_q", 0) = 0;
    set_limbs(&j, "q", 0), set_limbs(&j, "r", 7), set_k0(&j, 0);
    set_index(&j, 3);
    *cell(&j, "d", 0) = M16 - 0 - 1;
    claim_c(&j, 0);
    expect_only_bus("y's sign forged", check(&j), ZKVM_BUS_RANGE16);
    assert_int_equal(bad_lookups(&j), 1);
    job_free(&j);
}

/* y3 has no lookup of its own: moved off the integers (y2 - 1, y3 + 2^-16, so y_hi is the same
 * field element), the comparison's limb 3 is no longer an integer, and d's lookup (index 3) or
 * eq3 (a lower index) rejects it. */
static void test_y3(void **state) {
    (void)state;
    uint64_t y = 0x0001000200030004ull, x = 5 * y + 0x1234;
    job j = job_of(ZKVM_OP_DIVU, x, y);
    add_cell(&j, "y2", gl_neg(1));
    add_cell(&j, "y3", inv16());
    add_cell(&j, "d", inv16());
    expect_only_bus("y3 off the integers (index 3)", check(&j), ZKVM_BUS_RANGE16);
    assert_int_equal(bad_lookups(&j), 1);
    job_free(&j);
    j = job_of(ZKVM_OP_REMU, 0x0001000100000005ull, 0x0001000100000007ull);
    assert_int_equal(*cell(&j, "g3", 0), 0);
    add_cell(&j, "y2", gl_neg(1));
    add_cell(&j, "y3", inv16());
    expect_caught("y3 off the integers (index 0)", check(&j), "eq3");
    job_free(&j);
}

/* ------------------------------------------------------------------------------------------ */
/* 4. A real STARK job                                                                          */
/* ------------------------------------------------------------------------------------------ */

static void test_stark_job(void **state) {
    (void)state;
    ph_test_stark_job(&g_prov, zkvm_div_trace, OPS, N_OPS, 12, 23, "c_lo", 0); /* a result word */
}

static int setup(void **state) {
    (void)state;
    g_div = zkvm_div_air();
    g_prov = (ph_provider){"div", g_div, zkvm_div_count_lookups, NULL, NULL, 0, NULL};
    return 0;
}

static int teardown(void **state) {
    (void)state;
    air_free(g_div);
    ph_teardown();
    return 0;
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_eval_known),    cmocka_unit_test(test_reference),
        cmocka_unit_test(test_shape),         cmocka_unit_test(test_carry_bound),
        cmocka_unit_test(test_honest),        cmocka_unit_test(test_bits),
        cmocka_unit_test(test_signs),         cmocka_unit_test(test_equations),
        cmocka_unit_test(test_comparison),    cmocka_unit_test(test_op_bus),
        cmocka_unit_test(test_range_lookups), cmocka_unit_test(test_forgeries),
        cmocka_unit_test(test_y3),            cmocka_unit_test(test_stark_job),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
