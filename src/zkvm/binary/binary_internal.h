/*
 * binary_internal.h: what the binary AIR, the logic AIR and the byte table AIR of this library
 * share (not part of the library's interface): the private bus ids and the byte table's
 * layout.
 */
#ifndef ZISK_ZKVM_BINARY_INTERNAL_H
#define ZISK_ZKVM_BINARY_INTERNAL_H

#include <stdint.h>

#include "air.h"
#include "base.h"
#include "zkvm_bus.h"

/* Private buses: the binary AIR's byte lookups of bytes 0-2 and 4-6 (and all eight of the
 * logic AIR's), of byte 3 (with the bit-31 outputs the W forms need) and of byte 7 (with the
 * signed comparison bit). Three tuple shapes, three ids (one tuple length per bus,
 * docs/AIR.md). */
enum {
    BUS_BYTE = ZKVM_BUS_PRIVATE_BINARY + 0,
    BUS_MID = ZKVM_BUS_PRIVATE_BINARY + 1,
    BUS_TOP = ZKVM_BUS_PRIVATE_BINARY + 2,
};

/* Table kinds: what r and carry_out are as functions of (a, b, carry_in). */
enum { KIND_AND = 0, KIND_ADD = 1, KIND_ADD_EVEN = 2 };

/* Layout of the 2^18 rows: [0, 2^16) KIND_AND (carry_in 0), [2^16, 3*2^16) KIND_ADD (carry_in
 * = bit 16 of row - 2^16), [3*2^16, 2^18) KIND_ADD_EVEN (carry_in 0); a = row bits 0-7, b = row
 * bits 8-15. Every (kind, a, b, carry_in) the provider can look up has exactly one row. */
static inline uint32_t table_row(unsigned kind, unsigned a, unsigned b, unsigned cin) {
    uint32_t ab = a | (b << 8);
    switch (kind) {
    case KIND_AND: ZISK_ASSERT(cin == 0); return ab;
    case KIND_ADD: return (1u << 16) + (cin << 16) + ab;
    default: ZISK_ASSERT(kind == KIND_ADD_EVEN && cin == 0); return (3u << 16) + ab;
    }
}

/* sum_{i < 4} 2^(8 i) * column (first + off + i): a 32-bit limb from its byte columns. */
static inline air_expr byte_limb(air_builder *b, air_col first, uint32_t off) {
    air_expr e = air_const(b, 0);
    for (uint32_t i = 0; i < 4; i++)
        e = air_add(b, e, air_mul(b, air_const(b, (gl_t)1 << (8 * i)), air_cur(b, air_col_at(first, off + i))));
    return e;
}

#endif
