/*
 * test_rpc.c: the RPC layer against a real server on 127.0.0.1 (port 0: the kernel picks a free
 * one). One Echo server serves most tests; shutdown tests make their own.
 *
 * Run one test: CMOCKA_TEST_ABORT=1 test_rpc <name-substring> (see main).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include <grpc/grpc.h>
#include <grpc/grpc_security.h>
#include <grpc/support/time.h>

#include "echo.pb-c.h"
#include "grpc/health/v1/health.pb-c.h"
#include "rpc.h"

typedef Zisk__Test__V1__EchoRequest EchoRequest;
typedef Zisk__Test__V1__EchoReply EchoReply;
#define ECHO_REQUEST_INIT ZISK__TEST__V1__ECHO_REQUEST__INIT
#define REQ_DESC (&zisk__test__v1__echo_request__descriptor)
#define REP_DESC (&zisk__test__v1__echo_reply__descriptor)
#define HREQ_DESC (&grpc__health__v1__health_check_request__descriptor)
#define HREP_DESC (&grpc__health__v1__health_check_response__descriptor)

static const rpc_method m_unary = {"/zisk.test.v1.Echo/Unary", RPC_UNARY, REQ_DESC, REP_DESC};
static const rpc_method m_sstream = {"/zisk.test.v1.Echo/ServerStream", RPC_SERVER_STREAM,
                                     REQ_DESC, REP_DESC};
static const rpc_method m_cstream = {"/zisk.test.v1.Echo/ClientStream", RPC_CLIENT_STREAM,
                                     REQ_DESC, REP_DESC};
static const rpc_method m_bidi = {"/zisk.test.v1.Echo/Bidi", RPC_BIDI_STREAM, REQ_DESC, REP_DESC};
/* Served with a response type the client does not expect (client-side decode errors). */
static const rpc_method m_wrong_srv = {"/zisk.test.v1.Echo/Wrong", RPC_UNARY, REQ_DESC, HREP_DESC};
static const rpc_method m_wrong_cli = {"/zisk.test.v1.Echo/Wrong", RPC_UNARY, REQ_DESC, REP_DESC};
static const rpc_method m_missing = {"/zisk.test.v1.Echo/NoSuchMethod", RPC_UNARY, REQ_DESC,
                                     REP_DESC};
