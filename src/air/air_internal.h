/*
 * air_internal.h: the representation shared by the builder (air_build.c), the evaluators
 * (air_eval.c) and the bus machinery (air_bus.c). Not part of the public API.
 *
 * Expressions are a DAG of nodes in creation order: a node's operands always have smaller
 * indices, so evaluating nodes 0, 1, 2, ... is a topological order (no recursion anywhere).
 *
 * Compiled programs (air_program) work on BLOCKS of up to AIR_BLOCK rows at a time. A value is
 *   - a scalar (uniform: the same on every row: constants, publics, challenges, the bus sum and
 *     any operation on those), computed once by air_eval_bind and read from ws->scal[node];
 *   - a vector slot: a column leaf (its block of values, pointed at in place or gathered) or a
 *     temporary register holding the block's values of an operation.
 * Extension vectors are stored as three planes (c0[], c1[], c2[]) so that base-field kernels
 * apply plane by plane. An instruction's `code` encodes the operation and both operand types,
 * chosen at compile time, so the inner loops carry no type tests.
 */
#ifndef ZISK_AIR_INTERNAL_H
#define ZISK_AIR_INTERNAL_H

#include "air.h"

/* Rows per block: registers of 128 rows stay in L1/L2 for typical programs. */
#define AIR_BLOCK 128

typedef enum node_op {
    NODE_CONST = 0,
    NODE_PUBLIC,
    NODE_CHALLENGE,
    NODE_BUS_SUM,
    NODE_COL,
    NODE_ADD,
    NODE_SUB,
    NODE_MUL,
    NODE_NEG,
} node_op;

typedef struct air_node {
    uint8_t op;
    uint8_t is_ext;     /* its value lies in the extension field */
    uint8_t is_uniform; /* the same on every row */
    uint8_t offset;     /* NODE_COL: 0 current row, 1 next row */
    uint32_t space;     /* NODE_COL: air_space */
    uint32_t degree;
    uint32_t a, b;      /* operands; NODE_COL: column (stage 2: EXTENSION column); PUBLIC,
                           CHALLENGE: index */
    gl_t value;         /* NODE_CONST */
} air_node;

typedef struct air_constraint {
    char *name;
    air_kind kind;
    air_expr root;
    unsigned degree;
    unsigned eff_degree;
} air_constraint;

typedef struct air_interaction {
    char *name;
    uint32_t bus;
    int send;           /* 1 send (+m), 0 receive (-m) */
    air_expr mult;
    air_expr denom;     /* alpha - fp, built as a node */
    uint32_t group;     /* helper column */
} air_interaction;

/* Operand types (2 bits): scalar/vector x base/extension. */
enum { T_SB = 0, T_SE = 1, T_VB = 2, T_VE = 3 };
/* Operations (code = op << 4 | ta << 2 | tb). */
enum { OP_ADD = 0, OP_SUB = 1, OP_MUL = 2, OP_NEG = 3, OP_SINK = 4 };

typedef struct air_ins {
    uint8_t op;
    uint8_t ta, tb;
    uint8_t code;       /* op << 4 | ta << 2 | tb */
    uint32_t dst;       /* vector slot of the result; OP_SINK: the sink index */
    uint32_t a, b;      /* vector slot (T_V*) or node index (T_S*) */
} air_ins;

/* A column leaf of a program: which block of which column(s) to present. */
typedef struct air_leaf {
    uint32_t space;
    uint32_t col;       /* stage 2: extension column (base columns 3col..3col+2) */
    uint8_t offset;
    uint8_t is_ext;
} air_leaf;

typedef struct air_program {
    air_ins *ins;
    size_t n_ins;
    air_leaf *leaves;   /* vector slots 0 .. n_leaves */
    uint32_t n_leaves;
    uint32_t n_temps;   /* vector slots n_leaves .. n_leaves + n_temps */
    uint8_t *temp_is_ext;
    uint32_t n_sinks;
} air_program;

struct air {
    char *name;
    unsigned max_degree;
    unsigned degree;    /* max effective degree, >= 2 */
    air_node *nodes;
    size_t n_nodes;
    char **col_names[AIR_N_SPACES];
    uint32_t n_cols[AIR_N_SPACES];   /* BASE columns */
    char **pub_names;
    uint32_t n_publics;
    air_constraint *cons;
    uint32_t n_cons;
    uint32_t n_user_cons;
    air_interaction *inter;
    uint32_t n_inter;
    uint32_t n_groups;
    int uses_challenges;
    /* Constraint program: sink k = constraint k. Bus program: sink 2j = multiplicity of
     * interaction j, sink 2j+1 = its denominator. */
    air_program prog_cons;
    air_program prog_bus;
};

/* A block-program workspace (also used internally for the bus program). */
typedef enum { MODE_QUOTIENT, MODE_CHECK, MODE_STORE } air_mode;

struct air_eval_ws {
    const air *a;
    const air_program *p;
    gl3_t *scal;        /* per node: bound value of uniform nodes */
    gl3_t *lam;         /* per constraint: lambda^k */
    const gl_t **vp;    /* per vector slot: 3 plane pointers for the current block */
    gl_t *temp_mem;
    gl_t *gather_mem;   /* per leaf: 3 * AIR_BLOCK */
    gl_t acc[AIR_N_KINDS][3][AIR_BLOCK];
    gl_t sink_ext[3][AIR_BLOCK];    /* an extension sink times its lambda power */
    gl_t bcast[2][3][AIR_BLOCK];    /* scalar operands broadcast to planes (a, b) */
    /* MODE_CHECK: the best failure so far (row, constraint), row = SIZE_MAX when none. */
    size_t fail_row;
    uint32_t fail_k;
    gl3_t fail_val;
    size_t check_n;     /* rows of the checked trace (for the kinds' row sets) */
    /* MODE_STORE: sink s writes row r of the block at store[s][r - store_row0]; an extension
     * sink writes its three components there and store_plane_stride and twice that further. */
    gl_t **store;
    size_t store_row0;
    size_t store_plane_stride;
};

air_eval_ws *air_ws_new_for(const air *a, const air_program *p);
void air_ws_bind_values(air_eval_ws *ws, const air_values *v);
/* Runs the program on rows [r0, r0 + len) of view v, len <= AIR_BLOCK. */
void air_run_block(air_eval_ws *ws, const air_view *v, size_t r0, size_t len, air_mode mode);

/* Batch inversion in the extension field: out[i] = a[i]^-1 for i < n. scratch holds n elements.
 * Returns SIZE_MAX on success, else the index of the first zero (out is then unspecified).
 * out may alias a exactly. */


#endif
