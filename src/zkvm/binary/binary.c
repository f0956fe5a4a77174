/* binary.c: the byte table AIR (binary.h, docs/zkvm/binary.md). */
#include "binary.h"

#include <stdlib.h>

#include "base.h"
#include "binary_internal.h"

_Static_assert(BUS_BYTE == ZKVM_BINARY_BYTE_BUS && KIND_AND == 0, "binary.h's byte lookup");

uint32_t zkvm_binary_and_row(unsigned a, unsigned b) {
    ZISK_ASSERT(a < 256 && b < 256);
    return table_row(a, b);
}

enum { T_A, T_B, T_R, T_NCOLS };

gl_t *zkvm_binary_table_fixed(void) {
    size_t n = (size_t)1 << ZKVM_BINARY_TABLE_LOG_N;
    gl_t *f = zisk_xmalloc(T_NCOLS * n * sizeof *f);
    for (size_t row = 0; row < n; row++) {
        unsigned a = row & 0xff, b = (unsigned)(row >> 8);
        f[T_A * n + row] = a;
        f[T_B * n + row] = b;
        f[T_R * n + row] = a & b;
    }
    return f;
}

air *zkvm_binary_table_air(void) {
    air_builder *b = air_builder_new("binary_table", 3);
    static const char *const names[T_NCOLS] = {"a", "b", "r"};
    air_expr t[T_NCOLS];
    for (unsigned c = 0; c < T_NCOLS; c++) {
        air_col col = air_col_fixed(b, names[c]);
        ZISK_ASSERT(col.index == c);
        t[c] = air_cur(b, col);
    }
    air_col m = air_col_stage1(b, "m_byte");
    air_expr zero = air_const(b, KIND_AND);
    air_expr tuple[ZKVM_BINARY_BYTE_TUPLE] = {zero, t[T_A], t[T_B], zero, t[T_R], zero};
    air_bus_recv(b, "byte", BUS_BYTE, air_cur(b, m), tuple, ZKVM_BINARY_BYTE_TUPLE);
    zisk_err err;
    air *a = air_build(b, &err);
    if (!a) zisk_panic(__FILE__, __LINE__, "%s", err.msg);
    return a;
}

gl_t *zkvm_binary_table_trace(const zkvm_binary_counts *bc) {
    size_t n = (size_t)1 << ZKVM_BINARY_TABLE_LOG_N;
    gl_t *t = zisk_xmalloc(n * sizeof *t);
    for (size_t i = 0; i < n; i++) t[i] = gl_from_u64(bc->byte[i]);
    return t;
}
