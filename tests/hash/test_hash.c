/*
 * test_hash.c: Poseidon2 known-answer tests from ../shared/vectors/poseidon2-goldilocks-w12.txt
 * (path given as argv[1]; exit 77 = skipped when absent), every SIMD level against the scalar
 * reference, and the sponge / compression conventions of hash.h.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base.h"
#include "hash.h"
#include "hash_internal.h"

static const char *g_vectors_path;

/* ---- the vectors file ---- */

typedef struct kat {
    gl_t in[12], out[12];
} kat;

typedef struct vectors {
    gl_t diag[12];
    size_t n_diag;
    gl_t rc[POSEIDON2_N_RC];
    size_t n_rc;
    kat kats[64];
    size_t n_kats;
} vectors;

/* Parses DIAG, RC and KAT lines (format described in the file's header). */
static void load_vectors(vectors *v) {
    uint8_t *data;
    size_t len;
    zisk_err err;
    if (zisk_read_file(g_vectors_path, 1 << 20, &data, &len, &err) != 0) fail_msg("%s", err.msg);
    memset(v, 0, sizeof *v);
    char *text = zisk_xmalloc(len + 1);
    memcpy(text, data, len);
    text[len] = 0;
    free(data);
    char *save_line = NULL;
    for (char *line = strtok_r(text, "\n", &save_line); line; line = strtok_r(NULL, "\n", &save_line)) {
        char *save = NULL;
        char *tok = strtok_r(line, " \t\r", &save);
        if (tok == NULL || tok[0] == '#') continue;
        if (strcmp(tok, "DIAG") == 0 || strcmp(tok, "RC") == 0) {
            int is_diag = tok[0] == 'D';
            while ((tok = strtok_r(NULL, " \t\r", &save)) != NULL) {
                uint64_t x;
                assert_int_equal(zisk_parse_u64(tok, &x), 0);
                if (is_diag) {
                    assert_true(v->n_diag < 12);
                    v->diag[v->n_diag++] = x;
                } else {
                    assert_true(v->n_rc < POSEIDON2_N_RC);
                    v->rc[v->n_rc++] = x;
                }
            }
        } else if (strcmp(tok, "KAT") == 0) {
            assert_true(v->n_kats < 64);
            kat *k = &v->kats[v->n_kats++];
            int n = 0, arrow = 0;
            while ((tok = strtok_r(NULL, " \t\r", &save)) != NULL) {
                if (strcmp(tok, "->") == 0) {
                    assert_int_equal(n, 12);
                    arrow = 1;
                    n = 0;
                    continue;
                }
                uint64_t x;
                assert_int_equal(zisk_parse_u64(tok, &x), 0);
                assert_true(n < 12);
                if (arrow) k->out[n++] = x;
                else k->in[n++] = x;
            }
            assert_true(arrow);
            assert_int_equal(n, 12);
        } else {
            fail_msg("unknown line kind '%s' in %s", tok, g_vectors_path);
        }
    }
    free(text);
}

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static uint64_t rng(void) { /* splitmix64 */
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}
/* Random canonical elements, with the edge values 0, 1, p-1, 2^32, 2^32-1 often. */
static gl_t rand_gl(void) {
    static const gl_t edge[] = {0, 1, GL_P - 1, GL_P - 2, 1ull << 32, (1ull << 32) - 1, 1ull << 63};
    uint64_t r = rng();
    if ((r & 7) == 0) return edge[(r >> 3) % (sizeof edge / sizeof edge[0])];
    return gl_from_u64(rng());
}

static int level_usable(gl_simd_level l) { return gl_vec_ops_get(l) != NULL; }

/* ---- tests ---- */

static void test_constants_match_file(void **st) {
    vectors *v = zisk_xmalloc(sizeof *v);
    load_vectors(v);
    assert_int_equal(v->n_diag, 12);
    assert_int_equal(v->n_rc, POSEIDON2_N_RC);
    for (int i = 0; i < 12; i++) {
        assert_int_equal(v->diag[i], poseidon2_diag[i]);
        assert_true(gl_is_canonical(poseidon2_diag[i]));
    }
    for (int i = 0; i < POSEIDON2_N_RC; i++) {
        assert_int_equal(v->rc[i], poseidon2_rc[i]);
        assert_true(gl_is_canonical(poseidon2_rc[i]));
    }
    assert_true(v->n_kats >= 1);
    free(v);
}

