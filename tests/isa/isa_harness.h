/*
 * isa_harness.h: shared helpers for the per-instruction tests in tests/isa.
 *
 * A test assembles a few instructions with rv_encode.h into an isa_code buffer, loads it at
 * ISA_BASE (start of ROM) with vm_program_from_code, sets registers/RAM, runs a given number of
 * steps with the interpreter and compares registers, memory and the stop reason with values
 * derived by hand (or with __int128 arithmetic in the test itself).
 *
 * Failure reporting: a mismatch does not stop the test at the first wrong value. ISA_EXPECT_*
 * print one line per mismatch (instruction, inputs, expected, actual) and count it; each cmocka
 * test ends with ISA_DONE(), which fails the test if anything mismatched. This way one run
 * lists every broken case for the emulator's author.
 */
#ifndef ZISK_TESTS_ISA_HARNESS_H
#define ZISK_TESTS_ISA_HARNESS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "rv_decode.h"
#include "rv_encode.h"
#include "vm.h"

#define ISA_BASE VM_ROM_ADDR
/* Scratch data area in free RAM, far from the start so negative offsets stay in RAM. */
#define ISA_DATA (VM_RAM_ADDR + 0x100000ull)
#define ISA_CODE_MAX 16384

typedef struct isa_code {
    uint8_t bytes[ISA_CODE_MAX];
    size_t len;
} isa_code;

/* Appends a 32-bit instruction (little-endian) / a 16-bit compressed one. */
void isa_emit32(isa_code *c, uint32_t insn);
void isa_emit16(isa_code *c, uint16_t insn);
/* Pads with 32-bit NOPs (addi x0, x0, 0) until len == off (off must be >= len, 4-aligned). */
void isa_pad_to(isa_code *c, size_t off);
void isa_code_reset(isa_code *c);

/* A program plus one machine on it. */
typedef struct isa_vm {
    vm_program *prog;
    vm *m;
    vm_result res;
} isa_vm;

/* Loads code at ISA_BASE and makes a machine; fails the test (fatally) if that fails. */
void isa_vm_open(isa_vm *t, const isa_code *c);
void isa_vm_close(isa_vm *t);

/* Runs until the machine's step count reaches until_step; result in t->res. */
void isa_run(isa_vm *t, uint64_t until_step);

/* Writes/reads guest RAM; a failure is a test bug and fails fatally. */
void isa_poke(isa_vm *t, uint64_t addr, const void *src, size_t n);
void isa_poke64(isa_vm *t, uint64_t addr, uint64_t v);
uint64_t isa_peek64(const isa_vm *t, uint64_t addr);
uint32_t isa_peek32(const isa_vm *t, uint64_t addr);

/* ---- Mismatch counting (see the comment at the top) ---- */
extern int isa_fail_count;
void isa_report(const char *file, int line, const char *what, uint64_t expected, uint64_t actual);
void isa_reportf(const char *file, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* `what` is a printf-style description of the case (instruction and inputs). */
#define ISA_EXPECT_EQ(actual, expected, ...)                                      \
    do {                                                                          \
        uint64_t isa_a_ = (uint64_t)(actual), isa_e_ = (uint64_t)(expected);      \
        if (isa_a_ != isa_e_) {                                                   \
            char isa_w_[384];                                                     \
            snprintf(isa_w_, sizeof isa_w_, __VA_ARGS__);                         \
            isa_report(__FILE__, __LINE__, isa_w_, isa_e_, isa_a_);               \
        }                                                                         \
    } while (0)

#define ISA_EXPECT_TRUE(cond, ...)                                                \
    do {                                                                          \
        if (!(cond)) isa_reportf(__FILE__, __LINE__, __VA_ARGS__);                \
    } while (0)

#define ISA_DONE()                                                                \
    do {                                                                          \
        int isa_n_ = isa_fail_count;                                              \
        isa_fail_count = 0;                                                       \
        if (isa_n_ != 0) fail_msg("%d mismatching case(s), listed above", isa_n_);\
    } while (0)

/* Checks that the last run stopped at the step limit with the machine at pc `pc`; returns 1 if
 * so. On a fault it prints the fault message as part of the mismatch report. */
int isa_expect_ran(const char *file, int line, isa_vm *t, uint64_t pc, const char *what);
#define ISA_EXPECT_RAN(t, pc, ...)                                                \
    ({                                                                            \
        char isa_w_[384];                                                         \
        snprintf(isa_w_, sizeof isa_w_, __VA_ARGS__);                             \
        isa_expect_ran(__FILE__, __LINE__, (t), (pc), isa_w_);                    \
    })

/* Checks that the last run faulted at pc (and that its message contains `needle` when not
 * NULL, case-insensitively). */
int isa_expect_fault(const char *file, int line, isa_vm *t, uint64_t pc, const char *needle,
                     const char *what);
#define ISA_EXPECT_FAULT(t, pc, needle, ...)                                      \
    ({                                                                            \
        char isa_w_[384];                                                         \
        snprintf(isa_w_, sizeof isa_w_, __VA_ARGS__);                             \
        isa_expect_fault(__FILE__, __LINE__, (t), (pc), (needle), isa_w_);        \
    })

/* Case-insensitive substring search. */
int isa_contains(const char *hay, const char *needle);

/*
 * One-instruction runner for ALU-style cases: executes `insn` (32-bit) once at ISA_BASE with
 * x1 = a, x2 = b (other registers 0) and stores x3 in *out. Returns 1 on a normal retire with
 * pc = ISA_BASE + 4; otherwise reports the mismatch (stop reason, message) and returns 0.
 */
int isa_exec_rr(const char *file, int line, uint32_t insn, uint64_t a, uint64_t b, uint64_t *out,
                const char *what);

/* ISA_CHECK_RR(insn, "name", a, b, expected): runs and compares x3. */
#define ISA_CHECK_RR(insn, name, a, b, expected)                                                  \
    do {                                                                                          \
        uint64_t isa_ra_ = (uint64_t)(a), isa_rb_ = (uint64_t)(b);                                \
        char isa_wh_[256];                                                                        \
        snprintf(isa_wh_, sizeof isa_wh_, "%s x3, x1=0x%016llx, x2=0x%016llx", (name),            \
                 (unsigned long long)isa_ra_, (unsigned long long)isa_rb_);                       \
        uint64_t isa_got_ = 0;                                                                    \
        if (isa_exec_rr(__FILE__, __LINE__, (insn), isa_ra_, isa_rb_, &isa_got_, isa_wh_))        \
            ISA_EXPECT_EQ(isa_got_, (expected), "%s", isa_wh_);                                   \
    } while (0)

/*
 * Sweep runner for many operand pairs with one machine (vm_new per case would dominate the
 * run time): the code is `insn` repeated n times; before step i it sets x1 = a[i], x2 = b[i]
 * and after it reads x3 into out[i]. Returns 1 if every step retired normally; on a fault it
 * reports which case faulted and returns 0 (out[] from that case on is left unset).
 */
int isa_sweep_rr(const char *file, int line, uint32_t insn, size_t n, const uint64_t *a,
                 const uint64_t *b, uint64_t *out, const char *name);

#endif
