/*
 * test_sched.c: the scheduling state machine (src/coordinator/sched.h) driven with a fake clock
 * and callbacks that record what it asks the glue to do.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "sched.h"

#define PROG "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define PROG2 "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"

/* What the callbacks saw. */
typedef struct rec {
    char tasks[64][300];   /* "worker job task" */
    int n_tasks;
    char cancels[16][200]; /* "worker job" */
    int n_cancels;
    char setups[32][200];  /* "worker program" */
    int n_setups;
    void *dropped[16];
    int n_dropped;
    int events[256];
    int n_events;
    char outcomes[64][200];
    int n_outcomes;
} rec;

static rec R;

static void op_task(void *ctx, sched_worker *w, sched_job *j) {
    snprintf(R.tasks[R.n_tasks++], 300, "%s %s %s", w->id, j->id, j->task_id);
}
static void op_cancel(void *ctx, sched_worker *w, const char *job_id, const char *reason) {
    snprintf(R.cancels[R.n_cancels++], 200, "%s %s", w->id, job_id);
}
static void op_setup(void *ctx, sched_worker *w, const char *program_id) {
    snprintf(R.setups[R.n_setups++], 200, "%s %.4s", w->id, program_id);
}
static void op_drop(void *ctx, void *conn, const char *why) { R.dropped[R.n_dropped++] = conn; }
static void op_event(void *ctx, sched_job *j, sched_event ev, const char *msg) { R.events[R.n_events++] = ev; }
static void op_outcome(void *ctx, const char *worker_id, const char *outcome) {
    snprintf(R.outcomes[R.n_outcomes++], 200, "%s %s", worker_id, outcome);
}
static int64_t op_wall(void *ctx) { return 1000; }

static const sched_ops OPS = {
    .send_task = op_task,
    .send_cancel = op_cancel,
    .send_setup = op_setup,
    .drop_conn = op_drop,
    .job_event = op_event,
    .task_outcome = op_outcome,
    .wall_ms = op_wall,
};

static sched *new_sched(void) {
    memset(&R, 0, sizeof R);
    sched_config cfg = {.heartbeat_timeout = 30, .execute_timeout = 300, .setup_timeout = 60, .max_queued = 3,
                        .max_attempts = 3};
    sched *s = sched_new(&cfg, &OPS, NULL);
    sched_program_add(s, PROG, true);
    sched_program_add(s, PROG2, false);
    return s;
}

static int conns[16]; /* addresses used as connection handles */

static sched_worker *join(sched *s, const char *id, int conn, double now, bool has_prog) {
    const char *progs[] = {PROG};
    sched_hello h = {.worker_id = id, .compute_units = 10, .programs = progs, .n_programs = has_prog ? 1 : 0,
                     .unix_ms = 1};
    sched_hello_reply r;
    sched_worker *w = sched_worker_hello(s, &h, &conns[conn], now, &r);
    assert_non_null(w);
    sched_worker_start(s, w, now);
    return w;
}

static sched_job *exec_job(sched *s, const char *id, int prio, double now) {
    sched_job_request req = {.kind = SCHED_KIND_EXECUTE, .program_id = PROG, .input_kind = SCHED_IN_INLINE,
                             .input = (const uint8_t *)"abc", .input_len = 3, .priority = prio};
    sched_error code;
    char msg[200];
    sched_job *j = sched_submit(s, id, &req, now, 1, &code, msg, sizeof msg);
    assert_non_null(j);
    return j;
}

static sched_exec_result ok_result(void) {
    sched_exec_result r;
    memset(&r, 0, sizeof r);
    strcpy(r.stop, "exit");
    r.steps = 5;
    return r;
}

static void test_register_and_duplicates(void **st) {
    sched *s = new_sched();
    sched_worker *w = join(s, "w1", 0, 0, true);
    assert_int_equal(sched_worker_state_of(w), SCHED_W_READY);
    assert_int_equal(w->compute_units, 10);

    /* A second live connection with the same id is refused with a clear message. */
    sched_hello h = {.worker_id = "w1", .compute_units = 5};
    sched_hello_reply r;
    assert_null(sched_worker_hello(s, &h, &conns[1], 10, &r));
    assert_non_null(strstr(r.message, "already connected"));
    /* Bad hellos. */
    sched_hello bad = {.worker_id = "", .compute_units = 5};
    assert_null(sched_worker_hello(s, &bad, &conns[2], 10, &r));
    sched_hello zero = {.worker_id = "z", .compute_units = 0};
    assert_null(sched_worker_hello(s, &zero, &conns[2], 10, &r));
    assert_non_null(strstr(r.message, "0 compute units"));
    /* The same id after the old stream went silent past the timeout takes over. */
    sched_worker *w2 = sched_worker_hello(s, &h, &conns[1], 31, &r);
    assert_ptr_equal(w2, w);
    assert_int_equal(R.n_dropped, 1);
    assert_ptr_equal(R.dropped[0], &conns[0]);
    assert_ptr_equal(w->conn, &conns[1]);
    /* The old stream's end is ignored. */
    sched_worker_gone(s, "w1", &conns[0], "old", 32);
    assert_ptr_equal(w->conn, &conns[1]);
    sched_free(s);
}

