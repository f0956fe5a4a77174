/*
 * keccak: Keccak-256 (Ethereum's: the original Keccak padding 0x01 ... 0x80, not SHA3's 0x06)
 * of the input's first record, with a Keccak-f[1600] written for this project.
 *
 * Console: the digest in lowercase hex.
 * Outputs: words 0..7 = digest as big-endian u32 words; word 8 = input length (low 32 bits).
 * Exit:    0.
 */
#include <stdio.h>
#include <string.h>

#include "zisk.h"
#include "lib/hexout.h"

#define KECCAK_RATE 136 /* bytes: 1600 - 2*256 bits of capacity */

static const uint64_t round_constants[24] = {
    0x0000000000000001ull, 0x0000000000008082ull, 0x800000000000808aull, 0x8000000080008000ull,
    0x000000000000808bull, 0x0000000080000001ull, 0x8000000080008081ull, 0x8000000000008009ull,
    0x000000000000008aull, 0x0000000000000088ull, 0x0000000080008009ull, 0x000000008000000aull,
    0x000000008000808bull, 0x800000000000008bull, 0x8000000000008089ull, 0x8000000000008003ull,
    0x8000000000008002ull, 0x8000000000000080ull, 0x000000000000800aull, 0x800000008000000aull,
    0x8000000080008081ull, 0x8000000000008080ull, 0x0000000080000001ull, 0x8000000080008008ull,
};

/* rho rotation and pi destination, in the order the combined rho-pi walk visits lanes. */
static const unsigned rho[24] = {1,  3,  6,  10, 15, 21, 28, 36, 45, 55, 2,  14,
                                 27, 41, 56, 8,  25, 43, 62, 18, 39, 61, 20, 44};
static const unsigned pi[24] = {10, 7,  11, 17, 18, 3, 5,  16, 8,  21, 24, 4,
                                15, 23, 19, 13, 12, 2, 20, 14, 22, 9,  6,  1};

static uint64_t rotl64(uint64_t x, unsigned n)
{
    return (x << n) | (x >> ((64 - n) & 63));
}

/* Lanes indexed x + 5*y. */
static void keccak_f1600(uint64_t s[25])
{
    for (int round = 0; round < 24; round++) {
        uint64_t c[5], t;
        for (int x = 0; x < 5; x++)
            c[x] = s[x] ^ s[x + 5] ^ s[x + 10] ^ s[x + 15] ^ s[x + 20];
        for (int x = 0; x < 5; x++) {
            t = c[(x + 4) % 5] ^ rotl64(c[(x + 1) % 5], 1);
            for (int y = 0; y < 25; y += 5)
                s[y + x] ^= t;
        }
        t = s[1];
        for (int i = 0; i < 24; i++) {
            uint64_t next = s[pi[i]];
            s[pi[i]] = rotl64(t, rho[i]);
            t = next;
        }
        for (int y = 0; y < 25; y += 5) {
            uint64_t row[5];
            for (int x = 0; x < 5; x++)
                row[x] = s[y + x];
            for (int x = 0; x < 5; x++)
                s[y + x] = row[x] ^ (~row[(x + 1) % 5] & row[(x + 2) % 5]);
        }
        s[0] ^= round_constants[round];
    }
}

static void absorb_block(uint64_t s[25], const uint8_t *p)
{
    for (int i = 0; i < KECCAK_RATE / 8; i++) {
        uint64_t lane = 0;
        for (int b = 0; b < 8; b++)
            lane |= (uint64_t)p[8 * i + b] << (8 * b);
        s[i] ^= lane;
    }
    keccak_f1600(s);
}

static void keccak256(const uint8_t *data, size_t len, uint8_t out[32])
{
    uint64_t s[25] = {0};
    while (len >= KECCAK_RATE) {
        absorb_block(s, data);
        data += KECCAK_RATE;
        len -= KECCAK_RATE;
    }
    uint8_t last[KECCAK_RATE] = {0};
    memcpy(last, data, len);
    last[len] ^= 0x01;
    last[KECCAK_RATE - 1] ^= 0x80; /* same byte as the 0x01 when len == 135: 0x81 */
    absorb_block(s, last);
    for (int i = 0; i < 32; i++)
        out[i] = (uint8_t)(s[i / 8] >> (8 * (i % 8)));
}

int main(void)
{
    size_t len;
    const uint8_t *data = zisk_input_next(&len);
    uint8_t digest[32];
    keccak256(data, len, digest);
    print_hex(digest, sizeof digest);
    printf("\n");
    commit_digest(digest);
    zisk_commit(8, (uint32_t)len);
    return 0;
}
