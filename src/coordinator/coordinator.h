/*
 * coordinator.h: the running coordinator: the public API server, the cluster (worker) server,
 * the scheduler (sched.h), the store (coord_store.h), the metrics endpoint and a ticker.
 *
 * HOW IT WORKS
 *  Threads: each gRPC server has its own callback thread; libmicrohttpd has one; a ticker wakes
 *  ten times a second (timeouts, heartbeats to workers, long-poll expiry). They share ONE mutex
 *  around the scheduler, the store and the lists of waiting calls; no handler blocks while
 *  holding it except for SQLite writes (WAL, no fsync per commit). Messages to workers and
 *  clients are queued by the rpc layer (rpc_call_send never blocks).
 *  Start-up restores the store: programs, then jobs that were queued or running (running ones go
 *  back to the queue; a worker that reconnects still holding one takes it back).
 *  Shutdown (coordinator_stop): health NOT_SERVING, no new jobs, long-polls answered and watch
 *  streams ended; API calls in flight and running tasks get up to shutdown_timeout_seconds;
 *  then worker streams are closed (workers keep retrying and reconnect to the next coordinator)
 *  and the store is closed.
 */
#ifndef ZISK_COORDINATOR_H
#define ZISK_COORDINATOR_H

#include "base.h"
#include "coord_config.h"

typedef struct coordinator coordinator;

/* Opens the store, restores state, starts listening. settings must outlive the coordinator.
 * Returns NULL with err (store trouble, port in use). */
coordinator *coordinator_start(const coord_settings *settings, zisk_err *err);

/* Graceful stop (see above), then frees everything. */
void coordinator_stop(coordinator *c);

#endif
