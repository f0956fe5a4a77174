/*
 * bench_fri.c: FRI benchmark (not a test). For codewords of 2^16 .. 2^20 extension elements
 * (default parameters unless overridden: blowup 2, folding by 8, 2^5 final coefficients, 120
 * queries, 12 grinding bits) prints the prover time (commit phase, grinding and openings), the
 * verifier time, the encoded proof size, the conjectured security, and the ratio of the prover
 * time to its hashing floor (the permutations its Merkle trees need at the one-core SIMD rate,
 * divided by the thread count) and the exact number of Merkle permutations.
 * --input-committed 1 runs the mode in which layer 0 is not committed (the STARK's).
 *
 *   bench_fri [--json] [--min LOG] [--max LOG] [--log-blowup B] [--log-arity K]
 *             [--queries Q] [--pow BITS] [--log-final F] [--input-committed 0|1]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "base.h"
#include "fri.h"
#include "hash.h"
#include "ntt.h"

static uint64_t rng = 7;
static gl_t rand_gl(void) {
    uint64_t z = (rng += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return gl_from_u64(z ^ (z >> 31));
}

typedef struct cw_ctx {
    const gl3_t *cw;
    unsigned log_n;
} cw_ctx;

/* The codeword on each query's coset (fri_initial_values_fn). */
static int values_cb(void *vctx, const uint64_t *idx, size_t n, unsigned log_coset, gl3_t *out,
                     zisk_err *err) {
    const cw_ctx *c = vctx;
    uint64_t M = (uint64_t)1 << (c->log_n - log_coset);
    for (size_t k = 0; k < n; k++)
        for (uint64_t j = 0; j < ((uint64_t)1 << log_coset); j++)
            out[(k << log_coset) + j] = c->cw[(idx[k] & (M - 1)) + j * M];
    (void)err;
    return 0;
}

/* Permutations of the prover's Merkle trees: per committed layer, leaves of 3 * 2^k elements
 * (ceil /8 each, the sponge rate) and one compression per inner node. Exact. */
static uint64_t merkle_perms(const fri_proof *p) {
    uint64_t perms = 0;
    for (unsigned i = p->first_committed; i < p->n_layers; i++) {
        uint64_t leaves = (uint64_t)1 << (p->layer_log_size[i] - p->layer_log_arity[i]);
        uint64_t per_leaf = (((uint64_t)3 << p->layer_log_arity[i]) + 7) / 8;
        perms += leaves * per_leaf + (leaves - 1);
    }
    return perms;
}

/* Merkle permutations plus ~2^pow_bits for grinding. */
static double prover_perms(const fri_proof *p) {
    return (double)merkle_perms(p) + (double)((uint64_t)1 << p->params.pow_bits);
}

int main(int argc, char **argv) {
    fri_params p = fri_params_default();
    unsigned lo = 16, hi = 20;
    int json = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        unsigned *dst = NULL;
        if (!strcmp(a, "--json")) { json = 1; continue; }
        else if (!strcmp(a, "--min")) dst = &lo;
        else if (!strcmp(a, "--max")) dst = &hi;
        else if (!strcmp(a, "--log-blowup")) dst = &p.log_blowup;
        else if (!strcmp(a, "--log-arity")) dst = &p.log_arity;
        else if (!strcmp(a, "--queries")) dst = &p.n_queries;
        else if (!strcmp(a, "--pow")) dst = &p.pow_bits;
        else if (!strcmp(a, "--log-final")) dst = &p.log_final_size;
        else if (!strcmp(a, "--input-committed")) dst = &p.input_committed;
        uint64_t v;
        if (dst == NULL || i + 1 >= argc || zisk_parse_u64(argv[i + 1], &v) != 0 || v > 1000000) {
            fprintf(stderr, "usage: bench_fri [--json] [--min LOG] [--max LOG] [--log-blowup B] "
                            "[--log-arity K] [--queries Q] [--pow BITS] [--log-final F] "
                            "[--input-committed 0|1]\n");
            return 2;
        }
        *dst = (unsigned)v;
        i++;
    }
    zisk_err err;
    if (lo < p.log_blowup || hi < lo || fri_params_check(&p, hi - p.log_blowup, &err) != 0) {
        fprintf(stderr, "bench_fri: %s\n", lo < p.log_blowup || hi < lo ? "bad size range" : err.msg);
        return 2;
    }
    int threads = 1;