static void test_kats_scalar(void **st) {
    vectors *v = zisk_xmalloc(sizeof *v);
    load_vectors(v);
    for (size_t k = 0; k < v->n_kats; k++) {
        gl_t s[12];
        memcpy(s, v->kats[k].in, sizeof s);
        poseidon2_permute(s);
        for (int i = 0; i < 12; i++) {
            if (s[i] != v->kats[k].out[i])
                fail_msg("KAT %zu element %d: got %llu, want %llu", k, i, (unsigned long long)s[i],
                         (unsigned long long)v->kats[k].out[i]);
        }
    }
    free(v);
}

/* Every KAT through every SIMD level, the KATs spread over the lanes in every rotation so each
 * lane sees each vector. */
static void test_kats_simd(void **st) {
    vectors *v = zisk_xmalloc(sizeof *v);
    load_vectors(v);
    for (int l = 0; l < GL_SIMD_LEVELS; l++) {
        if (!level_usable((gl_simd_level)l)) continue;
        for (size_t rot = 0; rot < POSEIDON2_LANES; rot++) {
            gl_t x[12][POSEIDON2_LANES];
            for (int j = 0; j < POSEIDON2_LANES; j++)
                for (int i = 0; i < 12; i++) x[i][j] = v->kats[(j + rot) % v->n_kats].in[i];
            poseidon2_permute_x8_level((gl_simd_level)l, x);
            for (int j = 0; j < POSEIDON2_LANES; j++)
                for (int i = 0; i < 12; i++)
                    if (x[i][j] != v->kats[(j + rot) % v->n_kats].out[i])
                        fail_msg("level %d lane %d KAT %zu element %d differs", l, j,
                                 (j + rot) % v->n_kats, i);
        }
    }
    free(v);
}

static void test_simd_vs_scalar_random(void **st) {
    enum { N = 2003 }; /* not a multiple of 8: exercises the partial last group */
    gl_t *ref = zisk_xmalloc(sizeof(gl_t) * 12 * N), *got = zisk_xmalloc(sizeof(gl_t) * 12 * N);
    for (size_t i = 0; i < 12 * N; i++) ref[i] = rand_gl();
    memcpy(got, ref, sizeof(gl_t) * 12 * N);
    for (size_t k = 0; k < N; k++) poseidon2_permute(ref + 12 * k);
    for (int l = 0; l < GL_SIMD_LEVELS; l++) {
        if (!level_usable((gl_simd_level)l)) continue;
        gl_t *x = zisk_xmalloc(sizeof(gl_t) * 12 * N);
        memcpy(x, got, sizeof(gl_t) * 12 * N);
        poseidon2_permute_batch_level((gl_simd_level)l, x, N);
        for (size_t i = 0; i < 12 * N; i++)
            if (x[i] != ref[i]) fail_msg("level %d: state %zu element %zu differs", l, i / 12, i % 12);
        free(x);
    }
    /* The default entry point as well. */
    poseidon2_permute_batch(got, N);
    assert_memory_equal(got, ref, sizeof(gl_t) * 12 * N);
    free(ref);
    free(got);
}

static void test_sponge_lengths_distinct(void **st) {
    /* All-zero inputs of lengths 0..40: the length domain separation must give distinct
     * digests (trailing zeros matter), and none may equal a compression of two zero digests. */
    enum { MAXL = 40 };
    gl_t zeros[MAXL] = {0};
    hash_digest d[MAXL + 1];
    for (size_t len = 0; len <= MAXL; len++) hash_sponge(zeros, len, 1, &d[len]);
    for (size_t a = 0; a <= MAXL; a++)
        for (size_t b = a + 1; b <= MAXL; b++) assert_false(hash_digest_eq(&d[a], &d[b]));
    hash_digest z = {{0}}, c;
    hash_compress(&z, &z, &c);
    for (size_t a = 0; a <= MAXL; a++) assert_false(hash_digest_eq(&d[a], &c));
    /* [x] and [x, 0] differ; a change in any position changes the digest. */
    gl_t row[17];
    for (int i = 0; i < 17; i++) row[i] = rand_gl();
    hash_digest base, other;
    hash_sponge(row, 17, 1, &base);
    for (int i = 0; i < 17; i++) {
        gl_t save = row[i];
        row[i] = gl_add(row[i], 1);
        hash_sponge(row, 17, 1, &other);
        assert_false(hash_digest_eq(&base, &other));
        row[i] = save;
    }
    hash_sponge(row, 17, 1, &other);
    assert_true(hash_digest_eq(&base, &other));
}

