/* zkvm_airs.c: the main, memory, program, boundary and refresh AIRs (zkvm_airs.h; docs/PROOFS.md has
 * every constraint with its reason). */
#include "zkvm_airs.h"

#include <stdlib.h>

#include "base.h"
#include "vm.h"
#include "zkvm_bus.h"
#include "zkvm_rom.h"

/* Shorthands over one builder. */
#define CUR(c) air_cur(B, (c))
#define NXT(c) air_next(B, (c))
#define K(v) air_const_i64(B, (int64_t)(v))
#define ADD(x, y) air_add(B, (x), (y))
#define SUB(x, y) air_sub(B, (x), (y))
#define MUL(x, y) air_mul(B, (x), (y))
#define ONE_MINUS(x) air_sub(B, K(1), (x))
#define EVERY(name, e) air_constrain(B, AIR_EVERY_ROW, (name), (e))
#define TRANS(name, e) air_constrain(B, AIR_TRANSITION, (name), (e))
#define FIRST(name, e) air_constrain(B, AIR_FIRST_ROW, (name), (e))
#define LAST(name, e) air_constrain(B, AIR_LAST_ROW, (name), (e))

static air *build_or_die(air_builder *B) {
    zisk_err err;
    air *a = air_build(B, &err);
    if (!a) {
        fprintf(stderr, "zkvm: AIR definition bug: %s\n", err.msg);
        abort();
    }
    return a;
}

/* What main and memory share: stage-1 columns and the segment publics (index, is_first,
 * is_last, then n_pub - 3 of the AIR's own). */
typedef struct seg_air {
    air_builder *b;
    air_col c0;
    uint32_t pub; /* index of public 0 */
    air_expr seg, is_first, is_last;
} seg_air;

static seg_air seg_air_begin(const char *name, const char *cols, uint32_t n_cols, uint32_t n_pub) {
    seg_air g;
    air_builder *B = g.b = air_builder_new(name, 3);
    g.c0 = air_cols_stage1(B, cols, n_cols);
    g.pub = air_publics_new(B, "seg", n_pub);
    g.seg = air_public(B, g.pub + ZKVM_SEG_PUB_INDEX);
    g.is_first = air_public(B, g.pub + ZKVM_SEG_PUB_IS_FIRST);
    g.is_last = air_public(B, g.pub + ZKVM_SEG_PUB_IS_LAST);
    return g;
}

/* ------------------------------------------------------------------------------------------ */
/* Main                                                                                         */
/* ------------------------------------------------------------------------------------------ */

