/* cmp.c: the cmp provider AIR (cmp.h; docs/zkvm/cmp.md has the soundness argument every
 * constraint below refers to). */
#include "cmp.h"

#include <stdlib.h>
#include <string.h>

#include "base.h"
#include "provider_air.h"
#include "zkvm_bus.h"

/* Stage-1 columns. F_*: one-hot class flags (their sum is the row's multiplicity); U, N: the
 * attribute bits (unsigned; GE / MAX: the result is the negated "x < y"); XC, YC: the compared
 * 32-bit words of x and y (the high words when they differ, else the low words; the low words
 * for the W forms), XO, YO: the other words; CC, CO: the result's words in the same order; H:
 * the compared words are the high words; INV: 1 / (x_c - y_c) where H is set (JALR: the low
 * word's carry); AX, AY: the low 16 bits of x_c, y_c; SX, SY: bit 31 of x_c, y_c; D0, D1: the
 * 16-bit limbs of (x_c - y_c) mod 2^32; R: the result bit (compares) or "take x" (selects).
 * JALR rows use them differently (docs/zkvm/cmp.md, "JALR"). */
enum {
    COL_F_CMP, COL_F_SEL, COL_F_SELW, COL_F_JALR, COL_U, COL_N,
    COL_XC, COL_XO, COL_YC, COL_YO, COL_CC, COL_CO,
    COL_H, COL_INV, COL_AX, COL_AY, COL_SX, COL_SY, COL_D0, COL_D1, COL_R,
    N_COLS
};
static const char *const COL_NAMES[N_COLS] = {
    "f_cmp", "f_sel", "f_selw", "f_jalr", "u",   "n",   "x_c", "x_o", "y_c", "y_o", "c_c",
    "c_o",   "h",     "inv",    "a_x",    "a_y", "s_x", "s_y", "d0",  "d1",  "r",
};

/* The classes (a class is the index of its flag column) and the ops: class, u, n of each.
 * opc = BASE + u U_W + n N_W of its class (checked when the AIR is built). */
enum { CLS_CMP = COL_F_CMP, CLS_SEL = COL_F_SEL, CLS_SELW = COL_F_SELW, CLS_JALR = COL_F_JALR, N_CLS };
static const int64_t CLS_BASE[N_CLS] = {4, 33, 37, 41}, CLS_U_W[N_CLS] = {1, 2, 2, 0}, CLS_N_W[N_CLS] = {27, 1, 1, 0};
#define N_OPS 13
static const zkvm_op OPS[N_OPS] = {
    ZKVM_OP_SLT,  ZKVM_OP_SLTU, ZKVM_OP_GE,    ZKVM_OP_GEU,   ZKVM_OP_MIN, ZKVM_OP_MAX,  ZKVM_OP_MINU,
    ZKVM_OP_MAXU, ZKVM_OP_MINW, ZKVM_OP_MAXW,  ZKVM_OP_MINUW, ZKVM_OP_MAXUW, ZKVM_OP_JALR,
};
static const struct {
    uint8_t cls, u, n;
} OP_ATTR[N_OPS] = {
    {CLS_CMP, 0, 0},  {CLS_CMP, 1, 0},  {CLS_CMP, 0, 1},  {CLS_CMP, 1, 1},  {CLS_SEL, 0, 0},
    {CLS_SEL, 0, 1},  {CLS_SEL, 1, 0},  {CLS_SEL, 1, 1},  {CLS_SELW, 0, 0}, {CLS_SELW, 0, 1},
    {CLS_SELW, 1, 0}, {CLS_SELW, 1, 1}, {CLS_JALR, 0, 0},
};

#define M16 0xffffull
#define M32 0xffffffffull
#define TWO16 ((int64_t)1 << 16)
#define TWO31 ((int64_t)1 << 31)
#define TWO32 ((int64_t)1 << 32)
/* 2^-16 and 2^-32 mod p (2^96 = -1 mod p, so 2^-16 = -2^80 = -2^16 (2^32 - 1) and 2^-32 =
 * -2^64 = -(2^32 - 1); checked when the AIR is built). */
#define INV_2_16 0xfffeffff00010001ull
#define INV_2_32 0xfffffffe00000002ull

int zkvm_cmp_handles(zkvm_op op) { return pa_op_slot(OPS, N_OPS, op) >= 0; }

gl_t *zkvm_cmp_fixed(unsigned log_n) {
    (void)log_n;
    return NULL;
}

