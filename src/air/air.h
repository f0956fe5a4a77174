/*
 * air.h: algebraic intermediate representations (AIRs) for the STARK: a builder that describes
 * an AIR (columns, public values, constraints, bus interactions), the automatic stage-2
 * log-derivative columns of the buses, a constraint checker, and the evaluators the prover
 * (quotient over the LDE) and the verifier (one out-of-domain point) use. docs/AIR.md explains
 * the design and the degree arithmetic; this header is the reference for the API.
 *
 * Model
 *   A trace has n rows (n >= 2; the STARK wants a power of two). Its columns live in three
 *   spaces (air_space):
 *     AIR_STAGE1  base-field columns the prover fills (the execution trace);
 *     AIR_FIXED   base-field preprocessed columns (tables, the program), committed once (the key);
 *     AIR_STAGE2  extension-field columns built by this layer from stage 1 after the global
 *                 challenges are known (the bus accumulators). Each extension column is stored
 *                 as THREE base columns (c0, c1, c2) so that the prover commits, extends and opens
 *                 base columns only: extension column e is base columns 3e, 3e+1, 3e+2.
 *   Expressions (air_expr) combine, with add/sub/mul/neg, column values at the current row
 *   (air_cur) or the next row (air_next), constants, the AIR's public values (base field), the
 *   job's global challenges (extension field) and the instance's bus sum (extension field).
 *   Identical subexpressions are shared (hash-consing) and constant subexpressions are folded, so
 *   writing the same (1 - x) twice costs nothing.
 *
 * Constraint kinds (air_kind), each an expression that must be zero:
 *   AIR_EVERY_ROW   on every row 0..n-1; "next" of the last row is row 0 (wrap-around, the
 *                   natural meaning on the cyclic domain H_n). Use it for row-local constraints
 *                   (booleanity, ranges, column relations) and genuinely cyclic ones.
 *   AIR_TRANSITION  on rows 0..n-2 only (the last row has no next row).
 *   AIR_FIRST_ROW   on row 0 only.    AIR_LAST_ROW  on row n-1 only.
 *
 * Degrees
 *   A column has degree 1; constants, public values and challenges 0; mul adds degrees, add/sub
 *   take the maximum. A constraint's EFFECTIVE degree is its degree, plus 1 for first/last-row
 *   constraints (their selector, a Lagrange polynomial, has degree n-1). The AIR declares
 *   max_degree D >= 2; air_build fails when an effective degree exceeds D. With every effective
 *   degree <= D the quotient has degree < (D-1)*n: the prover splits it into D-1 chunks of n
 *   coefficients and needs a blowup >= D-1 (docs/AIR.md, "Degree arithmetic").
 *
 * Buses
 *   air_bus_send / air_bus_recv declare an interaction: on every row, the tuple (v_0..v_{k-1})
 *   is sent (or received) on bus `bus` with multiplicity m (an expression; 0 = not this row).
 *   With the global challenges alpha = challenge AIR_CHALLENGE_ALPHA and beta =
 *   AIR_CHALLENGE_BETA, an interaction contributes on each row the term
 *         +-m / (alpha - fp),   fp = bus + beta*v_0 + beta^2*v_1 + ... + beta^k*v_{k-1}
 *   (+ for send, - for receive). The instance's BUS SUM is the sum of all terms over all rows and
 *   interactions. For each bus, if every tuple sent is received with the same total
 *   multiplicity (counted over all instances of the job), the bus sums of all instances add to
 *   zero; otherwise they do not, except with negligible probability. The verifier's rule: the
 *   bus sums of all instances of a job add to zero (air_bus_sums_check).
 *   air_build groups interactions, adds one stage-2 helper column per group and one accumulator
 *   column, and their constraints (named "bus_helper_<g>", "bus_acc_first", "bus_acc_step",
 *   "bus_acc_last"); air_stage2_generate fills those columns.
 *
 * Errors by trust level
 *   AIR definitions are our own code: misuse of the builder (a handle from another builder, a
 *   column index out of range, a non-canonical constant, a tuple longer than AIR_MAX_TUPLE)
 *   aborts with the offending name. A degree above the declared bound is reported by air_build
 *   (NULL + err naming the constraint or interaction and its degree), so tests can check it.
 *   Traces given to the checker are data: a failing constraint is a normal result (air_check
 *   returns it), never an abort. Shapes (matrix pointers, sizes) are the caller's contract and
 *   are asserted.
 *
 * Ownership and threads
 *   A built air is immutable and may be shared by any number of threads. An air_eval_ws is a
 *   per-thread workspace (allocated once; the evaluator then never allocates). All trace and
 *   output buffers are the caller's. Functions that allocate say so.
 */
