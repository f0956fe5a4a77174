/* logic.c: the logic provider AIR, XOR/OR/AND (logic.h; docs/zkvm/logic.md has the soundness
 * argument). */
#include "logic.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base.h"
#include "binary_internal.h"

/* Stage-1 columns: op flags, the bytes of x and y, r_i = x_i AND y_i (the result limbs are
 * expressions of these). */
enum {
    C_F = 0,   /* f_xor, f_or, f_and */
    C_X = 3,   /* x bytes (8) */
    C_Y = 11,  /* y bytes (8) */
    C_R = 19,  /* x_i AND y_i (8) */
    C_N = 27
};
#define N_FLAGS 3
static const zkvm_op FLAG_OP[N_FLAGS] = {ZKVM_OP_XOR, ZKVM_OP_OR, ZKVM_OP_AND};

static int op_slot(zkvm_op op) {
    for (int i = 0; i < N_FLAGS; i++)
        if (FLAG_OP[i] == op) return i;
    return -1;
}

int zkvm_logic_handles(zkvm_op op) { return op_slot(op) >= 0; }

gl_t *zkvm_logic_fixed(unsigned log_n) {
    (void)log_n;
    return NULL;
}

/* c from the bytes, as the AIR's result expressions compute it. */
static uint64_t logic_c(int f, uint64_t x, uint64_t y) {
    uint64_t r = x & y;
    switch (FLAG_OP[f]) {
    case ZKVM_OP_XOR: return x + y - 2 * r; /* no borrow across bytes: each byte is >= 0 */
    case ZKVM_OP_OR: return x + y - r;
    default: return r;
    }
}

/* The flag index of a valid record (aborts otherwise). */
static int record_slot(const zkvm_op_record *r) {
    uint64_t c;
    int f = zkvm_opc_off(r->opc) == 0 ? op_slot(zkvm_opc_op(r->opc)) : -1;
    if (f < 0 || !zkvm_op_eval(r->opc, r->x, r->y, &c) || c != r->c || logic_c(f, r->x, r->y) != c)
        zisk_panic(__FILE__, __LINE__, "logic: invalid record opc %u x 0x%llx y 0x%llx c 0x%llx", r->opc,
                   (unsigned long long)r->x, (unsigned long long)r->y, (unsigned long long)r->c);
    return f;
}

gl_t *zkvm_logic_trace(const zkvm_op_record *recs, size_t n, unsigned log_n, zkvm_range_counts *rc) {
    (void)rc;
    ZISK_ASSERT(log_n >= 1 && log_n <= 30);
    size_t rows = (size_t)1 << log_n;
    ZISK_ASSERT(n <= rows && (n == 0 || recs != NULL));
    gl_t *t = zkvm_trace_alloc(C_N, rows);
    for (size_t i = 0; i < n; i++) {
        const zkvm_op_record *r = &recs[i];
        int f = record_slot(r);
        t[(size_t)(C_F + f) * rows + i] = 1;
        for (unsigned j = 0; j < 8; j++) {
            unsigned a = (r->x >> (8 * j)) & 0xff, b = (r->y >> (8 * j)) & 0xff;
            t[(size_t)(C_X + j) * rows + i] = a;
            t[(size_t)(C_Y + j) * rows + i] = b;
            t[(size_t)(C_R + j) * rows + i] = a & b;
        }
    }
    return t;
}

void zkvm_logic_count(zkvm_binary_counts *bc, const zkvm_op_record *recs, size_t n) {
    for (size_t i = 0; i < n; i++) {
        (void)record_slot(&recs[i]);
        for (unsigned j = 0; j < 8; j++)
            bc->byte[table_row((recs[i].x >> (8 * j)) & 0xff, (recs[i].y >> (8 * j)) & 0xff)]++;
    }
}

