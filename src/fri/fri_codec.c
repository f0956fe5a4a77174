/*
 * fri_codec.c: the byte encoding of a FRI proof (docs/PROOF_SYSTEM_CONVENTIONS.md, "FRI proof
 * encoding"). Little-endian throughout:
 *
 *   "ZFRI"  u32 version  u32 log_degree  u32 log_blowup  u32 log_arity  u32 log_final_size
 *   u32 n_queries  u32 pow_bits  u32 input_committed               (36-byte header)
 *   a root per committed layer (4 x u64 each): layers first_committed .. n_layers - 1
 *   2^log_final final coefficients (3 x u64 each: c0, c1, c2)
 *   u64 pow nonce
 *   for each query, for each committed layer: 3 * 2^k_i u64 leaf values, then n_i - k_i
 *   siblings (4 x u64)
 *
 * Everything after the header has a length fixed by the parameters, so the decoder checks the
 * parameters, computes the exact length and compares it with the buffer before it allocates.
 * The query indices are not encoded: the verifier derives them from the transcript.
 */
#include <string.h>

#include "fri_internal.h"

static const uint8_t FRI_MAGIC[4] = {'Z', 'F', 'R', 'I'};
#define HEADER_LEN FRI_PROOF_HEADER_LEN

static void put_u32(uint8_t *p, uint32_t v) {
    for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i));
}
static void put_u64(uint8_t *p, uint64_t v) {
    for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> (8 * i));
}
static uint32_t get_u32(const uint8_t *p) {
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) v |= (uint32_t)p[i] << (8 * i);
    return v;
}
static uint64_t get_u64(const uint8_t *p) {
    uint64_t v = 0;
    for (int i = 0; i < 8; i++) v |= (uint64_t)p[i] << (8 * i);
    return v;
}

/* Length of the encoding for a shape (fri_layout's fields). Every factor is bounded by the
 * parameter limits (at most ~2^36 bytes), so no overflow on 64-bit size_t. */
static size_t encoded_size(const fri_proof *p) {
    size_t per_query = 8 * p->values_per_query + 32 * p->siblings_per_query;
    return HEADER_LEN + 32 * (size_t)(p->n_layers - p->first_committed) + 24 * ((size_t)1 << p->log_final) + 8 +
           (size_t)p->params.n_queries * per_query;
}

size_t fri_proof_encoded_size(const fri_proof *proof) { return encoded_size(proof); }

size_t fri_proof_encode(const fri_proof *p, uint8_t *buf, size_t cap) {
    size_t need = encoded_size(p);
    if (buf == NULL || cap < need) return 0;
    uint8_t *w = buf;
    memcpy(w, FRI_MAGIC, 4);
    put_u32(w + 4, FRI_PROOF_VERSION);
    put_u32(w + 8, p->log_degree);
    put_u32(w + 12, p->params.log_blowup);
    put_u32(w + 16, p->params.log_arity);
    put_u32(w + 20, p->params.log_final_size);
    put_u32(w + 24, p->params.n_queries);
    put_u32(w + 28, p->params.pow_bits);
    put_u32(w + 32, p->params.input_committed);
    w += HEADER_LEN;
    for (unsigned i = p->first_committed; i < p->n_layers; i++)
        for (int h = 0; h < HASH_DIGEST_LEN; h++, w += 8) put_u64(w, p->roots[i].h[h]);
    for (size_t i = 0; i < ((size_t)1 << p->log_final); i++)
        for (int c = 0; c < 3; c++, w += 8) put_u64(w, p->final_poly[i].c[c]);
    put_u64(w, p->pow_nonce);
    w += 8;
    for (size_t q = 0; q < p->params.n_queries; q++)
        for (unsigned i = p->first_committed; i < p->n_layers; i++) {
            size_t nv = (size_t)3 << p->layer_log_arity[i];
            size_t ns = p->layer_log_size[i] - p->layer_log_arity[i];
            const gl_t *v = p->values + q * p->values_per_query + p->layer_value_off[i];
            const hash_digest *s = p->siblings + q * p->siblings_per_query + p->layer_sibling_off[i];
            for (size_t j = 0; j < nv; j++, w += 8) put_u64(w, v[j]);
            for (size_t l = 0; l < ns; l++)
                for (int h = 0; h < HASH_DIGEST_LEN; h++, w += 8) put_u64(w, s[l].h[h]);
        }
    ZISK_ASSERT((size_t)(w - buf) == need);
    return need;
}

/* Reads one canonical element at *off (the caller checked the total length). */
static int read_elem(const uint8_t *buf, size_t *off, gl_t *out) {
    uint64_t v = get_u64(buf + *off);
    if (!gl_is_canonical(v)) return -1;
    *out = v;
    *off += 8;
    return 0;
}