#ifndef ZISK_AIR_H
#define ZISK_AIR_H

#include <stddef.h>
#include <stdint.h>

#include "base.h"
#include "gl.h"

/* ------------------------------------------------------------------------------------------ */
/* Vocabulary                                                                                   */
/* ------------------------------------------------------------------------------------------ */

typedef enum air_space { AIR_STAGE1 = 0, AIR_FIXED = 1, AIR_STAGE2 = 2 } air_space;
#define AIR_N_SPACES 3

typedef enum air_kind {
    AIR_EVERY_ROW = 0,
    AIR_TRANSITION = 1,
    AIR_FIRST_ROW = 2,
    AIR_LAST_ROW = 3,
} air_kind;
#define AIR_N_KINDS 4

/* The job's global challenges (extension field), derived by the transcript from the stage-1
 * roots of all instances and the public values. Every AIR of a job sees the same ones. */
enum { AIR_CHALLENGE_ALPHA = 0, AIR_CHALLENGE_BETA = 1 };
#define AIR_N_CHALLENGES 2

/* Longest tuple of one bus interaction. */
#define AIR_MAX_TUPLE 32
/* Largest declared max_degree (keeps degree sums far from overflow). */
#define AIR_MAX_DEGREE 16

/* An expression handle, valid only with the builder that made it. */
typedef uint32_t air_expr;

/* A column: its space and index within that space. */
typedef struct air_col {
    uint32_t space;
    uint32_t index;
} air_col;

/* Column i of a range returned by air_cols_stage1 / air_cols_fixed. */
static inline air_col air_col_at(air_col first, uint32_t i) {
    return (air_col){first.space, first.index + i};
}

typedef struct air air;
typedef struct air_builder air_builder;

/* ------------------------------------------------------------------------------------------ */
/* Builder                                                                                      */
/* ------------------------------------------------------------------------------------------ */

/* Starts an AIR named `name` (copied) whose effective constraint degrees must not exceed
 * max_degree (2..AIR_MAX_DEGREE; aborts otherwise). Free with air_build or air_builder_free. */
air_builder *air_builder_new(const char *name, unsigned max_degree);
/* Frees a builder that will not be built (NULL is fine). */
void air_builder_free(air_builder *b);

/* Declares a stage-1 / fixed column named `name` (copied). */
air_col air_col_stage1(air_builder *b, const char *name);
air_col air_col_fixed(air_builder *b, const char *name);
/* Declares `count` >= 1 consecutive columns named "name[0]".."name[count-1]"; returns the
 * first (use air_col_at). */
air_col air_cols_stage1(air_builder *b, const char *name, uint32_t count);
air_col air_cols_fixed(air_builder *b, const char *name, uint32_t count);
/* Declares a public value (base field) named `name`; returns its index (0, 1, ...). */
uint32_t air_public_new(air_builder *b, const char *name);
/* Declares `count` >= 1 public values "name[0]".."name[count-1]"; returns the first index. */
uint32_t air_publics_new(air_builder *b, const char *name, uint32_t count);

/* Leaves. */
air_expr air_cur(air_builder *b, air_col c);  /* column c at the current row */
air_expr air_next(air_builder *b, air_col c); /* column c at the next row */
air_expr air_const(air_builder *b, gl_t c);   /* c must be canonical */
air_expr air_const_i64(air_builder *b, int64_t c); /* c mod p, e.g. -1 = p - 1 */
air_expr air_public(air_builder *b, uint32_t index);
air_expr air_challenge(air_builder *b, uint32_t which); /* AIR_CHALLENGE_* */

