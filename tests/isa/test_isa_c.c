/*
 * test_isa_c.c: the RV64C compressed instructions.
 *
 *  - test_c_each: every RV64C integer instruction once or more with hand-derived results,
 *    negative immediates and extreme offsets, and the pc advancing by 2.
 *  - test_c_reserved / test_c_fp: reserved encodings stop with a fault; C.FLD/C.FSD/C.FLDSP/
 *    C.FSDSP stop with "unsupported instruction".
 *  - test_c_equivalence: for random operands and immediates, the compressed form and its
 *    32-bit expansion (built with rv_encode.h from the manual's expansion table) leave the
 *    same registers and memory (only the link value of C.JALR and the fall-through pc differ,
 *    by the instruction length).
 */
#include "isa_harness.h"

#define I64_MIN 0x8000000000000000ull
#define ALL1 0xffffffffffffffffull

/* ---- Hand-derived single cases ----
 * Each case runs one compressed instruction at ISA_BASE with registers from `in` (x-number,
 * value pairs; x2 defaults to ISA_DATA), then checks one register or one memory doubleword. */
typedef struct c_case {
    const char *what;
    uint16_t insn;
    struct { unsigned r; uint64_t v; } in[3];
    int check_mem;      /* 0: check register `reg`; 1: check the doubleword at `addr` */
    unsigned reg;
    uint64_t addr;
    uint64_t expected;
    uint64_t pc_after;  /* offset from ISA_BASE; 2 unless it jumps */
} c_case;

static void run_c_case(const c_case *k) {
    isa_code c;
    isa_code_reset(&c);
    isa_emit16(&c, k->insn);
    isa_pad_to(&c, 0x400);
    isa_vm t;
    isa_vm_open(&t, &c);
    /* Memory around ISA_DATA: recognisable per-doubleword pattern, some negative words. */
    for (uint64_t off = 0; off < 0x400; off += 8)
        isa_poke64(&t, ISA_DATA + off, 0x8000000180000000ull ^ (off * 0x0101010101010101ull));
    vm_set_reg(t.m, 2, ISA_DATA);
    for (int i = 0; i < 3; i++)
        if (k->in[i].r) vm_set_reg(t.m, k->in[i].r, k->in[i].v);
    isa_run(&t, 1);
    if (ISA_EXPECT_RAN(&t, ISA_BASE + k->pc_after, "%s (0x%04x): pc", k->what, k->insn)) {
        if (k->check_mem)
            ISA_EXPECT_EQ(isa_peek64(&t, k->addr), k->expected, "%s (0x%04x): memory at 0x%llx", k->what,
                          k->insn, (unsigned long long)k->addr);
        else
            ISA_EXPECT_EQ(vm_get_reg(t.m, k->reg), k->expected, "%s (0x%04x): x%u", k->what, k->insn, k->reg);
    }
    isa_vm_close(&t);
}

/* The memory pattern run_c_case writes, for computing expected loads by hand-readable rule. */
static uint64_t pat(uint64_t off) { return 0x8000000180000000ull ^ (off * 0x0101010101010101ull); }

