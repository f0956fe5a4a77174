/*
 * test_isa_rv64i.c: RV64I base instructions, one at a time, with edge cases.
 *
 * Expected values are hand-derived constants (with the derivation in a comment where it is
 * not obvious) or plain C arithmetic on uint64_t/int64_t written from the ISA manual's
 * definitions; nothing here calls the project's decoder or interpreter to compute them.
 */
#include "isa_harness.h"

#define I64_MIN 0x8000000000000000ull
#define I64_MAX 0x7fffffffffffffffull
#define ALL1 0xffffffffffffffffull

/* ---- Register-register ALU ---- */
static void test_alu_rr(void **state) {
    (void)state;
    uint32_t add = rv_enc_add(3, 1, 2), sub = rv_enc_sub(3, 1, 2);
    ISA_CHECK_RR(add, "add", 1, 2, 3);
    ISA_CHECK_RR(add, "add", ALL1, 1, 0);
    ISA_CHECK_RR(add, "add", I64_MAX, 1, I64_MIN);
    ISA_CHECK_RR(add, "add", I64_MIN, I64_MIN, 0);
    ISA_CHECK_RR(sub, "sub", 0, 1, ALL1);
    ISA_CHECK_RR(sub, "sub", I64_MIN, 1, I64_MAX);
    ISA_CHECK_RR(sub, "sub", 5, 5, 0);
    ISA_CHECK_RR(sub, "sub", 3, ALL1, 4);

    uint32_t slt = rv_enc_slt(3, 1, 2), sltu = rv_enc_sltu(3, 1, 2);
    ISA_CHECK_RR(slt, "slt", ALL1, 0, 1);
    ISA_CHECK_RR(slt, "slt", 0, ALL1, 0);
    ISA_CHECK_RR(slt, "slt", I64_MIN, I64_MAX, 1);
    ISA_CHECK_RR(slt, "slt", I64_MAX, I64_MIN, 0);
    ISA_CHECK_RR(slt, "slt", 5, 5, 0);
    ISA_CHECK_RR(slt, "slt", I64_MIN, I64_MIN + 1, 1);
    ISA_CHECK_RR(sltu, "sltu", ALL1, 0, 0);
    ISA_CHECK_RR(sltu, "sltu", 0, ALL1, 1);
    ISA_CHECK_RR(sltu, "sltu", I64_MAX, I64_MIN, 1);
    ISA_CHECK_RR(sltu, "sltu", I64_MIN, I64_MAX, 0);
    ISA_CHECK_RR(sltu, "sltu", 7, 7, 0);
    ISA_CHECK_RR(sltu, "sltu", 0, 1, 1);

    ISA_CHECK_RR(rv_enc_xor(3, 1, 2), "xor", 0xff00ff00ff00ff00ull, 0x0ff00ff00ff00ff0ull, 0xf0f0f0f0f0f0f0f0ull);
    ISA_CHECK_RR(rv_enc_or(3, 1, 2), "or", 0xff00ff00ff00ff00ull, 0x0ff00ff00ff00ff0ull, 0xfff0fff0fff0fff0ull);
    ISA_CHECK_RR(rv_enc_and(3, 1, 2), "and", 0xff00ff00ff00ff00ull, 0x0ff00ff00ff00ff0ull, 0x0f000f000f000f00ull);

    /* SLL/SRL/SRA use only rs2[5:0]. */
    uint32_t sll = rv_enc_sll(3, 1, 2), srl = rv_enc_srl(3, 1, 2), sra = rv_enc_sra(3, 1, 2);
    ISA_CHECK_RR(sll, "sll", 1, 0, 1);
    ISA_CHECK_RR(sll, "sll", 1, 63, I64_MIN);
    ISA_CHECK_RR(sll, "sll", 1, 64, 1);
    ISA_CHECK_RR(sll, "sll", 1, 65, 2);
    ISA_CHECK_RR(sll, "sll", 0xff, 0xffffffffffffffc4ull, 0xff0); /* low 6 bits = 4 */
    ISA_CHECK_RR(sll, "sll", 0x0123456789abcdefull, 32, 0x89abcdef00000000ull);
    ISA_CHECK_RR(srl, "srl", I64_MIN, 63, 1);
    ISA_CHECK_RR(srl, "srl", I64_MIN, 64, I64_MIN);
    ISA_CHECK_RR(srl, "srl", 0xf0, 0x104, 0xf);
    ISA_CHECK_RR(srl, "srl", ALL1, 32, 0xffffffffull);
    ISA_CHECK_RR(srl, "srl", ALL1, 0x7f, 1);
    ISA_CHECK_RR(sra, "sra", I64_MIN, 63, ALL1);
    ISA_CHECK_RR(sra, "sra", I64_MIN, 0x7f, ALL1);
    ISA_CHECK_RR(sra, "sra", I64_MIN, 64, I64_MIN);
    ISA_CHECK_RR(sra, "sra", (uint64_t)-16, 2, (uint64_t)-4);
    ISA_CHECK_RR(sra, "sra", 0x8000000000000000ull, 32, 0xffffffff80000000ull);
    ISA_CHECK_RR(sra, "sra", I64_MAX, 62, 1);
    ISA_DONE();
}

