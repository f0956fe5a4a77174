/* test_arith.c: the arith provider AIR (src/zkvm/arith, docs/zkvm/arith.md): the reference
 * semantics on known answers, honest traces (constraints and bus balance with a sender AIR and
 * the range AIR), malicious traces (each must fail a constraint or the job's bus sum), and one
 * real STARK job, honest and with a tampered provider trace. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "arith.h"
#include "provider_harness.h"
#include "stark.h"
#include "zkvm_bus.h"
#include "zkvm_range.h"

#define M32 0xffffffffull
#define MIN64 0x8000000000000000ull

/* ------------------------------------------------------------------------------------------ */
/* Helpers                                                                                      */
/* ------------------------------------------------------------------------------------------ */

/* The shared provider harness (tests/zkvm/harness): sender AIR, job check {sender, arith,
 * range}, STARK job; bound to this provider here. */
static air *g_arith;
static ph_provider g_prov;

static const zkvm_op ARITH_OPS[] = {
    ZKVM_OP_MUL,  ZKVM_OP_MULH, ZKVM_OP_MULHSU, ZKVM_OP_MULHU, ZKVM_OP_DIV,
    ZKVM_OP_DIVU, ZKVM_OP_REM,  ZKVM_OP_REMU,   ZKVM_OP_MULW,  ZKVM_OP_DIVW,
    ZKVM_OP_DIVUW, ZKVM_OP_REMW, ZKVM_OP_REMUW,
};
#define N_ARITH (sizeof ARITH_OPS / sizeof ARITH_OPS[0])

typedef ph_tuple tuple7;
typedef ph_outcome outcome;
typedef ph_job job;
static uint64_t rnd(uint64_t *s) { return ph_rnd(s); }
static zkvm_op_record rec(zkvm_op op, uint64_t x, uint64_t y) { return ph_rec(op, x, y); }
static tuple7 tuple_of(const zkvm_op_record *r) { return ph_tuple_of(r); }
static uint32_t conx(const char *name) { return ph_constraint(g_arith, name); }
static outcome check_job(const tuple7 *t, size_t n_send, const gl_t *trace, unsigned log_n) {
    return ph_check_job(&g_prov, t, n_send, trace, log_n);
}
static job job_new(const zkvm_op_record *r, size_t n) { return ph_job_new(&g_prov, zkvm_arith_trace, r, n); }
static void job_free(job *j) { ph_job_free(j); }
static gl_t *cell(job *j, const char *col, size_t row) { return ph_cell(j, col, row); }

/* A cheating prover's helper: after editing a row's values, recompute the msb columns from
 * their limbs and re-solve the carries (k) and the comparison carry (kap) from the chunk and
 * cmp_lo constraints (each is linear in its carry with coefficient -2^32), so that only the
 * constraint that really protects the edited relation can fail. */
static void resolve_row(job *j, size_t row) {
    static const char *msb_limb[7] = {"a[1]", "a[3]", "b[1]", "b[3]", "c[1]", "c[3]", "d[1]"};
    for (int m = 0; m < 7; m++) {
        char name[8];
        snprintf(name, sizeof name, "m[%d]", m);
        gl_t v = *cell(j, msb_limb[m], row);
        *cell(j, name, row) = v < (1u << 16) ? v >> 15 : 0;
    }
    size_t n = (size_t)1 << j->log_n;
    air_view v;
    v.m[AIR_STAGE1] = air_matrix_col_major(j->trace, n);
    v.m[AIR_FIXED] = air_matrix_col_major(NULL, n);
    v.m[AIR_STAGE2] = air_matrix_col_major(NULL, n);
    v.n_rows = n;
    v.next_step = 1;
    gl_t inv32 = gl_inv((gl_t)1 << 32);
    gl3_t *out = calloc(air_n_constraints(g_arith), sizeof *out);
    static const gl3_t no_challenges[AIR_N_CHALLENGES]; /* chunk and cmp_lo do not read them */
    air_values vals = {NULL, no_challenges, gl3_zero(), 0};
    /* Stage 2 is not needed for the user constraints but the evaluator reads it: give zeros. */
    gl_t *s2 = calloc(air_n_cols(g_arith, AIR_STAGE2) * n, sizeof(gl_t));
    v.m[AIR_STAGE2] = air_matrix_col_major(s2, n);
    for (int k = 0; k < 3; k++) {
        char kl[8], kh[8], cn[8];
        snprintf(kl, sizeof kl, "k[%d]", 2 * k);
        snprintf(kh, sizeof kh, "k[%d]", 2 * k + 1);
        snprintf(cn, sizeof cn, "chunk%d", k);
        *cell(j, kl, row) = 4; /* carry 0 */
        *cell(j, kh, row) = 0;
        air_eval_row(g_arith, &v, row, &vals, out);
        gl_t kk = gl_add(gl_mul(out[conx(cn)].c[0], inv32), 4);
        *cell(j, kl, row) = kk & 15;
        *cell(j, kh, row) = kk >> 4;
    }
    *cell(j, "kap", row) = 3;
    air_eval_row(g_arith, &v, row, &vals, out);
    *cell(j, "kap", row) = gl_add(gl_mul(out[conx("cmp_lo")].c[0], inv32), 3);
    /* cmp_lo = en * (lo - 2^32 kap): with en = 1 the line above solves it; en = 0 leaves 3. */
    if (gl_mul(out[conx("cmp_lo")].c[0], 1) == 0) *cell(j, "kap", row) = 3;
    free(out);
    free(s2);
}

