/*
 * test_zkvm_soundness: the malicious prover. Each case breaks ONE thing in an otherwise honest
 * witness of a real guest run (through zkvm_prove_opts.tamper) and expects it to be caught:
 *   - by the prover's constraint check (--verify-constraints), which must name the broken
 *     constraint or bus (every case), and
 *   - for the cases marked "stark", by the verifier too: the prover writes the proof anyway
 *     (keep_invalid) and zkvm_verify must reject it.
 * An honest run must pass both. Usage: test_zkvm_soundness FIBONACCI_ELF SHA256_ELF BIGINT_ELF
 * (77 = skip). Cases run on fibonacci(12), except those marked for sha256("abc") (ops fibonacci
 * never runs, such as the W shifts) or for bigint (a short run: multiplications and divisions).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "add.h"
#include "eq.h"
#include "div.h"
#include "logic.h"
#include "mul.h"
#include "shift64.h"
#include "shiftw.h"
#include "wmem.h"
#include "base.h"
#include "stark.h"
#include "vm.h"
#include "zkvm.h"
#include "zkvm_airs.h"
#include "zkvm_rom.h"

typedef struct tcase {
    const char *name;
    const char *expect; /* substring of the constraint check's error */
    int stark;          /* also prove and expect zkvm_verify to reject */
    void (*fn)(const struct tcase *tc, zkvm_kind kind, size_t index, unsigned log_n, uint32_t n_cols,
               gl_t *t, gl_t *pub);
    int guest; /* 0: fibonacci, 1: sha256, 2: bigint */
} tcase;

static int g_done; /* the tamper fired (a case must change something) */
static uint8_t *g_mandatory; /* per program-AIR row: a mandatory initial word */

#define COL(t, n, c) ((t) + (size_t)(c) * (n))
#define MC(c) COL(t, n, ZKVM_MC_##c)
#define XC(c) COL(t, n, ZKVM_XC_##c)
#define OC(c) COL(t, n, ZKVM_OC_##c)
#define FLAG(f) COL(t, n, ZKVM_MC_FLAG0 + ZKVM_AF_##f)

/* First active main row of segment 0 with the given flags set (and row+1 active). */
static long find_row(gl_t *t, size_t n, unsigned flags) {
    for (size_t i = 4; i + 1 < n; i++) {
        if (!MC(ACTIVE)[i + 1]) break;
        int ok = 1;
        for (unsigned f = 0; f < ZKVM_N_AIR_FLAGS; f++)
            if (((flags >> f) & 1) && !COL(t, n, ZKVM_MC_FLAG0 + f)[i]) ok = 0;
        if (ok) return (long)i;
    }
    return -1;
}

static void alu_result(const tcase *tc, zkvm_kind k, size_t idx, unsigned log_n, uint32_t nc, gl_t *t, gl_t *pub) {
    (void)tc, (void)nc, (void)pub;
    size_t n = (size_t)1 << log_n;
    if (k != ZKVM_KIND_MAIN || idx != 0 || g_done) return;
    long r = find_row(t, n, 1u << ZKVM_AF_OP | 1u << ZKVM_AF_WR);
    if (r < 0) return;
    MC(C_LO)[r] = gl_add(MC(C_LO)[r], 1); /* main stays consistent: the register gets this C */
    g_done = 1;
}

static void mem_read_value(const tcase *tc, zkvm_kind k, size_t idx, unsigned log_n, uint32_t nc, gl_t *t, gl_t *pub) {
    (void)tc, (void)nc, (void)pub;
    size_t n = (size_t)1 << log_n;
    if (k != ZKVM_KIND_MEMOP || g_done) return;
    (void)idx;
    for (size_t r = 0; r < n; r++)
        if (OC(LOAD)[r]) {
            OC(M_LO)[r] = gl_add(OC(M_LO)[r], 1); /* and with it the op's operand x */
            g_done = 1;
            return;
        }
}

static void move_row(gl_t *t, size_t n, uint32_t nc, size_t dst, size_t src) {
    for (uint32_t c = 0; c < nc; c++) t[(size_t)c * n + dst] = t[(size_t)c * n + src];
}

static void skip_instruction(const tcase *tc, zkvm_kind k, size_t idx, unsigned log_n, uint32_t nc, gl_t *t, gl_t *pub) {
    (void)tc, (void)pub;
    size_t n = (size_t)1 << log_n;
    if (k != ZKVM_KIND_MAIN || idx != 0 || g_done) return;
    size_t r = 5;
    gl_t step0 = MC(STEP)[0];
    for (size_t i = r; i + 1 < n; i++) move_row(t, n, nc, i, i + 1);
    for (size_t i = 0; i < n; i++) MC(STEP)[i] = step0 + i; /* steps look consecutive again */
    g_done = 1;
}

static void reorder(const tcase *tc, zkvm_kind k, size_t idx, unsigned log_n, uint32_t nc, gl_t *t, gl_t *pub) {
    (void)tc, (void)pub;
    size_t n = (size_t)1 << log_n;
    if (k != ZKVM_KIND_MAIN || idx != 0 || g_done) return;
    gl_t *tmp = zisk_xmalloc(nc * sizeof *tmp);
    for (uint32_t c = 0; c < nc; c++) tmp[c] = t[(size_t)c * n + 6];
    move_row(t, n, nc, 6, 7);
    for (uint32_t c = 0; c < nc; c++) t[(size_t)c * n + 7] = tmp[c];
    free(tmp);
    MC(STEP)[6] = MC(STEP)[5] + 1;
    MC(STEP)[7] = MC(STEP)[5] + 2;
    g_done = 1;
}