air *zkvm_main_air(void) {
    seg_air g = seg_air_begin("zkvm_main", "main", ZKVM_MC_COUNT, ZKVM_MAIN_N_PUBLICS);
    air_builder *B = g.b;
    air_col c0 = g.c0;
    air_expr is_last = g.is_last;
#define PUB(i) air_public(B, g.pub + (i))
#define C(i) air_col_at(c0, (i))
#define V(i) CUR(C(i))
#define FL(f) V(ZKVM_MC_FLAG0 + ZKVM_AF_##f)
    air_expr active = V(ZKVM_MC_ACTIVE);

    /* booleans */
    EVERY("bool_active", MUL(active, ONE_MINUS(active)));
    air_expr packed = K(0);
    for (unsigned f = 0; f < ZKVM_N_AIR_FLAGS; f++) {
        air_expr x = V(ZKVM_MC_FLAG0 + f);
        EVERY("bool_flag", MUL(x, ONE_MINUS(x)));
        packed = ADD(packed, MUL(K(1ull << f), x));
    }
    EVERY("inactive_no_flags", MUL(ONE_MINUS(active), packed));

    air_expr A[2] = {V(ZKVM_MC_A_LO), V(ZKVM_MC_A_HI)}, VB[2] = {V(ZKVM_MC_VB_LO), V(ZKVM_MC_VB_HI)};
    air_expr Cv[2] = {V(ZKVM_MC_C_LO), V(ZKVM_MC_C_HI)};
    air_expr imm[2] = {V(ZKVM_MC_IMM_LO), V(ZKVM_MC_IMM_HI)};
    /* C comes from the operation bus (OP) or the memop AIR (MEM; the ROM never sets both) */
    for (unsigned h = 0; h < 2; h++)
        EVERY("c_zero_without_op", MUL(ONE_MINUS(ADD(FL(OP), FL(MEM))), Cv[h]));
    /* next upc */
    air_expr next = V(ZKVM_MC_NEXT), target = V(ZKVM_MC_TARGET), npc = V(ZKVM_MC_NPC);
    air_expr npc_e = ADD(next, MUL(FL(JIND), SUB(MUL(K(4), A[0]), next)));
    npc_e = ADD(npc_e, MUL(MUL(FL(BR), Cv[0]), SUB(target, next)));
    EVERY("npc", SUB(npc, npc_e));
    EVERY("jind_high_zero", MUL(FL(JIND), A[1]));
    EVERY("halt_exit_syscall", MUL(FL(HALT), SUB(A[0], K(1))));
    EVERY("halt_exit_syscall_hi", MUL(FL(HALT), A[1]));
    air_expr cout = MUL(active, ONE_MINUS(FL(HALT))); /* a row that continues (degree 2) */
    /* transitions */
    air_expr step = V(ZKVM_MC_STEP), upc = V(ZKVM_MC_UPC);
    air_expr active_n = NXT(C(ZKVM_MC_ACTIVE));
    TRANS("step_inc", SUB(SUB(NXT(C(ZKVM_MC_STEP)), step), K(1)));
    TRANS("upc_next", MUL(active_n, SUB(NXT(C(ZKVM_MC_UPC)), npc)));
    TRANS("active_monotone", MUL(ONE_MINUS(active), active_n));
    TRANS("stop_only_at_halt", MUL(cout, ONE_MINUS(active_n)));
    TRANS("halt_is_last", MUL(FL(HALT), active_n));
    /* Segment links (publics the verifier chains: segment 0 starts at upc 0, step 1; segment
     * k + 1 starts where segment k's last row continues). Every segment starts active; every
     * segment but the last continues at its last row, and the last one has halted. */
    FIRST("first_row_active", SUB(active, K(1)));
    FIRST("in_upc", SUB(upc, PUB(ZKVM_MPUB_IN_UPC)));
    FIRST("in_step", SUB(step, PUB(ZKVM_MPUB_IN_STEP)));
    LAST("out_upc", SUB(npc, PUB(ZKVM_MPUB_OUT_UPC)));
    LAST("out_step", SUB(ADD(step, K(1)), PUB(ZKVM_MPUB_OUT_STEP)));
    LAST("continues_unless_last", MUL(ONE_MINUS(is_last), ONE_MINUS(cout)));
    LAST("last_segment_halts", MUL(is_last, cout));
    /* The halt (there is exactly one: see docs/PROOFS.md) happens in the last segment and its
     * exit code (VB: a0) and step are that segment's publics, which the verifier compares with
     * the boundary's. */
    EVERY("halt_in_last_segment", MUL(FL(HALT), ONE_MINUS(is_last)));
    EVERY("halt_exit_lo", MUL(FL(HALT), SUB(VB[0], PUB(ZKVM_MPUB_EXIT_LO))));
    EVERY("halt_exit_hi", MUL(FL(HALT), SUB(VB[1], PUB(ZKVM_MPUB_EXIT_HI))));
    EVERY("halt_step", MUL(FL(HALT), SUB(step, PUB(ZKVM_MPUB_HALT_STEP))));

    /* ROM lookup */
    air_expr rom[10] = {upc, V(ZKVM_MC_OP), V(ZKVM_MC_RA), V(ZKVM_MC_RB), V(ZKVM_MC_RC),
                        imm[0], imm[1], next, target, packed};
    air_bus_send(B, "rom", ZKVM_BUS_ROM, active, rom, 10);
    /* Register accesses, t = 4 * step + 1 + slot: each receives the register's previous tuple
     * (reg, t_prev, value) and sends its own, with t_prev = t - 1 - gap and the gap one 16-bit
     * limb: t_prev < t over the integers (every sent time is below 2^33, and t - 1 - gap ranges
     * over (t - 2^16 - 1, t), so a match mod p is a match over the integers). The refresh rows
     * (every 2^ZKVM_REFRESH_LOG steps) keep honest gaps below 2^16. Reads send back the value
     * they received; the write sends its new value C after receiving the old one (pv). */
    air_expr t4 = MUL(K(4), step);
    struct {
        const char *prev, *cur, *rg;
        air_expr f, reg, t, pv[2], v[2];
        unsigned g;
    } slot[3] = {
        {"reg_a_prev", "reg_a", "range_gap_a", active, V(ZKVM_MC_RA), ADD(t4, K(1)),
         {A[0], A[1]}, {A[0], A[1]}, ZKVM_MC_GA},
        {"reg_b_prev", "reg_b", "range_gap_b", active, V(ZKVM_MC_RB), ADD(t4, K(2)),
         {VB[0], VB[1]}, {VB[0], VB[1]}, ZKVM_MC_GB},
        {"reg_c_prev", "reg_c", "range_gap_c", FL(WR), V(ZKVM_MC_RC), ADD(t4, K(3)),
         {V(ZKVM_MC_PV_LO), V(ZKVM_MC_PV_HI)}, {Cv[0], Cv[1]}, ZKVM_MC_GC},
    };
    for (unsigned s = 0; s < 3; s++) {
        air_expr gap = V(slot[s].g);
        air_expr pt = SUB(SUB(slot[s].t, K(1)), gap);
        air_expr prev[4] = {slot[s].reg, pt, slot[s].pv[0], slot[s].pv[1]};
        air_bus_recv(B, slot[s].prev, ZKVM_BUS_REG, slot[s].f, prev, 4);
        air_expr cur[4] = {slot[s].reg, slot[s].t, slot[s].v[0], slot[s].v[1]};
        air_bus_send(B, slot[s].cur, ZKVM_BUS_REG, slot[s].f, cur, 4);
        air_bus_send(B, slot[s].rg, ZKVM_BUS_RANGE16, slot[s].f, &gap, 1);
    }
    /* a memory uop: the memop AIR makes the access (its kind is in the op column's code) */
    air_expr mo[10] = {V(ZKVM_MC_OP), A[0], A[1], imm[0], imm[1], VB[0], VB[1], Cv[0], Cv[1], step};
    air_bus_send(B, "memop", ZKVM_BUS_MEMOP, FL(MEM), mo, 10);
    /* the operation on (A, B = VB + imm): the ROM keeps imm = 0 unless the uop uses it as B
     * (then rb = x0 and VB = 0) or is a memory uop (then OP is off) */
    air_expr ot[7] = {V(ZKVM_MC_OP), A[0], A[1], ADD(VB[0], imm[0]), ADD(VB[1], imm[1]), Cv[0], Cv[1]};
    air_bus_send(B, "op", ZKVM_BUS_OP, FL(OP), ot, 7);
#undef C
#undef V
#undef FL
#undef PUB
    return build_or_die(B);
}

