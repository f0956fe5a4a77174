/*
 * test_merkle.c: Merkle build / open / verify on several shapes (1 row, small, non-multiple of
 * the SIMD lanes in width, column-major), the node layout against a naive recomputation, the
 * power-of-two policy, and tamper rejections (row value, sibling, index, root, path length,
 * non-canonical inputs, NULL buffers) with the specific status.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "merkle.h"

static uint64_t rng_state = 12345;
static gl_t rand_gl(void) {
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return gl_from_u64(z ^ (z >> 31));
}

/* The root recomputed level by level with the scalar functions only. */
static void naive_root(const gl_t *mat, size_t n, size_t m, hash_digest *root) {
    hash_digest *lv = malloc(sizeof(hash_digest) * n);
    for (size_t r = 0; r < n; r++) hash_sponge(mat + r * m, m, 1, &lv[r]);
    for (size_t w = n; w > 1; w /= 2)
        for (size_t i = 0; i < w / 2; i++) hash_compress(&lv[2 * i], &lv[2 * i + 1], &lv[i]);
    *root = lv[0];
    free(lv);
}

typedef struct shape {
    size_t log_rows, cols;
} shape;

static void check_shape(size_t log_rows, size_t cols, int col_major) {
    size_t n = (size_t)1 << log_rows;
    gl_t *mat = malloc(sizeof(gl_t) * (n * cols + 1));
    for (size_t i = 0; i < n * cols; i++) mat[i] = rand_gl();
    gl_t *store = mat;
    if (col_major) {
        store = malloc(sizeof(gl_t) * (n * cols + 1));
        for (size_t r = 0; r < n; r++)
            for (size_t c = 0; c < cols; c++) store[c * n + r] = mat[r * cols + c];
    }
    hash_digest *nodes = malloc(sizeof(hash_digest) * merkle_node_count(n));
    merkle_tree t;
    zisk_err err;
    int rc = col_major ? merkle_build(&t, store, n, cols, 1, n, nodes, &err)
                       : merkle_build(&t, store, n, cols, cols, 1, nodes, &err);
    assert_int_equal(rc, 0);
    assert_int_equal(t.log_rows, log_rows);
    hash_digest want;
    naive_root(mat, n, cols, &want);
    assert_true(hash_digest_eq(merkle_root(&t), &want));

    /* Open every row (or a sample on big trees) and verify, singly and as a batch. */
    size_t step = n > 64 ? n / 61 : 1;
    size_t idx[128], k = 0;
    for (size_t i = 0; i < n && k < 128; i += step) idx[k++] = i;
    idx[k++] = n - 1;
    gl_t *rows = malloc(sizeof(gl_t) * (k * cols + 1));
    hash_digest *paths = malloc(sizeof(hash_digest) * (k * log_rows + 1));
    merkle_open_many(&t, idx, k, rows, paths);
    for (size_t q = 0; q < k; q++) {
        assert_memory_equal(rows + q * cols, mat + idx[q] * cols, sizeof(gl_t) * cols);
        assert_int_equal(merkle_verify(&want, (unsigned)log_rows, cols, idx[q], rows + q * cols,
                                       paths + q * log_rows, log_rows, &err), MERKLE_OK);
    }
    assert_int_equal(merkle_verify_many(&want, (unsigned)log_rows, cols, idx, k, rows, paths, &err),
                     MERKLE_OK);
    free(rows);
    free(paths);
    free(nodes);
    if (store != mat) free(store);
    free(mat);
}

static void test_shapes(void **st) {
    static const shape shapes[] = {{0, 1}, {0, 13}, {1, 1}, {1, 8}, {2, 3}, {3, 9}, {4, 16},
                                   {5, 1}, {6, 17}, {10, 32}, {12, 5}};
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
        check_shape(shapes[i].log_rows, shapes[i].cols, 0);
        check_shape(shapes[i].log_rows, shapes[i].cols, 1);
    }
}

/* Leaves of 2^ll rows (merkle_build_leaves): the tree equals the plain tree over the matrix
 * whose row i is rows i, i + n_leaves, ... concatenated; openings give those rows and verify
 * as such. Column-major (the STARK's layout) and row-major, with the 8-lane tail. */
