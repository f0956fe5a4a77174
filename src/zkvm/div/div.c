/* div.c: the div provider AIR (div.h; docs/zkvm/div.md has the soundness argument every
 * constraint below refers to, with the bounds that keep each equation below p). */
#include "div.h"

#include <stdlib.h>
#include <string.h>

#include "base.h"
#include "provider_air.h"
#include "zkvm_bus.h"

/* Stage-1 columns. ACT: a real row (the multiplicity); U: unsigned (DIVU, REMU); REM: the
 * result is the remainder (REM, REMU); X_LO, X_HI: the tuple's words of x; A_X: the low 16 bits
 * of x_hi (its sign check); S_X, S_Y, S_Q, S_R: the sign bits of x, y, the quotient and the
 * remainder (0 on unsigned rows); Y0..Y3: y's 16-bit limbs; Q0..Q3, R0..R3: the limbs of q~ and
 * r~, the ones' complements (v XOR (2^64 - 1) s) of the quotient and the remainder; C_LO, C_HI:
 * the result's words; K0 + 2^16 K0_B16: the carry out of the product's low 32-bit chunk; DZ:
 * division by zero; G1..G3: the index (1..3) of the most significant limb where r~ and y~
 * differ (index 0 when none is set); D: y~_j - r~_j - 1 (+ s_y at index 0) at that index; INV:
 * 1 / (|y| - |r|) on rows with a negative remainder. */
enum {
    COL_ACT, COL_U, COL_REM,
    COL_X_LO, COL_X_HI, COL_A_X, COL_S_X,
    COL_Y0, COL_Y1, COL_Y2, COL_Y3, COL_S_Y,
    COL_Q0, COL_Q1, COL_Q2, COL_Q3, COL_S_Q,
    COL_R0, COL_R1, COL_R2, COL_R3, COL_S_R,
    COL_C_LO, COL_C_HI,
    COL_K0, COL_K0_B16,
    COL_DZ,
    COL_G1, COL_G2, COL_G3, COL_D, COL_INV,
    N_COLS
};
static const char *const COL_NAMES[N_COLS] = {
    "act", "u",   "rem", "x_lo", "x_hi", "a_x",    "s_x", "y0", "y1", "y2", "y3",  "s_y", "q0", "q1", "q2", "q3",
    "s_q", "r0",  "r1",  "r2",   "r3",   "s_r",    "c_lo", "c_hi", "k0", "k0_b16", "dz", "g1", "g2", "g3", "d",
    "inv",
};
/* The ops by flag index f: u = f & 1, rem = f >> 1, opc = OPC_BASE + f. */
#define N_OPS 4
static const zkvm_op OPS[N_OPS] = {ZKVM_OP_DIV, ZKVM_OP_DIVU, ZKVM_OP_REM, ZKVM_OP_REMU};
#define OPC_BASE 20
/* The columns looked up with multiplicity act, in declaration order. y3 is not among them: the
 * comparison (or dz_y) makes it an integer and the canonical y_hi = y2 + 2^16 y3 then puts it in
 * [0, 2^16) (div.md, "Ranges"). */
static const unsigned RANGE_COLS[] = {COL_Y0, COL_Y1, COL_Y2, COL_Q0, COL_Q1, COL_Q2, COL_Q3,
                                      COL_R0, COL_R1, COL_R2, COL_R3, COL_K0, COL_D};
#define N_RANGE (sizeof RANGE_COLS / sizeof RANGE_COLS[0])

#define M16 0xffffull
#define M32 0xffffffffull
#define TWO16 ((int64_t)1 << 16)
#define TWO31 ((int64_t)1 << 31)
#define TWO32 ((int64_t)1 << 32)

int zkvm_div_handles(zkvm_op op) { return pa_op_slot(OPS, N_OPS, op) >= 0; }

gl_t *zkvm_div_fixed(unsigned log_n) {
    (void)log_n;
    return NULL;
}

/* ------------------------------------------------------------------------------------------ */
/* The AIR                                                                                      */
/* ------------------------------------------------------------------------------------------ */

/* v XOR (max s): v + s (max - 2 v), the ones' complement of a limb (max = 2^16 - 1) or a word
 * (max = 2^32 - 1) when the bit s is set, v itself otherwise. */
