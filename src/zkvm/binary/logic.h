/*
 * logic.h: the "logic" provider AIR of the zkVM: XOR, OR and AND (docs/zkvm/logic.md).
 *
 * The provider receives on ZKVM_BUS_OP (zkvm_ops.h) the tuples of XOR, OR and AND (offset
 * always 0), one per row, and proves c = zkvm_op_eval(opc, x, y). A row holds the bytes of x
 * and y and, for each byte position, r = x_i AND y_i, which it looks up in the binary AIR's byte
 * table (binary.h: 8 lookups on the table's "byte" bus, table kind AND); the lookups also
 * range-check every byte. Then XOR = x + y - 2 r and OR = x + y - r byte by byte. 29 stage-1
 * columns and 9 interactions, against the binary AIR's 64 columns for the same ops.
 *
 * The table's multiplicities count the lookups of every binary AND logic instance of the job:
 * add zkvm_logic_count of every logic record to the same zkvm_binary_counts as the binary
 * records (one table instance per job).
 *
 * Errors: records are the caller's own data (the emulator's); an invalid record (an op this
 * AIR does not handle, an offset, a c that zkvm_op_eval does not give) is a caller bug and
 * aborts with file and line. Everything returned is allocated and owned by the caller.
 */
#ifndef ZISK_ZKVM_LOGIC_H
#define ZISK_ZKVM_LOGIC_H

#include <stddef.h>
#include <stdint.h>

#include "air.h"
#include "binary.h"
#include "gl.h"
#include "zkvm_ops.h"
#include "zkvm_range.h"

/* Builds the provider AIR "logic" (max degree 3; free with air_free). Aborts only on a bug. */
air *zkvm_logic_air(void);

/* 1 for XOR, OR and AND, 0 for every other value (including ZKVM_OP_NONE). */
int zkvm_logic_handles(zkvm_op op);

/* The provider has no fixed columns: returns NULL for every log_n. */
gl_t *zkvm_logic_fixed(unsigned log_n);

/* The stage-1 trace, column-major: air_n_cols(zkvm_logic_air(), AIR_STAGE1) columns of 2^log_n
 * rows (allocated; free()). Row i < n proves recs[i]; rows n.. are padding (all zero: no flag,
 * multiplicity 0, no lookups). Requires 1 <= log_n <= 30 and n <= 2^log_n. Every record must
 * be valid for this AIR (zkvm_logic_handles(op), offset 0, zkvm_op_eval gives recs[i].c):
 * aborts otherwise. rc is not used (may be NULL: the byte table range-checks everything). */
gl_t *zkvm_logic_trace(const zkvm_op_record *recs, size_t n, unsigned log_n, zkvm_range_counts *rc);

/* Adds the byte-table lookups of recs[0..n) (the rows zkvm_logic_trace makes for them) to *bc.
 * Same record validity as zkvm_logic_trace. Not thread-safe on one bc. */
void zkvm_logic_count(zkvm_binary_counts *bc, const zkvm_op_record *recs, size_t n);

/* The same from a stage-1 trace (2^log_n rows, possibly not made by zkvm_logic_trace: tests
 * count a tampered trace with it). A lookup whose entries are not bytes, or a row whose
 * multiplicity is not 0 or 1, has no table row and is not counted; returns how many lookups
 * were skipped that way (0 for an honest trace). The r entry is not checked: a lookup with a
 * wrong r is counted at (a, b), which is what makes the job's bus unbalanced. */
size_t zkvm_logic_count_trace(zkvm_binary_counts *bc, const gl_t *trace, unsigned log_n);

#endif
