/*
 * vm_interp.c: the slow paths the interpreter loop calls (faults, CSRs, division corner cases,
 * the checkpoint read log), then the loop itself three times (see vm_interp.h).
 */
#include <stdarg.h>
#include <string.h>

#include "vm_internal.h"

static void vm_stop_limit(vm_core *c, vm_result *res) {
    memset(res, 0, sizeof *res);
    res->stop = VM_STOP_STEP_LIMIT;
    res->steps = c->steps;
    res->pc = c->pc;
}

/* Records a terminal stop: later runs return it again. */
static void vm_finish(vm_core *c, vm_result *res) {
    c->stopped = 1;
    c->last = *res;
}

static void vm_exit(vm_core *c, vm_result *res) {
    memset(res, 0, sizeof *res);
    res->stop = VM_STOP_EXIT;
    res->steps = c->steps;
    res->pc = c->pc;
    res->exit_code = c->x[10];
    vm_finish(c, res);
}

__attribute__((format(printf, 5, 6))) static void vm_fault(vm_core *c, vm_result *res, uint64_t pc,
                                                           uint64_t addr, const char *fmt, ...) {
    memset(res, 0, sizeof *res);
    res->stop = VM_STOP_FAULT;
    res->steps = c->steps;
    res->pc = pc;
    res->addr = addr;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(res->message, sizeof res->message, fmt, ap);
    va_end(ap);
    vm_finish(c, res);
}

static void vm_fetch_fault(vm_core *c, vm_result *res, uint64_t pc) {
    vm_fault(c, res, pc, pc, "instruction fetch at pc 0x%llx outside executable ROM",
             (unsigned long long)pc);
}

static const char *vm_region_name(const vm_program *p, uint64_t a) {
    if (a - VM_ROM_ADDR < VM_ROM_SIZE) return a - VM_ROM_ADDR < p->rom_len ? "ROM" : "unmapped ROM space";
    if (a - VM_INPUT_ADDR < VM_INPUT_SIZE) return "input";
    if (a - VM_SYS_ADDR < VM_RAM_END - VM_SYS_ADDR) return "RAM";
    return NULL;
}

static void vm_mem_fault(vm_core *c, vm_result *res, uint64_t addr, unsigned size, int is_store) {
    const char *region = vm_region_name(c->prog, addr);
    const char *what;
    if (is_store) {
        if (region && (!strcmp(region, "ROM") || !strcmp(region, "input")))
            what = !strcmp(region, "ROM") ? "write to read-only ROM" : "write to read-only input";
        else
            what = "write outside mapped memory";
    } else {
        what = "read outside mapped memory";
    }
    vm_fault(c, res, c->pc, addr, "%s at address 0x%llx (%u bytes), pc 0x%llx", what,
             (unsigned long long)addr, size, (unsigned long long)c->pc);
}

/* The instruction bits at pc, from the program image (for messages). */
static uint32_t vm_raw_bits(const vm_program *p, uint64_t pc) {
    uint32_t w = 0;
    for (size_t i = 0; i < p->n_segs; i++) {
        const vm_seg *s = &p->segs[i];
        for (unsigned b = 0; b < 4; b++) {
            uint64_t a = pc + b;
            if (a - s->vaddr < s->filesz) w |= (uint32_t)s->bytes[a - s->vaddr] << (8 * b);
        }
    }
    return (w & 3) == 3 ? w : (w & 0xffff);
}

static void vm_illegal(vm_core *c, vm_result *res, int fp) {
    uint32_t raw = vm_raw_bits(c->prog, c->pc);
    int width = (raw & 3) == 3 ? 8 : 4;
    if (fp)
        vm_fault(c, res, c->pc, 0,
                 "unsupported instruction 0x%0*x at pc 0x%llx: floating point (F/D) is not supported",
                 width, raw, (unsigned long long)c->pc);
    else
        vm_fault(c, res, c->pc, 0, "illegal instruction 0x%0*x at pc 0x%llx", width, raw,
                 (unsigned long long)c->pc);
}

/* CSRs guests may read: machine information registers. All are read-only. Returns 0 with *old
 * set, -1 for an unknown CSR or an attempt to write. */
int vm_csr_value(unsigned csr, uint64_t *value) {
    switch (csr) {
    case 0xF11: *value = 0; return 0;          /* mvendorid */
    case 0xF12: *value = VM_MARCHID; return 0; /* marchid: ZisK's */
    case 0xF13: *value = 0; return 0;          /* mimpid */
    case 0xF14: *value = 0; return 0;          /* mhartid */
    default: return -1;
    }
}

static int vm_csr(unsigned op, unsigned csr, uint64_t src, int src_nonzero, uint64_t *old) {
    uint64_t v;
    if (vm_csr_value(csr, &v) != 0) return -1;
    (void)src;
    int writes = (op == RV_OP_CSRRW || op == RV_OP_CSRRWI) || src_nonzero;
    if (writes) return -1;
    *old = v;
    return 0;
}

