/*
 * fri.c: the FRI layer schedule, the folding kernel, the prover and the verifier (conventions
 * in fri.h and docs/PROOF_SYSTEM_CONVENTIONS.md, "FRI").
 */
#include <stdlib.h>
#include <string.h>

#include "fri_internal.h"
#include "merkle.h"
#include "ntt.h"

#ifdef _OPENMP
#include <omp.h>
#endif

/* 1/2 mod p = (p + 1) / 2. */
#define GL_INV2 0x7FFFFFFF80000001ull

static const char FRI_LABEL[] = "zisk-fri-v1";

int fri_test_wrong_fold_layer = -1;

fri_params fri_params_default(void) {
    return (fri_params){.log_blowup = 1, .log_arity = 3, .log_final_size = 5, .n_queries = 120,
                        .pow_bits = 12};
}

int fri_params_check(const fri_params *p, unsigned log_degree, zisk_err *err) {
    if (p == NULL) return zisk_err_set(err, "fri: missing parameters");
    if (p->log_blowup < 1 || p->log_blowup > FRI_MAX_LOG_BLOWUP)
        return zisk_err_set(err, "fri: log_blowup %u outside [1, %d]", p->log_blowup,
                            FRI_MAX_LOG_BLOWUP);
    if (p->log_arity < 1 || p->log_arity > FRI_MAX_LOG_ARITY)
        return zisk_err_set(err, "fri: log_arity %u outside [1, %d] (folding by 2..%d)",
                            p->log_arity, FRI_MAX_LOG_ARITY, 1 << FRI_MAX_LOG_ARITY);
    if (p->log_final_size > FRI_MAX_LOG_FINAL)
        return zisk_err_set(err, "fri: log_final_size %u above %d", p->log_final_size,
                            FRI_MAX_LOG_FINAL);
    if (p->n_queries < 1 || p->n_queries > FRI_MAX_QUERIES)
        return zisk_err_set(err, "fri: n_queries %u outside [1, %d]", p->n_queries,
                            FRI_MAX_QUERIES);
    if (p->pow_bits > TRANSCRIPT_MAX_POW_BITS)
        return zisk_err_set(err, "fri: pow_bits %u above %d", p->pow_bits,
                            TRANSCRIPT_MAX_POW_BITS);
    if (p->input_committed > 1)
        return zisk_err_set(err, "fri: input_committed %u is neither 0 nor 1", p->input_committed);
    if (log_degree > FRI_MAX_LOG_LDE || log_degree + p->log_blowup > FRI_MAX_LOG_LDE)
        return zisk_err_set(err, "fri: codeword of 2^(%u + %u) elements exceeds 2^%d", log_degree,
                            p->log_blowup, FRI_MAX_LOG_LDE);
    return 0;
}

void fri_layout(fri_proof *p, const fri_params *params, unsigned log_degree) {
    p->params = *params;
    p->log_degree = log_degree;
    p->log_final = params->log_final_size < log_degree ? params->log_final_size : log_degree;
    unsigned d = log_degree, n = log_degree + params->log_blowup, L = 0;
    size_t voff = 0, soff = 0;
    /* Fold by the configured arity while it fits; the last fold takes what is left. An
     * uncommitted layer 0 (input_committed) takes no room in the openings. */
    while (d > p->log_final) {
        unsigned k = d - p->log_final < params->log_arity ? d - p->log_final : params->log_arity;
        ZISK_ASSERT(L < FRI_MAX_LAYERS);
        p->layer_log_size[L] = n;
        p->layer_log_arity[L] = k;
        p->layer_value_off[L] = voff;
        p->layer_sibling_off[L] = soff;
        if (L > 0 || !params->input_committed) {
            voff += (size_t)3 << k;
            soff += n - k;
        }
        d -= k;
        n -= k;
        L++;
    }
    for (unsigned i = L; i < FRI_MAX_LAYERS; i++) {
        p->layer_log_size[i] = p->layer_log_arity[i] = 0;
        p->layer_value_off[i] = p->layer_sibling_off[i] = 0;
    }
    p->n_layers = L;
    p->first_committed = params->input_committed && L > 0 ? 1 : 0;
    p->values_per_query = voff;
    p->siblings_per_query = soff;
}

