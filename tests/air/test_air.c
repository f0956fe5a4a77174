/*
 * test_air.c: the AIR layer (src/air): builder (degrees, hash-consing, errors), bus stage 2,
 * the checker on honest and corrupted traces of the example AIRs, the global bus-sum rule, and
 * the batched quotient evaluator and point evaluator against the row-by-row reference.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "air.h"
#include "air_examples.h"
#include "air_internal.h"

/* ------------------------------------------------------------------------------------------ */
/* Helpers                                                                                      */
/* ------------------------------------------------------------------------------------------ */

static gl_t rnd_gl(uint64_t *s) { return gl_from_u64(air_ex_rand(s)); }
static gl3_t rnd_gl3(uint64_t *s) {
    gl3_t x = {{rnd_gl(s), rnd_gl(s), rnd_gl(s)}};
    return x;
}

/* One instance of an AIR: column-major trace, values, stage 2. */
typedef struct inst {
    air *a;
    size_t n;
    gl_t *s1, *fx, *s2;
    gl_t pub[4];
    gl3_t bus_sum;
} inst;

static void inst_init(inst *I, air *a, size_t n) {
    memset(I, 0, sizeof *I);
    I->a = a;
    I->n = n;
    I->s1 = calloc(air_n_cols(a, AIR_STAGE1) * n + 1, sizeof(gl_t));
    I->fx = calloc(air_n_cols(a, AIR_FIXED) * n + 1, sizeof(gl_t));
    I->s2 = calloc(air_n_cols(a, AIR_STAGE2) * n + 1, sizeof(gl_t));
}

static void inst_free(inst *I) {
    free(I->s1);
    free(I->fx);
    free(I->s2);
}

static air_view inst_view(const inst *I) { return air_view_col_major(I->s1, I->fx, I->s2, I->n); }

static air_values inst_vals(const inst *I, const gl3_t *ch) {
    air_values v = {I->pub, ch, I->bus_sum, 0};
    return v;
}

static void inst_stage2(inst *I, const gl3_t *ch) {
    air_view v = inst_view(I);
    air_values vals = inst_vals(I, ch);
    zisk_err err = {{0}};
    assert_int_equal(air_stage2_generate(I->a, &v, &vals, I->s2, &I->bus_sum, &err), 0);
}

/* Runs the checker; returns its result and fills *f. */
static int inst_check(const inst *I, const gl3_t *ch, air_failure *f) {
    air_view v = inst_view(I);
    air_values vals = inst_vals(I, ch);
    zisk_err err = {{0}};
    memset(f, 0, sizeof *f);
    int rc = air_check(I->a, &v, &vals, f, &err);
    if (rc) {
        assert_non_null(strstr(err.msg, f->name));
        assert_non_null(strstr(err.msg, air_name(I->a)));
    }
    return rc;
}

static void expect_fail(const inst *I, const gl3_t *ch, const char *name, size_t row) {
    air_failure f;
    assert_int_equal(inst_check(I, ch, &f), 1);
    if (strcmp(f.name, name) != 0 || f.row != row)
        fail_msg("expected '%s' at row %zu, got '%s' at row %zu", name, row, f.name, f.row);
    assert_false(gl3_is_zero(f.value));
}

static void expect_pass(const inst *I, const gl3_t *ch) {
    air_failure f;
    if (inst_check(I, ch, &f) != 0) fail_msg("unexpected failure '%s' at row %zu", f.name, f.row);
}

static void rand_challenges(uint64_t seed, gl3_t ch[AIR_N_CHALLENGES]) {
    uint64_t s = seed;
    for (int i = 0; i < AIR_N_CHALLENGES; i++) ch[i] = rnd_gl3(&s);
}

static uint32_t constraint_index(const air *a, const char *name) {
    for (uint32_t k = 0; k < air_n_constraints(a); k++)
        if (strcmp(air_constraint_name(a, k), name) == 0) return k;
    fail_msg("no constraint '%s'", name);
    return 0;
}

/* ------------------------------------------------------------------------------------------ */
/* Builder                                                                                      */
/* ------------------------------------------------------------------------------------------ */

