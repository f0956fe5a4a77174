#!/usr/bin/env python3
"""Generates the seed corpora of the fuzz targets (tests/fuzz/corpus/{elf,decode}/).

Seeds are small and deterministic: handcrafted ELF64 files, valid and broken one field at a
time (for fuzz_elf), and RISC-V encodings of every instruction class plus short programs that
use each class and exit (for fuzz_decode). Run it again after changing it; it overwrites its own
seeds (prefixed "seed_") and leaves inputs found by the fuzzers alone.

Usage: gen_corpus.py [OUT_DIR] [--guest ELF...]
  OUT_DIR defaults to the corpus/ folder next to this script. Each --guest ELF (a real guest,
  e.g. <build>/guests/fault_rom_write.elf) is repacked to its PT_LOAD segments alone (no
  sections, no debug info) and kept as seed_guest_<name>.elf when that is at most 8 KiB: real
  compiler output gives the interpreter realistic control flow to start from.
"""
import os
import struct
import sys

ROM = 0x80000000
RAM = 0xA0030000
UART = 0xA0000200
OUTPUT = 0xA0010000

# ---------------------------------------------------------------- RISC-V encoders (RV64IMAC)

REG = {f"x{i}": i for i in range(32)}
REG.update(zero=0, ra=1, sp=2, gp=3, tp=4, t0=5, t1=6, t2=7, s0=8, s1=9, a0=10, a1=11, a2=12,
           a3=13, a4=14, a5=15, a6=16, a7=17, s2=18, s3=19, t3=28, t4=29, t5=30, t6=31)


def r(x):
    return REG[x] if isinstance(x, str) else x


def enc_r(op, f3, f7, rd, rs1, rs2):
    return (f7 << 25) | (r(rs2) << 20) | (r(rs1) << 15) | (f3 << 12) | (r(rd) << 7) | op


def enc_i(op, f3, rd, rs1, imm):
    return ((imm & 0xFFF) << 20) | (r(rs1) << 15) | (f3 << 12) | (r(rd) << 7) | op


def enc_s(op, f3, rs1, rs2, imm):
    imm &= 0xFFF
    return ((imm >> 5) << 25) | (r(rs2) << 20) | (r(rs1) << 15) | (f3 << 12) | \
        ((imm & 0x1F) << 7) | op


def enc_b(f3, rs1, rs2, off):
    off &= 0x1FFF
    return (((off >> 12) & 1) << 31) | (((off >> 5) & 0x3F) << 25) | (r(rs2) << 20) | \
        (r(rs1) << 15) | (f3 << 12) | (((off >> 1) & 0xF) << 8) | (((off >> 11) & 1) << 7) | 0x63


def enc_u(op, rd, imm20):
    return ((imm20 & 0xFFFFF) << 12) | (r(rd) << 7) | op


def enc_j(rd, off):
    off &= 0x1FFFFF
    return (((off >> 20) & 1) << 31) | (((off >> 1) & 0x3FF) << 21) | \
        (((off >> 11) & 1) << 20) | (((off >> 12) & 0xFF) << 12) | (r(rd) << 7) | 0x6F


BRANCH = dict(beq=0, bne=1, blt=4, bge=5, bltu=6, bgeu=7)
LOAD = dict(lb=0, lh=1, lw=2, ld=3, lbu=4, lhu=5, lwu=6)
STORE = dict(sb=0, sh=1, sw=2, sd=3)
OPIMM = dict(addi=0, slti=2, sltiu=3, xori=4, ori=6, andi=7)
SHIFTIMM = dict(slli=(1, 0), srli=(5, 0), srai=(5, 0x10))
OP = dict(add=(0, 0), sub=(0, 0x20), sll=(1, 0), slt=(2, 0), sltu=(3, 0), xor=(4, 0),
          srl=(5, 0), sra=(5, 0x20), **{"or": (6, 0)}, **{"and": (7, 0)},
          mul=(0, 1), mulh=(1, 1), mulhsu=(2, 1), mulhu=(3, 1), div=(4, 1), divu=(5, 1),
          rem=(6, 1), remu=(7, 1))
