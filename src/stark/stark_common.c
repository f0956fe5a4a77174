/* stark_common.c: parameters, VK digest, the shared transcript order, challenges and the
 * out-of-domain helpers used by both the prover and the verifier. */
#include <string.h>

#include "ntt.h"
#include "stark_internal.h"

const char *stark_tree_str(stark_tree t) {
    switch (t) {
    case STARK_TREE_FIXED: return "fixed";
    case STARK_TREE_STAGE1: return "stage1";
    case STARK_TREE_STAGE2: return "stage2";
    case STARK_TREE_QUOTIENT: return "quotient";
    }
    return "?";
}

const char *stark_status_str(stark_status s) {
    switch (s) {
    case STARK_OK: return "ok";
    case STARK_ERR_DECODE: return "decode";
    case STARK_ERR_NONCANONICAL: return "noncanonical";
    case STARK_ERR_VK: return "vk";
    case STARK_ERR_SHAPE: return "shape";
    case STARK_ERR_PUBLICS: return "publics";
    case STARK_ERR_CHALLENGE: return "challenge";
    case STARK_ERR_OOD: return "ood";
    case STARK_ERR_MERKLE: return "merkle";
    case STARK_ERR_FRI: return "fri";
    case STARK_ERR_BUS: return "bus";
    }
    return "?";
}

stark_params stark_params_default(void) {
    stark_params p;
    p.fri = fri_params_default();
    p.fri.input_committed = 1; /* the trees bind the DEEP codeword (docs/STARK.md) */
    return p;
}

int stark_params_check(const stark_params *p, const air *a, unsigned log_n, zisk_err *err) {
    if (!p || !a) return zisk_err_set(err, "stark: missing parameters or AIR");
    if (log_n < 1 || log_n > STARK_MAX_LOG_N)
        return zisk_err_set(err, "stark: air '%s': log_n %u outside 1..%u", air_name(a), log_n,
                            STARK_MAX_LOG_N);
    if (fri_params_check(&p->fri, log_n, err) != 0) return -1;
    if (log_n + p->fri.log_blowup > NTT_LOG_MAX)
        return zisk_err_set(err, "stark: air '%s': LDE of 2^%u rows exceeds the NTT limit 2^%u",
                            air_name(a), log_n + p->fri.log_blowup, NTT_LOG_MAX);
    if (log_n + p->fri.log_blowup < STARK_LOG_LEAF_ROWS)
        return zisk_err_set(err, "stark: air '%s': LDE of 2^%u rows is smaller than a Merkle leaf "
                            "(%u rows)", air_name(a), log_n + p->fri.log_blowup, STARK_LEAF_ROWS);
    /* The verifier reads FRI's uncommitted first coset from one leaf of each tree. */
    if (p->fri.input_committed && p->fri.log_arity > STARK_LOG_LEAF_ROWS)
        return zisk_err_set(err, "stark: FRI folding by %u without committing its input needs "
                            "a first coset within one %u-row leaf (log_arity <= %u)",
                            1u << p->fri.log_arity, STARK_LEAF_ROWS, STARK_LOG_LEAF_ROWS);
    unsigned chunks = air_quotient_chunks(a);
    if (((size_t)1 << p->fri.log_blowup) < chunks)
        return zisk_err_set(err,
                            "stark: air '%s' has degree %u: its quotient has %u chunks, which "
                            "needs a blowup of at least %u (log_blowup %u gives %u)",
                            air_name(a), air_degree(a), chunks, chunks, p->fri.log_blowup,
                            1u << p->fri.log_blowup);
    uint32_t cols[STARK_N_TREES];
    stark_tree_cols(a, cols);
    for (int t = 0; t < STARK_N_TREES; t++)
        if (cols[t] > STARK_MAX_COLS)
            return zisk_err_set(err, "stark: air '%s': %u %s columns exceed the limit %u",
                                air_name(a), cols[t], stark_tree_str((stark_tree)t),
                                STARK_MAX_COLS);
    if (air_n_publics(a) > STARK_MAX_PUBLICS)
        return zisk_err_set(err, "stark: air '%s': too many public values (%u)", air_name(a),
                            air_n_publics(a));
    return 0;
}

void stark_tree_cols(const air *a, uint32_t n_cols[STARK_N_TREES]) {
    n_cols[STARK_TREE_FIXED] = air_n_cols(a, AIR_FIXED);
    n_cols[STARK_TREE_STAGE1] = air_n_cols(a, AIR_STAGE1);
    n_cols[STARK_TREE_STAGE2] = air_n_cols(a, AIR_STAGE2);
    n_cols[STARK_TREE_QUOTIENT] = 3 * air_quotient_chunks(a);
}

static void absorb_str(transcript *t, const char *s) { transcript_absorb_bytes(t, s, strlen(s)); }