static void test_builder_sharing(void **state) {
    (void)state;
    air_builder *b = air_builder_new("share", 3);
    air_col cx = air_col_stage1(b, "x"), cy = air_col_stage1(b, "y");
    air_expr x = air_cur(b, cx), y = air_cur(b, cy);
    air_expr one = air_const(b, 1);
    assert_int_equal(air_sub(b, one, x), air_sub(b, one, x));
    assert_int_equal(air_add(b, x, y), air_add(b, y, x));
    assert_int_equal(air_mul(b, x, y), air_mul(b, y, x));
    assert_int_not_equal(air_sub(b, x, y), air_sub(b, y, x));
    assert_int_equal(air_add(b, air_const(b, 2), air_const(b, 3)), air_const(b, 5));
    assert_int_equal(air_mul(b, x, one), x);
    assert_int_equal(air_add(b, x, air_const(b, 0)), x);
    assert_int_equal(air_mul(b, x, air_const(b, 0)), air_const(b, 0));
    assert_int_equal(air_neg(b, air_neg(b, x)), x);
    assert_int_equal(air_const_i64(b, -1), air_const(b, GL_P - 1));
    assert_int_not_equal(air_cur(b, cx), air_next(b, cx));
    air_constrain(b, AIR_EVERY_ROW, "c", air_mul(b, x, air_sub(b, one, x)));
    zisk_err err = {{0}};
    air *a = air_build(b, &err);
    assert_non_null(a);
    assert_int_equal(air_n_cols(a, AIR_STAGE1), 2);
    assert_string_equal(air_col_name(a, AIR_STAGE1, 1), "y");
    assert_int_equal(air_n_cols(a, AIR_STAGE2), 0);
    air_free(a);

    b = air_builder_new("pubs", 2);
    assert_int_equal(air_public_new(b, "first"), 0);
    assert_int_equal(air_publics_new(b, "out", 64), 1);
    air_expr o = air_cur(b, air_col_stage1(b, "o"));
    air_constrain(b, AIR_EVERY_ROW, "o", air_sub(b, o, air_public(b, 64)));
    a = air_build(b, &err);
    assert_int_equal(air_n_publics(a), 65);
    assert_string_equal(air_public_name(a, 64), "out[63]");
    air_free(a);
}

static void test_builder_degrees(void **state) {
    (void)state;
    zisk_err err = {{0}};
    /* A cube under max degree 2 fails, naming the constraint. */
    air_builder *b = air_builder_new("deg", 2);
    air_expr x = air_cur(b, air_col_stage1(b, "x"));
    air_constrain(b, AIR_EVERY_ROW, "fine", air_mul(b, x, x));
    air_constrain(b, AIR_EVERY_ROW, "cube", air_mul(b, x, air_mul(b, x, x)));
    assert_null(air_build(b, &err));
    assert_non_null(strstr(err.msg, "'cube'"));
    assert_non_null(strstr(err.msg, "degree 3"));

    /* A boundary constraint counts its selector. */
    b = air_builder_new("deg", 2);
    x = air_cur(b, air_col_stage1(b, "x"));
    air_constrain(b, AIR_FIRST_ROW, "sq_first", air_mul(b, x, x));
    assert_null(air_build(b, &err));
    assert_non_null(strstr(err.msg, "'sq_first'"));
    assert_non_null(strstr(err.msg, "selector"));

    /* Accepted under 3: the degrees are reported. */
    b = air_builder_new("deg", 3);
    air_col cx = air_col_stage1(b, "x");
    x = air_cur(b, cx);
    air_expr pub = air_public(b, air_public_new(b, "p"));
    air_constrain(b, AIR_FIRST_ROW, "sq_first", air_mul(b, x, x));
    air_constrain(b, AIR_TRANSITION, "step", air_sub(b, air_next(b, cx), air_mul(b, x, x)));
    air_constrain(b, AIR_LAST_ROW, "lin", air_sub(b, x, pub));
    air *a = air_build(b, &err);
    assert_non_null(a);
    assert_int_equal(air_constraint_degree(a, 0), 2);
    assert_int_equal(air_constraint_effective_degree(a, 0), 3);
    assert_int_equal(air_constraint_effective_degree(a, 1), 2);
    assert_int_equal(air_constraint_degree(a, 2), 1);
    assert_int_equal(air_constraint_effective_degree(a, 2), 2);
    assert_int_equal(air_degree(a), 3);
    assert_int_equal(air_quotient_chunks(a), 2);
    assert_int_equal(air_constraint_kind(a, 1), AIR_TRANSITION);
    air_free(a);

    /* An interaction that alone exceeds the bound is named. */
    b = air_builder_new("deg", 2);
    x = air_cur(b, air_col_stage1(b, "x"));
    air_bus_send(b, "too_big", 7, air_mul(b, x, air_mul(b, x, x)), &x, 1);
    assert_null(air_build(b, &err));
    assert_non_null(strstr(err.msg, "'too_big'"));
    assert_non_null(strstr(err.msg, "bus 7"));

    /* Linear interactions of degree-1 multiplicities: 2 per helper under 3, 1 under 2;
     * constant multiplicities: 2 per helper under 3 (degree 1 + 2). */
    for (unsigned d = 2; d <= 4; d++) {
        b = air_builder_new("groups", d);
        air_col c = air_cols_stage1(b, "c", 5);
        for (uint32_t i = 0; i < 5; i++) {
            air_expr v = air_cur(b, air_col_at(c, i));
            air_bus_send(b, "s", 1, v, &v, 1);
        }
        a = air_build(b, &err);
        assert_non_null(a);
        uint32_t per = d - 1; /* k interactions: max(1 + k, 1 + (k - 1)) = k + 1 <= d */
        assert_int_equal(air_n_bus_groups(a), (5 + per - 1) / per);
        assert_int_equal(air_n_cols(a, AIR_STAGE2), 3 * air_n_bus_groups(a)); /* last group folded */
        for (uint32_t k = 0; k < air_n_constraints(a); k++)
            assert_true(air_constraint_effective_degree(a, k) <= d);
        air_free(a);
    }
}