static air_expr flip(bld *B, air_expr v, air_expr s, int64_t max) {
    return add(B, v, mul(B, s, sub(B, K(B, max), scale(B, 2, v))));
}
static air_expr word(bld *B, air_expr lo, air_expr hi) { return add(B, lo, scale(B, TWO16, hi)); }

air *zkvm_div_air(void) {
    bld bs = pa_begin("div", COL_NAMES, N_COLS), *B = &bs;
    air_expr act = col(B, COL_ACT), u = col(B, COL_U), rem = col(B, COL_REM);
    air_expr x_lo = col(B, COL_X_LO), x_hi = col(B, COL_X_HI), a_x = col(B, COL_A_X);
    air_expr s_x = col(B, COL_S_X), s_y = col(B, COL_S_Y), s_q = col(B, COL_S_Q), s_r = col(B, COL_S_R);
    air_expr c_lo = col(B, COL_C_LO), c_hi = col(B, COL_C_HI), dz = col(B, COL_DZ);
    air_expr k0_b16 = col(B, COL_K0_B16), k0 = add(B, col(B, COL_K0), scale(B, TWO16, k0_b16));
    air_expr g[4], d = col(B, COL_D), inv = col(B, COL_INV);
    air_expr y[4], yt[4], q[4], r[4];
    for (unsigned i = 0; i < 4; i++) {
        y[i] = col(B, COL_Y0 + i), q[i] = col(B, COL_Q0 + i), r[i] = col(B, COL_R0 + i);
        yt[i] = flip(B, y[i], s_y, (int64_t)M16); /* the limbs of y~ */
    }
    air_expr sgn = sub(B, act, u); /* a signed row */
    air_expr en = sub(B, act, dz); /* the comparison is on */
    g[1] = col(B, COL_G1), g[2] = col(B, COL_G2), g[3] = col(B, COL_G3);
    g[0] = sub(B, sub(B, sub(B, en, g[1]), g[2]), g[3]);
    air_expr q_lo = word(B, q[0], q[1]), q_hi = word(B, q[2], q[3]);
    air_expr r_lo = word(B, r[0], r[1]), r_hi = word(B, r[2], r[3]);
    air_expr yt_lo = word(B, yt[0], yt[1]), yt_hi = word(B, yt[2], yt[3]);
    /* |x| = (1 - 2 s_x) x + 2^64 s_x (x itself on unsigned rows), word by word */
    air_expr x_sgn = one_minus(B, scale(B, 2, s_x));
    /* the quotient's sign by the rules of truncated division: s_x XOR s_y */
    air_expr sigma = sub(B, add(B, s_x, s_y), scale(B, 2, mul(B, s_x, s_y)));
    /* the limb convolution of q~ y~: conv[e] = sum_{i+j=e} q_i y~_j (each term < 2^32) */
    air_expr conv[7];
    for (unsigned e = 0; e < 7; e++) {
        conv[e] = K(B, 0);
        for (unsigned i = 0; i < 4; i++)
            if (e >= i && e - i < 4) conv[e] = add(B, conv[e], mul(B, q[i], yt[e - i]));
    }
    air_expr sum_q = add(B, add(B, q[0], q[1]), add(B, q[2], q[3]));
    air_expr sum_r = add(B, add(B, r[0], r[1]), add(B, r[2], r[3]));
    air_expr sum_y = add(B, add(B, y[0], y[1]), add(B, y[2], y[3]));

    /* flags: act, u, rem bits, u only on real rows (so act - u, the signed rows' lookup
     * multiplicity, is a bit too) */
    boolean(B, "act", act);
    boolean(B, "u", u);
    boolean(B, "rem", rem);
    constrain(B, "u_act", mul(B, u, one_minus(B, act)));
    boolean(B, "s_x", s_x);
    boolean(B, "s_y", s_y);
    boolean(B, "s_q", s_q);
    boolean(B, "s_r", s_r);
    boolean(B, "k0_b16", k0_b16);
    boolean(B, "dz", dz);
    boolean(B, "g1", g[1]);
    boolean(B, "g2", g[2]);
    boolean(B, "g3", g[3]);
    boolean(B, "g0", g[0]); /* with en a bit: one-hot index when en = 1, none when en = 0 */
    /* unsigned rows read x and y as nonnegative */
    constrain(B, "u_sx", mul(B, u, s_x));
    constrain(B, "u_sy", mul(B, u, s_y));
    /* signs: the remainder's is x's unless it is 0, the quotient's s_x XOR s_y unless it is 0 */
    constrain(B, "r_sign", mul(B, s_r, one_minus(B, s_x)));
    constrain(B, "r_zero", mul(B, sub(B, s_x, s_r), sum_r));
    constrain(B, "q_sign", mul(B, s_q, one_minus(B, sigma)));
    constrain(B, "q_zero", mul(B, sub(B, sigma, s_q), sum_q));
    /* (q~ + s_q)(y~ + s_y) + r~ + s_r = |x| in two 32-bit chunks, carry k0, no carry out */
    air_expr lo = add(B, conv[0], scale(B, TWO16, conv[1]));
    lo = add(B, lo, add(B, mul(B, s_y, q_lo), mul(B, s_q, yt_lo)));
    lo = add(B, lo, add(B, mul(B, s_q, s_y), add(B, r_lo, s_r)));
    lo = sub(B, lo, add(B, mul(B, x_sgn, x_lo), scale(B, TWO32, k0)));
    constrain(B, "chunk_lo", lo);
    air_expr hi = add(B, conv[2], scale(B, TWO16, conv[3]));
    hi = add(B, hi, add(B, mul(B, s_y, q_hi), mul(B, s_q, yt_hi)));
    hi = sub(B, add(B, hi, add(B, r_hi, k0)), add(B, mul(B, x_sgn, x_hi), scale(B, TWO32, s_x)));
    constrain(B, "chunk_hi", hi);
    /* the product's limb terms of weight 2^64 and more: a sum of nonnegative terms, so each is 0 */
    constrain(B, "high", add(B, add(B, conv[4], conv[5]), conv[6]));
    /* division by zero: y = 0 and the quotient's two's complement all ones */
    constrain(B, "dz_y", mul(B, dz, sum_y));
    air_expr q_gap = K(B, 0); /* sum of 0xffff - (q_i XOR 0xffff s_q): 0 iff q's complement is all ones */
    for (unsigned i = 0; i < 4; i++) q_gap = add(B, q_gap, sub(B, K(B, (int64_t)M16), flip(B, q[i], s_q, (int64_t)M16)));
    constrain(B, "dz_q", mul(B, dz, q_gap));
    /* R < |y| (en = 1): r~ and y~ agree above the index j, differ by d + 1 (- s_y at j = 0) at j */
    constrain(B, "eq3", mul(B, add(B, add(B, g[0], g[1]), g[2]), sub(B, yt[3], r[3])));
    constrain(B, "eq2", mul(B, add(B, g[0], g[1]), sub(B, yt[2], r[2])));
    constrain(B, "eq1", mul(B, g[0], sub(B, yt[1], r[1])));
    air_expr dd = mul(B, g[0], s_y);
    for (unsigned j = 0; j < 4; j++) dd = add(B, dd, mul(B, g[j], sub(B, sub(B, yt[j], r[j]), K(B, 1))));
    constrain(B, "cmp_d", sub(B, dd, d));
    /* a negative remainder: |y| - |r| = y~ + s_y - r~ - s_r is not 0 */
    air_expr delta = sub(B, add(B, add(B, yt_lo, scale(B, TWO32, yt_hi)), s_y), add(B, add(B, r_lo, scale(B, TWO32, r_hi)), s_r));
    constrain(B, "cmp_inv", sub(B, mul(B, delta, inv), s_r));
    /* the result: the two's complement of the signed quotient or remainder */
    air_expr res_lo = add(B, mul(B, one_minus(B, rem), flip(B, q_lo, s_q, (int64_t)M32)), mul(B, rem, flip(B, r_lo, s_r, (int64_t)M32)));
    air_expr res_hi = add(B, mul(B, one_minus(B, rem), flip(B, q_hi, s_q, (int64_t)M32)), mul(B, rem, flip(B, r_hi, s_r, (int64_t)M32)));
    constrain(B, "c_lo", sub(B, c_lo, res_lo));
    constrain(B, "c_hi", sub(B, c_hi, res_hi));

    air_expr opc = add(B, add(B, scale(B, OPC_BASE, act), u), scale(B, 2, rem));
    air_expr tuple[7] = {opc, x_lo, x_hi, word(B, y[0], y[1]), word(B, y[2], y[3]), c_lo, c_hi};
    air_bus_recv(B->b, "op", ZKVM_BUS_OP, act, tuple, 7);
    for (unsigned i = 0; i < N_RANGE; i++) {
        air_expr v = col(B, RANGE_COLS[i]);
        air_bus_send(B->b, "range", ZKVM_BUS_RANGE16, act, &v, 1);
    }
    /* signed rows: a_x and (x_hi + 2^31 - 2^32 s_x - a_x) / 2^16 in [0, 2^16) make s_x bit 31
     * of x_hi; 2 y3 - 2^16 s_y in [0, 2^16) makes s_y bit 15 of y3 */
    air_expr l_x = mul(B, air_const(B->b, gl_inv(1u << 16)),
                       sub(B, sub(B, add(B, x_hi, K(B, TWO31)), scale(B, TWO32, s_x)), a_x));
    air_expr v_y = sub(B, scale(B, 2, y[3]), scale(B, TWO16, s_y));
    air_expr sign_vals[3] = {a_x, l_x, v_y};
    for (unsigned i = 0; i < 3; i++) air_bus_send(B->b, "range_sign", ZKVM_BUS_RANGE16, sgn, &sign_vals[i], 1);

    return pa_finish(B, N_COLS);
}