/* ---- Register-immediate ALU ---- */
static void check_ri(uint32_t (*enc)(unsigned, unsigned, int64_t), const char *name, uint64_t a,
                     int64_t imm, uint64_t expected) {
    char n[64];
    snprintf(n, sizeof n, "%s imm=%lld", name, (long long)imm);
    ISA_CHECK_RR(enc(3, 1, imm), n, a, 0, expected);
}

static void test_alu_ri(void **state) {
    (void)state;
    check_ri(rv_enc_addi, "addi", 5, -1, 4);
    check_ri(rv_enc_addi, "addi", 0, -2048, 0xfffffffffffff800ull);
    check_ri(rv_enc_addi, "addi", 0, 2047, 0x7ff);
    check_ri(rv_enc_addi, "addi", ALL1, 1, 0);
    check_ri(rv_enc_addi, "addi", I64_MAX, 1, I64_MIN);
    check_ri(rv_enc_slti, "slti", ALL1, 0, 1);
    check_ri(rv_enc_slti, "slti", 0, -1, 0);
    check_ri(rv_enc_slti, "slti", 5, 5, 0);
    check_ri(rv_enc_slti, "slti", 4, 5, 1);
    check_ri(rv_enc_slti, "slti", I64_MIN, -2048, 1);
    check_ri(rv_enc_slti, "slti", I64_MAX, 2047, 0);
    /* SLTIU compares with the sign-extended immediate as unsigned: imm -1 is 2^64-1. */
    check_ri(rv_enc_sltiu, "sltiu", 0, -1, 1);
    check_ri(rv_enc_sltiu, "sltiu", 0xfffffffffffffffeull, -1, 1);
    check_ri(rv_enc_sltiu, "sltiu", ALL1, -1, 0);
    check_ri(rv_enc_sltiu, "sltiu", 0, 1, 1); /* seqz */
    check_ri(rv_enc_sltiu, "sltiu", 1, 1, 0);
    check_ri(rv_enc_sltiu, "sltiu", 0x800, -2048, 1); /* 0x800 < 0xffff...f800 */
    check_ri(rv_enc_xori, "xori", 0xff, -1, 0xffffffffffffff00ull);
    check_ri(rv_enc_xori, "xori", 0x1234, 0x7ff, 0x1234 ^ 0x7ff);
    check_ri(rv_enc_ori, "ori", 0, -2048, 0xfffffffffffff800ull);
    check_ri(rv_enc_ori, "ori", 0x1000, 1, 0x1001);
    check_ri(rv_enc_andi, "andi", ALL1, -2048, 0xfffffffffffff800ull);
    check_ri(rv_enc_andi, "andi", 0x123456789ull, 0xff, 0x89);
    check_ri(rv_enc_andi, "andi", I64_MIN | 0xfff, -1, I64_MIN | 0xfff);

    /* Shifts by immediate: shamt 0, 1, 31, 32, 63. */
    const uint64_t v = 0x8123456789abcdefull;
    const unsigned shamts[] = {0, 1, 31, 32, 63};
    for (size_t i = 0; i < sizeof shamts / sizeof shamts[0]; i++) {
        unsigned s = shamts[i];
        char n[64];
        snprintf(n, sizeof n, "slli shamt=%u", s);
        ISA_CHECK_RR(rv_enc_slli(3, 1, s), n, v, 0, v << s);
        snprintf(n, sizeof n, "srli shamt=%u", s);
        ISA_CHECK_RR(rv_enc_srli(3, 1, s), n, v, 0, v >> s);
        /* Arithmetic shift of a negative value: the vacated bits fill with ones. */
        uint64_t sra = s == 0 ? v : (v >> s) | (ALL1 << (64 - s));
        snprintf(n, sizeof n, "srai shamt=%u", s);
        ISA_CHECK_RR(rv_enc_srai(3, 1, s), n, v, 0, sra);
        snprintf(n, sizeof n, "srai(positive) shamt=%u", s);
        ISA_CHECK_RR(rv_enc_srai(3, 1, s), n, v & I64_MAX, 0, (v & I64_MAX) >> s);
    }
    ISA_CHECK_RR(rv_enc_srai(3, 1, 63), "srai 63", I64_MIN, 0, ALL1);
    ISA_CHECK_RR(rv_enc_srai(3, 1, 32), "srai 32", 0x0000000080000000ull, 0, 0);
    ISA_DONE();
}

