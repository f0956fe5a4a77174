/*
 * sponge.c: the row sponge, the 2-to-1 compression and their 8-lane batch forms. The batch
 * forms must give exactly what the one-at-a-time forms give (tests/hash checks it).
 */
#include <string.h>

#include "base.h"
#include "hash.h"
#include "hash_internal.h"

void hash_sponge(const gl_t *in, size_t len, size_t stride, hash_digest *out) {
    ZISK_ASSERT(out != NULL && (len == 0 || in != NULL) && stride >= 1);
    ZISK_ASSERT((uint64_t)len < GL_P);
    gl_t st[POSEIDON2_WIDTH] = {0};
    st[HASH_RATE] = (gl_t)len;
    st[POSEIDON2_WIDTH - 1] = HASH_DOMAIN_SPONGE;
    size_t pos = 0;
    do {
        /* Overwrite the rate with the next block, zero-padded (the length in the capacity makes
         * the padding unambiguous). */
        for (size_t i = 0; i < HASH_RATE; i++, pos++) st[i] = pos < len ? in[pos * stride] : 0;
        poseidon2_permute(st);
    } while (pos < len);
    memcpy(out->h, st, sizeof out->h);
}

void hash_compress(const hash_digest *left, const hash_digest *right, hash_digest *out) {
    gl_t st[POSEIDON2_WIDTH] = {0};
    memcpy(st, left->h, sizeof left->h);
    memcpy(st + HASH_DIGEST_LEN, right->h, sizeof right->h);
    poseidon2_permute(st);
    memcpy(out->h, st, sizeof out->h);
}

void hash_compress_pairs(const hash_digest *in, size_t n_out, hash_digest *out) {
    poseidon2_x8_fn kernel = poseidon2_x8_kernel(gl_simd_best());
    gl_t st[POSEIDON2_WIDTH][POSEIDON2_LANES];
    for (size_t k = 0; k < n_out; k += POSEIDON2_LANES) {
        size_t lanes = n_out - k < POSEIDON2_LANES ? n_out - k : POSEIDON2_LANES;
        memset(st, 0, sizeof st);
        for (size_t j = 0; j < lanes; j++) {
            const hash_digest *l = &in[2 * (k + j)], *r = l + 1;
            for (int i = 0; i < HASH_DIGEST_LEN; i++) {
                st[i][j] = l->h[i];
                st[HASH_DIGEST_LEN + i][j] = r->h[i];
            }
        }
        kernel(st);
        for (size_t j = 0; j < lanes; j++)
            for (int i = 0; i < HASH_DIGEST_LEN; i++) out[k + j].h[i] = st[i][j];
    }
}

void hash_leaves_level(gl_simd_level level, const gl_t *mat, size_t n_leaves, size_t n_parts,
                       size_t part_stride, size_t n_cols, size_t row_stride, size_t col_stride,
                       hash_digest *out) {
    ZISK_ASSERT(n_parts >= 1);
    const size_t len = n_parts * n_cols;
    ZISK_ASSERT(n_cols == 0 || len / n_cols == n_parts);
    ZISK_ASSERT((uint64_t)len < GL_P);
    poseidon2_x8_fn kernel = poseidon2_x8_kernel(level);
    size_t n_blocks = len == 0 ? 1 : (len + HASH_RATE - 1) / HASH_RATE;
    gl_t st[POSEIDON2_WIDTH][POSEIDON2_LANES];
    size_t first = 0;
#if defined(ZISK_HASH_HAVE_AVX512)
    /* Column-major matrices (the STARK's LDEs) load straight into the kernel's registers;
     * the tail of fewer than 8 leaves goes the generic way below. */
    if (kernel == poseidon2_x8_avx512 && row_stride == 1 && n_leaves >= POSEIDON2_LANES) {
        poseidon2_sponge_cols_avx512(mat, n_leaves / POSEIDON2_LANES, n_parts, part_stride,
                                     n_cols, col_stride, out);
        first = n_leaves - n_leaves % POSEIDON2_LANES;
    }
#endif
    for (size_t r0 = first; r0 < n_leaves; r0 += POSEIDON2_LANES) {
        size_t lanes = n_leaves - r0 < POSEIDON2_LANES ? n_leaves - r0 : POSEIDON2_LANES;
        memset(st, 0, sizeof st);
        for (size_t j = 0; j < POSEIDON2_LANES; j++) {
            st[HASH_RATE][j] = (gl_t)len;
            st[POSEIDON2_WIDTH - 1][j] = HASH_DOMAIN_SPONGE;
        }
        size_t part = 0, col = 0; /* the next element's position */
        for (size_t b = 0; b < n_blocks; b++) {
            /* Gather the block of each of the lanes leaves into the x8 layout; lanes past the
             * last leaf stay zero-filled and are dropped. */
            for (size_t i = 0; i < HASH_RATE; i++) {
                if (b * HASH_RATE + i < len) {
                    const gl_t *src = mat + r0 * row_stride + part * part_stride + col * col_stride;
                    size_t j = 0;
                    for (; j < lanes; j++) st[i][j] = src[j * row_stride];
                    for (; j < POSEIDON2_LANES; j++) st[i][j] = 0;
                    if (++col == n_cols) col = 0, part++;
                } else {
                    memset(st[i], 0, sizeof st[i]);
                }
            }
            kernel(st);
        }
        for (size_t j = 0; j < lanes; j++)
            for (int i = 0; i < HASH_DIGEST_LEN; i++) out[r0 + j].h[i] = st[i][j];
    }
}

void hash_leaves(const gl_t *mat, size_t n_leaves, size_t n_parts, size_t part_stride,
                 size_t n_cols, size_t row_stride, size_t col_stride, hash_digest *out) {
    hash_leaves_level(gl_simd_best(), mat, n_leaves, n_parts, part_stride, n_cols, row_stride,
                      col_stride, out);
}

void hash_rows_level(gl_simd_level level, const gl_t *mat, size_t n_rows, size_t n_cols,
                     size_t row_stride, size_t col_stride, hash_digest *out) {
    hash_leaves_level(level, mat, n_rows, 1, 0, n_cols, row_stride, col_stride, out);
}

void hash_rows(const gl_t *mat, size_t n_rows, size_t n_cols, size_t row_stride,
               size_t col_stride, hash_digest *out) {
    hash_rows_level(gl_simd_best(), mat, n_rows, n_cols, row_stride, col_stride, out);
}
