/*
 * test_isa_system.c: CSRs, ECALL, refused instructions (F/D, illegal), the guest memory map,
 * the UART and output words, the step limit and resuming, and fetches outside executable ROM.
 *
 * Expected behaviour is the guest interface in vm.h and docs (ZisK's): marchid reads 0xFFFEEEE,
 * ecall a7 = 93 exits with a0, other a7 values stop with "unsupported system call", F/D stop
 * with "unsupported instruction", ROM and input are read-only, misaligned RAM accesses work.
 */
#include "isa_harness.h"

#include <stdlib.h>

#define ALL1 0xffffffffffffffffull

/* Lower-case hex of v without "0x", for looking for an address in a fault message. */
static void hex(char *buf, size_t n, uint64_t v) { snprintf(buf, n, "%llx", (unsigned long long)v); }

/* ---- CSRs ---- */
static void test_csr(void **state) {
    (void)state;
    isa_code c;
    isa_code_reset(&c);
    isa_emit32(&c, rv_enc_csrrs(3, RV_CSR_MARCHID, 0));
    isa_emit32(&c, rv_enc_csrrsi(4, RV_CSR_MARCHID, 0));
    isa_emit32(&c, rv_enc_csrrs(5, RV_CSR_MVENDORID, 0));
    isa_emit32(&c, rv_enc_csrrs(6, RV_CSR_MIMPID, 0));
    isa_emit32(&c, rv_enc_csrrs(7, RV_CSR_MHARTID, 0));
    isa_emit32(&c, rv_enc_csrrs(0, RV_CSR_MARCHID, 0)); /* rd = x0: read discarded */
    isa_vm t;
    isa_vm_open(&t, &c);
    for (unsigned r = 3; r <= 7; r++) vm_set_reg(t.m, r, 0x5555555555555555ull);
    isa_run(&t, 6);
    if (ISA_EXPECT_RAN(&t, ISA_BASE + 24, "csr reads")) {
        ISA_EXPECT_EQ(vm_get_reg(t.m, 3), VM_MARCHID, "csrrs x3, marchid, x0");
        ISA_EXPECT_EQ(vm_get_reg(t.m, 3), 0xFFFEEEEull, "csrrs x3, marchid, x0 (literal)");
        ISA_EXPECT_EQ(vm_get_reg(t.m, 4), 0xFFFEEEEull, "csrrsi x4, marchid, 0");
        ISA_EXPECT_EQ(vm_get_reg(t.m, 5), 0, "csrrs x5, mvendorid, x0");
        ISA_EXPECT_EQ(vm_get_reg(t.m, 6), 0, "csrrs x6, mimpid, x0");
        ISA_EXPECT_EQ(vm_get_reg(t.m, 7), 0, "csrrs x7, mhartid, x0");
        ISA_EXPECT_EQ(vm_get_reg(t.m, 0), 0, "csrrs x0, marchid, x0");
    }
    isa_vm_close(&t);

    /* Unknown CSRs stop the run with a fault at the CSR instruction. */
    const uint32_t unknown[] = {
        rv_enc_csrrs(3, 0x123, 0),
        rv_enc_csrrw(3, 0x5ff, 1),
        rv_enc_csrrsi(3, 0x7ff, 0),
    };
    for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++) {
        isa_code_reset(&c);
        isa_emit32(&c, rv_enc_addi(0, 0, 0));
        isa_emit32(&c, unknown[i]);
        isa_emit32(&c, rv_enc_addi(0, 0, 0));
        isa_vm_open(&t, &c);
        isa_run(&t, 2);
        ISA_EXPECT_FAULT(&t, ISA_BASE + 4, NULL, "unknown CSR access 0x%08x", unknown[i]);
        isa_vm_close(&t);
    }
    ISA_DONE();
}

