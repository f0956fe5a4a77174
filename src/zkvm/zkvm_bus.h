/*
 * zkvm_bus.h: bus ids and tuple layouts shared by the zkVM's AIRs (docs/PROOFS.md, "Buses").
 * Values are part of the proof format: never reuse one for another meaning.
 *
 *   ZKVM_BUS_ROM      (upc, op, ra, rb, rc, imm_lo, imm_hi, next, target, flags)
 *                     main sends one per active row; the program AIR receives (its code rows).
 *   ZKVM_BUS_MEM      (addr, t, v_lo, v_hi, wr)
 *                     the memop AIR sends the guest memory accesses, the program AIR sends the
 *                     initial-data writes (t = 0), the boundary AIR sends the final reads of the
 *                     output words; the memory AIR receives every one, sorted by (addr, t).
 *   ZKVM_BUS_REG      (reg, t, v_lo, v_hi): register accesses, checked in place (no sorted
 *                     AIR): every access receives the tuple of the register's previous access
 *                     (t_prev < t, range-checked by main) and sends its own; the boundary AIR
 *                     sends (reg, 0, 0, 0) for every register and receives its final tuple.
 *   ZKVM_BUS_OP       (opc, x_lo, x_hi, y_lo, y_hi, c_lo, c_hi): zkvm_ops.h.
 *   ZKVM_BUS_MEMOP    (code, a_lo, a_hi, imm_lo, imm_hi, vb_lo, vb_hi, c_lo, c_hi, step): main
 *                     sends one per memory uop (code = op + 512 kind, zkvm_rom.h); the memop
 *                     AIR receives it and makes the accesses (docs/PROOFS.md, "memop").
 *   ZKVM_BUS_RANGE16  (v): the range AIR receives every v in [0, 2^16). To check v < 2^b
 *                     (b < 16) send both v and v * 2^(16-b) (zkvm_range.h says why).
 *   (ids 5, 6, 7 were the segment-chain and halt buses of proof versions <= 5; segments and
 *   the halt are now linked through public values, docs/PROOFS.md "Segments": never reuse)
 * Provider AIRs may use private buses: ZKVM_BUS_PRIVATE_BINARY.. and ZKVM_BUS_PRIVATE_ARITH..
 * (8 ids each).
 */
#ifndef ZISK_ZKVM_BUS_H
#define ZISK_ZKVM_BUS_H

enum {
    ZKVM_BUS_ROM = 1,
    ZKVM_BUS_MEM = 2,
    ZKVM_BUS_OP = 3,
    ZKVM_BUS_RANGE16 = 4,
    ZKVM_BUS_REG = 8,
    ZKVM_BUS_MEMOP = 9,
    ZKVM_BUS_PRIVATE_BINARY = 16, /* 16..23 */
    ZKVM_BUS_PRIVATE_ARITH = 24,  /* 24..31 */
};

#endif
