/* arith.c: the arith provider AIR, the M extension (arith.h; docs/zkvm/arith.md has the
 * soundness argument every constraint below refers to). */
#include "arith.h"

#include <stdlib.h>
#include <string.h>

#include "base.h"
#include "zkvm_bus.h"

/* ------------------------------------------------------------------------------------------ */
/* Layout                                                                                       */
/* ------------------------------------------------------------------------------------------ */

/* Stage-1 columns. a, b, c, d: the four 64-bit values in 16-bit limbs (limb i = bits 16i..);
 * e: the comparison value |y| - |r| - 1 (limbs 2, 3 carry y_hi on W divisions); k: the three
 * product carries, each k_j = k[2j] + 16 k[2j+1] - CARRY_OFF; kap: the comparison carry + 3;
 * m: most significant bits of the limbs a1 a3 b1 b3 c1 c3 d1; sa..sd: the signs the equation
 * reads a, b, c, d with; dz: division by zero; f: one-hot op flags (order of OPS). */
enum {
    COL_A = 0,
    COL_B = 4,
    COL_C = 8,
    COL_D = 12,
    COL_E = 16,
    COL_K = 20,
    COL_KAP = 26,
    COL_M = 27,
    COL_SA = 34,
    COL_SB = 35,
    COL_SC = 36,
    COL_SD = 37,
    COL_DZ = 38,
    COL_F = 39,
    N_COLS = 52,
};
enum { MSB_A1, MSB_A3, MSB_B1, MSB_B3, MSB_C1, MSB_C3, MSB_D1, N_MSB };
static const uint8_t MSB_LIMB[N_MSB] = {COL_A + 1, COL_A + 3, COL_B + 1, COL_B + 3,
                                        COL_C + 1, COL_C + 3, COL_D + 1};

/* The product carries are stored as k + CARRY_OFF (k >= -3, see the bounds in arith.md). */
#define CARRY_OFF 4
#define KAP_OFF 3
#define M16 0xffffull
#define M32 0xffffffffull
#define TWO32 ((int64_t)1 << 32)

/* Which value the result c is, per op. _SEXT: the low word of it, sign-extended. */
enum { RES_A, RES_C, RES_D, RES_A_SEXT, RES_C_SEXT, RES_D_SEXT };

/* Per op (order = flag columns): division row, W division (operands extended from the low
 * words), which msb gives the sign of a / b / c (0 = unsigned, else MSB_* + 1), result. */
typedef struct arith_op_info {
    zkvm_op op;
    uint8_t div, wd;
    uint8_t sa, sb, sc;
    uint8_t res;
} arith_op_info;

static const arith_op_info OPS[] = {
    {ZKVM_OP_MUL, 0, 0, 0, 0, 0, RES_C},
    {ZKVM_OP_MULH, 0, 0, MSB_A3 + 1, MSB_B3 + 1, 0, RES_D},
    {ZKVM_OP_MULHSU, 0, 0, MSB_A3 + 1, 0, 0, RES_D},
    {ZKVM_OP_MULHU, 0, 0, 0, 0, 0, RES_D},
    {ZKVM_OP_DIV, 1, 0, 0, MSB_B3 + 1, MSB_C3 + 1, RES_A},
    {ZKVM_OP_DIVU, 1, 0, 0, 0, 0, RES_A},
    {ZKVM_OP_REM, 1, 0, 0, MSB_B3 + 1, MSB_C3 + 1, RES_D},
    {ZKVM_OP_REMU, 1, 0, 0, 0, 0, RES_D},
    {ZKVM_OP_MULW, 0, 0, 0, 0, 0, RES_C_SEXT},
    {ZKVM_OP_DIVW, 1, 1, 0, MSB_B1 + 1, MSB_C1 + 1, RES_A_SEXT},
    {ZKVM_OP_DIVUW, 1, 1, 0, 0, 0, RES_A_SEXT},
    /* REMW: r fits in 32 signed bits, so d is already its sign extension (arith.md). */
    {ZKVM_OP_REMW, 1, 1, 0, MSB_B1 + 1, MSB_C1 + 1, RES_D},
    {ZKVM_OP_REMUW, 1, 1, 0, 0, 0, RES_D_SEXT},
};
#define N_OPS (sizeof OPS / sizeof OPS[0])
_Static_assert(N_OPS == 13 && COL_F + N_OPS == N_COLS, "column layout");