/* ---- W instructions: 32-bit result sign-extended to 64 bits ---- */
static void test_alu_w(void **state) {
    (void)state;
    uint32_t addw = rv_enc_addw(3, 1, 2), subw = rv_enc_subw(3, 1, 2);
    ISA_CHECK_RR(addw, "addw", 0x7fffffff, 1, 0xffffffff80000000ull);
    ISA_CHECK_RR(addw, "addw", 0xffffffff, 1, 0);
    ISA_CHECK_RR(addw, "addw", 0x100000005ull, 3, 8); /* upper halves ignored */
    ISA_CHECK_RR(addw, "addw", 0x80000000, 0x80000000, 0);
    ISA_CHECK_RR(addw, "addw", 0xfffffffe, 0, 0xfffffffffffffffeull);
    ISA_CHECK_RR(addw, "addw", 0x1234567880000000ull, 0xabcdef0000000000ull, 0xffffffff80000000ull);
    ISA_CHECK_RR(subw, "subw", 0x80000000, 1, 0x7fffffff);
    ISA_CHECK_RR(subw, "subw", 0, 1, ALL1);
    ISA_CHECK_RR(subw, "subw", 0x7fffffff, 0xffffffff, 0xffffffff80000000ull); /* 0x7fffffff - (-1) */
    ISA_CHECK_RR(subw, "subw", 0xffffffff00000000ull, 0, 0);

    uint32_t e;
    e = rv_enc_addiw(3, 1, 1);
    ISA_CHECK_RR(e, "addiw 1", 0x7fffffff, 0, 0xffffffff80000000ull);
    e = rv_enc_addiw(3, 1, 0); /* sext.w */
    ISA_CHECK_RR(e, "addiw 0", ALL1, 0, ALL1);
    ISA_CHECK_RR(e, "addiw 0", 0xffffffff, 0, ALL1);
    ISA_CHECK_RR(e, "addiw 0", 0x123456787fffffffull, 0, 0x7fffffff);
    e = rv_enc_addiw(3, 1, -1);
    ISA_CHECK_RR(e, "addiw -1", 0x80000000, 0, 0x7fffffff);
    ISA_CHECK_RR(e, "addiw -1", 0, 0, ALL1);
    e = rv_enc_addiw(3, 1, -2048);
    ISA_CHECK_RR(e, "addiw -2048", 0x800007ffull, 0, 0x7fffffff); /* 0x800007ff - 0x800 */
    ISA_CHECK_RR(e, "addiw -2048", 0x7ff, 0, ALL1);

    ISA_CHECK_RR(rv_enc_slliw(3, 1, 0), "slliw 0", 0xffffffff00000001ull, 0, 1);
    ISA_CHECK_RR(rv_enc_slliw(3, 1, 31), "slliw 31", 1, 0, 0xffffffff80000000ull);
    ISA_CHECK_RR(rv_enc_slliw(3, 1, 31), "slliw 31", 2, 0, 0);
    ISA_CHECK_RR(rv_enc_slliw(3, 1, 4), "slliw 4", 0x0ffffffff, 0, 0xfffffffffffffff0ull);
    ISA_CHECK_RR(rv_enc_srliw(3, 1, 0), "srliw 0", 0x80000000, 0, 0xffffffff80000000ull);
    ISA_CHECK_RR(rv_enc_srliw(3, 1, 31), "srliw 31", 0x80000000, 0, 1);
    ISA_CHECK_RR(rv_enc_srliw(3, 1, 1), "srliw 1", 0xffffffff80000000ull, 0, 0x40000000);
    ISA_CHECK_RR(rv_enc_srliw(3, 1, 4), "srliw 4", 0xabcdef0012345678ull, 0, 0x01234567);
    ISA_CHECK_RR(rv_enc_sraiw(3, 1, 0), "sraiw 0", 0x7fffffff, 0, 0x7fffffff);
    ISA_CHECK_RR(rv_enc_sraiw(3, 1, 0), "sraiw 0", 0x80000000, 0, 0xffffffff80000000ull);
    ISA_CHECK_RR(rv_enc_sraiw(3, 1, 31), "sraiw 31", 0x80000000, 0, ALL1);
    ISA_CHECK_RR(rv_enc_sraiw(3, 1, 1), "sraiw 1", 0x80000000, 0, 0xffffffffc0000000ull);
    ISA_CHECK_RR(rv_enc_sraiw(3, 1, 4), "sraiw 4", 0x00000000f0000000ull | 0x1200000000ull, 0, 0xffffffffff000000ull);

    /* Register 32-bit shifts take rs2[4:0]. */
    uint32_t sllw = rv_enc_sllw(3, 1, 2), srlw = rv_enc_srlw(3, 1, 2), sraw = rv_enc_sraw(3, 1, 2);
    ISA_CHECK_RR(sllw, "sllw", 1, 32, 1);
    ISA_CHECK_RR(sllw, "sllw", 1, 31, 0xffffffff80000000ull);
    ISA_CHECK_RR(sllw, "sllw", 1, 0x3f, 0xffffffff80000000ull);
    ISA_CHECK_RR(sllw, "sllw", 0x12345678, 0xffffffffffffffe4ull, 0x23456780); /* rs2[4:0] = 4 */
    ISA_CHECK_RR(srlw, "srlw", 0x80000000, 0x21, 0x40000000);
    ISA_CHECK_RR(srlw, "srlw", 0xffffffff00000010ull, 4, 1);
    ISA_CHECK_RR(srlw, "srlw", 0x80000000, 0, 0xffffffff80000000ull);
    ISA_CHECK_RR(srlw, "srlw", 0x80000000, 32, 0xffffffff80000000ull);
    ISA_CHECK_RR(sraw, "sraw", 0x80000000, 0x3f, ALL1);
    ISA_CHECK_RR(sraw, "sraw", 0x80000000, 32, 0xffffffff80000000ull);
    ISA_CHECK_RR(sraw, "sraw", 0x7fffffff80000000ull, 4, 0xfffffffff8000000ull);
    ISA_CHECK_RR(sraw, "sraw", 0x40000000, 30, 1);
    ISA_DONE();
}

