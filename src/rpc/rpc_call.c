/*
 * rpc_call.c: the completion-queue loop and the call state machine shared by servers and
 * clients (see rpc_internal.h for the life of a call), plus message packing and status names.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <grpc/byte_buffer_reader.h>
#include <grpc/support/alloc.h>
#include <grpc/support/log.h>
#include <grpc/support/time.h>

#include "rpc_internal.h"

#define CONTAINER_OF(ptr, type, member) ((type *)((char *)(ptr) - offsetof(type, member)))

/* ---------------------------------------------------------------------------------------- */
/* time */

gpr_timespec rpc_deadline_after(double seconds) {
    if (seconds <= 0) return gpr_inf_future(GPR_CLOCK_MONOTONIC);
    if (seconds > 1e9) seconds = 1e9; /* ~31 years: keeps the nanosecond count in range */
    return gpr_time_add(gpr_now(GPR_CLOCK_MONOTONIC),
                        gpr_time_from_nanos((int64_t)(seconds * 1e9), GPR_TIMESPAN));
}

struct timespec rpc_abstime_after(double seconds) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    if (seconds > 1e9) seconds = 1e9;
    int64_t ns = (int64_t)(seconds * 1e9);
    ts.tv_sec += (time_t)(ns / 1000000000);
    ts.tv_nsec += (long)(ns % 1000000000);
    if (ts.tv_nsec >= 1000000000) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000;
    }
    return ts;
}

void rpc_cond_init(pthread_cond_t *cv) {
    pthread_condattr_t a;
    pthread_condattr_init(&a);
    pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
    ZISK_ASSERT(pthread_cond_init(cv, &a) == 0);
    pthread_condattr_destroy(&a);
}

/* ---------------------------------------------------------------------------------------- */
/* status names and messages */

const char *rpc_status_code_name(grpc_status_code code) {
    static const char *const names[] = {
        "OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND",
        "ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION",
        "ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS",
        "UNAUTHENTICATED",
    };
    if ((int)code >= 0 && (size_t)code < sizeof names / sizeof names[0]) return names[code];
    return "UNKNOWN";
}

void rpc_message_free(ProtobufCMessage *msg) {
    if (msg) protobuf_c_message_free_unpacked(msg, NULL);
}

grpc_byte_buffer *rpc_pack(const ProtobufCMessage *msg, size_t limit, size_t *packed_len) {
    size_t n = protobuf_c_message_get_packed_size(msg);
    if (packed_len) *packed_len = n;
    if (n > limit) return NULL;
    grpc_slice s;
    if (n == 0) {
        s = grpc_empty_slice();
    } else {
        uint8_t *buf = zisk_xmalloc(n);
        size_t w = protobuf_c_message_pack(msg, buf);
        ZISK_ASSERT(w == n);
        /* The slice takes the buffer: no copy of a message that may be 128 MiB. */
        s = grpc_slice_new(buf, n, free);
    }
    grpc_byte_buffer *bb = grpc_raw_byte_buffer_create(&s, 1);
    grpc_slice_unref(s);
    return bb;
}

ProtobufCMessage *rpc_unpack(const ProtobufCMessageDescriptor *desc, grpc_byte_buffer *bb,
                             size_t *len) {
    *len = grpc_byte_buffer_length(bb);
    grpc_byte_buffer_reader r;
    /* Fails only for a compression algorithm this gRPC cannot undo: treat as undecodable. */
    if (!grpc_byte_buffer_reader_init(&r, bb)) return NULL;
    grpc_slice all = grpc_byte_buffer_reader_readall(&r);
    grpc_byte_buffer_reader_destroy(&r);
    ProtobufCMessage *m = protobuf_c_message_unpack(desc, NULL, GRPC_SLICE_LENGTH(all),
                                                    GRPC_SLICE_START_PTR(all));
    grpc_slice_unref(all);
    return m;
}

static _Atomic(rpc_log_fn) g_log_fn;

static void log_trampoline(gpr_log_func_args *a) {
    rpc_log_fn fn = g_log_fn;
    if (fn) fn((int)a->severity, a->file, a->line, a->message);
}