int fri_layout_eq(const fri_proof *a, const fri_proof *b) {
    if (a->params.log_blowup != b->params.log_blowup || a->params.log_arity != b->params.log_arity ||
        a->params.log_final_size != b->params.log_final_size ||
        a->params.n_queries != b->params.n_queries || a->params.pow_bits != b->params.pow_bits ||
        a->params.input_committed != b->params.input_committed ||
        a->log_degree != b->log_degree || a->n_layers != b->n_layers ||
        a->first_committed != b->first_committed ||
        a->log_final != b->log_final || a->values_per_query != b->values_per_query ||
        a->siblings_per_query != b->siblings_per_query)
        return 0;
    if (a->n_layers > FRI_MAX_LAYERS) return 0;
    for (unsigned i = 0; i < a->n_layers; i++)
        if (a->layer_log_size[i] != b->layer_log_size[i] ||
            a->layer_log_arity[i] != b->layer_log_arity[i] ||
            a->layer_value_off[i] != b->layer_value_off[i] ||
            a->layer_sibling_off[i] != b->layer_sibling_off[i])
            return 0;
    return 1;
}

void fri_alloc_arrays(fri_proof *p) {
    size_t q = p->params.n_queries;
    p->final_poly = zisk_xcalloc((size_t)1 << p->log_final, sizeof(gl3_t));
    p->query_indices = zisk_xcalloc(q, sizeof(uint64_t));
    /* +1 keeps the allocations non-empty for the shapes without layers. */
    p->values = zisk_xcalloc(q * p->values_per_query + 1, sizeof(gl_t));
    p->siblings = zisk_xcalloc(q * p->siblings_per_query + 1, sizeof(hash_digest));
}

void fri_proof_free(fri_proof *proof) {
    if (proof == NULL) return;
    free(proof->final_poly);
    free(proof->query_indices);
    free(proof->values);
    free(proof->siblings);
    memset(proof, 0, sizeof *proof);
}

void fri_absorb_header(transcript *t, const fri_params *params, unsigned log_degree) {
    transcript_absorb_bytes(t, FRI_LABEL, sizeof FRI_LABEL - 1);
    transcript_absorb(t, log_degree);
    transcript_absorb(t, params->log_blowup);
    transcript_absorb(t, params->log_arity);
    transcript_absorb(t, params->log_final_size);
    transcript_absorb(t, params->n_queries);
    transcript_absorb(t, params->pow_bits);
    transcript_absorb(t, params->input_committed);
}

/* k binary folds in place. Round rho pairs the values at x and -x (positions j and j + h, since
 * the second half of a coset of 2h-th roots is the first half negated) into
 * (v + v') + beta^(2^rho) * (v - v') / x; the 1/2 of each round is applied once at the end
 * (2^-k) because every round is linear. Point of position j in round rho:
 * x0^(2^rho) * w^(j * 2^rho), whose inverse is x0_inv^(2^rho) * w_inv_pow[j * 2^rho]. */
gl3_t fri_fold_leaf(const gl_t *leaf, unsigned k, gl_t x0_inv, gl3_t beta,
                    const gl_t *w_inv_pow) {
    gl3_t v[1 << FRI_MAX_LOG_ARITY];
    size_t h = (size_t)1 << k;
    for (size_t j = 0; j < h; j++) v[j] = (gl3_t){{leaf[3 * j], leaf[3 * j + 1], leaf[3 * j + 2]}};
    gl_t xinv = x0_inv;
    for (unsigned rho = 0; rho < k; rho++) {
        h >>= 1;
        for (size_t j = 0; j < h; j++) {
            gl3_t s = gl3_add(v[j], v[j + h]);
            gl3_t d = gl3_sub(v[j], v[j + h]);
            gl_t tinv = gl_mul(xinv, w_inv_pow[j << rho]);
            v[j] = gl3_add(s, gl3_mul(beta, gl3_mul_base(d, tinv)));
        }
        xinv = gl_sqr(xinv);
        beta = gl3_sqr(beta);
    }
    return gl3_mul_base(v[0], gl_pow(GL_INV2, k));
}

