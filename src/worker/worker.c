/*
 * worker.c: the connection loop and task execution of zisk-worker.
 *
 * Threads: the main thread owns the connection (one bidirectional stream) and every message
 * sent on it; a task thread runs the guest. They share only the task record below, under its
 * mutex, plus the task's atomic cancel flag. A finished task's result waits in the record until
 * the main thread has handed it to the transport, so a result computed while the coordinator
 * was unreachable is sent after the reconnect (if the coordinator still wants it).
 */
#include "worker.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "vm.h"
#include "wire.h"
#include "worker_inputs.h"

#ifndef ZISK_VERSION
#define ZISK_VERSION "unknown"
#endif

#define T_CONN "zisk_worker::conn"
#define T_TASK "zisk_worker::task"
#define SLICE_STEPS (1ull << 22) /* steps between checks of the cancel flag */
#define MAX_PROGRAMS 256

volatile sig_atomic_t worker_stop_requested;

typedef struct program_entry {
    char id[WIRE_PROGRAM_ID_LEN + 1];
    vm_program *prog;
} program_entry;

typedef enum task_phase { TASK_NONE, TASK_AWAIT_INPUT, TASK_RUNNING, TASK_DONE } task_phase;

typedef struct task {
    pthread_mutex_t mu;
    task_phase phase;          /* written by both threads under mu */
    pthread_t thread;
    int thread_live;           /* main thread only */
    atomic_int cancel;
    char job_id[128], task_id[128];
    const vm_program *prog;
    uint8_t *input;
    size_t input_len, input_expected;
    uint64_t max_steps;
    rpc_stream *stream;        /* the live connection's stream, or NULL (under mu) */
    int delivered;             /* the outcome was queued on a stream (under mu) */
    /* outcome (TASK_DONE) */
    int failed;                /* 1: error_msg, 0: result */
    int cancelled;
    char error_msg[512];
    char stop[16];
    uint64_t steps, exit_code;
    uint32_t outputs[VM_OUTPUT_WORDS];
    double seconds;
    char message[256];
} task;

typedef struct worker {
    const worker_settings *s;
    program_entry programs[MAX_PROGRAMS];
    size_t n_programs;
    task t;
    int draining;
    uint64_t hb_seq;
} worker;

static double now_s(void) { return zisk_now_seconds(); }

static int64_t unix_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static const vm_program *find_program(const worker *w, const char *id) {
    for (size_t i = 0; i < w->n_programs; i++)
        if (!strcmp(w->programs[i].id, id)) return w->programs[i].prog;
    return NULL;
}

/* ---- sending ---- */

static int send_msg(rpc_stream *st, Zisk__Cluster__V1__WorkerMessage *wm) {
    return rpc_stream_send(st, &wm->base);
}

static void fill_register(worker *w, Zisk__Cluster__V1__Register *r, char **ids) {
    for (size_t i = 0; i < w->n_programs; i++) ids[i] = w->programs[i].id;
    r->worker_id = w->s->worker_id;
    r->compute_units = (uint32_t)w->s->compute_units;
    r->version = ZISK_VERSION;
    r->environment = w->s->environment;
    r->backend = "emulator";
    r->n_programs = w->n_programs;
    r->programs = ids;
}

static int send_hello(worker *w, rpc_stream *st) {
    Zisk__Cluster__V1__WorkerMessage wm = ZISK__CLUSTER__V1__WORKER_MESSAGE__INIT;
    Zisk__Cluster__V1__Register reg = ZISK__CLUSTER__V1__REGISTER__INIT;
    Zisk__Cluster__V1__Reconnect rec = ZISK__CLUSTER__V1__RECONNECT__INIT;
    char *ids[MAX_PROGRAMS];
    fill_register(w, &reg, ids);
    pthread_mutex_lock(&w->t.mu);
    int holding = w->t.phase != TASK_NONE;
    char job[128], tid[128];
    snprintf(job, sizeof job, "%s", w->t.job_id);
    snprintf(tid, sizeof tid, "%s", w->t.task_id);
    pthread_mutex_unlock(&w->t.mu);
    if (holding) {
        rec.register_ = &reg;
        rec.last_job_id = job;
        rec.last_task_id = tid;
        wm.payload_case = ZISK__CLUSTER__V1__WORKER_MESSAGE__PAYLOAD_RECONNECT;
        wm.reconnect = &rec;
    } else {
        wm.payload_case = ZISK__CLUSTER__V1__WORKER_MESSAGE__PAYLOAD_REGISTER;
        wm.register_ = &reg;
    }
    return send_msg(st, &wm);
}

