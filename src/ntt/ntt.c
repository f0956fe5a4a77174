/*
 * ntt.c: NTTs over Goldilocks, cache-blocked, two stages per pass, with the butterflies done by
 * the field's vector kernels (gl_vec(): AVX-512, AVX2 or scalar) and OpenMP across columns or,
 * for a single large column, across the butterflies of a pass.
 *
 * Two transforms, each the other's inverse (up to the factor n):
 *  - ct (natural order in, bit-reversed out): stage d = 0 .. L-1 (n = 2^L) cuts x into 2^d
 *    blocks of n / 2^d elements and applies Cooley-Tukey butterflies (u + z v, u - z v) to the
 *    pairs half a block apart, with one twiddle z per block: z_d[b] = w_(2^(d+1))^bitrev_d(b)
 *    (w_k: the primitive k-th root gl_root_of_unity(log2 k)). Block b of stage d holds the
 *    remainder of the polynomial modulo X^(n/2^d) - z_d[b]^2, and the butterfly splits it into
 *    the remainders modulo X^(n/2^(d+1)) -+ z_d[b]; after the last stage position b holds the
 *    value at w_n^bitrev(b), which is why the output comes out bit-reversed.
 *  - gs (bit-reversed in, natural out): the same stages in the opposite order (d = L-1 .. 0) with
 *    Gentleman-Sande butterflies (u + v, (u - v) z). With the tables of w it computes the
 *    transform with root w (it inverts the ct transform built on w^-1, up to n).
 * Compared with twiddles indexed by position, a whole block shares one twiddle (broadcast once,
 * no table read per butterfly), the coarse stages have almost no twiddles at all, and the first
 * block of each stage has z = 1 (the kernels skip those multiplications).
 *
 * Twiddles: z_d does not depend on the transform size, and for b < 2^d, bitrev_D(b) =
 * bitrev_d(b) * 2^(D - d), so z_D[b] = z_d[b]: every stage's table is a prefix of the largest
 * one. A plan keeps that one table per direction (2^(log_max - 1) entries) and serves every size
 * up to 2^log_max; a block of the block-local stages reads a contiguous slice of it.
 *
 * Blocking: the stages whose blocks are at most 2^NTT_LOG_BLOCK elements run block by block
 * while the block stays in L1/L2 (ct: the last stages; gs: the first ones), two stages per pass
 * (ntt_ct4 / ntt_gs4: per four elements three general multiplications and one by 2^48 instead
 * of four general ones, see gl_vec_loops.h), with the three finest in registers (ntt_ct_tail /
 * ntt_gs_head). The remaining "global" stages sweep the whole column, two per pass, split into
 * tasks of NTT_TASK columns for the threads.
 * Measured (bench_ntt): the kernels are compute-bound; the block size hardly matters.
 */
#include "ntt.h"

#include <stdlib.h>
#include <string.h>

#include "base.h"

#ifdef _OPENMP
#include <omp.h>
#define NTT_OMP(x) _Pragma(x)
#else
#define NTT_OMP(x)
#endif

/* log2 of the cache block (2^13 elements = 64 KiB: within L2, two per core with room to spare). */
#define NTT_LOG_BLOCK 13
/* Columns per parallel task in a global pass (a multiple of every vector width). */
#define NTT_TASK 4096
/* Below this size a single column is not worth a parallel region. */
#define NTT_LOG_PAR_MIN 14

struct ntt_plan {
    unsigned log_max;
    gl_t *fwd; /* z_d[b] = fwd[b] for every stage d (2^(log_max - 1) elements) */
    gl_t *inv; /* same with w^-1 */
};

static inline uint32_t rev32(uint32_t v) {
    v = ((v >> 1) & 0x55555555u) | ((v & 0x55555555u) << 1);
    v = ((v >> 2) & 0x33333333u) | ((v & 0x33333333u) << 2);
    v = ((v >> 4) & 0x0F0F0F0Fu) | ((v & 0x0F0F0F0Fu) << 4);
    v = ((v >> 8) & 0x00FF00FFu) | ((v & 0x00FF00FFu) << 8);
    return (v >> 16) | (v << 16);
}

