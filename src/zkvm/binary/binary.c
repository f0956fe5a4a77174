/* binary.c: the binary provider AIR and its byte table AIR (binary.h, docs/zkvm/binary.md). */
#include "binary.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base.h"
#include "binary_internal.h"
#include "zkvm_bus.h"

#define M32 0xffffffffull

/* ------------------------------------------------------------------------------------------ */
/* The operations                                                                               */
/* ------------------------------------------------------------------------------------------ */

/* neg: the row adds b = ~y with carry_in 1 (computes x - y); kind: table kind of bytes 1..7
 * (byte 0 of JALR uses KIND_ADD_EVEN). The order is the order of the flag columns. */
typedef struct binop_info {
    zkvm_op op;
    uint8_t neg;
    uint8_t kind;
} binop_info;

static const binop_info OPS[] = {
    {ZKVM_OP_ADD, 0, KIND_ADD},   {ZKVM_OP_SUB, 1, KIND_ADD},   {ZKVM_OP_SLT, 1, KIND_ADD},
    {ZKVM_OP_SLTU, 1, KIND_ADD},  {ZKVM_OP_XOR, 0, KIND_AND},   {ZKVM_OP_OR, 0, KIND_AND},
    {ZKVM_OP_AND, 0, KIND_AND},   {ZKVM_OP_ADDW, 0, KIND_ADD},  {ZKVM_OP_SUBW, 1, KIND_ADD},
    {ZKVM_OP_EQ, 1, KIND_ADD},    {ZKVM_OP_NE, 1, KIND_ADD},    {ZKVM_OP_GE, 1, KIND_ADD},
    {ZKVM_OP_GEU, 1, KIND_ADD},   {ZKVM_OP_MIN, 1, KIND_ADD},   {ZKVM_OP_MAX, 1, KIND_ADD},
    {ZKVM_OP_MINU, 1, KIND_ADD},  {ZKVM_OP_MAXU, 1, KIND_ADD},  {ZKVM_OP_MINW, 1, KIND_ADD},
    {ZKVM_OP_MAXW, 1, KIND_ADD},  {ZKVM_OP_MINUW, 1, KIND_ADD}, {ZKVM_OP_MAXUW, 1, KIND_ADD},
    {ZKVM_OP_JALR, 0, KIND_ADD},
};
#define N_OPS (sizeof OPS / sizeof OPS[0])

/* Index into OPS + 1 per op value; 0 = not ours. */
static uint8_t op_slot(zkvm_op op) {
    static const uint8_t slot[ZKVM_OP_COUNT] = {
        [ZKVM_OP_ADD] = 1,    [ZKVM_OP_SUB] = 2,    [ZKVM_OP_SLT] = 3,   [ZKVM_OP_SLTU] = 4,
        [ZKVM_OP_XOR] = 5,    [ZKVM_OP_OR] = 6,     [ZKVM_OP_AND] = 7,   [ZKVM_OP_ADDW] = 8,
        [ZKVM_OP_SUBW] = 9,   [ZKVM_OP_EQ] = 10,    [ZKVM_OP_NE] = 11,   [ZKVM_OP_GE] = 12,
        [ZKVM_OP_GEU] = 13,   [ZKVM_OP_MIN] = 14,   [ZKVM_OP_MAX] = 15,  [ZKVM_OP_MINU] = 16,
        [ZKVM_OP_MAXU] = 17,  [ZKVM_OP_MINW] = 18,  [ZKVM_OP_MAXW] = 19, [ZKVM_OP_MINUW] = 20,
        [ZKVM_OP_MAXUW] = 21, [ZKVM_OP_JALR] = 22,
    };
    return (unsigned)op < ZKVM_OP_COUNT ? slot[op] : 0;
}

int zkvm_binary_handles(zkvm_op op) { return op_slot(op) != 0; }

/* Table kind of byte i of op k. */
static unsigned op_kind(size_t k, unsigned i) {
    return OPS[k].op == ZKVM_OP_JALR && i == 0 ? KIND_ADD_EVEN : OPS[k].kind;
}

