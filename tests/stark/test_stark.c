/*
 * test_stark.c: the STARK prover and verifier (module src/stark) on the example AIRs of
 * tests/air: Fibonacci with public values, a lookup into a fixed table over a bus, a
 * permutation split across four instances (only the job-wide sum is zero), and wrong
 * multiplicities that every instance proof hides and only the job's bus check catches.
 * Rejections: wrong public values (claimed and proven), a proof checked against another AIR's
 * VK, tampered job challenges, every 4-byte word of encoded instance and job proofs flipped
 * (with the error class each region must give), truncations and garbage. Proofs are
 * deterministic and independent of the thread count; the three-step API run out of order gives
 * the same proofs as stark_prove_job.
 * `test_stark --write-corpus DIR` writes the seeds of fuzz_stark.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ntt.h"
#include "stark_fixtures.h"
#include "stark_internal.h"

#ifdef _OPENMP
#include <omp.h>
#endif

static stark_status decode_verify_job(const uint8_t *b, size_t len, const stark_vk *const *vks,
                                      size_t n_vks, zisk_err *err) {
    stark_job_proof j;
    stark_status s = stark_job_proof_decode(b, len, &j, err);
    if (s == STARK_OK) s = stark_verify_job(vks, n_vks, &j, err);
    stark_job_proof_free(&j);
    return s;
}

/* ---- honest proofs -------------------------------------------------------------------------- */

static void test_fib(void **state) {
    (void)state;
    fx_fib f;
    fx_fib_init(&f);
    const stark_pk *pks[1] = {f.pk};
    const gl_t *tr[1] = {f.trace}, *pub[1] = {f.publics};
    stark_job_proof job;
    assert_int_equal(fx_prove(pks, tr, pub, 1, &job), 0);
    const stark_vk *vk = stark_pk_vk(f.pk);
    zisk_err err = {{0}};
    assert_int_equal(stark_verify(vk, &job.challenges, &job.instances[0], f.publics, &err),
                     STARK_OK);
    assert_int_equal(stark_verify_job(&vk, 1, &job, &err), STARK_OK);
    assert_true(gl3_is_zero(job.instances[0].bus_sum));
    /* Round trip: decode(encode(p)) verifies and re-encodes to the same bytes. */
    size_t len, len2;
    uint8_t *b = fx_encode_job(&job, &len);
    stark_job_proof j2;
    assert_int_equal(stark_job_proof_decode(b, len, &j2, &err), STARK_OK);
    assert_int_equal(stark_verify_job(&vk, 1, &j2, &err), STARK_OK);
    uint8_t *b2 = fx_encode_job(&j2, &len2);
    assert_int_equal(len, len2);
    assert_memory_equal(b, b2, len);
    printf("fibonacci 2^%d rows: job proof %zu bytes\n", FX_FIB_LOG_N, len);
    free(b);
    free(b2);
    stark_job_proof_free(&j2);
    stark_job_proof_free(&job);
    fx_fib_free(&f);
}

static void test_fib_wrong_publics(void **state) {
    (void)state;
    fx_fib f;
    fx_fib_init(&f);
    const stark_vk *vk = stark_pk_vk(f.pk);
    zisk_err err = {{0}};
    /* The verifier's statement differs from the proof's. */
    {
        const stark_pk *pks[1] = {f.pk};
        const gl_t *tr[1] = {f.trace}, *pub[1] = {f.publics};
        stark_job_proof job;
        assert_int_equal(fx_prove(pks, tr, pub, 1, &job), 0);
        gl_t other[3] = {f.publics[0], f.publics[1], gl_add(f.publics[2], 1)};
        assert_int_equal(stark_verify(vk, &job.challenges, &job.instances[0], other, &err),
                         STARK_ERR_PUBLICS);
        assert_non_null(strstr(err.msg, "result"));
        stark_job_proof_free(&job);
    }
    /* A prover claiming a wrong result: the last-row constraint fails, the quotient is not a
     * polynomial, and the out-of-domain check catches it. */
    {
        gl_t lie[3] = {f.publics[0], f.publics[1], gl_add(f.publics[2], 1)};
        const stark_pk *pks[1] = {f.pk};
        const gl_t *tr[1] = {f.trace}, *pub[1] = {lie};
        stark_job_proof job;
        assert_int_equal(fx_prove(pks, tr, pub, 1, &job), 1);
        assert_int_equal(stark_verify(vk, &job.challenges, &job.instances[0], NULL, &err),
                         STARK_ERR_OOD);
        assert_int_equal(stark_verify_job(&vk, 1, &job, &err), STARK_ERR_OOD);
        stark_job_proof_free(&job);
    }
    /* A broken trace (one transition wrong) is caught the same way. */
    {
        size_t n = (size_t)1 << FX_FIB_LOG_N;
        f.trace[n + 7] = gl_add(f.trace[n + 7], 1);
        const stark_pk *pks[1] = {f.pk};
        const gl_t *tr[1] = {f.trace}, *pub[1] = {f.publics};
        stark_job_proof job;
        assert_int_equal(fx_prove(pks, tr, pub, 1, &job), 1);
        assert_int_equal(stark_verify_job(&vk, 1, &job, &err), STARK_ERR_OOD);
        stark_job_proof_free(&job);
    }
    fx_fib_free(&f);
}

