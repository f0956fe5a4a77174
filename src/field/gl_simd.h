/*
 * gl_simd.h (private to src/field): the SIMD backends' kernel tables. Each is compiled in its
 * own file with the matching -m flags and must only be used after gl.c checked the CPU.
 */
#ifndef ZISK_FIELD_GL_SIMD_H
#define ZISK_FIELD_GL_SIMD_H

#include "gl.h"

/* Scalar versions of the small-stage kernels (backends without a faster one reuse them). */
void gl_scalar_dit_small(gl_t *x, size_t n, const gl_t *tw);
void gl_scalar_dif_small(gl_t *x, size_t n, const gl_t *tw);

#if defined(ZISK_GL_HAVE_AVX2)
extern const gl_vec_ops gl_avx2_ops;
#endif
#if defined(ZISK_GL_HAVE_AVX512)
extern const gl_vec_ops gl_avx512_ops;
#endif

#endif
