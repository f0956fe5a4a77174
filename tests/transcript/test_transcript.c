/*
 * test_transcript.c: the duplex-sponge conventions written out by hand, determinism, sensitivity
 * to every absorbed value and to message boundaries, index ranges, and grinding round trips.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "transcript.h"

/* The documented convention, reimplemented independently of transcript.c. */
typedef struct ref {
    gl_t s[12];
    gl_t in[8];
    int n_in, n_out;
} ref;
static void ref_init(ref *r) {
    memset(r, 0, sizeof *r);
    r->s[11] = HASH_DOMAIN_TRANSCRIPT;
}
static void ref_duplex(ref *r) {
    for (int i = 0; i < r->n_in; i++) r->s[i] = r->in[i];
    r->s[8] = gl_add(r->s[8], (gl_t)r->n_in);
    poseidon2_permute(r->s);
    r->n_in = 0;
    r->n_out = 8;
}
static void ref_absorb(ref *r, gl_t x) {
    r->n_out = 0;
    r->in[r->n_in++] = x;
    if (r->n_in == 8) ref_duplex(r);
}
static gl_t ref_squeeze(ref *r) {
    if (r->n_in > 0 || r->n_out == 0) ref_duplex(r);
    return r->s[8 - r->n_out--];
}

static void test_matches_convention(void **st) {
    /* Mixed absorb/squeeze patterns crossing block boundaries. */
    static const int pattern[] = {3, -2, 8, -9, 0, -1, 13, 1, -17, 7, -3, 16, -8};
    transcript t;
    ref r;
    transcript_init(&t);
    ref_init(&r);
    gl_t v = 1;
    for (size_t p = 0; p < sizeof pattern / sizeof pattern[0]; p++) {
        if (pattern[p] >= 0) {
            for (int i = 0; i < pattern[p]; i++, v = gl_mul(v, 7)) {
                transcript_absorb(&t, v);
                ref_absorb(&r, v);
            }
        } else {
            for (int i = 0; i < -pattern[p]; i++) assert_int_equal(transcript_squeeze(&t), ref_squeeze(&r));
        }
    }
}

static void test_determinism_and_sensitivity(void **st) {
    gl_t data[11];
    for (int i = 0; i < 11; i++) data[i] = gl_from_u64(0x1234567890abcdefull * (uint64_t)(i + 1));
    transcript a, b;
    transcript_init(&a);
    transcript_init(&b);
    transcript_absorb_many(&a, data, 11);
    transcript_absorb_many(&b, data, 11);
    gl3_t ca = transcript_squeeze_ext(&a), cb = transcript_squeeze_ext(&b);
    assert_true(gl3_eq(ca, cb));
    /* Any single change of an absorbed value changes the challenge. */
    for (int i = 0; i < 11; i++) {
        gl_t d2[11];
        memcpy(d2, data, sizeof d2);
        d2[i] = gl_add(d2[i], 1);
        transcript_init(&b);
        transcript_absorb_many(&b, d2, 11);
        assert_false(gl3_eq(transcript_squeeze_ext(&b), ca));
    }
    /* Trailing zeros and message length matter: [x] vs [x, 0], and [x] vs [x, state[1]]. */
    transcript_init(&a);
    transcript_absorb(&a, 5);
    gl_t c1 = transcript_squeeze(&a);
    transcript_init(&b);
    transcript_absorb(&b, 5);
    transcript_absorb(&b, 0);
    assert_int_not_equal(transcript_squeeze(&b), c1);
    transcript_init(&b);
    transcript_absorb(&b, 5);
    transcript_absorb(&b, b.state[1]);
    assert_int_not_equal(transcript_squeeze(&b), c1);
    /* Squeezing between absorbs changes later challenges. */
    transcript_init(&a);
    transcript_init(&b);
    transcript_absorb(&a, 1);
    transcript_absorb(&b, 1);
    (void)transcript_squeeze(&b);
    transcript_absorb(&a, 2);
    transcript_absorb(&b, 2);
    assert_int_not_equal(transcript_squeeze(&a), transcript_squeeze(&b));
    /* Digests, extension elements and bytes. */
    hash_digest d = {{1, 2, 3, 4}};
    transcript_init(&a);
    transcript_init(&b);
    transcript_absorb_digest(&a, &d);
    transcript_absorb_many(&b, d.h, 4);
    assert_int_equal(transcript_squeeze(&a), transcript_squeeze(&b));
    gl3_t e = {{9, 8, 7}};
    transcript_absorb_ext(&a, e);
    transcript_absorb_many(&b, e.c, 3);
    assert_int_equal(transcript_squeeze(&a), transcript_squeeze(&b));
    transcript_init(&a);
    transcript_init(&b);
    transcript_absorb_bytes(&a, "zisk-stark", 10);
    transcript_absorb_bytes(&b, "zisk-stark\0", 11);
    assert_int_not_equal(transcript_squeeze(&a), transcript_squeeze(&b));
    /* Byte encoding: length, then 7-byte little-endian chunks. */
    transcript_init(&a);
    transcript_init(&b);
    transcript_absorb_bytes(&a, "abcdefgh", 8);
    transcript_absorb(&b, 8);
    transcript_absorb(&b, 0x67666564636261ull);
    transcript_absorb(&b, 0x68);
    assert_int_equal(transcript_squeeze(&a), transcript_squeeze(&b));
}