/* ---- LUI / AUIPC ---- */
static void test_lui_auipc(void **state) {
    (void)state;
    struct { uint32_t imm20; uint64_t expected; } lui[] = {
        {0x80000, 0xffffffff80000000ull}, {0xfffff, 0xfffffffffffff000ull},
        {0x12345, 0x12345000ull},         {0x7ffff, 0x7ffff000ull}, {0, 0},
    };
    for (size_t i = 0; i < sizeof lui / sizeof lui[0]; i++) {
        char n[64];
        snprintf(n, sizeof n, "lui 0x%x", lui[i].imm20);
        ISA_CHECK_RR(rv_enc_lui(3, lui[i].imm20), n, 0, 0, lui[i].expected);
    }

    /* AUIPC at ISA_BASE + 4 (not at the entry) to check it adds its own pc. */
    isa_code c;
    isa_code_reset(&c);
    isa_emit32(&c, rv_enc_addi(0, 0, 0));
    isa_emit32(&c, rv_enc_auipc(3, 0xfffff)); /* pc - 0x1000 */
    isa_emit32(&c, rv_enc_auipc(4, 0x80000)); /* pc - 0x80000000 */
    isa_emit32(&c, rv_enc_auipc(5, 1));
    isa_emit32(&c, rv_enc_auipc(6, 0));
    isa_emit32(&c, rv_enc_auipc(7, 0x7ffff));
    isa_vm t;
    isa_vm_open(&t, &c);
    isa_run(&t, 6);
    if (ISA_EXPECT_RAN(&t, ISA_BASE + 24, "auipc sequence")) {
        ISA_EXPECT_EQ(vm_get_reg(t.m, 3), ISA_BASE + 4 - 0x1000, "auipc x3, 0xfffff at pc 0x80000004");
        ISA_EXPECT_EQ(vm_get_reg(t.m, 4), 8, "auipc x4, 0x80000 at pc 0x80000008 (0x80000008 - 0x80000000)");
        ISA_EXPECT_EQ(vm_get_reg(t.m, 5), ISA_BASE + 12 + 0x1000, "auipc x5, 1 at pc 0x8000000c");
        ISA_EXPECT_EQ(vm_get_reg(t.m, 6), ISA_BASE + 16, "auipc x6, 0 at pc 0x80000010");
        ISA_EXPECT_EQ(vm_get_reg(t.m, 7), ISA_BASE + 20 + 0x7ffff000ull, "auipc x7, 0x7ffff at pc 0x80000014");
    }
    isa_vm_close(&t);
    ISA_DONE();
}