/* The op's index in OPS, or -1. */
static int op_slot(zkvm_op op) {
    for (size_t i = 0; i < N_OPS; i++)
        if (OPS[i].op == op) return (int)i;
    return -1;
}

/* The range lookups of a used row: column col, or (msb >= 0) col + 2^15 - 2^16 m[msb], which
 * is in [0, 2^16) exactly when m[msb] is the top bit of col (col itself is looked up too). */
typedef struct arith_lookup {
    uint8_t col;
    int8_t msb;
} arith_lookup;

static const arith_lookup LOOKUPS[ZKVM_ARITH_LOOKUPS] = {
    {COL_A + 0, -1}, {COL_A + 1, -1}, {COL_A + 1, MSB_A1}, {COL_A + 2, -1}, {COL_A + 3, -1},
    {COL_A + 3, MSB_A3}, {COL_B + 0, -1}, {COL_B + 1, -1}, {COL_B + 1, MSB_B1}, {COL_B + 2, -1},
    {COL_B + 3, -1}, {COL_B + 3, MSB_B3}, {COL_C + 0, -1}, {COL_C + 1, -1}, {COL_C + 1, MSB_C1},
    {COL_C + 2, -1}, {COL_C + 3, -1}, {COL_C + 3, MSB_C3}, {COL_D + 0, -1}, {COL_D + 1, -1},
    {COL_D + 1, MSB_D1}, {COL_D + 2, -1}, {COL_D + 3, -1}, {COL_E + 0, -1}, {COL_E + 1, -1},
    {COL_E + 2, -1}, {COL_E + 3, -1}, {COL_K + 0, -1}, {COL_K + 1, -1}, {COL_K + 2, -1},
    {COL_K + 3, -1}, {COL_K + 4, -1}, {COL_K + 5, -1}, {COL_KAP, -1},
};

int zkvm_arith_handles(zkvm_op op) { return op_slot(op) >= 0; }

gl_t *zkvm_arith_fixed(unsigned log_n) {
    (void)log_n;
    return NULL;
}

/* ------------------------------------------------------------------------------------------ */
/* The AIR                                                                                      */
/* ------------------------------------------------------------------------------------------ */

typedef struct bld {
    air_builder *b;
    air_col s1; /* first stage-1 column */
} bld;

static air_expr K(bld *B, int64_t c) { return air_const_i64(B->b, c); }
static air_expr col(bld *B, unsigned c) { return air_cur(B->b, air_col_at(B->s1, c)); }
static air_expr add(bld *B, air_expr x, air_expr y) { return air_add(B->b, x, y); }
static air_expr sub(bld *B, air_expr x, air_expr y) { return air_sub(B->b, x, y); }
static air_expr mul(bld *B, air_expr x, air_expr y) { return air_mul(B->b, x, y); }
static air_expr scale(bld *B, int64_t c, air_expr x) { return mul(B, K(B, c), x); }
static air_expr one_minus(bld *B, air_expr x) { return sub(B, K(B, 1), x); }
static air_expr flag(bld *B, size_t i) { return col(B, COL_F + (unsigned)i); }

/* Sum of the flags of the ops op_pred accepts (linear). */
static air_expr flags_where(bld *B, int (*pred)(const arith_op_info *, int), int arg) {
    air_expr s = K(B, 0);
    for (size_t i = 0; i < N_OPS; i++)
        if (pred(&OPS[i], arg)) s = add(B, s, flag(B, i));
    return s;
}
static int p_div(const arith_op_info *o, int v) { return o->div == v; }
static int p_wd(const arith_op_info *o, int v) { return o->wd == v; }
static int p_sa(const arith_op_info *o, int m) { return o->sa == m + 1; }
static int p_sb(const arith_op_info *o, int m) { return o->sb == m + 1; }
static int p_sc(const arith_op_info *o, int m) { return o->sc == m + 1; }
static int p_res(const arith_op_info *o, int r) { return o->res == r; }

