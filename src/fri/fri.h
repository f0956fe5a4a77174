/*
 * fri.h: FRI, the low-degree test of the STARK, over the cubic extension gl3_t: the prover
 * (commit phase, grinding, query phase), the verifier, the proof's byte encoding, and the
 * security estimate of a parameter set (docs/SECURITY.md explains the numbers).
 *
 * What is proven
 *   The input is a codeword f of N = 2^(log_degree + log_blowup) extension elements, the
 *   evaluations of a polynomial of degree < 2^log_degree (the STARK's DEEP/batched combination)
 *   on the coset g*H_N, g = GL_GENERATOR, in NATURAL order: f[i] = f(g * w_N^i), w_N =
 *   gl_root_of_unity(log N). The verifier is convinced that f is close to such a polynomial.
 *
 * Layers (docs/PROOF_SYSTEM_CONVENTIONS.md, "FRI", is the byte-exact description)
 *   Layer 0 is f itself; layer i+1 is layer i folded by 2^k_i with challenge beta_i, where
 *   k_i = min(log_arity, current log degree - final log degree). Folding stops when the degree
 *   bound reaches 2^log_final (or at once when log_degree <= log_final_size); that last codeword
 *   is not committed: its polynomial's 2^log_final coefficients are sent in the clear.
 *   Layer i lives on the coset s_i * H_{N_i} (s_0 = g, s_{i+1} = s_i^(2^k_i)), natural order.
 *   The 2^k values that fold together, at points x0 * w^j (w a primitive 2^k-th root of unity),
 *   are the positions r, r + M, r + 2M, ... (M = N_i / 2^k) of layer i: the query's COSET in
 *   layer i. Merkle leaf r of a committed layer i holds exactly those 2^k values, position j at
 *   columns 3j..3j+2 (c0, c1, c2), so one opening per layer per query suffices; the folded value
 *   goes to position r of layer i+1.
 *   Query index q in [0, N): leaf r = q mod M, position j = q div M; the next index is r.
 *   The query index is a row of the LDE domain in natural order, i.e. the same row the STARK
 *   layer opens in its own trace/quotient commitments (ntt_lde_rows' order).
 *
 *   Folding by 2^k with beta equals k binary folds with beta, beta^2, beta^4, ...; a binary fold
 *   of the values v at x and v' at -x is (v + v')/2 + beta * (v - v') / (2x). The result is the
 *   polynomial sum_t beta^t f_t(y) where f(X) = sum_{t < 2^k} X^t f_t(X^(2^k)).
 *
 * Two modes (fri_params.input_committed)
 *   0, the generic one: layer 0 is committed like every other layer (a Merkle tree of f), the
 *     proof opens it at each query, and the verifier compares the opened value at the query's
 *     position with the value the initial-values callback claims for it.
 *   1, for a caller whose own commitments already bind f (the STARK: f is a fixed function of
 *     its committed trees and of values absorbed before FRI starts, docs/STARK.md "Why FRI does
 *     not commit its input"): layer 0 is NOT committed. The prover folds f straight into layer
 *     1; the proof carries no layer-0 root and no layer-0 opening; the callback gives f at
 *     every position of each query's layer-0 coset and the verifier folds those values itself.
 *     Everything else (later layers, final polynomial, grinding, query indices) is the same.
 *
 * Transcript (both sides make exactly these calls; the caller has already bound its own
 *   commitments): absorb_bytes("zisk-fri-v1"); absorb log_degree, log_blowup, log_arity,
 *   log_final_size, n_queries, pow_bits, input_committed; for each layer i: absorb its root
 *   (not for layer 0 when input_committed), squeeze beta_i (extension); absorb the final
 *   coefficients (constant first); grinding with pow_bits; squeeze n_queries indices in [0, N)
 *   (duplicates kept, each opened separately).
 *
 * Trust
 *   The prover works on our own data: invalid parameters are a caller bug (abort; check them
 *   first with fri_params_check when they come from a configuration). The verifier and the
 *   decoder take outside data: they never abort and never read out of bounds; they return a
 *   fri_status and fill err with what failed and where (layer, query, position).
 *
 * Memory: fri_prove and fri_proof_decode allocate the proof's arrays; fri_proof_free releases
 * them. Everything else works on caller-owned buffers.
 */