/* Operations. */
air_expr air_add(air_builder *b, air_expr x, air_expr y);
air_expr air_sub(air_builder *b, air_expr x, air_expr y);
air_expr air_mul(air_builder *b, air_expr x, air_expr y);
air_expr air_neg(air_builder *b, air_expr x);

/* Requires expression e to be zero on the rows of `kind`; `name` (copied) names it in errors. */
void air_constrain(air_builder *b, air_kind kind, const char *name, air_expr e);

/* Bus interactions (see "Buses" above). m and the tuple elements must not involve challenges
 * (they are stage-1 data); n_vals <= AIR_MAX_TUPLE, 0 allowed. `name` (copied) names it in
 * errors. */
void air_bus_send(air_builder *b, const char *name, uint32_t bus, air_expr m, const air_expr *vals,
                  uint32_t n_vals);
void air_bus_recv(air_builder *b, const char *name, uint32_t bus, air_expr m, const air_expr *vals,
                  uint32_t n_vals);

/* Builds the AIR: degree checks, bus grouping and stage-2 columns/constraints, and the compiled
 * evaluation programs. Consumes b in every case. Returns the AIR (free with air_free), or NULL
 * with err naming the constraint or interaction whose effective degree exceeds max_degree. */
air *air_build(air_builder *b, zisk_err *err);
void air_free(air *a);

/* ------------------------------------------------------------------------------------------ */
/* Queries                                                                                      */
/* ------------------------------------------------------------------------------------------ */

const char *air_name(const air *a);
unsigned air_max_degree(const air *a);
/* The largest effective degree actually used (>= 2), and the quotient's chunk count
 * (air_degree - 1): the prover needs log_blowup with 2^log_blowup >= air_quotient_chunks. */
unsigned air_degree(const air *a);
unsigned air_quotient_chunks(const air *a);
/* Column counts in BASE columns (AIR_STAGE2: 3 per extension column; 0 without buses). */
uint32_t air_n_cols(const air *a, air_space s);
/* A base column's name (stage 2: "bus_h<g>.c<k>", "bus_acc.c<k>"). */
const char *air_col_name(const air *a, air_space s, uint32_t index);
uint32_t air_n_publics(const air *a);
const char *air_public_name(const air *a, uint32_t index);
/* Constraints, user ones first (declaration order), then the bus ones. */
uint32_t air_n_constraints(const air *a);
const char *air_constraint_name(const air *a, uint32_t k);
air_kind air_constraint_kind(const air *a, uint32_t k);
unsigned air_constraint_degree(const air *a, uint32_t k);           /* of the expression */
unsigned air_constraint_effective_degree(const air *a, uint32_t k); /* + selector */
uint32_t air_n_interactions(const air *a);
uint32_t air_n_bus_groups(const air *a);
/* Number of expression nodes and of compiled instructions (for diagnostics/benchmarks). */
size_t air_n_nodes(const air *a);
size_t air_n_instructions(const air *a);
/* A short name for a kind: "every_row", "transition", "first_row", "last_row". */
const char *air_kind_str(air_kind k);

/* ------------------------------------------------------------------------------------------ */
/* Traces and values                                                                            */
/* ------------------------------------------------------------------------------------------ */

/* A matrix of base elements: element (row r, column c) at data[c * col_stride + r * row_stride].
 * Column-major (each column contiguous, n rows): col_stride = n, row_stride = 1 (fastest for
 * the evaluators: no copying). Row-major (width columns): col_stride = 1, row_stride = width. */
typedef struct air_matrix {
    const gl_t *data;
    size_t col_stride;
    size_t row_stride;
} air_matrix;

static inline air_matrix air_matrix_col_major(const gl_t *data, size_t n_rows) {
    return (air_matrix){data, n_rows, 1};
}
static inline air_matrix air_matrix_row_major(const gl_t *data, size_t width) {
    return (air_matrix){data, 1, width};
}

