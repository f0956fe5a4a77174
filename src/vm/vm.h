/*
 * vm.h: the RISC-V machine that runs guest programs with ZisK's guest interface.
 *
 * ISA: RV64I, M, A (single hart: LR/SC reservations and AMOs), C (compressed), Zicsr for the
 * few CSRs guests read (marchid = 0xFFFEEEE, mvendorid/mimpid/mhartid = 0), FENCE/FENCE.I as
 * no-ops. F/D instructions stop the run with "unsupported instruction".
 *
 * Guest memory map (ZisK's):
 *   0x40000000  input region, read-only: u64 zero, then the input file verbatim from 0x40000008;
 *               VM_INPUT_SIZE bytes mapped, zero past the input (so a guest reading the next
 *               record length past the end reads 0).
 *   0x80000000  ROM, read-only: the ELF's segments placed there; code only runs from PF_X ones.
 *   0xa0000000  system RAM: UART at 0xa0000200 (a store there also writes its low byte to the
 *               console; memory is updated as for any store),
 *               64 output words (u32) at 0xa0010000.
 *   0xa0030000  free RAM up to 0xc0000000 (ELF data/bss, heap, stack).
 * Any other access faults; so do stores to ROM or input, fetches outside executable ROM, and
 * ecall with a7 != 93 (a7 == 93 exits with code a0).
 *
 * Objects and ownership:
 *   vm_program: an immutable, shareable program (decoded ROM + initial image). Made from an ELF
 *               (vm_program_from_elf) or raw code for tests (vm_program_from_code); it keeps its
 *               own copy of all bytes it needs.
 *   vm:         one machine (registers, memory, console); made by vm_new from a program, which
 *               must outlive it.
 *
 * Errors: functions that take outside data return 0 or -1 with a zisk_err. Guest faults are not
 * errors of the API: vm_run returns them in vm_result.
 */
#ifndef ZISK_VM_H
#define ZISK_VM_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "base.h"

#define VM_INPUT_ADDR 0x40000000ull
#define VM_INPUT_SIZE 0x08000000ull /* 128 MiB, header word included */
#define VM_ROM_ADDR 0x80000000ull
#define VM_ROM_SIZE 0x08000000ull /* 128 MiB */
#define VM_SYS_ADDR 0xa0000000ull
#define VM_UART_ADDR 0xa0000200ull
#define VM_OUTPUT_ADDR 0xa0010000ull
#define VM_OUTPUT_WORDS 64
#define VM_RAM_ADDR 0xa0030000ull
#define VM_RAM_END 0xc0000000ull
#define VM_MARCHID 0xFFFEEEEull
#define VM_SYSCALL_EXIT 93

/* Execution backends behind one interface. Only the interpreter exists today; the native
 * ahead-of-time backend (`--asm`) will be added here. */
typedef enum vm_backend { VM_BACKEND_INTERPRETER = 0 } vm_backend;

typedef struct vm_program vm_program;
typedef struct vm vm;

/* Builds a program from an ELF file image (validated by elf_parse against the map above). */
int vm_program_from_elf(const uint8_t *elf, size_t len, vm_program **out, zisk_err *err);

/* Builds a program from raw code placed at `base` (inside ROM, 2-byte aligned) as one
 * executable segment; entry = base. Used by tests and the decoder fuzzer. */
int vm_program_from_code(uint64_t base, const uint8_t *code, size_t len, vm_program **out,
                         zisk_err *err);

void vm_program_free(vm_program *p);
uint64_t vm_program_entry(const vm_program *p);

/* A new machine at the program's entry, all registers zero, memory initialised from the
 * program, no input. Aborts only when out of memory. */
vm *vm_new(const vm_program *p);
void vm_free(vm *m);

/* Places an input file's bytes verbatim at VM_INPUT_ADDR + 8 (the word at VM_INPUT_ADDR is 0).
 * Fails when len > VM_INPUT_SIZE - 8. */
int vm_set_input(vm *m, const uint8_t *data, size_t len, zisk_err *err);

/* Where UART bytes go (default stdout). NULL discards them. */
void vm_set_console(vm *m, FILE *console);

/* Register and memory access for tests and tools (not the hot path). x0 always reads 0. */
uint64_t vm_get_reg(const vm *m, unsigned i);
void vm_set_reg(vm *m, unsigned i, uint64_t v); /* writes to x0 are ignored */
uint64_t vm_get_pc(const vm *m);
uint64_t vm_get_steps(const vm *m);
/* Copies n bytes of guest memory; -1 if any byte is outside mapped memory. */
int vm_read_mem(const vm *m, uint64_t addr, void *dst, size_t n);
/* Writes n bytes of guest RAM (tests only; ROM and input refuse): -1 if not all in RAM. */
int vm_write_mem(vm *m, uint64_t addr, const void *src, size_t n);
/* The 64 public output words at VM_OUTPUT_ADDR. */
void vm_get_outputs(const vm *m, uint32_t out[VM_OUTPUT_WORDS]);