static const rpc_method m_hcheck = {"/grpc.health.v1.Health/Check", RPC_UNARY, HREQ_DESC, HREP_DESC};
static const rpc_method m_hwatch = {"/grpc.health.v1.Health/Watch", RPC_SERVER_STREAM, HREQ_DESC,
                                    HREP_DESC};

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void sleep_ms(unsigned ms) {
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* ------------------------------------------------------------------------------------------ */
/* The Echo service                                                                           */

/* Handlers must not block: delayed answers run on threads of their own, joined at the end. */
typedef struct deferred {
    pthread_t t;
    rpc_call *call;
    EchoRequest *req;
    bool stream; /* server stream: send every delay_ms until the call ends or count is reached */
} deferred;

static pthread_mutex_t g_def_mu = PTHREAD_MUTEX_INITIALIZER;
static deferred *g_defs[256];
static size_t g_n_defs;
static int g_done_count; /* on_done calls seen */
static int g_done_cancelled;

static void fill_reply(EchoReply *r, const EchoRequest *q, char *text, size_t text_cap,
                       uint8_t **blob) {
    snprintf(text, text_cap, "echo: %s", q->text);
    r->text = text;
    r->blob_size = q->blob.len;
    *blob = NULL;
    if (q->reply_blob) {
        *blob = calloc(1, q->reply_blob);
        assert_non_null(*blob);
        r->blob.data = *blob;
        r->blob.len = q->reply_blob;
    }
}

static void answer_unary(rpc_call *call, const EchoRequest *q) {
    if (q->fail_code) {
        rpc_call_fail(call, (grpc_status_code)q->fail_code, "asked to fail with %d", q->fail_code);
        return;
    }
    EchoReply r = ZISK__TEST__V1__ECHO_REPLY__INIT;
    char text[256];
    uint8_t *blob;
    fill_reply(&r, q, text, sizeof text, &blob);
    rpc_call_reply(call, &r.base);
    free(blob);
}

static void *deferred_main(void *arg) {
    deferred *d = arg;
    if (!d->stream) {
        sleep_ms(d->req->delay_ms);
        answer_unary(d->call, d->req);
    } else {
        for (uint32_t i = 0; d->req->count == 0 || i < d->req->count; i++) {
            sleep_ms(d->req->delay_ms);
            EchoReply r = ZISK__TEST__V1__ECHO_REPLY__INIT;
            r.text = d->req->text;
            r.index = i;
            if (rpc_call_send(d->call, &r.base) != 0) break; /* the call ended */
        }
        rpc_call_finish(d->call, GRPC_STATUS_OK, NULL);
    }
    rpc_call_unref(d->call);
    rpc_message_free(&d->req->base);
    return NULL;
}

static void defer(rpc_call *call, EchoRequest *q, bool stream) {
    deferred *d = calloc(1, sizeof *d);
    d->call = call;
    d->req = q;
    d->stream = stream;
    rpc_call_ref(call);
    pthread_mutex_lock(&g_def_mu);
    assert_true(g_n_defs < sizeof g_defs / sizeof g_defs[0]);
    g_defs[g_n_defs++] = d;
    pthread_mutex_unlock(&g_def_mu);
    assert_int_equal(pthread_create(&d->t, NULL, deferred_main, d), 0);
}

static void join_deferred(void) {
    pthread_mutex_lock(&g_def_mu);
    size_t n = g_n_defs;
    g_n_defs = 0;
    pthread_mutex_unlock(&g_def_mu);
    for (size_t i = 0; i < n; i++) {
        pthread_join(g_defs[i]->t, NULL);
        free(g_defs[i]);
    }
}

static void count_done(rpc_call *call, bool cancelled, void *md) {
    pthread_mutex_lock(&g_def_mu);
    g_done_count++;
    if (cancelled) g_done_cancelled++;
    pthread_mutex_unlock(&g_def_mu);
}

static void unary_msg(rpc_call *call, ProtobufCMessage *m, void *md) {
    EchoRequest *q = (EchoRequest *)m;
    if (q->delay_ms) {
        defer(call, q, false);
        return;
    }
    answer_unary(call, q);
    rpc_message_free(m);
}

static void sstream_msg(rpc_call *call, ProtobufCMessage *m, void *md) {
    EchoRequest *q = (EchoRequest *)m;
    if (q->delay_ms) {
        defer(call, q, true);
        return;
    }
    for (uint32_t i = 0; i < q->count; i++) {
        EchoReply r = ZISK__TEST__V1__ECHO_REPLY__INIT;
        char text[300];
        snprintf(text, sizeof text, "%s #%u", q->text, i);
        r.text = text;
        r.index = i;
        assert_int_equal(rpc_call_send(call, &r.base), 0);
    }
    rpc_call_finish(call, GRPC_STATUS_OK, NULL);
    rpc_message_free(m);
}

typedef struct acc {
    uint32_t n;
    uint64_t bytes;
    char text[1024];
} acc;

static void acc_start(rpc_call *call, void *md) { rpc_call_set_data(call, calloc(1, sizeof(acc))); }

static void cstream_msg(rpc_call *call, ProtobufCMessage *m, void *md) {
    acc *a = rpc_call_data(call);
    EchoRequest *q = (EchoRequest *)m;
    a->n++;
    a->bytes += q->blob.len;
    size_t l = strlen(a->text);
    snprintf(a->text + l, sizeof a->text - l, "%s", q->text);
    rpc_message_free(m);
}

static void cstream_half_close(rpc_call *call, void *md) {
    acc *a = rpc_call_data(call);
    EchoReply r = ZISK__TEST__V1__ECHO_REPLY__INIT;
    r.text = a->text;
    r.index = a->n;
    r.blob_size = a->bytes;
    rpc_call_reply(call, &r.base);
}

static void acc_done(rpc_call *call, bool cancelled, void *md) {
    free(rpc_call_data(call));
    count_done(call, cancelled, md);
}

static void bidi_msg(rpc_call *call, ProtobufCMessage *m, void *md) {
    acc *a = rpc_call_data(call);
    EchoRequest *q = (EchoRequest *)m;
    if (q->fail_code) {
        rpc_call_fail(call, (grpc_status_code)q->fail_code, "bidi asked to fail");
    } else {
        EchoReply r = ZISK__TEST__V1__ECHO_REPLY__INIT;
        r.text = q->text;
        r.index = a->n++;
        r.blob_size = q->blob.len;
        rpc_call_send(call, &r.base);
    }
    rpc_message_free(m);
}

static void bidi_half_close(rpc_call *call, void *md) {
    rpc_call_finish(call, GRPC_STATUS_OK, "bye");
}

static void wrong_msg(rpc_call *call, ProtobufCMessage *m, void *md) {
    Grpc__Health__V1__HealthCheckResponse r = GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__INIT;
    r.status = GRPC__HEALTH__V1__HEALTH_CHECK_RESPONSE__SERVING_STATUS__SERVING;
    rpc_call_reply(call, &r.base);
    rpc_message_free(m);
}

static const rpc_handler h_unary = {NULL, unary_msg, NULL, count_done};
static const rpc_handler h_sstream = {NULL, sstream_msg, NULL, count_done};
static const rpc_handler h_cstream = {acc_start, cstream_msg, cstream_half_close, acc_done};
static const rpc_handler h_bidi = {acc_start, bidi_msg, bidi_half_close, acc_done};
static const rpc_handler h_wrong = {NULL, wrong_msg, NULL, NULL};

static rpc_server *echo_server_start(int *port) {
    zisk_err err;
    rpc_server *s = rpc_server_create(NULL, &err);
    assert_non_null(s);
    assert_int_equal(rpc_server_add_method(s, &m_unary, &h_unary, NULL, &err), 0);
    assert_int_equal(rpc_server_add_method(s, &m_sstream, &h_sstream, NULL, &err), 0);
    assert_int_equal(rpc_server_add_method(s, &m_cstream, &h_cstream, NULL, &err), 0);
    assert_int_equal(rpc_server_add_method(s, &m_bidi, &h_bidi, NULL, &err), 0);
    assert_int_equal(rpc_server_add_method(s, &m_wrong_srv, &h_wrong, NULL, &err), 0);
    assert_int_equal(rpc_server_add_method(s, &m_unary, &h_unary, NULL, &err), -1);
    assert_non_null(strstr(err.msg, "registered twice"));
    *port = rpc_server_listen(s, "127.0.0.1:0", &err);
    assert_true(*port > 0);
    assert_int_equal(rpc_server_start(s, &err), 0);
    return s;
}

static rpc_channel *connect_port(int port, const rpc_channel_options *o) {
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d", port);
    zisk_err err;
    rpc_channel *ch = rpc_channel_create(url, o, &err);
    assert_non_null(ch);
    return ch;
}

/* The shared server and channel. */
static rpc_server *g_srv;
static int g_port;
static rpc_channel *g_ch;

static int group_setup(void **state) {
    g_srv = echo_server_start(&g_port);
    g_ch = connect_port(g_port, NULL);
    return 0;
}

static int group_teardown(void **state) {
    rpc_channel_destroy(g_ch);
    rpc_server_destroy(g_srv);
    join_deferred();
    return 0;
}

/* ------------------------------------------------------------------------------------------ */
/* The four kinds                                                                             */

static void test_unary(void **state) {
    for (int i = 0; i < 20; i++) {
        EchoRequest q = ECHO_REQUEST_INIT;
        char text[32];
        snprintf(text, sizeof text, "hello %d", i);
        q.text = text;
        uint8_t blob[100];
        memset(blob, i, sizeof blob);
        q.blob.data = blob;
        q.blob.len = (size_t)i * 5;
        ProtobufCMessage *resp;
        rpc_status st;
        assert_int_equal(rpc_unary(g_ch, &m_unary, &q.base, 5, &resp, &st), GRPC_STATUS_OK);
        EchoReply *r = (EchoReply *)resp;
        char want[64];
        snprintf(want, sizeof want, "echo: hello %d", i);
        assert_string_equal(r->text, want);
        assert_int_equal(r->blob_size, (uint64_t)i * 5);
        rpc_message_free(resp);
    }
}

static void test_unary_error_status(void **state) {
    EchoRequest q = ECHO_REQUEST_INIT;
    q.text = "x";
    q.fail_code = GRPC_STATUS_NOT_FOUND;
    ProtobufCMessage *resp;
    rpc_status st;
    assert_int_equal(rpc_unary(g_ch, &m_unary, &q.base, 5, &resp, &st), GRPC_STATUS_NOT_FOUND);
    assert_null(resp);
    assert_string_equal(st.message, "asked to fail with 5");
    assert_string_equal(rpc_status_code_name(st.code), "NOT_FOUND");
}

static void test_unimplemented(void **state) {
    EchoRequest q = ECHO_REQUEST_INIT;
    ProtobufCMessage *resp;
    rpc_status st;
    /* The server answers a path it does not serve at once, before reading the request. gRPC
     * core then ends the stream with RST_STREAM after the trailers, and under load the client
     * transport now and then reports that reset (CANCELLED) instead of the status it carried (a
     * known core race, grpc/grpc#4427; seen once in CI). Any other outcome is a failure. */
    grpc_status_code code = GRPC_STATUS_CANCELLED;
    for (int attempt = 0; attempt < 5 && code == GRPC_STATUS_CANCELLED; attempt++)
        code = rpc_unary(g_ch, &m_missing, &q.base, 5, &resp, &st);
    assert_int_equal(code, GRPC_STATUS_UNIMPLEMENTED);
    assert_non_null(strstr(st.message, "/zisk.test.v1.Echo/NoSuchMethod"));
}

static void test_server_stream(void **state) {
    for (int round = 0; round < 3; round++) {
        EchoRequest q = ECHO_REQUEST_INIT;
        q.text = "s";
        q.count = 5 + (uint32_t)round * 20;
        rpc_stream *s = rpc_stream_open(g_ch, &m_sstream, 5, NULL);
        assert_non_null(s);
        assert_int_equal(rpc_stream_send(s, &q.base), 0);
        assert_int_equal(rpc_stream_close_send(s), 0);
        assert_int_equal(rpc_stream_send(s, &q.base), -1); /* closed for sending */
        ProtobufCMessage *m;
        rpc_status st;
        for (uint32_t i = 0; i < q.count; i++) {
            assert_int_equal(rpc_stream_recv(s, 5, &m, &st), RPC_RECV_MESSAGE);
            EchoReply *r = (EchoReply *)m;
            assert_int_equal(r->index, i);
            char want[32];
            snprintf(want, sizeof want, "s #%u", i);
            assert_string_equal(r->text, want);
            rpc_message_free(m);
        }
        assert_int_equal(rpc_stream_recv(s, 5, &m, &st), RPC_RECV_END);
        assert_int_equal(st.code, GRPC_STATUS_OK);
        /* Ended streams keep answering END. */
        assert_int_equal(rpc_stream_recv(s, 5, &m, &st), RPC_RECV_END);
        rpc_stream_destroy(s);
    }
}

static void test_client_stream(void **state) {
    rpc_stream *s = rpc_stream_open(g_ch, &m_cstream, 5, NULL);
    uint8_t blob[1000] = {0};
    for (int i = 0; i < 7; i++) {
        EchoRequest q = ECHO_REQUEST_INIT;
        char t[4] = {(char)('a' + i), 0};
        q.text = t;
        q.blob.data = blob;
        q.blob.len = (size_t)(i + 1) * 100;
        assert_int_equal(rpc_stream_send(s, &q.base), 0);
    }
    assert_int_equal(rpc_stream_close_send(s), 0);
    ProtobufCMessage *m;
    rpc_status st;
    assert_int_equal(rpc_stream_recv(s, 5, &m, &st), RPC_RECV_MESSAGE);
    EchoReply *r = (EchoReply *)m;
    assert_string_equal(r->text, "abcdefg");
    assert_int_equal(r->index, 7);
    assert_int_equal(r->blob_size, 2800);
    rpc_message_free(m);
    assert_int_equal(rpc_stream_recv(s, 5, &m, &st), RPC_RECV_END);
    assert_int_equal(st.code, GRPC_STATUS_OK);
    rpc_stream_destroy(s);
}

static void test_bidi(void **state) {
    rpc_stream *s = rpc_stream_open(g_ch, &m_bidi, 0, NULL);
    ProtobufCMessage *m;
    rpc_status st;
    /* Nothing to read yet: a receive times out and the stream stays usable. */
    double t0 = now_s();
    assert_int_equal(rpc_stream_recv(s, 0.1, &m, &st), RPC_RECV_TIMEOUT);
    assert_true(now_s() - t0 >= 0.09);
    for (uint32_t i = 0; i < 10; i++) {
        EchoRequest q = ECHO_REQUEST_INIT;
        char t[16];
        snprintf(t, sizeof t, "ping %u", i);
        q.text = t;
        assert_int_equal(rpc_stream_send(s, &q.base), 0);
        assert_int_equal(rpc_stream_recv(s, 5, &m, &st), RPC_RECV_MESSAGE);
        EchoReply *r = (EchoReply *)m;
        assert_int_equal(r->index, i);
        assert_string_equal(r->text, t);
        rpc_message_free(m);
    }
    assert_int_equal(rpc_stream_flush(s, 5), 0);
    assert_int_equal(rpc_stream_close_send(s), 0);
    assert_int_equal(rpc_stream_recv(s, 5, &m, &st), RPC_RECV_END);
    assert_int_equal(st.code, GRPC_STATUS_OK);
    assert_string_equal(st.message, "bye");
    rpc_stream_destroy(s);
}

typedef struct sender_arg {
    rpc_stream *s;
    int id;
} sender_arg;

static void *sender_main(void *p) {
    sender_arg *a = p;
    for (int i = 0; i < 50; i++) {
        EchoRequest q = ECHO_REQUEST_INIT;
        char t[16];
        snprintf(t, sizeof t, "%d", a->id);
        q.text = t;
        if (rpc_stream_send(a->s, &q.base) != 0) abort();
    }
    return NULL;
}

/* Several threads send on one stream while the main thread receives. */
static void test_bidi_concurrent_senders(void **state) {
    rpc_stream *s = rpc_stream_open(g_ch, &m_bidi, 10, NULL);
    pthread_t t[4];
    sender_arg a[4];
    for (int i = 0; i < 4; i++) {
        a[i] = (sender_arg){s, i};
        pthread_create(&t[i], NULL, sender_main, &a[i]);
    }
    int per[4] = {0};
    ProtobufCMessage *m;
    rpc_status st;
    for (int i = 0; i < 200; i++) {
        assert_int_equal(rpc_stream_recv(s, 5, &m, &st), RPC_RECV_MESSAGE);
        EchoReply *r = (EchoReply *)m;
        assert_int_equal(r->index, (uint32_t)i);
        per[atoi(r->text)]++;
        rpc_message_free(m);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(t[i], NULL);
        assert_int_equal(per[i], 50);
    }
    rpc_stream_close_send(s);
    assert_int_equal(rpc_stream_recv(s, 5, &m, &st), RPC_RECV_END);
    assert_int_equal(st.code, GRPC_STATUS_OK);
    rpc_stream_destroy(s);
}

/* The server ends a bidi stream with an error while the client still has it open. */
static void test_bidi_server_fails(void **state) {
    rpc_stream *s = rpc_stream_open(g_ch, &m_bidi, 5, NULL);
    EchoRequest q = ECHO_REQUEST_INIT;
    q.fail_code = GRPC_STATUS_FAILED_PRECONDITION;
    assert_int_equal(rpc_stream_send(s, &q.base), 0);
    ProtobufCMessage *m;
    rpc_status st;
    assert_int_equal(rpc_stream_recv(s, 5, &m, &st), RPC_RECV_END);
    assert_int_equal(st.code, GRPC_STATUS_FAILED_PRECONDITION);
    assert_string_equal(st.message, "bidi asked to fail");
    assert_int_equal(rpc_stream_send(s, &q.base), -1);
    rpc_stream_destroy(s);
}

/* Destroying a stream mid-way cancels it; the server's on_done sees the cancellation. */
static void test_client_cancel(void **state) {
    pthread_mutex_lock(&g_def_mu);
    int before = g_done_cancelled;
    pthread_mutex_unlock(&g_def_mu);
    rpc_stream *s = rpc_stream_open(g_ch, &m_bidi, 5, NULL);
    EchoRequest q = ECHO_REQUEST_INIT;
    q.text = "x";
    rpc_stream_send(s, &q.base);
    ProtobufCMessage *m;
    rpc_status st;
    assert_int_equal(rpc_stream_recv(s, 5, &m, &st), RPC_RECV_MESSAGE);
    rpc_message_free(m);
    rpc_stream_cancel(s);
    assert_int_equal(rpc_stream_recv(s, 5, &m, &st), RPC_RECV_END);
    assert_int_equal(st.code, GRPC_STATUS_CANCELLED);
    rpc_stream_destroy(s);
    double t0 = now_s();
    for (;;) {
        pthread_mutex_lock(&g_def_mu);
        int now = g_done_cancelled;
        pthread_mutex_unlock(&g_def_mu);
        if (now > before) break;
        assert_true(now_s() - t0 < 5);
        sleep_ms(5);
    }
}

/* ------------------------------------------------------------------------------------------ */
/* Deadlines, unreachable servers, bad bytes                                                  */

static void test_deadline(void **state) {
    EchoRequest q = ECHO_REQUEST_INIT;
    q.text = "slow";
    q.delay_ms = 1500;
    ProtobufCMessage *resp;
    rpc_status st;
    double t0 = now_s();
    assert_int_equal(rpc_unary(g_ch, &m_unary, &q.base, 0.3, &resp, &st),
                     GRPC_STATUS_DEADLINE_EXCEEDED);
    double dt = now_s() - t0;
    assert_true(dt >= 0.25 && dt < 1.2);
    assert_null(resp);
    /* The late answer from the handler's thread must be harmless. */
    q.delay_ms = 50;
    assert_int_equal(rpc_unary(g_ch, &m_unary, &q.base, 5, &resp, &st), GRPC_STATUS_OK);
    rpc_message_free(resp);
}

static int free_port(void) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    socklen_t l = sizeof a;
    getsockname(fd, (struct sockaddr *)&a, &l);
    close(fd);
    return ntohs(a.sin_port);
}

