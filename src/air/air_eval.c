/*
 * air_eval.c: the block interpreter of compiled AIR programs (quotient, checker, bus-term
 * storage), the reference node-by-node evaluators (row and out-of-domain point), and the
 * checker.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "air_internal.h"

/* ------------------------------------------------------------------------------------------ */
/* Workspaces                                                                                   */
/* ------------------------------------------------------------------------------------------ */

air_eval_ws *air_ws_new_for(const air *a, const air_program *p) {
    air_eval_ws *ws = zisk_xcalloc(1, sizeof *ws);
    ws->a = a;
    ws->p = p;
    ws->scal = zisk_xcalloc(a->n_nodes ? a->n_nodes : 1, sizeof *ws->scal);
    ws->lam = zisk_xcalloc(a->n_cons ? a->n_cons : 1, sizeof *ws->lam);
    uint32_t nv = p->n_leaves + p->n_temps;
    ws->vp = zisk_xcalloc((size_t)(nv ? nv : 1) * 3, sizeof *ws->vp);
    size_t tsz = 0;
    for (uint32_t t = 0; t < p->n_temps; t++) tsz += (p->temp_is_ext[t] ? 3 : 1) * AIR_BLOCK;
    ws->temp_mem = zisk_xmalloc((tsz ? tsz : 1) * sizeof(gl_t));
    ws->gather_mem = zisk_xmalloc(((size_t)p->n_leaves * 3 * AIR_BLOCK + 1) * sizeof(gl_t));
    /* Temporaries never move: point their slots once. */
    gl_t *m = ws->temp_mem;
    for (uint32_t t = 0; t < p->n_temps; t++) {
        const gl_t **v = &ws->vp[(size_t)(p->n_leaves + t) * 3];
        int np = p->temp_is_ext[t] ? 3 : 1;
        for (int k = 0; k < 3; k++) v[k] = k < np ? m + (size_t)k * AIR_BLOCK : NULL;
        m += (size_t)np * AIR_BLOCK;
    }
    ws->fail_row = SIZE_MAX;
    return ws;
}

air_eval_ws *air_eval_ws_new(const air *a) { return air_ws_new_for(a, &a->prog_cons); }

void air_eval_ws_free(air_eval_ws *ws) {
    if (!ws) return;
    free(ws->scal);
    free(ws->lam);
    free(ws->vp);
    free(ws->temp_mem);
    free(ws->gather_mem);
    free(ws);
}

static gl3_t uniform_leaf(const air *a, const air_node *n, const air_values *v) {
    switch (n->op) {
    case NODE_CONST: return gl3_from_base(n->value);
    case NODE_PUBLIC: ZISK_ASSERT(v->publics != NULL); return gl3_from_base(v->publics[n->a]);
    case NODE_CHALLENGE: ZISK_ASSERT(v->challenges != NULL); return v->challenges[n->a];
    case NODE_BUS_SUM: /* the share of one row: bus_sum / n (n_rows 0 gives 0: a forgotten n_rows
                        * makes every honest instance with a nonzero bus sum fail, loudly) */
        return gl3_mul_base(v->bus_sum, gl_inv(gl_from_u64(v->n_rows)));
    default: ZISK_ASSERT(0);
    }
    return gl3_zero();
}

static gl3_t apply(const air_node *n, gl3_t x, gl3_t y) {
    switch (n->op) {
    case NODE_ADD: return gl3_add(x, y);
    case NODE_SUB: return gl3_sub(x, y);
    case NODE_MUL: return gl3_mul(x, y);
    case NODE_NEG: return gl3_neg(x);
    default: ZISK_ASSERT(0);
    }
    return gl3_zero();
}

/* Uniform nodes, in node order. Base-field values are kept as (c0, 0, 0), which extension
 * arithmetic preserves. */
void air_ws_bind_values(air_eval_ws *ws, const air_values *v) {
    const air *a = ws->a;
    ZISK_ASSERT(v != NULL);
    for (size_t i = 0; i < a->n_nodes; i++) {
        const air_node *n = &a->nodes[i];
        if (!n->is_uniform) continue;
        if (n->op >= NODE_ADD) ws->scal[i] = apply(n, ws->scal[n->a], ws->scal[n->b]);
        else ws->scal[i] = uniform_leaf(a, n, v);
    }
}

