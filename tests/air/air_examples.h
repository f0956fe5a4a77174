/*
 * air_examples.h: small AIRs used by the AIR tests and, later, the STARK's tests:
 *   - Fibonacci: two columns (a, b), public values a0, a1, result.
 *   - Lookup: a "main" AIR sending (x, x^2 mod 2^16) pairs on bus AIR_EX_LOOKUP_BUS to a table
 *     AIR whose fixed columns hold every pair for x < 2^AIR_EX_LOG_TABLE and whose stage-1
 *     column counts how often each pair is used.
 *   - Permutation: instances of a "sender" AIR send values on bus AIR_EX_PERM_BUS; instances of
 *     a "receiver" AIR receive them; only the job-wide sum is zero.
 * Traces are column-major (column c at cols + c * n). Every builder returns a fresh air the
 * caller frees with air_free; trace generators write into caller-owned arrays.
 */
#ifndef ZISK_TESTS_AIR_EXAMPLES_H
#define ZISK_TESTS_AIR_EXAMPLES_H

#include <stddef.h>
#include <stdint.h>

#include "air.h"

/* Fibonacci: stage 1 = (a, b); publics (a0, a1, result).
 * first_a: a = a0, first_b: b = a1 (first row); step_a: a' = b, step_b: b' = a + b
 * (transition); last: b = result (last row). Max degree 2. */
enum { AIR_EX_FIB_A0 = 0, AIR_EX_FIB_A1 = 1, AIR_EX_FIB_RESULT = 2 };
air *air_ex_fib(void);
/* Fills cols[0 .. 2n) and returns the result (b on the last row). */
gl_t air_ex_fib_trace(size_t n, gl_t a0, gl_t a1, gl_t *cols);

/* Lookup: main stage 1 = (sel, x[0..3), y[0..3)): sel is boolean (constraint "sel_bool"), and on
 * each row with sel = 1 the three pairs (x[k], y[k]) are sent on the bus (interactions
 * "lookup0".."lookup2", grouped two per helper column under max degree 3).
 * Table: fixed (X, Y) = (i, i^2 mod 2^16) for row i < 2^AIR_EX_LOG_TABLE, stage 1 = (mult),
 * receiving (X, Y) with multiplicity mult. */
#define AIR_EX_LOOKUP_BUS 1u
#define AIR_EX_LOG_TABLE 10
#define AIR_EX_MAIN_LOOKUPS 3
air *air_ex_lookup_main(void);
air *air_ex_lookup_table(void);
/* Fills the table's fixed columns: fixed[0 .. 2 * 2^AIR_EX_LOG_TABLE). */
void air_ex_lookup_table_fixed(gl_t *fixed);
/* Random honest main trace of n rows (cols[0 .. 7n)) from seed; adds the uses to
 * mult[0 .. 2^AIR_EX_LOG_TABLE) (the table's stage-1 column, which the caller zeroes first). */
void air_ex_lookup_main_trace(size_t n, uint64_t seed, gl_t *cols, gl_t *mult);

/* Permutation: sender stage 1 = (v), sends (v) with multiplicity 1; receiver stage 1 = (w),
 * receives (w) with multiplicity 1. */
#define AIR_EX_PERM_BUS 2u
air *air_ex_perm_send(void);
air *air_ex_perm_recv(void);

/* splitmix64, for reproducible test data. */
static inline uint64_t air_ex_rand(uint64_t *s) {
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

#endif