/* w^-j for j < 2^(k-1), w = gl_root_of_unity(k). */
static void inv_root_powers(unsigned k, gl_t *out) {
    gl_powers(out, gl_inv(gl_root_of_unity(k)), 0, ((size_t)1 << k) / 2);
}

/* ---------------------------------------------------------------------------------------- */
/* Prover                                                                                    */
/* ---------------------------------------------------------------------------------------- */

/* Destination of folded values: position r of the next codeword (length 2^n) goes to
 * dst[(r mod 2^(n-k)) * 3 * 2^k + 3 * (r div 2^(n-k))], i.e. the leaf matrix of a layer that
 * folds by 2^k (k = 0: the plain natural-order array of the final codeword). */
typedef struct leaf_layout {
    gl_t *dst;
    unsigned n, k;
} leaf_layout;

static inline gl_t *leaf_slot(const leaf_layout *o, size_t r) {
    size_t rows_mask = ((size_t)1 << (o->n - o->k)) - 1;
    return o->dst + (r & rows_mask) * ((size_t)3 << o->k) + 3 * (r >> (o->n - o->k));
}

/* Folds the layer of 2^n values on the coset shift*H into `out`. The layer is either stored
 * as a leaf matrix (mat: leaf r = positions r + j*2^(n-k)) or, when mat is NULL, in natural
 * order (natural[i] = position i: the uncommitted input codeword). Parallel over leaves in
 * chunks; each chunk starts its own geometric sequence of 1/x0 so the result does not depend
 * on the thread count. */
static void fold_layer(const gl_t *mat, const gl3_t *natural, unsigned n, unsigned k, gl_t shift,
                       gl3_t beta, const leaf_layout *out) {
    size_t M = (size_t)1 << (n - k), a = (size_t)1 << k;
    gl_t w_inv_pow[1 << FRI_MAX_LOG_ARITY];
    inv_root_powers(k, w_inv_pow);
    gl_t shift_inv = gl_inv(shift), step_inv = gl_inv(gl_root_of_unity(n));
    const size_t chunk = 1024;
    size_t n_chunks = (M + chunk - 1) / chunk;
#pragma omp parallel for schedule(static)
    for (size_t c = 0; c < n_chunks; c++) {
        size_t r0 = c * chunk, r1 = r0 + chunk < M ? r0 + chunk : M;
        gl_t xinv = gl_mul(shift_inv, gl_pow(step_inv, r0));
        gl_t gathered[3 << FRI_MAX_LOG_ARITY];
        for (size_t r = r0; r < r1; r++) {
            const gl_t *leaf = mat ? mat + r * 3 * a : gathered;
            if (!mat)
                for (size_t j = 0; j < a; j++) memcpy(gathered + 3 * j, natural[r + j * M].c, sizeof natural[0].c);
            gl3_t f = fri_fold_leaf(leaf, k, xinv, beta, w_inv_pow);
            gl_t *d = leaf_slot(out, r);
            d[0] = f.c[0];
            d[1] = f.c[1];
            d[2] = f.c[2];
            xinv = gl_mul(xinv, step_inv);
        }
    }
}

/* Interpolates the final codeword (natural order on shift*H, 2^n values) into 2^lf
 * coefficients. Returns 1 when a coefficient of degree >= 2^lf is not zero. */
static int interpolate_final(const gl_t *vals, unsigned n, unsigned lf, gl_t shift,
                             gl3_t *coeffs) {
    size_t N = (size_t)1 << n;
    gl_t *cols = zisk_xmalloc(3 * N * sizeof(gl_t));
    for (size_t i = 0; i < N; i++)
        for (int e = 0; e < 3; e++) cols[e * N + i] = vals[3 * i + e];
    ntt_plan *plan = ntt_plan_create(n);
    ntt_coset_inverse_batch(plan, cols, n, 3, N, shift);
    ntt_plan_free(plan);
    int high = 0;
    for (size_t i = 0; i < N; i++) {
        gl3_t c = {{cols[i], cols[N + i], cols[2 * N + i]}};
        if (i < ((size_t)1 << lf)) coeffs[i] = c;
        else if (!gl3_is_zero(c)) high = 1;
    }
    free(cols);
    return high;
}

