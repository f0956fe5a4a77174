/*
 * test_isa_a.c: the A extension on a single hart: LR/SC reservations and every AMO.
 *
 * Single-hart rules checked (RISC-V manual, "A" chapter):
 *  - SC succeeds (rd = 0, memory written) only with a valid reservation covering its address;
 *    otherwise rd is non-zero (the emulator uses 1, as ZisK does) and memory is unchanged.
 *  - Any SC, successful or not, invalidates the reservation.
 *  - LR.W sign-extends the loaded word; AMO*.W return the old word sign-extended and store
 *    only 32 bits.
 *  - Misaligned LR/SC/AMO addresses raise an exception (here: stop with a fault).
 */
#include "isa_harness.h"

#define ALL1 0xffffffffffffffffull

static uint64_t sext32(uint64_t v) { return (uint64_t)(int64_t)(int32_t)(uint32_t)v; }

/* ---- LR/SC ---- */

/* Runs `n` instructions with x10 = ISA_DATA, x11 = ISA_DATA + 64, x12 = value to store;
 * memory at both addresses starts as `init`. */
static void lrsc_open(isa_vm *t, const isa_code *c, uint64_t init) {
    isa_vm_open(t, c);
    isa_poke64(t, ISA_DATA, init);
    isa_poke64(t, ISA_DATA + 64, init);
    vm_set_reg(t->m, 10, ISA_DATA);
    vm_set_reg(t->m, 11, ISA_DATA + 64);
    vm_set_reg(t->m, 12, 0x1122334455667788ull);
}

