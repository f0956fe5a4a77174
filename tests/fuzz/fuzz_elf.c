/*
 * fuzz_elf.c: libFuzzer target for the ELF loader and the program builder.
 *
 * Any byte string goes through elf_parse with ZisK's regions; whatever parses is also built
 * into a vm_program from the same bytes and run for a bounded number of steps. Rejections and
 * guest faults are fine; crashes, sanitizer reports and hangs are bugs. A parse that elf_parse
 * accepts must satisfy everything the header promises, checked here too.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "elf.h"
#include "vm.h"

#define FUZZ_MAX_STEPS 10000

static const elf_region fuzz_regions[] = {
    {.name = "ROM", .start = 0x80000000, .end = 0x88000000, .allow_write = 0, .allow_exec = 1},
    {.name = "RAM", .start = 0xa0000000, .end = 0xc0000000, .allow_write = 1, .allow_exec = 1},
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static elf_image img; /* 2.6 KB: static keeps the fuzzer's stack small */
    zisk_err err;
    err.msg[0] = 0;
    if (elf_parse(data, size, fuzz_regions, 2, &img, &err) != 0) {
        /* Every rejection says why. */
        ZISK_ASSERT(err.msg[0] != 0);
        ZISK_ASSERT(memchr(err.msg, 0, sizeof err.msg) != NULL);
        return 0;
    }
    ZISK_ASSERT(img.n_segments >= 1 && img.n_segments <= ELF_MAX_SEGMENTS);
    int entry_ok = 0;
    for (size_t k = 0; k < img.n_segments; k++) {
        const elf_segment *s = &img.segments[k];
        ZISK_ASSERT(s->memsz > 0 && s->filesz <= s->memsz);
        ZISK_ASSERT(s->data >= data && (size_t)(s->data - data) <= size &&
                    s->filesz <= size - (size_t)(s->data - data));
        ZISK_ASSERT(s->vaddr + s->memsz > s->vaddr); /* no wrap */
        if (k > 0) ZISK_ASSERT(img.segments[k - 1].vaddr + img.segments[k - 1].memsz <= s->vaddr);
        if (img.entry >= s->vaddr && img.entry - s->vaddr < s->memsz && (s->flags & ELF_PF_X))
            entry_ok = 1;
    }
    ZISK_ASSERT(entry_ok);

    /* The vm has its own, stricter map (e.g. the system area below 0xa0030000): it may refuse
     * what elf_parse accepted here, but must not crash on it. */
    vm_program *prog = NULL;
    if (vm_program_from_elf(data, size, &prog, &err) != 0) return 0;
    ZISK_ASSERT(prog != NULL);
    vm *m = vm_new(prog);
    vm_set_console(m, NULL);
    vm_result res;
    vm_run(m, VM_BACKEND_INTERPRETER, FUZZ_MAX_STEPS, &res);
    ZISK_ASSERT(res.steps <= FUZZ_MAX_STEPS);
    ZISK_ASSERT(res.stop == VM_STOP_EXIT || res.stop == VM_STOP_FAULT ||
                res.stop == VM_STOP_STEP_LIMIT);
    vm_free(m);
    vm_program_free(prog);
    return 0;
}