/* ------------------------------------------------------------------------------------------ */
/* The byte table                                                                               */
/* ------------------------------------------------------------------------------------------ */

uint32_t zkvm_binary_and_row(unsigned a, unsigned b) {
    ZISK_ASSERT(a < 256 && b < 256);
    return table_row(KIND_AND, a, b, 0);
}

_Static_assert(BUS_BYTE == ZKVM_BINARY_BYTE_BUS && KIND_AND == 0, "binary.h's byte lookup");

/* The table's function: r and carry_out of (kind, a, b, carry_in). */
static void table_eval(unsigned kind, unsigned a, unsigned b, unsigned cin, unsigned *r,
                       unsigned *cout) {
    if (kind == KIND_AND) {
        *r = a & b;
        *cout = 0;
        return;
    }
    unsigned s = a + b + cin;
    *r = kind == KIND_ADD_EVEN ? s & 0xfe : s & 0xff;
    *cout = s >> 8;
}

/* Fixed columns of the table AIR. slt = carry_out ^ msb(a) ^ msb(b): with b = ~y and the carry
 * chain of x + ~y + 1, this is "x < y as signed numbers" at the top byte of the comparison. */
enum { T_KIND, T_A, T_B, T_CIN, T_R, T_COUT, T_SLT, T_MSA, T_MSB, T_MSR, T_NCOLS };

gl_t *zkvm_binary_table_fixed(void) {
    size_t n = (size_t)1 << ZKVM_BINARY_TABLE_LOG_N;
    gl_t *f = zisk_xmalloc(T_NCOLS * n * sizeof *f);
    for (size_t row = 0; row < n; row++) {
        unsigned kind = row < (1u << 16) ? KIND_AND : row < (3u << 16) ? KIND_ADD : KIND_ADD_EVEN;
        unsigned cin = kind == KIND_ADD ? (unsigned)((row - (1u << 16)) >> 16) : 0;
        unsigned a = row & 0xff, b = (row >> 8) & 0xff, r, cout;
        ZISK_ASSERT(table_row(kind, a, b, cin) == row);
        table_eval(kind, a, b, cin, &r, &cout);
        unsigned vals[T_NCOLS] = {kind, a, b, cin, r, cout, cout ^ (a >> 7) ^ (b >> 7),
                                  a >> 7, b >> 7, r >> 7};
        for (unsigned c = 0; c < T_NCOLS; c++) f[c * n + row] = vals[c];
    }
    return f;
}

air *zkvm_binary_table_air(void) {
    air_builder *b = air_builder_new("binary_table", 3);
    static const char *const names[T_NCOLS] = {"kind", "a",   "b",   "cin", "r",
                                               "cout", "slt", "msa", "msb", "msr"};
    air_expr t[T_NCOLS];
    for (unsigned c = 0; c < T_NCOLS; c++) {
        air_col col = air_col_fixed(b, names[c]);
        ZISK_ASSERT(col.index == c);
        t[c] = air_cur(b, col);
    }
    air_col m_byte = air_col_stage1(b, "m_byte");
    air_col m_mid = air_col_stage1(b, "m_mid");
    air_col m_top = air_col_stage1(b, "m_top");
    air_bus_recv(b, "byte", BUS_BYTE, air_cur(b, m_byte), t, 6);
    air_bus_recv(b, "mid", BUS_MID, air_cur(b, m_mid), t, 10);
    air_bus_recv(b, "top", BUS_TOP, air_cur(b, m_top), t, 7);
    zisk_err err;
    air *a = air_build(b, &err);
    if (!a) zisk_panic(__FILE__, __LINE__, "%s", err.msg);
    return a;
}

gl_t *zkvm_binary_table_trace(const zkvm_binary_counts *bc) {
    size_t n = (size_t)1 << ZKVM_BINARY_TABLE_LOG_N;
    gl_t *t = zisk_xmalloc(3 * n * sizeof *t);
    for (size_t i = 0; i < n; i++) {
        t[i] = gl_from_u64(bc->byte[i]);
        t[n + i] = gl_from_u64(bc->mid[i]);
        t[2 * n + i] = gl_from_u64(bc->top[i]);
    }
    return t;
}

