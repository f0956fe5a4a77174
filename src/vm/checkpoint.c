/*
 * checkpoint.c: recording a run as segments of 2^k steps, replaying one segment from its
 * checkpoint alone, and the checkpoint file format.
 *
 * File format (all integers little-endian u64 unless noted):
 *   "ZISKCKPT" | u32 version (1) | u32 log_segment_steps | n_segments
 *   end state: pc, x0..x31, reservation, step
 *   result: u32 stop, u32 message length m (< 256), steps, exit_code, pc, addr, m bytes
 *   per segment: start state (pc, x0..x31, reservation, step), n_steps, n_reads, n_reads words
 * Readers check every count against the bytes left, n_steps <= 2^log_segment_steps, x0 == 0,
 * and that segments follow each other (start.step of i+1 == start.step + n_steps of i).
 */
#include <stdlib.h>
#include <string.h>

#include "vm_internal.h"

#define CKPT_MAGIC "ZISKCKPT"
#define CKPT_VERSION 1u

static void state_of(const vm_core *c, vm_state *s) {
    s->pc = c->pc;
    s->regs[0] = 0;
    for (int i = 1; i < 32; i++) s->regs[i] = c->x[i];
    s->reservation = c->reservation;
    s->step = c->steps;
}

int vm_run_checkpointed(vm *m, unsigned log_segment_steps, uint64_t max_steps, vm_checkpoints *out,
                        zisk_err *err) {
    memset(out, 0, sizeof *out);
    if (log_segment_steps < 1 || log_segment_steps > 40)
        return zisk_err_set(err, "segment size 2^%u is out of range (2^1 .. 2^40)", log_segment_steps);
    vm_core *c = vm_core_of(m);
    uint64_t seg_steps = 1ull << log_segment_steps;
    uint64_t stop_at = (max_steps == UINT64_MAX || max_steps > UINT64_MAX - c->steps) ? UINT64_MAX
                                                                                     : c->steps + max_steps;
    size_t cap = 16;
    out->log_segment_steps = log_segment_steps;
    out->segments = zisk_xcalloc(cap, sizeof *out->segments);
    vm_result res;
    for (;;) {
        if (out->n_segments == cap) {
            cap *= 2;
            out->segments = zisk_xrealloc(out->segments, cap * sizeof *out->segments);
        }
        vm_checkpoint *cp = &out->segments[out->n_segments++];
        memset(cp, 0, sizeof *cp);
        state_of(c, &cp->start);
        c->log_len = 0;
        uint64_t until = cp->start.step + seg_steps;
        if (until > stop_at) until = stop_at;
        vm_interp_record(c, until, &res);
        cp->n_steps = c->steps - cp->start.step;
        cp->n_reads = c->log_len;
        cp->reads = zisk_xmalloc((c->log_len ? c->log_len : 1) * sizeof(uint64_t));
        if (c->log_len) memcpy(cp->reads, c->log, c->log_len * sizeof(uint64_t));
        if (res.stop != VM_STOP_STEP_LIMIT || c->steps >= stop_at) break;
    }
    c->log_len = 0;
    state_of(c, &out->end);
    out->result = res;
    return 0;
}

void vm_checkpoints_free(vm_checkpoints *c) {
    if (!c) return;
    for (size_t i = 0; i < c->n_segments; i++) free(c->segments[i].reads);
    free(c->segments);
    memset(c, 0, sizeof *c);
}

