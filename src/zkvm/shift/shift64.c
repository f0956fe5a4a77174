/* shift64.c: the shift64 provider AIR (shift64.h; docs/zkvm/shift64.md has the soundness
 * argument every constraint below refers to). */
#include "shift64.h"

#include <stdlib.h>
#include <string.h>

#include "base.h"
#include "provider_air.h"
#include "zkvm_bus.h"

/* Stage-1 columns. F_*: one-hot op flags; X_LO, X_HI, Y_HI: operand limbs (y_lo is an
 * expression of S* and Q*); S0..S5: the bits of s = y & 63; Q0, Q1: y_lo >> 6 as a 16-bit and
 * a 10-bit limb; P1 = 2^(s & 7), PW = 2^(s & 31); per limb j of x (L: low, H: high) the parts
 * u_j = U0 + 2^16 U1 and d_j = D0 + 2^16 D1 (D1 < 2^15) of x_j times the power; C_LO, C_HI:
 * the result. */
enum {
    COL_F_SLL, COL_F_SRL,
    COL_X_LO, COL_X_HI, COL_Y_HI,
    COL_S0, COL_S1, COL_S2, COL_S3, COL_S4, COL_S5,
    COL_Q0, COL_Q1, COL_P1, COL_PW,
    COL_U0L, COL_U1L, COL_D0L, COL_D1L,
    COL_U0H, COL_U1H, COL_D0H, COL_D1H,
    COL_C_LO, COL_C_HI,
    N_COLS
};
#define N_FLAGS 2
static const zkvm_op FLAG_OP[N_FLAGS] = {ZKVM_OP_SLL, ZKVM_OP_SRL};
static const char *const COL_NAMES[N_COLS] = {
    "f_sll", "f_srl", "x_lo", "x_hi", "y_hi", "s0", "s1", "s2", "s3", "s4", "s5", "q0", "q1",
    "p1", "pw", "u0_lo", "u1_lo", "d0_lo", "d1_lo", "u0_hi", "u1_hi", "d0_hi", "d1_hi", "c_lo", "c_hi",
};
/* first column of limb j's parts (u0, u1, d0, d1) */
static const unsigned PART0[2] = {COL_U0L, COL_U0H};

#define M16 0xffffull
#define M31 0x7fffffffull
#define M32 0xffffffffull
#define TWO16 ((int64_t)1 << 16)
#define TWO22 ((int64_t)1 << 22)
#define TWO31 ((int64_t)1 << 31)
#define TWO32 ((int64_t)1 << 32)

int zkvm_shift64_handles(zkvm_op op) { return pa_op_slot(FLAG_OP, N_FLAGS, op) >= 0; }

gl_t *zkvm_shift64_fixed(unsigned log_n) {
    (void)log_n;
    return NULL;
}

/* ------------------------------------------------------------------------------------------ */
/* The AIR                                                                                      */
/* ------------------------------------------------------------------------------------------ */

/* the 32-bit value of the limb pair at columns c (low 16 bits) and c + 1 */
static air_expr limb32(bld *B, unsigned c) { return add(B, col(B, c), scale(B, TWO16, col(B, c + 1))); }

