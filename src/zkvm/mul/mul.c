/* mul.c: the mul provider AIR (mul.h; docs/zkvm/mul.md has the soundness argument every
 * constraint below refers to, with the bounds that keep each equation below p). */
#include "mul.h"

#include <stdlib.h>
#include <string.h>

#include "base.h"
#include "provider_air.h"
#include "zkvm_bus.h"

/* Stage-1 columns. F_*: one-hot op flags (their sum is the row's multiplicity); X0..X3, Y0..Y3,
 * C0..C3: 16-bit limbs of x, y and the result (limb i = bits 16i..16i+15); K0 + 2^16 K0_B16:
 * the carry out of the low 32-bit chunk; K1 + 2^16 K1_B16 + 2^17 K1_B17: the carry out of the
 * high one (MUL only; it is the part of the product above 2^64 plus the chunk's overflow). */
enum {
    COL_F_MUL, COL_F_MULW,
    COL_X0, COL_X1, COL_X2, COL_X3,
    COL_Y0, COL_Y1, COL_Y2, COL_Y3,
    COL_C0, COL_C1, COL_C2, COL_C3,
    COL_K0, COL_K0_B16,
    COL_K1, COL_K1_B16, COL_K1_B17,
    N_COLS
};
#define N_FLAGS 2
static const zkvm_op FLAG_OP[N_FLAGS] = {ZKVM_OP_MUL, ZKVM_OP_MULW};
static const char *const COL_NAMES[N_COLS] = {
    "f_mul", "f_mulw", "x0", "x1", "x2", "x3", "y0", "y1", "y2", "y3",
    "c0",    "c1",     "c2", "c3", "k0", "k0_b16", "k1", "k1_b16", "k1_b17",
};
/* The columns looked up with the row's multiplicity, in declaration order. */
static const unsigned RANGE_COLS[] = {COL_X0, COL_X1, COL_X2, COL_X3, COL_Y0, COL_Y1, COL_Y2,
                                      COL_Y3, COL_C0, COL_C1, COL_C2, COL_C3, COL_K0, COL_K1};
#define N_RANGE (sizeof RANGE_COLS / sizeof RANGE_COLS[0])

#define M16 0xffffull
#define M32 0xffffffffull
#define TWO16 ((int64_t)1 << 16)
#define TWO32 ((int64_t)1 << 32)

int zkvm_mul_handles(zkvm_op op) { return pa_op_slot(FLAG_OP, N_FLAGS, op) >= 0; }

gl_t *zkvm_mul_fixed(unsigned log_n) {
    (void)log_n;
    return NULL;
}

/* 2^16 / 0xffff in the field: on a MULW row the sign lookup forces c3 to 0 or 0xffff, and this
 * times c3 is 2^16 s for the sign bit s = c3 / 0xffff (so the row needs no column for s). */
static gl_t sign_scale(void) { return gl_mul(1u << 16, gl_inv(M16)); }

/* ------------------------------------------------------------------------------------------ */
/* The AIR                                                                                      */
/* ------------------------------------------------------------------------------------------ */

