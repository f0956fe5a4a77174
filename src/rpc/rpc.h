/*
 * rpc.h: gRPC servers and clients in C, over the gRPC C core (grpc/grpc.h) and protobuf-c.
 *
 * Message-agnostic: a method is described by its path and the protobuf-c descriptors of its
 * request and response (rpc_method). Messages are packed with protobuf_c_message_pack into a
 * grpc_byte_buffer and read back with protobuf_c_message_unpack; bytes that do not decode are an
 * error (INVALID_ARGUMENT on a server, INTERNAL on a client), never a crash.
 *
 * The four call kinds share one call object (rpc_call on a server, rpc_stream on a client):
 *
 *   kind            server handler                               client
 *   unary           on_message(req) -> rpc_call_reply            rpc_unary()
 *   server stream   on_message(req) -> rpc_call_send...finish    rpc_stream_open/send/close_send, recv...
 *   client stream   on_message... on_half_close -> reply         rpc_stream_send..., close_send, recv
 *   bidi            on_message..., rpc_call_send any time        rpc_stream_send + rpc_stream_recv
 *
 * Limits and transport (both sides): messages up to RPC_MAX_MESSAGE_BYTES (128 MiB) each way;
 * larger ones fail the call with RESOURCE_EXHAUSTED. Keepalive pings every 20 s (10 s timeout),
 * also on idle connections, so a dead peer on a long-lived stream is noticed within ~30 s even
 * when no message is due; servers accept pings that often.
 *
 * THREADING MODEL
 *  - Each rpc_server and each rpc_channel owns one completion-queue thread that drives the state
 *    machine of every call it carries.
 *  - Server handlers (rpc_handler callbacks) run on the server's thread, one at a time, and must
 *    not block. They may answer at once or later from any thread: rpc_call_send, rpc_call_reply,
 *    rpc_call_finish and rpc_call_cancel are thread-safe. Sends are queued inside the call
 *    (gRPC allows one send batch in flight per call), so send never blocks.
 *  - Client functions are blocking with a timeout and may be called from any thread; on one
 *    stream, rpc_stream_send may be called from several threads at once while one other thread
 *    calls rpc_stream_recv.
 *
 * OWNERSHIP
 *  - Messages received are handed over: free them with rpc_message_free (protobuf-c's
 *    protobuf_c_message_free_unpacked with the default allocator).
 *  - Messages given to send/reply are only read (packed before the call returns); the caller
 *    keeps them.
 *  - A server call is valid during every callback. To use it after a callback returns (answer
 *    later, keep a stream to push events), take rpc_call_ref and drop it with rpc_call_unref.
 *    After on_done the call is finished: sends fail (return -1) but the object stays valid until
 *    the last reference goes.
 *  - Client streams are owned by the caller: rpc_stream_destroy cancels (if still running),
 *    waits until gRPC has let go of it, and frees.
 *  - Objects may outlive the server/channel that made them: destroying a server or a channel
 *    cancels its calls and waits for them to finish inside gRPC; surviving handles then only
 *    report the final status.
 *
 * ERRORS: functions that can fail take a zisk_err (may be NULL) and return -1 with a message;
 * call outcomes are an rpc_status (a gRPC status code plus the peer's or our message).
 */
#ifndef ZISK_RPC_H
#define ZISK_RPC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <grpc/status.h>
#include <protobuf-c/protobuf-c.h>

#include "base.h"

/* 128 MiB: the largest message either side sends or accepts. */
#define RPC_MAX_MESSAGE_BYTES (128 * 1024 * 1024)

/* ------------------------------------------------------------------------------------------ */
/* Methods and statuses                                                                       */

typedef enum rpc_kind {
    RPC_UNARY = 0,
    RPC_SERVER_STREAM = 1,
    RPC_CLIENT_STREAM = 2,
    RPC_BIDI_STREAM = 3,
} rpc_kind;

/* A method, usually a static const table entry. path is the HTTP/2 path
 * "/package.Service/Method". */
