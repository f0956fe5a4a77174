/*
 * sched.h: the coordinator's brain, with no I/O: the worker pool, the job queue, the programs
 * and every state transition between them. The glue (coordinator.c) feeds it events (a worker
 * said hello, sent a result, went silent; a client submitted or cancelled a job; time passed)
 * and carries out what it decides through the callbacks in sched_ops (send a task, cancel a
 * stream, persist and announce a job change). Time is always passed in (monotonic seconds), so
 * the unit tests drive it with a fake clock.
 *
 * HOW IT WORKS
 *  Workers. A worker is known by its id. States (sched_worker_state_name):
 *    connecting  said hello, not yet started (between the register response and its set-ups)
 *    setting_up  programs still being set up on it (SetupProgram sent, SetupAck awaited)
 *    ready       connected, every set-up program acknowledged, no task: it may get a task
 *    busy        runs a task (or is cancelling one)
 *    error       a program set-up failed on it: it gets no tasks until it reconnects
 *    offline     no live stream (kept in the list for an hour, then forgotten)
 *  A hello with an id whose stream is live (heard from within heartbeat_timeout) is refused; a
 *  hello for an id whose stream is silent takes the id over (the old stream is dropped).
 *  A worker silent for heartbeat_timeout is dropped (offline) and its task goes back to the
 *  queue. A reconnecting worker that still holds a job is told KEEP_COMPUTING when the job is
 *  still assigned to it, or still waiting for a worker (it takes the job back, nothing is
 *  lost); otherwise CANCEL_STALE_JOB.
 *
 *  Jobs. Submitted jobs wait in ONE queue ordered by priority (higher first) then submission
 *  order; the queue length is bounded (sched_submit fails with ERROR_CLUSTER_UNAVAILABLE-like
 *  SCHED_FULL). Dispatch walks the queue and gives each runnable job the ready worker that has
 *  its program and has been idle longest; jobs that cannot be placed are skipped (no head-of-line
 *  blocking between programs).
 *    execute  one task on one worker. A lost worker (disconnect, kill, silence) or a retryable
 *             task error puts the job back in the queue, ahead of later jobs of its priority;
 *             a non-retryable error fails it.
 *    setup    sends the program to every connected worker; completes when each has answered
 *             (failures put those workers in `error`); workers joining later get the program
 *             before they become ready.
 *  Timeouts (T = the job's timeout, or the kind's default):
 *    - a job waiting for a worker fails after T without any connected worker able to run it
 *      (none has its program / none connected): ERROR_CLUSTER_UNAVAILABLE with the reason
 *      (including why its previous worker was lost);
 *    - a job waiting while capable workers are busy waits up to queue_timeout (0: for ever);
 *    - one attempt running longer than T is cancelled on its worker and fails (ERROR_TIMEOUT);
 *    - pushed input that has not arrived T after submission fails the job.
 *
 * OWNERSHIP: sched owns every worker and job record. Records handed to callbacks are valid
 * during the callback; jobs stay valid while non-terminal, and finished jobs while they are
 * among the most recent `retain_finished` (then ops.job_evicted is called and the job freed).
 * Strings passed in are copied.
 */
#ifndef ZISK_SCHED_H
#define ZISK_SCHED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base.h"

#define SCHED_ID_MAX 128        /* worker id characters */
#define SCHED_PROGRAM_ID_LEN 64 /* hex SHA-256 */
#define SCHED_JOB_ID_MAX 40     /* UUID text is 36 */
#define SCHED_OUTPUT_WORDS 64

