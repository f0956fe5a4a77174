/* provider_harness.c: see provider_harness.h. */
#include "provider_harness.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "zkvm_bus.h"

#define M32 0xffffffffull

static air *g_sender, *g_range;
static gl_t *g_range_fixed;

static void init(void) {
    if (g_sender) return;
    air_builder *b = air_builder_new("sender", 3);
    air_col t = air_cols_stage1(b, "t", 7);
    air_col m = air_col_stage1(b, "m");
    air_expr v[7];
    for (uint32_t i = 0; i < 7; i++) v[i] = air_cur(b, air_col_at(t, i));
    air_bus_send(b, "op", ZKVM_BUS_OP, air_cur(b, m), v, 7);
    zisk_err err;
    g_sender = air_build(b, &err);
    assert_non_null(g_sender);
    g_range = zkvm_range_air();
    g_range_fixed = zkvm_range_fixed();
}

void ph_teardown(void) {
    air_free(g_sender);
    air_free(g_range);
    free(g_range_fixed);
    g_sender = g_range = NULL;
    g_range_fixed = NULL;
}

ph_tuple ph_tuple_of(const zkvm_op_record *r) {
    ph_tuple t = {{r->opc, r->x & M32, r->x >> 32, r->y & M32, r->y >> 32, r->c & M32, r->c >> 32}};
    return t;
}

unsigned ph_log_for(size_t n) {
    unsigned l = 1;
    while (((size_t)1 << l) < n) l++;
    return l;
}

uint32_t ph_col(const air *a, const char *name) {
    for (uint32_t i = 0; i < air_n_cols(a, AIR_STAGE1); i++)
        if (strcmp(air_col_name(a, AIR_STAGE1, i), name) == 0) return i;
    fail_msg("no column %s", name);
    return 0;
}

uint32_t ph_constraint(const air *a, const char *name) {
    for (uint32_t i = 0; i < air_n_constraints(a); i++)
        if (strcmp(air_constraint_name(a, i), name) == 0) return i;
    fail_msg("no constraint %s", name);
    return 0;
}

/* The sender's trace: tuples in rows 0..n_send with multiplicity 1. */
static gl_t *sender_trace(const ph_tuple *t, size_t n_send, unsigned log_n) {
    size_t rows = (size_t)1 << log_n;
    assert_true(n_send <= rows);
    gl_t *s = calloc(8 * rows, sizeof *s);
    for (size_t i = 0; i < n_send; i++) {
        for (unsigned k = 0; k < 7; k++) s[k * rows + i] = t[i].v[k];
        s[7 * rows + i] = 1;
    }
    return s;
}

static const gl3_t *challenges(void) {
    static gl3_t ch[AIR_N_CHALLENGES];
    uint64_t s = 99;
    for (unsigned i = 0; i < AIR_N_CHALLENGES; i++)
        for (unsigned k = 0; k < 3; k++) {
            s += 0x9e3779b97f4a7c15ull;
            uint64_t z = s;
            z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
            z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
            ch[i].c[k] = gl_from_u64(z ^ (z >> 31));
        }
    return ch;
}

/* The provider's table instance for a provider trace. */
typedef struct table {
    const air *a;
    const gl_t *fixed;
    unsigned log_n;
    gl_t *trace;
} table;

static table table_of(const ph_provider *p, const gl_t *trace, unsigned log_n) {
    table tb;
    if (p->count) {
        zkvm_range_counts *rc = calloc(1, sizeof *rc);
        p->count(trace, log_n, rc);
        tb = (table){g_range, g_range_fixed, ZKVM_RANGE_LOG_N, zkvm_range_trace(rc)};
        free(rc);
    } else {
        assert_non_null(p->table);
        tb = (table){p->table, p->table_fixed, p->table_log_n, p->table_trace(trace, log_n)};
    }
    return tb;
}

typedef struct inst {
    const air *a;
    size_t n;
    const gl_t *s1, *fx;
    gl_t *s2;
    gl3_t sum;
} inst;