void air_eval_bind(air_eval_ws *ws, const air_values *v, gl3_t lambda) {
    air_ws_bind_values(ws, v);
    gl3_t l = gl3_one();
    for (uint32_t k = 0; k < ws->a->n_cons; k++) {
        ws->lam[k] = l;
        l = gl3_mul(l, lambda);
    }
}

/* ------------------------------------------------------------------------------------------ */
/* Block interpreter                                                                            */
/* ------------------------------------------------------------------------------------------ */

/* Mixed-type operations, picked by _Generic on the operand types (gl_t or gl3_t). */
static inline gl3_t add_be(gl_t a, gl3_t b) { return (gl3_t){{gl_add(a, b.c[0]), b.c[1], b.c[2]}}; }
static inline gl3_t add_eb(gl3_t a, gl_t b) { return (gl3_t){{gl_add(a.c[0], b), a.c[1], a.c[2]}}; }
static inline gl3_t sub_be(gl_t a, gl3_t b) {
    return (gl3_t){{gl_sub(a, b.c[0]), gl_neg(b.c[1]), gl_neg(b.c[2])}};
}
static inline gl3_t sub_eb(gl3_t a, gl_t b) { return (gl3_t){{gl_sub(a.c[0], b), a.c[1], a.c[2]}}; }
static inline gl3_t mul_be(gl_t a, gl3_t b) { return gl3_mul_base(b, a); }
static inline gl3_t mul_eb(gl3_t a, gl_t b) { return gl3_mul_base(a, b); }

#define XOP(BB, BE, EB, EE, x, y)                                                              \
    _Generic((x), gl_t: _Generic((y), gl_t: BB, default: BE), default: _Generic((y), gl_t: EB, default: EE))(x, y)
#define XADD(x, y) XOP(gl_add, add_be, add_eb, gl3_add, x, y)
#define XSUB(x, y) XOP(gl_sub, sub_be, sub_eb, gl3_sub, x, y)
#define XMUL(x, y) XOP(gl_mul, mul_be, mul_eb, gl3_mul, x, y)

static inline void st_b(gl_t *d0, gl_t *d1, gl_t *d2, size_t i, gl_t r) {
    (void)d1, (void)d2;
    d0[i] = r;
}
static inline void st_e(gl_t *d0, gl_t *d1, gl_t *d2, size_t i, gl3_t r) {
    d0[i] = r.c[0];
    d1[i] = r.c[1];
    d2[i] = r.c[2];
}
#define ST(i, r) _Generic((r), gl_t: st_b, default: st_e)(d0, d1, d2, i, r)

#define LD_SB(x, i) (x##s.c[0])
#define LD_SE(x, i) (x##s)
#define LD_VB(x, i) (x##0[i])
#define LD_VE(x, i) ((gl3_t){{x##0[i], x##1[i], x##2[i]}})

