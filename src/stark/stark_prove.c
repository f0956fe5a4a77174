/*
 * stark_prove.c: preprocessing (stark_setup) and the three proving steps. docs/STARK.md gives
 * the protocol; the comments here explain the computational choices.
 *
 * Every committed matrix is kept COLUMN-MAJOR on the LDE domain g*H_N (column c at
 * lde + c * N): the NTT writes it that way, the Merkle builder and the AIR evaluator both take
 * strides, and the DEEP combination streams one column at a time. No transpose is needed.
 */
#include <stdlib.h>
#include <string.h>

#include "merkle.h"
#include "ntt.h"
#include "stark_internal.h"

#ifdef _OPENMP
#include <omp.h>
#endif

/* A committed matrix: w columns of N rows on the LDE coset, its tree. w == 0: no tree, the
 * root is the zero digest. */
typedef struct commit {
    uint32_t w;
    gl_t *lde;
    hash_digest *nodes;
    merkle_tree tree;
} commit;

struct stark_pk {
    stark_vk vk;
    const air *a;
    ntt_plan *plan;
    unsigned log_n, log_lde;
    size_t n, N;
    gl_t *fixed; /* column-major n x w (the trace-domain values, for stage 2 and OOD) */
    commit fixed_commit;
};

struct stark_instance {
    const stark_pk *pk;
    const gl_t *stage1; /* borrowed */
    gl_t *publics;
    commit s1;
    int finished;
    stark_stats stats;
};

void stark_instance_stats(const stark_instance *inst, stark_stats *out) { *out = inst->stats; }

static void commit_free(commit *c) {
    free(c->lde);
    free(c->nodes);
    memset(c, 0, sizeof *c);
}

static void commit_root(const commit *c, hash_digest *out) {
    if (c->w == 0)
        memset(out, 0, sizeof *out);
    else
        *out = *merkle_root(&c->tree);
}

/* Builds the tree over an LDE matrix already in c->lde (w columns of N rows). */
static void commit_tree(const stark_pk *pk, commit *c) {
    if (c->w == 0) return;
    c->nodes = zisk_xmalloc(merkle_node_count(pk->N) * sizeof(hash_digest));
    zisk_err err;
    /* Shapes are ours (N a power of two within the limits): failure would be a bug. */
    if (merkle_build(&c->tree, c->lde, pk->N, c->w, 1, pk->N, c->nodes, &err) != 0)
        zisk_panic(__FILE__, __LINE__, "%s", err.msg);
}

/* LDE of w trace-domain columns (column-major, n rows) and its commitment; adds the time spent
 * to st (when not NULL). */
static void commit_trace(const stark_pk *pk, const gl_t *cols, uint32_t w, commit *c,
                         stark_stats *st) {
    memset(c, 0, sizeof *c);
    c->w = w;
    if (w == 0) return;
    double t0 = zisk_now_seconds();
    c->lde = zisk_xmalloc((size_t)w * pk->N * sizeof(gl_t));
    gl_t *scratch = zisk_xmalloc(pk->n * sizeof(gl_t));
    ntt_lde_batch(pk->plan, cols, pk->n, w, pk->log_n, pk->log_lde - pk->log_n, GL_GENERATOR,
                  c->lde, pk->N, scratch);
    free(scratch);
    double t1 = zisk_now_seconds();
    commit_tree(pk, c);
    if (st) {
        st->lde_s += t1 - t0;
        st->commit_s += zisk_now_seconds() - t1;
        st->lde_cells += (uint64_t)w * pk->N;
    }
}