static inline size_t bitrev(size_t i, unsigned log_n) {
    return log_n == 0 ? 0 : (size_t)(rev32((uint32_t)i) >> (32 - log_n));
}

/* Built by doubling: for s = 2^i and j < s, bitrev_D(s + j) = bitrev_D(j) + 2^(D - 1 - i), so
 * t[s .. 2s) = t[0 .. s) * w_(4s): one vector scaling per bit. */
static void fill_table(gl_t *t, unsigned log_max, int inverse) {
    t[0] = 1;
    for (unsigned i = 0; i + 1 < log_max; i++) {
        gl_t w = gl_root_of_unity(i + 2); /* order 4s */
        gl_vec()->scale(t + ((size_t)1 << i), t, inverse ? gl_inv(w) : w, (size_t)1 << i);
    }
}

ntt_plan *ntt_plan_create(unsigned log_max) {
    ZISK_ASSERT(log_max <= NTT_LOG_MAX);
    ntt_plan *p = zisk_xcalloc(1, sizeof *p);
    p->log_max = log_max;
    /* At least one element, so that log_max = 0 gets a valid (unused) allocation. */
    size_t len = log_max ? (size_t)1 << (log_max - 1) : 1;
    p->fwd = zisk_xmalloc(len * sizeof(gl_t));
    p->inv = zisk_xmalloc(len * sizeof(gl_t));
    fill_table(p->fwd, log_max, 0);
    fill_table(p->inv, log_max, 1);
    return p;
}

const ntt_plan *ntt_plan_shared(unsigned log_max) {
    static ntt_plan *shared[NTT_LOG_MAX + 1];
    ZISK_ASSERT(log_max <= NTT_LOG_MAX);
    ntt_plan *p = __atomic_load_n(&shared[log_max], __ATOMIC_ACQUIRE);
    if (p) return p;
    /* Racing first users each build one; the first to publish wins, the others free theirs. */
    ntt_plan *mine = ntt_plan_create(log_max), *expected = NULL;
    if (__atomic_compare_exchange_n(&shared[log_max], &expected, mine, 0, __ATOMIC_ACQ_REL,
                                    __ATOMIC_ACQUIRE))
        return mine;
    ntt_plan_free(mine);
    return expected;
}

void ntt_plan_free(ntt_plan *plan) {
    if (!plan) return;
    free(plan->fwd);
    free(plan->inv);
    free(plan);
}

unsigned ntt_plan_log_max(const ntt_plan *plan) { return plan->log_max; }

int ntt_threads(void) {
#ifdef _OPENMP
    return omp_get_max_threads();
#else
    return 1;
#endif
}

void ntt_set_threads(int n) {
#ifdef _OPENMP
    if (n >= 1) omp_set_num_threads(n);
#else
    (void)n;
#endif
}

/* ---- passes ------------------------------------------------------------------------------ */

/* Stage d's twiddles for the blocks of block `blk` of stage d0 <= d (2^(d - d0) of them). */
static inline const gl_t *stage_tw(const gl_t *tab, unsigned d, unsigned d0, size_t blk) {
    return tab + (blk << (d - d0));
}

/* Stages d0 .. L-1 of the ct transform of size 2^L on x, which is block blk of stage d0
 * (2^(L - d0) elements). An odd stage out goes first, as a radix-2 pass. */
static void ct_block(const gl_vec_ops *ops, gl_t *x, unsigned L, unsigned d0, size_t blk,
                     const gl_t *tab) {
    unsigned tail = L - d0 >= 3 ? 3 : 0, stop = L - tail, d = d0;
    if ((stop - d0) & 1) {
        size_t m = (size_t)1 << (L - d - 1);
        ops->ntt_ct2(x, m, m, (size_t)1 << (d - d0), stage_tw(tab, d, d0, blk));
        d++;
    }
    for (; d < stop; d += 2) {
        size_t m = (size_t)1 << (L - d - 2);
        ops->ntt_ct4(x, m, m, (size_t)1 << (d - d0), stage_tw(tab, d, d0, blk),
                     stage_tw(tab, d + 1, d0, blk));
    }
    if (tail)
        ops->ntt_ct_tail(x, (size_t)1 << (L - d0), stage_tw(tab, L - 3, d0, blk),
                         stage_tw(tab, L - 2, d0, blk), stage_tw(tab, L - 1, d0, blk));
}

