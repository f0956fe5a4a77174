/*
 * test_cmp.c: the cmp provider AIR (src/zkvm/cmp, docs/zkvm/cmp.md). (1) zkvm_op_eval on the 13
 * ops worked out by hand, and against a reference written here another way (signed order by
 * flipping the sign bit, W forms by arithmetic sign extension) over every pair of corner
 * operands; which ops the AIR takes and its shape (the cost the doc states); (2) honest traces
 * (every pair of corner operands for every op, random records of several kinds, padding) pass
 * the checker and balance the job's buses with a sender AIR (the main AIR's stand-in) and the
 * range AIR; (3) single corruptions by a malicious prover, at least one per constraint (each
 * caught by that constraint) and per lookup (caught by the range bus), among them forgeries that
 * satisfy every constraint in the field and fail only a range lookup; (4) one real STARK job
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

#include "cmp.h"
#include "provider_harness.h"

#define M16 0xffffull
#define M32 0xffffffffull
#define MIN64 0x8000000000000000ull
#define TWO31 0x80000000ull
#define TWO32 0x100000000ull

static air *g_cmp;
static ph_provider g_prov;

static const zkvm_op OPS[] = {
    ZKVM_OP_SLT,  ZKVM_OP_SLTU, ZKVM_OP_GE,   ZKVM_OP_GEU,   ZKVM_OP_MIN,   ZKVM_OP_MAX,  ZKVM_OP_MINU,
    ZKVM_OP_MAXU, ZKVM_OP_MINW, ZKVM_OP_MAXW, ZKVM_OP_MINUW, ZKVM_OP_MAXUW, ZKVM_OP_JALR,
};
#define N_OPS (sizeof OPS / sizeof OPS[0])

/* The harness's helpers, bound to this provider. */
typedef ph_job job;
static zkvm_op_record rec(zkvm_op op, uint64_t x, uint64_t y) { return ph_rec(op, x, y); }
static uint64_t rnd(uint64_t *s) { return ph_rnd(s); }
static job job_new(const zkvm_op_record *r, size_t n) { return ph_job_new(&g_prov, zkvm_cmp_trace, r, n); }
static void job_free(job *j) { ph_job_free(j); }
static gl_t *cell(job *j, const char *col, size_t row) { return ph_cell(j, col, row); }
static ph_outcome check(job *j) { return ph_check(j); }
static void expect_ok(const char *what, ph_outcome o) { ph_expect_ok(what, o); }
static void expect_caught(const char *what, ph_outcome o, const char *want) { ph_expect_caught(what, o, want); }
static job job_claiming(zkvm_op op, uint64_t x, uint64_t y, uint64_t bad_c) {
    return ph_job_claiming(&g_prov, zkvm_cmp_trace, op, x, y, bad_c);
}

/* ------------------------------------------------------------------------------------------ */
/* 1. Reference semantics and shape                                                             */
/* ------------------------------------------------------------------------------------------ */