stark_pk *stark_setup(const air *a, const stark_params *p, unsigned log_n, const gl_t *fixed,
                      zisk_err *err) {
    if (stark_params_check(p, a, log_n, err) != 0) return NULL;
    uint32_t nf = air_n_cols(a, AIR_FIXED);
    if (nf && !fixed) {
        zisk_err_set(err, "stark: air '%s' has %u fixed columns but none were given",
                     air_name(a), nf);
        return NULL;
    }
    stark_pk *pk = zisk_xcalloc(1, sizeof *pk);
    pk->a = a;
    pk->log_n = log_n;
    pk->log_lde = log_n + p->fri.log_blowup;
    pk->n = (size_t)1 << log_n;
    pk->N = (size_t)1 << pk->log_lde;
    pk->plan = ntt_plan_create(pk->log_lde);
    if (nf) {
        pk->fixed = zisk_xmalloc((size_t)nf * pk->n * sizeof(gl_t));
        memcpy(pk->fixed, fixed, (size_t)nf * pk->n * sizeof(gl_t));
    }
    commit_trace(pk, pk->fixed, nf, &pk->fixed_commit, NULL);
    hash_digest root;
    commit_root(&pk->fixed_commit, &root);
    if (stark_vk_init(&pk->vk, a, p, log_n, &root, err) != 0) {
        stark_pk_free(pk);
        return NULL;
    }
    return pk;
}

void stark_pk_free(stark_pk *pk) {
    if (!pk) return;
    ntt_plan_free(pk->plan);
    free(pk->fixed);
    commit_free(&pk->fixed_commit);
    free(pk);
}

const stark_vk *stark_pk_vk(const stark_pk *pk) { return &pk->vk; }

/* ------------------------------------------------------------------------------------------ */
/* Step 1                                                                                       */
/* ------------------------------------------------------------------------------------------ */

stark_instance *stark_commit_stage1(const stark_pk *pk, const gl_t *stage1, const gl_t *publics) {
    ZISK_ASSERT(pk != NULL);
    uint32_t n1 = air_n_cols(pk->a, AIR_STAGE1), np = air_n_publics(pk->a);
    ZISK_ASSERT(n1 == 0 || stage1 != NULL);
    ZISK_ASSERT(np == 0 || publics != NULL);
    stark_instance *inst = zisk_xcalloc(1, sizeof *inst);
    inst->pk = pk;
    inst->stage1 = stage1;
    if (np) {
        inst->publics = zisk_xmalloc(np * sizeof(gl_t));
        for (uint32_t i = 0; i < np; i++) {
            ZISK_ASSERT(gl_is_canonical(publics[i]));
            inst->publics[i] = publics[i];
        }
    }
    commit_trace(pk, stage1, n1, &inst->s1, &inst->stats);
    return inst;
}

void stark_instance_free(stark_instance *inst) {
    if (!inst) return;
    free(inst->publics);
    commit_free(&inst->s1);
    free(inst);
}

stark_commitment stark_instance_commitment(const stark_instance *inst) {
    stark_commitment c;
    c.vk_digest = inst->pk->vk.digest;
    commit_root(&inst->s1, &c.stage1_root);
    c.publics = inst->publics;
    c.n_publics = air_n_publics(inst->pk->a);
    return c;
}

/* ------------------------------------------------------------------------------------------ */
/* Step 3                                                                                       */
/* ------------------------------------------------------------------------------------------ */

/* The selectors of air.h ("air_selectors") on every LDE row, so that the evaluator's output is
 * the quotient itself. x_i = g * w_N^i; x_i^n = g^n * w_B^i (B = N/n) takes only B values, so
 * 1/Z needs B inversions; the first/last-row selectors need one batch inversion each. */