/* ---- JAL / JALR ---- */
static void test_jal_jalr(void **state) {
    (void)state;
    isa_code c;
    isa_vm t;

    /* 0: jal x0, +8 -> 8: jal x3, -4 -> 4: jal x5, +8 -> 12 */
    isa_code_reset(&c);
    isa_emit32(&c, rv_enc_jal(0, 8));
    isa_emit32(&c, rv_enc_jal(5, 8));
    isa_emit32(&c, rv_enc_jal(3, -4));
    isa_emit32(&c, rv_enc_addi(0, 0, 0));
    isa_vm_open(&t, &c);
    isa_run(&t, 1);
    ISA_EXPECT_RAN(&t, ISA_BASE + 8, "jal x0, +8");
    isa_run(&t, 2);
    ISA_EXPECT_RAN(&t, ISA_BASE + 4, "jal x3, -4 (backward)");
    ISA_EXPECT_EQ(vm_get_reg(t.m, 3), ISA_BASE + 12, "jal x3, -4 at 0x80000008: link");
    isa_run(&t, 3);
    ISA_EXPECT_RAN(&t, ISA_BASE + 12, "jal x5, +8");
    ISA_EXPECT_EQ(vm_get_reg(t.m, 5), ISA_BASE + 8, "jal x5, +8 at 0x80000004: link");
    ISA_EXPECT_EQ(vm_get_reg(t.m, 0), 0, "jal x0 must not write x0");
    isa_vm_close(&t);

    /* Long jal: +1 MiB - 2 would leave the code; use +0x800 within a padded buffer. */
    isa_code_reset(&c);
    isa_emit32(&c, rv_enc_jal(1, 0x800));
    isa_pad_to(&c, 0x900);
    isa_vm_open(&t, &c);
    isa_run(&t, 1);
    ISA_EXPECT_RAN(&t, ISA_BASE + 0x800, "jal x1, +0x800");
    ISA_EXPECT_EQ(vm_get_reg(t.m, 1), ISA_BASE + 4, "jal x1, +0x800: link");
    isa_vm_close(&t);

    /* JALR clears bit 0 of the target: x1 = base + 8, imm 9 -> base + 17 -> base + 16. */
    isa_code_reset(&c);
    isa_emit32(&c, rv_enc_jalr(3, 1, 9));
    isa_pad_to(&c, 0x40);
    isa_vm_open(&t, &c);
    vm_set_reg(t.m, 1, ISA_BASE + 8);
    isa_run(&t, 1);
    ISA_EXPECT_RAN(&t, ISA_BASE + 16, "jalr x3, 9(x1) with x1 = 0x80000008 (target odd, bit 0 cleared)");
    ISA_EXPECT_EQ(vm_get_reg(t.m, 3), ISA_BASE + 4, "jalr x3, 9(x1): link");
    isa_vm_close(&t);

    /* Negative immediate, odd register value. */
    isa_code_reset(&c);
    isa_emit32(&c, rv_enc_jalr(3, 1, -4));
    isa_pad_to(&c, 0x40);
    isa_vm_open(&t, &c);
    vm_set_reg(t.m, 1, ISA_BASE + 0x25);
    isa_run(&t, 1);
    ISA_EXPECT_RAN(&t, ISA_BASE + 0x20, "jalr x3, -4(x1) with x1 = 0x80000025");
    ISA_EXPECT_EQ(vm_get_reg(t.m, 3), ISA_BASE + 4, "jalr x3, -4(x1): link");
    isa_vm_close(&t);

    /* rd == rs1: the target uses the old x1, then x1 = pc + 4. */
    isa_code_reset(&c);
    isa_emit32(&c, rv_enc_jalr(1, 1, 4));
    isa_pad_to(&c, 0x40);
    isa_vm_open(&t, &c);
    vm_set_reg(t.m, 1, ISA_BASE + 0x18);
    isa_run(&t, 1);
    ISA_EXPECT_RAN(&t, ISA_BASE + 0x1c, "jalr x1, 4(x1) with x1 = 0x80000018");
    ISA_EXPECT_EQ(vm_get_reg(t.m, 1), ISA_BASE + 4, "jalr x1, 4(x1): link overwrites rs1 after use");
    isa_vm_close(&t);

    /* jalr to a 2-byte aligned (not 4) target is fine with C: lands on a compressed nop. */
    isa_code_reset(&c);
    isa_emit32(&c, rv_enc_jalr(0, 1, 0));
    isa_emit16(&c, rv_enc_c_nop());
    isa_emit16(&c, rv_enc_c_nop());
    isa_emit16(&c, rv_enc_c_nop());
    isa_vm_open(&t, &c);
    vm_set_reg(t.m, 1, ISA_BASE + 6);
    isa_run(&t, 2);
    ISA_EXPECT_RAN(&t, ISA_BASE + 8, "jalr x0, 0(x1) to 0x80000006 then c.nop");
    isa_vm_close(&t);
    ISA_DONE();
}

/* ---- Branches, taken and not taken, both signs, both directions ---- */
typedef uint32_t (*branch_enc)(unsigned, unsigned, int64_t);

static int branch_ref(int which, uint64_t a, uint64_t b) {
    switch (which) {
    case 0: return a == b;
    case 1: return a != b;
    case 2: return (int64_t)a < (int64_t)b;
    case 3: return (int64_t)a >= (int64_t)b;
    case 4: return a < b;
    default: return a >= b;
    }
}

