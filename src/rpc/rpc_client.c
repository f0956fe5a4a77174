/*
 * rpc_client.c: URLs, channels and client calls. Every client call is an rpc_stream (unary is
 * a stream that sends one message and reads one); the channel's thread completes gRPC's
 * batches and wakes the caller's thread, which waits on the call's condition variable.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <grpc/grpc_security.h>
#include <grpc/support/alloc.h>

#include "rpc_internal.h"

#define CONTAINER_OF(ptr, type, member) ((type *)((char *)(ptr) - offsetof(type, member)))

struct rpc_channel {
    rpc_loop loop;
    grpc_channel *gc;
    size_t max_send;
    char url[300];
};

struct rpc_stream {
    rpc_call c;
};

/* ---------------------------------------------------------------------------------------- */
/* URLs */

static int url_error(zisk_err *err, const char *url, const char *why) {
    return zisk_err_set(err,
                        "invalid coordinator URL '%.300s': expected http://host:port or "
                        "https://host:port (%s)",
                        url, why);
}

int rpc_url_parse(const char *url, rpc_url *out, zisk_err *err) {
    memset(out, 0, sizeof *out);
    if (!url) return url_error(err, "", "no URL given");
    const char *p;
    if (strncasecmp(url, "http://", 7) == 0) {
        p = url + 7;
    } else if (strncasecmp(url, "https://", 8) == 0) {
        p = url + 8;
        out->tls = true;
    } else {
        return url_error(err, url, strstr(url, "://") ? "unsupported scheme" : "missing scheme");
    }
    const char *host = p, *host_end;
    if (*p == '[') {
        /* IPv6 literal: hex digits, ':' and '.' (an embedded IPv4 tail) only. */
        host = ++p;
        while (*p && *p != ']') {
            if (!isxdigit((unsigned char)*p) && *p != ':' && *p != '.')
                return url_error(err, url, "bad character in IPv6 address");
            p++;
        }
        if (*p != ']') return url_error(err, url, "unterminated '[' in host");
        host_end = p++;
        if (host_end == host) return url_error(err, url, "empty host");
    } else {
        while (*p && *p != ':' && *p != '/') {
            unsigned char ch = (unsigned char)*p;
            if (ch == '@') return url_error(err, url, "user information is not supported");
            if (!isalnum(ch) && ch != '.' && ch != '-' && ch != '_')
                return url_error(err, url, "bad character in host");
            p++;
        }
        host_end = p;
        if (host_end == host) return url_error(err, url, "empty host");
    }
    if ((size_t)(host_end - host) >= sizeof out->host) return url_error(err, url, "host too long");
    if (*p != ':') return url_error(err, url, "missing port");
    p++;
    unsigned long port = 0;
    const char *digits = p;
    while (isdigit((unsigned char)*p)) {
        port = port * 10 + (unsigned long)(*p - '0');
        if (port > 65535) return url_error(err, url, "port out of range 1..65535");
        p++;
    }
    if (p == digits) return url_error(err, url, "missing port");
    if (port == 0) return url_error(err, url, "port out of range 1..65535");
    if (*p == '/') p++;
    if (*p != '\0') return url_error(err, url, "unexpected text after the port (paths are not supported)");

    memcpy(out->host, host, (size_t)(host_end - host));
    out->host[host_end - host] = '\0';
    out->port = (uint16_t)port;
    if (strchr(out->host, ':'))
        snprintf(out->target, sizeof out->target, "[%s]:%u", out->host, (unsigned)port);
    else
        snprintf(out->target, sizeof out->target, "%s:%u", out->host, (unsigned)port);
    return 0;
}

/* ---------------------------------------------------------------------------------------- */
/* channels */

