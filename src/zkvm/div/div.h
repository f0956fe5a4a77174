/*
 * div.h: the "div" provider AIR of the zkVM: the 64-bit divisions DIV DIVU REM REMU
 * (docs/zkvm/div.md).
 *
 * The provider receives on ZKVM_BUS_OP (zkvm_ops.h) the tuples of
 *     DIV DIVU REM REMU
 * (offset always 0), one per row, and proves c = zkvm_op_eval(opc, x, y) with c's limbs in
 * [0, 2^32), RISC-V's division by zero (quotient all ones, remainder x) and signed overflow
 * (MIN / -1 = MIN, remainder 0) included. It is the narrow path for the divisions: 32 stage-1
 * columns and 17 interactions (65 committed cells per row) against the arith AIR's 52 columns
 * and 35 interactions (112 cells), which proves every M-extension op in one row. The W forms
 * (DIVW DIVUW REMW REMUW) stay with arith (div.md says why).
 *
 * A row proves the unsigned division |x| = Q |y| + R, R < |y| (or y = 0), of the magnitudes,
 * and signs on top of it. Every signed value v with sign bit s is held in ones' complement:
 * v~ = v XOR (2^64 - 1) s (so |v| = v~ + s, and the complement is linear in v's limbs). The
 * quotient and the remainder are held as q~, r~ (16-bit limbs, range-checked) with their signs;
 * the received result is their complement (a linear function of the limbs, so canonical by
 * construction). y is held as 16-bit limbs, x as the tuple's two 32-bit words (the bus's
 * canonical-operand rule, zkvm_ops.h, gives their range); the product q~ y~ is proven in two
 * 32-bit chunks with one carry and its high half zero, the comparison R < |y| by the most
 * significant differing limb of r~ and y~ plus one field inverse.
 *
 * Errors: records are the caller's own data (the emulator's); an invalid record (an op this
 * AIR does not handle, an offset, a c that zkvm_op_eval does not give) is a caller bug and
 * aborts with file and line. Everything returned is allocated and owned by the caller.
 */
#ifndef ZISK_ZKVM_DIV_H
#define ZISK_ZKVM_DIV_H

#include <stddef.h>
#include <stdint.h>

#include "air.h"
#include "gl.h"
#include "zkvm_ops.h"
#include "zkvm_range.h"

/* Builds the provider AIR "div" (max degree 3; free with air_free). Aborts only on a bug. */
air *zkvm_div_air(void);

/* 1 for DIV, DIVU, REM and REMU, 0 for every other value (including ZKVM_OP_NONE and the W
 * forms). */
int zkvm_div_handles(zkvm_op op);

/* The provider has no fixed columns: returns NULL for every log_n. */
gl_t *zkvm_div_fixed(unsigned log_n);

/* The stage-1 trace, column-major: air_n_cols(zkvm_div_air(), AIR_STAGE1) columns of 2^log_n
 * rows (allocated; free()). Row i < n proves recs[i]; rows n.. are padding (all zero: no flag,
 * multiplicity 0, no lookups). Requires 1 <= log_n <= 30 and n <= 2^log_n. Every record must
 * be valid for this AIR (zkvm_div_handles(op), offset 0, zkvm_op_eval gives recs[i].c): aborts
 * otherwise. Adds the rows' range lookups to *rc (must not be NULL). */
gl_t *zkvm_div_trace(const zkvm_op_record *recs, size_t n, unsigned log_n, zkvm_range_counts *rc);

/* Counts into *rc the range lookups the rows of a stage-1 trace (column-major, 2^log_n rows,
 * possibly not made by zkvm_div_trace) make: the limbs y0..y2 and those of q~ and r~, the carry
 * part k0 and the comparison limb d with the row's multiplicity act, and the three sign checks (a_x,
 * (x_hi + 2^31 - 2^32 s_x - a_x) / 2^16, 2 y3 - 2^16 s_y) with the multiplicity act - u of a
 * signed row. Values not in [0, 2^16) and multiplicities other than 0 and 1 are not counted (no
 * honest table could match them); returns how many lookups were skipped that way (0 for an
 * honest trace). Tests use it to give the range AIR the counts of a tampered trace. */
size_t zkvm_div_count_lookups(const gl_t *trace, unsigned log_n, zkvm_range_counts *rc);

#endif