static void test_branches(void **state) {
    (void)state;
    const branch_enc enc[6] = {rv_enc_beq, rv_enc_bne, rv_enc_blt, rv_enc_bge, rv_enc_bltu, rv_enc_bgeu};
    const char *names[6] = {"beq", "bne", "blt", "bge", "bltu", "bgeu"};
    const uint64_t vals[] = {0, 1, 2, ALL1, (uint64_t)-2, I64_MIN, I64_MAX, 0x80000000ull};
    const size_t nv = sizeof vals / sizeof vals[0];
    for (int w = 0; w < 6; w++) {
        for (size_t i = 0; i < nv; i++) {
            for (size_t j = 0; j < nv; j++) {
                /* Forward: branch at 0 with offset +12. Backward: jal to 0x10, branch at 0x10
                 * with offset -8 (to 0x8). */
                for (int back = 0; back < 2; back++) {
                    isa_code c;
                    isa_code_reset(&c);
                    uint64_t at = 0;
                    int64_t off = 12;
                    if (back) {
                        isa_emit32(&c, rv_enc_jal(0, 0x10));
                        isa_pad_to(&c, 0x10);
                        at = 0x10;
                        off = -8;
                    }
                    isa_emit32(&c, enc[w](1, 2, off));
                    isa_pad_to(&c, at + 0x20);
                    isa_vm t;
                    isa_vm_open(&t, &c);
                    vm_set_reg(t.m, 1, vals[i]);
                    vm_set_reg(t.m, 2, vals[j]);
                    isa_run(&t, back ? 2 : 1);
                    int taken = branch_ref(w, vals[i], vals[j]);
                    uint64_t pc = ISA_BASE + at + (taken ? (uint64_t)off : 4);
                    ISA_EXPECT_RAN(&t, pc, "%s x1=0x%llx, x2=0x%llx, offset %lld (%s)", names[w],
                                   (unsigned long long)vals[i], (unsigned long long)vals[j],
                                   (long long)off, taken ? "taken" : "not taken");
                    isa_vm_close(&t);
                }
            }
        }
    }

    /* Same register on both sides and the extreme offsets (-4096 and +4094). */
    isa_code c;
    isa_code_reset(&c);
    isa_emit32(&c, rv_enc_jal(0, 0x1000));
    isa_pad_to(&c, 0x1000);
    isa_emit32(&c, rv_enc_beq(5, 5, -4096));
    isa_vm t;
    isa_vm_open(&t, &c);
    isa_run(&t, 3); /* jal, beq back to 0, jal again */
    ISA_EXPECT_RAN(&t, ISA_BASE + 0x1000, "beq x5, x5, -4096");
    isa_vm_close(&t);

    isa_code_reset(&c);
    isa_emit32(&c, rv_enc_bge(0, 0, 4094));
    isa_pad_to(&c, 0x1010);
    isa_vm_open(&t, &c);
    isa_run(&t, 1);
    ISA_EXPECT_RAN(&t, ISA_BASE + 4094, "bge x0, x0, +4094");
    isa_vm_close(&t);
    ISA_DONE();
}

