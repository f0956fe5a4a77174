/*
 * stark.h: the STARK prover and verifier for AIR instances (src/air), with multi-instance
 * proving in three steps and the job-wide bus check. docs/STARK.md is the protocol description
 * (transcript order, proof layout); docs/PROOF_SYSTEM_CONVENTIONS.md ("STARK") the byte-exact
 * conventions. This header is the reference for the API.
 *
 * Objects
 *   stark_params  the FRI parameter set; its log_blowup is the blowup of every commitment.
 *   stark_pk      the prover key of one AIR at one trace size 2^log_n: the fixed columns, their
 *                 LDE and Merkle tree (stark_setup). Immutable; share it between instances and
 *                 threads.
 *   stark_vk      the verification key: the AIR (borrowed), params, log_n, the fixed root, and
 *                 a digest binding all of them (the "VK digest" every proof names).
 *   stark_instance  the prover's state of one instance between steps (1) and (3).
 *   stark_proof   one instance proof; stark_job_proof the job proof (instances + challenges).
 *
 * Proving a job (the distributed protocol runs the steps on different machines)
 *   (1) stark_commit_stage1(pk, trace, publics): LDE + Merkle root of the stage-1 trace. The
 *       instance's stark_commitment (VK digest, stage-1 root, public values) is what the
 *       coordinator collects.
 *   (2) stark_derive_challenges(commitments of ALL instances, in the job's order): the global
 *       challenges (bus alpha, beta) and the job digest. A pure function of the commitments;
 *       the verifier recomputes it.
 *   (3) stark_finish(instance, challenges): stage 2 (bus columns) + commit, quotient + commit,
 *       out-of-domain openings, DEEP, FRI, query openings -> a stark_proof exposing its bus sum.
 *   stark_prove_job runs the three steps locally for a list of instances.
 *
 * Verifying
 *   stark_verify checks one instance proof against its VK and the job's challenges;
 *   stark_verify_job checks a job proof: every instance against the VK its digest names, that
 *   the stored challenges are the ones its instances' commitments give, and that all bus sums
 *   add to zero (the only check a cross-instance imbalance fails).
 *
 * Trust
 *   The prover works on our own data: shape misuse (wrong sizes, NULL buffers) aborts (a bug);
 *   parameters from a configuration are checked by stark_setup (error return). The verifier and
 *   the decoders take outside data: they never abort, never read out of bounds, and return a
 *   stark_status naming the failed check, with err saying where (tree, query, FRI layer, bus).
 *
 * Ownership
 *   Functions that allocate say so; every stark_* object has its free function, which accepts
 *   NULL. Borrowed inputs are stated per function.
 *
 * Threads: proving uses OpenMP (LDE, Merkle, quotient, DEEP, FRI); the results do not depend on
 * the thread count. Verification is single-threaded. Distinct objects may be used concurrently.
 */
#ifndef ZISK_STARK_H
#define ZISK_STARK_H

#include <stddef.h>
#include <stdint.h>

#include "air.h"
#include "base.h"
#include "fri.h"
#include "gl.h"
#include "hash.h"

/* Version written by the encoders; the decoders accept only this one. Version 5: eight LDE
 * rows per leaf (one FRI first-fold coset) and FRI does not commit the DEEP codeword
 * (fri_params.input_committed, FRI proof version 2); version 4: the last bus group is folded
 * into the accumulator (one stage-2 extension column fewer per AIR with a bus, docs/AIR.md);
 * version 3: four LDE rows per leaf; version 2 had two, version 1 one. */
#define STARK_PROOF_VERSION 5

