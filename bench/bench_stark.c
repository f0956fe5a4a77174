/*
 * bench_stark.c: full STARK prove + verify of the standard wide AIR (src/stark/stark_bench.h;
 * not a test): default 100 columns x 2^18 rows, degree 3, the default parameters (blowup 2,
 * folding by 8, 120 queries, 12 grinding bits). Prints the time of each proving step, the
 * total, the proof size, the verification time, and the ratio of the proving time to its
 * hashing floor. `zisk bench` runs the same measurement.
 *
 * --input-committed 0 makes FRI commit the DEEP codeword again (the generic FRI mode).
 *
 *   bench_stark [--json] [--log-n L] [--cols C] [--queries Q] [--pow BITS] [--input-committed 0|1]
 */
#include <stdio.h>
#include <string.h>

#include "stark_bench.h"

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
        else if (!strcmp(a, "--input-committed") && v <= 1) p.fri.input_committed = (unsigned)v;
        else goto usage;
    }
    stark_bench_result r;
    zisk_err err;
    if (stark_bench_wide(cols, log_n, &p, &r, &err) != 0) {
        fprintf(stderr, "bench_stark: %s\n", err.msg);
        return 1;
    }
    const stark_stats *st = &r.steps;
    double other = r.prove_s - (st->lde_s + st->commit_s + st->stage2_s + st->quotient_s + st->ood_s +
                                st->deep_s + st->fri_s + st->open_s);
    struct {
        const char *name;
        double s;
    } rows[] = {{"lde", st->lde_s},           {"commit", st->commit_s}, {"stage2", st->stage2_s},
                {"quotient", st->quotient_s}, {"ood", st->ood_s},       {"deep", st->deep_s},
                {"fri", st->fri_s},           {"open", st->open_s},     {"other", other}};
    size_t nrows = sizeof rows / sizeof rows[0];
    if (json) {
        printf("{\"cols\": %u, \"log_n\": %u, \"log_blowup\": %u, \"queries\": %u, "
               "\"threads\": %d, \"perm_per_s\": %.0f, \"steps\": {",
               cols, log_n, p.fri.log_blowup, p.fri.n_queries, r.threads, r.perm_per_s);
        for (size_t i = 0; i < nrows; i++) printf("%s\"%s\": %.4f", i ? ", " : "", rows[i].name, rows[i].s);
        printf("}, \"prove_s\": %.4f, \"verify_s\": %.5f, \"proof_bytes\": %zu, "
               "\"lde_cells\": %llu, \"hash_floor_s\": %.4f, \"floor_ratio\": %.2f, \"perm_per_s_all_threads\": %.0f, "
               "\"floor_one_core_s\": %.4f, \"floor_ratio_one_core\": %.2f, \"tree_perms\": %llu, "
               "\"fri_perms\": %llu}\n",
               r.prove_s, r.verify_s, r.proof_bytes, (unsigned long long)st->lde_cells, r.floor_s,
               r.prove_s / r.floor_s, r.perm_per_s_all, r.floor_one_core_s, r.prove_s / r.floor_one_core_s,
               (unsigned long long)r.tree_perms, (unsigned long long)r.fri_perms);
    } else {
        printf("STARK prove: %u columns x 2^%u rows, degree 3, blowup %u, %u queries, %u pow "
               "bits, %d thread(s)\n",
               cols, log_n, 1u << p.fri.log_blowup, p.fri.n_queries, p.fri.pow_bits, r.threads);
        printf("%-10s %10s %7s\n", "step", "seconds", "share");
        for (size_t i = 0; i < nrows; i++)
            printf("%-10s %10.3f %6.1f%%\n", rows[i].name, rows[i].s, 100 * rows[i].s / r.prove_s);
        printf("%-10s %10.3f\n", "total", r.prove_s);
        printf("proof size      %zu bytes (%.1f KiB)\n", r.proof_bytes, r.proof_bytes / 1024.0);
        printf("verify          %.2f ms (decode + verify)\n", r.verify_s * 1e3);
        printf("Merkle perms    %llu (trees %llu, FRI layers %llu)\n",
               (unsigned long long)(r.tree_perms + r.fri_perms), (unsigned long long)r.tree_perms,
               (unsigned long long)r.fri_perms);
        printf("hashing floor   %.3f s (%llu LDE cells / 8 permutations at %.2f M/s, %d threads hashing at once)\n",
               r.floor_s, (unsigned long long)st->lde_cells, r.perm_per_s_all / 1e6, r.threads);
        printf("prove / floor   %.2f (%.2f against the one-core rate x %d)\n", r.prove_s / r.floor_s,
               r.prove_s / r.floor_one_core_s, r.threads);
    }
    return 0;
usage:
    fprintf(stderr, "usage: bench_stark [--json] [--log-n L] [--cols C] [--queries Q] [--pow BITS] "
                    "[--input-committed 0|1]\n");
    return 2;
}
