/*
 * provider_harness.h: what the tests of the operation-bus providers share: a sender AIR
 * standing in for the main AIR, the job check {sender, provider, its table} with the
 * constraint checker and the bus tally, and a real STARK job over the same three instances
 * (small test parameters, far from 128 bits).
 *
 * A provider is described by its AIR and how to build its table instance from a (possibly
 * tampered) provider trace: for the range-table providers (add, arith, shift) their
 * count-lookups function (zkvm_<p>_count_lookups), for others (logic) a table AIR with its
 * fixed columns and a function that builds the table's stage-1 trace. So a test can edit a
 * provider trace and see whether the checker or a bus catches it.
 */
#ifndef ZISK_TESTS_ZKVM_PROVIDER_HARNESS_H
#define ZISK_TESTS_ZKVM_PROVIDER_HARNESS_H

#include <stddef.h>
#include <stdint.h>

#include "air.h"
#include "gl.h"
#include "stark.h"
#include "zkvm_ops.h"
#include "zkvm_range.h"

/* A tuple as sent on ZKVM_BUS_OP (raw field elements, so tests can send limbs >= 2^32). */
typedef struct ph_tuple {
    gl_t v[7];
} ph_tuple;

/* The tuple of a record: (opc, x_lo, x_hi, y_lo, y_hi, c_lo, c_hi). */
ph_tuple ph_tuple_of(const zkvm_op_record *r);

typedef size_t (*ph_count_fn)(const gl_t *trace, unsigned log_n, zkvm_range_counts *rc);

/* The table's stage-1 trace for a provider trace (allocated; the harness frees it). */
typedef gl_t *(*ph_table_fn)(const gl_t *trace, unsigned log_n);

typedef struct ph_provider {
    const char *name;  /* for messages */
    const air *a;
    ph_count_fn count; /* the range table's partner: its zkvm_<p>_count_lookups; or NULL and: */
    const air *table;  /* the table AIR, */
    const gl_t *table_fixed;
    unsigned table_log_n;
    ph_table_fn table_trace;
} ph_provider;

/* What the job check found. */
typedef struct ph_outcome {
    int constraint_fail; /* the checker failed on the provider instance */
    char failed[64];     /* that constraint's name */
    size_t failed_row;
    int bus_fail;        /* the job's buses do not balance (the tally; the verifier's rule agrees) */
    uint32_t bad_bus;
} ph_outcome;

/* Checks the job {sender(t[0..n_send)), provider(trace, 2^log_n rows), range(the trace's
 * lookups)} with fixed random challenges. Aborts the test (cmocka) on harness errors. */
ph_outcome ph_check_job(const ph_provider *p, const ph_tuple *t, size_t n_send, const gl_t *trace,
                        unsigned log_n);

/* Proves the same job for real (the provider trace as given: edit it to cheat) and returns
 * stark_verify_job's status. The prover may notice the broken job itself; either way, what is
 * returned is the verifier's verdict on what it produced. */
stark_status ph_prove_and_verify(const ph_provider *p, const ph_tuple *t, size_t n_send,
                                 const gl_t *trace, unsigned log_n);

/* Smallest l >= 1 with 2^l >= n. */
unsigned ph_log_for(size_t n);

/* Index of the provider's stage-1 column / constraint with this name (fails the test if none). */
uint32_t ph_col(const air *a, const char *name);
uint32_t ph_constraint(const air *a, const char *name);

/* Frees the harness's shared AIRs (call from the test's teardown). */
void ph_teardown(void);

#endif
