/* shiftw.c: the shiftw provider AIR (shiftw.h; docs/zkvm/shiftw.md has the soundness argument
 * every constraint below refers to). */
#include "shiftw.h"

#include <stdlib.h>
#include <string.h>

#include "base.h"
#include "provider_air.h"
#include "zkvm_bus.h"

/* Stage-1 columns. F_*: one-hot op flags (their sum is the row's multiplicity); X_LO, X_HI, Y_HI:
 * operand limbs as received (y_lo is an expression of S* and Q*); S0..S4: the bits of s = y & 31;
 * Q0, Q1: y_lo >> 5 as a 16-bit and an 11-bit limb; P1 = 2^(s & 7), PW = 2^s; R0, R1: the result
 * word's 16-bit limbs; D0, D1: the shifted-out bits' limbs (D1 < 2^15); SG: bit 31 of the result. */
enum {
    COL_F_SLL, COL_F_SRL,
    COL_X_LO, COL_X_HI, COL_Y_HI,
    COL_S0, COL_S1, COL_S2, COL_S3, COL_S4,
    COL_Q0, COL_Q1, COL_P1, COL_PW,
    COL_R0, COL_R1, COL_D0, COL_D1, COL_SG,
    N_COLS
};
#define N_FLAGS 2
static const zkvm_op FLAG_OP[N_FLAGS] = {ZKVM_OP_SLLW, ZKVM_OP_SRLW};
static const char *const COL_NAMES[N_COLS] = {
    "f_sllw", "f_srlw", "x_lo", "x_hi", "y_hi", "s0", "s1", "s2", "s3", "s4",
    "q0",     "q1",     "p1",   "pw",   "r0",   "r1", "d0", "d1", "sg",
};

#define M16 0xffffull
#define M31 0x7fffffffull
#define M32 0xffffffffull
#define TWO16 ((int64_t)1 << 16)
#define TWO21 ((int64_t)1 << 21)
#define TWO31 ((int64_t)1 << 31)
#define TWO32 ((int64_t)1 << 32)

int zkvm_shiftw_handles(zkvm_op op) { return pa_op_slot(FLAG_OP, N_FLAGS, op) >= 0; }

gl_t *zkvm_shiftw_fixed(unsigned log_n) {
    (void)log_n;
    return NULL;
}

/* ------------------------------------------------------------------------------------------ */
/* The AIR                                                                                      */
/* ------------------------------------------------------------------------------------------ */