static void lde_selectors(const stark_pk *pk, gl_t *sel[AIR_N_KINDS]) {
    size_t N = pk->N, n = pk->n, B = N / n;
    gl_t w_inv = gl_inv(gl_root_of_unity(pk->log_n));
    gl_t *x = zisk_xmalloc(N * sizeof(gl_t));
    gl_t *scratch = zisk_xmalloc(N * sizeof(gl_t));
    gl_powers(x, gl_root_of_unity(pk->log_lde), 0, N);
    gl_vec_scale(x, x, GL_GENERATOR, N);
    gl_t zinv[1u << FRI_MAX_LOG_BLOWUP];
    gl_t gn = gl_pow(GL_GENERATOR, n), wB = gl_root_of_unity(pk->log_lde - pk->log_n);
    for (size_t j = 0; j < B; j++) zinv[j] = gl_sub(gl_mul(gn, gl_pow(wB, j)), 1);
    gl_batch_inv(zinv, zinv, B, scratch);
    for (size_t i = 0; i < N; i++) {
        gl_t zi = zinv[i & (B - 1)];
        sel[AIR_EVERY_ROW][i] = zi;
        sel[AIR_TRANSITION][i] = gl_mul(gl_sub(x[i], w_inv), zi);
        sel[AIR_FIRST_ROW][i] = gl_sub(x[i], 1);
        sel[AIR_LAST_ROW][i] = gl_sub(x[i], w_inv);
    }
    gl_batch_inv(sel[AIR_FIRST_ROW], sel[AIR_FIRST_ROW], N, scratch);
    gl_batch_inv(sel[AIR_LAST_ROW], sel[AIR_LAST_ROW], N, scratch);
    free(x);
    free(scratch);
}

#define STARK_BLOCK 1024
/* Below this many LDE rows a parallel region costs more than it saves (thread wake-up is tens
 * of microseconds; small AIRs are proved in about that time). */
#define STARK_PAR_MIN_ROWS ((size_t)1 << 14)

/* The combined constraints divided by their selectors on every LDE row (gl3, N values). */
static void eval_quotient(const stark_pk *pk, const air_view *view, const air_values *vals,
                          gl3_t lambda, gl3_t *quot) {
    gl_t *selbuf = zisk_xmalloc(AIR_N_KINDS * pk->N * sizeof(gl_t));
    air_selectors sel;
    gl_t *s[AIR_N_KINDS];
    for (int k = 0; k < AIR_N_KINDS; k++) sel.sel[k] = s[k] = selbuf + k * pk->N;
    lde_selectors(pk, s);
    size_t nblk = (pk->N + STARK_BLOCK - 1) / STARK_BLOCK;
    int par = pk->N >= STARK_PAR_MIN_ROWS;
    (void)par;
#pragma omp parallel if (par)
    {
        air_eval_ws *ws = air_eval_ws_new(pk->a);
        air_eval_bind(ws, vals, lambda);
#pragma omp for schedule(dynamic, 1)
        for (size_t b = 0; b < nblk; b++) {
            size_t r0 = b * STARK_BLOCK, r1 = r0 + STARK_BLOCK < pk->N ? r0 + STARK_BLOCK : pk->N;
            air_eval_quotient(ws, view, &sel, r0, r1, quot + r0);
        }
        air_eval_ws_free(ws);
    }
    free(selbuf);
}

/* Splits the quotient Q (degree < chunks * n when the trace is valid) into chunks q_j of degree
 * < n with Q(X) = sum_j X^(j n) q_j(X), each as its three base components, and commits their
 * LDEs (column 3j + c = component c of q_j). coef receives the chunks' coefficients
 * (3 * chunks columns of n) for the out-of-domain evaluation. Returns 1 when Q had coefficients
 * at or above chunks * n (the constraints do not hold on the trace), else 0. */
