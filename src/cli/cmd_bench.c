/*
 * cmd_bench.c: `zisk bench`: a few seconds of measurements for operators sizing hardware: the
 * kernels that decide proving speed on this machine (Goldilocks multiplication per SIMD level,
 * NTT, Poseidon2, Merkle commitment) and a whole STARK prove + verify. Each vector kernel is reported next to the scalar one
 * measured in the same run. The detailed benchmarks live in bench/ (bench_field, bench_ntt,
 * bench_hash, bench_fri, bench_stark); this command is their quick, always-installed summary.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "gl.h"
#include "hash.h"
#include "merkle.h"
#include "ntt.h"
#include "stark_bench.h"

#ifdef _OPENMP
#include <omp.h>
#endif

typedef struct bench_row {
    char name[64];
    double value;      /* per second, or milliseconds */
    const char *unit;  /* "M/s" or "ms" */
} bench_row;

#define MAX_ROWS 32

static double best_of(int reps, double (*fn)(void *), void *ctx) {
    double best = 1e300;
    for (int i = 0; i < reps; i++) {
        double t = fn(ctx);
        if (t < best) best = t;
    }
    return best;
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static gl_t rnd(void) {
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return gl_from_u64(rng_state);
}

typedef struct mul_ctx {
    const gl_vec_ops *ops;
    gl_t *a, *b, *out;
    size_t n;
    int rounds;
} mul_ctx;

static double time_mul(void *p) {
    mul_ctx *c = p;
    double t0 = zisk_now_seconds();
    for (int r = 0; r < c->rounds; r++) c->ops->mul(c->out, c->a, c->b, c->n);
    return zisk_now_seconds() - t0;
}

typedef struct ntt_ctx {
    const ntt_plan *plan;
    gl_t *data;
    unsigned log_n;
    size_t width;
} ntt_ctx;

static double time_ntt(void *p) {
    ntt_ctx *c = p;
    double t0 = zisk_now_seconds();
    if (c->width == 1) ntt_forward(c->plan, c->data, c->log_n);
    else ntt_forward_batch(c->plan, c->data, c->log_n, c->width, (size_t)1 << c->log_n);
    return zisk_now_seconds() - t0;
}

typedef struct perm_ctx {
    gl_simd_level level;
    gl_t *states;
    size_t n;
} perm_ctx;

static double time_perm(void *p) {
    perm_ctx *c = p;
    double t0 = zisk_now_seconds();
    poseidon2_permute_batch_level(c->level, c->states, c->n);
    return zisk_now_seconds() - t0;
}

typedef struct merkle_ctx {
    const gl_t *mat;
    size_t rows, cols;
    hash_digest *nodes;
} merkle_ctx;

static double time_merkle(void *p) {
    merkle_ctx *c = p;
    merkle_tree t;
    double t0 = zisk_now_seconds();
    if (merkle_build(&t, c->mat, c->rows, c->cols, c->cols, 1, c->nodes, NULL) != 0) abort();
    return zisk_now_seconds() - t0;
}

static void add_row(bench_row *rows, size_t *n, const char *name, double value, const char *unit) {
    if (*n >= MAX_ROWS) return;
    snprintf(rows[*n].name, sizeof rows[*n].name, "%s", name);
    rows[*n].value = value;
    rows[*n].unit = unit;
    (*n)++;
}

int cmd_bench(int argc, char **argv) {
    cli_args a = {argc, 1, argv, "zisk bench"};
    int json = 0, quick = 0;
    const char *v;
    while (a.i < argc) {
        if (!strcmp(argv[a.i], "--help") || !strcmp(argv[a.i], "-h")) {
            printf("Usage: zisk bench [--json] [--quick]\n\n"
                   "Measures the kernels that decide proving speed on this machine: Goldilocks\n"
                   "multiplication (scalar and each SIMD level the CPU has), NTT of 2^16..2^22 (one\n"
                   "column and batches of 8), Poseidon2 permutations (scalar and SIMD) and a Merkle\n"
                   "commitment of a 2^20 x 32 matrix, and a full STARK prove + verify of a wide AIR\n"
                   "(100 columns x 2^18 rows, degree 3, blowup 2) with its proof size and its ratio to\n"
                   "the hashing floor. Takes under a minute (--quick: a few seconds, smaller sizes).\n"
                   "--json prints one JSON object.\n");
            return CLI_EXIT_OK;
        }
        if (cli_flag(&a, "--json", 0, &v)) { json = 1; continue; }
        if (cli_flag(&a, "--quick", 0, &v)) { quick = 1; continue; }
        return cli_usage_error(&a, "unknown option '%s'", argv[a.i]);
    }
    bench_row rows[MAX_ROWS];
    size_t n_rows = 0;
    double t_all = zisk_now_seconds();
    int threads = 1;
#ifdef _OPENMP
    threads = omp_get_max_threads();
#endif

    /* Multiplication: a 4096-element working set stays in L1, so this is the multiplier. */
    {
        mul_ctx c = {.n = 4096, .rounds = quick ? 500 : 4000};
        c.a = zisk_xmalloc(c.n * sizeof(gl_t));
        c.b = zisk_xmalloc(c.n * sizeof(gl_t));
        c.out = zisk_xmalloc(c.n * sizeof(gl_t));
        for (size_t i = 0; i < c.n; i++) c.a[i] = rnd(), c.b[i] = rnd();
        for (int lvl = 0; lvl < GL_SIMD_LEVELS; lvl++) {
            c.ops = gl_vec_ops_get((gl_simd_level)lvl);
            if (!c.ops) continue;
            double t = best_of(3, time_mul, &c);
            char name[64];
            snprintf(name, sizeof name, "goldilocks_mul_%s", c.ops->name);
            add_row(rows, &n_rows, name, (double)c.n * c.rounds / t / 1e6, "M/s");
        }
        free(c.a);
        free(c.b);
        free(c.out);
    }
    /* NTT, one column and a batch of 8 (all threads). */
    {
        unsigned max_log = quick ? 18 : 22;
        ntt_plan *plan = ntt_plan_create(max_log);
        gl_t *data = zisk_xmalloc(((size_t)8 << max_log) * sizeof(gl_t));
        for (size_t i = 0; i < ((size_t)8 << max_log); i++) data[i] = rnd();
        for (unsigned lg = 16; lg <= max_log; lg += 2) {
            for (size_t width = 1; width <= 8; width *= 8) {
                ntt_ctx c = {plan, data, lg, width};
                char name[64];
                snprintf(name, sizeof name, "ntt_2^%u_x%zu_ms", lg, width);
                add_row(rows, &n_rows, name, best_of(3, time_ntt, &c) * 1e3, "ms");
            }
        }
        free(data);
        ntt_plan_free(plan);
    }
    /* Poseidon2 permutations, one core, per level. */
    {
        perm_ctx c = {.n = quick ? 8192 : 65536};
        c.states = zisk_xmalloc(c.n * POSEIDON2_WIDTH * sizeof(gl_t));
        for (size_t i = 0; i < c.n * POSEIDON2_WIDTH; i++) c.states[i] = rnd();
        double scalar = 0;
        for (int lvl = 0; lvl < GL_SIMD_LEVELS; lvl++) {
            if (lvl != GL_SIMD_SCALAR && !gl_vec_ops_get((gl_simd_level)lvl)) continue;
            c.level = (gl_simd_level)lvl;
            double rate = (double)c.n / best_of(3, time_perm, &c) / 1e6;
            if (lvl == GL_SIMD_SCALAR) scalar = rate;
            else if (rate <= scalar * 1.01) continue; /* no SIMD permutation at this level */
            char name[64];
            snprintf(name, sizeof name, "poseidon2_%s", gl_vec_ops_get((gl_simd_level)lvl)->name);
            add_row(rows, &n_rows, name, rate, "M/s");
        }
        free(c.states);
    }
    /* Merkle commitment of a row-major matrix (all threads). */
    {
        merkle_ctx c = {.rows = (size_t)1 << (quick ? 16 : 20), .cols = 32};
        gl_t *mat = zisk_xmalloc(c.rows * c.cols * sizeof(gl_t));
        for (size_t i = 0; i < c.rows * c.cols; i++) mat[i] = rnd();
        c.mat = mat;
        c.nodes = zisk_xmalloc(merkle_node_count(c.rows) * sizeof(hash_digest));
        char name[64];
        snprintf(name, sizeof name, "merkle_2^%u_x32_ms", quick ? 16 : 20);
        add_row(rows, &n_rows, name, best_of(quick ? 1 : 2, time_merkle, &c) * 1e3, "ms");
        free(c.nodes);
        free(mat);
    }
    /* A full STARK prove + verify of the standard wide AIR (degree 3, blowup 2). */
    stark_bench_result sb;
    uint32_t sb_cols = quick ? 20 : 100;
    unsigned sb_log_n = quick ? 14 : 18;
    stark_params sp = stark_params_default();
    zisk_err err;
    int have_stark = stark_bench_wide(sb_cols, sb_log_n, &sp, &sb, &err) == 0;
    if (!have_stark) fprintf(stderr, "zisk bench: STARK benchmark failed: %s\n", err.msg);
    else {
        char name[64];
        snprintf(name, sizeof name, "stark_%ux2^%u_prove_ms", sb_cols, sb_log_n);
        add_row(rows, &n_rows, name, sb.prove_s * 1e3, "ms");
        add_row(rows, &n_rows, "stark_verify_ms", sb.verify_s * 1e3, "ms");
        add_row(rows, &n_rows, "stark_proof_kib", sb.proof_bytes / 1024.0, "KiB");
        add_row(rows, &n_rows, "stark_prove_over_hash_floor", sb.prove_s / sb.floor_s, "x");
    }
    double secs = zisk_now_seconds() - t_all;

    if (json) {
        printf("{\"threads\":%d,\"simd\":\"%s\",\"seconds\":%.3f", threads, gl_vec()->name, secs);
        for (size_t i = 0; i < n_rows; i++) {
            char key[96];
            snprintf(key, sizeof key, "%.63s%s", rows[i].name, strcmp(rows[i].unit, "M/s") ? "" : "_mps");
            printf(",\"%s\":%.3f", key, rows[i].value);
        }
        printf("}\n");
    } else {
        printf("zisk bench: %d thread(s), best SIMD level %s (%.1f s)\n", threads, gl_vec()->name, secs);
        for (size_t i = 0; i < n_rows; i++) printf("  %-28s %12.2f %s\n", rows[i].name, rows[i].value, rows[i].unit);
        printf("(M/s: millions per second on one core; ms: milliseconds with all threads;\n"
               " x: the prover's time over what its Poseidon2 hashing alone costs)\n");
    }
    return have_stark ? CLI_EXIT_OK : CLI_EXIT_FAILURE;
}