static void send_task_error(rpc_stream *st, const char *job, const char *tid, int retryable, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static void send_task_error(rpc_stream *st, const char *job, const char *tid, int retryable, const char *fmt, ...) {
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    Zisk__Cluster__V1__WorkerMessage wm = ZISK__CLUSTER__V1__WORKER_MESSAGE__INIT;
    Zisk__Cluster__V1__TaskError te = ZISK__CLUSTER__V1__TASK_ERROR__INIT;
    te.job_id = (char *)job;
    te.task_id = (char *)tid;
    te.message = msg;
    te.retryable = retryable;
    wm.payload_case = ZISK__CLUSTER__V1__WORKER_MESSAGE__PAYLOAD_TASK_ERROR;
    wm.task_error = &te;
    send_msg(st, &wm);
    ZLOG_KV(ZLOG_LEVEL_WARN, T_TASK, "task refused", "job_id", job, "reason", msg);
}

static void send_cancel_ack(rpc_stream *st, const char *job) {
    Zisk__Cluster__V1__WorkerMessage wm = ZISK__CLUSTER__V1__WORKER_MESSAGE__INIT;
    Zisk__Cluster__V1__CancelAck ca = ZISK__CLUSTER__V1__CANCEL_ACK__INIT;
    ca.job_id = (char *)job;
    wm.payload_case = ZISK__CLUSTER__V1__WORKER_MESSAGE__PAYLOAD_CANCEL_ACK;
    wm.cancel_ack = &ca;
    send_msg(st, &wm);
}

/* Queues the finished task's outcome on st; returns 0 or -1 if the stream has ended. */
static int send_outcome(task *t, rpc_stream *st) {
    Zisk__Cluster__V1__WorkerMessage wm = ZISK__CLUSTER__V1__WORKER_MESSAGE__INIT;
    if (t->cancelled) {
        send_cancel_ack(st, t->job_id);
    } else if (t->failed) {
        send_task_error(st, t->job_id, t->task_id, 0, "%s", t->error_msg);
    } else {
        Zisk__Cluster__V1__TaskResult tr = ZISK__CLUSTER__V1__TASK_RESULT__INIT;
        Zisk__Cluster__V1__ExecuteResult er = ZISK__CLUSTER__V1__EXECUTE_RESULT__INIT;
        er.stop = t->stop;
        er.steps = t->steps;
        er.exit_code = t->exit_code;
        er.n_outputs = VM_OUTPUT_WORDS;
        er.outputs = t->outputs;
        er.seconds = t->seconds;
        er.message = t->message;
        tr.job_id = t->job_id;
        tr.task_id = t->task_id;
        tr.result_case = ZISK__CLUSTER__V1__TASK_RESULT__RESULT_EXECUTE;
        tr.execute = &er;
        wm.payload_case = ZISK__CLUSTER__V1__WORKER_MESSAGE__PAYLOAD_TASK_RESULT;
        wm.task_result = &tr;
        if (send_msg(st, &wm) != 0) return -1;
    }
    return 0;
}

/* ---- tasks ---- */

static void *task_main(void *arg) {
    task *t = arg;
    vm *m = vm_new(t->prog);
    zisk_err err;
    vm_result res;
    memset(&res, 0, sizeof res);
    double t0 = now_s();
    int failed = 0, cancelled = 0;
    char why[512] = "";
    if (vm_set_input(m, t->input, t->input_len, &err) != 0) {
        failed = 1;
        snprintf(why, sizeof why, "%s", err.msg);
    } else {
        vm_set_console(m, NULL);
        uint64_t limit = t->max_steps ? t->max_steps : UINT64_MAX;
        for (;;) {
            uint64_t until = vm_get_steps(m) + SLICE_STEPS;
            if (until > limit || until < SLICE_STEPS) until = limit;
            vm_run(m, VM_BACKEND_INTERPRETER, until, &res);
            if (res.stop != VM_STOP_STEP_LIMIT || res.steps >= limit) break;
            if (atomic_load(&t->cancel)) {
                cancelled = 1;
                break;
            }
        }
    }
    double secs = now_s() - t0;
    pthread_mutex_lock(&t->mu);
    t->failed = failed;
    t->cancelled = cancelled;
    snprintf(t->error_msg, sizeof t->error_msg, "%s", why);
    if (!failed) {
        snprintf(t->stop, sizeof t->stop, "%s",
                 res.stop == VM_STOP_EXIT ? "exit" : res.stop == VM_STOP_FAULT ? "fault" : "step_limit");
        t->steps = res.steps;
        t->exit_code = res.exit_code;
        vm_get_outputs(m, t->outputs);
        t->seconds = secs;
        if (res.stop == VM_STOP_STEP_LIMIT)
            snprintf(t->message, sizeof t->message, "step limit of %llu steps reached", (unsigned long long)res.steps);
        else
            snprintf(t->message, sizeof t->message, "%s", res.message);
    }
    t->phase = TASK_DONE;
    /* Send at once when connected, so a short job is not held until the main loop wakes;
     * otherwise the main thread delivers it after the reconnect. */
    if (t->stream && send_outcome(t, t->stream) == 0) t->delivered = 1;
    pthread_mutex_unlock(&t->mu);
    vm_free(m);
    return NULL;
}

static void task_start(worker *w) {
    task *t = &w->t;
    pthread_mutex_lock(&t->mu);
    t->phase = TASK_RUNNING;
    pthread_mutex_unlock(&t->mu);
    ZLOG_KV(ZLOG_LEVEL_INFO, T_TASK, "task started", "job_id", t->job_id, "task_id", t->task_id);
    if (pthread_create(&t->thread, NULL, task_main, t) != 0)
        zisk_panic(__FILE__, __LINE__, "cannot start the task thread");
    t->thread_live = 1;
}

static void task_clear(task *t) {
    if (t->thread_live) {
        pthread_join(t->thread, NULL);
        t->thread_live = 0;
    }
    free(t->input);
    t->input = NULL;
    t->input_len = t->input_expected = 0;
    pthread_mutex_lock(&t->mu);
    t->phase = TASK_NONE;
    t->delivered = 0;
    t->job_id[0] = t->task_id[0] = 0;
    pthread_mutex_unlock(&t->mu);
    atomic_store(&t->cancel, 0);
}

static task_phase task_phase_of(task *t) {
    pthread_mutex_lock(&t->mu);
    task_phase p = t->phase;
    pthread_mutex_unlock(&t->mu);
    return p;
}

static int deliver(worker *w, rpc_stream *st);

static void on_task(worker *w, rpc_stream *st, const Zisk__Cluster__V1__Task *m) {
    task *t = &w->t;
    /* The previous task may have sent its outcome already (from its own thread) and only
     * wait for the main loop's clean-up: finish that first, it is not busy any more. */
    if (task_phase_of(t) == TASK_DONE) deliver(w, st);
    if (w->draining) {
        send_task_error(st, m->job_id, m->task_id, 1, "worker %s is shutting down", w->s->worker_id);
        return;
    }
    if (task_phase_of(t) != TASK_NONE) {
        send_task_error(st, m->job_id, m->task_id, 1, "worker %s is busy with job %s", w->s->worker_id, t->job_id);
        return;
    }
    if (m->kind != ZISK__CLUSTER__V1__TASK_KIND__TASK_KIND_EXECUTE) {
        send_task_error(st, m->job_id, m->task_id, 0, "task kind %d is not supported by this worker", (int)m->kind);
        return;
    }
    const vm_program *prog = find_program(w, m->program_id);
    if (!prog) {
        send_task_error(st, m->job_id, m->task_id, 1, "program %s is not set up on worker %s", m->program_id,
                        w->s->worker_id);
        return;
    }
    snprintf(t->job_id, sizeof t->job_id, "%s", m->job_id);
    snprintf(t->task_id, sizeof t->task_id, "%s", m->task_id);
    t->prog = prog;
    t->max_steps = m->max_steps;
    t->input = NULL;
    t->input_len = 0;
    switch (m->input_case) {
    case ZISK__CLUSTER__V1__TASK__INPUT_INPUT_INLINE:
        t->input_len = m->input_inline.len;
        t->input = zisk_xmalloc(t->input_len ? t->input_len : 1);
        if (t->input_len) memcpy(t->input, m->input_inline.data, t->input_len);
        break;
    case ZISK__CLUSTER__V1__TASK__INPUT_INPUT_PATH: {
        char *path = NULL;
        zisk_err err;
        int rc = worker_resolve_input(w->s->inputs_folder, m->input_path, &path, &err);
        if (rc == 0) rc = zisk_read_file(path, VM_INPUT_SIZE - 8, &t->input, &t->input_len, &err);
        free(path);
        if (rc != 0) {
            send_task_error(st, m->job_id, m->task_id, 0, "%s", err.msg);
            t->job_id[0] = 0;
            return;
        }
        break;
    }
    case ZISK__CLUSTER__V1__TASK__INPUT_INPUT_STREAMED:
        if (m->input_streamed > VM_INPUT_SIZE - 8) {
            send_task_error(st, m->job_id, m->task_id, 0, "streamed input of %llu bytes exceeds the input region",
                            (unsigned long long)m->input_streamed);
            t->job_id[0] = 0;
            return;
        }
        t->input_expected = m->input_streamed;
        t->input = zisk_xmalloc(t->input_expected ? t->input_expected : 1);
        pthread_mutex_lock(&t->mu);
        t->phase = TASK_AWAIT_INPUT;
        pthread_mutex_unlock(&t->mu);
        if (t->input_expected == 0) task_start(w);
        return;
    default:
        break; /* no input */
    }
    task_start(w);
}

static void on_input_data(worker *w, rpc_stream *st, const Zisk__Cluster__V1__InputData *m) {
    task *t = &w->t;
    if (task_phase_of(t) != TASK_AWAIT_INPUT || strcmp(m->job_id, t->job_id) != 0) {
        ZLOG_KV(ZLOG_LEVEL_WARN, T_TASK, "input data for a job this worker is not waiting for (ignored)", "job_id",
                m->job_id);
        return;
    }
    if (m->chunk.len > t->input_expected - t->input_len) {
        send_task_error(st, t->job_id, t->task_id, 0, "streamed input is longer than the announced %llu bytes",
                        (unsigned long long)t->input_expected);
        task_clear(t);
        return;
    }
    memcpy(t->input + t->input_len, m->chunk.data, m->chunk.len);
    t->input_len += m->chunk.len;
    if (m->last || t->input_len == t->input_expected) {
        if (t->input_len != t->input_expected) {
            send_task_error(st, t->job_id, t->task_id, 0, "streamed input ended after %zu of %llu bytes", t->input_len,
                            (unsigned long long)t->input_expected);
            task_clear(t);
            return;
        }
        task_start(w);
    }
}

static void on_setup(worker *w, rpc_stream *st, const Zisk__Cluster__V1__SetupProgram *m) {
    char id[WIRE_PROGRAM_ID_LEN + 1], msg[600] = "";
    int ok = 0;
    wire_program_id(m->elf.data, m->elf.len, id);
    if (strcmp(id, m->program_id) != 0) {
        snprintf(msg, sizeof msg, "the ELF's SHA-256 is %s, not the program id %.64s", id, m->program_id);
    } else if (find_program(w, id)) {
        ok = 1;
    } else if (w->n_programs == MAX_PROGRAMS) {
        snprintf(msg, sizeof msg, "this worker holds the maximum of %d programs", MAX_PROGRAMS);
    } else {
        zisk_err err;
        vm_program *p;
        if (vm_program_from_elf(m->elf.data, m->elf.len, &p, &err) != 0) {
            snprintf(msg, sizeof msg, "invalid ELF: %s", err.msg);
        } else {
            snprintf(w->programs[w->n_programs].id, sizeof w->programs[0].id, "%s", id);
            w->programs[w->n_programs++].prog = p;
            ok = 1;
        }
    }
    Zisk__Cluster__V1__WorkerMessage wm = ZISK__CLUSTER__V1__WORKER_MESSAGE__INIT;
    Zisk__Cluster__V1__SetupAck ack = ZISK__CLUSTER__V1__SETUP_ACK__INIT;
    ack.program_id = m->program_id;
    ack.ok = ok;
    ack.message = msg;
    wm.payload_case = ZISK__CLUSTER__V1__WORKER_MESSAGE__PAYLOAD_SETUP_ACK;
    wm.setup_ack = &ack;
    send_msg(st, &wm);
    if (ok)
        ZLOG_KV(ZLOG_LEVEL_INFO, T_CONN, "program set up", "program_id", id);
    else
        ZLOG_KV(ZLOG_LEVEL_ERROR, T_CONN, "program setup failed", "program_id", m->program_id, "reason", msg);
}

static void on_cancel(worker *w, rpc_stream *st, const Zisk__Cluster__V1__JobCancelled *m) {
    task *t = &w->t;
    task_phase p = task_phase_of(t);
    if (p != TASK_NONE && !strcmp(t->job_id, m->job_id)) {
        ZLOG_KV(ZLOG_LEVEL_INFO, T_TASK, "job cancelled by the coordinator", "job_id", m->job_id, "reason", m->reason);
        if (p == TASK_AWAIT_INPUT) {
            task_clear(t);
            send_cancel_ack(st, m->job_id);
        } else {
            atomic_store(&t->cancel, 1); /* the task thread stops at its next slice; ack then */
            pthread_mutex_lock(&t->mu);
            if (t->phase == TASK_DONE) t->cancelled = 1; /* finished meanwhile: drop the result */
            pthread_mutex_unlock(&t->mu);
        }
        return;
    }
    send_cancel_ack(st, m->job_id);
}

static void send_heartbeat(worker *w, rpc_stream *st) {
    Zisk__Cluster__V1__WorkerMessage wm = ZISK__CLUSTER__V1__WORKER_MESSAGE__INIT;
    Zisk__Cluster__V1__Heartbeat hb = ZISK__CLUSTER__V1__HEARTBEAT__INIT;
    hb.seq = ++w->hb_seq;
    hb.unix_ms = unix_ms();
    wm.payload_case = ZISK__CLUSTER__V1__WORKER_MESSAGE__PAYLOAD_HEARTBEAT;
    wm.heartbeat = &hb;
    send_msg(st, &wm);
}

static void send_heartbeat_ack(rpc_stream *st, uint64_t seq) {
    Zisk__Cluster__V1__WorkerMessage wm = ZISK__CLUSTER__V1__WORKER_MESSAGE__INIT;
    Zisk__Cluster__V1__HeartbeatAck ack = ZISK__CLUSTER__V1__HEARTBEAT_ACK__INIT;
    ack.seq = seq;
    wm.payload_case = ZISK__CLUSTER__V1__WORKER_MESSAGE__PAYLOAD_HEARTBEAT_ACK;
    wm.heartbeat_ack = &ack;
    send_msg(st, &wm);
}

/* ---- one connection ---- */

typedef enum session_end { SESSION_RETRY, SESSION_DONE } session_end;

static void begin_drain(worker *w, const char *why) {
    if (w->draining) return;
    w->draining = 1;
    task_phase p = task_phase_of(&w->t);
    if (p == TASK_RUNNING || p == TASK_DONE)
        ZLOG_KV(ZLOG_LEVEL_INFO, "zisk_worker", "shutting down: no new tasks; finishing the running one first",
                "reason", why, "job_id", w->t.job_id);
    else
        ZLOG_KV(ZLOG_LEVEL_INFO, "zisk_worker", "shutting down", "reason", why);
}

/* Delivers a finished task's outcome; true when nothing is left to deliver. */
static int deliver(worker *w, rpc_stream *st) {
    task *t = &w->t;
    task_phase p = task_phase_of(t);
    if (p != TASK_DONE) return p == TASK_NONE;
    pthread_mutex_lock(&t->mu);
    int queued = t->delivered || send_outcome(t, st) == 0;
    pthread_mutex_unlock(&t->mu);
    if (!queued || rpc_stream_flush(st, 10.0) != 0) {
        /* The stream ended before the outcome left: keep it for the next connection. */
        pthread_mutex_lock(&t->mu);
        t->delivered = 0;
        pthread_mutex_unlock(&t->mu);
        return 0;
    }
    if (t->cancelled)
        ZLOG_KV(ZLOG_LEVEL_INFO, T_TASK, "task cancelled", "job_id", t->job_id);
    else if (t->failed)
        ZLOG_KV(ZLOG_LEVEL_WARN, T_TASK, "task failed", "job_id", t->job_id, "reason", t->error_msg);
    else
        zlog_write_fields(ZLOG_LEVEL_INFO, T_TASK,
                          (zlog_field[]){ZLOG_F_STR("job_id", t->job_id), ZLOG_F_STR("stop", t->stop),
                                         ZLOG_F_U64("steps", t->steps), ZLOG_F_U64("exit_code", t->exit_code),
                                         ZLOG_F_F64("seconds", t->seconds)},
                          5, "task finished");
    task_clear(t);
    return 1;
}

static session_end session(worker *w, zlog_ratelimit *rl) {
    const worker_settings *s = w->s;
    zisk_err err;
    rpc_channel *ch = rpc_channel_create(s->coordinator_url, NULL, &err);
    if (!ch) {
        ZLOG_ERROR("zisk_worker", "%s", err.msg);
        return SESSION_RETRY;
    }
    rpc_stream *st = rpc_stream_open(ch, &wire_worker_stream, 0, &err);
    session_end end = SESSION_RETRY;
    if (!st) {
        ZLOG_ERROR(T_CONN, "%s", err.msg);
        rpc_channel_destroy(ch);
        return SESSION_RETRY;
    }
    send_hello(w, st);

    /* The register response. */
    ProtobufCMessage *msg = NULL;
    rpc_status status;
    double timeout = (double)s->heartbeat_timeout_seconds;
    rpc_recv_result rr = rpc_stream_recv(st, timeout, &msg, &status);
    if (rr != RPC_RECV_MESSAGE) {
        if (zlog_ratelimit_check(rl, (double)s->reconnect_interval_seconds, 300.0, NULL))
            ZLOG_KV(ZLOG_LEVEL_WARN, T_CONN, "cannot reach the coordinator; retrying", "url", s->coordinator_url,
                    "status", rr == RPC_RECV_TIMEOUT ? "no answer to register" : rpc_status_code_name(status.code),
                    "detail", rr == RPC_RECV_TIMEOUT ? "" : status.message);
        goto out;
    }
    Zisk__Cluster__V1__CoordinatorMessage *cm = (Zisk__Cluster__V1__CoordinatorMessage *)msg;
    if (cm->payload_case != ZISK__CLUSTER__V1__COORDINATOR_MESSAGE__PAYLOAD_REGISTER_RESPONSE) {
        ZLOG_ERROR(T_CONN, "the coordinator's first message is not a register response (case %d); reconnecting",
                   (int)cm->payload_case);
        rpc_message_free(msg);
        goto out;
    }
    Zisk__Cluster__V1__RegisterResponse *rsp = cm->register_response;
    if (!rsp->accepted) {
        ZLOG_KV(ZLOG_LEVEL_ERROR, T_CONN, "the coordinator refused this worker; retrying later", "worker_id",
                s->worker_id, "reason", rsp->message);
        rpc_message_free(msg);
        goto out;
    }
    zlog_ratelimit_reset(rl);
    double hb_interval = rsp->heartbeat_interval_ms ? rsp->heartbeat_interval_ms / 1000.0 : 10.0;
    if (hb_interval > s->heartbeat_timeout_seconds / 3.0) hb_interval = s->heartbeat_timeout_seconds / 3.0;
    if (rsp->directive == ZISK__CLUSTER__V1__DIRECTIVE__DIRECTIVE_CANCEL_STALE_JOB && task_phase_of(&w->t) != TASK_NONE) {
        ZLOG_KV(ZLOG_LEVEL_WARN, T_TASK, "the coordinator no longer runs the job this worker holds: dropping it",
                "job_id", w->t.job_id);
        atomic_store(&w->t.cancel, 1);
        task_clear(&w->t);
    }
    zlog_write_fields(ZLOG_LEVEL_INFO, T_CONN,
                      (zlog_field[]){ZLOG_F_STR("url", s->coordinator_url), ZLOG_F_STR("worker_id", s->worker_id),
                                     ZLOG_F_U64("compute_units", s->compute_units),
                                     ZLOG_F_U64("programs_required", rsp->n_programs)},
                      4, "registered with the coordinator");
    rpc_message_free(msg);

    pthread_mutex_lock(&w->t.mu);
    w->t.stream = st;
    pthread_mutex_unlock(&w->t.mu);
    double last_heard = now_s(), last_hb = 0;
    for (;;) {
        if (worker_stop_requested) begin_drain(w, "signal");
        int idle = deliver(w, st);
        if (w->draining && idle) {
            rpc_stream_close_send(st);
            rpc_stream_flush(st, 5.0);
            end = SESSION_DONE;
            break;
        }
        double t = now_s();
        if (t - last_hb >= hb_interval) {
            send_heartbeat(w, st);
            last_hb = t;
        }
        if (t - last_heard > (double)s->heartbeat_timeout_seconds) {
            zlog_write_fields(ZLOG_LEVEL_WARN, T_CONN,
                              (zlog_field[]){ZLOG_F_F64("silent_seconds", t - last_heard),
                                             ZLOG_F_U64("heartbeat_timeout_seconds", s->heartbeat_timeout_seconds),
                                             ZLOG_F_STR("url", s->coordinator_url)},
                              3, "the coordinator went silent; reconnecting");
            break;
        }
        rr = rpc_stream_recv(st, 0.2, &msg, &status);
        if (rr == RPC_RECV_TIMEOUT) continue;
        if (rr == RPC_RECV_END) {
            ZLOG_KV(ZLOG_LEVEL_WARN, T_CONN, "lost the connection to the coordinator; reconnecting", "status",
                    rpc_status_code_name(status.code), "detail", status.message);
            break;
        }
        last_heard = now_s();
        cm = (Zisk__Cluster__V1__CoordinatorMessage *)msg;
        switch (cm->payload_case) {
        case ZISK__CLUSTER__V1__COORDINATOR_MESSAGE__PAYLOAD_HEARTBEAT: send_heartbeat_ack(st, cm->heartbeat->seq); break;
        case ZISK__CLUSTER__V1__COORDINATOR_MESSAGE__PAYLOAD_HEARTBEAT_ACK: break;
        case ZISK__CLUSTER__V1__COORDINATOR_MESSAGE__PAYLOAD_TASK: on_task(w, st, cm->task); break;
        case ZISK__CLUSTER__V1__COORDINATOR_MESSAGE__PAYLOAD_INPUT_DATA: on_input_data(w, st, cm->input_data); break;
        case ZISK__CLUSTER__V1__COORDINATOR_MESSAGE__PAYLOAD_SETUP_PROGRAM: on_setup(w, st, cm->setup_program); break;
        case ZISK__CLUSTER__V1__COORDINATOR_MESSAGE__PAYLOAD_JOB_CANCELLED: on_cancel(w, st, cm->job_cancelled); break;
        case ZISK__CLUSTER__V1__COORDINATOR_MESSAGE__PAYLOAD_SHUTDOWN:
            begin_drain(w, cm->shutdown->reason && *cm->shutdown->reason ? cm->shutdown->reason : "coordinator request");
            break;
        default:
            ZLOG_WARN(T_CONN, "ignoring an unexpected message from the coordinator (case %d)", (int)cm->payload_case);
        }
        rpc_message_free(msg);
    }
out:
    pthread_mutex_lock(&w->t.mu);
    w->t.stream = NULL;
    pthread_mutex_unlock(&w->t.mu);
    /* A streamed input cannot resume on another connection: forget the half-received task
     * (the coordinator reassigns it). Running and finished tasks are kept for the reconnect. */
    if (task_phase_of(&w->t) == TASK_AWAIT_INPUT) {
        ZLOG_KV(ZLOG_LEVEL_WARN, T_TASK, "connection lost while receiving a task's input: dropping the task",
                "job_id", w->t.job_id);
        task_clear(&w->t);
    }
    rpc_stream_destroy(st);
    rpc_channel_destroy(ch);
    return end;
}

int worker_run(const worker_settings *s) {
    worker *w = zisk_xcalloc(1, sizeof *w);
    w->s = s;
    pthread_mutex_init(&w->t.mu, NULL);
    zlog_ratelimit rl = ZLOG_RATELIMIT_INIT;
    for (;;) {
        if (session(w, &rl) == SESSION_DONE) break;
        if (worker_stop_requested) begin_drain(w, "signal");
        /* Unreachable coordinator while draining: a finished result cannot be delivered;
         * a running task is still let finish, then the worker leaves. */
        if (w->draining && task_phase_of(&w->t) != TASK_RUNNING) break;
        for (double until = now_s() + (double)s->reconnect_interval_seconds; now_s() < until;) {
            if (worker_stop_requested && !w->draining) break;
            usleep(100 * 1000);
        }
    }
    if (w->t.phase != TASK_NONE) task_clear(&w->t);
    for (size_t i = 0; i < w->n_programs; i++) vm_program_free(w->programs[i].prog);
    pthread_mutex_destroy(&w->t.mu);
    free(w);
    ZLOG_INFO("zisk_worker", "stopped");
    return 0;
}
