/* wmem.c: the wmem provider AIR (wmem.h; docs/zkvm/wmem.md has the soundness argument every
 * constraint below refers to). */
#include "wmem.h"

#include <stdlib.h>
#include <string.h>

#include "base.h"
#include "provider_air.h"
#include "zkvm_bus.h"

/* Stage-1 columns. F_*: one-hot op flags (their sum is the row's multiplicity); B: the offset
 * bit (off = 4 b); X0..X3: x's 16-bit limbs (x_lo = x0 + 2^16 x1, x_hi = x2 + 2^16 x3);
 * Y_LO, Y_HI: y's limbs as received; C_LO, C_HI: the result's limbs; H: the high 16-bit limb of
 * the selected half of x (x1 or x3); S: bit 15 of h, the selected half's sign. */
enum {
    COL_F_LW, COL_F_LWU, COL_F_LWA, COL_F_SW, COL_F_SWA, COL_B,
    COL_X0, COL_X1, COL_X2, COL_X3, COL_Y_LO, COL_Y_HI, COL_C_LO, COL_C_HI, COL_H, COL_S,
    N_COLS
};
#define N_FLAGS 5
static const zkvm_op FLAG_OP[N_FLAGS] = {ZKVM_OP_LW, ZKVM_OP_LWU, ZKVM_OP_LWA, ZKVM_OP_SW, ZKVM_OP_SWA};
static const char *const COL_NAMES[N_COLS] = {
    "f_lw", "f_lwu", "f_lwa", "f_sw", "f_swa", "b",    "x0",   "x1",
    "x2",   "x3",    "y_lo",  "y_hi", "c_lo",  "c_hi", "h",    "s",
};

#define M16 0xffffull
#define M32 0xffffffffull
#define TWO16 ((int64_t)1 << 16)
/* The offset bit's weight in opc: ZKVM_OPC_OFF_MUL * 4. */
#define OPC_B ((int64_t)ZKVM_OPC_OFF_MUL * 4)

static int is_load(int f) { return f <= 2; }                 /* LW LWU LWA */
static int sign_extends(int f) { return f == 0 || f == 2; }  /* LW LWA */

int zkvm_wmem_handles(zkvm_op op) { return pa_op_slot(FLAG_OP, N_FLAGS, op) >= 0; }

int zkvm_wmem_handles_opc(uint32_t opc) {
    unsigned off = zkvm_opc_off(opc);
    return (off == 0 || off == 4) && zkvm_wmem_handles(zkvm_opc_op(opc));
}

gl_t *zkvm_wmem_fixed(unsigned log_n) {
    (void)log_n;
    return NULL;
}

/* ------------------------------------------------------------------------------------------ */
/* The AIR                                                                                      */
/* ------------------------------------------------------------------------------------------ */

air *zkvm_wmem_air(void) {
    bld bs = pa_begin("wmem", COL_NAMES, N_COLS), *B = &bs;
    air_expr f_lw = col(B, COL_F_LW), f_lwu = col(B, COL_F_LWU), f_lwa = col(B, COL_F_LWA);
    air_expr f_sw = col(B, COL_F_SW), f_swa = col(B, COL_F_SWA);
    air_expr sg = add(B, f_lw, f_lwa);                 /* a sign-extending load */
    air_expr ld = add(B, sg, f_lwu);                   /* a load */
    air_expr st = add(B, f_sw, f_swa);                 /* a store */
    air_expr act = add(B, ld, st);
    air_expr b = col(B, COL_B), h = col(B, COL_H), s = col(B, COL_S);
    air_expr x1 = col(B, COL_X1), x3 = col(B, COL_X3);
    air_expr x_lo = add(B, col(B, COL_X0), scale(B, TWO16, x1)), x_hi = add(B, col(B, COL_X2), scale(B, TWO16, x3));
    air_expr y_lo = col(B, COL_Y_LO), y_hi = col(B, COL_Y_HI);
    air_expr c_lo = col(B, COL_C_LO), c_hi = col(B, COL_C_HI);

    for (unsigned i = 0; i < N_FLAGS; i++) boolean(B, COL_NAMES[i], col(B, i));
    boolean(B, "one_op", act); /* with boolean flags: at most one flag set */
    boolean(B, "b", b);
    boolean(B, "s", s);
    /* h is x1 (b = 0) or x3 (b = 1): the high limb of the half at byte offset 4 b */
    constrain(B, "h_sel", sub(B, h, add(B, x1, mul(B, b, sub(B, x3, x1)))));
    /* loads: y = 0 (both limbs are integers below 2^32, their sum cannot wrap) */
    constrain(B, "ld_y_zero", mul(B, ld, add(B, y_lo, y_hi)));
    /* loads: c_lo is the selected half, c_hi its fill (0xffffffff s, or 0 for LWU) */
    constrain(B, "ld_lo", mul(B, ld, sub(B, c_lo, add(B, x_lo, mul(B, b, sub(B, x_hi, x_lo))))));
    constrain(B, "ld_hi", sub(B, mul(B, ld, c_hi), scale(B, (int64_t)M32, mul(B, sg, s))));
    /* stores: the selected half of c is y_lo, the other half is x's */
    constrain(B, "st_lo", mul(B, st, sub(B, c_lo, add(B, y_lo, mul(B, b, sub(B, x_lo, y_lo))))));
    constrain(B, "st_hi", mul(B, st, sub(B, c_hi, add(B, x_hi, mul(B, b, sub(B, y_lo, x_hi))))));

    air_expr opc = scale(B, OPC_B, b);
    for (unsigned i = 0; i < N_FLAGS; i++) opc = add(B, opc, scale(B, (int64_t)FLAG_OP[i], col(B, i)));
    air_expr tuple[7] = {opc, x_lo, x_hi, y_lo, y_hi, c_lo, c_hi};
    air_bus_recv(B->b, "op", ZKVM_BUS_OP, act, tuple, 7);
    for (unsigned i = 0; i < 4; i++) {
        air_expr limb = col(B, COL_X0 + i);
        air_bus_send(B->b, "range", ZKVM_BUS_RANGE16, act, &limb, 1);
    }
    /* 2 h - 2^16 s in [0, 2^16), h an integer below 2^16: s is h's bit 15 */
    air_expr sgn = sub(B, scale(B, 2, h), scale(B, TWO16, s));
    air_bus_send(B->b, "range_sign", ZKVM_BUS_RANGE16, act, &sgn, 1);

    return pa_finish(B, N_COLS);
}