/* ------------------------------------------------------------------------------------------ */
/* Memop                                                                                        */
/* ------------------------------------------------------------------------------------------ */

air *zkvm_memop_air(void) {
    air_builder *B = air_builder_new("zkvm_memop", 3);
    air_col c0 = air_cols_stage1(B, "mop", ZKVM_OC_COUNT);
#define V(i) CUR(air_col_at(c0, (i)))
    air_expr ld = V(ZKVM_OC_LOAD), rmw = V(ZKVM_OC_RMW), st = V(ZKVM_OC_STORE), op = V(ZKVM_OC_OP);
    air_expr act = ADD(ADD(ld, rmw), st), rd = ADD(ld, rmw), wr = ADD(rmw, st);
    air_expr A[2] = {V(ZKVM_OC_A_LO), V(ZKVM_OC_A_HI)}, imm[2] = {V(ZKVM_OC_IMM_LO), V(ZKVM_OC_IMM_HI)};
    air_expr VB[2] = {V(ZKVM_OC_VB_LO), V(ZKVM_OC_VB_HI)}, Cv[2] = {V(ZKVM_OC_C_LO), V(ZKVM_OC_C_HI)};
    air_expr M[2] = {V(ZKVM_OC_M_LO), V(ZKVM_OC_M_HI)}, step = V(ZKVM_OC_STEP);
    static const unsigned bools[] = {ZKVM_OC_LOAD, ZKVM_OC_RMW, ZKVM_OC_STORE, ZKVM_OC_O0,
                                     ZKVM_OC_O1, ZKVM_OC_O2, ZKVM_OC_K};
    for (unsigned i = 0; i < sizeof bools / sizeof bools[0]; i++)
        EVERY("bool", MUL(V(bools[i]), ONE_MINUS(V(bools[i]))));
    EVERY("one_kind", MUL(act, ONE_MINUS(act)));
    /* a store has no operation (this binds the kind: docs/PROOFS.md) and writes VB, aligned */
    EVERY("store_no_op", MUL(st, op));
    for (unsigned h = 0; h < 2; h++) EVERY("store_value", MUL(st, SUB(Cv[h], VB[h])));
    air_expr off = ADD(V(ZKVM_OC_O0), ADD(MUL(K(2), V(ZKVM_OC_O1)), MUL(K(4), V(ZKVM_OC_O2))));
    EVERY("store_aligned", MUL(st, off));
    /* the address: A + imm = 8 maddr + off over the integers, high word zero (maddr < 2^29
     * through the memory AIR's regions, off < 8, so the low side is below 2^32 and k is the
     * true carry); padding rows (all zero) satisfy both */
    air_expr kk = V(ZKVM_OC_K), two32 = K(1ull << 32);
    EVERY("ea_lo", SUB(SUB(ADD(A[0], imm[0]), MUL(two32, kk)), ADD(MUL(K(8), V(ZKVM_OC_MADDR)), off)));
    air_expr hi_sum = ADD(ADD(A[1], imm[1]), kk);
    EVERY("ea_hi", MUL(hi_sum, SUB(hi_sum, two32)));

    air_expr code = ADD(op, MUL(K(ZKVM_MEMOP_KIND_MUL),
                                ADD(MUL(K(ZKVM_MK_LOAD), ld), ADD(MUL(K(ZKVM_MK_RMW), rmw), MUL(K(ZKVM_MK_STORE), st)))));
    air_expr mo[10] = {code, A[0], A[1], imm[0], imm[1], VB[0], VB[1], Cv[0], Cv[1], step};
    air_bus_recv(B, "memop", ZKVM_BUS_MEMOP, act, mo, 10);
    air_expr gaddr = ADD(K(ZKVM_GUEST_BASE), V(ZKVM_OC_MADDR)), t8 = MUL(K(8), step);
    air_expr mr[5] = {gaddr, ADD(t8, K(2)), M[0], M[1], K(0)};
    air_bus_send(B, "mem_read", ZKVM_BUS_MEM, rd, mr, 5);
    air_expr mw[5] = {gaddr, ADD(t8, K(3)), Cv[0], Cv[1], K(1)};
    air_bus_send(B, "mem_write", ZKVM_BUS_MEM, wr, mw, 5);
    /* the operation on the word read: extraction (LOAD) or insertion / AMO (RMW); the byte
     * offset goes into its code */
    air_expr ot[7] = {ADD(op, MUL(K(64), off)), M[0], M[1], VB[0], VB[1], Cv[0], Cv[1]};
    air_bus_send(B, "op", ZKVM_BUS_OP, rd, ot, 7);
#undef V
    return build_or_die(B);
}

