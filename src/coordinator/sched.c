/*
 * sched.c: the worker pool, the job queue and their state machine (see sched.h for the rules).
 *
 * Data: workers in an array of pointers (arrival order; a few hundred at most, scanned
 * linearly); jobs in a chained hash index by id; the queue as an array of job pointers kept
 * sorted by (priority desc, seq asc) so that dispatch is one walk; finished jobs in arrival
 * order of their end, trimmed to retain_finished.
 */
#include "sched.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HASH_BUCKETS 4096

struct sched {
    sched_config cfg;
    sched_ops ops;
    void *ctx;
    bool paused;
    sched_worker **workers;
    size_t n_workers, cap_workers;
    sched_program *programs;
    size_t n_programs, cap_programs;
    const char **setup_ids; /* scratch for sched_setup_program_ids */
    sched_job *buckets[HASH_BUCKETS];
    sched_job **queue;
    size_t n_queue, cap_queue;
    sched_job **finished;
    size_t n_finished, cap_finished;
    size_t n_running;
    uint64_t next_seq;
};

static void grow(void **arr, size_t *cap, size_t need, size_t elem) {
    if (need <= *cap) return;
    size_t c = *cap ? *cap * 2 : 16;
    while (c < need) c *= 2;
    *arr = zisk_xrealloc(*arr, c * elem);
    *cap = c;
}

static void copy_str(char *dst, size_t n, const char *src) { snprintf(dst, n, "%s", src ? src : ""); }

/* ---- id sets ---- */

bool sched_idset_has(const sched_idset *s, const char *id) {
    for (size_t i = 0; i < s->n; i++)
        if (!strcmp(s->ids[i], id)) return true;
    return false;
}

void sched_idset_add(sched_idset *s, const char *id) {
    if (sched_idset_has(s, id)) return;
    grow((void **)&s->ids, &s->cap, s->n + 1, sizeof s->ids[0]);
    copy_str(s->ids[s->n++], sizeof s->ids[0], id);
}

void sched_idset_del(sched_idset *s, const char *id) {
    for (size_t i = 0; i < s->n; i++)
        if (!strcmp(s->ids[i], id)) {
            memmove(&s->ids[i], &s->ids[i + 1], (s->n - i - 1) * sizeof s->ids[0]);
            s->n--;
            return;
        }
}

void sched_idset_free(sched_idset *s) {
    free(s->ids);
    memset(s, 0, sizeof *s);
}

/* ---- names ---- */

const char *sched_worker_state_name(sched_worker_state st) {
    static const char *const names[] = {"connecting", "setting_up", "ready", "busy", "error", "offline"};
    return (unsigned)st < SCHED_W_N_STATES ? names[st] : "?";
}

const char *sched_job_state_name(sched_job_state st) {
    switch (st) {
    case SCHED_QUEUED: return "queued";
    case SCHED_RUNNING: return "running";
    case SCHED_COMPLETED: return "completed";
    case SCHED_FAILED: return "failed";
    case SCHED_CANCELLED: return "cancelled";
    }
    return "?";
}

const char *sched_kind_name(sched_kind k) {
    return k == SCHED_KIND_SETUP ? "setup" : k == SCHED_KIND_EXECUTE ? "execute" : "?";
}

sched_worker_state sched_worker_state_of(const sched_worker *w) {
    if (!w->conn) return SCHED_W_OFFLINE;
    if (!w->started) return SCHED_W_CONNECTING;
    if (w->job || w->cancelling[0]) return SCHED_W_BUSY;
    if (w->error) return SCHED_W_ERROR;
    if (w->pending.n) return SCHED_W_SETTING_UP;
    return SCHED_W_READY;
}

/* ---- jobs: allocation, index, queue ---- */

sched_job *sched_job_alloc(void) { return zisk_xcalloc(1, sizeof(sched_job)); }

static void free_strv(char **v, size_t n) {
    for (size_t i = 0; i < n; i++) free(v[i]);
    free(v);
}

void sched_job_free(sched_job *j) {
    if (!j) return;
    free(j->input);
    free(j->input_path);
    free_strv(j->workers, j->n_workers);
    free_strv(j->setup_targets, j->n_setup_targets);
    free(j);
}

void sched_job_add_worker(sched_job *j, const char *worker_id) {
    j->workers = zisk_xrealloc(j->workers, (j->n_workers + 1) * sizeof *j->workers);
    j->workers[j->n_workers++] = zisk_xstrdup(worker_id);
}

static unsigned hash_id(const char *id) {
    unsigned h = 2166136261u;
    for (; *id; id++) h = (h ^ (unsigned char)*id) * 16777619u;
    return h % HASH_BUCKETS;
}

sched_job *sched_job_find(sched *s, const char *id) {
    for (sched_job *j = s->buckets[hash_id(id)]; j; j = j->hash_next)
        if (!strcmp(j->id, id)) return j;
    return NULL;
}

static void index_add(sched *s, sched_job *j) {
    unsigned h = hash_id(j->id);
    j->hash_next = s->buckets[h];
    s->buckets[h] = j;
}

static void index_del(sched *s, sched_job *j) {
    for (sched_job **p = &s->buckets[hash_id(j->id)]; *p; p = &(*p)->hash_next)
        if (*p == j) {
            *p = j->hash_next;
            return;
        }
}

