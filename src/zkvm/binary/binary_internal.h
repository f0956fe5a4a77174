/*
 * binary_internal.h: what the logic AIR and the byte table AIR of this library share (not part
 * of the library's interface): the table's bus and layout, and a helper.
 */
#ifndef ZISK_ZKVM_BINARY_INTERNAL_H
#define ZISK_ZKVM_BINARY_INTERNAL_H

#include <stdint.h>

#include "air.h"
#include "base.h"
#include "zkvm_bus.h"

/* The table's private bus (binary.h: ZKVM_BINARY_BYTE_BUS). */
enum { BUS_BYTE = ZKVM_BUS_PRIVATE_BINARY + 0 };

/* The first entry of every byte lookup (the table had other kinds until proof version 13). */
enum { KIND_AND = 0 };

/* Row of the byte pair (a, b): a = row bits 0-7, b = row bits 8-15. */
static inline uint32_t table_row(unsigned a, unsigned b) { return a | (b << 8); }

/* sum_{i < 4} 2^(8 i) * column (first + off + i): a 32-bit limb from its byte columns. */
static inline air_expr byte_limb(air_builder *b, air_col first, uint32_t off) {
    air_expr e = air_const(b, 0);
    for (uint32_t i = 0; i < 4; i++)
        e = air_add(b, e, air_mul(b, air_const(b, (gl_t)1 << (8 * i)), air_cur(b, air_col_at(first, off + i))));
    return e;
}

#endif
