/*
 * test_fri.c: FRI (module src/fri). Honest codewords of several sizes and parameter sets are
 * accepted (also after an encode/decode round trip); the folding kernel is checked against the
 * even/odd decomposition computed from coefficients; codewords that are not low-degree (random
 * values, degree just above the bound) and a prover that folds one layer wrongly are rejected
 * with the specific status; every part of a proof is tampered with (roots, opened values,
 * siblings, final coefficients, nonce, query indices, shape); truncated, extended and garbled
 * encodings are refused without crashing; proofs are deterministic and do not depend on the
 * thread count; the security estimate gives >= 128 conjectured bits for the defaults.
 * Both modes run through these tests: layer 0 committed (the generic one) and input_committed
 * (the STARK's: no layer-0 tree; the verifier folds the coset values the callback gives), for
 * which a wrong value at any coset position, a layer 1 folded from another f, and a claimed f
 * far from low degree are rejected.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fri.h"
#include "fri_internal.h"
#include "ntt.h"

#ifdef _OPENMP
#include <omp.h>
#endif

static uint64_t rng_state = 0x5EED;
static gl_t rand_gl(void) {
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return gl_from_u64(z ^ (z >> 31));
}
static gl3_t rand_gl3(void) { return (gl3_t){{rand_gl(), rand_gl(), rand_gl()}}; }

#define PLAN_LOG 18
static ntt_plan *plan;

/* Evaluations on g*H_N (natural order, N = 2^log_n) of a random polynomial with n_coeffs
 * extension coefficients (n_coeffs <= N). Coefficients go to coeffs_out when not NULL. */
static gl3_t *random_codeword(unsigned log_n, size_t n_coeffs, gl3_t *coeffs_out) {
    size_t N = (size_t)1 << log_n;
    gl_t *cols = calloc(3 * N, sizeof(gl_t));
    for (size_t i = 0; i < n_coeffs; i++) {
        gl3_t c = rand_gl3();
        if (coeffs_out) coeffs_out[i] = c;
        for (int e = 0; e < 3; e++) cols[e * N + i] = c.c[e];
    }
    ntt_coset_forward_batch(plan, cols, log_n, 3, N, GL_GENERATOR);
    gl3_t *cw = malloc(N * sizeof(gl3_t));
    for (size_t i = 0; i < N; i++) cw[i] = (gl3_t){{cols[i], cols[N + i], cols[2 * N + i]}};
    free(cols);
    return cw;
}

/* The honest STARK layer's side of the verifier: the codeword itself on each query's coset,
 * read at position + shift. bad_pos >= 0 adds 1 to the value at that coset position of every
 * query (a caller whose f differs at one point of each coset). */
typedef struct cw_ctx {
    const gl3_t *cw;
    size_t n;
    size_t shift;
    int fail;
    int bad_pos;
    unsigned log_coset; /* what fri_verify asked for (recorded) */
} cw_ctx;

static int cw_values(void *vctx, const uint64_t *idx, size_t n, unsigned log_coset, gl3_t *out,
                     zisk_err *err) {
    cw_ctx *c = vctx;
    c->log_coset = log_coset;
    if (c->fail) return zisk_err_set(err, "trace opening failed");
    size_t M = c->n >> log_coset;
    for (size_t k = 0; k < n; k++) {
        if (idx[k] >= c->n) return zisk_err_set(err, "index %llu out of range", (unsigned long long)idx[k]);
        for (size_t j = 0; j < ((size_t)1 << log_coset); j++) {
            gl3_t v = c->cw[((idx[k] & (M - 1)) + j * M + c->shift) % c->n];
            if ((int)j == c->bad_pos) v = gl3_add(v, gl3_one());
            out[(k << log_coset) + j] = v;
        }
    }
    return 0;
}

/* A transcript in some state that the caller (the STARK layer) would have reached. */
static void start_transcript(transcript *t) {
    transcript_init(t);
    transcript_absorb_bytes(t, "stark-test", 10);
    transcript_absorb(t, 12345);
}

static fri_status verify(const fri_params *p, unsigned log_degree, const fri_proof *proof,
                         cw_ctx *ctx, uint64_t *indices, zisk_err *err) {
    transcript t;
    start_transcript(&t);
    return fri_verify(p, log_degree, &t, proof, cw_values, ctx, indices, err);
}

/* A prepared honest instance: codeword, proof, encoding. */
typedef struct inst {
    fri_params p;
    unsigned log_degree;
    size_t n;
    gl3_t *cw;
    fri_proof proof;
} inst;

static void inst_make(inst *in, fri_params p, unsigned log_degree) {
    in->p = p;
    in->log_degree = log_degree;
    unsigned log_n = log_degree + p.log_blowup;
    in->n = (size_t)1 << log_n;
    in->cw = random_codeword(log_n, (size_t)1 << log_degree, NULL);
    transcript t;
    start_transcript(&t);
    assert_int_equal(fri_prove(&p, log_degree, in->cw, &t, &in->proof), 0);
}

static void inst_free(inst *in) {
    fri_proof_free(&in->proof);
    free(in->cw);
}

static fri_status inst_verify(inst *in, zisk_err *err) {
    cw_ctx ctx = {in->cw, in->n, 0, 0, -1, 0};
    return verify(&in->p, in->log_degree, &in->proof, &ctx, NULL, err);
}