rpc_channel *rpc_channel_create(const char *url, const rpc_channel_options *opts, zisk_err *err) {
    rpc_url u;
    if (rpc_url_parse(url, &u, err) != 0) return NULL;
    unsigned ka = opts && opts->keepalive_seconds ? opts->keepalive_seconds : 20;
    unsigned kat = opts && opts->keepalive_timeout_seconds ? opts->keepalive_timeout_seconds : 10;
    int max_send = RPC_MAX_MESSAGE_BYTES;
    if (opts && opts->max_send_bytes) max_send = opts->max_send_bytes;

    grpc_init();
    rpc_channel *ch = zisk_xcalloc(1, sizeof *ch);
    if (rpc_loop_start(&ch->loop, err) != 0) {
        free(ch);
        grpc_shutdown();
        return NULL;
    }
    ch->max_send = max_send < 0 ? SIZE_MAX : (size_t)max_send;
    snprintf(ch->url, sizeof ch->url, "%s", url);

    /* Keepalive also without calls, so a worker's stream notices a vanished coordinator within
     * keepalive + timeout even when both sides are quiet. Reconnect backoff is capped at 5 s:
     * gRPC's default (up to 120 s) would keep a worker away long after its coordinator is back. */
    grpc_arg args[] = {
        {GRPC_ARG_INTEGER, GRPC_ARG_MAX_RECEIVE_MESSAGE_LENGTH, {.integer = RPC_MAX_MESSAGE_BYTES}},
        {GRPC_ARG_INTEGER, GRPC_ARG_MAX_SEND_MESSAGE_LENGTH, {.integer = max_send}},
        {GRPC_ARG_INTEGER, GRPC_ARG_KEEPALIVE_TIME_MS, {.integer = (int)(ka * 1000)}},
        {GRPC_ARG_INTEGER, GRPC_ARG_KEEPALIVE_TIMEOUT_MS, {.integer = (int)(kat * 1000)}},
        {GRPC_ARG_INTEGER, GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, {.integer = 1}},
        {GRPC_ARG_INTEGER, GRPC_ARG_HTTP2_MAX_PINGS_WITHOUT_DATA, {.integer = 0}},
        {GRPC_ARG_INTEGER, GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, {.integer = 500}},
        {GRPC_ARG_INTEGER, GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, {.integer = 500}},
        {GRPC_ARG_INTEGER, GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, {.integer = 5000}},
    };
    grpc_channel_args ca = {sizeof args / sizeof args[0], args};
    grpc_channel_credentials *creds;
    if (u.tls) /* NULL roots: GRPC_DEFAULT_SSL_ROOTS_FILE_PATH, else the system's store */
        creds = grpc_ssl_credentials_create(NULL, NULL, NULL, NULL);
    else
        creds = grpc_insecure_credentials_create();
    ch->gc = grpc_channel_create(u.target, creds, &ca);
    grpc_channel_credentials_release(creds);
    return ch;
}

void rpc_channel_shutdown(rpc_channel *ch) {
    rpc_loop_cancel_all(&ch->loop, GRPC_STATUS_CANCELLED, "the channel was shut down");
}

void rpc_channel_destroy(rpc_channel *ch) {
    if (!ch) return;
    rpc_channel_shutdown(ch);
    rpc_loop_wait_idle(&ch->loop);
    grpc_channel_destroy(ch->gc);
    rpc_loop_stop(&ch->loop);
    free(ch);
    grpc_shutdown();
}

/* ---------------------------------------------------------------------------------------- */
/* streams */

static void on_status_done(rpc_tag *t, bool ok) {
    rpc_call *c = CONTAINER_OF(t, rpc_call, close_tag);
    pthread_mutex_lock(&c->mu);
    c->close_done = true;
    c->recv_ended = c->recv_ended || !c->recv_busy; /* nothing more can arrive */
    pthread_cond_broadcast(&c->cv);
    rpc_call_settle_unlock(c);
}