OPIMM32 = dict(addiw=0)
SHIFTIMM32 = dict(slliw=(1, 0), srliw=(5, 0), sraiw=(5, 0x20))
OP32 = dict(addw=(0, 0), subw=(0, 0x20), sllw=(1, 0), srlw=(5, 0), sraw=(5, 0x20),
            mulw=(0, 1), divw=(4, 1), divuw=(5, 1), remw=(6, 1), remuw=(7, 1))
AMO = dict(lr=2, sc=3, amoswap=1, amoadd=0, amoxor=4, amoand=12, amoor=8, amomin=16,
           amomax=20, amominu=24, amomaxu=28)
CSR = dict(csrrw=1, csrrs=2, csrrc=3, csrrwi=5, csrrsi=6, csrrci=7)


def ins(name, *a):
    """One 32-bit instruction by mnemonic, operands in assembly order."""
    if name in BRANCH:
        return enc_b(BRANCH[name], a[0], a[1], a[2])
    if name in LOAD:            # rd, offset, rs1
        return enc_i(0x03, LOAD[name], a[0], a[2], a[1])
    if name in STORE:           # rs2, offset, rs1
        return enc_s(0x23, STORE[name], a[2], a[0], a[1])
    if name in OPIMM:
        return enc_i(0x13, OPIMM[name], a[0], a[1], a[2])
    if name in SHIFTIMM:
        f3, f6 = SHIFTIMM[name]
        return enc_i(0x13, f3, a[0], a[1], (f6 << 6) | (a[2] & 0x3F))
    if name in OP:
        f3, f7 = OP[name]
        return enc_r(0x33, f3, f7, a[0], a[1], a[2])
    if name in OPIMM32:
        return enc_i(0x1B, 0, a[0], a[1], a[2])
    if name in SHIFTIMM32:
        f3, f7 = SHIFTIMM32[name]
        return enc_i(0x1B, f3, a[0], a[1], (f7 << 5) | (a[2] & 0x1F))
    if name in OP32:
        f3, f7 = OP32[name]
        return enc_r(0x3B, f3, f7, a[0], a[1], a[2])
    base = name.split(".")
    if base[0] in AMO:          # amoadd.w rd, rs2, (rs1); lr.d rd, (rs1)
        width = 2 if base[1] == "w" else 3
        aqrl = {"aq": 2, "rl": 1, "aqrl": 3}.get(base[2], 0) if len(base) > 2 else 0
        if base[0] == "lr":
            return enc_r(0x2F, width, (AMO["lr"] << 2) | aqrl, a[0], a[1], 0)
        return enc_r(0x2F, width, (AMO[base[0]] << 2) | aqrl, a[0], a[2], a[1])
    if name in CSR:             # rd, csr, rs1/uimm
        return ((a[1] & 0xFFF) << 20) | (r(a[2]) << 15) | (CSR[name] << 12) | (r(a[0]) << 7) | 0x73
    if name == "lui":
        return enc_u(0x37, a[0], a[1])
    if name == "auipc":
        return enc_u(0x17, a[0], a[1])
    if name == "jal":
        return enc_j(a[0], a[1])
    if name == "jalr":          # rd, offset, rs1
        return enc_i(0x67, 0, a[0], a[2], a[1])
    fixed = dict(ecall=0x00000073, ebreak=0x00100073, fence=0x0FF0000F, fence_i=0x0000100F,
                 fence_tso=0x8330000F, nop=0x00000013)
    return fixed[name]


def li32u(rd, v):
    """Loads an unsigned 32-bit constant (lui sign-extends on RV64, so clear the top half)."""
    lo = v & 0xFFF
    if lo >= 0x800:
        lo -= 0x1000
    hi = ((v - lo) >> 12) & 0xFFFFF
    out = [ins("lui", rd, hi), ins("addiw", rd, rd, lo)]
    if v & 0x80000000:
        out += [ins("slli", rd, rd, 32), ins("srli", rd, rd, 32)]
    return out


def li_small(rd, v):
    return [ins("addi", rd, "zero", v)]


def exit_with(code):
    return li_small("a0", code) + li_small("a7", 93) + [ins("ecall")]