/* ------------------------------------------------------------------------------------------ */
/* The AIR                                                                                      */
/* ------------------------------------------------------------------------------------------ */

air *zkvm_cmp_air(void) {
    ZISK_ASSERT(gl_mul(INV_2_16, 1ull << 16) == 1 && gl_mul(INV_2_32, 1ull << 32) == 1);
    for (unsigned i = 0; i < N_OPS; i++) {
        unsigned k = OP_ATTR[i].cls;
        ZISK_ASSERT(CLS_BASE[k] + OP_ATTR[i].u * CLS_U_W[k] + OP_ATTR[i].n * CLS_N_W[k] == (int64_t)OPS[i]);
    }
    bld bs = pa_begin("cmp", COL_NAMES, N_COLS), *B = &bs;
    air_expr f_cmp = col(B, COL_F_CMP), f_sel = col(B, COL_F_SEL), f_selw = col(B, COL_F_SELW);
    air_expr f_jalr = col(B, COL_F_JALR), u = col(B, COL_U), n = col(B, COL_N);
    air_expr x_c = col(B, COL_XC), x_o = col(B, COL_XO), y_c = col(B, COL_YC), y_o = col(B, COL_YO);
    air_expr c_c = col(B, COL_CC), c_o = col(B, COL_CO), h = col(B, COL_H), inv = col(B, COL_INV);
    air_expr a_x = col(B, COL_AX), a_y = col(B, COL_AY), s_x = col(B, COL_SX), s_y = col(B, COL_SY);
    air_expr d0 = col(B, COL_D0), d1 = col(B, COL_D1), r = col(B, COL_R);
    air_expr act = add(B, add(B, f_cmp, f_sel), add(B, f_selw, f_jalr));
    air_expr f64 = add(B, f_cmp, f_sel); /* a 64-bit comparison */
    /* the sign-flipped compared words x_c XOR 2^31 (with s_x the sign bit) and their high halves */
    air_expr v_x = sub(B, add(B, x_c, K(B, TWO31)), scale(B, TWO32, s_x));
    air_expr v_y = sub(B, add(B, y_c, K(B, TWO31)), scale(B, TWO32, s_y));
    air_expr l_x = mul(B, air_const(B->b, INV_2_16), sub(B, v_x, a_x));
    air_expr l_y = mul(B, air_const(B->b, INV_2_16), sub(B, v_y, a_y));

    for (unsigned i = COL_F_CMP; i <= COL_F_JALR; i++) boolean(B, COL_NAMES[i], col(B, i));
    boolean(B, "one_op", act); /* with boolean flags: at most one flag set */
    boolean(B, "u", u);
    boolean(B, "n", n);
    boolean(B, "h", h);
    boolean(B, "s_x", s_x);
    boolean(B, "s_y", s_y);
    constrain(B, "r", mul(B, one_minus(B, f_jalr), mul(B, r, one_minus(B, r))));
    /* the compared words: h set => they differ; h clear on a 64-bit row => the high words are equal;
     * W forms and JALR: h clear */
    constrain(B, "hi_ne", mul(B, h, sub(B, mul(B, sub(B, x_c, y_c), inv), K(B, 1))));
    constrain(B, "hi_eq", mul(B, mul(B, f64, one_minus(B, h)), sub(B, x_o, y_o)));
    constrain(B, "h_lo", mul(B, add(B, f_selw, f_jalr), h));
    /* x_c - y_c + 2^32 beta = d0 + 2^16 d1 with beta = (r XOR n) - sg (s_x - s_y): the unsigned
     * borrow of x_c - y_c; sg = the compared words are compared as signed 32-bit words */
    air_expr sg = mul(B, one_minus(B, u), add(B, h, f_selw));
    air_expr r_xor_n = sub(B, add(B, r, n), scale(B, 2, mul(B, r, n)));
    air_expr beta = sub(B, r_xor_n, mul(B, sg, sub(B, s_x, s_y)));
    constrain(B, "cmp", sub(B, add(B, sub(B, x_c, y_c), scale(B, TWO32, beta)), add(B, d0, scale(B, TWO16, d1))));
    /* results: compares c = (r, 0); selects c = r ? x : y; W selects c_hi = the selected sign fill */
    constrain(B, "cmp_lo", mul(B, f_cmp, sub(B, add(B, c_c, c_o), r)));
    constrain(B, "cmp_hi", mul(B, f_cmp, add(B, c_o, mul(B, h, sub(B, c_c, c_o)))));
    constrain(B, "sel_c", mul(B, add(B, f_sel, f_selw), sub(B, sub(B, c_c, y_c), mul(B, r, sub(B, x_c, y_c)))));
    constrain(B, "sel_o", mul(B, f_sel, sub(B, sub(B, c_o, y_o), mul(B, r, sub(B, x_o, y_o)))));
    air_expr s_sel = add(B, s_y, mul(B, r, sub(B, s_x, s_y)));
    constrain(B, "selw_fill", mul(B, f_selw, sub(B, c_o, scale(B, (int64_t)M32, s_sel))));
    /* JALR: c_lo = v_x (even: a_x = 2 d0), c_hi = v_y; x_o + y_o = v_x + e + 2^32 inv and
     * c_c + c_o + inv = v_y (mod 2^32), with e and the carry inv bits */
    constrain(B, "jalr_even", mul(B, f_jalr, sub(B, a_x, scale(B, 2, d0))));
    constrain(B, "jalr_carry", mul(B, f_jalr, mul(B, inv, one_minus(B, inv))));
    air_expr e = sub(B, sub(B, add(B, x_o, y_o), v_x), scale(B, TWO32, inv));
    constrain(B, "jalr_bit0", mul(B, f_jalr, mul(B, e, one_minus(B, e))));
    air_expr t = sub(B, add(B, add(B, c_c, c_o), inv), v_y);
    constrain(B, "jalr_hi", mul(B, f_jalr, mul(B, t, sub(B, t, K(B, TWO32)))));

    /* the received tuple (degree 2: the op interaction is alone in its bus group) */
    air_expr opc = K(B, 0), u_w = K(B, 0), n_w = K(B, 0);
    for (unsigned k = 0; k < N_CLS; k++) {
        opc = add(B, opc, scale(B, CLS_BASE[k], col(B, k)));
        u_w = add(B, u_w, scale(B, CLS_U_W[k], col(B, k)));
        n_w = add(B, n_w, scale(B, CLS_N_W[k], col(B, k)));
    }
    opc = add(B, opc, add(B, mul(B, u, u_w), mul(B, n, n_w)));
    air_expr g = add(B, h, f_jalr);
    air_expr x_lo = add(B, x_c, mul(B, g, sub(B, x_o, x_c)));
    air_expr x_hi = add(B, add(B, x_o, mul(B, h, sub(B, x_c, x_o))), mul(B, f_jalr, sub(B, c_c, x_o)));
    air_expr y_lo = add(B, y_c, mul(B, g, sub(B, y_o, y_c)));
    air_expr y_hi = add(B, add(B, y_o, mul(B, h, sub(B, y_c, y_o))), mul(B, f_jalr, sub(B, c_o, y_o)));
    air_expr c_lo = add(B, add(B, c_c, mul(B, h, sub(B, c_o, c_c))), mul(B, f_jalr, sub(B, v_x, c_c)));
    air_expr c_hi = add(B, add(B, c_o, mul(B, h, sub(B, c_c, c_o))), mul(B, f_jalr, sub(B, v_y, c_o)));
    air_expr tuple[7] = {opc, x_lo, x_hi, y_lo, y_hi, c_lo, c_hi};
    air_bus_recv(B->b, "op", ZKVM_BUS_OP, act, tuple, 7);
    /* a_x, (v_x - a_x) / 2^16 in [0, 2^16): v_x in [0, 2^32), so s_x is bit 31 of x_c; the same
     * for y; d0, d1 in [0, 2^16): the borrow beta is exact */
    air_expr limbs[6] = {a_x, l_x, a_y, l_y, d0, d1};
    for (unsigned i = 0; i < 6; i++) air_bus_send(B->b, "range", ZKVM_BUS_RANGE16, act, &limbs[i], 1);

    return pa_finish(B, N_COLS);
}