rpc_stream *rpc_stream_open(rpc_channel *ch, const rpc_method *m, double timeout_seconds,
                            zisk_err *err) {
    ZISK_ASSERT(ch && m && m->path && m->request && m->response);
    grpc_slice path = grpc_slice_from_copied_string(m->path);
    /* No wait_for_ready: a server that cannot be reached fails the call with UNAVAILABLE at once
     * instead of holding it until the deadline. */
    grpc_call *gc = grpc_channel_create_call(ch->gc, NULL, GRPC_PROPAGATE_DEFAULTS, ch->loop.cq,
                                             path, NULL, rpc_deadline_after(timeout_seconds), NULL);
    grpc_slice_unref(path);
    if (!gc) {
        zisk_err_set(err, "cannot create a call to %s on %s", m->path, ch->url);
        return NULL;
    }
    rpc_stream *st = zisk_xmalloc(sizeof *st);
    rpc_call *c = &st->c;
    rpc_call_init(c, &ch->loop, gc, false, m, ch->max_send); /* refs: ours + active */
    c->close_tag.fn = on_status_done;

    pthread_mutex_lock(&c->mu);
    grpc_op ops[1];
    memset(ops, 0, sizeof ops);
    ops[0].op = GRPC_OP_RECV_STATUS_ON_CLIENT;
    ops[0].data.recv_status_on_client.trailing_metadata = &c->trailing_md;
    ops[0].data.recv_status_on_client.status = &c->status_code;
    ops[0].data.recv_status_on_client.status_details = &c->status_details;
    ops[0].data.recv_status_on_client.error_string = &c->status_error;
    grpc_call_error e = grpc_call_start_batch(gc, ops, 1, &c->close_tag, NULL);
    if (e != GRPC_CALL_OK) zisk_panic(__FILE__, __LINE__, "grpc_call_start_batch (status): %s",
                                      grpc_call_error_to_string(e));
    /* The headers go first, alone, so that a stream whose first message comes later is still
     * opened now (the server's on_start runs, the connection is tried). */
    memset(ops, 0, sizeof ops);
    ops[0].op = GRPC_OP_SEND_INITIAL_METADATA;
    c->send_busy = true;
    e = grpc_call_start_batch(gc, ops, 1, &c->send_tag, NULL);
    if (e != GRPC_CALL_OK) zisk_panic(__FILE__, __LINE__, "grpc_call_start_batch (headers): %s",
                                      grpc_call_error_to_string(e));
    pthread_mutex_unlock(&c->mu);
    return st;
}

int rpc_stream_send(rpc_stream *st, const ProtobufCMessage *msg) {
    grpc_byte_buffer *bb = rpc_pack(msg, st->c.max_send, NULL);
    if (!bb) return -1;
    return rpc_call_enqueue(&st->c, bb);
}

int rpc_stream_close_send(rpc_stream *st) {
    rpc_call *c = &st->c;
    pthread_mutex_lock(&c->mu);
    if (c->finished || c->gc == NULL) {
        pthread_mutex_unlock(&c->mu);
        return -1;
    }
    c->close_queued = true;
    rpc_call_send_next_locked(c);
    pthread_mutex_unlock(&c->mu);
    return 0;
}

int rpc_stream_flush(rpc_stream *st, double timeout_seconds) {
    rpc_call *c = &st->c;
    struct timespec until = rpc_abstime_after(timeout_seconds);
    int rc = 0;
    pthread_mutex_lock(&c->mu);
    while ((c->q_head || c->send_busy) && !c->finished && !c->send_failed) {
        if (timeout_seconds <= 0) pthread_cond_wait(&c->cv, &c->mu);
        else if (pthread_cond_timedwait(&c->cv, &c->mu, &until) != 0) {
            rc = -1;
            break;
        }
    }
    if (c->q_head || c->send_busy || c->send_failed) rc = -1;
    pthread_mutex_unlock(&c->mu);
    return rc;
}

/* Ends the call from our side with a status of our own (c->mu held). */
static void fail_locked(rpc_call *c, grpc_status_code code, const char *msg) {
    if (c->finished || c->local_fail) return;
    c->local_fail = true;
    c->final.code = code;
    snprintf(c->final.message, sizeof c->final.message, "%s", msg);
    if (c->gc) grpc_call_cancel_with_status(c->gc, code, msg, NULL);
}