/* ---- ECALL ---- */
static void test_ecall(void **state) {
    (void)state;
    const uint64_t codes[] = {0, 42, ALL1, 0x8000000000000000ull};
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        isa_code c;
        isa_code_reset(&c);
        isa_emit32(&c, rv_enc_addi(17, 0, 93));
        isa_emit32(&c, rv_enc_ecall());
        isa_emit32(&c, rv_enc_addi(10, 10, 1)); /* must not run */
        isa_vm t;
        isa_vm_open(&t, &c);
        vm_set_reg(t.m, 10, codes[i]);
        isa_run(&t, UINT64_MAX);
        ISA_EXPECT_EQ(t.res.stop, VM_STOP_EXIT, "ecall a7=93 a0=0x%llx: stop (message: %s)",
                      (unsigned long long)codes[i], t.res.message);
        ISA_EXPECT_EQ(t.res.exit_code, codes[i], "ecall a7=93: exit_code");
        ISA_EXPECT_EQ(t.res.pc, ISA_BASE + 4, "ecall exit: pc of the ecall");
        ISA_EXPECT_EQ(vm_get_reg(t.m, 10), codes[i], "ecall exit: a0 not changed after");
        ISA_EXPECT_EQ(vm_get_steps(t.m), 2, "ecall exit: steps (addi + ecall)");
        /* Calling again returns the same stop. */
        isa_run(&t, UINT64_MAX);
        ISA_EXPECT_EQ(t.res.stop, VM_STOP_EXIT, "vm_run after exit: stop");
        ISA_EXPECT_EQ(t.res.exit_code, codes[i], "vm_run after exit: exit_code");
        ISA_EXPECT_EQ(vm_get_reg(t.m, 10), codes[i], "vm_run after exit: nothing more ran");
        isa_vm_close(&t);
    }

    /* Other system call numbers fault. */
    const uint64_t others[] = {64, 0, 94, 93ull + (1ull << 32), ALL1};
    for (size_t i = 0; i < sizeof others / sizeof others[0]; i++) {
        isa_code c;
        isa_code_reset(&c);
        isa_emit32(&c, rv_enc_addi(0, 0, 0));
        isa_emit32(&c, rv_enc_ecall());
        isa_vm t;
        isa_vm_open(&t, &c);
        vm_set_reg(t.m, 17, others[i]);
        isa_run(&t, UINT64_MAX);
        ISA_EXPECT_FAULT(&t, ISA_BASE + 4, "unsupported system call", "ecall a7=0x%llx", (unsigned long long)others[i]);
        /* And the fault sticks. */
        isa_run(&t, UINT64_MAX);
        ISA_EXPECT_EQ(t.res.stop, VM_STOP_FAULT, "vm_run after a fault: stop");
        isa_vm_close(&t);
    }
    ISA_DONE();
}

/* ---- F/D and illegal instructions ---- */
static void run_one_expect_fault(uint32_t insn, const char *needle, const char *what) {
    isa_code c;
    isa_code_reset(&c);
    isa_emit32(&c, rv_enc_addi(0, 0, 0));
    isa_emit32(&c, insn);
    isa_emit32(&c, rv_enc_addi(0, 0, 0));
    isa_vm t;
    isa_vm_open(&t, &c);
    vm_set_reg(t.m, 1, ISA_DATA);
    vm_set_reg(t.m, 2, ISA_DATA);
    isa_run(&t, 3);
    ISA_EXPECT_FAULT(&t, ISA_BASE + 4, needle, "%s (0x%08x)", what, insn);
    isa_vm_close(&t);
}

