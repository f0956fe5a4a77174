/*
 * test_elf.c: unit and rejection tests for elf_parse (src/elf).
 *
 * ELF images are built in memory by a tiny builder (tb_*), so every test states exactly which
 * field it breaks and checks that the rejection message names it. A final test parses the real
 * guest ELFs of the build, when they were built.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "elf.h"

/* ---- A tiny ELF64 builder ---- */

#define TB_MAX_PH 80
#define TB_AUTO UINT64_MAX /* p_offset: place the data after the previous segment's */

typedef struct tb_phdr {
    uint32_t type, flags;
    uint64_t offset, vaddr, filesz, memsz;
} tb_phdr;

typedef struct tb_elf {
    uint8_t magic[4];
    uint8_t ei_class, ei_data, ei_version;
    uint16_t type, machine;
    uint32_t version;
    uint64_t entry;
    uint64_t phoff;      /* TB_AUTO: right after the ELF header */
    uint32_t flags;
    uint16_t ehsize, phentsize;
    int phnum_override;  /* >= 0: written as e_phnum instead of n_ph */
    size_t n_ph;
    tb_phdr ph[TB_MAX_PH];
} tb_elf;

static void tb_put16(uint8_t *p, uint16_t v) {
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void tb_put32(uint8_t *p, uint32_t v) {
    for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i));
}

static void tb_put64(uint8_t *p, uint64_t v) {
    for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> (8 * i));
}

static void tb_add(tb_elf *e, uint32_t type, uint32_t flags, uint64_t vaddr, uint64_t filesz,
                   uint64_t memsz) {
    assert_true(e->n_ph < TB_MAX_PH);
    e->ph[e->n_ph++] = (tb_phdr){.type = type, .flags = flags, .offset = TB_AUTO,
                                 .vaddr = vaddr, .filesz = filesz, .memsz = memsz};
}

/* A valid ZisK-like executable: code in ROM, data + bss in free RAM. */
static void tb_default(tb_elf *e) {
    memset(e, 0, sizeof *e);
    memcpy(e->magic, "\177ELF", 4);
    e->ei_class = 2;
    e->ei_data = 1;
    e->ei_version = 1;
    e->type = 2;
    e->machine = 243;
    e->version = 1;
    e->entry = 0x80000000;
    e->phoff = TB_AUTO;
    e->flags = 0x5; /* RVC | float ABI double: as riscv64 gcc writes them */
    e->ehsize = 64;
    e->phentsize = 56;
    e->phnum_override = -1;
    tb_add(e, 1, ELF_PF_R | ELF_PF_X, 0x80000000, 0x40, 0x40);
    tb_add(e, 1, ELF_PF_R | ELF_PF_W, 0xa0030000, 0x10, 0x100);
}

/* Serialises e into a new buffer (caller frees). Segment data bytes are (offset & 0xff) so a
 * test can check where a data pointer points. Data of a segment with filesz larger than 1 MiB is
 * not written (the header then points past the end of the file, as a test wants). */
static uint8_t *tb_build(const tb_elf *e, size_t *len) {
    uint64_t phoff = e->phoff == TB_AUTO ? 64 : e->phoff;
    size_t size = 64;
    if (e->phoff == TB_AUTO) size += e->n_ph * 56;
    size_t data_at = size;
    for (size_t i = 0; i < e->n_ph; i++)
        if (e->ph[i].offset == TB_AUTO && e->ph[i].filesz <= (1u << 20)) size += e->ph[i].filesz;

    uint8_t *b = calloc(1, size);
    assert_non_null(b);
    for (size_t i = 0; i < size; i++) b[i] = (uint8_t)i;
    memset(b, 0, 64);
    memcpy(b, e->magic, 4);
    b[4] = e->ei_class;
    b[5] = e->ei_data;
    b[6] = e->ei_version;
    tb_put16(b + 16, e->type);
    tb_put16(b + 18, e->machine);
    tb_put32(b + 20, e->version);
    tb_put64(b + 24, e->entry);
    tb_put64(b + 32, phoff);
    tb_put64(b + 40, 0); /* e_shoff: no sections */
    tb_put32(b + 48, e->flags);
    tb_put16(b + 52, e->ehsize);
    tb_put16(b + 54, e->phentsize);
    tb_put16(b + 56, (uint16_t)(e->phnum_override >= 0 ? e->phnum_override : (int)e->n_ph));
    if (e->phoff == TB_AUTO) {
        size_t at = data_at;
        for (size_t i = 0; i < e->n_ph; i++) {
            const tb_phdr *p = &e->ph[i];
            uint8_t *ph = b + 64 + i * 56;
            memset(ph, 0, 56);
            uint64_t off = p->offset;
            if (off == TB_AUTO) {
                off = at;
                if (p->filesz <= (1u << 20)) at += p->filesz;
            }
            tb_put32(ph + 0, p->type);
            tb_put32(ph + 4, p->flags);
            tb_put64(ph + 8, off);
            tb_put64(ph + 16, p->vaddr);
            tb_put64(ph + 24, p->vaddr); /* p_paddr */
            tb_put64(ph + 32, p->filesz);
            tb_put64(ph + 40, p->memsz);
            tb_put64(ph + 48, 0x1000);
        }
    }
    *len = size;
    return b;
}

