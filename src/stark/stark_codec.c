/*
 * stark_codec.c: byte encodings of instance and job proofs (docs/PROOF_SYSTEM_CONVENTIONS.md,
 * "STARK proof encoding"). Little-endian, no padding. The decoders treat the bytes as hostile:
 * every count is checked against its limit and against the bytes that remain before anything
 * is allocated, every field element must be canonical, and errors give the byte offset.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stark_internal.h"

static const uint8_t PROOF_MAGIC[4] = {'Z', 'S', 'T', 'K'};
static const uint8_t JOB_MAGIC[4] = {'Z', 'J', 'O', 'B'};

/* ---- writer --------------------------------------------------------------------------------- */

typedef struct writer {
    uint8_t *p;
} writer;

static void w_u32(writer *w, uint32_t v) {
    for (int i = 0; i < 4; i++) *w->p++ = (uint8_t)(v >> (8 * i));
}
static void w_u64(writer *w, uint64_t v) {
    for (int i = 0; i < 8; i++) *w->p++ = (uint8_t)(v >> (8 * i));
}
static void w_digest(writer *w, const hash_digest *d) {
    for (int i = 0; i < HASH_DIGEST_LEN; i++) w_u64(w, d->h[i]);
}
static void w_gl3(writer *w, gl3_t x) {
    for (int i = 0; i < 3; i++) w_u64(w, x.c[i]);
}

/* Header of an instance proof: magic, version, vk digest, log_n, n_publics, n_cols[4]. */
#define PROOF_HEADER (4 + 4 + 32 + 4 + 4 + 4 * STARK_N_TREES)

/* Siblings per opening: the trees have N / STARK_LEAF_ROWS leaves. A decoded log_lde below
 * STARK_LOG_LEAF_ROWS gives 0 here; the verifier then refuses the proof (its vk's log_lde is at
 * least STARK_LOG_LEAF_ROWS, stark_params_check). */
static unsigned path_len(unsigned log_lde) {
    return log_lde >= STARK_LOG_LEAF_ROWS ? log_lde - STARK_LOG_LEAF_ROWS : 0;
}

static size_t openings_per_query(const uint32_t n_cols[STARK_N_TREES], unsigned log_lde) {
    size_t b = 0;
    for (int t = 0; t < STARK_N_TREES; t++)
        if (n_cols[t])
            b += ((size_t)STARK_LEAF_ROWS * n_cols[t] + (size_t)HASH_DIGEST_LEN * path_len(log_lde)) * 8;
    return b;
}

size_t stark_proof_encoded_size(const stark_proof *p) {
    return PROOF_HEADER + (size_t)p->n_publics * 8 + STARK_N_TREES * 32 + 24 +
           (p->n_ood_z + p->n_ood_next) * 24 + fri_proof_encoded_size(&p->fri) +
           p->n_queries * openings_per_query(p->n_cols, p->log_lde);
}

size_t stark_proof_encode(const stark_proof *p, uint8_t *buf, size_t cap) {
    size_t need = stark_proof_encoded_size(p);
    if (cap < need) return 0;
    writer w = {buf};
    memcpy(w.p, PROOF_MAGIC, 4);
    w.p += 4;
    w_u32(&w, STARK_PROOF_VERSION);
    w_digest(&w, &p->vk_digest);
    w_u32(&w, p->log_n);
    w_u32(&w, p->n_publics);
    for (int t = 0; t < STARK_N_TREES; t++) w_u32(&w, p->n_cols[t]);
    for (uint32_t i = 0; i < p->n_publics; i++) w_u64(&w, p->publics[i]);
    for (int t = 0; t < STARK_N_TREES; t++) w_digest(&w, &p->roots[t]);
    w_gl3(&w, p->bus_sum);
    for (size_t i = 0; i < p->n_ood_z + p->n_ood_next; i++) w_gl3(&w, p->ood[i]);
    size_t fl = fri_proof_encode(&p->fri, w.p, cap - (size_t)(w.p - buf));
    ZISK_ASSERT(fl > 0);
    w.p += fl;
    for (size_t q = 0; q < p->n_queries; q++)
        for (int t = 0; t < STARK_N_TREES; t++) {
            uint32_t nc = p->n_cols[t];
            if (!nc) continue;
            size_t lw = (size_t)STARK_LEAF_ROWS * nc, pl = path_len(p->log_lde);
            for (size_t c = 0; c < lw; c++) w_u64(&w, p->rows[t][q * lw + c]);
            for (size_t l = 0; l < pl; l++) w_digest(&w, &p->paths[t][q * pl + l]);
        }
    ZISK_ASSERT((size_t)(w.p - buf) == need);
    return need;
}