static void set_limbs(job *j, char v, size_t row, uint64_t val) {
    for (int i = 0; i < 4; i++) {
        char name[8];
        snprintf(name, sizeof name, "%c[%d]", v, i);
        *cell(j, name, row) = (val >> (16 * i)) & 0xffff;
    }
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
        {ZKVM_OP_MUL, 3, (uint64_t)-2, 0xfffffffffffffffaull},
        {ZKVM_OP_MUL, 0x100000000ull, 0x100000000ull, 0},
        {ZKVM_OP_MULH, (uint64_t)-1, (uint64_t)-1, 0},
        {ZKVM_OP_MULH, MIN64, MIN64, 0x4000000000000000ull},
        {ZKVM_OP_MULH, MIN64, 1, (uint64_t)-1},
        {ZKVM_OP_MULHU, (uint64_t)-1, (uint64_t)-1, 0xfffffffffffffffeull},
        {ZKVM_OP_MULHSU, (uint64_t)-1, (uint64_t)-1, (uint64_t)-1},
        {ZKVM_OP_MULHSU, MIN64, 2, (uint64_t)-1},
        {ZKVM_OP_MULHSU, 2, (uint64_t)-1, 1},
        {ZKVM_OP_DIV, MIN64, (uint64_t)-1, MIN64},
        {ZKVM_OP_REM, MIN64, (uint64_t)-1, 0},
        {ZKVM_OP_DIV, 12345, 0, (uint64_t)-1},
        {ZKVM_OP_REM, 12345, 0, 12345},
        {ZKVM_OP_DIVU, 5, 0, (uint64_t)-1},
        {ZKVM_OP_REMU, 5, 0, 5},
        {ZKVM_OP_DIV, (uint64_t)-7, 2, (uint64_t)-3},
        {ZKVM_OP_REM, (uint64_t)-7, 2, (uint64_t)-1},
        {ZKVM_OP_DIV, 7, (uint64_t)-2, (uint64_t)-3},
        {ZKVM_OP_REM, 7, (uint64_t)-2, 1},
        {ZKVM_OP_DIVU, (uint64_t)-7, 2, 0x7ffffffffffffffcull},
        {ZKVM_OP_REMU, (uint64_t)-7, 2, 1},
        {ZKVM_OP_MULW, 0x7fffffff, 2, 0xfffffffffffffffeull},
        {ZKVM_OP_MULW, 0xdead00000003ull, 0xbeef00000005ull, 15},
        {ZKVM_OP_DIVW, 0x80000000ull, 0xffffffffull, 0xffffffff80000000ull},
        {ZKVM_OP_REMW, 0x80000000ull, 0xffffffffull, 0},
        {ZKVM_OP_DIVW, 0x1234fffffff9ull, 0x99900000002ull, (uint64_t)-3},
        {ZKVM_OP_REMW, 0x1234fffffff9ull, 0x99900000002ull, (uint64_t)-1},
        {ZKVM_OP_DIVW, 5, 0xffffffff00000000ull, (uint64_t)-1},
        {ZKVM_OP_DIVUW, 5, 0xffffffff00000000ull, (uint64_t)-1},
        {ZKVM_OP_REMW, 0x80000000ull, 0, 0xffffffff80000000ull},
        {ZKVM_OP_REMUW, 0x80000000ull, 0, 0xffffffff80000000ull},
        {ZKVM_OP_DIVUW, 0xffffffffull, 1, (uint64_t)-1},
        {ZKVM_OP_REMUW, 0xfffffffeull, 0xffffffffull, 0xfffffffffffffffeull},
        {ZKVM_OP_DIVUW, 0xffffffffull, 2, 0x7fffffff},
    };
    for (size_t i = 0; i < sizeof K / sizeof K[0]; i++) {
        uint64_t c = 0;
        assert_true(zkvm_op_eval(zkvm_opc(K[i].op, 0), K[i].x, K[i].y, &c));
        if (c != K[i].c)
            fail_msg("%s(%#llx, %#llx) = %#llx, expected %#llx", zkvm_op_name(K[i].op),
                     (unsigned long long)K[i].x, (unsigned long long)K[i].y,
                     (unsigned long long)c, (unsigned long long)K[i].c);
    }
    /* Offsets are invalid for the M extension. */
    uint64_t c;
    assert_false(zkvm_op_eval(zkvm_opc(ZKVM_OP_MUL, 1), 2, 3, &c));
    for (unsigned op = 0; op < ZKVM_OP_COUNT + 2; op++) {
        int ours = 0;
        for (size_t i = 0; i < N_ARITH; i++) ours |= ARITH_OPS[i] == (zkvm_op)op;
        assert_int_equal(zkvm_arith_handles((zkvm_op)op), ours);
    }
}