air *zkvm_shiftw_air(void) {
    bld bs = pa_begin("shiftw", COL_NAMES, N_COLS), *B = &bs;
    air_expr f_sll = col(B, COL_F_SLL), f_srl = col(B, COL_F_SRL);
    air_expr act = add(B, f_sll, f_srl);
    air_expr x_lo = col(B, COL_X_LO), x_hi = col(B, COL_X_HI), y_hi = col(B, COL_Y_HI);
    air_expr q0 = col(B, COL_Q0), q1 = col(B, COL_Q1), p1 = col(B, COL_P1), pw = col(B, COL_PW);
    air_expr r0 = col(B, COL_R0), r1 = col(B, COL_R1), d0 = col(B, COL_D0), d1 = col(B, COL_D1);
    air_expr sg = col(B, COL_SG);
    air_expr r = add(B, r0, scale(B, TWO16, r1)), d = add(B, d0, scale(B, TWO16, d1));
    /* y_lo = s + 32 q0 + 2^21 q1 (an integer below 2^37: equal to the canonical y_lo received) */
    air_expr y_lo = add(B, scale(B, 32, q0), scale(B, TWO21, q1));
    for (unsigned i = 0; i < 5; i++) y_lo = add(B, y_lo, scale(B, (int64_t)1 << i, col(B, COL_S0 + i)));

    boolean(B, "f_sllw", f_sll);
    boolean(B, "f_srlw", f_srl);
    boolean(B, "one_op", act); /* with boolean flags: at most one flag set */
    for (unsigned i = 0; i < 5; i++) boolean(B, COL_NAMES[COL_S0 + i], col(B, COL_S0 + i));
    boolean(B, "sg", sg);
    /* pw = 2^s in two steps of degree 3 (padding rows hold p1 = pw = 1) */
    constrain(B, "p1", sub(B, p1, mul(B, mul(B, pow2_factor(B, 0, COL_S0), pow2_factor(B, 1, COL_S1)), pow2_factor(B, 2, COL_S2))));
    constrain(B, "pw", sub(B, pw, mul(B, mul(B, p1, pow2_factor(B, 3, COL_S3)), pow2_factor(B, 4, COL_S4))));
    /* SLLW: x_lo 2^s = r + 2^32 d.  SRLW: 2^31 x_lo = (d + 2^31 r) 2^s, i.e. x_lo 2^(31-s) = d + 2^31 r */
    air_expr left = sub(B, mul(B, x_lo, pw), add(B, r, scale(B, TWO32, d)));
    air_expr right = sub(B, scale(B, TWO31, x_lo), mul(B, add(B, d, scale(B, TWO31, r)), pw));
    constrain(B, "product", add(B, mul(B, f_sll, left), mul(B, f_srl, right)));

    air_expr opc = add(B, scale(B, (int64_t)FLAG_OP[0], f_sll), scale(B, (int64_t)FLAG_OP[1], f_srl));
    air_expr c_hi = scale(B, (int64_t)M32, sg); /* the sign fill of bit 31 */
    air_expr tuple[7] = {opc, x_lo, x_hi, y_lo, y_hi, r, c_hi};
    air_bus_recv(B->b, "op", ZKVM_BUS_OP, act, tuple, 7);
    /* q0, q1 (y_lo's high bits), r0, r1 (the result), d0, d1 and 2 d1 (d1 < 2^15: d < 2^31) */
    air_expr limbs[7] = {q0, q1, r0, r1, d0, d1, scale(B, 2, d1)};
    for (unsigned i = 0; i < 7; i++) air_bus_send(B->b, "range", ZKVM_BUS_RANGE16, act, &limbs[i], 1);
    /* 2 r1 - 2^16 sg in [0, 2^16), r1 an integer below 2^16: sg is r1's bit 15 */
    air_expr sgn = sub(B, scale(B, 2, r1), scale(B, TWO16, sg));
    air_bus_send(B->b, "range_sign", ZKVM_BUS_RANGE16, act, &sgn, 1);

    return pa_finish(B, N_COLS);
}

/* ------------------------------------------------------------------------------------------ */
/* The trace                                                                                    */
/* ------------------------------------------------------------------------------------------ */

/* Fills row[0..N_COLS) for a valid record of flag index f (f < 0: a padding row). */
static void witness(const zkvm_op_record *r, int f, uint64_t row[N_COLS]) {
    memset(row, 0, N_COLS * sizeof *row);
    row[COL_P1] = row[COL_PW] = 1;
    if (f < 0) return;
    uint64_t x_lo = r->x & M32, y_lo = r->y & M32;
    unsigned s = (unsigned)(y_lo & 31);
    row[f] = 1;
    row[COL_X_LO] = x_lo, row[COL_X_HI] = r->x >> 32, row[COL_Y_HI] = r->y >> 32;
    for (unsigned i = 0; i < 5; i++) row[COL_S0 + i] = (s >> i) & 1;
    row[COL_Q0] = (y_lo >> 5) & M16, row[COL_Q1] = y_lo >> 21;
    row[COL_P1] = 1ull << (s & 7), row[COL_PW] = 1ull << s;
    uint64_t res, out;
    if (FLAG_OP[f] == ZKVM_OP_SLLW) {
        uint64_t prod = x_lo << s; /* < 2^63 */
        res = prod & M32, out = prod >> 32;
    } else {
        uint64_t prod = x_lo << (31 - s); /* < 2^63 */
        res = prod >> 31, out = prod & M31;
    }
    row[COL_R0] = res & M16, row[COL_R1] = res >> 16;
    row[COL_D0] = out & M16, row[COL_D1] = out >> 16;
    row[COL_SG] = res >> 31;
}

