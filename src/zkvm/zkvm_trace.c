/* zkvm_trace.c: uop execution and witness generation (zkvm_trace.h). */
#include "zkvm_trace.h"

#include <stdlib.h>
#include <string.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "rv_decode.h"
#include "zkvm_airs.h"

static void push_acc(zkvm_exec *e, uint64_t addr, uint64_t t, uint64_t v, int wr) {
    if (e->n_acc == e->cap_acc) {
        e->cap_acc = e->cap_acc ? 2 * e->cap_acc : 4096;
        e->acc = zisk_xrealloc(e->acc, e->cap_acc * sizeof *e->acc);
    }
    e->acc[e->n_acc++] = (zkvm_access){addr, t, v, (uint8_t)wr};
}

static void push_op(zkvm_exec *e, uint32_t opc, uint64_t x, uint64_t y, uint64_t c) {
    if (e->n_ops == e->cap_ops) {
        e->cap_ops = e->cap_ops ? 2 * e->cap_ops : 4096;
        e->ops = zisk_xrealloc(e->ops, e->cap_ops * sizeof *e->ops);
    }
    e->ops[e->n_ops++] = (zkvm_op_record){opc, x, y, c};
}

/* Index of the init word for guest word w, or -1. */
static long find_init(const zkvm_rom *rom, uint64_t w) {
    size_t lo = 0, hi = rom->n_init;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (rom->init[mid].word < w) lo = mid + 1;
        else hi = mid;
    }
    return lo < rom->n_init && rom->init[lo].word == w ? (long)lo : -1;
}

static int fault_here(const zkvm_rom *rom, uint64_t upc, zisk_err *err, const char *what) {
    (void)rom;
    return zisk_err_set(err, "cannot prove this run: %s at pc 0x%llx", what,
                        (unsigned long long)(upc / 4 & ~1ull));
}