/* Values match zisk.api.v1.JobKind / JobState / ErrorCode / JobEventType. */
typedef enum sched_kind { SCHED_KIND_SETUP = 1, SCHED_KIND_EXECUTE = 2 } sched_kind;
typedef enum sched_job_state {
    SCHED_QUEUED = 1,
    SCHED_RUNNING = 2,
    SCHED_COMPLETED = 3,
    SCHED_FAILED = 4,
    SCHED_CANCELLED = 5,
} sched_job_state;
typedef enum sched_error {
    SCHED_E_NONE = 0,
    SCHED_E_JOB_NOT_FOUND = 1,
    SCHED_E_PROGRAM_NOT_FOUND = 2,
    SCHED_E_PROGRAM_NOT_SET_UP = 3,
    SCHED_E_INVALID_JOB_STATE = 4,
    SCHED_E_CLUSTER_UNAVAILABLE = 6,
    SCHED_E_INTERNAL = 7,
    SCHED_E_INVALID_ARGUMENT = 8,
    SCHED_E_TIMEOUT = 9,
    SCHED_E_QUEUE_FULL = 100, /* not in the API enum: answered as RESOURCE_EXHAUSTED */
} sched_error;
typedef enum sched_event {
    SCHED_EV_QUEUED = 1,
    SCHED_EV_STARTED = 2,
    SCHED_EV_PROGRESS = 3,
    SCHED_EV_COMPLETED = 4,
    SCHED_EV_FAILED = 5,
    SCHED_EV_CANCELLED = 6,
} sched_event;

typedef enum sched_worker_state {
    SCHED_W_CONNECTING,
    SCHED_W_SETTING_UP,
    SCHED_W_READY,
    SCHED_W_BUSY,
    SCHED_W_ERROR,
    SCHED_W_OFFLINE,
    SCHED_W_N_STATES,
} sched_worker_state;

typedef enum sched_input { SCHED_IN_NONE, SCHED_IN_INLINE, SCHED_IN_PATH, SCHED_IN_PUSH } sched_input;

typedef enum sched_directive { SCHED_DIR_NONE = 0, SCHED_DIR_KEEP = 1, SCHED_DIR_CANCEL_STALE = 2 } sched_directive;

/* A growable set of program ids. */
typedef struct sched_idset {
    char (*ids)[SCHED_PROGRAM_ID_LEN + 1];
    size_t n, cap;
} sched_idset;

typedef struct sched_exec_result {
    char stop[16]; /* "exit" | "fault" | "step_limit" */
    uint64_t steps, exit_code;
    uint32_t outputs[SCHED_OUTPUT_WORDS];
    double seconds;
    char message[256];
} sched_exec_result;

struct sched_job;

typedef struct sched_worker {
    char id[SCHED_ID_MAX + 1];
    uint32_t compute_units;
    char version[64], backend[32], environment[32], peer[128];
    void *conn;               /* the glue's stream handle; NULL when offline */
    bool started;             /* set-ups sent (sched_worker_start) */
    bool error;               /* a set-up failed: no tasks */
    char error_msg[600];
    sched_idset programs;     /* set up and acknowledged */
    sched_idset pending;      /* SetupProgram sent, ack awaited */
    struct sched_job *job;    /* the task it runs, or NULL */
    char cancelling[SCHED_JOB_ID_MAX]; /* job id whose CancelAck is awaited ("" if none) */
    double last_heard, idle_since, offline_since;
    int64_t connected_unix_ms, last_heartbeat_unix_ms;
    uint64_t tasks_ok, tasks_failed;
} sched_worker;

typedef struct sched_job {
    char id[SCHED_JOB_ID_MAX];
    uint64_t seq;             /* submission order (persists) */
    sched_kind kind;
    sched_job_state state;
    char program_id[SCHED_PROGRAM_ID_LEN + 1];
    int32_t priority;
    uint32_t timeout_seconds; /* resolved (never 0) */
    uint64_t max_steps;
    sched_input input_kind;
    uint8_t *input;           /* inline or pushed bytes (owned) */
    size_t input_len;
    char *input_path;         /* owned */
    bool input_ready;         /* pushed input complete (always true for other kinds) */
    int64_t created_unix_ms, started_unix_ms, finished_unix_ms;
    double submitted_at, waiting_since, no_capacity_since, attempt_started_at; /* monotonic */
    char phase[32];
    sched_error error_code;
    char message[1024];
    char **workers;           /* ids that ran it, in order (owned) */
    size_t n_workers;
    uint32_t attempts, retry_errors;
    bool in_queue;            /* waiting for dispatch */
    sched_worker *assigned;   /* execute: the worker running it */
    char task_id[SCHED_JOB_ID_MAX + 16];
    char lost_reason[400];    /* why the last worker was lost ("" if none) */
    char avoid_worker[SCHED_ID_MAX + 1]; /* after a retryable error: prefer another worker... */
    double avoid_until;       /* ...until then */
    bool has_result;
    sched_exec_result result;
    /* setup jobs */
    char **setup_targets;     /* worker ids whose ack is awaited */
    size_t n_setup_targets;
    uint32_t setup_ok;
    char setup_failures[600];
    void *user;               /* the glue's per-job data */
    struct sched_job *hash_next; /* sched internal: the id index */
} sched_job;