/* Stages L-1 .. d0 of the gs transform on block blk of stage d0; head_done: the three finest
 * were already applied (by ntt_lde2_head). An odd stage out goes last, as a radix-2 pass. */
static void gs_block(const gl_vec_ops *ops, gl_t *x, unsigned L, unsigned d0, size_t blk,
                     const gl_t *tab, int head_done) {
    unsigned head = L - d0 >= 3 ? 3 : 0, d = L - head;
    if (head && !head_done)
        ops->ntt_gs_head(x, (size_t)1 << (L - d0), stage_tw(tab, L - 1, d0, blk),
                         stage_tw(tab, L - 2, d0, blk), stage_tw(tab, L - 3, d0, blk));
    for (; d >= d0 + 2; d -= 2) {
        size_t m = (size_t)1 << (L - d);
        ops->ntt_gs4(x, m, m, (size_t)1 << (d - 2 - d0), stage_tw(tab, d - 2, d0, blk),
                     stage_tw(tab, d - 1, d0, blk));
    }
    if (d > d0) {
        size_t m = (size_t)1 << (L - d0 - 1);
        ops->ntt_gs2(x, m, m, 1, stage_tw(tab, d0, d0, blk));
    }
}

/* One global pass over a whole column of 2^L: stage d alone (radix4 = 0) or stages d, d + 1, as
 * ct or gs butterflies, in tasks of NTT_TASK columns (in parallel with par). With src, the pass
 * first copies each task's rows from src (an out-of-place transform's input), so the copy lands
 * in cache right before the butterflies read it instead of costing a pass of its own. */
static void global_pass(const gl_vec_ops *ops, gl_t *x, const gl_t *src, unsigned L, unsigned d,
                        int radix4, int gs, const gl_t *tab, int par) {
    size_t m = (size_t)1 << (L - d - 1 - (unsigned)radix4); /* row length */
    size_t rows = (size_t)2 << radix4, blocks = (size_t)1 << d;
    const gl_t *ta = stage_tw(tab, d, 0, 0), *tb = radix4 ? stage_tw(tab, d + 1, 0, 0) : NULL;
    size_t per = m >= NTT_TASK ? m / NTT_TASK : 1, len = m / per, tasks = blocks * per;
    par = par && per > 1;
    NTT_OMP("omp parallel for schedule(static) if(par)")
    for (size_t t = 0; t < tasks; t++) {
        size_t b = t / per, off = b * rows * m + (t % per) * len;
        gl_t *y = x + off;
        if (src)
            for (size_t r = 0; r < rows; r++)
                memcpy(y + r * m, src + off + r * m, len * sizeof(gl_t));
        if (radix4 && gs) ops->ntt_gs4(y, m, len, 1, ta + b, tb + 2 * b);
        else if (radix4) ops->ntt_ct4(y, m, len, 1, ta + b, tb + 2 * b);
        else if (gs) ops->ntt_gs2(y, m, len, 1, ta + b);
        else ops->ntt_ct2(y, m, len, 1, ta + b);
    }
}

/* The global stages 0 .. G-1 (ct; the first pass reading from src when it is not NULL) or
 * G-1 .. 0 (gs) of a transform of 2^L. */
static void ct_global(const gl_vec_ops *ops, gl_t *x, const gl_t *src, unsigned L, unsigned G,
                      const gl_t *tab, int par) {
    for (unsigned d = 0; d < G;) {
        int radix4 = (G - d) % 2 == 0;
        global_pass(ops, x, src, L, d, radix4, 0, tab, par);
        src = NULL;
        d += 1 + (unsigned)radix4;
    }
}

static void gs_global(const gl_vec_ops *ops, gl_t *x, unsigned L, unsigned G, const gl_t *tab,
                      int par) {
    unsigned d = G;
    for (; d >= 2; d -= 2) global_pass(ops, x, NULL, L, d - 2, 1, 1, tab, par);
    if (d) global_pass(ops, x, NULL, L, 0, 0, 1, tab, par);
}

