/*
 * zkvm_airs.h: the zkVM's own AIRs (docs/PROOFS.md describes each, its columns, constraints
 * and why together they are sound): main (one row per uop), memory (accesses sorted by
 * address and time), program (the ROM and the initial memory: its fixed root is the program's
 * verification key), boundary (the exit code and the 64 output words, as public values) and
 * refresh (every register re-accessed each 2^ZKVM_REFRESH_LOG steps, so that main's register
 * gap checks need one 16-bit lookup).
 * The providers of the operation bus live in binary/, shift/ and arith/; the range table in
 * zkvm_range.h.
 */
#ifndef ZISK_ZKVM_AIRS_H
#define ZISK_ZKVM_AIRS_H

#include "air.h"
#include "gl.h"

/* Guest memory words sit at addresses ZKVM_GUEST_BASE + byte_address / 8 on the memory bus;
 * registers at 0..ZKVM_N_REGS-1 (docs/PROOFS.md, "Address space"). */
#define ZKVM_GUEST_BASE (1ull << 29)
/* The guest regions on the memory bus (docs/PROOFS.md, "Address space"): first address of each,
 * and the scale of the memory AIR's second range lookup that bounds a row's offset in its
 * region (o1 * scale < 2^16: input 2^24 words, RAM 2^26 words). */
#define ZKVM_BASE_IN (ZKVM_GUEST_BASE + 0x40000000ull / 8)  /* VM_INPUT_ADDR */
#define ZKVM_BASE_ROM (ZKVM_GUEST_BASE + 0x80000000ull / 8) /* VM_ROM_ADDR */
#define ZKVM_BASE_RAM (ZKVM_GUEST_BASE + 0xa0000000ull / 8) /* VM_SYS_ADDR */
#define ZKVM_IN_O1_SCALE (1u << 8)
#define ZKVM_RAM_O1_SCALE (1u << 6)

/* ---- main ---- */
enum {
    ZKVM_MC_ACTIVE, ZKVM_MC_UPC, ZKVM_MC_STEP,
    ZKVM_MC_OP, ZKVM_MC_RA, ZKVM_MC_RB, ZKVM_MC_RC, ZKVM_MC_IMM_LO, ZKVM_MC_IMM_HI,
    ZKVM_MC_NEXT, ZKVM_MC_TARGET,
    ZKVM_MC_FLAG0, /* ZKVM_N_AIR_FLAGS (6) flag columns, zkvm_rom.h ZKVM_AF_* order */
    /* values (two 32-bit limbs each): A (register ra), VB (register rb; the operand
     * B = VB + imm is an expression, not a column), C; a register write writes C */
    ZKVM_MC_A_LO = ZKVM_MC_FLAG0 + 6, ZKVM_MC_A_HI, ZKVM_MC_VB_LO, ZKVM_MC_VB_HI,
    ZKVM_MC_C_LO, ZKVM_MC_C_HI,
    ZKVM_MC_NPC,
    /* register accesses (docs/PROOFS.md, "Registers"): for each slot (a: read RA at 4 step + 1,
     * b: read RB at 4 step + 2, c: write RC at 4 step + 3) the gap t - t_prev - 1 to the
     * register's previous access, below 2^16 thanks to the refreshes (t_prev is not a column:
     * the AIR uses t - 1 - gap), and the value the write slot overwrites */
    ZKVM_MC_GA, ZKVM_MC_GB, ZKVM_MC_GC,
    ZKVM_MC_PV_LO, ZKVM_MC_PV_HI,
    ZKVM_MC_COUNT
};
/* ---- memop: one row per memory uop (docs/PROOFS.md, "memop") ---- */
enum {
    ZKVM_OC_LOAD, ZKVM_OC_RMW, ZKVM_OC_STORE, /* one-hot kind (zkvm_rom.h ZKVM_MK_*) */
    ZKVM_OC_OP,                               /* the operation (0 for a store) */
    ZKVM_OC_A_LO, ZKVM_OC_A_HI, ZKVM_OC_IMM_LO, ZKVM_OC_IMM_HI, ZKVM_OC_VB_LO, ZKVM_OC_VB_HI,
    ZKVM_OC_C_LO, ZKVM_OC_C_HI, ZKVM_OC_STEP, /* as main sent them */
    ZKVM_OC_M_LO, ZKVM_OC_M_HI,               /* the word read (LOAD, RMW) */
    ZKVM_OC_MADDR, ZKVM_OC_O0, ZKVM_OC_O1, ZKVM_OC_O2, ZKVM_OC_K, /* A + imm = 8 maddr + off */
    ZKVM_OC_COUNT
};
/* Publics of main and memory segments: index, is_first, is_last, then the segment's links
 * (docs/PROOFS.md, "Segments"): its first and last row's state, which the verifier chains
 * (segment k's out must be segment k+1's in), and for main the halt (exit code and step; zero
 * in every segment but the last, the only one that may halt). */
