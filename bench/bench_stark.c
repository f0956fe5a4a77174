/*
 * bench_stark.c: full STARK prove + verify of a wide AIR (not a test). The AIR has `cols`
 * stage-1 columns x_0..x_{c-1} (default 100) of 2^log_n rows (default 2^18) and the degree-3
 * transition constraints x_k' = x_k^2 * x_{k+1 mod c} + k; parameters are the defaults
 * (blowup 2, folding by 8, 116 queries, 16 grinding bits) unless overridden. Prints the time
 * of each proving step (LDE, Merkle commits, quotient, out-of-domain values, DEEP, FRI,
 * openings), the total, the proof size, the verification time, and the ratio of the proving
 * time to its hashing floor: (committed LDE cells / 8 (the sponge rate)) permutations at the
 * one-core SIMD rate, divided by the thread count.
 *
 *   bench_stark [--json] [--log-n L] [--cols C] [--queries Q] [--pow BITS]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "base.h"
#include "hash.h"
#include "stark.h"

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

static double perm_rate(void) {
    enum { B = 1024 };
    gl_t *st = zisk_xcalloc(12 * B, sizeof(gl_t));
    size_t n = 0;
    double t0 = zisk_now_seconds(), t;
    do {
        poseidon2_permute_batch(st, B);
        n += B;
    } while ((t = zisk_now_seconds() - t0) < 0.3);
    free(st);
    return n / t;
}

int main(int argc, char **argv) {
    int json = 0;
    unsigned log_n = 18;
    uint32_t cols = 100;
    stark_params p = stark_params_default();
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        uint64_t v;
        if (!strcmp(a, "--json")) {
            json = 1;
            continue;
        }
        if (i + 1 >= argc || zisk_parse_u64(argv[i + 1], &v) != 0) goto usage;
        i++;
        if (!strcmp(a, "--log-n")) log_n = (unsigned)v;
        else if (!strcmp(a, "--cols") && v >= 1 && v <= 4096) cols = (uint32_t)v;
        else if (!strcmp(a, "--queries")) p.fri.n_queries = (unsigned)v;
        else if (!strcmp(a, "--pow")) p.fri.pow_bits = (unsigned)v;
        else goto usage;
    }
    air *a = wide_air(cols);
    zisk_err err;
    stark_pk *pk = stark_setup(a, &p, log_n, NULL, &err);
    if (!pk) {
        fprintf(stderr, "bench_stark: %s\n", err.msg);
        return 1;
    }
    size_t n = (size_t)1 << log_n;
    gl_t *tr = zisk_xmalloc((size_t)cols * n * sizeof(gl_t));
    for (uint32_t k = 0; k < cols; k++) tr[(size_t)k * n] = gl_from_u64(0x1234567 * (k + 3));
    for (size_t r = 0; r + 1 < n; r++)
        for (uint32_t k = 0; k < cols; k++) {
            gl_t xk = tr[(size_t)k * n + r], xn = tr[(size_t)((k + 1) % cols) * n + r];
            tr[(size_t)k * n + r + 1] = gl_add(gl_mul(gl_sqr(xk), xn), k);
        }
    int threads = 1;
#ifdef _OPENMP
    threads = omp_get_max_threads();
#endif
    double rate = perm_rate();

    double t0 = zisk_now_seconds();
    stark_instance *inst = stark_commit_stage1(pk, tr, NULL);
    stark_commitment cm = stark_instance_commitment(inst);
    stark_challenges ch;
    if (stark_derive_challenges(&cm, 1, &ch, &err) != 0) zisk_panic(__FILE__, __LINE__, "%s", err.msg);
    stark_proof proof;
    int rc = stark_finish(inst, &ch, &proof, &err);
    double prove_s = zisk_now_seconds() - t0;
    if (rc != 0) {
        fprintf(stderr, "bench_stark: prover failed (%d): %s\n", rc, err.msg);
        return 1;
    }
    stark_stats st;
    stark_instance_stats(inst, &st);
    size_t size = stark_proof_encoded_size(&proof);
    uint8_t *buf = zisk_xmalloc(size);
    stark_proof_encode(&proof, buf, size);
    stark_proof dec;
    double tv = zisk_now_seconds();
    stark_status vs = stark_proof_decode(buf, size, &dec, NULL, &err);
    if (vs == STARK_OK) vs = stark_verify(stark_pk_vk(pk), &ch, &dec, NULL, &err);
    double verify_s = zisk_now_seconds() - tv;
    if (vs != STARK_OK) {
        fprintf(stderr, "bench_stark: verification failed: %s\n", err.msg);
        return 1;
    }
    double floor_s = (double)st.lde_cells / HASH_RATE / rate / threads;
    double other = prove_s - (st.lde_s + st.commit_s + st.stage2_s + st.quotient_s + st.ood_s +
                              st.deep_s + st.fri_s + st.open_s);
    struct {
        const char *name;
        double s;
    } rows[] = {{"lde", st.lde_s},         {"commit", st.commit_s}, {"stage2", st.stage2_s},
                {"quotient", st.quotient_s}, {"ood", st.ood_s},       {"deep", st.deep_s},
                {"fri", st.fri_s},         {"open", st.open_s},     {"other", other}};
    size_t nrows = sizeof rows / sizeof rows[0];
    if (json) {
        printf("{\"cols\": %u, \"log_n\": %u, \"log_blowup\": %u, \"queries\": %u, "
               "\"threads\": %d, \"perm_per_s\": %.0f, \"steps\": {",
               cols, log_n, p.fri.log_blowup, p.fri.n_queries, threads, rate);
        for (size_t i = 0; i < nrows; i++)
            printf("%s\"%s\": %.4f", i ? ", " : "", rows[i].name, rows[i].s);
        printf("}, \"prove_s\": %.4f, \"verify_s\": %.5f, \"proof_bytes\": %zu, "
               "\"lde_cells\": %llu, \"hash_floor_s\": %.4f, \"floor_ratio\": %.2f}\n",
               prove_s, verify_s, size, (unsigned long long)st.lde_cells, floor_s,
               prove_s / floor_s);
    } else {
        printf("STARK prove: %u columns x 2^%u rows, degree 3, blowup %u, %u queries, %u pow "
               "bits, %d thread(s)\n",
               cols, log_n, 1u << p.fri.log_blowup, p.fri.n_queries, p.fri.pow_bits, threads);
        printf("%-10s %10s %7s\n", "step", "seconds", "share");
        for (size_t i = 0; i < nrows; i++)
            printf("%-10s %10.3f %6.1f%%\n", rows[i].name, rows[i].s, 100 * rows[i].s / prove_s);
        printf("%-10s %10.3f\n", "total", prove_s);
        printf("proof size      %zu bytes (%.1f KiB)\n", size, size / 1024.0);
        printf("verify          %.2f ms (decode + verify)\n", verify_s * 1e3);
        printf("hashing floor   %.3f s (%llu LDE cells / 8 x %.2f us/perm / %d threads)\n",
               floor_s, (unsigned long long)st.lde_cells, 1e6 / rate, threads);
        printf("prove / floor   %.2f\n", prove_s / floor_s);
    }
    free(buf);
    stark_proof_free(&dec);
    stark_proof_free(&proof);
    stark_instance_free(inst);
    free(tr);
    stark_pk_free(pk);
    air_free(a);
    return 0;
usage:
    fprintf(stderr, "usage: bench_stark [--json] [--log-n L] [--cols C] [--queries Q] [--pow BITS]\n");
    return 2;
}
