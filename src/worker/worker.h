/*
 * worker.h: the worker's life: dial the coordinator, register, keep the one stream alive with
 * heartbeats, set up programs, run tasks, reconnect forever, drain on request.
 */
#ifndef ZISK_WORKER_H
#define ZISK_WORKER_H

#include <signal.h>

#include "worker_config.h"

/* Set by the signal handlers (async-signal-safe): 1 = drain and leave. */
extern volatile sig_atomic_t worker_stop_requested;

/* Runs until a drain completes (returns 0) or a fatal local error (returns 1). Never returns
 * because the coordinator is unreachable: it retries every reconnect_interval_seconds. */
int worker_run(const worker_settings *s);

#endif