static void test_examples_shape(void **state) {
    (void)state;
    air *m = air_ex_lookup_main(), *t = air_ex_lookup_table(), *f = air_ex_fib();
    assert_int_equal(air_n_interactions(m), 3);
    assert_int_equal(air_n_bus_groups(m), 2);
    assert_int_equal(air_n_cols(m, AIR_STAGE2), 6); /* helper 0, then acc (group 1 folded into it) */
    assert_int_equal(air_n_bus_groups(t), 1);
    assert_int_equal(air_n_cols(t, AIR_STAGE2), 3);
    assert_int_equal(air_n_cols(t, AIR_FIXED), 2);
    assert_string_equal(air_col_name(m, AIR_STAGE1, 1), "x[0]");
    assert_string_equal(air_col_name(m, AIR_STAGE2, 2), "bus_h0.c2");
    assert_string_equal(air_col_name(m, AIR_STAGE2, 5), "bus_acc.c2");
    assert_int_equal(air_degree(m), 3);
    assert_int_equal(air_degree(f), 2);
    assert_int_equal(air_quotient_chunks(f), 1);
    assert_int_equal(air_n_cols(f, AIR_STAGE2), 0);
    assert_string_equal(air_constraint_name(m, air_n_constraints(m) - 1), "bus_acc");
    air_free(m);
    air_free(t);
    air_free(f);
}

/* ------------------------------------------------------------------------------------------ */
/* Fibonacci                                                                                    */
/* ------------------------------------------------------------------------------------------ */

static void test_fib(void **state) {
    (void)state;
    const size_t n = 64;
    inst I;
    inst_init(&I, air_ex_fib(), n);
    I.pub[0] = 3;
    I.pub[1] = 5;
    I.pub[2] = air_ex_fib_trace(n, 3, 5, I.s1);
    expect_pass(&I, NULL);

    gl_t *a = I.s1, *bcol = I.s1 + n;
    a[10] = gl_add(a[10], 1);
    expect_fail(&I, NULL, "step_a", 9);
    a[10] = gl_sub(a[10], 1);
    bcol[10] = gl_add(bcol[10], 1);
    expect_fail(&I, NULL, "step_b", 9);
    bcol[10] = gl_sub(bcol[10], 1);
    bcol[n - 1] = gl_add(bcol[n - 1], 1);
    expect_fail(&I, NULL, "step_b", n - 2);
    bcol[n - 1] = gl_sub(bcol[n - 1], 1);
    a[0] = 4;
    expect_fail(&I, NULL, "first_a", 0);
    a[0] = 3;
    expect_pass(&I, NULL);

    I.pub[0] = 4;
    expect_fail(&I, NULL, "first_a", 0);
    I.pub[0] = 3;
    I.pub[1] = 6;
    expect_fail(&I, NULL, "first_b", 0);
    I.pub[1] = 5;
    I.pub[2] = gl_add(I.pub[2], 1);
    air_failure f;
    assert_int_equal(inst_check(&I, NULL, &f), 1);
    assert_string_equal(f.name, "last");
    assert_int_equal(f.row, n - 1);
    assert_int_equal(f.kind, AIR_LAST_ROW);
    assert_true(gl3_eq(f.value, gl3_from_base(GL_P - 1)));
    air_free(I.a);
    inst_free(&I);
}

/* ------------------------------------------------------------------------------------------ */
/* Lookup                                                                                       */
/* ------------------------------------------------------------------------------------------ */

typedef struct lookup_job {
    inst main, table;
    gl3_t ch[AIR_N_CHALLENGES];
} lookup_job;

static void lookup_job_init(lookup_job *J, size_t n, uint64_t seed) {
    size_t tn = (size_t)1 << AIR_EX_LOG_TABLE;
    inst_init(&J->main, air_ex_lookup_main(), n);
    inst_init(&J->table, air_ex_lookup_table(), tn);
    air_ex_lookup_table_fixed(J->table.fx);
    air_ex_lookup_main_trace(n, seed, J->main.s1, J->table.s1);
    rand_challenges(seed ^ 0xabcdef, J->ch);
    inst_stage2(&J->main, J->ch);
    inst_stage2(&J->table, J->ch);
}

static void lookup_job_free(lookup_job *J) {
    air_free(J->main.a);
    air_free(J->table.a);
    inst_free(&J->main);
    inst_free(&J->table);
}