/* ---- Loads: sign vs zero extension, offsets ---- */
static void test_loads(void **state) {
    (void)state;
    /* Bytes 0x80..0x87 at D (negative in every width), 0x01 0x02 0x03 0x74 ... at D + 8. */
    const uint8_t neg[8] = {0x80, 0x81, 0x82, 0x83, 0x84, 0x85, 0x86, 0x87};
    const uint8_t pos[8] = {0x71, 0x72, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78};
    struct {
        uint32_t insn;
        const char *what;
        uint64_t expected;
    } cases[] = {
        {rv_enc_lb(3, 1, 0), "lb 0(x1) of 0x80", 0xffffffffffffff80ull},
        {rv_enc_lbu(3, 1, 0), "lbu 0(x1) of 0x80", 0x80},
        {rv_enc_lh(3, 1, 0), "lh 0(x1) of 0x8180", 0xffffffffffff8180ull},
        {rv_enc_lhu(3, 1, 0), "lhu 0(x1) of 0x8180", 0x8180},
        {rv_enc_lw(3, 1, 0), "lw 0(x1) of 0x83828180", 0xffffffff83828180ull},
        {rv_enc_lwu(3, 1, 0), "lwu 0(x1) of 0x83828180", 0x83828180},
        {rv_enc_ld(3, 1, 0), "ld 0(x1)", 0x8786858483828180ull},
        {rv_enc_lb(3, 1, 8), "lb 8(x1) of 0x71", 0x71},
        {rv_enc_lh(3, 1, 8), "lh 8(x1) of 0x7271", 0x7271},
        {rv_enc_lw(3, 1, 8), "lw 8(x1) of 0x74737271", 0x74737271},
        {rv_enc_lwu(3, 1, 8), "lwu 8(x1)", 0x74737271},
        {rv_enc_ld(3, 1, 8), "ld 8(x1)", 0x7877767574737271ull},
        {rv_enc_lb(3, 1, 7), "lb 7(x1) of 0x87", 0xffffffffffffff87ull},
        {rv_enc_lh(3, 1, 6), "lh 6(x1) of 0x8786", 0xffffffffffff8786ull},
        {rv_enc_lw(3, 1, 4), "lw 4(x1) of 0x87868584", 0xffffffff87868584ull},
        {rv_enc_lhu(3, 1, 6), "lhu 6(x1)", 0x8786},
        {rv_enc_lwu(3, 1, 4), "lwu 4(x1)", 0x87868584},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        isa_code c;
        isa_code_reset(&c);
        isa_emit32(&c, cases[i].insn);
        isa_vm t;
        isa_vm_open(&t, &c);
        isa_poke(&t, ISA_DATA, neg, 8);
        isa_poke(&t, ISA_DATA + 8, pos, 8);
        vm_set_reg(t.m, 1, ISA_DATA);
        isa_run(&t, 1);
        if (ISA_EXPECT_RAN(&t, ISA_BASE + 4, "%s", cases[i].what))
            ISA_EXPECT_EQ(vm_get_reg(t.m, 3), cases[i].expected, "%s", cases[i].what);
        isa_vm_close(&t);
    }

    /* Offsets at both ends of the 12-bit range; rd == rs1. */
    isa_code c;
    isa_code_reset(&c);
    isa_emit32(&c, rv_enc_ld(3, 1, -2048));
    isa_emit32(&c, rv_enc_ld(4, 2, 2047));
    isa_emit32(&c, rv_enc_lw(5, 5, -4));
    isa_vm t;
    isa_vm_open(&t, &c);
    isa_poke64(&t, ISA_DATA, 0x1122334455667788ull);
    isa_poke64(&t, ISA_DATA + 0x1000, 0xa1a2a3a4a5a6a7a8ull);
    isa_poke64(&t, ISA_DATA + 0x2000, 0xcafef00d00000000ull);
    vm_set_reg(t.m, 1, ISA_DATA + 2048);
    vm_set_reg(t.m, 2, ISA_DATA + 0x1000 - 2047);
    vm_set_reg(t.m, 5, ISA_DATA + 0x2008);
    isa_run(&t, 3);
    if (ISA_EXPECT_RAN(&t, ISA_BASE + 12, "ld -2048 / ld 2047 / lw x5,-4(x5)")) {
        ISA_EXPECT_EQ(vm_get_reg(t.m, 3), 0x1122334455667788ull, "ld x3, -2048(x1)");
        ISA_EXPECT_EQ(vm_get_reg(t.m, 4), 0xa1a2a3a4a5a6a7a8ull, "ld x4, 2047(x2) (odd base register)");
        ISA_EXPECT_EQ(vm_get_reg(t.m, 5), 0xffffffffcafef00dull, "lw x5, -4(x5) (rd == rs1)");
    }
    isa_vm_close(&t);
    ISA_DONE();
}

/* ---- Stores: width and offsets ---- */
static void test_stores(void **state) {
    (void)state;
    const uint64_t v = 0x1122334455667788ull;
    struct {
        uint32_t insn;
        const char *what;
        uint64_t expected; /* the 8 bytes at D after the store over all-ones */
    } cases[] = {
        {rv_enc_sb(2, 1, 0), "sb", 0xffffffffffffff88ull},
        {rv_enc_sh(2, 1, 0), "sh", 0xffffffffffff7788ull},
        {rv_enc_sw(2, 1, 0), "sw", 0xffffffff55667788ull},
        {rv_enc_sd(2, 1, 0), "sd", 0x1122334455667788ull},
        {rv_enc_sb(2, 1, 7), "sb +7", 0x88ffffffffffffffull},
        {rv_enc_sh(2, 1, 6), "sh +6", 0x7788ffffffffffffull},
        {rv_enc_sw(2, 1, 4), "sw +4", 0x55667788ffffffffull},
        {rv_enc_sw(2, 1, 2), "sw +2 (misaligned)", 0xffff55667788ffffull},
        {rv_enc_sh(2, 1, 3), "sh +3 (misaligned)", 0xffffff7788ffffffull},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        isa_code c;
        isa_code_reset(&c);
        isa_emit32(&c, cases[i].insn);
        isa_vm t;
        isa_vm_open(&t, &c);
        isa_poke64(&t, ISA_DATA - 8, ALL1);
        isa_poke64(&t, ISA_DATA, ALL1);
        isa_poke64(&t, ISA_DATA + 8, ALL1);
        vm_set_reg(t.m, 1, ISA_DATA);
        vm_set_reg(t.m, 2, v);
        isa_run(&t, 1);
        if (ISA_EXPECT_RAN(&t, ISA_BASE + 4, "%s x2=0x%llx", cases[i].what, (unsigned long long)v)) {
            ISA_EXPECT_EQ(isa_peek64(&t, ISA_DATA), cases[i].expected, "%s: memory at D", cases[i].what);
            ISA_EXPECT_EQ(isa_peek64(&t, ISA_DATA - 8), ALL1, "%s: bytes below untouched", cases[i].what);
            ISA_EXPECT_EQ(isa_peek64(&t, ISA_DATA + 8), ALL1, "%s: bytes above untouched", cases[i].what);
        }
        isa_vm_close(&t);
    }

    /* Offsets -2048 / 2047, then load back. */
    isa_code c;
    isa_code_reset(&c);
    isa_emit32(&c, rv_enc_sd(2, 1, -2048));
    isa_emit32(&c, rv_enc_sw(2, 1, 2047));
    isa_emit32(&c, rv_enc_ld(3, 1, -2048));
    isa_emit32(&c, rv_enc_lwu(4, 1, 2047));
    isa_vm t;
    isa_vm_open(&t, &c);
    vm_set_reg(t.m, 1, ISA_DATA + 0x1000);
    vm_set_reg(t.m, 2, 0x8877665544332211ull);
    isa_run(&t, 4);
    if (ISA_EXPECT_RAN(&t, ISA_BASE + 16, "sd -2048 / sw 2047 / reload")) {
        ISA_EXPECT_EQ(isa_peek64(&t, ISA_DATA + 0x1000 - 2048), 0x8877665544332211ull, "sd x2, -2048(x1)");
        ISA_EXPECT_EQ(isa_peek32(&t, ISA_DATA + 0x1000 + 2047), 0x44332211u, "sw x2, 2047(x1)");
        ISA_EXPECT_EQ(vm_get_reg(t.m, 3), 0x8877665544332211ull, "ld after sd");
        ISA_EXPECT_EQ(vm_get_reg(t.m, 4), 0x44332211u, "lwu after sw");
    }
    isa_vm_close(&t);
    ISA_DONE();
}

