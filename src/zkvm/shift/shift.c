/*
 * shift.c: the shift provider AIR (shift.h; docs/zkvm/shift.md is the soundness argument).
 *
 * Every operation of this AIR is "multiply x by M = 2^e (0 <= e <= 8), then pick bytes":
 *   SLL,  SLLW   M = 2^sr          c bytes = bytes of T = x*M moved up by d bytes
 *   SRL,  SRA    M = 2^(8-sr)      c bytes = bytes of T moved down by d + 1 bytes
 *   SRLW, SRAW   M = 2^(8-sr)      the same on the 40-bit x_lo*M = (tb0..tb3, e0)
 *   loads/stores M = 2^8           T's bytes 1..8 are x's bytes 0..7
 * where the shift amount is s = 8d + sr (sr < 8) and d is, for a memory op, its offset. The
 * byte selection for each (op, d) is one table (shift_byte_terms) that both the constraints and
 * the trace builder use; the trace builder also checks it against zkvm_op_eval on every row.
 */
#include "shift.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base.h"
#include "zkvm_bus.h"

/* The operations, in flag-column order. */
static const zkvm_op shift_ops[] = {
    ZKVM_OP_SLL, ZKVM_OP_SRL, ZKVM_OP_SRA, ZKVM_OP_SLLW, ZKVM_OP_SRLW, ZKVM_OP_SRAW,
    ZKVM_OP_LB,  ZKVM_OP_LH,  ZKVM_OP_LW,  ZKVM_OP_LD,   ZKVM_OP_LBU,  ZKVM_OP_LHU,
    ZKVM_OP_LWU, ZKVM_OP_LWA, ZKVM_OP_SB,  ZKVM_OP_SH,   ZKVM_OP_SW,   ZKVM_OP_SWA,
};
#define N_OPS (sizeof shift_ops / sizeof shift_ops[0])

/* Stage-1 columns (docs/zkvm/shift.md, "Columns"). */
enum {
    COL_MULT = 0,               /* 1 on a row that receives, 0 on padding */
    COL_FLAG = COL_MULT + 1,    /* N_OPS one-hot op flags */
    COL_OF = COL_FLAG + N_OPS,  /* 8 one-hot byte shift / offset flags of[d] */
    COL_SR = COL_OF + 8,        /* 3 bits of sr (shift within a byte) */
    COL_P = COL_SR + 3,         /* 2^sr */
    COL_M = COL_P + 1,          /* the multiplier */
    COL_B5 = COL_M + 1,         /* bits 5, 6, 7 of y's low byte not in the shift amount */
    COL_B6, COL_B7,
    COL_XH0, COL_XH1, COL_S31,  /* x_lo = xh0 + 2^16 xh1, s31 = bit 15 of xh1 */
    COL_XH2, COL_XH3, COL_S63,  /* x_hi = xh2 + 2^16 xh3, s63 = bit 15 of xh3 */
    COL_TB,                     /* 9 bytes of T = x * M */
    COL_E0 = COL_TB + 9,        /* (x_lo * M) >> 32 */
    COL_YB,                     /* 4 bytes of y_lo */
    COL_YH = COL_YB + 4,        /* 2 16-bit halves of y_hi */
    COL_SG = COL_YH + 2,        /* sign bit of the sign byte (sign-extended results) */
    COL_R7,                     /* the sign byte's low 7 bits */
    COL_FSG,                    /* the fill sign: s63 (SRA), s31 (SRAW), sg (sign-extending) */
    COL_FM,                     /* fsg * (256 - M) */
    COL_OPC, COL_CLO, COL_CHI,
    COL_PAND,                   /* 7 ANDs of the byte pairs looked up in the byte table */
    COL_N = COL_PAND + 7
};

/* Sources of a result byte: the linear forms the byte selection combines. */
enum {
    SRC_TB = 0,            /* tb[0..8] */
    SRC_E0 = SRC_TB + 9,
    SRC_YB,                /* yb[0..3] */
    SRC_FSG = SRC_YB + 4,
    SRC_FM,
    SRC_N
};

static int op_index(zkvm_op op) {
    for (size_t i = 0; i < N_OPS; i++)
        if (shift_ops[i] == op) return (int)i;
    return -1;
}

int zkvm_shift_handles(zkvm_op op) { return op_index(op) >= 0; }