static int commit_quotient(const stark_pk *pk, const gl3_t *quot, uint32_t chunks, commit *c,
                           gl_t *coef, stark_stats *st) {
    size_t N = pk->N, n = pk->n;
    double t0 = zisk_now_seconds();
    gl_t *q = zisk_xmalloc(3 * N * sizeof(gl_t));
    for (size_t i = 0; i < N; i++)
        for (int k = 0; k < 3; k++) q[k * N + i] = quot[i].c[k];
    ntt_coset_inverse_batch(pk->plan, q, pk->log_lde, 3, N, GL_GENERATOR);
    int high = 0;
    for (int k = 0; k < 3 && !high; k++)
        for (size_t i = (size_t)chunks * n; i < N; i++)
            if (q[k * N + i] != 0) {
                high = 1;
                break;
            }
    memset(c, 0, sizeof *c);
    c->w = 3 * chunks;
    c->lde = zisk_xcalloc((size_t)c->w * N, sizeof(gl_t));
    for (uint32_t j = 0; j < chunks; j++)
        for (int k = 0; k < 3; k++) {
            size_t col = 3 * j + k;
            memcpy(c->lde + col * N, q + k * N + j * n, n * sizeof(gl_t));
            memcpy(coef + col * n, q + k * N + j * n, n * sizeof(gl_t));
        }
    free(q);
    ntt_coset_forward_batch(pk->plan, c->lde, pk->log_lde, c->w, N, GL_GENERATOR);
    double t1 = zisk_now_seconds();
    commit_tree(pk, c);
    st->lde_s += t1 - t0;
    st->commit_s += zisk_now_seconds() - t1;
    st->lde_cells += (uint64_t)c->w * N;
    return high;
}

/* Barycentric weights on H_n at zeta (outside H_n): L_i = (zeta^n - 1)/n * w^i / (zeta - w^i),
 * so that p(zeta) = sum_i p(w^i) L_i for every p of degree < n. */
static void bary_weights(const stark_pk *pk, gl3_t zeta, gl3_t *L) {
    size_t n = pk->n;
    gl_t *wp = zisk_xmalloc(n * sizeof(gl_t));
    gl3_t *scratch = zisk_xmalloc(n * sizeof(gl3_t));
    gl_powers(wp, gl_root_of_unity(pk->log_n), 0, n);
    for (size_t i = 0; i < n; i++) L[i] = gl3_sub(zeta, gl3_from_base(wp[i]));
    stark_gl3_batch_inv(L, L, n, scratch);
    gl3_t zn = zeta;
    for (unsigned i = 0; i < pk->log_n; i++) zn = gl3_sqr(zn);
    gl3_t f = gl3_mul_base(gl3_sub(zn, gl3_one()), gl_inv(gl_from_u64(n)));
    for (size_t i = 0; i < n; i++) L[i] = gl3_mul(gl3_mul_base(L[i], wp[i]), f);
    free(wp);
    free(scratch);
}

/* Extension values as three base-field arrays (structure of arrays), so that products of base
 * columns with extension weights run on the vector kernels (gl_vec) instead of one gl3 at a
 * time: the out-of-domain values and the DEEP codeword are the two hot loops that need it. */
typedef struct soa3 {
    gl_t *c[3];
} soa3;

static soa3 soa3_from(const gl3_t *v, size_t n) {
    soa3 s;
    for (int c = 0; c < 3; c++) {
        s.c[c] = zisk_xmalloc(n * sizeof(gl_t));
        for (size_t i = 0; i < n; i++) s.c[c][i] = v[i].c[c];
    }
    return s;
}

static void soa3_free(soa3 *s) {
    for (int c = 0; c < 3; c++) free(s->c[c]);
}

/* x[0] + ... + x[n-1] by pairwise halving on the vector kernels (x is overwritten). */
static gl_t vec_sum(const gl_vec_ops *ops, gl_t *x, size_t n) {
    if (n == 0) return 0;
    while (n > 1) {
        size_t h = n / 2;
        ops->add(x, x, x + h, h);
        if (n & 1) x[0] = gl_add(x[0], x[n - 1]);
        n = h;
    }
    return x[0];
}

/* sum_i col[i] * w[i] over n values, w in SoA form; tmp holds n elements of scratch. */
static gl3_t dot_base_soa(const gl_vec_ops *ops, const gl_t *col, const soa3 *w, gl_t *tmp, size_t n) {
    gl3_t r;
    for (int c = 0; c < 3; c++) {
        ops->mul(tmp, col, w->c[c], n);
        r.c[c] = vec_sum(ops, tmp, n);
    }
    return r;
}