/* ------------------------------------------------------------------------------------------ */
/* One row                                                                                      */
/* ------------------------------------------------------------------------------------------ */

/* Stage-1 columns of the provider. */
enum {
    C_X = 0,       /* x bytes (8) */
    C_B = 8,       /* b bytes (8): y, or ~y when the op subtracts */
    C_R = 16,      /* table result bytes (8) */
    C_COUT = 24,   /* carry out of each byte (8) */
    C_Y_LO = 32,   /* y limbs (the tuple's; b is ~y for subtracting ops) */
    C_Y_HI,
    C_C_LO,        /* result limbs */
    C_C_HI,
    C_SLT3,        /* byte 3 extras: signed x_lo < y_lo, bit 31 of x, of b, of r */
    C_MSA3,
    C_MSB3,
    C_MSR3,
    C_SLT7,        /* byte 7 extra: signed x < y */
    C_INV,         /* 1 / sum(r bytes) (0 when the sum is 0): the EQ/NE zero test */
    C_FLAG,        /* one flag per op, in OPS order */
    C_N = C_FLAG + N_OPS
};

/* Everything a row holds, as integers. */
typedef struct binary_row {
    size_t k; /* index into OPS */
    uint8_t x[8], b[8], r[8], cout[8];
    uint32_t y_lo, y_hi, c_lo, c_hi;
    uint8_t slt3, msa3, msb3, msr3, slt7;
    uint32_t z;       /* sum of the r bytes, <= 2040 */
    uint32_t trow[8]; /* table row of each byte's lookup */
} binary_row;

/* Fills *row for a record, aborting when the record is not a valid one of ours, and computes c
 * from the row exactly as the c_lo / c_hi constraints do, so that a disagreement between the
 * constraints and zkvm_op_eval shows up here (as an abort) on the first such record. */