static fri_params P(unsigned lb, unsigned la, unsigned lf, unsigned q, unsigned pow) {
    return (fri_params){.log_blowup = lb, .log_arity = la, .log_final_size = lf, .n_queries = q,
                        .pow_bits = pow};
}

/* The same with layer 0 not committed (input_committed). */
static fri_params PI(unsigned lb, unsigned la, unsigned lf, unsigned q, unsigned pow) {
    fri_params p = P(lb, la, lf, q, pow);
    p.input_committed = 1;
    return p;
}

/* ---------------------------------------------------------------------------------------- */

static void test_fold_leaf_matches_decomposition(void **state) {
    (void)state;
    /* f(X) = sum_t X^t f_t(X^a); folding the values at x0 * w^j must give sum_t beta^t f_t(y),
     * y = x0^a, computed here straight from the coefficients. */
    for (unsigned k = 1; k <= FRI_MAX_LOG_ARITY; k++) {
        size_t a = (size_t)1 << k, m = 5, n = a * m;
        gl3_t coeffs[16 * 5];
        for (size_t i = 0; i < n; i++) coeffs[i] = rand_gl3();
        gl_t x0 = rand_gl();
        gl3_t beta = rand_gl3();
        gl_t w = gl_root_of_unity(k), leaf[3 * 16], w_inv_pow[8];
        gl_powers(w_inv_pow, gl_inv(w), 0, a / 2);
        for (size_t j = 0; j < a; j++) {
            gl_t x = gl_mul(x0, gl_pow(w, j));
            gl3_t v = gl3_zero();
            for (size_t i = n; i-- > 0;) v = gl3_add(gl3_mul_base(v, x), coeffs[i]);
            memcpy(leaf + 3 * j, v.c, sizeof v.c);
        }
        gl_t y = gl_pow(x0, a);
        gl3_t want = gl3_zero(), bt = gl3_one();
        for (size_t t = 0; t < a; t++) {
            gl3_t ft = gl3_zero(); /* f_t(y) = sum_s coeffs[t + a*s] y^s */
            for (size_t s = m; s-- > 0;) ft = gl3_add(gl3_mul_base(ft, y), coeffs[t + a * s]);
            want = gl3_add(want, gl3_mul(bt, ft));
            bt = gl3_mul(bt, beta);
        }
        gl3_t got = fri_fold_leaf(leaf, k, gl_inv(x0), beta, w_inv_pow);
        assert_true(gl3_eq(got, want));
    }
}

static void test_layout(void **state) {
    (void)state;
    fri_proof s;
    memset(&s, 0, sizeof s);
    fri_params p = P(1, 3, 5, 10, 0);
    fri_layout(&s, &p, 20); /* 20 -> 17 -> 14 -> 11 -> 8 -> 5 */
    assert_int_equal(s.n_layers, 5);
    assert_int_equal(s.layer_log_size[0], 21);
    assert_int_equal(s.layer_log_size[4], 9);
    assert_int_equal(s.log_final, 5);
    fri_layout(&s, &p, 10); /* 10 -> 7 -> 5: the last fold is by 4 */
    assert_int_equal(s.n_layers, 2);
    assert_int_equal(s.layer_log_arity[1], 2);
    fri_layout(&s, &p, 3); /* already below the final size */
    assert_int_equal(s.n_layers, 0);
    assert_int_equal(s.log_final, 3);
    /* input_committed: the same folds, layer 0 takes no room in the openings. */
    fri_proof c;
    memset(&c, 0, sizeof c);
    fri_params pi = PI(1, 3, 5, 10, 0);
    fri_layout(&s, &p, 20);
    fri_layout(&c, &pi, 20);
    assert_int_equal(c.n_layers, 5);
    assert_int_equal(c.first_committed, 1);
    assert_int_equal(s.first_committed, 0);
    assert_int_equal(c.values_per_query, s.values_per_query - 24);
    assert_int_equal(c.siblings_per_query, s.siblings_per_query - (21 - 3));
    assert_int_equal(c.layer_value_off[1], 0);
    assert_false(fri_layout_eq(&c, &s));
    fri_layout(&c, &pi, 3); /* nothing folds: nothing to leave out */
    assert_int_equal(c.first_committed, 0);
    /* Only 0 and 1 are modes. */
    pi.input_committed = 2;
    assert_int_equal(fri_params_check(&pi, 10, NULL), -1);
}

