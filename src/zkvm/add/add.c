/* add.c: the add provider AIR (add.h; docs/zkvm/add.md has the soundness argument every
 * constraint below refers to). */
#include "add.h"

#include <stdlib.h>
#include <string.h>

#include "base.h"
#include "provider_air.h"
#include "zkvm_bus.h"

/* Stage-1 columns. F_*: one-hot op flags (their sum is the row's multiplicity); X_*, Y_*: the
 * operands' 32-bit limbs; C0..C3: the result's 16-bit limbs; K0, K1: the carries of the low and
 * high words; S: bit 31 of the result (W forms only). LD is x + 0 with both carries zero. */
enum {
    COL_F_ADD, COL_F_SUB, COL_F_ADDW, COL_F_SUBW, COL_F_LD,
    COL_X_LO, COL_X_HI, COL_Y_LO, COL_Y_HI,
    COL_C0, COL_C1, COL_C2, COL_C3,
    COL_K0, COL_K1, COL_S,
    N_COLS
};
#define N_FLAGS 5
static const zkvm_op FLAG_OP[N_FLAGS] = {ZKVM_OP_ADD, ZKVM_OP_SUB, ZKVM_OP_ADDW, ZKVM_OP_SUBW, ZKVM_OP_LD};
static const char *const COL_NAMES[N_COLS] = {
    "f_add", "f_sub", "f_addw", "f_subw", "f_ld", "x_lo", "x_hi", "y_lo",
    "y_hi",  "c0",    "c1",     "c2",     "c3",   "k0",   "k1",   "s",
};

#define M16 0xffffull
#define M32 0xffffffffull
#define TWO16 ((int64_t)1 << 16)
#define TWO32 ((int64_t)1 << 32)

int zkvm_add_handles(zkvm_op op) { return pa_op_slot(FLAG_OP, N_FLAGS, op) >= 0; }

gl_t *zkvm_add_fixed(unsigned log_n) {
    (void)log_n;
    return NULL;
}

/* ------------------------------------------------------------------------------------------ */
/* The AIR                                                                                      */
/* ------------------------------------------------------------------------------------------ */