/* Half h (0: bits 0..31, 1: bits 32..63) of the value whose limbs start at column base. */
static air_expr half(bld *B, unsigned base, unsigned h) {
    return add(B, col(B, base + 2 * h), scale(B, 1 << 16, col(B, base + 2 * h + 1)));
}

/* Chunk k of the limb convolution a * b: sum_{i+j=2k} a_i b_j + 2^16 sum_{i+j=2k+1} a_i b_j. */
static air_expr conv_chunk(bld *B, unsigned k) {
    air_expr lo = K(B, 0), hi = K(B, 0);
    for (unsigned i = 0; i < 4; i++)
        for (unsigned j = 0; j < 4; j++) {
            air_expr t = mul(B, col(B, COL_A + i), col(B, COL_B + j));
            if (i + j == 2 * k) lo = add(B, lo, t);
            if (i + j == 2 * k + 1) hi = add(B, hi, t);
        }
    return add(B, lo, scale(B, 1 << 16, hi));
}

/* Product carry j (0..2) as an integer expression. The offset is scaled by the row's
 * multiplicity act so that an all-zero padding row satisfies the chunk equations. */
static air_expr carry(bld *B, unsigned j, air_expr act) {
    return add(B, col(B, COL_K + 2 * j), sub(B, scale(B, 16, col(B, COL_K + 2 * j + 1)),
                                             scale(B, CARRY_OFF, act)));
}

static void constrain(bld *B, const char *name, air_expr e) {
    air_constrain(B->b, AIR_EVERY_ROW, name, e);
}

static void boolean(bld *B, const char *name, air_expr x) {
    constrain(B, name, mul(B, x, one_minus(B, x)));
}

