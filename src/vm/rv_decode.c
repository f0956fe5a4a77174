/*
 * rv_decode.c: RV64IMAC + Zicsr + Zifencei decoder. Compressed forms expand to the base
 * instruction (RISC-V unprivileged ISA, chapter "C" standard extension, RV64 column).
 */
#include "rv_decode.h"

#include <stdio.h>
#include <string.h>
#include <threads.h>

static const char *const op_names[RV_OP_COUNT] = {
#define RV_OP_NAME(name) #name,
    RV_OPS(RV_OP_NAME)
#undef RV_OP_NAME
};

/* Sign-extends the low `bits` bits of v. */
static inline int64_t sext(uint64_t v, unsigned bits) {
    uint64_t m = 1ull << (bits - 1);
    v &= (bits == 64) ? ~0ull : ((1ull << bits) - 1);
    return (int64_t)((v ^ m) - m);
}

static inline uint32_t bits_of(uint32_t v, unsigned hi, unsigned lo) {
    return (v >> lo) & ((1u << (hi - lo + 1)) - 1);
}

static void set(rv_insn *d, rv_op op, unsigned rd, unsigned rs1, unsigned rs2, int64_t imm) {
    d->op = (uint16_t)op;
    d->rd = (uint8_t)rd;
    d->rs1 = (uint8_t)rs1;
    d->rs2 = (uint8_t)rs2;
    d->imm = imm;
}

static void illegal(rv_insn *d) { set(d, RV_OP_ILLEGAL, 0, 0, 0, 0); }
static void unsupported_fp(rv_insn *d) { set(d, RV_OP_UNSUPPORTED_FP, 0, 0, 0, 0); }