static void wrong_jump(const tcase *tc, zkvm_kind k, size_t idx, unsigned log_n, uint32_t nc, gl_t *t, gl_t *pub) {
    (void)tc, (void)nc, (void)pub;
    size_t n = (size_t)1 << log_n;
    if (k != ZKVM_KIND_MAIN || idx != 0 || g_done) return;
    long r = find_row(t, n, 1u << ZKVM_AF_BR);
    if (r < 0) return;
    /* the row claims to go 4 bytes further, and the next row starts there */
    MC(NPC)[r] = gl_add(MC(NPC)[r], 16);
    MC(UPC)[r + 1] = MC(NPC)[r];
    g_done = 1;
}

static void segment_handover(const tcase *tc, zkvm_kind k, size_t idx, unsigned log_n, uint32_t nc, gl_t *t, gl_t *pub) {
    (void)tc, (void)nc, (void)pub;
    size_t n = (size_t)1 << log_n;
    if (k != ZKVM_KIND_MAIN || idx != 1 || g_done) return;
    /* segment 1 claims to start 8 steps later (consistently inside the segment: the register
     * time gaps grow with the times) */
    for (size_t i = 0; i < n; i++) {
        MC(STEP)[i] = gl_add(MC(STEP)[i], 8);
        MC(GA)[i] = gl_add(MC(GA)[i], 32 * MC(ACTIVE)[i]);
        MC(GB)[i] = gl_add(MC(GB)[i], 32 * MC(ACTIVE)[i]);
        MC(GC)[i] = gl_add(MC(GC)[i], 32 * FLAG(WR)[i]);
    }
    g_done = 1;
}

static void mem_handover(const tcase *tc, zkvm_kind k, size_t idx, unsigned log_n, uint32_t nc, gl_t *t, gl_t *pub) {
    (void)tc, (void)nc, (void)pub;
    size_t n = (size_t)1 << log_n;
    if (k != ZKVM_KIND_MEMORY || idx != 1 || g_done) return;
    /* memory segment 1's carry row (a copy of segment 0's last row) claims another value, and
     * the reads of that word after it return it (so the segment's own constraints hold) */
    COL(t, n, ZKVM_XC_V_LO)[0] = gl_add(COL(t, n, ZKVM_XC_V_LO)[0], 1);
    for (size_t i = 1; i < n && COL(t, n, ZKVM_XC_SAME)[i] && !COL(t, n, ZKVM_XC_WR)[i]; i++)
        COL(t, n, ZKVM_XC_V_LO)[i] = COL(t, n, ZKVM_XC_V_LO)[0];
    g_done = 1;
}

static void output_word(const tcase *tc, zkvm_kind k, size_t idx, unsigned log_n, uint32_t nc, gl_t *t, gl_t *pub) {
    (void)tc, (void)idx, (void)log_n, (void)nc, (void)t;
    if (k != ZKVM_KIND_BOUNDARY) return;
    pub[ZKVM_BPUB_OUT0] = gl_add(pub[ZKVM_BPUB_OUT0], 1);
    g_done = 1;
}

static void exit_code(const tcase *tc, zkvm_kind k, size_t idx, unsigned log_n, uint32_t nc, gl_t *t, gl_t *pub) {
    (void)tc, (void)idx, (void)log_n, (void)nc, (void)t;
    if (k != ZKVM_KIND_BOUNDARY) return;
    pub[ZKVM_BPUB_EXIT_LO] = 7;
    g_done = 1;
}

static void reg_write_dropped(const tcase *tc, zkvm_kind k, size_t idx, unsigned log_n, uint32_t nc, gl_t *t, gl_t *pub) {
    (void)tc, (void)nc, (void)pub;
    size_t n = (size_t)1 << log_n;
    if (k != ZKVM_KIND_MAIN || idx != 0 || g_done) return;
    /* an ALU result is not written: the row drops its write flag (and the write slot's
     * columns), so the register keeps its old value; the uop it fetches then is not the
     * program's */
    for (size_t i = 4; i < n; i++)
        if (FLAG(WR)[i] && MC(RC)[i] != 0 && (MC(C_LO)[i] != MC(PV_LO)[i] || MC(C_HI)[i] != MC(PV_HI)[i])) {
            FLAG(WR)[i] = 0;
            MC(GC)[i] = MC(PV_LO)[i] = MC(PV_HI)[i] = 0;
            g_done = 1;
            return;
        }
}

static void reg_stale_read(const tcase *tc, zkvm_kind k, size_t idx, unsigned log_n, uint32_t nc, gl_t *t, gl_t *pub) {
    (void)tc, (void)nc, (void)pub;
    size_t n = (size_t)1 << log_n;
    if (k != ZKVM_KIND_MAIN || idx != 0 || g_done) return;
    /* a register read claims another previous access (one time unit earlier: its gap limb
     * g grows by one), and to keep the range bus balanced another slot whose gap limb is g + 1
     * claims g: two reads of tuples nobody sent, which only the register bus can see */
    static const struct { unsigned on, col; } slots[3] = {{ZKVM_MC_ACTIVE, ZKVM_MC_GA},
                                                          {ZKVM_MC_ACTIVE, ZKVM_MC_GB},
                                                          {ZKVM_MC_FLAG0 + ZKVM_AF_WR, ZKVM_MC_GC}};
    for (size_t i = 4; i < n; i++) {
        if (!MC(ACTIVE)[i] || MC(GA)[i] >= 0xffff || 4 * MC(STEP)[i] + 1 - 1 - MC(GA)[i] == 0)
            continue;
        gl_t g = MC(GA)[i];
        for (size_t j = 4; j < n; j++)
            for (unsigned s = 0; s < 3; s++) {
                gl_t *gj = &COL(t, n, slots[s].col)[j];
                if (j == i || !COL(t, n, slots[s].on)[j] || *gj != g + 1) continue;
                MC(GA)[i] = g + 1;
                *gj = g;
                g_done = 1;
                return;
            }
    }
}