static void check_honest(fri_params p, unsigned log_degree) {
    inst in;
    inst_make(&in, p, log_degree);
    zisk_err err = {{0}};
    uint64_t *idx = calloc(p.n_queries, sizeof(uint64_t));
    transcript tp, tv;
    /* Re-prove to get the prover's transcript end state. */
    fri_proof again;
    start_transcript(&tp);
    assert_int_equal(fri_prove(&p, log_degree, in.cw, &tp, &again), 0);
    cw_ctx ctx = {in.cw, in.n, 0, 0, -1, 0};
    start_transcript(&tv);
    fri_status st = fri_verify(&p, log_degree, &tv, &in.proof, cw_values, &ctx, idx, &err);
    if (st != FRI_OK) fail_msg("log_degree %u: %s: %s", log_degree, fri_status_str(st), err.msg);
    /* The callback is asked for whole cosets exactly when layer 0 is not committed. */
    assert_int_equal(ctx.log_coset, in.proof.first_committed ? in.proof.layer_log_arity[0] : 0);
    assert_memory_equal(idx, in.proof.query_indices, p.n_queries * sizeof(uint64_t));
    for (size_t q = 0; q < p.n_queries; q++) assert_true(idx[q] < in.n);
    /* Both sides end in the same transcript state. */
    assert_int_equal(transcript_squeeze(&tp), transcript_squeeze(&tv));

    /* Encoding round trip: same bytes again, and the decoded proof verifies. */
    size_t len = fri_proof_encoded_size(&in.proof);
    uint8_t *buf = malloc(len), *buf2 = malloc(len);
    assert_int_equal(fri_proof_encode(&in.proof, buf, len), len);
    assert_int_equal(fri_proof_encode(&in.proof, buf, len - 1), 0);
    fri_proof dec;
    assert_int_equal(fri_proof_decode(buf, len, &dec, NULL, &err), FRI_OK);
    assert_int_equal(fri_proof_encode(&dec, buf2, len), len);
    assert_memory_equal(buf, buf2, len);
    assert_int_equal(verify(&p, log_degree, &dec, &ctx, NULL, &err), FRI_OK);
    fri_proof_free(&dec);
    fri_proof_free(&again);
    free(buf);
    free(buf2);
    free(idx);
    inst_free(&in);
}

static void test_honest_accepted(void **state) {
    (void)state;
    for (int mode = 0; mode < 2; mode++) {
        fri_params (*M)(unsigned, unsigned, unsigned, unsigned, unsigned) = mode ? PI : P;
        check_honest(M(1, 1, 0, 20, 0), 6);
        check_honest(M(1, 2, 2, 30, 4), 8);
        check_honest(M(1, 3, 5, 40, 8), 10);
        check_honest(M(2, 3, 3, 20, 0), 10);
        check_honest(M(3, 3, 4, 16, 0), 9);  /* folds by 8 then 4 */
        check_honest(M(1, 3, 5, 10, 0), 5);  /* no layer: the final polynomial is the codeword */
        check_honest(M(1, 3, 5, 10, 0), 3);  /* degree bound below the final size */
        check_honest(M(1, 4, 1, 30, 0), 12); /* folding by 16 */
        check_honest(M(1, 1, 0, 4, 0), 0);   /* a constant */
        check_honest(M(1, 3, 0, 8, 0), 2);   /* one fold by 4 down to a constant */
        check_honest(M(1, 3, 2, 12, 0), 5);  /* a single fold by 8, then the final polynomial */
    }
    check_honest(fri_params_default(), 14);
    fri_params d = fri_params_default();
    d.input_committed = 1;
    check_honest(d, 14);
}

static void check_not_low_degree(int mode) {
    fri_params p = mode ? PI(1, 3, 2, 30, 0) : P(1, 3, 2, 30, 0);
    unsigned ld = 9, log_n = ld + 1;
    size_t n = (size_t)1 << log_n;
    zisk_err err;
    /* Random values: far from every low-degree codeword. */
    gl3_t *cw = malloc(n * sizeof(gl3_t));
    for (size_t i = 0; i < n; i++) cw[i] = rand_gl3();
    transcript t;
    fri_proof proof;
    start_transcript(&t);
    assert_int_equal(fri_prove(&p, ld, cw, &t, &proof), 1);
    cw_ctx ctx = {cw, n, 0, 0, -1, 0};
    assert_int_equal(verify(&p, ld, &proof, &ctx, NULL, &err), FRI_ERR_FINAL);
    assert_non_null(strstr(err.msg, "final polynomial"));
    fri_proof_free(&proof);
    free(cw);

    /* Degree exactly 2^ld (one coefficient too many). */
    cw = random_codeword(log_n, ((size_t)1 << ld) + 1, NULL);
    start_transcript(&t);
    assert_int_equal(fri_prove(&p, ld, cw, &t, &proof), 1);
    ctx.cw = cw;
    assert_int_equal(verify(&p, ld, &proof, &ctx, NULL, &err), FRI_ERR_FINAL);
    fri_proof_free(&proof);

    free(cw);

    /* Without any layer the claimed values meet the final polynomial directly. */
    fri_params p0 = mode ? PI(1, 3, 5, 10, 0) : P(1, 3, 5, 10, 0);
    cw = random_codeword(5, 32, NULL); /* degree < 32, bound 2^4 */
    start_transcript(&t);
    assert_int_equal(fri_prove(&p0, 4, cw, &t, &proof), 1);
    cw_ctx c0 = {cw, 32, 0, 0, -1, 0};
    assert_int_equal(verify(&p0, 4, &proof, &c0, NULL, &err), FRI_ERR_FINAL);
    fri_proof_free(&proof);
    free(cw);
}

static void test_not_low_degree_rejected(void **state) {
    (void)state;
    check_not_low_degree(0);
    check_not_low_degree(1);
}

static void test_wrong_fold_rejected(void **state) {
    (void)state;
    for (int mode = 0; mode < 2; mode++)
    for (int layer = 0; layer < 3; layer++) {
        fri_params p = mode ? PI(1, 2, 1, 20, 0) : P(1, 2, 1, 20, 0);
        unsigned ld = 9;
        size_t n = (size_t)1 << (ld + 1);
        gl3_t *cw = random_codeword(ld + 1, (size_t)1 << ld, NULL);
        transcript t;
        fri_proof proof;
        zisk_err err;
        start_transcript(&t);
        fri_test_wrong_fold_layer = layer;
        assert_int_equal(fri_prove(&p, ld, cw, &t, &proof), 0);
        fri_test_wrong_fold_layer = -1;
        cw_ctx ctx = {cw, n, 0, 0, -1, 0};
        fri_status st = verify(&p, ld, &proof, &ctx, NULL, &err);
        assert_int_equal(st, FRI_ERR_FOLD);
        char want[64];
        snprintf(want, sizeof want, "layer %d position", layer + 1);
        assert_non_null(strstr(err.msg, want));
        fri_proof_free(&proof);
        free(cw);
    }
}

