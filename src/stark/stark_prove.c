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
    const ntt_plan *plan; /* shared by every key of the same LDE size (ntt_plan_shared) */
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
    hash_digest s1_root; /* kept when the LDE and tree are released */
    int released;
    int finished;
    stark_stats stats;
};

int stark_test_deep_offset = -1;

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
    c->nodes = zisk_xmalloc(merkle_node_count(pk->N >> STARK_LOG_LEAF_ROWS) * sizeof(hash_digest));
    zisk_err err;
    /* Shapes are ours (N a power of two within the limits, N >= STARK_LEAF_ROWS by
     * stark_params_check): failure would be a bug. */
    if (merkle_build_leaves(&c->tree, c->lde, pk->N, c->w, 1, pk->N, STARK_LOG_LEAF_ROWS,
                            c->nodes, &err) != 0)
        zisk_panic(__FILE__, __LINE__, "%s", err.msg);
}

/* The LDE (N rows, column-major, allocated) of w trace-domain columns of n rows. */
static gl_t *lde_of(const stark_pk *pk, const gl_t *cols, uint32_t w) {
    gl_t *lde = zisk_xmalloc((size_t)w * pk->N * sizeof(gl_t));
    gl_t *scratch = zisk_xmalloc(pk->n * sizeof(gl_t));
    ntt_lde_batch(pk->plan, cols, pk->n, w, pk->log_n, pk->log_lde - pk->log_n, GL_GENERATOR,
                  lde, pk->N, scratch);
    free(scratch);
    return lde;
}

/* LDE of w trace-domain columns (column-major, n rows) and its commitment; adds the time spent
 * to st (when not NULL). */
