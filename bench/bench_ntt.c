/*
 * bench_ntt: NTT timings over Goldilocks for sizes 2^16..2^22, one column and a batch of
 * columns, on one thread and on all threads (OpenMP). Columns are natural order in and out
 * (ntt_forward_batch / ntt_inverse_batch, bit reversal included), plus the coset LDE with
 * blowup 2 (ntt_lde_batch) and the prover's quotient transforms on columns of twice the size: the
 * coset inverse, and the coset forward of coefficient vectors whose upper half is zero. Each
 * cell is the best of several runs. Prints a table, or one JSON object with --json.
 *
 * usage: bench_ntt [--json] [--min-log N] [--max-log N] [--cols W]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base.h"
#include "gl.h"
#include "ntt.h"

static uint64_t rng = 0x0123456789ABCDEFull;
static gl_t rnd_gl(void) {
    rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
    return gl_from_u64(rng);
}

enum { OP_FWD, OP_INV, OP_LDE, OP_COSET_INV2, OP_COSET_FWD2 };

/* Best-of-k seconds for one operation on `width` columns of 2^log_n. */
static double time_op(const ntt_plan *plan, int op, gl_t *data, gl_t *lde, gl_t *scratch,
                      unsigned log_n, size_t width) {
    size_t n = (size_t)1 << log_n;
    double best = 1e30, total = 0;
    for (int rep = 0; rep < 7 && (rep < 3 || total < 1.0); rep++) {
        if (op == OP_COSET_FWD2) /* quotient chunks: n coefficients padded with n zeros */
            for (size_t c = 0; c < width; c++) {
                memcpy(lde + c * 2 * n, data + c * n, n * sizeof(gl_t));
                memset(lde + c * 2 * n + n, 0, n * sizeof(gl_t));
            }
        double t0 = zisk_now_seconds();
        if (op == OP_FWD) ntt_forward_batch(plan, data, log_n, width, n);
        else if (op == OP_INV) ntt_inverse_batch(plan, data, log_n, width, n);
        else if (op == OP_LDE)
            ntt_lde_batch(plan, data, n, width, log_n, 1, GL_GENERATOR, lde, 2 * n, scratch);
        else if (op == OP_COSET_INV2)
            ntt_coset_inverse_batch(plan, lde, log_n + 1, width, 2 * n, GL_GENERATOR);
        else ntt_coset_forward_batch(plan, lde, log_n + 1, width, 2 * n, GL_GENERATOR);
        double dt = zisk_now_seconds() - t0;
        total += dt;
        if (dt < best) best = dt;
    }
    return best;
}

int main(int argc, char **argv) {
    int json = 0;
    unsigned min_log = 16, max_log = 22;
    size_t batch = 8;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0) json = 1;
        else if (strcmp(argv[i], "--min-log") == 0 && i + 1 < argc) min_log = (unsigned)atoi(argv[++i]);
        else if (strcmp(argv[i], "--max-log") == 0 && i + 1 < argc) max_log = (unsigned)atoi(argv[++i]);
        else if (strcmp(argv[i], "--cols") == 0 && i + 1 < argc) batch = (size_t)atoi(argv[++i]);
        else {
            fprintf(stderr, "usage: %s [--json] [--min-log N] [--max-log N] [--cols W]\n", argv[0]);
            return 2;
        }
    }
    if (max_log > 24 || min_log > max_log || batch < 1 || batch > 256) {
        fprintf(stderr, "bench_ntt: sizes must satisfy min-log <= max-log <= 24, 1 <= cols <= 256\n");
        return 2;
    }
    int all = ntt_threads();
    ntt_plan *plan = ntt_plan_create(max_log + 1);
    size_t nmax = (size_t)1 << max_log;
    gl_t *data = zisk_xmalloc(nmax * batch * sizeof(gl_t));
    gl_t *lde = zisk_xmalloc(2 * nmax * batch * sizeof(gl_t));
    gl_t *scratch = zisk_xmalloc(nmax * sizeof(gl_t));
    for (size_t i = 0; i < nmax * batch; i++) data[i] = rnd_gl();
    /* Touch the LDE buffer once so page faults are not timed. */
    memset(lde, 0, 2 * nmax * batch * sizeof(gl_t));

    if (json) printf("{\"bench\":\"ntt\",\"backend\":\"%s\",\"threads_all\":%d,\"rows\":[", gl_vec()->name, all);
    else {
        printf("NTT over Goldilocks (backend %s; times in ms, best of >= 3 runs; LDE = blowup 2; "
               "coset x2 = cols of 2^(log_n+1), fwd with zero upper halves)\n",
               gl_vec()->name);
        printf("| log_n | cols | threads | forward ms | inverse ms | LDE x2 ms | fwd ms/col "
               "| coset inv x2 ms | coset fwd x2 ms |\n");
        printf("|------:|-----:|--------:|-----------:|-----------:|----------:|-----------:"
               "|----------------:|----------------:|\n");
    }
    int first = 1;
    for (unsigned log_n = min_log; log_n <= max_log; log_n++) {
        size_t widths[2] = {1, batch};
        for (int wi = 0; wi < (batch > 1 ? 2 : 1); wi++) {
            int thread_counts[2] = {1, all};
            for (int ti = 0; ti < (all > 1 ? 2 : 1); ti++) {
                size_t w = widths[wi];
                ntt_set_threads(thread_counts[ti]);
                double f = time_op(plan, OP_FWD, data, lde, scratch, log_n, w);
                double v = time_op(plan, OP_INV, data, lde, scratch, log_n, w);
                double l = time_op(plan, OP_LDE, data, lde, scratch, log_n, w);
                double ci = time_op(plan, OP_COSET_INV2, data, lde, scratch, log_n, w);
                double cf = time_op(plan, OP_COSET_FWD2, data, lde, scratch, log_n, w);
                if (json)
                    printf("%s{\"log_n\":%u,\"cols\":%zu,\"threads\":%d,\"forward_ms\":%.3f,"
                           "\"inverse_ms\":%.3f,\"lde2_ms\":%.3f,\"coset_inv2_ms\":%.3f,"
                           "\"coset_fwd2_ms\":%.3f}",
                           first ? "" : ",", log_n, w, thread_counts[ti], f * 1e3, v * 1e3, l * 1e3,
                           ci * 1e3, cf * 1e3);
                else
                    printf("| %5u | %4zu | %7d | %10.2f | %10.2f | %9.2f | %10.2f | %15.2f "
                           "| %15.2f |\n",
                           log_n, w, thread_counts[ti], f * 1e3, v * 1e3, l * 1e3,
                           f * 1e3 / (double)w, ci * 1e3, cf * 1e3);
                first = 0;
                fflush(stdout);
            }
        }
    }
    if (json) printf("]}\n");
    ntt_set_threads(all);
    free(data), free(lde), free(scratch);
    ntt_plan_free(plan);
    return 0;
}