static void reg_future_read(const tcase *tc, zkvm_kind k, size_t idx, unsigned log_n, uint32_t nc, gl_t *t, gl_t *pub) {
    (void)tc, (void)nc, (void)pub;
    size_t n = (size_t)1 << log_n;
    if (k != ZKVM_KIND_MAIN || idx != 0 || g_done) return;
    /* a register read claims a previous access AFTER it: the gap t - t_prev - 1 is then a
     * field element near p (the received time t - 1 - gap is t + 4, the same slot one step
     * later): only the range lookup stands in the way */
    for (size_t i = 4; i < n; i++)
        if (MC(ACTIVE)[i]) {
            gl_t tt = 4 * MC(STEP)[i] + 1;
            MC(GA)[i] = gl_sub(gl_sub(tt, tt + 4), 1); /* t_prev = t - 1 - gap = t + 4 */
            g_done = 1;
            return;
        }
}

static void reg_final_state(const tcase *tc, zkvm_kind k, size_t idx, unsigned log_n, uint32_t nc, gl_t *t, gl_t *pub) {
    (void)tc, (void)nc, (void)pub, (void)idx;
    size_t n = (size_t)1 << log_n;
    if (k != ZKVM_KIND_BOUNDARY || g_done) return;
    /* the final state of a register that the run used is changed */
    for (size_t r = 1; r < ZKVM_N_REGS; r++)
        if (COL(t, n, ZKVM_BC_FT)[r] != 0) {
            COL(t, n, ZKVM_BC_FV_LO)[r] = gl_add(COL(t, n, ZKVM_BC_FV_LO)[r], 1);
            g_done = 1;
            return;
        }
}

static void mem_unsorted(const tcase *tc, zkvm_kind k, size_t idx, unsigned log_n, uint32_t nc, gl_t *t, gl_t *pub) {
    (void)tc, (void)pub;
    size_t n = (size_t)1 << log_n;
    if (k != ZKVM_KIND_MEMORY || idx != 0 || g_done) return;
    gl_t *tmp = zisk_xmalloc(nc * sizeof *tmp);
    for (uint32_t c = 0; c < nc; c++) tmp[c] = t[(size_t)c * n + 10];
    move_row(t, n, nc, 10, 11);
    for (uint32_t c = 0; c < nc; c++) t[(size_t)c * n + 11] = tmp[c];
    free(tmp);
    g_done = 1;
}

static void rom_write(const tcase *tc, zkvm_kind k, size_t idx, unsigned log_n, uint32_t nc, gl_t *t, gl_t *pub) {
    (void)tc, (void)nc, (void)pub, (void)idx;
    size_t n = (size_t)1 << log_n;
    if (k != ZKVM_KIND_MEMORY || g_done) return;
    for (size_t i = 1; i < n; i++)
        if (XC(R_ROM)[i] == 1 && XC(T)[i] != 0 && XC(SAME)[i] == 1) {
            XC(WR)[i] = 1;
            XC(FR)[i] = 0;
            g_done = 1;
            return;
        }
}

static void program_count(const tcase *tc, zkvm_kind k, size_t idx, unsigned log_n, uint32_t nc, gl_t *t, gl_t *pub) {
    (void)tc, (void)idx, (void)log_n, (void)nc, (void)pub;
    if (k != ZKVM_KIND_PROGRAM) return;
    t[0] = gl_add(t[0], 1); /* the start uop "executed" twice */
    g_done = 1;
}

static void halt_early(const tcase *tc, zkvm_kind k, size_t idx, unsigned log_n, uint32_t nc, gl_t *t, gl_t *pub) {
    (void)tc, (void)pub;
    size_t n = (size_t)1 << log_n;
    if (k != ZKVM_KIND_MAIN || idx != 0 || g_done) return;
    /* stop after row 9: rows from 10 on become padding */
    for (size_t i = 10; i < n; i++) {
        gl_t step = MC(STEP)[i];
        for (uint32_t c = 0; c < nc; c++) t[(size_t)c * n + i] = 0;
        MC(STEP)[i] = step;
    }
    g_done = 1;
}

static void op_changed(const tcase *tc, zkvm_kind k, size_t idx, unsigned log_n, uint32_t nc, gl_t *t, gl_t *pub) {
    (void)tc, (void)nc, (void)pub;
    size_t n = (size_t)1 << log_n;
    if (k != ZKVM_KIND_MAIN || idx != 0 || g_done) return;
    long r = find_row(t, n, 1u << ZKVM_AF_OP | 1u << ZKVM_AF_WR);
    if (r < 0) return;
    MC(OP)[r] = ZKVM_OP_XOR; /* the row claims another operation than its uop */
    g_done = 1;
}

static void wrong_address(const tcase *tc, zkvm_kind k, size_t idx, unsigned log_n, uint32_t nc, gl_t *t, gl_t *pub) {
    (void)tc, (void)nc, (void)pub, (void)idx;
    size_t n = (size_t)1 << log_n;
    if (k != ZKVM_KIND_MEMOP || g_done) return;
    for (size_t r = 0; r < n; r++)
        if (OC(LOAD)[r] || OC(RMW)[r]) {
            OC(MADDR)[r] = gl_add(OC(MADDR)[r], 1); /* the access goes to the next word */
            g_done = 1;
            return;
        }
}

