/*
 * test_isa_m.c: the M extension (multiply/divide), 64-bit and W forms.
 *
 * Two layers of checks:
 *  - hand-written known answers for the cases the manual singles out (division by zero:
 *    quotient all ones, remainder = dividend; signed overflow INT_MIN / -1: quotient INT_MIN,
 *    remainder 0; W forms sign-extend their 32-bit results);
 *  - a sweep over every pair of extreme operands, compared with reference functions below,
 *    which compute the manual's definitions with __int128 (never with the project's code).
 */
#include "isa_harness.h"

#include <stdlib.h>

#define I64_MIN 0x8000000000000000ull
#define I64_MAX 0x7fffffffffffffffull
#define ALL1 0xffffffffffffffffull

typedef __int128 i128;
typedef unsigned __int128 u128;

static uint64_t sext32(uint64_t v) { return (uint64_t)(int64_t)(int32_t)(uint32_t)v; }

/* ---- Reference semantics (RISC-V manual, "M" chapter) ---- */
static uint64_t ref_mul(uint64_t a, uint64_t b) { return (uint64_t)((u128)a * b); }
static uint64_t ref_mulh(uint64_t a, uint64_t b) { return (uint64_t)((u128)((i128)(int64_t)a * (i128)(int64_t)b) >> 64); }
static uint64_t ref_mulhu(uint64_t a, uint64_t b) { return (uint64_t)(((u128)a * (u128)b) >> 64); }
/* signed x unsigned: |product| < 2^127, so it fits in a signed 128-bit integer. */
static uint64_t ref_mulhsu(uint64_t a, uint64_t b) { return (uint64_t)((u128)((i128)(int64_t)a * (i128)(u128)b) >> 64); }

static uint64_t ref_div(uint64_t a, uint64_t b) {
    if (b == 0) return ALL1;
    if (a == I64_MIN && b == ALL1) return I64_MIN;
    /* i128 avoids the C overflow case; truncation toward zero as in C99. */
    return (uint64_t)(int64_t)((i128)(int64_t)a / (i128)(int64_t)b);
}
static uint64_t ref_rem(uint64_t a, uint64_t b) {
    if (b == 0) return a;
    if (a == I64_MIN && b == ALL1) return 0;
    return (uint64_t)(int64_t)((i128)(int64_t)a % (i128)(int64_t)b);
}
static uint64_t ref_divu(uint64_t a, uint64_t b) { return b == 0 ? ALL1 : a / b; }
static uint64_t ref_remu(uint64_t a, uint64_t b) { return b == 0 ? a : a % b; }

static uint64_t ref_mulw(uint64_t a, uint64_t b) { return sext32((uint32_t)a * (uint64_t)(uint32_t)b); }
static uint64_t ref_divw(uint64_t a, uint64_t b) {
    int64_t x = (int32_t)(uint32_t)a, y = (int32_t)(uint32_t)b;
    if (y == 0) return ALL1;
    return sext32((uint64_t)(x / y)); /* INT32_MIN / -1 = 2^31 in 64 bits; low 32 bits sign-extend to INT32_MIN */
}
static uint64_t ref_remw(uint64_t a, uint64_t b) {
    int64_t x = (int32_t)(uint32_t)a, y = (int32_t)(uint32_t)b;
    if (y == 0) return (uint64_t)x;
    return sext32((uint64_t)(x % y));
}
static uint64_t ref_divuw(uint64_t a, uint64_t b) {
    uint32_t x = (uint32_t)a, y = (uint32_t)b;
    return y == 0 ? ALL1 : sext32(x / y);
}
static uint64_t ref_remuw(uint64_t a, uint64_t b) {
    uint32_t x = (uint32_t)a, y = (uint32_t)b;
    return sext32(y == 0 ? x : x % y);
}

typedef struct m_op {
    const char *name;
    uint32_t (*enc)(unsigned, unsigned, unsigned);
    uint64_t (*ref)(uint64_t, uint64_t);
} m_op;

