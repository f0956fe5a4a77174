/*
 * fuzz_fri.c: libFuzzer target for FRI proof decoding and verification (module src/fri).
 * The input is an encoded FRI proof. Whatever decodes is verified twice: under the fixed
 * parameters the seeds were made with (log_degree 6, blowup 2, folding by 4, 2 final
 * coefficients, 6 queries, 2 grinding bits, layer 0 committed), and under the parameters in its
 * own header (either mode), with the claimed codeword values taken from a fixed polynomial. Nothing may crash, leak or read
 * out of bounds. The seeds (tests/fri/corpus, written by `test_fri --write-corpus DIR`) include
 * an honest proof for the fixed parameters, so mutations start from deep in the verifier.
 */
#include <stdint.h>
#include <stdlib.h>

#include "fri.h"

#define SEED_LOG_DEGREE 6
static const fri_params seed_params = {.log_blowup = 1, .log_arity = 2, .log_final_size = 1,
                                       .n_queries = 6, .pow_bits = 2};

/* The claimed codeword: f(X) = sum_{i < 2^SEED_LOG_DEGREE} c_i X^i with c_i = (i + 1, 2i, 3)
 * (test_fri.c's seed writer uses the same polynomial), evaluated at g * w_N^index. */
typedef struct poly_ctx {
    unsigned log_n;
} poly_ctx;

static int poly_values(void *vctx, const uint64_t *idx, size_t n, unsigned log_coset, gl3_t *out,
                       zisk_err *err) {
    const poly_ctx *c = vctx;
    gl_t w = gl_root_of_unity(c->log_n);
    uint64_t M = (uint64_t)1 << (c->log_n - log_coset);
    for (size_t k = 0; k < n; k++)
        for (uint64_t j = 0; j < ((uint64_t)1 << log_coset); j++) {
            gl_t x = gl_mul(GL_GENERATOR, gl_pow(w, (idx[k] & (M - 1)) + j * M));
            gl3_t acc = gl3_zero();
            for (size_t i = (size_t)1 << SEED_LOG_DEGREE; i-- > 0;)
                acc = gl3_add(gl3_mul_base(acc, x), (gl3_t){{i + 1, 2 * i, 3}});
            out[(k << log_coset) + j] = acc;
        }
    (void)err;
    return 0;
}

static void verify_with(const fri_params *p, unsigned log_degree, const fri_proof *proof) {
    transcript t;
    transcript_init(&t);
    poly_ctx ctx = {log_degree + p->log_blowup};
    uint64_t *idx = malloc(sizeof(uint64_t) * (p->n_queries ? p->n_queries : 1));
    zisk_err err;
    (void)fri_verify(p, log_degree, &t, proof, poly_values, &ctx, idx, &err);
    free(idx);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    fri_proof proof;
    zisk_err err;
    if (fri_proof_decode(data, size, &proof, NULL, &err) == FRI_OK) {
        verify_with(&seed_params, SEED_LOG_DEGREE, &proof);
        /* Its own header's parameters reach every shape the decoder accepts; keep the
         * verifier's work bounded (large shapes are all about the same code). */
        if (proof.log_degree <= 16) verify_with(&proof.params, proof.log_degree, &proof);
    }
    fri_proof_free(&proof);
    return 0;
}