static void operand_not_imm(const tcase *tc, zkvm_kind k, size_t idx, unsigned log_n, uint32_t nc, gl_t *t, gl_t *pub) {
    (void)tc, (void)nc, (void)pub, (void)idx;
    size_t n = (size_t)1 << log_n;
    if (k != ZKVM_KIND_MAIN || g_done) return;
    for (size_t r = 4; r < n; r++)
        if (FLAG(OP)[r] && MC(IMM_LO)[r] != 0) {
            /* B = VB + imm is not the immediate any more: VB is not what x0 holds (the register
             * bus) and the operation gets another operand (the operation bus, checked first) */
            MC(VB_LO)[r] = gl_add(MC(VB_LO)[r], 1);
            g_done = 1;
            return;
        }
}

static void region_relabel(const tcase *tc, zkvm_kind k, size_t idx, unsigned log_n, uint32_t nc, gl_t *t, gl_t *pub) {
    (void)tc, (void)nc, (void)pub, (void)idx;
    size_t n = (size_t)1 << log_n;
    if (k != ZKVM_KIND_MEMORY || g_done) return;
    /* a RAM word claimed to be input (whose first read is free) */
    for (size_t i = 1; i < n; i++)
        if (XC(R_RAM)[i] == 1) {
            XC(R_RAM)[i] = 0;
            XC(R_IN)[i] = 1;
            g_done = 1;
            return;
        }
}

static void input_write(const tcase *tc, zkvm_kind k, size_t idx, unsigned log_n, uint32_t nc, gl_t *t, gl_t *pub) {
    (void)tc, (void)nc, (void)pub, (void)idx;
    size_t n = (size_t)1 << log_n;
    if (k != ZKVM_KIND_MEMORY || g_done) return;
    for (size_t i = 1; i < n; i++)
        if (XC(R_IN)[i] == 1 && XC(MULT)[i] == 1) {
            XC(WR)[i] = 1;
            XC(FR)[i] = 0;
            g_done = 1;
            return;
        }
}

static void skip_data_init(const tcase *tc, zkvm_kind k, size_t idx, unsigned log_n, uint32_t nc, gl_t *t, gl_t *pub) {
    (void)tc, (void)idx, (void)nc, (void)pub, (void)log_n;
    if (k != ZKVM_KIND_PROGRAM || g_done) return;
    /* the program's initialised RAM data words are written at t = 0 whether read or not: a
     * prover skipping one (so that reads see 0) breaks the program AIR */
    size_t n = (size_t)1 << log_n;
    (void)n;
    for (size_t i = n; i-- > 0;)
        if (t[i] == 1 && g_mandatory && g_mandatory[i]) {
            t[i] = 0;
            g_done = 1;
            return;
        }
}

static void halt_not_exit(const tcase *tc, zkvm_kind k, size_t idx, unsigned log_n, uint32_t nc, gl_t *t, gl_t *pub) {
    (void)tc, (void)nc, (void)pub, (void)idx;
    size_t n = (size_t)1 << log_n;
    if (k != ZKVM_KIND_MAIN || g_done) return;
    for (size_t i = 0; i < n; i++)
        if (FLAG(HALT)[i]) {
            MC(A_LO)[i] = 0; /* "a7 was not 93" and it halts anyway */
            g_done = 1;
            return;
        }
}

static void store_value(const tcase *tc, zkvm_kind k, size_t idx, unsigned log_n, uint32_t nc, gl_t *t, gl_t *pub) {
    (void)tc, (void)nc, (void)pub, (void)idx;
    size_t n = (size_t)1 << log_n;
    if (k != ZKVM_KIND_MEMOP || g_done) return;
    for (size_t r = 0; r < n; r++)
        if (OC(STORE)[r]) {
            OC(C_LO)[r] = gl_add(OC(C_LO)[r], 1); /* the word written is not the register's */
            g_done = 1;
            return;
        }
}

static void memop_kind(const tcase *tc, zkvm_kind k, size_t idx, unsigned log_n, uint32_t nc, gl_t *t, gl_t *pub) {
    (void)tc, (void)nc, (void)pub, (void)idx;
    size_t n = (size_t)1 << log_n;
    if (k != ZKVM_KIND_MEMOP || g_done) return;
    /* a load relabelled as a store (of its result: C = VB would be needed too) with the code
     * kept: op = code - 512 * 4, so the received tuple still matches; only store_no_op objects */
    for (size_t r = 0; r < n; r++)
        if (OC(LOAD)[r]) {
            OC(LOAD)[r] = 0;
            OC(STORE)[r] = 1;
            OC(OP)[r] = gl_sub(OC(OP)[r], 512 * (ZKVM_MK_STORE - ZKVM_MK_LOAD));
            g_done = 1;
            return;
        }
}

/* Stage-1 column of the add AIR by name. */
static size_t add_col(const char *name) {
    static air *a;
    if (!a) a = zkvm_add_air(); /* kept for the process's life */
    for (uint32_t i = 0; i < air_n_cols(a, AIR_STAGE1); i++)
        if (strcmp(air_col_name(a, AIR_STAGE1, i), name) == 0) return i;
    ZISK_ASSERT(0);
    return 0;
}

/* First used row of an add instance whose result limb c1 is nonzero (-1: none). */
static long add_row(gl_t *t, size_t n) {
    for (size_t i = 0; i < n; i++) {
        gl_t act = 0;
        static const char *const f[] = {"f_add", "f_sub", "f_addw", "f_subw"};
        for (int k = 0; k < 4; k++) act = gl_add(act, COL(t, n, add_col(f[k]))[i]);
        if (act && COL(t, n, add_col("c1"))[i] != 0) return (long)i;
    }
    return -1;
}

