/* eq.c: the eq provider AIR (eq.h; docs/zkvm/eq.md has the soundness argument every constraint
 * below refers to). */
#include "eq.h"

#include <stdlib.h>
#include <string.h>

#include "base.h"
#include "provider_air.h"
#include "zkvm_bus.h"

/* Stage-1 columns. F_*: one-hot op flags (their sum is the row's multiplicity); X_*, Y_*: the
 * operands' 32-bit limbs; I_LO, I_HI: inverses of e = x_lo - y_lo and f = x_hi - y_hi (0 where
 * those are 0); Z_LO = [e == 0]; Z = [x == y]. */
enum {
    COL_F_EQ, COL_F_NE,
    COL_X_LO, COL_X_HI, COL_Y_LO, COL_Y_HI,
    COL_I_LO, COL_I_HI, COL_Z_LO, COL_Z,
    N_COLS
};
#define N_FLAGS 2
static const zkvm_op FLAG_OP[N_FLAGS] = {ZKVM_OP_EQ, ZKVM_OP_NE};
static const char *const COL_NAMES[N_COLS] = {
    "f_eq", "f_ne", "x_lo", "x_hi", "y_lo", "y_hi", "i_lo", "i_hi", "z_lo", "z",
};

#define M32 0xffffffffull

/* The op's flag index, or -1. */
static int op_slot(zkvm_op op) { return pa_op_slot(FLAG_OP, N_FLAGS, op); }

int zkvm_eq_handles(zkvm_op op) { return op_slot(op) >= 0; }

gl_t *zkvm_eq_fixed(unsigned log_n) {
    (void)log_n;
    return NULL;
}

/* ------------------------------------------------------------------------------------------ */
/* The AIR                                                                                      */
/* ------------------------------------------------------------------------------------------ */

air *zkvm_eq_air(void) {
    bld bs = pa_begin("eq", COL_NAMES, N_COLS), *B = &bs;
    air_expr f_eq = col(B, COL_F_EQ), f_ne = col(B, COL_F_NE);
    air_expr act = add(B, f_eq, f_ne);
    air_expr x_lo = col(B, COL_X_LO), x_hi = col(B, COL_X_HI);
    air_expr y_lo = col(B, COL_Y_LO), y_hi = col(B, COL_Y_HI);
    air_expr i_lo = col(B, COL_I_LO), i_hi = col(B, COL_I_HI);
    air_expr z_lo = col(B, COL_Z_LO), z = col(B, COL_Z);
    /* canonical limbs: e, f are integers in (-2^32, 2^32), zero in the field iff zero */
    air_expr e = sub(B, x_lo, y_lo), f = sub(B, x_hi, y_hi);
    air_expr hi_eq = one_minus(B, mul(B, f, i_hi)); /* [f == 0], forced by hi_zero */

    boolean(B, "f_eq", f_eq);
    boolean(B, "f_ne", f_ne);
    boolean(B, "one_op", act); /* with boolean flags: at most one flag set */
    constrain(B, "lo_zero", mul(B, e, z_lo));                     /* e != 0 => z_lo = 0 */
    constrain(B, "lo_inv", add(B, sub(B, z_lo, K(B, 1)), mul(B, e, i_lo))); /* e == 0 => z_lo = 1 */
    constrain(B, "hi_zero", mul(B, f, hi_eq));                    /* f != 0 => hi_eq = 0 */
    constrain(B, "z_def", sub(B, z, mul(B, z_lo, hi_eq)));        /* z = [e == 0][f == 0] */

    /* c_lo = z (EQ) or 1 - z (NE); degree 2, which the bus allows for a lone interaction */
    air_expr opc = add(B, scale(B, (int64_t)ZKVM_OP_EQ, f_eq), scale(B, (int64_t)ZKVM_OP_NE, f_ne));
    air_expr c_lo = add(B, f_ne, mul(B, sub(B, f_eq, f_ne), z));
    air_expr tuple[7] = {opc, x_lo, x_hi, y_lo, y_hi, c_lo, K(B, 0)};
    air_bus_recv(B->b, "op", ZKVM_BUS_OP, act, tuple, 7);

    return pa_finish(B, N_COLS);
}

/* ------------------------------------------------------------------------------------------ */
/* The trace                                                                                    */
/* ------------------------------------------------------------------------------------------ */

/* Fills row[0..N_COLS) for a valid record of flag index fl (fl < 0: a padding row, x = y = 0).
 * One Fermat inversion per nonzero word difference (about 75 multiplications): a few times the
 * cost of the rest of the row, acceptable while EQ/NE are a small share of the uops; batch
 * inversion (Montgomery's trick) is the fix if this builder ever shows up in a profile. */