/* ------------------------------------------------------------------------------------------ */
/* The trace                                                                                    */
/* ------------------------------------------------------------------------------------------ */

/* x + 2^31 - 2^32 s in the field (the sign-flipped word of the AIR's v_x, v_y). */
static gl_t flipped(gl_t x, gl_t s) { return gl_sub(gl_add(x, 1ull << 31), gl_mul(1ull << 32, s)); }

/* The row's six range-lookup values (mirrors the AIR's limbs[]). */
static void lookup_values(gl_t xc, gl_t yc, gl_t ax, gl_t ay, gl_t sx, gl_t sy, gl_t d0, gl_t d1, gl_t v[6]) {
    v[0] = ax;
    v[1] = gl_mul(INV_2_16, gl_sub(flipped(xc, sx), ax));
    v[2] = ay;
    v[3] = gl_mul(INV_2_16, gl_sub(flipped(yc, sy), ay));
    v[4] = d0;
    v[5] = d1;
}

/* Fills row[0..N_COLS) (canonical field elements) for a valid record of op index f. */
static void witness(const zkvm_op_record *rec, int f, uint64_t row[N_COLS]) {
    memset(row, 0, N_COLS * sizeof *row);
    unsigned cls = OP_ATTR[f].cls, u = OP_ATTR[f].u, n = OP_ATTR[f].n;
    uint64_t x_lo = rec->x & M32, x_hi = rec->x >> 32, y_lo = rec->y & M32, y_hi = rec->y >> 32;
    row[cls] = 1, row[COL_U] = u, row[COL_N] = n;
    uint64_t xc, yc;
    if (cls == CLS_JALR) {
        /* x_c = c_lo XOR 2^31, so v_x = c_lo (and v_y = c_hi); the other columns hold x and y */
        xc = (rec->c & M32) ^ (1ull << 31), yc = (rec->c >> 32) ^ (1ull << 31);
        row[COL_XO] = x_lo, row[COL_YO] = y_lo, row[COL_CC] = x_hi, row[COL_CO] = y_hi;
        row[COL_INV] = (x_lo + y_lo) >> 32;
    } else {
        int h = cls != CLS_SELW && x_hi != y_hi;
        xc = h ? x_hi : x_lo, yc = h ? y_hi : y_lo;
        row[COL_XO] = h ? x_lo : x_hi, row[COL_YO] = h ? y_lo : y_hi;
        row[COL_H] = (uint64_t)h;
        if (h) row[COL_INV] = gl_inv(gl_sub(xc, yc));
    }
    row[COL_XC] = xc, row[COL_YC] = yc;
    row[COL_AX] = xc & M16, row[COL_AY] = yc & M16;
    uint64_t sx = xc >> 31, sy = yc >> 31;
    row[COL_SX] = sx, row[COL_SY] = sy;
    if (cls == CLS_JALR) {
        /* d0 = a_x / 2 proves c_lo even; d1 = 0; r is whatever makes "cmp" hold (u = n = 0) */
        row[COL_D0] = row[COL_AX] >> 1;
        row[COL_R] = gl_mul(INV_2_32, gl_sub(row[COL_D0], gl_sub(xc, yc)));
        return;
    }
    uint64_t dd = (xc - yc) & M32, b = xc < yc;
    row[COL_D0] = dd & M16, row[COL_D1] = dd >> 16;
    int sg = !u && (row[COL_H] || cls == CLS_SELW);
    uint64_t lt = sg && sx != sy ? sx : b; /* signed: different signs => x < y iff x is negative */
    uint64_t r = lt ^ n;
    row[COL_R] = r;
    if (cls == CLS_CMP) {
        row[row[COL_H] ? COL_CO : COL_CC] = r;
    } else {
        row[COL_CC] = r ? xc : yc;
        row[COL_CO] = cls == CLS_SEL ? (r ? row[COL_XO] : row[COL_YO]) : M32 * (r ? sx : sy);
    }
}