static void test_lookup(void **state) {
    (void)state;
    fx_lookup l;
    fx_lookup_init(&l, 0);
    const stark_pk *pks[2] = {l.pk_main, l.pk_table};
    const gl_t *tr[2] = {l.main_trace, l.mult}, *pub[2] = {NULL, NULL};
    stark_job_proof job;
    assert_int_equal(fx_prove(pks, tr, pub, 2, &job), 0);
    const stark_vk *vks[2] = {stark_pk_vk(l.pk_main), stark_pk_vk(l.pk_table)};
    zisk_err err = {{0}};
    assert_int_equal(stark_verify_job(vks, 2, &job, &err), STARK_OK);
    /* Each side's sum is nonzero; they cancel. */
    assert_false(gl3_is_zero(job.instances[0].bus_sum));
    assert_true(gl3_is_zero(gl3_add(job.instances[0].bus_sum, job.instances[1].bus_sum)));
    /* The VK set may be in any order and hold more keys. */
    const stark_vk *vks2[3] = {vks[1], stark_pk_vk(l.pk_main), vks[0]};
    assert_int_equal(stark_verify_job(vks2, 3, &job, &err), STARK_OK);
    size_t len;
    uint8_t *b = fx_encode_job(&job, &len);
    assert_int_equal(decode_verify_job(b, len, vks, 2, &err), STARK_OK);
    printf("lookup (2^%d + 2^%d rows): job proof %zu bytes\n", FX_MAIN_LOG_N, AIR_EX_LOG_TABLE,
           len);
    free(b);
    stark_job_proof_free(&job);
    fx_lookup_free(&l);
}

/* Two senders and two receivers of 2^FX_PERM_LOG_N rows; the receivers get a permutation of
 * all the values sent, mixed across instances. bad != 0 changes one received value. */
static int prove_perm(int bad, stark_job_proof *job, const stark_vk *vks[2], air *airs[2],
                      stark_pk *pk[2]) {
    size_t n = (size_t)1 << FX_PERM_LOG_N;
    airs[0] = air_ex_perm_send();
    airs[1] = air_ex_perm_recv();
    stark_params p = fx_params();
    zisk_err err;
    for (int i = 0; i < 2; i++) {
        pk[i] = stark_setup(airs[i], &p, FX_PERM_LOG_N, NULL, &err);
        assert_non_null(pk[i]);
        vks[i] = stark_pk_vk(pk[i]);
    }
    gl_t *v = malloc(4 * n * sizeof(gl_t));
    uint64_t s = 7;
    for (size_t i = 0; i < 2 * n; i++) v[i] = gl_from_u64(air_ex_rand(&s));
    /* Receivers: a shuffle of the 2n values (Fisher-Yates). */
    memcpy(v + 2 * n, v, 2 * n * sizeof(gl_t));
    for (size_t i = 2 * n - 1; i > 0; i--) {
        size_t j = air_ex_rand(&s) % (i + 1);
        gl_t t = v[2 * n + i];
        v[2 * n + i] = v[2 * n + j];
        v[2 * n + j] = t;
    }
    if (bad) v[3 * n + 3] = gl_add(v[3 * n + 3], 1);
    const stark_pk *pks[4] = {pk[0], pk[1], pk[0], pk[1]};
    const gl_t *tr[4] = {v, v + 2 * n, v + n, v + 3 * n}, *pub[4] = {0};
    int rc = fx_prove(pks, tr, pub, 4, job);
    free(v);
    return rc;
}

static void test_permutation_split(void **state) {
    (void)state;
    stark_job_proof job;
    const stark_vk *vks[2];
    air *airs[2];
    stark_pk *pk[2];
    assert_int_equal(prove_perm(0, &job, vks, airs, pk), 0);
    zisk_err err = {{0}};
    assert_int_equal(stark_verify_job(vks, 2, &job, &err), STARK_OK);
    for (size_t k = 0; k < 4; k++) assert_false(gl3_is_zero(job.instances[k].bus_sum));
    /* No partial sum of the instances in job order is zero except the total. */
    gl3_t s = gl3_zero();
    for (size_t k = 0; k < 3; k++) {
        s = gl3_add(s, job.instances[k].bus_sum);
        assert_false(gl3_is_zero(s));
    }
    stark_job_proof_free(&job);
    for (int i = 0; i < 2; i++) {
        stark_pk_free(pk[i]);
        air_free(airs[i]);
    }
}

/* Wrong multiplicities: every constraint of every instance holds (the prover succeeds and each
 * instance proof verifies on its own); only the job's bus check fails. */
static void test_wrong_multiplicity(void **state) {
    (void)state;
    zisk_err err = {{0}};
    {
        fx_lookup l;
        fx_lookup_init(&l, 1);
        const stark_pk *pks[2] = {l.pk_main, l.pk_table};
        const gl_t *tr[2] = {l.main_trace, l.mult}, *pub[2] = {NULL, NULL};
        stark_job_proof job;
        assert_int_equal(fx_prove(pks, tr, pub, 2, &job), 0);
        const stark_vk *vks[2] = {stark_pk_vk(l.pk_main), stark_pk_vk(l.pk_table)};
        for (size_t k = 0; k < 2; k++)
            assert_int_equal(stark_verify(vks[k], &job.challenges, &job.instances[k], NULL, &err),
                             STARK_OK);
        assert_int_equal(stark_verify_job(vks, 2, &job, &err), STARK_ERR_BUS);
        size_t len;
        uint8_t *b = fx_encode_job(&job, &len);
        assert_int_equal(decode_verify_job(b, len, vks, 2, &err), STARK_ERR_BUS);
        free(b);
        stark_job_proof_free(&job);
        fx_lookup_free(&l);
    }
    {
        stark_job_proof job;
        const stark_vk *vks[2];
        air *airs[2];
        stark_pk *pk[2];
        assert_int_equal(prove_perm(1, &job, vks, airs, pk), 0);
        for (size_t k = 0; k < 4; k++)
            assert_int_equal(stark_verify(vks[k & 1], &job.challenges, &job.instances[k], NULL,
                                          &err),
                             STARK_OK);
        assert_int_equal(stark_verify_job(vks, 2, &job, &err), STARK_ERR_BUS);
        stark_job_proof_free(&job);
        for (int i = 0; i < 2; i++) {
            stark_pk_free(pk[i]);
            air_free(airs[i]);
        }
    }
}