#define CASE(OP, TA, TB, F)                                                                    \
    case (OP << 4 | T_##TA << 2 | T_##TB):                                                     \
        for (size_t i = 0; i < len; i++) ST(i, F(LD_##TA(a, i), LD_##TB(b, i)));               \
        break;
/* Every combination with at least one vector operand (two scalars make a uniform node, which
 * the program never computes). */
#define CASES(OP, F)                                                                           \
    CASE(OP, SB, VB, F) CASE(OP, SB, VE, F) CASE(OP, SE, VB, F) CASE(OP, SE, VE, F)             \
    CASE(OP, VB, SB, F) CASE(OP, VB, SE, F) CASE(OP, VB, VB, F) CASE(OP, VB, VE, F)             \
    CASE(OP, VE, SB, F) CASE(OP, VE, SE, F) CASE(OP, VE, VB, F) CASE(OP, VE, VE, F)

/* Points the leaf slots at the block's rows: in place when the column is contiguous and the
 * rows do not wrap around the domain, otherwise gathered into the workspace. */
static void resolve_leaves(air_eval_ws *ws, const air_view *v, size_t r0, size_t len) {
    const air_program *p = ws->p;
    size_t n = v->n_rows;
    for (uint32_t s = 0; s < p->n_leaves; s++) {
        const air_leaf *L = &p->leaves[s];
        const air_matrix *M = &v->m[L->space];
        size_t start = r0;
        if (L->offset) {
            start += v->next_step;
            if (start >= n) start -= n;
        }
        int np = L->is_ext ? 3 : 1;
        for (int k = 0; k < np; k++) {
            size_t col = L->is_ext ? 3 * (size_t)L->col + (size_t)k : L->col;
            const gl_t *base = M->data + col * M->col_stride;
            if (M->row_stride == 1 && start + len <= n) {
                ws->vp[(size_t)s * 3 + k] = base + start;
            } else {
                gl_t *g = ws->gather_mem + ((size_t)s * 3 + (size_t)k) * AIR_BLOCK;
                size_t idx = start, rs = M->row_stride;
                for (size_t i = 0; i < len; i++) {
                    g[i] = base[idx * rs];
                    if (++idx == n) idx = 0;
                }
                ws->vp[(size_t)s * 3 + k] = g;
            }
        }
    }
}

/* Loads an operand: vector planes or a scalar. */
#define OPERAND(X, T, IDX)                                                                     \
    do {                                                                                       \
        if ((T) >= T_VB) {                                                                     \
            const gl_t *const *pp_ = &ws->vp[(size_t)(IDX) * 3];                               \
            X##0 = pp_[0], X##1 = pp_[1], X##2 = pp_[2];                                       \
        } else {                                                                               \
            X##s = ws->scal[IDX];                                                              \
        }                                                                                      \
    } while (0)

/* A sink value at row i of the block as an extension element. */
static inline gl3_t sink_val(uint8_t t, const gl_t *a0, const gl_t *a1, const gl_t *a2, gl3_t as,
                             size_t i) {
    switch (t) {
    case T_SB: case T_SE: return as;
    case T_VB: return gl3_from_base(a0[i]);
    default: return (gl3_t){{a0[i], a1[i], a2[i]}};
    }
}

static void sink_quotient(air_eval_ws *ws, const air_ins *in, const gl_t *a0, const gl_t *a1,
                          const gl_t *a2, gl3_t as, size_t len) {
    const air_constraint *c = &ws->a->cons[in->dst];
    gl3_t l = ws->lam[in->dst];
    gl_t *s0 = ws->acc[c->kind][0], *s1 = ws->acc[c->kind][1], *s2 = ws->acc[c->kind][2];
    switch (in->ta) {
    case T_VB: { /* the common case: a base-field constraint times an extension power */
        const gl_vec_ops *vo = gl_vec();
        gl_t *tmp = ws->sink_tmp;
        vo->scale(tmp, a0, l.c[0], len), vo->add(s0, s0, tmp, len);
        vo->scale(tmp, a0, l.c[1], len), vo->add(s1, s1, tmp, len);
        vo->scale(tmp, a0, l.c[2], len), vo->add(s2, s2, tmp, len);
        break;
    }
    case T_VE:
        for (size_t i = 0; i < len; i++) {
            gl3_t t = gl3_mul(l, (gl3_t){{a0[i], a1[i], a2[i]}});
            s0[i] = gl_add(s0[i], t.c[0]);
            s1[i] = gl_add(s1[i], t.c[1]);
            s2[i] = gl_add(s2[i], t.c[2]);
        }
        break;
    default: {
        gl3_t t = gl3_mul(l, as);
        for (size_t i = 0; i < len; i++) {
            s0[i] = gl_add(s0[i], t.c[0]);
            s1[i] = gl_add(s1[i], t.c[1]);
            s2[i] = gl_add(s2[i], t.c[2]);
        }
    }
    }
}

static void sink_check(air_eval_ws *ws, const air_ins *in, const gl_t *a0, const gl_t *a1,
                       const gl_t *a2, gl3_t as, size_t r0, size_t len) {
    uint32_t k = in->dst;
    size_t n = ws->check_n, lo = 0, hi = len;
    switch (ws->a->cons[k].kind) {
    case AIR_EVERY_ROW: break;
    case AIR_TRANSITION: if (r0 + len == n) hi = len - 1; break;
    case AIR_FIRST_ROW: if (r0 != 0) return; hi = 1; break;
    case AIR_LAST_ROW: if (r0 + len != n) return; lo = len - 1; break;
    }
    for (size_t i = lo; i < hi; i++) {
        gl3_t x = sink_val(in->ta, a0, a1, a2, as, i);
        if (gl3_is_zero(x)) continue;
        size_t row = r0 + i;
        if (row < ws->fail_row || (row == ws->fail_row && k < ws->fail_k)) {
            ws->fail_row = row;
            ws->fail_k = k;
            ws->fail_val = x;
        }
        break; /* later rows of this constraint cannot be better */
    }
}

static void sink_store(air_eval_ws *ws, const air_ins *in, const gl_t *a0, const gl_t *a1,
                       const gl_t *a2, gl3_t as, size_t r0, size_t len) {
    size_t off = r0 - ws->store_row0;
    if (in->ta == T_SB || in->ta == T_VB) {
        gl_t *o = (gl_t *)ws->store[in->dst] + off;
        for (size_t i = 0; i < len; i++) o[i] = in->ta == T_VB ? a0[i] : as.c[0];
    } else {
        gl3_t *o = (gl3_t *)ws->store[in->dst] + off;
        for (size_t i = 0; i < len; i++) o[i] = sink_val(in->ta, a0, a1, a2, as, i);
    }
}

void air_run_block(air_eval_ws *ws, const air_view *v, size_t r0, size_t len, air_mode mode) {
    ZISK_ASSERT(len >= 1 && len <= AIR_BLOCK);
    resolve_leaves(ws, v, r0, len);
    const air_program *p = ws->p;
    const gl_vec_ops *vo = gl_vec();
    for (size_t ii = 0; ii < p->n_ins; ii++) {
        const air_ins *in = &p->ins[ii];
        const gl_t *a0 = NULL, *a1 = NULL, *a2 = NULL, *b0 = NULL, *b1 = NULL, *b2 = NULL;
        gl3_t as = gl3_zero(), bs = gl3_zero();
        OPERAND(a, in->ta, in->a);
        if (in->op == OP_SINK) {
            switch (mode) {
            case MODE_QUOTIENT: sink_quotient(ws, in, a0, a1, a2, as, len); break;
            case MODE_CHECK: sink_check(ws, in, a0, a1, a2, as, r0, len); break;
            case MODE_STORE: sink_store(ws, in, a0, a1, a2, as, r0, len); break;
            }
            continue;
        }
        /* Temporaries are ours to write; their slots point into temp_mem. */
        gl_t *d0 = (gl_t *)ws->vp[(size_t)in->dst * 3];
        gl_t *d1 = (gl_t *)ws->vp[(size_t)in->dst * 3 + 1];
        gl_t *d2 = (gl_t *)ws->vp[(size_t)in->dst * 3 + 2];
        if (in->op == OP_NEG) {
            if (in->ta == T_VB) {
                for (size_t i = 0; i < len; i++) d0[i] = gl_neg(a0[i]);
            } else {
                for (size_t i = 0; i < len; i++) {
                    d0[i] = gl_neg(a0[i]);
                    d1[i] = gl_neg(a1[i]);
                    d2[i] = gl_neg(a2[i]);
                }
            }
            continue;
        }
        OPERAND(b, in->tb, in->b);
        /* Base-field vector fast paths through the SIMD kernels. */
        switch (in->code) {
        case OP_ADD << 4 | T_VB << 2 | T_VB: vo->add(d0, a0, b0, len); continue;
        case OP_SUB << 4 | T_VB << 2 | T_VB: vo->sub(d0, a0, b0, len); continue;
        case OP_MUL << 4 | T_VB << 2 | T_VB: vo->mul(d0, a0, b0, len); continue;
        case OP_MUL << 4 | T_VB << 2 | T_SB: vo->scale(d0, a0, bs.c[0], len); continue;
        case OP_MUL << 4 | T_SB << 2 | T_VB: vo->scale(d0, b0, as.c[0], len); continue;
        case OP_ADD << 4 | T_VE << 2 | T_VE:
            vo->add(d0, a0, b0, len), vo->add(d1, a1, b1, len), vo->add(d2, a2, b2, len);
            continue;
        case OP_SUB << 4 | T_VE << 2 | T_VE:
            vo->sub(d0, a0, b0, len), vo->sub(d1, a1, b1, len), vo->sub(d2, a2, b2, len);
            continue;
        default: break;
        }
        switch (in->code) {
            CASES(OP_ADD, XADD)
            CASES(OP_SUB, XSUB)
            CASES(OP_MUL, XMUL)
        default: ZISK_ASSERT(0);
        }
    }
}

/* ------------------------------------------------------------------------------------------ */
/* Quotient                                                                                     */
/* ------------------------------------------------------------------------------------------ */

/* The caller's contract on a view: every space with columns has data. */
static void assert_view(const air *a, const air_view *v) {
    ZISK_ASSERT(v->n_rows >= 2 && v->next_step < v->n_rows);
    for (int s = 0; s < AIR_N_SPACES; s++) ZISK_ASSERT(a->n_cols[s] == 0 || v->m[s].data != NULL);
}

void air_eval_quotient(air_eval_ws *ws, const air_view *lde, const air_selectors *sel,
                       size_t row_begin, size_t row_end, gl3_t *out) {
    const air *a = ws->a;
    ZISK_ASSERT(ws->p == &a->prog_cons);
    assert_view(a, lde);
    ZISK_ASSERT(row_begin <= row_end && row_end <= lde->n_rows);
    int used[AIR_N_KINDS] = {0};
    for (uint32_t k = 0; k < a->n_cons; k++) used[a->cons[k].kind] = 1;
    for (int k = 1; k < AIR_N_KINDS; k++) ZISK_ASSERT(!used[k] || sel->sel[k] != NULL);
    for (size_t r0 = row_begin; r0 < row_end; r0 += AIR_BLOCK) {
        size_t len = row_end - r0 < AIR_BLOCK ? row_end - r0 : AIR_BLOCK;
        for (int k = 0; k < AIR_N_KINDS; k++)
            if (used[k]) memset(ws->acc[k], 0, sizeof ws->acc[k]);
        air_run_block(ws, lde, r0, len, MODE_QUOTIENT);
        gl3_t *o = out + (r0 - row_begin);
        for (size_t i = 0; i < len; i++) {
            gl3_t t = gl3_zero();
            for (int k = 0; k < AIR_N_KINDS; k++) {
                if (!used[k]) continue;
                gl3_t s = {{ws->acc[k][0][i], ws->acc[k][1][i], ws->acc[k][2][i]}};
                const gl_t *sk = sel->sel[k];
                t = gl3_add(t, sk ? gl3_mul_base(s, sk[r0 + i]) : s);
            }
            o[i] = t;
        }
    }
}

/* ------------------------------------------------------------------------------------------ */
/* Reference evaluators                                                                         */
/* ------------------------------------------------------------------------------------------ */

/* X and X^2 in the extension, to rebuild an extension column from its components. */
static gl3_t ext_compose(gl3_t c0, gl3_t c1, gl3_t c2) {
    const gl3_t x1 = {{0, 1, 0}}, x2 = {{0, 0, 1}};
    return gl3_add(c0, gl3_add(gl3_mul(c1, x1), gl3_mul(c2, x2)));
}

/* Evaluates every node in order; leaves from the trace row (pt NULL) or from point openings. */
static void eval_nodes(const air *a, const air_view *t, size_t row, const air_point *pt,
                       const air_values *v, gl3_t *val) {
    for (size_t i = 0; i < a->n_nodes; i++) {
        const air_node *n = &a->nodes[i];
        switch (n->op) {
        case NODE_COL: {
            if (pt) {
                const gl3_t *src = n->offset ? pt->next[n->space] : pt->cur[n->space];
                ZISK_ASSERT(src != NULL);
                val[i] = n->space == AIR_STAGE2
                             ? ext_compose(src[3 * n->a], src[3 * n->a + 1], src[3 * n->a + 2])
                             : src[n->a];
            } else {
                size_t r = row;
                if (n->offset) r = (row + t->next_step) % t->n_rows;
                const air_matrix *M = &t->m[n->space];
                ZISK_ASSERT(M->data != NULL);
                const gl_t *e = M->data + r * M->row_stride;
                if (n->space == AIR_STAGE2) {
                    size_t c = 3 * (size_t)n->a;
                    val[i] = (gl3_t){{e[c * M->col_stride], e[(c + 1) * M->col_stride],
                                      e[(c + 2) * M->col_stride]}};
                } else {
                    val[i] = gl3_from_base(e[(size_t)n->a * M->col_stride]);
                }
            }
            break;
        }
        case NODE_ADD: case NODE_SUB: case NODE_MUL: case NODE_NEG:
            val[i] = apply(n, val[n->a], n->op == NODE_NEG ? gl3_zero() : val[n->b]);
            break;
        default: val[i] = uniform_leaf(a, n, v); break;
        }
    }
}

void air_eval_row(const air *a, const air_view *t, size_t row, const air_values *v, gl3_t *out) {
    ZISK_ASSERT(row < t->n_rows);
    air_values vn = *v;
    if (!vn.n_rows) vn.n_rows = t->n_rows;
    v = &vn;
    gl3_t *val = zisk_xmalloc((a->n_nodes ? a->n_nodes : 1) * sizeof *val);
    eval_nodes(a, t, row, NULL, v, val);
    for (uint32_t k = 0; k < a->n_cons; k++) out[k] = val[a->cons[k].root];
    free(val);
}

gl3_t air_eval_point(const air *a, const air_point *pt, const air_values *v, gl3_t lambda,
                     const gl3_t sel[AIR_N_KINDS]) {
    gl3_t *val = zisk_xmalloc((a->n_nodes ? a->n_nodes : 1) * sizeof *val);
    eval_nodes(a, NULL, 0, pt, v, val);
    gl3_t acc = gl3_zero(), l = gl3_one();
    for (uint32_t k = 0; k < a->n_cons; k++) {
        const air_constraint *c = &a->cons[k];
        acc = gl3_add(acc, gl3_mul(gl3_mul(l, sel[c->kind]), val[c->root]));
        l = gl3_mul(l, lambda);
    }
    free(val);
    return acc;
}

/* ------------------------------------------------------------------------------------------ */
/* Checker                                                                                      */
/* ------------------------------------------------------------------------------------------ */

int air_check(const air *a, const air_view *t, const air_values *v, air_failure *fail,
              zisk_err *err) {
    assert_view(a, t);
    ZISK_ASSERT(t->next_step == 1);
    size_t n = t->n_rows;
    size_t n_blocks = (n + AIR_BLOCK - 1) / AIR_BLOCK;
    air_values vn = *v;
    if (!vn.n_rows) vn.n_rows = n;
    v = &vn;
    size_t best_row = SIZE_MAX;
    uint32_t best_k = 0;
    gl3_t best_val = gl3_zero();
    /* Blocks are independent; each thread keeps its own first failure and the results are
     * merged by (row, constraint), so the answer does not depend on the schedule. Blocks past
     * a known failure are skipped. */
#pragma omp parallel
    {
        air_eval_ws *ws = air_eval_ws_new(a);
        air_ws_bind_values(ws, v);
        ws->check_n = n;
#pragma omp for schedule(dynamic, 8)
        for (size_t blk = 0; blk < n_blocks; blk++) {
            size_t r0 = blk * AIR_BLOCK;
            if (r0 > __atomic_load_n(&best_row, __ATOMIC_RELAXED)) continue;
            size_t len = n - r0 < AIR_BLOCK ? n - r0 : AIR_BLOCK;
            air_run_block(ws, t, r0, len, MODE_CHECK);
            if (ws->fail_row != SIZE_MAX) {
#pragma omp critical(air_check_merge)
                {
                    if (ws->fail_row < best_row ||
                        (ws->fail_row == best_row && ws->fail_k < best_k)) {
                        best_k = ws->fail_k;
                        best_val = ws->fail_val;
                        __atomic_store_n(&best_row, ws->fail_row, __ATOMIC_RELAXED);
                    }
                }
            }
        }
        air_eval_ws_free(ws);
    }
    if (best_row == SIZE_MAX) return 0;
    const air_constraint *c = &a->cons[best_k];
    if (fail) {
        fail->constraint = best_k;
        fail->name = c->name;
        fail->kind = c->kind;
        fail->row = best_row;
        fail->value = best_val;
    }
    zisk_err_set(err, "air '%s': constraint '%s' (%s) fails at row %zu", a->name, c->name,
                 air_kind_str(c->kind), best_row);
    return 1;
}