/* ------------------------------------------------------------------------------------------ */
/* The trace                                                                                    */
/* ------------------------------------------------------------------------------------------ */

/* Fills row[0..N_COLS) for a valid record of flag index f. */
static void witness(const zkvm_op_record *r, int f, uint64_t row[N_COLS]) {
    memset(row, 0, N_COLS * sizeof *row);
    uint64_t b = zkvm_opc_off(r->opc) / 4;
    row[f] = 1;
    row[COL_B] = b;
    for (unsigned i = 0; i < 4; i++) row[COL_X0 + i] = (r->x >> (16 * i)) & M16;
    row[COL_Y_LO] = r->y & M32, row[COL_Y_HI] = r->y >> 32;
    row[COL_C_LO] = r->c & M32, row[COL_C_HI] = r->c >> 32;
    row[COL_H] = b ? row[COL_X3] : row[COL_X1];
    row[COL_S] = row[COL_H] >> 15;
}

/* The equations and lookups of the AIR on an integer row (mirrors zkvm_wmem_air; the trace
 * builder checks every row it makes with it, so a builder that disagrees with the AIR aborts
 * here, not in a proof), and the row's tuple against the record. */
static int row_ok(const uint64_t row[N_COLS], const zkvm_op_record *r) {
    int f = -1, n_set = 0;
    for (int i = 0; i < N_FLAGS; i++)
        if (row[i]) f = i, n_set++;
    if (n_set != 1 || row[f] != 1 || row[COL_B] > 1 || row[COL_S] > 1) return 0;
    for (unsigned i = 0; i < 4; i++)
        if (row[COL_X0 + i] > M16) return 0;
    uint64_t b = row[COL_B], x_lo = row[COL_X0] + (row[COL_X1] << 16), x_hi = row[COL_X2] + (row[COL_X3] << 16);
    uint64_t y_lo = row[COL_Y_LO], y_hi = row[COL_Y_HI], c_lo = row[COL_C_LO], c_hi = row[COL_C_HI];
    if (row[COL_H] != (b ? row[COL_X3] : row[COL_X1])) return 0;
    int64_t sgn = 2 * (int64_t)row[COL_H] - TWO16 * (int64_t)row[COL_S];
    if (sgn < 0 || sgn >= TWO16) return 0;
    if (is_load(f)) {
        if (y_lo != 0 || y_hi != 0) return 0;
        if (c_lo != (b ? x_hi : x_lo) || c_hi != (sign_extends(f) ? M32 * row[COL_S] : 0)) return 0;
    } else {
        if (c_lo != (b ? x_lo : y_lo) || c_hi != (b ? y_lo : x_hi)) return 0;
    }
    return (uint64_t)FLAG_OP[f] + (uint64_t)OPC_B * b == r->opc && x_lo == (r->x & M32) && x_hi == r->x >> 32 &&
           y_lo == (r->y & M32) && y_hi == r->y >> 32 && c_lo == (r->c & M32) && c_hi == r->c >> 32;
}

gl_t *zkvm_wmem_trace(const zkvm_op_record *recs, size_t n, unsigned log_n, zkvm_range_counts *rc) {
    const pa_extra x = {1u | 1u << 4, NULL, 0}; /* byte offsets 0 and 4 */
    return pa_trace_counted("wmem", FLAG_OP, N_FLAGS, N_COLS, recs, n, log_n, witness, row_ok, zkvm_wmem_count_lookups, rc,
                            &x);
}

size_t zkvm_wmem_count_lookups(const gl_t *trace, unsigned log_n, zkvm_range_counts *rc) {
    size_t rows = (size_t)1 << log_n, skipped = 0;
    const gl_t *col_of[N_COLS];
    for (unsigned k = 0; k < N_COLS; k++) col_of[k] = trace + (size_t)k * rows;
    for (size_t i = 0; i < rows; i++) {
        gl_t act = 0;
        for (unsigned k = 0; k < N_FLAGS; k++) act = gl_add(act, col_of[k][i]);
        if (act == 0) continue;
        gl_t v[5] = {col_of[COL_X0][i], col_of[COL_X1][i], col_of[COL_X2][i], col_of[COL_X3][i],
                     gl_sub(gl_mul(2, col_of[COL_H][i]), gl_mul(1u << 16, col_of[COL_S][i]))};
        for (unsigned l = 0; l < 5; l++) {
            if (act == 1 && v[l] < (1u << 16))
                zkvm_range_add(rc, v[l]);
            else
                skipped++;
        }
    }
    return skipped;
}