air *zkvm_shift64_air(void) {
    bld bs = pa_begin("shift64", COL_NAMES, N_COLS), *B = &bs;
    air_expr f_sll = col(B, COL_F_SLL), f_srl = col(B, COL_F_SRL), act = add(B, f_sll, f_srl);
    air_expr p1 = col(B, COL_P1), pw = col(B, COL_PW), s5 = col(B, COL_S5);
    air_expr x[2] = {col(B, COL_X_LO), col(B, COL_X_HI)};
    air_expr u[2], d[2];
    for (unsigned j = 0; j < 2; j++) u[j] = limb32(B, PART0[j]), d[j] = limb32(B, PART0[j] + 2);
    /* y_lo = s + 64 q0 + 2^22 q1 (an integer below 2^38: equal to the canonical y_lo received) */
    air_expr y_lo = add(B, scale(B, 64, col(B, COL_Q0)), scale(B, TWO22, col(B, COL_Q1)));
    for (unsigned i = 0; i < 6; i++) y_lo = add(B, y_lo, scale(B, (int64_t)1 << i, col(B, COL_S0 + i)));

    boolean(B, "f_sll", f_sll);
    boolean(B, "f_srl", f_srl);
    boolean(B, "one_op", act);
    for (unsigned i = 0; i < 6; i++) boolean(B, COL_NAMES[COL_S0 + i], col(B, COL_S0 + i));
    /* pw = 2^(s & 31) in two steps of degree 3 (padding rows hold p1 = pw = 1) */
    constrain(B, "p1", sub(B, p1, mul(B, mul(B, pow2_factor(B, 0, COL_S0), pow2_factor(B, 1, COL_S1)), pow2_factor(B, 2, COL_S2))));
    constrain(B, "pw", sub(B, pw, mul(B, mul(B, p1, pow2_factor(B, 3, COL_S3)), pow2_factor(B, 4, COL_S4))));
    /* per limb: SLL x_j 2^sl = u_j + 2^32 d_j; SRL 2^31 x_j = (d_j + 2^31 u_j) 2^sl */
    static const char *const prod_names[2] = {"product_lo", "product_hi"};
    for (unsigned j = 0; j < 2; j++) {
        air_expr left = sub(B, mul(B, x[j], pw), add(B, u[j], scale(B, TWO32, d[j])));
        air_expr right = sub(B, scale(B, TWO31, x[j]), mul(B, add(B, d[j], scale(B, TWO31, u[j])), pw));
        constrain(B, prod_names[j], add(B, mul(B, f_sll, left), mul(B, f_srl, right)));
    }
    /* the result: the parts, moved by a word when s5 = 1 */
    air_expr ns5 = one_minus(B, s5);
    air_expr sll_lo = mul(B, ns5, u[0]);
    air_expr sll_hi = add(B, mul(B, ns5, add(B, d[0], u[1])), mul(B, s5, u[0]));
    air_expr srl_lo = add(B, mul(B, ns5, add(B, u[0], scale(B, 2, d[1]))), mul(B, s5, u[1]));
    air_expr srl_hi = mul(B, ns5, u[1]);
    constrain(B, "c_lo", sub(B, col(B, COL_C_LO), add(B, mul(B, f_sll, sll_lo), mul(B, f_srl, srl_lo))));
    constrain(B, "c_hi", sub(B, col(B, COL_C_HI), add(B, mul(B, f_sll, sll_hi), mul(B, f_srl, srl_hi))));

    air_expr opc = add(B, scale(B, (int64_t)FLAG_OP[0], f_sll), scale(B, (int64_t)FLAG_OP[1], f_srl));
    air_expr tuple[7] = {opc, x[0], x[1], y_lo, col(B, COL_Y_HI), col(B, COL_C_LO), col(B, COL_C_HI)};
    air_bus_recv(B->b, "op", ZKVM_BUS_OP, act, tuple, 7);
    air_expr q[2] = {col(B, COL_Q0), col(B, COL_Q1)};
    for (unsigned i = 0; i < 2; i++) air_bus_send(B->b, "range_q", ZKVM_BUS_RANGE16, act, &q[i], 1);
    for (unsigned j = 0; j < 2; j++) {
        unsigned c0 = PART0[j];
        /* u0, u1, d0, d1 < 2^16 and 2 d1 < 2^16 (d1 < 2^15: d_j < 2^31) */
        air_expr parts[5] = {col(B, c0), col(B, c0 + 1), col(B, c0 + 2), col(B, c0 + 3), scale(B, 2, col(B, c0 + 3))};
        for (unsigned i = 0; i < 5; i++) air_bus_send(B->b, "range_part", ZKVM_BUS_RANGE16, act, &parts[i], 1);
    }

    return pa_finish(B, N_COLS);
}

/* ------------------------------------------------------------------------------------------ */
/* The trace                                                                                    */
/* ------------------------------------------------------------------------------------------ */

/* Fills row[0..N_COLS) for a valid record of flag index f. */
static void witness(const zkvm_op_record *r, int f, uint64_t row[N_COLS]) {
    memset(row, 0, N_COLS * sizeof *row);
    row[COL_P1] = row[COL_PW] = 1;
    uint64_t y_lo = r->y & M32, xj[2] = {r->x & M32, r->x >> 32};
    unsigned s = (unsigned)(y_lo & 63), sl = s & 31;
    row[f] = 1;
    row[COL_X_LO] = xj[0], row[COL_X_HI] = xj[1], row[COL_Y_HI] = r->y >> 32;
    for (unsigned i = 0; i < 6; i++) row[COL_S0 + i] = (s >> i) & 1;
    row[COL_Q0] = (y_lo >> 6) & M16, row[COL_Q1] = y_lo >> 22;
    row[COL_P1] = 1ull << (sl & 7), row[COL_PW] = 1ull << sl;
    for (unsigned j = 0; j < 2; j++) {
        uint64_t u, d;
        if (FLAG_OP[f] == ZKVM_OP_SLL) {
            uint64_t prod = xj[j] << sl; /* < 2^63 */
            u = prod & M32, d = prod >> 32;
        } else {
            uint64_t prod = xj[j] << (31 - sl); /* < 2^63 */
            u = prod >> 31, d = prod & M31;
        }
        row[PART0[j]] = u & M16, row[PART0[j] + 1] = u >> 16;
        row[PART0[j] + 2] = d & M16, row[PART0[j] + 3] = d >> 16;
    }
    row[COL_C_LO] = r->c & M32, row[COL_C_HI] = r->c >> 32;
}