/* The domain an evaluation walks: the trace itself (n_rows = n, next_step = 1) or its LDE
 * (n_rows = n << log_blowup, next_step = 1 << log_blowup, natural order on the coset: "next"
 * of LDE row i is row (i + next_step) mod n_rows, the point x*w_n). A space without columns
 * may have data NULL; stage 2 is needed only by constraint evaluation, not by
 * air_stage2_generate or the bus tally. */
typedef struct air_view {
    air_matrix m[AIR_N_SPACES];
    size_t n_rows;
    size_t next_step;
} air_view;

/* A trace-domain view (next_step 1) of column-major matrices of n_rows rows; any of the three
 * may be NULL when its space has no columns (or, for stage 2, is not needed yet). */
static inline air_view air_view_col_major(const gl_t *stage1, const gl_t *fixed, const gl_t *stage2,
                                          size_t n_rows) {
    air_view v;
    v.m[AIR_STAGE1] = air_matrix_col_major(stage1, n_rows);
    v.m[AIR_FIXED] = air_matrix_col_major(fixed, n_rows);
    v.m[AIR_STAGE2] = air_matrix_col_major(stage2, n_rows);
    v.n_rows = n_rows;
    v.next_step = 1;
    return v;
}

/* The values an instance's constraints refer to besides its columns. */
typedef struct air_values {
    const gl_t *publics;      /* air_n_publics(a) canonical elements (NULL if none) */
    const gl3_t *challenges;  /* AIR_N_CHALLENGES; may be NULL when the AIR has no bus and
                                 references no challenge */
    gl3_t bus_sum;            /* the instance's bus sum (zero without buses) */
    uint64_t n_rows;          /* the trace's rows n: the bus constraint spreads bus_sum over
                                 them (bus_sum / n per row). 0 = the view's rows, which is right
                                 for air_check and air_eval_row; the quotient evaluator (on an
                                 LDE view) and air_eval_point need it set. */
} air_values;

/* ------------------------------------------------------------------------------------------ */
/* Stage 2                                                                                      */
/* ------------------------------------------------------------------------------------------ */

/* Builds the stage-2 columns of a trace of t->n_rows rows (t->next_step must be 1; stage-1 and
 * fixed matrices used, stage 2 ignored) into stage2 (caller-owned, COLUMN-MAJOR: base column c
 * at stage2 + c * n_rows, air_n_cols(a, AIR_STAGE2) columns) and returns the bus sum in
 * *bus_sum. O(rows * interactions) with one batched inversion per chunk of rows; allocates
 * chunk scratch, parallel with OpenMP. Returns 0, or -1 with err naming the row and interaction
 * when a denominator alpha - fp vanished (probability ~ rows * interactions / p^3 for honest
 * challenges; the proof attempt must then fail). An AIR without buses returns 0 and sum 0. */
int air_stage2_generate(const air *a, const air_view *t, const air_values *v, gl_t *stage2,
                        gl3_t *bus_sum, zisk_err *err);

/* ------------------------------------------------------------------------------------------ */
/* Checking                                                                                     */
/* ------------------------------------------------------------------------------------------ */

typedef struct air_failure {
    uint32_t constraint;  /* index (air_constraint_name) */
    const char *name;     /* the constraint's name (owned by the air) */
    air_kind kind;
    size_t row;
    gl3_t value;          /* the constraint's (nonzero) value there */
} air_failure;

/* Evaluates every constraint on every row of the trace t (next_step 1; all three spaces) and
 * reports the FIRST failure: the smallest row with a failing constraint, and on that row the
 * first constraint in air_n_constraints order. Returns 0 when all hold; 1 with *fail and err
 * filled ("air 'fib': constraint 'step_a' (transition) fails at row 17") otherwise. Allocates a
 * workspace; parallel with OpenMP (the answer does not depend on the thread count). */
int air_check(const air *a, const air_view *t, const air_values *v, air_failure *fail,
              zisk_err *err);

/* The verifier's global rule: returns 0 when sums[0..n) add to zero, else -1 with err. */
int air_bus_sums_check(const gl3_t *sums, size_t n, zisk_err *err);