/* ------------------------------------------------------------------------------------------ */
/* Memory                                                                                       */
/* ------------------------------------------------------------------------------------------ */

_Static_assert(ZKVM_BASE_IN == ZKVM_GUEST_BASE + VM_INPUT_ADDR / 8 &&
                   ZKVM_BASE_ROM == ZKVM_GUEST_BASE + VM_ROM_ADDR / 8 &&
                   ZKVM_BASE_RAM == ZKVM_GUEST_BASE + VM_SYS_ADDR / 8,
               "region bases follow the guest memory map (vm.h)");

air *zkvm_mem_air(void) {
    seg_air g = seg_air_begin("zkvm_memory", "mem", ZKVM_XC_COUNT, ZKVM_MEM_N_PUBLICS);
    air_builder *B = g.b;
    air_col c0 = g.c0;
#define C(i) air_col_at(c0, (i))
#define V(i) CUR(C(i))
#define N(i) NXT(C(i))
    air_expr addr = V(ZKVM_XC_ADDR), t = V(ZKVM_XC_T), wr = V(ZKVM_XC_WR), mult = V(ZKVM_XC_MULT);
    air_expr same = V(ZKVM_XC_SAME), r_reg = V(ZKVM_XC_R_REG), r_in = V(ZKVM_XC_R_IN);
    air_expr r_rom = V(ZKVM_XC_R_ROM), r_ram = V(ZKVM_XC_R_RAM);
    static const unsigned bools[] = {ZKVM_XC_WR, ZKVM_XC_MULT, ZKVM_XC_SAME, ZKVM_XC_R_REG,
                                     ZKVM_XC_R_IN, ZKVM_XC_R_ROM, ZKVM_XC_R_RAM};
    for (unsigned i = 0; i < sizeof bools / sizeof bools[0]; i++)
        EVERY("bool", MUL(V(bools[i]), ONE_MINUS(V(bools[i]))));
    EVERY("one_region", SUB(ADD(ADD(r_reg, r_in), ADD(r_rom, r_ram)), K(1)));
    EVERY("fr_def", SUB(V(ZKVM_XC_FR), MUL(ONE_MINUS(same), ONE_MINUS(wr))));
    /* region ranges: addr - base = o0 + 2^16 o1, o0 < 2^16 and o1 < 2^8 (input), 2^10 (RAM),
     * 0 (registers) -- ROM needs none (its words must be initialised, see below) */
    air_expr base = ADD(MUL(r_in, K(ZKVM_BASE_IN)), MUL(r_ram, K(ZKVM_BASE_RAM)));
    air_expr o0 = V(ZKVM_XC_O0), o1 = V(ZKVM_XC_O1);
    EVERY("region_offset", MUL(ONE_MINUS(r_rom), SUB(SUB(addr, base), ADD(o0, MUL(K(1 << 16), o1)))));
    EVERY("register_region", MUL(r_reg, o1));
    EVERY("input_read_only", MUL(wr, r_in));
    EVERY("rom_read_only", MUL(MUL(wr, r_rom), t));
    /* Row 0 (the sentinel or the carry row) receives nothing; every later row that receives
     * nothing (padding) is a read. The domain's first-row and transition selectors say which
     * rows these are, so no fixed column is needed. */
    FIRST("carry_row_receives_nothing", mult);
    /* order and consistency with the previous row */
    air_expr same_n = N(ZKVM_XC_SAME);
    TRANS("phantom_rows_read", MUL(ONE_MINUS(N(ZKVM_XC_MULT)), N(ZKVM_XC_WR)));
    TRANS("same_addr", MUL(same_n, SUB(N(ZKVM_XC_ADDR), addr)));
    air_expr dt = SUB(SUB(N(ZKVM_XC_T), t), K(1)), da = SUB(SUB(N(ZKVM_XC_ADDR), addr), K(1));
    TRANS("sorted", SUB(ADD(MUL(same_n, dt), MUL(ONE_MINUS(same_n), da)),
                        ADD(N(ZKVM_XC_D0), MUL(K(1 << 16), N(ZKVM_XC_D1)))));
    air_expr rd_n = MUL(same_n, ONE_MINUS(N(ZKVM_XC_WR)));
    TRANS("read_lo", MUL(rd_n, SUB(N(ZKVM_XC_V_LO), V(ZKVM_XC_V_LO))));
    TRANS("read_hi", MUL(rd_n, SUB(N(ZKVM_XC_V_HI), V(ZKVM_XC_V_HI))));
    air_expr zero_init = MUL(N(ZKVM_XC_FR), ADD(N(ZKVM_XC_R_REG), N(ZKVM_XC_R_RAM)));
    TRANS("first_read_zero_lo", MUL(zero_init, N(ZKVM_XC_V_LO)));
    TRANS("first_read_zero_hi", MUL(zero_init, N(ZKVM_XC_V_HI)));
    air_expr new_rom = MUL(ONE_MINUS(same_n), N(ZKVM_XC_R_ROM));
    TRANS("rom_first_is_init_write", MUL(new_rom, ONE_MINUS(N(ZKVM_XC_WR))));
    TRANS("rom_first_at_t0", MUL(new_rom, N(ZKVM_XC_T)));
    /* Segment links: the first and last rows' (addr, t, v) are publics, which the verifier
     * chains (segment k + 1's first row, its carry row, is segment k's last row) and requires
     * to be the sentinel (0, 0, 0) for segment 0. */
    static const char *const in_names[4] = {"in_addr", "in_t", "in_lo", "in_hi"};
    static const char *const out_names[4] = {"out_addr", "out_t", "out_lo", "out_hi"};
    static const unsigned link_cols[4] = {ZKVM_XC_ADDR, ZKVM_XC_T, ZKVM_XC_V_LO, ZKVM_XC_V_HI};
    for (unsigned i = 0; i < 4; i++) {
        FIRST(in_names[i], SUB(V(link_cols[i]), air_public(B, g.pub + ZKVM_XPUB_IN + i)));
        LAST(out_names[i], SUB(V(link_cols[i]), air_public(B, g.pub + ZKVM_XPUB_OUT + i)));
    }

    air_expr acc[5] = {addr, t, V(ZKVM_XC_V_LO), V(ZKVM_XC_V_HI), wr};
    air_bus_recv(B, "access", ZKVM_BUS_MEM, mult, acc, 5);
    air_expr not_rom = ONE_MINUS(r_rom);
    air_bus_send(B, "range_o0", ZKVM_BUS_RANGE16, not_rom, &o0, 1);
    /* o1 < 2^16 directly, then o1 * 2^8 (input) or o1 * 2^6 (RAM) < 2^16: the scaled lookup
     * alone would also pass field elements w / 2^8 (zkvm_range.h) */
    air_bus_send(B, "range_o1", ZKVM_BUS_RANGE16, not_rom, &o1, 1);
    air_expr o1s = MUL(o1, ADD(MUL(r_in, K(ZKVM_IN_O1_SCALE)), MUL(r_ram, K(ZKVM_RAM_O1_SCALE))));
    air_bus_send(B, "range_o1_scaled", ZKVM_BUS_RANGE16, not_rom, &o1s, 1);
    air_expr d0 = V(ZKVM_XC_D0), d1 = V(ZKVM_XC_D1);
    air_bus_send(B, "range_d0", ZKVM_BUS_RANGE16, K(1), &d0, 1);
    air_bus_send(B, "range_d1", ZKVM_BUS_RANGE16, K(1), &d1, 1);
#undef C
#undef V
#undef N
    return build_or_die(B);
}