static void expect(inst *in, fri_status want, const char *needle);

/* input_committed: FRI's view of layer 0 is the callback's cosets. A caller whose f differs
 * from the folded one at any single coset position is caught at layer 1 (or, with a single
 * fold, at the final polynomial); so is a caller claiming an f far from every low-degree
 * codeword while the proof's layers come from a low-degree one (the cheating prover's best
 * move now that layer 0 is not committed). */
static void test_input_committed_rejections(void **state) {
    (void)state;
    inst in;
    inst_make(&in, PI(1, 3, 1, 12, 0), 10); /* folds 2^11 -> 2^8 -> 2^5; layer 0 uncommitted */
    assert_int_equal(in.proof.first_committed, 1);
    expect(&in, FRI_OK, NULL);
    zisk_err err;
    for (int j = 0; j < 8; j++) {
        cw_ctx bad = {in.cw, in.n, 0, 0, j, 0};
        assert_int_equal(verify(&in.p, in.log_degree, &in.proof, &bad, NULL, &err), FRI_ERR_FOLD);
        assert_non_null(strstr(err.msg, "layer 1 position"));
        assert_int_equal(bad.log_coset, 3);
    }
    /* A claimed value that is not canonical, and a failing callback. */
    cw_ctx failing = {in.cw, in.n, 0, 1, -1, 0};
    assert_int_equal(verify(&in.p, in.log_degree, &in.proof, &failing, NULL, &err), FRI_ERR_INITIAL);
    gl3_t *nc = malloc(in.n * sizeof(gl3_t));
    memcpy(nc, in.cw, in.n * sizeof(gl3_t));
    for (size_t i = 0; i < in.n; i++) nc[i].c[2] = GL_P;
    cw_ctx noncanon = {nc, in.n, 0, 0, -1, 0};
    assert_int_equal(verify(&in.p, in.log_degree, &in.proof, &noncanon, NULL, &err), FRI_ERR_INITIAL);
    assert_non_null(strstr(err.msg, "not canonical"));
    /* f far from low degree (random values) against the honest proof of a low-degree g: every
     * query's fold of f misses g's layer 1. */
    for (size_t i = 0; i < in.n; i++) nc[i] = rand_gl3();
    cw_ctx far = {nc, in.n, 0, 0, -1, 0};
    assert_int_equal(verify(&in.p, in.log_degree, &in.proof, &far, NULL, &err), FRI_ERR_FOLD);
    /* f = g except on one coset position everywhere: still caught (every coset has one). */
    memcpy(nc, in.cw, in.n * sizeof(gl3_t));
    for (size_t i = 5 * (in.n / 8); i < 6 * (in.n / 8); i++) nc[i] = rand_gl3();
    far.cw = nc;
    assert_int_equal(verify(&in.p, in.log_degree, &in.proof, &far, NULL, &err), FRI_ERR_FOLD);
    /* The layer-1 openings are authenticated: any change to one is a Merkle failure. */
    gl_t *v = in.proof.values + in.proof.layer_value_off[1];
    for (size_t e = 0; e < 24; e += 5) {
        gl_t keep = v[e];
        v[e] = gl_add(keep, 1);
        expect(&in, FRI_ERR_MERKLE, "layer 1");
        v[e] = keep;
    }
    expect(&in, FRI_OK, NULL);
    free(nc);
    inst_free(&in);

    /* A single fold: the folded coset meets the final polynomial. */
    inst_make(&in, PI(1, 3, 2, 12, 0), 5);
    assert_int_equal(in.proof.n_layers, 1);
    expect(&in, FRI_OK, NULL);
    for (int j = 0; j < 8; j++) {
        cw_ctx bad = {in.cw, in.n, 0, 0, j, 0};
        assert_int_equal(verify(&in.p, in.log_degree, &in.proof, &bad, NULL, &err), FRI_ERR_FINAL);
    }
    inst_free(&in);

    /* The mode is part of the shape: a proof of one mode is refused under the other. */
    inst_make(&in, PI(1, 3, 1, 12, 0), 10);
    fri_params other = in.p;
    other.input_committed = 0;
    cw_ctx ctx = {in.cw, in.n, 0, 0, -1, 0};
    assert_int_equal(verify(&other, in.log_degree, &in.proof, &ctx, NULL, &err), FRI_ERR_PARAMS);
    inst_free(&in);
}

static void expect(inst *in, fri_status want, const char *needle) {
    zisk_err err = {{0}};
    fri_status st = inst_verify(in, &err);
    if (st != want)
        fail_msg("expected %s, got %s: %s", fri_status_str(want), fri_status_str(st), err.msg);
    if (needle && !strstr(err.msg, needle)) fail_msg("message \"%s\" lacks \"%s\"", err.msg, needle);
}