typedef struct sched_program {
    char id[SCHED_PROGRAM_ID_LEN + 1];
    bool set_up;              /* a setup job was started: workers must have it to be ready */
} sched_program;

typedef struct sched_config {
    double heartbeat_timeout;       /* seconds of silence before a worker is offline */
    double queue_timeout;           /* 0: jobs wait for busy workers for ever */
    uint32_t execute_timeout;       /* default T of execute jobs */
    uint32_t setup_timeout;         /* default T of setup jobs */
    size_t max_queued;              /* bound on jobs waiting in the queue */
    uint32_t max_attempts;          /* retryable errors tolerated before a job fails */
    size_t retain_finished;         /* finished jobs kept in memory (older ones: the store) */
    double offline_retention;       /* offline workers are forgotten after this */
} sched_config;

/* Callbacks; ctx is sched_new's. None may call back into sched. */
typedef struct sched_ops {
    /* Send the job's task (j->task_id) to w. */
    void (*send_task)(void *ctx, sched_worker *w, sched_job *j);
    /* Tell w to drop job_id. */
    void (*send_cancel)(void *ctx, sched_worker *w, const char *job_id, const char *reason);
    /* Send program_id's ELF to w. */
    void (*send_setup)(void *ctx, sched_worker *w, const char *program_id);
    /* End a stream sched no longer listens to (silent worker, taken-over id). The worker is
     * already detached: a later sched_worker_gone for conn is ignored. */
    void (*drop_conn)(void *ctx, void *conn, const char *why);
    /* A job changed (ev says how; msg may be ""): persist, notify, count. */
    void (*job_event)(void *ctx, sched_job *j, sched_event ev, const char *msg);
    /* A program's set_up flag became true: persist. */
    void (*program_set_up)(void *ctx, const char *program_id);
    /* A task ended on worker_id: outcome "completed" | "failed" | "retried" | "lost" | "cancelled"
     * | "timeout". */
    void (*task_outcome)(void *ctx, const char *worker_id, const char *outcome);
    /* Wall clock in Unix milliseconds (finish and start times). Required. */
    int64_t (*wall_ms)(void *ctx);
    /* A finished job leaves memory; free j->user if any. */
    void (*job_evicted)(void *ctx, sched_job *j);
} sched_ops;

typedef struct sched sched;

sched *sched_new(const sched_config *cfg, const sched_ops *ops, void *ctx);
void sched_free(sched *s);

/* While paused nothing is dispatched (used during shutdown). */
void sched_set_paused(sched *s, bool paused);

/* ---- programs ---- */
/* Adds a registered program (idempotent; set_up may only turn true). */
void sched_program_add(sched *s, const char *id, bool set_up);
const sched_program *sched_program_find(const sched *s, const char *id);
size_t sched_program_count(const sched *s);

/* ---- workers ---- */
typedef struct sched_hello {
    const char *worker_id;
    uint32_t compute_units;
    const char *version, *backend, *environment, *peer;
    const char *const *programs; /* program ids it already has */
    size_t n_programs;
    bool reconnect;
    const char *last_job_id, *last_task_id; /* reconnect: may be "" */
    int64_t unix_ms;
} sched_hello;

typedef struct sched_hello_reply {
    sched_directive directive;
    char message[600];           /* why refused */
} sched_hello_reply;

/* A worker's first message. Returns the worker (state connecting), or NULL when refused with
 * reply->message saying why (bad id, capacity 0, id live elsewhere). Sends nothing: the caller
 * sends the register response, then calls sched_worker_start. */