/* The equations of the AIR on a field row (mirrors zkvm_cmp_air; the trace builder checks every
 * row it makes with it, so a builder that disagrees with the AIR aborts here, not in a proof):
 * the constraints, the lookup values in range, and the received tuple equal to the record's. */
static int row_ok(const uint64_t row[N_COLS], const zkvm_op_record *rec) {
    for (unsigned k = 0; k < N_COLS; k++)
        if (!gl_is_canonical(row[k])) return 0;
    gl_t fc = row[COL_F_CMP], fs = row[COL_F_SEL], fw = row[COL_F_SELW], fj = row[COL_F_JALR];
    gl_t u = row[COL_U], n = row[COL_N], h = row[COL_H], inv = row[COL_INV], r = row[COL_R];
    gl_t xc = row[COL_XC], xo = row[COL_XO], yc = row[COL_YC], yo = row[COL_YO];
    gl_t cc = row[COL_CC], co = row[COL_CO], sx = row[COL_SX], sy = row[COL_SY];
    gl_t d0 = row[COL_D0], d1 = row[COL_D1], ax = row[COL_AX];
    const gl_t bits[10] = {fc, fs, fw, fj, u, n, h, sx, sy, gl_add(gl_add(fc, fs), gl_add(fw, fj))};
    for (unsigned i = 0; i < 10; i++)
        if (bits[i] > 1) return 0;
    if (bits[9] != 1 || (!fj && r > 1)) return 0;
    gl_t vx = flipped(xc, sx), vy = flipped(yc, sy);
    if (h && gl_mul(gl_sub(xc, yc), inv) != 1) return 0;
    if ((fc || fs) && !h && xo != yo) return 0;
    if ((fw || fj) && h) return 0;
    gl_t r_xor_n = gl_sub(gl_add(r, n), gl_mul(2, gl_mul(r, n)));
    gl_t sg = (!u && (h || fw)) ? 1 : 0;
    gl_t beta = gl_sub(r_xor_n, gl_mul(sg, gl_sub(sx, sy)));
    if (gl_add(gl_sub(xc, yc), gl_mul(1ull << 32, beta)) != gl_add(d0, gl_mul(1ull << 16, d1))) return 0;
    if (fc && (gl_add(cc, co) != r || (h ? cc : co) != 0)) return 0;
    if ((fs || fw) && cc != (r ? xc : yc)) return 0;
    if (fs && co != (r ? xo : yo)) return 0;
    if (fw && co != M32 * (r ? sx : sy)) return 0;
    if (fj) {
        gl_t e = gl_sub(gl_sub(gl_add(xo, yo), vx), gl_mul(1ull << 32, inv));
        gl_t t = gl_sub(gl_add(gl_add(cc, co), inv), vy);
        if (ax != gl_mul(2, d0) || inv > 1 || e > 1 || (t != 0 && t != (1ull << 32))) return 0;
    }
    gl_t v[6];
    lookup_values(xc, yc, ax, row[COL_AY], sx, sy, d0, d1, v);
    for (unsigned i = 0; i < 6; i++)
        if (v[i] > M16) return 0;
    unsigned cls = fc ? CLS_CMP : fs ? CLS_SEL : fw ? CLS_SELW : CLS_JALR;
    uint64_t opc = (uint64_t)(CLS_BASE[cls] + (int64_t)u * CLS_U_W[cls] + (int64_t)n * CLS_N_W[cls]);
    /* the tuple's limbs (fj and h are not both set) */
    gl_t x_lo = fj ? xo : h ? xo : xc, x_hi = fj ? cc : h ? xc : xo;
    gl_t y_lo = fj ? yo : h ? yo : yc, y_hi = fj ? co : h ? yc : yo;
    gl_t c_lo = fj ? vx : h ? co : cc, c_hi = fj ? vy : h ? cc : co;
    return opc == rec->opc && x_lo == (rec->x & M32) && x_hi == rec->x >> 32 && y_lo == (rec->y & M32) &&
           y_hi == rec->y >> 32 && c_lo == (rec->c & M32) && c_hi == rec->c >> 32;
}