static void test_indices(void **st) {
    transcript t;
    transcript_init(&t);
    transcript_absorb(&t, 42);
    for (unsigned log_n = 0; log_n <= TRANSCRIPT_MAX_INDEX_BITS; log_n++) {
        uint64_t idx[50];
        transcript_squeeze_indices(&t, log_n, 50, idx);
        int any_high = 0;
        for (int i = 0; i < 50; i++) {
            assert_true(idx[i] < ((uint64_t)1 << log_n));
            if (log_n > 0 && idx[i] >> (log_n - 1)) any_high = 1;
        }
        if (log_n > 0) assert_true(any_high); /* the top bit is used (p = 2^-50 otherwise) */
    }
    /* An index is the low bits of the squeezed element. */
    transcript a, b;
    transcript_init(&a);
    transcript_init(&b);
    uint64_t i1 = transcript_squeeze_index(&a, 20);
    assert_int_equal(i1, transcript_squeeze(&b) & 0xFFFFF);
}

static void test_grinding(void **st) {
    for (unsigned bits = 0; bits <= 12; bits += 3) {
        for (int pending = 0; pending < 9; pending += 4) {
            transcript p, v;
            transcript_init(&p);
            for (int i = 0; i < pending; i++) transcript_absorb(&p, (gl_t)(i + 100));
            v = p;
            uint64_t nonce = transcript_grind(&p, bits);
            /* The smallest valid nonce: every smaller one fails. */
            for (uint64_t n = 0; n < nonce && n < 200; n++) {
                transcript w = v;
                assert_int_equal(transcript_check_pow(&w, bits, n, NULL), -1);
            }
            zisk_err err;
            assert_int_equal(transcript_check_pow(&v, bits, nonce, &err), 0);
            /* Prover and verifier continue in sync. */
            assert_int_equal(transcript_squeeze(&p), transcript_squeeze(&v));
        }
    }
    /* Rejections: wrong nonce, non-canonical nonce, too many bits. */
    transcript t, w;
    transcript_init(&t);
    w = t;
    uint64_t nonce = transcript_grind(&t, 10);
    zisk_err err;
    transcript x = w;
    int bad = 0;
    for (uint64_t n = nonce + 1; !bad; n++) {
        x = w;
        if (transcript_check_pow(&x, 10, n, &err) != 0) bad = 1;
    }
    assert_non_null(strstr(err.msg, "leading zero"));
    x = w;
    assert_int_equal(transcript_check_pow(&x, 10, GL_P + nonce, &err), -1);
    assert_non_null(strstr(err.msg, "canonical"));
    x = w;
    assert_int_equal(transcript_check_pow(&x, 64, nonce, &err), -1);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_matches_convention),
        cmocka_unit_test(test_determinism_and_sensitivity),
        cmocka_unit_test(test_indices),
        cmocka_unit_test(test_grinding),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