int fri_prove(const fri_params *params, unsigned log_degree, const gl3_t *codeword,
              transcript *t, fri_proof *proof) {
    zisk_err e;
    if (fri_params_check(params, log_degree, &e) != 0) zisk_panic(__FILE__, __LINE__, "fri_prove: %s", e.msg);
    ZISK_ASSERT(codeword != NULL && t != NULL && proof != NULL);
    memset(proof, 0, sizeof *proof);
    fri_layout(proof, params, log_degree);
    fri_alloc_arrays(proof);
    fri_absorb_header(t, params, log_degree);

    unsigned L = proof->n_layers, n0 = log_degree + params->log_blowup, F = proof->first_committed;
    size_t N0 = (size_t)1 << n0;
    gl_t *mats[FRI_MAX_LAYERS] = {0};
    hash_digest *nodes[FRI_MAX_LAYERS] = {0};
    merkle_tree trees[FRI_MAX_LAYERS];

    /* Layer 0 (or the final codeword when nothing folds) in leaf layout; an uncommitted layer 0
     * is folded straight from the caller's natural-order codeword (cur = NULL). */
    gl_t *cur = NULL;
    if (!F) {
        leaf_layout first = {zisk_xmalloc(3 * N0 * sizeof(gl_t)), n0, L ? proof->layer_log_arity[0] : 0};
#pragma omp parallel for schedule(static)
        for (size_t i = 0; i < N0; i++) {
            gl_t *d = leaf_slot(&first, i);
            d[0] = codeword[i].c[0];
            d[1] = codeword[i].c[1];
            d[2] = codeword[i].c[2];
        }
        cur = first.dst;
    }
    gl_t shift = GL_GENERATOR;
    for (unsigned i = 0; i < L; i++) {
        unsigned n = proof->layer_log_size[i], k = proof->layer_log_arity[i];
        size_t M = (size_t)1 << (n - k);
        if (i >= F) {
            mats[i] = cur;
            nodes[i] = zisk_xmalloc(merkle_node_count(M) * sizeof(hash_digest));
            if (merkle_build(&trees[i], cur, M, (size_t)3 << k, (size_t)3 << k, 1, nodes[i], &e) != 0)
                zisk_panic(__FILE__, __LINE__, "fri_prove: layer %u: %s", i, e.msg);
            proof->roots[i] = *merkle_root(&trees[i]);
            transcript_absorb_digest(t, &proof->roots[i]);
        }
        gl3_t beta = transcript_squeeze_ext(t);
        if ((int)i == fri_test_wrong_fold_layer) beta = gl3_add(beta, gl3_one());
        /* The next layer's leaf layout (k = 0 for the final codeword). */
        leaf_layout next = {zisk_xmalloc(3 * M * sizeof(gl_t)), n - k,
                            i + 1 < L ? proof->layer_log_arity[i + 1] : 0};
        fold_layer(cur, cur ? NULL : codeword, n, k, shift, beta, &next);
        shift = gl_pow(shift, (uint64_t)1 << k);
        cur = next.dst;
    }

    unsigned nf = proof->log_final + params->log_blowup;
    int high = interpolate_final(cur, nf, proof->log_final, shift, proof->final_poly);
    if (L > 0) free(cur); /* with no layer, cur is layer 0's buffer, freed below */
    else mats[0] = cur;
    size_t n_final = (size_t)1 << proof->log_final;
    for (size_t i = 0; i < n_final; i++) transcript_absorb_ext(t, proof->final_poly[i]);

    proof->pow_nonce = transcript_grind(t, params->pow_bits);
    transcript_squeeze_indices(t, n0, params->n_queries, proof->query_indices);

    for (size_t q = 0; q < params->n_queries; q++) {
        uint64_t idx = proof->query_indices[q];
        for (unsigned i = 0; i < L; i++) {
            unsigned n = proof->layer_log_size[i], k = proof->layer_log_arity[i];
            uint64_t r = idx & (((uint64_t)1 << (n - k)) - 1);
            if (i < F) {
                idx = r;
                continue;
            }
            merkle_open(&trees[i], r, proof->values + q * proof->values_per_query + proof->layer_value_off[i],
                        proof->siblings + q * proof->siblings_per_query + proof->layer_sibling_off[i]);
            idx = r;
        }
    }
    for (unsigned i = 0; i < FRI_MAX_LAYERS; i++) {
        free(mats[i]);
        free(nodes[i]);
    }
    return high;
}

