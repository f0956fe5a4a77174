/*
 * stark_verify.c: the instance and job verifiers. Everything in a proof is outside data: each
 * value is checked (shape, canonical form) before it is absorbed or used, and every failure
 * returns a stark_status with err saying what and where; nothing here aborts on proof content.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "merkle.h"
#include "stark_internal.h"

static int digest_canonical(const hash_digest *d) {
    for (int i = 0; i < HASH_DIGEST_LEN; i++)
        if (!gl_is_canonical(d->h[i])) return 0;
    return 1;
}

static int gl3_canonical(gl3_t x) {
    return gl_is_canonical(x.c[0]) && gl_is_canonical(x.c[1]) && gl_is_canonical(x.c[2]);
}

static int digest_is_zero(const hash_digest *d) {
    return (d->h[0] | d->h[1] | d->h[2] | d->h[3]) == 0;
}

static stark_status fail(zisk_err *err, stark_status s, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static stark_status fail(zisk_err *err, stark_status s, const char *fmt, ...) {
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
    }
    return s;
}

stark_commitment stark_proof_commitment(const stark_proof *proof) {
    stark_commitment c;
    c.vk_digest = proof->vk_digest;
    c.stage1_root = proof->roots[STARK_TREE_STAGE1];
    c.publics = proof->publics;
    c.n_publics = proof->n_publics;
    return c;
}

/* The FRI initial-values callback: checks every tree's opening at each query's leaf against
 * its root, then computes the DEEP codeword (the formula of stark_kernels.c,
 * stark_deep_codeword) at every position of the query's coset that FRI asks for: all of them
 * lie in the opened leaf (a leaf holds rows i + j N/8, FRI's first coset of a row folding by up
 * to 8 is a subset of those rows). Under input_committed these values are FRI's whole view of
 * layer 0, so the Merkle checks here are what binds them. */
typedef struct deep_ctx {
    const stark_vk *vk;
    const stark_proof *proof;
    gl3_t z, zw, Az, Bzw, gK;
    const gl3_t *gp;
    stark_status status; /* set when the failure is ours (Merkle), not FRI's */
} deep_ctx;

static int deep_values(void *vctx, const uint64_t *idx, size_t n, unsigned log_coset, gl3_t *out,
                       zisk_err *err) {
    deep_ctx *c = vctx;
    const stark_proof *p = c->proof;
    const stark_vk *vk = c->vk;
    unsigned log_lde = p->log_lde;
    if (n != p->n_queries) {
        c->status = STARK_ERR_SHAPE;
        return zisk_err_set(err, "FRI derived %zu query indices, the proof opens %zu", n,
                            p->n_queries);
    }
    /* stark_verify compared log_lde with the vk's, which stark_params_check keeps at least
     * STARK_LOG_LEAF_ROWS; the coset bound holds for every FRI shape the vk's params give. */
    if (log_lde < STARK_LOG_LEAF_ROWS || log_coset > STARK_LOG_LEAF_ROWS) {
        c->status = STARK_ERR_SHAPE;
        return zisk_err_set(err, "FRI asks for cosets of 2^%u rows of a 2^%u-row LDE, leaves "
                            "hold %u rows", log_coset, log_lde, STARK_LEAF_ROWS);
    }
    unsigned log_leaves = log_lde - STARK_LOG_LEAF_ROWS;
    uint64_t leaves = (uint64_t)1 << log_leaves;
    /* Coset of row i: positions (i mod M) + j M, j < 2^log_coset; M is a multiple of the leaf
     * count, so every position is row i's leaf's row (position >> log_leaves). */
    size_t per_q = (size_t)1 << log_coset, m = n * per_q;
    uint64_t M = (uint64_t)1 << (log_lde - log_coset);
    gl_t wN = gl_root_of_unity(log_lde);
    /* numerators at z and z w (m each), denominators (2m, interleaved), inversion scratch (2m) */
    gl3_t *num_z = zisk_xmalloc(6 * m * sizeof(gl3_t));
    gl3_t *num_zw = num_z + m, *den = num_z + 2 * m, *scratch = num_z + 4 * m;
    for (size_t q = 0; q < n; q++) {
        uint64_t leaf = idx[q] & (leaves - 1);
        const gl_t *lv[STARK_N_TREES] = {NULL};
        for (int t = 0; t < STARK_N_TREES; t++) {
            uint32_t w = p->n_cols[t];
            if (!w) continue;
            const hash_digest *root = t == STARK_TREE_FIXED ? &vk->fixed_root : &p->roots[t];
            lv[t] = p->rows[t] + q * STARK_LEAF_ROWS * w;
            zisk_err me;
            merkle_status ms = merkle_verify(root, log_leaves, (size_t)STARK_LEAF_ROWS * w,
                                             (size_t)leaf, lv[t], p->paths[t] + q * log_leaves,
                                             log_leaves, &me);
            if (ms != MERKLE_OK) {
                free(num_z);
                c->status = ms == MERKLE_ERR_NONCANONICAL ? STARK_ERR_NONCANONICAL
                                                          : STARK_ERR_MERKLE;
                return zisk_err_set(err, "%s tree, query %zu (LDE row %llu, leaf %llu): %s",
                                    stark_tree_str((stark_tree)t), q,
                                    (unsigned long long)idx[q], (unsigned long long)leaf,
                                    me.msg);
            }
        }
        for (size_t j = 0; j < per_q; j++) {
            uint64_t pos = (idx[q] & (M - 1)) + j * M;
            size_t part = (size_t)(pos >> log_leaves), o = q * per_q + j;
            gl3_t at = gl3_zero(), aq;
            size_t k = 0;
            for (int t = 0; t < STARK_TREE_QUOTIENT; t++)
                for (uint32_t col = 0; col < p->n_cols[t]; col++, k++)
                    at = gl3_add(at, gl3_mul_base(c->gp[k], lv[t][part * p->n_cols[t] + col]));
            aq = at;
            uint32_t wq = p->n_cols[STARK_TREE_QUOTIENT];
            for (uint32_t col = 0; col < wq; col++, k++)
                aq = gl3_add(aq, gl3_mul_base(c->gp[k], lv[STARK_TREE_QUOTIENT][part * wq + col]));
            gl3_t x = gl3_from_base(gl_mul(GL_GENERATOR, gl_pow(wN, pos)));
            num_z[o] = gl3_sub(aq, c->Az);
            num_zw[o] = gl3_mul(gl3_sub(at, c->Bzw), c->gK);
            /* x != z and x != z*w: stark_transcript_z keeps z off the LDE coset. */
            den[2 * o] = gl3_sub(x, c->z);
            den[2 * o + 1] = gl3_sub(x, c->zw);
        }
    }
    stark_gl3_batch_inv(den, den, 2 * m, scratch);
    for (size_t o = 0; o < m; o++)
        out[o] = gl3_add(gl3_mul(num_z[o], den[2 * o]), gl3_mul(num_zw[o], den[2 * o + 1]));
    free(num_z);
    return 0;
}