static void add_wrong_sum(const tcase *tc, zkvm_kind k, size_t idx, unsigned log_n, uint32_t nc, gl_t *t, gl_t *pub) {
    (void)tc, (void)nc, (void)pub, (void)idx;
    size_t n = (size_t)1 << log_n;
    if (k != ZKVM_KIND_ADD || g_done) return;
    long r = add_row(t, n);
    if (r < 0) return;
    /* the provider row proves another sum than the tuple it receives claims */
    COL(t, n, add_col("c0"))[r] = gl_add(COL(t, n, add_col("c0"))[r], 1);
    g_done = 1;
}

static void add_limb_range(const tcase *tc, zkvm_kind k, size_t idx, unsigned log_n, uint32_t nc, gl_t *t, gl_t *pub) {
    (void)tc, (void)nc, (void)pub, (void)idx;
    size_t n = (size_t)1 << log_n;
    if (k != ZKVM_KIND_ADD || g_done) return;
    long r = add_row(t, n);
    if (r < 0) return;
    /* the same low word written with a limb of 2^16 or more: only the range lookups object */
    COL(t, n, add_col("c0"))[r] = gl_add(COL(t, n, add_col("c0"))[r], 1u << 16);
    COL(t, n, add_col("c1"))[r] = gl_sub(COL(t, n, add_col("c1"))[r], 1);
    g_done = 1;
}

/* Stage-1 column index of a provider AIR by name (the AIR is built once per kind and kept). */
static size_t provider_col(zkvm_kind k, const char *name) {
    static air *airs[ZKVM_N_KINDS];
    if (!airs[k])
        airs[k] = k == ZKVM_KIND_SHIFTW ? zkvm_shiftw_air()
                  : k == ZKVM_KIND_SHIFT64 ? zkvm_shift64_air()
                  : k == ZKVM_KIND_EQ ? zkvm_eq_air()
                  : k == ZKVM_KIND_MUL ? zkvm_mul_air()
                  : k == ZKVM_KIND_DIV ? zkvm_div_air()
                  : k == ZKVM_KIND_WMEM ? zkvm_wmem_air()
                                      : NULL;
    ZISK_ASSERT(airs[k] != NULL);
    for (uint32_t i = 0; i < air_n_cols(airs[k], AIR_STAGE1); i++)
        if (strcmp(air_col_name(airs[k], AIR_STAGE1, i), name) == 0) return i;
    ZISK_ASSERT(0);
    return 0;
}

static void shiftw_wrong_result(const tcase *tc, zkvm_kind k, size_t idx, unsigned log_n, uint32_t nc, gl_t *t,
                                gl_t *pub) {
    (void)tc, (void)nc, (void)pub, (void)idx;
    size_t n = (size_t)1 << log_n;
    if (k != ZKVM_KIND_SHIFTW || g_done) return;
    size_t fl = provider_col(k, "f_sllw"), fr = provider_col(k, "f_srlw"), r0 = provider_col(k, "r0");
    for (size_t i = 0; i < n; i++)
        if (COL(t, n, fl)[i] || COL(t, n, fr)[i]) {
            /* the row proves another result word than the tuple claims... and the tuple agrees
             * (r is in it): only the product equation objects */
            COL(t, n, r0)[i] = (COL(t, n, r0)[i] + 1) & 0xffff;
            g_done = 1;
            return;
        }
}

static void shift64_wrong_result(const tcase *tc, zkvm_kind k, size_t idx, unsigned log_n, uint32_t nc, gl_t *t,
                                 gl_t *pub) {
    (void)tc, (void)nc, (void)pub, (void)idx;
    size_t n = (size_t)1 << log_n;
    if (k != ZKVM_KIND_SHIFT64 || g_done) return;
    size_t fl = provider_col(k, "f_sll"), fr = provider_col(k, "f_srl"), c = provider_col(k, "c_lo");
    for (size_t i = 0; i < n; i++)
        if (COL(t, n, fl)[i] || COL(t, n, fr)[i]) {
            COL(t, n, c)[i] = gl_add(COL(t, n, c)[i], 1); /* the tuple claims it too */
            g_done = 1;
            return;
        }
}

static void eq_wrong_answer(const tcase *tc, zkvm_kind k, size_t idx, unsigned log_n, uint32_t nc, gl_t *t,
                            gl_t *pub) {
    (void)tc, (void)nc, (void)pub, (void)idx;
    size_t n = (size_t)1 << log_n;
    if (k != ZKVM_KIND_EQ || g_done) return;
    size_t fe = provider_col(k, "f_eq"), fn = provider_col(k, "f_ne"), z = provider_col(k, "z");
    for (size_t i = 0; i < n; i++)
        if (COL(t, n, fe)[i] || COL(t, n, fn)[i]) {
            COL(t, n, z)[i] = 1 - COL(t, n, z)[i]; /* "equal" for unequal operands, or the reverse */
            g_done = 1;
            return;
        }
}

static void wmem_wrong_half(const tcase *tc, zkvm_kind k, size_t idx, unsigned log_n, uint32_t nc, gl_t *t,
                            gl_t *pub) {
    (void)tc, (void)nc, (void)pub, (void)idx;
    size_t n = (size_t)1 << log_n;
    if (k != ZKVM_KIND_WMEM || g_done) return;
    size_t fl = provider_col(k, "f_lw"), fu = provider_col(k, "f_lwu"), c = provider_col(k, "c_lo");
    for (size_t i = 0; i < n; i++)
        if (COL(t, n, fl)[i] || COL(t, n, fu)[i]) {
            COL(t, n, c)[i] = gl_add(COL(t, n, c)[i], 1); /* a word the load did not read; the tuple claims it */
            g_done = 1;
            return;
        }
}

