/*
 * mul.h: the "mul" provider AIR of the zkVM: the low 64 bits of a product (MUL) and its W form
 * (MULW) (docs/zkvm/mul.md).
 *
 * The provider receives on ZKVM_BUS_OP (zkvm_ops.h) the tuples of
 *     MUL MULW
 * (offset always 0), one per row, and proves c = zkvm_op_eval(opc, x, y) with c's limbs in
 * [0, 2^32): c = x y mod 2^64 (MUL), c = the low word of x_lo y_lo sign-extended (MULW). It is
 * the narrow path for the multiplications that only need the low half of the product: 19
 * stage-1 columns and 16 interactions (49 committed cells per row) against the arith AIR's 52
 * columns and 35 interactions (112 cells), which proves every M-extension op in one row.
 *
 * A row holds x, y and c as 16-bit limbs (all range-checked on ZKVM_BUS_RANGE16; the tuple's
 * 32-bit limbs are combinations of them) and the carries of the product's two 32-bit chunks:
 * K0 = k0 + 2^16 k0_b16 < 2^17 and K1 = k1 + 2^16 k1_b16 + 2^17 k1_b17 < 2^18 (k0, k1 looked
 * up, the rest bits). The limbs are what keeps every equation below p = 2^64 - 2^32 + 1 as an
 * integer: a product of two 32-bit limbs is below p, but two of them added (or one times 2^16)
 * are not, so the row never multiplies two 32-bit values. Since it range-checks x and y itself,
 * this AIR does not rely on the operation bus's canonical-operand rule.
 *
 * Errors: records are the caller's own data (the emulator's); an invalid record (an op this
 * AIR does not handle, an offset, a c that zkvm_op_eval does not give) is a caller bug and
 * aborts with file and line. Everything returned is allocated and owned by the caller.
 */
#ifndef ZISK_ZKVM_MUL_H
#define ZISK_ZKVM_MUL_H

#include <stddef.h>
#include <stdint.h>

#include "air.h"
#include "gl.h"
#include "zkvm_ops.h"
#include "zkvm_range.h"

/* Builds the provider AIR "mul" (max degree 3; free with air_free). Aborts only on a bug. */
air *zkvm_mul_air(void);

/* 1 for MUL and MULW, 0 for every other value (including ZKVM_OP_NONE). */
int zkvm_mul_handles(zkvm_op op);

/* The provider has no fixed columns: returns NULL for every log_n. */
gl_t *zkvm_mul_fixed(unsigned log_n);

/* The stage-1 trace, column-major: air_n_cols(zkvm_mul_air(), AIR_STAGE1) columns of 2^log_n
 * rows (allocated; free()). Row i < n proves recs[i]; rows n.. are padding (all zero: no flag,
 * multiplicity 0, no lookups). Requires 1 <= log_n <= 30 and n <= 2^log_n. Every record must
 * be valid for this AIR (zkvm_mul_handles(op), offset 0, zkvm_op_eval gives recs[i].c): aborts
 * otherwise. Adds the rows' range lookups to *rc (must not be NULL). */
gl_t *zkvm_mul_trace(const zkvm_op_record *recs, size_t n, unsigned log_n, zkvm_range_counts *rc);

/* Counts into *rc the range lookups the rows of a stage-1 trace (column-major, 2^log_n rows,
 * possibly not made by zkvm_mul_trace) make: the twelve limbs of x, y, c and the carry parts
 * k0, k1 with the row's multiplicity (the sum of its op flags), and 2 c1 - 2^16 c3 / 0xffff
 * (the MULW sign check) with its MULW flag. Values not in [0, 2^16) and multiplicities other
 * than 0 and 1 are not counted (no honest table could match them); returns how many lookups
 * were skipped that way (0 for an honest trace). Tests use it to give the range AIR the counts
 * of a tampered trace. */
size_t zkvm_mul_count_lookups(const gl_t *trace, unsigned log_n, zkvm_range_counts *rc);

#endif
