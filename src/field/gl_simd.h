/*
 * gl_simd.h (private to src/field): the SIMD backends' kernel tables. Each is compiled in its
 * own file with the matching -m flags and must only be used after gl.c checked the CPU.
 */
#ifndef ZISK_FIELD_GL_SIMD_H
#define ZISK_FIELD_GL_SIMD_H

#include "gl.h"

#if defined(ZISK_GL_HAVE_AVX2)
extern const gl_vec_ops gl_avx2_ops;
#endif
#if defined(ZISK_GL_HAVE_AVX512)
extern const gl_vec_ops gl_avx512_ops;
#endif

#endif