int vm_replay_segment(const vm_program *p, const vm_checkpoint *cp, vm_state *end, int *exited,
                      zisk_err *err) {
    vm_core c;
    vm_core_init(&c, p, NULL);
    c.console = NULL;
    c.pc = cp->start.pc;
    for (int i = 1; i < 32; i++) c.x[i] = cp->start.regs[i];
    c.reservation = cp->start.reservation;
    c.steps = cp->start.step;
    c.log = cp->reads;
    c.log_len = cp->n_reads;
    c.log_pos = 0;
    uint64_t until = cp->n_steps > UINT64_MAX - c.steps ? UINT64_MAX : c.steps + cp->n_steps;
    vm_result res;
    vm_interp_replay(&c, until, &res);
    *exited = 0;
    if (res.stop == VM_STOP_FAULT)
        return zisk_err_set(err, "replay of the segment starting at step %llu failed: %s",
                            (unsigned long long)cp->start.step, res.message);
    if (res.stop == VM_STOP_EXIT) {
        *exited = 1;
        if (c.steps != until)
            return zisk_err_set(err, "replay of the segment starting at step %llu exited after %llu of %llu steps",
                                (unsigned long long)cp->start.step,
                                (unsigned long long)(c.steps - cp->start.step), (unsigned long long)cp->n_steps);
    }
    if (c.log_pos != c.log_len)
        return zisk_err_set(err, "replay of the segment starting at step %llu left %llu of %llu logged reads unused",
                            (unsigned long long)cp->start.step, (unsigned long long)(c.log_len - c.log_pos),
                            (unsigned long long)c.log_len);
    state_of(&c, end);
    return 0;
}

/* ---- file I/O ---- */

typedef struct wbuf {
    uint8_t *p;
    size_t len, cap;
} wbuf;

static void put_bytes(wbuf *b, const void *src, size_t n) {
    if (b->len + n > b->cap) {
        while (b->len + n > b->cap) b->cap = b->cap ? b->cap * 2 : 4096;
        b->p = zisk_xrealloc(b->p, b->cap);
    }
    memcpy(b->p + b->len, src, n);
    b->len += n;
}
static void put_u32(wbuf *b, uint32_t v) {
    uint8_t t[4];
    for (int i = 0; i < 4; i++) t[i] = (uint8_t)(v >> (8 * i));
    put_bytes(b, t, 4);
}
static void put_u64(wbuf *b, uint64_t v) {
    uint8_t t[8];
    for (int i = 0; i < 8; i++) t[i] = (uint8_t)(v >> (8 * i));
    put_bytes(b, t, 8);
}
static void put_state(wbuf *b, const vm_state *s) {
    put_u64(b, s->pc);
    for (int i = 0; i < 32; i++) put_u64(b, s->regs[i]);
    put_u64(b, s->reservation);
    put_u64(b, s->step);
}

int vm_checkpoints_write(const vm_checkpoints *c, const char *path, zisk_err *err) {
    wbuf b = {0};
    put_bytes(&b, CKPT_MAGIC, 8);
    put_u32(&b, CKPT_VERSION);
    put_u32(&b, c->log_segment_steps);
    put_u64(&b, c->n_segments);
    put_state(&b, &c->end);
    size_t mlen = strnlen(c->result.message, sizeof c->result.message - 1);
    put_u32(&b, (uint32_t)c->result.stop);
    put_u32(&b, (uint32_t)mlen);
    put_u64(&b, c->result.steps);
    put_u64(&b, c->result.exit_code);
    put_u64(&b, c->result.pc);
    put_u64(&b, c->result.addr);
    put_bytes(&b, c->result.message, mlen);
    for (size_t i = 0; i < c->n_segments; i++) {
        const vm_checkpoint *cp = &c->segments[i];
        put_state(&b, &cp->start);
        put_u64(&b, cp->n_steps);
        put_u64(&b, cp->n_reads);
        for (uint64_t r = 0; r < cp->n_reads; r++) put_u64(&b, cp->reads[r]);
    }
    int rc = zisk_write_file(path, b.p, b.len, err);
    free(b.p);
    return rc;
}

typedef struct rbuf {
    const uint8_t *p;
    size_t len, pos;
} rbuf;

