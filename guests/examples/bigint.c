/*
 * bigint: exercises the M extension.
 *   1. Schoolbook multiplication of two unsigned big integers with 64-bit limbs (mul + mulhu
 *      through unsigned __int128), then conversion of the product to decimal by repeated
 *      division of 32-bit limbs by 10^9 (divu + remu).
 *   2. A checksum over every M instruction (mul, mulh, mulhsu, mulhu, div, divu, rem, remu,
 *      mulw, divw, divuw, remw, remuw) issued through inline asm, so RISC-V's defined results
 *      for division by zero and signed overflow are exercised (they are undefined in C), on
 *      edge values and xorshift64 pseudo-random operands.
 *
 * Input:   record 0: a, little-endian bytes; record 1: b, little-endian bytes;
 *          record 2 (optional): u64 rounds for part 2 (default 256);
 *          record 3 (optional): u64 xorshift seed (default 1; 0 is replaced by 1).
 * Console: "a*b = <decimal>", then "mcheck <rounds> <checksum>".
 * Outputs: word 0 = number of 32-bit words in the product (0 for zero); words 1..8 = its low
 *          8 32-bit words; words 9,10 = M checksum (low, high); word 11 = decimal digits.
 * Exit:    0; 2 when out of memory.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zisk.h"

typedef unsigned __int128 u128;

/* Loads len little-endian bytes into ceil(len/8) limbs. */
static uint64_t *load_limbs(const uint8_t *p, size_t len, size_t *n)
{
    *n = (len + 7) / 8;
    uint64_t *v = calloc(*n ? *n : 1, sizeof *v);
    if (v == NULL)
        return NULL;
    for (size_t i = 0; i < len; i++)
        v[i / 8] |= (uint64_t)p[i] << (8 * (i % 8));
    return v;
}

static void mul_limbs(const uint64_t *a, size_t na, const uint64_t *b, size_t nb, uint64_t *p)
{
    memset(p, 0, (na + nb) * sizeof *p);
    for (size_t i = 0; i < na; i++) {
        uint64_t carry = 0;
        for (size_t j = 0; j < nb; j++) {
            u128 t = (u128)a[i] * b[j] + p[i + j] + carry;
            p[i + j] = (uint64_t)t;
            carry = (uint64_t)(t >> 64);
        }
        p[i + nb] = carry;
    }
}

/* Writes the decimal form of w[0..n) (32-bit limbs, destroyed) into out; returns its length. */
static size_t to_decimal(uint32_t *w, size_t n, char *out)
{
    while (n > 0 && w[n - 1] == 0)
        n--;
    if (n == 0) {
        out[0] = '0';
        out[1] = 0;
        return 1;
    }
    size_t len = 0;
    while (n > 0) {
        uint64_t rem = 0;
        for (size_t i = n; i-- > 0;) {
            uint64_t cur = rem << 32 | w[i];
            w[i] = (uint32_t)(cur / 1000000000u);
            rem = cur % 1000000000u;
        }
        while (n > 0 && w[n - 1] == 0)
            n--;
        /* Nine digits per chunk, except that the most significant chunk has no leading 0s. */
        for (int d = 0; d < 9 && (n > 0 || rem != 0); d++) {
            out[len++] = (char)('0' + rem % 10);
            rem /= 10;
        }
    }
    for (size_t i = 0; i < len / 2; i++) {
        char t = out[i];
        out[i] = out[len - 1 - i];
        out[len - 1 - i] = t;
    }
    out[len] = 0;
    return len;
}

#define RV_OP(op, x, y)                                                  \
    ({                                                                   \
        uint64_t r_;                                                     \
        __asm__ volatile(op " %0, %1, %2" : "=r"(r_) : "r"(x), "r"(y)); \
        r_;                                                              \
    })

static uint64_t xorshift64(uint64_t *s)
{
    uint64_t x = *s;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    *s = x;
    return x;
}

static uint64_t mcheck(uint64_t rounds, uint64_t seed)
{
    static const uint64_t edges[] = {
        0, 1, 2, 3, 10, UINT64_MAX, UINT64_MAX - 1, 0x8000000000000000ull, 0x7fffffffffffffffull,
        0x80000000ull, 0x7fffffffull, 0xffffffffull, 0xffffffff80000000ull, 0x100000000ull,
    };
    const uint64_t n_edges = sizeof edges / sizeof edges[0];
    uint64_t s = seed ? seed : 1, acc = 0xcbf29ce484222325ull;
    for (uint64_t i = 0; i < rounds; i++) {
        uint64_t x = (i % 3 == 0) ? edges[(i / 3) % n_edges] : xorshift64(&s);
        uint64_t y = (i % 4 == 1) ? edges[(i / 4) % n_edges] : xorshift64(&s);
        if (i % 7 == 2)
            y &= 0xff; /* small divisors, zero included */
        uint64_t r[13] = {
            RV_OP("mul", x, y),  RV_OP("mulh", x, y),  RV_OP("mulhsu", x, y), RV_OP("mulhu", x, y),
            RV_OP("div", x, y),  RV_OP("divu", x, y),  RV_OP("rem", x, y),    RV_OP("remu", x, y),
            RV_OP("mulw", x, y), RV_OP("divw", x, y),  RV_OP("divuw", x, y),  RV_OP("remw", x, y),
            RV_OP("remuw", x, y),
        };
        for (int k = 0; k < 13; k++)
            acc = (acc ^ r[k]) * 0x100000001b3ull;
    }
    return acc;
}

int main(void)
{
    size_t la, lb, na, nb;
    const uint8_t *pa = zisk_input_next(&la);
    const uint8_t *pb = zisk_input_next(&lb);
    uint64_t rounds = 256, seed = 1, v;
    if (zisk_input_next_u64(&v))
        rounds = v;
    if (zisk_input_next_u64(&v))
        seed = v;

    uint64_t *a = load_limbs(pa, la, &na);
    uint64_t *b = load_limbs(pb, lb, &nb);
    size_t np = na + nb;
    uint64_t *p = malloc((np ? np : 1) * sizeof *p);
    uint32_t *w = malloc((2 * np + 1) * sizeof *w);
    char *dec = malloc(20 * np + 2); /* 2^64 < 10^20: at most 20 digits per limb */
    if (a == NULL || b == NULL || p == NULL || w == NULL || dec == NULL) {
        printf("bigint: out of memory\n");
        return 2;
    }
    mul_limbs(a, na, b, nb, p);

    size_t nw = 2 * np;
    for (size_t i = 0; i < np; i++) {
        w[2 * i] = (uint32_t)p[i];
        w[2 * i + 1] = (uint32_t)(p[i] >> 32);
    }
    while (nw > 0 && w[nw - 1] == 0)
        nw--;
    zisk_commit(0, (uint32_t)nw);
    for (unsigned i = 0; i < 8; i++)
        zisk_commit(1 + i, i < nw ? w[i] : 0);

    size_t digits = to_decimal(w, nw, dec);
    printf("a*b = %s\n", dec);
    zisk_commit(11, (uint32_t)digits);

    uint64_t m = mcheck(rounds, seed);
    printf("mcheck %lu %lu\n", (unsigned long)rounds, (unsigned long)m);
    zisk_commit_u64(9, m);
    free(dec);
    free(w);
    free(p);
    free(b);
    free(a);
    return 0;
}