static void test_unreachable(void **state) {
    rpc_channel *ch = connect_port(free_port(), NULL);
    EchoRequest q = ECHO_REQUEST_INIT;
    ProtobufCMessage *resp;
    rpc_status st;
    double t0 = now_s();
    assert_int_equal(rpc_unary(ch, &m_unary, &q.base, 10, &resp, &st), GRPC_STATUS_UNAVAILABLE);
    assert_true(now_s() - t0 < 3);
    assert_true(strlen(st.message) > 0);
    /* A stream fails the same way. */
    rpc_stream *s = rpc_stream_open(ch, &m_bidi, 10, NULL);
    rpc_stream_send(s, &q.base);
    assert_int_equal(rpc_stream_recv(s, 10, &resp, &st), RPC_RECV_END);
    assert_int_equal(st.code, GRPC_STATUS_UNAVAILABLE);
    rpc_stream_destroy(s);
    rpc_channel_destroy(ch);
}

/* Sends raw bytes to a method with gRPC's own API (no protobuf on our side). */
static grpc_status_code raw_call(int port, const char *path, const void *data, size_t len,
                                 char *details, size_t cap) {
    grpc_init();
    char target[64];
    snprintf(target, sizeof target, "127.0.0.1:%d", port);
    grpc_channel_credentials *cr = grpc_insecure_credentials_create();
    grpc_channel *chan = grpc_channel_create(target, cr, NULL);
    grpc_channel_credentials_release(cr);
    grpc_completion_queue *cq = grpc_completion_queue_create_for_pluck(NULL);
    grpc_slice method = grpc_slice_from_copied_string(path);
    gpr_timespec deadline = gpr_time_add(gpr_now(GPR_CLOCK_MONOTONIC),
                                         gpr_time_from_seconds(5, GPR_TIMESPAN));
    grpc_call *call = grpc_channel_create_call(chan, NULL, 0, cq, method, NULL, deadline, NULL);
    grpc_slice payload = grpc_slice_from_copied_buffer(data, len);
    grpc_byte_buffer *bb = grpc_raw_byte_buffer_create(&payload, 1);
    grpc_byte_buffer *rbb = NULL;
    grpc_metadata_array imd, tmd;
    grpc_metadata_array_init(&imd);
    grpc_metadata_array_init(&tmd);
    grpc_status_code status;
    grpc_slice sd;
    grpc_op ops[6];
    memset(ops, 0, sizeof ops);
    ops[0].op = GRPC_OP_SEND_INITIAL_METADATA;
    ops[1].op = GRPC_OP_SEND_MESSAGE;
    ops[1].data.send_message.send_message = bb;
    ops[2].op = GRPC_OP_SEND_CLOSE_FROM_CLIENT;
    ops[3].op = GRPC_OP_RECV_INITIAL_METADATA;
    ops[3].data.recv_initial_metadata.recv_initial_metadata = &imd;
    ops[4].op = GRPC_OP_RECV_MESSAGE;
    ops[4].data.recv_message.recv_message = &rbb;
    ops[5].op = GRPC_OP_RECV_STATUS_ON_CLIENT;
    ops[5].data.recv_status_on_client.trailing_metadata = &tmd;
    ops[5].data.recv_status_on_client.status = &status;
    ops[5].data.recv_status_on_client.status_details = &sd;
    assert_int_equal(grpc_call_start_batch(call, ops, 6, (void *)1, NULL), GRPC_CALL_OK);
    grpc_event ev = grpc_completion_queue_pluck(cq, (void *)1, gpr_inf_future(GPR_CLOCK_REALTIME), NULL);
    assert_int_equal(ev.type, GRPC_OP_COMPLETE);
    snprintf(details, cap, "%.*s", (int)GRPC_SLICE_LENGTH(sd), (const char *)GRPC_SLICE_START_PTR(sd));
    if (rbb) grpc_byte_buffer_destroy(rbb);
    grpc_byte_buffer_destroy(bb);
    grpc_slice_unref(payload);
    grpc_slice_unref(sd);
    grpc_slice_unref(method);
    grpc_metadata_array_destroy(&imd);
    grpc_metadata_array_destroy(&tmd);
    grpc_call_unref(call);
    grpc_channel_destroy(chan);
    grpc_completion_queue_shutdown(cq);
    while (grpc_completion_queue_pluck(cq, NULL, gpr_inf_future(GPR_CLOCK_REALTIME), NULL).type !=
           GRPC_QUEUE_SHUTDOWN) {
    }
    grpc_completion_queue_destroy(cq);
    grpc_shutdown();
    return status;
}

