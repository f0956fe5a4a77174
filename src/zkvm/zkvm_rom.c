/* zkvm_rom.c: RISC-V -> uop transpiler and the program's initial memory (zkvm_rom.h). The
 * uop sequences per instruction are documented in docs/PROOFS.md ("Instructions as uops"). */
#include "zkvm_rom.h"

#include <stdlib.h>
#include <string.h>

#include "rv_decode.h"

/* Flags while transpiling: the uop flags (zkvm_rom.h; F(WC) is ZKVM_F_WR, rc = C) plus four
 * builder-only ones that lower() rewrites into them: RA and RB (A = ra, B = rb; without them
 * ra or rb becomes 0, x0, which reads 0), JMP (next = target) and WB (rc = B: becomes
 * C = ADD(A = 0, B)). */
enum {
    BF_RA = 1u << 24,
    BF_JMP = 1u << 25,
    BF_WB = 1u << 26,
    BF_RB = 1u << 27,
};
#define F(x) F_##x
enum {
    F_RB = BF_RB, F_BIMM = 1u << ZKVM_F_BIMM, F_OP = 1u << ZKVM_F_OP, F_MR = 1u << ZKVM_F_MR,
    F_MW = 1u << ZKVM_F_MW, F_WC = 1u << ZKVM_F_WR, F_XM = 1u << ZKVM_F_XM, F_MWB = 1u << ZKVM_F_MWB,
    F_BR = 1u << ZKVM_F_BR, F_JIND = 1u << ZKVM_F_JIND, F_HALT = 1u << ZKVM_F_HALT,
    F_RA = BF_RA, F_JMP = BF_JMP, F_WB = BF_WB,
};

typedef struct emitter {
    zkvm_uop *v;
    size_t n, cap;
    uint64_t pc, base_upc, end_upc; /* 4*pc, 4*(pc+len) */
    unsigned k;                     /* next uop index inside the instruction */
} emitter;

/* Appends uop k of the current instruction; its static next is the following uop (fixed up to
 * end_upc for the last one by the caller through `last`). */
static zkvm_uop *emit(emitter *e, unsigned flags, zkvm_op op, unsigned ra, unsigned rb, unsigned rc,
                      uint64_t imm) {
    ZISK_ASSERT(e->k < 8);
    if (e->n == e->cap) {
        e->cap = e->cap ? 2 * e->cap : 1024;
        e->v = zisk_xrealloc(e->v, e->cap * sizeof *e->v);
    }
    zkvm_uop *u = &e->v[e->n++];
    memset(u, 0, sizeof *u);
    u->upc = e->base_upc + e->k;
    u->op = (uint8_t)op;
    u->ra = (uint8_t)ra;
    u->rb = (uint8_t)rb;
    u->rc = (uint8_t)rc;
    u->flags = flags;
    u->imm = imm;
    e->k++;
    u->next = e->base_upc + e->k;
    return u;
}

/* Register write flags: writes to x0 are dropped (the uop still does everything else). */
static unsigned wr(unsigned flag, unsigned rd) { return rd == 0 ? 0 : flag; }

static zkvm_op alu_op(unsigned rvop) {
    switch (rvop) {
#define M(r, z) case RV_OP_##r: return ZKVM_OP_##z;
    M(ADD, ADD) M(SUB, SUB) M(SLL, SLL) M(SLT, SLT) M(SLTU, SLTU) M(XOR, XOR) M(SRL, SRL)
    M(SRA, SRA) M(OR, OR) M(AND, AND) M(ADDW, ADDW) M(SUBW, SUBW) M(SLLW, SLLW) M(SRLW, SRLW)
    M(SRAW, SRAW) M(MUL, MUL) M(MULH, MULH) M(MULHSU, MULHSU) M(MULHU, MULHU) M(DIV, DIV)
    M(DIVU, DIVU) M(REM, REM) M(REMU, REMU) M(MULW, MULW) M(DIVW, DIVW) M(DIVUW, DIVUW)
    M(REMW, REMW) M(REMUW, REMUW)
    M(ADDI, ADD) M(SLTI, SLT) M(SLTIU, SLTU) M(XORI, XOR) M(ORI, OR) M(ANDI, AND) M(SLLI, SLL)
    M(SRLI, SRL) M(SRAI, SRA) M(ADDIW, ADDW) M(SLLIW, SLLW) M(SRLIW, SRLW) M(SRAIW, SRAW)
    M(BEQ, EQ) M(BNE, NE) M(BLT, SLT) M(BGE, GE) M(BLTU, SLTU) M(BGEU, GEU)
    M(LB, LB) M(LH, LH) M(LW, LW) M(LD, LD) M(LBU, LBU) M(LHU, LHU) M(LWU, LWU)
    M(SB, SB) M(SH, SH) M(SW, SW)
#undef M
    default: return ZKVM_OP_NONE;
    }
}