static void test_c_each(void **state) {
    (void)state;
    const uint64_t D = ISA_DATA;
    /* pat(0x78) = 0x8000000180000000 ^ 0x7878787878787878 = 0xf8787879f8787878 */
    /* pat(0xf8) = 0x8000000180000000 ^ 0xf8f8f8f8f8f8f8f8 = 0x78f8f8f978f8f8f8 */
    const c_case cases[] = {
        {"c.addi4spn x8, sp, 1020", rv_enc_c_addi4spn(8, 1020), {{0}}, 0, 8, 0, D + 1020, 2},
        {"c.addi4spn x15, sp, 4", rv_enc_c_addi4spn(15, 4), {{0}}, 0, 15, 0, D + 4, 2},
        /* pat(0x78) word at +0x7c = 0xf8787879 (high half) -> negative */
        {"c.lw x10, 124(x9)", rv_enc_c_lw(10, 9, 124), {{9, D}}, 0, 10, 0, 0xfffffffff8787879ull, 2},
        {"c.lw x10, 0(x9)", rv_enc_c_lw(10, 9, 0), {{9, D}}, 0, 10, 0, 0xffffffff80000000ull, 2},
        {"c.lw x9, 64(x9) (rd == rs1)", rv_enc_c_lw(9, 9, 64), {{9, D}}, 0, 9, 0, 0xffffffffc0404040ull, 2},
        {"c.ld x11, 248(x12)", rv_enc_c_ld(11, 12, 248), {{12, D}}, 0, 11, 0, 0x78f8f8f978f8f8f8ull, 2},
        {"c.ld x11, 0(x12)", rv_enc_c_ld(11, 12, 0), {{12, D}}, 0, 11, 0, 0x8000000180000000ull, 2},
        {"c.sw x13, 124(x14)", rv_enc_c_sw(13, 14, 124), {{13, 0x1122334455667788ull}, {14, D}}, 1, 0, D + 0x78,
         0x55667788f8787878ull, 2},
        {"c.sw x13, 0(x14)", rv_enc_c_sw(13, 14, 0), {{13, 0x1122334455667788ull}, {14, D}}, 1, 0, D,
         0x8000000155667788ull, 2},
        {"c.sd x15, 248(x8)", rv_enc_c_sd(15, 8, 248), {{15, 0x1122334455667788ull}, {8, D}}, 1, 0, D + 248,
         0x1122334455667788ull, 2},
        {"c.addi x5, -32", rv_enc_c_addi(5, -32), {{5, 0}}, 0, 5, 0, 0xffffffffffffffe0ull, 2},
        {"c.addi x31, 31", rv_enc_c_addi(31, 31), {{31, ALL1}}, 0, 31, 0, 30, 2},
        {"c.addi x1, -1", rv_enc_c_addi(1, -1), {{1, 0}}, 0, 1, 0, ALL1, 2},
        {"c.addiw x5, -1", rv_enc_c_addiw(5, -1), {{5, 0x80000000ull}}, 0, 5, 0, 0x7fffffffull, 2},
        {"c.addiw x5, 0 (sext.w)", rv_enc_c_addiw(5, 0), {{5, 0x180000000ull}}, 0, 5, 0, 0xffffffff80000000ull, 2},
        {"c.addiw x5, 1", rv_enc_c_addiw(5, 1), {{5, 0x7fffffffull}}, 0, 5, 0, 0xffffffff80000000ull, 2},
        {"c.addiw x6, -32", rv_enc_c_addiw(6, -32), {{6, 0x1000000010ull}}, 0, 6, 0, 0xfffffffffffffff0ull, 2},
        {"c.li x5, -32", rv_enc_c_li(5, -32), {{5, 77}}, 0, 5, 0, 0xffffffffffffffe0ull, 2},
        {"c.li x6, 31", rv_enc_c_li(6, 31), {{6, 77}}, 0, 6, 0, 31, 2},
        {"c.li x7, 0", rv_enc_c_li(7, 0), {{7, 77}}, 0, 7, 0, 0, 2},
        {"c.addi16sp -512", rv_enc_c_addi16sp(-512), {{0}}, 0, 2, 0, D - 512, 2},
        {"c.addi16sp 496", rv_enc_c_addi16sp(496), {{0}}, 0, 2, 0, D + 496, 2},
        {"c.addi16sp -16", rv_enc_c_addi16sp(-16), {{0}}, 0, 2, 0, D - 16, 2},
        {"c.lui x5, -32 (0xfffe0)", rv_enc_c_lui(5, -32), {{0}}, 0, 5, 0, 0xfffffffffffe0000ull, 2},
        {"c.lui x5, -1 (0xfffff)", rv_enc_c_lui(5, -1), {{0}}, 0, 5, 0, 0xfffffffffffff000ull, 2},
        {"c.lui x5, 1", rv_enc_c_lui(5, 1), {{0}}, 0, 5, 0, 0x1000, 2},
        {"c.lui x31, 31", rv_enc_c_lui(31, 31), {{0}}, 0, 31, 0, 0x1f000, 2},
        {"c.srli x8, 63", rv_enc_c_srli(8, 63), {{8, I64_MIN}}, 0, 8, 0, 1, 2},
        {"c.srli x8, 32", rv_enc_c_srli(8, 32), {{8, ALL1}}, 0, 8, 0, 0xffffffffull, 2},
        {"c.srli x15, 1", rv_enc_c_srli(15, 1), {{15, ALL1}}, 0, 15, 0, 0x7fffffffffffffffull, 2},
        {"c.srai x9, 63", rv_enc_c_srai(9, 63), {{9, I64_MIN}}, 0, 9, 0, ALL1, 2},
        {"c.srai x9, 1", rv_enc_c_srai(9, 1), {{9, (uint64_t)-4}}, 0, 9, 0, (uint64_t)-2, 2},
        {"c.srai x9, 32", rv_enc_c_srai(9, 32), {{9, 0x8000000000000000ull}}, 0, 9, 0, 0xffffffff80000000ull, 2},
        {"c.andi x10, -32", rv_enc_c_andi(10, -32), {{10, ALL1}}, 0, 10, 0, 0xffffffffffffffe0ull, 2},
        {"c.andi x10, 21", rv_enc_c_andi(10, 21), {{10, 0xff}}, 0, 10, 0, 0x15, 2},
        {"c.andi x10, -1", rv_enc_c_andi(10, -1), {{10, 0x8000000000000001ull}}, 0, 10, 0, 0x8000000000000001ull, 2},
        {"c.sub x8, x9", rv_enc_c_sub(8, 9), {{8, 0}, {9, 1}}, 0, 8, 0, ALL1, 2},
        {"c.xor x10, x11", rv_enc_c_xor(10, 11), {{10, 0xff00ff00ff00ff00ull}, {11, ALL1}}, 0, 10, 0,
         0x00ff00ff00ff00ffull, 2},
        {"c.or x12, x13", rv_enc_c_or(12, 13), {{12, 0xf0}, {13, 0x0f00000000000000ull}}, 0, 12, 0,
         0x0f000000000000f0ull, 2},
        {"c.and x14, x15", rv_enc_c_and(14, 15), {{14, 0xff00ff00ff00ff00ull}, {15, 0x0ff00ff00ff00ff0ull}}, 0,
         14, 0, 0x0f000f000f000f00ull, 2},
        {"c.subw x8, x9", rv_enc_c_subw(8, 9), {{8, 0x80000000ull}, {9, 1}}, 0, 8, 0, 0x7fffffffull, 2},
        {"c.subw x8, x9", rv_enc_c_subw(8, 9), {{8, 0}, {9, 1}}, 0, 8, 0, ALL1, 2},
        {"c.addw x15, x8", rv_enc_c_addw(15, 8), {{15, 0x7fffffffull}, {8, 1}}, 0, 15, 0, 0xffffffff80000000ull, 2},
        {"c.addw x15, x8", rv_enc_c_addw(15, 8), {{15, 0xffffffff00000001ull}, {8, 0x00000001ffffffffull}}, 0, 15,
         0, 0, 2},
        {"c.j +0x100", rv_enc_c_j(0x100), {{0}}, 0, 0, 0, 0, 0x100},
        {"c.j +2046", rv_enc_c_j(2046), {{0}}, 0, 0, 0, 0, 2046},
        {"c.beqz x8 (x8 = 0) +254", rv_enc_c_beqz(8, 254), {{8, 0}}, 0, 0, 0, 0, 254},
        {"c.beqz x8 (x8 = -1) +254", rv_enc_c_beqz(8, 254), {{8, ALL1}}, 0, 0, 0, 0, 2},
        {"c.beqz x8 (x8 = 2^63) +16", rv_enc_c_beqz(8, 16), {{8, I64_MIN}}, 0, 0, 0, 0, 2},
        {"c.bnez x9 (x9 = -1) +16", rv_enc_c_bnez(9, 16), {{9, ALL1}}, 0, 0, 0, 0, 16},
        {"c.bnez x9 (x9 = 0) +16", rv_enc_c_bnez(9, 16), {{9, 0}}, 0, 0, 0, 0, 2},
        {"c.bnez x9 (x9 = 2^32) +8", rv_enc_c_bnez(9, 8), {{9, 0x100000000ull}}, 0, 0, 0, 0, 8},
        {"c.slli x5, 63", rv_enc_c_slli(5, 63), {{5, 1}}, 0, 5, 0, I64_MIN, 2},
        {"c.slli x5, 32", rv_enc_c_slli(5, 32), {{5, 0x1ffffffffull}}, 0, 5, 0, 0xffffffff00000000ull, 2},
        {"c.slli x31, 1", rv_enc_c_slli(31, 1), {{31, 0xc000000000000001ull}}, 0, 31, 0, 0x8000000000000002ull, 2},
        /* sp = D: +252 is the high word of pat(0xf8) = 0x78f8f8f9 (positive); +4 = 0x80000001 */
        {"c.lwsp x5, 252(sp)", rv_enc_c_lwsp(5, 252), {{0}}, 0, 5, 0, 0x78f8f8f9ull, 2},
        {"c.lwsp x5, 4(sp)", rv_enc_c_lwsp(5, 4), {{0}}, 0, 5, 0, 0xffffffff80000001ull, 2},
        {"c.lwsp x5, 0(sp)", rv_enc_c_lwsp(5, 0), {{0}}, 0, 5, 0, 0xffffffff80000000ull, 2},
        {"c.ldsp x6, 504(sp)", rv_enc_c_ldsp(6, 504), {{0}}, 0, 6, 0, 0x8000000180000000ull ^ 0xf8f8f8f8f8f8f8f8ull ^ 0x0101010101010100ull, 2},
        {"c.ldsp x6, 8(sp)", rv_enc_c_ldsp(6, 8), {{0}}, 0, 6, 0, 0x8808080988080808ull, 2},
        {"c.jr x5", rv_enc_c_jr(5), {{5, ISA_BASE + 0x40}}, 0, 0, 0, 0, 0x40},
        {"c.jr x5 (odd target, bit 0 cleared)", rv_enc_c_jr(5), {{5, ISA_BASE + 0x41}}, 0, 0, 0, 0, 0x40},
        {"c.mv x5, x6", rv_enc_c_mv(5, 6), {{5, 1}, {6, 0xfedcba9876543210ull}}, 0, 5, 0, 0xfedcba9876543210ull, 2},
        {"c.mv x31, x1", rv_enc_c_mv(31, 1), {{1, ALL1}}, 0, 31, 0, ALL1, 2},
        {"c.jalr x5: pc", rv_enc_c_jalr(5), {{5, ISA_BASE + 0x80}}, 0, 1, 0, ISA_BASE + 2, 0x80},
        {"c.jalr x1 (rs1 == ra): target is old ra", rv_enc_c_jalr(1), {{1, ISA_BASE + 0x22}}, 0, 1, 0, ISA_BASE + 2,
         0x22},
        {"c.add x5, x6", rv_enc_c_add(5, 6), {{5, ALL1}, {6, 2}}, 0, 5, 0, 1, 2},
        {"c.add x5, x5", rv_enc_c_add(5, 5), {{5, 0x4000000000000000ull}}, 0, 5, 0, I64_MIN, 2},
        {"c.swsp x7, 252(sp)", rv_enc_c_swsp(7, 252), {{7, 0xaabbccdd11223344ull}}, 1, 0, D + 248,
         0x1122334478f8f8f8ull, 2},
        {"c.swsp x7, 0(sp)", rv_enc_c_swsp(7, 0), {{7, 0xaabbccdd11223344ull}}, 1, 0, D, 0x8000000111223344ull, 2},
        {"c.sdsp x8, 504(sp)", rv_enc_c_sdsp(8, 504), {{8, 0x0102030405060708ull}}, 1, 0, D + 504,
         0x0102030405060708ull, 2},
        {"c.sdsp x8, 0(sp)", rv_enc_c_sdsp(8, 0), {{8, ALL1}}, 1, 0, D, ALL1, 2},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) run_c_case(&cases[i]);

    /* Self-check of the hand-derived memory constants above against the pattern rule. */
    assert_int_equal(pat(0x78), 0xf8787879f8787878ull);
    assert_int_equal(pat(0xf8), 0x78f8f8f978f8f8f8ull);
    assert_int_equal(pat(0x40), 0xc0404041c0404040ull);
    assert_int_equal(pat(8), 0x8808080988080808ull);
    assert_int_equal(pat(0x1f8), 0x8000000180000000ull ^ 0xf8f8f8f8f8f8f8f8ull ^ 0x0101010101010100ull);

    /* Backward jumps and branches: the instruction sits at +0x800 after a jal. */
    struct { const char *what; uint16_t insn; unsigned r; uint64_t v; uint64_t pc_after; } back[] = {
        {"c.j -2048", rv_enc_c_j(-2048), 0, 0, 0},
        {"c.j -2", rv_enc_c_j(-2), 0, 0, 0x7fe},
        {"c.beqz x10, -256 (taken)", rv_enc_c_beqz(10, -256), 10, 0, 0x700},
        {"c.bnez x10, -256 (taken)", rv_enc_c_bnez(10, -256), 10, 5, 0x700},
        {"c.bnez x10, -256 (not taken)", rv_enc_c_bnez(10, -256), 10, 0, 0x802},
    };
    for (size_t i = 0; i < sizeof back / sizeof back[0]; i++) {
        isa_code c;
        isa_code_reset(&c);
        isa_emit32(&c, rv_enc_jal(0, 0x800));
        isa_pad_to(&c, 0x800);
        isa_emit16(&c, back[i].insn);
        isa_pad_to(&c, 0x1000);
        isa_vm t;
        isa_vm_open(&t, &c);
        if (back[i].r) vm_set_reg(t.m, back[i].r, back[i].v);
        isa_run(&t, 2);
        ISA_EXPECT_RAN(&t, ISA_BASE + back[i].pc_after, "%s at 0x80000800", back[i].what);
        isa_vm_close(&t);
    }

    /* Mixed 16/32-bit stream: 32-bit instructions at 2 mod 4 addresses. */
    isa_code c;
    isa_code_reset(&c);
    isa_emit16(&c, rv_enc_c_li(5, 3));           /* 0 */
    isa_emit32(&c, rv_enc_addi(5, 5, 100));      /* 2 */
    isa_emit16(&c, rv_enc_c_addi(5, -1));        /* 6 */
    isa_emit32(&c, rv_enc_slli(5, 5, 1));        /* 8 */
    isa_emit16(&c, rv_enc_c_nop());              /* 12 */
    isa_vm t;
    isa_vm_open(&t, &c);
    isa_run(&t, 5);
    if (ISA_EXPECT_RAN(&t, ISA_BASE + 14, "c.li; addi; c.addi; slli; c.nop"))
        ISA_EXPECT_EQ(vm_get_reg(t.m, 5), 204, "x5 after mixed stream ((3 + 100 - 1) << 1)");
    /* Step counts advance by one per instruction regardless of length. */
    ISA_EXPECT_EQ(vm_get_steps(t.m), 5, "steps after 5 mixed-length instructions");
    isa_vm_close(&t);

    /* C.NOP changes nothing but pc. */
    isa_code_reset(&c);
    isa_emit16(&c, rv_enc_c_nop());
    isa_emit16(&c, rv_enc_c_nop());
    isa_vm_open(&t, &c);
    for (unsigned r = 1; r < 32; r++) vm_set_reg(t.m, r, r * 0x0101010101010101ull);
    isa_run(&t, 1);
    if (ISA_EXPECT_RAN(&t, ISA_BASE + 2, "c.nop"))
        for (unsigned r = 1; r < 32; r++) ISA_EXPECT_EQ(vm_get_reg(t.m, r), r * 0x0101010101010101ull, "c.nop: x%u", r);
    isa_vm_close(&t);
    ISA_DONE();
}