size_t zkvm_logic_count_trace(zkvm_binary_counts *bc, const gl_t *trace, unsigned log_n) {
    size_t rows = (size_t)1 << log_n, skipped = 0;
    for (size_t i = 0; i < rows; i++) {
        gl_t m = 0;
        for (unsigned f = 0; f < N_FLAGS; f++) m = gl_add(m, trace[(size_t)(C_F + f) * rows + i]);
        if (m == 0) continue;
        for (unsigned j = 0; j < 8; j++) {
            gl_t a = trace[(size_t)(C_X + j) * rows + i], b = trace[(size_t)(C_Y + j) * rows + i];
            if (m == 1 && a < 256 && b < 256)
                bc->byte[table_row((unsigned)a, (unsigned)b)]++;
            else
                skipped++;
        }
    }
    return skipped;
}

air *zkvm_logic_air(void) {
    air_builder *b = air_builder_new("logic", 3);
    static const char *const fnames[N_FLAGS] = {"f_xor", "f_or", "f_and"};
    for (unsigned k = 0; k < N_FLAGS; k++) ZISK_ASSERT(air_col_stage1(b, fnames[k]).index == C_F + k);
    ZISK_ASSERT(air_cols_stage1(b, "x", 8).index == C_X);
    ZISK_ASSERT(air_cols_stage1(b, "y", 8).index == C_Y);
    ZISK_ASSERT(air_cols_stage1(b, "r", 8).index == C_R);

    air_expr one = air_const(b, 1), m = air_const(b, 0), opc = air_const(b, 0), f[N_FLAGS];
    for (unsigned k = 0; k < N_FLAGS; k++) {
        f[k] = air_cur(b, (air_col){AIR_STAGE1, C_F + k});
        air_constrain(b, AIR_EVERY_ROW, fnames[k], air_mul(b, f[k], air_sub(b, one, f[k])));
        m = air_add(b, m, f[k]);
        opc = air_add(b, opc, air_mul(b, air_const(b, FLAG_OP[k]), f[k]));
    }
    /* boolean flags with a boolean sum: at most one op; m is the multiplicity everywhere */
    air_constrain(b, AIR_EVERY_ROW, "one_op", air_mul(b, m, air_sub(b, one, m)));

    const air_col cx = {AIR_STAGE1, C_X}, cy = {AIR_STAGE1, C_Y}, cr = {AIR_STAGE1, C_R};
    air_expr X[2] = {byte_limb(b, cx, 0), byte_limb(b, cx, 4)}, Y[2] = {byte_limb(b, cy, 0), byte_limb(b, cy, 4)};
    air_expr R[2] = {byte_limb(b, cr, 0), byte_limb(b, cr, 4)};
    /* the result limbs, degree 2: the op interaction (declared last) is a bus group of its own,
     * the one folded into the accumulator, while the 8 lookups pair up */
    air_expr C[2];
    for (int h = 0; h < 2; h++) {
        air_expr xy = air_add(b, X[h], Y[h]);
        C[h] = air_add(b, air_add(b, air_mul(b, f[0], air_sub(b, xy, air_add(b, R[h], R[h]))),
                                  air_mul(b, f[1], air_sub(b, xy, R[h]))),
                       air_mul(b, f[2], R[h]));
    }
    /* byte lookups (KIND_AND, x_i, y_i, 0, r_i, 0) on the table's byte bus, multiplicity m */
    for (unsigned i = 0; i < 8; i++) {
        air_expr v[6] = {air_const(b, KIND_AND), air_cur(b, (air_col){AIR_STAGE1, C_X + i}),
                         air_cur(b, (air_col){AIR_STAGE1, C_Y + i}), air_const(b, 0),
                         air_cur(b, (air_col){AIR_STAGE1, C_R + i}), air_const(b, 0)};
        char name[16];
        snprintf(name, sizeof name, "byte%u", i);
        air_bus_send(b, name, BUS_BYTE, m, v, 6);
    }
    air_expr tuple[7] = {opc, X[0], X[1], Y[0], Y[1], C[0], C[1]};
    air_bus_recv(b, "op", ZKVM_BUS_OP, m, tuple, 7);
    zisk_err err;
    air *a = air_build(b, &err);
    if (!a) zisk_panic(__FILE__, __LINE__, "%s", err.msg);
    ZISK_ASSERT(air_n_cols(a, AIR_STAGE1) == C_N);
    return a;
}