static void binary_row_fill(const zkvm_op_record *rec, binary_row *row) {
    uint64_t ref;
    if (rec->opc >= ZKVM_OPC_OFF_MUL || op_slot((zkvm_op)rec->opc) == 0 ||
        !zkvm_op_eval(rec->opc, rec->x, rec->y, &ref) || ref != rec->c)
        zisk_panic(__FILE__, __LINE__,
                   "binary: invalid record opc %u x 0x%llx y 0x%llx c 0x%llx", rec->opc,
                   (unsigned long long)rec->x, (unsigned long long)rec->y,
                   (unsigned long long)rec->c);
    size_t k = (size_t)op_slot((zkvm_op)rec->opc) - 1;
    row->k = k;
    uint64_t x = rec->x, y = rec->y, bv = OPS[k].neg ? ~y : y;
    unsigned cin = OPS[k].neg;
    uint32_t z = 0;
    for (unsigned i = 0; i < 8; i++) {
        unsigned a = (x >> (8 * i)) & 0xff, bb = (bv >> (8 * i)) & 0xff, r, cout;
        unsigned kind = op_kind(k, i);
        table_eval(kind, a, bb, cin, &r, &cout);
        row->x[i] = (uint8_t)a;
        row->b[i] = (uint8_t)bb;
        row->r[i] = (uint8_t)r;
        row->cout[i] = (uint8_t)cout;
        row->trow[i] = table_row(kind, a, bb, cin);
        z += r;
        cin = cout;
    }
    row->z = z;
    row->y_lo = (uint32_t)y;
    row->y_hi = (uint32_t)(y >> 32);
    row->msa3 = row->x[3] >> 7;
    row->msb3 = row->b[3] >> 7;
    row->msr3 = row->r[3] >> 7;
    row->slt3 = row->cout[3] ^ row->msa3 ^ row->msb3;
    row->slt7 = row->cout[7] ^ (row->x[7] >> 7) ^ (row->b[7] >> 7);

    /* The c constraints, in integers. */
    uint64_t X[2] = {(uint32_t)x, x >> 32}, B[2] = {(uint32_t)bv, bv >> 32};
    uint64_t Y[2] = {row->y_lo, row->y_hi}, R[2] = {0, 0};
    for (unsigned i = 0; i < 8; i++) R[i / 4] |= (uint64_t)row->r[i] << (8 * (i % 4));
    unsigned lt64u = 1u - row->cout[7], lt32u = 1u - row->cout[3];
    unsigned sx3 = row->msa3, sy3 = 1u - row->msb3; /* sign bits of x_lo, y_lo (b = ~y) */
    uint64_t lo = 0, hi = 0;
    switch (OPS[k].op) {
    case ZKVM_OP_ADD: case ZKVM_OP_SUB: case ZKVM_OP_AND: case ZKVM_OP_JALR:
        lo = R[0], hi = R[1];
        break;
    case ZKVM_OP_ADDW: case ZKVM_OP_SUBW: lo = R[0], hi = row->msr3 * M32; break;
    case ZKVM_OP_XOR: lo = X[0] + B[0] - 2 * R[0], hi = X[1] + B[1] - 2 * R[1]; break;
    case ZKVM_OP_OR: lo = X[0] + B[0] - R[0], hi = X[1] + B[1] - R[1]; break;
    case ZKVM_OP_SLTU: lo = lt64u; break;
    case ZKVM_OP_GEU: lo = row->cout[7]; break;
    case ZKVM_OP_SLT: lo = row->slt7; break;
    case ZKVM_OP_GE: lo = 1u - row->slt7; break;
    case ZKVM_OP_EQ: lo = z == 0; break;
    case ZKVM_OP_NE: lo = z != 0; break;
    case ZKVM_OP_MINU: lo = lt64u ? X[0] : Y[0], hi = lt64u ? X[1] : Y[1]; break;
    case ZKVM_OP_MAXU: lo = lt64u ? Y[0] : X[0], hi = lt64u ? Y[1] : X[1]; break;
    case ZKVM_OP_MIN: lo = row->slt7 ? X[0] : Y[0], hi = row->slt7 ? X[1] : Y[1]; break;
    case ZKVM_OP_MAX: lo = row->slt7 ? Y[0] : X[0], hi = row->slt7 ? Y[1] : X[1]; break;
    case ZKVM_OP_MINUW: lo = lt32u ? X[0] : Y[0], hi = (lt32u ? sx3 : sy3) * M32; break;
    case ZKVM_OP_MAXUW: lo = lt32u ? Y[0] : X[0], hi = (lt32u ? sy3 : sx3) * M32; break;
    case ZKVM_OP_MINW: lo = row->slt3 ? X[0] : Y[0], hi = (row->slt3 ? sx3 : sy3) * M32; break;
    case ZKVM_OP_MAXW: lo = row->slt3 ? Y[0] : X[0], hi = (row->slt3 ? sy3 : sx3) * M32; break;
    default: ZISK_ASSERT(0);
    }
    if (lo > M32 || hi > M32 || (lo | hi << 32) != rec->c)
        zisk_panic(__FILE__, __LINE__,
                   "binary: row for %s x 0x%llx y 0x%llx gives c 0x%llx:%llx, not 0x%llx",
                   zkvm_op_name(OPS[k].op), (unsigned long long)x, (unsigned long long)y,
                   (unsigned long long)hi, (unsigned long long)lo, (unsigned long long)rec->c);
    row->c_lo = (uint32_t)lo;
    row->c_hi = (uint32_t)hi;
}

/* ------------------------------------------------------------------------------------------ */
/* Trace and counts                                                                             */
/* ------------------------------------------------------------------------------------------ */

gl_t *zkvm_binary_fixed(unsigned log_n) {
    (void)log_n;
    return NULL;
}

