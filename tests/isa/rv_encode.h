/*
 * rv_encode.h: a RISC-V RV64IMAC (+Zicsr, Zifencei, a few F/D) instruction encoder for tests.
 *
 * Written from the RISC-V Unprivileged ISA manual (chapters "RV32I/RV64I Base Integer
 * Instruction Set", "M", "A", "C" and "Zicsr"), independently of src/vm/rv_decode.c, so that
 * the decoder and interpreter are checked against a second reading of the manual rather than
 * against themselves. Header-only: every function is a pure `static inline` bit-packer.
 *
 * Conventions:
 *  - Register arguments are x-register numbers 0..31. Compressed forms that only reach x8..x15
 *    (the "rd'/rs1'/rs2'" fields) also take full register numbers 8..15.
 *  - Immediates are passed as their architectural value (byte offsets for branches, loads and
 *    jumps, the 20-bit field value for LUI/AUIPC). Out-of-range or misaligned values are a bug
 *    in the test and abort via rv_enc_check().
 *  - Compressed encoders return the 16-bit halfword (as uint16_t).
 */
#ifndef ZISK_TESTS_RV_ENCODE_H
#define ZISK_TESTS_RV_ENCODE_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

/* A wrong immediate in a test would silently produce another instruction; catch it loudly. */
#define rv_enc_check(cond)                                                                   \
    do {                                                                                     \
        if (!(cond)) {                                                                       \
            fprintf(stderr, "%s:%d: rv_encode: bad operand: %s\n", __FILE__, __LINE__, #cond); \
            abort();                                                                         \
        }                                                                                    \
    } while (0)

/* ---- Major opcodes (inst[6:0]) ---- */
enum {
    RV_OPC_LOAD = 0x03,
    RV_OPC_LOAD_FP = 0x07,
    RV_OPC_MISC_MEM = 0x0f,
    RV_OPC_OP_IMM = 0x13,
    RV_OPC_AUIPC = 0x17,
    RV_OPC_OP_IMM_32 = 0x1b,
    RV_OPC_STORE = 0x23,
    RV_OPC_STORE_FP = 0x27,
    RV_OPC_AMO = 0x2f,
    RV_OPC_OP = 0x33,
    RV_OPC_LUI = 0x37,
    RV_OPC_OP_32 = 0x3b,
    RV_OPC_OP_FP = 0x53,
    RV_OPC_BRANCH = 0x63,
    RV_OPC_JALR = 0x67,
    RV_OPC_JAL = 0x6f,
    RV_OPC_SYSTEM = 0x73,
};

static inline int rv_enc_fits_signed(int64_t v, unsigned bits) {
    int64_t lim = (int64_t)1 << (bits - 1);
    return v >= -lim && v < lim;
}

/* ---- The six base formats ---- */
static inline uint32_t rv_enc_r(uint32_t opc, unsigned f3, unsigned f7, unsigned rd, unsigned rs1,
                                unsigned rs2) {
    rv_enc_check(rd < 32 && rs1 < 32 && rs2 < 32 && f3 < 8 && f7 < 128);
    return (f7 << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | opc;
}

static inline uint32_t rv_enc_i(uint32_t opc, unsigned f3, unsigned rd, unsigned rs1, int64_t imm) {
    rv_enc_check(rd < 32 && rs1 < 32 && f3 < 8 && rv_enc_fits_signed(imm, 12));
    return (((uint32_t)imm & 0xfffu) << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | opc;
}

static inline uint32_t rv_enc_s(uint32_t opc, unsigned f3, unsigned rs1, unsigned rs2, int64_t imm) {
    rv_enc_check(rs1 < 32 && rs2 < 32 && f3 < 8 && rv_enc_fits_signed(imm, 12));
    uint32_t u = (uint32_t)imm & 0xfffu;
    return ((u >> 5) << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | ((u & 0x1f) << 7) | opc;
}

/* B-type: imm[12|10:5] in inst[31:25], imm[4:1|11] in inst[11:7]; offsets are even, +-4 KiB. */
static inline uint32_t rv_enc_b(unsigned f3, unsigned rs1, unsigned rs2, int64_t off) {
    rv_enc_check(rs1 < 32 && rs2 < 32 && (off & 1) == 0 && rv_enc_fits_signed(off, 13));
    uint32_t u = (uint32_t)off;
    return (((u >> 12) & 1) << 31) | (((u >> 5) & 0x3f) << 25) | (rs2 << 20) | (rs1 << 15) |
           (f3 << 12) | (((u >> 1) & 0xf) << 8) | (((u >> 11) & 1) << 7) | RV_OPC_BRANCH;
}

/* U-type: the 20-bit field imm20 goes to inst[31:12] (the value is imm20 << 12, sign-extended). */
static inline uint32_t rv_enc_u(uint32_t opc, unsigned rd, uint32_t imm20) {
    rv_enc_check(rd < 32 && imm20 < (1u << 20));
    return (imm20 << 12) | (rd << 7) | opc;
}

/* J-type: imm[20|10:1|11|19:12] in inst[31:12]; even offsets, +-1 MiB. */
static inline uint32_t rv_enc_j(unsigned rd, int64_t off) {
    rv_enc_check(rd < 32 && (off & 1) == 0 && rv_enc_fits_signed(off, 21));
    uint32_t u = (uint32_t)off;
    return (((u >> 20) & 1) << 31) | (((u >> 1) & 0x3ff) << 21) | (((u >> 11) & 1) << 20) |
           (((u >> 12) & 0xff) << 12) | (rd << 7) | RV_OPC_JAL;
}

/* ---- RV64I ---- */
static inline uint32_t rv_enc_lui(unsigned rd, uint32_t imm20) { return rv_enc_u(RV_OPC_LUI, rd, imm20); }
static inline uint32_t rv_enc_auipc(unsigned rd, uint32_t imm20) { return rv_enc_u(RV_OPC_AUIPC, rd, imm20); }
static inline uint32_t rv_enc_jal(unsigned rd, int64_t off) { return rv_enc_j(rd, off); }
static inline uint32_t rv_enc_jalr(unsigned rd, unsigned rs1, int64_t imm) { return rv_enc_i(RV_OPC_JALR, 0, rd, rs1, imm); }

static inline uint32_t rv_enc_beq(unsigned rs1, unsigned rs2, int64_t off) { return rv_enc_b(0, rs1, rs2, off); }
static inline uint32_t rv_enc_bne(unsigned rs1, unsigned rs2, int64_t off) { return rv_enc_b(1, rs1, rs2, off); }
static inline uint32_t rv_enc_blt(unsigned rs1, unsigned rs2, int64_t off) { return rv_enc_b(4, rs1, rs2, off); }
static inline uint32_t rv_enc_bge(unsigned rs1, unsigned rs2, int64_t off) { return rv_enc_b(5, rs1, rs2, off); }
static inline uint32_t rv_enc_bltu(unsigned rs1, unsigned rs2, int64_t off) { return rv_enc_b(6, rs1, rs2, off); }
static inline uint32_t rv_enc_bgeu(unsigned rs1, unsigned rs2, int64_t off) { return rv_enc_b(7, rs1, rs2, off); }

static inline uint32_t rv_enc_lb(unsigned rd, unsigned rs1, int64_t imm) { return rv_enc_i(RV_OPC_LOAD, 0, rd, rs1, imm); }
static inline uint32_t rv_enc_lh(unsigned rd, unsigned rs1, int64_t imm) { return rv_enc_i(RV_OPC_LOAD, 1, rd, rs1, imm); }
static inline uint32_t rv_enc_lw(unsigned rd, unsigned rs1, int64_t imm) { return rv_enc_i(RV_OPC_LOAD, 2, rd, rs1, imm); }
static inline uint32_t rv_enc_ld(unsigned rd, unsigned rs1, int64_t imm) { return rv_enc_i(RV_OPC_LOAD, 3, rd, rs1, imm); }
static inline uint32_t rv_enc_lbu(unsigned rd, unsigned rs1, int64_t imm) { return rv_enc_i(RV_OPC_LOAD, 4, rd, rs1, imm); }
static inline uint32_t rv_enc_lhu(unsigned rd, unsigned rs1, int64_t imm) { return rv_enc_i(RV_OPC_LOAD, 5, rd, rs1, imm); }
static inline uint32_t rv_enc_lwu(unsigned rd, unsigned rs1, int64_t imm) { return rv_enc_i(RV_OPC_LOAD, 6, rd, rs1, imm); }

/* Stores: mem[rs1 + imm] = rs2 (assembly order "sw rs2, imm(rs1)"). */
static inline uint32_t rv_enc_sb(unsigned rs2, unsigned rs1, int64_t imm) { return rv_enc_s(RV_OPC_STORE, 0, rs1, rs2, imm); }
static inline uint32_t rv_enc_sh(unsigned rs2, unsigned rs1, int64_t imm) { return rv_enc_s(RV_OPC_STORE, 1, rs1, rs2, imm); }
static inline uint32_t rv_enc_sw(unsigned rs2, unsigned rs1, int64_t imm) { return rv_enc_s(RV_OPC_STORE, 2, rs1, rs2, imm); }
static inline uint32_t rv_enc_sd(unsigned rs2, unsigned rs1, int64_t imm) { return rv_enc_s(RV_OPC_STORE, 3, rs1, rs2, imm); }

static inline uint32_t rv_enc_addi(unsigned rd, unsigned rs1, int64_t imm) { return rv_enc_i(RV_OPC_OP_IMM, 0, rd, rs1, imm); }
static inline uint32_t rv_enc_slti(unsigned rd, unsigned rs1, int64_t imm) { return rv_enc_i(RV_OPC_OP_IMM, 2, rd, rs1, imm); }
static inline uint32_t rv_enc_sltiu(unsigned rd, unsigned rs1, int64_t imm) { return rv_enc_i(RV_OPC_OP_IMM, 3, rd, rs1, imm); }
static inline uint32_t rv_enc_xori(unsigned rd, unsigned rs1, int64_t imm) { return rv_enc_i(RV_OPC_OP_IMM, 4, rd, rs1, imm); }
static inline uint32_t rv_enc_ori(unsigned rd, unsigned rs1, int64_t imm) { return rv_enc_i(RV_OPC_OP_IMM, 6, rd, rs1, imm); }
static inline uint32_t rv_enc_andi(unsigned rd, unsigned rs1, int64_t imm) { return rv_enc_i(RV_OPC_OP_IMM, 7, rd, rs1, imm); }

/* RV64 shifts by immediate: funct6 in inst[31:26], 6-bit shamt in inst[25:20]. */
static inline uint32_t rv_enc_shift64(unsigned f3, unsigned f6, unsigned rd, unsigned rs1, unsigned shamt) {
    rv_enc_check(rd < 32 && rs1 < 32 && shamt < 64);
    return ((uint32_t)f6 << 26) | (shamt << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | RV_OPC_OP_IMM;
}
static inline uint32_t rv_enc_slli(unsigned rd, unsigned rs1, unsigned sh) { return rv_enc_shift64(1, 0x00, rd, rs1, sh); }
static inline uint32_t rv_enc_srli(unsigned rd, unsigned rs1, unsigned sh) { return rv_enc_shift64(5, 0x00, rd, rs1, sh); }
static inline uint32_t rv_enc_srai(unsigned rd, unsigned rs1, unsigned sh) { return rv_enc_shift64(5, 0x10, rd, rs1, sh); }

static inline uint32_t rv_enc_add(unsigned rd, unsigned rs1, unsigned rs2) { return rv_enc_r(RV_OPC_OP, 0, 0x00, rd, rs1, rs2); }
static inline uint32_t rv_enc_sub(unsigned rd, unsigned rs1, unsigned rs2) { return rv_enc_r(RV_OPC_OP, 0, 0x20, rd, rs1, rs2); }
static inline uint32_t rv_enc_sll(unsigned rd, unsigned rs1, unsigned rs2) { return rv_enc_r(RV_OPC_OP, 1, 0x00, rd, rs1, rs2); }
static inline uint32_t rv_enc_slt(unsigned rd, unsigned rs1, unsigned rs2) { return rv_enc_r(RV_OPC_OP, 2, 0x00, rd, rs1, rs2); }
static inline uint32_t rv_enc_sltu(unsigned rd, unsigned rs1, unsigned rs2) { return rv_enc_r(RV_OPC_OP, 3, 0x00, rd, rs1, rs2); }
static inline uint32_t rv_enc_xor(unsigned rd, unsigned rs1, unsigned rs2) { return rv_enc_r(RV_OPC_OP, 4, 0x00, rd, rs1, rs2); }
static inline uint32_t rv_enc_srl(unsigned rd, unsigned rs1, unsigned rs2) { return rv_enc_r(RV_OPC_OP, 5, 0x00, rd, rs1, rs2); }
static inline uint32_t rv_enc_sra(unsigned rd, unsigned rs1, unsigned rs2) { return rv_enc_r(RV_OPC_OP, 5, 0x20, rd, rs1, rs2); }
static inline uint32_t rv_enc_or(unsigned rd, unsigned rs1, unsigned rs2) { return rv_enc_r(RV_OPC_OP, 6, 0x00, rd, rs1, rs2); }
static inline uint32_t rv_enc_and(unsigned rd, unsigned rs1, unsigned rs2) { return rv_enc_r(RV_OPC_OP, 7, 0x00, rd, rs1, rs2); }

static inline uint32_t rv_enc_addiw(unsigned rd, unsigned rs1, int64_t imm) { return rv_enc_i(RV_OPC_OP_IMM_32, 0, rd, rs1, imm); }
/* 32-bit shifts by immediate: 5-bit shamt; inst[25] must be 0 (set it only to build reserved
 * encodings, through rv_enc_r). */
static inline uint32_t rv_enc_shift32(unsigned f3, unsigned f7, unsigned rd, unsigned rs1, unsigned shamt) {
    rv_enc_check(shamt < 32);
    return rv_enc_r(RV_OPC_OP_IMM_32, f3, f7, rd, rs1, shamt);
}
static inline uint32_t rv_enc_slliw(unsigned rd, unsigned rs1, unsigned sh) { return rv_enc_shift32(1, 0x00, rd, rs1, sh); }
static inline uint32_t rv_enc_srliw(unsigned rd, unsigned rs1, unsigned sh) { return rv_enc_shift32(5, 0x00, rd, rs1, sh); }
static inline uint32_t rv_enc_sraiw(unsigned rd, unsigned rs1, unsigned sh) { return rv_enc_shift32(5, 0x20, rd, rs1, sh); }

static inline uint32_t rv_enc_addw(unsigned rd, unsigned rs1, unsigned rs2) { return rv_enc_r(RV_OPC_OP_32, 0, 0x00, rd, rs1, rs2); }
static inline uint32_t rv_enc_subw(unsigned rd, unsigned rs1, unsigned rs2) { return rv_enc_r(RV_OPC_OP_32, 0, 0x20, rd, rs1, rs2); }
static inline uint32_t rv_enc_sllw(unsigned rd, unsigned rs1, unsigned rs2) { return rv_enc_r(RV_OPC_OP_32, 1, 0x00, rd, rs1, rs2); }
static inline uint32_t rv_enc_srlw(unsigned rd, unsigned rs1, unsigned rs2) { return rv_enc_r(RV_OPC_OP_32, 5, 0x00, rd, rs1, rs2); }
static inline uint32_t rv_enc_sraw(unsigned rd, unsigned rs1, unsigned rs2) { return rv_enc_r(RV_OPC_OP_32, 5, 0x20, rd, rs1, rs2); }

/* FENCE: fm=0, pred/succ are 4-bit IORW masks. FENCE.I is funct3 1 of MISC-MEM (Zifencei). */
#define RV_FENCE_I 8u
#define RV_FENCE_O 4u
#define RV_FENCE_R 2u
#define RV_FENCE_W 1u
static inline uint32_t rv_enc_fence(unsigned pred, unsigned succ) {
    rv_enc_check(pred < 16 && succ < 16);
    return (pred << 24) | (succ << 20) | RV_OPC_MISC_MEM;
}
static inline uint32_t rv_enc_fence_i(void) { return (1u << 12) | RV_OPC_MISC_MEM; }

static inline uint32_t rv_enc_ecall(void) { return 0x00000073u; }
static inline uint32_t rv_enc_ebreak(void) { return 0x00100073u; }

/* ---- M ---- (funct7 = 1 on OP / OP-32) */
static inline uint32_t rv_enc_mul(unsigned rd, unsigned rs1, unsigned rs2) { return rv_enc_r(RV_OPC_OP, 0, 1, rd, rs1, rs2); }
static inline uint32_t rv_enc_mulh(unsigned rd, unsigned rs1, unsigned rs2) { return rv_enc_r(RV_OPC_OP, 1, 1, rd, rs1, rs2); }
static inline uint32_t rv_enc_mulhsu(unsigned rd, unsigned rs1, unsigned rs2) { return rv_enc_r(RV_OPC_OP, 2, 1, rd, rs1, rs2); }
static inline uint32_t rv_enc_mulhu(unsigned rd, unsigned rs1, unsigned rs2) { return rv_enc_r(RV_OPC_OP, 3, 1, rd, rs1, rs2); }
static inline uint32_t rv_enc_div(unsigned rd, unsigned rs1, unsigned rs2) { return rv_enc_r(RV_OPC_OP, 4, 1, rd, rs1, rs2); }
static inline uint32_t rv_enc_divu(unsigned rd, unsigned rs1, unsigned rs2) { return rv_enc_r(RV_OPC_OP, 5, 1, rd, rs1, rs2); }
static inline uint32_t rv_enc_rem(unsigned rd, unsigned rs1, unsigned rs2) { return rv_enc_r(RV_OPC_OP, 6, 1, rd, rs1, rs2); }
static inline uint32_t rv_enc_remu(unsigned rd, unsigned rs1, unsigned rs2) { return rv_enc_r(RV_OPC_OP, 7, 1, rd, rs1, rs2); }
static inline uint32_t rv_enc_mulw(unsigned rd, unsigned rs1, unsigned rs2) { return rv_enc_r(RV_OPC_OP_32, 0, 1, rd, rs1, rs2); }
static inline uint32_t rv_enc_divw(unsigned rd, unsigned rs1, unsigned rs2) { return rv_enc_r(RV_OPC_OP_32, 4, 1, rd, rs1, rs2); }
static inline uint32_t rv_enc_divuw(unsigned rd, unsigned rs1, unsigned rs2) { return rv_enc_r(RV_OPC_OP_32, 5, 1, rd, rs1, rs2); }
static inline uint32_t rv_enc_remw(unsigned rd, unsigned rs1, unsigned rs2) { return rv_enc_r(RV_OPC_OP_32, 6, 1, rd, rs1, rs2); }
static inline uint32_t rv_enc_remuw(unsigned rd, unsigned rs1, unsigned rs2) { return rv_enc_r(RV_OPC_OP_32, 7, 1, rd, rs1, rs2); }

/* ---- A ----
 * funct5 in inst[31:27], aq in inst[26], rl in inst[25]; funct3 2 = .W, 3 = .D.
 * Assembly order "amoadd.w rd, rs2, (rs1)". */
enum {
    RV_AMO_ADD = 0x00, RV_AMO_SWAP = 0x01, RV_AMO_LR = 0x02, RV_AMO_SC = 0x03,
    RV_AMO_XOR = 0x04, RV_AMO_OR = 0x08, RV_AMO_AND = 0x0c, RV_AMO_MIN = 0x10,
    RV_AMO_MAX = 0x14, RV_AMO_MINU = 0x18, RV_AMO_MAXU = 0x1c,
};
static inline uint32_t rv_enc_amo(unsigned f5, int is_d, unsigned rd, unsigned rs1, unsigned rs2,
                                  int aq, int rl) {
    rv_enc_check(f5 < 32);
    unsigned f7 = (f5 << 2) | ((aq ? 1u : 0u) << 1) | (rl ? 1u : 0u);
    return rv_enc_r(RV_OPC_AMO, is_d ? 3 : 2, f7, rd, rs1, rs2);
}
static inline uint32_t rv_enc_lr_w(unsigned rd, unsigned rs1, int aq, int rl) { return rv_enc_amo(RV_AMO_LR, 0, rd, rs1, 0, aq, rl); }
static inline uint32_t rv_enc_lr_d(unsigned rd, unsigned rs1, int aq, int rl) { return rv_enc_amo(RV_AMO_LR, 1, rd, rs1, 0, aq, rl); }
static inline uint32_t rv_enc_sc_w(unsigned rd, unsigned rs2, unsigned rs1, int aq, int rl) { return rv_enc_amo(RV_AMO_SC, 0, rd, rs1, rs2, aq, rl); }
static inline uint32_t rv_enc_sc_d(unsigned rd, unsigned rs2, unsigned rs1, int aq, int rl) { return rv_enc_amo(RV_AMO_SC, 1, rd, rs1, rs2, aq, rl); }

/* ---- Zicsr ---- csr in inst[31:20]; rs1 field holds a 5-bit uimm for the *I forms. */
static inline uint32_t rv_enc_csr(unsigned f3, unsigned rd, unsigned csr, unsigned rs1_or_uimm) {
    rv_enc_check(rd < 32 && csr < 4096 && rs1_or_uimm < 32);
    return (csr << 20) | (rs1_or_uimm << 15) | (f3 << 12) | (rd << 7) | RV_OPC_SYSTEM;
}
static inline uint32_t rv_enc_csrrw(unsigned rd, unsigned csr, unsigned rs1) { return rv_enc_csr(1, rd, csr, rs1); }
static inline uint32_t rv_enc_csrrs(unsigned rd, unsigned csr, unsigned rs1) { return rv_enc_csr(2, rd, csr, rs1); }
static inline uint32_t rv_enc_csrrc(unsigned rd, unsigned csr, unsigned rs1) { return rv_enc_csr(3, rd, csr, rs1); }
static inline uint32_t rv_enc_csrrwi(unsigned rd, unsigned csr, unsigned uimm) { return rv_enc_csr(5, rd, csr, uimm); }
static inline uint32_t rv_enc_csrrsi(unsigned rd, unsigned csr, unsigned uimm) { return rv_enc_csr(6, rd, csr, uimm); }
static inline uint32_t rv_enc_csrrci(unsigned rd, unsigned csr, unsigned uimm) { return rv_enc_csr(7, rd, csr, uimm); }

#define RV_CSR_MVENDORID 0xF11u
#define RV_CSR_MARCHID 0xF12u
#define RV_CSR_MIMPID 0xF13u
#define RV_CSR_MHARTID 0xF14u

/* ---- A few F/D encodings, only to check they are refused ---- */
static inline uint32_t rv_enc_fld(unsigned frd, unsigned rs1, int64_t imm) { return rv_enc_i(RV_OPC_LOAD_FP, 3, frd, rs1, imm); }
static inline uint32_t rv_enc_fsd(unsigned frs2, unsigned rs1, int64_t imm) { return rv_enc_s(RV_OPC_STORE_FP, 3, rs1, frs2, imm); }
static inline uint32_t rv_enc_flw(unsigned frd, unsigned rs1, int64_t imm) { return rv_enc_i(RV_OPC_LOAD_FP, 2, frd, rs1, imm); }
/* fadd.d frd, frs1, frs2 with dynamic rounding (rm = 7). */
static inline uint32_t rv_enc_fadd_d(unsigned frd, unsigned frs1, unsigned frs2) { return rv_enc_r(RV_OPC_OP_FP, 7, 0x01, frd, frs1, frs2); }

/* ================= C (compressed, RV64C) =================
 * Quadrant in inst[1:0]; funct3 in inst[15:13]. */

static inline unsigned rv_enc_creg(unsigned r) {
    rv_enc_check(r >= 8 && r <= 15);
    return r - 8;
}
static inline uint16_t rv_enc_c(unsigned f3, uint32_t mid, unsigned quadrant) {
    return (uint16_t)((f3 << 13) | mid | quadrant);
}
static inline uint32_t rv_enc_bit(uint64_t v, unsigned from, unsigned to) { return (uint32_t)((v >> from) & 1u) << to; }

/* --- Quadrant 0 --- */
/* C.ADDI4SPN rd', nzuimm: addi rd', x2, nzuimm; nzuimm[5:4|9:6|2|3] in inst[12:5]. */
static inline uint16_t rv_enc_c_addi4spn(unsigned rd, unsigned nzuimm) {
    rv_enc_check(nzuimm % 4 == 0 && nzuimm < 1024);
    uint32_t m = rv_enc_bit(nzuimm, 5, 12) | rv_enc_bit(nzuimm, 4, 11) | (((nzuimm >> 6) & 0xf) << 7) |
                 rv_enc_bit(nzuimm, 2, 6) | rv_enc_bit(nzuimm, 3, 5) | (rv_enc_creg(rd) << 2);
    return rv_enc_c(0, m, 0);
}
/* C.LW/C.SW: uimm[5:3] in inst[12:10], uimm[2] in inst[6], uimm[6] in inst[5]. */
static inline uint32_t rv_enc_c_mem_w(unsigned uimm) {
    rv_enc_check(uimm % 4 == 0 && uimm < 128);
    return (((uimm >> 3) & 7) << 10) | rv_enc_bit(uimm, 2, 6) | rv_enc_bit(uimm, 6, 5);
}
/* C.LD/C.SD (and C.FLD/C.FSD): uimm[5:3] in inst[12:10], uimm[7:6] in inst[6:5]. */
static inline uint32_t rv_enc_c_mem_d(unsigned uimm) {
    rv_enc_check(uimm % 8 == 0 && uimm < 256);
    return (((uimm >> 3) & 7) << 10) | (((uimm >> 6) & 3) << 5);
}
static inline uint16_t rv_enc_c_lw(unsigned rd, unsigned rs1, unsigned uimm) {
    return rv_enc_c(2, rv_enc_c_mem_w(uimm) | (rv_enc_creg(rs1) << 7) | (rv_enc_creg(rd) << 2), 0);
}
static inline uint16_t rv_enc_c_ld(unsigned rd, unsigned rs1, unsigned uimm) {
    return rv_enc_c(3, rv_enc_c_mem_d(uimm) | (rv_enc_creg(rs1) << 7) | (rv_enc_creg(rd) << 2), 0);
}
static inline uint16_t rv_enc_c_sw(unsigned rs2, unsigned rs1, unsigned uimm) {
    return rv_enc_c(6, rv_enc_c_mem_w(uimm) | (rv_enc_creg(rs1) << 7) | (rv_enc_creg(rs2) << 2), 0);
}
static inline uint16_t rv_enc_c_sd(unsigned rs2, unsigned rs1, unsigned uimm) {
    return rv_enc_c(7, rv_enc_c_mem_d(uimm) | (rv_enc_creg(rs1) << 7) | (rv_enc_creg(rs2) << 2), 0);
}
static inline uint16_t rv_enc_c_fld(unsigned frd, unsigned rs1, unsigned uimm) {
    return rv_enc_c(1, rv_enc_c_mem_d(uimm) | (rv_enc_creg(rs1) << 7) | (rv_enc_creg(frd) << 2), 0);
}
static inline uint16_t rv_enc_c_fsd(unsigned frs2, unsigned rs1, unsigned uimm) {
    return rv_enc_c(5, rv_enc_c_mem_d(uimm) | (rv_enc_creg(rs1) << 7) | (rv_enc_creg(frs2) << 2), 0);
}

/* --- Quadrant 1 --- */
/* CI format with a 6-bit signed immediate: imm[5] in inst[12], imm[4:0] in inst[6:2]. */
static inline uint32_t rv_enc_c_imm6(int64_t imm) {
    rv_enc_check(rv_enc_fits_signed(imm, 6));
    uint32_t u = (uint32_t)imm;
    return rv_enc_bit(u, 5, 12) | ((u & 0x1f) << 2);
}
static inline uint16_t rv_enc_c_nop(void) { return rv_enc_c(0, 0, 1); }
static inline uint16_t rv_enc_c_addi(unsigned rd, int64_t imm) {
    rv_enc_check(rd < 32);
    return rv_enc_c(0, rv_enc_c_imm6(imm) | (rd << 7), 1);
}
static inline uint16_t rv_enc_c_addiw(unsigned rd, int64_t imm) {
    rv_enc_check(rd < 32);
    return rv_enc_c(1, rv_enc_c_imm6(imm) | (rd << 7), 1);
}
static inline uint16_t rv_enc_c_li(unsigned rd, int64_t imm) {
    rv_enc_check(rd < 32);
    return rv_enc_c(2, rv_enc_c_imm6(imm) | (rd << 7), 1);
}
/* C.ADDI16SP: addi x2, x2, nzimm; nzimm[9] in inst[12], nzimm[4|6|8:7|5] in inst[6:2]. */
static inline uint16_t rv_enc_c_addi16sp(int64_t nzimm) {
    rv_enc_check(nzimm % 16 == 0 && rv_enc_fits_signed(nzimm, 10));
    uint32_t u = (uint32_t)nzimm;
    uint32_t m = rv_enc_bit(u, 9, 12) | (2u << 7) | rv_enc_bit(u, 4, 6) | rv_enc_bit(u, 6, 5) |
                 rv_enc_bit(u, 8, 4) | rv_enc_bit(u, 7, 3) | rv_enc_bit(u, 5, 2);
    return rv_enc_c(3, m, 1);
}
/* C.LUI rd, imm6: lui rd, sext(imm6); the register gets sext(imm6) << 12 (imm6 in -32..31).
 * In the field layout nzimm[17] is inst[12] and nzimm[16:12] is inst[6:2]. */
static inline uint16_t rv_enc_c_lui(unsigned rd, int64_t imm6) {
    rv_enc_check(rd < 32);
    return rv_enc_c(3, rv_enc_c_imm6(imm6) | (rd << 7), 1);
}
/* CB-format ALU ops on rd' (funct2 in inst[11:10]); shamt[5] in inst[12], shamt[4:0] in inst[6:2]. */
static inline uint16_t rv_enc_c_srli(unsigned rd, unsigned shamt) {
    rv_enc_check(shamt < 64);
    return rv_enc_c(4, rv_enc_bit(shamt, 5, 12) | (0u << 10) | (rv_enc_creg(rd) << 7) | ((shamt & 0x1f) << 2), 1);
}
static inline uint16_t rv_enc_c_srai(unsigned rd, unsigned shamt) {
    rv_enc_check(shamt < 64);
    return rv_enc_c(4, rv_enc_bit(shamt, 5, 12) | (1u << 10) | (rv_enc_creg(rd) << 7) | ((shamt & 0x1f) << 2), 1);
}
static inline uint16_t rv_enc_c_andi(unsigned rd, int64_t imm) {
    return rv_enc_c(4, rv_enc_c_imm6(imm) | (2u << 10) | (rv_enc_creg(rd) << 7), 1);
}
/* CA format: inst[12] (0: 64-bit op, 1: W op), inst[11:10] = 11, funct2 in inst[6:5]. */
static inline uint16_t rv_enc_c_ca(unsigned bit12, unsigned f2, unsigned rd, unsigned rs2) {
    return rv_enc_c(4, (bit12 << 12) | (3u << 10) | (rv_enc_creg(rd) << 7) | (f2 << 5) | (rv_enc_creg(rs2) << 2), 1);
}
static inline uint16_t rv_enc_c_sub(unsigned rd, unsigned rs2) { return rv_enc_c_ca(0, 0, rd, rs2); }
static inline uint16_t rv_enc_c_xor(unsigned rd, unsigned rs2) { return rv_enc_c_ca(0, 1, rd, rs2); }
static inline uint16_t rv_enc_c_or(unsigned rd, unsigned rs2) { return rv_enc_c_ca(0, 2, rd, rs2); }
static inline uint16_t rv_enc_c_and(unsigned rd, unsigned rs2) { return rv_enc_c_ca(0, 3, rd, rs2); }
static inline uint16_t rv_enc_c_subw(unsigned rd, unsigned rs2) { return rv_enc_c_ca(1, 0, rd, rs2); }
static inline uint16_t rv_enc_c_addw(unsigned rd, unsigned rs2) { return rv_enc_c_ca(1, 1, rd, rs2); }
/* C.J: jal x0, off; off[11|4|9:8|10|6|7|3:1|5] in inst[12:2]; +-2 KiB. */
static inline uint16_t rv_enc_c_j(int64_t off) {
    rv_enc_check((off & 1) == 0 && rv_enc_fits_signed(off, 12));
    uint32_t u = (uint32_t)off;
    uint32_t m = rv_enc_bit(u, 11, 12) | rv_enc_bit(u, 4, 11) | rv_enc_bit(u, 9, 10) | rv_enc_bit(u, 8, 9) |
                 rv_enc_bit(u, 10, 8) | rv_enc_bit(u, 6, 7) | rv_enc_bit(u, 7, 6) | (((u >> 1) & 7) << 3) |
                 rv_enc_bit(u, 5, 2);
    return rv_enc_c(5, m, 1);
}
/* C.BEQZ/C.BNEZ: off[8|4:3] in inst[12:10], off[7:6|2:1|5] in inst[6:2]; +-256 bytes. */
static inline uint16_t rv_enc_c_bz(unsigned f3, unsigned rs1, int64_t off) {
    rv_enc_check((off & 1) == 0 && rv_enc_fits_signed(off, 9));
    uint32_t u = (uint32_t)off;
    uint32_t m = rv_enc_bit(u, 8, 12) | (((u >> 3) & 3) << 10) | (rv_enc_creg(rs1) << 7) |
                 (((u >> 6) & 3) << 5) | (((u >> 1) & 3) << 3) | rv_enc_bit(u, 5, 2);
    return rv_enc_c(f3, m, 1);
}
static inline uint16_t rv_enc_c_beqz(unsigned rs1, int64_t off) { return rv_enc_c_bz(6, rs1, off); }
static inline uint16_t rv_enc_c_bnez(unsigned rs1, int64_t off) { return rv_enc_c_bz(7, rs1, off); }

/* --- Quadrant 2 --- */
static inline uint16_t rv_enc_c_slli(unsigned rd, unsigned shamt) {
    rv_enc_check(rd < 32 && shamt < 64);
    return rv_enc_c(0, rv_enc_bit(shamt, 5, 12) | (rd << 7) | ((shamt & 0x1f) << 2), 2);
}
/* C.LWSP: uimm[5] in inst[12], uimm[4:2|7:6] in inst[6:2]. */
static inline uint16_t rv_enc_c_lwsp(unsigned rd, unsigned uimm) {
    rv_enc_check(rd < 32 && uimm % 4 == 0 && uimm < 256);
    return rv_enc_c(2, rv_enc_bit(uimm, 5, 12) | (rd << 7) | (((uimm >> 2) & 7) << 4) | (((uimm >> 6) & 3) << 2), 2);
}
/* C.LDSP (and C.FLDSP): uimm[5] in inst[12], uimm[4:3|8:6] in inst[6:2]. */
static inline uint32_t rv_enc_c_ldsp_imm(unsigned uimm) {
    rv_enc_check(uimm % 8 == 0 && uimm < 512);
    return rv_enc_bit(uimm, 5, 12) | (((uimm >> 3) & 3) << 5) | (((uimm >> 6) & 7) << 2);
}
static inline uint16_t rv_enc_c_ldsp(unsigned rd, unsigned uimm) {
    rv_enc_check(rd < 32);
    return rv_enc_c(3, rv_enc_c_ldsp_imm(uimm) | (rd << 7), 2);
}
static inline uint16_t rv_enc_c_fldsp(unsigned frd, unsigned uimm) {
    rv_enc_check(frd < 32);
    return rv_enc_c(1, rv_enc_c_ldsp_imm(uimm) | (frd << 7), 2);
}
/* CR format: inst[12] selects JR/MV (0) or EBREAK/JALR/ADD (1). */
static inline uint16_t rv_enc_c_cr(unsigned bit12, unsigned rd_rs1, unsigned rs2) {
    rv_enc_check(rd_rs1 < 32 && rs2 < 32);
    return rv_enc_c(4, (bit12 << 12) | (rd_rs1 << 7) | (rs2 << 2), 2);
}
static inline uint16_t rv_enc_c_jr(unsigned rs1) { return rv_enc_c_cr(0, rs1, 0); }
static inline uint16_t rv_enc_c_mv(unsigned rd, unsigned rs2) { return rv_enc_c_cr(0, rd, rs2); }
static inline uint16_t rv_enc_c_ebreak(void) { return rv_enc_c_cr(1, 0, 0); }
static inline uint16_t rv_enc_c_jalr(unsigned rs1) { return rv_enc_c_cr(1, rs1, 0); }
static inline uint16_t rv_enc_c_add(unsigned rd, unsigned rs2) { return rv_enc_c_cr(1, rd, rs2); }
/* C.SWSP: uimm[5:2|7:6] in inst[12:7]; C.SDSP (and C.FSDSP): uimm[5:3|8:6] in inst[12:7]. */
static inline uint16_t rv_enc_c_swsp(unsigned rs2, unsigned uimm) {
    rv_enc_check(rs2 < 32 && uimm % 4 == 0 && uimm < 256);
    return rv_enc_c(6, (((uimm >> 2) & 0xf) << 9) | (((uimm >> 6) & 3) << 7) | (rs2 << 2), 2);
}
static inline uint32_t rv_enc_c_sdsp_imm(unsigned uimm) {
    rv_enc_check(uimm % 8 == 0 && uimm < 512);
    return (((uimm >> 3) & 7) << 10) | (((uimm >> 6) & 7) << 7);
}
static inline uint16_t rv_enc_c_sdsp(unsigned rs2, unsigned uimm) {
    rv_enc_check(rs2 < 32);
    return rv_enc_c(7, rv_enc_c_sdsp_imm(uimm) | (rs2 << 2), 2);
}
static inline uint16_t rv_enc_c_fsdsp(unsigned frs2, unsigned uimm) {
    rv_enc_check(frs2 < 32);
    return rv_enc_c(5, rv_enc_c_sdsp_imm(uimm) | (frs2 << 2), 2);
}

#endif