def words(seq):
    return b"".join(struct.pack("<I", w & 0xFFFFFFFF) for w in seq)


def half(*hs):
    return b"".join(struct.pack("<H", h & 0xFFFF) for h in hs)


# ---------------------------------------------------------------- decode seeds

def every_instruction():
    """(name, 32-bit encoding) for every base instruction, with busy operands."""
    out = []
    for n in BRANCH:
        out.append((n, ins(n, "a0", "a1", -8)))
    for n in LOAD:
        out.append((n, ins(n, "a0", -16, "sp")))
    for n in STORE:
        out.append((n, ins(n, "a1", 24, "sp")))
    for n in OPIMM:
        out.append((n, ins(n, "a0", "a1", -1)))
    for n in SHIFTIMM:
        out.append((n, ins(n, "a0", "a1", 63)))
    for n in OP:
        out.append((n, ins(n, "a0", "a1", "a2")))
    out.append(("addiw", ins("addiw", "a0", "a1", 2047)))
    for n in SHIFTIMM32:
        out.append((n, ins(n, "a0", "a1", 31)))
    for n in OP32:
        out.append((n, ins(n, "a0", "a1", "a2")))
    for w in ("w", "d"):
        for a in AMO:
            if a == "lr":
                out.append((f"lr.{w}", ins(f"lr.{w}.aq", "a0", "a1")))
            else:
                out.append((f"{a}.{w}", ins(f"{a}.{w}.aqrl", "a0", "a2", "a1")))
    for n in CSR:
        out.append((n, ins(n, "a0", 0xF12, 5)))
    out += [("lui", ins("lui", "a0", 0xFFFFF)), ("auipc", ins("auipc", "a0", 0x80000)),
            ("jal", ins("jal", "ra", -2048)), ("jalr", ins("jalr", "ra", -4, "a0")),
            ("ecall", ins("ecall")), ("ebreak", ins("ebreak")), ("fence", ins("fence")),
            ("fence_i", ins("fence_i")), ("fence_tso", ins("fence_tso")),
            # F/D: must stop with "unsupported instruction"
            ("flw", enc_i(0x07, 2, 1, 2, 8)), ("fld", enc_i(0x07, 3, 1, 2, 8)),
            ("fsd", enc_s(0x27, 3, 2, 1, 8)), ("fadd_d", enc_r(0x53, 7, 1, 1, 2, 3)),
            ("fmadd_s", 0x00000043 | (1 << 7)),
            # reserved / illegal corners
            ("all_zero", 0x00000000), ("all_ones", 0xFFFFFFFF), ("op_48bit", 0x0000001F),
            ("slli_shamt_bad", ins("slli", "a0", "a1", 0) | (0x20 << 26)),
            ("unknown_csr", ins("csrrs", "a0", 0x7C0, 0))]
    return out


def compressed_samples():
    """Every compressed quadrant/funct3 class with a few operand patterns."""
    out = []
    for q in range(3):
        for f3 in range(8):
            for k, mid in enumerate((0x000, 0x001, 0x155, 0x2AA, 0x7FF, 0x0A4, 0x440)):
                out.append((f"c_q{q}_f{f3}_{k}", (f3 << 13) | (mid << 2) | q))
    return out