void rpc_set_grpc_log(rpc_log_fn fn) {
    g_log_fn = fn;
    gpr_set_log_function(fn ? log_trampoline : NULL); /* NULL: gRPC's default (stderr) */
}

/* ---------------------------------------------------------------------------------------- */
/* the loop */

static void *loop_main(void *arg) {
    rpc_loop *l = arg;
    for (;;) {
        grpc_event ev = grpc_completion_queue_next(l->cq, gpr_inf_future(GPR_CLOCK_REALTIME), NULL);
        if (ev.type == GRPC_QUEUE_SHUTDOWN) break;
        if (ev.type != GRPC_OP_COMPLETE) continue; /* GRPC_QUEUE_TIMEOUT cannot happen */
        rpc_tag *t = ev.tag;
        t->fn(t, ev.success != 0);
    }
    return NULL;
}

int rpc_loop_start(rpc_loop *l, zisk_err *err) {
    memset(l, 0, sizeof *l);
    ZISK_ASSERT(pthread_mutex_init(&l->mu, NULL) == 0);
    rpc_cond_init(&l->cv);
    l->cq = grpc_completion_queue_create_for_next(NULL);
    int rc = pthread_create(&l->thread, NULL, loop_main, l);
    if (rc != 0) {
        grpc_completion_queue_shutdown(l->cq);
        grpc_completion_queue_destroy(l->cq);
        l->cq = NULL;
        return zisk_err_set(err, "cannot start the gRPC completion thread: %s", strerror(rc));
    }
    l->thread_started = true;
    return 0;
}

void rpc_loop_wait_idle(rpc_loop *l) {
    pthread_mutex_lock(&l->mu);
    while (l->active > 0) pthread_cond_wait(&l->cv, &l->mu);
    pthread_mutex_unlock(&l->mu);
}

void rpc_loop_stop(rpc_loop *l) {
    if (l->cq) {
        ZISK_ASSERT(l->active == 0);
        grpc_completion_queue_shutdown(l->cq);
        if (l->thread_started) pthread_join(l->thread, NULL);
        grpc_completion_queue_destroy(l->cq);
        l->cq = NULL;
    }
    pthread_cond_destroy(&l->cv);
    pthread_mutex_destroy(&l->mu);
}

void rpc_loop_cancel_all(rpc_loop *l, grpc_status_code code, const char *msg) {
    /* grpc_call_cancel_with_status only queues work for gRPC: safe under our locks. The call's
     * grpc_call pointer is dropped (set NULL) only by its settle, which takes l->mu to unlink
     * first, so every call still in the list has a live gc. */
    pthread_mutex_lock(&l->mu);
    for (rpc_call *c = l->calls; c; c = c->next) {
        pthread_mutex_lock(&c->mu);
        if (c->gc) grpc_call_cancel_with_status(c->gc, code, msg, NULL);
        pthread_mutex_unlock(&c->mu);
    }
    pthread_mutex_unlock(&l->mu);
}

/* ---------------------------------------------------------------------------------------- */
/* the call */

static void on_send_done(rpc_tag *t, bool ok);
static void on_recv_done_client(rpc_tag *t, bool ok);

void rpc_call_init(rpc_call *c, rpc_loop *l, grpc_call *gc, bool server, const rpc_method *m,
                   size_t max_send) {
    memset(c, 0, sizeof *c);
    ZISK_ASSERT(pthread_mutex_init(&c->mu, NULL) == 0);
    rpc_cond_init(&c->cv);
    c->refs = 2;
    c->server = server;
    c->loop = l;
    c->gc = gc;
    c->method = m;
    c->max_send = max_send;
    c->send_tag.fn = on_send_done;
    c->fin_details = grpc_empty_slice();
    c->status_details = grpc_empty_slice();
    grpc_metadata_array_init(&c->recv_md);
    grpc_metadata_array_init(&c->trailing_md);
    if (!server) c->recv_tag.fn = on_recv_done_client;
    pthread_mutex_lock(&l->mu);
    c->next = l->calls;
    if (l->calls) l->calls->prev = c;
    l->calls = c;
    l->active++;
    pthread_mutex_unlock(&l->mu);
}

static void free_queue(rpc_call *c) {
    while (c->q_head) {
        rpc_out *o = c->q_head;
        c->q_head = o->next;
        grpc_byte_buffer_destroy(o->bb);
        free(o);
    }
    c->q_tail = NULL;
    c->q_len = 0;
}