static void check_tamper(int mode) {
    inst in;
    /* layers of 2^11, 2^8, 2^5; 2 coefficients */
    inst_make(&in, mode ? PI(1, 3, 1, 12, 0) : P(1, 3, 1, 12, 0), 10);
    fri_proof *pr = &in.proof;
    unsigned F = pr->first_committed;
    expect(&in, FRI_OK, NULL);

    /* Each layer root: the betas and query indices move, so the first opening checked (layer
     * 0's, or layer 1's when layer 0 is not committed) fails. */
    char first_layer[16];
    snprintf(first_layer, sizeof first_layer, "layer %u", F);
    for (unsigned i = F; i < pr->n_layers; i++) {
        hash_digest keep = pr->roots[i];
        pr->roots[i].h[i % 4] = gl_add(pr->roots[i].h[i % 4], 1);
        expect(&in, FRI_ERR_MERKLE, first_layer);
        pr->roots[i].h[0] = GL_P;
        expect(&in, FRI_ERR_NONCANONICAL, "root");
        pr->roots[i] = keep;
    }
    expect(&in, FRI_OK, NULL);

    /* Every opened element and every sibling of one query, at every layer. */
    for (size_t q = 0; q < pr->params.n_queries; q += 5)
        for (unsigned i = F; i < pr->n_layers; i++) {
            char where[64];
            snprintf(where, sizeof where, "layer %u", i);
            gl_t *v = pr->values + q * pr->values_per_query + pr->layer_value_off[i];
            for (size_t j = 0; j < ((size_t)3 << pr->layer_log_arity[i]); j++) {
                gl_t keep = v[j];
                v[j] = gl_add(keep, 1);
                expect(&in, FRI_ERR_MERKLE, where);
                v[j] = GL_P + 3;
                expect(&in, FRI_ERR_NONCANONICAL, "opened element");
                v[j] = keep;
            }
            hash_digest *s = pr->siblings + q * pr->siblings_per_query + pr->layer_sibling_off[i];
            for (size_t l = 0; l < pr->layer_log_size[i] - pr->layer_log_arity[i]; l++) {
                gl_t keep = s[l].h[3];
                s[l].h[3] = gl_sub(keep, 1);
                expect(&in, FRI_ERR_MERKLE, where);
                s[l].h[3] = ~(gl_t)0;
                expect(&in, FRI_ERR_NONCANONICAL, "sibling");
                s[l].h[3] = keep;
            }
        }
    expect(&in, FRI_OK, NULL);

    /* Final coefficients: they feed the transcript, so the query indices move. */
    for (size_t c = 0; c < ((size_t)1 << pr->log_final); c++) {
        gl3_t keep = pr->final_poly[c];
        pr->final_poly[c].c[1] = gl_add(keep.c[1], 7);
        expect(&in, FRI_ERR_MERKLE, NULL);
        pr->final_poly[c].c[2] = GL_P;
        expect(&in, FRI_ERR_NONCANONICAL, "final polynomial coefficient");
        pr->final_poly[c] = keep;
    }

    /* Query indices: the verifier derives its own (the in-memory copy is not trusted); claimed
     * values at other indices, and openings swapped between queries, are refused. */
    pr->query_indices[0] ^= 1;
    expect(&in, FRI_OK, NULL);
    cw_ctx shifted = {in.cw, in.n, 1, 0, -1, 0};
    zisk_err err;
    if (mode) {
        /* values at other positions fold to something other than layer 1's value */
        assert_int_equal(verify(&in.p, in.log_degree, pr, &shifted, NULL, &err), FRI_ERR_FOLD);
        assert_non_null(strstr(err.msg, "layer 1 position"));
    } else {
        assert_int_equal(verify(&in.p, in.log_degree, pr, &shifted, NULL, &err), FRI_ERR_INITIAL);
        assert_non_null(strstr(err.msg, "claimed codeword value"));
    }
    cw_ctx failing = {in.cw, in.n, 0, 1, -1, 0};
    assert_int_equal(verify(&in.p, in.log_degree, pr, &failing, NULL, &err), FRI_ERR_INITIAL);
    assert_non_null(strstr(err.msg, "trace opening failed"));
    {
        size_t vpq = pr->values_per_query, spq = pr->siblings_per_query;
        gl_t *tv = malloc(vpq * sizeof(gl_t));
        hash_digest *ts = malloc(spq * sizeof(hash_digest));
        memcpy(tv, pr->values, vpq * sizeof(gl_t));
        memcpy(pr->values, pr->values + vpq, vpq * sizeof(gl_t));
        memcpy(pr->values + vpq, tv, vpq * sizeof(gl_t));
        memcpy(ts, pr->siblings, spq * sizeof(hash_digest));
        memcpy(pr->siblings, pr->siblings + spq, spq * sizeof(hash_digest));
        memcpy(pr->siblings + spq, ts, spq * sizeof(hash_digest));
        expect(&in, FRI_ERR_MERKLE, "query 0");
        memcpy(pr->siblings + spq, pr->siblings, spq * sizeof(hash_digest));
        memcpy(pr->siblings, ts, spq * sizeof(hash_digest));
        memcpy(pr->values + vpq, pr->values, vpq * sizeof(gl_t));
        memcpy(pr->values, tv, vpq * sizeof(gl_t));
        free(tv);
        free(ts);
    }
    expect(&in, FRI_OK, NULL);

    /* Shape: the verifier's parameters rule. */
    fri_params other = in.p;
    other.n_queries++;
    cw_ctx ctx = {in.cw, in.n, 0, 0, -1, 0};
    assert_int_equal(verify(&other, in.log_degree, pr, &ctx, NULL, &err), FRI_ERR_PARAMS);
    assert_int_equal(verify(&in.p, in.log_degree + 1, pr, &ctx, NULL, &err), FRI_ERR_PARAMS);
    other = in.p;
    other.log_arity = 0;
    assert_int_equal(verify(&other, in.log_degree, pr, &ctx, NULL, &err), FRI_ERR_PARAMS);
    pr->n_layers--;
    expect(&in, FRI_ERR_PARAMS, "shape");
    pr->n_layers += 100;
    expect(&in, FRI_ERR_PARAMS, "shape");
    pr->n_layers -= 99;
    pr->layer_log_arity[1]++;
    expect(&in, FRI_ERR_PARAMS, NULL);
    pr->layer_log_arity[1]--;
    expect(&in, FRI_OK, NULL);
    assert_int_equal(fri_verify(&in.p, in.log_degree, NULL, pr, cw_values, &ctx, NULL, &err),
                     FRI_ERR_PARAMS);
    inst_free(&in);
}