sched_worker *sched_worker_hello(sched *s, const sched_hello *h, void *conn, double now,
                                 sched_hello_reply *reply);
/* After the register response: sends the set-ups it lacks, then dispatches. */
void sched_worker_start(sched *s, sched_worker *w, double now);
/* The worker on conn is alive (any message). worker_id is what the conn registered as. */
sched_worker *sched_worker_for(sched *s, const char *worker_id, void *conn);
void sched_worker_heard(sched *s, sched_worker *w, double now, int64_t unix_ms);
/* conn ended (the worker left, the stream broke). Ignored if conn is not the worker's current
 * stream. */
void sched_worker_gone(sched *s, const char *worker_id, void *conn, const char *why, double now);
void sched_task_result(sched *s, sched_worker *w, const char *job_id, const char *task_id,
                       const sched_exec_result *r, double now);
void sched_task_error(sched *s, sched_worker *w, const char *job_id, const char *task_id,
                      const char *message, bool retryable, double now);
void sched_cancel_ack(sched *s, sched_worker *w, const char *job_id, double now);
void sched_setup_ack(sched *s, sched_worker *w, const char *program_id, bool ok, const char *message,
                     double now);
sched_worker_state sched_worker_state_of(const sched_worker *w);
const char *sched_worker_state_name(sched_worker_state st);
/* Workers in id order of arrival; *n set. The array is sched's (valid until the next call). */
sched_worker *const *sched_workers(const sched *s, size_t *n);
/* Ids of set-up programs (for the register response); array valid until the next change. */
const char *const *sched_setup_program_ids(sched *s, size_t *n);

/* ---- jobs ---- */
typedef struct sched_job_request {
    sched_kind kind;
    const char *program_id;
    sched_input input_kind;
    const uint8_t *input; size_t input_len; /* inline */
    const char *input_path;
    uint64_t max_steps;
    int32_t priority;
    uint32_t timeout_seconds; /* 0: the kind's default */
} sched_job_request;

/* Queues a new job with the given id. Returns the job, or NULL with *code and msg (program
 * unknown / not set up, queue full, bad argument). Emits SCHED_EV_QUEUED. */
sched_job *sched_submit(sched *s, const char *id, const sched_job_request *req, double now,
                        int64_t unix_ms, sched_error *code, char *msg, size_t msg_len);
/* Re-adds a job loaded from the store (takes ownership of j). Terminal jobs are kept as
 * finished; queued or running ones go back to the queue (running ones as "coordinator
 * restarted"). No event is emitted. */
void sched_restore(sched *s, sched_job *j, double now);
sched_job *sched_job_find(sched *s, const char *id);
/* Pushed input is complete: the job becomes runnable. */
void sched_input_ready(sched *s, sched_job *j, double now);
/* Cancels; returns SCHED_E_NONE, SCHED_E_JOB_NOT_FOUND, or SCHED_E_INVALID_JOB_STATE (already
 * finished; msg says in which state). */
sched_error sched_cancel(sched *s, const char *id, const char *reason, double now, int64_t unix_ms,
                         char *msg, size_t msg_len);
/* Timeouts, silent workers, forgotten offline workers, dispatch. Call a few times a second. */
void sched_tick(sched *s, double now, int64_t unix_ms);
/* Counts: jobs in state queued, jobs in state running (including those waiting for another
 * worker after losing one). */
void sched_job_counts(const sched *s, size_t *queued, size_t *running);

/* Job records built outside sched (the store): allocation and freeing. */
sched_job *sched_job_alloc(void);
void sched_job_free(sched_job *j);
void sched_job_add_worker(sched_job *j, const char *worker_id);
const char *sched_job_state_name(sched_job_state st);
const char *sched_kind_name(sched_kind k);

/* Idset helpers (exposed for the glue and tests). */
bool sched_idset_has(const sched_idset *s, const char *id);
void sched_idset_add(sched_idset *s, const char *id);
void sched_idset_del(sched_idset *s, const char *id);
void sched_idset_free(sched_idset *s);

#endif