gl_t *zkvm_binary_trace(const zkvm_op_record *recs, size_t n, unsigned log_n,
                        zkvm_range_counts *rc) {
    (void)rc;
    ZISK_ASSERT(log_n >= 1 && log_n <= 30);
    size_t rows = (size_t)1 << log_n;
    ZISK_ASSERT(n <= rows);
    /* z = sum of the r bytes is in [0, 2040]: its inverses once per call. */
    gl_t inv[8 * 255 + 1];
    inv[0] = 0;
    for (unsigned v = 1; v <= 8 * 255; v++) inv[v] = gl_inv(v);
    gl_t *t = zkvm_trace_alloc(C_N, rows);
    /* Rows are independent; an invalid record aborts the process from whichever thread. */
#pragma omp parallel for schedule(static)
    for (size_t i = 0; i < n; i++) {
        binary_row row;
        binary_row_fill(&recs[i], &row);
        for (unsigned j = 0; j < 8; j++) {
            t[(size_t)(C_X + j) * rows + i] = row.x[j];
            t[(size_t)(C_B + j) * rows + i] = row.b[j];
            t[(size_t)(C_R + j) * rows + i] = row.r[j];
            t[(size_t)(C_COUT + j) * rows + i] = row.cout[j];
        }
        t[(size_t)C_Y_LO * rows + i] = row.y_lo;
        t[(size_t)C_Y_HI * rows + i] = row.y_hi;
        t[(size_t)C_C_LO * rows + i] = row.c_lo;
        t[(size_t)C_C_HI * rows + i] = row.c_hi;
        t[(size_t)C_SLT3 * rows + i] = row.slt3;
        t[(size_t)C_MSA3 * rows + i] = row.msa3;
        t[(size_t)C_MSB3 * rows + i] = row.msb3;
        t[(size_t)C_MSR3 * rows + i] = row.msr3;
        t[(size_t)C_SLT7 * rows + i] = row.slt7;
        t[(size_t)C_INV * rows + i] = inv[row.z];
        t[(size_t)(C_FLAG + row.k) * rows + i] = 1;
    }
    return t;
}

void zkvm_binary_count(zkvm_binary_counts *bc, const zkvm_op_record *recs, size_t n) {
    for (size_t i = 0; i < n; i++) {
        binary_row row;
        binary_row_fill(&recs[i], &row);
        for (unsigned j = 0; j < 8; j++) {
            uint64_t *cnt = j == 3 ? bc->mid : j == 7 ? bc->top : bc->byte;
            cnt[row.trow[j]]++;
        }
    }
}

/* ------------------------------------------------------------------------------------------ */
/* The provider AIR                                                                             */
/* ------------------------------------------------------------------------------------------ */

/* s ? u : v for a bit s: v + s (u - v). */
static air_expr sel(air_builder *b, air_expr s, air_expr u, air_expr v) {
    return air_add(b, v, air_mul(b, s, air_sub(b, u, v)));
}

