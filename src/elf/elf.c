/*
 * elf.c: ELF64 parsing and validation for RISC-V guest executables (see elf.h).
 *
 * The file is outside data: every field is read with explicit little-endian byte loads from the
 * caller's buffer (no struct casts, so no unaligned or aliasing access), every offset is checked
 * against the file size before it is read, and every sum is checked for overflow before it is
 * formed. Each rejection names the field or segment and the values that made it wrong.
 */
#include "elf.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

/* ELF64 constants (from the System V gABI and the RISC-V psABI). */
enum {
    ELF_EHDR_SIZE = 64, /* sizeof(Elf64_Ehdr) */
    ELF_PHDR_SIZE = 56, /* sizeof(Elf64_Phdr) */
    ELF_EI_CLASS = 4,
    ELF_EI_DATA = 5,
    ELF_EI_VERSION = 6,
    ELF_CLASS32 = 1,
    ELF_CLASS64 = 2,
    ELF_DATA2LSB = 1,
    ELF_DATA2MSB = 2,
    ELF_EV_CURRENT = 1,
    ELF_ET_REL = 1,
    ELF_ET_EXEC = 2,
    ELF_ET_DYN = 3,
    ELF_ET_CORE = 4,
    ELF_EM_RISCV = 243,
    ELF_PT_LOAD = 1,
    ELF_PT_INTERP = 3,
    ELF_PN_XNUM = 0xffff,
};

/* Offsets of the fields we read in Elf64_Ehdr and Elf64_Phdr. */
enum {
    EH_TYPE = 16, EH_MACHINE = 18, EH_VERSION = 20, EH_ENTRY = 24, EH_PHOFF = 32,
    EH_FLAGS = 48, EH_EHSIZE = 52, EH_PHENTSIZE = 54, EH_PHNUM = 56,
    PH_TYPE = 0, PH_FLAGS = 4, PH_OFFSET = 8, PH_VADDR = 16, PH_FILESZ = 32, PH_MEMSZ = 40,
};

/* Little-endian loads; the caller has checked that the bytes are inside the buffer. */
static uint16_t elf_rd16(const uint8_t *p) { return (uint16_t)(p[0] | (unsigned)p[1] << 8); }

