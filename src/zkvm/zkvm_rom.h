/*
 * zkvm_rom.h: the program as the zkVM proves it: RISC-V instructions transpiled to micro-ops
 * (uops), and the program's initial memory. docs/PROOFS.md ("The program") is the prose.
 *
 * A uop is one row of the main AIR. Instruction at pc becomes uops at upc = 4*pc + k
 * (k = 0..7; pc is 2-aligned so 4*pc is a multiple of 8); upc 0 is the start uop, which jumps
 * to the entry. Each uop reads up to two registers (A from ra, B from rb or the immediate),
 * may read and/or write one aligned 8-byte memory word at A + imm, may send one operation on
 * the operation bus (zkvm_ops.h) on X (= A, or the memory word) and B, may write one register
 * (from C, the memory word, or B), and picks the next upc (static next, static target,
 * register A, or a branch on C). Registers are x0..x31 (indices 0..31 on the register bus,
 * zkvm_bus.h) and the internal registers below; they start at 0.
 *
 * Instructions that always fault in the emulator (illegal, F/D, ebreak, unknown CSRs, CSR
 * writes, jumps out of the code) get no uop, so no proof can execute them.
 */
#ifndef ZISK_ZKVM_ROM_H
#define ZISK_ZKVM_ROM_H

#include <stddef.h>
#include <stdint.h>

#include "base.h"
#include "vm.h"
#include "zkvm_ops.h"

/* Internal registers (register-bus indices, like x0..x31). */
enum { ZKVM_REG_T0 = 32, ZKVM_REG_T1 = 33, ZKVM_REG_RESV = 34, ZKVM_N_REGS = 35 };

/* Uop flags (bit positions): what the uop does, as the executor (zkvm_trace.c) runs it; the
 * AIRs see them through aflags and acode below. Every uop reads registers
 * ra into A and rb into B (ra or rb = 0, i.e. x0, when it needs no register there: 0), and
 * BIMM adds imm to B (the ROM never sets it with a nonzero rb, nor on MWB or HALT uops); a
 * register write always writes C (a uop that sets a register to B computes C = ADD(0, B)); an
 * unconditional static jump has next = its target. */
enum {
    ZKVM_F_BIMM = 0,  /* B = reg[rb] + imm (rb = 0: B = imm) */
    ZKVM_F_OP = 1,    /* send (op + 64*off, X, B, C) on the operation bus (else C = 0) */
    ZKVM_F_MR = 2,    /* read memory word M at address A + imm (else M = 0) */
    ZKVM_F_MW = 3,    /* write memory word at A + imm */
    ZKVM_F_WR = 4,    /* register rc = C */
    ZKVM_F_XM = 5,    /* X = M (else X = A) */
    ZKVM_F_MWB = 6,   /* the memory write value is B (full aligned word; else C); implies MW */
    ZKVM_F_BR = 7,    /* next = C ? target : next (C is 0 or 1) */
    ZKVM_F_JIND = 8,  /* next = 4 * A (A < 2^32) */
    ZKVM_F_HALT = 9,  /* exit: A must be 1 (a7 == 93 checked), B is the exit code */
    ZKVM_N_FLAGS = 10
};

/* The main AIR's view of a uop (computed by zkvm_rom_build into zkvm_uop.aflags / .acode): the
 * memory uops (MR or MW) are one flag, MEM, and go to the memop AIR with their kind in the code
 * (acode = op + ZKVM_MEMOP_KIND_MUL * kind); OP is set only on the other uops that send an
 * operation; BIMM is gone because the ROM keeps imm = 0 on every uop that has neither BIMM nor
 * MEM, so main's operand is B = VB + imm. Bit positions (the ROM tuple carries
 * sum aflag_i * 2^i): */
enum {
    ZKVM_AF_OP = 0,   /* send (op, A, B, C) on the operation bus (else C = 0 unless MEM) */
    ZKVM_AF_WR = 1,   /* register rc = C */
    ZKVM_AF_BR = 2,   /* next = C ? target : next */
    ZKVM_AF_JIND = 3, /* next = 4 * A */
    ZKVM_AF_HALT = 4, /* exit: A must be 1, VB is the exit code */
    ZKVM_AF_MEM = 5,  /* send (acode, A, imm, VB, C, step) on the memop bus */
    ZKVM_N_AIR_FLAGS = 6
};
/* Memory uop kinds (one-hot flags of the memop AIR): LOAD reads M and C = op(M, 0); RMW reads M,
 * C = op(M, VB) and writes C; STORE writes C = VB (a full aligned word, no operation). */
enum { ZKVM_MK_LOAD = 1, ZKVM_MK_RMW = 2, ZKVM_MK_STORE = 4 };
#define ZKVM_MEMOP_KIND_MUL 512u

/* Whether a uop with these flags writes register rc (with C). */
static inline int zkvm_uop_writes_reg(uint32_t flags) { return (flags >> ZKVM_F_WR) & 1u; }

/* A upc that is never in the ROM (taken branches out of the code go there and stop). */
#define ZKVM_UPC_NONE 3u

typedef struct zkvm_uop {
    uint64_t upc;
    uint8_t op; /* zkvm_op (ZKVM_OP_NONE without F_OP) */
    uint8_t ra, rb, rc;
    uint32_t flags;
    uint64_t imm;    /* 64-bit immediate */
    uint64_t next;   /* static next upc */
    uint64_t target; /* static jump/branch target upc (0 when unused) */
    uint32_t aflags; /* the main AIR's flags (ZKVM_AF_*) */
    uint32_t acode;  /* the main AIR's op column: op, or op + 512 kind for a memory uop */
} zkvm_uop;

/* One initial-memory word of the program (ROM words and nonzero RAM data words). */
typedef struct zkvm_init_word {
    uint64_t word;  /* word index: byte address / 8 */
    uint64_t value;
    int mandatory;  /* 1 for RAM data (must be written at t = 0), 0 for ROM (optional) */
} zkvm_init_word;

typedef struct zkvm_rom {
    uint64_t entry;
    size_t n_uops;
    zkvm_uop *uops;        /* sorted by upc; uops[0] is the start uop (upc 0) */
    uint64_t code_base, code_len;
    int32_t *index;        /* (upc - 4*code_base) -> uop index or -1, for upc in code */
    size_t n_init;
    zkvm_init_word *init;  /* sorted by word */
} zkvm_rom;

/* Transpiles program p. Allocates (free with zkvm_rom_free). Never fails on a valid program. */
zkvm_rom *zkvm_rom_build(const vm_program *p);
void zkvm_rom_free(zkvm_rom *r);
/* The uop at upc, or NULL. */
const zkvm_uop *zkvm_rom_find(const zkvm_rom *r, uint64_t upc);

#endif