/* The VK digest binds what a verifier must agree on with the prover: the parameters, the trace
 * size, the fixed commitment, and the AIR's shape (names, counts, kinds, degrees of every
 * column, public value and constraint). The constraint expressions themselves come from the
 * verifier's own air object; the names and degrees make an accidental mix-up of two AIRs (or of
 * two versions of one) a VK mismatch rather than a confusing OOD failure. */
void stark_vk_digest(const air *a, const stark_params *p, unsigned log_n,
                     const uint32_t n_cols[STARK_N_TREES], const hash_digest *fixed_root,
                     hash_digest *out) {
    transcript t;
    transcript_init(&t);
    absorb_str(&t, STARK_LABEL_VK);
    absorb_str(&t, air_name(a));
    transcript_absorb(&t, air_max_degree(a));
    transcript_absorb(&t, air_degree(a));
    transcript_absorb(&t, log_n);
    transcript_absorb(&t, p->fri.log_blowup);
    transcript_absorb(&t, p->fri.log_arity);
    transcript_absorb(&t, p->fri.log_final_size);
    transcript_absorb(&t, p->fri.n_queries);
    transcript_absorb(&t, p->fri.pow_bits);
    transcript_absorb(&t, p->fri.input_committed);
    for (int k = 0; k < STARK_N_TREES; k++) transcript_absorb(&t, n_cols[k]);
    static const air_space spaces[AIR_N_SPACES] = {AIR_FIXED, AIR_STAGE1, AIR_STAGE2};
    for (int s = 0; s < AIR_N_SPACES; s++)
        for (uint32_t c = 0; c < air_n_cols(a, spaces[s]); c++)
            absorb_str(&t, air_col_name(a, spaces[s], c));
    transcript_absorb(&t, air_n_publics(a));
    for (uint32_t i = 0; i < air_n_publics(a); i++) absorb_str(&t, air_public_name(a, i));
    transcript_absorb(&t, air_n_constraints(a));
    for (uint32_t k = 0; k < air_n_constraints(a); k++) {
        transcript_absorb(&t, (gl_t)air_constraint_kind(a, k));
        transcript_absorb(&t, air_constraint_degree(a, k));
        absorb_str(&t, air_constraint_name(a, k));
    }
    transcript_absorb(&t, air_n_interactions(a));
    transcript_absorb(&t, air_n_bus_groups(a));
    transcript_absorb_digest(&t, fixed_root);
    for (int i = 0; i < HASH_DIGEST_LEN; i++) out->h[i] = transcript_squeeze(&t);
}

int stark_vk_init(stark_vk *vk, const air *a, const stark_params *p, unsigned log_n,
                  const hash_digest *fixed_root, zisk_err *err) {
    if (!vk || !fixed_root) return zisk_err_set(err, "stark: missing vk or fixed root");
    memset(vk, 0, sizeof *vk);
    if (stark_params_check(p, a, log_n, err) != 0) return -1;
    for (int i = 0; i < HASH_DIGEST_LEN; i++)
        if (!gl_is_canonical(fixed_root->h[i]))
            return zisk_err_set(err, "stark: fixed root element %d is not canonical", i);
    vk->air = a;
    vk->params = *p;
    vk->log_n = log_n;
    stark_tree_cols(a, vk->n_cols);
    vk->fixed_root = *fixed_root;
    stark_vk_digest(a, p, log_n, vk->n_cols, fixed_root, &vk->digest);
    return 0;
}

int stark_derive_challenges(const stark_commitment *c, size_t n, stark_challenges *out,
                            zisk_err *err) {
    if (!out || (n && !c)) return zisk_err_set(err, "stark: missing commitments");
    if (n > STARK_MAX_INSTANCES)
        return zisk_err_set(err, "stark: %zu instances exceed the limit %u", n,
                            STARK_MAX_INSTANCES);
    for (size_t k = 0; k < n; k++) {
        if (c[k].n_publics > STARK_MAX_PUBLICS || (c[k].n_publics && !c[k].publics))
            return zisk_err_set(err, "stark: instance %zu: bad public values (%u)", k,
                                c[k].n_publics);
        for (uint32_t i = 0; i < c[k].n_publics; i++)
            if (!gl_is_canonical(c[k].publics[i]))
                return zisk_err_set(err, "stark: instance %zu: public value %u is not canonical",
                                    k, i);
        for (int i = 0; i < HASH_DIGEST_LEN; i++)
            if (!gl_is_canonical(c[k].vk_digest.h[i]) || !gl_is_canonical(c[k].stage1_root.h[i]))
                return zisk_err_set(err, "stark: instance %zu: digest not canonical", k);
    }
    transcript t;
    transcript_init(&t);
    absorb_str(&t, STARK_LABEL_JOB);
    transcript_absorb(&t, (gl_t)n);
    for (size_t k = 0; k < n; k++) {
        transcript_absorb_digest(&t, &c[k].vk_digest);
        transcript_absorb(&t, c[k].n_publics);
        transcript_absorb_many(&t, c[k].publics, c[k].n_publics);
        transcript_absorb_digest(&t, &c[k].stage1_root);
    }
    for (int i = 0; i < AIR_N_CHALLENGES; i++) out->ch[i] = transcript_squeeze_ext(&t);
    for (int i = 0; i < HASH_DIGEST_LEN; i++) out->job_digest.h[i] = transcript_squeeze(&t);
    return 0;
}