static void test_lr_sc(void **state) {
    (void)state;
    isa_code c;
    isa_vm t;
    const uint64_t init = 0xa5a5a5a580000001ull;

    /* LR.W sign-extends; SC.W to the same address succeeds and writes only 32 bits. */
    isa_code_reset(&c);
    isa_emit32(&c, rv_enc_lr_w(5, 10, 0, 0));
    isa_emit32(&c, rv_enc_sc_w(6, 12, 10, 0, 0));
    lrsc_open(&t, &c, init);
    vm_set_reg(t.m, 6, 0x55);
    isa_run(&t, 2);
    if (ISA_EXPECT_RAN(&t, ISA_BASE + 8, "lr.w; sc.w same address")) {
        ISA_EXPECT_EQ(vm_get_reg(t.m, 5), 0xffffffff80000001ull, "lr.w of 0x80000001 (sign-extended)");
        ISA_EXPECT_EQ(vm_get_reg(t.m, 6), 0, "sc.w after lr.w: rd (0 = success)");
        ISA_EXPECT_EQ(isa_peek64(&t, ISA_DATA), 0xa5a5a5a555667788ull, "sc.w after lr.w: memory");
    }
    isa_vm_close(&t);

    /* LR.D / SC.D success, with aq/rl bits set. */
    isa_code_reset(&c);
    isa_emit32(&c, rv_enc_lr_d(5, 10, 1, 0));
    isa_emit32(&c, rv_enc_sc_d(6, 12, 10, 0, 1));
    lrsc_open(&t, &c, init);
    isa_run(&t, 2);
    if (ISA_EXPECT_RAN(&t, ISA_BASE + 8, "lr.d.aq; sc.d.rl same address")) {
        ISA_EXPECT_EQ(vm_get_reg(t.m, 5), init, "lr.d");
        ISA_EXPECT_EQ(vm_get_reg(t.m, 6), 0, "sc.d after lr.d: rd");
        ISA_EXPECT_EQ(isa_peek64(&t, ISA_DATA), 0x1122334455667788ull, "sc.d after lr.d: memory");
    }
    isa_vm_close(&t);

    /* SC without any LR fails. */
    for (int d = 0; d < 2; d++) {
        isa_code_reset(&c);
        isa_emit32(&c, d ? rv_enc_sc_d(6, 12, 10, 0, 0) : rv_enc_sc_w(6, 12, 10, 0, 0));
        lrsc_open(&t, &c, init);
        isa_run(&t, 1);
        if (ISA_EXPECT_RAN(&t, ISA_BASE + 4, "%s without lr", d ? "sc.d" : "sc.w")) {
            ISA_EXPECT_EQ(vm_get_reg(t.m, 6), 1, "%s without lr: rd (1 = failure)", d ? "sc.d" : "sc.w");
            ISA_EXPECT_EQ(isa_peek64(&t, ISA_DATA), init, "%s without lr: memory unchanged", d ? "sc.d" : "sc.w");
        }
        isa_vm_close(&t);
    }

    /* SC to a different address (another 64-byte block) fails and leaves both unchanged. */
    isa_code_reset(&c);
    isa_emit32(&c, rv_enc_lr_d(5, 10, 0, 0));
    isa_emit32(&c, rv_enc_sc_d(6, 12, 11, 0, 0));
    lrsc_open(&t, &c, init);
    isa_run(&t, 2);
    if (ISA_EXPECT_RAN(&t, ISA_BASE + 8, "lr.d A; sc.d B")) {
        ISA_EXPECT_EQ(vm_get_reg(t.m, 6), 1, "sc.d to another address than lr.d: rd");
        ISA_EXPECT_EQ(isa_peek64(&t, ISA_DATA + 64), init, "sc.d to another address: memory at B");
        ISA_EXPECT_EQ(isa_peek64(&t, ISA_DATA), init, "sc.d to another address: memory at A");
    }
    isa_vm_close(&t);

    /* A second SC after a successful one fails (the first SC consumed the reservation). */
    isa_code_reset(&c);
    isa_emit32(&c, rv_enc_lr_w(5, 10, 0, 0));
    isa_emit32(&c, rv_enc_sc_w(6, 12, 10, 0, 0));
    isa_emit32(&c, rv_enc_sc_w(7, 0, 10, 0, 0)); /* would store 0 */
    lrsc_open(&t, &c, init);
    isa_run(&t, 3);
    if (ISA_EXPECT_RAN(&t, ISA_BASE + 12, "lr.w; sc.w; sc.w")) {
        ISA_EXPECT_EQ(vm_get_reg(t.m, 6), 0, "first sc.w: rd");
        ISA_EXPECT_EQ(vm_get_reg(t.m, 7), 1, "second sc.w after a successful one: rd");
        ISA_EXPECT_EQ(isa_peek64(&t, ISA_DATA), 0xa5a5a5a555667788ull, "memory keeps the first sc.w's value");
    }
    isa_vm_close(&t);

    /* A failed SC also invalidates the reservation: lr A; sc B (fails); sc A fails. */
    isa_code_reset(&c);
    isa_emit32(&c, rv_enc_lr_d(5, 10, 0, 0));
    isa_emit32(&c, rv_enc_sc_d(6, 12, 11, 0, 0));
    isa_emit32(&c, rv_enc_sc_d(7, 12, 10, 0, 0));
    lrsc_open(&t, &c, init);
    isa_run(&t, 3);
    if (ISA_EXPECT_RAN(&t, ISA_BASE + 12, "lr.d A; sc.d B; sc.d A")) {
        ISA_EXPECT_EQ(vm_get_reg(t.m, 6), 1, "sc.d B after lr.d A: rd");
        ISA_EXPECT_EQ(vm_get_reg(t.m, 7), 1, "sc.d A after a failed sc.d (reservation gone): rd");
        ISA_EXPECT_EQ(isa_peek64(&t, ISA_DATA), init, "memory at A unchanged");
    }
    isa_vm_close(&t);

    /* A new LR re-arms: lr A; sc A; lr A; sc A both succeed. The second LR reads the value
     * the first SC stored. rd == rs2 for SC: the value stored is the old rs2. */
    isa_code_reset(&c);
    isa_emit32(&c, rv_enc_lr_d(5, 10, 0, 0));
    isa_emit32(&c, rv_enc_sc_d(6, 12, 10, 0, 0));
    isa_emit32(&c, rv_enc_lr_d(13, 10, 0, 0));
    isa_emit32(&c, rv_enc_sc_d(12, 12, 10, 1, 1));
    lrsc_open(&t, &c, init);
    isa_run(&t, 4);
    if (ISA_EXPECT_RAN(&t, ISA_BASE + 16, "lr; sc; lr; sc")) {
        ISA_EXPECT_EQ(vm_get_reg(t.m, 6), 0, "first sc.d: rd");
        ISA_EXPECT_EQ(vm_get_reg(t.m, 13), 0x1122334455667788ull, "second lr.d reads the stored value");
        ISA_EXPECT_EQ(vm_get_reg(t.m, 12), 0, "second sc.d x12, x12: rd");
        ISA_EXPECT_EQ(isa_peek64(&t, ISA_DATA), 0x1122334455667788ull, "memory after second sc.d");
    }
    isa_vm_close(&t);

    /* Misaligned LR/SC fault. */
    struct { uint32_t insn; uint64_t addr; const char *what; } mis[] = {
        {rv_enc_lr_w(5, 10, 0, 0), ISA_DATA + 2, "lr.w at 4n+2"},
        {rv_enc_lr_d(5, 10, 0, 0), ISA_DATA + 4, "lr.d at 8n+4"},
        {rv_enc_sc_w(5, 12, 10, 0, 0), ISA_DATA + 1, "sc.w at 4n+1"},
        {rv_enc_sc_d(5, 12, 10, 0, 0), ISA_DATA + 4, "sc.d at 8n+4"},
    };
    for (size_t i = 0; i < sizeof mis / sizeof mis[0]; i++) {
        isa_code_reset(&c);
        isa_emit32(&c, mis[i].insn);
        lrsc_open(&t, &c, init);
        vm_set_reg(t.m, 10, mis[i].addr);
        isa_run(&t, 1);
        ISA_EXPECT_FAULT(&t, ISA_BASE, NULL, "%s", mis[i].what);
        isa_vm_close(&t);
    }
    ISA_DONE();
}