/* The DEEP codeword f(x) = sum_k gamma^k (c_k(x) - c_k(z)) / (x - z)
 *                        + sum_{k < K_t} gamma^(K + k) (c_k(x) - c_k(z w)) / (x - z w)
 * over every LDE point x (K = all columns, K_t = the trace columns: fixed, stage 1, stage 2).
 * With A_t(x) = sum_{k<K_t} gamma^k c_k(x) and A(x) = A_t(x) + the quotient columns' terms it is
 * (A(x) - A(z)) / (x - z) + gamma^K (A_t(x) - A_t(z w)) / (x - z w): one extension-by-base
 * multiplication per LDE cell plus two inversions per row (batched per block). */
static void deep_codeword(const stark_pk *pk, const commit *trees[STARK_N_TREES], gl3_t z,
                          gl3_t zw, gl3_t gamma, const gl3_t *ood, size_t K, size_t Kt,
                          gl3_t *f) {
    size_t N = pk->N;
    gl3_t *gp = zisk_xmalloc((K + Kt + 1) * sizeof(gl3_t));
    gp[0] = gl3_one();
    for (size_t k = 1; k <= K + Kt; k++) gp[k] = gl3_mul(gp[k - 1], gamma);
    gl3_t Az = gl3_zero(), Bzw = gl3_zero();
    for (size_t k = 0; k < K; k++) Az = gl3_add(Az, gl3_mul(gp[k], ood[k]));
    for (size_t k = 0; k < Kt; k++) Bzw = gl3_add(Bzw, gl3_mul(gp[k], ood[K + k]));
    gl3_t gK = gp[K];
    gl_t wN = gl_root_of_unity(pk->log_lde);
    size_t nblk = (N + STARK_BLOCK - 1) / STARK_BLOCK;
    int par = N >= STARK_PAR_MIN_ROWS;
    (void)par;
    const gl_vec_ops *ops = gl_vec();
#pragma omp parallel if (par)
    {
        /* The two sums A_t and A, component by component (SoA), on the vector kernels. */
        gl_t *at_c = zisk_xmalloc(3 * STARK_BLOCK * sizeof(gl_t));
        gl_t *aq_c = zisk_xmalloc(3 * STARK_BLOCK * sizeof(gl_t));
        gl_t *tmp = zisk_xmalloc(STARK_BLOCK * sizeof(gl_t));
        gl3_t *at = zisk_xmalloc(STARK_BLOCK * sizeof(gl3_t));
        gl3_t *aq = zisk_xmalloc(STARK_BLOCK * sizeof(gl3_t));
        gl3_t *d = zisk_xmalloc(2 * STARK_BLOCK * sizeof(gl3_t));
        gl3_t *scr = zisk_xmalloc(2 * STARK_BLOCK * sizeof(gl3_t));
#pragma omp for schedule(dynamic, 1)
        for (size_t b = 0; b < nblk; b++) {
            size_t r0 = b * STARK_BLOCK, r1 = r0 + STARK_BLOCK < N ? r0 + STARK_BLOCK : N;
            size_t m = r1 - r0;
            memset(at_c, 0, 3 * STARK_BLOCK * sizeof(gl_t));
            size_t k = 0;
            for (int t = 0; t < STARK_N_TREES; t++) {
                if (t == STARK_TREE_QUOTIENT) memcpy(aq_c, at_c, 3 * STARK_BLOCK * sizeof(gl_t));
                gl_t *acc = t == STARK_TREE_QUOTIENT ? aq_c : at_c;
                for (uint32_t c = 0; c < trees[t]->w; c++, k++) {
                    const gl_t *col = trees[t]->lde + (size_t)c * N + r0;
                    for (int e = 0; e < 3; e++) {
                        ops->scale(tmp, col, gp[k].c[e], m);
                        ops->add(acc + e * STARK_BLOCK, acc + e * STARK_BLOCK, tmp, m);
                    }
                }
            }
            if (trees[STARK_TREE_QUOTIENT]->w == 0) memcpy(aq_c, at_c, 3 * STARK_BLOCK * sizeof(gl_t));
            for (size_t i = 0; i < m; i++)
                for (int e = 0; e < 3; e++) {
                    at[i].c[e] = at_c[e * STARK_BLOCK + i];
                    aq[i].c[e] = aq_c[e * STARK_BLOCK + i];
                }
            gl_t x = gl_mul(GL_GENERATOR, gl_pow(wN, r0));
            for (size_t i = 0; i < m; i++) {
                d[i] = gl3_sub(gl3_from_base(x), z);
                d[m + i] = gl3_sub(gl3_from_base(x), zw);
                x = gl_mul(x, wN);
            }
            stark_gl3_batch_inv(d, d, 2 * m, scr);
            for (size_t i = 0; i < m; i++) {
                gl3_t u = gl3_mul(gl3_sub(aq[i], Az), d[i]);
                gl3_t v = gl3_mul(gl3_mul(gl3_sub(at[i], Bzw), d[m + i]), gK);
                f[r0 + i] = gl3_add(u, v);
            }
        }
        free(at_c);
        free(aq_c);
        free(tmp);
        free(at);
        free(aq);
        free(d);
        free(scr);
    }
    free(gp);
}