/* ------------------------------------------------------------------------------------------ */
/* Program                                                                                      */
/* ------------------------------------------------------------------------------------------ */

air *zkvm_program_air(void) {
    air_builder *B = air_builder_new("zkvm_program", 3);
    air_col f0 = air_cols_fixed(B, "prog", ZKVM_PF_COUNT);
    air_col m = air_col_stage1(B, "m");
    air_expr is_code = CUR(air_col_at(f0, ZKVM_PF_IS_CODE));
    air_expr is_init = CUR(air_col_at(f0, ZKVM_PF_IS_INIT));
    air_expr mand = CUR(air_col_at(f0, ZKVM_PF_MAND));
    air_expr mm = CUR(m);
    EVERY("init_once", MUL(is_init, MUL(mm, SUB(mm, K(1)))));
    EVERY("mandatory_init", MUL(mand, SUB(mm, K(1))));
    air_expr k[10];
    for (unsigned i = 0; i < 10; i++) k[i] = CUR(air_col_at(f0, ZKVM_PF_K0 + i));
    air_bus_recv(B, "rom", ZKVM_BUS_ROM, MUL(is_code, mm), k, 10);
    air_expr w[5] = {k[0], K(0), k[1], k[2], K(1)};
    air_bus_send(B, "init_write", ZKVM_BUS_MEM, MUL(is_init, mm), w, 5);
    return build_or_die(B);
}