/* The AMO's operation on (old, rs2); NONE for swap. W forms use the 32-bit variants where the
 * low 32 bits differ (min/max); add/xor/and/or agree on the low 32 bits. */
static zkvm_op amo_op(unsigned rvop, int *is_w) {
    *is_w = 1;
    switch (rvop) {
    case RV_OP_AMOSWAP_W: return ZKVM_OP_NONE;
    case RV_OP_AMOADD_W: return ZKVM_OP_ADD;
    case RV_OP_AMOXOR_W: return ZKVM_OP_XOR;
    case RV_OP_AMOAND_W: return ZKVM_OP_AND;
    case RV_OP_AMOOR_W: return ZKVM_OP_OR;
    case RV_OP_AMOMIN_W: return ZKVM_OP_MINW;
    case RV_OP_AMOMAX_W: return ZKVM_OP_MAXW;
    case RV_OP_AMOMINU_W: return ZKVM_OP_MINUW;
    case RV_OP_AMOMAXU_W: return ZKVM_OP_MAXUW;
    default: break;
    }
    *is_w = 0;
    switch (rvop) {
    case RV_OP_AMOSWAP_D: return ZKVM_OP_NONE;
    case RV_OP_AMOADD_D: return ZKVM_OP_ADD;
    case RV_OP_AMOXOR_D: return ZKVM_OP_XOR;
    case RV_OP_AMOAND_D: return ZKVM_OP_AND;
    case RV_OP_AMOOR_D: return ZKVM_OP_OR;
    case RV_OP_AMOMIN_D: return ZKVM_OP_MIN;
    case RV_OP_AMOMAX_D: return ZKVM_OP_MAX;
    case RV_OP_AMOMINU_D: return ZKVM_OP_MINU;
    case RV_OP_AMOMAXU_D: return ZKVM_OP_MAXU;
    default: return ZKVM_OP_COUNT; /* not an AMO */
    }
}

/* The upc of a static target, or ZKVM_UPC_NONE when it is outside the executable range (the
 * emulator faults when it gets there). */
static uint64_t target_upc(const zkvm_rom *r, uint64_t target) {
    if ((target & 1) || target - r->code_base >= r->code_len) return ZKVM_UPC_NONE;
    return 4 * target;
}