/* ------------------------------------------------------------------------------------------ */
/* 2. Honest traces                                                                             */
/* ------------------------------------------------------------------------------------------ */

static const uint64_t CORNERS[] = {
    0, 1, 2, 3, (uint64_t)-1, (uint64_t)-2, MIN64, MIN64 - 1, 0x7fffffff, 0x80000000ull,
    0xffffffffull, 0x100000000ull, 0xffffffff80000000ull, 0xdeadbeef7fffffffull,
    0x12345678ffffffffull, 0xabcdef0100000000ull,
};
#define N_CORNERS (sizeof CORNERS / sizeof CORNERS[0])

static void test_honest(void **state) {
    (void)state;
    size_t cap = N_ARITH * (N_CORNERS * N_CORNERS + 40), n = 0;
    zkvm_op_record *r = malloc(cap * sizeof *r);
    uint64_t s = 1;
    for (size_t o = 0; o < N_ARITH; o++) {
        for (size_t i = 0; i < N_CORNERS; i++)
            for (size_t k = 0; k < N_CORNERS; k++) r[n++] = rec(ARITH_OPS[o], CORNERS[i], CORNERS[k]);
        for (int i = 0; i < 40; i++) {
            uint64_t x = rnd(&s), y = rnd(&s);
            if (i & 1) y >>= (rnd(&s) % 64); /* small divisors too */
            if (i % 5 == 0) x = (uint64_t)-(int64_t)(x >> 40);
            r[n++] = rec(ARITH_OPS[o], x, y);
        }
    }
    job j = job_new(r, n);
    outcome out = check_job(j.t, n, j.trace, j.log_n);
    if (out.constraint_fail) fail_msg("honest trace fails %s", out.failed);
    assert_false(out.bus_fail);
    /* Shape: no fixed columns; one OP receive + the range lookups. */
    assert_null(zkvm_arith_fixed(j.log_n));
    assert_int_equal(air_n_interactions(g_arith), 1 + ZKVM_ARITH_LOOKUPS);
    assert_true(air_degree(g_arith) <= 3);
    print_message("arith: %u stage-1 + %u stage-2 columns, %u interactions (%u groups), %zu records\n",
                  air_n_cols(g_arith, AIR_STAGE1), air_n_cols(g_arith, AIR_STAGE2),
                  air_n_interactions(g_arith), air_n_bus_groups(g_arith), n);
    /* Padding rows only (no records) is fine too. */
    job e = job_new(NULL, 0);
    out = check_job(e.t, 0, e.trace, e.log_n);
    assert_false(out.constraint_fail);
    assert_false(out.bus_fail);
    job_free(&e);
    job_free(&j);
    free(r);
}