/* ------------------------------------------------------------------------------------------ */
/* The trace                                                                                    */
/* ------------------------------------------------------------------------------------------ */

static uint64_t ones(uint64_t s) { return s ? ~0ull : 0; }
static uint64_t limb(uint64_t v, unsigned i) { return (v >> (16 * i)) & M16; }
static uint64_t limbs_at(const uint64_t *row, unsigned c) {
    return row[c] | row[c + 1] << 16 | row[c + 2] << 32 | row[c + 3] << 48;
}

/* The terms of (q~ + s_q)(y~ + s_y) + r~ + s_r in the low chunk (pos_lo) and, without the carry,
 * in the high chunk (pos_hi), and the sum of the limb terms of weight 2^64 and more (high). */
static void product(uint64_t qt, uint64_t yt, uint64_t rt, uint64_t sy, uint64_t sq, uint64_t sr, uint64_t *pos_lo,
                    uint64_t *pos_hi, uint64_t *high) {
    uint64_t conv[7] = {0};
    for (unsigned i = 0; i < 4; i++)
        for (unsigned j = 0; j < 4; j++) conv[i + j] += limb(qt, i) * limb(yt, j);
    *pos_lo = conv[0] + (conv[1] << 16) + sy * (qt & M32) + sq * (yt & M32) + sq * sy + (rt & M32) + sr;
    *pos_hi = conv[2] + (conv[3] << 16) + sy * (qt >> 32) + sq * (yt >> 32) + (rt >> 32);
    *high = conv[4] + conv[5] + conv[6];
}

