/* stark_fixtures.c: see stark_fixtures.h. */
#include "stark_fixtures.h"

#include <stdlib.h>
#include <string.h>

stark_params fx_params(void) {
    stark_params p;
    p.fri = (fri_params){.log_blowup = 1, .log_arity = 2, .log_final_size = 1, .n_queries = 6,
                         .pow_bits = 2, .input_committed = 1};
    return p;
}

static stark_pk *must_setup(const air *a, unsigned log_n, const gl_t *fixed) {
    stark_params p = fx_params();
    zisk_err err;
    stark_pk *pk = stark_setup(a, &p, log_n, fixed, &err);
    if (!pk) zisk_panic(__FILE__, __LINE__, "%s", err.msg);
    return pk;
}

void fx_fib_init(fx_fib *f) {
    f->a = air_ex_fib();
    f->pk = must_setup(f->a, FX_FIB_LOG_N, NULL);
    size_t n = (size_t)1 << FX_FIB_LOG_N;
    f->trace = zisk_xmalloc(2 * n * sizeof(gl_t));
    f->publics[AIR_EX_FIB_A0] = 1;
    f->publics[AIR_EX_FIB_A1] = 1;
    f->publics[AIR_EX_FIB_RESULT] = air_ex_fib_trace(n, 1, 1, f->trace);
}

void fx_fib_free(fx_fib *f) {
    stark_pk_free(f->pk);
    air_free(f->a);
    free(f->trace);
}

void fx_lookup_init(fx_lookup *l, uint64_t extra_mult) {
    size_t tn = (size_t)1 << AIR_EX_LOG_TABLE, n = (size_t)1 << FX_MAIN_LOG_N;
    l->main = air_ex_lookup_main();
    l->table = air_ex_lookup_table();
    gl_t *fixed = zisk_xmalloc(2 * tn * sizeof(gl_t));
    air_ex_lookup_table_fixed(fixed);
    l->pk_main = must_setup(l->main, FX_MAIN_LOG_N, NULL);
    l->pk_table = must_setup(l->table, AIR_EX_LOG_TABLE, fixed);
    free(fixed);
    l->main_trace = zisk_xmalloc((1 + 2 * AIR_EX_MAIN_LOOKUPS) * n * sizeof(gl_t));
    l->mult = zisk_xcalloc(tn, sizeof(gl_t));
    air_ex_lookup_main_trace(n, 42, l->main_trace, l->mult);
    l->mult[5] = gl_add(l->mult[5], extra_mult);
}

void fx_lookup_free(fx_lookup *l) {
    stark_pk_free(l->pk_main);
    stark_pk_free(l->pk_table);
    air_free(l->main);
    air_free(l->table);
    free(l->main_trace);
    free(l->mult);
}

int fx_prove(const stark_pk *const *pks, const gl_t *const *traces, const gl_t *const *publics,
             size_t n, stark_job_proof *job) {
    zisk_err err;
    int rc = stark_prove_job(pks, traces, publics, n, job, &err);
    if (rc < 0) zisk_panic(__FILE__, __LINE__, "%s", err.msg);
    return rc;
}

uint8_t *fx_encode_proof(const stark_proof *p, size_t *len) {
    *len = stark_proof_encoded_size(p);
    uint8_t *b = zisk_xmalloc(*len);
    if (stark_proof_encode(p, b, *len) != *len) zisk_panic(__FILE__, __LINE__, "encode");
    return b;
}

uint8_t *fx_encode_job(const stark_job_proof *j, size_t *len) {
    *len = stark_job_proof_encoded_size(j);
    uint8_t *b = zisk_xmalloc(*len);
    if (stark_job_proof_encode(j, b, *len) != *len) zisk_panic(__FILE__, __LINE__, "encode");
    return b;
}