/* ------------------------------------------------------------------------------------------ */
/* 3. Malicious traces                                                                          */
/* ------------------------------------------------------------------------------------------ */

static void expect_caught(const char *what, outcome o) {
    if (!o.constraint_fail && !o.bus_fail) fail_msg("not caught: %s", what);
    if (getenv("ARITH_DEBUG"))
        print_message("caught %s: %s%s%s\n", what, o.constraint_fail ? o.failed : "",
                      o.constraint_fail && o.bus_fail ? " + " : "", o.bus_fail ? "bus" : "");
}

/* Which value (a, c, d) holds each op's result, and whether its high word is a sign bit. */
static char res_of(zkvm_op op, int *sext) {
    *sext = op == ZKVM_OP_MULW || op == ZKVM_OP_DIVW || op == ZKVM_OP_DIVUW || op == ZKVM_OP_REMUW;
    switch (op) {
    case ZKVM_OP_MUL: case ZKVM_OP_MULW: return 'c';
    case ZKVM_OP_DIV: case ZKVM_OP_DIVU: case ZKVM_OP_DIVW: case ZKVM_OP_DIVUW: return 'a';
    default: return 'd';
    }
}

static void test_wrong_result(void **state) {
    (void)state;
    uint64_t s = 5;
    for (size_t o = 0; o < N_ARITH; o++) {
        zkvm_op_record r0 = rec(ARITH_OPS[o], rnd(&s), rnd(&s) >> 3);
        static const int BITS[] = {0, 17, 31, 32, 50, 63}; /* every 16-bit limb of c */
        for (size_t bi = 0; bi < sizeof BITS / sizeof BITS[0]; bi++) {
            int bit = BITS[bi];
            job j = job_new(&r0, 1);
            zkvm_op_record bad = r0;
            bad.c ^= 1ull << bit;
            j.t[0] = tuple_of(&bad); /* the sender claims the wrong result */
            int sext;
            char v = res_of(ARITH_OPS[o], &sext);
            /* The provider's natural edit: the result's limbs (for a sign-extended result only
             * the low word exists; its high word then cannot be matched at all). */
            uint64_t lo = bad.c & M32;
            for (int i = 0; i < 2; i++) {
                char name[8];
                snprintf(name, sizeof name, "%c[%d]", v, i);
                *cell(&j, name, 0) = (lo >> (16 * i)) & 0xffff;
            }
            if (!sext)
                for (int i = 2; i < 4; i++) {
                    char name[8];
                    snprintf(name, sizeof name, "%c[%d]", v, i);
                    *cell(&j, name, 0) = (bad.c >> (16 * i)) & 0xffff;
                }
            resolve_row(&j, 0);
            outcome out = check_job(j.t, 1, j.trace, j.log_n);
            char what[64];
            snprintf(what, sizeof what, "%s with bit %d of c flipped", zkvm_op_name(ARITH_OPS[o]), bit);
            expect_caught(what, out);
            /* Where the edit is expressible, the equation itself rejects it. */
            if (!sext || bit < 32) assert_true(out.constraint_fail);
            job_free(&j);
        }
    }
}