def decode_programs():
    """Short programs (run from ROM) that use each instruction class and then exit."""
    p = {}
    data = li32u("s0", RAM)
    p["alu"] = li_small("a1", -7) + li_small("a2", 3) + [
        ins(n, "a0", "a1", "a2") for n in OP] + [
        ins(n, "a3", "a1", "a2") for n in OP32] + [
        ins("addiw", "a4", "a1", 5), ins("slliw", "a4", "a1", 31), ins("sraiw", "a4", "a1", 1),
        ins("srai", "a4", "a1", 63), ins("lui", "a5", 0x80000), ins("auipc", "a5", 1)] + exit_with(0)
    # Division corner cases: by zero and the overflowing INT_MIN / -1.
    p["div_corner"] = li_small("a1", -1) + [ins("slli", "a2", "a1", 63)] + [
        ins(n, "a0", "a2", "a1") for n in ("div", "rem", "divw", "remw", "mulh", "mulhsu")] + [
        ins(n, "a0", "a2", "zero") for n in ("div", "divu", "rem", "remu", "divw", "divuw",
                                             "remw", "remuw")] + exit_with(1)
    p["loads_stores"] = data + li_small("a1", -2) + [
        ins(n, "a1", 8 * i, "s0") for i, n in enumerate(STORE)] + [
        ins(n, "a0", 3, "s0") for n in LOAD] + [  # unaligned on purpose
        ins("sd", "a1", 2047, "s0"), ins("ld", "a0", -2048, "s0")] + exit_with(0)
    p["amo"] = data + li_small("a2", 5) + [
        ins("lr.d", "a0", "s0"), ins("sc.d", "a1", "a2", "s0"),
        ins("lr.w", "a0", "s0"), ins("sc.w", "a1", "a2", "s0"),
        ins("sc.w", "a1", "a2", "s0")] + [  # sc without reservation fails
        ins(f"{a}.{w}", "a0", "a2", "s0") for w in ("w", "d") for a in AMO
        if a not in ("lr", "sc")] + exit_with(0)
    p["branches"] = li_small("a1", 1) + li_small("a2", -1) + [
        ins(n, "a1", "a2", 8) for n in BRANCH for _ in range(1)] + [
        ins("jal", "ra", 8), ins("nop"), ins("auipc", "t0", 0), ins("jalr", "ra", 12, "t0"),
        ins("nop"), ins("nop")] + exit_with(0)
    p["csr"] = [ins(n, "a0", c, 0) for n in ("csrrs", "csrrc") for c in
                (0xF11, 0xF12, 0xF13, 0xF14)] + [ins("fence"), ins("fence_i")] + exit_with(0)
    uart = li32u("s1", UART) + li32u("s2", OUTPUT)
    for ch in b"hi\n":
        uart += li_small("a0", ch) + [ins("sb", "a0", 0, "s1")]
    uart += li_small("a0", 42) + [ins("sw", "a0", 0, "s2"), ins("sw", "a0", 252, "s2")]
    p["uart_output"] = uart + exit_with(0)
    p["exit_code"] = exit_with(-3)
    p["loop_forever"] = [ins("addi", "a0", "a0", 1), ins("jal", "zero", -4)]
    p["fault_store_rom"] = li32u("s0", ROM) + [ins("sd", "zero", 0, "s0")] + exit_with(0)
    p["fault_load_unmapped"] = [ins("ld", "a0", 0, "zero")] + exit_with(0)
    p["fault_bad_syscall"] = li_small("a7", 64) + [ins("ecall")]
    p["fault_jump_ram"] = li32u("s0", RAM) + [ins("jalr", "zero", 0, "s0")]
    p["fault_fetch_misaligned"] = [ins("auipc", "t0", 0), ins("jalr", "zero", 7, "t0")]
    p["read_input"] = li32u("s0", 0x40000000) + [ins("ld", "a0", 0, "s0"),
                                                 ins("ld", "a1", 8, "s0")] + exit_with(0)
    p["ebreak"] = [ins("ebreak")]
    p["fp_unsupported"] = [enc_i(0x07, 3, 1, 2, 8)] + exit_with(0)
    p["fall_off_end"] = [ins("nop"), ins("nop")]
    prog = {k: words(v) for k, v in p.items()}
    # Compressed: c.li a0,5; c.addi a0,-1; c.mv a1,a0; c.add a1,a0; c.slli a1,3; c.nop;
    # c.li a7,31 then c.addi a7,31 twice (93); c.li a0,0; then a 32-bit ecall.
    prog["compressed"] = half(0x4515, 0x157D, 0x85AA, 0x95AA, 0x058E, 0x0001, 0x48FD,
                              0x08FD, 0x08FD, 0x4501) + words([ins("ecall")])
    # A 32-bit instruction whose second half lies past the end of the code.
    prog["split_tail"] = half(0x0001) + words([ins("addi", "a0", "a0", 1)])[:2]
    return prog


# ---------------------------------------------------------------- ELF builder