/* Transpiles one instruction; emits nothing for instructions that always fault. */
static void transpile(emitter *e, const zkvm_rom *r, uint64_t pc, const rv_insn *in) {
    unsigned rd = in->rd, rs1 = in->rs1, rs2 = in->rs2, op = in->op;
    uint64_t imm = (uint64_t)in->imm, link = pc + in->len;
    zkvm_op z = alu_op(op);
    zkvm_uop *u;
    switch (op) {
    case RV_OP_LUI: emit(e, F(BIMM) | wr(F(WB), rd), 0, 0, 0, rd, imm); return;
    case RV_OP_AUIPC: emit(e, F(BIMM) | wr(F(WB), rd), 0, 0, 0, rd, pc + imm); return;
    case RV_OP_JAL:
        u = emit(e, F(BIMM) | wr(F(WB), rd) | F(JMP), 0, 0, 0, rd, link);
        u->target = target_upc(r, pc + imm);
        return;
    case RV_OP_JALR:
        /* T0 = target (before rd, which may be rs1, changes); rd = link; jump to 4 * T0 */
        emit(e, F(RA) | F(BIMM) | F(OP) | F(WC), ZKVM_OP_JALR, rs1, 0, ZKVM_REG_T0, imm);
        if (rd) emit(e, F(BIMM) | F(WB), 0, 0, 0, rd, link);
        emit(e, F(RA) | F(JIND), 0, ZKVM_REG_T0, 0, 0, 0);
        return;
    case RV_OP_BEQ: case RV_OP_BNE: case RV_OP_BLT: case RV_OP_BGE: case RV_OP_BLTU:
    case RV_OP_BGEU:
        u = emit(e, F(RA) | F(RB) | F(OP) | F(BR), z, rs1, rs2, 0, 0);
        u->target = target_upc(r, pc + imm);
        return;
    case RV_OP_LB: case RV_OP_LH: case RV_OP_LW: case RV_OP_LD: case RV_OP_LBU: case RV_OP_LHU:
    case RV_OP_LWU:
        emit(e, F(RA) | F(MR) | F(XM) | F(OP) | wr(F(WC), rd), z, rs1, 0, rd, imm);
        return;
    case RV_OP_SB: case RV_OP_SH: case RV_OP_SW:
        emit(e, F(RA) | F(RB) | F(MR) | F(MW) | F(XM) | F(OP), z, rs1, rs2, 0, imm);
        return;
    case RV_OP_SD: emit(e, F(RA) | F(RB) | F(MW) | F(MWB), 0, rs1, rs2, 0, imm); return;
    case RV_OP_FENCE: emit(e, 0, 0, 0, 0, 0, 0); return;
    case RV_OP_ECALL:
        /* T0 = (a7 == 93); then halt with A = T0 (must be 1) and B = a0 (the exit code). */
        emit(e, F(RA) | F(BIMM) | F(OP) | F(WC), ZKVM_OP_EQ, 17, 0, ZKVM_REG_T0, VM_SYSCALL_EXIT);
        emit(e, F(RA) | F(RB) | F(HALT), 0, ZKVM_REG_T0, 10, 0, 0);
        return;
    case RV_OP_CSRRW: case RV_OP_CSRRS: case RV_OP_CSRRC: case RV_OP_CSRRWI: case RV_OP_CSRRSI:
    case RV_OP_CSRRCI: {
        uint64_t v;
        int writes = op == RV_OP_CSRRW || op == RV_OP_CSRRWI || rs1 != 0;
        if (writes || vm_csr_value(in->csr, &v) != 0) return; /* faults */
        emit(e, F(BIMM) | wr(F(WB), rd), 0, 0, 0, rd, v);
        return;
    }
    case RV_OP_LR_W: case RV_OP_LR_D:
        emit(e, F(RA) | F(BIMM) | F(OP) | F(WC), ZKVM_OP_ADD, rs1, 0, ZKVM_REG_RESV, 0);
        emit(e, F(RA) | F(MR) | F(XM) | F(OP) | wr(F(WC), rd),
             op == RV_OP_LR_W ? ZKVM_OP_LWA : ZKVM_OP_LD, ZKVM_REG_RESV, 0, rd, 0);
        return;
    case RV_OP_SC_W: case RV_OP_SC_D: {
        int w = op == RV_OP_SC_W;
        /* k0: T0 = (RESV == rs1); k1: branch to the failure path when T0 == 0. */
        emit(e, F(RA) | F(RB) | F(OP) | F(WC), ZKVM_OP_EQ, ZKVM_REG_RESV, rs1, ZKVM_REG_T0, 0);
        zkvm_uop *br = emit(e, F(RA) | F(BIMM) | F(OP) | F(BR), ZKVM_OP_EQ, ZKVM_REG_T0, 0, 0, 0);
        /* success: k2 store, k3 rd = 0, then join */
        if (w)
            emit(e, F(RA) | F(RB) | F(MR) | F(MW) | F(XM) | F(OP), ZKVM_OP_SWA, rs1, rs2, 0, 0);
        else
            emit(e, F(RA) | F(RB) | F(MW) | F(MWB), 0, rs1, rs2, 0, 0);
        zkvm_uop *ok = emit(e, F(BIMM) | wr(F(WB), rd) | F(JMP), 0, 0, 0, rd, 0);
        /* failure: rewrite the word unchanged (the emulator checks alignment and writability
         * before the reservation), rd = 1 */
        br = &e->v[e->n - 3]; /* re-take: emit may have moved the array */
        br->target = e->base_upc + e->k;
        if (w) {
            emit(e, F(RA) | F(MR) | F(XM) | F(OP) | F(WC), ZKVM_OP_LWA, rs1, 0, ZKVM_REG_T1, 0);
            emit(e, F(RA) | F(RB) | F(MR) | F(MW) | F(XM) | F(OP), ZKVM_OP_SWA, rs1, ZKVM_REG_T1, 0, 0);
        } else {
            emit(e, F(RA) | F(MR) | F(MW) | F(XM) | F(OP), ZKVM_OP_LD, rs1, 0, 0, 0);
        }
        emit(e, F(BIMM) | wr(F(WB), rd), 0, 0, 0, rd, 1);
        ok = &e->v[e->n - (w ? 4 : 3)];
        ok->target = e->base_upc + e->k;
        /* join: the reservation is cleared either way */
        emit(e, F(BIMM) | F(WB), 0, 0, 0, ZKVM_REG_RESV, 0);
        return;
    }
    default: break;
    }
    int is_w;
    zkvm_op aop = amo_op(op, &is_w);
    if (aop != ZKVM_OP_COUNT) {
        if (!is_w) {
            /* T0 = LD(old word) (aligned: LD refuses a nonzero offset); the word becomes
             * op(M, rs2) (a non-memory op refuses a nonzero offset) or rs2 (SD-style: offset 0);
             * rd = T0. */
            emit(e, F(RA) | F(MR) | F(XM) | F(OP) | F(WC), ZKVM_OP_LD, rs1, 0, ZKVM_REG_T0, 0);
            if (aop == ZKVM_OP_NONE)
                emit(e, F(RA) | F(RB) | F(MW) | F(MWB), 0, rs1, rs2, 0, 0);
            else
                emit(e, F(RA) | F(RB) | F(MR) | F(MW) | F(XM) | F(OP), aop, rs1, rs2, 0, 0);
            if (rd) emit(e, F(RB) | F(WB), 0, 0, ZKVM_REG_T0, rd, 0);
            return;
        }
        /* .W: T0 = old (sign-extended), T1 = op(T0, rs2), store T1 (or rs2), rd = T0. */
        emit(e, F(RA) | F(MR) | F(XM) | F(OP) | F(WC), ZKVM_OP_LWA, rs1, 0, ZKVM_REG_T0, 0);
        unsigned src = rs2;
        if (aop != ZKVM_OP_NONE) {
            emit(e, F(RA) | F(RB) | F(OP) | F(WC), aop, ZKVM_REG_T0, rs2, ZKVM_REG_T1, 0);
            src = ZKVM_REG_T1;
        }
        emit(e, F(RA) | F(RB) | F(MR) | F(MW) | F(XM) | F(OP), ZKVM_OP_SWA, rs1, src, 0, 0);
        emit(e, F(RB) | wr(F(WB), rd), 0, 0, ZKVM_REG_T0, rd, 0);
        return;
    }
    if (z != ZKVM_OP_NONE) {
        /* Register-register and register-immediate ALU operations; rd = x0 is a no-op. */
        int has_imm = op == RV_OP_ADDI || op == RV_OP_SLTI || op == RV_OP_SLTIU || op == RV_OP_XORI ||
                      op == RV_OP_ORI || op == RV_OP_ANDI || op == RV_OP_SLLI || op == RV_OP_SRLI ||
                      op == RV_OP_SRAI || op == RV_OP_ADDIW || op == RV_OP_SLLIW ||
                      op == RV_OP_SRLIW || op == RV_OP_SRAIW;
        if (rd == 0)
            emit(e, 0, 0, 0, 0, 0, 0);
        else if (has_imm)
            emit(e, F(RA) | F(BIMM) | F(OP) | F(WC), z, rs1, 0, rd, imm);
        else
            emit(e, F(RA) | F(RB) | F(OP) | F(WC), z, rs1, rs2, rd, 0);
        return;
    }
    /* ILLEGAL, UNSUPPORTED_FP, EBREAK: no uop (the emulator faults). */
}

