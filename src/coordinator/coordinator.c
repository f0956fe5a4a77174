/*
 * coordinator.c: the glue between the wire and the scheduler (see coordinator.h for the
 * threads, the lock and the shutdown order).
 *
 * Worker streams (ClusterService.WorkerStream): one `conn` per stream. Its first message must be
 * register or reconnect; sched_worker_hello decides (accept, refuse a duplicate live id, take
 * over a silent one, directive for a held job); the register response goes out first, then the
 * set-ups the worker lacks. Every later message counts as a sign of life. A half-close means the
 * worker is leaving (SIGTERM drain): it is marked offline and the stream is finished OK.
 *
 * API (ZiskApi): unary methods answer at once, except WaitJobResult, which parks the call in
 * `waiters` until the job ends or the call's own timeout passes (the ticker answers it then
 * with the job as it is). WatchJob parks the stream in `watchers` and sends every job event.
 * Every API call is timed from on_start to on_done for the request metrics; the status recorded
 * is the one we answered (CANCELLED when the client went away first).
 */
#include "coordinator.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <uuid/uuid.h>

#include "coord_metrics.h"
#include "coord_store.h"
#include "grpc/health/v1/health.pb-c.h"
#include "log.h"
#include "rpc.h"
#include "sched.h"
#include "vm.h"
#include "wire.h"

#define T_MAIN "zisk_coordinator"
#define T_POOL "zisk_coordinator::pool"
#define T_JOBS "zisk_coordinator::jobs"
#define T_API "zisk_coordinator::api"

#define INLINE_INPUT_MAX ((size_t)4 << 20) /* larger inputs are streamed to the worker */
#define STREAM_CHUNK ((size_t)1 << 20)
#define INPUT_MAX ((size_t)VM_INPUT_SIZE - 8) /* what fits in the guest's input region */

typedef Zisk__Cluster__V1__WorkerMessage WorkerMessage;
typedef Zisk__Cluster__V1__CoordinatorMessage CoordMessage;

typedef struct waiter {
    rpc_call *call;
    char job_id[SCHED_JOB_ID_MAX];
    double deadline;
} waiter;

typedef struct watcher {
    rpc_call *call;
    char job_id[SCHED_JOB_ID_MAX];
} watcher;

struct coordinator {
    pthread_mutex_t mu;
    const coord_settings *cfg;
    sched *s;
    coord_store *store;
    coord_metrics *metrics;
    metrics_http *http;
    rpc_server *api, *cluster;
    pthread_t ticker;
    atomic_bool ticker_stop;
    bool stopping;
    waiter *waiters;
    size_t n_waiters, cap_waiters;
    watcher *watchers;
    size_t n_watchers, cap_watchers;
    double last_heartbeat;
    uint64_t hb_seq;
    /* Set-ups that failed inside a sched callback, applied by the ticker (sched callbacks must
     * not call back into sched). */
    struct failed_setup {
        char worker_id[SCHED_ID_MAX + 1];
        char program_id[SCHED_PROGRAM_ID_LEN + 1];
    } *failed_setups;
    size_t n_failed_setups, cap_failed_setups;
};

typedef struct conn {
    coordinator *c;
    rpc_call *call;
    char worker_id[SCHED_ID_MAX + 1];
    bool hello_done;
    bool refused; /* answered with an error: later messages are ignored */
} conn;

typedef struct api_ctx {
    coordinator *c;
    const char *method;
    double t0;
    grpc_status_code code;
    bool answered;
    /* PushJobInput */
    char job_id[SCHED_JOB_ID_MAX];
    uint8_t *buf;
    size_t len, cap;
    bool failed;
} api_ctx;

static int64_t wall_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t ops_wall_ms(void *ctx) {
    (void)ctx;
    return wall_ms();
}

static double now_s(void) { return zisk_now_seconds(); }

static void grow(void **arr, size_t *cap, size_t need, size_t elem) {
    if (need <= *cap) return;
    size_t c = *cap ? *cap * 2 : 16;
    while (c < need) c *= 2;
    *arr = zisk_xrealloc(*arr, c * elem);
    *cap = c;
}

/* ------------------------------------------------------------------------------------------ */
/* Job -> protobuf                                                                             */

typedef struct job_pb {
    Zisk__Api__V1__Job job;
    Zisk__Api__V1__ExecuteOutput out;
} job_pb;

/* Fills pb from j; pb points into j, which must stay alive until pb is packed. */
static void job_to_pb(const sched_job *j, job_pb *pb) {
    Zisk__Api__V1__Job init = ZISK__API__V1__JOB__INIT;
    Zisk__Api__V1__ExecuteOutput oinit = ZISK__API__V1__EXECUTE_OUTPUT__INIT;
    pb->job = init;
    pb->out = oinit;
    Zisk__Api__V1__Job *p = &pb->job;
    p->job_id = (char *)j->id;
    p->kind = (Zisk__Api__V1__JobKind)j->kind;
    p->state = (Zisk__Api__V1__JobState)j->state;
    p->program_id = (char *)j->program_id;
    p->phase = (char *)j->phase;
    p->error_code = j->error_code == SCHED_E_QUEUE_FULL ? ZISK__API__V1__ERROR_CODE__ERROR_CLUSTER_UNAVAILABLE
                                                        : (Zisk__Api__V1__ErrorCode)j->error_code;
    p->message = (char *)j->message;
    p->created_unix_ms = j->created_unix_ms;
    p->started_unix_ms = j->started_unix_ms;
    p->finished_unix_ms = j->finished_unix_ms;
    p->n_workers = j->n_workers;
    p->workers = j->workers;
    p->priority = j->priority;
    p->attempts = j->attempts;
    if (j->has_result) {
        pb->out.stop = (char *)j->result.stop;
        pb->out.steps = j->result.steps;
        pb->out.exit_code = j->result.exit_code;
        pb->out.n_outputs = SCHED_OUTPUT_WORDS;
        pb->out.outputs = (uint32_t *)j->result.outputs;
        pb->out.seconds = j->result.seconds;
        pb->out.message = (char *)j->result.message;
        p->result_case = ZISK__API__V1__JOB__RESULT_EXECUTE;
        p->execute = &pb->out;
    }
}

static bool terminal(sched_job_state st) { return st == SCHED_COMPLETED || st == SCHED_FAILED || st == SCHED_CANCELLED; }

/* ------------------------------------------------------------------------------------------ */
/* API call bookkeeping                                                                        */

static void api_reply(rpc_call *call, const ProtobufCMessage *msg) {
    api_ctx *x = rpc_call_data(call);
    if (x->answered) return;
    x->answered = true;
    x->code = GRPC_STATUS_OK;
    rpc_call_reply(call, msg);
}