enum { ZKVM_SEG_PUB_INDEX, ZKVM_SEG_PUB_IS_FIRST, ZKVM_SEG_PUB_IS_LAST, ZKVM_SEG_N_PUBLICS };
enum {
    ZKVM_MPUB_IN_UPC = ZKVM_SEG_N_PUBLICS, ZKVM_MPUB_IN_STEP, ZKVM_MPUB_OUT_UPC, ZKVM_MPUB_OUT_STEP,
    ZKVM_MPUB_EXIT_LO, ZKVM_MPUB_EXIT_HI, ZKVM_MPUB_HALT_STEP, ZKVM_MAIN_N_PUBLICS
};
enum {
    ZKVM_XPUB_IN = ZKVM_SEG_N_PUBLICS,   /* addr, t, v_lo, v_hi of the first row */
    ZKVM_XPUB_OUT = ZKVM_XPUB_IN + 4,    /* the same of the last row */
    ZKVM_MEM_N_PUBLICS = ZKVM_XPUB_OUT + 4
};

air *zkvm_main_air(void);
air *zkvm_memop_air(void);

/* ---- memory ---- */
enum {
    ZKVM_XC_ADDR, ZKVM_XC_T, ZKVM_XC_V_LO, ZKVM_XC_V_HI, ZKVM_XC_WR, ZKVM_XC_MULT, ZKVM_XC_SAME,
    ZKVM_XC_R_REG, ZKVM_XC_R_IN, ZKVM_XC_R_ROM, ZKVM_XC_R_RAM, ZKVM_XC_O0, ZKVM_XC_O1,
    ZKVM_XC_D0, ZKVM_XC_D1, ZKVM_XC_FR,
    ZKVM_XC_COUNT
};
air *zkvm_mem_air(void);

/* ---- program ---- */
enum { ZKVM_PF_IS_CODE, ZKVM_PF_IS_INIT, ZKVM_PF_MAND, ZKVM_PF_K0, ZKVM_PF_COUNT = ZKVM_PF_K0 + 10 };
air *zkvm_program_air(void);

/* ---- boundary ---- */
/* One row per register (ZKVM_N_REGS of the 2^ZKVM_BOUNDARY_LOG_N rows): the register file's
 * initial (all zero, at t = 0) and final state; row 0 also reads the output words. */
/* Publics: the exit code, the 64 output words and the halt step (the output words are read
 * just after it). */
enum { ZKVM_BPUB_EXIT_LO, ZKVM_BPUB_EXIT_HI, ZKVM_BPUB_OUT0, ZKVM_BPUB_S_END = ZKVM_BPUB_OUT0 + 64, ZKVM_BPUB_COUNT };
enum { ZKVM_BC_FT, ZKVM_BC_FV_LO, ZKVM_BC_FV_HI, ZKVM_BC_COUNT };
enum { ZKVM_BF_L_FIRST, ZKVM_BF_REG, ZKVM_BF_IS_REG, ZKVM_BF_COUNT };
#define ZKVM_BOUNDARY_LOG_N 6
air *zkvm_boundary_air(void);
/* Its fixed columns (ZKVM_BF_*), column-major, 2^ZKVM_BOUNDARY_LOG_N rows (allocated). */
gl_t *zkvm_boundary_fixed(void);

/* ---- register refresh ---- */
/* Every 2^ZKVM_REFRESH_LOG steps (at time 4 * step for step = j 2^ZKVM_REFRESH_LOG, j >= 1) each
 * register is accessed once more by a refresh row, so that the previous access of every main
 * register access is less than 2^16 time units back (one 16-bit gap limb per slot). Row
 * 35 (j - 1) + r of the refresh AIR is register r's refresh j: fixed columns reg (= row mod 35)
 * and T (= 4 j 2^ZKVM_REFRESH_LOG); stage 1: the multiplicity m (0 on unused rows), the value
 * and the gap to the register's previous access. One instance per job (none for runs shorter
 * than 2^ZKVM_REFRESH_LOG steps). */
#define ZKVM_REFRESH_LOG 14
enum { ZKVM_RC_M, ZKVM_RC_V_LO, ZKVM_RC_V_HI, ZKVM_RC_G, ZKVM_RC_COUNT };
enum { ZKVM_RF_REG, ZKVM_RF_T, ZKVM_RF_COUNT };
air *zkvm_refresh_air(void);
/* Its fixed columns (ZKVM_RF_*), column-major, 2^log_n rows (allocated). */
gl_t *zkvm_refresh_fixed(unsigned log_n);

#endif