/* ---- Regions and helpers ---- */

static const elf_region zisk_regions[] = {
    {.name = "ROM", .start = 0x80000000, .end = 0x88000000, .allow_write = 0, .allow_exec = 1},
    {.name = "RAM", .start = 0xa0000000, .end = 0xc0000000, .allow_write = 1, .allow_exec = 1},
};
#define N_ZISK_REGIONS (sizeof zisk_regions / sizeof zisk_regions[0])

static int parse(const uint8_t *b, size_t len, elf_image *img, zisk_err *err) {
    memset(err, 0, sizeof *err);
    return elf_parse(b, len, zisk_regions, N_ZISK_REGIONS, img, err);
}

/* Builds e, expects a rejection whose message contains every given fragment (NULL-terminated). */
static void expect_reject_len(const uint8_t *b, size_t len, ...) {
    elf_image img;
    zisk_err err;
    int rc = parse(b, len, &img, &err);
    if (rc == 0) fail_msg("expected a rejection, but the ELF was accepted");
    assert_int_equal(rc, -1);
    va_list ap;
    va_start(ap, len);
    for (const char *frag; (frag = va_arg(ap, const char *)) != NULL;)
        if (!strstr(err.msg, frag))
            fail_msg("message \"%s\" lacks \"%s\"", err.msg, frag);
    va_end(ap);
}

#define EXPECT_REJECT(e, ...)                                  \
    do {                                                       \
        size_t len_;                                           \
        uint8_t *b_ = tb_build((e), &len_);                    \
        expect_reject_len(b_, len_, __VA_ARGS__, (char *)NULL); \
        free(b_);                                              \
    } while (0)

/* ---- Acceptance ---- */

static void test_valid(void **state) {
    (void)state;
    tb_elf e;
    tb_default(&e);
    size_t len;
    uint8_t *b = tb_build(&e, &len);
    elf_image img;
    zisk_err err;
    int rc = parse(b, len, &img, &err);
    if (rc) fail_msg("valid ELF refused: %s", err.msg);
    assert_int_equal(img.entry, 0x80000000);
    assert_int_equal(img.e_flags, 0x5);
    assert_int_equal(img.n_segments, 2);
    assert_int_equal(img.segments[0].vaddr, 0x80000000);
    assert_int_equal(img.segments[0].filesz, 0x40);
    assert_int_equal(img.segments[0].memsz, 0x40);
    assert_int_equal(img.segments[0].flags, ELF_PF_R | ELF_PF_X);
    assert_ptr_equal(img.segments[0].data, b + 64 + 2 * 56);
    assert_int_equal(img.segments[1].vaddr, 0xa0030000);
    assert_int_equal(img.segments[1].filesz, 0x10);
    assert_int_equal(img.segments[1].memsz, 0x100);
    assert_int_equal(img.segments[1].flags, ELF_PF_R | ELF_PF_W);
    assert_ptr_equal(img.segments[1].data, b + 64 + 2 * 56 + 0x40);
    free(b);
}

/* Segments come out sorted by vaddr; non-LOAD headers and empty LOADs are ignored; segments
 * that touch (end == next start) are not an overlap. */