/* ---- Reserved encodings fault; compressed F/D are "unsupported instruction" ---- */
static void test_c_reserved(void **state) {
    (void)state;
    const struct { uint16_t insn; const char *what; } cases[] = {
        {0x0000, "all-zero halfword"},
        {0x0004, "c.addi4spn x9, sp, 0 (zero immediate)"},
        {0x6281, "c.lui x5, 0 (zero immediate)"},
        {0x6101, "c.addi16sp 0 (zero immediate)"},
        {0x4002, "c.lwsp x0 (rd = 0)"},
        {0x6002, "c.ldsp x0 (rd = 0)"},
        {0x8002, "c.jr x0 (rs1 = 0)"},
        {0x2001, "c.addiw x0, 0 (rd = 0)"},
        {0x2005, "c.addiw x0, 1 (rd = 0)"},
        {0x9c41, "reserved CA op (inst[12]=1, funct2=10)"},
        {0x9c61, "reserved CA op (inst[12]=1, funct2=11)"},
        {0x8000, "reserved quadrant 0 funct3 100"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        isa_code c;
        isa_code_reset(&c);
        isa_emit16(&c, cases[i].insn);
        isa_emit16(&c, rv_enc_c_nop());
        isa_emit32(&c, rv_enc_addi(0, 0, 0));
        isa_vm t;
        isa_vm_open(&t, &c);
        isa_run(&t, 1);
        ISA_EXPECT_FAULT(&t, ISA_BASE, NULL, "0x%04x %s", cases[i].insn, cases[i].what);
        isa_vm_close(&t);
    }
    ISA_DONE();
}

static void test_c_fp(void **state) {
    (void)state;
    const struct { uint16_t insn; const char *what; } cases[] = {
        {rv_enc_c_fld(8, 9, 8), "c.fld f8, 8(x9)"},
        {rv_enc_c_fsd(8, 9, 8), "c.fsd f8, 8(x9)"},
        {rv_enc_c_fldsp(3, 16), "c.fldsp f3, 16(sp)"},
        {rv_enc_c_fsdsp(3, 16), "c.fsdsp f3, 16(sp)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        isa_code c;
        isa_code_reset(&c);
        isa_emit16(&c, cases[i].insn);
        isa_emit16(&c, rv_enc_c_nop());
        isa_vm t;
        isa_vm_open(&t, &c);
        vm_set_reg(t.m, 2, ISA_DATA);
        vm_set_reg(t.m, 9, ISA_DATA);
        isa_run(&t, 1);
        ISA_EXPECT_FAULT(&t, ISA_BASE, "unsupported instruction", "%s (0x%04x)", cases[i].what, cases[i].insn);
        isa_vm_close(&t);
    }
    ISA_DONE();
}

/* ---- Compressed vs expanded equivalence on random operands ---- */

static uint64_t rng_state = 0x2545f4914f6cdd1dull;
/* splitmix64: a fixed-seed generator so a failure reproduces exactly. */
static uint64_t rng(void) {
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}
static unsigned rnd(unsigned n) { return (unsigned)(rng() % n); }
static unsigned rnd_creg(void) { return 8 + rnd(8); }
static unsigned rnd_nz_reg(void) { return 1 + rnd(31); }
static int64_t rnd_imm6(void) { return (int64_t)rnd(64) - 32; }
static int64_t rnd_nz_imm6(void) {
    int64_t v;
    do v = rnd_imm6(); while (v == 0);
    return v;
}

/* The test instruction sits at AT (after a jal), so jumps of +-2 KiB stay inside the code. */
#define EQ_AT 0x800u

typedef enum {
    K_ADDI4SPN, K_LW, K_LD, K_SW, K_SD, K_NOP, K_ADDI, K_ADDIW, K_LI, K_ADDI16SP, K_LUI, K_SRLI,
    K_SRAI, K_ANDI, K_SUB, K_XOR, K_OR, K_AND, K_SUBW, K_ADDW, K_J, K_BEQZ, K_BNEZ, K_SLLI,
    K_LWSP, K_LDSP, K_JR, K_MV, K_EBREAK, K_JALR, K_ADD, K_SWSP, K_SDSP, K_COUNT
} c_kind;

static const char *const kind_names[K_COUNT] = {
    "c.addi4spn", "c.lw", "c.ld", "c.sw", "c.sd", "c.nop", "c.addi", "c.addiw", "c.li",
    "c.addi16sp", "c.lui", "c.srli", "c.srai", "c.andi", "c.sub", "c.xor", "c.or", "c.and",
    "c.subw", "c.addw", "c.j", "c.beqz", "c.bnez", "c.slli", "c.lwsp", "c.ldsp", "c.jr", "c.mv",
    "c.ebreak", "c.jalr", "c.add", "c.swsp", "c.sdsp",
};

/* Picks random operands for one instance of `k`; fills both encodings and fixes up registers
 * that must hold addresses (regs[] is the shared initial register file). */
static void gen_pair(c_kind k, uint16_t *c16, uint32_t *e32, uint64_t regs[32]) {
    unsigned rd, rs, u;
    int64_t imm;
    switch (k) {
    case K_ADDI4SPN:
        rd = rnd_creg(); u = 4 * (1 + rnd(255));
        *c16 = rv_enc_c_addi4spn(rd, u); *e32 = rv_enc_addi(rd, 2, u); break;
    case K_LW:
        rd = rnd_creg(); rs = rnd_creg(); u = 4 * rnd(32);
        regs[rs] = ISA_DATA + 8 * rnd(64);
        *c16 = rv_enc_c_lw(rd, rs, u); *e32 = rv_enc_lw(rd, rs, u); break;
    case K_LD:
        rd = rnd_creg(); rs = rnd_creg(); u = 8 * rnd(32);
        regs[rs] = ISA_DATA + 8 * rnd(64);
        *c16 = rv_enc_c_ld(rd, rs, u); *e32 = rv_enc_ld(rd, rs, u); break;
    case K_SW:
        rd = rnd_creg(); rs = rnd_creg(); u = 4 * rnd(32);
        regs[rs] = ISA_DATA + 8 * rnd(64);
        *c16 = rv_enc_c_sw(rd, rs, u); *e32 = rv_enc_sw(rd, rs, u); break;
    case K_SD:
        rd = rnd_creg(); rs = rnd_creg(); u = 8 * rnd(32);
        regs[rs] = ISA_DATA + 8 * rnd(64);
        *c16 = rv_enc_c_sd(rd, rs, u); *e32 = rv_enc_sd(rd, rs, u); break;
    case K_NOP:
        *c16 = rv_enc_c_nop(); *e32 = rv_enc_addi(0, 0, 0); break;
    case K_ADDI:
        rd = rnd_nz_reg(); imm = rnd_nz_imm6();
        *c16 = rv_enc_c_addi(rd, imm); *e32 = rv_enc_addi(rd, rd, imm); break;
    case K_ADDIW:
        rd = rnd_nz_reg(); imm = rnd_imm6();
        *c16 = rv_enc_c_addiw(rd, imm); *e32 = rv_enc_addiw(rd, rd, imm); break;
    case K_LI:
        rd = rnd_nz_reg(); imm = rnd_imm6();
        *c16 = rv_enc_c_li(rd, imm); *e32 = rv_enc_addi(rd, 0, imm); break;
    case K_ADDI16SP:
        imm = 16 * rnd_nz_imm6();
        *c16 = rv_enc_c_addi16sp(imm); *e32 = rv_enc_addi(2, 2, imm); break;
    case K_LUI:
        do rd = rnd_nz_reg(); while (rd == 2);
        imm = rnd_nz_imm6();
        *c16 = rv_enc_c_lui(rd, imm); *e32 = rv_enc_lui(rd, (uint32_t)imm & 0xfffffu); break;
    case K_SRLI:
        rd = rnd_creg(); u = 1 + rnd(63);
        *c16 = rv_enc_c_srli(rd, u); *e32 = rv_enc_srli(rd, rd, u); break;
    case K_SRAI:
        rd = rnd_creg(); u = 1 + rnd(63);
        *c16 = rv_enc_c_srai(rd, u); *e32 = rv_enc_srai(rd, rd, u); break;
    case K_ANDI:
        rd = rnd_creg(); imm = rnd_imm6();
        *c16 = rv_enc_c_andi(rd, imm); *e32 = rv_enc_andi(rd, rd, imm); break;
    case K_SUB: rd = rnd_creg(); rs = rnd_creg(); *c16 = rv_enc_c_sub(rd, rs); *e32 = rv_enc_sub(rd, rd, rs); break;
    case K_XOR: rd = rnd_creg(); rs = rnd_creg(); *c16 = rv_enc_c_xor(rd, rs); *e32 = rv_enc_xor(rd, rd, rs); break;
    case K_OR: rd = rnd_creg(); rs = rnd_creg(); *c16 = rv_enc_c_or(rd, rs); *e32 = rv_enc_or(rd, rd, rs); break;
    case K_AND: rd = rnd_creg(); rs = rnd_creg(); *c16 = rv_enc_c_and(rd, rs); *e32 = rv_enc_and(rd, rd, rs); break;
    case K_SUBW: rd = rnd_creg(); rs = rnd_creg(); *c16 = rv_enc_c_subw(rd, rs); *e32 = rv_enc_subw(rd, rd, rs); break;
    case K_ADDW: rd = rnd_creg(); rs = rnd_creg(); *c16 = rv_enc_c_addw(rd, rs); *e32 = rv_enc_addw(rd, rd, rs); break;
    case K_J:
        imm = 2 * ((int64_t)rnd(2048) - 1024);
        if (imm == 4) imm = 6; /* +4 taken would look like the 32-bit form's fall-through */
        *c16 = rv_enc_c_j(imm); *e32 = rv_enc_jal(0, imm); break;
    case K_BEQZ:
    case K_BNEZ:
        rs = rnd_creg();
        imm = 2 * ((int64_t)rnd(256) - 128);
        if (imm == 4) imm = 6;
        if (rnd(2)) regs[rs] = 0; /* taken half of the time */
        *c16 = k == K_BEQZ ? rv_enc_c_beqz(rs, imm) : rv_enc_c_bnez(rs, imm);
        *e32 = k == K_BEQZ ? rv_enc_beq(rs, 0, imm) : rv_enc_bne(rs, 0, imm);
        break;
    case K_SLLI:
        rd = rnd_nz_reg(); u = 1 + rnd(63);
        *c16 = rv_enc_c_slli(rd, u); *e32 = rv_enc_slli(rd, rd, u); break;
    case K_LWSP:
        rd = rnd_nz_reg(); u = 4 * rnd(64);
        *c16 = rv_enc_c_lwsp(rd, u); *e32 = rv_enc_lw(rd, 2, u); break;
    case K_LDSP:
        rd = rnd_nz_reg(); u = 8 * rnd(64);
        *c16 = rv_enc_c_ldsp(rd, u); *e32 = rv_enc_ld(rd, 2, u); break;
    case K_JR:
    case K_JALR:
        rs = rnd_nz_reg();
        regs[rs] = ISA_BASE + rnd(0x1000); /* any byte, odd ones too: bit 0 is cleared */
        if (regs[rs] == ISA_BASE + EQ_AT + 4 || regs[rs] == ISA_BASE + EQ_AT + 5) regs[rs] += 2;
        *c16 = k == K_JR ? rv_enc_c_jr(rs) : rv_enc_c_jalr(rs);
        *e32 = rv_enc_jalr(k == K_JR ? 0 : 1, rs, 0);
        break;
    case K_MV:
        rd = rnd_nz_reg(); rs = rnd_nz_reg();
        *c16 = rv_enc_c_mv(rd, rs); *e32 = rv_enc_add(rd, 0, rs); break;
    case K_EBREAK:
        *c16 = rv_enc_c_ebreak(); *e32 = rv_enc_ebreak(); break;
    case K_ADD:
        rd = rnd_nz_reg(); rs = rnd_nz_reg();
        *c16 = rv_enc_c_add(rd, rs); *e32 = rv_enc_add(rd, rd, rs); break;
    case K_SWSP:
        rs = rnd(32); u = 4 * rnd(64);
        *c16 = rv_enc_c_swsp(rs, u); *e32 = rv_enc_sw(rs, 2, u); break;
    case K_SDSP:
        rs = rnd(32); u = 8 * rnd(64);
        *c16 = rv_enc_c_sdsp(rs, u); *e32 = rv_enc_sd(rs, 2, u); break;
    default:
        fail();
    }
}

#define EQ_MEM 1024

typedef struct eq_out {
    vm_result res;
    uint64_t pc;
    uint64_t regs[32];
    uint8_t mem[EQ_MEM];
} eq_out;

static void eq_run(int compressed, uint32_t insn, const uint64_t regs[32], const uint8_t *mem, eq_out *o) {
    isa_code c;
    isa_code_reset(&c);
    isa_emit32(&c, rv_enc_jal(0, EQ_AT));
    isa_pad_to(&c, EQ_AT);
    if (compressed) isa_emit16(&c, (uint16_t)insn);
    else isa_emit32(&c, insn);
    isa_pad_to(&c, 0x1000);
    isa_vm t;
    isa_vm_open(&t, &c);
    for (unsigned r = 1; r < 32; r++) vm_set_reg(t.m, r, regs[r]);
    isa_poke(&t, ISA_DATA, mem, EQ_MEM);
    isa_run(&t, 2);
    o->res = t.res;
    o->pc = vm_get_pc(t.m);
    for (unsigned r = 0; r < 32; r++) o->regs[r] = vm_get_reg(t.m, r);
    assert_int_equal(vm_read_mem(t.m, ISA_DATA, o->mem, EQ_MEM), 0);
    isa_vm_close(&t);
}

static void test_c_equivalence(void **state) {
    (void)state;
    enum { ITER = 24 };
    static uint8_t mem[EQ_MEM];
    static eq_out oc, oe;
    for (int k = 0; k < K_COUNT; k++) {
        for (int it = 0; it < ITER; it++) {
            uint64_t regs[32];
            regs[0] = 0;
            for (unsigned r = 1; r < 32; r++) {
                /* Mix full-width random values with small and 32-bit-edge ones. */
                uint64_t v = rng();
                switch (rnd(4)) {
                case 0: v &= 0xff; break;
                case 1: v = (uint64_t)(int64_t)(int32_t)(uint32_t)v; break;
                default: break;
                }
                regs[r] = v;
            }
            regs[2] = ISA_DATA + 8 * rnd(32); /* sp: sp-relative accesses stay in the window */
            for (size_t i = 0; i < EQ_MEM; i += 8) {
                uint64_t v = rng();
                memcpy(mem + i, &v, 8);
            }
            uint16_t c16 = 0;
            uint32_t e32 = 0;
            gen_pair((c_kind)k, &c16, &e32, regs);
            /* Memory accesses must fit the compared window: base + offset + 8 <= ISA_DATA + EQ_MEM. */
            eq_run(1, c16, regs, mem, &oc);
            eq_run(0, e32, regs, mem, &oe);
            char what[160];
            snprintf(what, sizeof what, "%s 0x%04x vs expansion 0x%08x (iteration %d)", kind_names[k], c16, e32, it);
            if (oc.res.stop != oe.res.stop) {
                isa_reportf(__FILE__, __LINE__, "%s: stop %d vs %d (%s | %s)", what, (int)oc.res.stop,
                            (int)oe.res.stop, oc.res.message, oe.res.message);
                continue;
            }
            if (oc.res.stop != VM_STOP_STEP_LIMIT) {
                ISA_EXPECT_EQ(oc.res.pc, oe.res.pc, "%s: stop pc", what);
                continue;
            }
            const uint64_t at = ISA_BASE + EQ_AT;
            if (oe.pc == at + 4) ISA_EXPECT_EQ(oc.pc, at + 2, "%s: fall-through pc", what);
            else ISA_EXPECT_EQ(oc.pc, oe.pc, "%s: target pc", what);
            for (unsigned r = 0; r < 32; r++) {
                if (k == K_JALR && r == 1) {
                    ISA_EXPECT_EQ(oc.regs[1], at + 2, "%s: c.jalr link", what);
                    ISA_EXPECT_EQ(oe.regs[1], at + 4, "%s: jalr link", what);
                    continue;
                }
                ISA_EXPECT_EQ(oc.regs[r], oe.regs[r], "%s: x%u (initial 0x%016llx)", what, r,
                              (unsigned long long)regs[r]);
            }
            if (memcmp(oc.mem, oe.mem, EQ_MEM) != 0) isa_reportf(__FILE__, __LINE__, "%s: memory differs", what);
        }
    }
    ISA_DONE();
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_c_each),
        cmocka_unit_test(test_c_reserved),
        cmocka_unit_test(test_c_fp),
        cmocka_unit_test(test_c_equivalence),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