static bool queue_before(const sched_job *a, const sched_job *b) {
    return a->priority != b->priority ? a->priority > b->priority : a->seq < b->seq;
}

static void queue_push(sched *s, sched_job *j, double now) {
    ZISK_ASSERT(!j->in_queue);
    grow((void **)&s->queue, &s->cap_queue, s->n_queue + 1, sizeof *s->queue);
    size_t lo = 0, hi = s->n_queue;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (queue_before(s->queue[mid], j)) lo = mid + 1;
        else hi = mid;
    }
    memmove(&s->queue[lo + 1], &s->queue[lo], (s->n_queue - lo) * sizeof *s->queue);
    s->queue[lo] = j;
    s->n_queue++;
    j->in_queue = true;
    j->waiting_since = now;
    j->no_capacity_since = 0;
}

static void queue_del(sched *s, sched_job *j) {
    if (!j->in_queue) return;
    for (size_t i = 0; i < s->n_queue; i++)
        if (s->queue[i] == j) {
            memmove(&s->queue[i], &s->queue[i + 1], (s->n_queue - i - 1) * sizeof *s->queue);
            s->n_queue--;
            break;
        }
    j->in_queue = false;
}

static void emit(sched *s, sched_job *j, sched_event ev, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void emit(sched *s, sched_job *j, sched_event ev, const char *fmt, ...) {
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (s->ops.job_event) s->ops.job_event(s->ctx, j, ev, msg);
}

static void outcome(sched *s, const char *worker_id, const char *what) {
    if (s->ops.task_outcome) s->ops.task_outcome(s->ctx, worker_id, what);
}

static void remember_finished(sched *s, sched_job *j) {
    grow((void **)&s->finished, &s->cap_finished, s->n_finished + 1, sizeof *s->finished);
    s->finished[s->n_finished++] = j;
    while (s->n_finished > s->cfg.retain_finished && s->n_finished > 0) {
        sched_job *old = s->finished[0];
        memmove(&s->finished[0], &s->finished[1], (s->n_finished - 1) * sizeof *s->finished);
        s->n_finished--;
        index_del(s, old);
        if (s->ops.job_evicted) s->ops.job_evicted(s->ctx, old);
        sched_job_free(old);
    }
}

/* Moves a job to a terminal state; the caller has detached it from its worker. */
static void finish(sched *s, sched_job *j, sched_job_state st, sched_error code, int64_t unix_ms, const char *fmt,
                   ...) __attribute__((format(printf, 6, 7)));
static void finish(sched *s, sched_job *j, sched_job_state st, sched_error code, int64_t unix_ms, const char *fmt,
                   ...) {
    ZISK_ASSERT(j->state == SCHED_QUEUED || j->state == SCHED_RUNNING);
    queue_del(s, j);
    if (j->state == SCHED_RUNNING) s->n_running--;
    j->state = st;
    j->error_code = code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(j->message, sizeof j->message, fmt, ap);
    va_end(ap);
    j->finished_unix_ms = unix_ms ? unix_ms : s->ops.wall_ms(s->ctx);
    free(j->input); /* the input is no longer needed in memory (the store keeps it) */
    j->input = NULL;
    sched_event ev = st == SCHED_COMPLETED ? SCHED_EV_COMPLETED : st == SCHED_FAILED ? SCHED_EV_FAILED : SCHED_EV_CANCELLED;
    emit(s, j, ev, "%s", j->message);
    remember_finished(s, j);
}

static void set_running(sched *s, sched_job *j, int64_t unix_ms, double now) {
    if (j->state != SCHED_RUNNING) {
        j->state = SCHED_RUNNING;
        s->n_running++;
    }
    if (!j->started_unix_ms) j->started_unix_ms = unix_ms ? unix_ms : s->ops.wall_ms(s->ctx);
    j->attempt_started_at = now;
}

/* ---- programs ---- */

void sched_program_add(sched *s, const char *id, bool set_up) {
    for (size_t i = 0; i < s->n_programs; i++)
        if (!strcmp(s->programs[i].id, id)) {
            if (set_up) s->programs[i].set_up = true;
            return;
        }
    grow((void **)&s->programs, &s->cap_programs, s->n_programs + 1, sizeof *s->programs);
    sched_program *p = &s->programs[s->n_programs++];
    memset(p, 0, sizeof *p);
    copy_str(p->id, sizeof p->id, id);
    p->set_up = set_up;
}

const sched_program *sched_program_find(const sched *s, const char *id) {
    for (size_t i = 0; i < s->n_programs; i++)
        if (!strcmp(s->programs[i].id, id)) return &s->programs[i];
    return NULL;
}

size_t sched_program_count(const sched *s) { return s->n_programs; }

const char *const *sched_setup_program_ids(sched *s, size_t *n) {
    s->setup_ids = zisk_xrealloc(s->setup_ids, (s->n_programs + 1) * sizeof *s->setup_ids);
    size_t k = 0;
    for (size_t i = 0; i < s->n_programs; i++)
        if (s->programs[i].set_up) s->setup_ids[k++] = s->programs[i].id;
    *n = k;
    return s->setup_ids;
}

/* ---- lifecycle ---- */

sched *sched_new(const sched_config *cfg, const sched_ops *ops, void *ctx) {
    sched *s = zisk_xcalloc(1, sizeof *s);
    s->cfg = *cfg;
    if (!s->cfg.retain_finished) s->cfg.retain_finished = 1000;
    if (!s->cfg.max_attempts) s->cfg.max_attempts = 5;
    if (!s->cfg.offline_retention) s->cfg.offline_retention = 3600;
    s->ops = *ops;
    s->ctx = ctx;
    return s;
}

static void worker_free(sched_worker *w) {
    sched_idset_free(&w->programs);
    sched_idset_free(&w->pending);
    free(w);
}

void sched_free(sched *s) {
    if (!s) return;
    for (size_t i = 0; i < s->n_workers; i++) worker_free(s->workers[i]);
    free(s->workers);
    for (size_t b = 0; b < HASH_BUCKETS; b++)
        for (sched_job *j = s->buckets[b], *next; j; j = next) {
            next = j->hash_next;
            if (s->ops.job_evicted) s->ops.job_evicted(s->ctx, j);
            sched_job_free(j);
        }
    free(s->programs);
    free(s->setup_ids);
    free(s->queue);
    free(s->finished);
    free(s);
}

void sched_set_paused(sched *s, bool paused) { s->paused = paused; }

sched_worker *const *sched_workers(const sched *s, size_t *n) {
    *n = s->n_workers;
    return s->workers;
}

void sched_job_counts(const sched *s, size_t *queued, size_t *running) {
    size_t q = 0;
    for (size_t i = 0; i < s->n_queue; i++)
        if (s->queue[i]->state == SCHED_QUEUED) q++;
    *queued = q;
    *running = s->n_running;
}

/* ---- dispatch ---- */

static bool is_live(const sched_worker *w) { return w->conn && w->started; }

/* Can w ever run j's program (now or once free)? */
static bool capable(const sched_worker *w, const sched_job *j) {
    return is_live(w) && !w->error &&
           (sched_idset_has(&w->programs, j->program_id) || sched_idset_has(&w->pending, j->program_id));
}

static void assign(sched *s, sched_job *j, sched_worker *w, double now, int64_t unix_ms) {
    queue_del(s, j);
    bool first = j->state == SCHED_QUEUED && j->attempts == 0;
    set_running(s, j, unix_ms, now);
    j->attempts++;
    snprintf(j->task_id, sizeof j->task_id, "%s-%u", j->id, j->attempts);
    j->assigned = w;
    snprintf(j->phase, sizeof j->phase, "execute");
    if (!j->n_workers || strcmp(j->workers[j->n_workers - 1], w->id)) sched_job_add_worker(j, w->id);
    w->job = j;
    s->ops.send_task(s->ctx, w, j);
    if (first)
        emit(s, j, SCHED_EV_STARTED, "running on worker %s", w->id);
    else
        emit(s, j, SCHED_EV_PROGRESS, "attempt %u on worker %s%s%s", j->attempts, w->id,
             j->lost_reason[0] ? " after: " : "", j->lost_reason);
}

/* Setup: sends the program to every live worker lacking it; completes when nobody is left. */
static void setup_check_done(sched *s, sched_job *j, int64_t unix_ms);

static void setup_start(sched *s, sched_job *j, double now, int64_t unix_ms) {
    queue_del(s, j);
    set_running(s, j, unix_ms, now);
    j->attempts = 1;
    snprintf(j->phase, sizeof j->phase, "setup");
    sched_program_add(s, j->program_id, true);
    if (s->ops.program_set_up) s->ops.program_set_up(s->ctx, j->program_id);
    for (size_t i = 0; i < s->n_workers; i++) {
        sched_worker *w = s->workers[i];
        if (!is_live(w)) continue;
        sched_job_add_worker(j, w->id);
        if (sched_idset_has(&w->programs, j->program_id)) {
            j->setup_ok++;
            continue;
        }
        j->setup_targets = zisk_xrealloc(j->setup_targets, (j->n_setup_targets + 1) * sizeof *j->setup_targets);
        j->setup_targets[j->n_setup_targets++] = zisk_xstrdup(w->id);
        if (!sched_idset_has(&w->pending, j->program_id)) {
            sched_idset_add(&w->pending, j->program_id);
            s->ops.send_setup(s->ctx, w, j->program_id);
        }
    }
    emit(s, j, SCHED_EV_STARTED, "setting up program on %zu worker(s)", j->n_workers);
    setup_check_done(s, j, unix_ms);
}

static void setup_target_done(sched_job *j, const char *worker_id) {
    for (size_t i = 0; i < j->n_setup_targets; i++)
        if (!strcmp(j->setup_targets[i], worker_id)) {
            free(j->setup_targets[i]);
            j->setup_targets[i] = j->setup_targets[--j->n_setup_targets];
            return;
        }
}

static void setup_check_done(sched *s, sched_job *j, int64_t unix_ms) {
    if (j->state != SCHED_RUNNING || j->n_setup_targets) return;
    if (j->setup_ok)
        finish(s, j, SCHED_COMPLETED, SCHED_E_NONE, unix_ms, "program set up on %u worker(s)%s%s", j->setup_ok,
               j->setup_failures[0] ? "; failed on: " : "", j->setup_failures);
    else
        finish(s, j, SCHED_FAILED, SCHED_E_INTERNAL, unix_ms, "the program could not be set up on any worker%s%s",
               j->setup_failures[0] ? ": " : "", j->setup_failures);
}

static bool any_live(const sched *s) {
    for (size_t i = 0; i < s->n_workers; i++)
        if (is_live(s->workers[i])) return true;
    return false;
}

static void dispatch(sched *s, double now, int64_t unix_ms) {
    if (s->paused) return;
    for (size_t qi = 0; qi < s->n_queue;) {
        sched_job *j = s->queue[qi];
        if (!j->input_ready) {
            qi++;
            continue;
        }
        if (j->kind == SCHED_KIND_SETUP) {
            if (any_live(s)) {
                setup_start(s, j, now, unix_ms); /* removes j from the queue */
                continue;
            }
            qi++;
            continue;
        }
        sched_worker *best = NULL;
        for (size_t i = 0; i < s->n_workers; i++) {
            sched_worker *w = s->workers[i];
            if (sched_worker_state_of(w) != SCHED_W_READY || !sched_idset_has(&w->programs, j->program_id))
                continue;
            /* After a retryable error, the same worker gets the job again only after a pause. */
            if (j->avoid_worker[0] && now < j->avoid_until && !strcmp(w->id, j->avoid_worker)) continue;
            if (!best || w->idle_since < best->idle_since) best = w;
        }
        if (best) {
            assign(s, j, best, now, unix_ms); /* removes j from the queue */
            continue;
        }
        qi++;
    }
}

/* ---- workers ---- */

static sched_worker *worker_find(const sched *s, const char *id) {
    for (size_t i = 0; i < s->n_workers; i++)
        if (!strcmp(s->workers[i]->id, id)) return s->workers[i];
    return NULL;
}

sched_worker *sched_worker_for(sched *s, const char *worker_id, void *conn) {
    sched_worker *w = worker_find(s, worker_id);
    return w && w->conn == conn ? w : NULL;
}

void sched_worker_heard(sched *s, sched_worker *w, double now, int64_t unix_ms) {
    (void)s;
    w->last_heard = now;
    w->last_heartbeat_unix_ms = unix_ms;
}

/* Puts a job whose worker is gone back in the queue (or ends it, when it was cancelled). */
static void requeue(sched *s, sched_job *j, double now, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void requeue(sched *s, sched_job *j, double now, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(j->lost_reason, sizeof j->lost_reason, fmt, ap);
    va_end(ap);
    j->assigned = NULL;
    snprintf(j->phase, sizeof j->phase, "waiting");
    queue_push(s, j, now);
    emit(s, j, SCHED_EV_PROGRESS, "%s; waiting for another worker", j->lost_reason);
}

/* Detaches w from its stream: offline; its task goes back to the queue; set-ups pending on it
 * are no longer awaited. */
static void worker_detach(sched *s, sched_worker *w, const char *why, double now, bool keep_job) {
    w->conn = NULL;
    w->started = false;
    w->offline_since = now;
    w->cancelling[0] = 0;
    /* Set-up jobs waiting for this worker's ack stop waiting. */
    for (size_t b = 0; b < HASH_BUCKETS; b++)
        for (sched_job *j = s->buckets[b]; j; j = j->hash_next)
            if (j->kind == SCHED_KIND_SETUP && j->state == SCHED_RUNNING && j->n_setup_targets) {
                size_t before = j->n_setup_targets;
                setup_target_done(j, w->id);
                if (j->n_setup_targets != before) {
                    size_t len = strlen(j->setup_failures);
                    snprintf(j->setup_failures + len, sizeof j->setup_failures - len, "%s%s (%s)", len ? "; " : "",
                             w->id, why);
                }
            }
    sched_idset_free(&w->pending);
    if (w->job && !keep_job) {
        sched_job *j = w->job;
        w->job = NULL;
        outcome(s, w->id, "lost");
        requeue(s, j, now, "worker %s was lost (%s) during attempt %u", w->id, why, j->attempts);
    }
}

static void check_setup_jobs(sched *s, int64_t unix_ms) {
    for (size_t b = 0; b < HASH_BUCKETS; b++)
        for (sched_job *j = s->buckets[b], *next; j; j = next) {
            next = j->hash_next;
            if (j->kind == SCHED_KIND_SETUP && j->state == SCHED_RUNNING) setup_check_done(s, j, unix_ms);
        }
}

static int check_id(const char *id, char *why, size_t n) {
    size_t len = id ? strlen(id) : 0;
    if (len == 0 || len > SCHED_ID_MAX) {
        snprintf(why, n, "the worker id must be 1 to %d characters (got %zu)", SCHED_ID_MAX, len);
        return -1;
    }
    for (const char *p = id; *p; p++)
        if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f) {
            snprintf(why, n, "the worker id must be printable ASCII without spaces");
            return -1;
        }
    return 0;
}

sched_worker *sched_worker_hello(sched *s, const sched_hello *h, void *conn, double now,
                                 sched_hello_reply *reply) {
    memset(reply, 0, sizeof *reply);
    if (check_id(h->worker_id, reply->message, sizeof reply->message) != 0) return NULL;
    if (h->compute_units == 0) {
        snprintf(reply->message, sizeof reply->message, "worker %s advertises 0 compute units; at least 1 is needed",
                 h->worker_id);
        return NULL;
    }
    sched_worker *w = worker_find(s, h->worker_id);
    bool keep_job = false;
    if (w && w->conn) {
        double silent = now - w->last_heard;
        if (silent < s->cfg.heartbeat_timeout) {
            snprintf(reply->message, sizeof reply->message,
                     "worker id '%s' is already connected (from %s, last heard %.1f s ago); every worker needs a "
                     "distinct id (--worker-id)",
                     h->worker_id, w->peer[0] ? w->peer : "?", silent);
            return NULL;
        }
        /* The old stream is silent: this hello takes the id over. */
        void *old = w->conn;
        keep_job = w->job && h->reconnect && h->last_job_id && !strcmp(h->last_job_id, w->job->id);
        worker_detach(s, w, "replaced by a new connection", now, keep_job);
        s->ops.drop_conn(s->ctx, old, "the worker reconnected on a new stream");
    }
    if (!w) {
        w = zisk_xcalloc(1, sizeof *w);
        copy_str(w->id, sizeof w->id, h->worker_id);
        grow((void **)&s->workers, &s->cap_workers, s->n_workers + 1, sizeof *s->workers);
        s->workers[s->n_workers++] = w;
    }
    w->conn = conn;
    w->started = false;
    w->error = false;
    w->error_msg[0] = 0;
    w->compute_units = h->compute_units;
    copy_str(w->version, sizeof w->version, h->version);
    copy_str(w->backend, sizeof w->backend, h->backend);
    copy_str(w->environment, sizeof w->environment, h->environment);
    copy_str(w->peer, sizeof w->peer, h->peer);
    w->last_heard = now;
    w->idle_since = now;
    w->connected_unix_ms = w->last_heartbeat_unix_ms = h->unix_ms;
    w->cancelling[0] = 0;
    /* The worker's own list is the truth about what it holds (it may have restarted). */
    sched_idset_free(&w->programs);
    for (size_t i = 0; i < h->n_programs; i++)
        if (sched_program_find(s, h->programs[i])) sched_idset_add(&w->programs, h->programs[i]);

    reply->directive = SCHED_DIR_NONE;
    const char *claim = h->reconnect && h->last_job_id ? h->last_job_id : "";
    if (claim[0]) {
        sched_job *j = sched_job_find(s, claim);
        if (keep_job || (w->job && w->job == j)) {
            reply->directive = SCHED_DIR_KEEP;
        } else if (j && j->in_queue && j->kind == SCHED_KIND_EXECUTE && j->state != SCHED_QUEUED &&
                   sched_idset_has(&w->programs, j->program_id)) {
            /* The job lost this very worker and still waits: give it back, nothing is lost. */
            queue_del(s, j);
            j->assigned = w;
            w->job = j;
            copy_str(j->task_id, sizeof j->task_id, h->last_task_id && h->last_task_id[0] ? h->last_task_id : j->task_id);
            set_running(s, j, h->unix_ms, now);
            snprintf(j->phase, sizeof j->phase, "execute");
            if (!j->n_workers || strcmp(j->workers[j->n_workers - 1], w->id)) sched_job_add_worker(j, w->id);
            reply->directive = SCHED_DIR_KEEP;
            emit(s, j, SCHED_EV_PROGRESS, "worker %s reconnected and kept computing", w->id);
        } else if (j && j->in_queue && j->kind == SCHED_KIND_EXECUTE && j->state == SCHED_QUEUED &&
                   j->attempts > 0 && sched_idset_has(&w->programs, j->program_id)) {
            /* Restored after a coordinator restart (back to queued): same as above. */
            queue_del(s, j);
            j->assigned = w;
            w->job = j;
            copy_str(j->task_id, sizeof j->task_id, h->last_task_id && h->last_task_id[0] ? h->last_task_id : j->task_id);
            set_running(s, j, h->unix_ms, now);
            snprintf(j->phase, sizeof j->phase, "execute");
            if (!j->n_workers || strcmp(j->workers[j->n_workers - 1], w->id)) sched_job_add_worker(j, w->id);
            reply->directive = SCHED_DIR_KEEP;
            emit(s, j, SCHED_EV_PROGRESS, "worker %s reconnected and kept computing", w->id);
        } else {
            reply->directive = SCHED_DIR_CANCEL_STALE;
            if (w->job) { /* it claims another job than the one we think it runs */
                sched_job *mine = w->job;
                w->job = NULL;
                requeue(s, mine, now, "worker %s reconnected without it", w->id);
            }
        }
    } else if (w->job) {
        sched_job *mine = w->job;
        w->job = NULL;
        requeue(s, mine, now, "worker %s restarted", w->id);
    }
    return w;
}

void sched_worker_start(sched *s, sched_worker *w, double now) {
    w->started = true;
    for (size_t i = 0; i < s->n_programs; i++) {
        const sched_program *p = &s->programs[i];
        if (!p->set_up || sched_idset_has(&w->programs, p->id) || sched_idset_has(&w->pending, p->id)) continue;
        sched_idset_add(&w->pending, p->id);
        s->ops.send_setup(s->ctx, w, p->id);
    }
    (void)now;
}

void sched_worker_gone(sched *s, const char *worker_id, void *conn, const char *why, double now) {
    sched_worker *w = sched_worker_for(s, worker_id, conn);
    if (!w) return;
    worker_detach(s, w, why, now, false);
    check_setup_jobs(s, 0);
}

static bool task_matches(const sched_worker *w, const char *job_id, const char *task_id) {
    return w->job && !strcmp(w->job->id, job_id) && (!task_id || !task_id[0] || !strcmp(w->job->task_id, task_id));
}

/* The worker finished what it was told to cancel: it is free again. */
static bool settle_cancelled(sched_worker *w, const char *job_id, double now) {
    if (w->cancelling[0] && !strcmp(w->cancelling, job_id)) {
        w->cancelling[0] = 0;
        w->idle_since = now;
        return true;
    }
    return false;
}

void sched_task_result(sched *s, sched_worker *w, const char *job_id, const char *task_id,
                       const sched_exec_result *r, double now) {
    if (settle_cancelled(w, job_id, now)) return;
    if (!task_matches(w, job_id, task_id)) return; /* stale: another attempt owns the job */
    sched_job *j = w->job;
    w->job = NULL;
    w->idle_since = now;
    w->tasks_ok++;
    j->assigned = NULL;
    j->has_result = true;
    j->result = *r;
    outcome(s, w->id, "completed");
    finish(s, j, SCHED_COMPLETED, SCHED_E_NONE, 0, "%s", "");
}

void sched_task_error(sched *s, sched_worker *w, const char *job_id, const char *task_id, const char *message,
                      bool retryable, double now) {
    if (settle_cancelled(w, job_id, now)) return;
    if (!task_matches(w, job_id, task_id)) return;
    sched_job *j = w->job;
    w->job = NULL;
    w->idle_since = now;
    w->tasks_failed++;
    j->assigned = NULL;
    if (!retryable) {
        outcome(s, w->id, "failed");
        finish(s, j, SCHED_FAILED, SCHED_E_INTERNAL, 0, "worker %s: %s", w->id, message);
        return;
    }
    outcome(s, w->id, "retried");
    j->retry_errors++;
    if (j->retry_errors >= s->cfg.max_attempts) {
        finish(s, j, SCHED_FAILED, SCHED_E_INTERNAL, 0, "gave up after %u retryable errors; the last, from worker %s: %s",
               j->retry_errors, w->id, message);
        return;
    }
    copy_str(j->avoid_worker, sizeof j->avoid_worker, w->id);
    j->avoid_until = now + 2.0;
    requeue(s, j, now, "worker %s reported a retryable error: %s", w->id, message);
}

void sched_cancel_ack(sched *s, sched_worker *w, const char *job_id, double now) {
    (void)s;
    settle_cancelled(w, job_id, now);
}

void sched_setup_ack(sched *s, sched_worker *w, const char *program_id, bool ok, const char *message, double now) {
    if (!sched_idset_has(&w->pending, program_id)) return;
    sched_idset_del(&w->pending, program_id);
    if (ok) {
        sched_idset_add(&w->programs, program_id);
    } else {
        w->error = true;
        snprintf(w->error_msg, sizeof w->error_msg, "setup of program %.16s failed: %s", program_id,
                 message && *message ? message : "no reason given");
    }
    w->idle_since = now;
    for (size_t b = 0; b < HASH_BUCKETS; b++)
        for (sched_job *j = s->buckets[b], *next; j; j = next) {
            next = j->hash_next;
            if (j->kind != SCHED_KIND_SETUP || j->state != SCHED_RUNNING || strcmp(j->program_id, program_id)) continue;
            size_t before = j->n_setup_targets;
            setup_target_done(j, w->id);
            if (before == j->n_setup_targets) continue;
            if (ok) {
                j->setup_ok++;
            } else {
                size_t len = strlen(j->setup_failures);
                snprintf(j->setup_failures + len, sizeof j->setup_failures - len, "%s%s (%s)", len ? "; " : "", w->id,
                         message && *message ? message : "no reason given");
            }
            setup_check_done(s, j, 0);
        }
}

/* ---- jobs ---- */

sched_job *sched_submit(sched *s, const char *id, const sched_job_request *req, double now, int64_t unix_ms,
                        sched_error *code, char *msg, size_t msg_len) {
    *code = SCHED_E_NONE;
    if (req->kind != SCHED_KIND_SETUP && req->kind != SCHED_KIND_EXECUTE) {
        *code = SCHED_E_INVALID_ARGUMENT;
        snprintf(msg, msg_len, "unknown job kind %d", (int)req->kind);
        return NULL;
    }
    const sched_program *p = req->program_id ? sched_program_find(s, req->program_id) : NULL;
    if (!p) {
        *code = SCHED_E_PROGRAM_NOT_FOUND;
        snprintf(msg, msg_len, "program '%.80s' is not registered (RegisterProgram first)",
                 req->program_id ? req->program_id : "");
        return NULL;
    }
    if (req->kind == SCHED_KIND_EXECUTE && !p->set_up) {
        bool pending_setup = false;
        for (size_t i = 0; i < s->n_queue; i++)
            if (s->queue[i]->kind == SCHED_KIND_SETUP && !strcmp(s->queue[i]->program_id, p->id)) pending_setup = true;
        if (!pending_setup) {
            *code = SCHED_E_PROGRAM_NOT_SET_UP;
            snprintf(msg, msg_len, "program %s is not set up: submit a setup job for it first", p->id);
            return NULL;
        }
    }
    if (s->n_queue >= s->cfg.max_queued) {
        *code = SCHED_E_QUEUE_FULL;
        snprintf(msg, msg_len, "the job queue is full (%zu jobs waiting; jobs.max_queued); retry later", s->n_queue);
        return NULL;
    }
    if (req->kind == SCHED_KIND_EXECUTE && req->input_kind == SCHED_IN_PATH &&
        (!req->input_path || !req->input_path[0])) {
        *code = SCHED_E_INVALID_ARGUMENT;
        snprintf(msg, msg_len, "the input path is empty");
        return NULL;
    }
    sched_job *j = sched_job_alloc();
    copy_str(j->id, sizeof j->id, id);
    j->seq = ++s->next_seq;
    j->kind = req->kind;
    j->state = SCHED_QUEUED;
    copy_str(j->program_id, sizeof j->program_id, p->id);
    j->priority = req->priority;
    j->timeout_seconds = req->timeout_seconds ? req->timeout_seconds
                         : req->kind == SCHED_KIND_SETUP ? s->cfg.setup_timeout
                                                         : s->cfg.execute_timeout;
    j->max_steps = req->max_steps;
    j->input_kind = req->kind == SCHED_KIND_EXECUTE ? req->input_kind : SCHED_IN_NONE;
    if (j->input_kind == SCHED_IN_INLINE && req->input_len) {
        j->input = zisk_xmalloc(req->input_len);
        memcpy(j->input, req->input, req->input_len);
        j->input_len = req->input_len;
    }
    if (j->input_kind == SCHED_IN_PATH) j->input_path = zisk_xstrdup(req->input_path);
    j->input_ready = j->input_kind != SCHED_IN_PUSH;
    j->created_unix_ms = unix_ms;
    j->submitted_at = now;
    snprintf(j->phase, sizeof j->phase, "queued");
    index_add(s, j);
    queue_push(s, j, now);
    emit(s, j, SCHED_EV_QUEUED, "queued (%zu job(s) waiting)", s->n_queue);
    dispatch(s, now, unix_ms);
    return j;
}

void sched_restore(sched *s, sched_job *j, double now) {
    index_add(s, j);
    if (j->seq > s->next_seq) s->next_seq = j->seq;
    if (j->state == SCHED_COMPLETED || j->state == SCHED_FAILED || j->state == SCHED_CANCELLED) {
        remember_finished(s, j);
        return;
    }
    if (j->state == SCHED_RUNNING) {
        snprintf(j->lost_reason, sizeof j->lost_reason, "the coordinator restarted during attempt %u", j->attempts);
        j->state = SCHED_QUEUED; /* the queue decides again; a reconnecting worker may take it back */
    }
    free_strv(j->setup_targets, j->n_setup_targets);
    j->setup_targets = NULL;
    j->n_setup_targets = 0;
    j->assigned = NULL;
    j->submitted_at = now;
    if (j->input_kind == SCHED_IN_PUSH && !j->input_ready) {
        /* The pushed input did not arrive before the restart: it never will on that stream. */
        queue_push(s, j, now);
        finish(s, j, SCHED_FAILED, SCHED_E_INTERNAL, 0, "the coordinator restarted before the job's input was pushed");
        return;
    }
    snprintf(j->phase, sizeof j->phase, "queued");
    queue_push(s, j, now);
}

void sched_input_ready(sched *s, sched_job *j, double now) {
    j->input_ready = true;
    dispatch(s, now, 0);
}

sched_error sched_cancel(sched *s, const char *id, const char *reason, double now, int64_t unix_ms, char *msg,
                         size_t msg_len) {
    sched_job *j = sched_job_find(s, id);
    if (!j) {
        snprintf(msg, msg_len, "job %s not found", id);
        return SCHED_E_JOB_NOT_FOUND;
    }
    if (j->state != SCHED_QUEUED && j->state != SCHED_RUNNING) {
        snprintf(msg, msg_len, "job %s is already %s", id, sched_job_state_name(j->state));
        return SCHED_E_INVALID_JOB_STATE;
    }
    const char *why = reason && *reason ? reason : "cancelled by request";
    if (j->assigned) {
        sched_worker *w = j->assigned;
        w->job = NULL;
        copy_str(w->cancelling, sizeof w->cancelling, j->id);
        j->assigned = NULL;
        s->ops.send_cancel(s->ctx, w, j->id, why);
        outcome(s, w->id, "cancelled");
    }
    if (j->kind == SCHED_KIND_SETUP) {
        free_strv(j->setup_targets, j->n_setup_targets);
        j->setup_targets = NULL;
        j->n_setup_targets = 0;
    }
    finish(s, j, SCHED_CANCELLED, SCHED_E_NONE, unix_ms, "%s", why);
    dispatch(s, now, unix_ms);
    return SCHED_E_NONE;
}

/* Is there a live worker that can run j (has or is setting up its program)? */
static bool capacity_exists(const sched *s, const sched_job *j) {
    if (j->kind == SCHED_KIND_SETUP) return any_live(s);
    for (size_t i = 0; i < s->n_workers; i++)
        if (capable(s->workers[i], j)) return true;
    return false;
}

static void count_workers(const sched *s, size_t *live, size_t *with_program, const char *program_id) {
    *live = *with_program = 0;
    for (size_t i = 0; i < s->n_workers; i++) {
        const sched_worker *w = s->workers[i];
        if (!is_live(w)) continue;
        (*live)++;
        if (sched_idset_has(&w->programs, program_id)) (*with_program)++;
    }
}

void sched_tick(sched *s, double now, int64_t unix_ms) {
    /* Silent workers. */
    for (size_t i = 0; i < s->n_workers; i++) {
        sched_worker *w = s->workers[i];
        if (!w->conn || now - w->last_heard <= s->cfg.heartbeat_timeout) continue;
        void *old = w->conn;
        char why[160];
        snprintf(why, sizeof why, "no message for %.0f s (heartbeat timeout)", s->cfg.heartbeat_timeout);
        worker_detach(s, w, why, now, false);
        s->ops.drop_conn(s->ctx, old, why);
    }
    check_setup_jobs(s, unix_ms);
    /* Offline workers are forgotten after a while. */
    for (size_t i = 0; i < s->n_workers;) {
        sched_worker *w = s->workers[i];
        if (!w->conn && now - w->offline_since > s->cfg.offline_retention) {
            worker_free(w);
            memmove(&s->workers[i], &s->workers[i + 1], (s->n_workers - i - 1) * sizeof *s->workers);
            s->n_workers--;
            continue;
        }
        i++;
    }
    /* Running attempts over their time. */
    for (size_t b = 0; b < HASH_BUCKETS; b++)
        for (sched_job *j = s->buckets[b], *next; j; j = next) {
            next = j->hash_next;
            if (j->state != SCHED_RUNNING || j->in_queue) continue;
            if (now - j->attempt_started_at <= (double)j->timeout_seconds) continue;
            if (j->kind == SCHED_KIND_SETUP) {
                size_t len = strlen(j->setup_failures);
                for (size_t k = 0; k < j->n_setup_targets; k++) {
                    snprintf(j->setup_failures + len, sizeof j->setup_failures - len, "%s%s (no answer within %u s)",
                             len ? "; " : "", j->setup_targets[k], j->timeout_seconds);
                    len = strlen(j->setup_failures);
                }
                free_strv(j->setup_targets, j->n_setup_targets);
                j->setup_targets = NULL;
                j->n_setup_targets = 0;
                setup_check_done(s, j, unix_ms);
                continue;
            }
            sched_worker *w = j->assigned;
            char who[SCHED_ID_MAX + 1] = "?";
            if (w) {
                copy_str(who, sizeof who, w->id);
                w->job = NULL;
                copy_str(w->cancelling, sizeof w->cancelling, j->id);
                j->assigned = NULL;
                s->ops.send_cancel(s->ctx, w, j->id, "the job's timeout expired");
                outcome(s, w->id, "timeout");
            }
            finish(s, j, SCHED_FAILED, SCHED_E_TIMEOUT, unix_ms,
                   "%s did not finish within the job's timeout of %u s (attempt %u on worker %s)", sched_kind_name(j->kind),
                   j->timeout_seconds, j->attempts, who);
        }
    /* Waiting jobs: no capacity at all for T, busy workers for queue_timeout, input never came. */
    for (size_t qi = 0; qi < s->n_queue;) {
        sched_job *j = s->queue[qi];
        if (!j->input_ready) {
            if (now - j->submitted_at > (double)j->timeout_seconds) {
                finish(s, j, SCHED_FAILED, SCHED_E_TIMEOUT, unix_ms,
                       "the job's input was not pushed within its timeout of %u s", j->timeout_seconds);
                continue;
            }
            qi++;
            continue;
        }
        if (capacity_exists(s, j)) {
            j->no_capacity_since = 0;
        } else if (!j->no_capacity_since) {
            j->no_capacity_since = now;
        }
        if (j->no_capacity_since && now - j->no_capacity_since > (double)j->timeout_seconds) {
            size_t live, with;
            count_workers(s, &live, &with, j->program_id);
            finish(s, j, SCHED_FAILED, SCHED_E_CLUSTER_UNAVAILABLE, unix_ms,
                   "no worker able to run it was connected for the job's timeout of %u s (%zu worker(s) connected, "
                   "none ready with program %.16s)%s%s",
                   j->timeout_seconds, live, j->program_id, j->lost_reason[0] ? "; earlier: " : "", j->lost_reason);
            continue;
        }
        if (s->cfg.queue_timeout > 0 && now - j->waiting_since > s->cfg.queue_timeout) {
            finish(s, j, SCHED_FAILED, SCHED_E_CLUSTER_UNAVAILABLE, unix_ms,
                   "waited %.0f s in the queue (jobs.queue_timeout_seconds) without a free worker", s->cfg.queue_timeout);
            continue;
        }
        qi++;
    }
    dispatch(s, now, unix_ms);
}
