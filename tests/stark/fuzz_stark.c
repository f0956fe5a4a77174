/*
 * fuzz_stark.c: libFuzzer target for STARK proof decoding and verification (module
 * src/stark). An input starting with "ZJOB" is decoded as a job proof and verified against the
 * keys of the Fibonacci and lookup example jobs (tests/stark/stark_fixtures.h); anything else
 * is decoded as an instance proof and verified against the Fibonacci key, with the challenges
 * of the one-instance job it claims (what a verifier of a lone instance would recompute).
 * Nothing may crash, leak or read out of bounds. Seeds: `test_stark --write-corpus DIR`.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "stark_fixtures.h"

static fx_fib fib;
static fx_lookup lookup;
static int ready;

static void cleanup(void) {
    fx_fib_free(&fib);
    fx_lookup_free(&lookup);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (!ready) {
        fx_fib_init(&fib);
        fx_lookup_init(&lookup, 0);
        atexit(cleanup);
        ready = 1;
    }
    const stark_vk *vks[3] = {stark_pk_vk(fib.pk), stark_pk_vk(lookup.pk_main),
                              stark_pk_vk(lookup.pk_table)};
    zisk_err err;
    if (size >= 4 && memcmp(data, "ZJOB", 4) == 0) {
        stark_job_proof job;
        if (stark_job_proof_decode(data, size, &job, &err) == STARK_OK)
            (void)stark_verify_job(vks, 3, &job, &err);
        stark_job_proof_free(&job);
        return 0;
    }
    stark_proof p;
    if (stark_proof_decode(data, size, &p, NULL, &err) == STARK_OK) {
        stark_commitment c = stark_proof_commitment(&p);
        stark_challenges ch;
        if (stark_derive_challenges(&c, 1, &ch, &err) == 0)
            (void)stark_verify(vks[0], &ch, &p, NULL, &err);
    }
    stark_proof_free(&p);
    return 0;
}