static unsigned log_block_of(unsigned log_n) {
    return log_n < NTT_LOG_BLOCK ? log_n : NTT_LOG_BLOCK;
}

/* Natural order in, bit-reversed out. */
static void ct_all(const ntt_plan *plan, gl_t *x, unsigned log_n, int inverse, int par) {
    ZISK_ASSERT(log_n <= plan->log_max);
    const gl_vec_ops *ops = gl_vec();
    const gl_t *tab = inverse ? plan->inv : plan->fwd;
    unsigned lb = log_block_of(log_n), G = log_n - lb;
    par = par && log_n >= NTT_LOG_PAR_MIN;
    ct_global(ops, x, NULL, log_n, G, tab, par);
    size_t nblocks = (size_t)1 << G;
    NTT_OMP("omp parallel for schedule(static) if(par)")
    for (size_t b = 0; b < nblocks; b++) ct_block(ops, x + (b << lb), log_n, G, b, tab);
}

/* Bit-reversed order in, natural out. */
static void gs_all(const ntt_plan *plan, gl_t *x, unsigned log_n, int inverse, int par) {
    ZISK_ASSERT(log_n <= plan->log_max);
    const gl_vec_ops *ops = gl_vec();
    const gl_t *tab = inverse ? plan->inv : plan->fwd;
    unsigned lb = log_block_of(log_n), G = log_n - lb;
    par = par && log_n >= NTT_LOG_PAR_MIN;
    size_t nblocks = (size_t)1 << G;
    NTT_OMP("omp parallel for schedule(static) if(par)")
    for (size_t b = 0; b < nblocks; b++) gs_block(ops, x + (b << lb), log_n, G, b, tab, 0);
    gs_global(ops, x, log_n, G, tab, par);
}

/* ---- bit reversal ------------------------------------------------------------------------ */

/* Bit-reversal permutation. The naive loop swaps x[i] with x[rev(i)] in scattered order, one
 * cache miss per element at large sizes. Instead split i = (a, mid, c) with a and c of BR_BITS
 * bits: rev(i) = (rev(c), rev(mid), rev(a)). For one mid, the i's form 2^BR_BITS runs of
 * 2^BR_BITS contiguous elements, and so do their partners (at rev(mid)), so both tiles are read
 * and written while their cache lines are resident. A tile pair (mid, rev(mid)) is handled once,
 * by the smaller mid; a tile mapped onto itself swaps only i < rev(i). */
#define BR_BITS 4

static void bit_reverse(gl_t *x, unsigned log_n, int par) {
    ZISK_ASSERT(log_n <= 32);
    size_t n = (size_t)1 << log_n;
    par = par && log_n >= NTT_LOG_PAR_MIN;
    if (log_n < 2 * BR_BITS + 2) {
        for (size_t i = 0; i < n; i++) {
            size_t j = bitrev(i, log_n);
            if (i < j) {
                gl_t t = x[i];
                x[i] = x[j];
                x[j] = t;
            }
        }
        return;
    }
    const unsigned mid_bits = log_n - 2 * BR_BITS;
    const size_t side = (size_t)1 << BR_BITS, mids = (size_t)1 << mid_bits;
    const unsigned hi_shift = log_n - BR_BITS;
    NTT_OMP("omp parallel for schedule(static) if(par)")
    for (size_t mid = 0; mid < mids; mid++) {
        size_t rmid = bitrev(mid, mid_bits);
        if (rmid < mid) continue;
        for (size_t a = 0; a < side; a++) {
            size_t ra = bitrev(a, BR_BITS);
            for (size_t c = 0; c < side; c++) {
                size_t i = (a << hi_shift) | (mid << BR_BITS) | c;
                size_t j = (bitrev(c, BR_BITS) << hi_shift) | (rmid << BR_BITS) | ra;
                if (rmid == mid && j <= i) continue;
                gl_t t = x[i];
                x[i] = x[j];
                x[j] = t;
            }
        }
    }
}

void ntt_bit_reverse(gl_t *x, unsigned log_n) { bit_reverse(x, log_n, 1); }