air *zkvm_binary_air(void) {
    air_builder *b = air_builder_new("binary", 3);
    air_col x = air_cols_stage1(b, "x", 8), bb = air_cols_stage1(b, "b", 8);
    air_col r = air_cols_stage1(b, "r", 8), cout = air_cols_stage1(b, "cout", 8);
    air_col cy_lo = air_col_stage1(b, "y_lo"), cy_hi = air_col_stage1(b, "y_hi");
    air_col cc_lo = air_col_stage1(b, "c_lo"), cc_hi = air_col_stage1(b, "c_hi");
    air_col cslt3 = air_col_stage1(b, "slt3"), cmsa3 = air_col_stage1(b, "msa3");
    air_col cmsb3 = air_col_stage1(b, "msb3"), cmsr3 = air_col_stage1(b, "msr3");
    air_col cslt7 = air_col_stage1(b, "slt7"), cinv = air_col_stage1(b, "inv");
    air_col flag[N_OPS];
    for (size_t k = 0; k < N_OPS; k++) {
        char name[32];
        snprintf(name, sizeof name, "f_%s", zkvm_op_name(OPS[k].op));
        flag[k] = air_col_stage1(b, name);
        ZISK_ASSERT(flag[k].index == C_FLAG + k);
    }
    ZISK_ASSERT(x.index == C_X && bb.index == C_B && r.index == C_R && cout.index == C_COUT &&
                cy_lo.index == C_Y_LO && cinv.index == C_INV);

    air_expr one = air_const(b, 1), m32 = air_const(b, M32);
    air_expr f[N_OPS], m = air_const(b, 0), neg = air_const(b, 0), opc = air_const(b, 0);
    for (size_t k = 0; k < N_OPS; k++) {
        f[k] = air_cur(b, flag[k]);
        char name[40];
        snprintf(name, sizeof name, "f_%s_bool", zkvm_op_name(OPS[k].op));
        air_constrain(b, AIR_EVERY_ROW, name, air_mul(b, f[k], air_sub(b, one, f[k])));
        m = air_add(b, m, f[k]);
        if (OPS[k].neg) neg = air_add(b, neg, f[k]);
        opc = air_add(b, opc, air_mul(b, air_const(b, OPS[k].op), f[k]));
    }
    /* Flags are bits and their sum m is a bit: at most one op per row; m is the row's
     * multiplicity on every bus. */
    air_constrain(b, AIR_EVERY_ROW, "one_op", air_mul(b, m, air_sub(b, one, m)));

    air_expr X[2] = {byte_limb(b, x, 0), byte_limb(b, x, 4)}, B[2] = {byte_limb(b, bb, 0), byte_limb(b, bb, 4)};
    air_expr R[2] = {byte_limb(b, r, 0), byte_limb(b, r, 4)};
    air_expr Y[2] = {air_cur(b, cy_lo), air_cur(b, cy_hi)};
    air_expr C[2] = {air_cur(b, cc_lo), air_cur(b, cc_hi)};
    air_expr co[8], rb[8], z = air_const(b, 0);
    for (unsigned i = 0; i < 8; i++) {
        co[i] = air_cur(b, air_col_at(cout, i));
        rb[i] = air_cur(b, air_col_at(r, i));
        z = air_add(b, z, rb[i]);
    }
    air_expr slt3 = air_cur(b, cslt3), msa3 = air_cur(b, cmsa3), msb3 = air_cur(b, cmsb3);
    air_expr msr3 = air_cur(b, cmsr3), slt7 = air_cur(b, cslt7), inv = air_cur(b, cinv);

    /* y = b, or ~y = b for the subtracting ops: y_limb = B + neg (2^32 - 1 - 2 B). The bytes of
     * b are range-checked, so y's limbs are in [0, 2^32) too. */
    static const char *const yname[2] = {"y_lo", "y_hi"};
    for (int h = 0; h < 2; h++)
        air_constrain(b, AIR_EVERY_ROW, yname[h],
                      air_sub(b, Y[h], air_add(b, B[h], air_mul(b, neg, air_sub(b, m32,
                                               air_add(b, B[h], B[h]))))));

    /* Zero test of z = sum of r bytes (an integer in [0, 2040]): z (1 - z inv) = 0 makes
     * e = 1 - z inv equal 1 when z = 0 and 0 otherwise. */
    air_expr zinv = air_mul(b, z, inv), e = air_sub(b, one, zinv);
    air_constrain(b, AIR_EVERY_ROW, "eq_inv", air_mul(b, z, e));

    /* c = sum_k f_k * E_k (docs/zkvm/binary.md has the table of E_k). */
    air_expr lt64u = air_sub(b, one, co[7]), lt32u = air_sub(b, one, co[3]);
    air_expr sx3 = msa3, sy3 = air_sub(b, one, msb3);
    air_expr E[2] = {air_const(b, 0), air_const(b, 0)};
    for (size_t k = 0; k < N_OPS; k++) {
        air_expr lo, hi;
        air_expr zero = air_const(b, 0);
        switch (OPS[k].op) {
        case ZKVM_OP_ADD: case ZKVM_OP_SUB: case ZKVM_OP_AND: case ZKVM_OP_JALR:
            lo = R[0], hi = R[1];
            break;
        case ZKVM_OP_ADDW: case ZKVM_OP_SUBW: lo = R[0], hi = air_mul(b, msr3, m32); break;
        case ZKVM_OP_XOR:
            lo = air_sub(b, air_add(b, X[0], B[0]), air_add(b, R[0], R[0]));
            hi = air_sub(b, air_add(b, X[1], B[1]), air_add(b, R[1], R[1]));
            break;
        case ZKVM_OP_OR:
            lo = air_sub(b, air_add(b, X[0], B[0]), R[0]);
            hi = air_sub(b, air_add(b, X[1], B[1]), R[1]);
            break;
        case ZKVM_OP_SLTU: lo = lt64u, hi = zero; break;
        case ZKVM_OP_GEU: lo = co[7], hi = zero; break;
        case ZKVM_OP_SLT: lo = slt7, hi = zero; break;
        case ZKVM_OP_GE: lo = air_sub(b, one, slt7), hi = zero; break;
        case ZKVM_OP_EQ: lo = e, hi = zero; break;
        case ZKVM_OP_NE: lo = zinv, hi = zero; break;
        case ZKVM_OP_MINU: lo = sel(b, lt64u, X[0], Y[0]), hi = sel(b, lt64u, X[1], Y[1]); break;
        case ZKVM_OP_MAXU: lo = sel(b, lt64u, Y[0], X[0]), hi = sel(b, lt64u, Y[1], X[1]); break;
        case ZKVM_OP_MIN: lo = sel(b, slt7, X[0], Y[0]), hi = sel(b, slt7, X[1], Y[1]); break;
        case ZKVM_OP_MAX: lo = sel(b, slt7, Y[0], X[0]), hi = sel(b, slt7, Y[1], X[1]); break;
        case ZKVM_OP_MINUW:
            lo = sel(b, lt32u, X[0], Y[0]), hi = air_mul(b, sel(b, lt32u, sx3, sy3), m32);
            break;
        case ZKVM_OP_MAXUW:
            lo = sel(b, lt32u, Y[0], X[0]), hi = air_mul(b, sel(b, lt32u, sy3, sx3), m32);
            break;
        case ZKVM_OP_MINW:
            lo = sel(b, slt3, X[0], Y[0]), hi = air_mul(b, sel(b, slt3, sx3, sy3), m32);
            break;
        case ZKVM_OP_MAXW:
            lo = sel(b, slt3, Y[0], X[0]), hi = air_mul(b, sel(b, slt3, sy3, sx3), m32);
            break;
        default: ZISK_ASSERT(0);
        }
        E[0] = air_add(b, E[0], air_mul(b, f[k], lo));
        E[1] = air_add(b, E[1], air_mul(b, f[k], hi));
    }
    air_constrain(b, AIR_EVERY_ROW, "c_lo", air_sub(b, C[0], E[0]));
    air_constrain(b, AIR_EVERY_ROW, "c_hi", air_sub(b, C[1], E[1]));

    /* The operation: multiplicity m (0 on padding rows). */
    air_expr tuple[7] = {opc, X[0], X[1], Y[0], Y[1], C[0], C[1]};
    air_bus_recv(b, "op", ZKVM_BUS_OP, m, tuple, 7);

    /* The byte lookups, multiplicity m: (kind_i, x_i, b_i, cin_i, r_i, cout_i [, extras]) with
     * cin_0 = neg and cin_i = cout_{i-1}. kind_i is linear in the flags. */
    for (unsigned i = 0; i < 8; i++) {
        air_expr kind = air_const(b, 0);
        for (size_t k = 0; k < N_OPS; k++)
            kind = air_add(b, kind, air_mul(b, air_const(b, op_kind(k, i)), f[k]));
        air_expr v[10] = {kind, air_cur(b, air_col_at(x, i)), air_cur(b, air_col_at(bb, i)),
                          i == 0 ? neg : co[i - 1], rb[i], co[i], slt3, msa3, msb3, msr3};
        char name[16];
        snprintf(name, sizeof name, "byte%u", i);
        if (i == 3) {
            air_bus_send(b, name, BUS_MID, m, v, 10);
        } else if (i == 7) {
            v[6] = slt7;
            air_bus_send(b, name, BUS_TOP, m, v, 7);
        } else {
            air_bus_send(b, name, BUS_BYTE, m, v, 6);
        }
    }
    zisk_err err;
    air *a = air_build(b, &err);
    if (!a) zisk_panic(__FILE__, __LINE__, "%s", err.msg);
    ZISK_ASSERT(air_n_cols(a, AIR_STAGE1) == C_N);
    return a;
}
