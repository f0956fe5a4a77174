/*
 * air_bus.c: stage-2 generation (helper and accumulator columns of the log-derivative bus
 * argument), the per-bus tally of a job, and the global bus-sum rule.
 *
 * Both stage-2 generation and the tally need, for every row r and interaction j, the
 * multiplicity m_j(r) and the inverse of the denominator d_j(r) = alpha - fp_j(r). They run the
 * AIR's bus program (compiled by air_build: sinks 2j = m_j, 2j+1 = d_j) over chunks of rows and
 * invert all denominators of a chunk at once (the field's ext_batch_inv: Montgomery's trick on
 * SIMD lanes), which keeps the whole pass O(rows * interactions).
 */
#include <stdlib.h>
#include <string.h>

#ifdef _OPENMP
#include <omp.h>
#endif

#include "air_internal.h"

/* Rows per chunk (a multiple of AIR_BLOCK): per thread, interactions * CHUNK * (8 + 6 * 8)
 * bytes of scratch. */
#define CHUNK 1024

/* Per-thread state of a pass over the bus terms. Denominators are kept as three planes (one per
 * extension component), interaction j's rows at j * len of each, so the SIMD kernels invert
 * them and form the terms without reshuffling. */
typedef struct bus_pass {
    air_eval_ws *ws;
    gl_t *m;        /* [j * len + i] */
    gl_t *d;        /* planes of J * len: [k * J * len + j * len + i], then inverted */
    gl_t *scratch;  /* 3 * J * CHUNK */
    gl_t **store;
} bus_pass;

static void bus_pass_init(bus_pass *bp, const air *a, const air_values *v) {
    size_t J = a->n_inter;
    bp->ws = air_ws_new_for(a, &a->prog_bus);
    air_ws_bind_values(bp->ws, v);
    bp->m = zisk_xmalloc(J * CHUNK * sizeof *bp->m);
    bp->d = zisk_xmalloc(3 * J * CHUNK * sizeof *bp->d);
    bp->scratch = zisk_xmalloc(3 * J * CHUNK * sizeof *bp->scratch);
    bp->store = zisk_xmalloc(2 * J * sizeof *bp->store);
    bp->ws->store = bp->store;
}

static void bus_pass_free(bus_pass *bp) {
    air_eval_ws_free(bp->ws);
    free(bp->m);
    free(bp->d);
    free(bp->scratch);
    free(bp->store);
}

/* Component k of interaction j's (inverted) denominators in the current chunk of len rows. */
static gl_t *den(const bus_pass *bp, size_t J, size_t len, size_t j, int k) {
    return bp->d + (size_t)k * J * len + j * len;
}

/* Fills m and 1/d for rows [c0, c0 + len). Returns SIZE_MAX, or j * len + i for a zero
 * denominator (interaction j, row c0 + i; the smallest row, then interaction). */
static size_t bus_pass_chunk(bus_pass *bp, const air *a, const air_view *t, size_t c0, size_t len) {
    size_t J = a->n_inter;
    for (size_t j = 0; j < J; j++) {
        bp->store[2 * j] = bp->m + j * len;
        bp->store[2 * j + 1] = den(bp, J, len, j, 0);
    }
    bp->ws->store_row0 = c0;
    bp->ws->store_plane_stride = J * len;
    for (size_t r0 = c0; r0 < c0 + len; r0 += AIR_BLOCK) {
        size_t bl = c0 + len - r0 < AIR_BLOCK ? c0 + len - r0 : AIR_BLOCK;
        air_run_block(bp->ws, t, r0, bl, MODE_STORE);
    }
    gl_t *const x[3] = {den(bp, J, len, 0, 0), den(bp, J, len, 0, 1), den(bp, J, len, 0, 2)};
    gl_t *const sc[3] = {bp->scratch, bp->scratch + J * len, bp->scratch + 2 * J * len};
    if (gl_vec()->ext_batch_inv(x, J * len, sc) == 0) return SIZE_MAX;
    for (size_t i = 0; i < len; i++)
        for (size_t j = 0; j < J; j++) {
            size_t q = j * len + i;
            if ((x[0][q] | x[1][q] | x[2][q]) == 0) return q;
        }
    ZISK_ASSERT(0); /* ext_batch_inv reported a zero */
    return 0;
}

/* A zero denominator, reported at the smallest row (then interaction). */
typedef struct zero_at {
    size_t row;
    size_t inter;
} zero_at;

