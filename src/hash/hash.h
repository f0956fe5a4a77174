/*
 * hash.h: Poseidon2 over Goldilocks (width 12), the sponge that hashes rows of field elements,
 * and the 2-to-1 compression used for Merkle nodes. The exact conventions (byte-for-byte
 * reproducible by a reimplementation) are in docs/PROOF_SYSTEM_CONVENTIONS.md; the summary:
 *
 * Permutation
 *   poseidon2_permute is ZisK's Poseidon2 parameter set, exactly as
 *   ../shared/vectors/poseidon2-goldilocks-w12.txt describes (x^7 S-box, 4 + 22 + 4 rounds,
 *   external layer "M4 blocks then add the column sums", internal layer "x[i]*DIAG[i] + sum").
 *   The constants are compiled in; tests/hash checks them and every KAT against that file.
 *
 * Sponge (hash_sponge): rate 8 (state[0..8)), capacity 4 (state[8..12)), overwrite mode.
 *   state = 0; state[8] = len (the number of input elements); state[11] = HASH_DOMAIN_SPONGE.
 *   For each block of 8 inputs (the last one zero-padded; an empty input is one all-zero block):
 *   state[0..8) = block; permute. The digest is state[0..4).
 *   Because the length is in the capacity, inputs that differ only by trailing zeros hash
 *   differently, and no input collides with a compression (whose capacity starts as zero).
 *
 * Compression (hash_compress): state = (left[0..4], right[0..4], 0, 0, 0, 0); permute;
 *   the result is state[0..4). One permutation per Merkle node. Only 2-to-1 is provided.
 *
 * Implementations: a scalar reference and an AVX-512 kernel that runs 8 permutations at once
 * (one 8-lane vector per state element), chosen at run time through gl_simd_best() (capped by
 * ZISK_SIMD=scalar|avx2|avx512). There is no AVX2 kernel yet: that level runs the scalar code.
 * All give identical results.
 *
 * Memory: nothing here allocates; every function works on caller-owned buffers. Inputs must be
 * canonical field elements (gl.h); outputs are canonical. Calling with non-canonical inputs or
 * NULL pointers is a caller bug (checked with ZISK_ASSERT where cheap). All functions are
 * thread-safe (no shared mutable state besides the one-time CPU detection in field/).
 */
#ifndef ZISK_HASH_H
#define ZISK_HASH_H

#include <stddef.h>
#include <stdint.h>

#include "gl.h"

#define POSEIDON2_WIDTH 12
#define POSEIDON2_FULL_ROUNDS 8    /* 4 before and 4 after the partial rounds */
#define POSEIDON2_PARTIAL_ROUNDS 22
#define POSEIDON2_N_RC 118         /* 48 + 22 + 48 round constants */
/* Number of permutations a SIMD kernel computes at once (the "x8" layout below). */
#define POSEIDON2_LANES 8

#define HASH_RATE 8
#define HASH_CAPACITY 4
#define HASH_DIGEST_LEN 4

/* Domain tags written into state[11] (the last capacity element) when a sponge starts. The
 * compression starts with an all-zero capacity (tag 0). */
#define HASH_DOMAIN_COMPRESS 0
#define HASH_DOMAIN_SPONGE 1
#define HASH_DOMAIN_TRANSCRIPT 2

/* A digest: 4 canonical field elements (about 256 bits). */
typedef struct hash_digest {
    gl_t h[HASH_DIGEST_LEN];
} hash_digest;

/* The compiled-in constants (exposed so tests can compare them with the vectors file). */
extern const gl_t poseidon2_diag[POSEIDON2_WIDTH];
extern const gl_t poseidon2_rc[POSEIDON2_N_RC];

/* ---------------------------------------------------------------------------------------- */
/* Permutation                                                                               */
/* ---------------------------------------------------------------------------------------- */

/* Applies the permutation in place to one state (scalar reference implementation). */
void poseidon2_permute(gl_t state[POSEIDON2_WIDTH]);

/* Applies the permutation to 8 states at once, stored element-major ("x8" layout):
 * st[i][j] is element i of state j. Uses the SIMD kernel of `level` (GL_SIMD_SCALAR runs the
 * reference 8 times). `level` must be usable on this CPU (gl_vec_ops_get(level) != NULL);
 * otherwise it aborts (caller bug). */