air *zkvm_arith_air(void) {
    bld bs = {air_builder_new("arith", 3), {0, 0}}, *B = &bs;
    B->s1 = air_cols_stage1(B->b, "a", 4);
    air_cols_stage1(B->b, "b", 4);
    air_cols_stage1(B->b, "c", 4);
    air_cols_stage1(B->b, "d", 4);
    air_cols_stage1(B->b, "e", 4);
    air_cols_stage1(B->b, "k", 6);
    air_col_stage1(B->b, "kap");
    air_cols_stage1(B->b, "m", N_MSB);
    air_col_stage1(B->b, "sa");
    air_col_stage1(B->b, "sb");
    air_col_stage1(B->b, "sc");
    air_col_stage1(B->b, "sd");
    air_col_stage1(B->b, "dz");
    for (size_t i = 0; i < N_OPS; i++) {
        char name[32];
        const char *on = zkvm_op_name(OPS[i].op);
        size_t l = strlen(on);
        ZISK_ASSERT(l + 3 < sizeof name);
        memcpy(name, "f_", 2);
        memcpy(name + 2, on, l + 1);
        air_col_stage1(B->b, name);
    }

    air_expr sa = col(B, COL_SA), sb = col(B, COL_SB), sc = col(B, COL_SC), sd = col(B, COL_SD);
    air_expr dz = col(B, COL_DZ);
    air_expr act = flags_where(B, p_div, 0), dv = flags_where(B, p_div, 1);
    air_expr mu = act; /* multiplication rows */
    act = add(B, act, dv);
    air_expr wd = flags_where(B, p_wd, 1);

    /* Flags: boolean, at most one (act is the row's multiplicity: 0 or 1). */
    for (size_t i = 0; i < N_OPS; i++) boolean(B, "flag_bool", flag(B, i));
    boolean(B, "one_op", act);
    for (unsigned j = 0; j < N_MSB; j++) boolean(B, "msb_bool", col(B, COL_M + j));
    boolean(B, "sa_bool", sa);
    boolean(B, "sd_bool", sd);
    boolean(B, "dz_bool", dz);

    /* Signs of the operands: the true top bit for a signed operand, 0 for an unsigned one. The
     * sign of a division's quotient is free (arith.md: q is unique as an integer). */
    air_expr sa_def = K(B, 0), sb_def = K(B, 0), sc_def = K(B, 0);
    for (int m = 0; m < N_MSB; m++) {
        air_expr mm = col(B, COL_M + (unsigned)m);
        sa_def = add(B, sa_def, mul(B, flags_where(B, p_sa, m), mm));
        sb_def = add(B, sb_def, mul(B, flags_where(B, p_sb, m), mm));
        sc_def = add(B, sc_def, mul(B, flags_where(B, p_sc, m), mm));
    }
    constrain(B, "sa_def", mul(B, one_minus(B, dv), sub(B, sa, sa_def)));
    constrain(B, "sb_def", sub(B, sb, sb_def));
    constrain(B, "sc_def", sub(B, sc, sc_def));

    /* W divisions: b is y's low word sign- (or zero-) extended; the extension is its top
     * limbs, so y's real high word travels in e2, e3 (below). */
    constrain(B, "w_ext_b2", mul(B, wd, sub(B, col(B, COL_B + 2), scale(B, M16, sb))));
    constrain(B, "w_ext_b3", mul(B, wd, sub(B, col(B, COL_B + 3), scale(B, M16, sb))));

    /* Division by zero: only on division rows; y = 0 and q = all ones (limbs are < 2^16, so
     * these sums vanish only as stated). dz = 0 with y = 0 fails the comparison. */
    constrain(B, "dz_div", mul(B, dz, one_minus(B, dv)));
    air_expr bsum = K(B, 0), asum = K(B, 0), dsum = K(B, 0);
    for (unsigned i = 0; i < 4; i++) {
        bsum = add(B, bsum, col(B, COL_B + i));
        asum = add(B, asum, col(B, COL_A + i));
        dsum = add(B, dsum, col(B, COL_D + i));
    }
    constrain(B, "dz_y", mul(B, dz, bsum));
    constrain(B, "dz_q", mul(B, dz, sub(B, asum, K(B, 4 * (int64_t)M16))));

    /* The product identity a_s b_s + (dv - 2^64 mu) d_s - c + 2^64 sc = 0 in 32-bit chunks. */
    air_expr A0 = half(B, COL_A, 0), A1 = half(B, COL_A, 1);
    air_expr B0 = half(B, COL_B, 0), B1 = half(B, COL_B, 1);
    air_expr C0 = half(B, COL_C, 0), C1 = half(B, COL_C, 1);
    air_expr D0 = half(B, COL_D, 0), D1 = half(B, COL_D, 1);
    air_expr E0 = half(B, COL_E, 0), E1 = half(B, COL_E, 1);
    air_expr C1eff = add(B, mul(B, one_minus(B, wd), C1), mul(B, wd, scale(B, (int64_t)M32, sc)));
    air_expr k0 = carry(B, 0, act), k1 = carry(B, 1, act), k2 = carry(B, 2, act);
    air_expr two32 = K(B, (int64_t)1 << 32);
    constrain(B, "chunk0", sub(B, sub(B, add(B, conv_chunk(B, 0), mul(B, dv, D0)), C0),
                               mul(B, two32, k0)));
    constrain(B, "chunk1", sub(B, add(B, sub(B, add(B, conv_chunk(B, 1), mul(B, dv, D1)), C1eff), k0),
                               mul(B, two32, k1)));
    air_expr e2 = conv_chunk(B, 2);
    e2 = sub(B, e2, add(B, mul(B, sa, B0), mul(B, sb, A0)));
    e2 = sub(B, e2, add(B, mul(B, dv, sd), mul(B, mu, D0)));
    e2 = add(B, add(B, e2, sc), sub(B, k1, mul(B, two32, k2)));
    constrain(B, "chunk2", e2);
    air_expr e3 = conv_chunk(B, 3);
    e3 = sub(B, e3, add(B, add(B, mul(B, sa, B1), mul(B, sb, A1)), mul(B, mu, D1)));
    e3 = add(B, add(B, e3, k2), mul(B, two32, add(B, mul(B, sa, sb), mul(B, mu, sd))));
    constrain(B, "chunk3", e3);

    /* Division rows with y != 0: |y| - |r| - 1 = e >= 0, i.e.
     * (1-2sb) b - (1-2sd) d - e - 1 + 2^64 (sb - sd) = 0 in two 32-bit halves with carry kap. */
    air_expr en = sub(B, dv, dz);
    air_expr sig = one_minus(B, scale(B, 2, sb)), tau = one_minus(B, scale(B, 2, sd));
    air_expr kap = sub(B, col(B, COL_KAP), K(B, KAP_OFF));
    air_expr lo = sub(B, sub(B, mul(B, sig, B0), mul(B, tau, D0)), add(B, E0, K(B, 1)));
    constrain(B, "cmp_lo", mul(B, en, sub(B, lo, mul(B, two32, kap))));
    air_expr hi = sub(B, sub(B, mul(B, sig, B1), mul(B, tau, D1)), mul(B, one_minus(B, wd), E1));
    hi = add(B, add(B, hi, kap), mul(B, two32, sub(B, sb, sd)));
    constrain(B, "cmp_hi", mul(B, en, hi));

    /* The remainder has the dividend's sign or is zero: r < 0 => x < 0; x < 0 => r <= 0. */
    constrain(B, "rem_sign_neg", mul(B, dv, mul(B, sd, one_minus(B, sc))));
    constrain(B, "rem_sign_zero", mul(B, sc, mul(B, one_minus(B, sd), dsum)));

    /* The received tuple (degree 2: one interaction per stage-2 helper column). */
    air_expr opc = K(B, 0);
    for (size_t i = 0; i < N_OPS; i++) opc = add(B, opc, scale(B, (int64_t)OPS[i].op, flag(B, i)));
    air_expr res_a = flags_where(B, p_res, RES_A), res_c = flags_where(B, p_res, RES_C);
    air_expr res_d = flags_where(B, p_res, RES_D);
    air_expr sext = add(B, add(B, mul(B, flags_where(B, p_res, RES_A_SEXT), col(B, COL_M + MSB_A1)),
                               mul(B, flags_where(B, p_res, RES_C_SEXT), col(B, COL_M + MSB_C1))),
                        mul(B, flags_where(B, p_res, RES_D_SEXT), col(B, COL_M + MSB_D1)));
    air_expr c_lo = add(B, add(B, mul(B, add(B, res_a, flags_where(B, p_res, RES_A_SEXT)), A0),
                               mul(B, add(B, res_c, flags_where(B, p_res, RES_C_SEXT)), C0)),
                        mul(B, add(B, res_d, flags_where(B, p_res, RES_D_SEXT)), D0));
    air_expr c_hi = add(B, add(B, mul(B, res_a, A1), mul(B, res_c, C1)),
                        add(B, mul(B, res_d, D1), scale(B, (int64_t)M32, sext)));
    air_expr tuple[7] = {
        opc,
        add(B, mul(B, mu, A0), mul(B, dv, C0)),
        add(B, mul(B, mu, A1), mul(B, dv, C1)),
        B0,
        add(B, mul(B, one_minus(B, wd), B1), mul(B, wd, E1)),
        c_lo,
        c_hi,
    };
    air_bus_recv(B->b, "op", ZKVM_BUS_OP, act, tuple, 7);

    for (size_t l = 0; l < ZKVM_ARITH_LOOKUPS; l++) {
        air_expr v = col(B, LOOKUPS[l].col);
        if (LOOKUPS[l].msb >= 0)
            v = sub(B, add(B, v, K(B, 1 << 15)),
                    scale(B, 1 << 16, col(B, COL_M + (unsigned)LOOKUPS[l].msb)));
        air_bus_send(B->b, "range", ZKVM_BUS_RANGE16, act, &v, 1);
    }

    zisk_err err;
    air *a = air_build(B->b, &err);
    if (!a) zisk_panic(__FILE__, __LINE__, "%s", err.msg);
    ZISK_ASSERT(air_n_cols(a, AIR_STAGE1) == N_COLS);
    return a;
}

