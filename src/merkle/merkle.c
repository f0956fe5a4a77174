/*
 * merkle.c: building (OpenMP over row chunks, then over each level), opening and verifying.
 */
#include <string.h>

#include "merkle.h"

/* Rows hashed per OpenMP work item: a multiple of the 8 SIMD lanes, large enough to amortize
 * scheduling, small enough to balance two to a few dozen threads. */
#define LEAF_CHUNK 256
#define NODE_CHUNK 512

const char *merkle_status_str(merkle_status s) {
    switch (s) {
    case MERKLE_OK: return "ok";
    case MERKLE_ERR_SHAPE: return "shape";
    case MERKLE_ERR_INDEX: return "index";
    case MERKLE_ERR_NONCANONICAL: return "noncanonical";
    case MERKLE_ERR_MISMATCH: return "mismatch";
    }
    return "unknown";
}

size_t merkle_node_count(size_t n_rows) {
    ZISK_ASSERT(n_rows >= 1);
    return 2 * n_rows - 1;
}

int merkle_build_leaves(merkle_tree *t, const gl_t *mat, size_t n_rows, size_t n_cols,
                        size_t row_stride, size_t col_stride, unsigned log_leaf_rows,
                        hash_digest *nodes, zisk_err *err) {
    if (t == NULL || nodes == NULL || (mat == NULL && n_cols > 0))
        return zisk_err_set(err, "merkle_build: missing tree, matrix or node buffer");
    if (n_rows == 0 || (n_rows & (n_rows - 1)) != 0 || n_rows > ((size_t)1 << MERKLE_MAX_LOG_ROWS))
        return zisk_err_set(err, "merkle_build: %zu rows; the row count must be a power of two "
                            "between 1 and 2^%d (pad the matrix first)", n_rows, MERKLE_MAX_LOG_ROWS);
    unsigned log_rows = (unsigned)__builtin_ctzll((unsigned long long)n_rows);
    if (log_leaf_rows > log_rows)
        return zisk_err_set(err, "merkle_build: 2^%u rows per leaf, but only 2^%u rows",
                            log_leaf_rows, log_rows);
    size_t n_leaves = n_rows >> log_leaf_rows;
    *t = (merkle_tree){.mat = mat, .row_stride = row_stride, .col_stride = col_stride,
                       .n_rows = n_rows, .n_cols = n_cols, .log_rows = log_rows,
                       .n_leaves = n_leaves, .leaf_rows = (size_t)1 << log_leaf_rows,
                       .log_leaves = log_rows - log_leaf_rows, .nodes = nodes};

    size_t n_chunks = (n_leaves + LEAF_CHUNK - 1) / LEAF_CHUNK;
#pragma omp parallel for schedule(dynamic, 1) if (n_chunks > 1)
    for (size_t k = 0; k < n_chunks; k++) {
        size_t r0 = k * LEAF_CHUNK;
        size_t m = n_leaves - r0 < LEAF_CHUNK ? n_leaves - r0 : LEAF_CHUNK;
        hash_leaves(mat + r0 * row_stride, m, t->leaf_rows, n_leaves * row_stride, n_cols,
                    row_stride, col_stride, nodes + r0);
    }

    hash_digest *level = nodes;
    for (size_t width = n_leaves; width > 1; width /= 2) {
        hash_digest *parent = level + width;
        size_t n_par = width / 2;
        size_t n_pc = (n_par + NODE_CHUNK - 1) / NODE_CHUNK;
#pragma omp parallel for schedule(dynamic, 1) if (n_pc > 1)
        for (size_t k = 0; k < n_pc; k++) {
            size_t i0 = k * NODE_CHUNK;
            size_t m = n_par - i0 < NODE_CHUNK ? n_par - i0 : NODE_CHUNK;
            hash_compress_pairs(level + 2 * i0, m, parent + i0);
        }
        level = parent;
    }
    return 0;
}

int merkle_build(merkle_tree *t, const gl_t *mat, size_t n_rows, size_t n_cols,
                 size_t row_stride, size_t col_stride, hash_digest *nodes, zisk_err *err) {
    return merkle_build_leaves(t, mat, n_rows, n_cols, row_stride, col_stride, 0, nodes, err);
}

int merkle_rebind(merkle_tree *t, const gl_t *mat, size_t n_checks) {
    ZISK_ASSERT(t != NULL && (mat != NULL || t->n_cols == 0));
    if (n_checks > t->n_leaves) n_checks = t->n_leaves;
    /* leaves k * n_leaves / n_checks plus an odd offset, so that both halves of every level
     * and the last leaf get sampled */
    for (size_t k = 0; k < n_checks; k++) {
        size_t i = (k * t->n_leaves) / n_checks + (k & 1 ? (t->n_leaves / n_checks) / 2 : 0);
        if (k + 1 == n_checks) i = t->n_leaves - 1;
        hash_digest d;
        hash_leaves(mat + i * t->row_stride, 1, t->leaf_rows, t->n_leaves * t->row_stride, t->n_cols,
                    t->row_stride, t->col_stride, &d);
        if (memcmp(d.h, t->nodes[i].h, sizeof d.h) != 0) return -1;
    }
    t->mat = mat;
    return 0;
}

