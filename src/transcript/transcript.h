/*
 * transcript.h: the Fiat-Shamir transcript, a duplex sponge over Poseidon2 (width 12, rate 8,
 * capacity 4). The prover and the verifier make the same sequence of calls and so derive the
 * same challenges. Exact conventions (docs/PROOF_SYSTEM_CONVENTIONS.md, "Transcript"):
 *
 *   init:    state = 0 except state[11] = HASH_DOMAIN_TRANSCRIPT; no pending input or output.
 *   absorb x: pending outputs are discarded; x is appended to the input buffer; when the buffer
 *            holds 8 elements the transcript duplexes.
 *   duplex:  with k buffered inputs (0 <= k <= 8): state[i] = in[i] for i < k (the rest of the
 *            rate keeps its value), state[8] += k (mod p), permute; the input buffer empties and
 *            the output buffer becomes state[0..8).
 *   squeeze: if inputs are pending or no output is left, duplex; then take the next output,
 *            state[0] first, state[7] last.
 *   Adding k to the capacity makes the encoding injective: absorbing [a] and [a, s1] (s1 = the
 *   current state[1]) start different permutations.
 *
 * Encodings: an extension element c0 + c1*X + c2*X^2 is absorbed/squeezed as c0, c1, c2; a
 * digest as h[0..4); a byte string as its length, then 7-byte little-endian chunks (the last one
 * zero-padded), each < 2^56 and so canonical. A query index in [0, 2^k) is the low k bits of a
 * squeezed element, k <= 32, after rejecting the value p - 1 (squeeze again): since
 * p - 1 = 2^32 * (2^32 - 1), the remaining p - 1 values cover every residue mod 2^k equally, so
 * indices are exactly uniform (p - 1 itself occurs with probability 2^-64).
 *
 * Proof of work (grinding) with `bits` bits: a nonce n (0 <= n < p) is valid when, on a copy of
 * the transcript, absorb(n) and then v = squeeze() gives v < 2^(64 - bits) (the top `bits` bits
 * of the 64-bit value are zero). Both sides then continue from the transcript that absorbed n
 * and squeezed v. The prover searches n = 0, 1, 2, ... and returns the smallest valid nonce.
 *
 * Memory: the transcript is a plain value (copy it to fork); nothing allocates. Absorbing a
 * non-canonical element is a caller bug (abort): data from a proof must be checked first.
 */
#ifndef ZISK_TRANSCRIPT_H
#define ZISK_TRANSCRIPT_H

#include <stddef.h>
#include <stdint.h>

#include "base.h"
#include "gl.h"
#include "hash.h"

/* The largest grinding parameter accepted (the prover's search takes ~2^bits permutations). */
#define TRANSCRIPT_MAX_POW_BITS 40
/* The largest log2 of a query-index range. */
#define TRANSCRIPT_MAX_INDEX_BITS 32

typedef struct transcript {
    gl_t state[POSEIDON2_WIDTH];
    gl_t in[HASH_RATE];  /* pending inputs in[0 .. n_in) */
    unsigned n_in;
    unsigned n_out;      /* outputs left: the next is state[HASH_RATE - n_out] */
} transcript;

/* Starts an empty transcript. */
void transcript_init(transcript *t);

/* Absorbs one canonical base-field element. */
void transcript_absorb(transcript *t, gl_t x);

/* Absorbs n canonical elements in order. */
void transcript_absorb_many(transcript *t, const gl_t *xs, size_t n);

/* Absorbs an extension element (c0, c1, c2). */
void transcript_absorb_ext(transcript *t, gl3_t x);

/* Absorbs a digest (h[0], .., h[3]). */
void transcript_absorb_digest(transcript *t, const hash_digest *d);

/* Absorbs a byte string (labels, parameters): its length, then 7-byte little-endian chunks. */
void transcript_absorb_bytes(transcript *t, const void *data, size_t len);

/* Squeezes a uniformly distributed base-field element. */
gl_t transcript_squeeze(transcript *t);

/* Squeezes an extension element: three base squeezes c0, c1, c2. */
gl3_t transcript_squeeze_ext(transcript *t);

/* Squeezes an index uniform in [0, 2^log_n), log_n <= TRANSCRIPT_MAX_INDEX_BITS (abort otherwise:
 * the parameter is ours). Consumes one element (more in the 2^-64 case of a rejection). */
uint64_t transcript_squeeze_index(transcript *t, unsigned log_n);

/* Squeezes n indices in order into out (caller-owned, n entries). Duplicates are possible and
 * kept (the caller decides whether to deduplicate). */
void transcript_squeeze_indices(transcript *t, unsigned log_n, size_t n, uint64_t *out);

/* Prover side of the proof of work: finds the smallest valid nonce for `bits`
 * (<= TRANSCRIPT_MAX_POW_BITS, abort otherwise), leaves t as after absorbing it and squeezing the
 * check value, and returns it. Uses the SIMD permutation and OpenMP threads when available; the
 * result does not depend on the number of threads. bits = 0 accepts nonce 0. */
uint64_t transcript_grind(transcript *t, unsigned bits);

/* Verifier side: checks `nonce` (outside data) for `bits` and advances t the same way the prover
 * did. Returns 0, or -1 with err filled (non-canonical nonce, bits out of range, or not enough
 * leading zeros); t is then in an unspecified state and must not be used further. */
int transcript_check_pow(transcript *t, unsigned bits, uint64_t nonce, zisk_err *err);

#endif