air *zkvm_mul_air(void) {
    bld bs = pa_begin("mul", COL_NAMES, N_COLS), *B = &bs;
    air_expr f_mul = col(B, COL_F_MUL), f_mulw = col(B, COL_F_MULW);
    air_expr act = add(B, f_mul, f_mulw);
    air_expr x[4], y[4], c[4];
    for (unsigned i = 0; i < 4; i++) x[i] = col(B, COL_X0 + i), y[i] = col(B, COL_Y0 + i), c[i] = col(B, COL_C0 + i);
    air_expr k0_b16 = col(B, COL_K0_B16), k1_b16 = col(B, COL_K1_B16), k1_b17 = col(B, COL_K1_B17);
    air_expr k0 = add(B, col(B, COL_K0), scale(B, TWO16, k0_b16));
    air_expr k1 = add(B, add(B, col(B, COL_K1), scale(B, TWO16, k1_b16)), scale(B, 2 * TWO16, k1_b17));
    /* the 32-bit words of x, y, c (as the tuple carries them) */
    air_expr x_lo = add(B, x[0], scale(B, TWO16, x[1])), x_hi = add(B, x[2], scale(B, TWO16, x[3]));
    air_expr y_lo = add(B, y[0], scale(B, TWO16, y[1])), y_hi = add(B, y[2], scale(B, TWO16, y[3]));
    air_expr c_lo = add(B, c[0], scale(B, TWO16, c[1])), c_hi = add(B, c[2], scale(B, TWO16, c[3]));
    /* the limb convolution: conv[d] = sum_{i+j=d} x_i y_j (d = 0..3; each term < 2^32) */
    air_expr conv[4];
    for (unsigned d = 0; d < 4; d++) {
        conv[d] = K(B, 0);
        for (unsigned i = 0; i <= d; i++) conv[d] = add(B, conv[d], mul(B, x[i], y[d - i]));
    }
    /* the two 32-bit chunks of x y mod 2^64: P0 < 2^49, P1 < 2^51 (mul.md) */
    air_expr p0 = add(B, conv[0], scale(B, TWO16, conv[1]));
    air_expr p1 = add(B, conv[2], scale(B, TWO16, conv[3]));

    /* f_mulw and act boolean: on a row with act = 1 the flags are one-hot; the one other pair
     * they allow, f_mul = -1 with f_mulw = 1, has act = 0 and is harmless (mul.md), so f_mul
     * needs no boolean constraint of its own */
    boolean(B, "f_mulw", f_mulw);
    boolean(B, "one_op", act);
    boolean(B, "k0_b16", k0_b16);
    boolean(B, "k1_b16", k1_b16);
    boolean(B, "k1_b17", k1_b17);
    /* P0 = c_lo + 2^32 K0 and (MUL) P1 + K0 = c_hi + 2^32 K1, both exact over the integers */
    constrain(B, "chunk_lo", sub(B, sub(B, p0, c_lo), scale(B, TWO32, k0)));
    constrain(B, "chunk_hi", mul(B, f_mul, sub(B, sub(B, add(B, p1, k0), c_hi), scale(B, TWO32, k1))));
    /* MULW: c2 = c3, so c_hi = (2^16 + 1) c3, which the sign lookup below makes 0xffffffff s */
    constrain(B, "w_fill", mul(B, f_mulw, sub(B, c[2], c[3])));

    air_expr opc = add(B, scale(B, (int64_t)ZKVM_OP_MUL, f_mul), scale(B, (int64_t)ZKVM_OP_MULW, f_mulw));
    air_expr tuple[7] = {opc, x_lo, x_hi, y_lo, y_hi, c_lo, c_hi};
    air_bus_recv(B->b, "op", ZKVM_BUS_OP, act, tuple, 7);
    for (unsigned i = 0; i < N_RANGE; i++) {
        air_expr v = col(B, RANGE_COLS[i]);
        air_bus_send(B->b, "range", ZKVM_BUS_RANGE16, act, &v, 1);
    }
    /* MULW: v = 2 c1 - (2^16 / 0xffff) c3 in [0, 2^16) forces c3 in {0, 0xffff} (0xffff v =
     * 2 0xffff c1 - 2^16 c3 holds over the integers) and then s = c3 / 0xffff = c1's bit 15 */
    air_expr sgn = sub(B, scale(B, 2, c[1]), mul(B, air_const(B->b, sign_scale()), c[3]));
    air_bus_send(B->b, "range_sign", ZKVM_BUS_RANGE16, f_mulw, &sgn, 1);

    return pa_finish(B, N_COLS);
}

/* ------------------------------------------------------------------------------------------ */
/* The trace                                                                                    */
/* ------------------------------------------------------------------------------------------ */

/* P0 and P1 (zkvm_mul_air) of a row's limbs, as integers (< 2^49 and < 2^51 for limbs
 * below 2^16). */
static void chunks(const uint64_t row[N_COLS], uint64_t *p0, uint64_t *p1) {
    uint64_t conv[4] = {0, 0, 0, 0};
    for (unsigned d = 0; d < 4; d++)
        for (unsigned i = 0; i <= d; i++) conv[d] += row[COL_X0 + i] * row[COL_Y0 + d - i];
    *p0 = conv[0] + (conv[1] << 16);
    *p1 = conv[2] + (conv[3] << 16);
}