/* ---- x0 is hardwired to zero ---- */
static void test_x0(void **state) {
    (void)state;
    isa_code c;
    isa_code_reset(&c);
    isa_emit32(&c, rv_enc_addi(0, 1, 5));
    isa_emit32(&c, rv_enc_lui(0, 0x12345));
    isa_emit32(&c, rv_enc_auipc(0, 1));
    isa_emit32(&c, rv_enc_ld(0, 2, 0));
    isa_emit32(&c, rv_enc_add(0, 1, 1));
    isa_emit32(&c, rv_enc_jal(0, 4));
    isa_emit32(&c, rv_enc_addiw(0, 1, 1));
    isa_emit32(&c, rv_enc_add(3, 0, 0));  /* reads x0 after all those writes */
    isa_emit32(&c, rv_enc_addi(4, 0, -1));
    isa_vm t;
    isa_vm_open(&t, &c);
    vm_set_reg(t.m, 0, 77); /* ignored by the API too */
    vm_set_reg(t.m, 1, 0x100);
    vm_set_reg(t.m, 2, ISA_DATA);
    vm_set_reg(t.m, 3, 0x55);
    isa_poke64(&t, ISA_DATA, 0x1234);
    isa_run(&t, 9);
    if (ISA_EXPECT_RAN(&t, ISA_BASE + 36, "writes to x0")) {
        ISA_EXPECT_EQ(vm_get_reg(t.m, 0), 0, "x0 after addi/lui/auipc/ld/add/jal/addiw to x0");
        ISA_EXPECT_EQ(vm_get_reg(t.m, 3), 0, "add x3, x0, x0 after writes to x0");
        ISA_EXPECT_EQ(vm_get_reg(t.m, 4), ALL1, "addi x4, x0, -1");
    }
    isa_vm_close(&t);
    ISA_DONE();
}

/* ---- FENCE / FENCE.I are no-ops ---- */
static void test_fence(void **state) {
    (void)state;
    isa_code c;
    isa_code_reset(&c);
    isa_emit32(&c, rv_enc_fence(3, 3));
    isa_emit32(&c, rv_enc_fence(15, 15));
    isa_emit32(&c, rv_enc_fence_i());
    isa_emit32(&c, rv_enc_fence(RV_FENCE_W, RV_FENCE_R));
    isa_vm t;
    isa_vm_open(&t, &c);
    for (unsigned r = 1; r < 32; r++) vm_set_reg(t.m, r, 0x1000 * r + 7);
    isa_run(&t, 4);
    if (ISA_EXPECT_RAN(&t, ISA_BASE + 16, "fence rw,rw; fence iorw,iorw; fence.i; fence w,r"))
        for (unsigned r = 1; r < 32; r++) ISA_EXPECT_EQ(vm_get_reg(t.m, r), 0x1000 * r + 7, "x%u after fences", r);
    isa_vm_close(&t);
    ISA_DONE();
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_alu_rr),   cmocka_unit_test(test_alu_ri),   cmocka_unit_test(test_alu_w),
        cmocka_unit_test(test_lui_auipc), cmocka_unit_test(test_jal_jalr), cmocka_unit_test(test_branches),
        cmocka_unit_test(test_loads),    cmocka_unit_test(test_stores),   cmocka_unit_test(test_x0),
        cmocka_unit_test(test_fence),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