static void test_sorted_and_skipped(void **state) {
    (void)state;
    tb_elf e;
    tb_default(&e);
    e.n_ph = 0;
    tb_add(&e, 1, ELF_PF_R | ELF_PF_W, 0xa0040000, 0, 0x1000);         /* bss only */
    tb_add(&e, 0x6474e551, ELF_PF_R | ELF_PF_W, 0, 0, 0);              /* PT_GNU_STACK */
    tb_add(&e, 1, ELF_PF_R, 0x80001000, 0x8, 0x8);                     /* rodata */
    tb_add(&e, 0x70000003, ELF_PF_R, 0x12345678, 0x4, 0x4);            /* PT_RISCV_ATTRIBUTES */
    tb_add(&e, 1, ELF_PF_R | ELF_PF_X, 0x80000000, 0x1000, 0x1000);    /* text, touches rodata */
    tb_add(&e, 1, ELF_PF_R, 0x90000000, 0, 0);                         /* empty: skipped */
    tb_add(&e, 1, ELF_PF_R | ELF_PF_W, 0xa0030000, 0x10, 0x10000);     /* data, touches bss */
    e.entry = 0x80000ffe;
    size_t len;
    uint8_t *b = tb_build(&e, &len);
    elf_image img;
    zisk_err err;
    if (parse(b, len, &img, &err)) fail_msg("refused: %s", err.msg);
    assert_int_equal(img.n_segments, 4);
    const uint64_t want[4] = {0x80000000, 0x80001000, 0xa0030000, 0xa0040000};
    for (int i = 0; i < 4; i++) assert_int_equal(img.segments[i].vaddr, want[i]);
    assert_int_equal(img.segments[3].filesz, 0);
    assert_int_equal(img.segments[3].memsz, 0x1000);
    assert_int_equal(img.entry, 0x80000ffe);
    free(b);
}

/* Exactly ELF_MAX_SEGMENTS segments are fine. */
static void test_max_segments(void **state) {
    (void)state;
    tb_elf e;
    tb_default(&e);
    e.n_ph = 0;
    for (int i = ELF_MAX_SEGMENTS - 1; i >= 0; i--)
        tb_add(&e, 1, ELF_PF_R | ELF_PF_X, 0x80000000 + 0x100 * (uint64_t)i, 4, 0x100);
    size_t len;
    uint8_t *b = tb_build(&e, &len);
    elf_image img;
    zisk_err err;
    if (parse(b, len, &img, &err)) fail_msg("refused: %s", err.msg);
    assert_int_equal(img.n_segments, ELF_MAX_SEGMENTS);
    for (size_t i = 1; i < img.n_segments; i++)
        assert_true(img.segments[i - 1].vaddr < img.segments[i].vaddr);
    free(b);
}

/* ---- Rejections: identification and header ---- */

static void test_zero_length(void **state) {
    (void)state;
    expect_reject_len(NULL, 0, "empty", (char *)NULL);
    uint8_t one = 0x7f;
    expect_reject_len(&one, 1, "truncated", (char *)NULL);
}

static void test_bad_magic(void **state) {
    (void)state;
    tb_elf e;
    tb_default(&e);
    memcpy(e.magic, "MZ\x90\x00", 4);
    EXPECT_REJECT(&e, "bad magic", "4d 5a 90 00");
    const uint8_t text[] = "#!/bin/sh\n";
    expect_reject_len(text, sizeof text - 1, "not an ELF", (char *)NULL);
}

static void test_class32(void **state) {
    (void)state;
    tb_elf e;
    tb_default(&e);
    e.ei_class = 1;
    EXPECT_REJECT(&e, "EI_CLASS is 1", "32-bit");
}

static void test_big_endian(void **state) {
    (void)state;
    tb_elf e;
    tb_default(&e);
    e.ei_data = 2;
    EXPECT_REJECT(&e, "EI_DATA is 2", "big-endian");
}

static void test_ident_version(void **state) {
    (void)state;
    tb_elf e;
    tb_default(&e);
    e.ei_version = 0;
    EXPECT_REJECT(&e, "EI_VERSION is 0");
    tb_default(&e);
    e.version = 2;
    EXPECT_REJECT(&e, "e_version is 2");
}

static void test_wrong_machine(void **state) {
    (void)state;
    tb_elf e;
    tb_default(&e);
    e.machine = 62;
    EXPECT_REJECT(&e, "not a RISC-V ELF: e_machine is 62 (expected 243, EM_RISCV)");
}

static void test_wrong_type(void **state) {
    (void)state;
    tb_elf e;
    tb_default(&e);
    e.type = 3;
    EXPECT_REJECT(&e, "e_type is 3", "ET_DYN");
    e.type = 1;
    EXPECT_REJECT(&e, "e_type is 1", "ET_REL");
    e.type = 4;
    EXPECT_REJECT(&e, "e_type is 4", "ET_CORE");
}

static void test_header_sizes(void **state) {
    (void)state;
    tb_elf e;
    tb_default(&e);
    e.ehsize = 52;
    EXPECT_REJECT(&e, "e_ehsize is 52");
    tb_default(&e);
    e.phentsize = 32;
    EXPECT_REJECT(&e, "e_phentsize is 32");
}