/* |y| - |r| = y~ + s_y - r~ - s_r in the field. */
static gl_t delta_of(uint64_t yt, uint64_t sy, uint64_t rt, uint64_t sr) {
    return gl_sub(gl_add(gl_from_u64(yt), sy), gl_add(gl_from_u64(rt), sr));
}

/* Fills row[0..N_COLS) for a valid record of flag index f. */
static void witness(const zkvm_op_record *rec, int f, uint64_t row[N_COLS]) {
    memset(row, 0, N_COLS * sizeof *row);
    uint64_t u = (uint64_t)f & 1, x = rec->x, y = rec->y;
    uint64_t sx = u ? 0 : x >> 63, sy = u ? 0 : y >> 63;
    row[COL_ACT] = 1, row[COL_U] = u, row[COL_REM] = (uint64_t)f >> 1;
    row[COL_X_LO] = x & M32, row[COL_X_HI] = x >> 32, row[COL_A_X] = (x >> 32) & M16;
    row[COL_S_X] = sx, row[COL_S_Y] = sy;
    /* the magnitudes (unsigned rows: the values) and the unsigned division of them */
    uint64_t mx = sx ? 0 - x : x, my = sy ? 0 - y : y, sq, qt, mr;
    int dz = y == 0;
    if (dz) {
        mr = mx; /* the quotient is -1 (signed, x < 0) or all ones: its complement is 0 / all ones */
        sq = sx, qt = sx ? 0 : ~0ull;
    } else {
        uint64_t mq = mx / my;
        mr = mx % my;
        sq = (sx ^ sy) && mq != 0, qt = mq - sq;
    }
    uint64_t sr = sx && mr != 0, rt = mr - sr;
    uint64_t yt = y ^ ones(sy);
    for (unsigned i = 0; i < 4; i++) {
        row[COL_Y0 + i] = limb(y, i);
        row[COL_Q0 + i] = limb(qt, i);
        row[COL_R0 + i] = limb(rt, i);
    }
    row[COL_S_Q] = sq, row[COL_S_R] = sr, row[COL_DZ] = (uint64_t)dz;
    row[COL_C_LO] = rec->c & M32, row[COL_C_HI] = rec->c >> 32;
    uint64_t pos_lo, pos_hi, high;
    product(qt, yt, rt, sy, sq, sr, &pos_lo, &pos_hi, &high);
    uint64_t k0 = (sx ? pos_lo + (x & M32) : pos_lo - (x & M32)) >> 32; /* < 2^17 (div.md, "Bounds") */
    row[COL_K0] = k0 & M16, row[COL_K0_B16] = k0 >> 16;
    if (!dz) {
        /* the most significant differing limb (r~ <= y~ when s_y: equal limbs use index 0) */
        unsigned j = 3;
        while (j > 0 && limb(yt, j) == limb(rt, j)) j--;
        row[COL_D] = limb(yt, j) - limb(rt, j) - 1 + (j == 0 ? sy : 0);
        if (j > 0) row[COL_G1 + j - 1] = 1;
    }
    if (sr) row[COL_INV] = gl_inv(delta_of(yt, sy, rt, sr));
}