/* Rows per Merkle leaf of every committed tree: leaf i (i < N/8) of an LDE of N rows in natural
 * order holds rows i + j N/8 for j = 0..7 (the points x * w8^j, w8 a primitive eighth root of
 * unity; docs/STARK.md, "Commitments"): exactly the positions of FRI's layer-0 leaf i when FRI
 * folds by 8, so one opening of each tree gives every column on the whole coset that FRI folds
 * first, and FRI need not commit the DEEP codeword (input_committed). Several rows per leaf
 * also fill the sponge's blocks better than one (a 6-column quotient row is 0.75 blocks) and
 * cut the internal nodes to an eighth. stark_params_check asks for log_n + log_blowup >= 3
 * (N >= 8) and, under input_committed, log_arity <= STARK_LOG_LEAF_ROWS. */
#define STARK_LOG_LEAF_ROWS 3
#define STARK_LEAF_ROWS (1u << STARK_LOG_LEAF_ROWS)

/* Limits enforced by stark_setup and by the decoders before they allocate. */
#define STARK_MAX_LOG_N 26          /* trace rows <= 2^26 (LDE <= 2^(26 + log_blowup)) */
#define STARK_MAX_COLS (1u << 16)   /* base columns per tree */
#define STARK_MAX_PUBLICS (1u << 16)
#define STARK_MAX_INSTANCES (1u << 20)

/* The committed trees of an instance, in the order they are absorbed, opened and encoded. */
typedef enum stark_tree {
    STARK_TREE_FIXED = 0,    /* the AIR's fixed columns (the VK's root) */
    STARK_TREE_STAGE1 = 1,   /* the execution trace */
    STARK_TREE_STAGE2 = 2,   /* bus helper + accumulator columns (3 base columns per ext one) */
    STARK_TREE_QUOTIENT = 3, /* quotient chunks: base column 3j + c = component c of chunk j */
} stark_tree;
#define STARK_N_TREES 4

/* A short name for a tree: "fixed", "stage1", "stage2", "quotient". */
const char *stark_tree_str(stark_tree t);

typedef struct stark_params {
    fri_params fri;
} stark_params;

/* fri_params_default() with input_committed = 1: blowup 2, folding by 8, 120 queries, 12
 * grinding bits (docs/SECURITY.md), the DEEP codeword bound by the instance's trees instead of
 * a FRI layer-0 tree. Enough for AIRs of degree <= 3 (quotient chunks <= 2^log_blowup).
 * input_committed = 0 (FRI commits the codeword again) is also supported, at any arity. */
stark_params stark_params_default(void);

/* Checks params for AIR a at 2^log_n rows: fri_params_check, 1 <= log_n <= STARK_MAX_LOG_N,
 * STARK_LOG_LEAF_ROWS <= log_n + log_blowup <= NTT_LOG_MAX, under input_committed log_arity <=
 * STARK_LOG_LEAF_ROWS (FRI's first coset must lie in one leaf), and 2^log_blowup >=
 * air_quotient_chunks(a) (the quotient is evaluated on the LDE domain itself, so it must be big
 * enough). Returns 0, or -1 with err. */
int stark_params_check(const stark_params *p, const air *a, unsigned log_n, zisk_err *err);

/* ------------------------------------------------------------------------------------------ */
/* Keys                                                                                         */
/* ------------------------------------------------------------------------------------------ */

typedef struct stark_vk {
    const air *air;          /* borrowed: must outlive the vk */
    stark_params params;
    unsigned log_n;
    uint32_t n_cols[STARK_N_TREES]; /* base columns per tree (quotient: 3 * chunks) */
    hash_digest fixed_root;  /* zero digest when the AIR has no fixed column */
    hash_digest digest;      /* binds everything above (docs/STARK.md, "VK digest") */
} stark_vk;

/* Builds a vk from a known fixed root (a verifier that never saw the fixed columns). Checks
 * the params (stark_params_check) and that the root is canonical. Returns 0 or -1 with err. */
int stark_vk_init(stark_vk *vk, const air *a, const stark_params *p, unsigned log_n,
                  const hash_digest *fixed_root, zisk_err *err);

typedef struct stark_pk stark_pk;