/* ---------------------------------------------------------------------------------------- */
/* Verifier                                                                                  */
/* ---------------------------------------------------------------------------------------- */

const char *fri_status_str(fri_status s) {
    switch (s) {
    case FRI_OK: return "ok";
    case FRI_ERR_PARAMS: return "params";
    case FRI_ERR_NONCANONICAL: return "noncanonical";
    case FRI_ERR_POW: return "pow";
    case FRI_ERR_INITIAL: return "initial";
    case FRI_ERR_MERKLE: return "merkle";
    case FRI_ERR_FOLD: return "fold";
    case FRI_ERR_FINAL: return "final";
    case FRI_ERR_DECODE: return "decode";
    }
    return "unknown";
}

static int digest_canonical(const hash_digest *d) {
    for (int i = 0; i < HASH_DIGEST_LEN; i++)
        if (!gl_is_canonical(d->h[i])) return 0;
    return 1;
}

static int ext_canonical(gl3_t x) {
    return gl_is_canonical(x.c[0]) && gl_is_canonical(x.c[1]) && gl_is_canonical(x.c[2]);
}

/* Shape and canonical-form checks on everything the proof carries, before any of it reaches
 * the transcript (which aborts on non-canonical input) or the arithmetic. */
static fri_status check_proof_form(const fri_params *params, unsigned log_degree,
                                   const fri_proof *proof, zisk_err *err) {
    fri_proof want;
    memset(&want, 0, sizeof want);
    fri_layout(&want, params, log_degree);
    if (!fri_layout_eq(&want, proof)) {
        zisk_err_set(err,
                     "fri: proof shape (log_degree %u, log_blowup %u, log_arity %u, log_final_size "
                     "%u, %u queries, %u pow bits, %u layers) differs from the expected one "
                     "(log_degree %u, log_blowup %u, log_arity %u, log_final_size %u, %u queries, "
                     "%u pow bits, %u layers)",
                     proof->log_degree, proof->params.log_blowup, proof->params.log_arity,
                     proof->params.log_final_size, proof->params.n_queries,
                     proof->params.pow_bits, proof->n_layers, log_degree, params->log_blowup,
                     params->log_arity, params->log_final_size, params->n_queries,
                     params->pow_bits, want.n_layers);
        return FRI_ERR_PARAMS;
    }
    if (proof->final_poly == NULL || proof->values == NULL || proof->siblings == NULL) {
        zisk_err_set(err, "fri: proof is missing its final polynomial or openings");
        return FRI_ERR_PARAMS;
    }
    for (unsigned i = proof->first_committed; i < proof->n_layers; i++)
        if (!digest_canonical(&proof->roots[i])) {
            zisk_err_set(err, "fri: layer %u root is not canonical", i);
            return FRI_ERR_NONCANONICAL;
        }
    for (size_t i = 0; i < ((size_t)1 << proof->log_final); i++)
        if (!ext_canonical(proof->final_poly[i])) {
            zisk_err_set(err, "fri: final polynomial coefficient %zu is not canonical", i);
            return FRI_ERR_NONCANONICAL;
        }
    if (!gl_is_canonical(proof->pow_nonce)) {
        zisk_err_set(err, "fri: proof-of-work nonce 0x%016llx is not canonical",
                     (unsigned long long)proof->pow_nonce);
        return FRI_ERR_NONCANONICAL;
    }
    for (size_t q = 0; q < params->n_queries; q++)
        for (unsigned i = proof->first_committed; i < proof->n_layers; i++) {
            size_t nv = (size_t)3 << proof->layer_log_arity[i];
            size_t ns = proof->layer_log_size[i] - proof->layer_log_arity[i];
            const gl_t *v = proof->values + q * proof->values_per_query + proof->layer_value_off[i];
            const hash_digest *s =
                proof->siblings + q * proof->siblings_per_query + proof->layer_sibling_off[i];
            for (size_t j = 0; j < nv; j++)
                if (!gl_is_canonical(v[j])) {
                    zisk_err_set(err, "fri: query %zu, layer %u: opened element %zu is not canonical", q, i, j);
                    return FRI_ERR_NONCANONICAL;
                }
            for (size_t l = 0; l < ns; l++)
                if (!digest_canonical(&s[l])) {
                    zisk_err_set(err, "fri: query %zu, layer %u: Merkle sibling %zu is not canonical", q, i, l);
                    return FRI_ERR_NONCANONICAL;
                }
        }
    return FRI_OK;
}

