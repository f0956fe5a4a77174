/*
 * air_build.c: the AIR builder (expression DAG with hash-consing and constant folding), the
 * automatic bus columns and constraints, degree checks, and the compiler from the DAG to the
 * block programs run by air_eval.c.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "air_internal.h"

/* Degrees saturate here: only constraint roots are compared with max_degree (<= 16), and an
 * intermediate above this is as bad as any. */
#define DEGREE_CAP 0x10000u

struct air_builder {
    char *name;
    unsigned max_degree;
    air_node *nodes;
    size_t n_nodes, cap_nodes;
    uint32_t *hash;      /* open addressing: node index + 1, 0 = empty */
    size_t hash_cap;     /* power of two, kept at least twice n_nodes */
    char **col_names[AIR_N_SPACES];
    uint32_t n_cols[AIR_N_SPACES], cap_cols[AIR_N_SPACES];
    char **pub_names;
    uint32_t n_publics, cap_publics;
    air_constraint *cons;
    uint32_t n_cons, cap_cons;
    air_interaction *inter;
    uint32_t n_inter, cap_inter;
    int uses_challenges;
};

static char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *xasprintf(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    ZISK_ASSERT(n >= 0);
    char *s = zisk_xmalloc((size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return s;
}

/* Grows *arr (element size sz) so that index `need` fits. */
static void grow(void **arr, uint32_t *cap, size_t need, size_t sz) {
    if (need < *cap) return;
    size_t c = *cap ? *cap : 8;
    while (c <= need) c *= 2;
    ZISK_ASSERT(c <= UINT32_MAX);
    *arr = zisk_xrealloc(*arr, c * sz);
    *cap = (uint32_t)c;
}

air_builder *air_builder_new(const char *name, unsigned max_degree) {
    ZISK_ASSERT(name != NULL);
    if (max_degree < 2 || max_degree > AIR_MAX_DEGREE)
        zisk_panic(__FILE__, __LINE__, "air '%s': max_degree %u outside 2..%u", name, max_degree,
                   AIR_MAX_DEGREE);
    air_builder *b = zisk_xcalloc(1, sizeof *b);
    b->name = zisk_xstrdup(name);
    b->max_degree = max_degree;
    b->hash_cap = 1024;
    b->hash = zisk_xcalloc(b->hash_cap, sizeof *b->hash);
    return b;
}

static void free_names(char **names, uint32_t n) {
    for (uint32_t i = 0; i < n; i++) free(names[i]);
    free(names);
}

void air_builder_free(air_builder *b) {
    if (!b) return;
    free(b->name);
    free(b->nodes);
    free(b->hash);
    for (int s = 0; s < AIR_N_SPACES; s++) free_names(b->col_names[s], b->n_cols[s]);
    free_names(b->pub_names, b->n_publics);
    for (uint32_t k = 0; k < b->n_cons; k++) free(b->cons[k].name);
    free(b->cons);
    for (uint32_t j = 0; j < b->n_inter; j++) free(b->inter[j].name);
    free(b->inter);
    free(b);
}

/* ------------------------------------------------------------------------------------------ */
/* Nodes                                                                                        */
/* ------------------------------------------------------------------------------------------ */

static uint64_t node_hash(const air_node *n) {
    uint64_t h = 0x9e3779b97f4a7c15ull * (n->op + 1);
    h ^= (uint64_t)n->a * 0xff51afd7ed558ccdull;
    h ^= (uint64_t)n->b * 0xc4ceb9fe1a85ec53ull + n->offset;
    h ^= (uint64_t)n->space << 40;
    h ^= n->value * 0x2545f4914f6cdd1dull;
    h ^= h >> 29;
    return h * 0x9e3779b97f4a7c15ull;
}

static int node_same(const air_node *x, const air_node *y) {
    return x->op == y->op && x->a == y->a && x->b == y->b && x->offset == y->offset &&
           x->space == y->space && x->value == y->value;
}

static void hash_insert(air_builder *b, uint32_t idx) {
    size_t mask = b->hash_cap - 1;
    size_t h = (size_t)node_hash(&b->nodes[idx]) & mask;
    while (b->hash[h]) h = (h + 1) & mask;
    b->hash[h] = idx + 1;
}

/* Returns the index of the node equal to n (op and operands), creating it if new. The derived
 * fields (type, uniformity, degree) must already be set in n. */
static air_expr intern(air_builder *b, const air_node *n) {
    size_t mask = b->hash_cap - 1;
    size_t h = (size_t)node_hash(n) & mask;
    while (b->hash[h]) {
        uint32_t i = b->hash[h] - 1;
        if (node_same(&b->nodes[i], n)) return i;
        h = (h + 1) & mask;
    }
    ZISK_ASSERT(b->n_nodes < UINT32_MAX - 1);
    if (b->n_nodes == b->cap_nodes) {
        b->cap_nodes = b->cap_nodes ? b->cap_nodes * 2 : 256;
        b->nodes = zisk_xrealloc(b->nodes, b->cap_nodes * sizeof *b->nodes);
    }
    uint32_t idx = (uint32_t)b->n_nodes++;
    b->nodes[idx] = *n;
    if (2 * b->n_nodes > b->hash_cap) {
        free(b->hash);
        b->hash_cap *= 2;
        b->hash = zisk_xcalloc(b->hash_cap, sizeof *b->hash);
        for (uint32_t i = 0; i < b->n_nodes; i++) hash_insert(b, i);
    } else {
        b->hash[h] = idx + 1;
    }
    return idx;
}

static const air_node *node_of(const air_builder *b, air_expr x) {
    if (x >= b->n_nodes)
        zisk_panic(__FILE__, __LINE__, "air '%s': invalid expression handle %u", b->name, x);
    return &b->nodes[x];
}

static air_expr leaf(air_builder *b, node_op op, uint32_t a, uint32_t space, uint8_t offset,
                     gl_t value) {
    air_node n = {0};
    n.op = (uint8_t)op;
    n.a = a;
    n.space = space;
    n.offset = offset;
    n.value = value;
    switch (op) {
    case NODE_CONST: n.is_uniform = 1; break;
    case NODE_PUBLIC: n.is_uniform = 1; break;
    case NODE_CHALLENGE: n.is_uniform = 1; n.is_ext = 1; break;
    case NODE_BUS_SUM: n.is_uniform = 1; n.is_ext = 1; break;
    case NODE_COL: n.degree = 1; n.is_ext = space == AIR_STAGE2; break;
    default: ZISK_ASSERT(0);
    }
    return intern(b, &n);
}

static int is_const(const air_builder *b, air_expr x, gl_t *v) {
    const air_node *n = &b->nodes[x];
    if (n->op != NODE_CONST) return 0;
    if (v) *v = n->value;
    return 1;
}

static int is_const_val(const air_builder *b, air_expr x, gl_t v) {
    gl_t c;
    return is_const(b, x, &c) && c == v;
}

static air_expr op2(air_builder *b, node_op op, air_expr x, air_expr y) {
    const air_node *nx = node_of(b, x), *ny = node_of(b, y);
    air_node n = {0};
    n.op = (uint8_t)op;
    /* Commutative operations are stored with sorted operands so x+y and y+x are one node. */
    if ((op == NODE_ADD || op == NODE_MUL) && x > y) {
        air_expr t = x; x = y; y = t;
        const air_node *tn = nx; nx = ny; ny = tn;
    }
    n.a = x;
    n.b = y;
    n.is_ext = nx->is_ext | ny->is_ext;
    n.is_uniform = nx->is_uniform & ny->is_uniform;
    uint32_t d = op == NODE_MUL ? nx->degree + ny->degree
                                : (nx->degree > ny->degree ? nx->degree : ny->degree);
    n.degree = d > DEGREE_CAP ? DEGREE_CAP : d;
    return intern(b, &n);
}

air_expr air_const(air_builder *b, gl_t c) {
    if (!gl_is_canonical(c))
        zisk_panic(__FILE__, __LINE__, "air '%s': constant %llu is not canonical", b->name,
                   (unsigned long long)c);
    return leaf(b, NODE_CONST, 0, 0, 0, c);
}

air_expr air_const_i64(air_builder *b, int64_t c) {
    gl_t v = c >= 0 ? gl_from_u64((uint64_t)c) : gl_neg(gl_from_u64((uint64_t)0 - (uint64_t)c));
    return air_const(b, v);
}

air_expr air_public(air_builder *b, uint32_t index) {
    if (index >= b->n_publics)
        zisk_panic(__FILE__, __LINE__, "air '%s': public value %u not declared", b->name, index);
    return leaf(b, NODE_PUBLIC, index, 0, 0, 0);
}

air_expr air_challenge(air_builder *b, uint32_t which) {
    if (which >= AIR_N_CHALLENGES)
        zisk_panic(__FILE__, __LINE__, "air '%s': challenge %u does not exist", b->name, which);
    b->uses_challenges = 1;
    return leaf(b, NODE_CHALLENGE, which, 0, 0, 0);
}

static air_expr col_leaf(air_builder *b, air_col c, uint8_t offset) {
    if (c.space >= AIR_N_SPACES || c.space == AIR_STAGE2 || c.index >= b->n_cols[c.space])
        zisk_panic(__FILE__, __LINE__, "air '%s': column (space %u, index %u) not declared",
                   b->name, c.space, c.index);
    return leaf(b, NODE_COL, c.index, c.space, offset, 0);
}

air_expr air_cur(air_builder *b, air_col c) { return col_leaf(b, c, 0); }
air_expr air_next(air_builder *b, air_col c) { return col_leaf(b, c, 1); }

air_expr air_add(air_builder *b, air_expr x, air_expr y) {
    gl_t cx, cy;
    node_of(b, x), node_of(b, y);
    if (is_const(b, x, &cx) && is_const(b, y, &cy)) return air_const(b, gl_add(cx, cy));
    if (is_const_val(b, x, 0)) return y;
    if (is_const_val(b, y, 0)) return x;
    return op2(b, NODE_ADD, x, y);
}

air_expr air_sub(air_builder *b, air_expr x, air_expr y) {
    gl_t cx, cy;
    node_of(b, x), node_of(b, y);
    if (is_const(b, x, &cx) && is_const(b, y, &cy)) return air_const(b, gl_sub(cx, cy));
    if (is_const_val(b, y, 0)) return x;
    if (is_const_val(b, x, 0)) return air_neg(b, y);
    return op2(b, NODE_SUB, x, y);
}

air_expr air_mul(air_builder *b, air_expr x, air_expr y) {
    gl_t cx, cy;
    node_of(b, x), node_of(b, y);
    if (is_const(b, x, &cx) && is_const(b, y, &cy)) return air_const(b, gl_mul(cx, cy));
    if (is_const_val(b, x, 0) || is_const_val(b, y, 0)) return air_const(b, 0);
    if (is_const_val(b, x, 1)) return y;
    if (is_const_val(b, y, 1)) return x;
    return op2(b, NODE_MUL, x, y);
}

air_expr air_neg(air_builder *b, air_expr x) {
    const air_node *nx = node_of(b, x);
    if (nx->op == NODE_CONST) return air_const(b, gl_neg(nx->value));
    if (nx->op == NODE_NEG) return nx->a;
    air_node n = {0};
    n.op = NODE_NEG;
    n.a = x;
    n.is_ext = nx->is_ext;
    n.is_uniform = nx->is_uniform;
    n.degree = nx->degree;
    return intern(b, &n);
}

/* ------------------------------------------------------------------------------------------ */
/* Declarations                                                                                 */
/* ------------------------------------------------------------------------------------------ */

static air_col add_col(air_builder *b, uint32_t space, char *name) {
    grow((void **)&b->col_names[space], &b->cap_cols[space], b->n_cols[space], sizeof(char *));
    b->col_names[space][b->n_cols[space]] = name;
    return (air_col){space, b->n_cols[space]++};
}

air_col air_col_stage1(air_builder *b, const char *name) {
    return add_col(b, AIR_STAGE1, zisk_xstrdup(name));
}
air_col air_col_fixed(air_builder *b, const char *name) {
    return add_col(b, AIR_FIXED, zisk_xstrdup(name));
}

static air_col add_cols(air_builder *b, uint32_t space, const char *name, uint32_t count) {
    ZISK_ASSERT(count >= 1);
    air_col first = {space, b->n_cols[space]};
    for (uint32_t i = 0; i < count; i++) add_col(b, space, xasprintf("%s[%u]", name, i));
    return first;
}
air_col air_cols_stage1(air_builder *b, const char *name, uint32_t count) {
    return add_cols(b, AIR_STAGE1, name, count);
}
air_col air_cols_fixed(air_builder *b, const char *name, uint32_t count) {
    return add_cols(b, AIR_FIXED, name, count);
}

uint32_t air_public_new(air_builder *b, const char *name) {
    grow((void **)&b->pub_names, &b->cap_publics, b->n_publics, sizeof(char *));
    b->pub_names[b->n_publics] = zisk_xstrdup(name);
    return b->n_publics++;
}

uint32_t air_publics_new(air_builder *b, const char *name, uint32_t count) {
    ZISK_ASSERT(count >= 1);
    uint32_t first = b->n_publics;
    for (uint32_t i = 0; i < count; i++) {
        char *nm = xasprintf("%s[%u]", name, i);
        air_public_new(b, nm);
        free(nm);
    }
    return first;
}

static void add_constraint(air_builder *b, air_kind kind, char *name, air_expr e) {
    const air_node *n = node_of(b, e);
    if ((unsigned)kind >= AIR_N_KINDS)
        zisk_panic(__FILE__, __LINE__, "air '%s': constraint '%s' has invalid kind %d", b->name,
                   name, (int)kind);
    grow((void **)&b->cons, &b->cap_cons, b->n_cons, sizeof *b->cons);
    air_constraint *c = &b->cons[b->n_cons++];
    c->name = name;
    c->kind = kind;
    c->root = e;
    c->degree = n->degree;
    c->eff_degree = n->degree + (kind == AIR_FIRST_ROW || kind == AIR_LAST_ROW ? 1 : 0);
}

void air_constrain(air_builder *b, air_kind kind, const char *name, air_expr e) {
    add_constraint(b, kind, zisk_xstrdup(name), e);
}

static void add_interaction(air_builder *b, const char *name, uint32_t bus, int send, air_expr m,
                            const air_expr *vals, uint32_t n_vals) {
    if (n_vals > AIR_MAX_TUPLE)
        zisk_panic(__FILE__, __LINE__, "air '%s': interaction '%s' has %u values (max %u)",
                   b->name, name, n_vals, AIR_MAX_TUPLE);
    if (node_of(b, m)->is_ext)
        zisk_panic(__FILE__, __LINE__, "air '%s': interaction '%s': multiplicity uses a challenge",
                   b->name, name);
    for (uint32_t t = 0; t < n_vals; t++)
        if (node_of(b, vals[t])->is_ext)
            zisk_panic(__FILE__, __LINE__, "air '%s': interaction '%s': value %u uses a challenge",
                       b->name, name, t);
    /* denominator = alpha - (bus + beta*v0 + beta^2*v1 + ...) */
    air_expr beta = air_challenge(b, AIR_CHALLENGE_BETA);
    air_expr fp = air_const(b, gl_from_u64(bus));
    air_expr bpow = beta;
    for (uint32_t t = 0; t < n_vals; t++) {
        fp = air_add(b, fp, air_mul(b, bpow, vals[t]));
        bpow = air_mul(b, bpow, beta);
    }
    air_expr denom = air_sub(b, air_challenge(b, AIR_CHALLENGE_ALPHA), fp);
    grow((void **)&b->inter, &b->cap_inter, b->n_inter, sizeof *b->inter);
    air_interaction *it = &b->inter[b->n_inter++];
    it->name = zisk_xstrdup(name);
    it->bus = bus;
    it->send = send;
    it->mult = m;
    it->denom = denom;
    it->group = 0;
}

void air_bus_send(air_builder *b, const char *name, uint32_t bus, air_expr m, const air_expr *vals,
                  uint32_t n_vals) {
    add_interaction(b, name, bus, 1, m, vals, n_vals);
}
void air_bus_recv(air_builder *b, const char *name, uint32_t bus, air_expr m, const air_expr *vals,
                  uint32_t n_vals) {
    add_interaction(b, name, bus, 0, m, vals, n_vals);
}

/* ------------------------------------------------------------------------------------------ */
/* Bus columns                                                                                  */
/* ------------------------------------------------------------------------------------------ */

/* The degree of a helper constraint over interactions [lo, hi):
 *   h * prod_j d_j - sum_j s_j m_j prod_{i != j} d_i
 * is max(1 + sum dd, max_j (dm_j + sum dd - dd_j)). */
static unsigned group_degree(const air_builder *b, uint32_t lo, uint32_t hi) {
    unsigned sum = 0, deg;
    for (uint32_t j = lo; j < hi; j++) sum += b->nodes[b->inter[j].denom].degree;
    deg = 1 + sum;
    for (uint32_t j = lo; j < hi; j++) {
        unsigned t = b->nodes[b->inter[j].mult].degree + sum - b->nodes[b->inter[j].denom].degree;
        if (t > deg) deg = t;
    }
    return deg;
}

static air_expr stage2_cur(air_builder *b, uint32_t ext_col, uint8_t offset) {
    return leaf(b, NODE_COL, ext_col, AIR_STAGE2, offset, 0);
}

/* Groups the interactions greedily in declaration order (each group a contiguous range, as big
 * as the degree bound allows), declares the stage-2 columns and adds the bus constraints.
 * Returns the number of groups, or -1 with err when one interaction alone is too big. */
static int build_bus(air_builder *b, uint32_t *n_groups, zisk_err *err) {
    *n_groups = 0;
    if (b->n_inter == 0) return 0;
    uint32_t *start = zisk_xmalloc((b->n_inter + 1) * sizeof *start);
    uint32_t g = 0, lo = 0;
    for (uint32_t j = 0; j < b->n_inter; j++) {
        unsigned single = group_degree(b, j, j + 1);
        if (single > b->max_degree) {
            free(start);
            return zisk_err_set(err,
                                "air '%s': interaction '%s' on bus %u needs degree %u (max %u)",
                                b->name, b->inter[j].name, b->inter[j].bus, single,
                                b->max_degree);
        }
        if (j > lo && group_degree(b, lo, j + 1) > b->max_degree) {
            start[g++] = lo;
            lo = j;
        }
    }
    start[g++] = lo;
    start[g] = b->n_inter;
    *n_groups = g;

    /* Helper columns for every group but the last; the last group is folded into the
     * accumulator's constraints (docs/AIR.md, "Stage-2 columns and constraints"). */
    for (uint32_t gi = 0; gi + 1 < g; gi++)
        for (int k = 0; k < 3; k++)
            add_col(b, AIR_STAGE2, xasprintf("bus_h%u.c%d", gi, k));
    for (int k = 0; k < 3; k++) add_col(b, AIR_STAGE2, xasprintf("bus_acc.c%d", k));

    /* For each group: prod = prod_j d_j and num = sum_j s_j m_j prod_{i != j} d_i, so that the
     * group's value sum_j s_j m_j / d_j is num / prod. Helper h_g = num / prod, constrained
     * without division. */
    air_expr hs = air_const(b, 0), last_prod = air_const(b, 1), last_num = air_const(b, 0);
    for (uint32_t gi = 0; gi < g; gi++) {
        uint32_t a0 = start[gi], a1 = start[gi + 1];
        air_expr prod = air_const(b, 1), num = air_const(b, 0);
        for (uint32_t j = a0; j < a1; j++) {
            b->inter[j].group = gi;
            prod = air_mul(b, prod, b->inter[j].denom);
            air_expr t = b->inter[j].mult;
            for (uint32_t i = a0; i < a1; i++)
                if (i != j) t = air_mul(b, t, b->inter[i].denom);
            num = b->inter[j].send ? air_add(b, num, t) : air_sub(b, num, t);
        }
        if (gi + 1 == g) {
            last_prod = prod, last_num = num;
            break;
        }
        air_expr h = stage2_cur(b, gi, 0);
        hs = air_add(b, hs, h);
        add_constraint(b, AIR_EVERY_ROW, xasprintf("bus_helper_%u", gi),
                       air_sub(b, air_mul(b, h, prod), num));
    }
    /* Accumulator, a running sum around the cyclic domain: on every row r (row n-1 wraps to
     * row 0), acc[r+1] = acc[r] + value[r] - bus_sum / n, where value[r] = sum_g h_g[r] + the
     * last group's num / prod. Summed over the n rows the acc terms cancel, so the values add up
     * to bus_sum. The last group enters multiplied out: (acc' - acc - sum h + bus_sum / n) * prod
     * = num, of the degree of a helper constraint (the NODE_BUS_SUM leaf is bus_sum / n). */
    air_expr acc = stage2_cur(b, g - 1, 0), acc_next = stage2_cur(b, g - 1, 1);
    air_expr share = leaf(b, NODE_BUS_SUM, 0, 0, 0, 0);
    add_constraint(b, AIR_EVERY_ROW, zisk_xstrdup("bus_acc"),
                   air_sub(b, air_mul(b, air_add(b, air_sub(b, air_sub(b, acc_next, acc), hs), share), last_prod),
                           last_num));
    free(start);
    return 0;
}

/* ------------------------------------------------------------------------------------------ */
/* Compiler                                                                                     */
/* ------------------------------------------------------------------------------------------ */

static uint8_t operand_type(const air_node *n) {
    if (n->is_uniform) return n->is_ext ? T_SE : T_SB;
    return n->is_ext ? T_VE : T_VB;
}

/* Compiles the sinks roots[0..n_sinks) into a block program. Nodes needed by some sink and not
 * uniform are computed once each, in node order (topological); right after a node is computed
 * the sinks rooted at it run, so registers are released as early as possible. Registers are
 * allocated by liveness: a register is reused once its last reader has run (an instruction may
 * write the register of its own operand: the kernels are elementwise). */
static void compile(const air *a, const air_expr *roots, uint32_t n_sinks, air_program *p) {
    size_t nn = a->n_nodes;
    const air_node *nodes = a->nodes;
    uint8_t *need = zisk_xcalloc(nn ? nn : 1, 1);
    for (uint32_t s = 0; s < n_sinks; s++) need[roots[s]] = 1;
    for (size_t v = nn; v-- > 0;) {
        if (!need[v] || nodes[v].is_uniform) continue;
        switch (nodes[v].op) {
        case NODE_ADD: case NODE_SUB: case NODE_MUL:
            need[nodes[v].a] = need[nodes[v].b] = 1;
            break;
        case NODE_NEG: need[nodes[v].a] = 1; break;
        default: break;
        }
    }
    /* Sinks by root: head[v] -> first sink, nxt[s] -> next sink with the same root (kept in
     * sink order). */
    uint32_t *head = zisk_xmalloc((nn ? nn : 1) * sizeof *head);
    uint32_t *nxt = zisk_xmalloc((n_sinks ? n_sinks : 1) * sizeof *nxt);
    for (size_t v = 0; v < nn; v++) head[v] = UINT32_MAX;
    for (uint32_t s = n_sinks; s-- > 0;) {
        nxt[s] = head[roots[s]];
        head[roots[s]] = s;
    }
    /* Vector slots of column leaves. */
    uint32_t *slot = zisk_xmalloc((nn ? nn : 1) * sizeof *slot);
    p->n_leaves = 0;
    for (size_t v = 0; v < nn; v++)
        if (need[v] && nodes[v].op == NODE_COL) p->n_leaves++;
    p->leaves = zisk_xcalloc(p->n_leaves ? p->n_leaves : 1, sizeof *p->leaves);
    uint32_t nl = 0;
    for (size_t v = 0; v < nn; v++) {
        slot[v] = UINT32_MAX;
        if (need[v] && nodes[v].op == NODE_COL) {
            p->leaves[nl] = (air_leaf){nodes[v].space, nodes[v].a, nodes[v].offset,
                                       nodes[v].is_ext};
            slot[v] = nl++;
        }
    }
    /* Event order: sinks on scalars and leaves first, then each computed node followed by its
     * sinks. Pass 1 counts and records last uses; pass 2 allocates and emits. */
    size_t *last = zisk_xmalloc((nn ? nn : 1) * sizeof *last);
    for (size_t v = 0; v < nn; v++) last[v] = 0;
    size_t ev = 0;
#define IS_COMPUTED(v) (need[v] && !nodes[v].is_uniform && nodes[v].op != NODE_COL)
    for (size_t v = 0; v < nn; v++)
        if (!IS_COMPUTED(v))
            for (uint32_t s = head[v]; s != UINT32_MAX; s = nxt[s]) last[v] = ev++;
    for (size_t v = 0; v < nn; v++) {
        if (!IS_COMPUTED(v)) continue;
        last[nodes[v].a] = ev;
        if (nodes[v].op != NODE_NEG) last[nodes[v].b] = ev;
        ev++;
        for (uint32_t s = head[v]; s != UINT32_MAX; s = nxt[s]) last[v] = ev++;
    }
    p->n_ins = ev;
    p->ins = zisk_xcalloc(ev ? ev : 1, sizeof *p->ins);
    p->n_sinks = n_sinks;

    /* Register pools: free lists per type (base, ext). */
    uint32_t cap_t = 64, nt = 0;
    uint8_t *t_ext = zisk_xmalloc(cap_t);
    uint32_t *free_b = zisk_xmalloc((ev + 1) * sizeof(uint32_t));
    uint32_t *free_e = zisk_xmalloc((ev + 1) * sizeof(uint32_t));
    uint32_t nfb = 0, nfe = 0;
    uint32_t *reg = zisk_xmalloc((nn ? nn : 1) * sizeof *reg); /* temp register of a node */

#define OPERAND(v, ty, ix)                                                                     \
    do {                                                                                       \
        ty = operand_type(&nodes[v]);                                                          \
        ix = nodes[v].is_uniform ? (uint32_t)(v) : slot[v] != UINT32_MAX ? slot[v]             \
                                                                          : p->n_leaves + reg[v]; \
    } while (0)
#define RELEASE(v, at)                                                                         \
    do {                                                                                       \
        if (IS_COMPUTED(v) && last[v] == (at)) {                                               \
            if (t_ext[reg[v]]) free_e[nfe++] = reg[v]; else free_b[nfb++] = reg[v];            \
        }                                                                                      \
    } while (0)

    size_t e = 0;
    for (size_t v = 0; v < nn; v++)
        if (!IS_COMPUTED(v))
            for (uint32_t s = head[v]; s != UINT32_MAX; s = nxt[s]) {
                air_ins *in = &p->ins[e++];
                in->op = OP_SINK;
                in->dst = s;
                OPERAND(v, in->ta, in->a);
                in->code = (uint8_t)(OP_SINK << 4 | in->ta << 2);
            }
    for (size_t v = 0; v < nn; v++) {
        if (!IS_COMPUTED(v)) continue;
        const air_node *n = &nodes[v];
        air_ins *in = &p->ins[e];
        in->op = n->op == NODE_ADD ? OP_ADD : n->op == NODE_SUB ? OP_SUB
                 : n->op == NODE_MUL ? OP_MUL : OP_NEG;
        OPERAND(n->a, in->ta, in->a);
        if (n->op != NODE_NEG) OPERAND(n->b, in->tb, in->b);
        in->code = (uint8_t)(in->op << 4 | in->ta << 2 | in->tb);
        RELEASE(n->a, e);
        if (n->op != NODE_NEG && n->b != n->a) RELEASE(n->b, e);
        uint32_t r;
        if (n->is_ext && nfe) r = free_e[--nfe];
        else if (!n->is_ext && nfb) r = free_b[--nfb];
        else {
            if (nt == cap_t) t_ext = zisk_xrealloc(t_ext, cap_t *= 2);
            t_ext[nt] = n->is_ext;
            r = nt++;
        }
        reg[v] = r;
        in->dst = p->n_leaves + r;
        e++;
        for (uint32_t s = head[v]; s != UINT32_MAX; s = nxt[s]) {
            air_ins *sk = &p->ins[e];
            sk->op = OP_SINK;
            sk->dst = s;
            OPERAND(v, sk->ta, sk->a);
            sk->code = (uint8_t)(OP_SINK << 4 | sk->ta << 2);
            RELEASE(v, e);
            e++;
        }
    }
#undef OPERAND
#undef RELEASE
#undef IS_COMPUTED
    ZISK_ASSERT(e == ev);
    p->n_temps = nt;
    p->temp_is_ext = t_ext;
    free(reg);
    free(free_b);
    free(free_e);
    free(last);
    free(slot);
    free(nxt);
    free(head);
    free(need);
}

/* ------------------------------------------------------------------------------------------ */
/* Build                                                                                        */
/* ------------------------------------------------------------------------------------------ */

air *air_build(air_builder *b, zisk_err *err) {
    ZISK_ASSERT(b != NULL);
    for (uint32_t k = 0; k < b->n_cons; k++)
        if (b->cons[k].eff_degree > b->max_degree) {
            const air_constraint *c = &b->cons[k];
            zisk_err_set(err, "air '%s': constraint '%s' (%s) has degree %u%s, above max %u",
                         b->name, c->name, air_kind_str(c->kind), c->eff_degree,
                         c->eff_degree != c->degree ? " (with its row selector)" : "",
                         b->max_degree);
            air_builder_free(b);
            return NULL;
        }
    uint32_t n_user = b->n_cons, n_groups;
    if (build_bus(b, &n_groups, err) != 0) {
        air_builder_free(b);
        return NULL;
    }
    /* By construction the bus constraints fit; a failure here is our bug. */
    for (uint32_t k = n_user; k < b->n_cons; k++) ZISK_ASSERT(b->cons[k].eff_degree <= b->max_degree);

    air *a = zisk_xcalloc(1, sizeof *a);
    a->name = b->name;
    a->max_degree = b->max_degree;
    a->nodes = b->nodes;
    a->n_nodes = b->n_nodes;
    for (int s = 0; s < AIR_N_SPACES; s++) {
        a->col_names[s] = b->col_names[s];
        a->n_cols[s] = b->n_cols[s];
    }
    a->pub_names = b->pub_names;
    a->n_publics = b->n_publics;
    a->cons = b->cons;
    a->n_cons = b->n_cons;
    a->n_user_cons = n_user;
    a->inter = b->inter;
    a->n_inter = b->n_inter;
    a->n_groups = n_groups;
    a->uses_challenges = b->uses_challenges;
    a->degree = 2;
    for (uint32_t k = 0; k < a->n_cons; k++)
        if (a->cons[k].eff_degree > a->degree) a->degree = a->cons[k].eff_degree;
    free(b->hash);
    free(b);

    air_expr *roots = zisk_xmalloc((a->n_cons + 2 * a->n_inter + 1) * sizeof *roots);
    for (uint32_t k = 0; k < a->n_cons; k++) roots[k] = a->cons[k].root;
    compile(a, roots, a->n_cons, &a->prog_cons);
    for (uint32_t j = 0; j < a->n_inter; j++) {
        roots[2 * j] = a->inter[j].mult;
        roots[2 * j + 1] = a->inter[j].denom;
    }
    compile(a, roots, 2 * a->n_inter, &a->prog_bus);
    free(roots);
    return a;
}

static void program_free(air_program *p) {
    free(p->ins);
    free(p->leaves);
    free(p->temp_is_ext);
}

void air_free(air *a) {
    if (!a) return;
    free(a->name);
    free(a->nodes);
    for (int s = 0; s < AIR_N_SPACES; s++) free_names(a->col_names[s], a->n_cols[s]);
    free_names(a->pub_names, a->n_publics);
    for (uint32_t k = 0; k < a->n_cons; k++) free(a->cons[k].name);
    free(a->cons);
    for (uint32_t j = 0; j < a->n_inter; j++) free(a->inter[j].name);
    free(a->inter);
    program_free(&a->prog_cons);
    program_free(&a->prog_bus);
    free(a);
}

/* ------------------------------------------------------------------------------------------ */
/* Queries                                                                                      */
/* ------------------------------------------------------------------------------------------ */

const char *air_name(const air *a) { return a->name; }
unsigned air_max_degree(const air *a) { return a->max_degree; }
unsigned air_degree(const air *a) { return a->degree; }
unsigned air_quotient_chunks(const air *a) { return a->degree - 1; }
uint32_t air_n_cols(const air *a, air_space s) {
    ZISK_ASSERT((unsigned)s < AIR_N_SPACES);
    return a->n_cols[s];
}
const char *air_col_name(const air *a, air_space s, uint32_t index) {
    ZISK_ASSERT((unsigned)s < AIR_N_SPACES && index < a->n_cols[s]);
    return a->col_names[s][index];
}
uint32_t air_n_publics(const air *a) { return a->n_publics; }
const char *air_public_name(const air *a, uint32_t index) {
    ZISK_ASSERT(index < a->n_publics);
    return a->pub_names[index];
}
uint32_t air_n_constraints(const air *a) { return a->n_cons; }
const char *air_constraint_name(const air *a, uint32_t k) {
    ZISK_ASSERT(k < a->n_cons);
    return a->cons[k].name;
}
air_kind air_constraint_kind(const air *a, uint32_t k) {
    ZISK_ASSERT(k < a->n_cons);
    return a->cons[k].kind;
}
unsigned air_constraint_degree(const air *a, uint32_t k) {
    ZISK_ASSERT(k < a->n_cons);
    return a->cons[k].degree;
}
unsigned air_constraint_effective_degree(const air *a, uint32_t k) {
    ZISK_ASSERT(k < a->n_cons);
    return a->cons[k].eff_degree;
}
uint32_t air_n_interactions(const air *a) { return a->n_inter; }
uint32_t air_n_bus_groups(const air *a) { return a->n_groups; }
size_t air_n_nodes(const air *a) { return a->n_nodes; }
size_t air_n_instructions(const air *a) { return a->prog_cons.n_ins; }

const char *air_kind_str(air_kind k) {
    switch (k) {
    case AIR_EVERY_ROW: return "every_row";
    case AIR_TRANSITION: return "transition";
    case AIR_FIRST_ROW: return "first_row";
    case AIR_LAST_ROW: return "last_row";
    }
    return "?";
}
