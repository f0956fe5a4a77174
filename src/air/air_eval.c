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

/* Every plane of a base vector above plane 0 (read only). */
static const gl_t zero_plane[AIR_BLOCK];

/* The three planes of an operand for the vector paths: a base vector's planes 1 and 2 are the
 * zero plane, a scalar is broadcast into bc (plane k only where component k is not 0). zero[k]
 * says plane k is all zeros, so the callers skip arithmetic with it. */
static void operand_planes(uint8_t t, const gl_t *v0, const gl_t *v1, const gl_t *v2, gl3_t s,
                           gl_t bc[3][AIR_BLOCK], size_t len, const gl_t *P[3], int zero[3]) {
    switch (t) {
    case T_VE:
        P[0] = v0, P[1] = v1, P[2] = v2;
        zero[0] = zero[1] = zero[2] = 0;
        return;
    case T_VB:
        P[0] = v0, P[1] = P[2] = zero_plane;
        zero[0] = 0, zero[1] = zero[2] = 1;
        return;
    default: /* T_SB keeps (c0, 0, 0), see air_ws_bind_values */
        for (int k = 0; k < 3; k++) {
            zero[k] = s.c[k] == 0;
            if (zero[k]) {
                P[k] = zero_plane;
            } else {
                for (size_t i = 0; i < len; i++) bc[k][i] = s.c[k];
                P[k] = bc[k];
            }
        }
    }
}

/* d = a + b or a - b, plane by plane (a plane of d depends only on the same plane of a and b,
 * so d may be the slot of a or b: the builder reuses a freed operand's slot). */
static void vec_add_sub(const gl_vec_ops *vo, int sub, gl_t *const d[3], int nd,
                        const gl_t *const A[3], const int za[3], const gl_t *const B[3],
                        const int zb[3], size_t len) {
    for (int k = 0; k < nd; k++) {
        if (za[k] && zb[k]) memset(d[k], 0, len * sizeof(gl_t));
        else if (zb[k]) { if (d[k] != A[k]) memcpy(d[k], A[k], len * sizeof(gl_t)); }
        else if (za[k] && !sub) { if (d[k] != B[k]) memcpy(d[k], B[k], len * sizeof(gl_t)); }
        else if (sub) vo->sub(d[k], A[k], B[k], len);
        else vo->add(d[k], A[k], B[k], len);
    }
}

/* d = a * b with an extension result (base products took the fast paths before). */
static void vec_mul_ext(const gl_vec_ops *vo, gl_t *const d[3], uint8_t ta, const gl_t *const A[3],
                        gl3_t as, uint8_t tb, const gl_t *const B[3], gl3_t bs, size_t len) {
    if (ta == T_VE && tb == T_VE) {
        vo->ext_mul(d, A, B, len);
        return;
    }
    /* Put the extension vector (if any) first: multiplication commutes. */
    if (tb == T_VE || (tb == T_VB && ta != T_VE)) {
        uint8_t tt = ta;
        ta = tb, tb = tt;
        const gl_t *const *TP = A;
        A = B, B = TP;
        gl3_t ts = as;
        as = bs, bs = ts;
    }
    if (ta == T_VE) {
        switch (tb) {
        case T_SE: vo->ext_scale(d, A, bs, len); return;
        case T_SB: for (int k = 0; k < 3; k++) vo->scale(d[k], A[k], bs.c[0], len); return;
        case T_VB: for (int k = 0; k < 3; k++) vo->mul(d[k], A[k], B[0], len); return;
        }
    } else if (ta == T_VB && tb == T_SE) { /* d is an extension slot: never the base a */
        for (int k = 0; k < 3; k++) vo->scale(d[k], A[0], bs.c[k], len);
        return;
    }
    ZISK_ASSERT(0);
}

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
        gl_t *const acc[3] = {s0, s1, s2};
        gl_vec()->ext_axpy(acc, a0, l, len);
        break;
    }
    case T_VE: {
        const gl_vec_ops *vo = gl_vec();
        gl_t *const t[3] = {ws->sink_ext[0], ws->sink_ext[1], ws->sink_ext[2]};
        const gl_t *const av[3] = {a0, a1, a2};
        vo->ext_scale(t, av, l, len);
        vo->add(s0, s0, t[0], len), vo->add(s1, s1, t[1], len), vo->add(s2, s2, t[2], len);
        break;
    }
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
    gl_t *o = ws->store[in->dst] + (r0 - ws->store_row0);
    const gl_t *const src[3] = {a0, a1, a2};
    int np = in->ta == T_SE || in->ta == T_VE ? 3 : 1;
    for (int k = 0; k < np; k++) {
        gl_t *ok = o + (size_t)k * ws->store_plane_stride;
        if (in->ta >= T_VB) memcpy(ok, src[k], len * sizeof *ok);
        else for (size_t i = 0; i < len; i++) ok[i] = as.c[k];
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
        gl_t *const d[3] = {(gl_t *)ws->vp[(size_t)in->dst * 3], (gl_t *)ws->vp[(size_t)in->dst * 3 + 1],
                            (gl_t *)ws->vp[(size_t)in->dst * 3 + 2]};
        int nd = d[1] ? 3 : 1; /* an extension or a base temporary */
        if (in->op == OP_NEG) {
            const gl_t *const av[3] = {a0, a1, a2};
            for (int k = 0; k < nd; k++) vo->sub(d[k], zero_plane, av[k], len);
            continue;
        }
        OPERAND(b, in->tb, in->b);
        /* Base-field vector fast paths. */
        switch (in->code) {
        case OP_ADD << 4 | T_VB << 2 | T_VB: vo->add(d[0], a0, b0, len); continue;
        case OP_SUB << 4 | T_VB << 2 | T_VB: vo->sub(d[0], a0, b0, len); continue;
        case OP_MUL << 4 | T_VB << 2 | T_VB: vo->mul(d[0], a0, b0, len); continue;
        case OP_MUL << 4 | T_VB << 2 | T_SB: vo->scale(d[0], a0, bs.c[0], len); continue;
        case OP_MUL << 4 | T_SB << 2 | T_VB: vo->scale(d[0], b0, as.c[0], len); continue;
        default: break;
        }
        const gl_t *A[3], *B[3];
        int za[3], zb[3];
        if (in->op == OP_MUL) {
            A[0] = a0, A[1] = a1, A[2] = a2, B[0] = b0, B[1] = b1, B[2] = b2;
            vec_mul_ext(vo, d, in->ta, A, as, in->tb, B, bs, len);
            continue;
        }
        operand_planes(in->ta, a0, a1, a2, as, ws->bcast[0], len, A, za);
        operand_planes(in->tb, b0, b1, b2, bs, ws->bcast[1], len, B, zb);
        vec_add_sub(vo, in->op == OP_SUB, d, nd, A, za, B, zb, len);
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
                t = gl3_add(t, sk ? gl3_mul_base(s, sk[r0 - row_begin + i]) : s);
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