/* The sponge written out from the documented convention, as a reimplementation would. */
static void sponge_by_definition(const gl_t *in, size_t len, hash_digest *out) {
    gl_t s[12] = {0};
    s[8] = len;
    s[11] = HASH_DOMAIN_SPONGE;
    size_t nblocks = len == 0 ? 1 : (len + 7) / 8;
    for (size_t b = 0; b < nblocks; b++) {
        for (size_t i = 0; i < 8; i++) s[i] = b * 8 + i < len ? in[b * 8 + i] : 0;
        poseidon2_permute(s);
    }
    memcpy(out->h, s, sizeof out->h);
}

static void test_sponge_definition_and_stride(void **st) {
    gl_t buf[3 * 30];
    for (size_t i = 0; i < 3 * 30; i++) buf[i] = rand_gl();
    for (size_t len = 0; len <= 30; len++) {
        hash_digest a, b, c;
        sponge_by_definition(buf, len, &a);
        hash_sponge(buf, len, 1, &b);
        assert_true(hash_digest_eq(&a, &b));
        /* Strided input: every third element. */
        gl_t tmp[30];
        for (size_t i = 0; i < len; i++) tmp[i] = buf[3 * i];
        sponge_by_definition(tmp, len, &a);
        hash_sponge(buf, len, 3, &c);
        assert_true(hash_digest_eq(&a, &c));
    }
    /* Compression by definition. */
    hash_digest l, r, o;
    for (int i = 0; i < 4; i++) l.h[i] = rand_gl(), r.h[i] = rand_gl();
    gl_t s[12] = {l.h[0], l.h[1], l.h[2], l.h[3], r.h[0], r.h[1], r.h[2], r.h[3], 0, 0, 0, 0};
    poseidon2_permute(s);
    hash_compress(&l, &r, &o);
    assert_memory_equal(o.h, s, sizeof o.h);
    hash_compress(&l, &r, &l); /* aliasing allowed */
    assert_true(hash_digest_eq(&l, &o));
}

static void test_hash_rows_matches_sponge(void **st) {
    /* Row counts below, at and around multiples of the 8 lanes (the column-major AVX-512 path
     * takes whole groups of 8, the generic code the rest); column counts around the rate of 8
     * and the 100-wide rows of the STARK benchmark. */
    static const size_t rows_list[] = {1, 7, 8, 9, 33, 64};
    static const size_t cols_list[] = {0, 1, 4, 8, 9, 16, 21, 100};
    for (size_t a = 0; a < sizeof rows_list / sizeof rows_list[0]; a++) {
        for (size_t b = 0; b < sizeof cols_list / sizeof cols_list[0]; b++) {
            size_t n = rows_list[a], m = cols_list[b];
            gl_t *mat = zisk_xmalloc(sizeof(gl_t) * (n * m + 1));
            for (size_t i = 0; i < n * m; i++) mat[i] = rand_gl();
            hash_digest *want = zisk_xmalloc(sizeof(hash_digest) * n);
            hash_digest *got = zisk_xmalloc(sizeof(hash_digest) * n);
            for (size_t r = 0; r < n; r++) hash_sponge(mat + r * m, m, 1, &want[r]);
            for (int l = 0; l < GL_SIMD_LEVELS; l++) {
                if (!level_usable((gl_simd_level)l)) continue;
                /* Row-major. */
                hash_rows_level((gl_simd_level)l, mat, n, m, m, 1, got);
                assert_memory_equal(got, want, sizeof(hash_digest) * n);
                /* The same matrix stored column-major. */
                gl_t *cm = zisk_xmalloc(sizeof(gl_t) * (n * m + 1));
                for (size_t r = 0; r < n; r++)
                    for (size_t c = 0; c < m; c++) cm[c * n + r] = mat[r * m + c];
                hash_rows_level((gl_simd_level)l, cm, n, m, 1, n, got);
                assert_memory_equal(got, want, sizeof(hash_digest) * n);
                free(cm);
            }
            free(mat);
            free(want);
            free(got);
        }
    }
}

/* Leaves of two and four rows (the STARK's x / -x leaves) against hash_sponge of the
 * concatenated rows, row-major and column-major, every usable level. */