/* ---- single column ----------------------------------------------------------------------- */

void ntt_dif(const ntt_plan *plan, gl_t *x, unsigned log_n, int inverse) {
    ct_all(plan, x, log_n, inverse, 1);
}

void ntt_dit(const ntt_plan *plan, gl_t *x, unsigned log_n, int inverse) {
    gs_all(plan, x, log_n, inverse, 1);
}

static void forward_col(const ntt_plan *plan, gl_t *x, unsigned log_n, int par) {
    bit_reverse(x, log_n, par);
    gs_all(plan, x, log_n, 0, par);
}

/* x[k] *= c * s^k for k < n, in tasks of NTT_TASK when par (each starting at its own power). */
static void scale_powers_col(gl_t *x, size_t n, gl_t c, gl_t s, int par) {
    const gl_vec_ops *ops = gl_vec();
    if (!par || n < ((size_t)1 << NTT_LOG_PAR_MIN)) {
        ops->scale_powers(x, n, c, s);
        return;
    }
    size_t tasks = (n + NTT_TASK - 1) / NTT_TASK;
    NTT_OMP("omp parallel for schedule(static)")
    for (size_t t = 0; t < tasks; t++) {
        size_t lo = t * NTT_TASK, len = n - lo < NTT_TASK ? n - lo : NTT_TASK;
        ops->scale_powers(x + lo, len, gl_mul(c, gl_pow(s, lo)), s);
    }
}

static void scale_col(gl_t *x, size_t n, gl_t s, int par) {
    const gl_vec_ops *ops = gl_vec();
    if (!par || n < ((size_t)1 << NTT_LOG_PAR_MIN)) {
        ops->scale(x, x, s, n);
        return;
    }
    size_t tasks = (n + NTT_TASK - 1) / NTT_TASK;
    NTT_OMP("omp parallel for schedule(static)")
    for (size_t t = 0; t < tasks; t++) {
        size_t lo = t * NTT_TASK, len = n - lo < NTT_TASK ? n - lo : NTT_TASK;
        ops->scale(x + lo, x + lo, s, len);
    }
}

static void inverse_col(const ntt_plan *plan, gl_t *x, unsigned log_n, int par) {
    bit_reverse(x, log_n, par);
    gs_all(plan, x, log_n, 1, par);
    scale_col(x, (size_t)1 << log_n, gl_inv((gl_t)1 << log_n), par);
}

void ntt_forward(const ntt_plan *plan, gl_t *x, unsigned log_n) { forward_col(plan, x, log_n, 1); }
void ntt_inverse(const ntt_plan *plan, gl_t *x, unsigned log_n) { inverse_col(plan, x, log_n, 1); }

/* ---- blowup-2 extension ------------------------------------------------------------------ */

/* The gs transform of size 2n (n = 2^log_n >= 8) of the zero-padded bit-reversed vector whose
 * position 2j holds col[j] * t[j] (col[j] when t is NULL) and position 2j + 1 holds 0, i.e. the
 * evaluations over H_2n of the polynomial with those coefficients (bit-reversed order of size n),
 * in place: col has room for 2n elements. With ct_first, col first goes through the block-local
 * stages of the ct transform of size n with the inverse tables (its global stages already done),
 * the LDE's interpolation, so that each block is interpolated, scaled, spread and extended while
 * it is in cache.
 * Block r of the input (B elements) spreads onto elements [2rB, 2rB + 2B), the two blocks of size
 * B of the output it covers (one of 2B when B = n < NTT_BLOCK). That range holds input blocks 2r
 * and 2r + 1, so it may be written once those are done: in waves, blocks [nb/2, nb) first (their
 * outputs lie beyond n), then [nb/4, nb/2), and so on; the blocks of one wave are independent. */
