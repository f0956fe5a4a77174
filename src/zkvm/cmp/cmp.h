/*
 * cmp.h: the "cmp" provider AIR of the zkVM: the ordered comparisons, the AMO min/max forms
 * and the JALR target (docs/zkvm/cmp.md).
 *
 * The provider receives on ZKVM_BUS_OP (zkvm_ops.h) the tuples of
 *     SLT SLTU GE GEU  MIN MAX MINU MAXU  MINW MAXW MINUW MAXUW  JALR
 * (offset always 0), one per row, and proves c = zkvm_op_eval(opc, x, y) with c's limbs in
 * [0, 2^32). The binary AIR proves them with 64 columns and 9 byte-table lookups (85 cells per
 * row); this AIR with 21 columns and 6 lookups into the 16-bit range table (39 cells), and no
 * byte table. Like the add and eq AIRs it does NOT range-check x and y: it relies on the
 * operation bus contract's canonical-operand rule (zkvm_ops.h; docs/PROOFS.md, "Why it is
 * sound", item 4), which the main AIR guarantees for every tuple it sends.
 *
 * A row compares ONE 32-bit word of x with one of y: the high words when they differ (an "is
 * zero" gadget decides), else the low words (always the low words for the W forms). It holds
 * x and y as that compared word and the other word (x_c, x_o, y_c, y_o; the received limbs are
 * degree-2 expressions of them), the compared words' 16-bit low halves and sign bits (proved
 * by range lookups of the low half and of the sign-flipped high half), the 16-bit limbs of
 * (x_c - y_c) mod 2^32 (whose lookups fix the borrow), the result bit r and the result words
 * (c_c, c_o). The ops are encoded by four class flags (compare, 64-bit select, W select, JALR)
 * and two attribute bits (u: unsigned; n: GE / MAX), not by 13 one-hot flags. JALR reuses the
 * lookups to range-check its result: the decompositions of x_c and y_c then prove c_lo and
 * c_hi, d0 = a_x / 2 proves c_lo even.
 *
 * Errors: records are the caller's own data (the emulator's); an invalid record (an op this
 * AIR does not handle, an offset, a c that zkvm_op_eval does not give) is a caller bug and
 * aborts with file and line. Everything returned is allocated and owned by the caller.
 */
#ifndef ZISK_ZKVM_CMP_H
#define ZISK_ZKVM_CMP_H

#include <stddef.h>
#include <stdint.h>

#include "air.h"
#include "gl.h"
#include "zkvm_ops.h"
#include "zkvm_range.h"

/* Builds the provider AIR "cmp" (max degree 3; free with air_free). Aborts only on a bug. */
air *zkvm_cmp_air(void);

/* 1 for SLT, SLTU, GE, GEU, MIN, MAX, MINU, MAXU, MINW, MAXW, MINUW, MAXUW and JALR, 0 for
 * every other value (including ZKVM_OP_NONE). */
int zkvm_cmp_handles(zkvm_op op);

/* The provider has no fixed columns: returns NULL for every log_n. */
gl_t *zkvm_cmp_fixed(unsigned log_n);

/* The stage-1 trace, column-major: air_n_cols(zkvm_cmp_air(), AIR_STAGE1) columns of 2^log_n
 * rows (allocated; free()). Row i < n proves recs[i]; rows n.. are padding (all zero: no flag,
 * multiplicity 0, no lookups). Requires 1 <= log_n <= 30 and n <= 2^log_n. Every record must
 * be valid for this AIR (zkvm_cmp_handles(op), offset 0, zkvm_op_eval gives recs[i].c): aborts
 * otherwise. Adds the rows' range lookups to *rc (must not be NULL). */
gl_t *zkvm_cmp_trace(const zkvm_op_record *recs, size_t n, unsigned log_n, zkvm_range_counts *rc);

/* Counts into *rc the range lookups the rows of a stage-1 trace (column-major, 2^log_n rows,
 * possibly not made by zkvm_cmp_trace) make: a_x, (x_c + 2^31 - 2^32 s_x - a_x) / 2^16, the
 * same two for y, d0 and d1, each with the row's multiplicity (the sum of its class flags).
 * Values not in [0, 2^16) and multiplicities other than 0 and 1 are not counted (no honest
 * table could match them); returns how many lookups were skipped that way (0 for an honest
 * trace). Tests use it to give the range AIR the counts of a tampered trace. */
size_t zkvm_cmp_count_lookups(const gl_t *trace, unsigned log_n, zkvm_range_counts *rc);

#endif