static void note_zero(zero_at *z, size_t pos, size_t len, size_t c0) {
    size_t j = pos / len, row = c0 + pos % len;
#pragma omp critical(air_bus_zero)
    {
        if (row < z->row || (row == z->row && j < z->inter)) {
            z->row = row;
            z->inter = j;
        }
    }
}

static int zero_err(const air *a, const zero_at *z, zisk_err *err) {
    const air_interaction *it = &a->inter[z->inter];
    return zisk_err_set(err,
                        "air '%s': bus denominator of interaction '%s' (bus %u) is zero at row %zu",
                        a->name, it->name, it->bus, z->row);
}

static void check_view(const air *a, const air_view *t) {
    ZISK_ASSERT(t->next_step == 1 && t->n_rows >= 2);
    for (int s = 0; s < AIR_STAGE2; s++) ZISK_ASSERT(a->n_cols[s] == 0 || t->m[s].data != NULL);
}

int air_stage2_generate(const air *a, const air_view *t, const air_values *v, gl_t *stage2,
                        gl3_t *bus_sum, zisk_err *err) {
    *bus_sum = gl3_zero();
    if (a->n_inter == 0) return 0;
    check_view(a, t);
    ZISK_ASSERT(v->challenges != NULL && stage2 != NULL);
    size_t n = t->n_rows, G = a->n_groups;
    size_t n_chunks = (n + CHUNK - 1) / CHUNK;
    zero_at z = {SIZE_MAX, SIZE_MAX};
    /* Interactions are grouped in contiguous ranges: gstart[g] .. gstart[g+1]. */
    uint32_t *gstart = zisk_xmalloc((G + 1) * sizeof *gstart);
    for (uint32_t j = a->n_inter; j-- > 0;) gstart[a->inter[j].group] = j;
    gstart[G] = a->n_inter;

#pragma omp parallel
    {
        bus_pass bp;
        bus_pass_init(&bp, a, v);
#pragma omp for schedule(dynamic, 1)
        for (size_t ci = 0; ci < n_chunks; ci++) {
            size_t c0 = ci * CHUNK, len = n - c0 < CHUNK ? n - c0 : CHUNK;
            size_t zpos = bus_pass_chunk(&bp, a, t, c0, len);
            if (zpos != SIZE_MAX) {
                note_zero(&z, zpos, len, c0);
                continue;
            }
            /* h_g[r] = sum_{j in g} +-m_j[r] / d_j[r]; the last group's value goes to the
             * accumulator's columns for now (it has no helper column) */
            const gl_vec_ops *vo = gl_vec();
            size_t J = a->n_inter;
            gl_t *term = bp.scratch; /* free after the inversion */
            for (size_t g = 0; g < G; g++)
                for (int k = 0; k < 3; k++) {
                    gl_t *h = stage2 + (3 * g + (size_t)k) * n + c0;
                    memset(h, 0, len * sizeof *h);
                    for (uint32_t j = gstart[g]; j < gstart[g + 1]; j++) {
                        vo->mul(term, den(&bp, J, len, j, k), bp.m + j * len, len);
                        if (a->inter[j].send) vo->add(h, h, term, len);
                        else vo->sub(h, h, term, len);
                    }
                }
            /* value[r] = sum_g h_g[r], into the accumulator's columns (the last group's) */
            for (size_t g = 0; g + 1 < G; g++)
                for (int k = 0; k < 3; k++) {
                    gl_t *acc = stage2 + (3 * (G - 1) + (size_t)k) * n + c0;
                    vo->add(acc, acc, stage2 + (3 * g + (size_t)k) * n + c0, len);
                }
        }
        bus_pass_free(&bp);
    }
    free(gstart);
    if (z.row != SIZE_MAX) return zero_err(a, &z, err);

    /* value[r] (in the acc columns now) sums to the bus sum S; then acc[0] = 0,
     * acc[r+1] = acc[r] + value[r] - S / n (air_build: the accumulator wraps around the domain
     * back to 0). */
    gl_t *acc0 = stage2 + 3 * (G - 1) * n, *acc1 = acc0 + n, *acc2 = acc1 + n;
    gl3_t total = gl3_zero();
    for (size_t r = 0; r < n; r++) total = gl3_add(total, (gl3_t){{acc0[r], acc1[r], acc2[r]}});
    gl3_t share = gl3_mul_base(total, gl_inv(gl_from_u64(n)));
    gl3_t acc = gl3_zero();
    for (size_t r = 0; r < n; r++) {
        gl3_t row = {{acc0[r], acc1[r], acc2[r]}};
        acc0[r] = acc.c[0], acc1[r] = acc.c[1], acc2[r] = acc.c[2];
        acc = gl3_sub(gl3_add(acc, row), share);
    }
    ZISK_ASSERT(gl3_is_zero(acc)); /* it wrapped around */
    acc = total;
    *bus_sum = acc;
    return 0;
}