air *zkvm_add_air(void) {
    bld bs = pa_begin("add", COL_NAMES, N_COLS), *B = &bs;
    air_expr f_add = col(B, COL_F_ADD), f_sub = col(B, COL_F_SUB);
    air_expr f_addw = col(B, COL_F_ADDW), f_subw = col(B, COL_F_SUBW), f_ld = col(B, COL_F_LD);
    air_expr act = add(B, add(B, add(B, f_add, f_sub), add(B, f_addw, f_subw)), f_ld);
    air_expr w = add(B, f_addw, f_subw);   /* a W form */
    air_expr neg = add(B, f_sub, f_subw);  /* a subtraction: the row proves c + y = x */
    air_expr x_lo = col(B, COL_X_LO), x_hi = col(B, COL_X_HI);
    air_expr y_lo = col(B, COL_Y_LO), y_hi = col(B, COL_Y_HI);
    air_expr c0 = col(B, COL_C0), c1 = col(B, COL_C1), c2 = col(B, COL_C2), c3 = col(B, COL_C3);
    air_expr k0 = col(B, COL_K0), k1 = col(B, COL_K1), s = col(B, COL_S);
    air_expr c_lo = add(B, c0, scale(B, TWO16, c1)), c_hi = add(B, c2, scale(B, TWO16, c3));

    for (unsigned i = 0; i < N_FLAGS; i++) boolean(B, COL_NAMES[i], col(B, i));
    boolean(B, "one_op", act); /* with boolean flags: at most one flag set */
    boolean(B, "k0", k0);
    boolean(B, "k1", k1);
    boolean(B, "s", s);
    /* sigma = 1 - 2 neg: x + y = c + 2^32 k0 (add), c + y = x + 2^32 k0 (sub) */
    air_expr sigma = one_minus(B, scale(B, 2, neg));
    constrain(B, "carry_lo", sub(B, add(B, mul(B, sigma, sub(B, x_lo, c_lo)), y_lo), scale(B, TWO32, k0)));
    constrain(B, "carry_hi", mul(B, one_minus(B, w),
                                 sub(B, add(B, add(B, mul(B, sigma, sub(B, x_hi, c_hi)), y_hi), k0),
                                     scale(B, TWO32, k1))));
    /* W forms: the high word is the sign fill of the low word's bit 31 (s, bound below) */
    constrain(B, "w_fill2", mul(B, w, sub(B, c2, scale(B, (int64_t)M16, s))));
    constrain(B, "w_fill3", mul(B, w, sub(B, c3, scale(B, (int64_t)M16, s))));
    constrain(B, "w_k1", mul(B, w, k1));
    constrain(B, "s_only_w", mul(B, one_minus(B, w), s));
    /* LD: y = 0 and no carries, so carry_lo/carry_hi read c = x (y's limbs are canonical and
     * k0, k1 bits: a sum of these non-negative integers below 2^34 is 0 only if each is) */
    constrain(B, "ld_copy", mul(B, f_ld, add(B, add(B, y_lo, y_hi), add(B, k0, k1))));

    air_expr opc = K(B, 0);
    for (unsigned i = 0; i < N_FLAGS; i++) opc = add(B, opc, scale(B, (int64_t)FLAG_OP[i], col(B, i)));
    air_expr tuple[7] = {opc, x_lo, x_hi, y_lo, y_hi, c_lo, c_hi};
    air_bus_recv(B->b, "op", ZKVM_BUS_OP, act, tuple, 7);
    air_expr limbs[4] = {c0, c1, c2, c3};
    for (unsigned i = 0; i < 4; i++) air_bus_send(B->b, "range", ZKVM_BUS_RANGE16, act, &limbs[i], 1);
    /* 2 c1 - 2^16 s in [0, 2^16), c1 an integer below 2^16: s is c1's bit 15 */
    air_expr sgn = sub(B, scale(B, 2, c1), scale(B, TWO16, s));
    air_bus_send(B->b, "range_sign", ZKVM_BUS_RANGE16, w, &sgn, 1);

    return pa_finish(B, N_COLS);
}

/* ------------------------------------------------------------------------------------------ */
/* The trace                                                                                    */
/* ------------------------------------------------------------------------------------------ */

/* Fills row[0..N_COLS) for a valid record of flag index f. */
static void witness(const zkvm_op_record *r, int f, uint64_t row[N_COLS]) {
    memset(row, 0, N_COLS * sizeof *row);
    int is_w = FLAG_OP[f] == ZKVM_OP_ADDW || FLAG_OP[f] == ZKVM_OP_SUBW;
    int is_sub = FLAG_OP[f] == ZKVM_OP_SUB || FLAG_OP[f] == ZKVM_OP_SUBW;
    uint64_t x = r->x, y = r->y, c = r->c;
    row[f] = 1;
    row[COL_X_LO] = x & M32, row[COL_X_HI] = x >> 32;
    row[COL_Y_LO] = y & M32, row[COL_Y_HI] = y >> 32;
    for (unsigned i = 0; i < 4; i++) row[COL_C0 + i] = (c >> (16 * i)) & M16;
    /* the low word: k0 is the carry of x_lo + y_lo (add) or of c_lo + y_lo (sub) */
    uint64_t a_lo = is_sub ? (c & M32) : (x & M32);
    uint64_t s_lo = a_lo + (y & M32);
    row[COL_K0] = s_lo >> 32;
    if (is_w) {
        row[COL_S] = (c >> 31) & 1;
    } else {
        uint64_t a_hi = is_sub ? c >> 32 : x >> 32;
        row[COL_K1] = (a_hi + (y >> 32) + row[COL_K0]) >> 32;
    }
}

/* The equations of the AIR on an integer row (mirrors zkvm_add_air; the trace builder checks
 * every row it makes with it, so a builder that disagrees with the AIR aborts here, not in a
 * proof). */