/* The three steps run apart, as the distributed protocol does: all stage-1 commitments first,
 * the challenges from them alone, then the instances finished in another order. */
static void test_three_steps(void **state) {
    (void)state;
    fx_lookup l;
    fx_lookup_init(&l, 0);
    const stark_pk *pks[2] = {l.pk_main, l.pk_table};
    const gl_t *tr[2] = {l.main_trace, l.mult}, *pub[2] = {NULL, NULL};
    stark_job_proof ref;
    assert_int_equal(fx_prove(pks, tr, pub, 2, &ref), 0);

    stark_instance *inst[2];
    stark_commitment cm[2];
    for (int k = 0; k < 2; k++) {
        inst[k] = stark_commit_stage1(pks[k], tr[k], pub[k]);
        cm[k] = stark_instance_commitment(inst[k]);
    }
    /* Releasing the stage-1 LDE between the steps changes nothing: stark_finish rebuilds it
     * (the proofs below must equal the reference byte for byte). */
    stark_instance_release(inst[0]);
    stark_instance_release(inst[0]);
    {
        stark_commitment again = stark_instance_commitment(inst[0]);
        assert_memory_equal(&again.stage1_root, &cm[0].stage1_root, sizeof again.stage1_root);
    }
    stark_challenges ch;
    zisk_err err = {{0}};
    assert_int_equal(stark_derive_challenges(cm, 2, &ch, &err), 0);
    assert_memory_equal(&ch, &ref.challenges, sizeof ch);
    stark_proof p[2];
    for (int k = 1; k >= 0; k--) assert_int_equal(stark_finish(inst[k], &ch, &p[k], &err), 0);
    /* A second finish is refused. */
    stark_proof again;
    assert_int_equal(stark_finish(inst[0], &ch, &again, &err), -1);
    for (int k = 0; k < 2; k++) {
        size_t la, lb;
        uint8_t *a = fx_encode_proof(&p[k], &la), *b = fx_encode_proof(&ref.instances[k], &lb);
        assert_int_equal(la, lb);
        assert_memory_equal(a, b, la);
        free(a);
        free(b);
        stark_proof_free(&p[k]);
        stark_instance_free(inst[k]);
    }
    /* The challenges depend on the order of the commitments and on each of them. */
    stark_commitment swapped[2] = {cm[1], cm[0]};
    stark_challenges ch2;
    assert_int_equal(stark_derive_challenges(swapped, 2, &ch2, &err), 0);
    assert_false(gl3_eq(ch2.ch[0], ch.ch[0]));
    stark_job_proof_free(&ref);
    fx_lookup_free(&l);
}

static void test_wrong_vk(void **state) {
    (void)state;
    fx_fib f;
    fx_fib_init(&f);
    fx_lookup l;
    fx_lookup_init(&l, 0);
    zisk_err err = {{0}};
    const stark_pk *pks[2] = {l.pk_main, l.pk_table};
    const gl_t *tr[2] = {l.main_trace, l.mult}, *pub[2] = {NULL, NULL};
    stark_job_proof job;
    assert_int_equal(fx_prove(pks, tr, pub, 2, &job), 0);
    const stark_vk *vmain = stark_pk_vk(l.pk_main), *vtab = stark_pk_vk(l.pk_table);
    const stark_vk *vfib = stark_pk_vk(f.pk);
    /* Another AIR's key. */
    assert_int_equal(stark_verify(vfib, &job.challenges, &job.instances[0], NULL, &err),
                     STARK_ERR_VK);
    assert_int_equal(stark_verify(vmain, &job.challenges, &job.instances[1], NULL, &err),
                     STARK_ERR_VK);
    /* The same AIR at another size, or with other parameters. */
    stark_params p = fx_params();
    stark_vk other;
    assert_int_equal(stark_vk_init(&other, l.main, &p, FX_MAIN_LOG_N + 1, &vmain->fixed_root,
                                   &err), 0);
    assert_int_equal(stark_verify(&other, &job.challenges, &job.instances[0], NULL, &err),
                     STARK_ERR_VK);
    p.fri.n_queries++;
    assert_int_equal(stark_vk_init(&other, l.main, &p, FX_MAIN_LOG_N, &vmain->fixed_root, &err),
                     0);
    assert_int_equal(stark_verify(&other, &job.challenges, &job.instances[0], NULL, &err),
                     STARK_ERR_VK);
    /* The table with another fixed commitment (another table). */
    p = fx_params();
    hash_digest root = vtab->fixed_root;
    root.h[0] = gl_add(root.h[0], 1);
    assert_int_equal(stark_vk_init(&other, l.table, &p, AIR_EX_LOG_TABLE, &root, &err), 0);
    assert_int_equal(stark_verify(&other, &job.challenges, &job.instances[1], NULL, &err),
                     STARK_ERR_VK);
    /* The job checked against a key set lacking one of its AIRs. */
    const stark_vk *only[2] = {vmain, vfib};
    assert_int_equal(stark_verify_job(only, 2, &job, &err), STARK_ERR_VK);
    assert_non_null(strstr(err.msg, "instance 1"));
    stark_job_proof_free(&job);
    fx_lookup_free(&l);
    fx_fib_free(&f);
}