static void test_tamper(void **state) {
    (void)state;
    check_tamper(0);
    check_tamper(1);
}

static void test_tamper_with_pow(void **state) {
    (void)state;
    inst in;
    inst_make(&in, P(1, 3, 2, 10, 10), 9);
    fri_proof *pr = &in.proof;
    expect(&in, FRI_OK, NULL);
    for (unsigned i = 0; i < pr->n_layers; i++) {
        hash_digest keep = pr->roots[i];
        pr->roots[i].h[2] = gl_add(keep.h[2], 1);
        expect(&in, FRI_ERR_POW, "proof of work");
        pr->roots[i] = keep;
    }
    gl3_t keep = pr->final_poly[3];
    pr->final_poly[3].c[0] = gl_add(keep.c[0], 1);
    expect(&in, FRI_ERR_POW, NULL);
    pr->final_poly[3] = keep;
    uint64_t nonce = pr->pow_nonce;
    pr->pow_nonce = nonce + 1; /* the prover returned the smallest valid nonce: nonce + 1 ... */
    zisk_err err;
    fri_status st = inst_verify(&in, &err);
    /* ... is valid only with probability 2^-10; then the proof is simply another valid one. */
    assert_true(st == FRI_ERR_POW || st == FRI_OK);
    if (nonce > 0) {
        pr->pow_nonce = nonce - 1; /* smaller than the smallest valid one: invalid */
        expect(&in, FRI_ERR_POW, NULL);
    }
    pr->pow_nonce = GL_P;
    expect(&in, FRI_ERR_NONCANONICAL, "nonce");
    pr->pow_nonce = nonce;
    expect(&in, FRI_OK, NULL);
    inst_free(&in);
}

static void test_decode_rejections(void **state) {
    (void)state;
    inst in;
    inst_make(&in, P(1, 3, 2, 6, 4), 8);
    zisk_err err;
    size_t len = fri_proof_encoded_size(&in.proof);
    uint8_t *buf = malloc(len + 8);
    assert_int_equal(fri_proof_encode(&in.proof, buf, len + 8), len);
    fri_proof dec;

    /* Every truncation, through the decoder and into the verifier only on success. */
    for (size_t l = 0; l < len; l++) {
        uint8_t *cut = malloc(l ? l : 1);
        memcpy(cut, buf, l);
        fri_status st = fri_proof_decode(cut, l, &dec, NULL, &err);
        assert_int_equal(st, FRI_ERR_DECODE);
        fri_proof_free(&dec);
        free(cut);
    }
    assert_int_equal(fri_proof_decode(NULL, 0, &dec, NULL, &err), FRI_ERR_DECODE);
    /* Trailing data: refused alone, accepted (and measured) when embedded. */
    buf[len] = 0xAA;
    assert_int_equal(fri_proof_decode(buf, len + 1, &dec, NULL, &err), FRI_ERR_DECODE);
    fri_proof_free(&dec);
    size_t used = 0;
    assert_int_equal(fri_proof_decode(buf, len + 1, &dec, &used, &err), FRI_OK);
    assert_int_equal(used, len);
    fri_proof_free(&dec);

    /* Header fields. */
    struct {
        size_t off;
        uint32_t val;
        fri_status want;
    } hdr[] = {
        {0, 0x49524659u, FRI_ERR_DECODE}, /* magic */
        {4, FRI_PROOF_VERSION + 1, FRI_ERR_DECODE}, /* version */
        {4, FRI_PROOF_VERSION - 1, FRI_ERR_DECODE}, /* version 1: layer 0 always committed */
        {4, 0, FRI_ERR_DECODE},
        {8, 40, FRI_ERR_PARAMS},          /* log_degree */
        {8, 7, FRI_ERR_DECODE},           /* consistent but another length */
        {12, 0, FRI_ERR_PARAMS},          /* log_blowup */
        {12, 9, FRI_ERR_PARAMS},
        {16, 0, FRI_ERR_PARAMS},          /* log_arity */
        {16, 5, FRI_ERR_PARAMS},
        {20, 17, FRI_ERR_PARAMS},         /* log_final_size */
        {24, 0, FRI_ERR_PARAMS},          /* n_queries */
        {24, 0xFFFFFFFFu, FRI_ERR_PARAMS},
        {24, 5, FRI_ERR_DECODE},
        {28, 41, FRI_ERR_PARAMS},         /* pow bits */
        {32, 2, FRI_ERR_PARAMS},          /* input_committed */
        {32, 1, FRI_ERR_DECODE},          /* the other mode: another length */
    };
    for (size_t h = 0; h < sizeof hdr / sizeof hdr[0]; h++) {
        uint8_t save[4];
        memcpy(save, buf + hdr[h].off, 4);
        for (int b = 0; b < 4; b++) buf[hdr[h].off + b] = (uint8_t)(hdr[h].val >> (8 * b));
        fri_status st = fri_proof_decode(buf, len, &dec, NULL, &err);
        if (st != hdr[h].want)
            fail_msg("header offset %zu value %u: got %s (%s)", hdr[h].off, hdr[h].val,
                     fri_status_str(st), err.msg);
        fri_proof_free(&dec);
        memcpy(buf + hdr[h].off, save, 4);
    }

    /* A non-canonical element anywhere after the header. */
    for (size_t off = FRI_PROOF_HEADER_LEN; off + 8 <= len; off += 8 * 13) {
        uint8_t save[8];
        memcpy(save, buf + off, 8);
        memset(buf + off, 0xFF, 8);
        assert_int_equal(fri_proof_decode(buf, len, &dec, NULL, &err), FRI_ERR_NONCANONICAL);
        assert_non_null(strstr(err.msg, "offset"));
        fri_proof_free(&dec);
        memcpy(buf + off, save, 8);
    }

    /* Garbled bytes: decoding may succeed, verification must then fail. */
    cw_ctx ctx = {in.cw, in.n, 0, 0, -1, 0};
    for (size_t off = 0; off < len; off += (off < 64 ? 1 : 37)) {
        uint8_t save = buf[off];
        buf[off] ^= (uint8_t)(1u << (off % 8));
        fri_status st = fri_proof_decode(buf, len, &dec, NULL, &err);
        if (st == FRI_OK) {
            st = verify(&in.p, in.log_degree, &dec, &ctx, NULL, &err);
            /* Only another valid nonce (grinding accepts several) could leave a valid proof. */
            if (st == FRI_OK) assert_true(dec.pow_nonce != in.proof.pow_nonce);
        }
        fri_proof_free(&dec);
        buf[off] = save;
    }
    assert_int_equal(fri_proof_decode(buf, len, &dec, NULL, &err), FRI_OK);
    assert_int_equal(verify(&in.p, in.log_degree, &dec, &ctx, NULL, &err), FRI_OK);
    fri_proof_free(&dec);
    free(buf);
    inst_free(&in);
}