static void test_hash_leaves_matches_sponge(void **st) {
    (void)st;
    static const size_t leaves_list[] = {1, 8, 9, 17};
    static const size_t cols_list[] = {0, 3, 4, 6, 100};
    static const size_t parts_list[] = {1, 2, 4};
    for (size_t a = 0; a < 4; a++)
        for (size_t b = 0; b < 5; b++)
            for (size_t c = 0; c < 3; c++) {
                size_t nl = leaves_list[a], m = cols_list[b], np = parts_list[c], n = nl * np;
                gl_t *mat = zisk_xmalloc(sizeof(gl_t) * (n * m + 1));
                gl_t *cm = zisk_xmalloc(sizeof(gl_t) * (n * m + 1));
                gl_t *leaf = zisk_xmalloc(sizeof(gl_t) * (np * m + 1));
                for (size_t i = 0; i < n * m; i++) mat[i] = rand_gl();
                for (size_t r = 0; r < n; r++)
                    for (size_t k = 0; k < m; k++) cm[k * n + r] = mat[r * m + k];
                hash_digest *want = zisk_xmalloc(sizeof(hash_digest) * nl);
                hash_digest *got = zisk_xmalloc(sizeof(hash_digest) * nl);
                for (size_t r = 0; r < nl; r++) {
                    for (size_t p = 0; p < np; p++)
                        memcpy(leaf + p * m, mat + (r + p * nl) * m, m * sizeof(gl_t));
                    hash_sponge(leaf, np * m, 1, &want[r]);
                }
                for (int l = 0; l < GL_SIMD_LEVELS; l++) {
                    if (!level_usable((gl_simd_level)l)) continue;
                    hash_leaves_level((gl_simd_level)l, mat, nl, np, nl * m, m, m, 1, got);
                    assert_memory_equal(got, want, sizeof(hash_digest) * nl);
                    hash_leaves_level((gl_simd_level)l, cm, nl, np, nl, m, 1, n, got);
                    assert_memory_equal(got, want, sizeof(hash_digest) * nl);
                }
                free(mat);
                free(cm);
                free(leaf);
                free(want);
                free(got);
            }
}

static void test_compress_pairs(void **st) {
    enum { N = 37 };
    hash_digest in[2 * N], got[N], want[N];
    for (size_t i = 0; i < 2 * N; i++)
        for (int j = 0; j < 4; j++) in[i].h[j] = rand_gl();
    for (size_t i = 0; i < N; i++) hash_compress(&in[2 * i], &in[2 * i + 1], &want[i]);
    hash_compress_pairs(in, N, got);
    assert_memory_equal(got, want, sizeof want);
}

/* ---- the AVX-512 kernel's arithmetic steps against 128-bit integers ---- */

static gl_t ref_mod128(unsigned __int128 x) { return (gl_t)(x % GL_P); }

/* Operands that stress the kernel's corrections: zero, small, around 2^32, p and 2^64, values
 * whose high half is zero or all ones, plus random ones. */
static uint64_t rand_u64_edge(void) {
    static const uint64_t edge[] = {0, 1, 2, 0xFFFFFFFFull, 0x100000000ull, 0x100000001ull,
                                    GL_P - 1, GL_P, GL_P + 1, 0xFFFFFFFFFFFFFFFFull,
                                    0xFFFFFFFFFFFFFFFEull, 0xFFFFFFFF00000000ull,
                                    0x00000000FFFFFFFFull, 1ull << 63, (1ull << 63) - 1,
                                    0x8000000080000000ull, 0xFFFFFFFE00000002ull};
    uint64_t r = rng();
    switch (r & 3) {
    case 0: return edge[(r >> 2) % (sizeof edge / sizeof edge[0])];
    case 1: return rng() >> (r >> 2) % 64; /* small and medium magnitudes */
    default: return rng();
    }
}

static void check_op(int op, const gl_t a[8], const gl_t b[8]) {
    gl_t out[8];
    if (poseidon2_avx512_test_op(op, a, b, out) != 0) skip();
    for (int j = 0; j < 8; j++) {
        gl_t want;
        switch (op) {
        case P2_TEST_REDUCE128: want = ref_mod128(((unsigned __int128)a[j] << 64) | b[j]); break;
        case P2_TEST_MUL:
        case P2_TEST_MUL_HALVES: want = ref_mod128((unsigned __int128)a[j] * b[j]); break;
        case P2_TEST_SQR: want = ref_mod128((unsigned __int128)a[j] * a[j]); break;
        case P2_TEST_MUL_DIAG: {
            gl_t d = poseidon2_diag[b[0] % 12];
            if (b[0] % 12 == 0) d = gl_add(d, 1);
            want = ref_mod128((unsigned __int128)a[j] * d);
            break;
        }
        default: want = ref_mod128((unsigned __int128)a[j] + ((unsigned __int128)b[j] << 32)); break;
        }
        if (out[j] != want)
            fail_msg("op %d lane %d: a=%#llx b=%#llx: got %#llx, want %#llx", op, j,
                     (unsigned long long)a[j], (unsigned long long)b[j],
                     (unsigned long long)out[j], (unsigned long long)want);
    }
}