static gl3_t eval_final(const gl3_t *coeffs, size_t n, gl_t x) {
    gl3_t acc = gl3_zero();
    for (size_t i = n; i-- > 0;) acc = gl3_add(gl3_mul_base(acc, x), coeffs[i]);
    return acc;
}

fri_status fri_verify(const fri_params *params, unsigned log_degree, transcript *t,
                      const fri_proof *proof, fri_initial_values_fn initial_values, void *ctx,
                      uint64_t *indices_out, zisk_err *err) {
    zisk_err e;
    if (params == NULL || t == NULL || proof == NULL || initial_values == NULL) {
        zisk_err_set(err, "fri: missing parameters, transcript, proof or initial-values callback");
        return FRI_ERR_PARAMS;
    }
    if (fri_params_check(params, log_degree, &e) != 0) {
        zisk_err_set(err, "fri: expected parameters are invalid: %s", e.msg);
        return FRI_ERR_PARAMS;
    }
    fri_status st = check_proof_form(params, log_degree, proof, err);
    if (st != FRI_OK) return st;

    unsigned L = proof->n_layers, n0 = log_degree + params->log_blowup, F = proof->first_committed;
    size_t Q = params->n_queries;
    gl3_t betas[FRI_MAX_LAYERS];
    fri_absorb_header(t, params, log_degree);
    for (unsigned i = 0; i < L; i++) {
        if (i >= F) transcript_absorb_digest(t, &proof->roots[i]);
        betas[i] = transcript_squeeze_ext(t);
    }
    size_t n_final = (size_t)1 << proof->log_final;
    for (size_t i = 0; i < n_final; i++) transcript_absorb_ext(t, proof->final_poly[i]);
    if (transcript_check_pow(t, params->pow_bits, proof->pow_nonce, &e) != 0) {
        zisk_err_set(err, "fri: proof of work: %s", e.msg);
        return FRI_ERR_POW;
    }
    /* The callback gives one value per query when layer 0 is committed, the whole layer-0
     * coset of each query (2^k_0 values) when it is not. */
    unsigned log_coset = F ? proof->layer_log_arity[0] : 0;
    size_t per_q = (size_t)1 << log_coset;
    uint64_t *indices = zisk_xmalloc(Q * sizeof(uint64_t));
    gl3_t *claimed = zisk_xcalloc(Q * per_q, sizeof(gl3_t));
    transcript_squeeze_indices(t, n0, Q, indices);
    if (indices_out) memcpy(indices_out, indices, Q * sizeof(uint64_t));

    st = FRI_OK;
    if (initial_values(ctx, indices, Q, log_coset, claimed, &e) != 0) {
        zisk_err_set(err, "fri: initial codeword values: %s", e.msg);
        st = FRI_ERR_INITIAL;
        goto out;
    }
    for (size_t q = 0; q < Q * per_q; q++)
        if (!ext_canonical(claimed[q])) {
            zisk_err_set(err, "fri: initial codeword value %zu for query %zu is not canonical",
                         q % per_q, q / per_q);
            st = FRI_ERR_INITIAL;
            goto out;
        }

    /* Per-layer constants: coset shifts and the inverse generators of their groups. */
    gl_t shift_inv[FRI_MAX_LAYERS + 1], step_inv[FRI_MAX_LAYERS + 1];
    gl_t w_inv_pow[FRI_MAX_LAYERS][1 << (FRI_MAX_LOG_ARITY - 1)];
    gl_t shift = GL_GENERATOR;
    for (unsigned i = 0; i < L; i++) {
        shift_inv[i] = gl_inv(shift);
        step_inv[i] = gl_inv(gl_root_of_unity(proof->layer_log_size[i]));
        inv_root_powers(proof->layer_log_arity[i], w_inv_pow[i]);
        shift = gl_pow(shift, (uint64_t)1 << proof->layer_log_arity[i]);
    }
    unsigned nf = proof->log_final + params->log_blowup;
    gl_t final_step = gl_root_of_unity(nf);

    gl_t coset[3 << FRI_MAX_LOG_ARITY];
    for (size_t q = 0; q < Q; q++) {
        uint64_t idx = indices[q];
        gl3_t expected = claimed[q * per_q];
        for (unsigned i = 0; i < L; i++) {
            unsigned n = proof->layer_log_size[i], k = proof->layer_log_arity[i];
            uint64_t r = idx & (((uint64_t)1 << (n - k)) - 1), j = idx >> (n - k);
            if (i < F) {
                /* Uncommitted layer 0: the claimed coset, folded here; the caller's own
                 * openings authenticated it. */
                for (size_t p = 0; p < per_q; p++) memcpy(coset + 3 * p, claimed[q * per_q + p].c, sizeof coset[0] * 3);
                gl_t x0_inv = gl_mul(shift_inv[i], gl_pow(step_inv[i], r));
                expected = fri_fold_leaf(coset, k, x0_inv, betas[i], w_inv_pow[i]);
                idx = r;
                continue;
            }
            const gl_t *leaf = proof->values + q * proof->values_per_query + proof->layer_value_off[i];
            const hash_digest *path =
                proof->siblings + q * proof->siblings_per_query + proof->layer_sibling_off[i];
            merkle_status ms = merkle_verify(&proof->roots[i], n - k, (size_t)3 << k, r, leaf, path,
                                             n - k, &e);
            if (ms != MERKLE_OK) {
                zisk_err_set(err, "fri: query %zu (index %llu), layer %u, leaf %llu: %s", q,
                             (unsigned long long)indices[q], i, (unsigned long long)r, e.msg);
                st = ms == MERKLE_ERR_NONCANONICAL ? FRI_ERR_NONCANONICAL : FRI_ERR_MERKLE;
                goto out;
            }
            gl3_t opened = {{leaf[3 * j], leaf[3 * j + 1], leaf[3 * j + 2]}};
            if (!gl3_eq(opened, expected)) {
                if (i == 0)
                    zisk_err_set(err, "fri: query %zu (index %llu): layer 0 position %llu opens a "
                                 "value different from the claimed codeword value", q,
                                 (unsigned long long)indices[q], (unsigned long long)j);
                else
                    zisk_err_set(err, "fri: query %zu (index %llu): layer %u position %llu of leaf "
                                 "%llu differs from layer %u folded", q,
                                 (unsigned long long)indices[q], i, (unsigned long long)j,
                                 (unsigned long long)r, i - 1);
                st = i == 0 ? FRI_ERR_INITIAL : FRI_ERR_FOLD;
                goto out;
            }
            gl_t x0_inv = gl_mul(shift_inv[i], gl_pow(step_inv[i], r));
            expected = fri_fold_leaf(leaf, k, x0_inv, betas[i], w_inv_pow[i]);
            idx = r;
        }
        gl_t x = gl_mul(shift, gl_pow(final_step, idx));
        if (!gl3_eq(eval_final(proof->final_poly, n_final, x), expected)) {
            if (L == 0)
                zisk_err_set(err, "fri: query %zu (index %llu): the claimed codeword value is not "
                             "the final polynomial's value", q, (unsigned long long)indices[q]);
            else
                zisk_err_set(err, "fri: query %zu (index %llu): layer %u folded at position %llu "
                             "is not the final polynomial's value", q,
                             (unsigned long long)indices[q], L - 1, (unsigned long long)idx);
            st = FRI_ERR_FINAL;
            goto out;
        }
    }
out:
    free(indices);
    free(claimed);
    return st;
}