static void test_deterministic(void **state) {
    (void)state;
    fri_params p = P(1, 3, 3, 40, 8);
    unsigned ld = 13;
    gl3_t *cw = random_codeword(ld + 1, (size_t)1 << ld, NULL);
    uint8_t *enc[2] = {0};
    size_t len[2];
    for (int run = 0; run < 2; run++) {
#ifdef _OPENMP
        omp_set_num_threads(run == 0 ? 1 : 3);
#endif
        transcript t;
        fri_proof proof;
        start_transcript(&t);
        assert_int_equal(fri_prove(&p, ld, cw, &t, &proof), 0);
        len[run] = fri_proof_encoded_size(&proof);
        enc[run] = malloc(len[run]);
        fri_proof_encode(&proof, enc[run], len[run]);
        fri_proof_free(&proof);
    }
    assert_int_equal(len[0], len[1]);
    assert_memory_equal(enc[0], enc[1], len[0]);
    free(enc[0]);
    free(enc[1]);
    free(cw);
}

static void test_params_check(void **state) {
    (void)state;
    zisk_err err;
    fri_params d = fri_params_default();
    assert_int_equal(fri_params_check(&d, 20, &err), 0);
    assert_int_equal(fri_params_check(&d, 31, &err), 0);
    assert_int_equal(fri_params_check(&d, 32, &err), -1);
    assert_int_equal(fri_params_check(NULL, 1, &err), -1);
    fri_params bad = d;
    bad.n_queries = 0;
    assert_int_equal(fri_params_check(&bad, 10, &err), -1);
    assert_non_null(strstr(err.msg, "n_queries"));
    bad = d;
    bad.pow_bits = TRANSCRIPT_MAX_POW_BITS + 1;
    assert_int_equal(fri_params_check(&bad, 10, &err), -1);
    assert_non_null(strstr(err.msg, "pow_bits"));
}

