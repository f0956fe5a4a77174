/*
 * shift64.h: the "shift64" provider AIR of the zkVM: the 64-bit logical shifts SLL and SRL
 * (docs/zkvm/shift64.md).
 *
 * The provider receives on ZKVM_BUS_OP (zkvm_ops.h) the tuples of
 *     SLL SRL
 * (offset always 0), one per row, and proves c = zkvm_op_eval(opc, x, y) with c's limbs in
 * [0, 2^32). The shift AIR proves them too, on a 104-cell byte row; this row is 52 cells. With
 * s = y & 63 = sl + 32 s5 (sl < 32), each 32-bit limb x_j of x is multiplied by a power of two,
 * as in the shiftw AIR (shiftw.h):
 *     SLL: x_j * 2^sl      = u_j + 2^32 d_j      (u_j < 2^32, d_j < 2^31)
 *     SRL: x_j * 2^(31-sl) = d_j + 2^31 u_j
 * and the result limbs are sums of these parts, moved by a word when s5 = 1:
 *     SLL: (lo, hi) = (u_lo, d_lo + u_hi)        s5: (0, u_lo)
 *     SRL: (lo, hi) = (u_lo + 2 d_hi, u_hi)      s5: (u_hi, 0)
 * Like the add AIR it does NOT range-check x and y: it relies on the operation bus contract's
 * canonical-operand rule (zkvm_ops.h; docs/PROOFS.md, "Why it is sound", item 4).
 *
 * Errors: records are the caller's own data (the emulator's); an invalid record (an op this
 * AIR does not handle, an offset, a c that zkvm_op_eval does not give) is a caller bug and
 * aborts with file and line. Everything returned is allocated and owned by the caller.
 */
#ifndef ZISK_ZKVM_SHIFT64_H
#define ZISK_ZKVM_SHIFT64_H

#include <stddef.h>
#include <stdint.h>

#include "air.h"
#include "gl.h"
#include "zkvm_ops.h"
#include "zkvm_range.h"

/* Builds the provider AIR "shift64" (max degree 3; free with air_free). Aborts only on a bug. */
air *zkvm_shift64_air(void);

/* 1 for SLL and SRL, 0 for every other value (including ZKVM_OP_NONE). */
int zkvm_shift64_handles(zkvm_op op);

/* The provider has no fixed columns: returns NULL for every log_n. */
gl_t *zkvm_shift64_fixed(unsigned log_n);

/* The stage-1 trace, column-major (allocated; free()). Row i < n proves recs[i]; rows n.. are
 * padding (zero but for p1 = pw = 1: no flag, multiplicity 0, no lookups). Requires
 * 1 <= log_n <= 30 and n <= 2^log_n. Every record must be valid for this AIR: aborts otherwise.
 * Adds the rows' range lookups to *rc (must not be NULL). */
gl_t *zkvm_shift64_trace(const zkvm_op_record *recs, size_t n, unsigned log_n, zkvm_range_counts *rc);

/* Counts into *rc the range lookups of a stage-1 trace (possibly not made by
 * zkvm_shift64_trace), each with the row's multiplicity: q0, q1, and for both limbs u0, u1, d0,
 * d1, 2 d1. Values not in [0, 2^16) and multiplicities other than 0 and 1 are not counted;
 * returns how many were skipped that way (0 for an honest trace). */
size_t zkvm_shift64_count_lookups(const gl_t *trace, unsigned log_n, zkvm_range_counts *rc);

#endif