int zkvm_exec_run(const vm_program *p, const zkvm_rom *rom, const uint8_t *input, size_t input_len,
                  uint64_t max_uops, zkvm_exec *out, zisk_err *err) {
    memset(out, 0, sizeof *out);
    /* The emulator first: a run that faults cannot be proven, and its message says why. */
    vm *m = vm_new(p);
    vm_set_console(m, NULL);
    if (vm_set_input(m, input, input_len, err) != 0) {
        vm_free(m);
        return -1;
    }
    vm_result res;
    /* every instruction is at least one uop: a run longer than max_uops instructions (an
     * endless loop included) is refused here, before any trace is built */
    vm_run(m, VM_BACKEND_INTERPRETER, max_uops, &res);
    uint32_t emu_out[VM_OUTPUT_WORDS];
    vm_get_outputs(m, emu_out);
    vm_free(m);
    if (res.stop == VM_STOP_FAULT) return zisk_err_set(err, "the program faults, nothing to prove: %s", res.message);
    if (res.stop == VM_STOP_STEP_LIMIT)
        return zisk_err_set(err, "cannot prove this run: it does not exit within %llu instructions (the limit of "
                            "this prover)", (unsigned long long)max_uops);

    m = vm_new(p);
    vm_set_console(m, NULL);
    (void)vm_set_input(m, input, input_len, NULL);
    uint64_t regs[ZKVM_N_REGS] = {0}, last_t[ZKVM_N_REGS] = {0};
    out->uop_count = zisk_xcalloc(rom->n_uops, sizeof *out->uop_count);
    out->init_used = zisk_xcalloc(rom->n_init ? rom->n_init : 1, 1);
    size_t cap_rows = 4096, cap_refresh = 0;
    out->rows = zisk_xmalloc(cap_rows * sizeof *out->rows);
    uint64_t upc = 0;
    int rc = -1;
    for (uint64_t step = 1;; step++) {
        if (step > max_uops) {
            zisk_err_set(err, "cannot prove this run: more than %llu uops (the limit of this prover)",
                         (unsigned long long)max_uops);
            goto done;
        }
        const zkvm_uop *u = zkvm_rom_find(rom, upc);
        if (!u) {
            fault_here(rom, upc, err, "execution reaches an instruction the proofs cannot execute");
            goto done;
        }
        uint32_t fl = u->flags;
#define HAS(f) ((fl >> ZKVM_F_##f) & 1u)
        zkvm_mrow r = {0};
        r.uop = (uint32_t)(u - rom->uops);
        out->uop_count[r.uop]++;
        if (u->upc != 0 && (u->upc & 7) == 0) out->rv_steps++;
        uint64_t t8 = 8 * step, t4 = 4 * step; /* memory-bus and register-bus times */
        if ((step & ((1u << ZKVM_REFRESH_LOG) - 1)) == 0) {
            /* every register's refresh at time 4 * step (zkvm_airs.h) */
            if (out->n_refresh + ZKVM_N_REGS > cap_refresh) {
                cap_refresh = cap_refresh ? 2 * cap_refresh : 64 * ZKVM_N_REGS;
                out->refresh = zisk_xrealloc(out->refresh, cap_refresh * sizeof *out->refresh);
            }
            for (unsigned k = 0; k < ZKVM_N_REGS; k++) {
                out->refresh[out->n_refresh++] = (struct zkvm_refresh){(uint32_t)last_t[k], regs[k]};
                last_t[k] = t4;
            }
        }
        ZISK_ASSERT(u->ra < ZKVM_N_REGS && u->rb < ZKVM_N_REGS && u->rc < ZKVM_N_REGS);
        r.a = regs[u->ra]; /* every uop reads ra (x0 when it needs no A) */
        r.b = regs[u->rb] + (HAS(BIMM) ? u->imm : 0); /* every uop reads rb (x0 for none) */
        r.pt_a = (uint32_t)last_t[u->ra], last_t[u->ra] = t4 + 1;
        r.pt_b = (uint32_t)last_t[u->rb], last_t[u->rb] = t4 + 2;
        uint64_t waddr = 0;
        if (HAS(MR) || HAS(MW)) {
            if (out->n_memops == out->cap_memops) {
                out->cap_memops = out->cap_memops ? 2 * out->cap_memops : 4096;
                out->memops = zisk_xrealloc(out->memops, out->cap_memops * sizeof *out->memops);
            }
            out->memops[out->n_memops++] = (uint32_t)out->n_rows;
            uint64_t ea = r.a + u->imm;
            if (ea >> 32) {
                fault_here(rom, upc, err, "a memory access above 4 GiB");
                goto done;
            }
            r.maddr = (uint32_t)(ea >> 3);
            r.off = (uint8_t)(ea & 7);
            r.carry = (uint8_t)(((r.a & 0xffffffffull) + (u->imm & 0xffffffffull)) >> 32);
            waddr = ZKVM_GUEST_BASE + r.maddr;
        }
        if (HAS(MR)) {
            if (vm_read_mem(m, (uint64_t)r.maddr * 8, &r.m, 8) != 0) {
                fault_here(rom, upc, err, "a read of unmapped memory");
                goto done;
            }
            push_acc(out, waddr, t8 + 2, r.m, 0);
            uint64_t bw = r.maddr;
            if (bw * 8 - VM_ROM_ADDR < vm_program_rom_len(p)) {
                long i = find_init(rom, bw);
                ZISK_ASSERT(i >= 0);
                out->init_used[i] = 1;
            }
        }
        uint64_t x = HAS(XM) ? r.m : r.a;
        if (HAS(OP)) {
            uint32_t opc = zkvm_opc((zkvm_op)u->op, r.off);
            if (!zkvm_op_eval(opc, x, r.b, &r.c)) {
                fault_here(rom, upc, err,
                           "an unaligned memory access that crosses an 8-byte word (not supported by "
                           "the prover yet) or a misaligned atomic");
                goto done;
            }
            push_op(out, opc, x, r.b, r.c);
        }
        if (HAS(MWB)) r.c = r.b; /* a full-word store writes B, as C (the memop AIR's store) */
        if (HAS(MW)) {
            uint64_t mw = r.c;
            if (HAS(MWB) && r.off != 0) {
                fault_here(rom, upc, err, "an unaligned 8-byte store (not supported by the prover yet)");
                goto done;
            }
            if (vm_write_mem(m, (uint64_t)r.maddr * 8, &mw, 8) != 0) {
                fault_here(rom, upc, err, "a write outside RAM");
                goto done;
            }
            push_acc(out, waddr, t8 + 3, mw, 1);
        }
        if (zkvm_uop_writes_reg(fl)) {
            r.pt_c = (uint32_t)last_t[u->rc], r.pv = regs[u->rc];
            regs[u->rc] = r.c;
            last_t[u->rc] = t4 + 3;
        }
        r.npc = HAS(JIND) ? 4 * r.a : HAS(BR) ? (r.c ? u->target : u->next) : u->next;
        if (out->n_rows == cap_rows) {
            cap_rows *= 2;
            out->rows = zisk_xrealloc(out->rows, cap_rows * sizeof *out->rows);
        }
        out->rows[out->n_rows++] = r;
        if (HAS(HALT)) {
            if (r.a != 1) {
                fault_here(rom, upc, err, "an ecall that is not exit");
                goto done;
            }
            out->exit_code = r.b;
            out->halt_step = step;
            break;
        }
        if (HAS(JIND) && (r.a >> 32)) {
            fault_here(rom, upc, err, "a jump above 4 GiB");
            goto done;
        }
#undef HAS
        upc = r.npc;
    }
    memcpy(out->reg_t, last_t, sizeof last_t);
    memcpy(out->reg_v, regs, sizeof regs);
    /* final reads of the output words (the boundary AIR sends them) */
    for (unsigned j = 0; j < VM_OUTPUT_WORDS / 2; j++) {
        uint64_t v;
        ZISK_ASSERT(vm_read_mem(m, VM_OUTPUT_ADDR + 8 * j, &v, 8) == 0);
        out->outputs[2 * j] = (uint32_t)v;
        out->outputs[2 * j + 1] = (uint32_t)(v >> 32);
        push_acc(out, ZKVM_GUEST_BASE + VM_OUTPUT_ADDR / 8 + j, 8 * out->halt_step + 8 + j, v, 0);
    }
    /* initial writes: mandatory words and the ROM words the run read */
    for (size_t i = 0; i < rom->n_init; i++) {
        if (rom->init[i].mandatory) out->init_used[i] = 1;
        if (out->init_used[i]) push_acc(out, ZKVM_GUEST_BASE + rom->init[i].word, 0, rom->init[i].value, 1);
    }
    /* the uop run must agree with the emulator (a mismatch is a bug in the transpiler) */
    if (res.stop != VM_STOP_EXIT || res.exit_code != out->exit_code ||
        memcmp(emu_out, out->outputs, sizeof emu_out) != 0 || res.steps != out->rv_steps) {
        zisk_err_set(err, "internal error: the uop run disagrees with the emulator (exit %llu vs %llu, "
                     "steps %llu vs %llu)", (unsigned long long)out->exit_code,
                     (unsigned long long)res.exit_code, (unsigned long long)out->rv_steps,
                     (unsigned long long)res.steps);
        goto done;
    }
    rc = 0;
done:
    vm_free(m);
    if (rc != 0) zkvm_exec_free(out);
    return rc;
}