static void extend2(const ntt_plan *plan, gl_t *col, unsigned log_n, const gl_t *t, int ct_first,
                    int par) {
    ZISK_ASSERT(log_n >= 3 && log_n + 1 <= plan->log_max);
    const gl_vec_ops *ops = gl_vec();
    unsigned L = log_n, LN = L + 1;
    unsigned lb = log_block_of(L), G = L - lb, lbN = log_block_of(LN), GN = LN - lbN;
    size_t B = (size_t)1 << lb, nb = (size_t)1 << G, per = (2 * B) >> lbN;
    par = par && LN >= NTT_LOG_PAR_MIN;
    for (size_t hi = nb; hi > 0; hi /= 2) {
        size_t lo = hi / 2;
        NTT_OMP("omp parallel for schedule(static) if(par)")
        for (size_t r = lo; r < hi; r++) {
            gl_t *in = col + r * B;
            if (ct_first) ct_block(ops, in, L, G, r, plan->inv);
            ops->ntt_lde2_head(col + 2 * r * B, in, B, t ? t + r * B : NULL,
                               stage_tw(plan->fwd, LN - 1, 0, 0) + r * B,
                               stage_tw(plan->fwd, LN - 2, 0, 0) + r * B / 2,
                               stage_tw(plan->fwd, LN - 3, 0, 0) + r * B / 4);
            for (size_t q = 0; q < per; q++) {
                size_t rn = r * per + q;
                gs_block(ops, col + (rn << lbN), LN, GN, rn, plan->fwd, 1);
            }
        }
    }
    gs_global(ops, col, LN, GN, plan->fwd, par);
}

/* ---- batches ----------------------------------------------------------------------------- */

/* One batch call: which transform, on which columns. */
typedef enum { JOB_FORWARD, JOB_INVERSE, JOB_COSET_FORWARD, JOB_COSET_INVERSE, JOB_LDE } job_kind;

typedef struct {
    job_kind kind;
    const ntt_plan *plan;
    gl_t *data; /* column c at data + c * stride (the output for the LDE) */
    size_t stride;
    unsigned log_n;
    gl_t shift;       /* coset transforms: shift, or shift^-1 for the inverse */
    const gl_t *in;   /* LDE: input columns (in_stride apart) and scale table */
    size_t in_stride;
    unsigned log_blowup;
    const gl_t *t;
} batch_job;

static void coset_forward_col(const ntt_plan *plan, gl_t *x, unsigned log_n, gl_t shift, int par);
static void lde_col(const ntt_plan *plan, gl_t *col, const gl_t *src, unsigned log_n,
                    unsigned log_blowup, const gl_t *t, int par);

static void job_col(const batch_job *job, size_t c, int par) {
    gl_t *x = job->data + c * job->stride;
    size_t n = (size_t)1 << job->log_n;
    switch (job->kind) {
    case JOB_FORWARD:
        forward_col(job->plan, x, job->log_n, par);
        break;
    case JOB_INVERSE:
        inverse_col(job->plan, x, job->log_n, par);
        break;
    case JOB_COSET_FORWARD:
        coset_forward_col(job->plan, x, job->log_n, job->shift, par);
        break;
    case JOB_COSET_INVERSE:
        bit_reverse(x, job->log_n, par);
        gs_all(job->plan, x, job->log_n, 1, par);
        /* 1/n and shift^-k in one pass. */
        scale_powers_col(x, n, gl_inv((gl_t)n), job->shift, par);
        break;
    case JOB_LDE:
        lde_col(job->plan, x, job->in == job->data ? NULL : job->in + c * job->in_stride,
                job->log_n, job->log_blowup, job->t, par);
        break;
    }
}

/* Whole columns per thread, as many as divide evenly among the threads; the columns left over
 * (fewer than the threads) one at a time with the threads inside each, so that for example three
 * columns on two threads take about 1.5 column times rather than 2. */
static void run_batch(const batch_job *job, size_t width) {
    size_t threads = (size_t)ntt_threads();
    size_t bulk = threads > 1 ? width - width % threads : width;
    NTT_OMP("omp parallel for schedule(dynamic, 1) if(threads > 1 && bulk > 1)")
    for (size_t c = 0; c < bulk; c++) job_col(job, c, 0);
    for (size_t c = bulk; c < width; c++) job_col(job, c, 1);
}

