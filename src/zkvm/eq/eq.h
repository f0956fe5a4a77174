/*
 * eq.h: the "eq" provider AIR of the zkVM: the equality comparisons EQ and NE
 * (docs/zkvm/eq.md).
 *
 * The provider receives on ZKVM_BUS_OP (zkvm_ops.h) the tuples of
 *     EQ NE
 * (offset always 0), one per row, and proves c = [x == y] (EQ) or c = [x != y] (NE), c_hi = 0.
 * These are the branch comparisons BEQ/BNE; the binary AIR proves them with its 64 columns and
 * 9 byte-table lookups, this AIR with 10 columns and no lookup at all. Like the add AIR it does
 * NOT range-check x and y: it relies on the operation bus contract's canonical-operand rule
 * (zkvm_ops.h; docs/PROOFS.md, "Why it is sound", item 4), which the main AIR guarantees for
 * every tuple it sends. The result is a constant combination of flags and a forced bit, so it
 * needs no range check either.
 *
 * A row holds x and y as 32-bit limbs, the inverse witnesses i_lo, i_hi of e = x_lo - y_lo and
 * f = x_hi - y_hi, z_lo = [e == 0] and z = [x == y]: the classic "is zero" gadget on each word
 * difference, with the high word's indicator 1 - f i_hi left unnamed (it is only used inside
 * z's definition).
 *
 * Errors: records are the caller's own data (the emulator's); an invalid record (an op this
 * AIR does not handle, an offset, a c that zkvm_op_eval does not give) is a caller bug and
 * aborts with file and line. Everything returned is allocated and owned by the caller.
 */
#ifndef ZISK_ZKVM_EQ_H
#define ZISK_ZKVM_EQ_H

#include <stddef.h>
#include <stdint.h>

#include "air.h"
#include "gl.h"
#include "zkvm_ops.h"
#include "zkvm_range.h"

/* Builds the provider AIR "eq" (max degree 3; free with air_free). Aborts only on a bug. */
air *zkvm_eq_air(void);

/* 1 for EQ and NE, 0 for every other value (including ZKVM_OP_NONE). */
int zkvm_eq_handles(zkvm_op op);

/* The provider has no fixed columns: returns NULL for every log_n. */
gl_t *zkvm_eq_fixed(unsigned log_n);

/* The stage-1 trace, column-major: air_n_cols(zkvm_eq_air(), AIR_STAGE1) columns of 2^log_n
 * rows (allocated; free()). Row i < n proves recs[i]; rows n.. are padding: zero except
 * z_lo = z = 1 (the witness of 0 == 0; no flag, multiplicity 0). Requires 1 <= log_n <= 30 and
 * n <= 2^log_n. Every record must be valid for this AIR (zkvm_eq_handles(op), offset 0,
 * zkvm_op_eval gives recs[i].c): aborts otherwise. The AIR makes no range lookups: rc is not
 * touched (it may be NULL; the parameter is there so that the function has the signature of
 * the other providers' trace builders). */
gl_t *zkvm_eq_trace(const zkvm_op_record *recs, size_t n, unsigned log_n, zkvm_range_counts *rc);

/* The range lookups of a stage-1 trace: there are none, so this counts nothing into *rc and
 * returns 0 (lookups skipped). It exists so that eq fits where the other providers'
 * zkvm_<p>_count_lookups go (the provider tests' range-table partner). */
size_t zkvm_eq_count_lookups(const gl_t *trace, unsigned log_n, zkvm_range_counts *rc);

#endif