static void test_garbage_request(void **state) {
    static const uint8_t garbage[][8] = {
        {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, /* bad varint key */
        {0x0a, 0x7f, 'a', 'b'},                           /* string length past the end */
        {0x0f, 0x01},                                     /* wire type 7 */
    };
    char details[256];
    for (size_t i = 0; i < 3; i++) {
        grpc_status_code c = raw_call(g_port, m_unary.path, garbage[i], i == 0 ? 8 : 4, details,
                                      sizeof details);
        assert_int_equal(c, GRPC_STATUS_INVALID_ARGUMENT);
        assert_non_null(strstr(details, "does not decode as zisk.test.v1.EchoRequest"));
        c = raw_call(g_port, m_bidi.path, garbage[i], 2, details, sizeof details);
        assert_int_equal(c, GRPC_STATUS_INVALID_ARGUMENT);
    }
    /* An empty payload is a valid (all-default) protobuf message. */
    assert_int_equal(raw_call(g_port, m_unary.path, "", 0, details, sizeof details), GRPC_STATUS_OK);
    /* The server is still fine. */
    test_unary(state);
}

static void test_garbage_response(void **state) {
    EchoRequest q = ECHO_REQUEST_INIT;
    ProtobufCMessage *resp;
    rpc_status st;
    assert_int_equal(rpc_unary(g_ch, &m_wrong_cli, &q.base, 5, &resp, &st), GRPC_STATUS_INTERNAL);
    assert_non_null(strstr(st.message, "does not decode as zisk.test.v1.EchoReply"));
    assert_null(resp);
}

/* ------------------------------------------------------------------------------------------ */
/* Health                                                                                     */

static int health_check(rpc_channel *ch, const char *service, grpc_status_code *code) {
    Grpc__Health__V1__HealthCheckRequest q = GRPC__HEALTH__V1__HEALTH_CHECK_REQUEST__INIT;
    q.service = (char *)service;
    ProtobufCMessage *resp;
    rpc_status st;
    *code = rpc_unary(ch, &m_hcheck, &q.base, 5, &resp, &st);
    if (*code != GRPC_STATUS_OK) return -1;
    int s = ((Grpc__Health__V1__HealthCheckResponse *)resp)->status;
    rpc_message_free(resp);
    return s;
}

static int watch_next(rpc_stream *s) {
    ProtobufCMessage *m;
    rpc_status st;
    if (rpc_stream_recv(s, 5, &m, &st) != RPC_RECV_MESSAGE) return -1;
    int v = ((Grpc__Health__V1__HealthCheckResponse *)m)->status;
    rpc_message_free(m);
    return v;
}

static void test_health(void **state) {
    int port;
    rpc_server *srv = echo_server_start(&port);
    rpc_channel *ch = connect_port(port, NULL);
    grpc_status_code code;
    assert_int_equal(health_check(ch, "", &code), 1); /* SERVING */
    assert_int_equal(health_check(ch, "zisk.test.v1.Echo", &code), -1);
    assert_int_equal(code, GRPC_STATUS_NOT_FOUND);

    Grpc__Health__V1__HealthCheckRequest q = GRPC__HEALTH__V1__HEALTH_CHECK_REQUEST__INIT;
    q.service = "zisk.test.v1.Echo";
    rpc_stream *w = rpc_stream_open(ch, &m_hwatch, 0, NULL);
    rpc_stream_send(w, &q.base);
    rpc_stream_close_send(w);
    assert_int_equal(watch_next(w), 3); /* SERVICE_UNKNOWN */
    rpc_server_set_health(srv, "zisk.test.v1.Echo", 1);
    assert_int_equal(watch_next(w), 1);
    rpc_server_set_health(srv, "zisk.test.v1.Echo", 1); /* no change: nothing sent */
    rpc_server_set_health(srv, "other", 2);             /* another service: nothing sent */
    rpc_server_set_health(srv, "zisk.test.v1.Echo", 2);
    assert_int_equal(watch_next(w), 2);
    assert_int_equal(health_check(ch, "zisk.test.v1.Echo", &code), 2);

    q.service = "";
    rpc_stream *w2 = rpc_stream_open(ch, &m_hwatch, 0, NULL);
    rpc_stream_send(w2, &q.base);
    assert_int_equal(watch_next(w2), 1);

    /* Shutdown: watchers hear NOT_SERVING and their streams end at once, not after the grace. */
    double t0 = now_s();
    rpc_server_shutdown(srv, 5);
    assert_true(now_s() - t0 < 2);
    assert_int_equal(watch_next(w2), 2);
    ProtobufCMessage *m;
    rpc_status st;
    assert_int_equal(rpc_stream_recv(w2, 5, &m, &st), RPC_RECV_END);
    assert_int_equal(st.code, GRPC_STATUS_UNAVAILABLE);
    assert_int_equal(rpc_stream_recv(w, 5, &m, &st), RPC_RECV_END);
    assert_int_equal(st.code, GRPC_STATUS_UNAVAILABLE);
    rpc_stream_destroy(w);
    rpc_stream_destroy(w2);
    rpc_channel_destroy(ch);
    rpc_server_destroy(srv);
}

/* ------------------------------------------------------------------------------------------ */
/* Shutdown with calls in flight                                                              */

static void test_server_shutdown_open_streams(void **state) {
    int port;
    rpc_server *srv = echo_server_start(&port);
    rpc_channel *ch = connect_port(port, NULL);
    ProtobufCMessage *m;
    rpc_status st;

    rpc_stream *bidi = rpc_stream_open(ch, &m_bidi, 0, NULL);
    EchoRequest q = ECHO_REQUEST_INIT;
    q.text = "open";
    rpc_stream_send(bidi, &q.base);
    assert_int_equal(rpc_stream_recv(bidi, 5, &m, &st), RPC_RECV_MESSAGE);
    rpc_message_free(m);

    rpc_stream *ss = rpc_stream_open(ch, &m_sstream, 0, NULL);
    q.delay_ms = 20; /* endless stream fed by a handler thread */
    q.count = 0;
    rpc_stream_send(ss, &q.base);
    assert_int_equal(rpc_stream_recv(ss, 5, &m, &st), RPC_RECV_MESSAGE);
    rpc_message_free(m);

    rpc_stream *cs = rpc_stream_open(ch, &m_cstream, 0, NULL);
    q.delay_ms = 0;
    rpc_stream_send(cs, &q.base);
    rpc_stream_flush(cs, 5);

    rpc_stream *slow = rpc_stream_open(ch, &m_unary, 0, NULL); /* answered after 3 s */
    q.delay_ms = 3000;
    rpc_stream_send(slow, &q.base);
    rpc_stream_close_send(slow);
    rpc_stream_flush(slow, 5);
    sleep_ms(50);

    double t0 = now_s();
    rpc_server_shutdown(srv, 0.2);
    double dt = now_s() - t0;
    assert_true(dt >= 0.15 && dt < 2);
    rpc_server_destroy(srv);

    rpc_stream *all[] = {bidi, ss, cs, slow};
    for (int i = 0; i < 4; i++) {
        for (;;) {
            rpc_recv_result r = rpc_stream_recv(all[i], 5, &m, &st);
            if (r == RPC_RECV_MESSAGE) {
                rpc_message_free(m);
                continue;
            }
            assert_int_equal(r, RPC_RECV_END);
            break;
        }
        assert_int_not_equal(st.code, GRPC_STATUS_OK);
        assert_int_equal(rpc_stream_send(all[i], &q.base), -1);
        rpc_stream_destroy(all[i]);
    }
    /* A new call to the dead server fails quickly. */
    ProtobufCMessage *resp;
    q.delay_ms = 0;
    assert_int_equal(rpc_unary(ch, &m_unary, &q.base, 5, &resp, &st), GRPC_STATUS_UNAVAILABLE);
    rpc_channel_destroy(ch);
    join_deferred();
}

/* Streams left open when their channel goes: they end CANCELLED and stay safe to use. */
static void test_channel_destroy_with_streams(void **state) {
    rpc_channel *ch = connect_port(g_port, NULL);
    rpc_stream *s = rpc_stream_open(ch, &m_bidi, 0, NULL);
    EchoRequest q = ECHO_REQUEST_INIT;
    q.text = "x";
    rpc_stream_send(s, &q.base);
    ProtobufCMessage *m;
    rpc_status st;
    assert_int_equal(rpc_stream_recv(s, 5, &m, &st), RPC_RECV_MESSAGE);
    rpc_message_free(m);
    rpc_stream *idle = rpc_stream_open(ch, &m_sstream, 0, NULL);
    rpc_channel_destroy(ch);
    assert_int_equal(rpc_stream_recv(s, 5, &m, &st), RPC_RECV_END);
    assert_int_equal(st.code, GRPC_STATUS_CANCELLED);
    assert_int_equal(rpc_stream_send(s, &q.base), -1);
    assert_int_equal(rpc_stream_close_send(s), -1);
    rpc_stream_destroy(s);
    assert_int_equal(rpc_stream_recv(idle, 5, &m, &st), RPC_RECV_END);
    rpc_stream_destroy(idle);
}

/* A receiver blocked without a timeout is woken by rpc_channel_shutdown from another thread. */
static void *shutdown_later(void *p) {
    sleep_ms(100);
    rpc_channel_shutdown(p);
    return NULL;
}

static void test_channel_shutdown_wakes_receiver(void **state) {
    rpc_channel *ch = connect_port(g_port, NULL);
    rpc_stream *s = rpc_stream_open(ch, &m_bidi, 0, NULL);
    pthread_t t;
    pthread_create(&t, NULL, shutdown_later, ch);
    ProtobufCMessage *m;
    rpc_status st;
    assert_int_equal(rpc_stream_recv(s, 0, &m, &st), RPC_RECV_END);
    assert_int_equal(st.code, GRPC_STATUS_CANCELLED);
    pthread_join(t, NULL);
    rpc_stream_destroy(s);
    rpc_channel_destroy(ch);
}

/* A TCP proxy that can freeze: it stops moving bytes but keeps both sockets open, which is what
 * a hung or SIGSTOPped peer (or a dropped network path) looks like. Only keepalive notices. */
typedef struct proxy {
    int lfd, port, target;
    _Atomic int frozen, stop; /* set by the test thread, read by the proxy */
    _Atomic int paused;       /* set by the proxy once it has seen `frozen`: it moves no byte after */
    pthread_t t;
} proxy;

static void *proxy_main(void *p) {
    proxy *px = p;
    int a = accept(px->lfd, NULL, NULL);
    assert_true(a >= 0);
    int b = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK),
                             .sin_port = htons((uint16_t)px->target)};
    assert_int_equal(connect(b, (struct sockaddr *)&sa, sizeof sa), 0);
    char buf[16384];
    while (!px->stop) {
        if (px->frozen) {
            px->paused = 1;
            sleep_ms(10);
            continue;
        }
        struct pollfd fds[2] = {{a, POLLIN, 0}, {b, POLLIN, 0}};
        if (poll(fds, 2, 10) <= 0) continue;
        for (int i = 0; i < 2; i++) {
            if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
            ssize_t n = read(fds[i].fd, buf, sizeof buf);
            if (n <= 0) goto out;
            if (write(fds[1 - i].fd, buf, (size_t)n) != n) goto out;
        }
    }