rpc_recv_result rpc_stream_recv(rpc_stream *st, double timeout_seconds, ProtobufCMessage **msg,
                                rpc_status *status) {
    rpc_call *c = &st->c;
    struct timespec until = rpc_abstime_after(timeout_seconds);
    *msg = NULL;
    pthread_mutex_lock(&c->mu);
    for (;;) {
        if (c->ready_bb) {
            grpc_byte_buffer *bb = c->ready_bb;
            c->ready_bb = NULL;
            pthread_mutex_unlock(&c->mu);
            size_t len;
            ProtobufCMessage *m = rpc_unpack(c->method->response, bb, &len);
            grpc_byte_buffer_destroy(bb);
            if (m) {
                *msg = m;
                return RPC_RECV_MESSAGE;
            }
            char why[RPC_STATUS_MSG_MAX];
            snprintf(why, sizeof why, "%s: a response (%zu bytes) does not decode as %s",
                     c->method->path, len, c->method->response->name);
            pthread_mutex_lock(&c->mu);
            if (c->finished && c->final.code == GRPC_STATUS_OK) {
                /* The server had already ended the call "successfully": what we got was still
                 * unusable, and that is the outcome the caller must see. */
                c->final.code = GRPC_STATUS_INTERNAL;
                snprintf(c->final.message, sizeof c->final.message, "%s", why);
            }
            fail_locked(c, GRPC_STATUS_INTERNAL, why);
            continue;
        }
        if (c->finished) {
            if (status) *status = c->final;
            pthread_mutex_unlock(&c->mu);
            return RPC_RECV_END;
        }
        if (!c->recv_busy && !c->recv_ended && !c->close_done && c->gc) rpc_call_recv_locked(c);
        if (timeout_seconds <= 0) {
            pthread_cond_wait(&c->cv, &c->mu);
        } else if (pthread_cond_timedwait(&c->cv, &c->mu, &until) != 0) {
            /* A message may have landed at the last moment: take it rather than time out. */
            if (c->ready_bb || c->finished) continue;
            pthread_mutex_unlock(&c->mu);
            return RPC_RECV_TIMEOUT;
        }
    }
}

void rpc_stream_cancel(rpc_stream *st) {
    rpc_call *c = &st->c;
    pthread_mutex_lock(&c->mu);
    fail_locked(c, GRPC_STATUS_CANCELLED, "cancelled by the client");
    pthread_mutex_unlock(&c->mu);
}

void rpc_stream_destroy(rpc_stream *st) {
    if (!st) return;
    rpc_call *c = &st->c;
    pthread_mutex_lock(&c->mu);
    if (!c->finished) fail_locked(c, GRPC_STATUS_CANCELLED, "cancelled by the client");
    while (!c->finished) pthread_cond_wait(&c->cv, &c->mu);
    if (c->ready_bb) {
        grpc_byte_buffer_destroy(c->ready_bb);
        c->ready_bb = NULL;
    }
    pthread_mutex_unlock(&c->mu);
    rpc_call_unref(c);
}

grpc_status_code rpc_unary(rpc_channel *ch, const rpc_method *m, const ProtobufCMessage *req,
                           double timeout_seconds, ProtobufCMessage **resp, rpc_status *status) {
    *resp = NULL;
    memset(status, 0, sizeof *status);
    zisk_err err;
    rpc_stream *st = rpc_stream_open(ch, m, timeout_seconds, &err);
    if (!st) {
        status->code = GRPC_STATUS_INTERNAL;
        snprintf(status->message, sizeof status->message, "%s", err.msg);
        return status->code;
    }
    size_t n;
    grpc_byte_buffer *bb = rpc_pack(req, st->c.max_send, &n);
    if (!bb) {
        status->code = GRPC_STATUS_RESOURCE_EXHAUSTED;
        snprintf(status->message, sizeof status->message,
                 "%s: the request (%zu bytes) is larger than the %zu-byte limit", m->path, n,
                 st->c.max_send);
        rpc_stream_destroy(st);
        return status->code;
    }
    rpc_call_enqueue(&st->c, bb);
    rpc_stream_close_send(st);
    ProtobufCMessage *first = NULL, *extra = NULL;
    if (rpc_stream_recv(st, 0, &first, status) == RPC_RECV_MESSAGE) {
        /* The deadline bounds these waits: the call itself ends by then. */
        while (rpc_stream_recv(st, 0, &extra, status) == RPC_RECV_MESSAGE) rpc_message_free(extra);
    }
    rpc_stream_destroy(st);
    if (status->code == GRPC_STATUS_OK && first == NULL) {
        status->code = GRPC_STATUS_INTERNAL;
        snprintf(status->message, sizeof status->message, "%s: the server sent no response",
                 m->path);
    }
    if (status->code != GRPC_STATUS_OK) {
        rpc_message_free(first);
        return status->code;
    }
    *resp = first;
    return GRPC_STATUS_OK;
}