static void check_leaves(size_t log_rows, unsigned ll, size_t cols, int col_major) {
    size_t n = (size_t)1 << log_rows, nl = n >> ll, lr = (size_t)1 << ll;
    gl_t *mat = malloc(sizeof(gl_t) * (n * cols + 1));
    for (size_t i = 0; i < n * cols; i++) mat[i] = rand_gl();
    gl_t *store = mat;
    if (col_major) {
        store = malloc(sizeof(gl_t) * (n * cols + 1));
        for (size_t r = 0; r < n; r++)
            for (size_t c = 0; c < cols; c++) store[c * n + r] = mat[r * cols + c];
    }
    gl_t *cat = malloc(sizeof(gl_t) * (n * cols + 1));
    for (size_t i = 0; i < nl; i++)
        for (size_t p = 0; p < lr; p++)
            memcpy(cat + (i * lr + p) * cols, mat + (i + p * nl) * cols, sizeof(gl_t) * cols);
    hash_digest *nodes = malloc(sizeof(hash_digest) * merkle_node_count(nl));
    merkle_tree t;
    zisk_err err;
    int rc = col_major ? merkle_build_leaves(&t, store, n, cols, 1, n, ll, nodes, &err)
                       : merkle_build_leaves(&t, store, n, cols, cols, 1, ll, nodes, &err);
    assert_int_equal(rc, 0);
    assert_int_equal(t.log_leaves, log_rows - ll);
    hash_digest want;
    naive_root(cat, nl, lr * cols, &want);
    assert_true(hash_digest_eq(merkle_root(&t), &want));
    gl_t *leaf = malloc(sizeof(gl_t) * (lr * cols + 1));
    hash_digest path[64];
    for (size_t i = 0; i < nl; i += 1 + nl / 7) {
        merkle_open(&t, i, leaf, path);
        assert_memory_equal(leaf, cat + i * lr * cols, sizeof(gl_t) * lr * cols);
        assert_int_equal(merkle_verify(&want, (unsigned)(log_rows - ll), lr * cols, i, leaf, path,
                                       log_rows - ll, &err), MERKLE_OK);
    }
    free(leaf);
    free(nodes);
    free(cat);
    if (store != mat) free(store);
    free(mat);
}

static void test_multi_row_leaves(void **st) {
    static const struct {
        size_t log_rows;
        unsigned ll;
        size_t cols;
    } cases[] = {{1, 1, 3}, {4, 1, 6}, {5, 2, 4}, {7, 1, 100}, {10, 1, 9}, {3, 3, 5}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        check_leaves(cases[i].log_rows, cases[i].ll, cases[i].cols, 0);
        check_leaves(cases[i].log_rows, cases[i].ll, cases[i].cols, 1);
    }
    merkle_tree t;
    hash_digest nodes[4];
    gl_t mat[8] = {0};
    zisk_err err;
    assert_int_equal(merkle_build_leaves(&t, mat, 4, 2, 2, 1, 3, nodes, &err), -1);
    assert_non_null(strstr(err.msg, "per leaf"));
}

static void test_one_row_root_is_leaf(void **st) {
    gl_t row[5] = {1, 2, 3, 4, 5};
    hash_digest nodes[1], leaf;
    merkle_tree t;
    assert_int_equal(merkle_build(&t, row, 1, 5, 5, 1, nodes, NULL), 0);
    hash_sponge(row, 5, 1, &leaf);
    assert_true(hash_digest_eq(merkle_root(&t), &leaf));
    assert_int_equal(merkle_verify(&leaf, 0, 5, 0, row, NULL, 0, NULL), MERKLE_OK);
    assert_int_equal(merkle_verify(&leaf, 0, 5, 1, row, NULL, 0, NULL), MERKLE_ERR_INDEX);
}

static void test_power_of_two_policy(void **st) {
    gl_t mat[6 * 2] = {0};
    hash_digest nodes[16];
    merkle_tree t;
    zisk_err err;
    for (size_t n = 0; n <= 6; n++) {
        int rc = merkle_build(&t, mat, n, 2, 2, 1, nodes, &err);
        if (n == 1 || n == 2 || n == 4) assert_int_equal(rc, 0);
        else {
            assert_int_equal(rc, -1);
            assert_non_null(strstr(err.msg, "power of two"));
        }
    }
    assert_int_equal(merkle_build(&t, mat, 2, 2, 2, 1, NULL, &err), -1);
}

