/*
 * merkle.h: Merkle trees over the rows of a matrix (the low-degree extension of a batch of
 * columns), authentication paths, and their verification.
 *
 * Tree shape (docs/PROOF_SYSTEM_CONVENTIONS.md, "Merkle trees")
 *   n_rows must be a power of two, 2^log_rows with 0 <= log_rows <= MERKLE_MAX_LOG_ROWS (LDE
 *   domains always are; we do not pad, so a caller with another size must pad its matrix and
 *   say how). Leaf r is hash_sponge(row r) (the row's n_cols elements in column order, hash.h).
 *   A node at level l+1 is hash_compress(left, right) of its children 2i and 2i+1 at level l.
 *   The root of a one-row tree is the leaf itself.
 *
 * Node storage: a caller-owned array of merkle_node_count(n_rows) = 2*n_rows - 1 digests,
 *   level by level from the leaves: nodes[0 .. n_rows) are the leaves, the next n_rows/2 their
 *   parents, and so on; the root is the last entry.
 *
 * Authentication path for row `index`: log_rows sibling digests, from the leaf level up:
 *   path[l] is the sibling of the index's ancestor at level l (node (index >> l) ^ 1).
 *
 * Trust: building and opening work on our own data and abort on misuse (a bug); verification
 * takes outside data (a proof) and never aborts or reads out of bounds: it returns a
 * merkle_status and fills err with what failed.
 */
#ifndef ZISK_MERKLE_H
#define ZISK_MERKLE_H

#include <stddef.h>
#include <stdint.h>

#include "base.h"
#include "gl.h"
#include "hash.h"

#define MERKLE_MAX_LOG_ROWS 40

/* A built tree. It borrows the matrix and the node array: both are owned by the caller and must
 * stay alive and unchanged while the tree is used (openings read rows from the matrix). */
typedef struct merkle_tree {
    const gl_t *mat;      /* element (r, c) at mat[r*row_stride + c*col_stride] */
    size_t row_stride, col_stride;
    size_t n_rows, n_cols;
    unsigned log_rows;
    /* Leaves: n_leaves = n_rows / leaf_rows, leaf i holding rows i + j * n_leaves for
     * j < leaf_rows (merkle_build_leaves); merkle_build makes leaf_rows = 1. */
    size_t n_leaves, leaf_rows;
    unsigned log_leaves;
    hash_digest *nodes;   /* merkle_node_count(n_leaves) digests, layout above */
} merkle_tree;

typedef enum merkle_status {
    MERKLE_OK = 0,
    MERKLE_ERR_SHAPE,        /* missing buffer, path length != log_rows, log_rows too large */
    MERKLE_ERR_INDEX,        /* row index >= 2^log_rows */
    MERKLE_ERR_NONCANONICAL, /* a row value, sibling or root element is >= p */
    MERKLE_ERR_MISMATCH,     /* the recomputed root differs from the expected root */
} merkle_status;

/* A short constant name for a status ("ok", "shape", "index", "noncanonical", "mismatch"). */
const char *merkle_status_str(merkle_status s);

/* 2*n_rows - 1 (the size of the node array), for n_rows >= 1. */
size_t merkle_node_count(size_t n_rows);

/* Builds the tree over the matrix: hashes every row, then every level, in parallel with OpenMP
 * when available (omp_get_max_threads() threads). nodes must hold merkle_node_count(n_rows)
 * digests. Returns 0, or -1 with err filled when n_rows is not a power of two in
 * [1, 2^MERKLE_MAX_LOG_ROWS] or a buffer is missing (no other failure is possible). */
int merkle_build(merkle_tree *t, const gl_t *mat, size_t n_rows, size_t n_cols,
                 size_t row_stride, size_t col_stride, hash_digest *nodes, zisk_err *err);

/* A tree whose leaves hold 2^log_leaf_rows rows each (docs/PROOF_SYSTEM_CONVENTIONS.md,
 * "Merkle trees"): with n_leaves = n_rows >> log_leaf_rows, leaf i is hash_sponge of the rows
 * i, i + n_leaves, i + 2 n_leaves, ... concatenated in that order (hash_leaves), and the tree
 * above the leaves is as described at the top with n_leaves in place of n_rows. For an LDE in
 * natural order and log_leaf_rows = 1, leaf i holds the points x and -x. nodes must hold
 * merkle_node_count(n_leaves) digests. Paths and openings then refer to LEAF indices:
 * merkle_open(t, i, ...) writes the leaf's leaf_rows * n_cols values (row i first) and
 * log_leaves siblings, which merkle_verify checks with log_rows = log_leaves and
 * n_cols = leaf_rows * n_cols. Returns 0, or -1 with err filled when n_rows is not a power of
 * two in [1, 2^MERKLE_MAX_LOG_ROWS], log_leaf_rows > log2(n_rows), or a buffer is missing.
 * log_leaf_rows = 0 is merkle_build. */
int merkle_build_leaves(merkle_tree *t, const gl_t *mat, size_t n_rows, size_t n_cols,
                        size_t row_stride, size_t col_stride, unsigned log_leaf_rows,
                        hash_digest *nodes, zisk_err *err);

/* Points a built tree at `mat`, a new copy of the matrix it was built over (same shape and
 * strides), e.g. an LDE recomputed after the first copy was freed to save memory: the nodes are
 * kept, nothing is rehashed. Returns 0 when the n_checks leaves it samples (spread over the
 * tree; all of them when n_checks >= n_leaves) hash to the stored leaf digests, -1 when one
 * differs: the matrix is not the one the tree was built over (a caller bug, which the caller
 * reports). Keeps the old matrix pointer on failure. */
int merkle_rebind(merkle_tree *t, const gl_t *mat, size_t n_checks);

/* The root (points into the tree's node array). */
const hash_digest *merkle_root(const merkle_tree *t);

/* Opens row `index` (< n_rows, else abort: a bug): copies its n_cols values to row_out and its
 * log_rows siblings to path_out (both caller-owned). For a tree of multi-row leaves, index is a
 * leaf index (< n_leaves) and row_out receives leaf_rows * n_cols values, path_out log_leaves
 * siblings (merkle_build_leaves). */
void merkle_open(const merkle_tree *t, size_t index, gl_t *row_out, hash_digest *path_out);

/* Opens n rows (leaves): leaf k goes to rows_out[k*leaf_rows*n_cols ..] and its path to
 * paths_out[k*log_leaves ..]. */
void merkle_open_many(const merkle_tree *t, const size_t *indices, size_t n, gl_t *rows_out,
                      hash_digest *paths_out);

/* Checks that `row` (n_cols values) is row `index` of a tree of 2^log_rows rows with the given
 * root, using the path of path_len siblings. All arguments may come from a proof: any
 * inconsistency (NULL buffers, path_len != log_rows, log_rows > MERKLE_MAX_LOG_ROWS, index out of
 * range, non-canonical values) is reported, never trusted. Returns MERKLE_OK, or the status of
 * the first failed check with err (may be NULL) saying what and where. */
merkle_status merkle_verify(const hash_digest *root, unsigned log_rows, size_t n_cols,
                            size_t index, const gl_t *row, const hash_digest *path,
                            size_t path_len, zisk_err *err);

/* merkle_verify for n openings laid out as merkle_open_many writes them (each path has
 * log_rows siblings). Stops at the first failure; err names the opening (k) and the row index. */
merkle_status merkle_verify_many(const hash_digest *root, unsigned log_rows, size_t n_cols,
                                 const size_t *indices, size_t n, const gl_t *rows,
                                 const hash_digest *paths, zisk_err *err);

#endif
