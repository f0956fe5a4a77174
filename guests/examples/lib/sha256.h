/*
 * sha256.h: SHA-256 (FIPS 180-4) for guests, written for this project. Used by the sha256 and
 * bench guests. Streaming interface; no allocation.
 */
#ifndef GUEST_SHA256_H
#define GUEST_SHA256_H

#include <stddef.h>
#include <stdint.h>

typedef struct sha256_ctx {
    uint32_t h[8];
    uint64_t total;     /* bytes absorbed so far */
    uint8_t block[64];  /* pending partial block */
    size_t used;        /* bytes in block */
} sha256_ctx;

void sha256_init(sha256_ctx *c);
void sha256_update(sha256_ctx *c, const void *data, size_t len);
/* Writes the 32-byte digest; the context must be re-initialised before reuse. */
void sha256_final(sha256_ctx *c, uint8_t out[32]);
/* One-shot helper. */
void sha256(const void *data, size_t len, uint8_t out[32]);

#endif