/* Fills row[0..N_COLS) for a valid record of flag index f. */
static void witness(const zkvm_op_record *r, int f, uint64_t row[N_COLS]) {
    memset(row, 0, N_COLS * sizeof *row);
    row[f] = 1;
    for (unsigned i = 0; i < 4; i++) {
        row[COL_X0 + i] = (r->x >> (16 * i)) & M16;
        row[COL_Y0 + i] = (r->y >> (16 * i)) & M16;
        row[COL_C0 + i] = (r->c >> (16 * i)) & M16;
    }
    uint64_t p0, p1;
    chunks(row, &p0, &p1);
    uint64_t k0 = p0 >> 32; /* <= 2^17 - 3 */
    row[COL_K0] = k0 & M16, row[COL_K0_B16] = k0 >> 16;
    if (FLAG_OP[f] == ZKVM_OP_MUL) {
        uint64_t k1 = (p1 + k0) >> 32; /* <= 2^18 - 5 */
        row[COL_K1] = k1 & M16, row[COL_K1_B16] = (k1 >> 16) & 1, row[COL_K1_B17] = k1 >> 17;
    }
}

/* The equations of the AIR on an integer row (mirrors zkvm_mul_air; the trace builder checks
 * every row it makes with it, so a builder that disagrees with the AIR aborts here, not in a
 * proof), and that the received tuple is the record's. */
static int row_ok(const uint64_t row[N_COLS], const zkvm_op_record *r) {
    int f = row[COL_F_MUL] ? 0 : 1;
    if (row[COL_F_MUL] + row[COL_F_MULW] != 1) return 0;
    for (unsigned i = 0; i < N_RANGE; i++)
        if (row[RANGE_COLS[i]] > M16) return 0;
    if (row[COL_K0_B16] > 1 || row[COL_K1_B16] > 1 || row[COL_K1_B17] > 1) return 0;
    uint64_t p0, p1;
    chunks(row, &p0, &p1);
    uint64_t c_lo = row[COL_C0] + (row[COL_C1] << 16), c_hi = row[COL_C2] + (row[COL_C3] << 16);
    uint64_t k0 = row[COL_K0] + (row[COL_K0_B16] << 16);
    uint64_t k1 = row[COL_K1] + (row[COL_K1_B16] << 16) + (row[COL_K1_B17] << 17);
    if (p0 != c_lo + (k0 << 32)) return 0;
    if (FLAG_OP[f] == ZKVM_OP_MUL && p1 + k0 != c_hi + (k1 << 32)) return 0;
    /* MULW: c2 = c3 = 0xffff s with s = bit 15 of c1 (w_fill and the sign lookup) */
    if (FLAG_OP[f] == ZKVM_OP_MULW &&
        (row[COL_C2] != row[COL_C3] || row[COL_C3] != M16 * ((row[COL_C1] >> 15) & 1)))
        return 0;
    uint64_t x = 0, y = 0;
    for (unsigned i = 0; i < 4; i++) x |= row[COL_X0 + i] << (16 * i), y |= row[COL_Y0 + i] << (16 * i);
    return (uint32_t)FLAG_OP[f] == r->opc && x == r->x && y == r->y && c_lo + (c_hi << 32) == r->c;
}

gl_t *zkvm_mul_trace(const zkvm_op_record *recs, size_t n, unsigned log_n, zkvm_range_counts *rc) {
    return pa_trace_counted("mul", FLAG_OP, N_FLAGS, N_COLS, recs, n, log_n, witness, row_ok, zkvm_mul_count_lookups, rc,
                            NULL);
}

size_t zkvm_mul_count_lookups(const gl_t *trace, unsigned log_n, zkvm_range_counts *rc) {
    size_t rows = (size_t)1 << log_n, skipped = 0;
    const gl_t *col_of[N_COLS];
    for (unsigned k = 0; k < N_COLS; k++) col_of[k] = trace + (size_t)k * rows;
    gl_t scale_c3 = sign_scale();
    for (size_t i = 0; i < rows; i++) {
        gl_t w = col_of[COL_F_MULW][i], act = gl_add(col_of[COL_F_MUL][i], w);
        if (act != 0)
            for (unsigned l = 0; l < N_RANGE; l++) {
                gl_t v = col_of[RANGE_COLS[l]][i];
                if (act == 1 && v < (1u << 16))
                    zkvm_range_add(rc, v);
                else
                    skipped++;
            }
        if (w != 0) {
            gl_t v = gl_sub(gl_mul(2, col_of[COL_C1][i]), gl_mul(scale_c3, col_of[COL_C3][i]));
            if (w == 1 && v < (1u << 16))
                zkvm_range_add(rc, v);
            else
                skipped++;
        }
    }
    return skipped;
}
