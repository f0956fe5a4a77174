/*
 * rpc_server.c: servers (accepting calls, dispatching them to handlers, graceful shutdown) and
 * the grpc.health.v1.Health service every server carries.
 *
 * Calls are accepted with grpc_server_request_call (not registered methods) so that one code
 * path sees every call, including ones to paths we do not serve, which get UNIMPLEMENTED; a
 * few requests are kept outstanding so bursts of new calls do not wait on each other.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <grpc/grpc_security.h>
#include <grpc/support/alloc.h>

#include "grpc/health/v1/health.pb-c.h"
#include "rpc_internal.h"

#define CONTAINER_OF(ptr, type, member) ((type *)((char *)(ptr) - offsetof(type, member)))
#define REQUEST_SLOTS 8

typedef struct method_entry {
    const rpc_method *m;
    rpc_handler h;
    void *data;
} method_entry;

typedef struct req_slot {
    rpc_tag tag;
    rpc_server *srv;
    grpc_call *gc;
    grpc_call_details details;
    grpc_metadata_array md;
} req_slot;

typedef struct health_entry {
    char *service;
    int status;
} health_entry;

typedef struct watch_state {
    char *service;
    int last; /* last status sent */
} watch_state;

struct rpc_server {
    rpc_loop loop;
    grpc_server *gs;
    method_entry *methods;
    size_t n_methods;
    req_slot slots[REQUEST_SLOTS];

    pthread_mutex_t mu; /* guards the state below */
    pthread_cond_t cv;
    bool started, shutting_down, shutdown_notified, shutdown_complete;
    int slots_pending;
    rpc_tag shutdown_tag;

    pthread_mutex_t hmu; /* health: entries and watchers */
    health_entry *health;
    size_t n_health;
    rpc_call **watchers;
    size_t n_watchers;
    bool health_frozen; /* after shutdown began: NOT_SERVING, no more changes */
};

/* ---------------------------------------------------------------------------------------- */
/* server calls: the public operations */

int rpc_call_send(rpc_call *c, const ProtobufCMessage *msg) {
    grpc_byte_buffer *bb = rpc_pack(msg, c->max_send, NULL);
    if (!bb) return -1;
    return rpc_call_enqueue(c, bb);
}

int rpc_call_finish(rpc_call *c, grpc_status_code code, const char *message) {
    pthread_mutex_lock(&c->mu);
    if (c->finished || c->gc == NULL || c->close_queued) {
        pthread_mutex_unlock(&c->mu);
        return -1;
    }
    c->close_queued = true;
    c->fin_code = code;
    grpc_slice_unref(c->fin_details);
    c->fin_details = grpc_slice_from_copied_string(message ? message : "");
    rpc_call_send_next_locked(c);
    pthread_mutex_unlock(&c->mu);
    return 0;
}

int rpc_call_reply(rpc_call *c, const ProtobufCMessage *msg) {
    size_t n;
    grpc_byte_buffer *bb = rpc_pack(msg, c->max_send, &n);
    if (!bb) {
        rpc_call_fail(c, GRPC_STATUS_RESOURCE_EXHAUSTED,
                      "the response (%zu bytes) is larger than the %zu-byte limit", n, c->max_send);
        return -1;
    }
    pthread_mutex_lock(&c->mu);
    if (c->finished || c->gc == NULL || c->close_queued) {
        pthread_mutex_unlock(&c->mu);
        grpc_byte_buffer_destroy(bb);
        return -1;
    }
    /* Message and status leave in one batch. */
    rpc_out *o = zisk_xmalloc(sizeof *o);
    o->bb = bb;
    o->next = NULL;
    if (c->q_tail) c->q_tail->next = o;
    else c->q_head = o;
    c->q_tail = o;
    c->q_len++;
    c->close_queued = true;
    c->fin_code = GRPC_STATUS_OK;
    rpc_call_send_next_locked(c);
    pthread_mutex_unlock(&c->mu);
    return 0;
}

