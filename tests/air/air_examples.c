/* air_examples.c: see air_examples.h. */
#include "air_examples.h"

#include <stdlib.h>

/* AIR definitions are our code: a build failure is a bug. */
static air *must_build(air_builder *b) {
    zisk_err err = {{0}};
    air *a = air_build(b, &err);
    if (!a) zisk_panic(__FILE__, __LINE__, "%s", err.msg);
    return a;
}

air *air_ex_fib(void) {
    air_builder *b = air_builder_new("fibonacci", 2);
    air_col ca = air_col_stage1(b, "a"), cb = air_col_stage1(b, "b");
    uint32_t p0 = air_public_new(b, "a0"), p1 = air_public_new(b, "a1");
    uint32_t pr = air_public_new(b, "result");
    air_expr a = air_cur(b, ca), bb = air_cur(b, cb);
    air_constrain(b, AIR_FIRST_ROW, "first_a", air_sub(b, a, air_public(b, p0)));
    air_constrain(b, AIR_FIRST_ROW, "first_b", air_sub(b, bb, air_public(b, p1)));
    air_constrain(b, AIR_TRANSITION, "step_a", air_sub(b, air_next(b, ca), bb));
    air_constrain(b, AIR_TRANSITION, "step_b", air_sub(b, air_next(b, cb), air_add(b, a, bb)));
    air_constrain(b, AIR_LAST_ROW, "last", air_sub(b, bb, air_public(b, pr)));
    return must_build(b);
}

gl_t air_ex_fib_trace(size_t n, gl_t a0, gl_t a1, gl_t *cols) {
    gl_t a = a0, b = a1;
    for (size_t r = 0; r < n; r++) {
        cols[r] = a;
        cols[n + r] = b;
        gl_t t = gl_add(a, b);
        a = b;
        b = t;
    }
    return cols[2 * n - 1];
}

air *air_ex_lookup_main(void) {
    air_builder *b = air_builder_new("lookup_main", 3);
    air_col csel = air_col_stage1(b, "sel");
    air_col cx = air_cols_stage1(b, "x", AIR_EX_MAIN_LOOKUPS);
    air_col cy = air_cols_stage1(b, "y", AIR_EX_MAIN_LOOKUPS);
    air_expr sel = air_cur(b, csel);
    air_constrain(b, AIR_EVERY_ROW, "sel_bool",
                  air_mul(b, sel, air_sub(b, air_const(b, 1), sel)));
    for (uint32_t k = 0; k < AIR_EX_MAIN_LOOKUPS; k++) {
        air_expr t[2] = {air_cur(b, air_col_at(cx, k)), air_cur(b, air_col_at(cy, k))};
        char name[16] = "lookup0";
        name[6] = (char)('0' + k);
        air_bus_send(b, name, AIR_EX_LOOKUP_BUS, sel, t, 2);
    }
    return must_build(b);
}

air *air_ex_lookup_table(void) {
    air_builder *b = air_builder_new("lookup_table", 3);
    air_col cX = air_col_fixed(b, "X"), cY = air_col_fixed(b, "Y");
    air_col cm = air_col_stage1(b, "mult");
    air_expr t[2] = {air_cur(b, cX), air_cur(b, cY)};
    air_bus_recv(b, "table", AIR_EX_LOOKUP_BUS, air_cur(b, cm), t, 2);
    return must_build(b);
}

void air_ex_lookup_table_fixed(gl_t *fixed) {
    size_t n = (size_t)1 << AIR_EX_LOG_TABLE;
    for (size_t i = 0; i < n; i++) {
        fixed[i] = i;
        fixed[n + i] = (i * i) & 0xFFFF;
    }
}

void air_ex_lookup_main_trace(size_t n, uint64_t seed, gl_t *cols, gl_t *mult) {
    uint64_t s = seed;
    size_t tn = (size_t)1 << AIR_EX_LOG_TABLE;
    for (size_t r = 0; r < n; r++) {
        gl_t sel = air_ex_rand(&s) & 1;
        cols[r] = sel;
        for (size_t k = 0; k < AIR_EX_MAIN_LOOKUPS; k++) {
            uint64_t x = air_ex_rand(&s) & (tn - 1);
            cols[(1 + k) * n + r] = x;
            cols[(1 + AIR_EX_MAIN_LOOKUPS + k) * n + r] = (x * x) & 0xFFFF;
            if (sel) mult[x] = gl_add(mult[x], 1);
        }
    }
}

air *air_ex_perm_send(void) {
    air_builder *b = air_builder_new("perm_send", 2);
    air_expr v = air_cur(b, air_col_stage1(b, "v"));
    air_bus_send(b, "values", AIR_EX_PERM_BUS, air_const(b, 1), &v, 1);
    return must_build(b);
}

air *air_ex_perm_recv(void) {
    air_builder *b = air_builder_new("perm_recv", 2);
    air_expr w = air_cur(b, air_col_stage1(b, "w"));
    air_bus_recv(b, "values", AIR_EX_PERM_BUS, air_const(b, 1), &w, 1);
    return must_build(b);
}