static int row_ok(const uint64_t row[N_COLS], const zkvm_op_record *r) {
    int f = -1;
    for (int i = 0; i < N_FLAGS; i++)
        if (row[i]) f = i;
    int is_w = FLAG_OP[f] == ZKVM_OP_ADDW || FLAG_OP[f] == ZKVM_OP_SUBW;
    int is_sub = FLAG_OP[f] == ZKVM_OP_SUB || FLAG_OP[f] == ZKVM_OP_SUBW;
    int64_t c_lo = (int64_t)(row[COL_C0] + (row[COL_C1] << 16)), c_hi = (int64_t)(row[COL_C2] + (row[COL_C3] << 16));
    if (FLAG_OP[f] == ZKVM_OP_LD && (row[COL_Y_LO] | row[COL_Y_HI] | row[COL_K0] | row[COL_K1]) != 0) return 0;
    int64_t sigma = is_sub ? -1 : 1;
    int64_t lo = sigma * ((int64_t)row[COL_X_LO] - c_lo) + (int64_t)row[COL_Y_LO] - TWO32 * (int64_t)row[COL_K0];
    int64_t hi = sigma * ((int64_t)row[COL_X_HI] - c_hi) + (int64_t)row[COL_Y_HI] + (int64_t)row[COL_K0] -
                 TWO32 * (int64_t)row[COL_K1];
    if (lo != 0 || (!is_w && hi != 0)) return 0;
    if (is_w && (row[COL_C2] != M16 * row[COL_S] || row[COL_C3] != M16 * row[COL_S] || row[COL_K1] != 0)) return 0;
    if (!is_w && row[COL_S] != 0) return 0;
    if (is_w && ((row[COL_C1] >> 15) & 1) != row[COL_S]) return 0;
    return (uint32_t)FLAG_OP[f] == r->opc && row[COL_X_LO] == (r->x & M32) && row[COL_X_HI] == r->x >> 32 &&
           row[COL_Y_LO] == (r->y & M32) && row[COL_Y_HI] == r->y >> 32 && (uint64_t)c_lo == (r->c & M32) &&
           (uint64_t)c_hi == r->c >> 32;
}

gl_t *zkvm_add_trace(const zkvm_op_record *recs, size_t n, unsigned log_n, zkvm_range_counts *rc) {
    return pa_trace_counted("add", FLAG_OP, N_FLAGS, N_COLS, recs, n, log_n, witness, row_ok, zkvm_add_count_lookups, rc,
                            NULL);
}

size_t zkvm_add_count_lookups(const gl_t *trace, unsigned log_n, zkvm_range_counts *rc) {
    size_t rows = (size_t)1 << log_n, skipped = 0;
    const gl_t *col_of[N_COLS];
    for (unsigned k = 0; k < N_COLS; k++) col_of[k] = trace + (size_t)k * rows;
    for (size_t i = 0; i < rows; i++) {
        gl_t act = gl_add(gl_add(gl_add(col_of[COL_F_ADD][i], col_of[COL_F_SUB][i]),
                                 gl_add(col_of[COL_F_ADDW][i], col_of[COL_F_SUBW][i])),
                          col_of[COL_F_LD][i]);
        gl_t w = gl_add(col_of[COL_F_ADDW][i], col_of[COL_F_SUBW][i]);
        if (act != 0) {
            for (unsigned l = 0; l < 4; l++) {
                gl_t v = col_of[COL_C0 + l][i];
                if (act == 1 && v < (1u << 16))
                    zkvm_range_add(rc, v);
                else
                    skipped++;
            }
        }
        if (w != 0) {
            gl_t v = gl_sub(gl_mul(2, col_of[COL_C1][i]), gl_mul(1u << 16, col_of[COL_S][i]));
            if (w == 1 && v < (1u << 16))
                zkvm_range_add(rc, v);
            else
                skipped++;
        }
    }
    return skipped;
}
