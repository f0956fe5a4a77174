"""Native references for the example guests (guests/examples/), written independently of them.

Each reference takes the guest's input file (a ZisK record stream) and returns the Expected
result: exit code, the 64 output words and the console text. The guest sources document the
contract each reference follows. Python standard library only: hashlib for SHA-256, our own
Keccak-256 (keccak256 below, checked against known answers by keccak_self_test), Python ints for
big integers and for the RISC-V M instructions' defined edge results.
"""

import hashlib
import random
import struct

M32 = (1 << 32) - 1
M64 = (1 << 64) - 1
N_OUTPUTS = 64
PANIC_EXIT = 101  # ZISK_EXIT_PANIC in guests/runtime/zisk.h


class Expected:
    def __init__(self, exit_code=0, outputs=None, console=""):
        self.exit_code = exit_code
        self.outputs = list(outputs or [0] * N_OUTPUTS)
        self.console = console
        assert len(self.outputs) == N_OUTPUTS

    def commit(self, i, value):
        self.outputs[i] = value & M32

    def commit_u64(self, i, value):
        self.commit(i, value & M64)
        self.commit(i + 1, (value & M64) >> 32)

    def commit_digest(self, digest):
        for i in range(8):
            self.commit(i, int.from_bytes(digest[4 * i:4 * i + 4], "big"))


# ---- input files -------------------------------------------------------------------------

def record(data):
    """One ZisK input record: u64 LE length, the data, zero padding to a multiple of 8."""
    return struct.pack("<Q", len(data)) + data + b"\0" * (-len(data) % 8)


def u64(n):
    return struct.pack("<Q", n & M64)


def records_file(*items):
    """Input file from record payloads (bytes; ints become u64 records)."""
    return b"".join(record(u64(x) if isinstance(x, int) else x) for x in items)


class Records:
    """The guest runtime's view of an input file: records in order, then empty records forever
    (the input region reads zero past the data)."""

    def __init__(self, blob):
        self.blob = blob
        self.pos = 0

    def next(self):
        b = self.blob
        if self.pos + 8 > len(b):
            return b""
        n = int.from_bytes(b[self.pos:self.pos + 8], "little")
        data = b[self.pos + 8:self.pos + 8 + n]
        assert len(data) == n, "test inputs are well formed"
        self.pos += 8 + n + (-n % 8)
        return data

    def next_u64(self):
        d = self.next()
        return int.from_bytes(d[:8], "little") if len(d) >= 8 else None

    def all_len(self):
        at = 0
        b = self.blob
        while at + 8 <= len(b):
            n = int.from_bytes(b[at:at + 8], "little")
            if n == 0:
                break
            at += 8 + n + (-n % 8)
        return at


# ---- Keccak-256 (own implementation, from the Keccak reference description) -------------------

def _keccak_round_constants():
    # RC[i] bit (2^j - 1) = rc(j + 7i), rc(t) from the LFSR x^8 + x^6 + x^5 + x^4 + 1.
    def rc(t):
        if t % 255 == 0:
            return 1
        r = 1
        for _ in range(t % 255):
            r <<= 1
            if r & 0x100:
                r ^= 0x171
        return r & 1
    consts = []
    for i in range(24):
        c = 0
        for j in range(7):
            if rc(j + 7 * i):
                c |= 1 << ((1 << j) - 1)
        consts.append(c)
    return consts