/* Preprocessing: commits the fixed columns of AIR a at 2^log_n rows. fixed: COLUMN-MAJOR
 * (column c at fixed + c * 2^log_n), air_n_cols(a, AIR_FIXED) columns; NULL when the AIR has
 * none. The columns are copied; a is borrowed (must outlive the pk). Allocates (free with
 * stark_pk_free). Returns NULL with err when the params do not fit the AIR. */
stark_pk *stark_setup(const air *a, const stark_params *p, unsigned log_n, const gl_t *fixed,
                      zisk_err *err);
void stark_pk_free(stark_pk *pk);
/* The pk's vk (points into the pk). */
const stark_vk *stark_pk_vk(const stark_pk *pk);

/* ------------------------------------------------------------------------------------------ */
/* Proving in three steps                                                                       */
/* ------------------------------------------------------------------------------------------ */

/* What step (2) needs from an instance. publics is borrowed (air_n_publics elements). */
typedef struct stark_commitment {
    hash_digest vk_digest;
    hash_digest stage1_root;
    const gl_t *publics;
    uint32_t n_publics;
} stark_commitment;

/* The job's global challenges (air.h AIR_CHALLENGE_*) and a digest of every commitment. */
typedef struct stark_challenges {
    gl3_t ch[AIR_N_CHALLENGES];
    hash_digest job_digest;
} stark_challenges;

typedef struct stark_instance stark_instance;

/* Step (1). stage1: COLUMN-MAJOR, air_n_cols(a, AIR_STAGE1) columns of 2^log_n rows, BORROWED:
 * it must stay alive and unchanged until stark_finish returns. publics: air_n_publics(a)
 * canonical elements (copied; NULL if none). Computes the stage-1 LDE and Merkle tree (kept in
 * the instance). Allocates (free with stark_instance_free). Never fails on its own data; a
 * non-canonical public or trace value is a caller bug (abort for publics; the trace is the
 * caller's contract). */
stark_instance *stark_commit_stage1(const stark_pk *pk, const gl_t *stage1, const gl_t *publics);
void stark_instance_free(stark_instance *inst);
/* Frees the instance's stage-1 LDE, keeping its Merkle tree (1/w of the LDE's size for w
 * columns: 8-row leaves, two digests of 4 elements per leaf), so that a job of many instances holds neither
 * traces nor LDEs between steps (1) and (3); stark_finish recomputes the LDE from the trace
 * given back with stark_instance_set_trace, at the cost of one more LDE (no rehashing). The
 * trace must be the committed one: STARK_REBIND_CHECKS sampled leaves are rehashed, and a
 * mismatch aborts (a caller bug). No-op after stark_finish or a second call. */
#define STARK_REBIND_CHECKS 16
void stark_instance_release(stark_instance *inst);
/* Gives a released instance its stage-1 trace again (the same values, possibly at another
 * address: a caller that dropped its trace after step (1) rebuilds it); stark_finish then
 * borrows this one. */
void stark_instance_set_trace(stark_instance *inst, const gl_t *stage1);
/* The instance's commitment (publics point into the instance). */
stark_commitment stark_instance_commitment(const stark_instance *inst);

/* Step (2): absorbs every commitment in order (docs/STARK.md, "Global challenges") and squeezes
 * the challenges. Pure; c[k].publics must be canonical (checked: returns -1 with err naming the
 * instance otherwise, also for n_publics > STARK_MAX_PUBLICS or n > STARK_MAX_INSTANCES). */
int stark_derive_challenges(const stark_commitment *c, size_t n, stark_challenges *out,
                            zisk_err *err);

/* A proof. Arrays are owned by the proof (stark_proof_free). Shapes follow from the header
 * fields; the verifier checks them against its vk. */