static const m_op m_ops[] = {
    {"mul", rv_enc_mul, ref_mul},       {"mulh", rv_enc_mulh, ref_mulh},
    {"mulhsu", rv_enc_mulhsu, ref_mulhsu}, {"mulhu", rv_enc_mulhu, ref_mulhu},
    {"div", rv_enc_div, ref_div},       {"divu", rv_enc_divu, ref_divu},
    {"rem", rv_enc_rem, ref_rem},       {"remu", rv_enc_remu, ref_remu},
    {"mulw", rv_enc_mulw, ref_mulw},    {"divw", rv_enc_divw, ref_divw},
    {"divuw", rv_enc_divuw, ref_divuw}, {"remw", rv_enc_remw, ref_remw},
    {"remuw", rv_enc_remuw, ref_remuw},
};

/* The reference functions themselves are checked against hand-derived answers first, so a
 * mistake in them cannot silently agree with a mistake in the emulator. */
static void test_reference_self_check(void **state) {
    (void)state;
    assert_int_equal(ref_mulh(I64_MIN, I64_MIN), 0x4000000000000000ull); /* 2^126 >> 64 */
    assert_int_equal(ref_mulh(ALL1, ALL1), 0);                           /* (-1)(-1) = 1 */
    assert_int_equal(ref_mulh(ALL1, 1), ALL1);                           /* -1 */
    assert_int_equal(ref_mulh(I64_MIN, ALL1), 0);                        /* 2^63 */
    assert_int_equal(ref_mulhu(ALL1, ALL1), 0xfffffffffffffffeull);      /* (2^64-1)^2 = 2^128 - 2^65 + 1 */
    assert_int_equal(ref_mulhsu(ALL1, ALL1), ALL1);                      /* -(2^64-1) */
    assert_int_equal(ref_mulhsu(I64_MIN, ALL1), I64_MIN);                /* -2^127 + 2^63 */
    assert_int_equal(ref_mulhsu(1, ALL1), 0);
    assert_int_equal(ref_div((uint64_t)-7, 2), (uint64_t)-3);
    assert_int_equal(ref_rem((uint64_t)-7, 2), (uint64_t)-1);
    assert_int_equal(ref_div(7, (uint64_t)-2), (uint64_t)-3);
    assert_int_equal(ref_rem(7, (uint64_t)-2), 1);
    assert_int_equal(ref_divw(0x80000000, ALL1), 0xffffffff80000000ull);
    assert_int_equal(ref_remw(0x80000000, ALL1), 0);
    assert_int_equal(ref_divuw(0x80000000, 1), 0xffffffff80000000ull);
    assert_int_equal(ref_remuw(0xffffffff, 0), ALL1);
    assert_int_equal(ref_mulw(0x10000, 0x8000), 0xffffffff80000000ull);
}