static int is_load(zkvm_op op) { return op >= ZKVM_OP_LB && op <= ZKVM_OP_LWA; }
static int is_wshift(zkvm_op op) {
    return op == ZKVM_OP_SLLW || op == ZKVM_OP_SRLW || op == ZKVM_OP_SRAW;
}
static int is_shift(zkvm_op op) {
    return op == ZKVM_OP_SLL || op == ZKVM_OP_SRL || op == ZKVM_OP_SRA || is_wshift(op);
}
static int is_left(zkvm_op op) { return op == ZKVM_OP_SLL || op == ZKVM_OP_SLLW; }
/* Ops whose result is sign-extended from a byte of the unextended result (the "sign byte"). */
static int is_sgnx(zkvm_op op) {
    return op == ZKVM_OP_LB || op == ZKVM_OP_LH || op == ZKVM_OP_LW || op == ZKVM_OP_LWA ||
           op == ZKVM_OP_SLLW || op == ZKVM_OP_SRLW;
}

/* Whether byte shift / offset d is allowed for op (zkvm_op_eval's rules; for a shift, d is
 * (y & 63) >> 3, or (y & 31) >> 3 for a W form). */
static int d_allowed(zkvm_op op, unsigned d) {
    if (d > 7) return 0;
    if (is_wshift(op)) return d <= 3;
    if (is_shift(op)) return 1;
    if (d + zkvm_op_mem_width(op) > 8) return 0;
    if ((op == ZKVM_OP_LWA || op == ZKVM_OP_SWA) && (d & 3) != 0) return 0;
    return 1;
}

/* The selection table: coef[src] such that byte k (0..7) of c is sum_src coef[src] * src, for
 * op at byte shift d (d_allowed). This is the whole semantics of the AIR; the trace builder
 * checks it against zkvm_op_eval on every row it builds. */
static void shift_byte_terms(zkvm_op op, unsigned d, unsigned k, uint64_t coef[SRC_N]) {
    memset(coef, 0, SRC_N * sizeof coef[0]);
    int dk = (int)k, dd = (int)d;
    switch (op) {
    case ZKVM_OP_SLL: /* c = (x * 2^sr) << 8d mod 2^64 */
        if (dk >= dd) coef[SRC_TB + k - d] = 1;
        break;
    case ZKVM_OP_SRL:
    case ZKVM_OP_SRA: /* c = (x * 2^(8-sr)) >> 8(d+1), SRA: + sign * (2^64 - 2^(64-s)) */
        if (k + 1 + d <= 8) coef[SRC_TB + k + 1 + d] = 1;
        if (op == ZKVM_OP_SRA) {
            if (dk == 7 - dd) coef[SRC_FM] = 1;
            else if (dk > 7 - dd) coef[SRC_FSG] = 255;
        }
        break;
    case ZKVM_OP_SLLW: /* 32-bit (x_lo * 2^sr) << 8d, sign-extended */
        if (k < 4) {
            if (dk >= dd) coef[SRC_TB + k - d] = 1;
        } else {
            coef[SRC_FSG] = 255;
        }
        break;
    case ZKVM_OP_SRLW:
    case ZKVM_OP_SRAW: /* (tb0..tb3, e0) = x_lo * 2^(8-sr), moved down by d + 1 bytes */
        if (k < 4) {
            unsigned j = k + 1 + d;
            if (j < 4) coef[SRC_TB + j] = 1;
            else if (j == 4) coef[SRC_E0] = 1;
            if (op == ZKVM_OP_SRAW) {
                if (dk == 3 - dd) coef[SRC_FM] = 1;
                else if (dk > 3 - dd) coef[SRC_FSG] = 255;
            }
        } else {
            coef[SRC_FSG] = 255;
        }
        break;
    case ZKVM_OP_LB: case ZKVM_OP_LH: case ZKVM_OP_LW: case ZKVM_OP_LWA: case ZKVM_OP_LD:
    case ZKVM_OP_LBU: case ZKVM_OP_LHU: case ZKVM_OP_LWU: /* x byte j is tb[j + 1] */
        if (k < zkvm_op_mem_width(op)) {
            if (k + 1 + d <= 8) coef[SRC_TB + k + 1 + d] = 1;
        } else if (is_sgnx(op)) {
            coef[SRC_FSG] = 255;
        }
        break;
    case ZKVM_OP_SB: case ZKVM_OP_SH: case ZKVM_OP_SW: case ZKVM_OP_SWA:
        if (k >= d && k < d + zkvm_op_mem_width(op)) coef[SRC_YB + k - d] = 1;
        else coef[SRC_TB + k + 1] = 1;
        break;
    default: ZISK_ASSERT(0);
    }
}

