#include "stark_bench.h"

#include <stdio.h>
#include <stdlib.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "hash.h"

static air *wide_air(uint32_t cols) {
    air_builder *b = air_builder_new("wide", 3);
    air_col x = air_cols_stage1(b, "x", cols);
    for (uint32_t k = 0; k < cols; k++) {
        air_expr xk = air_cur(b, air_col_at(x, k));
        air_expr xn = air_cur(b, air_col_at(x, (k + 1) % cols));
        air_expr rhs = air_add(b, air_mul(b, air_mul(b, xk, xk), xn), air_const(b, k));
        char name[32];
        snprintf(name, sizeof name, "step_%u", k);
        air_constrain(b, AIR_TRANSITION, name, air_sub(b, air_next(b, air_col_at(x, k)), rhs));
    }
    zisk_err err;
    air *a = air_build(b, &err);
    if (!a) zisk_panic(__FILE__, __LINE__, "%s", err.msg);
    return a;
}

/* Poseidon2 permutations per second on one core (the batch API uses the best SIMD level). */
static double perm_rate(void) {
    return poseidon2_measure_rate(0.3);
}

/* Poseidon2 permutations per second of `threads` threads hashing at once: the rate the
 * prover's commitments can reach with that many threads (shared caches, memory bandwidth and
 * clock limits included). */
static double perm_rate_all(int threads) {
#ifdef _OPENMP
    double total = 0;
#pragma omp parallel num_threads(threads) reduction(+ : total)
    total += perm_rate();
    return total;
#else
    (void)threads;
    return perm_rate();
#endif
}

/* Permutations of a tree of w columns over N rows with STARK_LEAF_ROWS rows per leaf. */
static uint64_t tree_perms(size_t N, uint32_t w) {
    if (!w) return 0;
    uint64_t leaves = N >> STARK_LOG_LEAF_ROWS;
    return leaves * (((uint64_t)STARK_LEAF_ROWS * w + HASH_RATE - 1) / HASH_RATE) + leaves - 1;
}

/* Permutations of FRI's committed layers (leaves of 3 * 2^k elements). */
static uint64_t fri_tree_perms(const fri_proof *p) {
    uint64_t perms = 0;
    for (unsigned i = p->first_committed; i < p->n_layers; i++) {
        uint64_t leaves = (uint64_t)1 << (p->layer_log_size[i] - p->layer_log_arity[i]);
        perms += leaves * ((((uint64_t)3 << p->layer_log_arity[i]) + HASH_RATE - 1) / HASH_RATE) +
                 leaves - 1;
    }
    return perms;
}

int stark_bench_wide(uint32_t cols, unsigned log_n, const stark_params *p, stark_bench_result *out,
                     zisk_err *err) {
    air *a = wide_air(cols);
    stark_pk *pk = stark_setup(a, p, log_n, NULL, err);
    if (!pk) {
        air_free(a);
        return -1;
    }
    size_t n = (size_t)1 << log_n;
    gl_t *tr = zisk_xmalloc((size_t)cols * n * sizeof(gl_t));
    for (uint32_t k = 0; k < cols; k++) tr[(size_t)k * n] = gl_from_u64(0x1234567ull * (k + 3));
    for (size_t r = 0; r + 1 < n; r++)
        for (uint32_t k = 0; k < cols; k++) {
            gl_t xk = tr[(size_t)k * n + r], xn = tr[(size_t)((k + 1) % cols) * n + r];
            tr[(size_t)k * n + r + 1] = gl_add(gl_mul(gl_sqr(xk), xn), k);
        }
    out->threads = 1;
#ifdef _OPENMP
    out->threads = omp_get_max_threads();
#endif
    out->perm_per_s = perm_rate();
    out->perm_per_s_all = perm_rate_all(out->threads);

    int rc = -1;
    double t0 = zisk_now_seconds();
    stark_instance *inst = stark_commit_stage1(pk, tr, NULL);
    stark_commitment cm = stark_instance_commitment(inst);
    stark_challenges ch;
    stark_proof proof, dec;
    uint8_t *buf = NULL;
    if (stark_derive_challenges(&cm, 1, &ch, err) != 0) goto done;
    int frc = stark_finish(inst, &ch, &proof, err);
    if (frc != 0) {
        if (frc > 0) {
            stark_proof_free(&proof);
            zisk_err_set(err, "the benchmark trace violates its AIR (a bug)");
        }
        goto done;
    }
    out->prove_s = zisk_now_seconds() - t0;
    stark_instance_stats(inst, &out->steps);
    out->proof_bytes = stark_proof_encoded_size(&proof);
    out->tree_perms = 0;
    for (int t = STARK_TREE_STAGE1; t < STARK_N_TREES; t++)
        out->tree_perms += tree_perms((size_t)1 << proof.log_lde, proof.n_cols[t]);
    out->fri_perms = fri_tree_perms(&proof.fri);
    buf = zisk_xmalloc(out->proof_bytes);
    stark_proof_encode(&proof, buf, out->proof_bytes);
    double tv = zisk_now_seconds();
    stark_status vs = stark_proof_decode(buf, out->proof_bytes, &dec, NULL, err);
    if (vs == STARK_OK) {
        vs = stark_verify(stark_pk_vk(pk), &ch, &dec, NULL, err);
        stark_proof_free(&dec);
    }
    out->verify_s = zisk_now_seconds() - tv;
    stark_proof_free(&proof);
    if (vs != STARK_OK) goto done;
    out->floor_s = (double)out->steps.lde_cells / HASH_RATE / out->perm_per_s_all;
    out->floor_one_core_s = (double)out->steps.lde_cells / HASH_RATE / out->perm_per_s / out->threads;
    rc = 0;
done:
    free(buf);
    stark_instance_free(inst);
    free(tr);
    stark_pk_free(pk);
    air_free(a);
    return rc;
}