def elf(segments, entry=ROM, *, ident=None, e_type=2, machine=243, version=1, ehsize=64,
        phentsize=56, phnum=None, phoff=None, flags=5, truncate=None, extra_ph=()):
    """segments: list of (p_type, p_flags, vaddr, data_bytes, memsz[, offset_override])."""
    phs = list(segments) + list(extra_ph)
    n = len(phs)
    ph_at = 64 if phoff is None else phoff
    body_at = 64 + n * 56
    blobs, offsets, at = [], [], body_at
    for s in phs:
        offsets.append(s[5] if len(s) > 5 else at)
        if len(s) <= 5:
            blobs.append(s[3])
            at += len(s[3])
    ident = ident or (b"\x7fELF" + bytes([2, 1, 1, 0]) + bytes(8))
    hdr = ident[:16].ljust(16, b"\0") + struct.pack(
        "<HHIQQQIHHHHHH", e_type, machine, version, entry, ph_at, 0, flags, ehsize, phentsize,
        n if phnum is None else phnum, 0, 0, 0)
    table = b""
    for s, off in zip(phs, offsets):
        p_type, p_flags, vaddr, data, memsz = s[:5]
        table += struct.pack("<IIQQQQQQ", p_type, p_flags, off, vaddr, vaddr, len(data), memsz,
                             0x1000)
    out = hdr + table + b"".join(blobs)
    return out if truncate is None else out[:truncate]


RX, R, RW = 5, 4, 6


def elf_seeds():
    text = words(exit_with(0))
    s = {}
    s["valid_min"] = elf([(1, RX, ROM, text, len(text))])
    # Code that reads its data segment, prints it to the UART and writes an output word.
    code = li32u("s0", RAM) + li32u("s1", UART) + li32u("s2", OUTPUT) + [
        ins("lbu", "a0", 0, "s0"), ins("sb", "a0", 0, "s1"),
        ins("ld", "a1", 8, "s0"), ins("sw", "a1", 0, "s2"),
        ins("ld", "a2", 64, "s0"),  # bss: zero
        ins("add", "a0", "a2", "zero")] + li_small("a7", 93) + [ins("ecall")]
    code = words(code)
    data = b"Z" + bytes(7) + struct.pack("<Q", 0x1234)
    s["valid_data_bss"] = elf([(1, RX, ROM, code, len(code)),
                               (1, R, ROM + 0x1000, b"rodata\0\0", 8),
                               (1, RW, RAM, data, 0x1000)])
    s["valid_unsorted"] = elf([(1, RW, RAM, data, 0x100),
                               (1, RX, ROM, code, len(code))])
    s["valid_notes"] = elf([(1, RX, ROM, text, len(text))],
                           extra_ph=[(4, R, 0, b"note", 4), (0x6474E551, RW, 0, b"", 0),
                                     (0x70000003, R, 0, b"A\0\0\0", 4), (1, R, ROM + 0x800, b"", 0)])
    s["valid_entry_mid"] = elf([(1, RX, ROM, words([ins("nop")] * 3) + text, 12 + len(text))],
                               entry=ROM + 8)
    s["valid_loop"] = elf([(1, RX, ROM, words([ins("jal", "zero", 0)]), 4)])
    s["valid_code_in_ram"] = elf([(1, RX, ROM, words([ins("nop")]) + text, 4 + len(text)),
                                  (1, RX | 2, RAM, text, len(text))])
    s["valid_sys_area"] = elf([(1, RX, ROM, text, len(text)), (1, RW, 0xA0000000, b"x" * 8, 8)])
    s["valid_rom_edge"] = elf([(1, RX, 0x88000000 - len(text), text, len(text))],
                              entry=0x88000000 - len(text))
    s["valid_big_bss"] = elf([(1, RX, ROM, text, len(text)), (1, RW, RAM, b"", 0x1000000)])
    comp = decode_programs()["compressed"]
    s["valid_compressed"] = elf([(1, RX, ROM, comp, len(comp))])
    v = s["valid_min"]
    s["bad_magic"] = b"\x7fELG" + v[4:]
    s["class32"] = elf([(1, RX, ROM, text, len(text))],
                       ident=b"\x7fELF" + bytes([1, 1, 1]))
    s["big_endian"] = elf([(1, RX, ROM, text, len(text))], ident=b"\x7fELF" + bytes([2, 2, 1]))
    s["machine_x86_64"] = elf([(1, RX, ROM, text, len(text))], machine=62)
    s["et_dyn"] = elf([(1, RX, ROM, text, len(text))], e_type=3)
    s["et_rel"] = elf([(1, RX, ROM, text, len(text))], e_type=1)
    s["truncated_header"] = v[:40]
    s["truncated_phdrs"] = v[:90]
    s["seg_past_eof"] = elf([(1, RX, ROM, text, len(text), 0x10000)])
    s["filesz_gt_memsz"] = elf([(1, RX, ROM, text, 4)])
    s["vaddr_overflow"] = elf([(1, RX, ROM, text, len(text)),
                               (1, R, 0xFFFFFFFFFFFFF000, b"", 0x2000)])
    s["overlap"] = elf([(1, RX, ROM, text, len(text)), (1, R, ROM + 4, b"", 0x100)])
    s["outside"] = elf([(1, RX, 0x1000, text, len(text))], entry=0x1000)
    s["straddle"] = elf([(1, RX, ROM, text, len(text)), (1, R, 0x87FFF000, b"", 0x2000)])
    s["rom_writable"] = elf([(1, RX | 2, ROM, text, len(text))])
    s["entry_not_exec"] = elf([(1, RX, ROM, text, len(text)), (1, RW, RAM, data, 64)], entry=RAM)
    s["entry_outside"] = elf([(1, RX, ROM, text, len(text))], entry=ROM + 0x1000)
    s["too_many"] = elf([(1, RX, ROM + 0x10 * i, b"", 0x10) for i in range(65)])
    s["phnum_xnum"] = elf([(1, RX, ROM, text, len(text))], phnum=0xFFFF)
    s["phentsize_bad"] = elf([(1, RX, ROM, text, len(text))], phentsize=32)
    s["interp"] = elf([(1, RX, ROM, text, len(text))], extra_ph=[(3, R, 0, b"/lib/ld.so\0", 11)])
    s["empty"] = b""
    return s