typedef struct rpc_method {
    const char *path;
    rpc_kind kind;
    const ProtobufCMessageDescriptor *request;
    const ProtobufCMessageDescriptor *response;
} rpc_method;

#define RPC_STATUS_MSG_MAX 512

/* The outcome of a call: a gRPC status code (GRPC_STATUS_OK, GRPC_STATUS_DEADLINE_EXCEEDED...)
 * and a message (the peer's status details, or ours for local failures). */
typedef struct rpc_status {
    grpc_status_code code;
    char message[RPC_STATUS_MSG_MAX];
} rpc_status;

/* "DEADLINE_EXCEEDED" etc.; "UNKNOWN_CODE(n)" is never returned: unknown codes give "UNKNOWN". */
const char *rpc_status_code_name(grpc_status_code code);

/* Frees a message returned by this module (NULL is fine). */
void rpc_message_free(ProtobufCMessage *msg);

/* gRPC's own diagnostics (handshake failures, bind errors...) go to stderr in gRPC's format
 * unless routed elsewhere. fn receives severity 0 (debug), 1 (info) or 2 (error), the gRPC source
 * file and line, and the message; it may be called from any thread, also after the last server
 * or channel is gone. NULL restores gRPC's default. Process-wide; set it before creating servers
 * or channels. (GRPC_VERBOSITY=DEBUG|INFO|ERROR chooses what gRPC emits.) */
typedef void (*rpc_log_fn)(int severity, const char *file, int line, const char *message);
void rpc_set_grpc_log(rpc_log_fn fn);

/* ------------------------------------------------------------------------------------------ */
/* URLs                                                                                       */

typedef struct rpc_url {
    bool tls;            /* https:// */
    char host[256];      /* without brackets for IPv6 literals */
    uint16_t port;
    char target[300];    /* what gRPC dials: "host:port" or "[v6]:port" */
} rpc_url;

/* Parses "http://host:port" (plaintext) or "https://host:port" (TLS). A trailing "/" is
 * accepted; anything else (other schemes, no port, port 0 or > 65535, paths, user info, empty
 * host) is refused with "invalid coordinator URL '<url>': expected http://host:port or
 * https://host:port (<what was wrong>)". Returns 0 or -1. */
int rpc_url_parse(const char *url, rpc_url *out, zisk_err *err);

/* ------------------------------------------------------------------------------------------ */
/* Servers                                                                                    */

typedef struct rpc_server rpc_server;
typedef struct rpc_call rpc_call;

/* Callbacks of one method; any may be NULL. All run on the server's thread and must not block.
 *  on_start       the call arrived (before any message); rpc_call_set_data goes here.
 *  on_message     one request message, now owned by the handler. Unary and server-stream
 *                 methods get exactly one (a client that sends none is answered INVALID_ARGUMENT
 *                 by the library).
 *  on_half_close  client-stream and bidi: the client will send nothing more.
 *  on_done        the call is over (answered, cancelled by the client, deadline, transport
 *                 error or server shutdown); the last callback. cancelled is true unless the
 *                 status we sent reached gRPC normally. Release per-call data here. */
typedef struct rpc_handler {
    void (*on_start)(rpc_call *call, void *method_data);
    void (*on_message)(rpc_call *call, ProtobufCMessage *msg, void *method_data);
    void (*on_half_close)(rpc_call *call, void *method_data);
    void (*on_done)(rpc_call *call, bool cancelled, void *method_data);
} rpc_handler;

typedef struct rpc_server_options {
    /* Seconds between keepalive pings (0: 20). The server sends them on every connection and
     * accepts client pings down to one a second. */
    unsigned keepalive_seconds;
    /* Seconds to wait for a ping answer before the connection is declared dead (0: 10). */
    unsigned keepalive_timeout_seconds;
} rpc_server_options;

/* Creates a server (not yet listening). The grpc.health.v1.Health service is registered on
 * every server, with the overall status ("") SERVING. opts may be NULL. */