static void test_job_challenges(void **state) {
    (void)state;
    fx_lookup l;
    fx_lookup_init(&l, 0);
    const stark_pk *pks[2] = {l.pk_main, l.pk_table};
    const gl_t *tr[2] = {l.main_trace, l.mult}, *pub[2] = {NULL, NULL};
    stark_job_proof job;
    assert_int_equal(fx_prove(pks, tr, pub, 2, &job), 0);
    const stark_vk *vks[2] = {stark_pk_vk(l.pk_main), stark_pk_vk(l.pk_table)};
    zisk_err err = {{0}};
    stark_challenges saved = job.challenges;
    for (int i = 0; i < AIR_N_CHALLENGES; i++)
        for (int c = 0; c < 3; c++) {
            job.challenges = saved;
            job.challenges.ch[i].c[c] = gl_add(job.challenges.ch[i].c[c], 1);
            assert_int_equal(stark_verify_job(vks, 2, &job, &err), STARK_ERR_CHALLENGE);
        }
    job.challenges = saved;
    job.challenges.job_digest.h[3] ^= 1;
    assert_int_equal(stark_verify_job(vks, 2, &job, &err), STARK_ERR_CHALLENGE);
    job.challenges = saved;
    /* Instances in another order: other challenges. */
    stark_proof t = job.instances[0];
    job.instances[0] = job.instances[1];
    job.instances[1] = t;
    assert_int_equal(stark_verify_job(vks, 2, &job, &err), STARK_ERR_CHALLENGE);
    job.instances[1] = job.instances[0];
    job.instances[0] = t;
    /* A job with one instance missing: other challenges (and an unbalanced bus). */
    job.n_instances = 1;
    assert_int_equal(stark_verify_job(vks, 2, &job, &err), STARK_ERR_CHALLENGE);
    job.n_instances = 2;
    assert_int_equal(stark_verify_job(vks, 2, &job, &err), STARK_OK);
    /* An empty job proves nothing. */
    job.n_instances = 0;
    assert_int_equal(stark_verify_job(vks, 2, &job, &err), STARK_ERR_SHAPE);
    job.n_instances = 2;
    stark_job_proof_free(&job);
    fx_lookup_free(&l);

    fx_fib f;
    fx_fib_init(&f);
    const stark_pk *fp[1] = {f.pk};
    const gl_t *ft[1] = {f.trace}, *fpub[1] = {f.publics};
    assert_int_equal(fx_prove(fp, ft, fpub, 1, &job), 0);
    /* A claimed bus sum on an AIR without buses is refused (it could cancel an imbalance). */
    job.instances[0].bus_sum = gl3_one();
    assert_int_equal(stark_verify(stark_pk_vk(f.pk), &job.challenges, &job.instances[0], NULL,
                                  &err),
                     STARK_ERR_SHAPE);
    stark_job_proof_free(&job);
    fx_fib_free(&f);
}

/* ---- tampering ------------------------------------------------------------------------------ */

/* The error classes a flipped bit in each region of an encoded instance proof may give. A
 * flip may make a u64 non-canonical, so that is allowed everywhere a field element sits. */
#define BIT(s) (1u << (s))
typedef struct region {
    size_t end;
    unsigned allowed;
    const char *name;
} region;

static size_t regions_of(const stark_proof *p, region *r) {
    size_t off = 0, k = 0;
    unsigned NC = BIT(STARK_ERR_NONCANONICAL);
#define REG(len, mask, nm) (off += (len), r[k++] = (region){off, (mask), (nm)})
    REG(8, BIT(STARK_ERR_DECODE), "magic/version");
    REG(32, BIT(STARK_ERR_VK) | NC, "vk digest");
    REG(4, BIT(STARK_ERR_DECODE) | BIT(STARK_ERR_VK), "log_n");
    REG(4 + 16, BIT(STARK_ERR_DECODE), "counts");
    REG(8 * (size_t)p->n_publics, BIT(STARK_ERR_PUBLICS) | NC, "publics");
    REG(32, BIT(STARK_ERR_VK) | NC, "fixed root");
    REG(96, BIT(STARK_ERR_OOD) | BIT(STARK_ERR_SHAPE) | NC, "roots");
    REG(24, BIT(STARK_ERR_OOD) | BIT(STARK_ERR_SHAPE) | NC, "bus sum");
    /* An out-of-domain value no constraint reads (e.g. a column's next value) passes the OOD
     * check but changes gamma and with it the FRI transcript and query indices. */
    REG(24 * (p->n_ood_z + p->n_ood_next),
        BIT(STARK_ERR_OOD) | BIT(STARK_ERR_FRI) | BIT(STARK_ERR_MERKLE) | NC, "ood");
    /* A FRI root, final coefficient or nonce changes the query indices, so the trees' openings
     * (checked first, in the initial-values callback) stop matching: 'merkle' is right too. */
    REG(fri_proof_encoded_size(&p->fri),
        BIT(STARK_ERR_FRI) | BIT(STARK_ERR_DECODE) | BIT(STARK_ERR_MERKLE) | NC, "fri");
    REG((size_t)-1 / 2, BIT(STARK_ERR_MERKLE) | NC, "openings");
#undef REG
    return k;
}

/* Flips one bit in every field of the encoded proof k of job and checks the error class of
 * the region the field belongs to. */
static void tamper_instance(const stark_job_proof *job, size_t k, const stark_vk *vk,
                            const gl_t *publics) {
    size_t len;
    uint8_t *b = fx_encode_proof(&job->instances[k], &len);
    region reg[16] = {{0, 0, NULL}};
    size_t nreg = regions_of(&job->instances[k], reg);
    uint8_t *c = malloc(len);
    size_t counts[16] = {0};
    /* Every u32 field (the proof's and the embedded FRI proof's headers) at 4-byte steps;
     * every u64 field elsewhere once, the flipped byte and bit rotating through it. The FRI
     * query openings past its first 1 KiB and the trees' openings past the first two queries
     * repeat the same fields for other queries: there every 9th u64 is enough (and keeps the
     * test fast under the sanitizers). */
    const stark_proof *pp = &job->instances[k];
    size_t fri_off = reg[8].end, open_off = reg[9].end, step;
    size_t per_q = (len - open_off) / (pp->n_queries ? pp->n_queries : 1);
    for (size_t word = 0; word < len; word += step) {
        int hdr = word < reg[3].end || (word >= fri_off && word < fri_off + FRI_PROOF_HEADER_LEN);
        int dense = word < fri_off + 1024 || (word >= open_off && word < open_off + 2 * per_q);
        step = hdr ? 4 : dense ? 8 : 72;
        size_t off = hdr ? word : word + (word / 8) % 8;
        if (off >= len) break;
        memcpy(c, b, len);
        c[off] ^= (uint8_t)(1u << ((word / 8 + word / 4) % 8));
        stark_proof p;
        zisk_err err = {{0}};
        stark_status s = stark_proof_decode(c, len, &p, NULL, &err);
        if (s == STARK_OK) s = stark_verify(vk, &job->challenges, &p, publics, &err);
        stark_proof_free(&p);
        size_t ri = 0;
        while (off >= reg[ri].end) ri++;
        if (s == STARK_OK || !(reg[ri].allowed & BIT(s)))
            fail_msg("byte %zu (%s) of a %zu-byte proof: got '%s': %s", off, reg[ri].name, len,
                     stark_status_str(s), err.msg);
        counts[ri]++;
    }
    (void)nreg;
    free(b);
    free(c);
}

