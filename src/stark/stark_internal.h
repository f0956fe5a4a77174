/*
 * stark_internal.h: what the STARK prover, verifier and codec share (not part of the API).
 * The transcript helpers are the single definition of the protocol's Fiat-Shamir order, so the
 * prover and the verifier cannot drift apart (docs/STARK.md, "Protocol").
 */
#ifndef ZISK_STARK_INTERNAL_H
#define ZISK_STARK_INTERNAL_H

#include "stark.h"
#include "transcript.h"

/* Domain-separation labels absorbed as byte strings. */
#define STARK_LABEL_VK "zisk-stark-vk-v1"
#define STARK_LABEL_JOB "zisk-stark-job-v1"
#define STARK_LABEL_INSTANCE "zisk-stark-v1"

/* Column counts of the trees of AIR a (quotient: 3 * air_quotient_chunks). */
void stark_tree_cols(const air *a, uint32_t n_cols[STARK_N_TREES]);

/* The VK digest of (a, p, log_n, n_cols, fixed_root). */
void stark_vk_digest(const air *a, const stark_params *p, unsigned log_n,
                     const uint32_t n_cols[STARK_N_TREES], const hash_digest *fixed_root,
                     hash_digest *out);

/* Transcript steps up to lambda, z and gamma; both sides call exactly these. */
void stark_transcript_begin(transcript *t, const stark_challenges *ch,
                            const hash_digest *vk_digest, const gl_t *publics,
                            uint32_t n_publics, const hash_digest *stage1_root);
/* absorb stage-2 root and bus sum, squeeze lambda. */
gl3_t stark_transcript_lambda(transcript *t, const hash_digest *stage2_root, gl3_t bus_sum);
/* absorb the quotient root, squeeze z (again while z is in H_n or in the LDE coset). */
gl3_t stark_transcript_z(transcript *t, const hash_digest *quotient_root, unsigned log_n,
                         unsigned log_lde);
/* absorb the out-of-domain values, squeeze gamma. */
gl3_t stark_transcript_gamma(transcript *t, const gl3_t *ood, size_t n_ood);

/* The constraint selectors at a point zeta outside H_n (air.h, air_selectors):
 * every_row 1/Z, transition (zeta - w^-1)/Z, first 1/(zeta - 1), last 1/(zeta - w^-1),
 * Z = zeta^n - 1. */
void stark_selectors_at(gl3_t zeta, unsigned log_n, gl3_t sel[AIR_N_KINDS]);

/* Q(z) from the quotient columns' values at z (3 per chunk, component c of chunk j at 3j + c):
 * sum_j z^(j*n) * (v[3j] + v[3j+1] X + v[3j+2] X^2). */
gl3_t stark_quotient_at(const gl3_t *v, uint32_t n_chunks, gl3_t z, unsigned log_n);

/* out[i] = a[i]^-1 for i < n (zeros map to zero); scratch: n elements. */
void stark_gl3_batch_inv(gl3_t *out, const gl3_t *a, size_t n, gl3_t *scratch);

/* The prover's inner products (stark_kernels.c), parallel with OpenMP.
 *
 * stark_ood_values: the out-of-domain values. trace[j] (j < n_trace) are columns of n = 2^log_n
 * evaluations over H_n (natural order); out_z[j] = p_j(z) and out_zw[j] = p_j(z w) for their
 * degree < n interpolants p_j (w = gl_root_of_unity(log_n); z must lie outside H_n). coef[j]
 * (j < n_coef) are columns of n coefficients (constant first); out_z[n_trace + j] = their
 * polynomial at z. out_z has n_trace + n_coef entries, out_zw n_trace. */
void stark_ood_values(unsigned log_n, const gl_t *const *trace, size_t n_trace,
                      const gl_t *const *coef, size_t n_coef, gl3_t z, gl3_t *out_z,
                      gl3_t *out_zw);

/* stark_deep_codeword: the DEEP codeword on the LDE coset g*H_N (N = 2^log_lde, natural order):
 *   f(x) = sum_{k<K} gamma^k (c_k(x) - ood[k]) / (x - z)
 *        + sum_{k<Kt} gamma^(K+k) (c_k(x) - ood[K+k]) / (x - z w)
 * where cols[k] are the K committed LDE columns (N values each), the first Kt of them the trace
 * columns whose values at z w are opened, ood as stark_proof.ood (K values at z, then Kt at
 * z w), w = gl_root_of_unity(log_n). Writes f[0 .. N). z must lie outside the LDE coset. */
void stark_deep_codeword(unsigned log_n, unsigned log_lde, const gl_t *const *cols, size_t K,
                         size_t Kt, gl3_t z, gl3_t gamma, const gl3_t *ood, gl3_t *f);

/* Test hook (malicious prover, tests only, not thread-safe): when >= 0, stark_finish adds 1 to
 * the DEEP codeword at every LDE row whose position in FRI's first coset is this value (row div
 * (N >> k_0)), after computing it honestly and before FRI runs: each query's coset then holds
 * one value that differs from what the trees give. STARK_TEST_DEEP_ALL adds 1 at every row (a
 * low-degree f + 1 that FRI alone accepts). -1, the default, disables it. */
#define STARK_TEST_DEEP_ALL (-2)
extern int stark_test_deep_offset;

/* Multiplies an extension element by X (the element {0, 1, 0}): used to combine the three
 * component columns of an extension column. */
static inline gl3_t stark_gl3_mul_x(gl3_t a) {
    /* (a0 + a1 X + a2 X^2) X = a2 + (a0 + a2) X + a1 X^2, since X^3 = X + 1. */
    return (gl3_t){{a.c[2], gl_add(a.c[0], a.c[2]), a.c[1]}};
}

static inline gl3_t stark_gl3_from_components(gl3_t v0, gl3_t v1, gl3_t v2) {
    /* v0 + X v1 + X^2 v2, Horner in X. */
    return gl3_add(v0, stark_gl3_mul_x(gl3_add(v1, stark_gl3_mul_x(v2))));
}

#endif