out:
    close(a);
    close(b);
    return NULL;
}

static void test_keepalive_frozen_peer(void **state) {
    proxy px = {.target = g_port};
    px.lfd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    assert_int_equal(bind(px.lfd, (struct sockaddr *)&sa, sizeof sa), 0);
    socklen_t l = sizeof sa;
    getsockname(px.lfd, (struct sockaddr *)&sa, &l);
    px.port = ntohs(sa.sin_port);
    listen(px.lfd, 1);
    pthread_create(&px.t, NULL, proxy_main, &px);

    rpc_channel_options o = {.keepalive_seconds = 1, .keepalive_timeout_seconds = 1};
    rpc_channel *ch = connect_port(px.port, &o);
    rpc_stream *s = rpc_stream_open(ch, &m_bidi, 0, NULL);
    EchoRequest q = ECHO_REQUEST_INIT;
    q.text = "alive?";
    rpc_stream_send(s, &q.base);
    ProtobufCMessage *m;
    rpc_status st;
    assert_int_equal(rpc_stream_recv(s, 5, &m, &st), RPC_RECV_MESSAGE);
    rpc_message_free(m);

    /* freeze, and wait until the proxy has noticed: a request sent while it is still inside
     * one poll round would otherwise be forwarded and answered */
    px.frozen = 1;
    while (!px.paused) sleep_ms(1);
    double t0 = now_s();
    rpc_stream_send(s, &q.base); /* lands in the frozen proxy */
    /* No deadline on the call: keepalive (1 s + 1 s) must end it. */
    rpc_recv_result r;
    while ((r = rpc_stream_recv(s, 0.5, &m, &st)) == RPC_RECV_TIMEOUT) assert_true(now_s() - t0 < 8);
    assert_int_equal(r, RPC_RECV_END);
    assert_int_equal(st.code, GRPC_STATUS_UNAVAILABLE);
    assert_true(now_s() - t0 < 6);
    rpc_stream_destroy(s);
    rpc_channel_destroy(ch);
    px.stop = 1;
    pthread_join(px.t, NULL);
    close(px.lfd);
}