static void test_tamper_instances(void **state) {
    (void)state;
    fx_fib f;
    fx_fib_init(&f);
    const stark_pk *fp[1] = {f.pk};
    const gl_t *ft[1] = {f.trace}, *fpub[1] = {f.publics};
    stark_job_proof job;
    assert_int_equal(fx_prove(fp, ft, fpub, 1, &job), 0);
    tamper_instance(&job, 0, stark_pk_vk(f.pk), f.publics);
    stark_job_proof_free(&job);
    fx_fib_free(&f);

    fx_lookup l;
    fx_lookup_init(&l, 0);
    const stark_pk *pks[2] = {l.pk_main, l.pk_table};
    const gl_t *tr[2] = {l.main_trace, l.mult}, *pub[2] = {NULL, NULL};
    assert_int_equal(fx_prove(pks, tr, pub, 2, &job), 0);
    tamper_instance(&job, 0, stark_pk_vk(l.pk_main), NULL);
    tamper_instance(&job, 1, stark_pk_vk(l.pk_table), NULL);
    stark_job_proof_free(&job);
    fx_lookup_free(&l);
}

/* FRI does not commit the DEEP codeword (input_committed): the proof's FRI part has no layer-0
 * root or openings, and what binds f is the trees' openings, eight rows per leaf, each of which
 * the verifier reads. A prover that runs FRI on another f than the trees give is caught at the
 * first fold (with layer 0 committed, at the layer-0 comparison: "initial"). */
static void prove_fib_with(const stark_params *p, fx_fib *f, stark_pk **pk, stark_job_proof *job,
                           int want_rc) {
    zisk_err err;
    *pk = stark_setup(f->a, p, FX_FIB_LOG_N, NULL, &err);
    assert_non_null(*pk);
    const stark_pk *pks[1] = {*pk};
    const gl_t *tr[1] = {f->trace}, *pub[1] = {f->publics};
    assert_int_equal(fx_prove(pks, tr, pub, 1, job), want_rc);
}

static void test_deep_bound_by_trees(void **state) {
    (void)state;
    fx_fib f;
    fx_fib_init(&f);
    zisk_err err = {{0}};
    for (int mode = 0; mode < 2; mode++) {
        stark_params p = fx_params();
        p.fri.input_committed = (unsigned)mode;
        stark_pk *pk;
        stark_job_proof job;
        prove_fib_with(&p, &f, &pk, &job, 0);
        const stark_vk *vk = stark_pk_vk(pk);
        const stark_proof *pr = &job.instances[0];
        assert_int_equal(pr->fri.first_committed, (unsigned)mode);
        assert_int_equal(stark_verify(vk, &job.challenges, pr, f.publics, &err), STARK_OK);
        /* Every row of query 0's stage-1 leaf is authenticated (the verifier reads all eight
         * under input_committed). */
        uint32_t w = pr->n_cols[STARK_TREE_STAGE1];
        for (unsigned r = 0; r < STARK_LEAF_ROWS; r++) {
            gl_t *cell = &pr->rows[STARK_TREE_STAGE1][r * w + (r % w)];
            gl_t keep = *cell;
            *cell = gl_add(keep, 1);
            assert_int_equal(stark_verify(vk, &job.challenges, pr, f.publics, &err),
                             STARK_ERR_MERKLE);
            assert_non_null(strstr(err.msg, "stage1 tree, query 0"));
            *cell = keep;
        }
        /* The other mode's key refuses the proof (the mode is in the VK digest). */
        stark_params q = p;
        q.fri.input_committed = 1u - (unsigned)mode;
        stark_vk other;
        assert_int_equal(stark_vk_init(&other, f.a, &q, FX_FIB_LOG_N, &vk->fixed_root, &err), 0);
        assert_int_equal(stark_verify(&other, &job.challenges, pr, f.publics, &err), STARK_ERR_VK);
        tamper_instance(&job, 0, vk, f.publics);
        stark_job_proof_free(&job);

        /* FRI on f + 1 (still low degree: FRI alone accepts), and on f changed at one position
         * of every first coset (fold by 4 here). */
        for (int off = STARK_TEST_DEEP_ALL; off < 4; off++) {
            if (off == -1) continue;
            stark_pk *pk2;
            stark_test_deep_offset = off;
            prove_fib_with(&p, &f, &pk2, &job, off == STARK_TEST_DEEP_ALL ? 0 : 1);
            stark_test_deep_offset = -1;
            stark_status st = stark_verify(vk, &job.challenges, &job.instances[0], f.publics, &err);
            /* With layer 0 committed only the queried position is compared with f: a change at
             * another coset position shows at the fold or the final polynomial instead. */
            const char *want = mode ? "FRI fold" : off == STARK_TEST_DEEP_ALL ? "FRI initial" : "FRI";
            if (st != STARK_ERR_FRI || !strstr(err.msg, want))
                fail_msg("mode %d, offset %d: %s: %s", mode, off, stark_status_str(st), err.msg);
            stark_job_proof_free(&job);
            stark_pk_free(pk2);
        }
        stark_pk_free(pk);
    }
    fx_fib_free(&f);
}

