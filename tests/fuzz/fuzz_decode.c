/*
 * fuzz_decode.c: libFuzzer target for the RISC-V decoder and the interpreter.
 *
 * The first 4 bytes go through rv_decode and rv_format (must never crash, must keep the decoded
 * fields in range); then the whole input runs as code placed at the start of ROM for a bounded
 * number of steps. Any stop (exit, fault, step limit) is fine; crashes and UB are bugs.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "rv_decode.h"
#include "vm.h"

#define FUZZ_MAX_STEPS 10000

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_check_decode(uint32_t bits) {
    rv_insn in;
    memset(&in, 0xa5, sizeof in); /* decode must set every field it is asked about */
    rv_decode(bits, &in);
    ZISK_ASSERT(in.op < RV_OP_COUNT);
    ZISK_ASSERT(in.len == 2 || in.len == 4);
    if (in.op != RV_OP_ILLEGAL && in.op != RV_OP_UNSUPPORTED_FP)
        ZISK_ASSERT(in.rd < 32 && in.rs1 < 32 && in.rs2 < 32);
    ZISK_ASSERT(rv_op_name(in.op) != NULL);
    char buf[128];
    int n = rv_format(&in, 0x80000000, buf, sizeof buf);
    ZISK_ASSERT(n >= 0);
    ZISK_ASSERT(memchr(buf, 0, sizeof buf) != NULL);
    /* Truncating buffers must stay in bounds and NUL-terminate. */
    char tiny[3];
    rv_format(&in, 0xfffffffffffffffeull, tiny, sizeof tiny);
    ZISK_ASSERT(memchr(tiny, 0, sizeof tiny) != NULL);
    rv_format(&in, 0, NULL, 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    uint32_t bits = 0;
    for (size_t i = 0; i < 4 && i < size; i++) bits |= (uint32_t)data[i] << (8 * i);
    fuzz_check_decode(bits);
    rv_op_name((unsigned)bits); /* any value, in range or not */

    if (size == 0) return 0; /* no code: vm_program_from_code may refuse, nothing to run */
    vm_program *prog = NULL;
    zisk_err err;
    if (vm_program_from_code(VM_ROM_ADDR, data, size, &prog, &err) != 0) return 0;
    vm *m = vm_new(prog);
    vm_set_console(m, NULL);
    vm_result res;
    vm_run(m, VM_BACKEND_INTERPRETER, FUZZ_MAX_STEPS, &res);
    ZISK_ASSERT(res.steps <= FUZZ_MAX_STEPS);
    /* A stopped machine stays stopped, with the same answer. */
    if (res.stop != VM_STOP_STEP_LIMIT) {
        vm_result again;
        vm_run(m, VM_BACKEND_INTERPRETER, FUZZ_MAX_STEPS, &again);
        ZISK_ASSERT(again.stop == res.stop && again.steps == res.steps);
    }
    vm_free(m);
    vm_program_free(prog);
    return 0;
}