/* Rewrites the builder-only flags of a finished uop (next and target set) into uop flags. */
static void lower(zkvm_uop *u) {
    uint32_t f = u->flags;
    if (!(f & BF_RA)) u->ra = 0; /* A = x0 = 0 */
    if (!(f & BF_RB)) u->rb = 0; /* B = x0 (+ imm) */
    /* B = reg[rb] + BIMM imm is the value of the uop only without both; the main AIR reads the
     * register value alone for a full-word store and the exit code (docs/PROOFS.md) */
    ZISK_ASSERT(!((f & BF_RB) && (f & F_BIMM)));
    ZISK_ASSERT(!(f & F_MWB) || ((f & F_MW) && !(f & F_BIMM)));
    ZISK_ASSERT(!(f & F_HALT) || !(f & F_BIMM));
    if (f & BF_JMP) u->next = u->target, u->target = 0;
    if (f & BF_WB) {
        /* rc = B as C = ADD(A, B) with A = x0 = 0 */
        ZISK_ASSERT(!(f & (F_OP | F_WC | BF_RA)) && u->ra == 0);
        f |= F_OP | F_WC;
        u->op = ZKVM_OP_ADD;
    }
    u->flags = f & ~(BF_RA | BF_RB | BF_JMP | BF_WB);
    /* The main AIR's view (zkvm_rom.h): a memory uop is one of three kinds, each with a fixed
     * flag pattern; B = VB + imm needs imm = 0 wherever BIMM and MEM are both off. */
    uint32_t af = 0;
    u->acode = u->op;
    if (f & (F_MR | F_MW)) {
        unsigned kind = (f & F_MR) ? ((f & F_MW) ? ZKVM_MK_RMW : ZKVM_MK_LOAD) : ZKVM_MK_STORE;
        if (kind == ZKVM_MK_STORE)
            ZISK_ASSERT((f & F_MWB) && !(f & (F_OP | F_XM)) && u->op == ZKVM_OP_NONE);
        else
            ZISK_ASSERT((f & F_OP) && (f & F_XM) && !(f & F_MWB));
        ZISK_ASSERT(!(f & (F_BIMM | F_BR | F_JIND | F_HALT)));
        ZISK_ASSERT(kind != ZKVM_MK_LOAD || u->rb == 0); /* a load's y is 0 */
        af |= 1u << ZKVM_AF_MEM;
        u->acode = u->op + ZKVM_MEMOP_KIND_MUL * kind;
    } else {
        ZISK_ASSERT(!(f & (F_XM | F_MWB)));
        ZISK_ASSERT((f & F_BIMM) || u->imm == 0);
        if (f & F_OP) af |= 1u << ZKVM_AF_OP;
    }
    if (f & F_WC) af |= 1u << ZKVM_AF_WR;
    if (f & F_BR) af |= 1u << ZKVM_AF_BR;
    if (f & F_JIND) af |= 1u << ZKVM_AF_JIND;
    if (f & F_HALT) af |= 1u << ZKVM_AF_HALT;
    u->aflags = af;
}