/* The equations of the AIR on an integer row (mirrors zkvm_div_air; the trace builder checks
 * every row it makes with it, so a builder that disagrees with the AIR aborts here, not in a
 * proof), and that the received tuple is the record's. */
static int row_ok(const uint64_t row[N_COLS], const zkvm_op_record *rec) {
    static const unsigned BITS[] = {COL_U,      COL_REM, COL_S_X, COL_S_Y, COL_S_Q, COL_S_R,
                                    COL_K0_B16, COL_DZ,  COL_G1,  COL_G2,  COL_G3};
    if (row[COL_ACT] != 1) return 0;
    for (unsigned i = 0; i < sizeof BITS / sizeof BITS[0]; i++)
        if (row[BITS[i]] > 1) return 0;
    for (unsigned i = 0; i < N_RANGE; i++)
        if (row[RANGE_COLS[i]] > M16) return 0;
    if (row[COL_Y3] > M16 || row[COL_X_LO] > M32 || row[COL_X_HI] > M32 || row[COL_C_LO] > M32 || row[COL_C_HI] > M32) return 0;
    uint64_t u = row[COL_U], sx = row[COL_S_X], sy = row[COL_S_Y], sq = row[COL_S_Q], sr = row[COL_S_R];
    uint64_t dz = row[COL_DZ], g[4] = {0, row[COL_G1], row[COL_G2], row[COL_G3]};
    if (g[1] + g[2] + g[3] + dz > 1) return 0;
    g[0] = 1 - dz - g[1] - g[2] - g[3];
    if (u && (sx || sy)) return 0;
    if (!u) { /* the sign lookups */
        int64_t v = (int64_t)row[COL_X_HI] + TWO31 - TWO32 * (int64_t)sx;
        int64_t v_y = 2 * (int64_t)row[COL_Y3] - TWO16 * (int64_t)sy;
        if (row[COL_A_X] > M16 || v < 0 || v >= TWO32 || ((uint64_t)v & M16) != row[COL_A_X]) return 0;
        if (v_y < 0 || v_y > (int64_t)M16) return 0;
    }
    uint64_t x = row[COL_X_LO] | row[COL_X_HI] << 32, y = limbs_at(row, COL_Y0);
    uint64_t qt = limbs_at(row, COL_Q0), rt = limbs_at(row, COL_R0), yt = y ^ ones(sy);
    if ((sr && !sx) || (sx && !sr && rt != 0)) return 0;
    uint64_t sigma = sx ^ sy;
    if ((sq && !sigma) || (sigma && !sq && qt != 0)) return 0;
    uint64_t pos_lo, pos_hi, high, k0 = row[COL_K0] | row[COL_K0_B16] << 16;
    product(qt, yt, rt, sy, sq, sr, &pos_lo, &pos_hi, &high);
    uint64_t x_lo = row[COL_X_LO], x_hi = row[COL_X_HI];
    if (sx ? pos_lo + x_lo != k0 << 32 || pos_hi + k0 + x_hi != 1ull << 32
           : pos_lo != x_lo + (k0 << 32) || pos_hi + k0 != x_hi)
        return 0;
    if (high != 0) return 0;
    if (dz && (y != 0 || (qt ^ ones(sq)) != ~0ull)) return 0;
    for (unsigned i = 1; i < 4; i++) { /* eq1..eq3: limbs above the index agree */
        uint64_t above = 0;
        for (unsigned j = 0; j < i; j++) above += g[j];
        if (above && limb(yt, i) != limb(rt, i)) return 0;
    }
    int64_t dd = (int64_t)(g[0] * sy);
    for (unsigned j = 0; j < 4; j++) dd += (int64_t)g[j] * ((int64_t)limb(yt, j) - (int64_t)limb(rt, j) - 1);
    if (dd != (int64_t)row[COL_D]) return 0;
    if (gl_mul(delta_of(yt, sy, rt, sr), row[COL_INV]) != sr) return 0;
    uint64_t rem = row[COL_REM], c = row[COL_C_LO] | row[COL_C_HI] << 32;
    if (c != (rem ? rt ^ ones(sr) : qt ^ ones(sq))) return 0;
    return OPC_BASE + u + 2 * rem == rec->opc && x == rec->x && y == rec->y && c == rec->c;
}