static void call_free(rpc_call *c) {
    ZISK_ASSERT(c->finished);
    free(c->peer);
    pthread_cond_destroy(&c->cv);
    pthread_mutex_destroy(&c->mu);
    free(c);
}

void rpc_call_ref(rpc_call *c) {
    pthread_mutex_lock(&c->mu);
    ZISK_ASSERT(c->refs > 0);
    c->refs++;
    pthread_mutex_unlock(&c->mu);
}

void rpc_call_unref(rpc_call *c) {
    if (!c) return;
    pthread_mutex_lock(&c->mu);
    ZISK_ASSERT(c->refs > 0);
    int left = --c->refs;
    pthread_mutex_unlock(&c->mu);
    if (left == 0) call_free(c);
}

void rpc_call_send_next_locked(rpc_call *c) {
    if (c->send_busy || c->gc == NULL || c->send_failed || c->close_sent) return;
    grpc_op ops[4];
    size_t n = 0;
    memset(ops, 0, sizeof ops);
    if (c->server && !c->initial_md_sent && (c->q_head || c->close_queued)) {
        ops[n].op = GRPC_OP_SEND_INITIAL_METADATA;
        n++;
        c->initial_md_sent = true;
    }
    if (c->q_head) {
        rpc_out *o = c->q_head;
        c->q_head = o->next;
        if (!c->q_head) c->q_tail = NULL;
        c->q_len--;
        c->send_bb = o->bb;
        free(o);
        ops[n].op = GRPC_OP_SEND_MESSAGE;
        ops[n].data.send_message.send_message = c->send_bb;
        n++;
    }
    /* The close goes with the last message, or alone when the queue is empty. */
    if (c->close_queued && c->q_head == NULL) {
        if (c->server) {
            ops[n].op = GRPC_OP_SEND_STATUS_FROM_SERVER;
            ops[n].data.send_status_from_server.status = c->fin_code;
            ops[n].data.send_status_from_server.status_details = &c->fin_details;
        } else {
            ops[n].op = GRPC_OP_SEND_CLOSE_FROM_CLIENT;
        }
        n++;
        c->close_sent = true;
    }
    if (n == 0) return;
    c->send_busy = true;
    grpc_call_error e = grpc_call_start_batch(c->gc, ops, n, &c->send_tag, NULL);
    /* Any error here is a misuse of the API by this module (e.g. two batches of one kind). */
    if (e != GRPC_CALL_OK) zisk_panic(__FILE__, __LINE__, "grpc_call_start_batch (send): %s",
                                      grpc_call_error_to_string(e));
}

int rpc_call_enqueue(rpc_call *c, grpc_byte_buffer *bb) {
    pthread_mutex_lock(&c->mu);
    if (c->finished || c->gc == NULL || c->close_queued || c->send_failed) {
        pthread_mutex_unlock(&c->mu);
        grpc_byte_buffer_destroy(bb);
        return -1;
    }
    rpc_out *o = zisk_xmalloc(sizeof *o);
    o->bb = bb;
    o->next = NULL;
    if (c->q_tail) c->q_tail->next = o;
    else c->q_head = o;
    c->q_tail = o;
    c->q_len++;
    rpc_call_send_next_locked(c);
    pthread_mutex_unlock(&c->mu);
    return 0;
}

static void on_send_done(rpc_tag *t, bool ok) {
    rpc_call *c = CONTAINER_OF(t, rpc_call, send_tag);
    pthread_mutex_lock(&c->mu);
    c->send_busy = false;
    if (c->send_bb) {
        grpc_byte_buffer_destroy(c->send_bb);
        c->send_bb = NULL;
    }
    if (!ok) {
        /* The transport refused the batch: the call is broken. Make sure it ends (the close
         * operation then completes) and drop what was waiting. */
        c->send_failed = true;
        free_queue(c);
        if (c->gc) grpc_call_cancel(c->gc, NULL);
    } else {
        rpc_call_send_next_locked(c);
    }
    pthread_cond_broadcast(&c->cv);
    rpc_call_settle_unlock(c);
}