/* A 16 x 6 tree with one opening, tampered in every way. */
static void test_tamper(void **st) {
    enum { LOG = 4, N = 1 << LOG, M = 6 };
    gl_t mat[N * M];
    for (size_t i = 0; i < N * M; i++) mat[i] = rand_gl();
    hash_digest nodes[2 * N - 1];
    merkle_tree t;
    assert_int_equal(merkle_build(&t, mat, N, M, M, 1, nodes, NULL), 0);
    hash_digest root = *merkle_root(&t);
    size_t index = 11;
    gl_t row[M];
    hash_digest path[LOG];
    merkle_open(&t, index, row, path);
    zisk_err err;
    assert_int_equal(merkle_verify(&root, LOG, M, index, row, path, LOG, &err), MERKLE_OK);

    /* Each row value. */
    for (int c = 0; c < M; c++) {
        gl_t save = row[c];
        row[c] = gl_add(row[c], 1);
        assert_int_equal(merkle_verify(&root, LOG, M, index, row, path, LOG, &err), MERKLE_ERR_MISMATCH);
        row[c] = save;
    }
    /* Each element of each sibling. */
    for (int l = 0; l < LOG; l++)
        for (int j = 0; j < 4; j++) {
            gl_t save = path[l].h[j];
            path[l].h[j] = gl_add(save, 1);
            assert_int_equal(merkle_verify(&root, LOG, M, index, row, path, LOG, &err), MERKLE_ERR_MISMATCH);
            path[l].h[j] = save;
        }
    /* Siblings swapped (order matters). */
    {
        hash_digest tmp = path[0];
        path[0] = path[1];
        path[1] = tmp;
        assert_int_equal(merkle_verify(&root, LOG, M, index, row, path, LOG, &err), MERKLE_ERR_MISMATCH);
        path[1] = path[0];
        path[0] = tmp;
    }
    /* Every other index with the same row and path. */
    for (size_t i = 0; i < N; i++)
        if (i != index)
            assert_int_equal(merkle_verify(&root, LOG, M, i, row, path, LOG, &err), MERKLE_ERR_MISMATCH);
    /* Index out of range, including huge ones. */
    assert_int_equal(merkle_verify(&root, LOG, M, N, row, path, LOG, &err), MERKLE_ERR_INDEX);
    assert_int_equal(merkle_verify(&root, LOG, M, SIZE_MAX, row, path, LOG, &err), MERKLE_ERR_INDEX);
    assert_non_null(strstr(err.msg, "out of range"));
    /* The root. */
    for (int j = 0; j < 4; j++) {
        hash_digest r2 = root;
        r2.h[j] = gl_add(r2.h[j], 1);
        assert_int_equal(merkle_verify(&r2, LOG, M, index, row, path, LOG, &err), MERKLE_ERR_MISMATCH);
    }
    /* Shape: wrong path length, wrong tree height, wrong width, absurd height, NULLs. */
    assert_int_equal(merkle_verify(&root, LOG, M, index, row, path, LOG - 1, &err), MERKLE_ERR_SHAPE);
    assert_int_equal(merkle_verify(&root, LOG - 1, M, index & 7, row, path, LOG - 1, &err), MERKLE_ERR_MISMATCH);
    assert_int_equal(merkle_verify(&root, LOG, M - 1, index, row, path, LOG, &err), MERKLE_ERR_MISMATCH);
    assert_int_equal(merkle_verify(&root, 200, M, index, row, path, 200, &err), MERKLE_ERR_SHAPE);
    assert_int_equal(merkle_verify(NULL, LOG, M, index, row, path, LOG, &err), MERKLE_ERR_SHAPE);
    assert_int_equal(merkle_verify(&root, LOG, M, index, NULL, path, LOG, &err), MERKLE_ERR_SHAPE);
    assert_int_equal(merkle_verify(&root, LOG, M, index, row, NULL, LOG, &err), MERKLE_ERR_SHAPE);
    assert_int_equal(merkle_verify(&root, LOG, M, index, row, path, LOG, NULL), MERKLE_OK);
    /* Non-canonical values: a row value replaced by value + p (same residue) is refused. */
    {
        gl_t save = row[2];
        if (save < GL_EPS) {
            row[2] = save + GL_P;
            assert_int_equal(merkle_verify(&root, LOG, M, index, row, path, LOG, &err), MERKLE_ERR_NONCANONICAL);
        }
        row[2] = UINT64_MAX;
        assert_int_equal(merkle_verify(&root, LOG, M, index, row, path, LOG, &err), MERKLE_ERR_NONCANONICAL);
        assert_non_null(strstr(err.msg, "column 2"));
        row[2] = save;
        hash_digest s2 = path[3];
        path[3].h[1] = GL_P;
        assert_int_equal(merkle_verify(&root, LOG, M, index, row, path, LOG, &err), MERKLE_ERR_NONCANONICAL);
        path[3] = s2;
        hash_digest r2 = root;
        r2.h[0] = UINT64_MAX;
        assert_int_equal(merkle_verify(&r2, LOG, M, index, row, path, LOG, &err), MERKLE_ERR_NONCANONICAL);
    }
    /* Batch verification names the failing opening. */
    size_t idx[3] = {1, index, 5};
    gl_t rows[3 * M];
    hash_digest paths[3 * LOG];
    merkle_open_many(&t, idx, 3, rows, paths);
    assert_int_equal(merkle_verify_many(&root, LOG, M, idx, 3, rows, paths, &err), MERKLE_OK);
    rows[2 * M] = gl_add(rows[2 * M], 1);
    assert_int_equal(merkle_verify_many(&root, LOG, M, idx, 3, rows, paths, &err), MERKLE_ERR_MISMATCH);
    assert_non_null(strstr(err.msg, "opening 2"));
    assert_int_equal(merkle_verify_many(&root, LOG, M, NULL, 3, rows, paths, &err), MERKLE_ERR_SHAPE);
    assert_string_equal(merkle_status_str(MERKLE_ERR_INDEX), "index");
}