ph_outcome ph_check_job(const ph_provider *p, const ph_tuple *t, size_t n_send, const gl_t *trace,
                        unsigned log_n) {
    init();
    ph_outcome o;
    memset(&o, 0, sizeof o);
    const gl3_t *ch = challenges();
    table tb = table_of(p, trace, log_n);
    gl_t *snd = sender_trace(t, n_send, log_n);
    size_t n = (size_t)1 << log_n;
    inst I[3] = {{g_sender, n, snd, NULL, NULL, {{0}}},
                 {p->a, n, trace, NULL, NULL, {{0}}},
                 {tb.a, (size_t)1 << tb.log_n, tb.trace, tb.fixed, NULL, {{0}}}};
    zisk_err err;
    air_bus_tally *tl = air_bus_tally_new();
    for (int i = 0; i < 3; i++) {
        I[i].s2 = calloc(air_n_cols(I[i].a, AIR_STAGE2) * I[i].n, sizeof(gl_t));
        air_view v = air_view_col_major(I[i].s1, I[i].fx, I[i].s2, I[i].n);
        air_values vals = {NULL, ch, gl3_zero(), 0};
        assert_int_equal(air_stage2_generate(I[i].a, &v, &vals, I[i].s2, &I[i].sum, &err), 0);
        assert_int_equal(air_bus_tally_add(tl, I[i].a, &v, &vals, &err), 0);
    }
    air_view v = air_view_col_major(I[1].s1, I[1].fx, I[1].s2, I[1].n);
    air_values vals = {NULL, ch, I[1].sum, 0};
    air_failure f;
    if (air_check(p->a, &v, &vals, &f, &err) != 0) {
        o.constraint_fail = 1;
        o.failed_row = f.row;
        snprintf(o.failed, sizeof o.failed, "%s", f.name);
    }
    o.bus_fail = air_bus_tally_check(tl, &o.bad_bus, &err) != 0;
    gl3_t sums[3] = {I[0].sum, I[1].sum, I[2].sum};
    assert_int_equal(air_bus_sums_check(sums, 3, &err) != 0, o.bus_fail); /* the verifier's rule agrees */
    if (getenv("PH_DEBUG"))
        print_message("%s: constraint %s (row %zu), bus %s\n", p->name, o.constraint_fail ? o.failed : "ok",
                      o.failed_row, o.bus_fail ? "unbalanced" : "ok");
    air_bus_tally_free(tl);
    for (int i = 0; i < 3; i++) free(I[i].s2);
    free(snd);
    free(tb.trace);
    return o;
}

stark_status ph_prove_and_verify(const ph_provider *p, const ph_tuple *t, size_t n_send,
                                 const gl_t *trace, unsigned log_n) {
    init();
    table tb = table_of(p, trace, log_n);
    gl_t *snd = sender_trace(t, n_send, log_n);
    stark_params prm;
    prm.fri = (fri_params){.log_blowup = 1, .log_arity = 2, .log_final_size = 1, .n_queries = 6, .pow_bits = 2,
                           .input_committed = 1}; /* the STARK default mode, docs/STARK.md */
    zisk_err err;
    stark_pk *pk[3] = {stark_setup(g_sender, &prm, log_n, NULL, &err), stark_setup(p->a, &prm, log_n, NULL, &err),
                       stark_setup(tb.a, &prm, tb.log_n, tb.fixed, &err)};
    for (int i = 0; i < 3; i++) assert_non_null(pk[i]);
    const stark_pk *pks[3] = {pk[0], pk[1], pk[2]};
    const gl_t *st[3] = {snd, trace, tb.trace}, *pub[3] = {NULL, NULL, NULL};
    stark_job_proof job;
    assert_true(stark_prove_job(pks, st, pub, 3, &job, &err) >= 0);
    const stark_vk *vks[3] = {stark_pk_vk(pk[0]), stark_pk_vk(pk[1]), stark_pk_vk(pk[2])};
    stark_status s = stark_verify_job(vks, 3, &job, &err);
    if (getenv("PH_DEBUG")) print_message("%s: verify %s (%s)\n", p->name, stark_status_str(s), s ? err.msg : "");
    stark_job_proof_free(&job);
    for (int i = 0; i < 3; i++) stark_pk_free(pk[i]);
    free(snd);
    free(tb.trace);
    return s;
}

/* ---- one-provider jobs ------------------------------------------------------------------- */

