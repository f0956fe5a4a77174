/*
 * zkvm_ops.h: the operation bus of the zkVM, the contract between the main (CPU) AIR, which
 * sends operations, and the provider AIRs (binary, arithmetic), which receive and prove them.
 * docs/PROOFS.md ("The operation bus") is the prose; this header and zkvm_op_eval are the
 * normative definition: a provider AIR must accept exactly the tuples zkvm_op_eval accepts.
 *
 * The tuple (bus ZKVM_BUS_OP, 7 base-field elements):
 *
 *     (opc, x_lo, x_hi, y_lo, y_hi, c_lo, c_hi)
 *
 *   x, y, c are 64-bit values split into 32-bit limbs (value = lo + 2^32 hi). opc is
 *   op + ZKVM_OPC_OFF_MUL * off, where op is a zkvm_op below and off (0..7) the byte offset of a
 *   memory access inside its aligned 8-byte word (0 for every operation that is not a
 *   load/store extraction or insertion). The main AIR sends a tuple with multiplicity 1 for
 *   every row that uses an operation; the providers receive it.
 *
 * What a provider must prove, for every tuple it receives with nonzero multiplicity:
 *   - c_lo, c_hi are in [0, 2^32) and c = zkvm_op_eval(opc, x, y) (valid tuples only: opc not
 *     listed, or an offset a memory operation does not allow, must find no receiver);
 *   - for the loads (LB..LWA): x_lo, x_hi are integers in [0, 2^32) (it range-checks them; a
 *     load's x is a memory word, and input-region words are unconstrained).
 * A provider may assume every other x limb and every y limb is an integer in [0, 2^32): the
 * main AIR sends only such values (docs/PROOFS.md, "Why it is sound", item 4: by induction,
 * since every value written to a register or to RAM is one of them or a range-checked c). The
 * add, eq, shiftw and shift64 AIRs rely on this; the binary, shift and arith AIRs range-check x and y anyway.
 *
 * Semantics follow the RISC-V unprivileged spec (RV64IMA) exactly, including division by zero
 * (quotient all ones, remainder = dividend) and signed overflow (MIN / -1 = MIN, remainder 0).
 */
#ifndef ZISK_ZKVM_OPS_H
#define ZISK_ZKVM_OPS_H

#include <stdint.h>

/* X-macro: name, value. Values are part of the proof format (docs/PROOFS.md): never reuse. */
#define ZKVM_OPS(X)                                                                          \
    /* 64-bit ALU (shift amounts: y & 63) */                                                 \
    X(ADD, 1) X(SUB, 2) X(SLL, 3) X(SLT, 4) X(SLTU, 5) X(XOR, 6) X(SRL, 7) X(SRA, 8)         \
    X(OR, 9) X(AND, 10)                                                                      \
    /* RV64 W forms: 32-bit operation, result sign-extended (shift amounts: y & 31) */       \
    X(ADDW, 11) X(SUBW, 12) X(SLLW, 13) X(SRLW, 14) X(SRAW, 15)                              \
    /* M extension */                                                                        \
    X(MUL, 16) X(MULH, 17) X(MULHSU, 18) X(MULHU, 19) X(DIV, 20) X(DIVU, 21) X(REM, 22)      \
    X(REMU, 23) X(MULW, 24) X(DIVW, 25) X(DIVUW, 26) X(REMW, 27) X(REMUW, 28)                \
    /* comparisons for branches: c = 1 if the relation holds, else 0 */                      \
    X(EQ, 29) X(NE, 30) X(GE, 31) X(GEU, 32)                                                 \
    /* AMO min/max: 64-bit, and the .W forms on the low 32 bits (result sign-extended) */    \
    X(MIN, 33) X(MAX, 34) X(MINU, 35) X(MAXU, 36)                                            \
    X(MINW, 37) X(MAXW, 38) X(MINUW, 39) X(MAXUW, 40)                                        \
    /* JALR target: c = (x + y) & ~1 */                                                      \
    X(JALR, 41)                                                                              \
    /* Loads: x = the aligned 8-byte word, off = byte offset; c = the bytes [off, off+w)     \
     * sign- (LB/LH/LW) or zero-extended (LBU/LHU/LWU). Valid only when off + w <= 8 (LD:    \
     * off = 0). LWA is LW restricted to off in {0, 4} (atomics are naturally aligned). y is  \
     * ignored and must be 0. */                                                             \
    X(LB, 42) X(LH, 43) X(LW, 44) X(LD, 45) X(LBU, 46) X(LHU, 47) X(LWU, 48) X(LWA, 49)      \
    /* Sub-word stores: x = the aligned word before, y = the register value (only y_lo is     \
     * used; y_hi must be < 2^32 like every limb), off = byte offset; c = x with bytes          \
     * [off, off+w) replaced by the low w bytes of y. Valid only when off + w <= 8. SWA is    \
     * SW restricted to off in {0, 4}. */                                                    \
    X(SB, 50) X(SH, 51) X(SW, 52) X(SWA, 53)

typedef enum zkvm_op {
    ZKVM_OP_NONE = 0,
#define ZKVM_OP_ENUM(name, value) ZKVM_OP_##name = value,
    ZKVM_OPS(ZKVM_OP_ENUM)
#undef ZKVM_OP_ENUM
    ZKVM_OP_COUNT = 54
} zkvm_op;

/* opc = op + ZKVM_OPC_OFF_MUL * off. */
#define ZKVM_OPC_OFF_MUL 64u
/* Every opc is below this. */
#define ZKVM_OPC_LIMIT (ZKVM_OP_COUNT + ZKVM_OPC_OFF_MUL * 7u)

static inline uint32_t zkvm_opc(zkvm_op op, unsigned off) { return (uint32_t)op + ZKVM_OPC_OFF_MUL * off; }
static inline zkvm_op zkvm_opc_op(uint32_t opc) { return (zkvm_op)(opc % ZKVM_OPC_OFF_MUL); }
static inline unsigned zkvm_opc_off(uint32_t opc) { return opc / ZKVM_OPC_OFF_MUL; }

/* One operation as the main AIR sent it: opc, the operands and the result (values as 64-bit
 * integers; the tuple's limbs are lo = v & 0xffffffff, hi = v >> 32). Trace builders of the
 * provider AIRs take arrays of these. */
typedef struct zkvm_op_record {
    uint32_t opc;
    uint64_t x, y, c;
} zkvm_op_record;

/* Lower-case name ("add", "lbu", ...); "?" for values that are not operations. */
const char *zkvm_op_name(unsigned op);

/* True for the load/store extraction and insertion ops (LB..SWA), the only ones whose opc may
 * carry a nonzero offset. */
int zkvm_op_is_mem(zkvm_op op);

/* Bytes a load/store extraction or insertion op covers (LB/LBU/SB 1, LH/LHU/SH 2, LW/LWU/LWA/
 * SW/SWA 4, LD 8), 0 for every other op. */
unsigned zkvm_op_mem_width(zkvm_op op);

/* The reference semantics: *c = the result of opc on x and y. Returns 1 when the tuple is
 * valid (a known op, an offset the op allows, y == 0 for loads), 0 otherwise (*c untouched).
 * Pure; the emulator's instruction semantics are tested against it. */
int zkvm_op_eval(uint32_t opc, uint64_t x, uint64_t y, uint64_t *c);

#endif