void zkvm_exec_free(zkvm_exec *e) {
    free(e->rows);
    free(e->acc);
    free(e->ops);
    free(e->memops);
    free(e->uop_count);
    free(e->init_used);
    free(e->mem);
    free(e->refresh);
    memset(e, 0, sizeof *e);
}

gl_t *zkvm_memop_trace(const zkvm_rom *rom, const zkvm_exec *e, unsigned log_n, size_t first, size_t count) {
    size_t n = (size_t)1 << log_n;
    ZISK_ASSERT(count <= n && first + count <= e->n_memops);
    gl_t *t = zkvm_trace_alloc(ZKVM_OC_COUNT, n);
#define COL(c) (t + (size_t)(c) * n)
    for (size_t i = 0; i < count; i++) {
        size_t g = e->memops[first + i];
        const zkvm_mrow *r = &e->rows[g];
        const zkvm_uop *u = &rom->uops[r->uop];
        unsigned kind = u->acode / ZKVM_MEMOP_KIND_MUL;
        ZISK_ASSERT(kind == ZKVM_MK_LOAD || kind == ZKVM_MK_RMW || kind == ZKVM_MK_STORE);
        COL(kind == ZKVM_MK_LOAD ? ZKVM_OC_LOAD : kind == ZKVM_MK_RMW ? ZKVM_OC_RMW : ZKVM_OC_STORE)[i] = 1;
        COL(ZKVM_OC_OP)[i] = u->op;
        const uint64_t vals[5] = {r->a, u->imm, r->b, r->c, r->m}; /* no BIMM on memory uops: B = VB */
        static const unsigned at[5] = {ZKVM_OC_A_LO, ZKVM_OC_IMM_LO, ZKVM_OC_VB_LO, ZKVM_OC_C_LO, ZKVM_OC_M_LO};
        for (unsigned v = 0; v < 5; v++) {
            COL(at[v])[i] = (uint32_t)vals[v];
            COL(at[v] + 1)[i] = vals[v] >> 32;
        }
        COL(ZKVM_OC_STEP)[i] = g + 1;
        COL(ZKVM_OC_MADDR)[i] = r->maddr;
        COL(ZKVM_OC_O0)[i] = r->off & 1;
        COL(ZKVM_OC_O1)[i] = (r->off >> 1) & 1;
        COL(ZKVM_OC_O2)[i] = (r->off >> 2) & 1;
        COL(ZKVM_OC_K)[i] = r->carry;
    }
#undef COL
    return t;
}