gl_t *zkvm_cmp_trace(const zkvm_op_record *recs, size_t n, unsigned log_n, zkvm_range_counts *rc) {
    return pa_trace_counted("cmp", OPS, N_OPS, N_COLS, recs, n, log_n, witness, row_ok, zkvm_cmp_count_lookups, rc,
                            NULL);
}

size_t zkvm_cmp_count_lookups(const gl_t *trace, unsigned log_n, zkvm_range_counts *rc) {
    size_t rows = (size_t)1 << log_n, skipped = 0;
    const gl_t *col_of[N_COLS];
    for (unsigned k = 0; k < N_COLS; k++) col_of[k] = trace + (size_t)k * rows;
    for (size_t i = 0; i < rows; i++) {
        gl_t act = gl_add(gl_add(col_of[COL_F_CMP][i], col_of[COL_F_SEL][i]),
                          gl_add(col_of[COL_F_SELW][i], col_of[COL_F_JALR][i]));
        if (act == 0) continue;
        gl_t v[6];
        lookup_values(col_of[COL_XC][i], col_of[COL_YC][i], col_of[COL_AX][i], col_of[COL_AY][i],
                      col_of[COL_SX][i], col_of[COL_SY][i], col_of[COL_D0][i], col_of[COL_D1][i], v);
        for (unsigned l = 0; l < 6; l++) {
            if (act == 1 && v[l] < (1u << 16))
                zkvm_range_add(rc, v[l]);
            else
                skipped++;
        }
    }
    return skipped;
}