/* The global rule on the two bus sums, and the per-bus tally. Returns 0 when both accept. */
static int lookup_global(const lookup_job *J, uint32_t *bad_bus) {
    gl3_t sums[2] = {J->main.bus_sum, J->table.bus_sum};
    zisk_err err = {{0}};
    int g = air_bus_sums_check(sums, 2, &err);
    air_bus_tally *t = air_bus_tally_new();
    const inst *is[2] = {&J->main, &J->table};
    for (int i = 0; i < 2; i++) {
        air_view v = inst_view(is[i]);
        air_values vals = inst_vals(is[i], J->ch);
        assert_int_equal(air_bus_tally_add(t, is[i]->a, &v, &vals, &err), 0);
    }
    int tc = air_bus_tally_check(t, bad_bus, &err);
    air_bus_tally_free(t);
    assert_int_equal(g != 0, tc != 0); /* the two views agree */
    if (tc) assert_non_null(strstr(err.msg, "bus"));
    return g;
}

static void test_lookup_honest(void **state) {
    (void)state;
    /* 4096 rows: several stage-2 chunks and many checker blocks. */
    lookup_job J;
    lookup_job_init(&J, 4096, 1);
    expect_pass(&J.main, J.ch);
    expect_pass(&J.table, J.ch);
    assert_false(gl3_is_zero(J.main.bus_sum));
    assert_int_equal(lookup_global(&J, NULL), 0);
    /* The accumulator starts at 0 (and wraps back to it: the checker passed). */
    size_t n = J.main.n;
    const gl_t *acc = J.main.s2 + 3 * n;
    assert_true(acc[0] == 0 && acc[n] == 0 && acc[2 * n] == 0);
    lookup_job_free(&J);
}

static void test_lookup_corruptions(void **state) {
    (void)state;
    lookup_job J;
    const size_t n = 256, r = 77;
    lookup_job_init(&J, n, 2);
    inst *M = &J.main, *T = &J.table;
    /* Make row r active so its lookups matter. */
    if (M->s1[r] == 0) {
        M->s1[r] = 1;
        for (int k = 0; k < AIR_EX_MAIN_LOOKUPS; k++)
            T->s1[M->s1[(1 + k) * n + r]] = gl_add(T->s1[M->s1[(1 + k) * n + r]], 1);
        inst_stage2(M, J.ch);
        inst_stage2(T, J.ch);
    }
    expect_pass(M, J.ch);
    assert_int_equal(lookup_global(&J, NULL), 0);

    /* A stage-1 value after stage 2 was built: the helper of its group fails on that row. */
    gl_t *y0 = M->s1 + 4 * n, *y2 = M->s1 + 6 * n;
    y0[r] = gl_add(y0[r], 1);
    expect_fail(M, J.ch, "bus_helper_0", r);
    y0[r] = gl_sub(y0[r], 1);
    y2[r] = gl_add(y2[r], 1);
    expect_fail(M, J.ch, "bus_acc", r); /* the last group: folded into the accumulator */
    y2[r] = gl_sub(y2[r], 1);

    /* sel = 2 breaks booleanity (first in constraint order) and the helpers. */
    M->s1[r] = 2;
    expect_fail(M, J.ch, "sel_bool", r);
    M->s1[r] = 1;

    /* A fixed-column entry of the table. */
    gl_t *Y = T->fx + T->n;
    Y[300] = gl_add(Y[300], 1);
    expect_fail(T, J.ch, "bus_acc", 300); /* its one group is folded into the accumulator */
    /* Rebuilt from the wrong table, stage 2 is consistent locally; only the global sum sees it
     * (unless the entry is unused, so use one that is). */
    Y[300] = gl_sub(Y[300], 1);
    size_t used = (size_t)M->s1[1 * n + r];
    Y[used] = gl_add(Y[used], 1);
    inst_stage2(T, J.ch);
    expect_pass(T, J.ch);
    uint32_t bad = 0;
    assert_int_not_equal(lookup_global(&J, &bad), 0);
    assert_int_equal(bad, AIR_EX_LOOKUP_BUS);
    Y[used] = gl_sub(Y[used], 1);
    inst_stage2(T, J.ch);
    assert_int_equal(lookup_global(&J, NULL), 0);

    /* Stage-2 columns themselves. */
    gl_t *acc0 = M->s2 + 3 * n, *h0 = M->s2;
    /* an accumulator cell breaks the step into it (row r - 1) and out of it (row r) */
    acc0[r] = gl_add(acc0[r], 1);
    expect_fail(M, J.ch, "bus_acc", r - 1);
    acc0[r] = gl_sub(acc0[r], 1);
    /* row 0's: the step out of it, and the wrap-around step into it from row n - 1 */
    acc0[0] = gl_add(acc0[0], 1);
    expect_fail(M, J.ch, "bus_acc", 0);
    acc0[0] = gl_sub(acc0[0], 1);
    /* a helper cell breaks its helper constraint first (and the accumulator step) */
    h0[r] = gl_add(h0[r], 1);
    expect_fail(M, J.ch, "bus_helper_0", r);
    h0[r] = gl_sub(h0[r], 1);
    expect_pass(M, J.ch);

    /* A wrong bus sum value: every row's share of it is wrong. */
    M->bus_sum.c[2] = gl_add(M->bus_sum.c[2], 1);
    expect_fail(M, J.ch, "bus_acc", 0);
    M->bus_sum.c[2] = gl_sub(M->bus_sum.c[2], 1);

    /* Different challenges than the ones stage 2 was built with. */
    gl3_t other[AIR_N_CHALLENGES];
    rand_challenges(99, other);
    /* Rows with sel = 0 have helper 0 under any challenges; the first active row fails. */
    size_t first_active = 0;
    while (M->s1[first_active] == 0) first_active++;
    expect_fail(M, other, "bus_helper_0", first_active);
    lookup_job_free(&J);
}

