/*
 * vm.c: programs (ELF or raw code -> decoded slots + initial image) and machines (registers +
 * one host mapping that backs all guest memory).
 *
 * Guest memory is one anonymous MAP_NORESERVE mapping of VM_HOST_SPAN bytes standing for guest
 * [VM_INPUT_ADDR, VM_RAM_END): a guest address a lives at hmem + (a - VM_INPUT_ADDR). Pages are
 * only backed when touched, so the 2 GiB reservation costs nothing; the interpreter's range
 * checks decide what the guest may touch (vm.h lists the map).
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "elf.h"
#include "vm_internal.h"

struct vm {
    vm_core core;
    size_t input_len; /* bytes placed by the last vm_set_input */
};

static const elf_region vm_elf_regions[] = {
    {"ROM", VM_ROM_ADDR, VM_ROM_ADDR + VM_ROM_SIZE, 0, 1},
    {"RAM", VM_SYS_ADDR, VM_RAM_END, 1, 1},
};

/* Decodes every 2-byte slot of the executable range. Slots outside PF_X ROM segments fetch-
 * fault; direct jumps and branches get their target as a slot delta, or an *_OUT op when the
 * target lies outside the range. */
static void vm_program_decode(vm_program *p, const uint8_t *const *xdata, const uint64_t *xstart,
                              const uint64_t *xlen, size_t nx) {
    /* Two guard slots past the end: falling off the last instruction (+1 or +2 slots) lands
     * on a NOEXEC slot, a clean fetch fault at the end of code. */
    size_t n_slots = p->code_len / 2 + VM_GUARD_SLOTS;
    p->slots = zisk_xcalloc(n_slots, sizeof *p->slots);
    for (size_t i = 0; i < n_slots; i++) p->slots[i].op = VM_SLOT_OP(VM_OP_NOEXEC, 4);
    for (size_t s = 0; s < nx; s++) {
        for (uint64_t off = 0; off + 2 <= xlen[s]; off += 2) {
            uint64_t pc = xstart[s] + off;
            uint32_t bits = 0;
            for (unsigned b = 0; b < 4 && off + b < xlen[s]; b++) bits |= (uint32_t)xdata[s][off + b] << (8 * b);
            rv_insn d;
            rv_decode(bits, &d);
            /* A 4-byte instruction cut by the segment end cannot be fetched whole. */
            if (d.len == 4 && off + 4 > xlen[s]) continue;
            vm_slot *sl = &p->slots[(pc - p->code_base) / 2];
            unsigned op = d.op;
            int64_t imm = d.imm;
            sl->rd = d.rd ? d.rd : 32;
            sl->rs1 = d.rs1;
            sl->rs2 = d.rs2;
            if (op >= RV_OP_CSRRW && op <= RV_OP_CSRRCI) imm = d.csr;
            if (op == RV_OP_JAL || (op >= RV_OP_BEQ && op <= RV_OP_BGEU)) {
                uint64_t target = pc + (uint64_t)imm;
                if (target - p->code_base >= p->code_len) {
                    if (op != RV_OP_JAL) sl->rd = (uint8_t)op;
                    op = op == RV_OP_JAL ? VM_OP_JAL_OUT : VM_OP_BRANCH_OUT;
                } else {
                    imm = ((int64_t)target - (int64_t)pc) / 2; /* slot delta */
                }
            }
            sl->imm = (int32_t)imm;
            sl->op = VM_SLOT_OP(op, d.len);
        }
    }
}