stark_status stark_verify(const stark_vk *vk, const stark_challenges *ch,
                          const stark_proof *proof, const gl_t *expected_publics,
                          zisk_err *err) {
    if (!vk || !vk->air || !ch || !proof)
        return fail(err, STARK_ERR_SHAPE, "stark verify: missing vk, challenges or proof");
    const air *a = vk->air;
    const char *name = air_name(a);

    /* Which key: the digest first (the usual mix-up), then the fields it stands for. */
    if (!hash_digest_eq(&proof->vk_digest, &vk->digest))
        return fail(err, STARK_ERR_VK,
                    "stark verify: the proof names another verification key than air '%s' "
                    "(log_n %u)",
                    name, vk->log_n);
    if (proof->log_n != vk->log_n)
        return fail(err, STARK_ERR_VK, "stark verify: air '%s': proof has log_n %u, vk %u", name,
                    proof->log_n, vk->log_n);
    for (int t = 0; t < STARK_N_TREES; t++)
        if (proof->n_cols[t] != vk->n_cols[t])
            return fail(err, STARK_ERR_VK,
                        "stark verify: air '%s': proof has %u %s columns, vk %u", name,
                        proof->n_cols[t], stark_tree_str((stark_tree)t), vk->n_cols[t]);
    if (!hash_digest_eq(&proof->roots[STARK_TREE_FIXED], &vk->fixed_root))
        return fail(err, STARK_ERR_VK, "stark verify: air '%s': fixed root differs from the vk's",
                    name);

    /* Shapes and canonical values (everything below is absorbed or evaluated). */
    uint32_t np = air_n_publics(a);
    if (proof->n_publics != np || (np && !proof->publics))
        return fail(err, STARK_ERR_SHAPE, "stark verify: air '%s': %u public values, expected %u",
                    name, proof->n_publics, np);
    for (uint32_t i = 0; i < np; i++)
        if (!gl_is_canonical(proof->publics[i]))
            return fail(err, STARK_ERR_NONCANONICAL,
                        "stark verify: air '%s': public value %u is not canonical", name, i);
    if (expected_publics)
        for (uint32_t i = 0; i < np; i++)
            if (proof->publics[i] != expected_publics[i])
                return fail(err, STARK_ERR_PUBLICS,
                            "stark verify: air '%s': public value %u ('%s') is %llu, expected "
                            "%llu",
                            name, i, air_public_name(a, i),
                            (unsigned long long)proof->publics[i],
                            (unsigned long long)expected_publics[i]);
    for (int t = 0; t < STARK_N_TREES; t++) {
        if (!digest_canonical(&proof->roots[t]))
            return fail(err, STARK_ERR_NONCANONICAL, "stark verify: air '%s': %s root not canonical",
                        name, stark_tree_str((stark_tree)t));
        if (vk->n_cols[t] == 0 && !digest_is_zero(&proof->roots[t]))
            return fail(err, STARK_ERR_SHAPE,
                        "stark verify: air '%s': the %s tree has no columns but a nonzero root",
                        name, stark_tree_str((stark_tree)t));
    }
    if (!gl3_canonical(proof->bus_sum))
        return fail(err, STARK_ERR_NONCANONICAL, "stark verify: air '%s': bus sum not canonical",
                    name);
    /* Without buses nothing constrains the claimed sum: it must be zero, or an instance could
     * cancel another's imbalance in the job check. */
    if (air_n_cols(a, AIR_STAGE2) == 0 && !gl3_is_zero(proof->bus_sum))
        return fail(err, STARK_ERR_SHAPE,
                    "stark verify: air '%s' has no bus but the proof claims a nonzero bus sum",
                    name);
    size_t Kt = (size_t)vk->n_cols[0] + vk->n_cols[1] + vk->n_cols[2];
    size_t K = Kt + vk->n_cols[STARK_TREE_QUOTIENT];
    if (proof->n_ood_z != K || proof->n_ood_next != Kt || !proof->ood)
        return fail(err, STARK_ERR_SHAPE,
                    "stark verify: air '%s': %zu + %zu out-of-domain values, expected %zu + %zu",
                    name, proof->n_ood_z, proof->n_ood_next, K, Kt);
    for (size_t i = 0; i < K + Kt; i++)
        if (!gl3_canonical(proof->ood[i]))
            return fail(err, STARK_ERR_NONCANONICAL,
                        "stark verify: air '%s': out-of-domain value %zu not canonical", name, i);
    unsigned log_lde = vk->log_n + vk->params.fri.log_blowup;
    if (proof->n_queries != vk->params.fri.n_queries || proof->log_lde != log_lde)
        return fail(err, STARK_ERR_SHAPE,
                    "stark verify: air '%s': %zu query openings over 2^%u rows, expected %u over "
                    "2^%u",
                    name, proof->n_queries, proof->log_lde, vk->params.fri.n_queries, log_lde);
    for (int t = 0; t < STARK_N_TREES; t++)
        if (vk->n_cols[t] && (!proof->rows[t] || !proof->paths[t]))
            return fail(err, STARK_ERR_SHAPE, "stark verify: air '%s': missing %s openings", name,
                        stark_tree_str((stark_tree)t));
    for (int i = 0; i < AIR_N_CHALLENGES; i++)
        if (!gl3_canonical(ch->ch[i]))
            return fail(err, STARK_ERR_NONCANONICAL, "stark verify: challenge %d not canonical", i);
    if (!digest_canonical(&ch->job_digest))
        return fail(err, STARK_ERR_NONCANONICAL, "stark verify: job digest not canonical");

    /* The transcript, exactly as the prover ran it. */
    transcript t;
    stark_transcript_begin(&t, ch, &vk->digest, proof->publics, np,
                           &proof->roots[STARK_TREE_STAGE1]);
    gl3_t lambda = stark_transcript_lambda(&t, &proof->roots[STARK_TREE_STAGE2], proof->bus_sum);
    gl3_t z = stark_transcript_z(&t, &proof->roots[STARK_TREE_QUOTIENT], vk->log_n, log_lde);
    gl3_t zw = gl3_mul_base(z, gl_root_of_unity(vk->log_n));

    /* The constraints at z against the quotient at z. */
    air_point pt;
    const gl3_t *oz = proof->ood, *on = proof->ood + K;
    pt.cur[AIR_FIXED] = oz;
    pt.cur[AIR_STAGE1] = oz + vk->n_cols[0];
    pt.cur[AIR_STAGE2] = oz + vk->n_cols[0] + vk->n_cols[1];
    pt.next[AIR_FIXED] = on;
    pt.next[AIR_STAGE1] = on + vk->n_cols[0];
    pt.next[AIR_STAGE2] = on + vk->n_cols[0] + vk->n_cols[1];
    air_values vals = {.publics = proof->publics, .challenges = ch->ch, .bus_sum = proof->bus_sum,
                       .n_rows = (uint64_t)1 << vk->log_n};
    gl3_t sel[AIR_N_KINDS];
    stark_selectors_at(z, vk->log_n, sel);
    gl3_t lhs = air_eval_point(a, &pt, &vals, lambda, sel);
    gl3_t rhs = stark_quotient_at(oz + Kt, vk->n_cols[STARK_TREE_QUOTIENT] / 3, z, vk->log_n);
    if (!gl3_eq(lhs, rhs))
        return fail(err, STARK_ERR_OOD,
                    "stark verify: air '%s': the combined constraints (%u of them, bus sum "
                    "included) differ from the quotient at the out-of-domain point",
                    name, air_n_constraints(a));

    gl3_t gamma = stark_transcript_gamma(&t, proof->ood, K + Kt);
    gl3_t *gp = zisk_xmalloc((K + Kt + 1) * sizeof(gl3_t));
    gp[0] = gl3_one();
    for (size_t k = 1; k <= K + Kt; k++) gp[k] = gl3_mul(gp[k - 1], gamma);
    deep_ctx dc = {.vk = vk, .proof = proof, .z = z, .zw = zw, .gp = gp, .gK = gp[K],
                   .status = STARK_OK};
    dc.Az = gl3_zero();
    dc.Bzw = gl3_zero();
    for (size_t k = 0; k < K; k++) dc.Az = gl3_add(dc.Az, gl3_mul(gp[k], oz[k]));
    for (size_t k = 0; k < Kt; k++) dc.Bzw = gl3_add(dc.Bzw, gl3_mul(gp[k], on[k]));

    zisk_err fe;
    fe.msg[0] = 0;
    fri_status fs = fri_verify(&vk->params.fri, vk->log_n, &t, &proof->fri, deep_values, &dc,
                               NULL, &fe);
    free(gp);
    if (fs == FRI_OK) return STARK_OK;
    if (dc.status != STARK_OK)
        return fail(err, dc.status, "stark verify: air '%s': %s", name, fe.msg);
    return fail(err, fs == FRI_ERR_NONCANONICAL ? STARK_ERR_NONCANONICAL : STARK_ERR_FRI,
                "stark verify: air '%s': FRI %s: %s", name, fri_status_str(fs), fe.msg);
}