#ifndef ZISK_FRI_H
#define ZISK_FRI_H

#include <stddef.h>
#include <stdint.h>

#include "base.h"
#include "gl.h"
#include "hash.h"
#include "transcript.h"

/* Limits checked by fri_params_check (and so by the decoder before it allocates anything). */
#define FRI_MAX_LOG_ARITY 4      /* folding by 2, 4, 8 or 16 */
#define FRI_MAX_LOG_BLOWUP 8
#define FRI_MAX_LOG_FINAL 16     /* at most 2^16 final coefficients */
#define FRI_MAX_QUERIES 1024
#define FRI_MAX_LOG_LDE TRANSCRIPT_MAX_INDEX_BITS /* N <= 2^32 (query indices are 32-bit) */
#define FRI_MAX_LAYERS FRI_MAX_LOG_LDE           /* every fold halves the domain at least */

/* Version written by fri_proof_encode; the decoder accepts only this one. Version 2: the
 * input_committed mode (a header field, and no layer-0 root or openings when it is set). */
#define FRI_PROOF_VERSION 2
/* Bytes of the encoding's fixed header (magic, version, log_degree, the six parameters). */
#define FRI_PROOF_HEADER_LEN 36

typedef struct fri_params {
    unsigned log_blowup;     /* 1..FRI_MAX_LOG_BLOWUP: codeword length / degree bound */
    unsigned log_arity;      /* 1..FRI_MAX_LOG_ARITY: fold by 2^log_arity per layer */
    unsigned log_final_size; /* 0..FRI_MAX_LOG_FINAL: stop at degree bound 2^log_final_size */
    unsigned n_queries;      /* 1..FRI_MAX_QUERIES */
    unsigned pow_bits;       /* 0..TRANSCRIPT_MAX_POW_BITS grinding bits before the queries */
    unsigned input_committed; /* 0 or 1: 1 = the caller's commitments bind the input codeword,
                                 layer 0 is not committed (see "Two modes" above) */
} fri_params;

/* The default set: blowup 2, folding by 8, 2^5 final coefficients, 120 queries, 12 grinding
 * bits, layer 0 committed (input_committed = 0): 120 * 1 + 12 = 132 conjectured bits from the
 * queries, 128 overall (the hash caps it); see docs/SECURITY.md (why 12 grinding bits: a zkVM
 * job grinds once per instance). */
fri_params fri_params_default(void);

/* Checks a parameter set for a codeword of degree bound 2^log_degree (every limit above,
 * input_committed 0 or 1, and log_degree + log_blowup <= FRI_MAX_LOG_LDE). Returns 0, or -1 with err saying which value. */
int fri_params_check(const fri_params *p, unsigned log_degree, zisk_err *err);

/* A proof. Its shape (n_layers, the per-layer sizes and the array lengths) follows from params
 * and log_degree alone; fri_prove and fri_proof_decode establish it and the verifier checks it
 * against the parameters it expects. Arrays are owned by the proof (fri_proof_free). */