/* The equations of the AIR on an integer row (mirrors zkvm_shift64_air; the trace builder checks
 * every row it makes with it). */
static int row_ok(const uint64_t row[N_COLS], const zkvm_op_record *r) {
    if (row[COL_F_SLL] + row[COL_F_SRL] != 1) return 0;
    int sll = row[COL_F_SLL] == 1;
    uint64_t s = 0;
    for (unsigned i = 0; i < 6; i++) {
        if (row[COL_S0 + i] > 1) return 0;
        s |= row[COL_S0 + i] << i;
    }
    unsigned sl = (unsigned)(s & 31), s5 = (unsigned)(s >> 5);
    if (row[COL_Q0] > M16 || row[COL_Q1] > M16 || row[COL_P1] != 1ull << (sl & 7) || row[COL_PW] != 1ull << sl)
        return 0;
    uint64_t u[2], d[2];
    for (unsigned j = 0; j < 2; j++) {
        const uint64_t *p = &row[PART0[j]];
        if (p[0] > M16 || p[1] > M16 || p[2] > M16 || p[3] > (M16 >> 1)) return 0;
        u[j] = p[0] + (p[1] << 16), d[j] = p[2] + (p[3] << 16);
        uint64_t x = row[j ? COL_X_HI : COL_X_LO];
        if (sll ? x << sl != u[j] + (d[j] << 32) : x << (31 - sl) != d[j] + (u[j] << 31)) return 0;
    }
    uint64_t lo, hi;
    if (sll)
        lo = s5 ? 0 : u[0], hi = s5 ? u[0] : d[0] + u[1];
    else
        lo = s5 ? u[1] : u[0] + 2 * d[1], hi = s5 ? 0 : u[1];
    uint64_t y_lo = s + 64 * row[COL_Q0] + ((uint64_t)TWO22 * row[COL_Q1]);
    return lo == row[COL_C_LO] && hi == row[COL_C_HI] && (uint32_t)FLAG_OP[sll ? 0 : 1] == r->opc &&
           row[COL_X_LO] + (row[COL_X_HI] << 32) == r->x && y_lo == (r->y & M32) && row[COL_Y_HI] == r->y >> 32 &&
           lo + (hi << 32) == r->c;
}

gl_t *zkvm_shift64_trace(const zkvm_op_record *recs, size_t n, unsigned log_n, zkvm_range_counts *rc) {
    static const unsigned pad_one[] = {COL_P1, COL_PW}; /* padding rows: 2^0 */
    const pa_extra x = {1, pad_one, 2};
    return pa_trace_counted("shift64", FLAG_OP, N_FLAGS, N_COLS, recs, n, log_n, witness, row_ok, zkvm_shift64_count_lookups, rc,
                            &x);
}

size_t zkvm_shift64_count_lookups(const gl_t *trace, unsigned log_n, zkvm_range_counts *rc) {
    size_t rows = (size_t)1 << log_n, skipped = 0;
    const gl_t *col_of[N_COLS];
    for (unsigned k = 0; k < N_COLS; k++) col_of[k] = trace + (size_t)k * rows;
    for (size_t i = 0; i < rows; i++) {
        gl_t act = gl_add(col_of[COL_F_SLL][i], col_of[COL_F_SRL][i]);
        if (act == 0) continue;
        gl_t v[12] = {col_of[COL_Q0][i], col_of[COL_Q1][i]};
        for (unsigned j = 0; j < 2; j++) {
            const unsigned c0 = PART0[j];
            for (unsigned k = 0; k < 4; k++) v[2 + 5 * j + k] = col_of[c0 + k][i];
            v[2 + 5 * j + 4] = gl_add(col_of[c0 + 3][i], col_of[c0 + 3][i]);
        }
        for (unsigned l = 0; l < 12; l++) {
            if (act == 1 && v[l] < (1u << 16))
                zkvm_range_add(rc, v[l]);
            else
                skipped++;
        }
    }
    return skipped;
}