static void decode32(uint32_t w, rv_insn *d) {
    unsigned opcode = w & 0x7f, rd = bits_of(w, 11, 7), f3 = bits_of(w, 14, 12);
    unsigned rs1 = bits_of(w, 19, 15), rs2 = bits_of(w, 24, 20), f7 = bits_of(w, 31, 25);
    int64_t imm_i = sext(w >> 20, 12);
    int64_t imm_s = sext((bits_of(w, 31, 25) << 5) | bits_of(w, 11, 7), 12);
    int64_t imm_b = sext((bits_of(w, 31, 31) << 12) | (bits_of(w, 7, 7) << 11) |
                             (bits_of(w, 30, 25) << 5) | (bits_of(w, 11, 8) << 1), 13);
    int64_t imm_u = sext(w & 0xfffff000u, 32);
    int64_t imm_j = sext((bits_of(w, 31, 31) << 20) | (bits_of(w, 19, 12) << 12) |
                             (bits_of(w, 20, 20) << 11) | (bits_of(w, 30, 21) << 1), 21);
    switch (opcode) {
    case 0x37: set(d, RV_OP_LUI, rd, 0, 0, imm_u); return;
    case 0x17: set(d, RV_OP_AUIPC, rd, 0, 0, imm_u); return;
    case 0x6f: set(d, RV_OP_JAL, rd, 0, 0, imm_j); return;
    case 0x67:
        if (f3 != 0) break;
        set(d, RV_OP_JALR, rd, rs1, 0, imm_i);
        return;
    case 0x63: {
        static const rv_op br[8] = {RV_OP_BEQ, RV_OP_BNE, RV_OP_ILLEGAL, RV_OP_ILLEGAL,
                                    RV_OP_BLT, RV_OP_BGE, RV_OP_BLTU, RV_OP_BGEU};
        if (br[f3] == RV_OP_ILLEGAL) break;
        set(d, br[f3], 0, rs1, rs2, imm_b);
        return;
    }
    case 0x03: {
        static const rv_op ld[8] = {RV_OP_LB, RV_OP_LH, RV_OP_LW, RV_OP_LD,
                                    RV_OP_LBU, RV_OP_LHU, RV_OP_LWU, RV_OP_ILLEGAL};
        if (ld[f3] == RV_OP_ILLEGAL) break;
        set(d, ld[f3], rd, rs1, 0, imm_i);
        return;
    }
    case 0x23: {
        static const rv_op st[8] = {RV_OP_SB, RV_OP_SH, RV_OP_SW, RV_OP_SD};
        if (f3 > 3) break;
        set(d, st[f3], 0, rs1, rs2, imm_s);
        return;
    }
    case 0x13:
        switch (f3) {
        case 0: set(d, RV_OP_ADDI, rd, rs1, 0, imm_i); return;
        case 2: set(d, RV_OP_SLTI, rd, rs1, 0, imm_i); return;
        case 3: set(d, RV_OP_SLTIU, rd, rs1, 0, imm_i); return;
        case 4: set(d, RV_OP_XORI, rd, rs1, 0, imm_i); return;
        case 6: set(d, RV_OP_ORI, rd, rs1, 0, imm_i); return;
        case 7: set(d, RV_OP_ANDI, rd, rs1, 0, imm_i); return;
        case 1:
            if ((w >> 26) != 0) break;
            set(d, RV_OP_SLLI, rd, rs1, 0, bits_of(w, 25, 20));
            return;
        case 5:
            if ((w >> 26) == 0x00) { set(d, RV_OP_SRLI, rd, rs1, 0, bits_of(w, 25, 20)); return; }
            if ((w >> 26) == 0x10) { set(d, RV_OP_SRAI, rd, rs1, 0, bits_of(w, 25, 20)); return; }
            break;
        }
        break;
    case 0x1b:
        switch (f3) {
        case 0: set(d, RV_OP_ADDIW, rd, rs1, 0, imm_i); return;
        case 1:
            if (f7 != 0) break;
            set(d, RV_OP_SLLIW, rd, rs1, 0, rs2);
            return;
        case 5:
            if (f7 == 0x00) { set(d, RV_OP_SRLIW, rd, rs1, 0, rs2); return; }
            if (f7 == 0x20) { set(d, RV_OP_SRAIW, rd, rs1, 0, rs2); return; }
            break;
        }
        break;
    case 0x33: {
        static const rv_op base[8] = {RV_OP_ADD, RV_OP_SLL, RV_OP_SLT, RV_OP_SLTU,
                                      RV_OP_XOR, RV_OP_SRL, RV_OP_OR, RV_OP_AND};
        static const rv_op mext[8] = {RV_OP_MUL, RV_OP_MULH, RV_OP_MULHSU, RV_OP_MULHU,
                                      RV_OP_DIV, RV_OP_DIVU, RV_OP_REM, RV_OP_REMU};
        if (f7 == 0x00) { set(d, base[f3], rd, rs1, rs2, 0); return; }
        if (f7 == 0x01) { set(d, mext[f3], rd, rs1, rs2, 0); return; }
        if (f7 == 0x20 && f3 == 0) { set(d, RV_OP_SUB, rd, rs1, rs2, 0); return; }
        if (f7 == 0x20 && f3 == 5) { set(d, RV_OP_SRA, rd, rs1, rs2, 0); return; }
        break;
    }
    case 0x3b:
        if (f7 == 0x00) {
            if (f3 == 0) { set(d, RV_OP_ADDW, rd, rs1, rs2, 0); return; }
            if (f3 == 1) { set(d, RV_OP_SLLW, rd, rs1, rs2, 0); return; }
            if (f3 == 5) { set(d, RV_OP_SRLW, rd, rs1, rs2, 0); return; }
        } else if (f7 == 0x20) {
            if (f3 == 0) { set(d, RV_OP_SUBW, rd, rs1, rs2, 0); return; }
            if (f3 == 5) { set(d, RV_OP_SRAW, rd, rs1, rs2, 0); return; }
        } else if (f7 == 0x01) {
            static const rv_op mw[8] = {RV_OP_MULW, RV_OP_ILLEGAL, RV_OP_ILLEGAL, RV_OP_ILLEGAL,
                                        RV_OP_DIVW, RV_OP_DIVUW, RV_OP_REMW, RV_OP_REMUW};
            if (mw[f3] == RV_OP_ILLEGAL) break;
            set(d, mw[f3], rd, rs1, rs2, 0);
            return;
        }
        break;
    case 0x2f: { /* A extension; aq/rl (bits 26, 25) are ordering hints: no effect on one hart */
        unsigned f5 = w >> 27;
        int dbl;
        if (f3 == 2) dbl = 0;
        else if (f3 == 3) dbl = 1;
        else break;
        rv_op op;
        switch (f5) {
        case 0x02: if (rs2 != 0) { illegal(d); return; } op = dbl ? RV_OP_LR_D : RV_OP_LR_W; break;
        case 0x03: op = dbl ? RV_OP_SC_D : RV_OP_SC_W; break;
        case 0x01: op = dbl ? RV_OP_AMOSWAP_D : RV_OP_AMOSWAP_W; break;
        case 0x00: op = dbl ? RV_OP_AMOADD_D : RV_OP_AMOADD_W; break;
        case 0x04: op = dbl ? RV_OP_AMOXOR_D : RV_OP_AMOXOR_W; break;
        case 0x0c: op = dbl ? RV_OP_AMOAND_D : RV_OP_AMOAND_W; break;
        case 0x08: op = dbl ? RV_OP_AMOOR_D : RV_OP_AMOOR_W; break;
        case 0x10: op = dbl ? RV_OP_AMOMIN_D : RV_OP_AMOMIN_W; break;
        case 0x14: op = dbl ? RV_OP_AMOMAX_D : RV_OP_AMOMAX_W; break;
        case 0x18: op = dbl ? RV_OP_AMOMINU_D : RV_OP_AMOMINU_W; break;
        case 0x1c: op = dbl ? RV_OP_AMOMAXU_D : RV_OP_AMOMAXU_W; break;
        default: illegal(d); return;
        }
        set(d, op, rd, rs1, rs2, 0);
        return;
    }
    case 0x0f:
        if (f3 == 0 || f3 == 1) { set(d, RV_OP_FENCE, 0, 0, 0, 0); return; } /* FENCE, FENCE.I */
        break;
    case 0x73:
        if (f3 == 0) {
            if (w == 0x00000073) { set(d, RV_OP_ECALL, 0, 0, 0, 0); return; }
            if (w == 0x00100073) { set(d, RV_OP_EBREAK, 0, 0, 0, 0); return; }
            break;
        }
        if (f3 == 4) break;
        {
            static const rv_op csr[8] = {RV_OP_ILLEGAL, RV_OP_CSRRW, RV_OP_CSRRS, RV_OP_CSRRC,
                                         RV_OP_ILLEGAL, RV_OP_CSRRWI, RV_OP_CSRRSI, RV_OP_CSRRCI};
            set(d, csr[f3], rd, rs1, 0, 0);
            d->csr = (uint16_t)(w >> 20);
            return;
        }
    case 0x07: case 0x27: case 0x43: case 0x47: case 0x4b: case 0x4f: case 0x53:
        unsupported_fp(d); /* LOAD-FP, STORE-FP, FMADD.., OP-FP */
        return;
    }
    illegal(d);
}