typedef struct fri_proof {
    fri_params params;
    unsigned log_degree;       /* the input codeword has degree < 2^log_degree */
    unsigned n_layers;         /* number of folds (= layers before the final codeword) */
    unsigned first_committed;  /* 1 when input_committed and n_layers > 0 (layer 0 has no root
                                  and no openings), else 0: layers first_committed.. n_layers-1
                                  are committed */
    unsigned log_final;        /* final coefficients: 2^log_final = min(log_final_size, log_degree) */
    unsigned layer_log_size[FRI_MAX_LAYERS];  /* log2 of layer i's length */
    unsigned layer_log_arity[FRI_MAX_LAYERS]; /* k_i: layer i folds by 2^k_i */
    hash_digest roots[FRI_MAX_LAYERS]; /* roots[i] for committed layers (zero otherwise) */
    gl3_t *final_poly;         /* 2^log_final coefficients, constant term first */
    uint64_t pow_nonce;
    /* The query indices into the initial domain [0, N). Not part of the encoding: the prover
     * fills them, the decoder leaves them zero, and fri_verify re-derives them. */
    uint64_t *query_indices;
    /* Openings, per query q and committed layer i: the leaf's 3 * 2^k_i elements at
     * values[q * values_per_query + layer_value_off[i]] and its layer_log_size[i] - k_i Merkle
     * siblings (leaf level first) at siblings[q * siblings_per_query + layer_sibling_off[i]].
     * An uncommitted layer 0 takes no room (its offsets are 0). */
    gl_t *values;
    hash_digest *siblings;
    size_t values_per_query, siblings_per_query;
    size_t layer_value_off[FRI_MAX_LAYERS], layer_sibling_off[FRI_MAX_LAYERS];
} fri_proof;

/* Frees the proof's arrays and zeroes it (NULL and an already freed proof are fine). */
void fri_proof_free(fri_proof *proof);

/* ---------------------------------------------------------------------------------------- */
/* Prover                                                                                    */
/* ---------------------------------------------------------------------------------------- */

/* Runs FRI on codeword[0 .. 2^(log_degree + log_blowup)) (natural order on g*H_N, see above;
 * caller-owned, not modified) with transcript t, which it advances as described above (to the
 * state after the last query index). Fills *proof (overwritten; free with fri_proof_free)
 * including proof->query_indices, which the STARK layer uses to open its own commitments.
 * Returns 0, or 1 when the codeword turned out not to have degree < 2^log_degree (the final
 * polynomial had higher coefficients, which are dropped): the proof is still complete and
 * well-formed, and the verifier will reject it with overwhelming probability (tests use this as
 * a malicious prover). Invalid parameters abort (a caller bug). Multi-threaded with OpenMP
 * (Merkle trees, folding); the result does not depend on the thread count. Under
 * input_committed the caller must have bound the codeword in t already (fri_prove does not). */
int fri_prove(const fri_params *params, unsigned log_degree, const gl3_t *codeword,
              transcript *t, fri_proof *proof);

/* ---------------------------------------------------------------------------------------- */
/* Verifier                                                                                  */
/* ---------------------------------------------------------------------------------------- */

typedef enum fri_status {
    FRI_OK = 0,
    FRI_ERR_PARAMS,        /* bad parameters, or the proof's shape differs from the expected one */
    FRI_ERR_NONCANONICAL,  /* a root, coefficient, opened value, sibling or nonce is >= p */
    FRI_ERR_POW,           /* the grinding nonce is not valid */
    FRI_ERR_INITIAL,       /* the claimed codeword value differs from the opened layer-0 value
                              (layer 0 committed), or the callback providing the values failed
                              or gave a non-canonical one */
    FRI_ERR_MERKLE,        /* a layer opening does not lead to that layer's root */
    FRI_ERR_FOLD,          /* a folded value differs from the value opened in the next layer */
    FRI_ERR_FINAL,         /* the last folded value is not the final polynomial's value */
    FRI_ERR_DECODE,        /* the encoding is malformed (fri_proof_decode only) */
} fri_status;

/* A short constant name for a status ("ok", "params", "noncanonical", "pow", "initial",
 * "merkle", "fold", "final", "decode"). */
const char *fri_status_str(fri_status s);

/* Provides the claimed values of the input codeword f on the cosets of the query indices:
 * with M = N >> log_coset, out[(k << log_coset) + j] = f(position (indices[k] mod M) + j * M)
 * for k < n and j < 2^log_coset, i.e. every position of query k's coset, in FRI's position
 * order (for log_coset = 0: out[k] = f(indices[k])). fri_verify passes log_coset = 0 when layer
 * 0 is committed (it then compares each value with the layer-0 opening) and log_coset = k_0
 * (0 when nothing folds) under input_committed (it then folds the values itself). The STARK
 * layer computes them from its opened rows via DEEP. Must write canonical values. Returns 0, or
 * -1 with err filled (the verifier then fails with FRI_ERR_INITIAL). */
