/*
 * test_zkvm_core: the zkVM's own AIRs on real guest runs, at the constraint level: the uop
 * run agrees with the emulator, every main/memory/program/boundary instance satisfies its
 * constraints, and the buses the core AIRs own balance. Usage: test_zkvm_core ELF [N]
 * (N: a u64 input record, e.g. fibonacci's n). Exits 77 (skip) when the ELF is missing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "air.h"
#include "base.h"
#include "vm.h"
#include "zkvm_airs.h"
#include "zkvm_bus.h"
#include "zkvm_range.h"
#include "zkvm_rom.h"
#include "zkvm_trace.h"

/* The size of a last segment holding n rows: 2^ceil(log2 n), at least 4. */
static unsigned small_log(size_t n) {
    unsigned l = 2;
    while (((size_t)1 << l) < n) l++;
    return l;
}

static int check(const air *a, const gl_t *s1, const gl_t *fixed, size_t n, const gl_t *pub,
                 air_bus_tally *tally, const char *what) {
    air_view v = air_view_col_major(s1, fixed, NULL, n);
    air_values vals = {pub, NULL, {{0, 0, 0}}, 0};
    gl3_t ch[AIR_N_CHALLENGES] = {{{5, 7, 11}}, {{13, 17, 19}}};
    vals.challenges = ch;
    air_failure f;
    zisk_err err;
    gl_t *s2 = zisk_xcalloc(n * (air_n_cols(a, AIR_STAGE2) + 1), sizeof *s2);
    if (air_stage2_generate(a, &v, &vals, s2, &vals.bus_sum, &err) != 0) {
        fprintf(stderr, "FAIL %s: stage 2: %s\n", what, err.msg);
        free(s2);
        return 1;
    }
    v.m[AIR_STAGE2] = air_matrix_col_major(s2, n);
    int rc = air_check(a, &v, &vals, &f, &err);
    free(s2);
    if (rc != 0) {
        fprintf(stderr, "FAIL %s: %s\n", what, err.msg);
        return 1;
    }
    if (air_bus_tally_add(tally, a, &v, &vals, &err) != 0) {
        fprintf(stderr, "FAIL %s: tally: %s\n", what, err.msg);
        return 1;
    }
    return 0;
}

/* A program that never exits (`j .`) is refused quickly, naming the limit. */
static int endless_loop_refused(void) {
    static const uint8_t code[4] = {0x6f, 0x00, 0x00, 0x00}; /* jal x0, 0 */
    vm_program *p;
    zisk_err err;
    if (vm_program_from_code(VM_ROM_ADDR, code, sizeof code, &p, &err) != 0) return 1;
    zkvm_rom *rom = zkvm_rom_build(p);
    zkvm_exec e;
    int rc = zkvm_exec_run(p, rom, NULL, 0, 1000, &e, &err);
    int ok = rc != 0 && strstr(err.msg, "does not exit within 1000") != NULL;
    printf("%s endless loop: %s\n", ok ? "ok  " : "FAIL", rc ? err.msg : "accepted");
    if (rc == 0) zkvm_exec_free(&e);
    zkvm_rom_free(rom);
    vm_program_free(p);
    return !ok;
}