static void test_known_answers(void **state) {
    (void)state;
    uint32_t mul = rv_enc_mul(3, 1, 2), mulh = rv_enc_mulh(3, 1, 2), mulhu = rv_enc_mulhu(3, 1, 2),
             mulhsu = rv_enc_mulhsu(3, 1, 2);
    ISA_CHECK_RR(mul, "mul", I64_MIN, ALL1, I64_MIN);
    ISA_CHECK_RR(mul, "mul", ALL1, ALL1, 1);
    ISA_CHECK_RR(mul, "mul", 0x100000000ull, 0x100000000ull, 0);
    ISA_CHECK_RR(mul, "mul", 3, (uint64_t)-5, (uint64_t)-15);
    ISA_CHECK_RR(mul, "mul", 0xdeadbeefull, 0x100000000ull, 0xdeadbeef00000000ull);
    ISA_CHECK_RR(mulh, "mulh", I64_MIN, I64_MIN, 0x4000000000000000ull);
    ISA_CHECK_RR(mulh, "mulh", ALL1, ALL1, 0);
    ISA_CHECK_RR(mulh, "mulh", ALL1, 1, ALL1);
    ISA_CHECK_RR(mulh, "mulh", I64_MAX, I64_MAX, 0x3fffffffffffffffull);
    ISA_CHECK_RR(mulh, "mulh", I64_MIN, ALL1, 0);
    ISA_CHECK_RR(mulh, "mulh", I64_MIN, 1, ALL1);
    ISA_CHECK_RR(mulhu, "mulhu", ALL1, ALL1, 0xfffffffffffffffeull);
    ISA_CHECK_RR(mulhu, "mulhu", I64_MIN, 2, 1);
    ISA_CHECK_RR(mulhu, "mulhu", ALL1, 1, 0);
    ISA_CHECK_RR(mulhsu, "mulhsu", ALL1, ALL1, ALL1);
    ISA_CHECK_RR(mulhsu, "mulhsu", I64_MIN, ALL1, I64_MIN);
    ISA_CHECK_RR(mulhsu, "mulhsu", 1, ALL1, 0);
    ISA_CHECK_RR(mulhsu, "mulhsu", ALL1, 1, ALL1);
    ISA_CHECK_RR(mulhsu, "mulhsu", 2, I64_MIN, 1);

    uint32_t div = rv_enc_div(3, 1, 2), divu = rv_enc_divu(3, 1, 2), rem = rv_enc_rem(3, 1, 2),
             remu = rv_enc_remu(3, 1, 2);
    /* Division by zero. */
    ISA_CHECK_RR(div, "div", 12345, 0, ALL1);
    ISA_CHECK_RR(div, "div", (uint64_t)-12345, 0, ALL1);
    ISA_CHECK_RR(divu, "divu", 12345, 0, ALL1);
    ISA_CHECK_RR(rem, "rem", (uint64_t)-12345, 0, (uint64_t)-12345);
    ISA_CHECK_RR(remu, "remu", 0xfedcba9876543210ull, 0, 0xfedcba9876543210ull);
    /* Signed overflow. */
    ISA_CHECK_RR(div, "div", I64_MIN, ALL1, I64_MIN);
    ISA_CHECK_RR(rem, "rem", I64_MIN, ALL1, 0);
    /* Truncation toward zero, signs. */
    ISA_CHECK_RR(div, "div", (uint64_t)-7, 2, (uint64_t)-3);
    ISA_CHECK_RR(rem, "rem", (uint64_t)-7, 2, (uint64_t)-1);
    ISA_CHECK_RR(div, "div", 7, (uint64_t)-2, (uint64_t)-3);
    ISA_CHECK_RR(rem, "rem", 7, (uint64_t)-2, 1);
    ISA_CHECK_RR(divu, "divu", (uint64_t)-7, 2, 0x7ffffffffffffffcull);
    ISA_CHECK_RR(remu, "remu", (uint64_t)-7, 2, 1);
    ISA_CHECK_RR(divu, "divu", I64_MIN, ALL1, 0);
    ISA_CHECK_RR(remu, "remu", I64_MIN, ALL1, I64_MIN);

    uint32_t mulw = rv_enc_mulw(3, 1, 2), divw = rv_enc_divw(3, 1, 2), divuw = rv_enc_divuw(3, 1, 2),
             remw = rv_enc_remw(3, 1, 2), remuw = rv_enc_remuw(3, 1, 2);
    ISA_CHECK_RR(mulw, "mulw", 0x10000, 0x8000, 0xffffffff80000000ull);
    ISA_CHECK_RR(mulw, "mulw", 0xffffffff00000003ull, 0x1234567800000005ull, 15);
    ISA_CHECK_RR(mulw, "mulw", 0x7fffffff, 2, 0xfffffffffffffffeull);
    /* W division by zero: quotient all ones (sign-extended), remainder = sext(dividend[31:0]). */
    ISA_CHECK_RR(divw, "divw", 5, 0xffffffff00000000ull, ALL1);
    ISA_CHECK_RR(divuw, "divuw", 5, 0xffffffff00000000ull, ALL1);
    ISA_CHECK_RR(remw, "remw", 0x1234567880000001ull, 0, 0xffffffff80000001ull);
    ISA_CHECK_RR(remuw, "remuw", 0x1234567880000001ull, 0, 0xffffffff80000001ull);
    ISA_CHECK_RR(remuw, "remuw", 0x7fffffff, 0, 0x7fffffff);
    /* W signed overflow: INT32_MIN / -1. */
    ISA_CHECK_RR(divw, "divw", 0x80000000, 0xffffffff, 0xffffffff80000000ull);
    ISA_CHECK_RR(remw, "remw", 0x80000000, 0xffffffff, 0);
    ISA_CHECK_RR(divw, "divw", 0xabcdef0080000000ull, ALL1, 0xffffffff80000000ull);
    /* Unsigned W results with bit 31 set are sign-extended too. */
    ISA_CHECK_RR(divuw, "divuw", 0x80000000, 1, 0xffffffff80000000ull);
    ISA_CHECK_RR(divuw, "divuw", 0xffffffff, 2, 0x7fffffff);
    ISA_CHECK_RR(remuw, "remuw", 0xfffffffe, 0xffffffff, 0xfffffffffffffffeull);
    ISA_CHECK_RR(divw, "divw", (uint64_t)-7, 2, (uint64_t)-3);
    ISA_CHECK_RR(remw, "remw", (uint64_t)-7, 2, (uint64_t)-1);
    ISA_CHECK_RR(divw, "divw", 0x00000000fffffff9ull, 2, (uint64_t)-3); /* upper bits ignored */
    ISA_DONE();
}