gl_t *zkvm_refresh_trace(const zkvm_exec *e, unsigned log_n, zkvm_range_counts *rc) {
    size_t n = (size_t)1 << log_n;
    ZISK_ASSERT(e->n_refresh <= n && e->n_refresh % ZKVM_N_REGS == 0);
    gl_t *t = zkvm_trace_alloc(ZKVM_RC_COUNT, n);
    for (size_t i = 0; i < e->n_refresh; i++) {
        uint64_t T = 4 * ((uint64_t)(i / ZKVM_N_REGS + 1) << ZKVM_REFRESH_LOG), pt = e->refresh[i].pt;
        uint64_t gap = T - pt - 1;
        ZISK_ASSERT(pt < T && gap < (1ull << 16));
        t[ZKVM_RC_M * n + i] = 1;
        t[ZKVM_RC_V_LO * n + i] = (uint32_t)e->refresh[i].v;
        t[ZKVM_RC_V_HI * n + i] = e->refresh[i].v >> 32;
        t[ZKVM_RC_G * n + i] = gap;
        zkvm_range_add(rc, gap);
    }
    return t;
}

/* ------------------------------------------------------------------------------------------ */

gl_t *zkvm_boundary_trace(const zkvm_exec *e) {
    size_t n = (size_t)1 << ZKVM_BOUNDARY_LOG_N;
    gl_t *t = zisk_xcalloc(ZKVM_BC_COUNT * n, sizeof *t);
    for (size_t r = 0; r < ZKVM_N_REGS; r++) {
        t[ZKVM_BC_FT * n + r] = e->reg_t[r];
        t[ZKVM_BC_FV_LO * n + r] = (uint32_t)e->reg_v[r];
        t[ZKVM_BC_FV_HI * n + r] = e->reg_v[r] >> 32;
    }
    return t;
}

void zkvm_seg_publics(size_t seg, size_t n_segs, gl_t out[3]) {
    out[0] = seg;
    out[1] = seg == 0;
    out[2] = seg + 1 == n_segs;
}

void zkvm_main_publics(const zkvm_exec *e, const gl_t *trace, unsigned log_n, size_t seg, size_t n_segs,
                       gl_t out[ZKVM_MAIN_N_PUBLICS]) {
    size_t n = (size_t)1 << log_n;
    zkvm_seg_publics(seg, n_segs, out);
    out[ZKVM_MPUB_IN_UPC] = trace[ZKVM_MC_UPC * n];
    out[ZKVM_MPUB_IN_STEP] = trace[ZKVM_MC_STEP * n];
    out[ZKVM_MPUB_OUT_UPC] = trace[ZKVM_MC_NPC * n + n - 1];
    out[ZKVM_MPUB_OUT_STEP] = gl_add(trace[ZKVM_MC_STEP * n + n - 1], 1);
    int last = seg + 1 == n_segs;
    out[ZKVM_MPUB_EXIT_LO] = last ? (uint32_t)e->exit_code : 0;
    out[ZKVM_MPUB_EXIT_HI] = last ? e->exit_code >> 32 : 0;
    out[ZKVM_MPUB_HALT_STEP] = last ? e->halt_step : 0;
}

