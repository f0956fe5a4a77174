/*
 * rpc_internal.h: private to src/rpc. The completion-queue loop and the call object shared by
 * the server side (rpc_call) and the client side (rpc_stream wraps one).
 *
 * A call's life inside gRPC:
 *   - a "close" operation is posted when the call starts (server: RECV_CLOSE_ON_SERVER, client:
 *     RECV_STATUS_ON_CLIENT); it completes when the call is over for gRPC;
 *   - at most one send batch and one receive batch are in flight at a time (gRPC's rule);
 *     messages to send wait in a queue inside the call;
 *   - once the close operation and every send/receive batch have completed, the call is
 *     "finished": we drop our grpc_call reference, the server runs on_done, the loop's count of
 *     active calls goes down and waiters wake. After that the object touches neither gRPC nor
 *     its loop, so it may outlive the server or channel; it is freed at its last reference.
 */
#ifndef ZISK_RPC_INTERNAL_H
#define ZISK_RPC_INTERNAL_H

#include <pthread.h>

#include <grpc/grpc.h>

#include "rpc.h"

/* A completion-queue tag: the loop calls fn(tag, ok) for each completed batch. */
typedef struct rpc_tag {
    void (*fn)(struct rpc_tag *tag, bool ok);
} rpc_tag;

/* One completion queue, drained by one thread. Server and channel each embed one. */
typedef struct rpc_loop {
    grpc_completion_queue *cq;
    pthread_t thread;
    bool thread_started;
    pthread_mutex_t mu;     /* guards active and calls */
    pthread_cond_t cv;      /* signalled when a call finishes */
    size_t active;          /* calls not finished yet */
    struct rpc_call *calls; /* those calls (a doubly linked list) */
} rpc_loop;

/* Messages waiting to be sent. */
typedef struct rpc_out {
    grpc_byte_buffer *bb;
    struct rpc_out *next;
} rpc_out;

struct rpc_call {
    pthread_mutex_t mu;
    pthread_cond_t cv; /* client waiters: a message arrived, a send completed, the call ended */
    int refs;          /* user references + 1 until finished */
    bool server;
    rpc_loop *loop; /* NULL once finished */
    grpc_call *gc;  /* NULL once finished */
    const rpc_method *method; /* NULL on the server for an unknown path */
    size_t max_send;          /* packing limit in bytes */

    /* server side */
    const rpc_handler *handler;
    void *method_data;
    void *data;
    char *peer;
    bool got_request;        /* unary / server stream: the one request arrived */
    bool initial_md_sent;

    /* sending */
    rpc_out *q_head, *q_tail;
    size_t q_len;
    bool send_busy;
    bool close_queued; /* client: half-close asked; server: status asked */
    bool close_sent;
    bool send_failed;
    grpc_byte_buffer *send_bb;  /* in flight */
    grpc_status_code fin_code;  /* server status to send */
    grpc_slice fin_details;
    rpc_tag send_tag;

    /* receiving */
    bool recv_busy;
    bool recv_ended;            /* no more messages will come */
    bool recv_md_asked;         /* client: RECV_INITIAL_METADATA was posted */
    grpc_byte_buffer *recv_bb;  /* filled by gRPC */
    grpc_byte_buffer *ready_bb; /* client: received, not yet taken by rpc_stream_recv */
    grpc_metadata_array recv_md;
    rpc_tag recv_tag;

    /* the close operation */
    rpc_tag close_tag;
    bool close_done;
    int cancelled;                 /* server: RECV_CLOSE_ON_SERVER result */
    grpc_status_code status_code;  /* client: RECV_STATUS_ON_CLIENT results */
    grpc_slice status_details;
    const char *status_error;      /* gpr-allocated debug string, may be NULL */
    grpc_metadata_array trailing_md;

    bool local_fail;               /* client: we ended it (e.g. undecodable response) */
    rpc_status final;              /* client: valid once finished */
    bool finished;

    struct rpc_call *prev, *next;  /* in loop->calls while active */
};

/* Loop: create the queue and start the thread. Returns 0 or -1 (thread creation failed). */
int rpc_loop_start(rpc_loop *l, zisk_err *err);
/* Waits until the loop has no active call. */
void rpc_loop_wait_idle(rpc_loop *l);
/* Shuts the queue down, joins the thread, destroys the queue. Every call must be finished. */
void rpc_loop_stop(rpc_loop *l);
/* Cancels every active call of the loop (with status code and message). */
void rpc_loop_cancel_all(rpc_loop *l, grpc_status_code code, const char *msg);

/* Sets up c around gc (refs = 2: the creator's and the active one), adds it to the loop. */
void rpc_call_init(rpc_call *c, rpc_loop *l, grpc_call *gc, bool server, const rpc_method *m,
                   size_t max_send);
/* Starts the next send batch if none is in flight (c->mu held). */
void rpc_call_send_next_locked(rpc_call *c);
/* Posts a receive batch (c->mu held; c active, none in flight). */
void rpc_call_recv_locked(rpc_call *c);
/* Finishes the call if everything has completed (c->mu held on entry; released on return). */
void rpc_call_settle_unlock(rpc_call *c);
/* Packs msg into a new byte buffer; NULL when it does not fit in limit bytes. */
grpc_byte_buffer *rpc_pack(const ProtobufCMessage *msg, size_t limit, size_t *packed_len);
/* Decodes bb as desc; NULL (with the byte count in *len) when it does not decode. */
ProtobufCMessage *rpc_unpack(const ProtobufCMessageDescriptor *desc, grpc_byte_buffer *bb,
                             size_t *len);
/* Queues bb (takes it) on c and starts sending; -1 (bb destroyed) if c cannot send any more. */
int rpc_call_enqueue(rpc_call *c, grpc_byte_buffer *bb);

/* Server hook called when a server call finishes (runs on_done); set by rpc_server.c. */
void rpc_server_call_finished(rpc_call *c);

gpr_timespec rpc_deadline_after(double seconds);
/* Absolute CLOCK_MONOTONIC time for pthread_cond_timedwait. */
struct timespec rpc_abstime_after(double seconds);
/* pthread_cond_init with CLOCK_MONOTONIC. */
void rpc_cond_init(pthread_cond_t *cv);

#endif