static void test_setup_and_late_join(void **st) {
    sched *s = new_sched();
    sched_worker *a = join(s, "a", 0, 0, false); /* lacks PROG: gets it at start */
    assert_int_equal(R.n_setups, 1);
    assert_int_equal(sched_worker_state_of(a), SCHED_W_SETTING_UP);
    sched_setup_ack(s, a, PROG, true, "", 1);
    assert_int_equal(sched_worker_state_of(a), SCHED_W_READY);

    /* Execute of a program never set up is refused. */
    sched_job_request req = {.kind = SCHED_KIND_EXECUTE, .program_id = PROG2};
    sched_error code;
    char msg[200];
    assert_null(sched_submit(s, "x", &req, 1, 1, &code, msg, sizeof msg));
    assert_int_equal(code, SCHED_E_PROGRAM_NOT_SET_UP);
    req.program_id = "cccc";
    assert_null(sched_submit(s, "x", &req, 1, 1, &code, msg, sizeof msg));
    assert_int_equal(code, SCHED_E_PROGRAM_NOT_FOUND);

    /* Setup of PROG2 on two workers; one fails: that worker is in error and gets no tasks. */
    sched_worker *b = join(s, "b", 1, 1, true);
    sched_job_request sreq = {.kind = SCHED_KIND_SETUP, .program_id = PROG2};
    sched_job *sj = sched_submit(s, "setup", &sreq, 2, 1, &code, msg, sizeof msg);
    assert_non_null(sj);
    assert_int_equal(sj->state, SCHED_RUNNING);
    assert_int_equal(sj->n_setup_targets, 2);
    sched_setup_ack(s, a, PROG2, true, "", 3);
    assert_int_equal(sj->state, SCHED_RUNNING);
    sched_setup_ack(s, b, PROG2, false, "invalid ELF", 3);
    assert_int_equal(sj->state, SCHED_COMPLETED);
    assert_non_null(strstr(sj->message, "b (invalid ELF)"));
    assert_int_equal(sched_worker_state_of(b), SCHED_W_ERROR);
    assert_non_null(strstr(b->error_msg, "invalid ELF"));

    /* An execute job of PROG goes to a (ready), never to b (error). */
    int before = R.n_tasks;
    sched_job *j = exec_job(s, "j1", 0, 4);
    assert_int_equal(R.n_tasks, before + 1);
    assert_ptr_equal(j->assigned, a);

    /* A late joiner gets both set-up programs before it is ready. */
    int setups = R.n_setups;
    sched_worker *c = join(s, "c", 2, 5, false);
    assert_int_equal(R.n_setups, setups + 2);
    assert_int_equal(sched_worker_state_of(c), SCHED_W_SETTING_UP);
    sched_setup_ack(s, c, PROG, true, "", 6);
    sched_setup_ack(s, c, PROG2, true, "", 6);
    assert_int_equal(sched_worker_state_of(c), SCHED_W_READY);
    sched_free(s);
}

static void test_queue_priority_and_bound(void **st) {
    sched *s = new_sched();
    sched_worker *w = join(s, "w", 0, 0, true);
    sched_job *first = exec_job(s, "first", 0, 1);
    assert_ptr_equal(first->assigned, w);
    sched_job *lo1 = exec_job(s, "lo1", 0, 2), *lo2 = exec_job(s, "lo2", 0, 3), *hi = exec_job(s, "hi", 9, 4);
    assert_int_equal(lo1->state, SCHED_QUEUED);
    /* Bounded: 3 waiting is the limit here. */
    sched_job_request req = {.kind = SCHED_KIND_EXECUTE, .program_id = PROG};
    sched_error code;
    char msg[200];
    assert_null(sched_submit(s, "over", &req, 5, 1, &code, msg, sizeof msg));
    assert_int_equal(code, SCHED_E_QUEUE_FULL);
    size_t q, r;
    sched_job_counts(s, &q, &r);
    assert_int_equal(q, 3);
    assert_int_equal(r, 1);
    /* Order: hi, then lo1, lo2. */
    sched_exec_result res = ok_result();
    sched_task_result(s, w, "first", first->task_id, &res, 6);
    assert_int_equal(first->state, SCHED_COMPLETED);
    sched_tick(s, 6, 1);
    assert_ptr_equal(hi->assigned, w);
    sched_task_result(s, w, "hi", hi->task_id, &res, 7);
    sched_tick(s, 7, 1);
    assert_ptr_equal(lo1->assigned, w);
    assert_int_equal(lo2->state, SCHED_QUEUED);
    sched_free(s);
}