/* Every op on every pair of a set of extreme values. */
static void test_sweep(void **state) {
    (void)state;
    const uint64_t vals[] = {
        0, 1, 2, 3, ALL1, (uint64_t)-2, I64_MIN, I64_MAX, I64_MIN + 1,
        0xffffffffull, 0x80000000ull, 0x7fffffffull, 0x100000000ull, 0xffffffff80000000ull,
        0xffffffff7fffffffull, 0xdeadbeefcafebabeull, 0x0123456789abcdefull, 7, (uint64_t)-7,
    };
    const size_t nv = sizeof vals / sizeof vals[0];
    const size_t n = nv * nv;
    uint64_t *a = malloc(n * sizeof *a), *b = malloc(n * sizeof *b), *out = malloc(n * sizeof *out);
    assert_true(a && b && out);
    for (size_t i = 0; i < nv; i++)
        for (size_t j = 0; j < nv; j++) {
            a[i * nv + j] = vals[i];
            b[i * nv + j] = vals[j];
        }
    for (size_t k = 0; k < sizeof m_ops / sizeof m_ops[0]; k++) {
        const m_op *op = &m_ops[k];
        if (!isa_sweep_rr(__FILE__, __LINE__, op->enc(3, 1, 2), n, a, b, out, op->name)) continue;
        for (size_t i = 0; i < n; i++)
            ISA_EXPECT_EQ(out[i], op->ref(a[i], b[i]), "%s x3, x1=0x%016llx, x2=0x%016llx", op->name,
                          (unsigned long long)a[i], (unsigned long long)b[i]);
    }
    free(a);
    free(b);
    free(out);
    ISA_DONE();
}

/* Register aliasing: rd == rs1 == rs2 reads both operands before writing. */
static void test_aliasing(void **state) {
    (void)state;
    isa_code c;
    isa_code_reset(&c);
    isa_emit32(&c, rv_enc_mulhu(5, 5, 5));
    isa_emit32(&c, rv_enc_div(6, 6, 6));
    isa_emit32(&c, rv_enc_remw(7, 7, 7));
    isa_vm t;
    isa_vm_open(&t, &c);
    vm_set_reg(t.m, 5, ALL1);
    vm_set_reg(t.m, 6, 0);
    vm_set_reg(t.m, 7, 0x80000000);
    isa_run(&t, 3);
    if (ISA_EXPECT_RAN(&t, ISA_BASE + 12, "aliasing sequence")) {
        ISA_EXPECT_EQ(vm_get_reg(t.m, 5), 0xfffffffffffffffeull, "mulhu x5, x5, x5 with x5 = -1");
        ISA_EXPECT_EQ(vm_get_reg(t.m, 6), ALL1, "div x6, x6, x6 with x6 = 0");
        ISA_EXPECT_EQ(vm_get_reg(t.m, 7), 0, "remw x7, x7, x7 with x7 = 0x80000000");
    }
    isa_vm_close(&t);
    ISA_DONE();
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reference_self_check),
        cmocka_unit_test(test_known_answers),
        cmocka_unit_test(test_sweep),
        cmocka_unit_test(test_aliasing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