static int cmp_init(const void *a, const void *b) {
    const zkvm_init_word *x = a, *y = b;
    return x->word < y->word ? -1 : x->word > y->word;
}

zkvm_rom *zkvm_rom_build(const vm_program *p) {
    zkvm_rom *r = zisk_xcalloc(1, sizeof *r);
    r->entry = vm_program_entry(p);
    vm_program_code_range(p, &r->code_base, &r->code_len);
    emitter e = {0};
    /* upc 0: the start uop, a jump to the entry. */
    e.base_upc = 0;
    zkvm_uop *s = emit(&e, F(JMP), 0, 0, 0, 0, 0);
    s->target = target_upc(r, r->entry);
    lower(s);
    for (uint64_t pc = r->code_base; pc < r->code_base + r->code_len; pc += 2) {
        uint32_t bits;
        if (vm_program_fetch(p, pc, &bits) != 0) continue;
        rv_insn in;
        rv_decode(bits, &in);
        e.base_upc = 4 * pc;
        e.end_upc = 4 * (pc + in.len);
        e.k = 0;
        size_t first = e.n;
        transpile(&e, r, pc, &in);
        if (e.n > first) e.v[e.n - 1].next = e.end_upc;
        for (size_t i = first; i < e.n; i++) lower(&e.v[i]);
    }
    r->uops = e.v;
    r->n_uops = e.n;
    size_t span = (size_t)(4 * r->code_len + 8);
    r->index = zisk_xmalloc(span * sizeof *r->index);
    for (size_t i = 0; i < span; i++) r->index[i] = -1;
    for (size_t i = 1; i < r->n_uops; i++) r->index[r->uops[i].upc - 4 * r->code_base] = (int32_t)i;

    /* Initial memory: every ROM word (optional: written at t = 0 only if the run reads it)
     * and every nonzero word of RAM segments (mandatory). */
    uint64_t rom_len = vm_program_rom_len(p);
    size_t cap = (size_t)(rom_len / 8) + 64, n = 0;
    zkvm_init_word *w = zisk_xmalloc(cap * sizeof *w);
    uint64_t *rom = zisk_xcalloc((size_t)(rom_len / 8) + 1, sizeof *rom);
    for (size_t i = 0; i < vm_program_n_segments(p); i++) {
        uint64_t va, memsz, filesz;
        const uint8_t *bytes;
        vm_program_segment(p, i, &va, &memsz, &filesz, &bytes);
        for (uint64_t b = 0; b < filesz; b++) {
            uint64_t a = va + b;
            uint64_t shift = 8 * (a & 7), val = (uint64_t)bytes[b] << shift;
            if (a - VM_ROM_ADDR < rom_len) {
                rom[(a - VM_ROM_ADDR) / 8] |= val;
            } else if (bytes[b] != 0) {
                /* RAM data: accumulate into the word's entry (entries appended in address
                 * order within a segment; merged below). */
                if (n == cap) {
                    cap *= 2;
                    w = zisk_xrealloc(w, cap * sizeof *w);
                }
                w[n++] = (zkvm_init_word){a / 8, val, 1};
            }
        }
    }
    /* merge RAM byte entries of the same word */
    qsort(w, n, sizeof *w, cmp_init);
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (m > 0 && w[m - 1].word == w[i].word)
            w[m - 1].value |= w[i].value;
        else
            w[m++] = w[i];
    }
    n = m;
    size_t need = n + (size_t)(rom_len / 8);
    if (need > cap) w = zisk_xrealloc(w, need * sizeof *w);
    for (uint64_t i = 0; i < rom_len / 8; i++) w[n++] = (zkvm_init_word){VM_ROM_ADDR / 8 + i, rom[i], 0};
    free(rom);
    qsort(w, n, sizeof *w, cmp_init);
    r->init = w;
    r->n_init = n;
    return r;
}

void zkvm_rom_free(zkvm_rom *r) {
    if (!r) return;
    free(r->uops);
    free(r->index);
    free(r->init);
    free(r);
}

const zkvm_uop *zkvm_rom_find(const zkvm_rom *r, uint64_t upc) {
    if (upc == 0) return &r->uops[0];
    uint64_t base = 4 * r->code_base;
    if (upc < base || upc - base >= 4 * r->code_len + 8) return NULL;
    int32_t i = r->index[upc - base];
    return i < 0 ? NULL : &r->uops[i];
}