def _keccak_rho_offsets():
    # Offsets by walking (x, y) -> (y, 2x + 3y) from (1, 0): lane t gets (t+1)(t+2)/2 mod 64.
    off = [[0] * 5 for _ in range(5)]
    x, y = 1, 0
    for t in range(24):
        off[x][y] = ((t + 1) * (t + 2) // 2) % 64
        x, y = y, (2 * x + 3 * y) % 5
    return off


_RC = _keccak_round_constants()
_RHO = _keccak_rho_offsets()


def _rot(v, n):
    n %= 64
    return ((v << n) | (v >> (64 - n))) & M64 if n else v


def _keccak_f(a):
    """a[x][y] lanes."""
    for rnd in range(24):
        c = [a[x][0] ^ a[x][1] ^ a[x][2] ^ a[x][3] ^ a[x][4] for x in range(5)]
        d = [c[(x - 1) % 5] ^ _rot(c[(x + 1) % 5], 1) for x in range(5)]
        a = [[a[x][y] ^ d[x] for y in range(5)] for x in range(5)]
        b = [[0] * 5 for _ in range(5)]
        for x in range(5):
            for y in range(5):
                b[y][(2 * x + 3 * y) % 5] = _rot(a[x][y], _RHO[x][y])
        a = [[b[x][y] ^ ((~b[(x + 1) % 5][y]) & b[(x + 2) % 5][y]) for y in range(5)]
             for x in range(5)]
        a[0][0] ^= _RC[rnd]
    return a


def keccak256(data):
    rate = 136
    msg = bytearray(data)
    pad = rate - len(msg) % rate
    msg += b"\0" * pad
    msg[len(data)] ^= 0x01
    msg[-1] ^= 0x80
    a = [[0] * 5 for _ in range(5)]
    for off in range(0, len(msg), rate):
        block = msg[off:off + rate]
        for i in range(rate // 8):
            x, y = i % 5, i // 5
            a[x][y] ^= int.from_bytes(block[8 * i:8 * i + 8], "little")
        a = _keccak_f(a)
    out = b"".join(a[i % 5][i // 5].to_bytes(8, "little") for i in range(4))
    return out


KECCAK_KAT = [
    (b"", "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"),
    (b"abc", "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45"),
]


def keccak_self_test():
    for msg, want in KECCAK_KAT:
        got = keccak256(msg).hex()
        if got != want:
            raise AssertionError(f"keccak256({msg!r}) = {got}, want {want}")


# ---- RISC-V M instructions (RISC-V ISA manual, volume I, chapter "M") ----------------------

def _s64(v):
    v &= M64
    return v - (1 << 64) if v >> 63 else v


def _s32(v):
    v &= M32
    return v - (1 << 32) if v >> 31 else v


def _trunc_div(a, b):
    q = abs(a) // abs(b)
    return q if (a < 0) == (b < 0) else -q


def _sext32(v):
    return _s32(v) & M64


def rv_m(op, x, y):
    x &= M64
    y &= M64
    if op == "mul":
        return (x * y) & M64
    if op == "mulh":
        return ((_s64(x) * _s64(y)) >> 64) & M64
    if op == "mulhsu":
        return ((_s64(x) * y) >> 64) & M64
    if op == "mulhu":
        return (x * y) >> 64
    if op == "div":
        if y == 0:
            return M64
        if _s64(x) == -(1 << 63) and _s64(y) == -1:
            return x
        return _trunc_div(_s64(x), _s64(y)) & M64
    if op == "divu":
        return M64 if y == 0 else x // y
    if op == "rem":
        if y == 0:
            return x
        if _s64(x) == -(1 << 63) and _s64(y) == -1:
            return 0
        a, b = _s64(x), _s64(y)
        return (a - _trunc_div(a, b) * b) & M64
    if op == "remu":
        return x if y == 0 else x % y
    if op == "mulw":
        return _sext32(x * y)
    x32, y32 = x & M32, y & M32
    if op == "divw":
        if y32 == 0:
            return M64
        if _s32(x32) == -(1 << 31) and _s32(y32) == -1:
            return _sext32(x32)
        return _sext32(_trunc_div(_s32(x32), _s32(y32)))
    if op == "divuw":
        return M64 if y32 == 0 else _sext32(x32 // y32)
    if op == "remw":
        if y32 == 0:
            return _sext32(x32)
        if _s32(x32) == -(1 << 31) and _s32(y32) == -1:
            return 0
        a, b = _s32(x32), _s32(y32)
        return _sext32(a - _trunc_div(a, b) * b)
    if op == "remuw":
        return _sext32(x32) if y32 == 0 else _sext32(x32 % y32)
    raise ValueError(op)


def rv_m_self_test():
    """Spot checks from the ISA manual's table of division edge cases."""
    mn = 1 << 63
    assert rv_m("div", 7, 0) == M64 and rv_m("divu", 7, 0) == M64
    assert rv_m("rem", 7, 0) == 7 and rv_m("remu", 7, 0) == 7
    assert rv_m("div", mn, M64) == mn and rv_m("rem", mn, M64) == 0
    assert rv_m("div", (-7) & M64, 2) == (-3) & M64 and rv_m("rem", (-7) & M64, 2) == (-1) & M64
    assert rv_m("divw", 0x80000000, M64) == 0xffffffff80000000
    assert rv_m("remw", 0x80000000, M64) == 0
    assert rv_m("divuw", 5, 1 << 32) == M64  # divisor's low word is zero
    assert rv_m("mulh", M64, M64) == 0 and rv_m("mulhu", M64, M64) == M64 - 1
    assert rv_m("mulhsu", M64, M64) == M64


# ---- references, one per guest ---------------------------------------------------------

def ref_fibonacci(blob):
    n = Records(blob).next_u64()
    if n is None:
        return Expected(2, console="fibonacci: expected an input record with u64 n\n")

    # Fast doubling (a different method from the guest's loop): F(2k) = F(k)(2F(k+1) - F(k)),
    # F(2k+1) = F(k)^2 + F(k+1)^2, all mod 2^64.
    def fib(k):
        if k == 0:
            return 0, 1
        a, b = fib(k >> 1)
        c = (a * ((2 * b - a) % (1 << 64))) & M64
        d = (a * a + b * b) & M64
        return (d, (c + d) & M64) if k & 1 else (c, d)

    f = fib(n)[0]
    e = Expected(0, console=f"fib({n}) = {f}\n")
    e.commit_u64(0, f)
    e.commit_u64(2, n)
    return e


def _digest_guest(blob, fn):
    data = Records(blob).next()
    d = fn(data)
    e = Expected(0, console=d.hex() + "\n")
    e.commit_digest(d)
    e.commit(8, len(data))
    return e


def ref_sha256(blob):
    return _digest_guest(blob, lambda d: hashlib.sha256(d).digest())


def ref_keccak(blob):
    return _digest_guest(blob, keccak256)


def ref_sort(blob):
    r = Records(blob)
    n = r.next_u64()
    if n is None:
        return Expected(2, console="sort: expected an input record with u64 N\n")
    data = r.next()
    if n > len(data) // 8:
        return Expected(2, console=f"sort: N={n} but the data record holds only "
                                   f"{len(data) // 8} values\n")
    v = sorted(struct.unpack(f"<{n}Q", data[:8 * n]))
    checksum = sum((i + 1) * x for i, x in enumerate(v)) & M64
    xor = 0
    for x in v:
        xor ^= x
    lo, hi = (v[0], v[-1]) if v else (0, 0)
    con = f"sort: {n} values\nmin {lo} max {hi}\nchecksum {checksum}\n"
    con += "".join(f"v[{i}] = {v[i]}\n" for i in range(min(n, 4)))
    e = Expected(0, console=con)
    for i, val in enumerate([n, lo, hi, checksum, xor]):
        e.commit_u64(2 * i, val)
    return e


_MCHECK_EDGES = [0, 1, 2, 3, 10, M64, M64 - 1, 1 << 63, (1 << 63) - 1, 0x80000000, 0x7fffffff,
                 0xffffffff, 0xffffffff80000000, 0x100000000]
_MCHECK_OPS = ["mul", "mulh", "mulhsu", "mulhu", "div", "divu", "rem", "remu", "mulw", "divw",
               "divuw", "remw", "remuw"]


def mcheck(rounds, seed):
    s = seed or 1
    acc = 0xcbf29ce484222325

    def xorshift():
        nonlocal s
        s ^= (s << 13) & M64
        s ^= s >> 7
        s ^= (s << 17) & M64
        return s

    ne = len(_MCHECK_EDGES)
    for i in range(rounds):
        x = _MCHECK_EDGES[(i // 3) % ne] if i % 3 == 0 else xorshift()
        y = _MCHECK_EDGES[(i // 4) % ne] if i % 4 == 1 else xorshift()
        if i % 7 == 2:
            y &= 0xff
        for op in _MCHECK_OPS:
            acc = ((acc ^ rv_m(op, x, y)) * 0x100000001b3) & M64
    return acc


def ref_bigint(blob):
    r = Records(blob)
    a = int.from_bytes(r.next(), "little")
    b = int.from_bytes(r.next(), "little")
    rounds = r.next_u64()
    rounds = 256 if rounds is None else rounds
    seed = r.next_u64()
    seed = 1 if seed is None else seed
    p = a * b
    nw = (p.bit_length() + 31) // 32
    m = mcheck(rounds, seed)
    e = Expected(0, console=f"a*b = {p}\nmcheck {rounds} {m}\n")
    e.commit(0, nw)
    for i in range(8):
        e.commit(1 + i, p >> (32 * i))
    e.commit_u64(9, m)
    e.commit(11, len(str(p)))
    return e


def ref_hello(blob):
    r = Records(blob)
    k = r.next_u64()
    k = 3 if k is None else k
    if k > 1000:
        return Expected(2, console=f"hello: k={k} is too large (max 1000)\n")
    con = "hello, world\n"
    con += "".join(f"hello #{i} of {k}: {'riscv' if i % 2 else 'zisk'}\n" for i in range(k))
    total = len(con)
    n_in = Records(blob).all_len()
    con += f"input: {n_in} bytes\n"
    e = Expected(0, console=con)
    e.commit(0, k)
    e.commit(1, total)
    e.commit(2, n_in)
    return e


BENCH_WORDS, BENCH_STEPS, BENCH_HASHES = 16381, 4096, 16
GOLDEN = 0x9e3779b97f4a7c15


def ref_bench(blob):
    it_n = Records(blob).next_u64()
    it_n = 1000 if it_n is None else it_n
    table = [(i * GOLDEN) & M64 for i in range(BENCH_WORDS)]
    h = bytes(32)
    for it in range(it_n):
        x = int.from_bytes(h[:8], "little") ^ it
        for j in range(BENCH_STEPS):
            idx = x % BENCH_WORDS
            v = table[idx]
            x = (((x ^ v) * GOLDEN) + j) & M64
            x ^= x >> 29
            q = x // (v | 1)
            sq = _trunc_div(_s64(x), (v >> 3) | 1) & M64
            table[idx] = (v + q + sq + (x >> 7)) & M64
        for rnd in range(BENCH_HASHES):
            msg = h + b"".join(table[(rnd * 4 + k) % BENCH_WORDS].to_bytes(8, "little")
                               for k in range(4))
            h = hashlib.sha256(msg).digest()
    checksum = 0
    for i, v in enumerate(table):
        checksum ^= (v * (i + 1)) & M64
    e = Expected(0, console=f"bench: {it_n} iterations, checksum {checksum}\n")
    e.commit_digest(h)
    e.commit_u64(8, checksum)
    e.commit_u64(10, it_n)
    return e


REFERENCES = {
    "fibonacci": ref_fibonacci,
    "fibonacci_nc": ref_fibonacci,
    "sha256": ref_sha256,
    "sha256_nc": ref_sha256,
    "keccak": ref_keccak,
    "sort": ref_sort,
    "bigint": ref_bigint,
    "bigint_nc": ref_bigint,
    "hello": ref_hello,
    "bench": ref_bench,
}


# ---- test cases --------------------------------------------------------------------------

def cases():
    """(guest, case name, input file bytes) for every example guest, edge cases included.
    Deterministic (fixed seeds) so failures reproduce."""
    rng = random.Random(20240601)
    out = []

    def add(guests, name, blob):
        for g in guests:
            out.append((g, name, blob))

    fib = ["fibonacci", "fibonacci_nc"]
    add(fib, "empty", b"")
    add(fib, "short-record", records_file(b"abc"))
    for n in [0, 1, 2, 10, 93, 94, 1000, 200000]:
        add(fib, f"n={n}", records_file(n))

    sha = ["sha256", "sha256_nc"]
    add(sha + ["keccak"], "empty-file", b"")
    for n in [0, 1, 55, 56, 57, 63, 64, 65, 119, 120, 128, 1000, 4103]:
        add(sha, f"len={n}", records_file(rng.randbytes(n)))
    add(sha + ["keccak"], "abc", records_file(b"abc"))
    for n in [0, 1, 134, 135, 136, 137, 271, 272, 273, 1000, 5000]:
        add(["keccak"], f"len={n}", records_file(rng.randbytes(n)))

    add(["sort"], "empty", b"")
    add(["sort"], "N=0", records_file(0, b""))
    add(["sort"], "N=1", records_file(1, u64(42)))
    add(["sort"], "N=2-equal", records_file(2, u64(7) + u64(7)))
    add(["sort"], "extremes", records_file(5, b"".join(u64(x) for x in [M64, 0, 1 << 63, 1, M64])))
    for n in [3, 100, 1000, 5000]:
        vals = [rng.getrandbits(64) for _ in range(n)]
        add(["sort"], f"random-N={n}", records_file(n, b"".join(u64(x) for x in vals)))
    dups = [rng.randrange(10) for _ in range(777)]
    add(["sort"], "duplicates", records_file(777, b"".join(u64(x) for x in dups)))
    add(["sort"], "extra-data", records_file(2, u64(9) + u64(3) + u64(1)))
    add(["sort"], "N-too-large", records_file(10, u64(1) * 3))

    big = ["bigint", "bigint_nc"]
    add(big, "empty", b"")
    add(big, "zero*x", records_file(b"", rng.randbytes(40), 50))
    add(big, "one*one", records_file(b"\x01", b"\x01", 0))
    add(big, "ff*ff", records_file(b"\xff" * 64, b"\xff" * 64, 1000, 7))
    add(big, "small-mcheck", records_file(rng.randbytes(9), rng.randbytes(3), 3000, 12345))
    add(big, "unaligned-lengths", records_file(rng.randbytes(33), rng.randbytes(17)))
    add(big, "large", records_file(rng.randbytes(256), rng.randbytes(200), 100, M64))

    add(["hello"], "empty", b"")
    for k in [0, 1, 5, 1001]:
        add(["hello"], f"k={k}", records_file(k))
    add(["hello"], "k=2+more-records", records_file(2, b"xyz", rng.randbytes(20)))

    add(["bench"], "iterations=0", records_file(0))
    add(["bench"], "iterations=1", records_file(1))
    add(["bench"], "iterations=3", records_file(3))
    return out


def qemu_extra_cases():
    """Heavier cases for the qemu differential test only (no Python reference needed)."""
    rng = random.Random(7)
    vals = [rng.getrandbits(64) for _ in range(50000)]
    return [
        ("bench", "iterations=40", records_file(40)),
        ("fibonacci", "n=3000000", records_file(3000000)),
        ("sort", "random-N=50000", records_file(50000, b"".join(u64(x) for x in vals))),
        ("bigint", "big-mcheck", records_file(rng.randbytes(1024), rng.randbytes(1024), 50000, 99)),
        ("keccak", "len=100000", records_file(rng.randbytes(100000))),
        ("sha256", "len=100000", records_file(rng.randbytes(100000))),
    ]