/* ------------------------------------------------------------------------------------------ */
/* The trace                                                                                    */
/* ------------------------------------------------------------------------------------------ */

static uint64_t sext32(uint64_t v) { return (uint64_t)(int64_t)(int32_t)(uint32_t)v; }
static uint64_t limb(uint64_t v, unsigned i) { return (v >> (16 * i)) & M16; }

/* Fills row[0..N_COLS) (integers; the caller converts) for a valid record. */
static void witness(const zkvm_op_record *r, const arith_op_info *o, uint64_t row[N_COLS]) {
    uint64_t x = r->x, y = r->y;
    uint64_t A, Bv, Cv, Ceff, D, E = 0;
    unsigned sa = 0, sb = 0, sc = 0, sd = 0, dz = 0;
    int sgn = o->sb != 0; /* signed division (or MULH) */
    if (!o->div) {
        A = x;
        Bv = y;
        sa = o->sa ? (unsigned)(x >> 63) : 0;
        sb = o->sb ? (unsigned)(y >> 63) : 0;
        /* a_s b_s mod 2^128 = xy - 2^64 (sa y + sb x). */
        unsigned __int128 p = (unsigned __int128)x * y;
        if (sa) p -= (unsigned __int128)y << 64;
        if (sb) p -= (unsigned __int128)x << 64;
        Cv = Ceff = (uint64_t)p;
        D = (uint64_t)(p >> 64);
        sd = (sa || sb) ? (unsigned)(D >> 63) : 0; /* the product is signed */
    } else {
        uint64_t xx = x, yy = y, q, rem;
        if (o->wd) {
            xx = sgn ? sext32(x) : (uint32_t)x;
            yy = sgn ? sext32(y) : (uint32_t)y;
        }
        if (yy == 0) {
            q = UINT64_MAX;
            rem = xx;
            dz = 1;
        } else if (sgn && xx == (1ull << 63) && yy == UINT64_MAX) {
            q = xx; /* q = +2^63 as an integer: its sign column is 0 */
            rem = 0;
        } else if (sgn) {
            q = (uint64_t)((int64_t)xx / (int64_t)yy);
            rem = (uint64_t)((int64_t)xx % (int64_t)yy);
        } else {
            q = xx / yy;
            rem = xx % yy;
        }
        A = q;
        Bv = yy;
        D = rem;
        Ceff = xx;
        Cv = x; /* c holds the tuple's x; on W divisions the equation reads x' = Ceff */
        if (sgn) {
            sa = (xx == (1ull << 63) && yy == UINT64_MAX) ? 0 : (unsigned)(q >> 63);
            sb = (unsigned)(yy >> 63);
            sc = (unsigned)(xx >> 63);
            sd = (unsigned)(rem >> 63);
        }
        if (!dz) {
            uint64_t ay = sb ? 0 - Bv : Bv, ar = sd ? 0 - D : D;
            ZISK_ASSERT(ar < ay);
            E = ay - ar - 1;
            ZISK_ASSERT(!o->wd || E <= M32);
        }
        if (o->wd) E = (E & M32) | (y & ~M32); /* e2, e3 carry the tuple's y_hi */
    }
    unsigned mu = !o->div, dv = o->div;

    memset(row, 0, N_COLS * sizeof *row);
    for (unsigned i = 0; i < 4; i++) {
        row[COL_A + i] = limb(A, i);
        row[COL_B + i] = limb(Bv, i);
        row[COL_C + i] = limb(Cv, i);
        row[COL_D + i] = limb(D, i);
        row[COL_E + i] = limb(E, i);
    }
    for (unsigned m = 0; m < N_MSB; m++) row[COL_M + m] = row[MSB_LIMB[m]] >> 15;
    row[COL_SA] = sa;
    row[COL_SB] = sb;
    row[COL_SC] = sc;
    row[COL_SD] = sd;
    row[COL_DZ] = dz;
    row[COL_F + (o - OPS)] = 1;

    /* Carries of the chunk equations (exact integers; bounds in arith.md). */
    int64_t a[4], b[4], P[4] = {0, 0, 0, 0};
    for (unsigned i = 0; i < 4; i++) {
        a[i] = (int64_t)limb(A, i);
        b[i] = (int64_t)limb(Bv, i);
    }
    for (unsigned i = 0; i < 4; i++)
        for (unsigned j = 0; j < 4; j++) P[(i + j) / 2] += (a[i] * b[j]) << (16 * ((i + j) & 1));
    int64_t A0 = (int64_t)(A & M32), A1 = (int64_t)(A >> 32), B0 = (int64_t)(Bv & M32),
            B1 = (int64_t)(Bv >> 32), C0 = (int64_t)(Ceff & M32), C1 = (int64_t)(Ceff >> 32),
            D0 = (int64_t)(D & M32), D1 = (int64_t)(D >> 32);
    int64_t k[3], t;
    t = P[0] + (int64_t)dv * D0 - C0;
    ZISK_ASSERT((t & (int64_t)M32) == 0);
    k[0] = t / TWO32;
    t = P[1] + (int64_t)dv * D1 - C1 + k[0];
    ZISK_ASSERT((t & (int64_t)M32) == 0);
    k[1] = t / TWO32;
    t = P[2] - (int64_t)sa * B0 - (int64_t)sb * A0 - (int64_t)(dv * sd) - (int64_t)mu * D0 +
        (int64_t)sc + k[1];
    ZISK_ASSERT((t & (int64_t)M32) == 0);
    k[2] = t / TWO32;
    t = P[3] - (int64_t)sa * B1 - (int64_t)sb * A1 - (int64_t)mu * D1 + k[2] +
        (int64_t)(sa * sb + mu * sd) * TWO32;
    ZISK_ASSERT(t == 0);
    for (unsigned j = 0; j < 3; j++) {
        int64_t kk = k[j] + CARRY_OFF;
        ZISK_ASSERT(kk >= 0 && kk < ((int64_t)1 << 20));
        row[COL_K + 2 * j] = (uint64_t)kk & 15;
        row[COL_K + 2 * j + 1] = (uint64_t)kk >> 4;
    }

    /* The comparison carry. */
    if (dv && !dz) {
        int64_t sig = 1 - 2 * (int64_t)sb, tau = 1 - 2 * (int64_t)sd;
        int64_t E0 = (int64_t)(E & M32), E1 = o->wd ? 0 : (int64_t)(E >> 32);
        t = sig * B0 - tau * D0 - E0 - 1;
        ZISK_ASSERT((t & (int64_t)M32) == 0);
        int64_t kap = t / TWO32;
        ZISK_ASSERT(kap >= -KAP_OFF && kap <= 1);
        ZISK_ASSERT(sig * B1 - tau * D1 - E1 + kap + ((int64_t)sb - (int64_t)sd) * TWO32 == 0);
        row[COL_KAP] = (uint64_t)(kap + KAP_OFF);
    }
}