static void test_eval_known(void **state) {
    (void)state;
    static const struct {
        zkvm_op op;
        uint64_t x, y, c;
    } K[] = {
        {ZKVM_OP_SLT, (uint64_t)-1, 0, 1},
        {ZKVM_OP_SLT, 0, (uint64_t)-1, 0},
        {ZKVM_OP_SLT, MIN64, MIN64 - 1, 1},
        {ZKVM_OP_SLT, TWO31, 0, 0}, /* bit 31 is not the sign of a 64-bit value */
        {ZKVM_OP_SLT, 5, 5, 0},
        {ZKVM_OP_SLTU, 1, (uint64_t)-1, 1},
        {ZKVM_OP_SLTU, (uint64_t)-1, 1, 0},
        {ZKVM_OP_SLTU, M32, TWO32, 1},
        {ZKVM_OP_GE, 5, 5, 1},
        {ZKVM_OP_GE, (uint64_t)-2, (uint64_t)-1, 0},
        {ZKVM_OP_GE, 0, MIN64, 1},
        {ZKVM_OP_GEU, 0, 0, 1},
        {ZKVM_OP_GEU, TWO32, M32, 1},
        {ZKVM_OP_GEU, 3, 5, 0},
        {ZKVM_OP_MIN, (uint64_t)-1, 1, (uint64_t)-1},
        {ZKVM_OP_MAX, (uint64_t)-1, 1, 1},
        {ZKVM_OP_MINU, (uint64_t)-1, 1, 1},
        {ZKVM_OP_MAXU, (uint64_t)-1, 1, (uint64_t)-1},
        {ZKVM_OP_MIN, 7 + 3 * TWO32, 5 + 3 * TWO32, 5 + 3 * TWO32},
        {ZKVM_OP_MINW, TWO31, 0, 0xffffffff80000000ull},
        {ZKVM_OP_MAXW, TWO31, 0, 0},
        {ZKVM_OP_MINW, 5 + TWO32, 3, 3}, /* the high words are ignored */
        {ZKVM_OP_MAXW, 0xdeadbeef7fffffffull, 0x1234567880000000ull, 0x7fffffff},
        {ZKVM_OP_MINUW, TWO31, 1, 1},
        {ZKVM_OP_MAXUW, TWO31, 1, 0xffffffff80000000ull}, /* unsigned order, sign-extended result */
        {ZKVM_OP_MAXUW, 0xffffffff00000005ull, 3, 5},
        {ZKVM_OP_JALR, 0x1000, 5, 0x1004},
        {ZKVM_OP_JALR, 1, 2, 2},
        {ZKVM_OP_JALR, (uint64_t)-1, 0, (uint64_t)-2},
        {ZKVM_OP_JALR, M32, 1, TWO32},
        {ZKVM_OP_JALR, (uint64_t)-1, 2, 0},
    };
    for (size_t i = 0; i < sizeof K / sizeof K[0]; i++) {
        uint64_t c = 0;
        assert_true(zkvm_op_eval(zkvm_opc(K[i].op, 0), K[i].x, K[i].y, &c));
        if (c != K[i].c)
            fail_msg("%s(%#llx, %#llx) = %#llx, expected %#llx", zkvm_op_name(K[i].op), (unsigned long long)K[i].x,
                     (unsigned long long)K[i].y, (unsigned long long)c, (unsigned long long)K[i].c);
    }
    uint64_t c;
    assert_false(zkvm_op_eval(zkvm_opc(ZKVM_OP_SLT, 1), 2, 3, &c)); /* no offsets */
    for (unsigned op = 0; op < ZKVM_OP_COUNT + 2; op++) {
        int ours = 0;
        for (size_t i = 0; i < N_OPS; i++) ours |= OPS[i] == (zkvm_op)op;
        assert_int_equal(zkvm_cmp_handles((zkvm_op)op), ours);
    }
    assert_null(zkvm_cmp_fixed(4));
}

/* Corner operands: word boundaries, sign boundaries of both words, words equal in one limb. */
static const uint64_t CORNERS[] = {
    0,
    1,
    2,
    0x7fffffff,
    TWO31,
    M32,
    TWO32,
    TWO32 + 1,
    0x7fffffffffffffffull,
    MIN64,
    (uint64_t)-1,
    (uint64_t)-2,
    0xffffffff80000000ull,
    0xffffffff7fffffffull,
    0x80000000ffffffffull,
    0x7fffffff80000000ull,
    0xdeadbeef00000005ull,
    0xdeadbeef80000005ull,
};
#define N_CORNERS (sizeof CORNERS / sizeof CORNERS[0])

/* The semantics written another way: signed order as the unsigned order of the values with their
 * sign bit flipped, W results by arithmetic sign extension, JALR by subtracting the low bit. */
static uint64_t reference(zkvm_op op, uint64_t x, uint64_t y) {
    uint64_t xw = x & M32, yw = y & M32;
    int ltu = x < y, lts = (x ^ MIN64) < (y ^ MIN64);
    int ltuw = xw < yw, ltsw = (xw ^ TWO31) < (yw ^ TWO31);
    uint64_t s = x + y;
#define SEXT(w) (((w) ^ TWO31) - TWO31)
    switch (op) {
    case ZKVM_OP_SLT: return (uint64_t)lts;
    case ZKVM_OP_SLTU: return (uint64_t)ltu;
    case ZKVM_OP_GE: return (uint64_t)!lts;
    case ZKVM_OP_GEU: return (uint64_t)!ltu;
    case ZKVM_OP_MIN: return lts ? x : y;
    case ZKVM_OP_MAX: return lts ? y : x;
    case ZKVM_OP_MINU: return ltu ? x : y;
    case ZKVM_OP_MAXU: return ltu ? y : x;
    case ZKVM_OP_MINW: return SEXT(ltsw ? xw : yw);
    case ZKVM_OP_MAXW: return SEXT(ltsw ? yw : xw);
    case ZKVM_OP_MINUW: return SEXT(ltuw ? xw : yw);
    case ZKVM_OP_MAXUW: return SEXT(ltuw ? yw : xw);
    case ZKVM_OP_JALR: return s - (s & 1);
    default: fail_msg("not a cmp op: %u", (unsigned)op); return 0;
    }
#undef SEXT
}