typedef struct stark_proof {
    hash_digest vk_digest;
    unsigned log_n;
    uint32_t n_publics;
    uint32_t n_cols[STARK_N_TREES];
    gl_t *publics;
    hash_digest roots[STARK_N_TREES]; /* zero digest for a tree without columns */
    gl3_t bus_sum;                    /* zero for an AIR without buses */
    /* Out-of-domain values: at z, every column of every tree in tree order (n_ood_z =
     * sum n_cols); then at z*w_n, every column of fixed, stage1, stage2 (n_ood_next). */
    gl3_t *ood;
    size_t n_ood_z, n_ood_next;
    fri_proof fri;
    /* Query openings, per tree t with n_cols[t] > 0 and query q < n_queries at LDE row i: the
     * leaf i mod (N/8), i.e. rows i mod N/8 + j N/8 for j = 0..7 (STARK_LEAF_ROWS of them), at
     * rows[t][q * STARK_LEAF_ROWS * n_cols[t] ..], and its log_lde - STARK_LOG_LEAF_ROWS
     * siblings at paths[t][q * (log_lde - STARK_LOG_LEAF_ROWS) ..] (log_lde = log_n +
     * log_blowup, N = 2^log_lde). */
    size_t n_queries;
    unsigned log_lde;
    gl_t *rows[STARK_N_TREES];
    hash_digest *paths[STARK_N_TREES];
} stark_proof;

/* Step (3): stage 2, quotient, openings, FRI (docs/STARK.md, "Protocol"). Fills *proof
 * (overwritten; free with stark_proof_free). The instance's stage-1 data is released; the
 * instance may then only be freed. Returns 0; 1 when the prover notices that the trace does not
 * satisfy the AIR (the quotient or the FRI input was not of low degree): the proof is complete
 * and well-formed but the verifier rejects it (tests use this as a malicious prover). The
 * prover can notice only when the LDE leaves room above the quotient's degree (2^log_blowup >
 * air_quotient_chunks): with a degree-3 AIR at blowup 2 every quotient looks low-degree, so a
 * bad trace returns 0 and only the verifier's out-of-domain check rejects the proof. Use
 * air_check (the worker's --verify-constraints) to find a bad trace before proving. -1 with
 * err when stage 2
 * could not be built (a bus denominator vanished: probability ~ rows/p^3 with honest
 * challenges) or the instance was already finished. */
int stark_finish(stark_instance *inst, const stark_challenges *ch, stark_proof *proof,
                 zisk_err *err);

void stark_proof_free(stark_proof *proof);

/* Wall-clock seconds an instance spent in each step (steps 1 and 3 together), for benchmarks
 * and operators' logs. lde: every LDE and the quotient's interpolation/re-extension; commit:
 * Merkle trees; stage2: bus columns; quotient: selectors + constraint evaluation on the LDE;
 * ood: out-of-domain values; deep: the DEEP codeword; fri: fri_prove; open: query openings. */
typedef struct stark_stats {
    double lde_s, commit_s, stage2_s, quotient_s, ood_s, deep_s, fri_s, open_s;
    uint64_t lde_cells; /* committed LDE cells (stage 1, stage 2, quotient; fixed excluded) */
} stark_stats;
/* The instance's timings so far. */
void stark_instance_stats(const stark_instance *inst, stark_stats *out);

/* A job proof: instance proofs in the job's canonical order + the global challenges. */
typedef struct stark_job_proof {
    stark_challenges challenges;
    size_t n_instances;
    stark_proof *instances; /* owned */
} stark_job_proof;
void stark_job_proof_free(stark_job_proof *job);

/* Runs steps (1)-(3) locally for n instances: pks[k], stage1[k] (column-major), publics[k].
 * Fills *job (free with stark_job_proof_free). Returns 0, 1 when some instance's trace does
 * not satisfy its AIR (the job proof is complete but will be rejected), -1 with err. */
int stark_prove_job(const stark_pk *const *pks, const gl_t *const *stage1,
                    const gl_t *const *publics, size_t n, stark_job_proof *job, zisk_err *err);

/* ------------------------------------------------------------------------------------------ */
/* Verifier                                                                                     */
/* ------------------------------------------------------------------------------------------ */