/* Per-bus diagnostics for a job (the checker's global step): accumulates, per bus id, the
 * signed sum of +-m/(alpha - fp) over the instances added, so a failure names the bus. */
typedef struct air_bus_tally air_bus_tally;
air_bus_tally *air_bus_tally_new(void);
void air_bus_tally_free(air_bus_tally *t);
/* Adds one instance (trace t with next_step 1; stage 1 and fixed used). Returns 0, or -1 with
 * err when a denominator vanished (as air_stage2_generate). Allocates. */
int air_bus_tally_add(air_bus_tally *tally, const air *a, const air_view *t, const air_values *v,
                      zisk_err *err);
/* Returns 0 when every bus sums to zero; else -1, *bad_bus = the smallest failing bus id (if
 * bad_bus is not NULL) and err naming it. */
int air_bus_tally_check(const air_bus_tally *tally, uint32_t *bad_bus, zisk_err *err);

/* ------------------------------------------------------------------------------------------ */
/* Evaluation                                                                                   */
/* ------------------------------------------------------------------------------------------ */

/* Reference evaluator (row by row; used by tests and diagnostics, not fast): out[k] = the value
 * of constraint k at row `row` of t (any next_step), for every k < air_n_constraints, whether
 * or not the row belongs to the constraint's kind. Allocates a scratch array per call. */
void air_eval_row(const air *a, const air_view *t, size_t row, const air_values *v, gl3_t *out);

/* The verifier's evaluator at one point zeta (outside the trace domain): cur[s][c] and
 * next[s][c] are the opened values at zeta and zeta*w_n of BASE column c of space s (stage 2:
 * the three component columns of each extension column; an extension column's value is
 * c0 + c1*X + c2*X^2 of its components). sel[kind] are the selector values at zeta (the same
 * functions the prover used, see air_eval_quotient). Returns
 *      sum_k lambda^k * sel[kind_k] * C_k(zeta).
 * Arrays of a space without columns may be NULL. Allocates a scratch array per call. */
typedef struct air_point {
    const gl3_t *cur[AIR_N_SPACES];
    const gl3_t *next[AIR_N_SPACES];
} air_point;
gl3_t air_eval_point(const air *a, const air_point *pt, const air_values *v, gl3_t lambda,
                     const gl3_t sel[AIR_N_KINDS]);

/* The prover's batched evaluator. A workspace holds the compiled program's registers for one
 * block of rows and the bound scalar values (publics, challenges, bus sum, powers of lambda);
 * create one per thread. */
typedef struct air_eval_ws air_eval_ws;
air_eval_ws *air_eval_ws_new(const air *a);
void air_eval_ws_free(air_eval_ws *ws);
/* Binds the values and the combination challenge lambda (call again for another instance of
 * the same AIR; cheap: O(nodes + constraints)). */
void air_eval_bind(air_eval_ws *ws, const air_values *v, gl3_t lambda);

/* Selector values per domain row, base field, indexed by the view's row (0..n_rows). sel[kind]
 * may be NULL only when the AIR has no constraint of that kind; for AIR_EVERY_ROW, NULL means
 * the constant 1. The recommended choice (docs/AIR.md) makes the output the quotient itself:
 * with x the LDE point of the row and w = w_n the trace domain's generator, Z(x) = x^n - 1,
 *   every_row 1/Z(x), transition (x - w^-1)/Z(x), first_row 1/(x - 1), last_row 1/(x - w^-1). */
typedef struct air_selectors {
    const gl_t *sel[AIR_N_KINDS];
} air_selectors;

/* For rows i in [row_begin, row_end) of the view (all three spaces, next = i + next_step mod
 * n_rows): out[i - row_begin] = sum_k lambda^k * sel[kind_k][i - row_begin] * C_k(row i) (the
 * selectors cover just the range, so a caller can build them block by block). Rows are
 * processed in blocks by a flat register program (no recursion, no allocation). Threads call it
 * on disjoint row ranges with their own workspaces. */
void air_eval_quotient(air_eval_ws *ws, const air_view *lde, const air_selectors *sel,
                       size_t row_begin, size_t row_end, gl3_t *out);

#endif