/* Compressed register fields rd'/rs1'/rs2' name x8..x15. */
static inline unsigned creg(uint32_t v) { return 8 + (v & 7); }

static void decode16(uint32_t h, rv_insn *d) {
    unsigned quadrant = h & 3, f3 = bits_of(h, 15, 13);
    unsigned rd = bits_of(h, 11, 7), rs2 = bits_of(h, 6, 2);
    if (h == 0) { illegal(d); return; } /* the all-zero halfword is defined illegal */
    switch (quadrant) {
    case 0: {
        unsigned rdp = creg(h >> 2), rs1p = creg(h >> 7);
        /* offsets: C.LW uimm[5:3]=12:10, [2]=6, [6]=5; C.LD uimm[5:3]=12:10, [7:6]=6:5 */
        uint32_t off_w = (bits_of(h, 12, 10) << 3) | (bits_of(h, 6, 6) << 2) | (bits_of(h, 5, 5) << 6);
        uint32_t off_d = (bits_of(h, 12, 10) << 3) | (bits_of(h, 6, 5) << 6);
        switch (f3) {
        case 0: { /* C.ADDI4SPN: nzuimm[5:4|9:6|2|3] = bits 12:11|10:7|6|5 */
            uint32_t imm = (bits_of(h, 12, 11) << 4) | (bits_of(h, 10, 7) << 6) |
                           (bits_of(h, 6, 6) << 2) | (bits_of(h, 5, 5) << 3);
            if (imm == 0) { illegal(d); return; }
            set(d, RV_OP_ADDI, rdp, 2, 0, imm);
            return;
        }
        case 1: unsupported_fp(d); return; /* C.FLD */
        case 2: set(d, RV_OP_LW, rdp, rs1p, 0, off_w); return;
        case 3: set(d, RV_OP_LD, rdp, rs1p, 0, off_d); return;
        case 5: unsupported_fp(d); return; /* C.FSD */
        case 6: set(d, RV_OP_SW, 0, rs1p, rdp, off_w); return;
        case 7: set(d, RV_OP_SD, 0, rs1p, rdp, off_d); return;
        }
        break;
    }
    case 1: {
        int64_t imm6 = sext((bits_of(h, 12, 12) << 5) | bits_of(h, 6, 2), 6);
        switch (f3) {
        case 0: set(d, RV_OP_ADDI, rd, rd, 0, imm6); return; /* C.NOP / C.ADDI (HINTs ok) */
        case 1:
            if (rd == 0) break; /* C.ADDIW with rd = 0 is reserved */
            set(d, RV_OP_ADDIW, rd, rd, 0, imm6);
            return;
        case 2: set(d, RV_OP_ADDI, rd, 0, 0, imm6); return; /* C.LI */
        case 3:
            if (rd == 2) { /* C.ADDI16SP: nzimm[9|4|6|8:7|5] = bits 12|6|5|4:3|2 */
                int64_t imm = sext((bits_of(h, 12, 12) << 9) | (bits_of(h, 6, 6) << 4) |
                                   (bits_of(h, 5, 5) << 6) | (bits_of(h, 4, 3) << 7) |
                                   (bits_of(h, 2, 2) << 5), 10);
                if (imm == 0) break;
                set(d, RV_OP_ADDI, 2, 2, 0, imm);
                return;
            }
            if (imm6 == 0) break; /* C.LUI with nzimm = 0 is reserved */
            set(d, RV_OP_LUI, rd, 0, 0, imm6 * 4096);
            return;
        case 4: {
            unsigned rdp = creg(h >> 7), rs2p = creg(h >> 2);
            unsigned sh = (bits_of(h, 12, 12) << 5) | bits_of(h, 6, 2);
            switch (bits_of(h, 11, 10)) {
            case 0: set(d, RV_OP_SRLI, rdp, rdp, 0, sh); return;
            case 1: set(d, RV_OP_SRAI, rdp, rdp, 0, sh); return;
            case 2: set(d, RV_OP_ANDI, rdp, rdp, 0, imm6); return;
            case 3: {
                static const rv_op ops[8] = {RV_OP_SUB, RV_OP_XOR, RV_OP_OR, RV_OP_AND,
                                             RV_OP_SUBW, RV_OP_ADDW, RV_OP_ILLEGAL, RV_OP_ILLEGAL};
                rv_op op = ops[(bits_of(h, 12, 12) << 2) | bits_of(h, 6, 5)];
                if (op == RV_OP_ILLEGAL) break;
                set(d, op, rdp, rdp, rs2p, 0);
                return;
            }
            }
            break;
        }
        case 5: { /* C.J: offset[11|4|9:8|10|6|7|3:1|5] = bits 12|11|10:9|8|7|6|5:3|2 */
            int64_t off = sext((bits_of(h, 12, 12) << 11) | (bits_of(h, 11, 11) << 4) |
                               (bits_of(h, 10, 9) << 8) | (bits_of(h, 8, 8) << 10) |
                               (bits_of(h, 7, 7) << 6) | (bits_of(h, 6, 6) << 7) |
                               (bits_of(h, 5, 3) << 1) | (bits_of(h, 2, 2) << 5), 12);
            set(d, RV_OP_JAL, 0, 0, 0, off);
            return;
        }
        case 6: case 7: { /* C.BEQZ / C.BNEZ: offset[8|4:3|7:6|2:1|5] = 12|11:10|6:5|4:3|2 */
            int64_t off = sext((bits_of(h, 12, 12) << 8) | (bits_of(h, 11, 10) << 3) |
                               (bits_of(h, 6, 5) << 6) | (bits_of(h, 4, 3) << 1) |
                               (bits_of(h, 2, 2) << 5), 9);
            set(d, f3 == 6 ? RV_OP_BEQ : RV_OP_BNE, 0, creg(h >> 7), 0, off);
            return;
        }
        }
        break;
    }
    case 2: {
        switch (f3) {
        case 0: { /* C.SLLI */
            unsigned sh = (bits_of(h, 12, 12) << 5) | bits_of(h, 6, 2);
            set(d, RV_OP_SLLI, rd, rd, 0, sh);
            return;
        }
        case 1: unsupported_fp(d); return; /* C.FLDSP */
        case 2: { /* C.LWSP: uimm[5]=12, [4:2]=6:4, [7:6]=3:2 */
            if (rd == 0) break;
            uint32_t off = (bits_of(h, 12, 12) << 5) | (bits_of(h, 6, 4) << 2) | (bits_of(h, 3, 2) << 6);
            set(d, RV_OP_LW, rd, 2, 0, off);
            return;
        }
        case 3: { /* C.LDSP: uimm[5]=12, [4:3]=6:5, [8:6]=4:2 */
            if (rd == 0) break;
            uint32_t off = (bits_of(h, 12, 12) << 5) | (bits_of(h, 6, 5) << 3) | (bits_of(h, 4, 2) << 6);
            set(d, RV_OP_LD, rd, 2, 0, off);
            return;
        }
        case 4:
            if (bits_of(h, 12, 12) == 0) {
                if (rs2 == 0) {
                    if (rd == 0) break; /* reserved */
                    set(d, RV_OP_JALR, 0, rd, 0, 0); /* C.JR */
                } else {
                    set(d, RV_OP_ADD, rd, 0, rs2, 0); /* C.MV */
                }
            } else {
                if (rs2 == 0) {
                    if (rd == 0) set(d, RV_OP_EBREAK, 0, 0, 0, 0);
                    else set(d, RV_OP_JALR, 1, rd, 0, 0); /* C.JALR */
                } else {
                    set(d, RV_OP_ADD, rd, rd, rs2, 0); /* C.ADD */
                }
            }
            return;
        case 5: unsupported_fp(d); return; /* C.FSDSP */
        case 6: { /* C.SWSP: uimm[5:2]=12:9, [7:6]=8:7 */
            uint32_t off = (bits_of(h, 12, 9) << 2) | (bits_of(h, 8, 7) << 6);
            set(d, RV_OP_SW, 0, 2, rs2, off);
            return;
        }
        case 7: { /* C.SDSP: uimm[5:3]=12:10, [8:6]=9:7 */
            uint32_t off = (bits_of(h, 12, 10) << 3) | (bits_of(h, 9, 7) << 6);
            set(d, RV_OP_SD, 0, 2, rs2, off);
            return;
        }
        }
        break;
    }
    }
    illegal(d);
}

