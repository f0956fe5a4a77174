/*
 * binary.h: the "binary" provider AIR of the zkVM and its byte table AIR (docs/zkvm/binary.md).
 *
 * The provider receives on ZKVM_BUS_OP (zkvm_ops.h) the tuples of the 22 operations
 *     ADD SUB SLT SLTU XOR OR AND ADDW SUBW EQ NE GE GEU MIN MAX MINU MAXU
 *     MINW MAXW MINUW MAXUW JALR
 * (offset always 0), one per row, and proves c = zkvm_op_eval(opc, x, y) with every limb in
 * [0, 2^32). Each row splits x and b (= y, or ~y for the subtracting ops) into bytes and looks
 * up, for each byte position, (kind, a, b, carry_in, r, carry_out) in a private byte table:
 * kind 0 gives r = a AND b, kind 1 gives r + 256 carry_out = a + b + carry_in, kind 2 (byte 0
 * of JALR) the same with bit 0 of r cleared. The lookups range-check all 24 bytes and prove
 * the carry chain, so the row holds x + b + carry_in mod 2^64 (or x AND y) byte by byte; the
 * result c is then a degree <= 3 expression of those columns selected by one-hot op flags.
 *
 * The byte table is a separate AIR (zkvm_binary_table_air, 2^ZKVM_BINARY_TABLE_LOG_N rows,
 * fixed columns) that receives on three private buses (ZKVM_BUS_PRIVATE_BINARY + 0..2) with
 * one multiplicity column each. Its multiplicities are the number of lookups of each entry
 * made by ALL binary, logic and shift instances of the job: count every record with
 * zkvm_binary_count (zkvm_logic_count, zkvm_shift_count_bytes) into one zkvm_binary_counts and
 * build the table trace from it (one table instance per job).
 *
 * This provider makes no ZKVM_BUS_RANGE16 lookups (its byte table range-checks everything);
 * zkvm_binary_trace takes a zkvm_range_counts only for the common provider signature and leaves
 * it untouched.
 *
 * Errors: records are the caller's own data (the emulator's); an invalid record (an op this
 * AIR does not handle, an offset, a c that zkvm_op_eval does not give) is a caller bug and
 * aborts with file and line. Everything returned is allocated and owned by the caller.
 */
#ifndef ZISK_ZKVM_BINARY_H
#define ZISK_ZKVM_BINARY_H

#include <stddef.h>
#include <stdint.h>

#include "air.h"
#include "gl.h"
#include "zkvm_bus.h"
#include "zkvm_ops.h"
#include "zkvm_range.h"

/* ------------------------------------------------------------------------------------------ */
/* The provider AIR                                                                             */
/* ------------------------------------------------------------------------------------------ */

/* Builds the provider AIR "binary" (max degree 3; free with air_free). Aborts only on a bug. */
air *zkvm_binary_air(void);

/* 1 for the 22 operations above, 0 for every other value (including ZKVM_OP_NONE). */
int zkvm_binary_handles(zkvm_op op);

/* The provider has no fixed columns: returns NULL for every log_n. */
gl_t *zkvm_binary_fixed(unsigned log_n);

/* The stage-1 trace, column-major: air_n_cols(zkvm_binary_air(), AIR_STAGE1) columns of 2^log_n
 * rows (allocated; free()). Row i < n proves recs[i]; rows n.. are padding (all zero, no flag:
 * multiplicity 0, no lookups). Requires 1 <= log_n <= 30 and n <= 2^log_n. Every record must
 * be valid for this AIR (zkvm_binary_handles(op), offset 0, zkvm_op_eval gives recs[i].c):
 * aborts otherwise. rc is not used (may be NULL). */
gl_t *zkvm_binary_trace(const zkvm_op_record *recs, size_t n, unsigned log_n,
                        zkvm_range_counts *rc);

/* ------------------------------------------------------------------------------------------ */
/* The byte table AIR                                                                           */
/* ------------------------------------------------------------------------------------------ */

#define ZKVM_BINARY_TABLE_LOG_N 18

/* How many times each table entry is looked up on each of the three private buses (8 lookups
 * per record: bytes 0-2 and 4-6 on the first, byte 3 on the second, byte 7 on the third).
 * About 6 MiB: allocate it with zisk_xcalloc (all zero) and free() it. */
typedef struct zkvm_binary_counts {
    uint64_t byte[1u << ZKVM_BINARY_TABLE_LOG_N];
    uint64_t mid[1u << ZKVM_BINARY_TABLE_LOG_N];
    uint64_t top[1u << ZKVM_BINARY_TABLE_LOG_N];
} zkvm_binary_counts;

/* Adds the lookups of recs[0..n) (the rows zkvm_binary_trace makes for them) to *bc. Call it
 * once for every record proven by any binary instance of the job. Same record validity as
 * zkvm_binary_trace (aborts otherwise). Not thread-safe on one bc. */
void zkvm_binary_count(zkvm_binary_counts *bc, const zkvm_op_record *recs, size_t n);

/* Other AIRs may use the table to check that two values are bytes (and get their AND): send
 * (0, a, b, 0, r, 0) on ZKVM_BINARY_BYTE_BUS; a table row matches only when a and b are
 * integers in [0, 256) and r = a AND b. Count each such lookup into bc->byte at the row
 * zkvm_binary_and_row(a, b) (the logic and shift AIRs do). */
#define ZKVM_BINARY_BYTE_BUS (ZKVM_BUS_PRIVATE_BINARY + 0)
#define ZKVM_BINARY_BYTE_TUPLE 6
uint32_t zkvm_binary_and_row(unsigned a, unsigned b);

/* Builds the table AIR "binary_table" (max degree 3; free with air_free). */
air *zkvm_binary_table_air(void);

/* Its fixed columns, column-major, 2^ZKVM_BINARY_TABLE_LOG_N rows (allocated; free()). */
gl_t *zkvm_binary_table_fixed(void);

/* Its stage-1 trace (the three multiplicity columns, column-major; allocated, free()). */
gl_t *zkvm_binary_table_trace(const zkvm_binary_counts *bc);

#endif
