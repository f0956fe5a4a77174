/*
 * elf.h: parsing and validation of RISC-V ELF64 executables (outside data).
 *
 * elf_parse() checks a whole ELF file held in memory and lists its PT_LOAD segments. It never
 * aborts and never reads outside [buf, buf+len) whatever the bytes are (fuzzed by
 * tests/fuzz/fuzz_elf.c). What it checks:
 *   - identification: magic, ELFCLASS64, ELFDATA2LSB, EV_CURRENT, e_machine EM_RISCV (243),
 *     e_type ET_EXEC, e_ehsize / e_phentsize of the ELF64 sizes;
 *   - the program header table lies inside the file; at most ELF_MAX_SEGMENTS PT_LOAD entries;
 *   - every PT_LOAD: p_offset + p_filesz inside the file, p_filesz <= p_memsz, no address
 *     overflow, and the whole [p_vaddr, p_vaddr + p_memsz) inside one of the caller's allowed
 *     regions, with write/execute permissions that region allows;
 *   - PT_LOAD segments do not overlap each other;
 *   - the entry point lies inside an executable (PF_X) segment and is 2-byte aligned;
 *   - no PT_INTERP (dynamically linked programs cannot run here).
 * Segments with p_memsz == 0 are skipped.
 *
 * Ownership: the elf_image's segment data pointers point into the caller's buffer, which must
 * outlive the image. Nothing is allocated.
 */
#ifndef ZISK_ELF_H
#define ZISK_ELF_H

#include <stddef.h>
#include <stdint.h>

#include "base.h"

#define ELF_MAX_SEGMENTS 64

#define ELF_PF_X 1u
#define ELF_PF_W 2u
#define ELF_PF_R 4u

typedef struct elf_segment {
    uint64_t vaddr;      /* first guest address */
    uint64_t memsz;      /* bytes in guest memory (>= filesz; the rest is zero) */
    uint64_t filesz;     /* bytes taken from the file */
    const uint8_t *data; /* filesz bytes inside the caller's buffer */
    uint32_t flags;      /* ELF_PF_* */
} elf_segment;

typedef struct elf_image {
    uint64_t entry;
    uint32_t e_flags; /* RISC-V ELF flags (RVC bit, float ABI) */
    size_t n_segments;
    elf_segment segments[ELF_MAX_SEGMENTS]; /* sorted by vaddr */
} elf_image;

/* A region of guest address space where segments may be placed: [start, end). */
typedef struct elf_region {
    const char *name;   /* for messages, e.g. "ROM" */
    uint64_t start, end;
    int allow_write;    /* 0: a segment with PF_W here is refused */
    int allow_exec;     /* 0: a segment with PF_X here is refused */
} elf_region;

/* Parses and validates buf[0..len). Returns 0 and fills *out, or -1 with err->msg saying what is
 * wrong (which field or segment, with its values). */
int elf_parse(const uint8_t *buf, size_t len, const elf_region *regions, size_t n_regions,
              elf_image *out, zisk_err *err);

#endif