int rpc_call_fail(rpc_call *c, grpc_status_code code, const char *fmt, ...) {
    char buf[RPC_STATUS_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    return rpc_call_finish(c, code, buf);
}

void rpc_call_cancel(rpc_call *c) {
    pthread_mutex_lock(&c->mu);
    if (c->gc && !c->finished) grpc_call_cancel(c->gc, NULL);
    pthread_mutex_unlock(&c->mu);
}

void rpc_call_set_data(rpc_call *c, void *data) { c->data = data; }
void *rpc_call_data(const rpc_call *c) { return c->data; }
const rpc_method *rpc_call_method(const rpc_call *c) { return c->method; }
const char *rpc_call_peer(const rpc_call *c) { return c->peer ? c->peer : ""; }

bool rpc_call_is_finished(const rpc_call *c) {
    rpc_call *m = (rpc_call *)c;
    pthread_mutex_lock(&m->mu);
    bool f = m->finished;
    pthread_mutex_unlock(&m->mu);
    return f;
}

size_t rpc_call_send_queue_len(rpc_call *c) {
    pthread_mutex_lock(&c->mu);
    size_t n = c->q_len;
    pthread_mutex_unlock(&c->mu);
    return n;
}

/* ---------------------------------------------------------------------------------------- */
/* server calls: the state machine (all on the server's thread) */

void rpc_server_call_finished(rpc_call *c) {
    if (c->handler && c->handler->on_done) c->handler->on_done(c, c->cancelled != 0, c->method_data);
}

static bool one_request_kind(const rpc_method *m) {
    return m->kind == RPC_UNARY || m->kind == RPC_SERVER_STREAM;
}

static void on_recv_done_server(rpc_tag *t, bool ok) {
    rpc_call *c = CONTAINER_OF(t, rpc_call, recv_tag);
    pthread_mutex_lock(&c->mu);
    c->recv_busy = false;
    grpc_byte_buffer *bb = c->recv_bb;
    c->recv_bb = NULL;
    if (!ok || c->close_done || c->gc == NULL) {
        /* The call is going away; nothing more to deliver. */
        if (bb) grpc_byte_buffer_destroy(bb);
        c->recv_ended = true;
        rpc_call_settle_unlock(c);
        return;
    }
    const rpc_method *m = c->method;
    if (bb == NULL) {
        /* The client half-closed. */
        c->recv_ended = true;
        bool missing = one_request_kind(m) && !c->got_request;
        pthread_mutex_unlock(&c->mu);
        if (missing)
            rpc_call_fail(c, GRPC_STATUS_INVALID_ARGUMENT,
                          "%s expects one request message, the client sent none", m->path);
        else if (c->handler->on_half_close)
            c->handler->on_half_close(c, c->method_data);
        pthread_mutex_lock(&c->mu);
        rpc_call_settle_unlock(c);
        return;
    }
    pthread_mutex_unlock(&c->mu);

    size_t len;
    ProtobufCMessage *msg = rpc_unpack(m->request, bb, &len);
    grpc_byte_buffer_destroy(bb);
    if (!msg) {
        rpc_call_fail(c, GRPC_STATUS_INVALID_ARGUMENT,
                      "%s: the request (%zu bytes) does not decode as %s", m->path, len,
                      m->request->name);
        pthread_mutex_lock(&c->mu);
        rpc_call_settle_unlock(c);
        return;
    }
    pthread_mutex_lock(&c->mu);
    c->got_request = true;
    /* Streams read on; unary and server-stream methods take exactly one message. */
    if (!one_request_kind(m) && c->gc && !c->close_done && !c->close_sent) rpc_call_recv_locked(c);
    pthread_mutex_unlock(&c->mu);

    if (c->handler->on_message) c->handler->on_message(c, msg, c->method_data);
    else rpc_message_free(msg);

    pthread_mutex_lock(&c->mu);
    rpc_call_settle_unlock(c);
}

static void on_close_done_server(rpc_tag *t, bool ok) {
    rpc_call *c = CONTAINER_OF(t, rpc_call, close_tag);
    pthread_mutex_lock(&c->mu);
    c->close_done = true;
    if (!ok) c->cancelled = 1;
    rpc_call_settle_unlock(c);
}

static const method_entry *find_method(rpc_server *s, grpc_slice path) {
    size_t n = GRPC_SLICE_LENGTH(path);
    const uint8_t *p = GRPC_SLICE_START_PTR(path);
    for (size_t i = 0; i < s->n_methods; i++) {
        const char *mp = s->methods[i].m->path;
        if (strlen(mp) == n && memcmp(mp, p, n) == 0) return &s->methods[i];
    }
    return NULL;
}

static void start_call(rpc_server *s, grpc_call *gc, const method_entry *e, grpc_slice path) {
    rpc_call *c = zisk_xmalloc(sizeof *c);
    rpc_call_init(c, &s->loop, gc, true, e ? e->m : NULL, RPC_MAX_MESSAGE_BYTES);
    c->refs = 1; /* only the active reference: the library keeps it until on_done returns */
    c->handler = e ? &e->h : NULL;
    c->method_data = e ? e->data : NULL;
    c->recv_tag.fn = on_recv_done_server;
    c->close_tag.fn = on_close_done_server;
    char *peer = grpc_call_get_peer(gc);
    c->peer = zisk_xmalloc(strlen(peer) + 1);
    strcpy(c->peer, peer);
    gpr_free(peer);

    grpc_op op;
    memset(&op, 0, sizeof op);
    op.op = GRPC_OP_RECV_CLOSE_ON_SERVER;
    op.data.recv_close_on_server.cancelled = &c->cancelled;
    grpc_call_error err = grpc_call_start_batch(gc, &op, 1, &c->close_tag, NULL);
    if (err != GRPC_CALL_OK) zisk_panic(__FILE__, __LINE__, "grpc_call_start_batch (close): %s",
                                        grpc_call_error_to_string(err));
    if (!e) {
        int n = (int)(GRPC_SLICE_LENGTH(path) > 200 ? 200 : GRPC_SLICE_LENGTH(path));
        rpc_call_fail(c, GRPC_STATUS_UNIMPLEMENTED, "method '%.*s' is not served here", n,
                      (const char *)GRPC_SLICE_START_PTR(path));
        return;
    }
    if (e->h.on_start) e->h.on_start(c, e->data);
    pthread_mutex_lock(&c->mu);
    if (c->gc && !c->close_done && !c->close_sent) rpc_call_recv_locked(c);
    rpc_call_settle_unlock(c);
}

static void request_slot_locked(rpc_server *s, req_slot *sl) {
    grpc_call_error e = grpc_server_request_call(s->gs, &sl->gc, &sl->details, &sl->md,
                                                 s->loop.cq, s->loop.cq, &sl->tag);
    if (e != GRPC_CALL_OK) zisk_panic(__FILE__, __LINE__, "grpc_server_request_call: %s",
                                      grpc_call_error_to_string(e));
}

static void on_request(rpc_tag *t, bool ok) {
    req_slot *sl = CONTAINER_OF(t, req_slot, tag);
    rpc_server *s = sl->srv;
    grpc_call *gc = ok ? sl->gc : NULL;
    grpc_slice path = grpc_slice_ref(sl->details.method);
    grpc_call_details_destroy(&sl->details);
    grpc_metadata_array_destroy(&sl->md);
    grpc_call_details_init(&sl->details);
    grpc_metadata_array_init(&sl->md);
    sl->gc = NULL;

    pthread_mutex_lock(&s->mu);
    if (ok && !s->shutting_down) {
        request_slot_locked(s, sl);
    } else {
        s->slots_pending--;
        pthread_cond_broadcast(&s->cv);
    }
    pthread_mutex_unlock(&s->mu);

    if (gc) start_call(s, gc, find_method(s, path), path);
    grpc_slice_unref(path);
}

static void on_shutdown_notified(rpc_tag *t, bool ok) {
    rpc_server *s = CONTAINER_OF(t, rpc_server, shutdown_tag);
    pthread_mutex_lock(&s->mu);
    s->shutdown_notified = true;
    pthread_cond_broadcast(&s->cv);
    pthread_mutex_unlock(&s->mu);
}

/* ---------------------------------------------------------------------------------------- */
/* health */

static const rpc_method health_check = {
    "/grpc.health.v1.Health/Check", RPC_UNARY, &grpc__health__v1__health_check_request__descriptor,
    &grpc__health__v1__health_check_response__descriptor};
static const rpc_method health_watch = {
    "/grpc.health.v1.Health/Watch", RPC_SERVER_STREAM,
    &grpc__health__v1__health_check_request__descriptor,
    &grpc__health__v1__health_check_response__descriptor};

/* hmu held. -1 when the service is unknown. */
static int health_lookup(rpc_server *s, const char *service) {
    for (size_t i = 0; i < s->n_health; i++)
        if (strcmp(s->health[i].service, service) == 0) return s->health[i].status;
    return -1;
}

static void health_send(rpc_call *c, int status) {
    Grpc__Health__V1__HealthCheckResponse r = GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__INIT;
    r.status = (Grpc__Health__V1__HealthCheckResponse__ServingStatus)status;
    rpc_call_send(c, &r.base);
}

static void health_check_msg(rpc_call *c, ProtobufCMessage *msg, void *data) {
    rpc_server *s = data;
    Grpc__Health__V1__HealthCheckRequest *req = (Grpc__Health__V1__HealthCheckRequest *)msg;
    pthread_mutex_lock(&s->hmu);
    int st = health_lookup(s, req->service);
    pthread_mutex_unlock(&s->hmu);
    if (st < 0) {
        rpc_call_fail(c, GRPC_STATUS_NOT_FOUND, "unknown service '%.200s'", req->service);
    } else {
        Grpc__Health__V1__HealthCheckResponse r = GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__INIT;
        r.status = (Grpc__Health__V1__HealthCheckResponse__ServingStatus)st;
        rpc_call_reply(c, &r.base);
    }
    rpc_message_free(msg);
}

static void health_watch_msg(rpc_call *c, ProtobufCMessage *msg, void *data) {
    rpc_server *s = data;
    Grpc__Health__V1__HealthCheckRequest *req = (Grpc__Health__V1__HealthCheckRequest *)msg;
    watch_state *w = zisk_xmalloc(sizeof *w);
    w->service = zisk_xmalloc(strlen(req->service) + 1);
    strcpy(w->service, req->service);
    rpc_message_free(msg);
    rpc_call_set_data(c, w);

    pthread_mutex_lock(&s->hmu);
    int st = health_lookup(s, w->service);
    w->last = st < 0 ? GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__SERVING_STATUS__SERVICE_UNKNOWN : st;
    health_send(c, w->last);
    if (s->health_frozen) {
        rpc_call_finish(c, GRPC_STATUS_UNAVAILABLE, "the server is shutting down");
    } else {
        rpc_call_ref(c);
        s->watchers = zisk_xrealloc(s->watchers, (s->n_watchers + 1) * sizeof *s->watchers);
        s->watchers[s->n_watchers++] = c;
    }
    pthread_mutex_unlock(&s->hmu);
}

static void health_watch_done(rpc_call *c, bool cancelled, void *data) {
    rpc_server *s = data;
    watch_state *w = rpc_call_data(c);
    bool held = false;
    pthread_mutex_lock(&s->hmu);
    for (size_t i = 0; i < s->n_watchers; i++) {
        if (s->watchers[i] == c) {
            s->watchers[i] = s->watchers[--s->n_watchers];
            held = true;
            break;
        }
    }
    pthread_mutex_unlock(&s->hmu);
    if (held) rpc_call_unref(c);
    if (w) {
        free(w->service);
        free(w);
    }
}

/* hmu held. */
static void health_set_locked(rpc_server *s, const char *service, int status) {
    size_t i;
    for (i = 0; i < s->n_health; i++)
        if (strcmp(s->health[i].service, service) == 0) break;
    if (i == s->n_health) {
        s->health = zisk_xrealloc(s->health, (s->n_health + 1) * sizeof *s->health);
        s->health[i].service = zisk_xmalloc(strlen(service) + 1);
        strcpy(s->health[i].service, service);
        s->n_health++;
    }
    s->health[i].status = status;
    for (size_t k = 0; k < s->n_watchers; k++) {
        watch_state *w = rpc_call_data(s->watchers[k]);
        if (strcmp(w->service, service) == 0 && w->last != status) {
            w->last = status;
            health_send(s->watchers[k], status);
        }
    }
}

void rpc_server_set_health(rpc_server *s, const char *service, int serving_status) {
    pthread_mutex_lock(&s->hmu);
    if (!s->health_frozen) health_set_locked(s, service ? service : "", serving_status);
    pthread_mutex_unlock(&s->hmu);
}

/* Shutdown begins: everything NOT_SERVING, watchers told and their streams ended, so they do
 * not hold the shutdown for its whole grace period. */
static void health_shutdown(rpc_server *s) {
    pthread_mutex_lock(&s->hmu);
    for (size_t i = 0; i < s->n_health; i++)
        health_set_locked(s, s->health[i].service,
                          GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__SERVING_STATUS__NOT_SERVING);
    s->health_frozen = true;
    for (size_t k = 0; k < s->n_watchers; k++)
        rpc_call_finish(s->watchers[k], GRPC_STATUS_UNAVAILABLE, "the server is shutting down");
    pthread_mutex_unlock(&s->hmu);
}

/* ---------------------------------------------------------------------------------------- */
/* the server */

rpc_server *rpc_server_create(const rpc_server_options *opts, zisk_err *err) {
    unsigned ka = opts && opts->keepalive_seconds ? opts->keepalive_seconds : 20;
    unsigned kat = opts && opts->keepalive_timeout_seconds ? opts->keepalive_timeout_seconds : 10;
    grpc_init();
    rpc_server *s = zisk_xcalloc(1, sizeof *s);
    if (rpc_loop_start(&s->loop, err) != 0) {
        free(s);
        grpc_shutdown();
        return NULL;
    }
    ZISK_ASSERT(pthread_mutex_init(&s->mu, NULL) == 0);
    ZISK_ASSERT(pthread_mutex_init(&s->hmu, NULL) == 0);
    rpc_cond_init(&s->cv);
    s->shutdown_tag.fn = on_shutdown_notified;

    /* Keepalive both ways: our pings find dead clients; clients' pings are accepted down to one
     * a second (gRPC's default, 5 minutes, answers a 20 s pinger with GOAWAY "too_many_pings"). */
    grpc_arg args[] = {
        {GRPC_ARG_INTEGER, GRPC_ARG_MAX_RECEIVE_MESSAGE_LENGTH, {.integer = RPC_MAX_MESSAGE_BYTES}},
        {GRPC_ARG_INTEGER, GRPC_ARG_MAX_SEND_MESSAGE_LENGTH, {.integer = RPC_MAX_MESSAGE_BYTES}},
        {GRPC_ARG_INTEGER, GRPC_ARG_KEEPALIVE_TIME_MS, {.integer = (int)(ka * 1000)}},
        {GRPC_ARG_INTEGER, GRPC_ARG_KEEPALIVE_TIMEOUT_MS, {.integer = (int)(kat * 1000)}},
        {GRPC_ARG_INTEGER, GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, {.integer = 1}},
        {GRPC_ARG_INTEGER, GRPC_ARG_HTTP2_MAX_PINGS_WITHOUT_DATA, {.integer = 0}},
        {GRPC_ARG_INTEGER, GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS, {.integer = 1000}},
        /* gRPC's default SO_REUSEPORT would let a second server bind the same port and quietly
         * take half the connections; a port in use must be an error. */
        {GRPC_ARG_INTEGER, GRPC_ARG_ALLOW_REUSEPORT, {.integer = 0}},
    };
    grpc_channel_args ca = {sizeof args / sizeof args[0], args};
    s->gs = grpc_server_create(&ca, NULL);
    grpc_server_register_completion_queue(s->gs, s->loop.cq, NULL);
    for (int i = 0; i < REQUEST_SLOTS; i++) {
        s->slots[i].tag.fn = on_request;
        s->slots[i].srv = s;
        grpc_call_details_init(&s->slots[i].details);
        grpc_metadata_array_init(&s->slots[i].md);
    }

    static const rpc_handler check_h = {NULL, health_check_msg, NULL, NULL};
    static const rpc_handler watch_h = {NULL, health_watch_msg, NULL, health_watch_done};
    rpc_server_add_method(s, &health_check, &check_h, s, NULL);
    rpc_server_add_method(s, &health_watch, &watch_h, s, NULL);
    health_set_locked(s, "", GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__SERVING_STATUS__SERVING);
    return s;
}

int rpc_server_add_method(rpc_server *s, const rpc_method *m, const rpc_handler *h, void *data,
                          zisk_err *err) {
    ZISK_ASSERT(!s->started && m && m->path && m->request && m->response && h);
    for (size_t i = 0; i < s->n_methods; i++)
        if (strcmp(s->methods[i].m->path, m->path) == 0)
            return zisk_err_set(err, "method %s is registered twice", m->path);
    s->methods = zisk_xrealloc(s->methods, (s->n_methods + 1) * sizeof *s->methods);
    s->methods[s->n_methods++] = (method_entry){m, *h, data};
    return 0;
}

int rpc_server_listen(rpc_server *s, const char *addr, zisk_err *err) {
    ZISK_ASSERT(!s->started);
    grpc_server_credentials *creds = grpc_insecure_server_credentials_create();
    int port = grpc_server_add_http2_port(s->gs, addr, creds);
    grpc_server_credentials_release(creds);
    if (port <= 0)
        return zisk_err_set(err, "cannot listen on %s (address in use, or not a valid host:port)",
                            addr);
    return port;
}

int rpc_server_start(rpc_server *s, zisk_err *err) {
    ZISK_ASSERT(!s->started);
    grpc_server_start(s->gs);
    pthread_mutex_lock(&s->mu);
    s->started = true;
    for (int i = 0; i < REQUEST_SLOTS; i++) {
        request_slot_locked(s, &s->slots[i]);
        s->slots_pending++;
    }
    pthread_mutex_unlock(&s->mu);
    return 0;
}

void rpc_server_shutdown(rpc_server *s, double grace_seconds) {
    pthread_mutex_lock(&s->mu);
    if (s->shutting_down) {
        while (!s->shutdown_complete) pthread_cond_wait(&s->cv, &s->mu);
        pthread_mutex_unlock(&s->mu);
        return;
    }
    s->shutting_down = true;
    pthread_mutex_unlock(&s->mu);

    health_shutdown(s);
    /* Also for a server never started: gRPC refuses to destroy one with listeners otherwise. */
    {
        grpc_server_shutdown_and_notify(s->gs, s->loop.cq, &s->shutdown_tag);
        struct timespec until = rpc_abstime_after(grace_seconds > 0 ? grace_seconds : 0);
        pthread_mutex_lock(&s->mu);
        while (!s->shutdown_notified)
            if (pthread_cond_timedwait(&s->cv, &s->mu, &until) != 0) break;
        bool done = s->shutdown_notified;
        pthread_mutex_unlock(&s->mu);
        if (!done) {
            /* Grace is over: end whatever is still running (long-lived streams). */
            grpc_server_cancel_all_calls(s->gs);
        }
        pthread_mutex_lock(&s->mu);
        while (!s->shutdown_notified || s->slots_pending > 0) pthread_cond_wait(&s->cv, &s->mu);
        pthread_mutex_unlock(&s->mu);
    }
    /* Every call has had its on_done (the notification comes after gRPC let go of all calls,
     * and we let go only after on_done). */
    rpc_loop_wait_idle(&s->loop);
    pthread_mutex_lock(&s->mu);
    s->shutdown_complete = true;
    pthread_cond_broadcast(&s->cv);
    pthread_mutex_unlock(&s->mu);
}

void rpc_server_destroy(rpc_server *s) {
    if (!s) return;
    rpc_server_shutdown(s, 0);
    grpc_server_destroy(s->gs);
    rpc_loop_stop(&s->loop);
    for (int i = 0; i < REQUEST_SLOTS; i++) {
        grpc_call_details_destroy(&s->slots[i].details);
        grpc_metadata_array_destroy(&s->slots[i].md);
    }
    ZISK_ASSERT(s->n_watchers == 0);
    free(s->watchers);
    for (size_t i = 0; i < s->n_health; i++) free(s->health[i].service);
    free(s->health);
    free(s->methods);
    pthread_cond_destroy(&s->cv);
    pthread_mutex_destroy(&s->mu);
    pthread_mutex_destroy(&s->hmu);
    free(s);
    grpc_shutdown();
}