static void test_reference(void **state) {
    (void)state;
    for (size_t o = 0; o < N_OPS; o++)
        for (size_t a = 0; a < N_CORNERS; a++)
            for (size_t b = 0; b < N_CORNERS; b++) {
                uint64_t x = CORNERS[a], y = CORNERS[b], c = 0, want = reference(OPS[o], x, y);
                assert_true(zkvm_op_eval(zkvm_opc(OPS[o], 0), x, y, &c));
                if (c != want)
                    fail_msg("%s(%#llx, %#llx) = %#llx, reference %#llx", zkvm_op_name(OPS[o]),
                             (unsigned long long)x, (unsigned long long)y, (unsigned long long)c,
                             (unsigned long long)want);
            }
}

/* The cost docs/zkvm/cmp.md states: 21 stage-1 columns; 7 interactions (the op receive, of
 * degree 2 and alone in its bus group, and 6 lookups paired two per group): 4 groups, 3 helper
 * columns and the accumulator = 4 extension columns = 12 base columns; 2 quotient chunks:
 * 21 + 12 + 2 * 3 = 39 committed cells per row (binary: 85). */
static void test_shape(void **state) {
    (void)state;
    assert_int_equal(air_n_cols(g_cmp, AIR_STAGE1), 21);
    assert_int_equal(air_n_cols(g_cmp, AIR_FIXED), 0);
    assert_int_equal(air_n_interactions(g_cmp), 7);
    assert_int_equal(air_n_bus_groups(g_cmp), 4);
    assert_int_equal(air_n_cols(g_cmp, AIR_STAGE2), 12);
    assert_int_equal(air_quotient_chunks(g_cmp), 2);
    assert_int_equal(air_n_cols(g_cmp, AIR_STAGE1) + air_n_cols(g_cmp, AIR_STAGE2) + 3 * air_quotient_chunks(g_cmp),
                     39);
    /* six lookups per record, none on padding rows, the same from the builder and the counter */
    zkvm_range_counts *rc = calloc(2, sizeof *rc);
    zkvm_op_record r[N_OPS];
    for (size_t i = 0; i < N_OPS; i++) r[i] = rec(OPS[i], 0x123456789abcdefull * (i + 1), 0xfedcba987654321ull * i);
    gl_t *t = zkvm_cmp_trace(r, N_OPS, 5, &rc[0]);
    assert_int_equal(zkvm_cmp_count_lookups(t, 5, &rc[1]), 0);
    uint64_t total = 0;
    for (size_t v = 0; v < (1u << ZKVM_RANGE_LOG_N); v++) {
        assert_int_equal(rc[0].counts[v], rc[1].counts[v]);
        total += rc[0].counts[v];
    }
    assert_int_equal(total, 6 * N_OPS);
    free(t);
    free(rc);
}

/* ------------------------------------------------------------------------------------------ */
/* 2. Honest traces                                                                             */
/* ------------------------------------------------------------------------------------------ */

