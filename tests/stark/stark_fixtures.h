/*
 * stark_fixtures.h: the example jobs the STARK tests and the fuzz target share (built on the
 * AIRs of tests/air/air_examples.h) with small, fast parameters: blowup 2, folding by 4, two
 * final coefficients, 6 queries, 2 grinding bits (test-only: far from 128 bits), FRI's input
 * not committed (input_committed, as stark_params_default).
 * Every function allocates what it returns; the caller frees with the matching *_free.
 */
#ifndef ZISK_TESTS_STARK_FIXTURES_H
#define ZISK_TESTS_STARK_FIXTURES_H

#include "air_examples.h"
#include "stark.h"

/* Sizes of the example instances. */
#define FX_FIB_LOG_N 5
#define FX_MAIN_LOG_N 6
#define FX_PERM_LOG_N 4

stark_params fx_params(void);

/* Fibonacci: one AIR, its pk (no fixed columns), a trace from (a0, a1) = (1, 1). */
typedef struct fx_fib {
    air *a;
    stark_pk *pk;
    gl_t *trace;
    gl_t publics[3];
} fx_fib;
void fx_fib_init(fx_fib *f);
void fx_fib_free(fx_fib *f);

/* Lookup: main AIR (2^FX_MAIN_LOG_N rows) and the table AIR (2^AIR_EX_LOG_TABLE rows, fixed
 * columns), with an honest trace; extra_mult adds that much to the table's multiplicity of
 * entry 5 (a wrong multiplicity when nonzero). */
typedef struct fx_lookup {
    air *main, *table;
    stark_pk *pk_main, *pk_table;
    gl_t *main_trace, *mult;
} fx_lookup;
void fx_lookup_init(fx_lookup *l, uint64_t extra_mult);
void fx_lookup_free(fx_lookup *l);

/* Proves a job over the given instances (aborts when the prover fails with -1); returns
 * stark_prove_job's 0 or 1. */
int fx_prove(const stark_pk *const *pks, const gl_t *const *traces, const gl_t *const *publics,
             size_t n, stark_job_proof *job);

/* Encodes a proof / job into a new buffer (caller frees). */
uint8_t *fx_encode_proof(const stark_proof *p, size_t *len);
uint8_t *fx_encode_job(const stark_job_proof *j, size_t *len);

#endif