int stark_finish(stark_instance *inst, const stark_challenges *ch, stark_proof *proof,
                 zisk_err *err) {
    ZISK_ASSERT(inst != NULL && ch != NULL && proof != NULL);
    memset(proof, 0, sizeof *proof);
    if (inst->finished) return zisk_err_set(err, "stark: instance already finished");
    inst->finished = 1;
    const stark_pk *pk = inst->pk;
    const air *a = pk->a;
    size_t n = pk->n, N = pk->N;
    uint32_t np = air_n_publics(a);
    int bad = 0;

    proof->vk_digest = pk->vk.digest;
    proof->log_n = pk->log_n;
    proof->n_publics = np;
    memcpy(proof->n_cols, pk->vk.n_cols, sizeof proof->n_cols);
    if (np) {
        proof->publics = zisk_xmalloc(np * sizeof(gl_t));
        memcpy(proof->publics, inst->publics, np * sizeof(gl_t));
    }
    commit_root(&pk->fixed_commit, &proof->roots[STARK_TREE_FIXED]);
    commit_root(&inst->s1, &proof->roots[STARK_TREE_STAGE1]);

    /* Stage 2: the bus columns from the trace (trace domain), then their LDE and tree. */
    air_values vals = {.publics = inst->publics, .challenges = ch->ch, .bus_sum = gl3_zero()};
    uint32_t n2 = air_n_cols(a, AIR_STAGE2);
    gl_t *s2 = NULL;
    commit c2 = {0};
    if (n2) {
        air_view tv = {.n_rows = n, .next_step = 1};
        tv.m[AIR_STAGE1] = air_matrix_col_major(inst->stage1, n);
        tv.m[AIR_FIXED] = air_matrix_col_major(pk->fixed, n);
        s2 = zisk_xmalloc((size_t)n2 * n * sizeof(gl_t));
        double t0 = zisk_now_seconds();
        int r2 = air_stage2_generate(a, &tv, &vals, s2, &vals.bus_sum, err);
        inst->stats.stage2_s += zisk_now_seconds() - t0;
        if (r2 != 0) {
            free(s2);
            stark_proof_free(proof);
            return -1;
        }
        commit_trace(pk, s2, n2, &c2, &inst->stats);
    }
    commit_root(&c2, &proof->roots[STARK_TREE_STAGE2]);
    proof->bus_sum = vals.bus_sum;

    transcript t;
    stark_transcript_begin(&t, ch, &pk->vk.digest, inst->publics, np,
                           &proof->roots[STARK_TREE_STAGE1]);
    gl3_t lambda = stark_transcript_lambda(&t, &proof->roots[STARK_TREE_STAGE2], vals.bus_sum);

    /* Quotient on the LDE domain itself (stark_params_check: blowup >= chunks). */
    air_view lv = {.n_rows = N, .next_step = N / n};
    lv.m[AIR_STAGE1] = air_matrix_col_major(inst->s1.lde, N);
    lv.m[AIR_FIXED] = air_matrix_col_major(pk->fixed_commit.lde, N);
    lv.m[AIR_STAGE2] = air_matrix_col_major(c2.lde, N);
    gl3_t *quot = zisk_xmalloc(N * sizeof(gl3_t));
    double tq = zisk_now_seconds();
    eval_quotient(pk, &lv, &vals, lambda, quot);
    inst->stats.quotient_s += zisk_now_seconds() - tq;
    uint32_t chunks = air_quotient_chunks(a);
    gl_t *qcoef = zisk_xmalloc((size_t)3 * chunks * n * sizeof(gl_t));
    commit cq;
    if (commit_quotient(pk, quot, chunks, &cq, qcoef, &inst->stats)) bad = 1;
    commit_root(&cq, &proof->roots[STARK_TREE_QUOTIENT]);

    gl3_t z = stark_transcript_z(&t, &proof->roots[STARK_TREE_QUOTIENT], pk->log_n, pk->log_lde);
    gl3_t zw = gl3_mul_base(z, gl_root_of_unity(pk->log_n));

    /* Out-of-domain values: trace columns by barycentric evaluation over H_n, quotient chunks
     * from their coefficients. */
    const commit *trees[STARK_N_TREES] = {&pk->fixed_commit, &inst->s1, &c2, &cq};
    const gl_t *tdom[3] = {pk->fixed, inst->stage1, s2};
    size_t Kt = (size_t)pk->vk.n_cols[0] + pk->vk.n_cols[1] + pk->vk.n_cols[2];
    size_t K = Kt + cq.w;
    proof->n_ood_z = K;
    proof->n_ood_next = Kt;
    proof->ood = zisk_xmalloc((K + Kt) * sizeof(gl3_t));
    double to = zisk_now_seconds();
    {
        gl3_t *Lz = zisk_xmalloc(n * sizeof(gl3_t)), *Lzw = zisk_xmalloc(n * sizeof(gl3_t));
        gl3_t *zp = zisk_xmalloc(n * sizeof(gl3_t));
        bary_weights(pk, z, Lz);
        bary_weights(pk, zw, Lzw);
        zp[0] = gl3_one();
        for (size_t i = 1; i < n; i++) zp[i] = gl3_mul(zp[i - 1], z);
        /* Flatten (tree, column) so the columns spread over threads. */
        const gl_t **cols = zisk_xmalloc(K * sizeof *cols);
        size_t k = 0;
        for (int tr = 0; tr < 3; tr++)
            for (uint32_t c = 0; c < pk->vk.n_cols[tr]; c++) cols[k++] = tdom[tr] + (size_t)c * n;
        for (uint32_t c = 0; c < cq.w; c++) cols[k++] = qcoef + (size_t)c * n;
        gl3_t *ood = proof->ood;
        soa3 wz = soa3_from(Lz, n), wzw = soa3_from(Lzw, n), wzp = soa3_from(zp, n);
        const gl_vec_ops *ops = gl_vec();
        int par = N >= STARK_PAR_MIN_ROWS;
        (void)par;
#pragma omp parallel if (par)
        {
            gl_t *tmp = zisk_xmalloc(n * sizeof(gl_t));
#pragma omp for schedule(dynamic, 1)
            for (size_t j = 0; j < K; j++) {
                if (j < Kt) {
                    ood[j] = dot_base_soa(ops, cols[j], &wz, tmp, n);
                    ood[K + j] = dot_base_soa(ops, cols[j], &wzw, tmp, n);
                } else {
                    ood[j] = dot_base_soa(ops, cols[j], &wzp, tmp, n);
                }
            }
            free(tmp);
        }
        soa3_free(&wz);
        soa3_free(&wzw);
        soa3_free(&wzp);
        free(cols);
        free(Lz);
        free(Lzw);
        free(zp);
    }
    gl3_t gamma = stark_transcript_gamma(&t, proof->ood, K + Kt);
    double td = zisk_now_seconds();
    inst->stats.ood_s += td - to;

    deep_codeword(pk, trees, z, zw, gamma, proof->ood, K, Kt, quot);
    double tf = zisk_now_seconds();
    inst->stats.deep_s += tf - td;
    if (fri_prove(&pk->vk.params.fri, pk->log_n, quot, &t, &proof->fri) != 0) bad = 1;
    free(quot);
    double top = zisk_now_seconds();
    inst->stats.fri_s += top - tf;

    /* Query openings of every tree at FRI's query indices (the same LDE rows). */
    proof->n_queries = proof->fri.params.n_queries;
    proof->log_lde = pk->log_lde;
    size_t nq = proof->n_queries;
    size_t *idx = zisk_xmalloc(nq * sizeof(size_t));
    for (size_t q = 0; q < nq; q++) idx[q] = (size_t)proof->fri.query_indices[q];
    for (int tr = 0; tr < STARK_N_TREES; tr++) {
        uint32_t w = trees[tr]->w;
        if (!w) continue;
        proof->rows[tr] = zisk_xmalloc(nq * w * sizeof(gl_t));
        proof->paths[tr] = zisk_xmalloc(nq * pk->log_lde * sizeof(hash_digest));
        merkle_open_many(&trees[tr]->tree, idx, nq, proof->rows[tr], proof->paths[tr]);
    }
    free(idx);
    inst->stats.open_s += zisk_now_seconds() - top;
    free(qcoef);
    free(s2);
    commit_free(&c2);
    commit_free(&cq);
    /* The stage-1 LDE is no longer needed; release it early (it is the largest buffer). */
    commit_free(&inst->s1);
    inst->stage1 = NULL;
    return bad;
}