static void witness(const zkvm_op_record *r, int fl, gl_t row[N_COLS]) {
    memset(row, 0, N_COLS * sizeof *row);
    uint64_t x = r ? r->x : 0, y = r ? r->y : 0;
    if (fl >= 0) row[fl] = 1;
    row[COL_X_LO] = x & M32, row[COL_X_HI] = x >> 32;
    row[COL_Y_LO] = y & M32, row[COL_Y_HI] = y >> 32;
    gl_t e = gl_sub(row[COL_X_LO], row[COL_Y_LO]), f = gl_sub(row[COL_X_HI], row[COL_Y_HI]);
    row[COL_I_LO] = e ? gl_inv(e) : 0;
    row[COL_I_HI] = f ? gl_inv(f) : 0;
    row[COL_Z_LO] = e == 0;
    row[COL_Z] = x == y;
}

/* The equations of the AIR on a field row (mirrors zkvm_eq_air; the trace builder checks every
 * row it makes with it, so a builder that disagrees with the AIR aborts here, not in a proof),
 * and, for a record's row (r != NULL), that the received tuple is the record's. */
static int row_ok(const gl_t row[N_COLS], const zkvm_op_record *r) {
    gl_t f_eq = row[COL_F_EQ], f_ne = row[COL_F_NE], act = gl_add(f_eq, f_ne);
    gl_t e = gl_sub(row[COL_X_LO], row[COL_Y_LO]), f = gl_sub(row[COL_X_HI], row[COL_Y_HI]);
    gl_t hi_eq = gl_sub(1, gl_mul(f, row[COL_I_HI]));
    if (gl_mul(f_eq, gl_sub(1, f_eq)) || gl_mul(f_ne, gl_sub(1, f_ne)) || gl_mul(act, gl_sub(1, act))) return 0;
    if (gl_mul(e, row[COL_Z_LO]) || gl_add(gl_sub(row[COL_Z_LO], 1), gl_mul(e, row[COL_I_LO]))) return 0;
    if (gl_mul(f, hi_eq) || gl_sub(row[COL_Z], gl_mul(row[COL_Z_LO], hi_eq))) return 0;
    if (!r) return act == 0;
    gl_t opc = gl_add(gl_mul(ZKVM_OP_EQ, f_eq), gl_mul(ZKVM_OP_NE, f_ne));
    gl_t c_lo = gl_add(f_ne, gl_mul(gl_sub(f_eq, f_ne), row[COL_Z]));
    return act == 1 && opc == r->opc && row[COL_X_LO] == (r->x & M32) && row[COL_X_HI] == r->x >> 32 &&
           row[COL_Y_LO] == (r->y & M32) && row[COL_Y_HI] == r->y >> 32 && c_lo == (r->c & M32) && r->c >> 32 == 0;
}

gl_t *zkvm_eq_trace(const zkvm_op_record *recs, size_t n, unsigned log_n, zkvm_range_counts *rc) {
    (void)rc; /* no lookups */
    ZISK_ASSERT(log_n >= 1 && log_n <= 30);
    size_t rows = (size_t)1 << log_n;
    ZISK_ASSERT(n <= rows && (n == 0 || recs != NULL));
    gl_t *t = zkvm_trace_alloc(N_COLS, rows);
    gl_t row[N_COLS];
    for (size_t i = 0; i < n; i++) {
        const zkvm_op_record *r = &recs[i];
        uint64_t c;
        int fl = zkvm_opc_off(r->opc) == 0 ? op_slot(zkvm_opc_op(r->opc)) : -1;
        if (fl < 0 || !zkvm_op_eval(r->opc, r->x, r->y, &c) || c != r->c)
            zisk_panic(__FILE__, __LINE__, "eq: record %zu (opc %u, x %#llx, y %#llx, c %#llx) "
                       "is not a valid eq operation", i, r->opc, (unsigned long long)r->x,
                       (unsigned long long)r->y, (unsigned long long)r->c);
        witness(r, fl, row);
        ZISK_ASSERT(row_ok(row, r));
        for (unsigned k = 0; k < N_COLS; k++) t[(size_t)k * rows + i] = row[k];
    }
    if (n < rows) {
        witness(NULL, -1, row);
        ZISK_ASSERT(row_ok(row, NULL));
        for (unsigned k = 0; k < N_COLS; k++)
            if (row[k])
                for (size_t i = n; i < rows; i++) t[(size_t)k * rows + i] = row[k];
    }
    return t;
}

size_t zkvm_eq_count_lookups(const gl_t *trace, unsigned log_n, zkvm_range_counts *rc) {
    (void)trace, (void)log_n, (void)rc;
    return 0;
}