/* The equations of the AIR on an integer row (mirrors zkvm_shiftw_air; the trace builder checks
 * every row it makes with it, so a builder that disagrees with the AIR aborts here, not in a
 * proof). */
static int row_ok(const uint64_t row[N_COLS], const zkvm_op_record *r) {
    int f = row[COL_F_SLL] ? 0 : 1;
    if (row[COL_F_SLL] + row[COL_F_SRL] != 1) return 0;
    uint64_t s = 0;
    for (unsigned i = 0; i < 5; i++) {
        if (row[COL_S0 + i] > 1) return 0;
        s |= row[COL_S0 + i] << i;
    }
    if (row[COL_SG] > 1 || row[COL_Q0] > M16 || row[COL_Q1] > M16 || row[COL_R0] > M16 || row[COL_R1] > M16 ||
        row[COL_D0] > M16 || row[COL_D1] > (M16 >> 1))
        return 0;
    if (row[COL_P1] != 1ull << (s & 7) || row[COL_PW] != 1ull << s) return 0;
    uint64_t y_lo = s + 32 * row[COL_Q0] + ((uint64_t)TWO21 * row[COL_Q1]);
    uint64_t res = row[COL_R0] + (row[COL_R1] << 16), out = row[COL_D0] + (row[COL_D1] << 16);
    /* both products are below 2^63 + 2^32: exact in 64 bits */
    if (FLAG_OP[f] == ZKVM_OP_SLLW ? row[COL_X_LO] * row[COL_PW] != res + (out << 32)
                                   : row[COL_X_LO] << (31 - s) != out + (res << 31))
        return 0;
    if (((row[COL_R1] >> 15) & 1) != row[COL_SG]) return 0;
    uint64_t c = res | (row[COL_SG] ? M32 << 32 : 0);
    return (uint32_t)FLAG_OP[f] == r->opc && row[COL_X_LO] == (r->x & M32) && row[COL_X_HI] == r->x >> 32 &&
           y_lo == (r->y & M32) && row[COL_Y_HI] == r->y >> 32 && c == r->c;
}

gl_t *zkvm_shiftw_trace(const zkvm_op_record *recs, size_t n, unsigned log_n, zkvm_range_counts *rc) {
    static const unsigned pad_one[] = {COL_P1, COL_PW}; /* padding rows: 2^0 */
    const pa_extra x = {1, pad_one, 2};
    return pa_trace_counted("shiftw", FLAG_OP, N_FLAGS, N_COLS, recs, n, log_n, witness, row_ok, zkvm_shiftw_count_lookups, rc,
                            &x);
}

size_t zkvm_shiftw_count_lookups(const gl_t *trace, unsigned log_n, zkvm_range_counts *rc) {
    size_t rows = (size_t)1 << log_n, skipped = 0;
    const gl_t *col_of[N_COLS];
    for (unsigned k = 0; k < N_COLS; k++) col_of[k] = trace + (size_t)k * rows;
    for (size_t i = 0; i < rows; i++) {
        gl_t act = gl_add(col_of[COL_F_SLL][i], col_of[COL_F_SRL][i]);
        if (act == 0) continue;
        gl_t d1 = col_of[COL_D1][i];
        gl_t v[8] = {col_of[COL_Q0][i], col_of[COL_Q1][i], col_of[COL_R0][i], col_of[COL_R1][i],
                     col_of[COL_D0][i], d1, gl_add(d1, d1),
                     gl_sub(gl_mul(2, col_of[COL_R1][i]), gl_mul(1u << 16, col_of[COL_SG][i]))};
        for (unsigned l = 0; l < 8; l++) {
            if (act == 1 && v[l] < (1u << 16))
                zkvm_range_add(rc, v[l]);
            else
                skipped++;
        }
    }
    return skipped;
}