static void test_truncated_header(void **state) {
    (void)state;
    tb_elf e;
    tb_default(&e);
    size_t len;
    uint8_t *b = tb_build(&e, &len);
    expect_reject_len(b, 40, "ELF truncated", "file size 40", "64-byte ELF64 header", (char *)NULL);
    expect_reject_len(b, 63, "ELF truncated", (char *)NULL);
    free(b);
}

static void test_truncated_phdrs(void **state) {
    (void)state;
    tb_elf e;
    tb_default(&e);
    size_t len;
    uint8_t *b = tb_build(&e, &len);
    expect_reject_len(b, 100, "ELF truncated: program header table at offset 0x40 + 2*56 bytes "
                              "exceeds file size 100", (char *)NULL);
    free(b);
    /* A program header offset so large that phoff + size would wrap. */
    tb_default(&e);
    e.phoff = UINT64_MAX - 8;
    EXPECT_REJECT(&e, "program header table at offset 0xfffffffffffffff7");
}

static void test_phnum(void **state) {
    (void)state;
    tb_elf e;
    tb_default(&e);
    e.phnum_override = 0;
    EXPECT_REJECT(&e, "e_phnum 0");
    e.phnum_override = 0xffff;
    EXPECT_REJECT(&e, "PN_XNUM");
    /* Only non-LOAD headers: nothing to load. */
    tb_default(&e);
    e.n_ph = 0;
    tb_add(&e, 4, ELF_PF_R, 0x80000000, 4, 4); /* PT_NOTE */
    EXPECT_REJECT(&e, "no PT_LOAD");
}

static void test_interp(void **state) {
    (void)state;
    tb_elf e;
    tb_default(&e);
    tb_add(&e, 3, ELF_PF_R, 0x80002000, 8, 8);
    EXPECT_REJECT(&e, "segment 2 is PT_INTERP");
}

/* ---- Rejections: segments ---- */

static void test_segment_past_eof(void **state) {
    (void)state;
    tb_elf e;
    tb_default(&e);
    e.ph[1].offset = 0x1000;
    EXPECT_REJECT(&e, "segment 1 data at offset 0x1000 + p_filesz 0x10 exceeds file size");
    tb_default(&e);
    e.ph[0].offset = UINT64_MAX - 1; /* UINT64_MAX is the builder's TB_AUTO */
    EXPECT_REJECT(&e, "segment 0 data at offset 0xfffffffffffffffe");
    tb_default(&e);
    e.ph[0].filesz = UINT64_MAX;
    e.ph[0].memsz = UINT64_MAX;
    EXPECT_REJECT(&e, "segment 0 data", "p_filesz 0xffffffffffffffff");
    /* The last segment's data cut by one byte. */
    tb_default(&e);
    size_t len;
    uint8_t *b = tb_build(&e, &len);
    expect_reject_len(b, len - 1, "ELF truncated: segment 1", (char *)NULL);
    free(b);
}

static void test_filesz_gt_memsz(void **state) {
    (void)state;
    tb_elf e;
    tb_default(&e);
    e.ph[1].memsz = 0x8;
    EXPECT_REJECT(&e, "segment 1", "p_filesz 0x10 is larger than p_memsz 0x8");
}

static void test_vaddr_overflow(void **state) {
    (void)state;
    tb_elf e;
    tb_default(&e);
    tb_add(&e, 1, ELF_PF_R, 0xfffffffffffff000, 0, 0x2000);
    EXPECT_REJECT(&e, "segment 2", "overflows");
    /* Ending exactly at 2^64 is not representable either. */
    tb_default(&e);
    tb_add(&e, 1, ELF_PF_R, 0xfffffffffffff000, 0, 0x1000);
    EXPECT_REJECT(&e, "segment 2", "overflows");
}

static void test_overlap(void **state) {
    (void)state;
    tb_elf e;
    tb_default(&e);
    tb_add(&e, 1, ELF_PF_R, 0x80000020, 0, 0x2000);
    EXPECT_REJECT(&e, "ELF segment 2 (vaddr 0x80000020, memsz 0x2000) overlaps segment 0 "
                      "(vaddr 0x80000000, memsz 0x40)");
    /* Overlap found after sorting, whatever the header order. */
    tb_default(&e);
    e.n_ph = 0;
    tb_add(&e, 1, ELF_PF_R, 0x80001000, 0, 0x2000);
    tb_add(&e, 1, ELF_PF_R | ELF_PF_X, 0x80000000, 0x10, 0x1001);
    EXPECT_REJECT(&e, "ELF segment 0 (vaddr 0x80001000, memsz 0x2000) overlaps segment 1");
    /* One segment wholly inside another. */
    tb_default(&e);
    tb_add(&e, 1, ELF_PF_R | ELF_PF_W, 0xa0030040, 0, 0x10);
    EXPECT_REJECT(&e, "segment 2", "overlaps segment 1");
}