static void test_avx512_arith(void **st) {
    if (!level_usable(GL_SIMD_AVX512)) skip();
    gl_t a[8], b[8];
    /* The reduction's carry-and-borrow case: (hi & eps)*eps + lo wraps to below hi >> 32. */
    for (int j = 0; j < 8; j++) {
        /* hl = eps makes (hi & eps)*eps = 2^64 - 2^33 + 1, so lo >= 2^33 - 1 carries and leaves
         * lo - 2^33 + 1, below hh. */
        a[j] = ((0xFFFFFFFFull - 1000 * (uint64_t)j) << 32) | 0xFFFFFFFFull;
        b[j] = (1ull << 33) - 1 + 77 * (uint64_t)j;
    }
    check_op(P2_TEST_REDUCE128, a, b);
    /* Largest half sums combine accepts. */
    for (int j = 0; j < 8; j++) a[j] = (1ull << 62) - 1 - (uint64_t)j, b[j] = (1ull << 62) - 1 - 3 * (uint64_t)j;
    check_op(P2_TEST_COMBINE, a, b);
    for (int round = 0; round < 20000; round++) {
        for (int j = 0; j < 8; j++) a[j] = rand_u64_edge(), b[j] = rand_u64_edge();
        check_op(P2_TEST_REDUCE128, a, b);
        check_op(P2_TEST_MUL, a, b);
        check_op(P2_TEST_SQR, a, b);
        check_op(P2_TEST_MUL_HALVES, a, b);
        check_op(P2_TEST_MUL_DIAG, a, b);
        for (int j = 0; j < 8; j++) a[j] >>= 2, b[j] >>= 2; /* combine's domain: below 2^62 */
        check_op(P2_TEST_COMBINE, a, b);
    }
}

/* Whole permutations on states built from the edge values above (canonicalized), every SIMD
 * level against the scalar reference: states full of 0, p-1, 2^32 multiples and the like drive
 * the half sums and corrections to their extremes more often than random states do. */
static void test_simd_vs_scalar_edge_states(void **st) {
    enum { N = 4000 };
    gl_t *ref = zisk_xmalloc(sizeof(gl_t) * 12 * N), *got = zisk_xmalloc(sizeof(gl_t) * 12 * N);
    for (size_t k = 0; k < N; k++) {
        uint64_t mode = rng() % 4;
        for (size_t i = 0; i < 12; i++) {
            gl_t v = gl_from_u64(rand_u64_edge());
            if (mode == 0) v = GL_P - 1;                    /* all p - 1 */
            else if (mode == 1 && (i & 1)) v = 0;           /* half zero */
            ref[12 * k + i] = v;
        }
    }
    for (int l = 0; l < GL_SIMD_LEVELS; l++) {
        if (!level_usable((gl_simd_level)l)) continue;
        memcpy(got, ref, sizeof(gl_t) * 12 * N);
        poseidon2_permute_batch_level((gl_simd_level)l, got, N);
        for (size_t k = 0; k < N; k++) {
            gl_t s[12];
            memcpy(s, ref + 12 * k, sizeof s);
            poseidon2_permute(s);
            if (memcmp(s, got + 12 * k, sizeof s) != 0) fail_msg("level %d: edge state %zu differs", l, k);
        }
    }
    free(ref);
    free(got);
}

int main(int argc, char **argv) {
    g_vectors_path = argc > 1 ? argv[1] : NULL;
    FILE *f = g_vectors_path ? fopen(g_vectors_path, "r") : NULL;
    if (f == NULL) {
        fprintf(stderr, "SKIP: Poseidon2 vectors file not found (%s); expected "
                        "../shared/vectors/poseidon2-goldilocks-w12.txt next to the repository\n",
                g_vectors_path ? g_vectors_path : "no path given");
        return 77;
    }
    fclose(f);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_constants_match_file),
        cmocka_unit_test(test_kats_scalar),
        cmocka_unit_test(test_kats_simd),
        cmocka_unit_test(test_simd_vs_scalar_random),
        cmocka_unit_test(test_sponge_lengths_distinct),
        cmocka_unit_test(test_sponge_definition_and_stride),
        cmocka_unit_test(test_hash_rows_matches_sponge),
        cmocka_unit_test(test_hash_leaves_matches_sponge),
        cmocka_unit_test(test_compress_pairs),
        cmocka_unit_test(test_avx512_arith),
        cmocka_unit_test(test_simd_vs_scalar_edge_states),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