rpc_server *rpc_server_create(const rpc_server_options *opts, zisk_err *err);

/* Adds a method; before rpc_server_start only. method must stay valid for the server's life.
 * Calls to paths no method has are answered UNIMPLEMENTED. Returns 0, or -1 for a duplicate
 * path. */
int rpc_server_add_method(rpc_server *s, const rpc_method *method, const rpc_handler *handler,
                          void *method_data, zisk_err *err);

/* Listens on addr ("0.0.0.0:50051", "127.0.0.1:0", "[::]:7000"), plaintext. Port 0 picks a free
 * port. A port already in use is an error (no SO_REUSEPORT sharing). Returns the port (> 0) or
 * -1 with err ("cannot listen on ..."). Before start only; may be called for several addresses. */
int rpc_server_listen(rpc_server *s, const char *addr, zisk_err *err);

/* Starts serving on the server's thread. Returns 0 or -1. */
int rpc_server_start(rpc_server *s, zisk_err *err);

/* Sets the health status of a service ("" = the whole server) to one of
 * GRPC_HEALTH_V1__HEALTH_CHECK_RESPONSE__SERVING_STATUS__* values (1 SERVING, 2 NOT_SERVING);
 * Watch streams on it get the change. Thread-safe, any time. */
void rpc_server_set_health(rpc_server *s, const char *service, int serving_status);

/* Graceful shutdown: stops accepting calls (health goes NOT_SERVING), lets calls in flight finish
 * for up to grace_seconds, then cancels what is left (clients see UNAVAILABLE or CANCELLED) and
 * waits until every call has run its on_done. Idempotent; thread-safe; must not be called from
 * a handler. */
void rpc_server_shutdown(rpc_server *s, double grace_seconds);

/* Shuts down (grace 0 if not done yet), stops the thread and frees the server. rpc_call handles
 * that handlers still hold stay valid (finished) until unref'd. NULL is fine. */
void rpc_server_destroy(rpc_server *s);

/* --- server calls (thread-safe unless noted) --- */

/* Queues one message to the client (server-stream and bidi; also client-stream/unary before
 * rpc_call_finish, which rpc_call_reply does for you). Never blocks. Returns 0, or -1 when the
 * call is finished, already being finished, or the message cannot be packed within 128 MiB. */
int rpc_call_send(rpc_call *call, const ProtobufCMessage *msg);

/* Ends the call with a status after the messages already queued. code GRPC_STATUS_OK ends
 * normally; message may be NULL. Returns 0, or -1 when already finished. */
int rpc_call_finish(rpc_call *call, grpc_status_code code, const char *message);

/* Unary and client-stream: sends the response and status OK. Returns like rpc_call_send. */
int rpc_call_reply(rpc_call *call, const ProtobufCMessage *msg);

