/*
 * add.h: the "add" provider AIR of the zkVM: 64-bit and W-form addition and subtraction, and
 * the full-word load LD (docs/zkvm/add.md).
 *
 * The provider receives on ZKVM_BUS_OP (zkvm_ops.h) the tuples of
 *     ADD SUB ADDW SUBW LD
 * (offset always 0), one per row, and proves c = zkvm_op_eval(opc, x, y) with c's limbs in
 * [0, 2^32). It is the cheap path for the most frequent operations (about a third of all
 * executed uops): 16 stage-1 columns and 6 lookups per row against the binary AIR's 64 columns
 * and 9 byte-table lookups (LD: the shift AIR's 104 cells). Unlike the binary AIR it does NOT
 * range-check x and y of ADD..SUBW: it relies on the operation bus contract's canonical-operand
 * rule (zkvm_ops.h; docs/PROOFS.md, "Why it is sound", item 4), which the main AIR guarantees
 * for every tuple it sends. A load's x is the exception (an input word may be any field
 * element): LD is proven as x + 0 with both carries zero, so x's limbs equal c's, which are
 * range-checked.
 *
 * A row holds x and y as 32-bit limbs, c as four 16-bit limbs c0..c3 (range-checked on
 * ZKVM_BUS_RANGE16), the carries k0, k1 and, for the W forms, the sign s of the 32-bit result
 * (looked up as 2 c1 - 2^16 s). The constraints are the carry chain of x + y = c (ADD) or
 * c + y = x (SUB), both modulo 2^64, and c_hi = 0xffffffff s for the W forms.
 *
 * Errors: records are the caller's own data (the emulator's); an invalid record (an op this
 * AIR does not handle, an offset, a c that zkvm_op_eval does not give) is a caller bug and
 * aborts with file and line. Everything returned is allocated and owned by the caller.
 */
#ifndef ZISK_ZKVM_ADD_H
#define ZISK_ZKVM_ADD_H

#include <stddef.h>
#include <stdint.h>

#include "air.h"
#include "gl.h"
#include "zkvm_ops.h"
#include "zkvm_range.h"

/* Builds the provider AIR "add" (max degree 3; free with air_free). Aborts only on a bug. */
air *zkvm_add_air(void);

/* 1 for ADD, SUB, ADDW, SUBW and LD, 0 for every other value (including ZKVM_OP_NONE). */
int zkvm_add_handles(zkvm_op op);

/* The provider has no fixed columns: returns NULL for every log_n. */
gl_t *zkvm_add_fixed(unsigned log_n);

/* The stage-1 trace, column-major: air_n_cols(zkvm_add_air(), AIR_STAGE1) columns of 2^log_n
 * rows (allocated; free()). Row i < n proves recs[i]; rows n.. are padding (all zero: no flag,
 * multiplicity 0, no lookups). Requires 1 <= log_n <= 30 and n <= 2^log_n. Every record must
 * be valid for this AIR (zkvm_add_handles(op), offset 0, zkvm_op_eval gives recs[i].c): aborts
 * otherwise. Adds the rows' range lookups to *rc (must not be NULL). */
gl_t *zkvm_add_trace(const zkvm_op_record *recs, size_t n, unsigned log_n, zkvm_range_counts *rc);

/* Counts into *rc the range lookups the rows of a stage-1 trace (column-major, 2^log_n rows,
 * possibly not made by zkvm_add_trace) make: c0..c3 with the row's multiplicity (the sum of
 * its op flags) and 2 c1 - 2^16 s with the sum of its W flags. Values not in [0, 2^16) and
 * multiplicities other than 0 and 1 are not counted (no honest table could match them);
 * returns how many lookups were skipped that way (0 for an honest trace). Tests use it to give
 * the range AIR the counts of a tampered trace. */
size_t zkvm_add_count_lookups(const gl_t *trace, unsigned log_n, zkvm_range_counts *rc);

#endif