static void test_honest(void **state) {
    (void)state;
    size_t n_rand = 1300;
    size_t n = N_OPS * N_CORNERS * N_CORNERS + n_rand;
    zkvm_op_record *r = calloc(n, sizeof *r);
    size_t k = ph_corner_records(r, OPS, N_OPS, CORNERS, N_CORNERS, rec);
    /* random pairs: unrelated, equal, equal high words, one bit apart, low words near 2^31 */
    uint64_t s = 5;
    for (size_t i = 0; k < n; i++, k++) {
        uint64_t x = rnd(&s), y = rnd(&s);
        switch (i % 5) {
        case 1: y = x; break;
        case 2: y = (x & ~M32) | (y & M32); break;
        case 3: y = x ^ (1ull << (y & 63)); break;
        case 4: x = (x & ~M32) | ((TWO31 + (x & 7) - 4) & M32), y = (y & ~M32) | ((TWO31 + (y & 7) - 4) & M32); break;
        default: break;
        }
        r[k] = rec(OPS[(i / 5) % N_OPS], x, y);
    }
    job j = job_new(r, n);
    expect_ok("corners and random records", check(&j));
    job_free(&j);
    /* a single record, and a trace that is all padding */
    zkvm_op_record one = rec(ZKVM_OP_JALR, 3, 4);
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

#define INV_2_16 0xfffeffff00010001ull /* 2^-16 mod p */
#define INV_2_32 0xfffffffe00000002ull /* 2^-32 mod p */

/* Row 0 of a job, edited coherently: the helpers below recompute what the AIR derives from the
 * cells a test forges, so that only the targeted constraint or lookup can fail. */
static gl_t get(job *j, const char *c) { return *cell(j, c, 0); }
static void set(job *j, const char *c, gl_t v) { *cell(j, c, 0) = v; }

/* The compared word of x ("x") or y ("y") given as its sign-flipped value v = w + 2^31 - 2^32 s
 * (any field element; in [0, 2^32) for an honest row) with sign bit s: writes w, s and the low
 * half a = v mod 2^16, so the high-half lookup (v - a) / 2^16 is v >> 16. */
static void put_flipped(job *j, char which, gl_t v, gl_t s) {
    char w[4] = {which, '_', 'c', 0}, sn[4] = {'s', '_', which, 0}, an[4] = {'a', '_', which, 0};
    set(j, w, gl_sub(gl_add(v, gl_mul(s, TWO32)), TWO31));
    set(j, sn, s);
    set(j, an, v & M16);
}
/* An honest decomposition of a 32-bit compared word. */
static void put_word(job *j, char which, uint64_t word) { put_flipped(j, which, word ^ TWO31, word >> 31); }

/* d0, d1 such that "cmp" holds: d = x_c - y_c + 2^32 ((r XOR n) - sg (s_x - s_y)), d0 = d mod 2^16
 * and d1 = (d - d0) / 2^16 (out of range when d is not in [0, 2^32)). */
static void fix_d(job *j) {
    gl_t r = get(j, "r"), n = get(j, "n");
    gl_t sg = get(j, "u") ? 0 : gl_add(get(j, "h"), get(j, "f_selw"));
    gl_t beta = gl_sub(gl_sub(gl_add(r, n), gl_mul(2, gl_mul(r, n))), gl_mul(sg, gl_sub(get(j, "s_x"), get(j, "s_y"))));
    gl_t d = gl_add(gl_sub(get(j, "x_c"), get(j, "y_c")), gl_mul(TWO32, beta));
    set(j, "d0", d & M16);
    set(j, "d1", gl_mul(INV_2_16, gl_sub(d, d & M16)));
}
/* JALR rows: the r that makes "cmp" hold (u = n = 0, h = 0). */
static void fix_r(job *j) {
    gl_t d = gl_add(get(j, "d0"), gl_mul(1u << 16, get(j, "d1")));
    set(j, "r", gl_mul(INV_2_32, gl_sub(d, gl_sub(get(j, "x_c"), get(j, "y_c")))));
}

static void test_bits_and_flags(void **state) {
    (void)state;
    /* every boolean column at 2 on an honest row is caught by its own constraint */
    static const struct {
        zkvm_op op;
        const char *col;
    } B[] = {
        {ZKVM_OP_SLT, "f_cmp"}, {ZKVM_OP_MIN, "f_sel"}, {ZKVM_OP_MINW, "f_selw"}, {ZKVM_OP_JALR, "f_jalr"},
        {ZKVM_OP_MIN, "u"},     {ZKVM_OP_MAXU, "n"},    {ZKVM_OP_SLT, "h"},       {ZKVM_OP_GE, "s_x"},
        {ZKVM_OP_MAXW, "s_y"},  {ZKVM_OP_SLTU, "r"},
    };
    for (size_t i = 0; i < sizeof B / sizeof B[0]; i++) {
        job j = job_claiming(B[i].op, (uint64_t)-5, 7, reference(B[i].op, (uint64_t)-5, 7));
        set(&j, B[i].col, 2);
        expect_caught(B[i].col, check(&j), B[i].col);
        job_free(&j);
    }
    /* u = 2 on an SLT row would make its opc 4 + 2 = 6, XOR's */
    job j = job_claiming(ZKVM_OP_SLT, 6, 3, 6 ^ 3);
    j.t[0].v[0] = zkvm_opc(ZKVM_OP_XOR, 0);
    set(&j, "u", 2);
    expect_caught("slt row as xor", check(&j), "u");
    job_free(&j);
    /* GE(5, 3) claiming c_lo = 1/2: r = 1/2 gives beta = 1 - r = 1/2, so x_c - y_c + 2^31 = d
     * holds with d in range; only the booleanity of r stops it */
    j = job_claiming(ZKVM_OP_GE, 5, 3, 1);
    gl_t half = gl_inv(2);
    j.t[0].v[5] = half;
    set(&j, "r", half);
    set(&j, "c_c", half);
    fix_d(&j);
    expect_caught("ge claiming 1/2", check(&j), "r");
    job_free(&j);
    /* SLT(-1, 0) claiming 0 with s_x = 1/2: v_x = x_c stays in range and the signed correction
     * becomes 1/2, so every equation and lookup holds; only the booleanity of s_x stops it */
    j = job_claiming(ZKVM_OP_SLT, (uint64_t)-1, 0, 0);
    put_flipped(&j, 'x', M32, half);
    set(&j, "r", 0);
    set(&j, "c_o", 0); /* h = 1: c_lo is c_o */
    fix_d(&j);
    expect_caught("slt with a sign bit of 1/2", check(&j), "s_x");
    job_free(&j);
    /* two class flags on one row */
    j = job_claiming(ZKVM_OP_SLT, 1, 2, 1);
    set(&j, "f_jalr", 1);
    expect_caught("two classes", check(&j), "one_op");
    job_free(&j);
    /* an SLT proven by an SLTU row (tuple honest for SLTU, opc SLT): the opc differs */
    j = job_claiming(ZKVM_OP_SLTU, (uint64_t)-1, 0, 0);
    j.t[0].v[0] = zkvm_opc(ZKVM_OP_SLT, 0);
    expect_caught("slt as sltu", check(&j), NULL);
    job_free(&j);
    /* a padding row that receives a tuple nobody sent */
    zkvm_op_record r = rec(ZKVM_OP_GEU, 1, 1);
    j = job_new(&r, 1);
    *cell(&j, "f_cmp", ((size_t)1 << j.log_n) - 1) = 1;
    expect_caught("phantom row", check(&j), NULL);
    job_free(&j);
}

static void test_compare(void **state) {
    (void)state;
    /* GEU(3, 5) claiming 1: r = 1 means "not below", but d still encodes the borrow */
    job j = job_claiming(ZKVM_OP_GEU, 3, 5, 1);
    set(&j, "r", 1);
    set(&j, "c_c", 1);
    expect_caught("geu borrow ignored", check(&j), "cmp");
    job_free(&j);
    /* the same claim with d forged so that "cmp" holds in the field: d = 3 - 5 = -2, so
     * d1 = (-2 - d0) / 2^16 is far out of range (the field equation holds, the integer one not) */
    j = job_claiming(ZKVM_OP_GEU, 3, 5, 1);
    set(&j, "r", 1);
    set(&j, "c_c", 1);
    fix_d(&j);
    assert_int_equal(get(&j, "d0"), 0xffff); /* d0 itself in range */
    expect_caught("geu with d = -2 (d1 out of range)", check(&j), NULL);
    /* ... or d1 in range and d0 = -2 - 2^16 d1 out of range */
    set(&j, "d1", M16);
    set(&j, "d0", gl_sub(gl_sub(0, 2), gl_mul(1u << 16, M16)));
    expect_caught("geu with d = -2 (d0 out of range)", check(&j), NULL);
    job_free(&j);
    /* high words equal, low words compared: GEU(5 + 7 2^32, 9 + 7 2^32) = 0. Claiming 1 by
     * comparing the (equal) high words: h = 1, words relabeled, d = 0 */
    j = job_claiming(ZKVM_OP_GEU, 5 + 7 * TWO32, 9 + 7 * TWO32, 1);
    set(&j, "h", 1);
    put_word(&j, 'x', 7);
    put_word(&j, 'y', 7);
    set(&j, "x_o", 5);
    set(&j, "y_o", 9);
    set(&j, "inv", 12345);
    set(&j, "r", 1);
    set(&j, "c_c", 0);
    set(&j, "c_o", 1);
    fix_d(&j);
    expect_caught("equal high words compared", check(&j), "hi_ne");
    job_free(&j);
    /* high words differ, low words compared: SLTU(2^32, 1) = 0 claimed 1 with h = 0 */
    j = job_claiming(ZKVM_OP_SLTU, TWO32, 1, 1);
    set(&j, "h", 0);
    set(&j, "inv", 0);
    put_word(&j, 'x', 0);
    put_word(&j, 'y', 1);
    set(&j, "x_o", 1);
    set(&j, "y_o", 0);
    set(&j, "r", 1);
    set(&j, "c_c", 1);
    set(&j, "c_o", 0);
    fix_d(&j);
    expect_caught("different high words ignored", check(&j), "hi_eq");
    job_free(&j);
    /* a W form comparing the high words: MINW(5 + 2^32, 3) = 3 claimed 0 with h = 1 */
    j = job_claiming(ZKVM_OP_MINW, 5 + TWO32, 3, 0);
    set(&j, "h", 1);
    put_word(&j, 'x', 1);
    put_word(&j, 'y', 0);
    set(&j, "x_o", 5);
    set(&j, "y_o", 3);
    set(&j, "inv", 1);
    set(&j, "r", 0);
    set(&j, "c_c", 0);
    set(&j, "c_o", 0);
    fix_d(&j);
    expect_caught("minw on the high words", check(&j), "h_lo");
    job_free(&j);
}

static void test_signs(void **state) {
    (void)state;
    /* MINW(2^31, 0): x is negative, the min is x, sign-extended. Claiming 0 needs s_x = 0, i.e.
     * v_x = 2^32: every constraint holds, and the lookups a_x = 2^16 or (v_x - a_x) / 2^16 = 2^16
     * are out of range */
    job j = job_claiming(ZKVM_OP_MINW, TWO31, 0, 0);
    put_flipped(&j, 'x', TWO32, 0);
    set(&j, "r", 0);
    set(&j, "c_c", 0);
    set(&j, "c_o", 0);
    fix_d(&j);
    expect_caught("x's sign forged (high half 2^16)", check(&j), NULL);
    set(&j, "a_x", 1u << 16);
    expect_caught("x's sign forged (a_x = 2^16)", check(&j), NULL);
    job_free(&j);
    /* MAXW(0, 2^31) = 0 claimed 2^31 (y taken as positive, not sign-extended): s_y = 0 */
    j = job_claiming(ZKVM_OP_MAXW, 0, TWO31, TWO31);
    put_flipped(&j, 'y', TWO32, 0);
    set(&j, "r", 0);
    set(&j, "c_c", TWO31);
    set(&j, "c_o", 0);
    fix_d(&j);
    expect_caught("y's sign forged (high half 2^16)", check(&j), NULL);
    set(&j, "a_y", 1u << 16);
    expect_caught("y's sign forged (a_y = 2^16)", check(&j), NULL);
    job_free(&j);
}

static void test_results(void **state) {
    (void)state;
    /* compares: c = (r, 0) */
    job j = job_claiming(ZKVM_OP_SLT, 1, 2, 0);
    set(&j, "c_c", 0);
    expect_caught("slt result not r", check(&j), "cmp_lo");
    job_free(&j);
    j = job_claiming(ZKVM_OP_SLT, 1, 2, TWO32);
    set(&j, "c_c", 0);
    set(&j, "c_o", 1);
    expect_caught("slt result in the high word", check(&j), "cmp_hi");
    job_free(&j);
    /* selects: the compared word, the other word, the W sign fill */
    j = job_claiming(ZKVM_OP_MINU, 3, 5, 5);
    set(&j, "c_c", 5);
    expect_caught("minu takes the larger", check(&j), "sel_c");
    job_free(&j);
    j = job_claiming(ZKVM_OP_MINU, 3 + 7 * TWO32, 5 + 7 * TWO32, 3 + 8 * TWO32);
    set(&j, "c_o", 8);
    expect_caught("minu other word", check(&j), "sel_o");
    job_free(&j);
    j = job_claiming(ZKVM_OP_MINW, M32, 0, M32);
    set(&j, "c_o", 0);
    expect_caught("minw not sign-extended", check(&j), "selw_fill");
    job_free(&j);
    /* the tuple alone wrong (trace honest): the bus */
    j = job_claiming(ZKVM_OP_MAX, (uint64_t)-1, 1, (uint64_t)-1);
    expect_caught("max claimed the smaller, trace honest", check(&j), NULL);
    job_free(&j);
}

/* A JALR job of one record claiming target c: c's words through the compared-word columns (x_c
 * = c_lo XOR 2^31, ...), d0 = a_x / 2 (in the field), the carry and r recomputed. */
static job jalr_claiming(uint64_t x, uint64_t y, uint64_t c_lo, uint64_t c_hi, gl_t carry) {
    uint64_t c = c_lo + (c_hi << 32);
    job j = job_claiming(ZKVM_OP_JALR, x, y, c);
    j.t[0].v[5] = c_lo, j.t[0].v[6] = c_hi;
    put_flipped(&j, 'x', c_lo, c_lo < TWO31);
    put_flipped(&j, 'y', c_hi, c_hi < TWO31);
    set(&j, "d0", gl_mul(gl_inv(2), c_lo & M16));
    set(&j, "d1", 0);
    set(&j, "inv", carry);
    fix_r(&j);
    return j;
}

static void test_jalr(void **state) {
    (void)state;
    /* the helper reproduces the honest row */
    job j = jalr_claiming(1, 2, 2, 0, 0);
    expect_ok("jalr helper, honest", check(&j));
    job_free(&j);
    /* an odd target: JALR(1, 2) claimed 3 (bit 0 kept). With d0 = 1 in range, jalr_even fails;
     * with d0 = 3/2 in the field, jalr_even holds and d0's lookup fails */
    j = jalr_claiming(1, 2, 3, 0, 0);
    expect_caught("odd target, d0 = 3/2", check(&j), NULL);
    set(&j, "d0", 1);
    fix_r(&j);
    expect_caught("odd target, d0 = 1", check(&j), "jalr_even");
    job_free(&j);
    /* JALR(1, 2) claimed 4: the low word works out with a carry of -1/2^32 */
    j = jalr_claiming(1, 2, 4, 0, gl_neg(INV_2_32));
    expect_caught("carry -1/2^32", check(&j), "jalr_carry");
    job_free(&j);
    /* JALR(1, 2) claimed 0: x_lo + y_lo - c_lo - 2^32 carry = 3 is not a bit */
    j = jalr_claiming(1, 2, 0, 0, 0);
    expect_caught("low word off by 3", check(&j), "jalr_bit0");
    job_free(&j);
    /* JALR(2^32 - 1, 1) = 2^32 claimed 0: the carry into the high word dropped */
    j = jalr_claiming(M32, 1, 0, 0, 1);
    expect_caught("carry dropped", check(&j), "jalr_hi");
    job_free(&j);
    /* JALR(2^32 - 1, 3) = 2^32 + 2 claimed with c_lo = 2^32 + 2, c_hi = 0 (a limb >= 2^32): the
     * equations hold, the high half of c_lo, 2^16, is out of range */
    j = jalr_claiming(M32, 3, TWO32 + 2, 0, 0);
    expect_caught("target limb >= 2^32", check(&j), NULL);
    job_free(&j);
    /* and the high word: JALR((2^32 - 1) 2^32, 2^33) = 2^32 claimed with c_hi = 2^32 + 1, the
     * unreduced x_hi + y_hi (jalr_hi allows both): the high half of c_hi, 2^16, is out of range */
    j = jalr_claiming(M32 * TWO32, 2 * TWO32, 0, TWO32 + 1, 0);
    expect_caught("target high limb >= 2^32", check(&j), NULL);
    job_free(&j);
}

/* ------------------------------------------------------------------------------------------ */
/* 4. A real STARK job                                                                          */
/* ------------------------------------------------------------------------------------------ */

static void test_stark_job(void **state) {
    (void)state;
    /* 26 random records, every op twice; row 0 is an SLT: flipping r flips its result */
    ph_test_stark_job(&g_prov, zkvm_cmp_trace, OPS, N_OPS, 26, 17, "r", 0);
}

static int setup(void **state) {
    (void)state;
    g_cmp = zkvm_cmp_air();
    g_prov = (ph_provider){"cmp", g_cmp, zkvm_cmp_count_lookups, NULL, NULL, 0, NULL};
    return 0;
}

static int teardown(void **state) {
    (void)state;
    air_free(g_cmp);
    ph_teardown();
    return 0;
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_eval_known), cmocka_unit_test(test_reference),      cmocka_unit_test(test_shape),
        cmocka_unit_test(test_honest),     cmocka_unit_test(test_bits_and_flags), cmocka_unit_test(test_compare),
        cmocka_unit_test(test_signs),      cmocka_unit_test(test_results),        cmocka_unit_test(test_jalr),
        cmocka_unit_test(test_stark_job),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