static void test_outside_regions(void **state) {
    (void)state;
    tb_elf e;
    tb_default(&e);
    tb_add(&e, 1, ELF_PF_R, 0x10000, 0, 0x100);
    EXPECT_REJECT(&e, "ELF segment 2 (vaddr 0x10000, memsz 0x100) lies outside all allowed regions",
                  "ROM [0x80000000, 0x88000000)", "RAM [0xa0000000, 0xc0000000)");
    /* No regions at all. */
    tb_default(&e);
    size_t len;
    uint8_t *b = tb_build(&e, &len);
    elf_image img;
    zisk_err err;
    assert_int_equal(elf_parse(b, len, NULL, 0, &img, &err), -1);
    assert_non_null(strstr(err.msg, "none given"));
    free(b);
}

static void test_straddle(void **state) {
    (void)state;
    tb_elf e;
    tb_default(&e);
    tb_add(&e, 1, ELF_PF_R, 0x87fff000, 0, 0x2000);
    EXPECT_REJECT(&e, "segment 2", "straddles the end of region ROM");
    tb_default(&e);
    tb_add(&e, 1, ELF_PF_R, 0x7ffff000, 0, 0x2000);
    EXPECT_REJECT(&e, "segment 2", "straddles the start of region ROM");
    /* Spanning from ROM's end into the gap and RAM: no single region holds it. */
    tb_default(&e);
    tb_add(&e, 1, ELF_PF_R, 0x87fff000, 0, 0x20000000);
    EXPECT_REJECT(&e, "segment 2", "straddles");
}

static void test_permissions(void **state) {
    (void)state;
    tb_elf e;
    tb_default(&e);
    tb_add(&e, 1, ELF_PF_R | ELF_PF_W, 0x80100000, 8, 8);
    EXPECT_REJECT(&e, "segment 2", "flags RW-", "writable but region ROM does not allow writes");

    /* A region that forbids code. */
    static const elf_region no_exec[] = {
        {.name = "ROM", .start = 0x80000000, .end = 0x88000000, .allow_write = 0, .allow_exec = 1},
        {.name = "DATA", .start = 0xa0000000, .end = 0xc0000000, .allow_write = 1, .allow_exec = 0},
    };
    tb_default(&e);
    tb_add(&e, 1, ELF_PF_R | ELF_PF_X, 0xa0100000, 8, 8);
    size_t len;
    uint8_t *b = tb_build(&e, &len);
    elf_image img;
    zisk_err err;
    assert_int_equal(elf_parse(b, len, no_exec, 2, &img, &err), -1);
    if (!strstr(err.msg, "executable but region DATA does not allow code"))
        fail_msg("message: %s", err.msg);
    free(b);
}

static void test_entry(void **state) {
    (void)state;
    tb_elf e;
    tb_default(&e);
    e.entry = 0xa0030000; /* inside the RW data segment */
    EXPECT_REJECT(&e, "entry point 0xa0030000 is in segment 1", "not executable");
    e.entry = 0x80000040; /* one past the end of the text segment */
    EXPECT_REJECT(&e, "entry point 0x80000040 is not inside any PT_LOAD segment");
    e.entry = 0;
    EXPECT_REJECT(&e, "entry point 0x0");
    e.entry = 0x80000001;
    EXPECT_REJECT(&e, "not 2-byte aligned");
}

static void test_too_many_segments(void **state) {
    (void)state;
    tb_elf e;
    tb_default(&e);
    e.n_ph = 0;
    for (int i = 0; i < ELF_MAX_SEGMENTS + 1; i++)
        tb_add(&e, 1, ELF_PF_R | ELF_PF_X, 0x80000000 + 0x100 * (uint64_t)i, 4, 0x100);
    EXPECT_REJECT(&e, "too many PT_LOAD segments: more than 64");
}

/* ---- Robustness: every prefix and every single-byte corruption of a valid file ---- */