void ntt_forward_batch(const ntt_plan *plan, gl_t *data, unsigned log_n, size_t width,
                       size_t stride) {
    ZISK_ASSERT(stride >= ((size_t)1 << log_n) || width <= 1);
    batch_job job = {.kind = JOB_FORWARD, .plan = plan, .data = data, .stride = stride,
                     .log_n = log_n};
    run_batch(&job, width);
}

void ntt_inverse_batch(const ntt_plan *plan, gl_t *data, unsigned log_n, size_t width,
                       size_t stride) {
    ZISK_ASSERT(stride >= ((size_t)1 << log_n) || width <= 1);
    batch_job job = {.kind = JOB_INVERSE, .plan = plan, .data = data, .stride = stride,
                     .log_n = log_n};
    run_batch(&job, width);
}

static int all_zero(const gl_t *x, size_t n) {
    for (size_t i = 0; i < n; i += 64) {
        size_t e = n - i < 64 ? n - i : 64;
        gl_t acc = 0;
        for (size_t k = 0; k < e; k++) acc |= x[i + k];
        if (acc) return 0;
    }
    return 1;
}

/* Coefficients -> coset evaluations. Coefficient vectors whose upper half is zero (the quotient
 * chunks, padded to the evaluation domain) are the blowup-2 extension of their lower half: its
 * scaled coefficients, bit-reversed, go through extend2, which skips the zero half's work. */
static void coset_forward_col(const ntt_plan *plan, gl_t *x, unsigned log_n, gl_t shift,
                              int par) {
    size_t n = (size_t)1 << log_n;
    if (log_n >= 4 && all_zero(x + n / 2, n / 2)) {
        scale_powers_col(x, n / 2, 1, shift, par);
        bit_reverse(x, log_n - 1, par);
        extend2(plan, x, log_n - 1, NULL, 0, par);
        return;
    }
    scale_powers_col(x, n, 1, shift, par);
    forward_col(plan, x, log_n, par);
}

void ntt_coset_forward_batch(const ntt_plan *plan, gl_t *data, unsigned log_n, size_t width,
                             size_t stride, gl_t shift) {
    ZISK_ASSERT(stride >= ((size_t)1 << log_n) || width <= 1);
    ZISK_ASSERT(log_n <= plan->log_max);
    batch_job job = {.kind = JOB_COSET_FORWARD, .plan = plan, .data = data, .stride = stride,
                     .log_n = log_n, .shift = shift};
    run_batch(&job, width);
}

void ntt_coset_inverse_batch(const ntt_plan *plan, gl_t *data, unsigned log_n, size_t width,
                             size_t stride, gl_t shift) {
    ZISK_ASSERT(shift != 0);
    ZISK_ASSERT(stride >= ((size_t)1 << log_n) || width <= 1);
    batch_job job = {.kind = JOB_COSET_INVERSE, .plan = plan, .data = data, .stride = stride,
                     .log_n = log_n, .shift = gl_inv(shift)};
    run_batch(&job, width);
}

/* ---- low-degree extension ---------------------------------------------------------------- */

/* t[j] = shift^bitrev_n(j) / n for j < n. For s = 2^i and j < s, bitrev_n(s + j) =
 * bitrev_n(j) + n / 2s (disjoint bits), so t[s .. 2s) is t[0 .. s) times shift^(n / 2s): one
 * vector scaling per bit. */
static void lde_scale_table(gl_t *t, unsigned log_n, gl_t shift) {
    size_t n = (size_t)1 << log_n;
    t[0] = gl_inv((gl_t)n);
    for (size_t s = 1; s < n; s *= 2) gl_vec()->scale(t + s, t, gl_pow(shift, n / (2 * s)), s);
}

/* One column: evaluations (n, natural) in col[0..n) -> coset evaluations (N, natural).
 * 1. ct transform with w^-1: natural evaluations -> bit-reversed coefficients (times n);
 * 2. scale by shift^k / n (in bit-reversed order: table t);
 * 3. the zero-padded coefficient vector in bit-reversed order of size N has coefficient
 *    bitrev_n(j) at position j * B (B = 2^log_blowup) and zeros elsewhere;
 * 4. the gs transform of size N gives natural-order evaluations over shift * H_N.
 * Blowup 2 (the common case) fuses 1-4 block by block (extend2): only the global stages of 1
 * and 4 sweep the whole column. src: the input column when it is not col already (copied in by
 * the first global pass where there is one). */