int main(int argc, char **argv) {
    if (argc < 2) return 2;
    if (endless_loop_refused()) return 1;
    uint8_t *elf;
    size_t len;
    zisk_err err;
    if (zisk_read_file(argv[1], 64u << 20, &elf, &len, &err) != 0) {
        fprintf(stderr, "SKIP: %s\n", err.msg);
        return 77;
    }
    uint8_t input[16] = {0};
    size_t in_len = 0;
    if (argc > 2) {
        uint64_t n = strtoull(argv[2], NULL, 0), l = 8;
        memcpy(input, &l, 8);
        memcpy(input + 8, &n, 8);
        in_len = 16;
    }
    vm_program *p;
    if (vm_program_from_elf(elf, len, &p, &err) != 0) {
        fprintf(stderr, "FAIL: %s\n", err.msg);
        return 1;
    }
    zkvm_rom *rom = zkvm_rom_build(p);
    zkvm_exec e;
    if (zkvm_exec_run(p, rom, input, in_len, ZKVM_MAX_UOPS, &e, &err) != 0) {
        fprintf(stderr, "FAIL: %s\n", err.msg);
        return 1;
    }
    printf("%s: %llu instructions, %zu uops, %zu accesses, %zu ops, exit %llu\n", argv[1],
           (unsigned long long)e.rv_steps, e.n_rows, e.n_acc, e.n_ops, (unsigned long long)e.exit_code);
    int fails = 0;
    air_bus_tally *tally = air_bus_tally_new();
    zkvm_range_counts *rc = zisk_xcalloc(1, sizeof *rc);
    unsigned log_n = 10;
    /* main */
    air *am = zkvm_main_air();
    /* segments of 2^log_n rows; the last one only as large as its rows need (as the prover
     * makes them) */
    size_t nseg = zkvm_main_segments(&e, log_n);
    for (size_t s = 0; s < nseg; s++) {
        gl_t pub[ZKVM_MAIN_N_PUBLICS];
        size_t first = s << log_n;
        unsigned l = s + 1 < nseg ? log_n : small_log(e.n_rows - first);
        gl_t *t = zkvm_main_trace(rom, &e, l, first, rc);
        zkvm_main_publics(&e, t, l, s, nseg, pub);
        fails += check(am, t, NULL, (size_t)1 << l, pub, tally, "main"); /* no fixed columns */
        free(t);
    }
    /* memory */
    air *ax = zkvm_mem_air();
    size_t mseg = zkvm_mem_prepare(&e, log_n);
    for (size_t s = 0; s < mseg; s++) {
        gl_t pub[ZKVM_MEM_N_PUBLICS];
        size_t first = zkvm_mem_seg_first(s, log_n);
        unsigned l = s + 1 < mseg ? log_n : small_log(e.n_mem - first);
        gl_t *t = zkvm_mem_trace(&e, l, first, rc);
        zkvm_mem_publics(t, l, s, mseg, pub);
        fails += check(ax, t, NULL, (size_t)1 << l, pub, tally, "memory"); /* no fixed columns */
        free(t);
    }
    /* memop: one instance for all memory uops */
    air *amo = zkvm_memop_air();
    unsigned mol = small_log(e.n_memops);
    gl_t *mot = zkvm_memop_trace(rom, &e, mol, 0, e.n_memops);
    fails += check(amo, mot, NULL, (size_t)1 << mol, NULL, tally, "memop"); /* no fixed columns */
    free(mot);
    air_free(amo);
    /* program */
    air *ap = zkvm_program_air();
    unsigned pl = zkvm_program_log_n(rom);
    gl_t *pf = zkvm_program_fixed(rom, pl), *pt = zkvm_program_trace(rom, &e, pl);
    fails += check(ap, pt, pf, (size_t)1 << pl, NULL, tally, "program");
    /* boundary */
    air *ab = zkvm_boundary_air();
    gl_t bpub[ZKVM_BPUB_COUNT];
    bpub[0] = (uint32_t)e.exit_code;
    bpub[1] = e.exit_code >> 32;
    for (unsigned j = 0; j < 64; j++) bpub[2 + j] = e.outputs[j];
    bpub[ZKVM_BPUB_S_END] = e.halt_step;
    gl_t *bt = zkvm_boundary_trace(&e);
    gl_t *bf = zkvm_boundary_fixed();
    fails += check(ab, bt, bf, (size_t)1 << ZKVM_BOUNDARY_LOG_N, bpub, tally, "boundary");
    free(bt);
    /* register refreshes (runs of 2^ZKVM_REFRESH_LOG steps or more) */
    if (e.n_refresh) {
        air *af = zkvm_refresh_air();
        unsigned fl = small_log(e.n_refresh);
        gl_t *ff = zkvm_refresh_fixed(fl), *ft = zkvm_refresh_trace(&e, fl, rc);
        fails += check(af, ft, ff, (size_t)1 << fl, NULL, tally, "refresh");
        free(ff);
        free(ft);
        air_free(af);
    }
    /* range */
    air *ar = zkvm_range_air();
    gl_t *rf = zkvm_range_fixed(), *rt = zkvm_range_trace(rc);
    fails += check(ar, rt, rf, (size_t)1 << ZKVM_RANGE_LOG_N, NULL, tally, "range");
    /* The operation bus: an unconstrained receiver of the records (this test checks the core
     * AIRs; the providers have their own tests and the STARK tests prove them together). */
    air_builder *ob = air_builder_new("op_oracle", 3);
    air_col oc = air_cols_stage1(ob, "o", 8);
    air_expr ov[7];
    for (unsigned i = 0; i < 7; i++) ov[i] = air_cur(ob, air_col_at(oc, i + 1));
    air_bus_recv(ob, "op", ZKVM_BUS_OP, air_cur(ob, oc), ov, 7);
    air *ao = air_build(ob, &err);
    unsigned ol = 1;
    while (((size_t)1 << ol) < e.n_ops) ol++;
    size_t on = (size_t)1 << ol;
    gl_t *ot = zisk_xcalloc(8 * on, sizeof *ot);
    for (size_t i = 0; i < e.n_ops; i++) {
        const zkvm_op_record *r = &e.ops[i];
        const uint64_t v[8] = {1, r->opc, (uint32_t)r->x, r->x >> 32, (uint32_t)r->y, r->y >> 32,
                               (uint32_t)r->c, r->c >> 32};
        for (unsigned c = 0; c < 8; c++) ot[c * on + i] = v[c];
    }
    fails += check(ao, ot, NULL, on, NULL, tally, "op oracle");
    uint32_t bad = 0;
    if (air_bus_tally_check(tally, &bad, &err) != 0) {
        fprintf(stderr, "FAIL: bus %u does not balance: %s\n", bad, err.msg);
        fails++;
    }
    printf("%s: main %zu segments, memory %zu segments, program 2^%u rows: %s\n", argv[1], nseg, mseg,
           pl, fails ? "FAILED" : "ok");
    free(ot);
    free(rf);
    free(rt);
    free(bf);
    free(pf);
    free(pt);
    free(rc);
    air_free(ao);
    air_free(ar);
    air_free(ab);
    air_free(ap);
    air_free(ax);
    air_free(am);
    air_bus_tally_free(tally);
    zkvm_exec_free(&e);
    zkvm_rom_free(rom);
    vm_program_free(p);
    free(elf);
    return fails ? 1 : 0;
}