typedef int (*fri_initial_values_fn)(void *ctx, const uint64_t *indices, size_t n,
                                     unsigned log_coset, gl3_t *out, zisk_err *err);

/* Verifies `proof` for a codeword of degree bound 2^log_degree under the expected `params`
 * (both the verifier's own, not the proof's), with transcript t in the state the prover's was
 * in when fri_prove started; t is advanced as on the prover's side (and is unspecified after a
 * failure). initial_values is called once, after the indices are derived (log_coset as said
 * above: 0, or k_0 under input_committed). When indices_out is
 * not NULL it receives the n_queries query indices (caller-owned, n_queries entries), also on
 * failures after they were derived. Returns FRI_OK or the first failure, with err (may be NULL)
 * naming the layer, query and position. Never aborts on any proof content. */
fri_status fri_verify(const fri_params *params, unsigned log_degree, transcript *t,
                      const fri_proof *proof, fri_initial_values_fn initial_values, void *ctx,
                      uint64_t *indices_out, zisk_err *err);

/* ---------------------------------------------------------------------------------------- */
/* Encoding (docs/PROOF_SYSTEM_CONVENTIONS.md, "FRI proof encoding")                         */
/* ---------------------------------------------------------------------------------------- */

/* Bytes fri_proof_encode writes for this proof. */
size_t fri_proof_encoded_size(const fri_proof *proof);

/* Writes the encoding to buf (caller-owned, cap bytes). Returns the number of bytes written,
 * or 0 when cap is smaller than fri_proof_encoded_size (nothing is written then). */
size_t fri_proof_encode(const fri_proof *proof, uint8_t *buf, size_t cap);

/* Decodes a proof from buf[0 .. len) into *proof (overwritten; free with fri_proof_free, also
 * after a failure). With consumed != NULL the proof may be followed by other data and
 * *consumed receives its length (for embedding in a larger proof); with consumed == NULL the
 * buffer must hold exactly one proof. Checks the magic, the version, every parameter against
 * the limits, the exact length, and that every field element is canonical, before allocating
 * anything larger than the buffer implies. Returns FRI_OK, or FRI_ERR_DECODE /
 * FRI_ERR_NONCANONICAL / FRI_ERR_PARAMS with err saying what and at which byte offset. */
fri_status fri_proof_decode(const uint8_t *buf, size_t len, fri_proof *proof, size_t *consumed,
                            zisk_err *err);

/* ---------------------------------------------------------------------------------------- */
/* Security estimate (docs/SECURITY.md)                                                      */
/* ---------------------------------------------------------------------------------------- */

typedef struct fri_security {
    double query_conjectured; /* n_queries * log_blowup + pow_bits (ethSTARK conjecture) */
    double query_proven;      /* same in the Johnson-bound regime (BCIKS20), best m */
    double commit_proven;     /* folding/batching error in the Johnson regime, -log2 */
    double field;             /* DEEP + ALI + FRI commit terms over |F_p^3|, -log2 */
    double hash;              /* collision resistance of 4-element Poseidon2 digests: 128 */
    double conjectured;       /* min(query_conjectured, field, hash) */
    double proven;            /* min(query_proven, commit_proven, field, hash) */
} fri_security;

/* Estimates the soundness, in bits, of FRI with `params` on a codeword of degree bound
 * 2^log_degree inside a STARK whose constraints have degree <= max_constraint_degree (use the
 * AIR's; 0 is treated as 1) and at most 2^log_n_constraints constraints/bus terms combined
 * with one random challenge. Pure function; any inputs (out-of-range ones give 0 bits). */
void fri_security_estimate(const fri_params *params, unsigned log_degree,
                           unsigned max_constraint_degree, unsigned log_n_constraints,
                           fri_security *out);

/* The conjectured bits of a parameter set for typical sizes (degree 2^22, constraint degree 3,
 * 2^12 constraints): fri_security_estimate(...).conjectured. Used by `zisk bench` and tests. */
double fri_conjectured_bits(const fri_params *params);

#endif