/* ---- reader --------------------------------------------------------------------------------- */

typedef struct reader {
    const uint8_t *buf;
    size_t len, off;
    const char *what; /* "stark proof" / "job proof" for messages */
    zisk_err *err;
    stark_status st;
} reader;

static int r_fail(reader *r, stark_status s, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int r_fail(reader *r, stark_status s, const char *fmt, ...) {
    if (r->err) {
        char m[ZISK_ERR_MSG_MAX];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(m, sizeof m, fmt, ap);
        va_end(ap);
        zisk_err_set(r->err, "%s decode: %s (byte offset %zu)", r->what, m, r->off);
    }
    r->st = s;
    return -1;
}

static int r_need(reader *r, size_t n, const char *field) {
    if (r->len - r->off < n)
        return r_fail(r, STARK_ERR_DECODE, "truncated: %s needs %zu bytes, %zu left", field, n,
                      r->len - r->off);
    return 0;
}

static int r_u32(reader *r, uint32_t *v, const char *field) {
    if (r_need(r, 4, field)) return -1;
    const uint8_t *p = r->buf + r->off;
    *v = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
    r->off += 4;
    return 0;
}

static int r_u64(reader *r, uint64_t *v, const char *field) {
    if (r_need(r, 8, field)) return -1;
    uint64_t x = 0;
    for (int i = 7; i >= 0; i--) x = x << 8 | r->buf[r->off + i];
    *v = x;
    r->off += 8;
    return 0;
}

static int r_gl(reader *r, gl_t *v, const char *field) {
    if (r_u64(r, v, field)) return -1;
    if (!gl_is_canonical(*v)) {
        r->off -= 8;
        return r_fail(r, STARK_ERR_NONCANONICAL, "%s is not a canonical field element", field);
    }
    return 0;
}

static int r_digest(reader *r, hash_digest *d, const char *field) {
    for (int i = 0; i < HASH_DIGEST_LEN; i++)
        if (r_gl(r, &d->h[i], field)) return -1;
    return 0;
}

static int r_gl3(reader *r, gl3_t *x, const char *field) {
    for (int i = 0; i < 3; i++)
        if (r_gl(r, &x->c[i], field)) return -1;
    return 0;
}

static int r_magic(reader *r, const uint8_t magic[4]) {
    if (r_need(r, 4, "magic")) return -1;
    if (memcmp(r->buf + r->off, magic, 4) != 0)
        return r_fail(r, STARK_ERR_DECODE, "bad magic (expected \"%.4s\")", (const char *)magic);
    r->off += 4;
    uint32_t v;
    if (r_u32(r, &v, "version")) return -1;
    if (v != STARK_PROOF_VERSION) {
        r->off -= 4;
        return r_fail(r, STARK_ERR_DECODE, "version %u, this build reads version %u", v,
                      STARK_PROOF_VERSION);
    }
    return 0;
}

static int decode_proof(reader *r, stark_proof *p, int exact) {
    if (r_magic(r, PROOF_MAGIC)) return -1;
    if (r_digest(r, &p->vk_digest, "vk digest")) return -1;
    uint32_t log_n;
    if (r_u32(r, &log_n, "log_n")) return -1;
    if (log_n < 1 || log_n > STARK_MAX_LOG_N) {
        r->off -= 4;
        return r_fail(r, STARK_ERR_DECODE, "log_n %u outside 1..%u", log_n, STARK_MAX_LOG_N);
    }
    p->log_n = log_n;
    if (r_u32(r, &p->n_publics, "n_publics")) return -1;
    if (p->n_publics > STARK_MAX_PUBLICS) {
        r->off -= 4;
        return r_fail(r, STARK_ERR_DECODE, "%u public values exceed the limit %u", p->n_publics,
                      STARK_MAX_PUBLICS);
    }
    for (int t = 0; t < STARK_N_TREES; t++) {
        if (r_u32(r, &p->n_cols[t], "column count")) return -1;
        if (p->n_cols[t] > STARK_MAX_COLS ||
            (t == STARK_TREE_QUOTIENT && (p->n_cols[t] == 0 || p->n_cols[t] % 3 != 0))) {
            r->off -= 4;
            return r_fail(r, STARK_ERR_DECODE, "%s column count %u is invalid",
                          stark_tree_str((stark_tree)t), p->n_cols[t]);
        }
    }
    if (r_need(r, (size_t)p->n_publics * 8, "public values")) return -1;
    if (p->n_publics) {
        p->publics = zisk_xmalloc((size_t)p->n_publics * sizeof(gl_t));
        for (uint32_t i = 0; i < p->n_publics; i++)
            if (r_gl(r, &p->publics[i], "public value")) return -1;
    }
    for (int t = 0; t < STARK_N_TREES; t++)
        if (r_digest(r, &p->roots[t], "root")) return -1;
    if (r_gl3(r, &p->bus_sum, "bus sum")) return -1;
    p->n_ood_next = (size_t)p->n_cols[0] + p->n_cols[1] + p->n_cols[2];
    p->n_ood_z = p->n_ood_next + p->n_cols[3];
    size_t n_ood = p->n_ood_z + p->n_ood_next;
    if (r_need(r, n_ood * 24, "out-of-domain values")) return -1;
    p->ood = zisk_xmalloc(n_ood * sizeof(gl3_t));
    for (size_t i = 0; i < n_ood; i++)
        if (r_gl3(r, &p->ood[i], "out-of-domain value")) return -1;

    size_t used = 0;
    zisk_err fe;
    fri_status fs = fri_proof_decode(r->buf + r->off, r->len - r->off, &p->fri, &used, &fe);
    if (fs != FRI_OK)
        return r_fail(r, fs == FRI_ERR_NONCANONICAL ? STARK_ERR_NONCANONICAL : STARK_ERR_DECODE,
                      "embedded FRI proof (offsets relative to it): %s", fe.msg);
    if (p->fri.log_degree != log_n)
        return r_fail(r, STARK_ERR_DECODE, "embedded FRI proof has log_degree %u, log_n is %u",
                      p->fri.log_degree, log_n);
    r->off += used;
    p->log_lde = log_n + p->fri.params.log_blowup;
    p->n_queries = p->fri.params.n_queries;
    /* Bounded: 8 * 4 * 2^16 columns plus 4 * 4 * 34 siblings, times 8 bytes, times <= 1024
     * queries: far below 2^64. */
    size_t per_q = openings_per_query(p->n_cols, p->log_lde);
    size_t total = per_q * p->n_queries;
    if (r->len - r->off < total || (exact && r->len - r->off != total))
        return r_fail(r, STARK_ERR_DECODE,
                      "query openings take %zu bytes (%zu queries), %zu bytes remain", total,
                      p->n_queries, r->len - r->off);
    for (int t = 0; t < STARK_N_TREES; t++) {
        if (!p->n_cols[t]) continue;
        p->rows[t] = zisk_xmalloc(p->n_queries * STARK_LEAF_ROWS * p->n_cols[t] * sizeof(gl_t));
        p->paths[t] = zisk_xmalloc((p->n_queries * path_len(p->log_lde) + 1) * sizeof(hash_digest));
    }
    for (size_t q = 0; q < p->n_queries; q++)
        for (int t = 0; t < STARK_N_TREES; t++) {
            uint32_t nc = p->n_cols[t];
            if (!nc) continue;
            size_t lw = (size_t)STARK_LEAF_ROWS * nc, pl = path_len(p->log_lde);
            for (size_t c = 0; c < lw; c++)
                if (r_gl(r, &p->rows[t][q * lw + c], "opened value")) return -1;
            for (size_t l = 0; l < pl; l++)
                if (r_digest(r, &p->paths[t][q * pl + l], "Merkle sibling")) return -1;
        }
    return 0;
}

stark_status stark_proof_decode(const uint8_t *buf, size_t len, stark_proof *proof,
                                size_t *consumed, zisk_err *err) {
    memset(proof, 0, sizeof *proof);
    reader r = {.buf = buf, .len = buf ? len : 0, .what = "stark proof", .err = err,
                .st = STARK_OK};
    if (decode_proof(&r, proof, consumed == NULL) != 0) return r.st;
    if (consumed) *consumed = r.off;
    return STARK_OK;
}

/* ---- job proofs ----------------------------------------------------------------------------- */

#define JOB_HEADER (4 + 4 + 4 + 2 * 24 + 32)

size_t stark_job_proof_encoded_size(const stark_job_proof *job) {
    size_t s = JOB_HEADER;
    for (size_t k = 0; k < job->n_instances; k++)
        s += 8 + stark_proof_encoded_size(&job->instances[k]);
    return s;
}

size_t stark_job_proof_encode(const stark_job_proof *job, uint8_t *buf, size_t cap) {
    size_t need = stark_job_proof_encoded_size(job);
    if (cap < need || job->n_instances > UINT32_MAX) return 0;
    writer w = {buf};
    memcpy(w.p, JOB_MAGIC, 4);
    w.p += 4;
    w_u32(&w, STARK_PROOF_VERSION);
    w_u32(&w, (uint32_t)job->n_instances);
    for (int i = 0; i < AIR_N_CHALLENGES; i++) w_gl3(&w, job->challenges.ch[i]);
    w_digest(&w, &job->challenges.job_digest);
    for (size_t k = 0; k < job->n_instances; k++) {
        size_t l = stark_proof_encoded_size(&job->instances[k]);
        w_u64(&w, l);
        size_t got = stark_proof_encode(&job->instances[k], w.p, l);
        ZISK_ASSERT(got == l);
        w.p += l;
    }
    ZISK_ASSERT((size_t)(w.p - buf) == need);
    return need;
}

stark_status stark_job_proof_decode(const uint8_t *buf, size_t len, stark_job_proof *job,
                                    zisk_err *err) {
    memset(job, 0, sizeof *job);
    reader r = {.buf = buf, .len = buf ? len : 0, .what = "job proof", .err = err,
                .st = STARK_OK};
    if (r_magic(&r, JOB_MAGIC)) return r.st;
    uint32_t n;
    if (r_u32(&r, &n, "instance count")) return r.st;
    if (n == 0 || n > STARK_MAX_INSTANCES) {
        r.off -= 4;
        r_fail(&r, STARK_ERR_DECODE, "instance count %u outside 1..%u", n, STARK_MAX_INSTANCES);
        return r.st;
    }
    for (int i = 0; i < AIR_N_CHALLENGES; i++)
        if (r_gl3(&r, &job->challenges.ch[i], "challenge")) return r.st;
    if (r_digest(&r, &job->challenges.job_digest, "job digest")) return r.st;
    /* Each instance takes at least its 8-byte length: bound the allocation by the buffer. */
    if (r_need(&r, (size_t)n * 8, "instance lengths")) return r.st;
    job->instances = zisk_xcalloc(n, sizeof *job->instances);
    job->n_instances = n;
    for (uint32_t k = 0; k < n; k++) {
        uint64_t l;
        if (r_u64(&r, &l, "instance length")) return r.st;
        if (l > r.len - r.off) {
            r.off -= 8;
            r_fail(&r, STARK_ERR_DECODE, "instance %u claims %llu bytes, %zu remain", k,
                   (unsigned long long)l, r.len - r.off - 8);
            return r.st;
        }
        zisk_err ie;
        stark_status s = stark_proof_decode(r.buf + r.off, (size_t)l, &job->instances[k], NULL,
                                            &ie);
        if (s != STARK_OK) {
            r_fail(&r, s, "instance %u (offsets inside it): %s", k, ie.msg);
            return r.st;
        }
        r.off += (size_t)l;
    }
    if (r.off != r.len) {
        r_fail(&r, STARK_ERR_DECODE, "%zu trailing bytes after the last instance",
               r.len - r.off);
        return r.st;
    }
    return STARK_OK;
}