static void test_limb_overflow(void **state) {
    (void)state;
    /* x_lo = 2^32 + x_lo, x_hi - 1: the same 64-bit value with a non-canonical limb. */
    zkvm_op_record r0 = rec(ZKVM_OP_MUL, 0x0001000500000007ull, 9);
    job j = job_new(&r0, 1);
    *cell(&j, "a[1]", 0) = gl_add(*cell(&j, "a[1]", 0), 1u << 16);
    *cell(&j, "a[2]", 0) = gl_sub(*cell(&j, "a[2]", 0), 1);
    resolve_row(&j, 0);
    j.t[0].v[1] = gl_add(j.t[0].v[1], (gl_t)1 << 32);
    j.t[0].v[2] = gl_sub(j.t[0].v[2], 1);
    outcome out = check_job(j.t, 1, j.trace, j.log_n);
    expect_caught("x_lo >= 2^32", out);
    assert_true(out.bus_fail); /* the range lookup of a[1] = 2^16 + 7 has no receiver */
    job_free(&j);
    /* The same on c (a division's x) and on the result. */
    r0 = rec(ZKVM_OP_DIVU, 0x0001000500000007ull, 9);
    j = job_new(&r0, 1);
    *cell(&j, "c[1]", 0) = gl_add(*cell(&j, "c[1]", 0), 1u << 16);
    *cell(&j, "c[2]", 0) = gl_sub(*cell(&j, "c[2]", 0), 1);
    resolve_row(&j, 0);
    j.t[0].v[1] = gl_add(j.t[0].v[1], (gl_t)1 << 32);
    j.t[0].v[2] = gl_sub(j.t[0].v[2], 1);
    out = check_job(j.t, 1, j.trace, j.log_n);
    expect_caught("division x_lo >= 2^32", out);
    assert_true(out.bus_fail);
    job_free(&j);
}

static void test_flags(void **state) {
    (void)state;
    zkvm_op_record r0 = rec(ZKVM_OP_MUL, 1234567, 7654321);
    /* Non-boolean flag. */
    job j = job_new(&r0, 1);
    *cell(&j, "f_MUL", 0) = 2;
    outcome out = check_job(j.t, 1, j.trace, j.log_n);
    expect_caught("flag = 2", out);
    assert_true(out.constraint_fail);
    job_free(&j);
    /* Two flags on one row. */
    j = job_new(&r0, 1);
    *cell(&j, "f_MULHU", 0) = 1;
    out = check_job(j.t, 1, j.trace, j.log_n);
    expect_caught("two flags", out);
    assert_true(out.constraint_fail);
    job_free(&j);
    /* An offset: the sender sends MUL + 64; the honest provider cannot receive it. */
    j = job_new(&r0, 1);
    j.t[0].v[0] += ZKVM_OPC_OFF_MUL;
    out = check_job(j.t, 1, j.trace, j.log_n);
    expect_caught("offset", out);
    assert_true(out.bus_fail);
    assert_int_equal(out.bad_bus, ZKVM_BUS_OP);
    job_free(&j);
    /* Another provider's op (ADD = 1): a flag of 1/16 would make opc = 1. */
    j = job_new(&r0, 1);
    zkvm_op_record add = {zkvm_opc(ZKVM_OP_ADD, 0), r0.x, r0.y, r0.x + r0.y};
    j.t[0] = tuple_of(&add);
    *cell(&j, "f_MUL", 0) = gl_inv(16);
    out = check_job(j.t, 1, j.trace, j.log_n);
    expect_caught("ADD claimed", out);
    assert_true(out.constraint_fail);
    job_free(&j);
    /* Padding row (multiplicity 0) holding a sent tuple's values: it receives nothing. */
    j = job_new(&r0, 1);
    *cell(&j, "f_MUL", 0) = 0;
    out = check_job(j.t, 1, j.trace, j.log_n);
    expect_caught("padding row", out);
    assert_true(out.bus_fail);
    job_free(&j);
}

/* Division cheats that keep x = q y + r: q +- 1 with r -+ y, a remainder of the wrong sign, a
 * wrong division-by-zero result, and signs read the wrong way. */
