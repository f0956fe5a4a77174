/* hexout.h: small console helpers shared by the example guests. */
#ifndef GUEST_HEXOUT_H
#define GUEST_HEXOUT_H

#include <stdint.h>
#include <stdio.h>

/* Prints n bytes as lowercase hex (no newline). */
static inline void print_hex(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        printf("%02x", p[i]);
}

/* Commits a 32-byte digest as 8 words, word i = big-endian u32 of bytes 4i..4i+3 (the way
 * SHA-256 state words are usually written). */
static inline void commit_digest(const uint8_t d[32])
{
    for (unsigned i = 0; i < 8; i++)
        zisk_commit(i, (uint32_t)d[4 * i] << 24 | (uint32_t)d[4 * i + 1] << 16 |
                           (uint32_t)d[4 * i + 2] << 8 | (uint32_t)d[4 * i + 3]);
}

#endif
