/*
 * hash_internal.h (private to src/hash): the 8-lane permutation kernels. Each SIMD kernel is
 * compiled in its own file with the matching -m flags and may only run after the field layer's
 * CPU detection said the level is usable (poseidon2_x8_kernel checks that).
 */
#ifndef ZISK_HASH_INTERNAL_H
#define ZISK_HASH_INTERNAL_H

#include "hash.h"

/* Permutes 8 states in the x8 layout (st[i][j] = element i of state j); canonical in and out. */
typedef void (*poseidon2_x8_fn)(gl_t st[POSEIDON2_WIDTH][POSEIDON2_LANES]);

#if defined(ZISK_HASH_HAVE_AVX512)
void poseidon2_x8_avx512(gl_t st[POSEIDON2_WIDTH][POSEIDON2_LANES]);
/* Permutes n_groups * 8 states stored one after the other (state k is states[12k .. 12k+12)),
 * 8 at a time, transposing in registers instead of through the x8 layout. */
void poseidon2_states_avx512(gl_t *states, size_t n_groups);
/* hash_leaves over n_groups * 8 leaves of a column-major matrix (row_stride 1): out[r] = the
 * sponge of leaf r for r < 8 * n_groups (hash.h). */
void poseidon2_sponge_cols_avx512(const gl_t *mat, size_t n_groups, size_t n_parts,
                                  size_t part_stride, size_t n_cols, size_t col_stride,
                                  hash_digest *out);
#endif
#if defined(ZISK_HASH_HAVE_AVX2)
void poseidon2_x8_avx2(gl_t st[POSEIDON2_WIDTH][POSEIDON2_LANES]);
#endif

/* The kernel for a level that must be usable on this CPU (aborts otherwise). Levels without a
 * kernel of their own use the next lower one. */
poseidon2_x8_fn poseidon2_x8_kernel(gl_simd_level level);

/* Test hook into the AVX-512 kernel's arithmetic (poseidon2_avx512.c), so tests/hash can check
 * each step against 128-bit integer arithmetic on edge cases a permutation seldom reaches (the
 * carry-and-borrow case of the reduction, operands near 2^64, largest half sums). Computes, for
 * each of the 8 lanes j, with any 64-bit a[j], b[j] unless said otherwise:
 *   P2_TEST_REDUCE128   (a * 2^64 + b) mod p
 *   P2_TEST_MUL         a * b mod p
 *   P2_TEST_SQR         a^2 mod p
 *   P2_TEST_MUL_HALVES  a * b mod p through the biased-halves product of the full rounds
 *   P2_TEST_MUL_DIAG    a * DIAG'[b[0] % 12] mod p through the limb products of the partial
 *                       rounds (DIAG' = DIAG with DIAG[0] + 1 in place of DIAG[0])
 *   P2_TEST_COMBINE     (a + b * 2^32) mod p, for a, b < 2^62
 * out[j] is canonical. Returns 0, or -1 when the AVX-512 kernel is not compiled in or not usable
 * on this CPU (out untouched). */
enum {
    P2_TEST_REDUCE128,
    P2_TEST_MUL,
    P2_TEST_SQR,
    P2_TEST_MUL_HALVES,
    P2_TEST_MUL_DIAG,
    P2_TEST_COMBINE,
};
int poseidon2_avx512_test_op(int op, const gl_t a[8], const gl_t b[8], gl_t out[8]);
#if defined(ZISK_HASH_HAVE_AVX512)
void poseidon2_avx512_test_op_impl(int op, const gl_t a[8], const gl_t b[8], gl_t out[8]);
#endif

#endif