/* The source whose top bit is the sign of a sign-extending op's unextended result, or -1. */
static int shift_sign_src(zkvm_op op, unsigned d) {
    switch (op) {
    case ZKVM_OP_LB: return SRC_TB + (int)d + 1;
    case ZKVM_OP_LH: return SRC_TB + (int)d + 2;
    case ZKVM_OP_LW: case ZKVM_OP_LWA: return d <= 4 ? SRC_TB + (int)d + 4 : -1;
    case ZKVM_OP_SLLW: return d <= 3 ? SRC_TB + 3 - (int)d : -1;
    case ZKVM_OP_SRLW: return d == 0 ? SRC_E0 : -1; /* bit 31 of x_lo >> s is 0 unless s = 0 */
    default: return -1;
    }
}

static uint32_t src_col(int src) {
    if (src < SRC_E0) return COL_TB + (uint32_t)src;
    if (src == SRC_E0) return COL_E0;
    if (src < SRC_FSG) return COL_YB + (uint32_t)(src - SRC_YB);
    return src == SRC_FSG ? COL_FSG : COL_FM;
}

/* The range lookups, each of a linear form k0*col0 + k1*col1 that must lie in [0, 2^16) (the
 * 16-bit table). A lookup only proves that the FIELD value of the form is one of 0..2^16-1, so
 * a "scaled" lookup 2^j * v (to prove v < 2^(16-j)) is sound only when v is already known to be
 * an integer of moderate size: v = w / 2^j is a huge field element for odd w. Hence:
 *   a 16-bit value: one lookup of v;
 *   the sign bit of a 16-bit word h: h, then 2 (h - 2^15 s) (an integer; in range iff s is
 *     bit 15 of h, given s boolean);
 *   r7: 2^9 r7, where r7 = (sign byte) - 2^7 sg is an integer by the constraint sign_byte
 *     (on the ops that use it; elsewhere it is unused).
 * The bytes go by pairs to the binary AIR's byte table (shift_pairs below). docs/zkvm/shift.md,
 * "Range checks". The trace builder counts exactly these. */
typedef struct shift_lookup {
    const char *name;
    uint32_t col[2];
    int64_t k[2];
} shift_lookup;

#define LK1(nm, c, k0) {nm, {c, 0}, {k0, 0}}
#define LK2(nm, c0, k0, c1, k1) {nm, {c0, c1}, {k0, k1}}
static const shift_lookup shift_lookups[] = {
    LK1("range_xh0", COL_XH0, 1),
    LK1("range_xh1", COL_XH1, 1),
    LK2("range_xh1_sign", COL_XH1, 2, COL_S31, -(1 << 16)),
    LK1("range_xh2", COL_XH2, 1),
    LK1("range_xh3", COL_XH3, 1),
    LK2("range_xh3_sign", COL_XH3, 2, COL_S63, -(1 << 16)),
    LK1("range_yh0", COL_YH + 0, 1),
    LK1("range_yh1", COL_YH + 1, 1),
    LK1("range_r7", COL_R7, 512),
};
#define N_LOOKUPS (sizeof shift_lookups / sizeof shift_lookups[0])
_Static_assert(N_LOOKUPS == ZKVM_SHIFT_RANGE_LOOKUPS, "shift.h's lookup count");

/* The byte pairs, each one lookup (0, a, b, 0, a AND b, 0) in the byte table (binary.h): a
 * table row matches only when a and b are integers in [0, 256). Multiplicity mult (padding rows
 * look nothing up). */
typedef struct shift_pair {
    const char *name;
    uint32_t a, b;
} shift_pair;
static const shift_pair shift_pairs[] = {
    {"bytes_tb01", COL_TB + 0, COL_TB + 1}, {"bytes_tb23", COL_TB + 2, COL_TB + 3},
    {"bytes_tb45", COL_TB + 4, COL_TB + 5}, {"bytes_tb67", COL_TB + 6, COL_TB + 7},
    {"bytes_tb8_e0", COL_TB + 8, COL_E0},   {"bytes_yb01", COL_YB + 0, COL_YB + 1},
    {"bytes_yb23", COL_YB + 2, COL_YB + 3},
};
#define N_PAIRS (sizeof shift_pairs / sizeof shift_pairs[0])
_Static_assert(N_PAIRS == ZKVM_SHIFT_BYTE_LOOKUPS && COL_PAND + N_PAIRS == COL_N, "shift.h's pair count");