static void test_all_prefixes(void **state) {
    (void)state;
    tb_elf e;
    tb_default(&e);
    size_t len;
    uint8_t *b = tb_build(&e, &len);
    for (size_t n = 0; n < len; n++) {
        /* A fresh allocation of exactly n bytes, so ASan catches any read past the end. */
        uint8_t *p = malloc(n ? n : 1);
        assert_non_null(p);
        memcpy(p, b, n);
        elf_image img;
        zisk_err err;
        /* The last byte belongs to the data segment, so every proper prefix is refused. */
        if (parse(p, n, &img, &err) == 0) fail_msg("prefix of %zu bytes accepted", n);
        assert_true(err.msg[0] != 0);
        free(p);
    }
    free(b);
}

static void test_byte_corruptions(void **state) {
    (void)state;
    tb_elf e;
    tb_default(&e);
    size_t len;
    uint8_t *b = tb_build(&e, &len);
    const uint8_t values[] = {0x00, 0x01, 0x7f, 0x80, 0xff};
    for (size_t i = 0; i < 64 + 2 * 56; i++) {
        for (size_t v = 0; v < sizeof values; v++) {
            uint8_t *p = malloc(len);
            assert_non_null(p);
            memcpy(p, b, len);
            p[i] = values[v];
            elf_image img;
            zisk_err err;
            err.msg[0] = 0;
            if (parse(p, len, &img, &err) == 0) {
                /* Accepted: then everything it says must hold. */
                assert_true(img.n_segments >= 1 && img.n_segments <= ELF_MAX_SEGMENTS);
                for (size_t k = 0; k < img.n_segments; k++) {
                    const elf_segment *s = &img.segments[k];
                    assert_true(s->filesz <= s->memsz);
                    assert_true(s->data >= p && (size_t)(s->data - p) + s->filesz <= len);
                }
            } else {
                assert_true(err.msg[0] != 0);
            }
            free(p);
        }
    }
    free(b);
}

/* ---- Real guests, when the build made them (<build>/guests/NAME.elf) ---- */

static void test_real_guests(void **state) {
    (void)state;
    DIR *d = opendir(ZISK_GUESTS_DIR);
    if (!d) {
        print_message("no guest directory %s: skipped\n", ZISK_GUESTS_DIR);
        skip();
        return;
    }
    int n_parsed = 0;
    for (struct dirent *de; (de = readdir(d)) != NULL;) {
        size_t nl = strlen(de->d_name);
        if (nl < 5 || strcmp(de->d_name + nl - 4, ".elf") != 0) continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", ZISK_GUESTS_DIR, de->d_name);
        uint8_t *data;
        size_t len;
        zisk_err err;
        if (zisk_read_file(path, 256u << 20, &data, &len, &err)) fail_msg("%s", err.msg);
        elf_image img;
        if (parse(data, len, &img, &err)) fail_msg("%s: %s", path, err.msg);
        assert_true(img.n_segments >= 1);
        assert_true(img.entry >= 0x80000000 && img.entry < 0x88000000);
        free(data);
        n_parsed++;
    }
    closedir(d);
    if (n_parsed == 0) {
        print_message("no guest ELFs in %s: skipped\n", ZISK_GUESTS_DIR);
        skip();
    }
    print_message("parsed %d guest ELF(s)\n", n_parsed);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid),
        cmocka_unit_test(test_sorted_and_skipped),
        cmocka_unit_test(test_max_segments),
        cmocka_unit_test(test_zero_length),
        cmocka_unit_test(test_bad_magic),
        cmocka_unit_test(test_class32),
        cmocka_unit_test(test_big_endian),
        cmocka_unit_test(test_ident_version),
        cmocka_unit_test(test_wrong_machine),
        cmocka_unit_test(test_wrong_type),
        cmocka_unit_test(test_header_sizes),
        cmocka_unit_test(test_truncated_header),
        cmocka_unit_test(test_truncated_phdrs),
        cmocka_unit_test(test_phnum),
        cmocka_unit_test(test_interp),
        cmocka_unit_test(test_segment_past_eof),
        cmocka_unit_test(test_filesz_gt_memsz),
        cmocka_unit_test(test_vaddr_overflow),
        cmocka_unit_test(test_overlap),
        cmocka_unit_test(test_outside_regions),
        cmocka_unit_test(test_straddle),
        cmocka_unit_test(test_permissions),
        cmocka_unit_test(test_entry),
        cmocka_unit_test(test_too_many_segments),
        cmocka_unit_test(test_all_prefixes),
        cmocka_unit_test(test_byte_corruptions),
        cmocka_unit_test(test_real_guests),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