gl_t *zkvm_div_trace(const zkvm_op_record *recs, size_t n, unsigned log_n, zkvm_range_counts *rc) {
    return pa_trace_counted("div", OPS, N_OPS, N_COLS, recs, n, log_n, witness, row_ok, zkvm_div_count_lookups, rc,
                            NULL);
}

/* One lookup of v with multiplicity m (0 counts nothing). */
static void count(zkvm_range_counts *rc, gl_t m, gl_t v, size_t *skipped) {
    if (m == 0) return;
    if (m == 1 && v < (1u << 16))
        zkvm_range_add(rc, v);
    else
        (*skipped)++;
}

size_t zkvm_div_count_lookups(const gl_t *trace, unsigned log_n, zkvm_range_counts *rc) {
    size_t rows = (size_t)1 << log_n, skipped = 0;
    const gl_t *col_of[N_COLS];
    for (unsigned k = 0; k < N_COLS; k++) col_of[k] = trace + (size_t)k * rows;
    gl_t inv16 = gl_inv(1u << 16);
    for (size_t i = 0; i < rows; i++) {
        gl_t act = col_of[COL_ACT][i], sgn = gl_sub(act, col_of[COL_U][i]);
        for (unsigned l = 0; l < N_RANGE; l++) count(rc, act, col_of[RANGE_COLS[l]][i], &skipped);
        gl_t a_x = col_of[COL_A_X][i];
        gl_t v = gl_sub(gl_add(col_of[COL_X_HI][i], 1ull << 31), gl_mul(1ull << 32, col_of[COL_S_X][i]));
        count(rc, sgn, a_x, &skipped);
        count(rc, sgn, gl_mul(inv16, gl_sub(v, a_x)), &skipped);
        count(rc, sgn, gl_sub(gl_mul(2, col_of[COL_Y3][i]), gl_mul(1u << 16, col_of[COL_S_Y][i])), &skipped);
    }
    return skipped;
}