/* ---- the AIR ------------------------------------------------------------------------------ */

typedef struct sb_ctx {
    air_builder *b;
    air_expr col[COL_N];
    air_expr one;
} sb_ctx;

static air_expr cst(sb_ctx *s, uint64_t v) { return air_const(s->b, gl_from_u64(v)); }
static air_expr add(sb_ctx *s, air_expr a, air_expr b) { return air_add(s->b, a, b); }
static air_expr sub(sb_ctx *s, air_expr a, air_expr b) { return air_sub(s->b, a, b); }
static air_expr mul(sb_ctx *s, air_expr a, air_expr b) { return air_mul(s->b, a, b); }
static air_expr scale(sb_ctx *s, uint64_t k, air_expr a) { return mul(s, cst(s, k), a); }
static air_expr flag(sb_ctx *s, zkvm_op op) { return s->col[COL_FLAG + op_index(op)]; }

/* Sum of the flags of the ops where pred holds. */
static air_expr flags_where(sb_ctx *s, int (*pred)(zkvm_op)) {
    air_expr e = cst(s, 0);
    for (size_t i = 0; i < N_OPS; i++)
        if (pred(shift_ops[i])) e = add(s, e, s->col[COL_FLAG + i]);
    return e;
}

/* sum_d of[d] * sum_src src * (sum_op flag_op * w(op, d, src)): the byte selection as a
 * degree-3 expression, factored so that each (d, src) costs one product. */
typedef uint64_t (*sel_weight)(zkvm_op op, unsigned d, int src, const void *arg);

static air_expr selection(sb_ctx *s, sel_weight w, const void *arg) {
    air_expr total = cst(s, 0);
    for (unsigned d = 0; d < 8; d++) {
        air_expr per_d = cst(s, 0);
        for (int src = 0; src < SRC_N; src++) {
            air_expr lin = cst(s, 0);
            for (size_t i = 0; i < N_OPS; i++) {
                if (!d_allowed(shift_ops[i], d)) continue;
                uint64_t k = w(shift_ops[i], d, src, arg);
                if (k != 0) lin = add(s, lin, scale(s, k, s->col[COL_FLAG + i]));
            }
            per_d = add(s, per_d, mul(s, lin, s->col[src_col(src)]));
        }
        total = add(s, total, mul(s, s->col[COL_OF + d], per_d));
    }
    return total;
}

/* Weight of src in limb `limb` (0: bytes 0..3, 1: bytes 4..7) of c. */
static uint64_t limb_weight(zkvm_op op, unsigned d, int src, const void *arg) {
    unsigned limb = *(const unsigned *)arg;
    uint64_t coef[SRC_N], w = 0;
    for (unsigned k = 0; k < 4; k++) {
        shift_byte_terms(op, d, 4 * limb + k, coef);
        w += coef[src] << (8 * k);
    }
    return w;
}

static uint64_t sign_weight(zkvm_op op, unsigned d, int src, const void *arg) {
    (void)arg;
    return shift_sign_src(op, d) == src;
}

/* The names of the stage-1 columns, in COL_ order. */
static void shift_col_names(char names[COL_N][16]) {
    snprintf(names[COL_MULT], 16, "mult");
    for (size_t i = 0; i < N_OPS; i++)
        snprintf(names[COL_FLAG + i], 16, "f_%s", zkvm_op_name(shift_ops[i]));
    for (unsigned i = 0; i < 8; i++) snprintf(names[COL_OF + i], 16, "of[%u]", i);
    for (unsigned i = 0; i < 3; i++) snprintf(names[COL_SR + i], 16, "sr[%u]", i);
    static const char *const mid[] = {"p",   "m",   "b5",  "b6",  "b7",  "xh0",
                                      "xh1", "s31", "xh2", "xh3", "s63"};
    for (size_t i = 0; i < sizeof mid / sizeof mid[0]; i++) snprintf(names[COL_P + i], 16, "%s", mid[i]);
    for (unsigned i = 0; i < 9; i++) snprintf(names[COL_TB + i], 16, "tb[%u]", i);
    snprintf(names[COL_E0], 16, "e0");
    for (unsigned i = 0; i < 4; i++) snprintf(names[COL_YB + i], 16, "yb[%u]", i);
    for (unsigned i = 0; i < 2; i++) snprintf(names[COL_YH + i], 16, "yh[%u]", i);
    static const char *const tail[] = {"sg", "r7", "fsg", "fm", "opc", "c_lo", "c_hi"};
    for (size_t i = 0; i < sizeof tail / sizeof tail[0]; i++)
        snprintf(names[COL_SG + i], 16, "%s", tail[i]);
    for (unsigned i = 0; i < 7; i++) snprintf(names[COL_PAND + i], 16, "pand[%u]", i);
}

