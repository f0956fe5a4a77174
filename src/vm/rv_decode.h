/*
 * rv_decode.h: RISC-V RV64IMAC (+Zicsr, Zifencei) instruction decoder.
 *
 * rv_decode() turns the instruction bits at a pc into an rv_insn. It never fails: bits that are
 * not a supported instruction decode to RV_OP_ILLEGAL, F/D instructions (including compressed
 * C.FLD/C.FSD/C.FLDSP/C.FSDSP) to RV_OP_UNSUPPORTED_FP. Compressed instructions decode to the
 * base instruction they expand to, with len == 2. Pure function, no allocation; fuzzed by
 * tests/fuzz/fuzz_decode.c.
 */
#ifndef ZISK_RV_DECODE_H
#define ZISK_RV_DECODE_H

#include <stddef.h>
#include <stdint.h>

/* X-macro: every operation the interpreter knows. */
#define RV_OPS(X)                                                                           \
    X(ILLEGAL) X(UNSUPPORTED_FP)                                                            \
    X(LUI) X(AUIPC) X(JAL) X(JALR)                                                          \
    X(BEQ) X(BNE) X(BLT) X(BGE) X(BLTU) X(BGEU)                                             \
    X(LB) X(LH) X(LW) X(LD) X(LBU) X(LHU) X(LWU)                                            \
    X(SB) X(SH) X(SW) X(SD)                                                                 \
    X(ADDI) X(SLTI) X(SLTIU) X(XORI) X(ORI) X(ANDI) X(SLLI) X(SRLI) X(SRAI)                 \
    X(ADD) X(SUB) X(SLL) X(SLT) X(SLTU) X(XOR) X(SRL) X(SRA) X(OR) X(AND)                   \
    X(ADDIW) X(SLLIW) X(SRLIW) X(SRAIW)                                                     \
    X(ADDW) X(SUBW) X(SLLW) X(SRLW) X(SRAW)                                                 \
    X(MUL) X(MULH) X(MULHSU) X(MULHU) X(DIV) X(DIVU) X(REM) X(REMU)                         \
    X(MULW) X(DIVW) X(DIVUW) X(REMW) X(REMUW)                                               \
    X(LR_W) X(SC_W) X(AMOSWAP_W) X(AMOADD_W) X(AMOXOR_W) X(AMOAND_W) X(AMOOR_W)             \
    X(AMOMIN_W) X(AMOMAX_W) X(AMOMINU_W) X(AMOMAXU_W)                                       \
    X(LR_D) X(SC_D) X(AMOSWAP_D) X(AMOADD_D) X(AMOXOR_D) X(AMOAND_D) X(AMOOR_D)             \
    X(AMOMIN_D) X(AMOMAX_D) X(AMOMINU_D) X(AMOMAXU_D)                                       \
    X(FENCE) X(ECALL) X(EBREAK)                                                             \
    X(CSRRW) X(CSRRS) X(CSRRC) X(CSRRWI) X(CSRRSI) X(CSRRCI)

typedef enum rv_op {
#define RV_OP_ENUM(name) RV_OP_##name,
    RV_OPS(RV_OP_ENUM)
#undef RV_OP_ENUM
    RV_OP_COUNT
} rv_op;

typedef struct rv_insn {
    uint16_t op;   /* rv_op */
    uint8_t rd;    /* 0..31 */
    uint8_t rs1;   /* 0..31; for CSRR*I the 5-bit immediate (uimm) */
    uint8_t rs2;   /* 0..31 */
    uint8_t len;   /* 2 (compressed) or 4 */
    uint16_t csr;  /* CSR number for CSR* ops */
    int64_t imm;   /* sign-extended immediate (branch/jump: byte offset from pc) */
    uint32_t raw;  /* the instruction bits (16 or 32) */
} rv_insn;

/* Decodes the instruction whose first (lowest-addressed) 16 bits are the low half of `bits`;
 * the high half is only looked at for 32-bit instructions. */
void rv_decode(uint32_t bits, rv_insn *out);

/* Lower-case mnemonic of an op, e.g. "addi", "amoswap.w"; "illegal" for unknown values. */
const char *rv_op_name(unsigned op);

/* Writes a one-line disassembly (e.g. "addi x10, x10, -1") into buf (always NUL-terminated
 * when n > 0). Returns the length it wanted to write, like snprintf. */
int rv_format(const rv_insn *insn, uint64_t pc, char *buf, size_t n);

#endif