/* (d) A wrong multiplicity: every instance's local check accepts; only the global sum fails. */
static void test_wrong_multiplicity(void **state) {
    (void)state;
    lookup_job J;
    lookup_job_init(&J, 512, 3);
    gl_t *mult = J.table.s1;
    mult[5] = gl_add(mult[5], 1);
    inst_stage2(&J.table, J.ch);
    expect_pass(&J.main, J.ch);
    expect_pass(&J.table, J.ch);
    uint32_t bad = 0;
    assert_int_not_equal(lookup_global(&J, &bad), 0);
    assert_int_equal(bad, AIR_EX_LOOKUP_BUS);
    /* Moving a use between two entries keeps the count but not the tuples. */
    mult[5] = gl_sub(mult[5], 1);
    mult[6] = gl_add(mult[6], 1);
    for (size_t i = 0; i < 1024; i++)
        if (i != 6 && mult[i]) {
            mult[i] = gl_sub(mult[i], 1);
            break;
        }
    inst_stage2(&J.table, J.ch);
    expect_pass(&J.table, J.ch);
    assert_int_not_equal(lookup_global(&J, &bad), 0);
    lookup_job_free(&J);
}

/* ------------------------------------------------------------------------------------------ */
/* Permutation across instances                                                                 */
/* ------------------------------------------------------------------------------------------ */

static void test_permutation(void **state) {
    (void)state;
    const size_t n = 64;
    uint64_t s = 5;
    gl3_t ch[AIR_N_CHALLENGES];
    rand_challenges(6, ch);
    air *snd = air_ex_perm_send(), *rcv = air_ex_perm_recv();
    inst A, B1, B2;
    inst_init(&A, snd, n);
    inst_init(&B1, rcv, n / 2);
    inst_init(&B2, rcv, n / 2);
    gl_t perm[64];
    for (size_t i = 0; i < n; i++) A.s1[i] = perm[i] = rnd_gl(&s);
    for (size_t i = n - 1; i > 0; i--) { /* Fisher-Yates */
        size_t j = air_ex_rand(&s) % (i + 1);
        gl_t t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
    }
    memcpy(B1.s1, perm, n / 2 * sizeof(gl_t));
    memcpy(B2.s1, perm + n / 2, n / 2 * sizeof(gl_t));
    inst *all[3] = {&A, &B1, &B2};
    for (int i = 0; i < 3; i++) {
        inst_stage2(all[i], ch);
        expect_pass(all[i], ch);
        assert_false(gl3_is_zero(all[i]->bus_sum)); /* no instance balances alone */
    }
    gl3_t sums[3] = {A.bus_sum, B1.bus_sum, B2.bus_sum};
    zisk_err err = {{0}};
    assert_int_equal(air_bus_sums_check(sums, 3, &err), 0);
    assert_int_not_equal(air_bus_sums_check(sums, 2, &err), 0);
    assert_non_null(strstr(err.msg, "do not add to zero"));

    /* Exchanging values between the receivers keeps the job balanced. */
    gl_t t = B1.s1[3];
    B1.s1[3] = B2.s1[7];
    B2.s1[7] = t;
    inst_stage2(&B1, ch);
    inst_stage2(&B2, ch);
    gl3_t sums2[3] = {A.bus_sum, B1.bus_sum, B2.bus_sum};
    assert_int_equal(air_bus_sums_check(sums2, 3, &err), 0);

    /* A duplicated value instead of a permutation: only the global rule catches it. */
    B2.s1[0] = B1.s1[0];
    inst_stage2(&B2, ch);
    expect_pass(&B2, ch);
    gl3_t sums3[3] = {A.bus_sum, B1.bus_sum, B2.bus_sum};
    assert_int_not_equal(air_bus_sums_check(sums3, 3, &err), 0);
    air_bus_tally *tl = air_bus_tally_new();
    for (int i = 0; i < 3; i++) {
        air_view v = inst_view(all[i]);
        air_values vals = inst_vals(all[i], ch);
        assert_int_equal(air_bus_tally_add(tl, all[i]->a, &v, &vals, &err), 0);
    }
    uint32_t bad = 0;
    assert_int_not_equal(air_bus_tally_check(tl, &bad, &err), 0);
    assert_int_equal(bad, AIR_EX_PERM_BUS);
    assert_non_null(strstr(err.msg, "bus 2"));
    air_bus_tally_free(tl);

    /* A zero denominator is reported, not divided by: beta = 1, alpha = bus + v[5]. */
    gl3_t bad_ch[AIR_N_CHALLENGES] = {gl3_from_base(gl_add(AIR_EX_PERM_BUS, A.s1[5])),
                                      gl3_one()};
    air_view v = inst_view(&A);
    air_values vals = inst_vals(&A, bad_ch);
    gl3_t sum;
    assert_int_equal(air_stage2_generate(A.a, &v, &vals, A.s2, &sum, &err), -1);
    assert_non_null(strstr(err.msg, "row 5"));
    assert_non_null(strstr(err.msg, "'values'"));

    for (int i = 0; i < 3; i++) inst_free(all[i]);
    air_free(snd);
    air_free(rcv);
}