/* Shared tail of both constructors: copies segments, sizes the mapped ROM, decodes code. */
static int vm_program_build(const elf_image *img, vm_program **out, zisk_err *err) {
    vm_program *p = zisk_xcalloc(1, sizeof *p);
    p->entry = img->entry;
    p->n_segs = img->n_segments;
    p->segs = zisk_xcalloc(p->n_segs ? p->n_segs : 1, sizeof *p->segs);
    uint64_t xlo = UINT64_MAX, xhi = 0, rom_end = VM_ROM_ADDR;
    const uint8_t *xdata[ELF_MAX_SEGMENTS];
    uint64_t xstart[ELF_MAX_SEGMENTS], xlen[ELF_MAX_SEGMENTS];
    size_t nx = 0;
    for (size_t i = 0; i < img->n_segments; i++) {
        const elf_segment *es = &img->segments[i];
        vm_seg *s = &p->segs[i];
        s->vaddr = es->vaddr;
        s->memsz = es->memsz;
        s->filesz = es->filesz;
        s->bytes = zisk_xmalloc(es->filesz ? es->filesz : 1);
        if (es->filesz) memcpy(s->bytes, es->data, es->filesz);
        int in_rom = es->vaddr - VM_ROM_ADDR < VM_ROM_SIZE;
        if (in_rom && es->vaddr + es->memsz > rom_end) rom_end = es->vaddr + es->memsz;
        if (in_rom && (es->flags & ELF_PF_X)) {
            if (es->vaddr & 1) {
                vm_program_free(p);
                return zisk_err_set(err, "executable segment at 0x%llx is not 2-byte aligned",
                                    (unsigned long long)es->vaddr);
            }
            /* Code is what the file holds: a zero tail (memsz > filesz) is not decoded, so a
             * tiny ELF cannot make us allocate slots for a huge empty segment. */
            if (es->vaddr < xlo) xlo = es->vaddr;
            if (es->vaddr + es->filesz > xhi) xhi = es->vaddr + es->filesz;
            xdata[nx] = s->bytes;
            xstart[nx] = es->vaddr;
            xlen[nx] = es->filesz;
            nx++;
        }
    }
    if (nx == 0 || xhi <= xlo) {
        vm_program_free(p);
        return zisk_err_set(err, "the program has no executable segment in ROM (0x%llx..0x%llx)",
                            (unsigned long long)VM_ROM_ADDR, (unsigned long long)(VM_ROM_ADDR + VM_ROM_SIZE));
    }
    if (p->entry - xlo >= xhi - xlo || (p->entry & 1)) {
        vm_program_free(p);
        return zisk_err_set(err, "entry point 0x%llx is not an executable ROM address",
                            (unsigned long long)img->entry);
    }
    p->code_base = xlo;
    p->code_len = (xhi - xlo + 1) & ~1ull;
    p->rom_len = ((rom_end - VM_ROM_ADDR) + 7) & ~7ull;
    if (p->rom_len < 8) p->rom_len = 8;
    vm_program_decode(p, xdata, xstart, xlen, nx);
    *out = p;
    return 0;
}

int vm_program_from_elf(const uint8_t *elf, size_t len, vm_program **out, zisk_err *err) {
    elf_image img;
    if (elf_parse(elf, len, vm_elf_regions, sizeof vm_elf_regions / sizeof vm_elf_regions[0], &img, err) != 0)
        return -1;
    return vm_program_build(&img, out, err);
}

int vm_program_from_code(uint64_t base, const uint8_t *code, size_t len, vm_program **out,
                         zisk_err *err) {
    if (len == 0) return zisk_err_set(err, "no code given");
    if ((base & 1) || base - VM_ROM_ADDR >= VM_ROM_SIZE || len > VM_ROM_SIZE - (base - VM_ROM_ADDR))
        return zisk_err_set(err, "code at 0x%llx (%zu bytes) does not fit in ROM", (unsigned long long)base, len);
    elf_image img;
    memset(&img, 0, sizeof img);
    img.entry = base;
    img.n_segments = 1;
    img.segments[0] = (elf_segment){base, len, len, code, ELF_PF_R | ELF_PF_X};
    return vm_program_build(&img, out, err);
}

void vm_program_free(vm_program *p) {
    if (!p) return;
    for (size_t i = 0; i < p->n_segs; i++) free(p->segs[i].bytes);
    free(p->segs);
    free(p->slots);
    free(p);
}

uint64_t vm_program_entry(const vm_program *p) { return p->entry; }

void vm_program_code_range(const vm_program *p, uint64_t *base, uint64_t *len) {
    *base = p->code_base;
    *len = p->code_len;
}

uint64_t vm_program_rom_len(const vm_program *p) { return p->rom_len; }

int vm_program_fetch(const vm_program *p, uint64_t pc, uint32_t *bits) {
    if ((pc & 1) || pc - p->code_base >= p->code_len) return -1;
    uint8_t b[4] = {0, 0, 0, 0};
    for (unsigned k = 0; k < 4; k++) {
        uint64_t a = pc + k;
        if (a - p->code_base >= p->code_len) break;
        for (size_t i = 0; i < p->n_segs; i++) {
            const vm_seg *s = &p->segs[i];
            if (a - s->vaddr < s->filesz) {
                b[k] = s->bytes[a - s->vaddr];
                break;
            }
        }
    }
    *bits = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
    return 0;
}

size_t vm_program_n_segments(const vm_program *p) { return p->n_segs; }