static void constrain(sb_ctx *s, const char *name, air_expr e) {
    air_constrain(s->b, AIR_EVERY_ROW, name, e);
}

air *zkvm_shift_air(void) {
    sb_ctx s;
    s.b = air_builder_new("shift", 3);
    air_builder *b = s.b;
    char names[COL_N][16], name[64];
    shift_col_names(names);
    for (uint32_t i = 0; i < COL_N; i++) {
        air_col c = air_col_stage1(b, names[i]);
        ZISK_ASSERT(c.index == i);
        s.col[i] = air_cur(b, c);
    }
    s.one = cst(&s, 1);
    const air_expr *col = s.col;
    air_expr mult = col[COL_MULT];

    /* Booleans: mult, the op and offset flags, the bits. */
    static const struct { uint32_t first, count; } bools[] = {
        {COL_MULT, 1}, {COL_FLAG, N_OPS}, {COL_OF, 8}, {COL_SR, 3}, {COL_B5, 3},
        {COL_S31, 1},  {COL_S63, 1},      {COL_SG, 1},
    };
    for (size_t g = 0; g < sizeof bools / sizeof bools[0]; g++)
        for (uint32_t i = 0; i < bools[g].count; i++) {
            air_expr v = col[bools[g].first + i];
            snprintf(name, sizeof name, "bool_%s", names[bools[g].first + i]);
            constrain(&s, name, mul(&s, v, sub(&s, v, s.one)));
        }

    /* One op and one byte shift on a used row, none on padding. */
    air_expr fsum = cst(&s, 0), osum = cst(&s, 0), dval = cst(&s, 0), opval = cst(&s, 0);
    for (size_t i = 0; i < N_OPS; i++) {
        fsum = add(&s, fsum, col[COL_FLAG + i]);
        opval = add(&s, opval, scale(&s, shift_ops[i], col[COL_FLAG + i]));
    }
    for (unsigned d = 0; d < 8; d++) {
        osum = add(&s, osum, col[COL_OF + d]);
        dval = add(&s, dval, scale(&s, d, col[COL_OF + d]));
    }
    constrain(&s, "one_op", sub(&s, fsum, mult));
    constrain(&s, "one_offset", sub(&s, osum, mult));

    air_expr f_left = flags_where(&s, is_left), f_shift = flags_where(&s, is_shift);
    air_expr f_mem = flags_where(&s, zkvm_op_is_mem), f_load = flags_where(&s, is_load);
    air_expr f_w = flags_where(&s, is_wshift), f_sgnx = flags_where(&s, is_sgnx);

    /* opc = op + 64 * off; off = d for a memory op, 0 otherwise. */
    constrain(&s, "opc",
              sub(&s, col[COL_OPC],
                  add(&s, opval, scale(&s, ZKVM_OPC_OFF_MUL, mul(&s, f_mem, dval)))));

    /* Offsets the op does not allow: of[d] * (sum of the flags of the ops refusing d) = 0. */
    for (unsigned d = 0; d < 8; d++) {
        air_expr refuse = cst(&s, 0);
        for (size_t i = 0; i < N_OPS; i++)
            if (!d_allowed(shift_ops[i], d)) refuse = add(&s, refuse, col[COL_FLAG + i]);
        snprintf(name, sizeof name, "offset_allowed[%u]", d);
        constrain(&s, name, mul(&s, col[COL_OF + d], refuse));
    }

    /* sr and the multiplier: P = 2^sr; M = P (left shifts) or M * P = 256 (the rest); memory
     * ops have sr = 0, so M = 256 for them. */
    air_expr sr0 = col[COL_SR], sr1 = col[COL_SR + 1], sr2 = col[COL_SR + 2];
    air_expr srv = add(&s, sr0, add(&s, scale(&s, 2, sr1), scale(&s, 4, sr2)));
    air_expr pw = mul(&s, add(&s, s.one, sr0),
                      mul(&s, add(&s, s.one, scale(&s, 3, sr1)), add(&s, s.one, scale(&s, 15, sr2))));
    constrain(&s, "p_pow2", sub(&s, col[COL_P], pw));
    air_expr pm = col[COL_P], m = col[COL_M];
    constrain(&s, "m_mult",
              add(&s, mul(&s, f_left, sub(&s, m, pm)),
                  mul(&s, sub(&s, mult, f_left), sub(&s, mul(&s, m, pm), cst(&s, 256)))));
    constrain(&s, "mem_sr_zero", mul(&s, f_mem, srv));

    /* y: y_lo = yb0 + 2^8 yb1 + 2^16 yb2 + 2^24 yb3, y_hi = yh0 + 2^16 yh1; for a shift the low
     * byte is sr + 8d + 32 b5 + 64 b6 + 128 b7 with b5 = 0 for the 64-bit shifts (bit 5 is
     * then part of d); loads have y = 0. */
    air_expr y_lo = cst(&s, 0), y_hi = add(&s, col[COL_YH], scale(&s, 1u << 16, col[COL_YH + 1]));
    for (unsigned i = 0; i < 4; i++) y_lo = add(&s, y_lo, scale(&s, 1ull << (8 * i), col[COL_YB + i]));
    air_expr yb0_shift = add(&s, srv, add(&s, scale(&s, 8, dval),
                                          add(&s, scale(&s, 32, col[COL_B5]),
                                              add(&s, scale(&s, 64, col[COL_B6]),
                                                  scale(&s, 128, col[COL_B7])))));
    constrain(&s, "shift_amount", mul(&s, f_shift, sub(&s, col[COL_YB], yb0_shift)));
    constrain(&s, "shift64_b5", mul(&s, sub(&s, f_shift, f_w), col[COL_B5]));
    constrain(&s, "load_y_zero", mul(&s, f_load, add(&s, y_lo, y_hi)));

    /* x and T = x * M as integers (both sides below 2^41 < p):
     *   tb0 + 2^8 tb1 + 2^16 tb2 + 2^24 tb3 + 2^32 e0  = x_lo * M
     *   tb4 + 2^8 tb5 + 2^16 tb6 + 2^24 tb7 + 2^32 tb8 = x_hi * M + e0 */
    air_expr x_lo = add(&s, col[COL_XH0], scale(&s, 1u << 16, col[COL_XH1]));
    air_expr x_hi = add(&s, col[COL_XH2], scale(&s, 1u << 16, col[COL_XH3]));
    air_expr t_lo = scale(&s, 1ull << 32, col[COL_E0]), t_hi = scale(&s, 1ull << 32, col[COL_TB + 8]);
    for (unsigned i = 0; i < 4; i++) {
        t_lo = add(&s, t_lo, scale(&s, 1ull << (8 * i), col[COL_TB + i]));
        t_hi = add(&s, t_hi, scale(&s, 1ull << (8 * i), col[COL_TB + 4 + i]));
    }
    constrain(&s, "t_lo", sub(&s, t_lo, mul(&s, x_lo, m)));
    constrain(&s, "t_hi", sub(&s, t_hi, add(&s, mul(&s, x_hi, m), col[COL_E0])));

    /* Signs: the sign byte of a sign-extending op is 128 sg + r7; the fill sign fsg and
     * fm = fsg * (256 - M). */
    constrain(&s, "sign_byte",
              sub(&s, selection(&s, sign_weight, NULL),
                  mul(&s, f_sgnx, add(&s, scale(&s, 128, col[COL_SG]), col[COL_R7]))));
    air_expr fsg = add(&s, mul(&s, flag(&s, ZKVM_OP_SRA), col[COL_S63]),
                       add(&s, mul(&s, flag(&s, ZKVM_OP_SRAW), col[COL_S31]),
                           mul(&s, f_sgnx, col[COL_SG])));
    constrain(&s, "fsg", sub(&s, col[COL_FSG], fsg));
    constrain(&s, "fm", sub(&s, col[COL_FM], mul(&s, col[COL_FSG], sub(&s, cst(&s, 256), m))));

    /* The result. */
    for (unsigned limb = 0; limb < 2; limb++)
        constrain(&s, limb ? "c_hi" : "c_lo",
                  sub(&s, col[limb ? COL_CHI : COL_CLO], selection(&s, limb_weight, &limb)));

    /* Range checks (the table shift_lookups). */
    for (size_t i = 0; i < N_LOOKUPS; i++) {
        const shift_lookup *l = &shift_lookups[i];
        air_expr v = cst(&s, 0);
        for (int t = 0; t < 2; t++)
            if (l->k[t] != 0) v = add(&s, v, mul(&s, air_const_i64(b, l->k[t]), col[l->col[t]]));
        air_bus_send(b, l->name, ZKVM_BUS_RANGE16, s.one, &v, 1);
    }
    for (size_t i = 0; i < N_PAIRS; i++) {
        air_expr v[ZKVM_BINARY_BYTE_TUPLE] = {cst(&s, 0), col[shift_pairs[i].a], col[shift_pairs[i].b],
                                              cst(&s, 0), col[COL_PAND + i], cst(&s, 0)};
        air_bus_send(b, shift_pairs[i].name, ZKVM_BINARY_BYTE_BUS, mult, v, ZKVM_BINARY_BYTE_TUPLE);
    }

    air_expr tuple[7] = {col[COL_OPC], x_lo, x_hi, y_lo, y_hi, col[COL_CLO], col[COL_CHI]};
    air_bus_recv(b, "op", ZKVM_BUS_OP, mult, tuple, 7);

    zisk_err err;
    air *a = air_build(b, &err);
    if (a == NULL) fprintf(stderr, "shift AIR: %s\n", err.msg);
    ZISK_ASSERT(a != NULL);
    ZISK_ASSERT(air_n_interactions(a) == ZKVM_SHIFT_INTERACTIONS);
    return a;
}

