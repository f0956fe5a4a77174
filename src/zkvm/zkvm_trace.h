/*
 * zkvm_trace.h: runs a program as uops (zkvm_rom.h) and builds the witness of every AIR:
 * main rows, the memory accesses (sorted into memory-AIR rows), the operation records for the
 * providers, and the program AIR's multiplicities. Internal to src/zkvm (the prover uses it;
 * tests use it to check constraints and to break witnesses on purpose).
 */
#ifndef ZISK_ZKVM_TRACE_H
#define ZISK_ZKVM_TRACE_H

#include <stddef.h>
#include <stdint.h>

#include "base.h"
#include "gl.h"
#include "vm.h"
#include "zkvm_airs.h"
#include "zkvm_ops.h"
#include "zkvm_range.h"
#include "zkvm_rom.h"

/* Longest run the memory AIR's time differences allow (t = 8 * step + slot < 2^31). */
#define ZKVM_MAX_UOPS (1ull << 27)

typedef struct zkvm_mrow {
    uint32_t uop;      /* index into rom->uops */
    uint8_t off, carry;
    uint32_t maddr;
    uint64_t a, b, c, m;
    uint64_t npc;
    uint32_t pt_a, pt_b, pt_c; /* time of the previous access of the slot's register on the
                                * register bus (0: the initial tuple) */
    uint64_t pv;               /* the value the register write overwrites */
} zkvm_mrow;

typedef struct zkvm_access {
    uint64_t addr, t, v;
    uint8_t wr;
} zkvm_access;

typedef struct zkvm_exec {
    size_t n_rows;
    zkvm_mrow *rows;        /* row i is step i + 1 */
    size_t n_acc, cap_acc;
    zkvm_access *acc;       /* every memory-bus access (guest memory; registers are checked in
                             * main), in execution order, then init + final */
    size_t n_ops, cap_ops;
    zkvm_op_record *ops;    /* operation-bus records in execution order */
    size_t n_memops, cap_memops;
    uint32_t *memops;       /* the rows of the memory uops (MR or MW), in execution order */
    uint32_t *uop_count;    /* per uop: executions */
    uint8_t *init_used;     /* per init word: written at t = 0 */
    uint64_t exit_code;
    uint32_t outputs[VM_OUTPUT_WORDS];
    uint64_t halt_step;
    uint64_t rv_steps;      /* RISC-V instructions retired */
    uint64_t reg_t[ZKVM_N_REGS], reg_v[ZKVM_N_REGS]; /* register file at the end: time of the
                                                      * last access, value */
    size_t n_refresh;       /* register refreshes (35 per 2^ZKVM_REFRESH_LOG steps), in refresh-AIR
                             * row order: refresh j of register r is entry 35 (j - 1) + r */
    struct zkvm_refresh { uint32_t pt; uint64_t v; } *refresh; /* previous access time, value */
    size_t n_mem;           /* memory-AIR rows (sentinel + sorted accesses), after prepare */
    zkvm_access *mem;
} zkvm_exec;

/* Runs rom (of program p) on input. Returns 0, or -1 with err when the run cannot be proven:
 * it faults (the emulator's message), does not exit within max_uops, or makes an access the
 * proofs do not support (an unaligned access crossing an 8-byte word). */
int zkvm_exec_run(const vm_program *p, const zkvm_rom *rom, const uint8_t *input, size_t input_len,
                  uint64_t max_uops, zkvm_exec *out, zisk_err *err);
void zkvm_exec_free(zkvm_exec *e);

/* The main segment of 2^log_n rows that starts at execution row `first` (segment s of
 * 2^seg_bits-row segments starts at s * 2^seg_bits; the last segment may be smaller than the
 * others: it only needs to hold the rows left); stage-1, column-major, allocated. Rows past
 * the end of the run are padding (inactive). Adds its range lookups (the register time gaps)
 * to rc. */
gl_t *zkvm_main_trace(const zkvm_rom *rom, const zkvm_exec *e, unsigned log_n, size_t first,
                      zkvm_range_counts *rc);
/* The memop AIR's stage-1 trace (column-major, allocated; 2^log_n rows, count <= 2^log_n): rows
 * for the memory uops e->memops[first .. first + count), then padding (all zero). */
gl_t *zkvm_memop_trace(const zkvm_rom *rom, const zkvm_exec *e, unsigned log_n, size_t first, size_t count);
/* The refresh AIR's stage-1 trace for the run's refreshes (column-major, allocated; 2^log_n rows
 * with 2^log_n >= e->n_refresh; unused rows have m = 0). Adds the gap lookups to rc. */
gl_t *zkvm_refresh_trace(const zkvm_exec *e, unsigned log_n, zkvm_range_counts *rc);

/* How many segments of 2^log_n rows the run's rows need. */
size_t zkvm_main_segments(const zkvm_exec *e, unsigned log_n);

/* Memory rows: the sentinel, then the accesses sorted by (addr, t); segment 0 holds rows
 * 0..2^log_n-1, every later segment starts with a carry row (a copy of the previous
 * segment's last row) and holds 2^log_n - 1 new rows. */
/* Sorts the accesses into e->mem (taking over e->acc, which becomes NULL; later calls only
 * recount) and returns the number of memory segments of 2^log_n rows. */
size_t zkvm_mem_prepare(zkvm_exec *e, unsigned log_n);
/* First memory row of segment seg when segments have 2^log_n rows: 0, then seg (2^log_n - 1)
 * (the carry row). */
size_t zkvm_mem_seg_first(size_t seg, unsigned log_n);
/* The memory segment of 2^log_n rows starting at memory row `first` (zkvm_mem_seg_first; a
 * segment other than the first starts with its carry row). As for main, the last segment may
 * be smaller than the others. */
gl_t *zkvm_mem_trace(const zkvm_exec *e, unsigned log_n, size_t first, zkvm_range_counts *rc);

/* The program AIR: fixed columns (column-major, 2^log_n rows) and the multiplicities. */
unsigned zkvm_program_log_n(const zkvm_rom *rom);
gl_t *zkvm_program_fixed(const zkvm_rom *rom, unsigned log_n);
gl_t *zkvm_program_trace(const zkvm_rom *rom, const zkvm_exec *e, unsigned log_n);

/* The boundary AIR's stage-1 trace (ZKVM_BC_* columns, 2^ZKVM_BOUNDARY_LOG_N rows; allocated):
 * the final register file. */
gl_t *zkvm_boundary_trace(const zkvm_exec *e);

/* Segment publics: index, is_first, is_last. */
void zkvm_seg_publics(size_t seg, size_t n_segs, gl_t out[3]);
/* All publics of main segment seg (of n_segs) from its stage-1 trace (2^log_n rows): the
 * segment publics, the first and last rows' links, and for the last segment the run's exit
 * code and halt step (0 in the others). */
void zkvm_main_publics(const zkvm_exec *e, const gl_t *trace, unsigned log_n, size_t seg, size_t n_segs,
                       gl_t out[ZKVM_MAIN_N_PUBLICS]);
/* All publics of memory segment seg from its stage-1 trace. */
void zkvm_mem_publics(const gl_t *trace, unsigned log_n, size_t seg, size_t n_segs, gl_t out[ZKVM_MEM_N_PUBLICS]);

#endif