void zkvm_mem_publics(const gl_t *trace, unsigned log_n, size_t seg, size_t n_segs, gl_t out[ZKVM_MEM_N_PUBLICS]) {
    size_t n = (size_t)1 << log_n;
    static const unsigned link_cols[4] = {ZKVM_XC_ADDR, ZKVM_XC_T, ZKVM_XC_V_LO, ZKVM_XC_V_HI};
    zkvm_seg_publics(seg, n_segs, out);
    for (unsigned i = 0; i < 4; i++) {
        out[ZKVM_XPUB_IN + i] = trace[link_cols[i] * n];
        out[ZKVM_XPUB_OUT + i] = trace[link_cols[i] * n + n - 1];
    }
}

size_t zkvm_main_segments(const zkvm_exec *e, unsigned log_n) {
    size_t n = (size_t)1 << log_n;
    return (e->n_rows + n - 1) / n;
}

gl_t *zkvm_main_trace(const zkvm_rom *rom, const zkvm_exec *e, unsigned log_n, size_t first,
                      zkvm_range_counts *rc) {
    size_t n = (size_t)1 << log_n;
    gl_t *t = zkvm_trace_alloc(ZKVM_MC_COUNT, n);
#define COL(c) (t + (size_t)(c) * n)
    /* Rows are independent; each thread counts its range lookups apart and adds them at the end
     * (the counts do not depend on the schedule). */
#pragma omp parallel if (n >= ((size_t)1 << 12))
    {
    zkvm_range_counts *my = zisk_xcalloc(1, sizeof *my);
#pragma omp for schedule(static)
    for (size_t i = 0; i < n; i++) {
        size_t g = first + i;
        COL(ZKVM_MC_STEP)[i] = g + 1;
        if (g >= e->n_rows) continue; /* padding: inactive, everything else zero */
        const zkvm_mrow *r = &e->rows[g];
        const zkvm_uop *u = &rom->uops[r->uop];
        uint32_t fl = u->flags;
        COL(ZKVM_MC_ACTIVE)[i] = 1;
        COL(ZKVM_MC_UPC)[i] = u->upc;
        COL(ZKVM_MC_OP)[i] = u->acode;
        COL(ZKVM_MC_RA)[i] = u->ra;
        COL(ZKVM_MC_RB)[i] = u->rb;
        COL(ZKVM_MC_RC)[i] = u->rc;
        COL(ZKVM_MC_IMM_LO)[i] = (uint32_t)u->imm;
        COL(ZKVM_MC_IMM_HI)[i] = u->imm >> 32;
        COL(ZKVM_MC_NEXT)[i] = u->next;
        COL(ZKVM_MC_TARGET)[i] = u->target;
        for (unsigned f = 0; f < ZKVM_N_AIR_FLAGS; f++) COL(ZKVM_MC_FLAG0 + f)[i] = (u->aflags >> f) & 1;
        /* the VB column holds the value read from rb: B less the immediate */
        uint64_t vb = ((fl >> ZKVM_F_BIMM) & 1u) ? r->b - u->imm : r->b;
        const uint64_t vals[3] = {r->a, vb, r->c};
        for (unsigned v = 0; v < 3; v++) {
            COL(ZKVM_MC_A_LO + 2 * v)[i] = (uint32_t)vals[v];
            COL(ZKVM_MC_A_LO + 2 * v + 1)[i] = vals[v] >> 32;
        }
        COL(ZKVM_MC_NPC)[i] = r->npc;
        /* register slots: the gap to the previous access (below 2^16: the refreshes) */
        uint64_t t4 = 4 * (uint64_t)(g + 1);
        const struct { int on; uint64_t t, pt; unsigned c_g; } sl[3] = {
            {1, t4 + 1, r->pt_a, ZKVM_MC_GA},
            {1, t4 + 2, r->pt_b, ZKVM_MC_GB},
            {zkvm_uop_writes_reg(fl), t4 + 3, r->pt_c, ZKVM_MC_GC},
        };
        for (unsigned k = 0; k < 3; k++) {
            if (!sl[k].on) continue;
            uint64_t gap = sl[k].t - sl[k].pt - 1;
            ZISK_ASSERT(sl[k].pt < sl[k].t && gap < (1ull << 16));
            COL(sl[k].c_g)[i] = gap;
            zkvm_range_add(my, gap);
        }
        if (sl[2].on) {
            COL(ZKVM_MC_PV_LO)[i] = (uint32_t)r->pv;
            COL(ZKVM_MC_PV_HI)[i] = r->pv >> 32;
        }
    }
#pragma omp critical(zkvm_main_trace_counts)
    zkvm_range_merge(rc, my);
    free(my);
    }
#undef COL
    return t;
}