/* ------------------------------------------------------------------------------------------ */
/* Bus sums                                                                                     */
/* ------------------------------------------------------------------------------------------ */

int air_bus_sums_check(const gl3_t *sums, size_t n, zisk_err *err) {
    gl3_t s = gl3_zero();
    for (size_t i = 0; i < n; i++) s = gl3_add(s, sums[i]);
    if (gl3_is_zero(s)) return 0;
    return zisk_err_set(err, "the bus sums of the %zu instances do not add to zero", n);
}

typedef struct bus_entry {
    uint32_t bus;
    gl3_t sum;
} bus_entry;

struct air_bus_tally {
    bus_entry *e;
    size_t n, cap;
};

air_bus_tally *air_bus_tally_new(void) { return zisk_xcalloc(1, sizeof(air_bus_tally)); }

void air_bus_tally_free(air_bus_tally *t) {
    if (!t) return;
    free(t->e);
    free(t);
}

static void tally_add(air_bus_tally *t, uint32_t bus, gl3_t x) {
    for (size_t i = 0; i < t->n; i++)
        if (t->e[i].bus == bus) {
            t->e[i].sum = gl3_add(t->e[i].sum, x);
            return;
        }
    if (t->n == t->cap) {
        t->cap = t->cap ? 2 * t->cap : 8;
        t->e = zisk_xrealloc(t->e, t->cap * sizeof *t->e);
    }
    t->e[t->n++] = (bus_entry){bus, x};
}

int air_bus_tally_add(air_bus_tally *tally, const air *a, const air_view *t, const air_values *v,
                      zisk_err *err) {
    size_t J = a->n_inter;
    if (J == 0) return 0;
    check_view(a, t);
    ZISK_ASSERT(v->challenges != NULL);
    size_t n = t->n_rows, n_chunks = (n + CHUNK - 1) / CHUNK;
    zero_at z = {SIZE_MAX, SIZE_MAX};
    gl3_t *sum = zisk_xcalloc(J, sizeof *sum); /* per interaction, signed */
#pragma omp parallel
    {
        bus_pass bp;
        bus_pass_init(&bp, a, v);
        gl3_t *part = zisk_xcalloc(J, sizeof *part);
#pragma omp for schedule(dynamic, 1)
        for (size_t ci = 0; ci < n_chunks; ci++) {
            size_t c0 = ci * CHUNK, len = n - c0 < CHUNK ? n - c0 : CHUNK;
            size_t zpos = bus_pass_chunk(&bp, a, t, c0, len);
            if (zpos != SIZE_MAX) {
                note_zero(&z, zpos, len, c0);
                continue;
            }
            for (size_t j = 0; j < J; j++)
                for (int k = 0; k < 3; k++) {
                    gl_vec()->mul(bp.scratch, den(&bp, J, len, j, k), bp.m + j * len, len);
                    for (size_t i = 0; i < len; i++)
                        part[j].c[k] = gl_add(part[j].c[k], bp.scratch[i]);
                }
        }
#pragma omp critical(air_bus_tally_merge)
        for (size_t j = 0; j < J; j++) sum[j] = gl3_add(sum[j], part[j]);
        free(part);
        bus_pass_free(&bp);
    }
    if (z.row != SIZE_MAX) {
        free(sum);
        return zero_err(a, &z, err);
    }
    for (size_t j = 0; j < J; j++)
        tally_add(tally, a->inter[j].bus, a->inter[j].send ? sum[j] : gl3_neg(sum[j]));
    free(sum);
    return 0;
}

int air_bus_tally_check(const air_bus_tally *tally, uint32_t *bad_bus, zisk_err *err) {
    int found = 0;
    uint32_t worst = 0;
    for (size_t i = 0; i < tally->n; i++)
        if (!gl3_is_zero(tally->e[i].sum) && (!found || tally->e[i].bus < worst)) {
            found = 1;
            worst = tally->e[i].bus;
        }
    if (!found) return 0;
    if (bad_bus) *bad_bus = worst;
    return zisk_err_set(err, "bus %u does not balance: its sends and receives differ", worst);
}