static void test_refused(void **state) {
    (void)state;
    run_one_expect_fault(rv_enc_fadd_d(3, 1, 2), "unsupported instruction", "fadd.d f3, f1, f2");
    run_one_expect_fault(rv_enc_fld(3, 1, 8), "unsupported instruction", "fld f3, 8(x1)");
    run_one_expect_fault(rv_enc_fsd(3, 1, 8), "unsupported instruction", "fsd f3, 8(x1)");
    run_one_expect_fault(rv_enc_flw(3, 1, 4), "unsupported instruction", "flw f3, 4(x1)");

    const struct { uint32_t insn; const char *what; } illegal[] = {
        {0x00000000u, "all zero"},
        {0xffffffffu, "all ones"},
        {rv_enc_r(RV_OPC_OP, 0, 0x02, 3, 1, 2), "OP with funct7 = 2"},
        {rv_enc_r(RV_OPC_OP, 1, 0x20, 3, 1, 2), "OP sll with funct7 = 0x20"},
        {rv_enc_r(RV_OPC_OP_32, 1, 0x20, 3, 1, 2), "OP-32 sllw with funct7 = 0x20"},
        {rv_enc_r(RV_OPC_OP_32, 2, 0x00, 3, 1, 2), "OP-32 funct3 = 2"},
        {rv_enc_r(RV_OPC_OP_IMM_32, 1, 0x01, 3, 1, 0), "slliw with shamt[5] = 1 (reserved in RV64)"},
        {rv_enc_r(RV_OPC_OP_IMM_32, 5, 0x21, 3, 1, 0), "sraiw with shamt[5] = 1"},
        {rv_enc_shift64(1, 0x10, 3, 1, 1), "slli with funct6 = 0x10"},
        {rv_enc_shift64(5, 0x01, 3, 1, 1), "srli with funct6 = 1"},
        {rv_enc_i(RV_OPC_LOAD, 7, 3, 1, 0), "load funct3 = 7"},
        {rv_enc_s(RV_OPC_STORE, 4, 1, 2, 0), "store funct3 = 4"},
        {rv_enc_b(2, 1, 2, 8), "branch funct3 = 2"},
        {rv_enc_i(RV_OPC_JALR, 1, 3, 1, 0), "jalr funct3 = 1"},
        {rv_enc_r(RV_OPC_AMO, 2, 0x05 << 2, 3, 1, 2), "AMO funct5 = 5"},
        {rv_enc_r(RV_OPC_AMO, 0, 0x00, 3, 1, 2), "AMO funct3 = 0"},
        {rv_enc_r(RV_OPC_AMO, 2, RV_AMO_LR << 2, 3, 1, 2), "lr.w with rs2 != 0"},
        {rv_enc_i(RV_OPC_OP_IMM_32, 2, 3, 1, 0), "OP-IMM-32 funct3 = 2"},
        {0x0000007fu, "opcode 0x7f (long instruction prefix)"},
        {0x0000003fu, "opcode 0x3f (48-bit instruction prefix)"},
    };
    for (size_t i = 0; i < sizeof illegal / sizeof illegal[0]; i++)
        run_one_expect_fault(illegal[i].insn, NULL, illegal[i].what);
    ISA_DONE();
}

/* ---- Memory map ---- */
static void test_ram(void **state) {
    (void)state;
    isa_code c;
    isa_code_reset(&c);
    isa_emit32(&c, rv_enc_sd(2, 1, 0));
    isa_emit32(&c, rv_enc_ld(3, 1, 0));
    isa_emit32(&c, rv_enc_sd(2, 4, 0));
    isa_emit32(&c, rv_enc_ld(5, 4, 0));
    isa_emit32(&c, rv_enc_sd(2, 6, 0)); /* misaligned, crosses a 4 KiB boundary */
    isa_emit32(&c, rv_enc_ld(7, 6, 0));
    isa_emit32(&c, rv_enc_lw(8, 9, 0)); /* misaligned word */
    isa_emit32(&c, rv_enc_lh(10, 11, 0)); /* misaligned half, crosses a 64 KiB boundary */
    isa_emit32(&c, rv_enc_sw(2, 12, 0));  /* misaligned store */
    isa_vm t;
    isa_vm_open(&t, &c);
    const uint64_t v = 0x8123456789abcdefull;
    vm_set_reg(t.m, 1, VM_RAM_ADDR);
    vm_set_reg(t.m, 2, v);
    vm_set_reg(t.m, 4, VM_RAM_END - 8);
    vm_set_reg(t.m, 6, ISA_DATA + 0xffd);
    vm_set_reg(t.m, 9, ISA_DATA + 0x101);
    vm_set_reg(t.m, 11, ISA_DATA + 0xffff);
    vm_set_reg(t.m, 12, ISA_DATA + 0x203);
    const uint8_t bytes[4] = {0x11, 0x22, 0x33, 0x84};
    isa_poke(&t, ISA_DATA + 0x101, bytes, 4);
    const uint8_t half[2] = {0x01, 0x80};
    isa_poke(&t, ISA_DATA + 0xffff, half, 2);
    isa_run(&t, 9);
    if (ISA_EXPECT_RAN(&t, ISA_BASE + 36, "RAM round trips")) {
        ISA_EXPECT_EQ(vm_get_reg(t.m, 3), v, "sd/ld at the start of free RAM 0xa0030000");
        ISA_EXPECT_EQ(vm_get_reg(t.m, 5), v, "sd/ld at the last doubleword of RAM 0xbffffff8");
        ISA_EXPECT_EQ(vm_get_reg(t.m, 7), v, "sd/ld misaligned across a 4 KiB boundary");
        ISA_EXPECT_EQ(isa_peek64(&t, ISA_DATA + 0xffd), v, "misaligned sd: memory");
        ISA_EXPECT_EQ(vm_get_reg(t.m, 8), 0xffffffff84332211ull, "lw at 4n+1");
        ISA_EXPECT_EQ(vm_get_reg(t.m, 10), 0xffffffffffff8001ull, "lh across a 64 KiB boundary");
        ISA_EXPECT_EQ(isa_peek32(&t, ISA_DATA + 0x203), 0x89abcdefu, "sw at 4n+3: memory");
    }
    isa_vm_close(&t);

    /* ROM is readable (rodata lives there): lw of the program's own first instruction. */
    isa_code_reset(&c);
    isa_emit32(&c, rv_enc_lw(3, 1, 0));
    isa_emit32(&c, rv_enc_lbu(4, 1, 3));
    isa_vm_open(&t, &c);
    vm_set_reg(t.m, 1, ISA_BASE);
    isa_run(&t, 2);
    uint32_t self = rv_enc_lw(3, 1, 0);
    if (ISA_EXPECT_RAN(&t, ISA_BASE + 8, "loads from ROM")) {
        ISA_EXPECT_EQ(vm_get_reg(t.m, 3), (uint64_t)(int64_t)(int32_t)self, "lw from ROM 0x80000000");
        ISA_EXPECT_EQ(vm_get_reg(t.m, 4), self >> 24, "lbu from ROM 0x80000003");
    }
    isa_vm_close(&t);
    ISA_DONE();
}