/* ------------------------------------------------------------------------------------------ */

static int cmp_acc(const void *pa, const void *pb) {
    const zkvm_access *a = pa, *b = pb;
    if (a->addr != b->addr) return a->addr < b->addr ? -1 : 1;
    return a->t < b->t ? -1 : a->t > b->t;
}

size_t zkvm_mem_prepare(zkvm_exec *e, unsigned log_n) {
    if (!e->mem) {
        /* the access list becomes the memory rows in place (sentinel first): no second copy */
        e->n_mem = e->n_acc + 1;
        e->mem = zisk_xrealloc(e->acc, e->n_mem * sizeof *e->mem);
        memmove(e->mem + 1, e->mem, e->n_acc * sizeof *e->mem);
        e->mem[0] = (zkvm_access){0, 0, 0, 0};
        e->acc = NULL;
        e->cap_acc = 0;
        qsort(e->mem + 1, e->n_mem - 1, sizeof *e->mem, cmp_acc);
    }
    size_t n = (size_t)1 << log_n;
    if (e->n_mem <= n) return 1;
    return 1 + (e->n_mem - n + (n - 1) - 1) / (n - 1);
}

/* Fills row i of the memory trace from access `a` following `prev` (NULL for the sentinel). */
static void mem_row(gl_t *t, size_t n, size_t i, const zkvm_access *a, const zkvm_access *prev,
                    int mult, zkvm_range_counts *rc) {
#define COL(c) (t + (size_t)(c) * n)
    COL(ZKVM_XC_ADDR)[i] = a->addr;
    COL(ZKVM_XC_T)[i] = a->t;
    COL(ZKVM_XC_V_LO)[i] = (uint32_t)a->v;
    COL(ZKVM_XC_V_HI)[i] = a->v >> 32;
    COL(ZKVM_XC_WR)[i] = a->wr;
    COL(ZKVM_XC_MULT)[i] = mult;
    int same = prev && prev->addr == a->addr;
    COL(ZKVM_XC_SAME)[i] = same;
    uint64_t d = 0;
    if (prev) d = same ? a->t - prev->t - 1 : a->addr - prev->addr - 1;
    ZISK_ASSERT(d < (1ull << 32));
    COL(ZKVM_XC_D0)[i] = d & 0xffff;
    COL(ZKVM_XC_D1)[i] = d >> 16;
    zkvm_range_add(rc, d & 0xffff);
    zkvm_range_add(rc, d >> 16);
    uint64_t off = 0, s = 0;
    unsigned region;
    if (a->addr < ZKVM_GUEST_BASE) region = ZKVM_XC_R_REG, off = a->addr, s = 0;
    else if (a->addr >= ZKVM_BASE_RAM) region = ZKVM_XC_R_RAM, off = a->addr - ZKVM_BASE_RAM, s = ZKVM_RAM_O1_SCALE;
    else if (a->addr >= ZKVM_BASE_ROM) region = ZKVM_XC_R_ROM;
    else region = ZKVM_XC_R_IN, off = a->addr - ZKVM_BASE_IN, s = ZKVM_IN_O1_SCALE;
    COL(region)[i] = 1;
    if (region != ZKVM_XC_R_ROM) {
        COL(ZKVM_XC_O0)[i] = off & 0xffff;
        COL(ZKVM_XC_O1)[i] = off >> 16;
        zkvm_range_add(rc, off & 0xffff);
        zkvm_range_add(rc, off >> 16);
        zkvm_range_add(rc, (off >> 16) * s);
    }
    COL(ZKVM_XC_FR)[i] = !same && !a->wr;
#undef COL
}