/* The tuple the AIR receives from an integer row (mirrors the bus expression in
 * zkvm_arith_air; the trace builder checks every row against its record with it). */
static void row_tuple(const uint64_t row[N_COLS], uint64_t out[7]) {
    const arith_op_info *o = NULL;
    for (size_t i = 0; i < N_OPS; i++)
        if (row[COL_F + i]) o = &OPS[i];
    ZISK_ASSERT(o != NULL);
    uint64_t h[4][2];
    for (unsigned v = 0; v < 4; v++)
        for (unsigned k = 0; k < 2; k++)
            h[v][k] = row[4 * v + 2 * k] | row[4 * v + 2 * k + 1] << 16; /* a, b, c, d */
    out[0] = o->op;
    out[1] = o->div ? h[2][0] : h[0][0];
    out[2] = o->div ? h[2][1] : h[0][1];
    out[3] = h[1][0];
    out[4] = o->wd ? (row[COL_E + 2] | row[COL_E + 3] << 16) : h[1][1];
    unsigned src = (o->res == RES_A || o->res == RES_A_SEXT) ? 0 : (o->res == RES_C || o->res == RES_C_SEXT) ? 2 : 3;
    out[5] = h[src][0];
    switch (o->res) {
    case RES_A_SEXT: out[6] = M32 * row[COL_M + MSB_A1]; break;
    case RES_C_SEXT: out[6] = M32 * row[COL_M + MSB_C1]; break;
    case RES_D_SEXT: out[6] = M32 * row[COL_M + MSB_D1]; break;
    default: out[6] = h[src][1]; break;
    }
}