void stark_transcript_begin(transcript *t, const stark_challenges *ch,
                            const hash_digest *vk_digest, const gl_t *publics,
                            uint32_t n_publics, const hash_digest *stage1_root) {
    transcript_init(t);
    absorb_str(t, STARK_LABEL_INSTANCE);
    /* The job digest binds every instance's commitment and the challenges derived from them;
     * absorbing the challenges too keeps a standalone verifier's inputs explicit. */
    transcript_absorb_digest(t, &ch->job_digest);
    for (int i = 0; i < AIR_N_CHALLENGES; i++) transcript_absorb_ext(t, ch->ch[i]);
    transcript_absorb_digest(t, vk_digest);
    transcript_absorb(t, n_publics);
    transcript_absorb_many(t, publics, n_publics);
    transcript_absorb_digest(t, stage1_root);
}

gl3_t stark_transcript_lambda(transcript *t, const hash_digest *stage2_root, gl3_t bus_sum) {
    transcript_absorb_digest(t, stage2_root);
    transcript_absorb_ext(t, bus_sum);
    return transcript_squeeze_ext(t);
}

gl3_t stark_transcript_z(transcript *t, const hash_digest *quotient_root, unsigned log_n,
                         unsigned log_lde) {
    transcript_absorb_digest(t, quotient_root);
    /* z must avoid H_n (the selectors divide by z^n - 1, z - 1, z - w^-1) and the LDE coset
     * g*H_N (DEEP divides by x - z and x - z*w for every LDE point x; z*w is in g*H_N exactly
     * when z is, since w^N = 1). Both happen with probability ~2^-150; squeezing again keeps
     * the protocol total without a failure mode. */
    gl3_t gN = gl3_from_base(gl_pow(GL_GENERATOR, (uint64_t)1 << log_lde));
    for (;;) {
        gl3_t z = transcript_squeeze_ext(t);
        gl3_t zn = z;
        for (unsigned i = 0; i < log_n; i++) zn = gl3_sqr(zn);
        gl3_t zN = zn;
        for (unsigned i = log_n; i < log_lde; i++) zN = gl3_sqr(zN);
        if (!gl3_eq(zn, gl3_one()) && !gl3_eq(zN, gN)) return z;
    }
}

gl3_t stark_transcript_gamma(transcript *t, const gl3_t *ood, size_t n_ood) {
    for (size_t i = 0; i < n_ood; i++) transcript_absorb_ext(t, ood[i]);
    return transcript_squeeze_ext(t);
}

void stark_selectors_at(gl3_t zeta, unsigned log_n, gl3_t sel[AIR_N_KINDS]) {
    gl3_t zn = zeta;
    for (unsigned i = 0; i < log_n; i++) zn = gl3_sqr(zn);
    gl3_t zinv = gl3_inv(gl3_sub(zn, gl3_one()));
    gl_t w_inv = gl_inv(gl_root_of_unity(log_n));
    gl3_t zm = gl3_sub(zeta, gl3_from_base(w_inv));
    sel[AIR_EVERY_ROW] = zinv;
    sel[AIR_TRANSITION] = gl3_mul(zm, zinv);
    sel[AIR_FIRST_ROW] = gl3_inv(gl3_sub(zeta, gl3_one()));
    sel[AIR_LAST_ROW] = gl3_inv(zm);
}

gl3_t stark_quotient_at(const gl3_t *v, uint32_t n_chunks, gl3_t z, unsigned log_n) {
    gl3_t zn = z;
    for (unsigned i = 0; i < log_n; i++) zn = gl3_sqr(zn);
    gl3_t acc = gl3_zero();
    for (uint32_t j = n_chunks; j-- > 0;) {
        gl3_t qj = stark_gl3_from_components(v[3 * j], v[3 * j + 1], v[3 * j + 2]);
        acc = gl3_add(gl3_mul(acc, zn), qj);
    }
    return acc;
}

void stark_gl3_batch_inv(gl3_t *out, const gl3_t *a, size_t n, gl3_t *scratch) {
    /* Montgomery's trick: prefix products (skipping zeros), one inversion, then back. */
    gl3_t acc = gl3_one();
    for (size_t i = 0; i < n; i++) {
        scratch[i] = acc;
        if (!gl3_is_zero(a[i])) acc = gl3_mul(acc, a[i]);
    }
    gl3_t inv = gl3_inv(acc);
    for (size_t i = n; i-- > 0;) {
        if (gl3_is_zero(a[i])) {
            out[i] = gl3_zero();
            continue;
        }
        gl3_t ai = a[i];
        out[i] = gl3_mul(inv, scratch[i]);
        inv = gl3_mul(inv, ai);
    }
}