/* Tampering an encoded job proof (the lookup job): the header gives 'decode', the stored
 * challenges 'challenge' (or 'noncanonical'), the first instance's length 'decode'; nothing
 * anywhere is accepted. */
static void test_tamper_job(void **state) {
    (void)state;
    fx_lookup l;
    fx_lookup_init(&l, 0);
    const stark_pk *pks[2] = {l.pk_main, l.pk_table};
    const gl_t *tr[2] = {l.main_trace, l.mult}, *pub[2] = {NULL, NULL};
    stark_job_proof job;
    assert_int_equal(fx_prove(pks, tr, pub, 2, &job), 0);
    const stark_vk *vks[2] = {stark_pk_vk(l.pk_main), stark_pk_vk(l.pk_table)};
    size_t len;
    uint8_t *b = fx_encode_job(&job, &len);
    uint8_t *c = malloc(len);
    size_t hdr = 12, chal = 12 + 48 + 32;
    /* Every word of the job header and of the first instance's first 512 bytes; a sample
     * (every 68th byte) of the rest, whose per-field classes test_tamper_instances checks. */
    for (size_t off = 0; off < len; off += off < chal + 8 + 512 ? 4 : 68) {
        memcpy(c, b, len);
        c[off] ^= (uint8_t)(1u << ((off / 4) % 8));
        zisk_err err = {{0}};
        stark_status s = decode_verify_job(c, len, vks, 2, &err);
        if (s == STARK_OK) fail_msg("job byte %zu: tampering accepted", off);
        if (off < hdr && s != STARK_ERR_DECODE) fail_msg("job byte %zu: %s", off, err.msg);
        if (off >= hdr && off < chal && s != STARK_ERR_CHALLENGE && s != STARK_ERR_NONCANONICAL)
            fail_msg("job byte %zu: %s", off, err.msg);
        if (off >= chal && off < chal + 8 && s != STARK_ERR_DECODE)
            fail_msg("job byte %zu: %s", off, err.msg);
    }
    free(b);
    free(c);
    stark_job_proof_free(&job);
    fx_lookup_free(&l);
}

static void test_decode_rejections(void **state) {
    (void)state;
    fx_fib f;
    fx_fib_init(&f);
    const stark_pk *fp[1] = {f.pk};
    const gl_t *ft[1] = {f.trace}, *fpub[1] = {f.publics};
    stark_job_proof job;
    assert_int_equal(fx_prove(fp, ft, fpub, 1, &job), 0);
    size_t len, jlen;
    uint8_t *b = fx_encode_proof(&job.instances[0], &len);
    uint8_t *jb = fx_encode_job(&job, &jlen);
    zisk_err err;
    stark_proof p;
    stark_job_proof j;
    /* Every truncation (each prefix is refused, from a copy of exactly that size). */
    for (size_t cut = 0; cut < len; cut++) {
        uint8_t *t = malloc(cut ? cut : 1);
        memcpy(t, b, cut);
        assert_int_equal(stark_proof_decode(t, cut, &p, NULL, &err), STARK_ERR_DECODE);
        stark_proof_free(&p);
        free(t);
    }
    for (size_t cut = 0; cut < jlen; cut += 7) {
        assert_int_not_equal(stark_job_proof_decode(jb, cut, &j, &err), STARK_OK);
        stark_job_proof_free(&j);
    }
    /* Trailing bytes; with `consumed` the proof is found inside a larger buffer. */
    uint8_t *t = malloc(len + 3);
    memcpy(t, b, len);
    memset(t + len, 0, 3);
    assert_int_equal(stark_proof_decode(t, len + 3, &p, NULL, &err), STARK_ERR_DECODE);
    stark_proof_free(&p);
    size_t used = 0;
    assert_int_equal(stark_proof_decode(t, len + 3, &p, &used, &err), STARK_OK);
    assert_int_equal(used, len);
    stark_proof_free(&p);
    free(t);
    t = malloc(jlen + 1);
    memcpy(t, jb, jlen);
    t[jlen] = 0;
    assert_int_equal(stark_job_proof_decode(t, jlen + 1, &j, &err), STARK_ERR_DECODE);
    assert_non_null(strstr(err.msg, "trailing"));
    stark_job_proof_free(&j);
    free(t);
    /* NULL and empty buffers, another version, a non-canonical public value. */
    assert_int_equal(stark_proof_decode(NULL, 100, &p, NULL, &err), STARK_ERR_DECODE);
    stark_proof_free(&p);
    assert_int_equal(stark_job_proof_decode(NULL, 0, &j, &err), STARK_ERR_DECODE);
    stark_job_proof_free(&j);
    b[4] = STARK_PROOF_VERSION + 1;
    assert_int_equal(stark_proof_decode(b, len, &p, NULL, &err), STARK_ERR_DECODE);
    assert_non_null(strstr(err.msg, "version"));
    stark_proof_free(&p);
    b[4] = STARK_PROOF_VERSION - 1; /* version 4: four rows per leaf, no longer read */
    assert_int_equal(stark_proof_decode(b, len, &p, NULL, &err), STARK_ERR_DECODE);
    assert_non_null(strstr(err.msg, "version"));
    stark_proof_free(&p);
    b[4] = STARK_PROOF_VERSION;
    memset(b + 64, 0xFF, 8);
    assert_int_equal(stark_proof_decode(b, len, &p, NULL, &err), STARK_ERR_NONCANONICAL);
    assert_non_null(strstr(err.msg, "offset 64"));
    stark_proof_free(&p);
    /* A huge instance count or length does not allocate beyond the buffer. */
    memset(jb + 8, 0xFF, 4);
    assert_int_equal(stark_job_proof_decode(jb, jlen, &j, &err), STARK_ERR_DECODE);
    stark_job_proof_free(&j);
    free(b);
    free(jb);
    stark_job_proof_free(&job);
    fx_fib_free(&f);
}