gl_t *zkvm_arith_trace(const zkvm_op_record *recs, size_t n, unsigned log_n,
                       zkvm_range_counts *rc) {
    ZISK_ASSERT(log_n >= 1 && log_n <= 30 && rc != NULL);
    size_t rows = (size_t)1 << log_n;
    ZISK_ASSERT(n <= rows && (n == 0 || recs != NULL));
    gl_t *t = zkvm_trace_alloc(N_COLS, rows);
    uint64_t row[N_COLS];
    for (size_t i = 0; i < n; i++) {
        const zkvm_op_record *r = &recs[i];
        uint64_t c;
        ZISK_ASSERT(zkvm_opc_off(r->opc) == 0);
        int slot = op_slot(zkvm_opc_op(r->opc));
        if (slot < 0 || !zkvm_op_eval(r->opc, r->x, r->y, &c) || c != r->c)
            zisk_panic(__FILE__, __LINE__, "arith: record %zu (opc %u, x %#llx, y %#llx, c %#llx) "
                       "is not a valid arith operation", i, r->opc, (unsigned long long)r->x,
                       (unsigned long long)r->y, (unsigned long long)r->c);
        witness(r, &OPS[slot], row);
        uint64_t tup[7];
        row_tuple(row, tup);
        ZISK_ASSERT(tup[0] == r->opc && tup[1] == (r->x & M32) && tup[2] == r->x >> 32 &&
                    tup[3] == (r->y & M32) && tup[4] == r->y >> 32 && tup[5] == (r->c & M32) &&
                    tup[6] == r->c >> 32);
        for (unsigned c2 = 0; c2 < N_COLS; c2++) t[(size_t)c2 * rows + i] = row[c2];
    }
    size_t skipped = zkvm_arith_count_lookups(t, log_n, rc);
    ZISK_ASSERT(skipped == 0);
    return t;
}

size_t zkvm_arith_count_lookups(const gl_t *trace, unsigned log_n, zkvm_range_counts *rc) {
    size_t rows = (size_t)1 << log_n, skipped = 0;
    for (size_t i = 0; i < rows; i++) {
        gl_t act = 0;
        for (size_t f = 0; f < N_OPS; f++) act = gl_add(act, trace[(COL_F + f) * rows + i]);
        if (act == 0) continue;
        if (act != 1) {
            skipped += ZKVM_ARITH_LOOKUPS;
            continue;
        }
        for (size_t l = 0; l < ZKVM_ARITH_LOOKUPS; l++) {
            gl_t v = trace[(size_t)LOOKUPS[l].col * rows + i];
            if (LOOKUPS[l].msb >= 0) {
                gl_t m = trace[(size_t)(COL_M + LOOKUPS[l].msb) * rows + i];
                v = gl_sub(gl_add(v, 1u << 15), gl_mul(m, 1u << 16));
            }
            if (v < (1u << 16))
                zkvm_range_add(rc, v);
            else
                skipped++;
        }
    }
    return skipped;
}