uint64_t ph_rnd(uint64_t *state) {
    *state += 0x9e3779b97f4a7c15ull;
    uint64_t z = *state;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

zkvm_op_record ph_rec(zkvm_op op, uint64_t x, uint64_t y) {
    zkvm_op_record r = {zkvm_opc(op, 0), x, y, 0};
    assert_true(zkvm_op_eval(r.opc, x, y, &r.c));
    return r;
}

size_t ph_corner_records(zkvm_op_record *r, const zkvm_op *ops, size_t n_ops, const uint64_t *corners,
                         size_t n_corners, zkvm_op_record (*rec)(zkvm_op, uint64_t, uint64_t)) {
    size_t k = 0;
    for (size_t o = 0; o < n_ops; o++)
        for (size_t a = 0; a < n_corners; a++)
            for (size_t b = 0; b < n_corners; b++) r[k++] = rec(ops[o], corners[a], corners[b]);
    return k;
}

ph_job ph_job_new(const ph_provider *p, ph_trace_fn build, const zkvm_op_record *r, size_t n) {
    ph_job j;
    j.p = p;
    j.n = n;
    j.log_n = ph_log_for(n + 1); /* at least one padding row */
    j.t = calloc(n + 1, sizeof *j.t);
    for (size_t i = 0; i < n; i++) j.t[i] = ph_tuple_of(&r[i]);
    zkvm_range_counts *rc = calloc(1, sizeof *rc);
    j.trace = build(r, n, j.log_n, rc);
    free(rc);
    return j;
}

ph_job ph_job_claiming(const ph_provider *p, ph_trace_fn build, zkvm_op op, uint64_t x, uint64_t y,
                       uint64_t bad_c) {
    zkvm_op_record r = ph_rec(op, x, y);
    ph_job j = ph_job_new(p, build, &r, 1);
    r.c = bad_c;
    j.t[0] = ph_tuple_of(&r);
    return j;
}

void ph_job_free(ph_job *j) {
    free(j->t);
    free(j->trace);
}

gl_t *ph_cell(ph_job *j, const char *col, size_t row) {
    return &j->trace[(size_t)ph_col(j->p->a, col) * ((size_t)1 << j->log_n) + row];
}

ph_outcome ph_check(ph_job *j) { return ph_check_job(j->p, j->t, j->n, j->trace, j->log_n); }

void ph_expect_ok(const char *what, ph_outcome o) {
    if (o.constraint_fail || o.bus_fail)
        fail_msg("%s: honest job rejected (constraint %s, bus %s)", what, o.constraint_fail ? o.failed : "ok",
                 o.bus_fail ? "unbalanced" : "ok");
}

void ph_expect_caught(const char *what, ph_outcome o, const char *want) {
    if (want) {
        if (!o.constraint_fail) fail_msg("%s: not caught by a constraint (wanted %s)", what, want);
        if (strcmp(o.failed, want) != 0) fail_msg("%s: caught by %s, wanted %s", what, o.failed, want);
    } else if (!o.bus_fail) {
        fail_msg("%s: the buses still balance (constraint: %s)", what, o.constraint_fail ? o.failed : "ok");
    }
}

void ph_expect_only_bus(const char *what, ph_outcome o, uint32_t bus) {
    if (o.constraint_fail)
        fail_msg("%s: constraint %s fails (row %zu), wanted only bus %u", what, o.failed, o.failed_row, bus);
    if (!o.bus_fail) fail_msg("%s: the buses still balance", what);
    if (o.bad_bus != bus) fail_msg("%s: bus %u unbalanced, wanted %u", what, o.bad_bus, bus);
}

size_t ph_bad_lookups(const ph_job *j) {
    assert_non_null(j->p->count);
    zkvm_range_counts *rc = calloc(1, sizeof *rc);
    size_t skipped = j->p->count(j->trace, j->log_n, rc);
    free(rc);
    return skipped;
}

void ph_test_stark_job(const ph_provider *p, ph_trace_fn build, const zkvm_op *ops, size_t n_ops, size_t n,
                       uint64_t seed, const char *col, size_t row) {
    zkvm_op_record *r = calloc(n, sizeof *r);
    for (size_t i = 0; i < n; i++) {
        uint64_t x = ph_rnd(&seed), y = ph_rnd(&seed);
        r[i] = ph_rec(ops[i % n_ops], x, y);
    }
    ph_job j = ph_job_new(p, build, r, n);
    assert_int_equal(ph_prove_and_verify(p, j.t, j.n, j.trace, j.log_n), STARK_OK);
    *ph_cell(&j, col, row) ^= 1;
    assert_int_not_equal(ph_prove_and_verify(p, j.t, j.n, j.trace, j.log_n), STARK_OK);
    ph_job_free(&j);
    free(r);
}