static void commit_trace(const stark_pk *pk, const gl_t *cols, uint32_t w, commit *c,
                         stark_stats *st) {
    memset(c, 0, sizeof *c);
    c->w = w;
    if (w == 0) return;
    double t0 = zisk_now_seconds();
    c->lde = lde_of(pk, cols, w);
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
    pk->plan = ntt_plan_shared(pk->log_lde);
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

void stark_instance_release(stark_instance *inst) {
    if (inst->released || inst->finished) return;
    commit_root(&inst->s1, &inst->s1_root);
    /* the tree's nodes stay (1/w of the LDE's size with 8-row leaves); the LDE goes */
    free(inst->s1.lde);
    inst->s1.lde = NULL;
    inst->released = 1;
}

void stark_instance_set_trace(stark_instance *inst, const gl_t *stage1) {
    ZISK_ASSERT(inst->released && !inst->finished);
    inst->stage1 = stage1;
}

stark_commitment stark_instance_commitment(const stark_instance *inst) {
    stark_commitment c;
    c.vk_digest = inst->pk->vk.digest;
    if (inst->released)
        c.stage1_root = inst->s1_root;
    else
        commit_root(&inst->s1, &c.stage1_root);
    c.publics = inst->publics;
    c.n_publics = air_n_publics(inst->pk->a);
    return c;
}

/* ------------------------------------------------------------------------------------------ */
/* Step 3                                                                                       */
/* ------------------------------------------------------------------------------------------ */

#define STARK_BLOCK 1024
/* Below this many LDE rows a parallel region costs more than it saves (thread wake-up is tens
 * of microseconds; small AIRs are proved in about that time). */
#define STARK_PAR_MIN_ROWS ((size_t)1 << 14)

/* The selectors of air.h ("air_selectors") on the LDE rows [r0, r0 + m), so that the
 * evaluator's output is the quotient itself. x_i = g * w_N^i; x_i^n = g^n * w_B^i (B = N/n)
 * takes only B values, whose inverses zinv[] the caller computed once; the first/last-row
 * selectors need one batch inversion each per block. Built block by block inside the parallel
 * loop: no N-sized buffers, no serial pass. */
static void block_selectors(const stark_pk *pk, const gl_t *zinv, gl_t w_inv, size_t r0, size_t m,
                            gl_t *sel[AIR_N_KINDS], gl_t *scratch) {
    size_t B = pk->N / pk->n;
    gl_t wN = gl_root_of_unity(pk->log_lde), x = gl_mul(GL_GENERATOR, gl_pow(wN, r0));
    for (size_t i = 0; i < m; i++) {
        gl_t zi = zinv[(r0 + i) & (B - 1)];
        sel[AIR_EVERY_ROW][i] = zi;
        sel[AIR_TRANSITION][i] = gl_mul(gl_sub(x, w_inv), zi);
        sel[AIR_FIRST_ROW][i] = gl_sub(x, 1);
        sel[AIR_LAST_ROW][i] = gl_sub(x, w_inv);
        x = gl_mul(x, wN);
    }
    gl_batch_inv(sel[AIR_FIRST_ROW], sel[AIR_FIRST_ROW], m, scratch);
    gl_batch_inv(sel[AIR_LAST_ROW], sel[AIR_LAST_ROW], m, scratch);
}

/* The combined constraints divided by their selectors on every LDE row (gl3, N values). */
static void eval_quotient(const stark_pk *pk, const air_view *view, const air_values *vals,
                          gl3_t lambda, gl3_t *quot) {
    size_t B = pk->N / pk->n;
    gl_t w_inv = gl_inv(gl_root_of_unity(pk->log_n));
    gl_t zinv[1u << FRI_MAX_LOG_BLOWUP], zscr[1u << FRI_MAX_LOG_BLOWUP];
    gl_t gn = gl_pow(GL_GENERATOR, pk->n), wB = gl_root_of_unity(pk->log_lde - pk->log_n);
    for (size_t j = 0; j < B; j++) zinv[j] = gl_sub(gl_mul(gn, gl_pow(wB, j)), 1);
    gl_batch_inv(zinv, zinv, B, zscr);
    size_t nblk = (pk->N + STARK_BLOCK - 1) / STARK_BLOCK;
    int par = pk->N >= STARK_PAR_MIN_ROWS;
    (void)par;
#pragma omp parallel if (par)
    {
        air_eval_ws *ws = air_eval_ws_new(pk->a);
        air_eval_bind(ws, vals, lambda);
        gl_t *selbuf = zisk_xmalloc((AIR_N_KINDS + 1) * STARK_BLOCK * sizeof(gl_t));
        gl_t *s[AIR_N_KINDS];
        air_selectors sel;
        for (int k = 0; k < AIR_N_KINDS; k++) sel.sel[k] = s[k] = selbuf + k * STARK_BLOCK;
#pragma omp for schedule(dynamic, 1)
        for (size_t b = 0; b < nblk; b++) {
            size_t r0 = b * STARK_BLOCK, r1 = r0 + STARK_BLOCK < pk->N ? r0 + STARK_BLOCK : pk->N;
            block_selectors(pk, zinv, w_inv, r0, r1 - r0, s, selbuf + AIR_N_KINDS * STARK_BLOCK);
            air_eval_quotient(ws, view, &sel, r0, r1, quot + r0);
        }
        free(selbuf);
        air_eval_ws_free(ws);
    }
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
    if (inst->released) {
        /* the LDE again from the borrowed trace; the tree was kept. Sampled leaves must hash to
         * the committed ones: a different trace is a caller bug. */
        if (inst->s1.w > 0) {
            double t0 = zisk_now_seconds();
            inst->s1.lde = lde_of(pk, inst->stage1, inst->s1.w);
            inst->stats.lde_s += zisk_now_seconds() - t0;
            if (merkle_rebind(&inst->s1.tree, inst->s1.lde, STARK_REBIND_CHECKS) != 0)
                zisk_panic(__FILE__, __LINE__, "stark: the trace given back after release is not the committed one");
        }
        inst->released = 0;
    }
    commit_root(&inst->s1, &proof->roots[STARK_TREE_STAGE1]);

    /* Stage 2: the bus columns from the trace (trace domain), then their LDE and tree. */
    air_values vals = {.publics = inst->publics, .challenges = ch->ch, .bus_sum = gl3_zero(), .n_rows = n};
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
        const gl_t **tcols = zisk_xmalloc((Kt + 1) * sizeof *tcols);
        const gl_t **qcols = zisk_xmalloc((cq.w + 1) * sizeof *qcols);
        size_t k = 0;
        for (int tr = 0; tr < 3; tr++)
            for (uint32_t c = 0; c < pk->vk.n_cols[tr]; c++) tcols[k++] = tdom[tr] + (size_t)c * n;
        for (uint32_t c = 0; c < cq.w; c++) qcols[c] = qcoef + (size_t)c * n;
        stark_ood_values(pk->log_n, tcols, Kt, qcols, cq.w, z, proof->ood, proof->ood + K);
        free(tcols);
        free(qcols);
    }
    gl3_t gamma = stark_transcript_gamma(&t, proof->ood, K + Kt);
    double td = zisk_now_seconds();
    inst->stats.ood_s += td - to;

    {
        /* The committed columns in proof order: fixed, stage 1, stage 2, quotient. */
        const gl_t **lcols = zisk_xmalloc((K + 1) * sizeof *lcols);
        size_t k = 0;
        for (int tr = 0; tr < STARK_N_TREES; tr++)
            for (uint32_t c = 0; c < trees[tr]->w; c++) lcols[k++] = trees[tr]->lde + (size_t)c * N;
        ZISK_ASSERT(k == K);
        stark_deep_codeword(pk->log_n, pk->log_lde, lcols, K, Kt, z, gamma, proof->ood, quot);
        free(lcols);
    }
    double tf = zisk_now_seconds();
    inst->stats.deep_s += tf - td;
    if (stark_test_deep_offset != -1) {
        const fri_params *fp = &pk->vk.params.fri;
        unsigned lf = fp->log_final_size < pk->log_n ? fp->log_final_size : pk->log_n;
        unsigned k0 = pk->log_n - lf < fp->log_arity ? pk->log_n - lf : fp->log_arity;
        for (size_t i = 0; i < N; i++)
            if (stark_test_deep_offset == STARK_TEST_DEEP_ALL ||
                (i >> (pk->log_lde - k0)) == (size_t)stark_test_deep_offset)
                quot[i] = gl3_add(quot[i], gl3_one());
    }
    /* quot now holds the DEEP codeword f. Under input_committed FRI does not commit it: f is a
     * fixed function of the four roots and of z, the OOD values and gamma, all in t already. */
    if (fri_prove(&pk->vk.params.fri, pk->log_n, quot, &t, &proof->fri) != 0) bad = 1;
    free(quot);
    double top = zisk_now_seconds();
    inst->stats.fri_s += top - tf;

    /* Query openings of every tree at FRI's query indices (the same LDE rows). */
    proof->n_queries = proof->fri.params.n_queries;
    proof->log_lde = pk->log_lde;
    size_t nq = proof->n_queries;
    /* The leaf of row i is i mod N/8 (STARK_LOG_LEAF_ROWS): it holds FRI's whole first coset of
     * row i, which the verifier needs when FRI does not commit the DEEP codeword. */
    size_t *idx = zisk_xmalloc(nq * sizeof(size_t));
    for (size_t q = 0; q < nq; q++)
        idx[q] = (size_t)proof->fri.query_indices[q] & ((N >> STARK_LOG_LEAF_ROWS) - 1);
    unsigned log_leaves = pk->log_lde - STARK_LOG_LEAF_ROWS;
    for (int tr = 0; tr < STARK_N_TREES; tr++) {
        uint32_t w = trees[tr]->w;
        if (!w) continue;
        proof->rows[tr] = zisk_xmalloc(nq * STARK_LEAF_ROWS * w * sizeof(gl_t));
        proof->paths[tr] = zisk_xmalloc((nq * log_leaves + 1) * sizeof(hash_digest));
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