static void test_division_cheats(void **state) {
    (void)state;
    static const struct {
        zkvm_op op;
        uint64_t x, y;
        int64_t dq; /* q += dq, r -= dq * y */
    } C[] = {
        {ZKVM_OP_DIVU, 1000, 7, 1},       {ZKVM_OP_DIVU, 1000, 7, -1},
        {ZKVM_OP_REMU, 1000, 7, 1},       {ZKVM_OP_DIV, (uint64_t)-7, 2, -1},
        {ZKVM_OP_DIV, (uint64_t)-7, 2, 1}, {ZKVM_OP_REM, 7, (uint64_t)-2, 1},
        {ZKVM_OP_DIV, 7, (uint64_t)-2, -1}, {ZKVM_OP_DIV, (uint64_t)-8, 2, 1},
        {ZKVM_OP_DIVW, 0xfffffff9ull, 2, -1}, {ZKVM_OP_DIVUW, 1000, 7, 1},
        {ZKVM_OP_REMW, 7, 0xfffffffeull, 1}, {ZKVM_OP_DIV, MIN64, (uint64_t)-1, 1},
        {ZKVM_OP_DIVU, UINT64_MAX, 1, -1},
    };
    for (size_t i = 0; i < 2 * (sizeof C / sizeof C[0]); i++) {
        int flip = (int)(i & 1); /* both choices of r's sign column */
        i >>= 1;
        zkvm_op_record r0 = rec(C[i].op, C[i].x, C[i].y);
        job j = job_new(&r0, 1);
        int w = C[i].op == ZKVM_OP_DIVW || C[i].op == ZKVM_OP_DIVUW || C[i].op == ZKVM_OP_REMW;
        int sgn = C[i].op == ZKVM_OP_DIV || C[i].op == ZKVM_OP_REM || C[i].op == ZKVM_OP_DIVW ||
                  C[i].op == ZKVM_OP_REMW;
        uint64_t xx = w ? (sgn ? (uint64_t)(int64_t)(int32_t)C[i].x : (uint32_t)C[i].x) : C[i].x;
        uint64_t yy = w ? (sgn ? (uint64_t)(int64_t)(int32_t)C[i].y : (uint32_t)C[i].y) : C[i].y;
        uint64_t q, r;
        if (sgn && !(xx == MIN64 && yy == UINT64_MAX)) {
            q = (uint64_t)((int64_t)xx / (int64_t)yy);
            r = (uint64_t)((int64_t)xx % (int64_t)yy);
        } else if (sgn) {
            q = xx;
            r = 0;
        } else {
            q = xx / yy;
            r = xx % yy;
        }
        q += (uint64_t)C[i].dq;
        r -= (uint64_t)C[i].dq * yy;
        set_limbs(&j, 'a', 0, q);
        set_limbs(&j, 'd', 0, r);
        /* Signs of q and r: the cheat picks whichever is consistent with the integers. */
        *cell(&j, "sa", 0) = sgn ? q >> 63 : 0;
        *cell(&j, "sd", 0) = (r >> 63) ^ (gl_t)flip;
        /* e = |y| - |r| - 1 mod 2^64 (negative for the cheat: cannot be range-checked). */
        uint64_t ay = (sgn && (yy >> 63)) ? 0 - yy : yy;
        uint64_t ar = (r >> 63) ? 0 - r : r;
        uint64_t e = ay - ar - 1;
        if (w) e = (e & M32) | (C[i].y & ~M32);
        set_limbs(&j, 'e', 0, e);
        resolve_row(&j, 0);
        zkvm_op_record bad = r0;
        int is_rem = C[i].op == ZKVM_OP_REM || C[i].op == ZKVM_OP_REMU || C[i].op == ZKVM_OP_REMW;
        uint64_t v = is_rem ? r : q;
        bad.c = w ? (uint64_t)(int64_t)(int32_t)v : v;
        j.t[0] = tuple_of(&bad);
        outcome out = check_job(j.t, 1, j.trace, j.log_n);
        char what[96];
        snprintf(what, sizeof what, "%s(%#llx, %#llx) with q%+lld", zkvm_op_name(C[i].op),
                 (unsigned long long)C[i].x, (unsigned long long)C[i].y, (long long)C[i].dq);
        expect_caught(what, out);
        job_free(&j);
        i = 2 * i + (size_t)flip;
    }
    /* Division by zero: claim q = 0, r = x (the equation holds), with dz = 1 and dz = 0. */
    for (int dz = 0; dz < 2; dz++) {
        zkvm_op_record r0 = rec(ZKVM_OP_DIVU, 77, 0);
        job j = job_new(&r0, 1);
        set_limbs(&j, 'a', 0, 0);
        *cell(&j, "dz", 0) = (gl_t)dz;
        resolve_row(&j, 0);
        zkvm_op_record bad = r0;
        bad.c = 0;
        j.t[0] = tuple_of(&bad);
        outcome out = check_job(j.t, 1, j.trace, j.log_n);
        expect_caught("divu by zero = 0", out);
        assert_true(out.constraint_fail);
        job_free(&j);
    }
    /* dz = 1 with y != 0 (to escape the comparison): y must be zero. */
    {
        zkvm_op_record r0 = rec(ZKVM_OP_DIVU, 77, 5);
        job j = job_new(&r0, 1);
        set_limbs(&j, 'a', 0, UINT64_MAX);
        set_limbs(&j, 'd', 0, 77 - 5 * UINT64_MAX);
        *cell(&j, "dz", 0) = 1;
        resolve_row(&j, 0);
        zkvm_op_record bad = r0;
        bad.c = UINT64_MAX;
        j.t[0] = tuple_of(&bad);
        outcome out = check_job(j.t, 1, j.trace, j.log_n);
        expect_caught("dz with y != 0", out);
        assert_true(out.constraint_fail);
        job_free(&j);
    }
    /* MULH read as MULHU (x's sign ignored): sa = 0. */
    {
        zkvm_op_record r0 = rec(ZKVM_OP_MULH, (uint64_t)-5, 7);
        job j = job_new(&r0, 1);
        uint64_t hu = (uint64_t)(((unsigned __int128)r0.x * r0.y) >> 64);
        set_limbs(&j, 'd', 0, hu);
        *cell(&j, "sa", 0) = 0;
        *cell(&j, "sd", 0) = 0;
        resolve_row(&j, 0);
        zkvm_op_record bad = r0;
        bad.c = hu;
        j.t[0] = tuple_of(&bad);
        outcome out = check_job(j.t, 1, j.trace, j.log_n);
        expect_caught("mulh as mulhu", out);
        assert_true(out.constraint_fail);
        assert_string_equal(out.failed, "sa_def");
        job_free(&j);
    }
    /* A wrong msb (sign-extension bit of MULW's result). */
    {
        zkvm_op_record r0 = rec(ZKVM_OP_MULW, 0x40000000, 2); /* c = 0xffffffff80000000 */
        job j = job_new(&r0, 1);
        *cell(&j, "m[4]", 0) = 0; /* claims bit 31 is 0 */
        zkvm_op_record bad = r0;
        bad.c = 0x80000000ull;
        j.t[0] = tuple_of(&bad);
        outcome out = check_job(j.t, 1, j.trace, j.log_n);
        expect_caught("mulw without sign extension", out);
        assert_true(out.bus_fail); /* c[1] + 2^15 >= 2^16: no range receiver */
        job_free(&j);
    }
}