/* ------------------------------------------------------------------------------------------ */
/* Evaluators                                                                                   */
/* ------------------------------------------------------------------------------------------ */

/* A random expression of depth <= depth over every kind of leaf. */
static air_expr rnd_expr(air_builder *b, uint64_t *s, int depth, air_col s1, air_col fx,
                         uint32_t npub, int allow_ch) {
    unsigned r = air_ex_rand(s) % 16;
    if (depth == 0 || r < 3) {
        unsigned l = air_ex_rand(s) % (allow_ch ? 8 : 7);
        switch (l) {
        case 0: case 1: return air_cur(b, air_col_at(s1, (uint32_t)(air_ex_rand(s) % 3)));
        case 2: return air_next(b, air_col_at(s1, (uint32_t)(air_ex_rand(s) % 3)));
        case 3: return air_cur(b, air_col_at(fx, (uint32_t)(air_ex_rand(s) % 2)));
        case 4: return air_next(b, air_col_at(fx, (uint32_t)(air_ex_rand(s) % 2)));
        case 5: return air_const(b, (air_ex_rand(s) & 3) ? rnd_gl(s) : 0);
        case 6: return air_public(b, (uint32_t)(air_ex_rand(s) % npub));
        default: return air_challenge(b, (uint32_t)(air_ex_rand(s) % AIR_N_CHALLENGES));
        }
    }
    air_expr x = rnd_expr(b, s, depth - 1, s1, fx, npub, allow_ch);
    air_expr y = rnd_expr(b, s, depth - 1, s1, fx, npub, allow_ch);
    switch (r % 4) {
    case 0: return air_add(b, x, y);
    case 1: return air_sub(b, x, y);
    case 2: return air_mul(b, x, y);
    default: return air_neg(b, x);
    }
}

static air *rnd_air(uint64_t seed) {
    uint64_t s = seed;
    air_builder *b = air_builder_new("random", AIR_MAX_DEGREE);
    air_col s1 = air_cols_stage1(b, "s", 3), fx = air_cols_fixed(b, "f", 2);
    uint32_t npub = 2;
    air_public_new(b, "p0");
    air_public_new(b, "p1");
    for (int k = 0; k < 24; k++) {
        char name[16];
        snprintf(name, sizeof name, "c%d", k);
        air_constrain(b, (air_kind)(k % AIR_N_KINDS), name,
                      rnd_expr(b, &s, 3, s1, fx, npub, 1));
    }
    for (int j = 0; j < 3; j++) {
        air_expr t[2] = {rnd_expr(b, &s, 1, s1, fx, npub, 0), rnd_expr(b, &s, 1, s1, fx, npub, 0)};
        air_expr m = rnd_expr(b, &s, 1, s1, fx, npub, 0);
        if (j == 1) air_bus_recv(b, "r", 9, m, t, 2);
        else air_bus_send(b, "s", 9, m, t, 2);
    }
    zisk_err err = {{0}};
    air *a = air_build(b, &err);
    if (!a) fail_msg("%s", err.msg);
    return a;
}

/* Random data in every column of a domain of N rows, in either layout; the quotient evaluator
 * over [lo, hi) must equal sum_k lambda^k sel_k C_k from the row-by-row reference, and the
 * point evaluator fed the same rows must agree too. */
