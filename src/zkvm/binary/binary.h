/*
 * binary.h: the byte table AIR of the zkVM (docs/zkvm/binary.md), which the logic provider
 * (logic.h: XOR, OR, AND byte by byte) and the shift provider (shift.h: byte pairs) look up.
 *
 * The table has 2^ZKVM_BINARY_TABLE_LOG_N = 2^16 rows, one per byte pair (a, b), with fixed
 * columns a, b and r = a AND b, and one multiplicity column; it receives (0, a, b, 0, r, 0) on
 * ZKVM_BINARY_BYTE_BUS (the constant entries are the shape the table had while it also served
 * the binary AIR's carry chains, proof versions <= 13; the lookups kept it). A lookup matches a
 * row only when a and b are integers in [0, 256) and r = a AND b, so it range-checks both bytes.
 *
 * Its multiplicities are the number of lookups of each entry made by ALL logic and shift
 * instances of the job: count every record with zkvm_logic_count / zkvm_shift_count_bytes into
 * one zkvm_binary_counts and build the table trace from it (one table instance per job).
 *
 * (Until proof version 13 this header also defined the "binary" provider AIR, kind 5, for
 * compares, min/max and JALR, with ADD kinds in a 2^18-row table: the cmp provider (cmp.h)
 * proves those with 16-bit range lookups, and kind 5 is retired.)
 */
#ifndef ZISK_ZKVM_BINARY_H
#define ZISK_ZKVM_BINARY_H

#include <stddef.h>
#include <stdint.h>

#include "air.h"
#include "gl.h"
#include "zkvm_bus.h"

#define ZKVM_BINARY_TABLE_LOG_N 16

/* How many times each table entry (row zkvm_binary_and_row(a, b)) is looked up. 512 KiB:
 * allocate it with zisk_xcalloc (all zero) and free() it. */
typedef struct zkvm_binary_counts {
    uint64_t byte[1u << ZKVM_BINARY_TABLE_LOG_N];
} zkvm_binary_counts;

/* To check that two values are bytes (and get their AND): send (0, a, b, 0, r, 0) on
 * ZKVM_BINARY_BYTE_BUS and count the lookup into bc->byte[zkvm_binary_and_row(a, b)]. */
#define ZKVM_BINARY_BYTE_BUS (ZKVM_BUS_PRIVATE_BINARY + 0)
#define ZKVM_BINARY_BYTE_TUPLE 6
/* The table row of (a, b): a + 256 b. Requires a, b < 256 (aborts otherwise: a caller bug). */
uint32_t zkvm_binary_and_row(unsigned a, unsigned b);

/* Builds the table AIR "binary_table" (free with air_free). */
air *zkvm_binary_table_air(void);

/* Its fixed columns a, b, r, column-major, 2^ZKVM_BINARY_TABLE_LOG_N rows (allocated; free()). */
gl_t *zkvm_binary_table_fixed(void);

/* Its stage-1 trace (the multiplicity column; allocated, free()). */
gl_t *zkvm_binary_table_trace(const zkvm_binary_counts *bc);

#endif