void rv_decode(uint32_t bits, rv_insn *out) {
    memset(out, 0, sizeof *out);
    if ((bits & 3) == 3) {
        /* 48-bit and longer encodings (bits[4:2] == 111) are not supported. */
        out->len = 4;
        out->raw = bits;
        if ((bits & 0x1c) == 0x1c) { illegal(out); return; }
        decode32(bits, out);
    } else {
        out->len = 2;
        out->raw = bits & 0xffff;
        decode16(bits & 0xffff, out);
    }
}

static char lower_names[RV_OP_COUNT][16];
static once_flag lower_names_once = ONCE_FLAG_INIT;

/* Lower-case mnemonics from the X-macro names, '_' -> '.' (amoswap.w, lr.d). */
static void make_lower_names(void) {
    for (unsigned i = 0; i < RV_OP_COUNT; i++) {
        const char *s = op_names[i];
        size_t j = 0;
        for (; s[j] && j + 1 < sizeof lower_names[i]; j++) {
            char c = s[j];
            lower_names[i][j] = (char)(c == '_' ? '.' : (c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c);
        }
        lower_names[i][j] = 0;
    }
    strcpy(lower_names[RV_OP_UNSUPPORTED_FP], "unsupported-fp");
}

const char *rv_op_name(unsigned op) {
    if (op >= RV_OP_COUNT) return "illegal";
    call_once(&lower_names_once, make_lower_names);
    return lower_names[op];
}

int rv_format(const rv_insn *d, uint64_t pc, char *buf, size_t n) {
    const char *name = rv_op_name(d->op);
    switch ((rv_op)d->op) {
    case RV_OP_ILLEGAL: case RV_OP_UNSUPPORTED_FP:
        return snprintf(buf, n, "%s 0x%0*x", name, d->len == 2 ? 4 : 8, d->raw);
    case RV_OP_LUI: case RV_OP_AUIPC:
        return snprintf(buf, n, "%s x%u, 0x%llx", name, d->rd, (unsigned long long)((uint64_t)d->imm >> 12) & 0xfffff);
    case RV_OP_JAL:
        return snprintf(buf, n, "jal x%u, 0x%llx", d->rd, (unsigned long long)(pc + (uint64_t)d->imm));
    case RV_OP_BEQ: case RV_OP_BNE: case RV_OP_BLT: case RV_OP_BGE: case RV_OP_BLTU: case RV_OP_BGEU:
        return snprintf(buf, n, "%s x%u, x%u, 0x%llx", name, d->rs1, d->rs2, (unsigned long long)(pc + (uint64_t)d->imm));
    case RV_OP_JALR:
    case RV_OP_LB: case RV_OP_LH: case RV_OP_LW: case RV_OP_LD: case RV_OP_LBU: case RV_OP_LHU: case RV_OP_LWU:
        return snprintf(buf, n, "%s x%u, %lld(x%u)", name, d->rd, (long long)d->imm, d->rs1);
    case RV_OP_SB: case RV_OP_SH: case RV_OP_SW: case RV_OP_SD:
        return snprintf(buf, n, "%s x%u, %lld(x%u)", name, d->rs2, (long long)d->imm, d->rs1);
    case RV_OP_ADDI: case RV_OP_SLTI: case RV_OP_SLTIU: case RV_OP_XORI: case RV_OP_ORI: case RV_OP_ANDI:
    case RV_OP_SLLI: case RV_OP_SRLI: case RV_OP_SRAI: case RV_OP_ADDIW: case RV_OP_SLLIW:
    case RV_OP_SRLIW: case RV_OP_SRAIW:
        return snprintf(buf, n, "%s x%u, x%u, %lld", name, d->rd, d->rs1, (long long)d->imm);
    case RV_OP_LR_W: case RV_OP_LR_D:
        return snprintf(buf, n, "%s x%u, (x%u)", name, d->rd, d->rs1);
    case RV_OP_FENCE: case RV_OP_ECALL: case RV_OP_EBREAK:
        return snprintf(buf, n, "%s", name);
    case RV_OP_CSRRW: case RV_OP_CSRRS: case RV_OP_CSRRC:
        return snprintf(buf, n, "%s x%u, 0x%03x, x%u", name, d->rd, d->csr, d->rs1);
    case RV_OP_CSRRWI: case RV_OP_CSRRSI: case RV_OP_CSRRCI:
        return snprintf(buf, n, "%s x%u, 0x%03x, %u", name, d->rd, d->csr, d->rs1);
    default: /* register-register forms, M, SC and AMOs */
        if (d->op >= RV_OP_SC_W && d->op <= RV_OP_AMOMAXU_D && d->op != RV_OP_LR_D)
            return snprintf(buf, n, "%s x%u, x%u, (x%u)", name, d->rd, d->rs2, d->rs1);
        return snprintf(buf, n, "%s x%u, x%u, x%u", name, d->rd, d->rs1, d->rs2);
    }
}