void vm_program_segment(const vm_program *p, size_t i, uint64_t *vaddr, uint64_t *memsz,
                        uint64_t *filesz, const uint8_t **bytes) {
    ZISK_ASSERT(i < p->n_segs);
    *vaddr = p->segs[i].vaddr;
    *memsz = p->segs[i].memsz;
    *filesz = p->segs[i].filesz;
    *bytes = p->segs[i].bytes;
}

uint8_t *vm_host_map(void) {
    void *m = mmap(NULL, VM_HOST_SPAN, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (m == MAP_FAILED) zisk_panic(__FILE__, __LINE__, "cannot reserve %llu bytes of address space for guest memory",
                                    (unsigned long long)VM_HOST_SPAN);
    return m;
}

void vm_core_init(vm_core *c, const vm_program *p, uint8_t *hmem) {
    memset(c, 0, sizeof *c);
    c->prog = p;
    c->pc = p->entry;
    c->reservation = VM_NO_RESERVATION;
    c->hmem = hmem;
    c->console = stdout;
}

vm *vm_new(const vm_program *p) {
    vm *m = zisk_xcalloc(1, sizeof *m);
    uint8_t *hmem = vm_host_map();
    vm_core_init(&m->core, p, hmem);
    for (size_t i = 0; i < p->n_segs; i++) {
        const vm_seg *s = &p->segs[i];
        if (s->filesz) memcpy(hmem + (s->vaddr - VM_INPUT_ADDR), s->bytes, s->filesz);
    }
    return m;
}

void vm_free(vm *m) {
    if (!m) return;
    munmap(m->core.hmem, VM_HOST_SPAN);
    free(m->core.log);
    free(m);
}

int vm_set_input(vm *m, const uint8_t *data, size_t len, zisk_err *err) {
    if (len > VM_INPUT_SIZE - 8)
        return zisk_err_set(err, "input of %zu bytes exceeds the input region (%llu bytes at most)", len,
                            (unsigned long long)(VM_INPUT_SIZE - 8));
    uint8_t *base = m->core.hmem;
    /* A second call must not leave the tail of a longer earlier input behind. */
    if (m->input_len > len) memset(base + 8 + len, 0, m->input_len - len);
    memset(base, 0, 8);
    if (len) memcpy(base + 8, data, len);
    m->input_len = len;
    return 0;
}

void vm_set_console(vm *m, FILE *console) { m->core.console = console; }

uint64_t vm_get_reg(const vm *m, unsigned i) { return i == 0 || i > 31 ? 0 : m->core.x[i]; }

void vm_set_reg(vm *m, unsigned i, uint64_t v) {
    if (i > 0 && i < 32) m->core.x[i] = v;
}

uint64_t vm_get_pc(const vm *m) { return m->core.pc; }
uint64_t vm_get_steps(const vm *m) { return m->core.steps; }

/* Whether guest [addr, addr+n) is mapped (readable). */
static int vm_mapped(const vm_program *p, uint64_t addr, size_t n) {
    if (n > VM_HOST_SPAN) return 0;
    if (addr - VM_SYS_ADDR <= (VM_RAM_END - VM_SYS_ADDR) - n) return 1;
    if (n <= p->rom_len && addr - VM_ROM_ADDR <= p->rom_len - n) return 1;
    if (addr - VM_INPUT_ADDR <= VM_INPUT_SIZE - n) return 1;
    return 0;
}

int vm_read_mem(const vm *m, uint64_t addr, void *dst, size_t n) {
    if (!vm_mapped(m->core.prog, addr, n)) return -1;
    memcpy(dst, m->core.hmem + (addr - VM_INPUT_ADDR), n);
    return 0;
}

int vm_write_mem(vm *m, uint64_t addr, const void *src, size_t n) {
    if (n > VM_RAM_END - VM_SYS_ADDR || addr - VM_SYS_ADDR > (VM_RAM_END - VM_SYS_ADDR) - n) return -1;
    memcpy(m->core.hmem + (addr - VM_INPUT_ADDR), src, n);
    return 0;
}

void vm_get_outputs(const vm *m, uint32_t out[VM_OUTPUT_WORDS]) {
    memcpy(out, m->core.hmem + (VM_OUTPUT_ADDR - VM_INPUT_ADDR), VM_OUTPUT_WORDS * sizeof(uint32_t));
}

void vm_run(vm *m, vm_backend backend, uint64_t until_step, vm_result *res) {
    switch (backend) {
    case VM_BACKEND_INTERPRETER: vm_interp_plain(&m->core, until_step, res); return;
    }
    zisk_panic(__FILE__, __LINE__, "unknown backend %d", (int)backend);
}

vm_core *vm_core_of(vm *m) { return &m->core; }
