/*
 * gl_simd.h (private to src/field): the SIMD backends' kernel tables. Each is compiled in its
 * own file with the matching -m flags and must only be used after gl.c checked the CPU.
 */
#ifndef ZISK_FIELD_GL_SIMD_H
#define ZISK_FIELD_GL_SIMD_H

#include "gl.h"

/* Scalar versions of the NTT heads and tails and of scale_powers (backends without a faster one
 * reuse them). */
void gl_scalar_ntt_ct_tail(gl_t *x, size_t n, const gl_t *tw4, const gl_t *tw2, const gl_t *tw1);
void gl_scalar_ntt_gs_head(gl_t *x, size_t n, const gl_t *tw1, const gl_t *tw2, const gl_t *tw4);
void gl_scalar_ntt_lde2_head(gl_t *out, const gl_t *in, size_t n, const gl_t *t, const gl_t *tw1,
                             const gl_t *tw2, const gl_t *tw4);
void gl_scalar_scale_powers(gl_t *x, size_t n, gl_t c, gl_t s);

#if defined(ZISK_GL_HAVE_AVX2)
extern const gl_vec_ops gl_avx2_ops;
#endif
#if defined(ZISK_GL_HAVE_AVX512)
extern const gl_vec_ops gl_avx512_ops;
#endif

#endif