typedef enum stark_status {
    STARK_OK = 0,
    STARK_ERR_DECODE,       /* malformed bytes: magic, version, lengths, limits */
    STARK_ERR_NONCANONICAL, /* a field element >= p */
    STARK_ERR_VK,           /* the proof is for another VK: digest, log_n, columns, fixed root */
    STARK_ERR_SHAPE,        /* sizes inconsistent with the VK (publics, query count, an empty
                               tree with a root, a bus sum without buses) */
    STARK_ERR_PUBLICS,      /* public values differ from the expected ones */
    STARK_ERR_CHALLENGE,    /* a job's stored challenges differ from the recomputed ones */
    STARK_ERR_OOD,          /* the constraints do not match the quotient at z */
    STARK_ERR_MERKLE,       /* a query opening does not lead to its tree's root */
    STARK_ERR_FRI,          /* FRI rejected (err names the FRI status, layer and query) */
    STARK_ERR_BUS,          /* the job's bus sums do not add to zero */
} stark_status;

/* A short constant name ("ok", "decode", "noncanonical", "vk", "shape", "publics",
 * "challenge", "ood", "merkle", "fri", "bus"). */
const char *stark_status_str(stark_status s);

/* Verifies one instance proof against vk and the job's challenges ch. expected_publics: when
 * not NULL, air_n_publics values the proof's must equal (else STARK_ERR_PUBLICS). The bus sum
 * is NOT checked against zero here (that is a job property). Returns STARK_OK or the first
 * failure with err (may be NULL) saying what and where. Never aborts on any proof content;
 * the proof's arrays must have the lengths its counts state (always true for proofs made by
 * stark_finish or stark_proof_decode). */
stark_status stark_verify(const stark_vk *vk, const stark_challenges *ch,
                          const stark_proof *proof, const gl_t *expected_publics,
                          zisk_err *err);

/* The commitment a proof claims (for re-deriving a job's challenges); publics point into it. */
stark_commitment stark_proof_commitment(const stark_proof *proof);

/* Verifies a job proof: every instance's VK is the one in vks[0..n_vks) whose digest it names
 * (STARK_ERR_VK when none), the challenges equal stark_derive_challenges over the instances'
 * commitments in order (STARK_ERR_CHALLENGE), every instance verifies, and the bus sums add to
 * zero (STARK_ERR_BUS). A job of zero instances is refused (STARK_ERR_SHAPE). On failure err
 * names the instance. Never aborts on any content. */
stark_status stark_verify_job(const stark_vk *const *vks, size_t n_vks,
                              const stark_job_proof *job, zisk_err *err);

/* ------------------------------------------------------------------------------------------ */
/* Encoding (docs/PROOF_SYSTEM_CONVENTIONS.md, "STARK proof encoding")                          */
/* ------------------------------------------------------------------------------------------ */

/* Bytes stark_proof_encode writes. */
size_t stark_proof_encoded_size(const stark_proof *proof);
/* Writes the encoding to buf (cap bytes). Returns the bytes written, or 0 when cap is too
 * small (nothing written). */
size_t stark_proof_encode(const stark_proof *proof, uint8_t *buf, size_t cap);
/* Decodes buf[0 .. len) into *proof (overwritten; free with stark_proof_free, also after a
 * failure). consumed as in fri_proof_decode (NULL: the buffer must hold exactly one proof).
 * Checks magic, version, limits, exact lengths and canonical elements before allocating more
 * than the buffer implies. Returns STARK_OK, STARK_ERR_DECODE or STARK_ERR_NONCANONICAL with
 * err saying what and at which byte offset. */
stark_status stark_proof_decode(const uint8_t *buf, size_t len, stark_proof *proof,
                                size_t *consumed, zisk_err *err);

size_t stark_job_proof_encoded_size(const stark_job_proof *job);
size_t stark_job_proof_encode(const stark_job_proof *job, uint8_t *buf, size_t cap);
/* Decodes a whole job proof (exactly len bytes). Same guarantees as stark_proof_decode. */
stark_status stark_job_proof_decode(const uint8_t *buf, size_t len, stark_job_proof *job,
                                    zisk_err *err);

#endif