/* merkle_rebind: a copy of the matrix is accepted (openings then read the copy); a copy with
 * one value changed in a sampled leaf is refused and the tree keeps its matrix; with as many
 * checks as leaves, a change anywhere is refused. */
static void test_rebind(void **st) {
    (void)st;
    size_t n = 64, cols = 5, nl = n / 4;
    gl_t *mat = malloc(sizeof(gl_t) * n * cols), *copy = malloc(sizeof(gl_t) * n * cols);
    for (size_t i = 0; i < n * cols; i++) mat[i] = rand_gl();
    memcpy(copy, mat, sizeof(gl_t) * n * cols);
    hash_digest *nodes = malloc(sizeof(hash_digest) * merkle_node_count(nl));
    merkle_tree t;
    zisk_err err;
    assert_int_equal(merkle_build_leaves(&t, mat, n, cols, 1, n, 2, nodes, &err), 0);
    hash_digest root = *merkle_root(&t);
    assert_int_equal(merkle_rebind(&t, copy, 4), 0);
    assert_ptr_equal(t.mat, copy);
    gl_t leaf[4 * 5];
    hash_digest path[8];
    merkle_open(&t, nl - 1, leaf, path);
    assert_int_equal(merkle_verify(&root, 4, 4 * cols, nl - 1, leaf, path, 4, &err), MERKLE_OK);
    /* the last leaf is always sampled: change its row n - 1 (leaf nl - 1, part 3), column 2 */
    copy[2 * n + n - 1] = gl_add(copy[2 * n + n - 1], 1);
    assert_int_equal(merkle_rebind(&t, mat, 4), 0);
    assert_int_equal(merkle_rebind(&t, copy, 4), -1);
    assert_ptr_equal(t.mat, mat);
    copy[2 * n + n - 1] = mat[2 * n + n - 1];
    copy[3 * n + 5] = gl_add(copy[3 * n + 5], 1); /* leaf 5 */
    assert_int_equal(merkle_rebind(&t, copy, nl), -1);
    assert_int_equal(merkle_rebind(&t, copy, 1000), -1);
    free(nodes);
    free(copy);
    free(mat);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shapes),
        cmocka_unit_test(test_multi_row_leaves),
        cmocka_unit_test(test_one_row_root_is_leaf),
        cmocka_unit_test(test_power_of_two_policy),
        cmocka_unit_test(test_tamper),
        cmocka_unit_test(test_rebind),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