/* ------------------------------------------------------------------------------------------ */
/* 4. A real STARK job                                                                          */
/* ------------------------------------------------------------------------------------------ */

static stark_status prove_and_verify(int tamper) {
    zkvm_op_record r[12];
    uint64_t s = 17;
    for (size_t i = 0; i < 12; i++) r[i] = rec(ARITH_OPS[i % N_ARITH], rnd(&s), rnd(&s) >> (i % 9) * 7);
    r[11] = rec(ZKVM_OP_DIV, MIN64, (uint64_t)-1);
    job j = job_new(r, 12);
    if (tamper) *cell(&j, "c[0]", 0) ^= 1; /* one limb of the first MUL's result */
    stark_status st = ph_prove_and_verify(&g_prov, j.t, j.n, j.trace, j.log_n);
    job_free(&j);
    return st;
}

static void test_stark_job(void **state) {
    (void)state;
    assert_int_equal(prove_and_verify(0), STARK_OK);
    assert_int_not_equal(prove_and_verify(1), STARK_OK);
}

static int setup(void **state) {
    (void)state;
    g_arith = zkvm_arith_air();
    g_prov = (ph_provider){"arith", g_arith, zkvm_arith_count_lookups, NULL, NULL, 0, NULL};
    return 0;
}

static int teardown(void **state) {
    (void)state;
    air_free(g_arith);
    ph_teardown();
    return 0;
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_eval_known),      cmocka_unit_test(test_honest),
        cmocka_unit_test(test_wrong_result),    cmocka_unit_test(test_limb_overflow),
        cmocka_unit_test(test_flags),           cmocka_unit_test(test_division_cheats),
        cmocka_unit_test(test_stark_job),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