const hash_digest *merkle_root(const merkle_tree *t) {
    return &t->nodes[2 * t->n_leaves - 2];
}

void merkle_open(const merkle_tree *t, size_t index, gl_t *row_out, hash_digest *path_out) {
    ZISK_ASSERT(index < t->n_leaves);
    for (size_t p = 0; p < t->leaf_rows; p++) {
        size_t r = index + p * t->n_leaves;
        for (size_t c = 0; c < t->n_cols; c++)
            row_out[p * t->n_cols + c] = t->mat[r * t->row_stride + c * t->col_stride];
    }
    const hash_digest *level = t->nodes;
    size_t i = index;
    for (unsigned l = 0; l < t->log_leaves; l++) {
        path_out[l] = level[i ^ 1];
        level += t->n_leaves >> l;
        i >>= 1;
    }
}

void merkle_open_many(const merkle_tree *t, const size_t *indices, size_t n, gl_t *rows_out,
                      hash_digest *paths_out) {
    for (size_t k = 0; k < n; k++)
        merkle_open(t, indices[k], rows_out + k * t->leaf_rows * t->n_cols,
                    paths_out + k * t->log_leaves);
}

static int digest_canonical(const hash_digest *d) {
    for (int i = 0; i < HASH_DIGEST_LEN; i++)
        if (!gl_is_canonical(d->h[i])) return 0;
    return 1;
}

merkle_status merkle_verify(const hash_digest *root, unsigned log_rows, size_t n_cols,
                            size_t index, const gl_t *row, const hash_digest *path,
                            size_t path_len, zisk_err *err) {
    if (root == NULL || (row == NULL && n_cols > 0) || (path == NULL && path_len > 0)) {
        zisk_err_set(err, "merkle: missing root, row or path");
        return MERKLE_ERR_SHAPE;
    }
    if (log_rows > MERKLE_MAX_LOG_ROWS) {
        zisk_err_set(err, "merkle: tree of 2^%u rows exceeds the limit 2^%d", log_rows, MERKLE_MAX_LOG_ROWS);
        return MERKLE_ERR_SHAPE;
    }
    if (path_len != log_rows) {
        zisk_err_set(err, "merkle: path has %zu siblings, a tree of 2^%u rows needs %u", path_len,
                     log_rows, log_rows);
        return MERKLE_ERR_SHAPE;
    }
    if ((uint64_t)n_cols >= GL_P) {
        zisk_err_set(err, "merkle: row length %zu out of range", n_cols);
        return MERKLE_ERR_SHAPE;
    }
    if ((uint64_t)index >> log_rows != 0) {
        zisk_err_set(err, "merkle: row index %zu out of range for 2^%u rows", index, log_rows);
        return MERKLE_ERR_INDEX;
    }
    for (size_t c = 0; c < n_cols; c++) {
        if (!gl_is_canonical(row[c])) {
            zisk_err_set(err, "merkle: row %zu, column %zu: value 0x%016llx is not canonical",
                         index, c, (unsigned long long)row[c]);
            return MERKLE_ERR_NONCANONICAL;
        }
    }
    for (size_t l = 0; l < path_len; l++) {
        if (!digest_canonical(&path[l])) {
            zisk_err_set(err, "merkle: row %zu, sibling at level %zu is not canonical", index, l);
            return MERKLE_ERR_NONCANONICAL;
        }
    }
    if (!digest_canonical(root)) {
        zisk_err_set(err, "merkle: root is not canonical");
        return MERKLE_ERR_NONCANONICAL;
    }
    hash_digest h;
    hash_sponge(row, n_cols, 1, &h);
    size_t i = index;
    for (size_t l = 0; l < path_len; l++, i >>= 1) {
        if (i & 1) hash_compress(&path[l], &h, &h);
        else hash_compress(&h, &path[l], &h);
    }
    if (!hash_digest_eq(&h, root)) {
        zisk_err_set(err, "merkle: row %zu does not open to the root (wrong row value or path)", index);
        return MERKLE_ERR_MISMATCH;
    }
    return MERKLE_OK;
}

merkle_status merkle_verify_many(const hash_digest *root, unsigned log_rows, size_t n_cols,
                                 const size_t *indices, size_t n, const gl_t *rows,
                                 const hash_digest *paths, zisk_err *err) {
    if (n > 0 && indices == NULL) {
        zisk_err_set(err, "merkle: missing index list");
        return MERKLE_ERR_SHAPE;
    }
    if (log_rows > MERKLE_MAX_LOG_ROWS) {
        zisk_err_set(err, "merkle: tree of 2^%u rows exceeds the limit 2^%d", log_rows, MERKLE_MAX_LOG_ROWS);
        return MERKLE_ERR_SHAPE;
    }
    for (size_t k = 0; k < n; k++) {
        zisk_err e;
        merkle_status s = merkle_verify(root, log_rows, n_cols, indices[k],
                                        rows ? rows + k * n_cols : NULL,
                                        paths ? paths + k * log_rows : NULL, log_rows, &e);
        if (s != MERKLE_OK) {
            zisk_err_set(err, "opening %zu: %s", k, e.msg);
            return s;
        }
    }
    return MERKLE_OK;
}
