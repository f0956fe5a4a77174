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

/* ---- one-provider jobs built from records ------------------------------------------------ */

/* The provider's trace builder (zkvm_<p>_trace). */
typedef gl_t *(*ph_trace_fn)(const zkvm_op_record *recs, size_t n, unsigned log_n, zkvm_range_counts *rc);

/* An honest trace of n records (at least one padding row) and the sender's tuples; tests edit
 * both to cheat. */
typedef struct ph_job {
    const ph_provider *p;
    size_t n;
    unsigned log_n;
    ph_tuple *t;
    gl_t *trace;
} ph_job;

/* Fills r[0 ..) with rec(op, a, b) for every op of ops and every pair (a, b) of corners, in that
 * order (ops outermost); returns how many (n_ops * n_corners^2). */
size_t ph_corner_records(zkvm_op_record *r, const zkvm_op *ops, size_t n_ops, const uint64_t *corners,
                         size_t n_corners, zkvm_op_record (*rec)(zkvm_op, uint64_t, uint64_t));

ph_job ph_job_new(const ph_provider *p, ph_trace_fn build, const zkvm_op_record *r, size_t n);
/* A one-record job whose tuple claims c = bad_c (the trace still proves the honest c until the
 * test edits it). */
ph_job ph_job_claiming(const ph_provider *p, ph_trace_fn build, zkvm_op op, uint64_t x, uint64_t y,
                       uint64_t bad_c);
void ph_job_free(ph_job *j);
/* The cell of the provider's column `col` (by name) at `row`. */
gl_t *ph_cell(ph_job *j, const char *col, size_t row);
/* ph_check_job on the job as it stands. */
ph_outcome ph_check(ph_job *j);
/* Fails the test unless o passed (honest), or was caught by the named constraint (want) or,
 * with want NULL, by a bus that stops balancing. */
void ph_expect_ok(const char *what, ph_outcome o);
void ph_expect_caught(const char *what, ph_outcome o, const char *want);
/* Stricter than ph_expect_caught(.., NULL): every constraint holds and `bus` is the (lowest-id)
 * bus that stops balancing. For ZKVM_BUS_RANGE16 that means the op bus balances: the tuple was
 * received as sent, and only a range lookup is out of the table. */
void ph_expect_only_bus(const char *what, ph_outcome o, uint32_t bus);
/* How many of the job's range lookups are out of the table (its provider's count function skips
 * them; the provider must be a range-table one, p->count set). */
size_t ph_bad_lookups(const ph_job *j);

/* A real STARK job of n random records (ops[i % n_ops], operands from seed), which must verify,
 * then the same job with the provider's cell (col, row) changed by one, which must not. */
void ph_test_stark_job(const ph_provider *p, ph_trace_fn build, const zkvm_op *ops, size_t n_ops, size_t n,
                       uint64_t seed, const char *col, size_t row);

/* A valid record of op on (x, y), offset 0 (c from zkvm_op_eval), and a splitmix64 step. */
zkvm_op_record ph_rec(zkvm_op op, uint64_t x, uint64_t y);
uint64_t ph_rnd(uint64_t *state);

/* Index of the provider's stage-1 column / constraint with this name (fails the test if none). */
uint32_t ph_col(const air *a, const char *name);
uint32_t ph_constraint(const air *a, const char *name);

/* Frees the harness's shared AIRs (call from the test's teardown). */
void ph_teardown(void);

#endif