static void mul_wrong_product(const tcase *tc, zkvm_kind k, size_t idx, unsigned log_n, uint32_t nc, gl_t *t,
                              gl_t *pub) {
    (void)tc, (void)nc, (void)pub, (void)idx;
    size_t n = (size_t)1 << log_n;
    if (k != ZKVM_KIND_MUL || g_done) return;
    size_t fm = provider_col(k, "f_mul"), c0 = provider_col(k, "c0");
    for (size_t i = 0; i < n; i++)
        if (COL(t, n, fm)[i]) {
            COL(t, n, c0)[i] = (COL(t, n, c0)[i] + 1) & 0xffff; /* the tuple claims it too */
            g_done = 1;
            return;
        }
}

static void div_wrong_result(const tcase *tc, zkvm_kind k, size_t idx, unsigned log_n, uint32_t nc, gl_t *t,
                             gl_t *pub) {
    (void)tc, (void)nc, (void)pub, (void)idx;
    size_t n = (size_t)1 << log_n;
    if (k != ZKVM_KIND_DIV || g_done) return;
    size_t act = provider_col(k, "act"), c = provider_col(k, "c_lo");
    for (size_t i = 0; i < n; i++)
        if (COL(t, n, act)[i]) {
            COL(t, n, c)[i] = gl_add(COL(t, n, c)[i], 1); /* another quotient or remainder */
            g_done = 1;
            return;
        }
}

static void refresh_value(const tcase *tc, zkvm_kind k, size_t idx, unsigned log_n, uint32_t nc, gl_t *t, gl_t *pub) {
    (void)tc, (void)nc, (void)pub, (void)idx;
    size_t n = (size_t)1 << log_n;
    if (k != ZKVM_KIND_REFRESH || g_done) return;
    /* a refresh that changes a register's value (it receives and sends the new value): the
     * tuple it receives was never sent */
    for (size_t i = 0; i < n; i++)
        if (COL(t, n, ZKVM_RC_M)[i] && COL(t, n, ZKVM_RC_V_LO)[i]) {
            COL(t, n, ZKVM_RC_V_LO)[i] = gl_add(COL(t, n, ZKVM_RC_V_LO)[i], 1);
            g_done = 1;
            return;
        }
}

static void logic_byte_range(const tcase *tc, zkvm_kind k, size_t idx, unsigned log_n, uint32_t nc, gl_t *t, gl_t *pub) {
    (void)tc, (void)nc, (void)pub, (void)idx;
    size_t n = (size_t)1 << log_n;
    if (k != ZKVM_KIND_LOGIC || g_done) return;
    static air *a;
    if (!a) a = zkvm_logic_air(); /* kept for the process's life */
    uint32_t x0 = 0;
    for (uint32_t i = 0; i < air_n_cols(a, AIR_STAGE1); i++)
        if (strcmp(air_col_name(a, AIR_STAGE1, i), "x[0]") == 0) x0 = i;
    /* an operand limb unchanged, but one of its bytes claimed as 256 more and the next as one
     * less: the tuple and every constraint still hold; only the byte table has no such row */
    for (size_t i = 0; i < n; i++)
        for (uint32_t c = x0; c + 1 < x0 + 16; c++) /* x[0..7], y[0..7] */
            if (c != x0 + 7 && COL(t, n, 0)[i] + COL(t, n, 1)[i] + COL(t, n, 2)[i] == 1 && COL(t, n, c + 1)[i] > 0) {
                COL(t, n, c)[i] += 256;
                COL(t, n, c + 1)[i] -= 1;
                g_done = 1;
                return;
            }
}

static const tcase cases[] = {
    {"wrong ALU result", "bus", 1, alu_result, 0},
    {"wrong memory read value", "bus", 0, mem_read_value, 0},
    {"skipped instruction", "upc_next", 0, skip_instruction, 0},
    {"reordered instructions", "upc_next", 0, reorder, 0},
    {"jump to a wrong pc", "npc", 0, wrong_jump, 0},
    {"broken segment hand-over", "main segment 1 starts at", 1, segment_handover, 0},
    {"broken memory segment hand-over", "memory segment 1 does not start", 1, mem_handover, 0},
    {"changed output word", "memory", 1, output_word, 0},
    {"changed exit code", "exit code of the boundary", 1, exit_code, 0},
    {"register write dropped", "rom (instruction fetch) bus", 0, reg_write_dropped, 0},
    {"register read of a stale value", "register bus", 1, reg_stale_read, 0},
    {"register read from the future", "range bus", 0, reg_future_read, 0},
    {"final register state changed", "register bus", 1, reg_final_state, 0},
    {"memory rows out of order", "sorted", 0, mem_unsorted, 0},
    {"write to ROM", "rom_read_only", 0, rom_write, 0},
    {"program fetch count", "rom", 0, program_count, 0},
    {"execution stops without exit", "stop_only_at_halt", 0, halt_early, 0},
    {"operation changed", "bus", 0, op_changed, 0},
    {"access at a wrong address", "ea_lo", 0, wrong_address, 0},
    {"store of another value", "store_value", 1, store_value, 0},
    {"memory access kind changed", "store_no_op", 0, memop_kind, 0},
    {"operand not the immediate", "does not balance", 0, operand_not_imm, 0},
    {"RAM word relabelled as input", "region_offset", 0, region_relabel, 0},
    {"write to the input region", "input_read_only", 0, input_write, 0},
    {"initialised data not written", "mandatory_init", 0, skip_data_init, 0},
    {"halt without the exit call", "halt_exit_syscall", 0, halt_not_exit, 0},
    {"add AIR proves another sum", "carry_lo", 1, add_wrong_sum, 0},
    {"add AIR result limb out of range", "range bus", 0, add_limb_range, 0},
    {"logic AIR byte out of range", "(id 16)", 1, logic_byte_range, 0},
    {"shiftw AIR proves another result", "product", 1, shiftw_wrong_result, 1},
    {"eq AIR claims the wrong comparison", "z_def", 1, eq_wrong_answer, 0},
    {"shift64 AIR proves another result", "c_lo", 1, shift64_wrong_result, 0},
    {"register refresh changes a value", "register bus", 1, refresh_value, 1},
    {"wmem AIR loads another word", "ld_lo", 1, wmem_wrong_half, 1},
    {"mul AIR proves another product", "chunk_lo", 1, mul_wrong_product, 2},
    {"div AIR proves another result", "c_lo", 1, div_wrong_result, 2},
};