static void test_lost_worker_reassigned(void **st) {
    sched *s = new_sched();
    sched_worker *a = join(s, "a", 0, 0, true);
    sched_job *j = exec_job(s, "j", 0, 1);
    assert_ptr_equal(j->assigned, a);
    sched_worker *b = join(s, "b", 1, 2, true);
    /* a disconnects: the task goes to b at once. */
    sched_worker_gone(s, "a", &conns[0], "its stream broke", 3);
    assert_int_equal(sched_worker_state_of(a), SCHED_W_OFFLINE);
    sched_tick(s, 3, 1);
    assert_ptr_equal(j->assigned, b);
    assert_int_equal(j->attempts, 2);
    assert_int_equal(j->n_workers, 2);
    assert_string_equal(j->workers[1], "b");
    assert_string_equal(R.outcomes[0], "a lost");
    /* A stale result from a for the first attempt is ignored. */
    sched_exec_result res = ok_result();
    sched_task_result(s, b, "j", "j-1", &res, 4);
    assert_int_equal(j->state, SCHED_RUNNING);
    sched_task_result(s, b, "j", j->task_id, &res, 4);
    assert_int_equal(j->state, SCHED_COMPLETED);
    sched_free(s);
}

static void test_silent_worker_and_waiting_for_capacity(void **st) {
    sched *s = new_sched();
    sched_worker *a = join(s, "a", 0, 0, true);
    sched_job *j = exec_job(s, "j", 0, 1);
    j->timeout_seconds = 100;
    sched_worker_heard(s, a, 10, 1);
    sched_tick(s, 39, 1);
    assert_ptr_equal(j->assigned, a);
    sched_tick(s, 41, 1); /* 31 s of silence */
    assert_int_equal(R.n_dropped, 1);
    assert_int_equal(sched_worker_state_of(a), SCHED_W_OFFLINE);
    assert_int_equal(j->state, SCHED_RUNNING);
    assert_true(j->in_queue);
    /* Nobody able to run it for the job's timeout: fails with the reason. */
    sched_tick(s, 100, 1);
    assert_int_equal(j->state, SCHED_RUNNING);
    sched_tick(s, 142, 1);
    assert_int_equal(j->state, SCHED_FAILED);
    assert_int_equal(j->error_code, SCHED_E_CLUSTER_UNAVAILABLE);
    assert_non_null(strstr(j->message, "heartbeat timeout"));
    sched_free(s);
}

static void test_reconnect_directives(void **st) {
    sched *s = new_sched();
    sched_worker *a = join(s, "a", 0, 0, true);
    sched_job *j = exec_job(s, "j", 0, 1);
    const char *progs[] = {PROG};
    sched_hello h = {.worker_id = "a", .compute_units = 10, .programs = progs, .n_programs = 1, .reconnect = true,
                     .last_job_id = "j", .last_task_id = "j-1"};
    sched_hello_reply r;
    /* Silent stream replaced while the job is still assigned: keep computing. */
    assert_ptr_equal(sched_worker_hello(s, &h, &conns[1], 40, &r), a);
    sched_worker_start(s, a, 40);
    assert_int_equal(r.directive, SCHED_DIR_KEEP);
    assert_ptr_equal(j->assigned, a);
    /* Stream lost, job waits (no other worker), the worker comes back: it takes the job back. */
    sched_worker_gone(s, "a", &conns[1], "broke", 41);
    assert_true(j->in_queue);
    assert_ptr_equal(sched_worker_hello(s, &h, &conns[2], 42, &r), a);
    assert_int_equal(r.directive, SCHED_DIR_KEEP);
    assert_ptr_equal(j->assigned, a);
    assert_false(j->in_queue);
    /* A worker claiming a job that is finished: cancel the stale job. */
    sched_worker_start(s, a, 42);
    sched_exec_result res = ok_result();
    sched_task_result(s, a, "j", "j-1", &res, 43);
    assert_int_equal(j->state, SCHED_COMPLETED);
    sched_worker_gone(s, "a", &conns[2], "broke", 44);
    assert_ptr_equal(sched_worker_hello(s, &h, &conns[3], 45, &r), a);
    assert_int_equal(r.directive, SCHED_DIR_CANCEL_STALE);
    sched_free(s);
}