def repack_guest(path):
    """A real ELF reduced to its header, entry and PT_LOAD segments (None if not ELF64 LE)."""
    with open(path, "rb") as f:
        b = f.read()
    if len(b) < 64 or b[:4] != b"\x7fELF" or b[4] != 2 or b[5] != 1:
        return None
    entry, phoff = struct.unpack_from("<QQ", b, 24)
    flags, _, phentsize, phnum = struct.unpack_from("<IHHH", b, 48)
    segs = []
    for i in range(phnum):
        p_type, p_flags, off, vaddr, _, filesz, memsz, _ = struct.unpack_from(
            "<IIQQQQQQ", b, phoff + i * phentsize)
        if p_type == 1 and memsz:
            segs.append((1, p_flags, vaddr, b[off:off + filesz], memsz))
    return elf(segs, entry, flags=flags)


def main():
    args = sys.argv[1:]
    guests = []
    if "--guest" in args:
        k = args.index("--guest")
        guests, args = args[k + 1:], args[:k]
    out = args[0] if args else os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")
    total = 0

    def put(sub, name, blob):
        nonlocal total
        d = os.path.join(out, sub)
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "seed_" + name), "wb") as f:
            f.write(blob)
        total += len(blob)

    for name, blob in elf_seeds().items():
        put("elf", name + ".elf", blob)
    for name, w in every_instruction():
        put("decode", "insn_" + name, struct.pack("<I", w) + words(exit_with(0)))
    for name, h in compressed_samples():
        put("decode", name, half(h))
    for name, blob in decode_programs().items():
        put("decode", "prog_" + name, blob)
    for g in guests:
        blob = repack_guest(g)
        name = os.path.splitext(os.path.basename(g))[0]
        if blob is None or len(blob) > 8192:
            print(f"skipped guest {g}: not ELF64 LE or over 8 KiB once repacked")
            continue
        put("elf", f"guest_{name}.elf", blob)
    print(f"wrote {total} bytes of seeds under {out}")


if __name__ == "__main__":
    main()