void rpc_call_recv_locked(rpc_call *c) {
    ZISK_ASSERT(!c->recv_busy && c->gc != NULL);
    grpc_op ops[2];
    size_t n = 0;
    memset(ops, 0, sizeof ops);
    if (!c->server && !c->recv_md_asked) {
        ops[n].op = GRPC_OP_RECV_INITIAL_METADATA;
        ops[n].data.recv_initial_metadata.recv_initial_metadata = &c->recv_md;
        n++;
        c->recv_md_asked = true;
    }
    ops[n].op = GRPC_OP_RECV_MESSAGE;
    ops[n].data.recv_message.recv_message = &c->recv_bb;
    n++;
    c->recv_bb = NULL;
    c->recv_busy = true;
    grpc_call_error e = grpc_call_start_batch(c->gc, ops, n, &c->recv_tag, NULL);
    if (e != GRPC_CALL_OK) zisk_panic(__FILE__, __LINE__, "grpc_call_start_batch (recv): %s",
                                      grpc_call_error_to_string(e));
}

/* Client: a message (or the end of the messages) arrived; the reader takes it. */
static void on_recv_done_client(rpc_tag *t, bool ok) {
    rpc_call *c = CONTAINER_OF(t, rpc_call, recv_tag);
    pthread_mutex_lock(&c->mu);
    c->recv_busy = false;
    if (ok && c->recv_bb) {
        c->ready_bb = c->recv_bb;
    } else {
        if (c->recv_bb) grpc_byte_buffer_destroy(c->recv_bb);
        c->recv_ended = true;
    }
    c->recv_bb = NULL;
    pthread_cond_broadcast(&c->cv);
    rpc_call_settle_unlock(c);
}

static void client_final_status(rpc_call *c) {
    if (c->local_fail) return; /* final already holds our own reason */
    c->final.code = c->status_code;
    size_t n = GRPC_SLICE_LENGTH(c->status_details);
    if (n >= sizeof c->final.message) n = sizeof c->final.message - 1;
    memcpy(c->final.message, GRPC_SLICE_START_PTR(c->status_details), n);
    c->final.message[n] = '\0';
    /* gRPC's own failures (connection refused, ...) often leave the details empty and put the
     * explanation in the error string. */
    if (n == 0 && c->status_code != GRPC_STATUS_OK && c->status_error)
        snprintf(c->final.message, sizeof c->final.message, "%s", c->status_error);
}

void rpc_call_settle_unlock(rpc_call *c) {
    if (c->finished || !c->close_done || c->send_busy || c->recv_busy) {
        pthread_mutex_unlock(&c->mu);
        return;
    }
    /* Everything gRPC owed us has come back: let go of gRPC. */
    c->finished = true;
    grpc_call *gc = c->gc;
    rpc_loop *l = c->loop;
    c->gc = NULL;
    c->loop = NULL;
    free_queue(c);
    if (c->recv_bb) {
        grpc_byte_buffer_destroy(c->recv_bb);
        c->recv_bb = NULL;
    }
    grpc_slice_unref(c->fin_details);
    c->fin_details = grpc_empty_slice();
    if (!c->server) client_final_status(c);
    grpc_slice_unref(c->status_details);
    c->status_details = grpc_empty_slice();
    if (c->status_error) gpr_free((void *)c->status_error);
    c->status_error = NULL;
    grpc_metadata_array_destroy(&c->recv_md);
    grpc_metadata_array_destroy(&c->trailing_md);
    pthread_cond_broadcast(&c->cv);
    pthread_mutex_unlock(&c->mu);

    if (c->server) rpc_server_call_finished(c); /* on_done */

    /* Unlink before the grpc_call goes so rpc_loop_cancel_all never sees a dead one, and unref
     * before the loop's count drops so a server or channel waiting for idle destroys nothing
     * gRPC still uses. */
    pthread_mutex_lock(&l->mu);
    if (c->prev) c->prev->next = c->next;
    else l->calls = c->next;
    if (c->next) c->next->prev = c->prev;
    c->prev = c->next = NULL;
    grpc_call_unref(gc);
    l->active--;
    pthread_cond_broadcast(&l->cv);
    pthread_mutex_unlock(&l->mu);

    rpc_call_unref(c); /* the active reference */
}