static void vm_csr_fault(vm_core *c, vm_result *res, unsigned op, unsigned csr) {
    if (csr >= 0x800 && csr <= 0x81A)
        vm_fault(c, res, c->pc, 0,
                 "ZisK precompile CSR 0x%03x used at pc 0x%llx: precompiles are not supported yet",
                 csr, (unsigned long long)c->pc);
    else if (csr >= 0xF11 && csr <= 0xF14)
        vm_fault(c, res, c->pc, 0, "write to read-only CSR 0x%03x at pc 0x%llx", csr,
                 (unsigned long long)c->pc);
    else
        vm_fault(c, res, c->pc, 0, "unsupported CSR 0x%03x (%s) at pc 0x%llx", csr, rv_op_name(op),
                 (unsigned long long)c->pc);
}

/* Division corner cases per the M extension: x/0 = -1 (all ones), x%0 = x; the signed
 * overflow MIN/-1 = MIN with remainder 0. */
static inline uint64_t vm_div(uint64_t a, uint64_t b) {
    if (b == 0) return ~0ull;
    if ((int64_t)a == INT64_MIN && (int64_t)b == -1) return a;
    return (uint64_t)((int64_t)a / (int64_t)b);
}
static inline uint64_t vm_rem(uint64_t a, uint64_t b) {
    if (b == 0) return a;
    if ((int64_t)a == INT64_MIN && (int64_t)b == -1) return 0;
    return (uint64_t)((int64_t)a % (int64_t)b);
}
static inline uint64_t vm_divw(uint64_t a, uint64_t b) {
    int32_t x = (int32_t)(uint32_t)a, y = (int32_t)(uint32_t)b;
    if (y == 0) return ~0ull;
    if (x == INT32_MIN && y == -1) return (uint64_t)(int64_t)x;
    return (uint64_t)(int64_t)(x / y);
}
static inline uint64_t vm_remw(uint64_t a, uint64_t b) {
    int32_t x = (int32_t)(uint32_t)a, y = (int32_t)(uint32_t)b;
    if (y == 0) return (uint64_t)(int64_t)x;
    if (x == INT32_MIN && y == -1) return 0;
    return (uint64_t)(int64_t)(x % y);
}

/* Stores below the output words (system area, UART) or outside RAM. Returns 0 to fault. */
static int vm_store_slow(vm_core *c, uint64_t a, const void *v, unsigned n) {
    if (a - VM_SYS_ADDR > (VM_RAM_END - VM_SYS_ADDR) - n) return 0;
    /* The UART byte also lands in memory: memory stays plain memory (a later load reads what
     * was stored), which is what the proofs model (docs/PROOFS.md). */
    if (a == VM_UART_ADDR && c->console) fputc(*(const uint8_t *)v, c->console);
    if (c->hmem) memcpy(c->hmem + (a - VM_INPUT_ADDR), v, n);
    return 1;
}

static void vm_log_push(vm_core *c, uint64_t w) {
    if (ZISK_UNLIKELY(c->log_len == c->log_cap)) {
        c->log_cap = c->log_cap ? c->log_cap * 2 : 4096;
        c->log = zisk_xrealloc(c->log, c->log_cap * sizeof *c->log);
    }
    c->log[c->log_len++] = w;
}

/* Record mode: logs the aligned words covering [a, a+n) (already checked to be mapped). */
static inline void vm_log_words(vm_core *c, uint64_t a, unsigned n) {
    uint64_t w0 = a & ~7ull, w1 = (a + n - 1) & ~7ull, v;
    memcpy(&v, c->hmem + (w0 - VM_INPUT_ADDR), 8);
    vm_log_push(c, v);
    if (w1 != w0) {
        memcpy(&v, c->hmem + (w1 - VM_INPUT_ADDR), 8);
        vm_log_push(c, v);
    }
}

/* Replay mode: takes the words covering [a, a+n) from the log; *v = the n bytes at a. */
static inline int vm_log_take(vm_core *c, uint64_t a, unsigned n, uint64_t *v) {
    unsigned k = ((a & 7) + n > 8) ? 2 : 1;
    if (c->log_len - c->log_pos < k) return -1;
    uint64_t w[2] = {c->log[c->log_pos], k == 2 ? c->log[c->log_pos + 1] : 0};
    c->log_pos += k;
    uint8_t bytes[16];
    memcpy(bytes, w, 16);
    *v = 0;
    memcpy(v, bytes + (a & 7), n);
    return 0;
}

#define VM_MODE 0
#define VM_INTERP_FN vm_interp_plain
#include "vm_interp.h"
#undef VM_MODE
#undef VM_INTERP_FN

#define VM_MODE 1
#define VM_INTERP_FN vm_interp_record
#include "vm_interp.h"
#undef VM_MODE
#undef VM_INTERP_FN

#define VM_MODE 2
#define VM_INTERP_FN vm_interp_replay
#include "vm_interp.h"
#undef VM_MODE
#undef VM_INTERP_FN