/* ---- AMOs ---- */
typedef struct amo_op {
    const char *name;
    unsigned f5;
    uint64_t (*ref)(uint64_t old, uint64_t src, int is_d); /* the value to store (64 or low 32 bits) */
} amo_op;

static uint64_t amo_swap(uint64_t o, uint64_t s, int d) { (void)o; (void)d; return s; }
static uint64_t amo_add(uint64_t o, uint64_t s, int d) { (void)d; return o + s; }
static uint64_t amo_xor(uint64_t o, uint64_t s, int d) { (void)d; return o ^ s; }
static uint64_t amo_and(uint64_t o, uint64_t s, int d) { (void)d; return o & s; }
static uint64_t amo_or(uint64_t o, uint64_t s, int d) { (void)d; return o | s; }
/* Min/max compare as 64-bit values (.D) or the low 32 bits (.W), signed or unsigned. */
static int64_t sv(uint64_t v, int d) { return d ? (int64_t)v : (int64_t)(int32_t)(uint32_t)v; }
static uint64_t uv(uint64_t v, int d) { return d ? v : (uint32_t)v; }
static uint64_t amo_min(uint64_t o, uint64_t s, int d) { return sv(o, d) < sv(s, d) ? o : s; }
static uint64_t amo_max(uint64_t o, uint64_t s, int d) { return sv(o, d) > sv(s, d) ? o : s; }
static uint64_t amo_minu(uint64_t o, uint64_t s, int d) { return uv(o, d) < uv(s, d) ? o : s; }
static uint64_t amo_maxu(uint64_t o, uint64_t s, int d) { return uv(o, d) > uv(s, d) ? o : s; }

static const amo_op amo_ops[] = {
    {"amoswap", RV_AMO_SWAP, amo_swap}, {"amoadd", RV_AMO_ADD, amo_add},
    {"amoxor", RV_AMO_XOR, amo_xor},    {"amoand", RV_AMO_AND, amo_and},
    {"amoor", RV_AMO_OR, amo_or},       {"amomin", RV_AMO_MIN, amo_min},
    {"amomax", RV_AMO_MAX, amo_max},    {"amominu", RV_AMO_MINU, amo_minu},
    {"amomaxu", RV_AMO_MAXU, amo_maxu},
};

/* Hand-derived spot checks of the signed/unsigned min/max distinction, so the reference
 * functions cannot agree with a wrong emulator by sharing a mistake. */
