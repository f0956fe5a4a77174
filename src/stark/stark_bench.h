/*
 * stark_bench.h: the standard proving benchmark, shared by bench/bench_stark and `zisk bench`:
 * a full prove and verify of a wide AIR with `cols` stage-1 columns x_0..x_{c-1} of 2^log_n
 * rows and the degree-3 transition constraints x_k' = x_k^2 * x_{k+1 mod c} + k.
 *
 * The hashing floor is what the commitments alone must cost: (committed LDE cells / 8, the
 * sponge rate) Poseidon2 permutations at the rate this machine reaches with the prover's
 * thread count, all threads hashing at once (measured just before the prove). prove_s /
 * floor_s says how close the whole prover is to it. floor_one_core_s is the same count at the
 * one-core rate divided by the thread count (lower when threads slow each other down).
 */
#ifndef ZISK_STARK_BENCH_H
#define ZISK_STARK_BENCH_H

#include <stddef.h>
#include <stdint.h>

#include "stark.h"

typedef struct stark_bench_result {
    stark_stats steps;   /* time per proving step (stark.h) */
    double prove_s;      /* commit stage 1 + challenges + finish */
    double verify_s;     /* decode + verify */
    size_t proof_bytes;
    double perm_per_s;     /* one-core Poseidon2 rate */
    double perm_per_s_all; /* all threads at once, in total */
    int threads;
    double floor_s;          /* permutations / perm_per_s_all */
    double floor_one_core_s; /* permutations / perm_per_s / threads */
    /* Exact Poseidon2 permutations of the instance's Merkle trees (sponge leaves, rate 8, plus
     * one compression per inner node): the stage-1, stage-2 and quotient trees, and FRI's
     * committed layers. Grinding and the transcript are not counted. */
    uint64_t tree_perms, fri_perms;
} stark_bench_result;

/* Builds the AIR and its trace, proves, encodes, decodes and verifies. Returns 0, or -1 with
 * err when the parameters do not fit or (a bug) the proof does not verify. */
int stark_bench_wide(uint32_t cols, unsigned log_n, const stark_params *p, stark_bench_result *out,
                     zisk_err *err);

#endif