static int get_u32(rbuf *r, uint32_t *v) {
    if (r->len - r->pos < 4) return -1;
    *v = 0;
    for (int i = 0; i < 4; i++) *v |= (uint32_t)r->p[r->pos + i] << (8 * i);
    r->pos += 4;
    return 0;
}
static int get_u64(rbuf *r, uint64_t *v) {
    if (r->len - r->pos < 8) return -1;
    *v = 0;
    for (int i = 0; i < 8; i++) *v |= (uint64_t)r->p[r->pos + i] << (8 * i);
    r->pos += 8;
    return 0;
}
static int get_state(rbuf *r, vm_state *s) {
    if (get_u64(r, &s->pc)) return -1;
    for (int i = 0; i < 32; i++)
        if (get_u64(r, &s->regs[i])) return -1;
    if (get_u64(r, &s->reservation) || get_u64(r, &s->step)) return -1;
    return s->regs[0] == 0 ? 0 : -1;
}

#define STATE_BYTES (35 * 8)

int vm_checkpoints_read(const char *path, vm_checkpoints *out, zisk_err *err) {
    memset(out, 0, sizeof *out);
    uint8_t *data;
    size_t len;
    if (zisk_read_file(path, (size_t)1 << 40, &data, &len, err) != 0) return -1;
    rbuf r = {data, len, 0};
    uint32_t version, k, stop, mlen;
    uint64_t nseg;
    const char *why = NULL;
    if (len < 8 || memcmp(data, CKPT_MAGIC, 8) != 0) { why = "not a checkpoint file (bad magic)"; goto bad; }
    r.pos = 8;
    if (get_u32(&r, &version) || get_u32(&r, &k) || get_u64(&r, &nseg)) { why = "truncated header"; goto bad; }
    if (version != CKPT_VERSION) { why = "unsupported version"; goto bad; }
    if (k < 1 || k > 40) { why = "segment size out of range"; goto bad; }
    if (nseg == 0 || nseg > (len - r.pos) / (STATE_BYTES + 16)) { why = "segment count does not fit the file"; goto bad; }
    out->log_segment_steps = k;
    if (get_state(&r, &out->end)) { why = "bad end state"; goto bad; }
    if (get_u32(&r, &stop) || get_u32(&r, &mlen) || get_u64(&r, &out->result.steps) ||
        get_u64(&r, &out->result.exit_code) || get_u64(&r, &out->result.pc) || get_u64(&r, &out->result.addr)) {
        why = "truncated result";
        goto bad;
    }
    if (stop > VM_STOP_STEP_LIMIT || mlen >= sizeof out->result.message || len - r.pos < mlen) {
        why = "bad result record";
        goto bad;
    }
    out->result.stop = (vm_stop)stop;
    memcpy(out->result.message, data + r.pos, mlen);
    out->result.message[mlen] = 0;
    r.pos += mlen;
    out->segments = zisk_xcalloc((size_t)nseg, sizeof *out->segments);
    for (uint64_t i = 0; i < nseg; i++) {
        vm_checkpoint *cp = &out->segments[i];
        out->n_segments = (size_t)i + 1;
        if (get_state(&r, &cp->start) || get_u64(&r, &cp->n_steps) || get_u64(&r, &cp->n_reads)) {
            why = "truncated or malformed segment header";
            goto bad;
        }
        if (cp->n_steps > (1ull << k)) { why = "segment longer than the segment size"; goto bad; }
        if (i > 0) {
            const vm_checkpoint *prev = &out->segments[i - 1];
            if (prev->start.step + prev->n_steps != cp->start.step) { why = "segments are not contiguous"; goto bad; }
        }
        if (cp->n_reads > (len - r.pos) / 8) { why = "read log runs past the end of the file"; goto bad; }
        cp->reads = zisk_xmalloc((size_t)(cp->n_reads ? cp->n_reads : 1) * 8);
        for (uint64_t j = 0; j < cp->n_reads; j++) get_u64(&r, &cp->reads[j]);
    }
    if (r.pos != len) { why = "trailing bytes after the last segment"; goto bad; }
    free(data);
    return 0;
bad:
    zisk_err_set(err, "checkpoint file '%s': %s (at byte %zu)", path, why, r.pos);
    free(data);
    vm_checkpoints_free(out);
    return -1;
}