static uint32_t elf_rd32(const uint8_t *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t elf_rd64(const uint8_t *p) {
    return (uint64_t)elf_rd32(p) | (uint64_t)elf_rd32(p + 4) << 32;
}

static const char *elf_type_name(unsigned t) {
    switch (t) {
    case 0: return "ET_NONE";
    case ELF_ET_REL: return "ET_REL, a relocatable object: link it first";
    case ELF_ET_EXEC: return "ET_EXEC";
    case ELF_ET_DYN: return "ET_DYN, a shared object or PIE: link with -static -no-pie";
    case ELF_ET_CORE: return "ET_CORE, a core dump";
    default: return "unknown type";
    }
}

/* "RWX" letters for messages; buf holds at least 4 bytes. */
static const char *elf_flags_str(uint32_t flags, char buf[4]) {
    buf[0] = (flags & ELF_PF_R) ? 'R' : '-';
    buf[1] = (flags & ELF_PF_W) ? 'W' : '-';
    buf[2] = (flags & ELF_PF_X) ? 'X' : '-';
    buf[3] = 0;
    return buf;
}

/* Checks the fixed part of the ELF header and reads the fields we keep. */
static int elf_check_header(const uint8_t *buf, size_t len, zisk_err *err) {
    static const uint8_t magic[4] = {0x7f, 'E', 'L', 'F'};

    if (len == 0) return zisk_err_set(err, "not an ELF file: the file is empty (0 bytes)");
    /* A short file whose bytes so far match the magic is a truncated ELF, not a foreign file. */
    size_t n_magic = len < 4 ? len : 4;
    if (memcmp(buf, magic, n_magic) != 0)
        return zisk_err_set(err,
                            "not an ELF file: bad magic %02x %02x %02x %02x (expected 7f 45 4c 46, "
                            "\"\\177ELF\")",
                            buf[0], len > 1 ? buf[1] : 0, len > 2 ? buf[2] : 0,
                            len > 3 ? buf[3] : 0);
    if (len < ELF_EHDR_SIZE)
        return zisk_err_set(err,
                            "ELF truncated: file size %zu is smaller than the %d-byte ELF64 header",
                            len, ELF_EHDR_SIZE);

    unsigned cls = buf[ELF_EI_CLASS];
    if (cls != ELF_CLASS64)
        return zisk_err_set(err, "not a 64-bit ELF: EI_CLASS is %u (%s; expected 2, ELFCLASS64)",
                            cls, cls == ELF_CLASS32 ? "ELFCLASS32, a 32-bit file" : "invalid");
    unsigned data = buf[ELF_EI_DATA];
    if (data != ELF_DATA2LSB)
        return zisk_err_set(err,
                            "not a little-endian ELF: EI_DATA is %u (%s; expected 1, ELFDATA2LSB)",
                            data, data == ELF_DATA2MSB ? "ELFDATA2MSB, big-endian" : "invalid");
    if (buf[ELF_EI_VERSION] != ELF_EV_CURRENT)
        return zisk_err_set(err, "bad ELF identification: EI_VERSION is %u (expected 1, EV_CURRENT)",
                            (unsigned)buf[ELF_EI_VERSION]);

    unsigned machine = elf_rd16(buf + EH_MACHINE);
    if (machine != ELF_EM_RISCV)
        return zisk_err_set(err, "not a RISC-V ELF: e_machine is %u (expected 243, EM_RISCV)",
                            machine);
    unsigned type = elf_rd16(buf + EH_TYPE);
    if (type != ELF_ET_EXEC)
        return zisk_err_set(err, "not an executable ELF: e_type is %u (%s; expected 2, ET_EXEC)",
                            type, elf_type_name(type));
    uint32_t version = elf_rd32(buf + EH_VERSION);
    if (version != ELF_EV_CURRENT)
        return zisk_err_set(err, "bad ELF header: e_version is %" PRIu32 " (expected 1, EV_CURRENT)",
                            version);
    unsigned ehsize = elf_rd16(buf + EH_EHSIZE);
    if (ehsize != ELF_EHDR_SIZE)
        return zisk_err_set(err, "bad ELF header: e_ehsize is %u (expected %d for ELF64)", ehsize,
                            ELF_EHDR_SIZE);
    return 0;
}

/*
 * Finds the region holding all of [vaddr, vaddr + memsz) (end > vaddr, no overflow: checked by
 * the caller). Returns its index, or -1 with err naming the segment and why no region fits.
 */
static long elf_find_region(const elf_region *regions, size_t n_regions, size_t seg,
                            uint64_t vaddr, uint64_t memsz, zisk_err *err) {
    uint64_t end = vaddr + memsz;
    for (size_t r = 0; r < n_regions; r++)
        if (vaddr >= regions[r].start && end <= regions[r].end) return (long)r;
    /* No region holds it whole: say which boundary it crosses, if it touches any region. */
    for (size_t r = 0; r < n_regions; r++) {
        const elf_region *g = &regions[r];
        if (vaddr < g->end && end > g->start) {
            zisk_err_set(err,
                         "ELF segment %zu (vaddr 0x%" PRIx64 ", memsz 0x%" PRIx64
                         ", end 0x%" PRIx64 ") straddles the %s of region %s [0x%" PRIx64
                         ", 0x%" PRIx64 ")",
                         seg, vaddr, memsz, end, vaddr < g->start ? "start" : "end", g->name,
                         g->start, g->end);
            return -1;
        }
    }
    /* Entirely outside: list the regions so the user sees where the program must be linked. */
    char list[320];
    size_t used = 0;
    list[0] = 0;
    for (size_t r = 0; r < n_regions && used < sizeof list; r++) {
        int n = snprintf(list + used, sizeof list - used, "%s%s [0x%" PRIx64 ", 0x%" PRIx64 ")",
                         r ? ", " : "", regions[r].name, regions[r].start, regions[r].end);
        if (n < 0) break;
        used += (size_t)n;
    }
    zisk_err_set(err,
                 "ELF segment %zu (vaddr 0x%" PRIx64 ", memsz 0x%" PRIx64
                 ") lies outside all allowed regions (%s)",
                 seg, vaddr, memsz, n_regions ? list : "none given");
    return -1;
}

int elf_parse(const uint8_t *buf, size_t len, const elf_region *regions, size_t n_regions,
              elf_image *out, zisk_err *err) {
    ZISK_ASSERT(out != NULL);
    ZISK_ASSERT(buf != NULL || len == 0);
    ZISK_ASSERT(regions != NULL || n_regions == 0);
    for (size_t r = 0; r < n_regions; r++) ZISK_ASSERT(regions[r].start < regions[r].end);

    memset(out, 0, sizeof *out);
    if (elf_check_header(buf, len, err)) return -1;

    uint64_t entry = elf_rd64(buf + EH_ENTRY);
    uint64_t phoff = elf_rd64(buf + EH_PHOFF);
    unsigned phentsize = elf_rd16(buf + EH_PHENTSIZE);
    unsigned phnum = elf_rd16(buf + EH_PHNUM);

    /* PN_XNUM means the real count lives in section header 0; linkers only do that beyond
     * 65534 program headers, far past anything we accept. */
    if (phnum == ELF_PN_XNUM)
        return zisk_err_set(err, "ELF has an extended program header count (e_phnum 0xffff, "
                                 "PN_XNUM); at most %d PT_LOAD segments are supported",
                            ELF_MAX_SEGMENTS);
    if (phnum == 0)
        return zisk_err_set(err, "ELF has no program headers (e_phnum 0): nothing to load");
    if (phentsize != ELF_PHDR_SIZE)
        return zisk_err_set(err, "bad ELF header: e_phentsize is %u (expected %d for ELF64)",
                            phentsize, ELF_PHDR_SIZE);
    /* phnum <= 0xfffe, so phnum * 56 cannot overflow; compare without forming phoff + size. */
    uint64_t ph_bytes = (uint64_t)phnum * ELF_PHDR_SIZE;
    if (phoff > len || ph_bytes > len - phoff)
        return zisk_err_set(err,
                            "ELF truncated: program header table at offset 0x%" PRIx64
                            " + %u*%d bytes exceeds file size %zu",
                            phoff, phnum, ELF_PHDR_SIZE, len);

    /* ph_index[k]: program header number of out->segments[k], for messages after sorting. */
    unsigned ph_index[ELF_MAX_SEGMENTS];
    size_t n = 0;
    for (unsigned i = 0; i < phnum; i++) {
        const uint8_t *ph = buf + phoff + (uint64_t)i * ELF_PHDR_SIZE;
        uint32_t type = elf_rd32(ph + PH_TYPE);
        if (type == ELF_PT_INTERP)
            return zisk_err_set(err, "ELF segment %u is PT_INTERP: the program is dynamically "
                                     "linked (link it with -static)", i);
        if (type != ELF_PT_LOAD) continue; /* notes, GNU_STACK, RISCV_ATTRIBUTES: not loaded */

        uint32_t flags = elf_rd32(ph + PH_FLAGS) & (ELF_PF_R | ELF_PF_W | ELF_PF_X);
        uint64_t offset = elf_rd64(ph + PH_OFFSET);
        uint64_t vaddr = elf_rd64(ph + PH_VADDR);
        uint64_t filesz = elf_rd64(ph + PH_FILESZ);
        uint64_t memsz = elf_rd64(ph + PH_MEMSZ);

        if (filesz > memsz)
            return zisk_err_set(err,
                                "ELF segment %u (vaddr 0x%" PRIx64 "): p_filesz 0x%" PRIx64
                                " is larger than p_memsz 0x%" PRIx64,
                                i, vaddr, filesz, memsz);
        if (memsz == 0) continue; /* occupies no memory: nothing to place or check */
        if (offset > len || filesz > len - offset)
            return zisk_err_set(err,
                                "ELF truncated: segment %u data at offset 0x%" PRIx64
                                " + p_filesz 0x%" PRIx64 " exceeds file size %zu",
                                i, offset, filesz, len);
        if (memsz > UINT64_MAX - vaddr)
            return zisk_err_set(err,
                                "ELF segment %u (vaddr 0x%" PRIx64 ", memsz 0x%" PRIx64
                                "): vaddr + memsz overflows the 64-bit address space",
                                i, vaddr, memsz);
        if (n == ELF_MAX_SEGMENTS)
            return zisk_err_set(err, "ELF has too many PT_LOAD segments: more than %d (at "
                                     "program header %u of %u)",
                                ELF_MAX_SEGMENTS, i, phnum);

        long r = elf_find_region(regions, n_regions, i, vaddr, memsz, err);
        if (r < 0) return -1;
        const elf_region *g = &regions[r];
        char fl[4];
        if ((flags & ELF_PF_W) && !g->allow_write)
            return zisk_err_set(err,
                                "ELF segment %u (vaddr 0x%" PRIx64 ", memsz 0x%" PRIx64
                                ", flags %s) is writable but region %s does not allow writes",
                                i, vaddr, memsz, elf_flags_str(flags, fl), g->name);
        if ((flags & ELF_PF_X) && !g->allow_exec)
            return zisk_err_set(err,
                                "ELF segment %u (vaddr 0x%" PRIx64 ", memsz 0x%" PRIx64
                                ", flags %s) is executable but region %s does not allow code",
                                i, vaddr, memsz, elf_flags_str(flags, fl), g->name);

        out->segments[n] = (elf_segment){
            .vaddr = vaddr, .memsz = memsz, .filesz = filesz, .data = buf + offset, .flags = flags};
        ph_index[n] = i;
        n++;
    }
    if (n == 0) return zisk_err_set(err, "ELF has no PT_LOAD segment with memory: nothing to load");

    /* Insertion sort by vaddr: n <= 64 and usually already sorted by the linker. */
    for (size_t k = 1; k < n; k++) {
        elf_segment s = out->segments[k];
        unsigned pi = ph_index[k];
        size_t j = k;
        for (; j > 0 && out->segments[j - 1].vaddr > s.vaddr; j--) {
            out->segments[j] = out->segments[j - 1];
            ph_index[j] = ph_index[j - 1];
        }
        out->segments[j] = s;
        ph_index[j] = pi;
    }
    /* Sorted, so any overlap shows between neighbours. No overflow: vaddr + memsz checked. */
    for (size_t k = 1; k < n; k++) {
        const elf_segment *a = &out->segments[k - 1], *b = &out->segments[k];
        if (b->vaddr < a->vaddr + a->memsz)
            return zisk_err_set(err,
                                "ELF segment %u (vaddr 0x%" PRIx64 ", memsz 0x%" PRIx64
                                ") overlaps segment %u (vaddr 0x%" PRIx64 ", memsz 0x%" PRIx64 ")",
                                ph_index[k], b->vaddr, b->memsz, ph_index[k - 1], a->vaddr,
                                a->memsz);
    }

    /* The entry must be code we may run. RISC-V instructions are at least 2-byte aligned (C). */
    const elf_segment *es = NULL;
    size_t ek = 0;
    for (size_t k = 0; k < n; k++) {
        const elf_segment *s = &out->segments[k];
        if (entry >= s->vaddr && entry - s->vaddr < s->memsz) {
            es = s;
            ek = k;
            break;
        }
    }
    if (!es)
        return zisk_err_set(err, "ELF entry point 0x%" PRIx64 " is not inside any PT_LOAD segment "
                                 "(it must be in an executable one)", entry);
    if (!(es->flags & ELF_PF_X)) {
        char fl[4];
        return zisk_err_set(err,
                            "ELF entry point 0x%" PRIx64 " is in segment %u (vaddr 0x%" PRIx64
                            ", flags %s), which is not executable (PF_X)",
                            entry, ph_index[ek], es->vaddr, elf_flags_str(es->flags, fl));
    }
    if (entry & 1)
        return zisk_err_set(err, "ELF entry point 0x%" PRIx64 " is not 2-byte aligned", entry);

    out->entry = entry;
    out->e_flags = elf_rd32(buf + EH_FLAGS);
    out->n_segments = n;
    return 0;
}