static void test_amo_reference(void **state) {
    (void)state;
    /* .D: old = -2^63 + ..., src = 1 */
    assert_int_equal(amo_min(0x8000000000000000ull, 1, 1), 0x8000000000000000ull);
    assert_int_equal(amo_max(0x8000000000000000ull, 1, 1), 1);
    assert_int_equal(amo_minu(0x8000000000000000ull, 1, 1), 1);
    assert_int_equal(amo_maxu(0x8000000000000000ull, 1, 1), 0x8000000000000000ull);
    /* .W: old word 0x80000000 is negative signed, large unsigned. */
    assert_int_equal((uint32_t)amo_min(0x80000000, 1, 0), 0x80000000u);
    assert_int_equal((uint32_t)amo_max(0x80000000, 1, 0), 1);
    assert_int_equal((uint32_t)amo_minu(0x80000000, 1, 0), 1);
    assert_int_equal((uint32_t)amo_maxu(0x80000000, 1, 0), 0x80000000u);
    /* .W ignores the upper half of rs2: src 0xffffffff00000002 is 2 as a word. */
    assert_int_equal((uint32_t)amo_max(0x00000001, 0xffffffff00000002ull, 0), 2);
}

static void test_amo(void **state) {
    (void)state;
    /* (old memory doubleword, rs2) pairs chosen so signed and unsigned orders differ. */
    const uint64_t pairs[][2] = {
        {0x8000000000000000ull, 1},
        {1, 0x8000000000000000ull},
        {0xffffffff80000000ull, 0x000000007fffffffull},
        {0x123456780000ffffull, 0xfedcba98ffff0000ull},
        {0xa5a5a5a580000000ull, 0xffffffff00000001ull},
        {0x00000000ffffffffull, 0x0000000000000001ull},
        {ALL1, ALL1},
        {5, 5},
    };
    const size_t np = sizeof pairs / sizeof pairs[0];
    for (size_t k = 0; k < sizeof amo_ops / sizeof amo_ops[0]; k++) {
        for (int d = 0; d < 2; d++) {
            for (size_t p = 0; p < np; p++) {
                const uint64_t old = pairs[p][0], src = pairs[p][1];
                const int aq = (int)(p & 1), rl = (int)((p >> 1) & 1);
                isa_code c;
                isa_code_reset(&c);
                isa_emit32(&c, rv_enc_amo(amo_ops[k].f5, d, 5, 10, 12, aq, rl));
                isa_vm t;
                isa_vm_open(&t, &c);
                isa_poke64(&t, ISA_DATA - 8, ALL1);
                isa_poke64(&t, ISA_DATA, old);
                isa_poke64(&t, ISA_DATA + 8, ALL1);
                vm_set_reg(t.m, 10, ISA_DATA);
                vm_set_reg(t.m, 12, src);
                isa_run(&t, 1);
                char what[200];
                snprintf(what, sizeof what, "%s.%c (aq=%d rl=%d) mem=0x%016llx, rs2=0x%016llx",
                         amo_ops[k].name, d ? 'd' : 'w', aq, rl, (unsigned long long)old,
                         (unsigned long long)src);
                if (ISA_EXPECT_RAN(&t, ISA_BASE + 4, "%s", what)) {
                    uint64_t stored = amo_ops[k].ref(old, src, d);
                    uint64_t exp_mem = d ? stored : ((old & 0xffffffff00000000ull) | (uint32_t)stored);
                    uint64_t exp_rd = d ? old : sext32(old);
                    ISA_EXPECT_EQ(vm_get_reg(t.m, 5), exp_rd, "%s: rd (old value)", what);
                    ISA_EXPECT_EQ(isa_peek64(&t, ISA_DATA), exp_mem, "%s: memory", what);
                    ISA_EXPECT_EQ(vm_get_reg(t.m, 12), src, "%s: rs2 unchanged", what);
                    ISA_EXPECT_EQ(isa_peek64(&t, ISA_DATA + 8), ALL1, "%s: next doubleword untouched", what);
                    ISA_EXPECT_EQ(isa_peek64(&t, ISA_DATA - 8), ALL1, "%s: previous doubleword untouched", what);
                }
                isa_vm_close(&t);
            }
        }
    }

    /* .W on the upper word of a doubleword (address 8n+4). */
    isa_code c;
    isa_code_reset(&c);
    isa_emit32(&c, rv_enc_amo(RV_AMO_ADD, 0, 5, 10, 12, 0, 0));
    isa_vm t;
    isa_vm_open(&t, &c);
    isa_poke64(&t, ISA_DATA, 0x7fffffff11111111ull);
    vm_set_reg(t.m, 10, ISA_DATA + 4);
    vm_set_reg(t.m, 12, 1);
    isa_run(&t, 1);
    if (ISA_EXPECT_RAN(&t, ISA_BASE + 4, "amoadd.w at 8n+4")) {
        ISA_EXPECT_EQ(vm_get_reg(t.m, 5), 0x7fffffff, "amoadd.w at 8n+4: rd");
        ISA_EXPECT_EQ(isa_peek64(&t, ISA_DATA), 0x8000000011111111ull, "amoadd.w at 8n+4: memory");
    }
    isa_vm_close(&t);

    /* rd == rs2 and rd == x0. */
    isa_code_reset(&c);
    isa_emit32(&c, rv_enc_amo(RV_AMO_SWAP, 1, 12, 10, 12, 0, 0));
    isa_emit32(&c, rv_enc_amo(RV_AMO_ADD, 1, 0, 10, 13, 0, 0));
    isa_vm_open(&t, &c);
    isa_poke64(&t, ISA_DATA, 100);
    vm_set_reg(t.m, 10, ISA_DATA);
    vm_set_reg(t.m, 12, 7);
    vm_set_reg(t.m, 13, 3);
    isa_run(&t, 2);
    if (ISA_EXPECT_RAN(&t, ISA_BASE + 8, "amoswap.d x12, x12; amoadd.d x0")) {
        ISA_EXPECT_EQ(vm_get_reg(t.m, 12), 100, "amoswap.d x12, x12, (x10): rd gets old memory");
        ISA_EXPECT_EQ(isa_peek64(&t, ISA_DATA), 10, "memory after swap 7 then add 3");
        ISA_EXPECT_EQ(vm_get_reg(t.m, 0), 0, "amoadd.d x0: x0 stays 0");
    }
    isa_vm_close(&t);
    ISA_DONE();
}