/* ---- Program inspection (the zkVM's setup transpiles the program from these) ---- */
/* The executable range [*base, *base + *len) (2-aligned). */
void vm_program_code_range(const vm_program *p, uint64_t *base, uint64_t *len);
/* The mapped ROM length: ROM is [VM_ROM_ADDR, VM_ROM_ADDR + len), 8-aligned. */
uint64_t vm_program_rom_len(const vm_program *p);
/* The instruction bits at pc (the low 16 bits are the first halfword; bytes past the end of
 * the executable range read as 0). Returns -1 if pc is odd or outside the executable range. */
int vm_program_fetch(const vm_program *p, uint64_t pc, uint32_t *bits);
/* The program's initial memory image: segment i (i < vm_program_n_segments) at *vaddr, *memsz
 * bytes of which the first *filesz are *bytes (the rest zero). Borrowed from the program. */
size_t vm_program_n_segments(const vm_program *p);
void vm_program_segment(const vm_program *p, size_t i, uint64_t *vaddr, uint64_t *memsz,
                        uint64_t *filesz, const uint8_t **bytes);
/* The value a CSR read returns when the CSR is one the machine knows (read-only, constant):
 * 0 and *value set, or -1 for any other CSR (using it faults). */
int vm_csr_value(unsigned csr, uint64_t *value);

typedef enum vm_stop {
    VM_STOP_EXIT = 0,   /* ecall exit: exit_code holds a0 */
    VM_STOP_FAULT,      /* message says what, pc and addr where */
    VM_STOP_STEP_LIMIT  /* the requested number of steps ran without exiting */
} vm_stop;

typedef struct vm_result {
    vm_stop stop;
    uint64_t steps;     /* instructions retired since vm_new (all runs) */
    uint64_t exit_code; /* a0 at exit */
    uint64_t pc;        /* pc of the instruction that stopped the run (or the next one) */
    uint64_t addr;      /* faulting data address, if any */
    char message[256];  /* human-readable cause for faults */
} vm_result;

/* Runs until exit, fault, or until the machine's total step count reaches `until_step`
 * (UINT64_MAX: no limit). A run stopped by the step limit can be resumed by calling again with
 * a larger limit. After an exit or a fault, further calls return the same stop again. */
void vm_run(vm *m, vm_backend backend, uint64_t until_step, vm_result *res);

/* ---- Segment checkpoints ----
 * A run split into segments of 2^log_segment_steps steps records, per segment, the state at
 * its start and a log of the memory words it reads, in program order. The log rule: for every
 * memory access, each aligned 8-byte word the access covers is logged (its value before the
 * access) when the access is a load, an LR, an AMO, or a store narrower than 8 bytes or
 * unaligned; full aligned 8-byte stores (and SC.D) log nothing. Instruction fetches are not
 * logged (the program is known). With the program and a checkpoint alone, a segment can be
 * replayed on any machine and yields every memory value it touched.
 */
typedef struct vm_state {
    uint64_t pc;
    uint64_t regs[32];     /* regs[0] == 0 */
    uint64_t reservation;  /* LR reservation address, or VM_NO_RESERVATION */
    uint64_t step;         /* total steps retired before this state */
} vm_state;
#define VM_NO_RESERVATION UINT64_MAX

typedef struct vm_checkpoint {
    vm_state start;
    uint64_t n_steps;   /* steps in this segment (the last may be shorter) */
    uint64_t n_reads;
    uint64_t *reads;    /* n_reads logged word values; owned (freed by vm_checkpoints_free) */
} vm_checkpoint;

typedef struct vm_checkpoints {
    unsigned log_segment_steps;
    size_t n_segments;
    vm_checkpoint *segments; /* owned */
    vm_state end;            /* state after the last step */
    vm_result result;        /* how the whole run stopped */
} vm_checkpoints;

/* Runs a fresh machine (made with vm_new, input set) to the end while recording checkpoints.
 * log_segment_steps in [1, 40]. Returns 0; on success *out must be freed with
 * vm_checkpoints_free. */
int vm_run_checkpointed(vm *m, unsigned log_segment_steps, uint64_t max_steps,
                        vm_checkpoints *out, zisk_err *err);
void vm_checkpoints_free(vm_checkpoints *c);

/* Replays one segment from the program and its checkpoint alone (no input, no other memory):
 * runs cp->n_steps steps (or to exit) taking every logged value from cp->reads. Fills *end
 * with the state reached. Returns -1 with err if the checkpoint is inconsistent with the
 * program (log exhausted or left over, a fault, an exit before n_steps). */
int vm_replay_segment(const vm_program *p, const vm_checkpoint *cp, vm_state *end,
                      int *exited, zisk_err *err);

/* Checkpoint files: one binary file per run (format in docs/ARCHITECTURE.md); parsing is
 * bounds-checked outside data. */
int vm_checkpoints_write(const vm_checkpoints *c, const char *path, zisk_err *err);
int vm_checkpoints_read(const char *path, vm_checkpoints *out, zisk_err *err);

#endif