static void test_errors_and_cancel(void **st) {
    sched *s = new_sched();
    sched_worker *a = join(s, "a", 0, 0, true), *b = join(s, "b", 1, 0.5, true);
    sched_job *j = exec_job(s, "j", 0, 1);
    sched_worker *first = j->assigned, *other = first == a ? b : a;
    /* Retryable: another worker gets it. */
    sched_task_error(s, first, "j", j->task_id, "disk full", true, 2);
    sched_tick(s, 2, 1);
    assert_ptr_equal(j->assigned, other);
    /* Non-retryable: the job fails with the worker's message. */
    sched_task_error(s, other, "j", j->task_id, "bad input path", false, 3);
    assert_int_equal(j->state, SCHED_FAILED);
    assert_non_null(strstr(j->message, "bad input path"));

    /* Cancel a running job: JobCancelled to its worker, busy until the ack. */
    sched_job *k = exec_job(s, "k", 0, 4);
    sched_worker *w = k->assigned;
    char msg[200];
    assert_int_equal(sched_cancel(s, "k", "user", 5, 1, msg, sizeof msg), SCHED_E_NONE);
    assert_int_equal(k->state, SCHED_CANCELLED);
    assert_int_equal(R.n_cancels, 1);
    assert_int_equal(sched_worker_state_of(w), SCHED_W_BUSY);
    sched_cancel_ack(s, w, "k", 6);
    assert_int_equal(sched_worker_state_of(w), SCHED_W_READY);
    assert_int_equal(sched_cancel(s, "k", "", 7, 1, msg, sizeof msg), SCHED_E_INVALID_JOB_STATE);
    assert_int_equal(sched_cancel(s, "zz", "", 7, 1, msg, sizeof msg), SCHED_E_JOB_NOT_FOUND);

    /* An attempt running past the job's timeout is cancelled and the job fails. */
    sched_job *t = exec_job(s, "t", 0, 10);
    t->timeout_seconds = 5;
    sched_worker *tw = t->assigned;
    sched_worker_heard(s, a, 16, 1);
    sched_worker_heard(s, b, 16, 1);
    sched_tick(s, 16, 1);
    assert_int_equal(t->state, SCHED_FAILED);
    assert_int_equal(t->error_code, SCHED_E_TIMEOUT);
    assert_int_equal(sched_worker_state_of(tw), SCHED_W_BUSY); /* until it acks */
    sched_free(s);
}

static void test_restore(void **st) {
    sched *s = new_sched();
    sched_job *j = sched_job_alloc();
    strcpy(j->id, "old");
    j->seq = 7;
    j->kind = SCHED_KIND_EXECUTE;
    j->state = SCHED_RUNNING;
    strcpy(j->program_id, PROG);
    j->timeout_seconds = 100;
    j->attempts = 1;
    j->input_ready = true;
    strcpy(j->task_id, "old-1");
    sched_restore(s, j, 0);
    assert_int_equal(j->state, SCHED_QUEUED);
    /* The worker that held it reconnects with it: keeps computing, no new task is sent. */
    const char *progs[] = {PROG};
    sched_hello h = {.worker_id = "a", .compute_units = 1, .programs = progs, .n_programs = 1, .reconnect = true,
                     .last_job_id = "old", .last_task_id = "old-1"};
    sched_hello_reply r;
    sched_worker *a = sched_worker_hello(s, &h, &conns[0], 1, &r);
    assert_int_equal(r.directive, SCHED_DIR_KEEP);
    sched_worker_start(s, a, 1);
    assert_int_equal(R.n_tasks, 0);
    assert_int_equal(j->state, SCHED_RUNNING);
    /* New jobs get later sequence numbers. */
    sched_job *n = exec_job(s, "new", 0, 2);
    assert_true(n->seq > 7);
    sched_free(s);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_register_and_duplicates),
        cmocka_unit_test(test_setup_and_late_join),
        cmocka_unit_test(test_queue_priority_and_bound),
        cmocka_unit_test(test_lost_worker_reassigned),
        cmocka_unit_test(test_silent_worker_and_waiting_for_capacity),
        cmocka_unit_test(test_reconnect_directives),
        cmocka_unit_test(test_errors_and_cancel),
        cmocka_unit_test(test_restore),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