size_t zkvm_mem_seg_first(size_t seg, unsigned log_n) { return seg * (((size_t)1 << log_n) - 1); }

gl_t *zkvm_mem_trace(const zkvm_exec *e, unsigned log_n, size_t first, zkvm_range_counts *rc) {
    size_t n = (size_t)1 << log_n;
    ZISK_ASSERT(first < e->n_mem);
    gl_t *t = zkvm_trace_alloc(ZKVM_XC_COUNT, n);
    /* rows of this segment: segment 0 = mem[0 .. n), a later one = its carry row mem[first]
     * (the previous segment's last row) + mem[first+1 ..) */
    zkvm_access pad, last_pad;
    const zkvm_access *prev = first == 0 ? NULL : &e->mem[first - 1];
    for (size_t i = 0; i < n; i++) {
        size_t g = first + i;
        if (g < e->n_mem) {
            int mult = !(g == 0 || (first > 0 && i == 0));
            mem_row(t, n, i, &e->mem[g], prev, mult, rc);
            prev = &e->mem[g];
        } else {
            pad = *prev;
            pad.t++;
            pad.wr = 0;
            mem_row(t, n, i, &pad, prev, 0, rc);
            last_pad = pad; /* the next padding row follows this one */
            prev = &last_pad;
        }
    }
    return t;
}

/* ------------------------------------------------------------------------------------------ */

unsigned zkvm_program_log_n(const zkvm_rom *rom) {
    size_t rows = rom->n_uops + rom->n_init;
    unsigned l = 2;
    while (((size_t)1 << l) < rows) l++;
    return l;
}

gl_t *zkvm_program_fixed(const zkvm_rom *rom, unsigned log_n) {
    size_t n = (size_t)1 << log_n;
    ZISK_ASSERT(rom->n_uops + rom->n_init <= n);
    gl_t *f = zisk_xcalloc(n * ZKVM_PF_COUNT, sizeof *f);
#define COL(c) (f + (size_t)(c) * n)
    for (size_t i = 0; i < rom->n_uops; i++) {
        const zkvm_uop *u = &rom->uops[i];
        COL(ZKVM_PF_IS_CODE)[i] = 1;
        const uint64_t k[10] = {u->upc, u->acode, u->ra, u->rb, u->rc, (uint32_t)u->imm, u->imm >> 32,
                                u->next, u->target, u->aflags};
        for (unsigned j = 0; j < 10; j++) COL(ZKVM_PF_K0 + j)[i] = gl_from_u64(k[j]);
    }
    for (size_t j = 0; j < rom->n_init; j++) {
        size_t i = rom->n_uops + j;
        const zkvm_init_word *w = &rom->init[j];
        COL(ZKVM_PF_IS_INIT)[i] = 1;
        COL(ZKVM_PF_MAND)[i] = (gl_t)w->mandatory;
        COL(ZKVM_PF_K0)[i] = ZKVM_GUEST_BASE + w->word;
        COL(ZKVM_PF_K0 + 1)[i] = (uint32_t)w->value;
        COL(ZKVM_PF_K0 + 2)[i] = w->value >> 32;
    }
#undef COL
    return f;
}

gl_t *zkvm_program_trace(const zkvm_rom *rom, const zkvm_exec *e, unsigned log_n) {
    size_t n = (size_t)1 << log_n;
    gl_t *t = zisk_xcalloc(n, sizeof *t);
    for (size_t i = 0; i < rom->n_uops; i++) t[i] = e->uop_count[i];
    for (size_t j = 0; j < rom->n_init; j++) t[rom->n_uops + j] = e->init_used[j];
    return t;
}
