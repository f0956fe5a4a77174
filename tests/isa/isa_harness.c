/* isa_harness.c: see isa_harness.h. */
#include "isa_harness.h"

#include <ctype.h>
#include <stdlib.h>

int isa_fail_count = 0;

void isa_code_reset(isa_code *c) { c->len = 0; }

void isa_emit32(isa_code *c, uint32_t insn) {
    assert_true(c->len + 4 <= ISA_CODE_MAX);
    for (int i = 0; i < 4; i++) c->bytes[c->len++] = (uint8_t)(insn >> (8 * i));
}

void isa_emit16(isa_code *c, uint16_t insn) {
    assert_true(c->len + 2 <= ISA_CODE_MAX);
    c->bytes[c->len++] = (uint8_t)insn;
    c->bytes[c->len++] = (uint8_t)(insn >> 8);
}

void isa_pad_to(isa_code *c, size_t off) {
    assert_true(off >= c->len && off <= ISA_CODE_MAX);
    while (c->len + 4 <= off) isa_emit32(c, rv_enc_addi(0, 0, 0));
    if (c->len < off) isa_emit16(c, rv_enc_c_nop());
}

void isa_vm_open(isa_vm *t, const isa_code *c) {
    zisk_err err = {{0}};
    memset(t, 0, sizeof *t);
    if (vm_program_from_code(ISA_BASE, c->bytes, c->len, &t->prog, &err) != 0)
        fail_msg("vm_program_from_code failed: %s", err.msg);
    t->m = vm_new(t->prog);
    assert_non_null(t->m);
    /* Console bytes are not part of these tests (the UART test sets its own file). */
    vm_set_console(t->m, NULL);
}

void isa_vm_close(isa_vm *t) {
    if (t->m) vm_free(t->m);
    if (t->prog) vm_program_free(t->prog);
    t->m = NULL;
    t->prog = NULL;
}

void isa_run(isa_vm *t, uint64_t until_step) {
    memset(&t->res, 0, sizeof t->res);
    vm_run(t->m, VM_BACKEND_INTERPRETER, until_step, &t->res);
}

void isa_poke(isa_vm *t, uint64_t addr, const void *src, size_t n) {
    if (vm_write_mem(t->m, addr, src, n) != 0)
        fail_msg("vm_write_mem(0x%llx, %zu) refused", (unsigned long long)addr, n);
}

void isa_poke64(isa_vm *t, uint64_t addr, uint64_t v) {
    uint8_t b[8];
    for (int i = 0; i < 8; i++) b[i] = (uint8_t)(v >> (8 * i));
    isa_poke(t, addr, b, 8);
}

uint64_t isa_peek64(const isa_vm *t, uint64_t addr) {
    uint8_t b[8];
    if (vm_read_mem(t->m, addr, b, 8) != 0) fail_msg("vm_read_mem(0x%llx) refused", (unsigned long long)addr);
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) v = (v << 8) | b[i];
    return v;
}

uint32_t isa_peek32(const isa_vm *t, uint64_t addr) {
    uint8_t b[4];
    if (vm_read_mem(t->m, addr, b, 4) != 0) fail_msg("vm_read_mem(0x%llx) refused", (unsigned long long)addr);
    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

void isa_report(const char *file, int line, const char *what, uint64_t expected, uint64_t actual) {
    isa_fail_count++;
    fprintf(stderr, "MISMATCH %s:%d: %s: expected 0x%016llx, got 0x%016llx\n", file, line, what,
            (unsigned long long)expected, (unsigned long long)actual);
}

void isa_reportf(const char *file, int line, const char *fmt, ...) {
    isa_fail_count++;
    fprintf(stderr, "MISMATCH %s:%d: ", file, line);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

static const char *isa_stop_name(vm_stop s) {
    switch (s) {
    case VM_STOP_EXIT: return "exit";
    case VM_STOP_FAULT: return "fault";
    case VM_STOP_STEP_LIMIT: return "step_limit";
    }
    return "?";
}

int isa_expect_ran(const char *file, int line, isa_vm *t, uint64_t pc, const char *what) {
    if (t->res.stop != VM_STOP_STEP_LIMIT) {
        isa_reportf(file, line, "%s: expected to run to the step limit, stopped by %s at pc 0x%llx: %s",
                    what, isa_stop_name(t->res.stop), (unsigned long long)t->res.pc, t->res.message);
        return 0;
    }
    uint64_t got = vm_get_pc(t->m);
    if (got != pc) {
        isa_report(file, line, what, pc, got);
        fprintf(stderr, "    (the value above is the pc)\n");
        return 0;
    }
    return 1;
}

int isa_contains(const char *hay, const char *needle) {
    size_t n = strlen(needle);
    for (const char *p = hay; *p; p++) {
        size_t i = 0;
        while (i < n && p[i] && tolower((unsigned char)p[i]) == tolower((unsigned char)needle[i])) i++;
        if (i == n) return 1;
    }
    return n == 0;
}

int isa_expect_fault(const char *file, int line, isa_vm *t, uint64_t pc, const char *needle,
                     const char *what) {
    if (t->res.stop != VM_STOP_FAULT) {
        isa_reportf(file, line, "%s: expected a fault, got stop %s (pc now 0x%llx)", what,
                    isa_stop_name(t->res.stop), (unsigned long long)vm_get_pc(t->m));
        return 0;
    }
    int ok = 1;
    if (t->res.pc != pc) {
        isa_reportf(file, line, "%s: fault pc expected 0x%llx, got 0x%llx (message: %s)", what,
                    (unsigned long long)pc, (unsigned long long)t->res.pc, t->res.message);
        ok = 0;
    }
    if (needle && !isa_contains(t->res.message, needle)) {
        isa_reportf(file, line, "%s: fault message \"%s\" does not contain \"%s\"", what,
                    t->res.message, needle);
        ok = 0;
    }
    return ok;
}

int isa_exec_rr(const char *file, int line, uint32_t insn, uint64_t a, uint64_t b, uint64_t *out,
                const char *what) {
    isa_code c;
    isa_code_reset(&c);
    isa_emit32(&c, insn);
    isa_vm t;
    isa_vm_open(&t, &c);
    vm_set_reg(t.m, 1, a);
    vm_set_reg(t.m, 2, b);
    isa_run(&t, 1);
    int ok = isa_expect_ran(file, line, &t, ISA_BASE + 4, what);
    *out = vm_get_reg(t.m, 3);
    isa_vm_close(&t);
    return ok;
}

int isa_sweep_rr(const char *file, int line, uint32_t insn, size_t n, const uint64_t *a,
                 const uint64_t *b, uint64_t *out, const char *name) {
    isa_code *c = malloc(sizeof *c);
    assert_non_null(c);
    isa_code_reset(c);
    assert_true(n * 4 <= ISA_CODE_MAX);
    for (size_t i = 0; i < n; i++) isa_emit32(c, insn);
    isa_vm t;
    isa_vm_open(&t, c);
    free(c);
    int ok = 1;
    for (size_t i = 0; i < n; i++) {
        vm_set_reg(t.m, 1, a[i]);
        vm_set_reg(t.m, 2, b[i]);
        isa_run(&t, i + 1);
        char what[256];
        snprintf(what, sizeof what, "%s x3, x1=0x%016llx, x2=0x%016llx", name,
                 (unsigned long long)a[i], (unsigned long long)b[i]);
        if (!isa_expect_ran(file, line, &t, ISA_BASE + 4 * (i + 1), what)) {
            ok = 0;
            break;
        }
        out[i] = vm_get_reg(t.m, 3);
    }
    isa_vm_close(&t);
    return ok;
}