/* ------------------------------------------------------------------------------------------ */
/* Register refresh                                                                             */
/* ------------------------------------------------------------------------------------------ */

air *zkvm_refresh_air(void) {
    air_builder *B = air_builder_new("zkvm_refresh", 3);
    air_col c0 = air_cols_stage1(B, "rfr", ZKVM_RC_COUNT);
    air_col f0 = air_cols_fixed(B, "rfix", ZKVM_RF_COUNT);
    air_expr m = CUR(air_col_at(c0, ZKVM_RC_M)), g = CUR(air_col_at(c0, ZKVM_RC_G));
    air_expr v_lo = CUR(air_col_at(c0, ZKVM_RC_V_LO)), v_hi = CUR(air_col_at(c0, ZKVM_RC_V_HI));
    air_expr reg = CUR(air_col_at(f0, ZKVM_RF_REG)), T = CUR(air_col_at(f0, ZKVM_RF_T));
    /* m is a multiplicity of 0 or 1: a refresh is an access that happens once or not at all */
    EVERY("bool_m", MUL(m, ONE_MINUS(m)));
    /* an access at time T that leaves the value as it is: receive the previous tuple (time
     * T - 1 - g, g < 2^16), send it back with time T */
    air_expr prev[4] = {reg, SUB(SUB(T, K(1)), g), v_lo, v_hi};
    air_bus_recv(B, "refresh_prev", ZKVM_BUS_REG, m, prev, 4);
    air_expr cur[4] = {reg, T, v_lo, v_hi};
    air_bus_send(B, "refresh", ZKVM_BUS_REG, m, cur, 4);
    air_bus_send(B, "range_gap", ZKVM_BUS_RANGE16, m, &g, 1);
    return build_or_die(B);
}