gl_t *zkvm_shift_fixed(unsigned log_n) {
    (void)log_n;
    return NULL;
}

/* ---- the trace ---------------------------------------------------------------------------- */

/* Fills row values v[COL_N] for record r (validated here) and returns them; counts the range
 * lookups into rc and the byte-table lookups into bc (either may be NULL: not counted). */
static void shift_row(const zkvm_op_record *r, gl_t v[COL_N], zkvm_range_counts *rc, zkvm_binary_counts *bc) {
    zkvm_op op = zkvm_opc_op(r->opc);
    int idx = op_index(op);
    uint64_t want;
    ZISK_ASSERT(idx >= 0 && zkvm_op_eval(r->opc, r->x, r->y, &want) && want == r->c);
    uint64_t x = r->x, y = r->y;
    unsigned d, sr;
    if (is_shift(op)) {
        unsigned sh = (unsigned)(y & (is_wshift(op) ? 31 : 63));
        d = sh >> 3;
        sr = sh & 7;
    } else {
        d = zkvm_opc_off(r->opc);
        sr = 0;
    }
    ZISK_ASSERT(d_allowed(op, d));
    uint64_t m = is_left(op) ? 1ull << sr : 1ull << (8 - sr);
    unsigned __int128 t = (unsigned __int128)x * m;
    uint64_t e0 = ((x & 0xffffffffu) * m) >> 32;

    uint64_t u[COL_N] = {0};
    u[COL_MULT] = 1;
    u[COL_FLAG + (unsigned)idx] = 1;
    u[COL_OF + d] = 1;
    for (unsigned i = 0; i < 3; i++) u[COL_SR + i] = (sr >> i) & 1;
    u[COL_P] = 1ull << sr;
    u[COL_M] = m;
    if (is_shift(op)) {
        u[COL_B5] = is_wshift(op) ? (y >> 5) & 1 : 0;
        u[COL_B6] = (y >> 6) & 1;
        u[COL_B7] = (y >> 7) & 1;
    }
    for (unsigned i = 0; i < 2; i++) {
        u[COL_XH0 + 3 * i] = (x >> (32 * i)) & 0xffff;
        u[COL_XH1 + 3 * i] = (x >> (32 * i + 16)) & 0xffff;
        u[COL_S31 + 3 * i] = (x >> (32 * i + 31)) & 1;
    }
    for (unsigned i = 0; i < 9; i++) u[COL_TB + i] = (uint64_t)(t >> (8 * i)) & 0xff;
    u[COL_E0] = e0;
    for (unsigned i = 0; i < 4; i++) u[COL_YB + i] = (y >> (8 * i)) & 0xff;
    u[COL_YH] = (y >> 32) & 0xffff;
    u[COL_YH + 1] = y >> 48;

    uint64_t src[SRC_N];
    for (int k = 0; k < SRC_N - 2; k++) src[k] = u[src_col(k)];
    int ss = shift_sign_src(op, d);
    if (is_sgnx(op)) {
        uint64_t sbyte = ss >= 0 ? src[ss] : 0;
        u[COL_SG] = sbyte >> 7;
        u[COL_R7] = sbyte & 0x7f;
        u[COL_FSG] = u[COL_SG];
    } else if (op == ZKVM_OP_SRA) {
        u[COL_FSG] = u[COL_S63];
    } else if (op == ZKVM_OP_SRAW) {
        u[COL_FSG] = u[COL_S31];
    }
    u[COL_FM] = u[COL_FSG] * (256 - m);
    src[SRC_FSG] = u[COL_FSG];
    src[SRC_FM] = u[COL_FM];

    /* The result through the selection table must be zkvm_op_eval's (it is what the
     * constraints will demand): a mismatch is a bug in this file. */
    uint64_t c = 0, coef[SRC_N];
    for (unsigned k = 0; k < 8; k++) {
        uint64_t byte = 0;
        shift_byte_terms(op, d, k, coef);
        for (int j = 0; j < SRC_N; j++) byte += coef[j] * src[j];
        ZISK_ASSERT(byte < 256);
        c |= byte << (8 * k);
    }
    ZISK_ASSERT(c == r->c);
    u[COL_OPC] = r->opc;
    u[COL_CLO] = c & 0xffffffffu;
    u[COL_CHI] = c >> 32;
    for (size_t i = 0; i < N_PAIRS; i++) u[COL_PAND + i] = u[shift_pairs[i].a] & u[shift_pairs[i].b];

    for (unsigned i = 0; i < COL_N; i++) v[i] = gl_from_u64(u[i]);

    for (size_t i = 0; rc && i < N_LOOKUPS; i++) {
        const shift_lookup *l = &shift_lookups[i];
        int64_t val = 0;
        for (int t = 0; t < 2; t++) val += l->k[t] * (int64_t)u[l->col[t]];
        ZISK_ASSERT(val >= 0);
        zkvm_range_add(rc, (uint64_t)val);
    }
    for (size_t i = 0; bc && i < N_PAIRS; i++)
        bc->byte[zkvm_binary_and_row((unsigned)u[shift_pairs[i].a], (unsigned)u[shift_pairs[i].b])]++;
}