static void api_fail(rpc_call *call, grpc_status_code code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void api_fail(rpc_call *call, grpc_status_code code, const char *fmt, ...) {
    api_ctx *x = rpc_call_data(call);
    if (x->answered) return;
    x->answered = true;
    x->code = code;
    char msg[1200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    rpc_call_finish(call, code, msg);
}

static void api_finish(rpc_call *call, grpc_status_code code, const char *msg) {
    api_ctx *x = rpc_call_data(call);
    if (x->answered) return;
    x->answered = true;
    x->code = code;
    rpc_call_finish(call, code, msg);
}

static const char *error_name(sched_error e) {
    switch (e) {
    case SCHED_E_NONE: return "ERROR_NONE";
    case SCHED_E_JOB_NOT_FOUND: return "ERROR_JOB_NOT_FOUND";
    case SCHED_E_PROGRAM_NOT_FOUND: return "ERROR_PROGRAM_NOT_FOUND";
    case SCHED_E_PROGRAM_NOT_SET_UP: return "ERROR_PROGRAM_NOT_SET_UP";
    case SCHED_E_INVALID_JOB_STATE: return "ERROR_INVALID_JOB_STATE";
    case SCHED_E_CLUSTER_UNAVAILABLE: return "ERROR_CLUSTER_UNAVAILABLE";
    case SCHED_E_INTERNAL: return "ERROR_INTERNAL";
    case SCHED_E_INVALID_ARGUMENT: return "ERROR_INVALID_ARGUMENT";
    case SCHED_E_TIMEOUT: return "ERROR_TIMEOUT";
    case SCHED_E_QUEUE_FULL: return "ERROR_CLUSTER_UNAVAILABLE";
    }
    return "ERROR_INTERNAL";
}

static grpc_status_code error_status(sched_error e) {
    switch (e) {
    case SCHED_E_NONE: return GRPC_STATUS_OK;
    case SCHED_E_JOB_NOT_FOUND:
    case SCHED_E_PROGRAM_NOT_FOUND: return GRPC_STATUS_NOT_FOUND;
    case SCHED_E_PROGRAM_NOT_SET_UP:
    case SCHED_E_INVALID_JOB_STATE: return GRPC_STATUS_FAILED_PRECONDITION;
    case SCHED_E_CLUSTER_UNAVAILABLE: return GRPC_STATUS_UNAVAILABLE;
    case SCHED_E_INVALID_ARGUMENT: return GRPC_STATUS_INVALID_ARGUMENT;
    case SCHED_E_TIMEOUT: return GRPC_STATUS_DEADLINE_EXCEEDED;
    case SCHED_E_QUEUE_FULL: return GRPC_STATUS_RESOURCE_EXHAUSTED;
    case SCHED_E_INTERNAL: return GRPC_STATUS_INTERNAL;
    }
    return GRPC_STATUS_INTERNAL;
}

/* The status message carries the API error code name first, as api.proto documents. */
static void api_fail_code(rpc_call *call, sched_error e, const char *msg) {
    api_fail(call, error_status(e), "%s: %s", error_name(e), msg);
}

/* ------------------------------------------------------------------------------------------ */
/* Job events: persist, log, metrics, waiters, watchers                                        */

static void send_event(rpc_call *call, const sched_job *j, sched_event ev, const char *msg) {
    job_pb pb;
    job_to_pb(j, &pb);
    Zisk__Api__V1__JobEvent e = ZISK__API__V1__JOB_EVENT__INIT;
    e.job_id = (char *)j->id;
    e.type = (Zisk__Api__V1__JobEventType)ev;
    e.phase = (char *)j->phase;
    e.message = (char *)(msg ? msg : "");
    e.unix_ms = wall_ms();
    e.progress = j->state == SCHED_COMPLETED ? 1.0 : 0.0;
    e.job = &pb.job;
    rpc_call_send(call, &e.base);
}

static sched_event final_event(sched_job_state st) {
    return st == SCHED_COMPLETED ? SCHED_EV_COMPLETED : st == SCHED_FAILED ? SCHED_EV_FAILED : SCHED_EV_CANCELLED;
}

static void ops_job_event(void *ctx, sched_job *j, sched_event ev, const char *msg) {
    coordinator *c = ctx;
    zisk_err err;
    if (store_save_job(c->store, j, ev == SCHED_EV_QUEUED, &err) != 0)
        ZLOG_ERROR(T_JOBS, "cannot persist job %s: %s", j->id, err.msg);
    static const char *const names[] = {"?", "queued", "started", "progress", "completed", "failed", "cancelled"};
    zlog_level lvl = ev == SCHED_EV_FAILED ? ZLOG_LEVEL_WARN : ZLOG_LEVEL_INFO;
    ZLOG_KV(lvl, T_JOBS, names[ev], "job_id", j->id, "kind", sched_kind_name(j->kind), "message", msg);
    bool end = terminal(j->state);
    if (end) {
        double secs = j->finished_unix_ms > j->created_unix_ms ? (j->finished_unix_ms - j->created_unix_ms) / 1000.0 : 0;
        metrics_job_finished(c->metrics, sched_kind_name(j->kind), sched_job_state_name(j->state), secs);
        /* Answer the long-polls waiting for this job. */
        job_pb pb;
        job_to_pb(j, &pb);
        for (size_t i = 0; i < c->n_waiters;) {
            if (strcmp(c->waiters[i].job_id, j->id) != 0) {
                i++;
                continue;
            }
            rpc_call *call = c->waiters[i].call;
            c->waiters[i] = c->waiters[--c->n_waiters];
            api_reply(call, &pb.job.base);
            rpc_call_unref(call);
        }
    }
    for (size_t i = 0; i < c->n_watchers;) {
        if (strcmp(c->watchers[i].job_id, j->id) != 0) {
            i++;
            continue;
        }
        rpc_call *call = c->watchers[i].call;
        send_event(call, j, ev, msg);
        if (end) {
            c->watchers[i] = c->watchers[--c->n_watchers];
            api_finish(call, GRPC_STATUS_OK, NULL);
            rpc_call_unref(call);
            continue;
        }
        i++;
    }
}

static void ops_program_set_up(void *ctx, const char *program_id) {
    coordinator *c = ctx;
    zisk_err err;
    if (store_program_set_up(c->store, program_id, &err) != 0)
        ZLOG_ERROR(T_JOBS, "cannot persist the set-up of program %s: %s", program_id, err.msg);
}

static void ops_task_outcome(void *ctx, const char *worker_id, const char *outcome) {
    coordinator *c = ctx;
    metrics_task(c->metrics, worker_id, outcome);
}

static void ops_job_evicted(void *ctx, sched_job *j) {
    (void)ctx;
    (void)j; /* nothing is hung on j->user */
}

/* ------------------------------------------------------------------------------------------ */
/* Messages to workers                                                                         */

static void send_to(conn *cn, CoordMessage *m) {
    if (cn && cn->call) rpc_call_send(cn->call, &m->base);
}

static void ops_send_task(void *ctx, sched_worker *w, sched_job *j) {
    (void)ctx;
    conn *cn = w->conn;
    CoordMessage m = ZISK__CLUSTER__V1__COORDINATOR_MESSAGE__INIT;
    Zisk__Cluster__V1__Task t;
    zisk__cluster__v1__task__init(&t);
    t.job_id = j->id;
    t.task_id = j->task_id;
    t.kind = ZISK__CLUSTER__V1__TASK_KIND__TASK_KIND_EXECUTE;
    t.program_id = j->program_id;
    t.max_steps = j->max_steps;
    bool stream = false;
    switch (j->input_kind) {
    case SCHED_IN_PATH:
        t.input_case = ZISK__CLUSTER__V1__TASK__INPUT_INPUT_PATH;
        t.input_path = j->input_path;
        break;
    case SCHED_IN_INLINE:
    case SCHED_IN_PUSH:
        if (j->input_len > INLINE_INPUT_MAX) {
            t.input_case = ZISK__CLUSTER__V1__TASK__INPUT_INPUT_STREAMED;
            t.input_streamed = j->input_len;
            stream = true;
        } else {
            t.input_case = ZISK__CLUSTER__V1__TASK__INPUT_INPUT_INLINE;
            t.input_inline.data = j->input;
            t.input_inline.len = j->input_len;
        }
        break;
    case SCHED_IN_NONE:
        break;
    }
    m.payload_case = ZISK__CLUSTER__V1__COORDINATOR_MESSAGE__PAYLOAD_TASK;
    m.task = &t;
    send_to(cn, &m);
    for (size_t off = 0; stream && off < j->input_len; off += STREAM_CHUNK) {
        Zisk__Cluster__V1__InputData d = ZISK__CLUSTER__V1__INPUT_DATA__INIT;
        size_t n = j->input_len - off < STREAM_CHUNK ? j->input_len - off : STREAM_CHUNK;
        d.job_id = j->id;
        d.task_id = j->task_id;
        d.chunk.data = j->input + off;
        d.chunk.len = n;
        d.last = off + n == j->input_len;
        CoordMessage dm = ZISK__CLUSTER__V1__COORDINATOR_MESSAGE__INIT;
        dm.payload_case = ZISK__CLUSTER__V1__COORDINATOR_MESSAGE__PAYLOAD_INPUT_DATA;
        dm.input_data = &d;
        send_to(cn, &dm);
    }
    ZLOG_KV(ZLOG_LEVEL_DEBUG, T_JOBS, "task sent", "job_id", j->id, "task_id", j->task_id, "worker_id", w->id);
}

static void ops_send_cancel(void *ctx, sched_worker *w, const char *job_id, const char *reason) {
    (void)ctx;
    CoordMessage m = ZISK__CLUSTER__V1__COORDINATOR_MESSAGE__INIT;
    Zisk__Cluster__V1__JobCancelled jc = ZISK__CLUSTER__V1__JOB_CANCELLED__INIT;
    jc.job_id = (char *)job_id;
    jc.reason = (char *)reason;
    m.payload_case = ZISK__CLUSTER__V1__COORDINATOR_MESSAGE__PAYLOAD_JOB_CANCELLED;
    m.job_cancelled = &jc;
    send_to(w->conn, &m);
}

static void ops_send_setup(void *ctx, sched_worker *w, const char *program_id) {
    coordinator *c = ctx;
    uint8_t *elf = NULL;
    size_t len = 0;
    zisk_err err;
    if (store_program_elf(c->store, program_id, &elf, &len, &err) != 0) {
        /* Our own data directory lost the file: the worker cannot be set up. */
        ZLOG_ERROR(T_POOL, "cannot read program %s for worker %s: %s", program_id, w->id, err.msg);
        grow((void **)&c->failed_setups, &c->cap_failed_setups, c->n_failed_setups + 1, sizeof *c->failed_setups);
        struct failed_setup *f = &c->failed_setups[c->n_failed_setups++];
        snprintf(f->worker_id, sizeof f->worker_id, "%s", w->id);
        snprintf(f->program_id, sizeof f->program_id, "%s", program_id);
        return;
    }
    CoordMessage m = ZISK__CLUSTER__V1__COORDINATOR_MESSAGE__INIT;
    Zisk__Cluster__V1__SetupProgram sp = ZISK__CLUSTER__V1__SETUP_PROGRAM__INIT;
    sp.program_id = (char *)program_id;
    sp.elf.data = elf;
    sp.elf.len = len;
    m.payload_case = ZISK__CLUSTER__V1__COORDINATOR_MESSAGE__PAYLOAD_SETUP_PROGRAM;
    m.setup_program = &sp;
    send_to(w->conn, &m);
    free(elf);
    ZLOG_KV(ZLOG_LEVEL_DEBUG, T_POOL, "program sent for set-up", "worker_id", w->id, "program_id", program_id);
}

static void ops_drop_conn(void *ctx, void *connp, const char *why) {
    (void)ctx;
    conn *cn = connp;
    ZLOG_KV(ZLOG_LEVEL_WARN, T_POOL, "dropping worker stream", "worker_id", cn->worker_id, "reason", why);
    if (cn->call) rpc_call_cancel(cn->call);
}

/* ------------------------------------------------------------------------------------------ */
/* Worker streams                                                                              */

static void cluster_on_start(rpc_call *call, void *data) {
    conn *cn = zisk_xcalloc(1, sizeof *cn);
    cn->c = data;
    cn->call = call;
    rpc_call_ref(call);
    rpc_call_set_data(call, cn);
}

static void send_register_response(conn *cn, bool accepted, const char *message, sched_directive dir, coordinator *c) {
    CoordMessage m = ZISK__CLUSTER__V1__COORDINATOR_MESSAGE__INIT;
    Zisk__Cluster__V1__RegisterResponse r = ZISK__CLUSTER__V1__REGISTER_RESPONSE__INIT;
    r.accepted = accepted;
    r.message = (char *)message;
    r.unix_ms = wall_ms();
    r.directive = (Zisk__Cluster__V1__Directive)dir;
    size_t n = 0;
    const char *const *ids = accepted ? sched_setup_program_ids(c->s, &n) : NULL;
    r.n_programs = n;
    r.programs = (char **)ids;
    /* Workers beat at this interval; keep it well inside our silence timeout. */
    unsigned interval_ms = c->cfg->heartbeat_interval_seconds * 1000;
    unsigned cap_ms = c->cfg->heartbeat_timeout_seconds * 1000 / 3;
    r.heartbeat_interval_ms = interval_ms < cap_ms ? interval_ms : (cap_ms ? cap_ms : 1000);
    m.payload_case = ZISK__CLUSTER__V1__COORDINATOR_MESSAGE__PAYLOAD_REGISTER_RESPONSE;
    m.register_response = &r;
    send_to(cn, &m);
}

static void on_hello(coordinator *c, conn *cn, const WorkerMessage *wm) {
    const Zisk__Cluster__V1__Register *reg = NULL;
    const Zisk__Cluster__V1__Reconnect *rec = NULL;
    if (wm->payload_case == ZISK__CLUSTER__V1__WORKER_MESSAGE__PAYLOAD_REGISTER) reg = wm->register_;
    else if (wm->payload_case == ZISK__CLUSTER__V1__WORKER_MESSAGE__PAYLOAD_RECONNECT) {
        rec = wm->reconnect;
        reg = rec->register_;
    }
    if (!reg) {
        ZLOG_KV(ZLOG_LEVEL_WARN, T_POOL, "refusing a stream whose first message is not register/reconnect", "peer",
                rpc_call_peer(cn->call));
        cn->refused = true;
        rpc_call_fail(cn->call, GRPC_STATUS_INVALID_ARGUMENT,
                      "the first message on the worker stream must be register or reconnect (got case %d)",
                      (int)wm->payload_case);
        return;
    }
    sched_hello h = {
        .worker_id = reg->worker_id,
        .compute_units = reg->compute_units,
        .version = reg->version,
        .backend = reg->backend,
        .environment = reg->environment,
        .peer = rpc_call_peer(cn->call),
        .programs = (const char *const *)reg->programs,
        .n_programs = reg->n_programs,
        .reconnect = rec != NULL,
        .last_job_id = rec ? rec->last_job_id : "",
        .last_task_id = rec ? rec->last_task_id : "",
        .unix_ms = wall_ms(),
    };
    sched_hello_reply reply;
    double now = now_s();
    sched_worker *w = sched_worker_hello(c->s, &h, cn, now, &reply);
    if (!w) {
        ZLOG_KV(ZLOG_LEVEL_WARN, T_POOL, "worker refused", "worker_id", reg->worker_id, "peer", rpc_call_peer(cn->call),
                "reason", reply.message);
        cn->refused = true;
        send_register_response(cn, false, reply.message, SCHED_DIR_NONE, c);
        rpc_call_finish(cn->call, GRPC_STATUS_ALREADY_EXISTS, reply.message);
        return;
    }
    snprintf(cn->worker_id, sizeof cn->worker_id, "%s", w->id);
    cn->hello_done = true;
    send_register_response(cn, true, "", reply.directive, c);
    zlog_write_fields(ZLOG_LEVEL_INFO, T_POOL,
                      (zlog_field[]){ZLOG_F_STR("worker_id", w->id), ZLOG_F_U64("compute_units", w->compute_units),
                                     ZLOG_F_STR("peer", w->peer), ZLOG_F_BOOL("reconnect", rec != NULL),
                                     ZLOG_F_STR("directive", reply.directive == SCHED_DIR_KEEP ? "keep_computing"
                                                             : reply.directive == SCHED_DIR_CANCEL_STALE ? "cancel_stale_job"
                                                                                                        : "none")},
                      5, "worker registered");
    sched_worker_start(c->s, w, now);
    sched_tick(c->s, now, wall_ms()); /* dispatch to it at once */
}

static void copy_exec_result(const Zisk__Cluster__V1__ExecuteResult *e, sched_exec_result *r) {
    memset(r, 0, sizeof *r);
    snprintf(r->stop, sizeof r->stop, "%s", e->stop ? e->stop : "");
    r->steps = e->steps;
    r->exit_code = e->exit_code;
    for (size_t i = 0; i < e->n_outputs && i < SCHED_OUTPUT_WORDS; i++) r->outputs[i] = e->outputs[i];
    r->seconds = e->seconds;
    snprintf(r->message, sizeof r->message, "%s", e->message ? e->message : "");
}

static void cluster_on_message(rpc_call *call, ProtobufCMessage *msg, void *data) {
    coordinator *c = data;
    conn *cn = rpc_call_data(call);
    WorkerMessage *wm = (WorkerMessage *)msg;
    pthread_mutex_lock(&c->mu);
    if (cn->refused) goto out;
    if (!cn->hello_done) {
        on_hello(c, cn, wm);
        goto out;
    }
    double now = now_s();
    sched_worker *w = sched_worker_for(c->s, cn->worker_id, cn);
    if (!w) goto out; /* a stream sched already let go of (taken over, timed out) */
    sched_worker_heard(c->s, w, now, wall_ms());
    switch (wm->payload_case) {
    case ZISK__CLUSTER__V1__WORKER_MESSAGE__PAYLOAD_HEARTBEAT: {
        CoordMessage m = ZISK__CLUSTER__V1__COORDINATOR_MESSAGE__INIT;
        Zisk__Cluster__V1__HeartbeatAck ack = ZISK__CLUSTER__V1__HEARTBEAT_ACK__INIT;
        ack.seq = wm->heartbeat->seq;
        m.payload_case = ZISK__CLUSTER__V1__COORDINATOR_MESSAGE__PAYLOAD_HEARTBEAT_ACK;
        m.heartbeat_ack = &ack;
        send_to(cn, &m);
        break;
    }
    case ZISK__CLUSTER__V1__WORKER_MESSAGE__PAYLOAD_HEARTBEAT_ACK: break;
    case ZISK__CLUSTER__V1__WORKER_MESSAGE__PAYLOAD_TASK_RESULT: {
        const Zisk__Cluster__V1__TaskResult *tr = wm->task_result;
        if (tr->result_case != ZISK__CLUSTER__V1__TASK_RESULT__RESULT_EXECUTE) {
            sched_task_error(c->s, w, tr->job_id, tr->task_id, "the worker sent a result of an unknown kind", false, now);
            break;
        }
        sched_exec_result r;
        copy_exec_result(tr->execute, &r);
        sched_task_result(c->s, w, tr->job_id, tr->task_id, &r, now);
        break;
    }
    case ZISK__CLUSTER__V1__WORKER_MESSAGE__PAYLOAD_TASK_ERROR: {
        const Zisk__Cluster__V1__TaskError *te = wm->task_error;
        ZLOG_KV(ZLOG_LEVEL_WARN, T_JOBS, "task error from worker", "worker_id", w->id, "job_id", te->job_id, "message",
                te->message, "retryable", te->retryable ? "true" : "false");
        sched_task_error(c->s, w, te->job_id, te->task_id, te->message, te->retryable, now);
        break;
    }
    case ZISK__CLUSTER__V1__WORKER_MESSAGE__PAYLOAD_CANCEL_ACK:
        sched_cancel_ack(c->s, w, wm->cancel_ack->job_id, now);
        break;
    case ZISK__CLUSTER__V1__WORKER_MESSAGE__PAYLOAD_SETUP_ACK: {
        const Zisk__Cluster__V1__SetupAck *a = wm->setup_ack;
        if (!a->ok)
            ZLOG_KV(ZLOG_LEVEL_ERROR, T_POOL, "program set-up failed on a worker: it gets no tasks", "worker_id", w->id,
                    "program_id", a->program_id, "reason", a->message);
        sched_setup_ack(c->s, w, a->program_id, a->ok, a->message, now);
        break;
    }
    case ZISK__CLUSTER__V1__WORKER_MESSAGE__PAYLOAD_REGISTER:
    case ZISK__CLUSTER__V1__WORKER_MESSAGE__PAYLOAD_RECONNECT:
        ZLOG_KV(ZLOG_LEVEL_WARN, T_POOL, "ignoring a second register on the same stream", "worker_id", w->id);
        break;
    default:
        ZLOG_KV(ZLOG_LEVEL_WARN, T_POOL, "ignoring an empty or unknown worker message", "worker_id", w->id);
    }
    sched_tick(c->s, now, wall_ms());
out:
    pthread_mutex_unlock(&c->mu);
    rpc_message_free(msg);
}

static void cluster_on_half_close(rpc_call *call, void *data) {
    coordinator *c = data;
    conn *cn = rpc_call_data(call);
    pthread_mutex_lock(&c->mu);
    if (cn->hello_done) {
        ZLOG_KV(ZLOG_LEVEL_INFO, T_POOL, "worker left", "worker_id", cn->worker_id);
        sched_worker_gone(c->s, cn->worker_id, cn, "its stream was closed: the worker left or its process ended",
                          now_s());
        sched_tick(c->s, now_s(), wall_ms());
    }
    pthread_mutex_unlock(&c->mu);
    rpc_call_finish(call, GRPC_STATUS_OK, NULL);
}

static void cluster_on_done(rpc_call *call, bool cancelled, void *data) {
    coordinator *c = data;
    conn *cn = rpc_call_data(call);
    pthread_mutex_lock(&c->mu);
    if (cn->hello_done && sched_worker_for(c->s, cn->worker_id, cn)) {
        ZLOG_KV(ZLOG_LEVEL_WARN, T_POOL, "worker stream ended", "worker_id", cn->worker_id, "how",
                cancelled ? "broken or cancelled" : "closed");
        sched_worker_gone(c->s, cn->worker_id, cn, cancelled ? "its stream broke" : "its stream ended", now_s());
        if (!c->stopping) sched_tick(c->s, now_s(), wall_ms());
    }
    cn->call = NULL;
    pthread_mutex_unlock(&c->mu);
    rpc_call_unref(call);
    free(cn);
}

static const rpc_handler cluster_handler = {
    .on_start = cluster_on_start,
    .on_message = cluster_on_message,
    .on_half_close = cluster_on_half_close,
    .on_done = cluster_on_done,
};

/* ------------------------------------------------------------------------------------------ */
/* API                                                                                         */

typedef void (*api_fn)(coordinator *c, rpc_call *call, ProtobufCMessage *msg);

typedef struct api_method {
    const rpc_method *m;
    const char *name;
    api_fn fn;
    coordinator *c;
} api_method;

static void api_on_start(rpc_call *call, void *data) {
    api_method *am = data;
    api_ctx *x = zisk_xcalloc(1, sizeof *x);
    x->c = am->c;
    x->method = am->name;
    x->t0 = now_s();
    x->code = GRPC_STATUS_CANCELLED;
    rpc_call_set_data(call, x);
}

static void api_on_message(rpc_call *call, ProtobufCMessage *msg, void *data) {
    api_method *am = data;
    am->fn(am->c, call, msg);
    rpc_message_free(msg);
}

static void api_on_done(rpc_call *call, bool cancelled, void *data) {
    api_method *am = data;
    coordinator *c = am->c;
    api_ctx *x = rpc_call_data(call);
    pthread_mutex_lock(&c->mu);
    for (size_t i = 0; i < c->n_waiters; i++)
        if (c->waiters[i].call == call) {
            c->waiters[i] = c->waiters[--c->n_waiters];
            rpc_call_unref(call);
            break;
        }
    for (size_t i = 0; i < c->n_watchers; i++)
        if (c->watchers[i].call == call) {
            c->watchers[i] = c->watchers[--c->n_watchers];
            rpc_call_unref(call);
            break;
        }
    pthread_mutex_unlock(&c->mu);
    grpc_status_code code = cancelled && !x->answered ? GRPC_STATUS_CANCELLED : x->code;
    metrics_request(c->metrics, x->method, rpc_status_code_name(code), now_s() - x->t0);
    free(x->buf);
    free(x);
}

/* Finds a job in memory or, for old finished ones, in the store. *owned is set when the caller
 * must sched_job_free the result. Under the lock. */
static sched_job *lookup_job(coordinator *c, const char *id, bool *owned) {
    *owned = false;
    sched_job *j = sched_job_find(c->s, id);
    if (j) return j;
    zisk_err err;
    j = store_get_job(c->store, id, false, &err);
    if (j) *owned = true;
    return j;
}

static bool valid_job_id(const char *id) {
    size_t n = strlen(id);
    if (n == 0 || n >= SCHED_JOB_ID_MAX) return false;
    for (const char *p = id; *p; p++)
        if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f) return false;
    return true;
}

static void api_register_program(coordinator *c, rpc_call *call, ProtobufCMessage *msg) {
    const Zisk__Api__V1__RegisterProgramRequest *req = (const Zisk__Api__V1__RegisterProgramRequest *)msg;
    if (req->elf.len == 0) {
        api_fail_code(call, SCHED_E_INVALID_ARGUMENT, "the request carries no ELF bytes");
        return;
    }
    /* Validate before storing (outside the lock: decoding a large program takes a while). */
    vm_program *p = NULL;
    zisk_err err;
    if (vm_program_from_elf(req->elf.data, req->elf.len, &p, &err) != 0) {
        ZLOG_KV(ZLOG_LEVEL_WARN, T_API, "invalid ELF refused", "reason", err.msg);
        char why[700];
        snprintf(why, sizeof why, "not a valid RV64 guest program (%zu bytes): %s", req->elf.len, err.msg);
        api_fail_code(call, SCHED_E_INVALID_ARGUMENT, why);
        return;
    }
    vm_program_free(p);
    char id[WIRE_PROGRAM_ID_LEN + 1];
    wire_program_id(req->elf.data, req->elf.len, id);
    bool already = false;
    pthread_mutex_lock(&c->mu);
    int rc = store_put_program(c->store, id, req->name, req->elf.data, req->elf.len, wall_ms(), &already, &err);
    if (rc == 0) sched_program_add(c->s, id, false);
    pthread_mutex_unlock(&c->mu);
    if (rc != 0) {
        ZLOG_ERROR(T_API, "cannot store program %s: %s", id, err.msg);
        api_fail_code(call, SCHED_E_INTERNAL, err.msg);
        return;
    }
    ZLOG_KV(ZLOG_LEVEL_INFO, T_API, already ? "program registered again (idempotent)" : "program registered",
            "program_id", id, "name", req->name);
    Zisk__Api__V1__RegisterProgramResponse r = ZISK__API__V1__REGISTER_PROGRAM_RESPONSE__INIT;
    r.program_id = id;
    r.already_registered = already;
    api_reply(call, &r.base);
}

static void api_submit_job(coordinator *c, rpc_call *call, ProtobufCMessage *msg) {
    const Zisk__Api__V1__JobRequest *req = (const Zisk__Api__V1__JobRequest *)msg;
    if (req->kind == ZISK__API__V1__JOB_KIND__JOB_KIND_PROVE || req->kind == ZISK__API__V1__JOB_KIND__JOB_KIND_WRAP) {
        api_fail(call, GRPC_STATUS_UNIMPLEMENTED,
                 "%s jobs are not implemented by this coordinator yet (distributed proving is the next "
                 "release; prove on one machine with 'zisk prove'); setup and execute jobs are available",
                 req->kind == ZISK__API__V1__JOB_KIND__JOB_KIND_PROVE ? "prove" : "wrap");
        return;
    }
    if (req->kind != ZISK__API__V1__JOB_KIND__JOB_KIND_SETUP && req->kind != ZISK__API__V1__JOB_KIND__JOB_KIND_EXECUTE) {
        api_fail_code(call, SCHED_E_INVALID_ARGUMENT, "the job kind is missing or unknown (setup, execute, prove, wrap)");
        return;
    }
    if (!wire_is_program_id(req->program_id)) {
        api_fail_code(call, SCHED_E_INVALID_ARGUMENT, "program_id must be 64 lower-case hex characters (the id "
                                                      "RegisterProgram returned)");
        return;
    }
    sched_job_request jr = {
        .kind = (sched_kind)req->kind,
        .program_id = req->program_id,
        .max_steps = req->max_steps,
        .priority = req->priority,
        .timeout_seconds = req->timeout_seconds,
    };
    if (req->timeout_seconds > 31536000) {
        api_fail_code(call, SCHED_E_INVALID_ARGUMENT, "timeout_seconds must be at most 31536000 (a year)");
        return;
    }
    if (req->input) {
        switch (req->input->source_case) {
        case ZISK__API__V1__JOB_INPUT__SOURCE_INLINE_DATA:
            if (req->input->inline_data.len > INPUT_MAX) {
                api_fail_code(call, SCHED_E_INVALID_ARGUMENT, "the inline input exceeds the guest's input region");
                return;
            }
            jr.input_kind = SCHED_IN_INLINE;
            jr.input = req->input->inline_data.data;
            jr.input_len = req->input->inline_data.len;
            break;
        case ZISK__API__V1__JOB_INPUT__SOURCE_PATH:
            if (!req->input->path[0] || strlen(req->input->path) > 4096) {
                api_fail_code(call, SCHED_E_INVALID_ARGUMENT, "the input path must be 1 to 4096 characters");
                return;
            }
            jr.input_kind = SCHED_IN_PATH;
            jr.input_path = req->input->path;
            break;
        case ZISK__API__V1__JOB_INPUT__SOURCE_PUSH:
            jr.input_kind = req->input->push ? SCHED_IN_PUSH : SCHED_IN_NONE;
            break;
        default: jr.input_kind = SCHED_IN_NONE;
        }
    }
    uuid_t u;
    char id[37];
    uuid_generate_random(u);
    uuid_unparse_lower(u, id);
    sched_error code;
    char why[600];
    pthread_mutex_lock(&c->mu);
    sched_job *j = c->stopping ? NULL : sched_submit(c->s, id, &jr, now_s(), wall_ms(), &code, why, sizeof why);
    if (c->stopping) {
        code = SCHED_E_CLUSTER_UNAVAILABLE;
        snprintf(why, sizeof why, "the coordinator is shutting down");
    }
    pthread_mutex_unlock(&c->mu);
    if (!j) {
        api_fail_code(call, code, why);
        return;
    }
    Zisk__Api__V1__SubmitJobResponse r = ZISK__API__V1__SUBMIT_JOB_RESPONSE__INIT;
    r.job_id = id;
    api_reply(call, &r.base);
}

static void reply_job(rpc_call *call, const sched_job *j) {
    job_pb pb;
    job_to_pb(j, &pb);
    api_reply(call, &pb.job.base);
}

/* Answers INVALID_ARGUMENT and returns false when a request's job id is missing or malformed. */
static bool job_id_ok(rpc_call *call, const char *job_id) {
    if (valid_job_id(job_id)) return true;
    api_fail_code(call, SCHED_E_INVALID_ARGUMENT, "job_id is missing or malformed");
    return false;
}

static void fail_job_not_found(rpc_call *call, const char *job_id) {
    char m[200];
    snprintf(m, sizeof m, "job %s not found", job_id);
    api_fail_code(call, SCHED_E_JOB_NOT_FOUND, m);
}

static void api_get_job(coordinator *c, rpc_call *call, ProtobufCMessage *msg) {
    const Zisk__Api__V1__GetJobRequest *req = (const Zisk__Api__V1__GetJobRequest *)msg;
    if (!job_id_ok(call, req->job_id)) return;
    bool owned;
    pthread_mutex_lock(&c->mu);
    sched_job *j = lookup_job(c, req->job_id, &owned);
    if (j) reply_job(call, j);
    pthread_mutex_unlock(&c->mu);
    if (!j) fail_job_not_found(call, req->job_id);
    if (owned) sched_job_free(j);
}

static void api_wait_job_result(coordinator *c, rpc_call *call, ProtobufCMessage *msg) {
    const Zisk__Api__V1__WaitJobResultRequest *req = (const Zisk__Api__V1__WaitJobResultRequest *)msg;
    if (!job_id_ok(call, req->job_id)) return;
    uint32_t timeout = req->timeout_seconds ? req->timeout_seconds : 5;
    if (timeout > 3600) {
        api_fail_code(call, SCHED_E_INVALID_ARGUMENT, "timeout_seconds must be 1 to 3600 (0 means 5)");
        return;
    }
    bool owned;
    pthread_mutex_lock(&c->mu);
    sched_job *j = lookup_job(c, req->job_id, &owned);
    if (j && (terminal(j->state) || c->stopping)) {
        reply_job(call, j);
    } else if (j) {
        grow((void **)&c->waiters, &c->cap_waiters, c->n_waiters + 1, sizeof *c->waiters);
        waiter *w = &c->waiters[c->n_waiters++];
        w->call = call;
        rpc_call_ref(call);
        snprintf(w->job_id, sizeof w->job_id, "%s", j->id);
        w->deadline = now_s() + timeout;
    }
    pthread_mutex_unlock(&c->mu);
    if (!j) fail_job_not_found(call, req->job_id);
    if (owned) sched_job_free(j);
}

static void api_watch_job(coordinator *c, rpc_call *call, ProtobufCMessage *msg) {
    const Zisk__Api__V1__WatchJobRequest *req = (const Zisk__Api__V1__WatchJobRequest *)msg;
    if (!job_id_ok(call, req->job_id)) return;
    bool owned;
    pthread_mutex_lock(&c->mu);
    sched_job *j = lookup_job(c, req->job_id, &owned);
    if (j && terminal(j->state)) {
        /* After the end: the final event, then the end of the stream. */
        send_event(call, j, final_event(j->state), j->message);
        api_finish(call, GRPC_STATUS_OK, NULL);
    } else if (j && c->stopping) {
        api_finish(call, GRPC_STATUS_UNAVAILABLE, "the coordinator is shutting down");
    } else if (j) {
        send_event(call, j, j->state == SCHED_QUEUED ? SCHED_EV_QUEUED : SCHED_EV_STARTED, "");
        grow((void **)&c->watchers, &c->cap_watchers, c->n_watchers + 1, sizeof *c->watchers);
        watcher *w = &c->watchers[c->n_watchers++];
        w->call = call;
        rpc_call_ref(call);
        snprintf(w->job_id, sizeof w->job_id, "%s", j->id);
    }
    pthread_mutex_unlock(&c->mu);
    if (!j) fail_job_not_found(call, req->job_id);
    if (owned) sched_job_free(j);
}

static void api_cancel_job(coordinator *c, rpc_call *call, ProtobufCMessage *msg) {
    const Zisk__Api__V1__CancelJobRequest *req = (const Zisk__Api__V1__CancelJobRequest *)msg;
    if (!job_id_ok(call, req->job_id)) return;
    char why[300];
    pthread_mutex_lock(&c->mu);
    sched_error e = sched_cancel(c->s, req->job_id, req->reason, now_s(), wall_ms(), why, sizeof why);
    if (e == SCHED_E_JOB_NOT_FOUND) {
        zisk_err err;
        sched_job *j = store_get_job(c->store, req->job_id, false, &err);
        if (j) {
            e = SCHED_E_INVALID_JOB_STATE;
            snprintf(why, sizeof why, "job %s is already %s", j->id, sched_job_state_name(j->state));
            sched_job_free(j);
        }
    }
    pthread_mutex_unlock(&c->mu);
    if (e != SCHED_E_NONE) {
        api_fail_code(call, e, why);
        return;
    }
    Zisk__Api__V1__CancelJobResponse r = ZISK__API__V1__CANCEL_JOB_RESPONSE__INIT;
    r.state = ZISK__API__V1__JOB_STATE__JOB_STATE_CANCELLED;
    api_reply(call, &r.base);
}

static void api_list_workers(coordinator *c, rpc_call *call, ProtobufCMessage *msg) {
    (void)msg;
    pthread_mutex_lock(&c->mu);
    size_t n;
    sched_worker *const *ws = sched_workers(c->s, &n);
    Zisk__Api__V1__WorkerInfo *infos = zisk_xcalloc(n ? n : 1, sizeof *infos);
    Zisk__Api__V1__WorkerInfo **ptrs = zisk_xcalloc(n ? n : 1, sizeof *ptrs);
    char ***progs = zisk_xcalloc(n ? n : 1, sizeof *progs);
    for (size_t i = 0; i < n; i++) {
        const sched_worker *w = ws[i];
        Zisk__Api__V1__WorkerInfo init = ZISK__API__V1__WORKER_INFO__INIT;
        infos[i] = init;
        infos[i].worker_id = (char *)w->id;
        infos[i].state = (char *)sched_worker_state_name(sched_worker_state_of(w));
        infos[i].compute_units = w->compute_units;
        infos[i].current_job_id = w->job ? (char *)w->job->id : (char *)w->cancelling;
        infos[i].peer = (char *)w->peer;
        infos[i].connected_unix_ms = w->connected_unix_ms;
        infos[i].last_heartbeat_unix_ms = w->last_heartbeat_unix_ms;
        progs[i] = zisk_xcalloc(w->programs.n ? w->programs.n : 1, sizeof(char *));
        for (size_t k = 0; k < w->programs.n; k++) progs[i][k] = w->programs.ids[k];
        infos[i].n_programs = w->programs.n;
        infos[i].programs = progs[i];
        infos[i].version = (char *)w->version;
        infos[i].backend = (char *)w->backend;
        infos[i].message = w->error ? (char *)w->error_msg : (char *)"";
        ptrs[i] = &infos[i];
    }
    Zisk__Api__V1__ListWorkersResponse r = ZISK__API__V1__LIST_WORKERS_RESPONSE__INIT;
    r.n_workers = n;
    r.workers = ptrs;
    api_reply(call, &r.base);
    pthread_mutex_unlock(&c->mu);
    for (size_t i = 0; i < n; i++) free(progs[i]);
    free(progs);
    free(ptrs);
    free(infos);
}

typedef struct job_list {
    sched_job **v;
    size_t n, cap;
} job_list;

static void collect_job(void *ctx, sched_job *j) {
    job_list *l = ctx;
    grow((void **)&l->v, &l->cap, l->n + 1, sizeof *l->v);
    l->v[l->n++] = j;
}

static void api_list_jobs(coordinator *c, rpc_call *call, ProtobufCMessage *msg) {
    const Zisk__Api__V1__ListJobsRequest *req = (const Zisk__Api__V1__ListJobsRequest *)msg;
    uint32_t limit = req->limit ? req->limit : 100;
    if (limit > 10000) limit = 10000;
    if ((int)req->state < 0 || req->state > ZISK__API__V1__JOB_STATE__JOB_STATE_CANCELLED) {
        api_fail_code(call, SCHED_E_INVALID_ARGUMENT, "unknown job state filter");
        return;
    }
    job_list l = {0};
    zisk_err err;
    pthread_mutex_lock(&c->mu);
    int rc = store_list_jobs(c->store, limit, (int)req->state, collect_job, &l, &err);
    pthread_mutex_unlock(&c->mu);
    if (rc != 0) {
        api_fail_code(call, SCHED_E_INTERNAL, err.msg);
    } else {
        job_pb *pbs = zisk_xcalloc(l.n ? l.n : 1, sizeof *pbs);
        Zisk__Api__V1__Job **ptrs = zisk_xcalloc(l.n ? l.n : 1, sizeof *ptrs);
        for (size_t i = 0; i < l.n; i++) {
            job_to_pb(l.v[i], &pbs[i]);
            ptrs[i] = &pbs[i].job;
            if (pbs[i].job.result_case == ZISK__API__V1__JOB__RESULT_EXECUTE) pbs[i].job.execute = &pbs[i].out;
        }
        Zisk__Api__V1__ListJobsResponse r = ZISK__API__V1__LIST_JOBS_RESPONSE__INIT;
        r.n_jobs = l.n;
        r.jobs = ptrs;
        api_reply(call, &r.base);
        free(ptrs);
        free(pbs);
    }
    for (size_t i = 0; i < l.n; i++) sched_job_free(l.v[i]);
    free(l.v);
}

/* PushJobInput: chunks accumulate in the call's context; the half-close hands them over. */
static void api_push_chunk(coordinator *c, rpc_call *call, ProtobufCMessage *msg) {
    api_ctx *x = rpc_call_data(call);
    const Zisk__Api__V1__JobInputChunk *ch = (const Zisk__Api__V1__JobInputChunk *)msg;
    if (x->failed || x->answered) return;
    if (!x->job_id[0]) {
        if (!valid_job_id(ch->job_id)) {
            x->failed = true;
            api_fail_code(call, SCHED_E_INVALID_ARGUMENT, "the first chunk must carry the job_id");
            return;
        }
        pthread_mutex_lock(&c->mu);
        sched_job *j = sched_job_find(c->s, ch->job_id);
        sched_error e = SCHED_E_NONE;
        char why[300] = "";
        if (!j) {
            e = SCHED_E_JOB_NOT_FOUND;
            snprintf(why, sizeof why, "job %s not found (or already finished)", ch->job_id);
        } else if (j->input_kind != SCHED_IN_PUSH || j->input_ready || terminal(j->state)) {
            e = SCHED_E_INVALID_JOB_STATE;
            snprintf(why, sizeof why, "job %s does not wait for pushed input (submit it with input.push = true)",
                     ch->job_id);
        }
        pthread_mutex_unlock(&c->mu);
        if (e != SCHED_E_NONE) {
            x->failed = true;
            api_fail_code(call, e, why);
            return;
        }
        snprintf(x->job_id, sizeof x->job_id, "%s", ch->job_id);
    } else if (ch->job_id[0] && strcmp(ch->job_id, x->job_id) != 0) {
        x->failed = true;
        api_fail_code(call, SCHED_E_INVALID_ARGUMENT, "all chunks of one stream must be for the same job");
        return;
    }
    if (ch->data.len > INPUT_MAX - x->len) {
        x->failed = true;
        api_fail(call, GRPC_STATUS_RESOURCE_EXHAUSTED, "ERROR_INVALID_ARGUMENT: the pushed input exceeds %zu bytes",
                 (size_t)INPUT_MAX);
        return;
    }
    grow((void **)&x->buf, &x->cap, x->len + ch->data.len + 1, 1);
    if (ch->data.len) memcpy(x->buf + x->len, ch->data.data, ch->data.len);
    x->len += ch->data.len;
}

static void api_push_half_close(rpc_call *call, void *data) {
    api_method *am = data;
    coordinator *c = am->c;
    api_ctx *x = rpc_call_data(call);
    if (x->failed || x->answered) return;
    if (!x->job_id[0]) {
        api_fail_code(call, SCHED_E_INVALID_ARGUMENT, "no chunk was sent (the first must carry the job_id)");
        return;
    }
    pthread_mutex_lock(&c->mu);
    sched_job *j = sched_job_find(c->s, x->job_id);
    bool ok = j && j->input_kind == SCHED_IN_PUSH && !j->input_ready && !terminal(j->state);
    if (ok) {
        free(j->input);
        j->input = x->buf;
        j->input_len = x->len;
        x->buf = NULL;
        j->input_ready = true;
        zisk_err err;
        if (store_save_job(c->store, j, true, &err) != 0) ZLOG_ERROR(T_JOBS, "cannot persist job %s: %s", j->id, err.msg);
        sched_input_ready(c->s, j, now_s());
    }
    pthread_mutex_unlock(&c->mu);
    if (!ok) {
        api_fail_code(call, SCHED_E_INVALID_JOB_STATE, "the job no longer waits for input (cancelled, failed or "
                                                       "already pushed)");
        return;
    }
    Zisk__Api__V1__PushJobInputResponse r = ZISK__API__V1__PUSH_JOB_INPUT_RESPONSE__INIT;
    r.bytes_received = x->len;
    api_reply(call, &r.base);
}

/* ------------------------------------------------------------------------------------------ */
/* Ticker, gauges                                                                              */

static void *ticker_main(void *arg) {
    coordinator *c = arg;
    while (!atomic_load(&c->ticker_stop)) {
        usleep(100 * 1000);
        pthread_mutex_lock(&c->mu);
        double now = now_s();
        int64_t ms = wall_ms();
        for (size_t i = 0; i < c->n_failed_setups; i++) {
            size_t n;
            sched_worker *const *ws = sched_workers(c->s, &n);
            for (size_t k = 0; k < n; k++)
                if (!strcmp(ws[k]->id, c->failed_setups[i].worker_id))
                    sched_setup_ack(c->s, ws[k], c->failed_setups[i].program_id, false,
                                    "the coordinator cannot read the program's ELF from its data directory", now);
        }
        c->n_failed_setups = 0;
        sched_tick(c->s, now, ms);
        if (now - c->last_heartbeat >= c->cfg->heartbeat_interval_seconds) {
            c->last_heartbeat = now;
            size_t n;
            sched_worker *const *ws = sched_workers(c->s, &n);
            CoordMessage m = ZISK__CLUSTER__V1__COORDINATOR_MESSAGE__INIT;
            Zisk__Cluster__V1__Heartbeat hb = ZISK__CLUSTER__V1__HEARTBEAT__INIT;
            hb.seq = ++c->hb_seq;
            hb.unix_ms = ms;
            m.payload_case = ZISK__CLUSTER__V1__COORDINATOR_MESSAGE__PAYLOAD_HEARTBEAT;
            m.heartbeat = &hb;
            for (size_t i = 0; i < n; i++)
                if (ws[i]->conn) send_to(ws[i]->conn, &m);
        }
        /* Long-polls whose time is up get the job as it is now. */
        for (size_t i = 0; i < c->n_waiters;) {
            if (c->waiters[i].deadline > now) {
                i++;
                continue;
            }
            waiter w = c->waiters[i];
            c->waiters[i] = c->waiters[--c->n_waiters];
            bool owned;
            sched_job *j = lookup_job(c, w.job_id, &owned);
            if (j) reply_job(w.call, j);
            else api_fail_code(w.call, SCHED_E_JOB_NOT_FOUND, "the job disappeared");
            if (owned) sched_job_free(j);
            rpc_call_unref(w.call);
        }
        pthread_mutex_unlock(&c->mu);
    }
    return NULL;
}

static void gauges(void *ctx, metrics_gauges *g) {
    coordinator *c = ctx;
    pthread_mutex_lock(&c->mu);
    sched_job_counts(c->s, &g->jobs_queued, &g->jobs_running);
    g->programs = sched_program_count(c->s);
    size_t n;
    sched_worker *const *ws = sched_workers(c->s, &n);
    for (size_t i = 0; i < n; i++) g->workers[sched_worker_state_of(ws[i])]++;
    g->serving = !c->stopping;
    pthread_mutex_unlock(&c->mu);
}

/* ------------------------------------------------------------------------------------------ */
/* Start and stop                                                                              */

static api_method api_methods[] = {
    {&wire_api_register_program, "RegisterProgram", api_register_program, NULL},
    {&wire_api_submit_job, "SubmitJob", api_submit_job, NULL},
    {&wire_api_wait_job_result, "WaitJobResult", api_wait_job_result, NULL},
    {&wire_api_watch_job, "WatchJob", api_watch_job, NULL},
    {&wire_api_push_job_input, "PushJobInput", api_push_chunk, NULL},
    {&wire_api_cancel_job, "CancelJob", api_cancel_job, NULL},
    {&wire_api_list_workers, "ListWorkers", api_list_workers, NULL},
    {&wire_api_list_jobs, "ListJobs", api_list_jobs, NULL},
    {&wire_api_get_job, "GetJob", api_get_job, NULL},
};

static void restore_program(void *ctx, const char *id, bool set_up) { sched_program_add(((coordinator *)ctx)->s, id, set_up); }

static void restore_job(void *ctx, sched_job *j) {
    coordinator *c = ctx;
    sched_restore(c->s, j, now_s());
    zisk_err err;
    if (store_save_job(c->store, j, false, &err) != 0) ZLOG_ERROR(T_JOBS, "cannot persist job %s: %s", j->id, err.msg);
}

static void grpc_log(int severity, const char *file, int line, const char *message) {
    zlog_level lvl = severity >= 2 ? ZLOG_LEVEL_ERROR : severity == 1 ? ZLOG_LEVEL_INFO : ZLOG_LEVEL_DEBUG;
    if (ZLOG_ENABLED(lvl)) zlog_write(lvl, "grpc", "%s (%s:%d)", message, file, line);
}

static int listen_on(rpc_server *s, const char *host, unsigned port, const char *what, zisk_err *err) {
    char addr[300];
    if (strchr(host, ':')) snprintf(addr, sizeof addr, "[%s]:%u", host, port);
    else snprintf(addr, sizeof addr, "%s:%u", host, port);
    int p = rpc_server_listen(s, addr, err);
    if (p < 0) return -1;
    char port_text[16];
    snprintf(port_text, sizeof port_text, "%d", p);
    zlog_write_fields(ZLOG_LEVEL_INFO, T_MAIN,
                      (zlog_field[]){ZLOG_F_STR("what", what), ZLOG_F_STR("host", host), ZLOG_F_I64("port", p)}, 3,
                      "%s port %d", what, p);
    return p;
}

coordinator *coordinator_start(const coord_settings *cfg, zisk_err *err) {
    coordinator *c = zisk_xcalloc(1, sizeof *c);
    pthread_mutex_init(&c->mu, NULL);
    c->cfg = cfg;
    c->metrics = metrics_new();
    rpc_set_grpc_log(grpc_log);
    if (store_open(cfg->data_dir, &c->store, err) != 0) goto fail;
    sched_config sc = {
        .heartbeat_timeout = cfg->heartbeat_timeout_seconds,
        .queue_timeout = cfg->queue_timeout_seconds,
        .execute_timeout = cfg->execute_timeout_seconds,
        .setup_timeout = cfg->setup_timeout_seconds,
        .max_queued = cfg->max_queued,
        .max_attempts = cfg->max_attempts,
        .retain_finished = 1000,
        .offline_retention = 3600,
    };
    sched_ops ops = {
        .send_task = ops_send_task,
        .send_cancel = ops_send_cancel,
        .send_setup = ops_send_setup,
        .drop_conn = ops_drop_conn,
        .job_event = ops_job_event,
        .program_set_up = ops_program_set_up,
        .task_outcome = ops_task_outcome,
        .wall_ms = ops_wall_ms,
        .job_evicted = ops_job_evicted,
    };
    c->s = sched_new(&sc, &ops, c);
    if (store_load_programs(c->store, restore_program, c, err) != 0) goto fail;
    if (store_load_active_jobs(c->store, restore_job, c, err) != 0) goto fail;
    size_t queued, running;
    sched_job_counts(c->s, &queued, &running);
    zlog_write_fields(ZLOG_LEVEL_INFO, T_MAIN,
                      (zlog_field[]){ZLOG_F_STR("data_dir", cfg->data_dir), ZLOG_F_U64("programs", sched_program_count(c->s)),
                                     ZLOG_F_U64("jobs_to_run", queued + running)},
                      3, "state restored");

    c->api = rpc_server_create(NULL, err);
    c->cluster = rpc_server_create(NULL, err);
    if (!c->api || !c->cluster) goto fail;
    for (size_t i = 0; i < sizeof api_methods / sizeof api_methods[0]; i++) {
        api_methods[i].c = c;
        rpc_handler h = {.on_start = api_on_start, .on_message = api_on_message, .on_done = api_on_done};
        if (api_methods[i].m == &wire_api_push_job_input) h.on_half_close = api_push_half_close;
        if (rpc_server_add_method(c->api, api_methods[i].m, &h, &api_methods[i], err) != 0) goto fail;
    }
    if (rpc_server_add_method(c->cluster, &wire_worker_stream, &cluster_handler, c, err) != 0) goto fail;
    if (listen_on(c->api, cfg->host, cfg->api_port, "api", err) < 0) goto fail;
    if (listen_on(c->cluster, cfg->host, cfg->cluster_port, "cluster", err) < 0) goto fail;
    if (cfg->metrics_enabled) {
        unsigned port = 0;
        c->http = metrics_http_start(cfg->metrics_host, cfg->metrics_port, c->metrics, gauges, c, &port, err);
        if (!c->http) goto fail;
        zlog_write_fields(ZLOG_LEVEL_INFO, T_MAIN,
                          (zlog_field[]){ZLOG_F_STR("what", "metrics"), ZLOG_F_STR("host", cfg->metrics_host),
                                         ZLOG_F_I64("port", port)},
                          3, "metrics port %u", port);
    }
    if (rpc_server_start(c->api, err) != 0 || rpc_server_start(c->cluster, err) != 0) goto fail;
    c->last_heartbeat = now_s();
    if (pthread_create(&c->ticker, NULL, ticker_main, c) != 0) {
        zisk_err_set(err, "cannot start the ticker thread");
        goto fail;
    }
    ZLOG_INFO(T_MAIN, "ready");
    return c;
fail:
    metrics_http_stop(c->http);
    rpc_server_destroy(c->api);
    rpc_server_destroy(c->cluster);
    sched_free(c->s);
    store_close(c->store);
    metrics_free(c->metrics);
    pthread_mutex_destroy(&c->mu);
    free(c);
    return NULL;
}

void coordinator_stop(coordinator *c) {
    double grace = c->cfg->shutdown_timeout_seconds;
    zlog_write_fields(ZLOG_LEVEL_INFO, T_MAIN, (zlog_field[]){ZLOG_F_F64("grace_seconds", grace)}, 1,
                      "shutting down: no new jobs; calls in flight and running tasks may finish");
    pthread_mutex_lock(&c->mu);
    c->stopping = true;
    /* Long-polls get the job as it is; watch streams end (clients may watch again later). */
    for (size_t i = 0; i < c->n_waiters; i++) {
        bool owned;
        sched_job *j = lookup_job(c, c->waiters[i].job_id, &owned);
        if (j) reply_job(c->waiters[i].call, j);
        else api_finish(c->waiters[i].call, GRPC_STATUS_UNAVAILABLE, "the coordinator is shutting down");
        if (owned) sched_job_free(j);
        rpc_call_unref(c->waiters[i].call);
    }
    c->n_waiters = 0;
    for (size_t i = 0; i < c->n_watchers; i++) {
        api_finish(c->watchers[i].call, GRPC_STATUS_UNAVAILABLE, "the coordinator is shutting down; watch again later");
        rpc_call_unref(c->watchers[i].call);
    }
    c->n_watchers = 0;
    sched_set_paused(c->s, true); /* nothing new is dispatched */
    pthread_mutex_unlock(&c->mu);
    rpc_server_set_health(c->api, "", GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__SERVING_STATUS__NOT_SERVING);
    double t0 = now_s();
    rpc_server_shutdown(c->api, grace);
    /* Running tasks may finish and report within what is left of the grace period. */
    for (;;) {
        size_t queued, running;
        pthread_mutex_lock(&c->mu);
        sched_job_counts(c->s, &queued, &running);
        pthread_mutex_unlock(&c->mu);
        if (running == 0 || now_s() - t0 >= grace) {
            if (running) ZLOG_WARN(T_MAIN, "%zu job(s) still running at the end of the grace period: they run again "
                                           "after the restart", running);
            break;
        }
        usleep(100 * 1000);
    }
    rpc_server_shutdown(c->cluster, 0); /* workers reconnect to the next coordinator */
    atomic_store(&c->ticker_stop, true);
    pthread_join(c->ticker, NULL);
    metrics_http_stop(c->http);
    rpc_server_destroy(c->api);
    rpc_server_destroy(c->cluster);
    pthread_mutex_lock(&c->mu);
    sched_free(c->s);
    c->s = NULL;
    store_close(c->store);
    pthread_mutex_unlock(&c->mu);
    metrics_free(c->metrics);
    pthread_mutex_destroy(&c->mu);
    free(c->waiters);
    free(c->watchers);
    free(c->failed_setups);
    free(c);
    ZLOG_INFO(T_MAIN, "stopped");
}