/* Ends the call with an error status; the same as rpc_call_finish with a printf message. */
int rpc_call_fail(rpc_call *call, grpc_status_code code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Cancels the call now (the client sees CANCELLED). */
void rpc_call_cancel(rpc_call *call);

void rpc_call_ref(rpc_call *call);
void rpc_call_unref(rpc_call *call);

/* Per-call user pointer (not thread-safe by itself: set it in on_start). */
void rpc_call_set_data(rpc_call *call, void *data);
void *rpc_call_data(const rpc_call *call);

/* The method this call is for. */
const rpc_method *rpc_call_method(const rpc_call *call);

/* The peer's address as gRPC reports it ("ipv4:127.0.0.1:53312"); valid for the call's life. */
const char *rpc_call_peer(const rpc_call *call);

/* True once on_done has run (or is about to). */
bool rpc_call_is_finished(const rpc_call *call);

/* Messages queued but not yet handed to gRPC (for back-pressure decisions). */
size_t rpc_call_send_queue_len(rpc_call *call);

/* ------------------------------------------------------------------------------------------ */
/* Clients                                                                                    */

typedef struct rpc_channel rpc_channel;
typedef struct rpc_stream rpc_stream;

typedef struct rpc_channel_options {
    /* Seconds between keepalive pings, sent even without calls (0: 20). */
    unsigned keepalive_seconds;
    /* Seconds to wait for a ping answer (0: 10). */
    unsigned keepalive_timeout_seconds;
    /* For tests: override the 128 MiB send limit (0: 128 MiB, -1: unlimited). */
    int max_send_bytes;
} rpc_channel_options;

/* Opens a channel to url (see rpc_url_parse). https uses TLS with the system's root
 * certificates (or the file in GRPC_DEFAULT_SSL_ROOTS_FILE_PATH when set). Connecting is lazy:
 * an unreachable server shows up as UNAVAILABLE on the first call. opts may be NULL. Returns
 * NULL with err on a malformed URL. */
rpc_channel *rpc_channel_create(const char *url, const rpc_channel_options *opts, zisk_err *err);

/* Cancels every stream still running on the channel (their blocked recv calls return). */
void rpc_channel_shutdown(rpc_channel *ch);

/* rpc_channel_shutdown, waits for gRPC to let go of every call, stops the thread and frees.
 * Streams not destroyed yet stay valid (finished, status CANCELLED) until destroyed. */
void rpc_channel_destroy(rpc_channel *ch);

/* Blocking unary call. timeout_seconds <= 0 means no deadline. On GRPC_STATUS_OK *resp is the
 * decoded response (free with rpc_message_free); otherwise *resp is NULL. Returns status->code
 * (so 0 = GRPC_STATUS_OK). status must not be NULL. */
grpc_status_code rpc_unary(rpc_channel *ch, const rpc_method *m, const ProtobufCMessage *req,
                           double timeout_seconds, ProtobufCMessage **resp, rpc_status *status);

/* Opens a call of any kind. timeout_seconds <= 0: no deadline for the whole call (the usual
 * choice for long-lived streams: use recv timeouts and keepalive instead). Returns NULL with err
 * only on misuse (the connection is not tried yet; failures show on send/recv). */
rpc_stream *rpc_stream_open(rpc_channel *ch, const rpc_method *m, double timeout_seconds,
                            zisk_err *err);

/* Queues a message; never blocks. Thread-safe. Returns 0, or -1 when the call has ended, the
 * sending side is closed, or the message cannot be packed within the size limit. A send that
 * gRPC later fails shows up as the call's final status. */
int rpc_stream_send(rpc_stream *st, const ProtobufCMessage *msg);

/* Half-closes: the server sees on_half_close after the messages queued. Idempotent. */
int rpc_stream_close_send(rpc_stream *st);

/* Waits until every queued message has been handed to the transport, or timeout_seconds
 * (<= 0: no limit). Returns 0, or -1 on timeout or when the call ended first. */
int rpc_stream_flush(rpc_stream *st, double timeout_seconds);

typedef enum rpc_recv_result {
    RPC_RECV_MESSAGE = 0, /* *msg set; free with rpc_message_free */
    RPC_RECV_END = 1,     /* the server finished: *status holds its status (may be an error) */
    RPC_RECV_TIMEOUT = 2, /* nothing within timeout_seconds; the stream is still usable */
} rpc_recv_result;

/* Waits for the next message (timeout_seconds <= 0: no limit). Call from one thread at a time.
 * On RPC_RECV_END, status (may be NULL) gets the final status; a response that does not decode
 * cancels the call and ends it with INTERNAL naming the message type. */
rpc_recv_result rpc_stream_recv(rpc_stream *st, double timeout_seconds, ProtobufCMessage **msg,
                                rpc_status *status);

/* Cancels the call (the server's on_done sees cancelled); pending and future recv return
 * RPC_RECV_END with CANCELLED. Thread-safe. */
void rpc_stream_cancel(rpc_stream *st);

/* Cancels if still running, waits until gRPC has released the call, frees. NULL is fine. */
void rpc_stream_destroy(rpc_stream *st);

#endif
