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
#endif
#if defined(ZISK_HASH_HAVE_AVX2)
void poseidon2_x8_avx2(gl_t st[POSEIDON2_WIDTH][POSEIDON2_LANES]);
#endif

/* The kernel for a level that must be usable on this CPU (aborts otherwise). Levels without a
 * kernel of their own use the next lower one. */
poseidon2_x8_fn poseidon2_x8_kernel(gl_simd_level level);

#endif