static const tcase *g_case;
static void tamper(void *ctx, zkvm_kind k, size_t idx, unsigned log_n, uint32_t nc, gl_t *t, gl_t *pub) {
    (void)ctx;
    g_case->fn(g_case, k, idx, log_n, nc, t, pub);
}

int main(int argc, char **argv) {
    if (argc < 2) return 2;
    uint8_t *elf;
    size_t len;
    zisk_err err;
    if (zisk_read_file(argv[1], 64u << 20, &elf, &len, &err) != 0) {
        fprintf(stderr, "SKIP: %s\n", err.msg);
        return 77;
    }
    vm_program *p;
    if (vm_program_from_elf(elf, len, &p, &err) != 0) return 1;
    free(elf);
    uint64_t input[2] = {8, 12}; /* fibonacci(12) */
    {
        zkvm_rom *rom = zkvm_rom_build(p);
        size_t rows = rom->n_uops + rom->n_init;
        g_mandatory = zisk_xcalloc(rows, 1);
        for (size_t i = 0; i < rom->n_init; i++) g_mandatory[rom->n_uops + i] = (uint8_t)rom->init[i].mandatory;
        zkvm_rom_free(rom);
    }
    int fails = 0;
    zkvm_prove_opts o;
    memset(&o, 0, sizeof o);
    o.segment_bits = 8; /* several main and memory segments */
    o.verify_constraints = 1;
    uint8_t *proof = NULL;
    size_t plen = 0;
    zkvm_prove_stats st;
    zkvm_statement s;
    /* honest: passes the check, proves, verifies */
    if (zkvm_prove(p, (const uint8_t *)input, sizeof input, &o, NULL, &proof, &plen, &st, &err) != 0 ||
        zkvm_verify(proof, plen, &st.statement.program_vk, NULL, &s, &err) != 0) {
        fprintf(stderr, "FAIL honest run: %s\n", err.msg);
        return 1;
    }
    printf("honest: %zu main + %zu memory segments, proof %zu bytes: ok\n", st.main_segments, st.memory_segments, plen);
    /* Streaming (every trace dropped after its commitment and rebuilt) proves the same job:
     * the proof is byte for byte the same. */
    {
        zkvm_prove_opts so = o;
        so.hold_bytes = 1;
        so.verify_constraints = 0;
        uint8_t *sp = NULL;
        size_t sl = 0;
        zkvm_prove_stats sst;
        if (zkvm_prove(p, (const uint8_t *)input, sizeof input, &so, NULL, &sp, &sl, &sst, &err) != 0 || !sst.streamed ||
            sl != plen || memcmp(sp, proof, plen) != 0) {
            printf("FAIL streaming: %s\n", sst.streamed ? "the streamed proof differs" : err.msg);
            fails++;
        } else {
            printf("ok   streaming (traces rebuilt) gives the same proof\n");
        }
        free(sp);
    }
    hash_digest vk = st.statement.program_vk;
    /* Any public value changed in the proof file (re-encoded consistently) must be refused:
     * the exit code and output words are the boundary instance's publics. */
    {
        uint32_t n = (uint32_t)proof[12] | (uint32_t)proof[13] << 8 | (uint32_t)proof[14] << 16 | (uint32_t)proof[15] << 24;
        size_t hl = 16 + 4 * (size_t)n + 40;
        size_t b = 0;
        while (b < n && proof[16 + 4 * b] != ZKVM_KIND_BOUNDARY) b++;
        static const unsigned which[] = {ZKVM_BPUB_EXIT_LO, ZKVM_BPUB_EXIT_HI, ZKVM_BPUB_OUT0, ZKVM_BPUB_OUT0 + 1,
                                         ZKVM_BPUB_OUT0 + 63};
        for (unsigned w = 0; w < sizeof which / sizeof which[0]; w++) {
            stark_job_proof job;
            if (b == n || stark_job_proof_decode(proof + hl, plen - hl, &job, &err) != STARK_OK) {
                printf("FAIL: cannot decode the honest proof: %s\n", err.msg);
                return 1;
            }
            job.instances[b].publics[which[w]] ^= 1;
            if (w & 1) {
                /* the smarter forger also re-derives the global challenges from the changed
                 * commitments: then the instance openings no longer match them */
                stark_commitment *cm = zisk_xmalloc(n * sizeof *cm);
                for (size_t i = 0; i < n; i++) cm[i] = stark_proof_commitment(&job.instances[i]);
                if (stark_derive_challenges(cm, n, &job.challenges, &err) != 0) return 1;
                free(cm);
            }
            size_t jl = stark_job_proof_encoded_size(&job);
            uint8_t *bad = zisk_xmalloc(hl + jl);
            memcpy(bad, proof, hl);
            stark_job_proof_encode(&job, bad + hl, jl);
            stark_job_proof_free(&job);
            int vr = zkvm_verify(bad, hl + jl, &vk, NULL, &s, &err);
            printf("%s public value %u changed: %s\n", vr ? "ok  " : "FAIL", which[w], vr ? err.msg : "ACCEPTED");
            fails += vr == 0;
            free(bad);
        }
    }
    free(proof);
    /* the second guest, sha256("abc") (16,625 steps), for the ops fibonacci does not run: its
     * honest run must pass too, and gives its VK */
    vm_program *sp = NULL;
    uint8_t sinput[16] = {3, 0, 0, 0, 0, 0, 0, 0, 'a', 'b', 'c'};
    hash_digest svk;
    memset(&svk, 0, sizeof svk);
    if (argc < 3 || zisk_read_file(argv[2], 64u << 20, &elf, &len, &err) != 0) {
        printf("FAIL: no sha256 guest (second argument): %s\n", argc < 3 ? "missing" : err.msg);
        fails++;
    } else {
        if (vm_program_from_elf(elf, len, &sp, &err) != 0) return 1;
        free(elf);
        zkvm_prove_opts so = o;
        so.segment_bits = 12;
        if (zkvm_prove(sp, sinput, sizeof sinput, &so, NULL, &proof, &plen, &st, &err) != 0 ||
            zkvm_verify(proof, plen, &st.statement.program_vk, NULL, &s, &err) != 0) {
            printf("FAIL honest sha256 run: %s\n", err.msg);
            fails++;
        } else {
            printf("honest sha256: %zu main segments, %zu shiftw instances: ok\n", st.main_segments,
                   st.instances_by_kind[ZKVM_KIND_SHIFTW]);
        }
        svk = st.statement.program_vk;
        free(proof);
    }
    /* the third guest, bigint (a*b and 2 rounds of the M-instruction checksum, 5,636 steps),
     * for the multiplications and divisions */
    vm_program *bp = NULL;
    const uint64_t binput[6] = {8, 0xfedcba9876543210ull, 8, 0x0123456789abcdefull, 8, 2};
    hash_digest bvk;
    memset(&bvk, 0, sizeof bvk);
    if (argc < 4 || zisk_read_file(argv[3], 64u << 20, &elf, &len, &err) != 0) {
        printf("FAIL: no bigint guest (third argument): %s\n", argc < 4 ? "missing" : err.msg);
        fails++;
    } else {
        if (vm_program_from_elf(elf, len, &bp, &err) != 0) return 1;
        free(elf);
        zkvm_prove_opts bo = o;
        bo.segment_bits = 10;
        if (zkvm_prove(bp, (const uint8_t *)binput, sizeof binput, &bo, NULL, &proof, &plen, &st, &err) != 0 ||
            zkvm_verify(proof, plen, &st.statement.program_vk, NULL, &s, &err) != 0) {
            printf("FAIL honest bigint run: %s\n", err.msg);
            fails++;
        } else {
            printf("honest bigint: %zu main segments, %zu mul and %zu div instances: ok\n", st.main_segments,
                   st.instances_by_kind[ZKVM_KIND_MUL], st.instances_by_kind[ZKVM_KIND_DIV]);
        }
        bvk = st.statement.program_vk;
        free(proof);
    }
    o.tamper = tamper;
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        g_case = &cases[c];
        int gi = cases[c].guest;
        if ((gi == 1 && !sp) || (gi == 2 && !bp)) continue; /* counted as a failure above */
        const vm_program *cp = gi == 2 ? bp : gi == 1 ? sp : p;
        const uint8_t *cin = gi == 2 ? (const uint8_t *)binput : gi == 1 ? sinput : (const uint8_t *)input;
        size_t cin_len = gi == 2 ? sizeof binput : gi == 1 ? sizeof sinput : sizeof input;
        const hash_digest *cvk = gi == 2 ? &bvk : gi == 1 ? &svk : &vk;
        o.segment_bits = gi == 2 ? 10 : gi == 1 ? 12 : 8;
        g_done = 0;
        o.verify_constraints = 1;
        o.keep_invalid = 0;
        int rc = zkvm_prove(cp, cin, cin_len, &o, NULL, &proof, &plen, &st, &err);
        if (!g_done) {
            printf("FAIL %s: the tamper found nothing to change\n", cases[c].name);
            fails++;
            continue;
        }
        if (rc == 0) {
            printf("FAIL %s: the constraint check accepted the broken witness\n", cases[c].name);
            free(proof);
            fails++;
            continue;
        }
        int named = strstr(err.msg, cases[c].expect) != NULL;
        printf("%s %s: check says: %s\n", named ? "ok  " : "FAIL", cases[c].name, err.msg);
        fails += !named;
        if (!cases[c].stark) continue;
        /* the malicious prover writes the proof anyway; the verifier must refuse it */
        g_done = 0;
        o.verify_constraints = 0;
        o.keep_invalid = 1;
        if (zkvm_prove(cp, cin, cin_len, &o, NULL, &proof, &plen, &st, &err) != 0) {
            printf("FAIL %s: the malicious prover could not write a proof: %s\n", cases[c].name, err.msg);
            fails++;
            continue;
        }
        if (zkvm_verify(proof, plen, cvk, NULL, &s, &err) == 0) {
            printf("FAIL %s: the verifier ACCEPTED the proof\n", cases[c].name);
            fails++;
        } else {
            printf("ok   %s: verifier says: %s\n", cases[c].name, err.msg);
        }
        free(proof);
    }
    vm_program_free(p);
    vm_program_free(sp);
    vm_program_free(bp);
    free(g_mandatory);
    printf("%s\n", fails ? "FAILED" : "all cases caught");
    return fails ? 1 : 0;
}