/* ---- determinism, parameters ---------------------------------------------------------------- */

static void test_deterministic(void **state) {
    (void)state;
    fx_lookup l;
    fx_lookup_init(&l, 0);
    const stark_pk *pks[2] = {l.pk_main, l.pk_table};
    const gl_t *tr[2] = {l.main_trace, l.mult}, *pub[2] = {NULL, NULL};
    uint8_t *enc[2];
    size_t len[2];
    for (int r = 0; r < 2; r++) {
#ifdef _OPENMP
        int saved = omp_get_max_threads();
        omp_set_num_threads(r == 0 ? 1 : 3);
#endif
        stark_job_proof job;
        assert_int_equal(fx_prove(pks, tr, pub, 2, &job), 0);
#ifdef _OPENMP
        omp_set_num_threads(saved);
#endif
        enc[r] = fx_encode_job(&job, &len[r]);
        stark_job_proof_free(&job);
    }
    assert_int_equal(len[0], len[1]);
    assert_memory_equal(enc[0], enc[1], len[0]);
    free(enc[0]);
    free(enc[1]);
    fx_lookup_free(&l);
}

static void test_params(void **state) {
    (void)state;
    /* Degree 4 needs 3 quotient chunks: blowup 2 is too small, blowup 4 works. */
    air_builder *bld = air_builder_new("quartic", 4);
    air_col cx = air_col_stage1(bld, "x");
    air_expr x = air_cur(bld, cx);
    air_expr x2 = air_mul(bld, x, x);
    air_constrain(bld, AIR_TRANSITION, "x4",
                  air_sub(bld, air_next(bld, cx), air_mul(bld, x2, x2)));
    zisk_err err;
    air *a = air_build(bld, &err);
    assert_non_null(a);
    stark_params p = fx_params();
    assert_null(stark_setup(a, &p, 4, NULL, &err));
    assert_non_null(strstr(err.msg, "blowup"));
    p.fri.log_blowup = 2;
    stark_pk *pk = stark_setup(a, &p, 4, NULL, &err);
    assert_non_null(pk);
    size_t n = 16;
    gl_t *tr = malloc(n * sizeof(gl_t));
    tr[0] = 3;
    for (size_t i = 1; i < n; i++) tr[i] = gl_pow(tr[i - 1], 4);
    const stark_pk *pks[1] = {pk};
    const gl_t *trs[1] = {tr}, *pub[1] = {NULL};
    stark_job_proof job;
    assert_int_equal(fx_prove(pks, trs, pub, 1, &job), 0);
    const stark_vk *vk = stark_pk_vk(pk);
    assert_int_equal(stark_verify_job(&vk, 1, &job, &err), STARK_OK);
    stark_job_proof_free(&job);
    free(tr);
    stark_pk_free(pk);
    /* Sizes and FRI limits. */
    p = fx_params();
    assert_int_equal(stark_params_check(&p, a, 0, &err), -1);
    assert_int_equal(stark_params_check(&p, a, STARK_MAX_LOG_N + 1, &err), -1);
    p.fri.n_queries = 0;
    assert_int_equal(stark_params_check(&p, a, 4, &err), -1);
    air_free(a);
    /* The table AIR needs its fixed columns. */
    air *t = air_ex_lookup_table();
    p = fx_params();
    assert_null(stark_setup(t, &p, AIR_EX_LOG_TABLE, NULL, &err));
    air_free(t);
}

/* ---- the prover's inner-product kernels against plain field arithmetic ---------------------- */

static gl3_t horner_at(const gl_t *coef, size_t n, gl3_t x) {
    gl3_t r = gl3_zero();
    for (size_t i = n; i-- > 0;) r = gl3_add(gl3_mul(r, x), gl3_from_base(coef[i]));
    return r;
}

static gl3_t rand_gl3(uint64_t *s) {
    return (gl3_t){{gl_from_u64(air_ex_rand(s)), gl_from_u64(air_ex_rand(s)), gl_from_u64(air_ex_rand(s))}};
}

/* stark_ood_values and stark_deep_codeword (SIMD planes, blocked, parallel) against
 * interpolation + Horner and the DEEP formula term by term; sizes below, at and above the
 * kernels' 1024-row block, and extreme cell values (p - 1 everywhere: the largest products and
 * sums). */
