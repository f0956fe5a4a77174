/*
 * bench: a compute-heavy guest for measuring emulation speed; the work is set by the input.
 *
 * Each iteration mixes what real guests do:
 *   - memory traffic: BENCH_STEPS dependent random read-modify-writes over a 128 KiB table
 *     (BENCH_WORDS u64; the index is taken with remu by a prime, so no masking shortcut);
 *   - integer M: a mul, an unsigned and a signed division per step;
 *   - hashing: BENCH_HASHES SHA-256 of a 64-byte message (two compressions each), chained.
 * About 2.8e5 RISC-V instructions per iteration (-O2, rv64imac): the default 1000 iterations
 * run about 2.76e8 instructions (zisk execute counted 275,807,762 steps).
 *
 * Input:   record 0 (optional): u64 iterations (default 1000).
 * Console: "bench: <iterations> iterations, checksum <c>".
 * Outputs: words 0..7 = final chained digest (big-endian words); words 8,9 = checksum (low,
 *          high) = xor of the table words, each multiplied by (index + 1); words 10,11 =
 *          iterations.
 * Exit:    0.
 *
 * The reference (tests/guests/references.py) follows these steps exactly; change both together.
 */
#include <stdio.h>
#include <string.h>

#include "zisk.h"
#include "lib/hexout.h"
#include "lib/sha256.h"

#define BENCH_WORDS 16381u /* prime */
#define BENCH_STEPS 4096u
#define BENCH_HASHES 16u
#define GOLDEN 0x9e3779b97f4a7c15ull

static uint64_t table[BENCH_WORDS];

static uint64_t load_le64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

static void store_le64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

int main(void)
{
    uint64_t iterations = 1000;
    uint64_t given;
    if (zisk_input_next_u64(&given))
        iterations = given;

    for (uint64_t i = 0; i < BENCH_WORDS; i++)
        table[i] = i * GOLDEN;
    uint8_t h[32] = {0};

    for (uint64_t it = 0; it < iterations; it++) {
        uint64_t x = load_le64(h) ^ it;
        for (uint64_t j = 0; j < BENCH_STEPS; j++) {
            uint64_t idx = x % BENCH_WORDS;
            uint64_t v = table[idx];
            x = (x ^ v) * GOLDEN + j;
            x ^= x >> 29;
            uint64_t q = x / (v | 1);
            /* (v >> 3) | 1 is positive and below 2^61: no division by zero or overflow. */
            int64_t sq = (int64_t)x / (int64_t)((v >> 3) | 1);
            table[idx] = v + q + (uint64_t)sq + (x >> 7);
        }
        for (unsigned r = 0; r < BENCH_HASHES; r++) {
            uint8_t msg[64];
            memcpy(msg, h, 32);
            for (unsigned k = 0; k < 4; k++)
                store_le64(msg + 32 + 8 * k, table[(r * 4 + k) % BENCH_WORDS]);
            sha256(msg, sizeof msg, h);
        }
    }

    uint64_t checksum = 0;
    for (uint64_t i = 0; i < BENCH_WORDS; i++)
        checksum ^= table[i] * (i + 1);
    printf("bench: %lu iterations, checksum %lu\n", (unsigned long)iterations,
           (unsigned long)checksum);
    commit_digest(h);
    zisk_commit_u64(8, checksum);
    zisk_commit_u64(10, iterations);
    return 0;
}