static void test_amo_faults(void **state) {
    (void)state;
    struct { int d; uint64_t addr; const char *what; } cases[] = {
        {0, ISA_DATA + 2, "amoadd.w at 4n+2 (misaligned)"},
        {0, ISA_DATA + 1, "amoadd.w at 4n+1 (misaligned)"},
        {1, ISA_DATA + 4, "amoadd.d at 8n+4 (misaligned)"},
        {1, ISA_DATA + 7, "amoadd.d at 8n+7 (misaligned)"},
        {1, VM_ROM_ADDR + 0x100, "amoadd.d on ROM"},
        {0, VM_INPUT_ADDR + 8, "amoadd.w on the input region"},
        {1, 0x10000000ull, "amoadd.d on unmapped memory"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        isa_code c;
        isa_code_reset(&c);
        isa_emit32(&c, rv_enc_amo(RV_AMO_ADD, cases[i].d, 5, 10, 12, 0, 0));
        isa_pad_to(&c, 0x200);
        isa_vm t;
        isa_vm_open(&t, &c);
        isa_poke64(&t, ISA_DATA, 0x1111111111111111ull);
        vm_set_reg(t.m, 10, cases[i].addr);
        vm_set_reg(t.m, 12, 1);
        vm_set_reg(t.m, 5, 0x5555);
        isa_run(&t, 1);
        if (ISA_EXPECT_FAULT(&t, ISA_BASE, NULL, "%s", cases[i].what)) {
            ISA_EXPECT_EQ(vm_get_reg(t.m, 5), 0x5555, "%s: rd not written", cases[i].what);
            ISA_EXPECT_EQ(isa_peek64(&t, ISA_DATA), 0x1111111111111111ull, "%s: memory unchanged", cases[i].what);
        }
        isa_vm_close(&t);
    }
    ISA_DONE();
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lr_sc),
        cmocka_unit_test(test_amo_reference),
        cmocka_unit_test(test_amo),
        cmocka_unit_test(test_amo_faults),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