void zkvm_shift_count_bytes(zkvm_binary_counts *bc, const zkvm_op_record *recs, size_t n) {
    gl_t v[COL_N];
    for (size_t i = 0; i < n; i++) shift_row(&recs[i], v, NULL, bc);
}

gl_t *zkvm_shift_trace(const zkvm_op_record *recs, size_t n, unsigned log_n,
                       zkvm_range_counts *rc) {
    ZISK_ASSERT(log_n >= 1 && log_n <= 26);
    size_t rows = (size_t)1 << log_n;
    ZISK_ASSERT(n <= rows && (n == 0 || recs != NULL) && rc != NULL);
    gl_t *tr = zkvm_trace_alloc(COL_N, rows);
    /* Rows are independent; each thread counts its range lookups apart and adds them at the
     * end (the counts do not depend on the schedule). */
#pragma omp parallel if (n >= ((size_t)1 << 12))
    {
        zkvm_range_counts *my = zisk_xcalloc(1, sizeof *my);
        gl_t v[COL_N];
#pragma omp for schedule(static)
        for (size_t i = 0; i < n; i++) {
            shift_row(&recs[i], v, my, NULL);
            for (unsigned c = 0; c < COL_N; c++) tr[(size_t)c * rows + i] = v[c];
        }
#pragma omp critical(zkvm_shift_trace_counts)
        zkvm_range_merge(rc, my);
        free(my);
    }
    /* Padding: everything 0 except P = 2^0 (sr = 0); its range lookups are all of 0, its byte
     * lookups have multiplicity 0. */
    for (size_t i = n; i < rows; i++) tr[(size_t)COL_P * rows + i] = 1;
    rc->counts[0] += (uint32_t)(N_LOOKUPS * (rows - n));
    return tr;
}
