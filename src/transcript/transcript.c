/*
 * transcript.c: the duplex sponge and the grinding search (conventions in transcript.h).
 */
#include <string.h>

#include "transcript.h"

#ifdef _OPENMP
#include <omp.h>
#endif

void transcript_init(transcript *t) {
    memset(t, 0, sizeof *t);
    t->state[POSEIDON2_WIDTH - 1] = HASH_DOMAIN_TRANSCRIPT;
}

static void duplex(transcript *t) {
    for (unsigned i = 0; i < t->n_in; i++) t->state[i] = t->in[i];
    t->state[HASH_RATE] = gl_add(t->state[HASH_RATE], (gl_t)t->n_in);
    poseidon2_permute(t->state);
    t->n_in = 0;
    t->n_out = HASH_RATE;
}

void transcript_absorb(transcript *t, gl_t x) {
    ZISK_ASSERT(gl_is_canonical(x));
    t->n_out = 0;
    t->in[t->n_in++] = x;
    if (t->n_in == HASH_RATE) duplex(t);
}

void transcript_absorb_many(transcript *t, const gl_t *xs, size_t n) {
    for (size_t i = 0; i < n; i++) transcript_absorb(t, xs[i]);
}

void transcript_absorb_ext(transcript *t, gl3_t x) {
    transcript_absorb_many(t, x.c, 3);
}

void transcript_absorb_digest(transcript *t, const hash_digest *d) {
    transcript_absorb_many(t, d->h, HASH_DIGEST_LEN);
}

void transcript_absorb_bytes(transcript *t, const void *data, size_t len) {
    const uint8_t *p = data;
    transcript_absorb(t, gl_from_u64((uint64_t)len));
    for (size_t off = 0; off < len; off += 7) {
        uint64_t v = 0;
        for (size_t i = 0; i < 7 && off + i < len; i++) v |= (uint64_t)p[off + i] << (8 * i);
        transcript_absorb(t, v);
    }
}

gl_t transcript_squeeze(transcript *t) {
    if (t->n_in > 0 || t->n_out == 0) duplex(t);
    return t->state[HASH_RATE - t->n_out--];
}

gl3_t transcript_squeeze_ext(transcript *t) {
    gl3_t r;
    for (int i = 0; i < 3; i++) r.c[i] = transcript_squeeze(t);
    return r;
}

uint64_t transcript_squeeze_index(transcript *t, unsigned log_n) {
    ZISK_ASSERT(log_n <= TRANSCRIPT_MAX_INDEX_BITS);
    gl_t v;
    do v = transcript_squeeze(t);
    while (v == GL_P - 1);
    return v & (((uint64_t)1 << log_n) - 1);
}

void transcript_squeeze_indices(transcript *t, unsigned log_n, size_t n, uint64_t *out) {
    for (size_t i = 0; i < n; i++) out[i] = transcript_squeeze_index(t, log_n);
}

static int pow_ok(gl_t v, unsigned bits) {
    return bits == 0 || (v >> (64 - bits)) == 0;
}

/* Nonces tried per thread per round of the search; rounds go in order so the first round with a
 * hit contains the smallest valid nonce. */
#define GRIND_GROUPS_PER_THREAD 256

uint64_t transcript_grind(transcript *t, unsigned bits) {
    ZISK_ASSERT(bits <= TRANSCRIPT_MAX_POW_BITS);
    /* absorb(n) then squeeze() is one duplex of the pending inputs plus n, whether or not n
     * fills the buffer: state[0..k) = in, state[k] = n, state[8] += k + 1, permute, v = state[0].
     * So each candidate is one permutation of a state that differs only in state[k]. */
    gl_t base[POSEIDON2_WIDTH];
    memcpy(base, t->state, sizeof base);
    unsigned k = t->n_in;
    for (unsigned i = 0; i < k; i++) base[i] = t->in[i];
    base[HASH_RATE] = gl_add(base[HASH_RATE], (gl_t)(k + 1));

    uint64_t found = UINT64_MAX;
    for (uint64_t start = 0; found == UINT64_MAX; ) {
        int n_threads = 1;
#ifdef _OPENMP
        n_threads = omp_get_max_threads();
#endif
        uint64_t n_groups = (uint64_t)n_threads * GRIND_GROUPS_PER_THREAD;
#pragma omp parallel for schedule(static) reduction(min : found)
        for (uint64_t g = 0; g < n_groups; g++) {
            gl_t st[POSEIDON2_WIDTH][POSEIDON2_LANES];
            uint64_t n0 = start + g * POSEIDON2_LANES;
            for (int i = 0; i < POSEIDON2_WIDTH; i++)
                for (int j = 0; j < POSEIDON2_LANES; j++) st[i][j] = base[i];
            for (int j = 0; j < POSEIDON2_LANES; j++) st[k][j] = n0 + (uint64_t)j;
            poseidon2_permute_x8(st);
            for (int j = 0; j < POSEIDON2_LANES; j++)
                if (pow_ok(st[0][j], bits) && n0 + (uint64_t)j < found) found = n0 + (uint64_t)j;
        }
        start += n_groups * POSEIDON2_LANES;
        /* 2^40 expected tries at most; p is never approached. */
        ZISK_ASSERT(start < GL_P);
    }
    zisk_err err;
    int rc = transcript_check_pow(t, bits, found, &err);
    ZISK_ASSERT(rc == 0);
    return found;
}

int transcript_check_pow(transcript *t, unsigned bits, uint64_t nonce, zisk_err *err) {
    if (bits > TRANSCRIPT_MAX_POW_BITS)
        return zisk_err_set(err, "proof of work: %u bits exceeds the limit %d", bits, TRANSCRIPT_MAX_POW_BITS);
    if (!gl_is_canonical(nonce))
        return zisk_err_set(err, "proof of work: nonce 0x%016llx is not a canonical field element",
                            (unsigned long long)nonce);
    transcript_absorb(t, nonce);
    gl_t v = transcript_squeeze(t);
    if (!pow_ok(v, bits))
        return zisk_err_set(err, "proof of work: nonce %llu gives 0x%016llx, which lacks %u leading zero bits",
                            (unsigned long long)nonce, (unsigned long long)v, bits);
    return 0;
}