static void lde_col(const ntt_plan *plan, gl_t *col, const gl_t *src, unsigned log_n,
                    unsigned log_blowup, const gl_t *t, int par) {
    unsigned G = log_n - log_block_of(log_n);
    if (src && !(log_blowup == 1 && log_n >= 3 && G > 0)) {
        memcpy(col, src, ((size_t)1 << log_n) * sizeof(gl_t));
        src = NULL;
    }
    if (log_blowup == 1 && log_n >= 3) {
        ct_global(gl_vec(), col, src, log_n, G, plan->inv, par && log_n >= NTT_LOG_PAR_MIN);
        extend2(plan, col, log_n, t, 1, par);
        return;
    }
    size_t n = (size_t)1 << log_n, B = (size_t)1 << log_blowup;
    ct_all(plan, col, log_n, 1, par);
    gl_vec()->mul(col, col, t, n);
    for (size_t j = n; j-- > 0 && B > 1;) {
        gl_t v = col[j];
        gl_t *dst = col + j * B; /* j*B >= j: the entries below j are not touched yet */
        dst[0] = v;
        for (size_t r = 1; r < B; r++) dst[r] = 0;
    }
    gs_all(plan, col, log_n + log_blowup, 0, par);
}

void ntt_lde_batch(const ntt_plan *plan, const gl_t *in, size_t in_stride, size_t width,
                   unsigned log_n, unsigned log_blowup, gl_t shift, gl_t *out, size_t out_stride,
                   gl_t *scratch) {
    ZISK_ASSERT(log_n + log_blowup <= plan->log_max);
    size_t n = (size_t)1 << log_n, N = n << log_blowup;
    ZISK_ASSERT(width <= 1 || (in_stride >= n && out_stride >= N));
    ZISK_ASSERT(in != out || in_stride == out_stride);
    lde_scale_table(scratch, log_n, shift);
    batch_job job = {.kind = JOB_LDE, .plan = plan, .data = out, .stride = out_stride,
                     .log_n = log_n, .in = in, .in_stride = in_stride, .log_blowup = log_blowup,
                     .t = scratch};
    run_batch(&job, width);
}

void ntt_lde_rows(const ntt_plan *plan, const gl_t *in, size_t in_stride, size_t width,
                  unsigned log_n, unsigned log_blowup, gl_t shift, gl_t *out_rows,
                  gl_t *cols_scratch, gl_t *scratch) {
    size_t N = (size_t)1 << (log_n + log_blowup);
    ntt_lde_batch(plan, in, in_stride, width, log_n, log_blowup, shift, cols_scratch, N, scratch);
    ntt_transpose(out_rows, cols_scratch, width, N);
}

/* ---- transpose --------------------------------------------------------------------------- */

/* Tiles of 32 x 32 elements (8 KiB in, 8 KiB out) stay in L1 while one is transposed. */
#define NTT_TILE 32

void ntt_transpose(gl_t *dst, const gl_t *src, size_t rows, size_t cols) {
    size_t row_tiles = (rows + NTT_TILE - 1) / NTT_TILE;
    size_t col_tiles = (cols + NTT_TILE - 1) / NTT_TILE;
    size_t tiles = row_tiles * col_tiles;
    int par = rows * cols >= ((size_t)1 << NTT_LOG_PAR_MIN);
    (void)par; /* used only by the OpenMP pragma */
    NTT_OMP("omp parallel for schedule(static) if(par)")
    for (size_t t = 0; t < tiles; t++) {
        size_t r0 = (t / col_tiles) * NTT_TILE, c0 = (t % col_tiles) * NTT_TILE;
        size_t r1 = r0 + NTT_TILE < rows ? r0 + NTT_TILE : rows;
        size_t c1 = c0 + NTT_TILE < cols ? c0 + NTT_TILE : cols;
        for (size_t r = r0; r < r1; r++)
            for (size_t c = c0; c < c1; c++) dst[c * rows + r] = src[r * cols + c];
    }
}