/* Servers that never start, or never listen, are destroyed cleanly; a busy port is an error. */
static void test_server_lifecycle(void **state) {
    zisk_err err;
    rpc_server *s = rpc_server_create(NULL, &err);
    rpc_server_destroy(s);
    s = rpc_server_create(NULL, &err);
    assert_true(rpc_server_listen(s, "127.0.0.1:0", &err) > 0);
    rpc_server_destroy(s);

    s = rpc_server_create(NULL, &err);
    char addr[64];
    snprintf(addr, sizeof addr, "127.0.0.1:%d", g_port);
    assert_int_equal(rpc_server_listen(s, addr, &err), -1);
    assert_non_null(strstr(err.msg, "cannot listen on 127.0.0.1:"));
    assert_int_equal(rpc_server_listen(s, "not an address", &err), -1);
    assert_true(rpc_server_listen(s, "127.0.0.1:0", &err) > 0);
    assert_int_equal(rpc_server_start(s, &err), 0);
    rpc_server_shutdown(s, 1);
    rpc_server_shutdown(s, 1); /* idempotent */
    rpc_server_destroy(s);
}

/* ------------------------------------------------------------------------------------------ */
/* Message size limits                                                                        */

static void test_message_limits(void **state) {
    ProtobufCMessage *resp;
    rpc_status st;
    EchoRequest q = ECHO_REQUEST_INIT;
    q.text = "big";
    size_t big = 100u << 20;
    uint8_t *blob = calloc(1, (129u << 20));
    assert_non_null(blob);
    q.blob.data = blob;

    /* ~100 MiB passes, both ways. */
    q.blob.len = big;
    assert_int_equal(rpc_unary(g_ch, &m_unary, &q.base, 60, &resp, &st), GRPC_STATUS_OK);
    assert_int_equal(((EchoReply *)resp)->blob_size, big);
    rpc_message_free(resp);
    q.blob.len = 0;
    q.reply_blob = big;
    assert_int_equal(rpc_unary(g_ch, &m_unary, &q.base, 60, &resp, &st), GRPC_STATUS_OK);
    assert_int_equal(((EchoReply *)resp)->blob.len, big);
    rpc_message_free(resp);

    /* Over 128 MiB: refused by our client before it leaves... */
    q.reply_blob = 0;
    q.blob.len = 129u << 20;
    assert_int_equal(rpc_unary(g_ch, &m_unary, &q.base, 60, &resp, &st),
                     GRPC_STATUS_RESOURCE_EXHAUSTED);
    rpc_stream *s = rpc_stream_open(g_ch, &m_bidi, 10, NULL);
    assert_int_equal(rpc_stream_send(s, &q.base), -1);
    rpc_stream_destroy(s);

    /* ...and by the server when a client without the limit sends it. */
    rpc_channel_options o = {.max_send_bytes = -1};
    rpc_channel *loose = connect_port(g_port, &o);
    assert_int_equal(rpc_unary(loose, &m_unary, &q.base, 60, &resp, &st),
                     GRPC_STATUS_RESOURCE_EXHAUSTED);
    rpc_channel_destroy(loose);
    free(blob);

    /* A response over the limit: the server refuses to send it. */
    q.blob.len = 0;
    q.reply_blob = 129u << 20;
    assert_int_equal(rpc_unary(g_ch, &m_unary, &q.base, 60, &resp, &st),
                     GRPC_STATUS_RESOURCE_EXHAUSTED);
    assert_non_null(strstr(st.message, "larger than"));
}