void stark_proof_free(stark_proof *proof) {
    if (!proof) return;
    free(proof->publics);
    free(proof->ood);
    fri_proof_free(&proof->fri);
    for (int t = 0; t < STARK_N_TREES; t++) {
        free(proof->rows[t]);
        free(proof->paths[t]);
    }
    memset(proof, 0, sizeof *proof);
}

void stark_job_proof_free(stark_job_proof *job) {
    if (!job) return;
    for (size_t k = 0; k < job->n_instances && job->instances; k++)
        stark_proof_free(&job->instances[k]);
    free(job->instances);
    memset(job, 0, sizeof *job);
}

int stark_prove_job(const stark_pk *const *pks, const gl_t *const *stage1,
                    const gl_t *const *publics, size_t n, stark_job_proof *job, zisk_err *err) {
    ZISK_ASSERT(job != NULL && (n == 0 || (pks && stage1 && publics)));
    memset(job, 0, sizeof *job);
    if (n == 0) return zisk_err_set(err, "stark: a job needs at least one instance");
    stark_instance **inst = zisk_xcalloc(n, sizeof *inst);
    stark_commitment *cm = zisk_xcalloc(n, sizeof *cm);
    for (size_t k = 0; k < n; k++) {
        inst[k] = stark_commit_stage1(pks[k], stage1[k], publics[k]);
        cm[k] = stark_instance_commitment(inst[k]);
    }
    int rc = stark_derive_challenges(cm, n, &job->challenges, err);
    if (rc == 0) {
        job->instances = zisk_xcalloc(n, sizeof *job->instances);
        job->n_instances = n;
        for (size_t k = 0; k < n && rc >= 0; k++) {
            int r = stark_finish(inst[k], &job->challenges, &job->instances[k], err);
            if (r < 0) {
                rc = -1;
            } else if (r > 0) {
                rc = 1;
            }
        }
    }
    for (size_t k = 0; k < n; k++) stark_instance_free(inst[k]);
    free(inst);
    free(cm);
    if (rc < 0) stark_job_proof_free(job);
    return rc;
}
