/*
 * shift.h: the shift provider AIR of the zkVM ("shift"). It receives on ZKVM_BUS_OP
 * (zkvm_ops.h) the tuples of the shifts SLL, SRL, SRA, SLLW, SRLW, SRAW and of the memory
 * alignment operations LB, LH, LW, LD, LBU, LHU, LWU, LWA (extraction from an aligned word)
 * and SB, SH, SW, SWA (insertion into an aligned word), and proves c = zkvm_op_eval(opc, x, y)
 * with every limb in [0, 2^32). docs/zkvm/shift.md has the columns, the constraints and the
 * soundness argument.
 *
 * Idea in one line: every one of these operations is "multiply x by a power of two M <= 256,
 * then pick bytes": the 9 bytes of T = x * M (a 72-bit integer, range-checked byte by byte)
 * shifted by a whole number of bytes d (a one-hot column set: the byte shift of a shift, the
 * offset of a memory op) give the result bytes, plus a sign fill. One row per operation.
 *
 * Range checks go to the 16-bit range table AIR (zkvm_range.h), which the trace builder counts
 * into a zkvm_range_counts, and, for the bytes, by pairs to the binary AIR's byte table
 * (binary.h), which zkvm_shift_count_bytes counts from the records (one table instance per job,
 * shared with the binary and logic AIRs). No fixed columns.
 *
 * Errors: building the AIR cannot fail (a failure is a bug and aborts). The trace builder takes
 * records from our own emulator/main trace: an invalid record (an op this AIR does not prove,
 * zkvm_op_eval refusing it, a wrong c) is the caller's bug and aborts with ZISK_ASSERT.
 */
#ifndef ZISK_ZKVM_SHIFT_H
#define ZISK_ZKVM_SHIFT_H

#include <stddef.h>

#include "air.h"
#include "gl.h"
#include "binary.h"
#include "zkvm_ops.h"
#include "zkvm_range.h"

/* Range lookups the AIR makes on every row (padding rows included, with value 0), byte-table
 * lookups on every used row (byte pairs, binary.h), and the interactions per row (those plus
 * the one receive on ZKVM_BUS_OP). */
#define ZKVM_SHIFT_RANGE_LOOKUPS 9u
#define ZKVM_SHIFT_BYTE_LOOKUPS 7u
#define ZKVM_SHIFT_INTERACTIONS (ZKVM_SHIFT_RANGE_LOOKUPS + ZKVM_SHIFT_BYTE_LOOKUPS + 1u)

/* Builds the AIR (max degree 3; free with air_free). Aborts only on a bug. */
air *zkvm_shift_air(void);

/* 1 for the operations this AIR proves (the 6 shifts and the 12 load/store alignment ops),
 * else 0. */
int zkvm_shift_handles(zkvm_op op);

/* The AIR has no fixed column: returns NULL. */
gl_t *zkvm_shift_fixed(unsigned log_n);

/* The stage-1 trace: column-major, air_n_cols(zkvm_shift_air(), AIR_STAGE1) columns of 2^log_n
 * rows (allocated; the caller free()s it). Row i < n proves recs[i]; rows n..2^log_n-1 are
 * padding (multiplicity 0). Needs n <= 2^log_n and 1 <= log_n <= 26. Every record must be valid
 * for this AIR (zkvm_shift_handles(op), zkvm_op_eval accepts it and gives recs[i].c): aborts
 * otherwise. Adds ZKVM_SHIFT_RANGE_LOOKUPS lookups per row, padding included, to *rc. */
gl_t *zkvm_shift_trace(const zkvm_op_record *recs, size_t n, unsigned log_n,
                       zkvm_range_counts *rc);

/* Adds the byte-table lookups of the rows zkvm_shift_trace makes for recs[0..n)
 * (ZKVM_SHIFT_BYTE_LOOKUPS per record; padding rows make none) to *bc. Same record validity as
 * zkvm_shift_trace. Not thread-safe on one bc. */
void zkvm_shift_count_bytes(zkvm_binary_counts *bc, const zkvm_op_record *recs, size_t n);

#endif