stark_status stark_verify_job(const stark_vk *const *vks, size_t n_vks,
                              const stark_job_proof *job, zisk_err *err) {
    if (!job || (n_vks && !vks))
        return fail(err, STARK_ERR_SHAPE, "stark verify job: missing job proof or keys");
    size_t n = job->n_instances;
    if (n == 0 || !job->instances)
        return fail(err, STARK_ERR_SHAPE, "stark verify job: the job has no instance");
    if (n > STARK_MAX_INSTANCES)
        return fail(err, STARK_ERR_SHAPE, "stark verify job: %zu instances exceed the limit %u",
                    n, STARK_MAX_INSTANCES);
    const stark_vk **which = zisk_xcalloc(n, sizeof *which);
    stark_commitment *cm = zisk_xcalloc(n, sizeof *cm);
    gl3_t *sums = zisk_xcalloc(n, sizeof *sums);
    stark_status st = STARK_OK;
    zisk_err e;
    for (size_t k = 0; k < n && st == STARK_OK; k++) {
        const stark_proof *p = &job->instances[k];
        for (size_t v = 0; v < n_vks && !which[k]; v++)
            if (vks[v] && hash_digest_eq(&vks[v]->digest, &p->vk_digest)) which[k] = vks[v];
        if (!which[k])
            st = fail(err, STARK_ERR_VK,
                      "stark verify job: instance %zu names a verification key that is not "
                      "among the %zu given",
                      k, n_vks);
        cm[k] = stark_proof_commitment(p);
        if (p->n_publics && !p->publics)
            st = fail(err, STARK_ERR_SHAPE, "stark verify job: instance %zu: missing publics", k);
    }
    if (st == STARK_OK) {
        stark_challenges ch;
        if (stark_derive_challenges(cm, n, &ch, &e) != 0) {
            st = fail(err, STARK_ERR_NONCANONICAL, "stark verify job: %s", e.msg);
        } else {
            int same = hash_digest_eq(&ch.job_digest, &job->challenges.job_digest);
            for (int i = 0; i < AIR_N_CHALLENGES; i++)
                same &= gl3_eq(ch.ch[i], job->challenges.ch[i]);
            if (!same)
                st = fail(err, STARK_ERR_CHALLENGE,
                          "stark verify job: the stored global challenges are not the ones the "
                          "%zu instances' commitments give",
                          n);
        }
    }
    for (size_t k = 0; k < n && st == STARK_OK; k++) {
        stark_status s = stark_verify(which[k], &job->challenges, &job->instances[k], NULL, &e);
        if (s != STARK_OK) st = fail(err, s, "stark verify job: instance %zu: %s", k, e.msg);
        sums[k] = job->instances[k].bus_sum;
    }
    if (st == STARK_OK && air_bus_sums_check(sums, n, &e) != 0)
        st = fail(err, STARK_ERR_BUS, "stark verify job: %s", e.msg);
    free(which);
    free(cm);
    free(sums);
    return st;
}