static void test_kernels_vs_reference(void **state) {
    (void)state;
    uint64_t s = 99;
    static const unsigned logs[] = {3, 10, 12};
    for (size_t li = 0; li < sizeof logs / sizeof logs[0]; li++) {
        for (int extreme = 0; extreme < 2; extreme++) {
            unsigned log_n = logs[li], log_lde = log_n + 1;
            size_t n = (size_t)1 << log_n, N = (size_t)1 << log_lde;
            enum { NT = 7, NQ = 3, K = NT + NQ };
            ntt_plan *plan = ntt_plan_create(log_lde);
            gl_t *ev = malloc(NT * n * sizeof(gl_t)), *cf = malloc(NQ * n * sizeof(gl_t));
            gl_t *lde = malloc(K * N * sizeof(gl_t));
            for (size_t i = 0; i < NT * n; i++) ev[i] = extreme ? GL_P - 1 : gl_from_u64(air_ex_rand(&s));
            for (size_t i = 0; i < NQ * n; i++) cf[i] = extreme ? GL_P - 1 : gl_from_u64(air_ex_rand(&s));
            gl3_t z = rand_gl3(&s), gamma = rand_gl3(&s);
            const gl_t *tc[NT], *qc[NQ], *lc[K];
            for (int j = 0; j < NT; j++) tc[j] = ev + j * n;
            for (int j = 0; j < NQ; j++) qc[j] = cf + j * n;
            gl3_t ood[K + NT], want[K + NT];
            stark_ood_values(log_n, tc, NT, qc, NQ, z, ood, ood + K);
            gl3_t zw = gl3_mul_base(z, gl_root_of_unity(log_n));
            gl_t *tmp = malloc(n * sizeof(gl_t));
            for (int j = 0; j < NT; j++) {
                memcpy(tmp, tc[j], n * sizeof(gl_t));
                ntt_inverse(plan, tmp, log_n);
                want[j] = horner_at(tmp, n, z);
                want[K + j] = horner_at(tmp, n, zw);
            }
            for (int j = 0; j < NQ; j++) want[NT + j] = horner_at(qc[j], n, z);
            for (int j = 0; j < K + NT; j++) assert_true(gl3_eq(ood[j], want[j]));
            /* DEEP over arbitrary LDE columns (any values: the formula is pointwise). */
            for (size_t i = 0; i < K * N; i++) lde[i] = extreme ? GL_P - 1 : gl_from_u64(air_ex_rand(&s));
            for (int k = 0; k < K; k++) lc[k] = lde + k * N;
            gl3_t *f = malloc(N * sizeof(gl3_t));
            stark_deep_codeword(log_n, log_lde, lc, K, NT, z, gamma, ood, f);
            gl_t wN = gl_root_of_unity(log_lde), x = GL_GENERATOR;
            for (size_t i = 0; i < N; i++, x = gl_mul(x, wN)) {
                gl3_t acc = gl3_zero(), g = gl3_one();
                gl3_t iz = gl3_inv(gl3_sub(gl3_from_base(x), z));
                gl3_t izw = gl3_inv(gl3_sub(gl3_from_base(x), zw));
                for (int k = 0; k < K; k++, g = gl3_mul(g, gamma))
                    acc = gl3_add(acc, gl3_mul(g, gl3_mul(gl3_sub(gl3_from_base(lc[k][i]), ood[k]), iz)));
                for (int k = 0; k < NT; k++, g = gl3_mul(g, gamma))
                    acc = gl3_add(acc, gl3_mul(g, gl3_mul(gl3_sub(gl3_from_base(lc[k][i]), ood[K + k]), izw)));
                assert_true(gl3_eq(f[i], acc));
            }
            free(f);
            free(tmp);
            free(ev);
            free(cf);
            free(lde);
            ntt_plan_free(plan);
        }
    }
}

/* ---- fuzz corpus ---------------------------------------------------------------------------- */

static int write_file(const char *dir, const char *name, const uint8_t *b, size_t len) {
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    zisk_err err;
    if (zisk_write_file(path, b, len, &err) != 0) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    return 0;
}

/* `test_stark --write-corpus DIR`: the seeds of fuzz_stark.c: an honest Fibonacci instance
 * proof and job proof, an honest lookup job (fixed columns, stage 2, two instances), and
 * damaged copies (truncated, trailing byte, another version, a non-canonical element, a
 * flipped opening, a wrong multiplicity). */
static int write_corpus(const char *dir) {
    int rc = 0;
    fx_fib f;
    fx_fib_init(&f);
    const stark_pk *fp[1] = {f.pk};
    const gl_t *ft[1] = {f.trace}, *fpub[1] = {f.publics};
    stark_job_proof job;
    fx_prove(fp, ft, fpub, 1, &job);
    size_t len;
    uint8_t *b = fx_encode_proof(&job.instances[0], &len);
    rc |= write_file(dir, "seed_fib_proof", b, len);
    rc |= write_file(dir, "seed_fib_truncated", b, len / 2);
    b[len - 1] ^= 1;
    rc |= write_file(dir, "seed_fib_tampered_opening", b, len);
    b[4] = 9;
    rc |= write_file(dir, "seed_fib_version", b, len);
    free(b);
    b = fx_encode_job(&job, &len);
    rc |= write_file(dir, "seed_fib_job", b, len);
    uint8_t *t = malloc(len + 1);
    memcpy(t, b, len);
    t[len] = 0;
    rc |= write_file(dir, "seed_fib_job_trailing", t, len + 1);
    free(t);
    memset(b + 12, 0xFF, 8);
    rc |= write_file(dir, "seed_fib_job_noncanonical", b, len);
    free(b);
    stark_job_proof_free(&job);
    fx_fib_free(&f);
    for (int bad = 0; bad < 2; bad++) {
        fx_lookup l;
        fx_lookup_init(&l, (uint64_t)bad);
        const stark_pk *pks[2] = {l.pk_main, l.pk_table};
        const gl_t *tr[2] = {l.main_trace, l.mult}, *pub[2] = {NULL, NULL};
        fx_prove(pks, tr, pub, 2, &job);
        b = fx_encode_job(&job, &len);
        rc |= write_file(dir, bad ? "seed_lookup_job_wrong_mult" : "seed_lookup_job", b, len);
        free(b);
        stark_job_proof_free(&job);
        fx_lookup_free(&l);
    }
    return rc;
}

int main(int argc, char **argv) {
    if (argc == 3 && strcmp(argv[1], "--write-corpus") == 0) return write_corpus(argv[2]);
    if (argc == 2) cmocka_set_test_filter(argv[1]); /* e.g. test_stark 'test_tamper*' */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fib),
        cmocka_unit_test(test_fib_wrong_publics),
        cmocka_unit_test(test_lookup),
        cmocka_unit_test(test_permutation_split),
        cmocka_unit_test(test_wrong_multiplicity),
        cmocka_unit_test(test_three_steps),
        cmocka_unit_test(test_wrong_vk),
        cmocka_unit_test(test_job_challenges),
        cmocka_unit_test(test_tamper_instances),
        cmocka_unit_test(test_tamper_job),
        cmocka_unit_test(test_deep_bound_by_trees),
        cmocka_unit_test(test_decode_rejections),
        cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_params),
        cmocka_unit_test(test_kernels_vs_reference),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
