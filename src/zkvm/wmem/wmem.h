/*
 * wmem.h: the "wmem" provider AIR of the zkVM: word loads and stores at the word-aligned byte
 * offsets 0 and 4 of their 8-byte memory word (docs/zkvm/wmem.md).
 *
 * The provider receives on ZKVM_BUS_OP (zkvm_ops.h) the tuples of
 *     LW LWU LWA (loads: c = the 32-bit half of x at byte offset off, sign- or zero-extended)
 *     SW SWA     (stores: c = x with that half replaced by y_lo)
 * with opc = op + 64 off and off in {0, 4} only, one per row, and proves c = zkvm_op_eval(opc,
 * x, y) with c's limbs in [0, 2^32). LW, LWU and SW at offsets 1..3 (and 5..7 where allowed)
 * stay with the wide shift AIR: a tuple at such an offset finds no receiver here. 16 stage-1
 * columns and 5 lookups into the 16-bit range table (31 committed cells per row) against the
 * shift AIR's 104.
 *
 * A row holds x as four 16-bit limbs x0..x3 (range-checked, so a load's x, which may be an
 * unconstrained input word, is proven canonical), y's 32-bit limbs as received, the result's
 * 32-bit limbs c_lo, c_hi, the offset bit b (off = 4 b), the high 16-bit limb h of the selected
 * half of x and its bit 15 s (looked up as 2 h - 2^16 s). A load's c is the selected half with
 * the fill 0xffffffff s or 0 above it; a store's c is made of x's other half and y_lo. y is not
 * range-checked: the stores rely on the operation bus contract's canonical-operand rule
 * (zkvm_ops.h; docs/PROOFS.md, "Why it is sound", item 4), the loads require y = 0.
 *
 * Errors: records are the caller's own data (the emulator's); an invalid record (an opc this
 * AIR does not handle, a c that zkvm_op_eval does not give) is a caller bug and aborts with
 * file and line. Everything returned is allocated and owned by the caller.
 */
#ifndef ZISK_ZKVM_WMEM_H
#define ZISK_ZKVM_WMEM_H

#include <stddef.h>
#include <stdint.h>

#include "air.h"
#include "gl.h"
#include "zkvm_ops.h"
#include "zkvm_range.h"

/* Builds the provider AIR "wmem" (max degree 3; free with air_free). Aborts only on a bug. */
air *zkvm_wmem_air(void);

/* 1 for LW, LWU, LWA, SW and SWA, 0 for every other value (including ZKVM_OP_NONE). The AIR
 * takes these ops only at offsets 0 and 4: dispatch on zkvm_wmem_handles_opc. */
int zkvm_wmem_handles(zkvm_op op);

/* 1 exactly for the opcs this AIR accepts: zkvm_opc(op, off) with zkvm_wmem_handles(op) and
 * off in {0, 4}; 0 for every other value. */
int zkvm_wmem_handles_opc(uint32_t opc);

/* The provider has no fixed columns: returns NULL for every log_n. */
gl_t *zkvm_wmem_fixed(unsigned log_n);

/* The stage-1 trace, column-major: air_n_cols(zkvm_wmem_air(), AIR_STAGE1) columns of 2^log_n
 * rows (allocated; free()). Row i < n proves recs[i]; rows n.. are padding (all zero: no flag,
 * multiplicity 0, no lookups). Requires 1 <= log_n <= 30 and n <= 2^log_n. Every record must
 * be valid for this AIR (zkvm_wmem_handles_opc(opc), zkvm_op_eval gives recs[i].c): aborts
 * otherwise. Adds the rows' range lookups to *rc (must not be NULL). */
gl_t *zkvm_wmem_trace(const zkvm_op_record *recs, size_t n, unsigned log_n, zkvm_range_counts *rc);

/* Counts into *rc the range lookups the rows of a stage-1 trace (column-major, 2^log_n rows,
 * possibly not made by zkvm_wmem_trace) make: x0..x3 and 2 h - 2^16 s, each with the row's
 * multiplicity (the sum of its op flags). Values not in [0, 2^16) and multiplicities other
 * than 0 and 1 are not counted (no honest table could match them); returns how many lookups
 * were skipped that way (0 for an honest trace). Tests use it to give the range AIR the counts
 * of a tampered trace. */
size_t zkvm_wmem_count_lookups(const gl_t *trace, unsigned log_n, zkvm_range_counts *rc);

#endif
