/*
 * bench_hash.c: hashing benchmarks (not a test). Prints Poseidon2 permutations per second on one
 * core for every usable SIMD level, and the time of a Merkle commit of a 2^20 x 32 matrix
 * (row-major) on one thread and on all threads, plus the ratio to the hashing floor (the
 * permutations the commit needs divided by the one-core SIMD rate).
 *
 *   bench_hash [--json] [--log-rows N] [--cols M]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "base.h"
#include "hash.h"
#include "merkle.h"

static double perms_per_second(gl_simd_level level) {
    enum { BATCH = 1024 };
    gl_t *st = zisk_xmalloc(sizeof(gl_t) * 12 * BATCH);
    for (size_t i = 0; i < 12 * BATCH; i++) st[i] = gl_from_u64(i * 0x9E3779B97F4A7C15ull);
    double best = 0;
    for (int rep = 0; rep < 5; rep++) {
        size_t n = 0;
        double t0 = zisk_now_seconds(), t;
        do {
            poseidon2_permute_batch_level(level, st, BATCH);
            n += BATCH;
        } while ((t = zisk_now_seconds() - t0) < 0.2);
        if (n / t > best) best = n / t;
    }
    free(st);
    return best;
}

static double merkle_seconds(const gl_t *mat, size_t n_rows, size_t n_cols, hash_digest *nodes,
                             int threads) {
#ifdef _OPENMP
    int saved = omp_get_max_threads();
    omp_set_num_threads(threads);
#endif
    double best = 1e30;
    for (int rep = 0; rep < 3; rep++) {
        merkle_tree t;
        zisk_err err;
        double t0 = zisk_now_seconds();
        if (merkle_build(&t, mat, n_rows, n_cols, n_cols, 1, nodes, &err) != 0) {
            fprintf(stderr, "bench_hash: %s\n", err.msg);
            exit(1);
        }
        double dt = zisk_now_seconds() - t0;
        if (dt < best) best = dt;
    }
#ifdef _OPENMP
    omp_set_num_threads(saved);
#endif
    return best;
}

int main(int argc, char **argv) {
    int json = 0;
    unsigned log_rows = 20;
    size_t n_cols = 32;
    for (int i = 1; i < argc; i++) {
        uint64_t v;
        if (strcmp(argv[i], "--json") == 0) json = 1;
        else if (strcmp(argv[i], "--log-rows") == 0 && i + 1 < argc && zisk_parse_u64(argv[++i], &v) == 0 && v <= 26) log_rows = (unsigned)v;
        else if (strcmp(argv[i], "--cols") == 0 && i + 1 < argc && zisk_parse_u64(argv[++i], &v) == 0 && v >= 1 && v <= 1024) n_cols = v;
        else {
            fprintf(stderr, "usage: bench_hash [--json] [--log-rows N<=26] [--cols 1..1024]\n");
            return 2;
        }
    }
    static const char *names[GL_SIMD_LEVELS] = {"scalar", "avx2", "avx512"};
    double rate[GL_SIMD_LEVELS] = {0};
    /* AVX2 has no Poseidon2 kernel of its own (it runs the scalar code), so it is not listed. */
    for (int l = 0; l < GL_SIMD_LEVELS; l++)
        if (l != GL_SIMD_AVX2 && gl_vec_ops_get((gl_simd_level)l) != NULL)
            rate[l] = perms_per_second((gl_simd_level)l);
    double best_rate = rate[gl_simd_best()] > 0 ? rate[gl_simd_best()] : rate[GL_SIMD_SCALAR];

    size_t n_rows = (size_t)1 << log_rows;
    gl_t *mat = zisk_xmalloc(sizeof(gl_t) * n_rows * n_cols);
    for (size_t i = 0; i < n_rows * n_cols; i++) mat[i] = gl_from_u64(i * 0x9E3779B97F4A7C15ull + 1);
    hash_digest *nodes = zisk_xmalloc(sizeof(hash_digest) * merkle_node_count(n_rows));
    int all = 1;
#ifdef _OPENMP
    all = omp_get_max_threads();
#endif
    double t1 = merkle_seconds(mat, n_rows, n_cols, nodes, 1);
    double tn = merkle_seconds(mat, n_rows, n_cols, nodes, all);
    /* Permutations: ceil(cols/8) per leaf, one per inner node. */
    double perms = (double)n_rows * (double)((n_cols + 7) / 8) + (double)(n_rows - 1);
    double floor1 = perms / best_rate;

    if (json) {
        printf("{\"poseidon2_perms_per_s\":{");
        int first = 1;
        for (int l = 0; l < GL_SIMD_LEVELS; l++) {
            if (rate[l] == 0) continue;
            printf("%s\"%s\":%.0f", first ? "" : ",", names[l], rate[l]);
            first = 0;
        }
        printf("},\"merkle\":{\"log_rows\":%u,\"cols\":%zu,\"seconds_1_thread\":%.4f,"
               "\"seconds_all_threads\":%.4f,\"threads\":%d,\"hashing_floor_1_thread_s\":%.4f,"
               "\"ratio_1_thread_to_floor\":%.3f}}\n",
               log_rows, n_cols, t1, tn, all, floor1, t1 / floor1);
    } else {
        printf("Poseidon2 (width 12) permutations per second, one core:\n");
        for (int l = 0; l < GL_SIMD_LEVELS; l++)
            if (rate[l] != 0) printf("  %-8s %8.3f M/s  (%.0f ns/perm)\n", names[l], rate[l] / 1e6, 1e9 / rate[l]);
        printf("Merkle commit of 2^%u x %zu (row-major, %.0f permutations):\n", log_rows, n_cols, perms);
        printf("  1 thread    %8.3f s  (hashing floor %.3f s, ratio %.2f)\n", t1, floor1, t1 / floor1);
        printf("  %d threads  %8.3f s  (speed-up %.2f)\n", all, tn, t1 / tn);
    }
    free(mat);
    free(nodes);
    return 0;
}
