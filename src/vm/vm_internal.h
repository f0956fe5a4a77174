/*
 * vm_internal.h: what vm.c, the interpreter template (vm_interp.h) and checkpoint.c share.
 * Private to src/vm.
 */
#ifndef ZISK_VM_INTERNAL_H
#define ZISK_VM_INTERNAL_H

#include "rv_decode.h"
#include "vm.h"

/* Internal ops after the decoder's: fetch from a non-executable slot, and direct jumps or
 * branches whose target lies outside the executable range (kept apart so the common branch
 * handlers need no range check). */
enum {
    VM_OP_NOEXEC = RV_OP_COUNT, /* fetching this slot faults */
    VM_OP_JAL_OUT,              /* JAL to outside code: rd = link register, imm = byte offset */
    VM_OP_BRANCH_OUT,           /* branch to outside code: rd = branch rv_op, imm = byte offset */
    VM_OP_COUNT
};

/* One decoded instruction per 2-byte slot of the executable range: 8 bytes, so the decoded
 * program stays cache-friendly. op = (operation << 1) | (len == 2): every handler exists in a
 * 4-byte and a 2-byte flavour, which advance the pc by 2 or 1 slots. For direct jumps and
 * branches imm is the target's slot delta; for CSR ops the CSR number; rd 0 is stored as 32 (a
 * write-only scratch register), so writes to x0 need no test. */
typedef struct vm_slot {
    int32_t imm;
    uint8_t op;
    uint8_t rd;
    uint8_t rs1;
    uint8_t rs2;
} vm_slot;

/* Slots allocated past the executable range (all NOEXEC), see vm_program_decode. */
#define VM_GUARD_SLOTS 2

#define VM_SLOT_OP(op, len) ((uint8_t)(((op) << 1) | ((len) == 2)))

typedef struct vm_seg {
    uint64_t vaddr, memsz, filesz;
    uint8_t *bytes; /* filesz bytes, owned */
} vm_seg;

struct vm_program {
    uint64_t entry;
    uint64_t code_base, code_len; /* executable range [code_base, code_base + code_len) */
    vm_slot *slots;               /* code_len / 2 + VM_GUARD_SLOTS slots */
    uint64_t rom_len;             /* mapped ROM: [VM_ROM_ADDR, VM_ROM_ADDR + rom_len), 8-aligned */
    size_t n_segs;
    vm_seg *segs;
};

/* Everything the interpreter loop reads and writes. */
typedef struct vm_core {
    uint64_t x[33];              /* x[32]: sink for writes to x0 */
    uint64_t pc;
    uint64_t steps;
    uint64_t reservation;        /* VM_NO_RESERVATION or the LR address */
    const vm_program *prog;
    uint8_t *hmem;               /* host view of guest [VM_INPUT_ADDR, VM_RAM_END); NULL in replay */
    FILE *console;
    /* stop state */
    int stopped;                 /* 1 after an exit or a fault */
    vm_result last;
    /* read log: record mode appends, replay mode consumes */
    uint64_t *log;
    uint64_t log_len, log_cap, log_pos;
} vm_core;

#define VM_HOST_SPAN (VM_RAM_END - VM_INPUT_ADDR)

void vm_interp_plain(vm_core *c, uint64_t until_step, vm_result *res);
void vm_interp_record(vm_core *c, uint64_t until_step, vm_result *res);
void vm_interp_replay(vm_core *c, uint64_t until_step, vm_result *res);

/* Machine plumbing shared with checkpoint.c. */
uint8_t *vm_host_map(void);
void vm_core_init(vm_core *c, const vm_program *p, uint8_t *hmem);
vm_core *vm_core_of(vm *m);

#endif