#ifdef _OPENMP
    threads = omp_get_max_threads();
#endif
    double rate = poseidon2_measure_rate(0.3); /* one-core SIMD rate */
    ntt_plan *plan = ntt_plan_create(hi);
    if (json) printf("{\"threads\": %d, \"perm_per_s\": %.0f, \"conjectured_bits\": %.1f, \"input_committed\": %u, \"rows\": [", threads, rate, fri_conjectured_bits(&p), p.input_committed);
    else {
        printf("FRI: blowup 2^%u, folding by %u, final 2^%u, %u queries, %u grinding bits "
               "(%.1f conjectured bits), layer 0 %s; %d thread(s), %.2f M perm/s per core\n",
               p.log_blowup, 1u << p.log_arity, p.log_final_size, p.n_queries, p.pow_bits,
               fri_conjectured_bits(&p), p.input_committed ? "not committed" : "committed",
               threads, rate / 1e6);
        printf("%-10s %10s %10s %12s %8s %12s %12s\n", "codeword", "prove_ms", "verify_ms", "proof_bytes", "layers", "merkle_perms", "prove/floor");
    }
    for (unsigned log_n = lo; log_n <= hi; log_n++) {
        size_t n = (size_t)1 << log_n;
        unsigned ld = log_n - p.log_blowup;
        gl_t *cols = zisk_xcalloc(3 * n, sizeof(gl_t));
        for (int e = 0; e < 3; e++)
            for (size_t i = 0; i < ((size_t)1 << ld); i++) cols[e * n + i] = rand_gl();
        ntt_coset_forward_batch(plan, cols, log_n, 3, n, GL_GENERATOR);
        gl3_t *cw = zisk_xmalloc(n * sizeof(gl3_t));
        for (size_t i = 0; i < n; i++) cw[i] = (gl3_t){{cols[i], cols[n + i], cols[2 * n + i]}};
        free(cols);

        double best_p = 1e30, best_v = 1e30;
        size_t size = 0;
        unsigned layers = 0;
        double floor_s = 0;
        uint64_t mperms = 0;
        for (int rep = 0; rep < 3; rep++) {
            transcript tp, tv;
            transcript_init(&tp);
            fri_proof proof;
            double t0 = zisk_now_seconds();
            if (fri_prove(&p, ld, cw, &tp, &proof) != 0) {
                fprintf(stderr, "bench_fri: codeword not low-degree (bug)\n");
                return 1;
            }
            double t1 = zisk_now_seconds();
            transcript_init(&tv);
            cw_ctx ctx = {cw, log_n};
            fri_status st = fri_verify(&p, ld, &tv, &proof, values_cb, &ctx, NULL, &err);
            double t2 = zisk_now_seconds();
            if (st != FRI_OK) {
                fprintf(stderr, "bench_fri: verification failed: %s\n", err.msg);
                return 1;
            }
            if (t1 - t0 < best_p) best_p = t1 - t0;
            if (t2 - t1 < best_v) best_v = t2 - t1;
            size = fri_proof_encoded_size(&proof);
            layers = proof.n_layers;
            floor_s = prover_perms(&proof) / rate / threads;
            mperms = merkle_perms(&proof);
            fri_proof_free(&proof);
        }
        free(cw);
        if (json)
            printf("%s{\"log_n\": %u, \"prove_s\": %.6f, \"verify_s\": %.6f, \"proof_bytes\": %zu, "
                   "\"layers\": %u, \"merkle_perms\": %llu, \"prove_over_floor\": %.2f}",
                   log_n == lo ? "" : ", ", log_n, best_p, best_v, size, layers,
                   (unsigned long long)mperms, best_p / floor_s);
        else
            printf("2^%-8u %10.1f %10.2f %12zu %8u %12llu %12.2f\n", log_n, best_p * 1e3, best_v * 1e3,
                   size, layers, (unsigned long long)mperms, best_p / floor_s);
        fflush(stdout);
    }
    if (json) printf("]}\n");
    ntt_plan_free(plan);
    return 0;
}