static void test_security(void **state) {
    (void)state;
    fri_params d = fri_params_default();
    assert_true(fri_conjectured_bits(&d) >= 128.0);
    fri_security s;
    fri_security_estimate(&d, 22, 3, 12, &s);
    assert_true(s.query_conjectured >= 128.0);
    assert_true(s.query_conjectured == 120.0 + 12.0);
    assert_true(s.field > 150.0 && s.field < 192.0);
    assert_true(s.proven < s.conjectured);
    /* ZisK's set: blowup 2, 229 queries, 16 bits of grinding, folding by 8. In the Johnson
     * regime a query is worth at most log_blowup / 2 bits (229 / 2 + 16 = 130.5 as m grows),
     * and the commit-phase term of BCIKS20 costs some more: ~116 bits at degree 2^22. */
    fri_params zisk = P(1, 3, 5, 229, 16);
    fri_security_estimate(&zisk, 22, 3, 12, &s);
    assert_true(s.conjectured >= 128.0);
    assert_true(s.query_proven > 110.0 && s.query_proven < 130.5);
    assert_true(s.proven > 110.0 && s.proven < 128.0);
    /* Fewer queries with a larger blowup. */
    fri_params b4 = P(2, 3, 5, 56, 16);
    assert_true(fri_conjectured_bits(&b4) >= 128.0);
    b4.n_queries = 55;
    assert_true(fri_conjectured_bits(&b4) < 128.0);
    /* Invalid parameters give 0. */
    fri_params bad = P(0, 3, 5, 10, 0);
    assert_true(fri_conjectured_bits(&bad) == 0.0);
    /* Print the table of docs/SECURITY.md (checked by eye when the formulas change). */
    fri_params table[] = {d, P(1, 3, 5, 116, 16), P(1, 3, 5, 112, 16), zisk, P(2, 3, 5, 56, 16), P(3, 3, 5, 38, 16),
                          P(4, 3, 5, 28, 16), P(1, 3, 5, 128, 0)};
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++) {
        fri_security_estimate(&table[i], 22, 3, 12, &s);
        print_message("blowup 2^%u queries %3u pow %2u: queries %.1f, field %.1f, conjectured %.1f, "
                      "proven(queries %.1f, commit %.1f) %.1f\n",
                      table[i].log_blowup, table[i].n_queries, table[i].pow_bits,
                      s.query_conjectured, s.field, s.conjectured, s.query_proven,
                      s.commit_proven, s.proven);
    }
}

static int setup(void **state) {
    (void)state;
    plan = ntt_plan_create(PLAN_LOG);
    return 0;
}
static int teardown(void **state) {
    (void)state;
    ntt_plan_free(plan);
    return 0;
}

/* `test_fri --write-corpus DIR`: writes the fuzz seeds of fuzz_fri.c: an honest proof for its
 * fixed parameters and polynomial, and damaged copies (truncated, trailing byte, other
 * version, a non-canonical element, a tampered opening). */
static int write_corpus(const char *dir) {
    fri_params p = P(1, 2, 1, 6, 2);
    unsigned ld = 6, log_n = ld + 1;
    size_t n = (size_t)1 << log_n;
    gl3_t *cw = malloc(n * sizeof(gl3_t));
    gl_t w = gl_root_of_unity(log_n);
    for (size_t k = 0; k < n; k++) {
        gl_t x = gl_mul(GL_GENERATOR, gl_pow(w, k));
        gl3_t acc = gl3_zero();
        for (size_t i = (size_t)1 << ld; i-- > 0;)
            acc = gl3_add(gl3_mul_base(acc, x), (gl3_t){{i + 1, 2 * i, 3}});
        cw[k] = acc;
    }
    transcript t;
    transcript_init(&t);
    fri_proof proof;
    if (fri_prove(&p, ld, cw, &t, &proof) != 0) return 1;
    size_t len = fri_proof_encoded_size(&proof);
    uint8_t *buf = malloc(len + 1);
    fri_proof_encode(&proof, buf, len);
    char path[1024];
    zisk_err err;
    int rc = 0;
#define SEED(name, data, size)                                                   \
    do {                                                                         \
        snprintf(path, sizeof path, "%s/%s", dir, name);                         \
        if (zisk_write_file(path, data, size, &err) != 0) {                      \
            fprintf(stderr, "%s\n", err.msg);                                    \
            rc = 1;                                                              \
        }                                                                        \
    } while (0)
    SEED("seed_honest", buf, len);
    SEED("seed_truncated", buf, len - 5);
    buf[len] = 0;
    SEED("seed_trailing", buf, len + 1);
    buf[4] ^= 3;
    SEED("seed_version", buf, len);
    buf[4] ^= 3;
    uint8_t keep = buf[len - 1];
    buf[len - 1] = 0xFF;
    memset(buf + len - 8, 0xFF, 8);
    SEED("seed_noncanonical", buf, len);
    buf[len - 1] = keep;
    fri_proof_encode(&proof, buf, len);
    buf[FRI_PROOF_HEADER_LEN + 32 * proof.n_layers + 24 * 2 + 8 + 3] ^= 1; /* first opened value of query 0 */
    SEED("seed_tampered_value", buf, len);
    free(buf);
    fri_proof_free(&proof);
    /* The same polynomial without a layer-0 commitment (fuzz_fri verifies it under its own
     * header's parameters). */
    p.input_committed = 1;
    transcript_init(&t);
    if (fri_prove(&p, ld, cw, &t, &proof) != 0) return 1;
    len = fri_proof_encoded_size(&proof);
    buf = malloc(len);
    fri_proof_encode(&proof, buf, len);
    SEED("seed_honest_input_committed", buf, len);
#undef SEED
    free(buf);
    fri_proof_free(&proof);
    free(cw);
    return rc;
}

int main(int argc, char **argv) {
    if (argc == 3 && strcmp(argv[1], "--write-corpus") == 0) return write_corpus(argv[2]);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fold_leaf_matches_decomposition),
        cmocka_unit_test(test_layout),
        cmocka_unit_test(test_honest_accepted),
        cmocka_unit_test(test_not_low_degree_rejected),
        cmocka_unit_test(test_wrong_fold_rejected),
        cmocka_unit_test(test_input_committed_rejections),
        cmocka_unit_test(test_tamper),
        cmocka_unit_test(test_tamper_with_pow),
        cmocka_unit_test(test_decode_rejections),
        cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_params_check),
        cmocka_unit_test(test_security),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