fri_status fri_proof_decode(const uint8_t *buf, size_t len, fri_proof *proof, size_t *consumed,
                            zisk_err *err) {
    if (proof == NULL) {
        zisk_err_set(err, "fri proof: no output");
        return FRI_ERR_DECODE;
    }
    memset(proof, 0, sizeof *proof);
    if (buf == NULL || len < HEADER_LEN) {
        zisk_err_set(err, "fri proof: %zu bytes, shorter than the %d-byte header", buf ? len : 0,
                     HEADER_LEN);
        return FRI_ERR_DECODE;
    }
    if (memcmp(buf, FRI_MAGIC, 4) != 0) {
        zisk_err_set(err, "fri proof: bad magic at offset 0 (expected \"ZFRI\")");
        return FRI_ERR_DECODE;
    }
    uint32_t version = get_u32(buf + 4);
    if (version != FRI_PROOF_VERSION) {
        zisk_err_set(err, "fri proof: version %u at offset 4, only version %d is supported", version,
                     FRI_PROOF_VERSION);
        return FRI_ERR_DECODE;
    }
    uint32_t log_degree = get_u32(buf + 8);
    fri_params params = {.log_blowup = get_u32(buf + 12), .log_arity = get_u32(buf + 16),
                         .log_final_size = get_u32(buf + 20), .n_queries = get_u32(buf + 24),
                         .pow_bits = get_u32(buf + 28), .input_committed = get_u32(buf + 32)};
    zisk_err e;
    if (fri_params_check(&params, log_degree, &e) != 0) {
        zisk_err_set(err, "fri proof header (offsets 8..35): %s", e.msg);
        return FRI_ERR_PARAMS;
    }
    fri_proof shape;
    memset(&shape, 0, sizeof shape);
    fri_layout(&shape, &params, log_degree);
    size_t need = encoded_size(&shape);
    if (len < need || (consumed == NULL && len != need)) {
        zisk_err_set(err, "fri proof: %zu bytes, the parameters in its header imply exactly %zu",
                     len, need);
        return FRI_ERR_DECODE;
    }
    *proof = shape;
    fri_alloc_arrays(proof);

    size_t off = HEADER_LEN;
    for (unsigned i = proof->first_committed; i < proof->n_layers; i++)
        for (int h = 0; h < HASH_DIGEST_LEN; h++)
            if (read_elem(buf, &off, &proof->roots[i].h[h]) != 0) {
                zisk_err_set(err, "fri proof: layer %u root element %d at offset %zu is not canonical", i, h, off);
                return FRI_ERR_NONCANONICAL;
            }
    for (size_t i = 0; i < ((size_t)1 << proof->log_final); i++)
        for (int c = 0; c < 3; c++)
            if (read_elem(buf, &off, &proof->final_poly[i].c[c]) != 0) {
                zisk_err_set(err, "fri proof: final coefficient %zu (c%d) at offset %zu is not canonical", i, c, off);
                return FRI_ERR_NONCANONICAL;
            }
    if (read_elem(buf, &off, &proof->pow_nonce) != 0) {
        zisk_err_set(err, "fri proof: proof-of-work nonce at offset %zu is not canonical", off);
        return FRI_ERR_NONCANONICAL;
    }
    for (size_t q = 0; q < params.n_queries; q++)
        for (unsigned i = proof->first_committed; i < proof->n_layers; i++) {
            size_t nv = (size_t)3 << proof->layer_log_arity[i];
            size_t ns = proof->layer_log_size[i] - proof->layer_log_arity[i];
            gl_t *v = proof->values + q * proof->values_per_query + proof->layer_value_off[i];
            hash_digest *s = proof->siblings + q * proof->siblings_per_query + proof->layer_sibling_off[i];
            for (size_t j = 0; j < nv; j++)
                if (read_elem(buf, &off, &v[j]) != 0) {
                    zisk_err_set(err, "fri proof: query %zu, layer %u, value %zu at offset %zu is not canonical", q, i, j, off);
                    return FRI_ERR_NONCANONICAL;
                }
            for (size_t l = 0; l < ns; l++)
                for (int h = 0; h < HASH_DIGEST_LEN; h++)
                    if (read_elem(buf, &off, &s[l].h[h]) != 0) {
                        zisk_err_set(err, "fri proof: query %zu, layer %u, sibling %zu at offset %zu is not canonical", q, i, l, off);
                        return FRI_ERR_NONCANONICAL;
                    }
        }
    ZISK_ASSERT(off == need);
    if (consumed) *consumed = need;
    return FRI_OK;
}