static void test_faults(void **state) {
    (void)state;
    struct {
        uint32_t insn;
        uint64_t addr;
        const char *what;
    } cases[] = {
        {rv_enc_sd(2, 1, 0), VM_ROM_ADDR + 0x100, "sd to ROM 0x80000100"},
        {rv_enc_sb(2, 1, 0), VM_ROM_ADDR, "sb to ROM 0x80000000"},
        {rv_enc_ld(3, 1, 0), 0x10000000ull, "ld from unmapped 0x10000000"},
        {rv_enc_lb(3, 1, 0), 0x0ull, "lb from address 0"},
        {rv_enc_sw(2, 1, 0), 0x10000000ull, "sw to unmapped 0x10000000"},
        {rv_enc_ld(3, 1, 0), VM_RAM_END, "ld at 0xc0000000 (end of RAM)"},
        {rv_enc_ld(3, 1, 0), VM_RAM_END - 4, "ld at 0xbffffffc (crosses the end of RAM)"},
        {rv_enc_sd(2, 1, 0), VM_RAM_END - 2, "sd at 0xbffffffe (crosses the end of RAM)"},
        {rv_enc_sd(2, 1, 0), VM_INPUT_ADDR + 8, "sd to the input region 0x40000008"},
        {rv_enc_sb(2, 1, 0), VM_INPUT_ADDR, "sb to the input header word 0x40000000"},
        {rv_enc_ld(3, 1, 0), VM_INPUT_ADDR + VM_INPUT_SIZE, "ld just past the input region"},
        {rv_enc_ld(3, 1, 0), ALL1 - 3, "ld at 0xfffffffffffffffc (wraps around)"},
        {rv_enc_ld(3, 1, 0), VM_ROM_ADDR + VM_ROM_SIZE, "ld just past ROM"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        isa_code c;
        isa_code_reset(&c);
        isa_emit32(&c, rv_enc_addi(0, 0, 0));
        isa_emit32(&c, cases[i].insn);
        isa_pad_to(&c, 0x200);
        isa_vm t;
        isa_vm_open(&t, &c);
        vm_set_reg(t.m, 1, cases[i].addr);
        vm_set_reg(t.m, 2, 0x4141414141414141ull);
        vm_set_reg(t.m, 3, 0x77);
        isa_run(&t, 2);
        if (ISA_EXPECT_FAULT(&t, ISA_BASE + 4, NULL, "%s", cases[i].what)) {
            ISA_EXPECT_EQ(t.res.addr, cases[i].addr, "%s: fault address", cases[i].what);
            char pc_hex[32], addr_hex[32];
            hex(pc_hex, sizeof pc_hex, ISA_BASE + 4);
            hex(addr_hex, sizeof addr_hex, cases[i].addr);
            ISA_EXPECT_TRUE(isa_contains(t.res.message, pc_hex), "%s: message \"%s\" should name the pc 0x%s",
                            cases[i].what, t.res.message, pc_hex);
            ISA_EXPECT_TRUE(isa_contains(t.res.message, addr_hex),
                            "%s: message \"%s\" should name the address 0x%s", cases[i].what, t.res.message,
                            addr_hex);
            ISA_EXPECT_EQ(vm_get_reg(t.m, 3), 0x77, "%s: rd not written", cases[i].what);
        }
        isa_vm_close(&t);
    }
    /* The ROM stayed intact after the refused store (read through the API). */
    isa_code c;
    isa_code_reset(&c);
    isa_emit32(&c, rv_enc_sd(2, 1, 0));
    isa_vm t;
    isa_vm_open(&t, &c);
    vm_set_reg(t.m, 1, ISA_BASE);
    vm_set_reg(t.m, 2, 0);
    isa_run(&t, 1);
    ISA_EXPECT_FAULT(&t, ISA_BASE, NULL, "sd over the program itself");
    ISA_EXPECT_EQ(isa_peek32(&t, ISA_BASE), rv_enc_sd(2, 1, 0), "ROM unchanged after a refused store");
    isa_vm_close(&t);
    ISA_DONE();
}

static void test_input_region(void **state) {
    (void)state;
    /* A 12-byte input: two u64 records' worth of bytes is not needed; the region is verbatim. */
    const uint8_t input[12] = {0x0c, 0, 0, 0, 0, 0, 0, 0, 0xaa, 0xbb, 0xcc, 0x8d};
    isa_code c;
    isa_code_reset(&c);
    isa_emit32(&c, rv_enc_ld(3, 1, 0));   /* header word: 0 */
    isa_emit32(&c, rv_enc_ld(4, 1, 8));   /* first input doubleword */
    isa_emit32(&c, rv_enc_lw(5, 1, 16));  /* bytes 8..11 of the input: negative word */
    isa_emit32(&c, rv_enc_ld(6, 1, 20));  /* past the data: zero */
    isa_emit32(&c, rv_enc_ld(7, 1, 0x7f8)); /* far past the data: zero */
    isa_emit32(&c, rv_enc_lhu(8, 1, 9));  /* misaligned read of input */
    isa_vm t;
    isa_vm_open(&t, &c);
    zisk_err err = {{0}};
    assert_int_equal(vm_set_input(t.m, input, sizeof input, &err), 0);
    vm_set_reg(t.m, 1, VM_INPUT_ADDR);
    for (unsigned r = 3; r <= 8; r++) vm_set_reg(t.m, r, 0x5a5a5a5a5a5a5a5aull);
    isa_run(&t, 6);
    if (ISA_EXPECT_RAN(&t, ISA_BASE + 24, "input region reads")) {
        ISA_EXPECT_EQ(vm_get_reg(t.m, 3), 0, "ld 0x40000000 (header word)");
        ISA_EXPECT_EQ(vm_get_reg(t.m, 4), 12, "ld 0x40000008 (first input doubleword)");
        ISA_EXPECT_EQ(vm_get_reg(t.m, 5), 0xffffffff8dccbbaaull, "lw 0x40000010");
        ISA_EXPECT_EQ(vm_get_reg(t.m, 6), 0, "ld 0x40000014 (past the input)");
        ISA_EXPECT_EQ(vm_get_reg(t.m, 7), 0, "ld 0x400007f8 (far past the input)");
        ISA_EXPECT_EQ(vm_get_reg(t.m, 8), 0, "lhu 0x40000009 (zero bytes of the length)");
    }
    isa_vm_close(&t);

    /* Without any input, the region still reads as zero. */
    isa_code_reset(&c);
    isa_emit32(&c, rv_enc_ld(3, 1, 8));
    isa_vm_open(&t, &c);
    vm_set_reg(t.m, 1, VM_INPUT_ADDR);
    vm_set_reg(t.m, 3, 1);
    isa_run(&t, 1);
    if (ISA_EXPECT_RAN(&t, ISA_BASE + 4, "ld 0x40000008 with no input"))
        ISA_EXPECT_EQ(vm_get_reg(t.m, 3), 0, "ld 0x40000008 with no input");
    isa_vm_close(&t);
    ISA_DONE();
}

static void test_uart_and_outputs(void **state) {
    (void)state;
    isa_code c;
    isa_code_reset(&c);
    isa_emit32(&c, rv_enc_addi(5, 0, 'H'));
    isa_emit32(&c, rv_enc_sb(5, 1, 0));
    isa_emit32(&c, rv_enc_addi(5, 0, 'i'));
    isa_emit32(&c, rv_enc_sb(5, 1, 0));
    isa_emit32(&c, rv_enc_addi(5, 0, 0x70a)); /* low byte '\n' */
    isa_emit32(&c, rv_enc_sb(5, 1, 0));
    isa_emit32(&c, rv_enc_sw(6, 7, 0));       /* output word 0 */
    isa_emit32(&c, rv_enc_sw(6, 7, 252));     /* output word 63 */
    isa_emit32(&c, rv_enc_sw(8, 7, 8));       /* output word 2 */
    isa_vm t;
    isa_vm_open(&t, &c);
    FILE *f = tmpfile();
    assert_non_null(f);
    vm_set_console(t.m, f);
    vm_set_reg(t.m, 1, VM_UART_ADDR);
    vm_set_reg(t.m, 6, 0xdeadbeef);
    vm_set_reg(t.m, 7, VM_OUTPUT_ADDR);
    vm_set_reg(t.m, 8, 0xffffffff00000007ull);
    isa_run(&t, 9);
    ISA_EXPECT_RAN(&t, ISA_BASE + 36, "UART and output stores");
    vm_free(t.m); /* flushes whatever the machine buffered */
    t.m = NULL;
    fflush(f);
    rewind(f);
    char buf[16] = {0};
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    ISA_EXPECT_EQ(n, 3, "UART: bytes written to the console");
    ISA_EXPECT_TRUE(n == 3 && memcmp(buf, "Hi\n", 3) == 0, "UART: console holds \"%s\", expected \"Hi\\n\"", buf);
    isa_vm_close(&t);

    /* Outputs, read back through vm_get_outputs on a fresh run (the machine above is gone). */
    isa_vm_open(&t, &c);
    vm_set_console(t.m, NULL);
    vm_set_reg(t.m, 1, VM_UART_ADDR);
    vm_set_reg(t.m, 6, 0xdeadbeef);
    vm_set_reg(t.m, 7, VM_OUTPUT_ADDR);
    vm_set_reg(t.m, 8, 0xffffffff00000007ull);
    isa_run(&t, 9);
    if (ISA_EXPECT_RAN(&t, ISA_BASE + 36, "output stores")) {
        uint32_t out[VM_OUTPUT_WORDS];
        vm_get_outputs(t.m, out);
        ISA_EXPECT_EQ(out[0], 0xdeadbeefu, "output word 0");
        ISA_EXPECT_EQ(out[63], 0xdeadbeefu, "output word 63");
        ISA_EXPECT_EQ(out[2], 7, "output word 2");
        ISA_EXPECT_EQ(out[1], 0, "output word 1 (never written)");
    }
    isa_vm_close(&t);

    /* A wider store to the UART writes its low byte (vm.h: "a store writes its low byte"). */
    isa_code_reset(&c);
    isa_emit32(&c, rv_enc_sd(5, 1, 0));
    isa_vm_open(&t, &c);
    f = tmpfile();
    assert_non_null(f);
    vm_set_console(t.m, f);
    vm_set_reg(t.m, 1, VM_UART_ADDR);
    vm_set_reg(t.m, 5, 0x4443424140393837ull); /* low byte '7' */
    isa_run(&t, 1);
    ISA_EXPECT_RAN(&t, ISA_BASE + 4, "sd to the UART");
    vm_free(t.m);
    t.m = NULL;
    fflush(f);
    rewind(f);
    memset(buf, 0, sizeof buf);
    n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    ISA_EXPECT_TRUE(n == 1 && buf[0] == '7', "sd to UART: console holds %zu byte(s) \"%s\", expected \"7\"", n, buf);
    isa_vm_close(&t);
    ISA_DONE();
}

/* ---- Step limit and resuming ---- */
static void test_step_limit(void **state) {
    (void)state;
    isa_code c;
    isa_code_reset(&c);
    isa_emit32(&c, rv_enc_addi(5, 5, 1));  /* 0 */
    isa_emit32(&c, rv_enc_jal(0, -4));     /* 4 */
    isa_vm t;
    isa_vm_open(&t, &c);

    isa_run(&t, 0);
    ISA_EXPECT_EQ(t.res.stop, VM_STOP_STEP_LIMIT, "until_step 0 on a fresh machine: stop");
    ISA_EXPECT_EQ(vm_get_steps(t.m), 0, "until_step 0: steps");

    isa_run(&t, 7);
    ISA_EXPECT_EQ(t.res.stop, VM_STOP_STEP_LIMIT, "until_step 7: stop");
    ISA_EXPECT_EQ(t.res.steps, 7, "until_step 7: res.steps");
    ISA_EXPECT_EQ(vm_get_steps(t.m), 7, "until_step 7: vm_get_steps");
    ISA_EXPECT_EQ(vm_get_reg(t.m, 5), 4, "until_step 7: x5 (4 addi ran)");
    ISA_EXPECT_EQ(vm_get_pc(t.m), ISA_BASE + 4, "until_step 7: pc (next is the jal)");

    isa_run(&t, 10);
    ISA_EXPECT_EQ(t.res.stop, VM_STOP_STEP_LIMIT, "resume to 10: stop");
    ISA_EXPECT_EQ(t.res.steps, 10, "resume to 10: res.steps");
    ISA_EXPECT_EQ(vm_get_reg(t.m, 5), 5, "resume to 10: x5");
    ISA_EXPECT_EQ(vm_get_pc(t.m), ISA_BASE, "resume to 10: pc");

    isa_run(&t, 10);
    ISA_EXPECT_EQ(t.res.stop, VM_STOP_STEP_LIMIT, "run to 10 again: stop");
    ISA_EXPECT_EQ(vm_get_steps(t.m), 10, "run to 10 again: no progress");

    isa_run(&t, 3);
    ISA_EXPECT_EQ(t.res.stop, VM_STOP_STEP_LIMIT, "until_step below the current count: stop");
    ISA_EXPECT_EQ(vm_get_steps(t.m), 10, "until_step below the current count: no progress");

    isa_run(&t, 1000001);
    ISA_EXPECT_EQ(vm_get_steps(t.m), 1000001, "long run: steps");
    ISA_EXPECT_EQ(vm_get_reg(t.m, 5), 500001, "long run: x5");
    isa_vm_close(&t);

    /* Splitting a run into many small runs gives the same state as one run. */
    isa_code_reset(&c);
    isa_emit32(&c, rv_enc_addi(5, 5, 3));
    isa_emit32(&c, rv_enc_mul(6, 5, 5));
    isa_emit32(&c, rv_enc_add(7, 7, 6));
    isa_emit16(&c, rv_enc_c_addi(8, 1));
    isa_emit16(&c, rv_enc_c_j(-14)); /* at 14, back to 0 */
    isa_vm one, many;
    isa_vm_open(&one, &c);
    isa_vm_open(&many, &c);
    isa_run(&one, 1003);
    for (uint64_t s = 1; s <= 1003; s += 1 + s % 7) isa_run(&many, s);
    isa_run(&many, 1003);
    ISA_EXPECT_EQ(vm_get_steps(many.m), 1003, "split run: steps");
    ISA_EXPECT_EQ(vm_get_pc(many.m), vm_get_pc(one.m), "split run: pc");
    for (unsigned r = 5; r <= 8; r++) ISA_EXPECT_EQ(vm_get_reg(many.m, r), vm_get_reg(one.m, r), "split run: x%u", r);
    /* 1003 steps = 200 loops of 5 + 3 (addi, mul, add); x5 = 3 * 201. */
    ISA_EXPECT_EQ(vm_get_reg(one.m, 5), 603, "one run: x5");
    ISA_EXPECT_EQ(vm_get_reg(one.m, 8), 200, "one run: x8");
    isa_vm_close(&one);
    isa_vm_close(&many);
    ISA_DONE();
}

/* ---- Fetches outside executable ROM ---- */
static void test_bad_fetch(void **state) {
    (void)state;
    const uint64_t targets[] = {
        VM_RAM_ADDR, ISA_DATA, 0x10000000ull, VM_INPUT_ADDR + 8, VM_UART_ADDR,
        ISA_BASE + 0x100000, /* inside ROM but past the program's executable bytes */
        VM_ROM_ADDR + VM_ROM_SIZE, 0,
    };
    for (size_t i = 0; i < sizeof targets / sizeof targets[0]; i++) {
        isa_code c;
        isa_code_reset(&c);
        isa_emit32(&c, rv_enc_jalr(0, 1, 0));
        isa_emit32(&c, rv_enc_addi(0, 0, 0));
        isa_vm t;
        isa_vm_open(&t, &c);
        /* Put a valid instruction at RAM targets so only the permission can refuse it. */
        if (targets[i] >= VM_RAM_ADDR && targets[i] < VM_RAM_END) {
            uint32_t nop = rv_enc_addi(0, 0, 0);
            isa_poke(&t, targets[i], &nop, 4);
        }
        vm_set_reg(t.m, 1, targets[i]);
        isa_run(&t, 3);
        if (t.res.stop != VM_STOP_FAULT) {
            isa_reportf(__FILE__, __LINE__, "jump to 0x%llx: expected a fault, got stop %d (pc 0x%llx)",
                        (unsigned long long)targets[i], (int)t.res.stop, (unsigned long long)vm_get_pc(t.m));
        } else {
            /* The fault may be charged to the jump or to the fetch at the target. */
            ISA_EXPECT_TRUE(t.res.pc == targets[i] || t.res.pc == ISA_BASE,
                            "jump to 0x%llx: fault pc 0x%llx is neither the target nor the jump",
                            (unsigned long long)targets[i], (unsigned long long)t.res.pc);
        }
        isa_vm_close(&t);
    }

    /* Running off the end of the code. */
    isa_code c;
    isa_code_reset(&c);
    isa_emit32(&c, rv_enc_addi(5, 0, 1));
    isa_vm t;
    isa_vm_open(&t, &c);
    isa_run(&t, 5);
    ISA_EXPECT_FAULT(&t, ISA_BASE + 4, NULL, "fetch past the end of the code");
    ISA_EXPECT_EQ(vm_get_reg(t.m, 5), 1, "the last instruction before it ran");
    isa_vm_close(&t);

    /* A 32-bit instruction whose second half lies past the code (only 2 bytes present). */
    isa_code_reset(&c);
    isa_emit16(&c, rv_enc_c_nop());
    isa_emit16(&c, (uint16_t)rv_enc_addi(5, 0, 1)); /* low half of a 32-bit instruction */
    isa_vm_open(&t, &c);
    isa_run(&t, 5);
    ISA_EXPECT_FAULT(&t, ISA_BASE + 2, NULL, "32-bit instruction straddling the end of the code");
    isa_vm_close(&t);
    ISA_DONE();
}

/* ---- Test-API edges ---- */
static void test_api(void **state) {
    (void)state;
    isa_code c;
    isa_code_reset(&c);
    isa_emit32(&c, rv_enc_addi(0, 0, 0));
    isa_vm t;
    isa_vm_open(&t, &c);
    uint8_t b[8];
    ISA_EXPECT_EQ(vm_read_mem(t.m, 0x10000000ull, b, 8), (uint64_t)-1, "vm_read_mem of unmapped memory");
    ISA_EXPECT_EQ(vm_read_mem(t.m, VM_RAM_END - 4, b, 8), (uint64_t)-1, "vm_read_mem across the end of RAM");
    ISA_EXPECT_EQ(vm_write_mem(t.m, VM_ROM_ADDR, b, 4), (uint64_t)-1, "vm_write_mem to ROM");
    ISA_EXPECT_EQ(vm_write_mem(t.m, VM_INPUT_ADDR + 8, b, 4), (uint64_t)-1, "vm_write_mem to input");
    ISA_EXPECT_EQ(vm_read_mem(t.m, VM_ROM_ADDR, b, 4), 0, "vm_read_mem of ROM");
    ISA_EXPECT_EQ(vm_program_entry(t.prog), ISA_BASE, "vm_program_entry");
    ISA_EXPECT_EQ(vm_get_pc(t.m), ISA_BASE, "initial pc");
    for (unsigned r = 0; r < 32; r++) ISA_EXPECT_EQ(vm_get_reg(t.m, r), 0, "initial x%u", r);
    isa_vm_close(&t);

    /* vm_program_from_code refuses code outside ROM or misaligned. */
    vm_program *p = NULL;
    zisk_err err = {{0}};
    uint8_t code[4] = {0x13, 0, 0, 0};
    int rc = vm_program_from_code(VM_RAM_ADDR, code, 4, &p, &err);
    ISA_EXPECT_EQ(rc, (uint64_t)-1, "vm_program_from_code at a RAM address");
    if (rc == 0) vm_program_free(p);
    rc = vm_program_from_code(VM_ROM_ADDR + 1, code, 4, &p, &err);
    ISA_EXPECT_EQ(rc, (uint64_t)-1, "vm_program_from_code at an odd address");
    if (rc == 0) vm_program_free(p);
    ISA_DONE();
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_csr),          cmocka_unit_test(test_ecall),
        cmocka_unit_test(test_refused),      cmocka_unit_test(test_ram),
        cmocka_unit_test(test_faults),       cmocka_unit_test(test_input_region),
        cmocka_unit_test(test_uart_and_outputs), cmocka_unit_test(test_step_limit),
        cmocka_unit_test(test_bad_fetch),    cmocka_unit_test(test_api),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