static void compare_eval(const air *a, size_t N, size_t step, int row_major, uint64_t seed) {
    uint64_t s = seed;
    gl_t *data[AIR_N_SPACES];
    air_view v;
    v.n_rows = N;
    v.next_step = step;
    for (int sp = 0; sp < AIR_N_SPACES; sp++) {
        size_t w = air_n_cols(a, (air_space)sp);
        data[sp] = malloc((w * N + 1) * sizeof(gl_t));
        for (size_t i = 0; i < w * N; i++) data[sp][i] = rnd_gl(&s);
        v.m[sp] = row_major ? air_matrix_row_major(data[sp], w) : air_matrix_col_major(data[sp], N);
    }
    gl_t pub[4];
    for (int i = 0; i < 4; i++) pub[i] = rnd_gl(&s);
    gl3_t ch[AIR_N_CHALLENGES];
    for (int i = 0; i < AIR_N_CHALLENGES; i++) ch[i] = rnd_gl3(&s);
    air_values vals = {pub, ch, rnd_gl3(&s), 16}; /* both evaluators: the same rows n */
    gl3_t lambda = rnd_gl3(&s);
    gl_t *sel_mem = malloc(AIR_N_KINDS * N * sizeof(gl_t));
    air_selectors sel;
    for (int k = 0; k < AIR_N_KINDS; k++) {
        for (size_t i = 0; i < N; i++) sel_mem[k * N + i] = rnd_gl(&s);
        sel.sel[k] = sel_mem + k * N;
    }
    if (seed & 1) sel.sel[AIR_EVERY_ROW] = NULL; /* = 1 */

    air_eval_ws *ws = air_eval_ws_new(a);
    air_eval_bind(ws, &vals, lambda);
    size_t ranges[3][2] = {{0, N}, {3, N - 5}, {N - 1 - AIR_BLOCK, N}};
    gl3_t *out = malloc(N * sizeof(gl3_t));
    uint32_t nc = air_n_constraints(a);
    gl3_t *c = malloc(nc * sizeof(gl3_t));
    gl3_t *cur[AIR_N_SPACES], *nxt[AIR_N_SPACES];
    for (int sp = 0; sp < AIR_N_SPACES; sp++) {
        cur[sp] = malloc((air_n_cols(a, (air_space)sp) + 1) * sizeof(gl3_t));
        nxt[sp] = malloc((air_n_cols(a, (air_space)sp) + 1) * sizeof(gl3_t));
    }
    for (int q = 0; q < 3; q++) {
        size_t lo = ranges[q][0], hi = ranges[q][1];
        air_selectors rel; /* the selectors are indexed from row_begin */
        for (int k = 0; k < AIR_N_KINDS; k++) rel.sel[k] = sel.sel[k] ? sel.sel[k] + lo : NULL;
        air_eval_quotient(ws, &v, &rel, lo, hi, out);
        for (size_t i = lo; i < hi; i++) {
            air_eval_row(a, &v, i, &vals, c);
            gl3_t ref = gl3_zero(), l = gl3_one();
            gl3_t selv[AIR_N_KINDS];
            for (int k = 0; k < AIR_N_KINDS; k++)
                selv[k] = sel.sel[k] ? gl3_from_base(sel.sel[k][i]) : gl3_one();
            for (uint32_t k = 0; k < nc; k++) {
                ref = gl3_add(ref, gl3_mul(gl3_mul(l, selv[air_constraint_kind(a, k)]), c[k]));
                l = gl3_mul(l, lambda);
            }
            if (!gl3_eq(ref, out[i - lo]))
                fail_msg("air '%s' row %zu (range %d, step %zu, row_major %d): mismatch",
                         air_name(a), i, q, step, row_major);
            if (q == 0 && i % 37 == 0) {
                size_t nx = (i + step) % N;
                air_point pt;
                for (int sp = 0; sp < AIR_N_SPACES; sp++) {
                    for (uint32_t col = 0; col < air_n_cols(a, (air_space)sp); col++) {
                        const air_matrix *M = &v.m[sp];
                        cur[sp][col] = gl3_from_base(M->data[col * M->col_stride + i * M->row_stride]);
                        nxt[sp][col] = gl3_from_base(M->data[col * M->col_stride + nx * M->row_stride]);
                    }
                    pt.cur[sp] = cur[sp];
                    pt.next[sp] = nxt[sp];
                }
                assert_true(gl3_eq(air_eval_point(a, &pt, &vals, lambda, selv), ref));
            }
        }
    }
    for (int sp = 0; sp < AIR_N_SPACES; sp++) {
        free(data[sp]);
        free(cur[sp]);
        free(nxt[sp]);
    }
    free(c);
    free(out);
    free(sel_mem);
    air_eval_ws_free(ws);
}

static void test_eval_batched_vs_row(void **state) {
    (void)state;
    air *as[4] = {air_ex_fib(), air_ex_lookup_main(), air_ex_lookup_table(), NULL};
    for (uint64_t seed = 0; seed < 6; seed++) {
        as[3] = rnd_air(1000 + seed);
        for (int i = 0; i < 4; i++) {
            compare_eval(as[i], 512, 4, (int)(seed & 1), seed * 7 + (uint64_t)i);
            compare_eval(as[i], 300, 1, (int)((seed >> 1) & 1), seed * 11 + (uint64_t)i);
        }
        air_free(as[3]);
    }
    for (int i = 0; i < 3; i++) air_free(as[i]);
}

/* The point evaluator at a genuine extension point: the stage-2 openings are the components of
 * each extension column, composed as c0 + c1*X + c2*X^2; the bus constraints recomputed by hand
 * from random openings must match. */
