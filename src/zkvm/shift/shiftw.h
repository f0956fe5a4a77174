/*
 * shiftw.h: the "shiftw" provider AIR of the zkVM: the 32-bit logical shifts SLLW and SRLW
 * (docs/zkvm/shiftw.md).
 *
 * The provider receives on ZKVM_BUS_OP (zkvm_ops.h) the tuples of
 *     SLLW SRLW
 * (offset always 0), one per row, and proves c = zkvm_op_eval(opc, x, y) with c's limbs in
 * [0, 2^32). These two ops are 12-14% of the executed uops of hash-heavy guests (SHA-256's
 * rotations); the shift AIR proves them too, on a 104-cell byte row, while this row is 40
 * cells: a shift is one multiplication by a power of two,
 *     SLLW: x_lo * 2^s      = r + 2^32 d     (r = the result word, d < 2^31 the bits shifted out)
 *     SRLW: x_lo * 2^(31-s) = d + 2^31 r     (r = x_lo >> s, d < 2^31 the bits shifted out)
 * with s = y & 31 split from y_lo into bits, r as two 16-bit limbs and d as a 16-bit and a
 * 15-bit limb (range-checked on ZKVM_BUS_RANGE16). Both sides are integers below p, so the
 * equations hold over the integers and the limbs are unique. Like the add AIR it does NOT
 * range-check x and y: it relies on the operation bus contract's canonical-operand rule
 * (zkvm_ops.h; docs/PROOFS.md, "Why it is sound", item 4).
 *
 * Errors: records are the caller's own data (the emulator's); an invalid record (an op this
 * AIR does not handle, an offset, a c that zkvm_op_eval does not give) is a caller bug and
 * aborts with file and line. Everything returned is allocated and owned by the caller.
 */
#ifndef ZISK_ZKVM_SHIFTW_H
#define ZISK_ZKVM_SHIFTW_H

#include <stddef.h>
#include <stdint.h>

#include "air.h"
#include "gl.h"
#include "zkvm_ops.h"
#include "zkvm_range.h"

/* Builds the provider AIR "shiftw" (max degree 3; free with air_free). Aborts only on a bug. */
air *zkvm_shiftw_air(void);

/* 1 for SLLW and SRLW, 0 for every other value (including ZKVM_OP_NONE). */
int zkvm_shiftw_handles(zkvm_op op);

/* The provider has no fixed columns: returns NULL for every log_n. */
gl_t *zkvm_shiftw_fixed(unsigned log_n);

/* The stage-1 trace, column-major: air_n_cols(zkvm_shiftw_air(), AIR_STAGE1) columns of
 * 2^log_n rows (allocated; free()). Row i < n proves recs[i]; rows n.. are padding (zero but for
 * p1 = pw = 1, i.e. 2^0: no flag, multiplicity 0, no lookups). Requires 1 <= log_n <= 30 and n <= 2^log_n. Every
 * record must be valid for this AIR (zkvm_shiftw_handles(op), offset 0, zkvm_op_eval gives
 * recs[i].c, x and y limbs canonical): aborts otherwise. Adds the rows' range lookups to *rc
 * (must not be NULL). */
gl_t *zkvm_shiftw_trace(const zkvm_op_record *recs, size_t n, unsigned log_n, zkvm_range_counts *rc);

/* Counts into *rc the range lookups the rows of a stage-1 trace (column-major, 2^log_n rows,
 * possibly not made by zkvm_shiftw_trace) make, each with the row's multiplicity (the sum of its
 * op flags): q0, q1, r0, r1, d0, d1, 2 d1 and 2 r1 - 2^16 sg. Values not in [0, 2^16) and
 * multiplicities other than 0 and 1 are not counted (no honest table could match them); returns
 * how many lookups were skipped that way (0 for an honest trace). Tests use it to give the
 * range AIR the counts of a tampered trace. */
size_t zkvm_shiftw_count_lookups(const gl_t *trace, unsigned log_n, zkvm_range_counts *rc);

#endif