/* ------------------------------------------------------------------------------------------ */
/* URLs                                                                                       */

static void test_url(void **state) {
    rpc_url u;
    zisk_err err;
    assert_int_equal(rpc_url_parse("http://127.0.0.1:50051", &u, &err), 0);
    assert_false(u.tls);
    assert_string_equal(u.host, "127.0.0.1");
    assert_int_equal(u.port, 50051);
    assert_string_equal(u.target, "127.0.0.1:50051");
    assert_int_equal(rpc_url_parse("https://coord.example.com:443/", &u, &err), 0);
    assert_true(u.tls);
    assert_string_equal(u.target, "coord.example.com:443");
    assert_int_equal(rpc_url_parse("http://[::1]:7000", &u, &err), 0);
    assert_string_equal(u.host, "::1");
    assert_string_equal(u.target, "[::1]:7000");
    assert_int_equal(rpc_url_parse("http://my_host-1.lan:1", &u, &err), 0);
    assert_int_equal(rpc_url_parse("HTTPS://h:1", &u, &err), 0); /* schemes ignore case */
    assert_true(u.tls);

    static const char *bad[][2] = {
        {"", "missing scheme"},
        {"127.0.0.1:50051", "missing scheme"},
        {"grpc://h:1", "unsupported scheme"},
        {"http://", "empty host"},
        {"http://:50051", "empty host"},
        {"http://host", "missing port"},
        {"http://host:", "missing port"},
        {"http://host:0", "port out of range"},
        {"http://host:65536", "port out of range"},
        {"http://host:99999999999999999999", "port out of range"},
        {"http://host:-1", "missing port"},
        {"http://host:12ab", "unexpected text"},
        {"http://host:80/path", "unexpected text"},
        {"http://user@host:80", "user information"},
        {"http://ho st:80", "bad character"},
        {"http://[::1:80", "unterminated"},
        {"http://[]:80", "empty host"},
        {"http://[zz]:80", "bad character in IPv6"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(rpc_url_parse(bad[i][0], &u, &err), -1);
        char want[128];
        snprintf(want, sizeof want, "invalid coordinator URL '%s': expected http://host:port or "
                 "https://host:port", bad[i][0]);
        if (strncmp(err.msg, want, strlen(want)) != 0) fail_msg("%s -> %s", bad[i][0], err.msg);
        if (!strstr(err.msg, bad[i][1])) fail_msg("%s -> %s", bad[i][0], err.msg);
    }
    assert_null(rpc_channel_create("nonsense", NULL, &err));
    assert_non_null(strstr(err.msg, "invalid coordinator URL 'nonsense'"));
}

static _Atomic int g_grpc_errors_logged;
static void capture_log(int severity, const char *file, int line, const char *msg) {
    if (severity == 2 && strstr(msg, "Handshake failed")) g_grpc_errors_logged++;
}

/* https needs TLS: against our plaintext server the handshake fails, cleanly; gRPC's complaint
 * goes to the log hook. */
static void test_tls_against_plaintext(void **state) {
    rpc_set_grpc_log(capture_log);
    char url[64];
    snprintf(url, sizeof url, "https://127.0.0.1:%d", g_port);
    rpc_channel *ch = rpc_channel_create(url, NULL, NULL);
    assert_non_null(ch);
    EchoRequest q = ECHO_REQUEST_INIT;
    ProtobufCMessage *resp;
    rpc_status st;
    assert_int_equal(rpc_unary(ch, &m_unary, &q.base, 5, &resp, &st), GRPC_STATUS_UNAVAILABLE);
    rpc_channel_destroy(ch);
    assert_true(g_grpc_errors_logged > 0);
    rpc_set_grpc_log(NULL);
}

/* --serve: the Echo server for tests written in other languages (test_python_client.py).
 * Prints the port on stdout, serves until stdin closes, then shuts down and exits 0. */
static int serve(void) {
    int port;
    rpc_server *s = echo_server_start(&port);
    printf("%d\n", port);
    fflush(stdout);
    char buf[64];
    while (fgets(buf, sizeof buf, stdin)) {
    }
    rpc_server_shutdown(s, 1);
    rpc_server_destroy(s);
    join_deferred();
    return 0;
}

int main(int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], "--serve") == 0) return serve();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_url),
        cmocka_unit_test(test_unary),
        cmocka_unit_test(test_unary_error_status),
        cmocka_unit_test(test_unimplemented),
        cmocka_unit_test(test_server_stream),
        cmocka_unit_test(test_client_stream),
        cmocka_unit_test(test_bidi),
        cmocka_unit_test(test_bidi_concurrent_senders),
        cmocka_unit_test(test_bidi_server_fails),
        cmocka_unit_test(test_client_cancel),
        cmocka_unit_test(test_deadline),
        cmocka_unit_test(test_unreachable),
        cmocka_unit_test(test_garbage_request),
        cmocka_unit_test(test_garbage_response),
        cmocka_unit_test(test_tls_against_plaintext),
        cmocka_unit_test(test_health),
        cmocka_unit_test(test_server_shutdown_open_streams),
        cmocka_unit_test(test_channel_destroy_with_streams),
        cmocka_unit_test(test_channel_shutdown_wakes_receiver),
        cmocka_unit_test(test_keepalive_frozen_peer),
        cmocka_unit_test(test_server_lifecycle),
    };
    const struct CMUnitTest big[] = {
        cmocka_unit_test(test_message_limits),
    };
    if (argc > 1 && strcmp(argv[1], "--big") == 0)
        return cmocka_run_group_tests_name("rpc_big", big, group_setup, group_teardown);
    if (argc > 1) cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests_name("rpc", tests, group_setup, group_teardown);
}
