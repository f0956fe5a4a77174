/*
 * arith.h: the "arith" provider AIR of the zkVM: the M extension (docs/zkvm/arith.md).
 *
 * The provider receives on ZKVM_BUS_OP (zkvm_ops.h) the tuples of the 13 operations
 *     MUL MULH MULHSU MULHU DIV DIVU REM REMU MULW DIVW DIVUW REMW REMUW
 * (offset always 0), one per row, and proves c = zkvm_op_eval(opc, x, y) with every limb in
 * [0, 2^32). Every row holds four 64-bit values a, b, c, d in 16-bit limbs and proves, with
 * 32-bit chunk equations and range-checked carries, the exact integer identity
 *     a_s * b_s + d_s = c_s            (division: x = q * y + r;  a = q, b = y, c = x, d = r)
 *     a_s * b_s = c + 2^64 * d_s       (multiplication: a = x, b = y, c:d = the product)
 * where v_s = v - 2^64 s_v is v read as signed (s_v a sign column, 0 for unsigned operands).
 * A division row also proves |r| < |y| and sign(r) in {0, sign(x)} (or y = 0 and q = all
 * ones). The W divisions run on the sign- or zero-extended low words; MULW is MUL with the low
 * word of the product sign-extended.
 *
 * Range checks: all limbs, carries and comparison limbs are looked up on ZKVM_BUS_RANGE16
 * (34 lookups per used row, none on padding rows); the range AIR (zkvm_range.h) receives them.
 * No fixed columns, no private bus, no minimum trace size.
 *
 * Errors: records are the caller's own data (the emulator's); an invalid record (an op this
 * AIR does not handle, an offset, a c that zkvm_op_eval does not give) is a caller bug and
 * aborts with file and line. Everything returned is allocated and owned by the caller.
 */
#ifndef ZISK_ZKVM_ARITH_H
#define ZISK_ZKVM_ARITH_H

#include <stddef.h>
#include <stdint.h>

#include "air.h"
#include "gl.h"
#include "zkvm_ops.h"
#include "zkvm_range.h"

/* Range lookups one used row makes on ZKVM_BUS_RANGE16. */
#define ZKVM_ARITH_LOOKUPS 34

/* Builds the provider AIR "arith" (max degree 3; free with air_free). Aborts only on a bug. */
air *zkvm_arith_air(void);

/* 1 for the 13 operations above, 0 for every other value (including ZKVM_OP_NONE). */
int zkvm_arith_handles(zkvm_op op);

/* The provider has no fixed columns: returns NULL for every log_n. */
gl_t *zkvm_arith_fixed(unsigned log_n);

/* The stage-1 trace, column-major: air_n_cols(zkvm_arith_air(), AIR_STAGE1) columns of
 * 2^log_n rows (allocated; free()). Row i < n proves recs[i]; rows n.. are padding (all zero:
 * no flag, multiplicity 0, no lookups). Requires 1 <= log_n <= 30 and n <= 2^log_n. Every
 * record must be valid for this AIR (zkvm_arith_handles(op), offset 0, zkvm_op_eval gives
 * recs[i].c): aborts otherwise. Adds the rows' range lookups to *rc (must not be NULL). */
gl_t *zkvm_arith_trace(const zkvm_op_record *recs, size_t n, unsigned log_n,
                       zkvm_range_counts *rc);

/* Counts into *rc the range lookups that the rows of a stage-1 trace (column-major, 2^log_n
 * rows, possibly not made by zkvm_arith_trace) make: for each row, its multiplicity (the sum
 * of its op flags, read as an integer) times each looked-up value. zkvm_arith_trace uses it;
 * tests use it to give the range AIR the counts of a tampered trace. Values that are not in
 * [0, 2^16) and rows whose multiplicity is not 0 or 1 are not counted (no honest table could
 * match them); returns how many lookups were skipped that way (0 for an honest trace). */
size_t zkvm_arith_count_lookups(const gl_t *trace, unsigned log_n, zkvm_range_counts *rc);

#endif