void poseidon2_permute_x8_level(gl_simd_level level, gl_t st[POSEIDON2_WIDTH][POSEIDON2_LANES]);

/* Same with the best level for this CPU (gl_simd_best()). */
void poseidon2_permute_x8(gl_t st[POSEIDON2_WIDTH][POSEIDON2_LANES]);

/* Applies the permutation to n states stored one after the other (state k is
 * states[12k .. 12k+12)), 8 at a time with the SIMD kernel of `level`. Single-threaded. */
void poseidon2_permute_batch_level(gl_simd_level level, gl_t *states, size_t n);

/* Same with the best level for this CPU. */
void poseidon2_permute_batch(gl_t *states, size_t n);

/* Benchmarks (the hashing floor's unit): permutations per second the calling thread reaches
 * with poseidon2_permute_batch, measured for at least `seconds`. */
double poseidon2_measure_rate(double seconds);

/* ---------------------------------------------------------------------------------------- */
/* Sponge and compression                                                                    */
/* ---------------------------------------------------------------------------------------- */

/* Hashes len elements in[0], in[stride], ..., in[(len-1)*stride] (stride >= 1; use 1 for a
 * contiguous row) with the sponge described above. len must be < p (always true in practice). */
void hash_sponge(const gl_t *in, size_t len, size_t stride, hash_digest *out);

/* 2-to-1 compression of two digests (Merkle node). out may alias left or right. */
void hash_compress(const hash_digest *left, const hash_digest *right, hash_digest *out);

/* out[i] = hash_compress(&in[2i], &in[2i+1]) for i < n_out, 8 at a time with SIMD.
 * in has 2*n_out digests; out must not overlap in. Single-threaded. */
void hash_compress_pairs(const hash_digest *in, size_t n_out, hash_digest *out);

/* Hashes the rows r in [0, n_rows) of a matrix whose element (r, c) is
 * mat[r*row_stride + c*col_stride]: out[r] = hash_sponge(row r, n_cols). Row-major storage is
 * (row_stride = n_cols, col_stride = 1); column-major is (row_stride = 1, col_stride = n_rows).
 * 8 rows at a time with SIMD; single-threaded (the Merkle builder splits the rows among threads).
 * n_cols may be 0 (every row then hashes as the empty input). */
void hash_rows(const gl_t *mat, size_t n_rows, size_t n_cols, size_t row_stride,
               size_t col_stride, hash_digest *out);

/* Same as hash_rows with an explicit SIMD level (tests, benchmarks). */
void hash_rows_level(gl_simd_level level, const gl_t *mat, size_t n_rows, size_t n_cols,
                     size_t row_stride, size_t col_stride, hash_digest *out);

/* Hashes leaves made of several rows: leaf r (r < n_leaves) is the concatenation of the n_parts
 * rows r, r + part_stride / row_stride, ... , i.e. its elements are
 * mat[r*row_stride + p*part_stride + c*col_stride] for p < n_parts, then c < n_cols, in that
 * order (all of part 0's row first). out[r] = hash_sponge of those n_parts * n_cols elements.
 * n_parts = 1 is hash_rows. The STARK's trees put the rows of x and -x in one leaf this way
 * (docs/PROOF_SYSTEM_CONVENTIONS.md, "Merkle trees"). 8 leaves at a time with SIMD;
 * single-threaded. n_parts >= 1. */
void hash_leaves(const gl_t *mat, size_t n_leaves, size_t n_parts, size_t part_stride,
                 size_t n_cols, size_t row_stride, size_t col_stride, hash_digest *out);

/* Same as hash_leaves with an explicit SIMD level (tests, benchmarks). */
void hash_leaves_level(gl_simd_level level, const gl_t *mat, size_t n_leaves, size_t n_parts,
                       size_t part_stride, size_t n_cols, size_t row_stride, size_t col_stride,
                       hash_digest *out);

/* 1 when the two digests are equal. */
static inline int hash_digest_eq(const hash_digest *a, const hash_digest *b) {
    return a->h[0] == b->h[0] && a->h[1] == b->h[1] && a->h[2] == b->h[2] && a->h[3] == b->h[3];
}

#endif