gl_t *zkvm_refresh_fixed(unsigned log_n) {
    size_t n = (size_t)1 << log_n;
    gl_t *f = zisk_xcalloc(ZKVM_RF_COUNT * n, sizeof *f);
    for (size_t i = 0; i < n; i++) {
        f[ZKVM_RF_REG * n + i] = i % ZKVM_N_REGS;
        f[ZKVM_RF_T * n + i] = 4 * ((uint64_t)(i / ZKVM_N_REGS + 1) << ZKVM_REFRESH_LOG);
    }
    return f;
}

/* ------------------------------------------------------------------------------------------ */
/* Boundary                                                                                     */
/* ------------------------------------------------------------------------------------------ */

air *zkvm_boundary_air(void) {
    air_builder *B = air_builder_new("zkvm_boundary", 3);
    air_col c0 = air_cols_stage1(B, "bnd", ZKVM_BC_COUNT);
    air_col f0 = air_cols_fixed(B, "bfix", ZKVM_BF_COUNT);
    uint32_t pub = air_publics_new(B, "exit", 2);
    uint32_t out = air_publics_new(B, "out", 64);
    uint32_t send = air_publics_new(B, "s_end", 1);
    ZISK_ASSERT(pub == ZKVM_BPUB_EXIT_LO && out == ZKVM_BPUB_OUT0 && send == ZKVM_BPUB_S_END);
    /* the exit code and the halt step are the halting main segment's (the verifier compares) */
    air_expr l = CUR(air_col_at(f0, ZKVM_BF_L_FIRST)), s = air_public(B, send);
    air_expr t0 = ADD(MUL(K(8), s), K(8));
    for (unsigned j = 0; j < 32; j++) {
        air_expr r[5] = {K(ZKVM_GUEST_BASE + VM_OUTPUT_ADDR / 8 + j), ADD(t0, K(j)),
                         air_public(B, out + 2 * j), air_public(B, out + 2 * j + 1), K(0)};
        air_bus_send(B, "output_read", ZKVM_BUS_MEM, l, r, 5);
    }
    /* the register file: every register starts at zero (time 0) and ends with the tuple of
     * its last access (the prover's columns: the bus says which they must be) */
    air_expr reg = CUR(air_col_at(f0, ZKVM_BF_REG)), is_reg = CUR(air_col_at(f0, ZKVM_BF_IS_REG));
    air_expr init[4] = {reg, K(0), K(0), K(0)};
    air_bus_send(B, "reg_init", ZKVM_BUS_REG, is_reg, init, 4);
    air_expr fin[4] = {reg, CUR(air_col_at(c0, ZKVM_BC_FT)), CUR(air_col_at(c0, ZKVM_BC_FV_LO)),
                       CUR(air_col_at(c0, ZKVM_BC_FV_HI))};
    air_bus_recv(B, "reg_final", ZKVM_BUS_REG, is_reg, fin, 4);
    return build_or_die(B);
}

gl_t *zkvm_boundary_fixed(void) {
    size_t n = (size_t)1 << ZKVM_BOUNDARY_LOG_N;
    _Static_assert(ZKVM_N_REGS <= (1 << ZKVM_BOUNDARY_LOG_N), "a boundary row per register");
    gl_t *f = zisk_xcalloc(ZKVM_BF_COUNT * n, sizeof *f);
    f[ZKVM_BF_L_FIRST * n] = 1;
    for (size_t r = 0; r < ZKVM_N_REGS; r++) {
        f[ZKVM_BF_REG * n + r] = r;
        f[ZKVM_BF_IS_REG * n + r] = 1;
    }
    return f;
}