static void test_eval_point_ext(void **state) {
    (void)state;
    air *a = air_ex_perm_send(); /* one interaction: its group is folded into the accumulator */
    assert_int_equal(air_n_cols(a, AIR_STAGE2), 3);
    uint64_t s = 77;
    gl3_t c1[1] = {rnd_gl3(&s)}, n1[1] = {rnd_gl3(&s)};
    gl3_t c2[3], n2[3];
    for (int i = 0; i < 3; i++) c2[i] = rnd_gl3(&s), n2[i] = rnd_gl3(&s);
    gl3_t ch[2] = {rnd_gl3(&s), rnd_gl3(&s)};
    air_values vals = {NULL, ch, rnd_gl3(&s), 8};
    air_point pt = {{c1, NULL, c2}, {n1, NULL, n2}};
    const gl3_t X = {{0, 1, 0}}, X2 = {{0, 0, 1}};
    gl3_t acc = gl3_add(c2[0], gl3_add(gl3_mul(c2[1], X), gl3_mul(c2[2], X2)));
    gl3_t accn = gl3_add(n2[0], gl3_add(gl3_mul(n2[1], X), gl3_mul(n2[2], X2)));
    /* bus_acc: (acc' - acc + bus_sum / n) * d - 1 (one send of multiplicity 1) */
    gl3_t d = gl3_sub(ch[0], gl3_add(gl3_from_base(AIR_EX_PERM_BUS), gl3_mul(ch[1], c1[0])));
    gl3_t share = gl3_mul_base(vals.bus_sum, gl_inv(8));
    gl3_t lam = rnd_gl3(&s);
    gl3_t sel[AIR_N_KINDS] = {gl3_one(), gl3_zero(), gl3_zero(), gl3_zero()};
    gl3_t got = air_eval_point(a, &pt, &vals, lam, sel);
    uint32_t k = constraint_index(a, "bus_acc");
    gl3_t want = gl3_mul(gl3_pow(lam, k), gl3_sub(gl3_mul(gl3_add(gl3_sub(accn, acc), share), d), gl3_one()));
    assert_true(gl3_eq(got, want));
    air_free(a);
}

/* The checker's answer equals a naive scan with the reference evaluator. */
static void test_check_vs_naive(void **state) {
    (void)state;
    for (uint64_t seed = 0; seed < 12; seed++) {
        lookup_job J;
        const size_t n = 300; /* not a multiple of the block */
        lookup_job_init(&J, n, 100 + seed);
        inst *M = &J.main;
        uint64_t s = seed;
        int nbad = 1 + (int)(air_ex_rand(&s) % 3);
        for (int t = 0; t < nbad; t++) {
            int sp = (int)(air_ex_rand(&s) % 2);
            gl_t *d = sp ? M->s2 : M->s1;
            size_t w = air_n_cols(M->a, sp ? AIR_STAGE2 : AIR_STAGE1);
            size_t i = air_ex_rand(&s) % (w * n);
            d[i] = gl_add(d[i], 1 + (air_ex_rand(&s) & 1));
        }
        if (seed % 3 == 0) M->bus_sum.c[0] ^= 1;
        air_view v = inst_view(M);
        air_values vals = inst_vals(M, J.ch);
        uint32_t nc = air_n_constraints(M->a);
        gl3_t *c = malloc(nc * sizeof *c);
        size_t want_row = SIZE_MAX;
        uint32_t want_k = 0;
        for (size_t r = 0; r < n && want_row == SIZE_MAX; r++) {
            air_eval_row(M->a, &v, r, &vals, c);
            for (uint32_t k = 0; k < nc; k++) {
                air_kind kind = air_constraint_kind(M->a, k);
                if ((kind == AIR_FIRST_ROW && r != 0) || (kind == AIR_LAST_ROW && r != n - 1) ||
                    (kind == AIR_TRANSITION && r == n - 1))
                    continue;
                if (!gl3_is_zero(c[k])) {
                    want_row = r;
                    want_k = k;
                    break;
                }
            }
        }
        air_failure f;
        int rc = inst_check(M, J.ch, &f);
        if (want_row == SIZE_MAX) {
            assert_int_equal(rc, 0);
        } else {
            assert_int_equal(rc, 1);
            assert_int_equal(f.row, want_row);
            assert_int_equal(f.constraint, want_k);
            assert_true(gl3_eq(f.value, c[want_k]));
        }
        free(c);
        lookup_job_free(&J);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_builder_sharing),
        cmocka_unit_test(test_builder_degrees),
        cmocka_unit_test(test_examples_shape),
        cmocka_unit_test(test_fib),
        cmocka_unit_test(test_lookup_honest),
        cmocka_unit_test(test_lookup_corruptions),
        cmocka_unit_test(test_wrong_multiplicity),
        cmocka_unit_test(test_permutation),
        cmocka_unit_test(test_eval_batched_vs_row),
        cmocka_unit_test(test_eval_point_ext),
        cmocka_unit_test(test_check_vs_naive),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
