/*
 * coord_metrics.h: the coordinator's Prometheus metrics and the HTTP endpoint that serves them.
 *
 * HOW IT WORKS
 *  Counters live here, under their own mutex, so any thread may count. Gauges that describe the
 *  current state (workers by state, active jobs, programs) are not stored: the HTTP thread asks
 *  the coordinator for them (a callback) when /metrics is scraped, so they can never drift.
 *  Metric names (all prefixed zisk_coordinator_):
 *    requests_total{method,code}                 API calls by gRPC status
 *    request_duration_seconds_{sum,count}{method} time from arrival to answer
 *    active_jobs{state}                          queued / running
 *    jobs_total{kind,outcome}                    finished jobs (completed, failed, cancelled)
 *    job_duration_seconds{kind} histogram        submission to end of completed jobs
 *    workers{state}                              connected workers by state
 *    registered_programs
 *    worker_tasks_total{worker,outcome}          tasks by worker and outcome
 *  The HTTP server (libmicrohttpd, its own thread) answers GET /metrics (text format 0.0.4),
 *  GET /health (200 "ok", or 503 while shutting down), 404 otherwise, 405 for other methods.
 */
#ifndef ZISK_COORD_METRICS_H
#define ZISK_COORD_METRICS_H

#include <stdbool.h>
#include <stddef.h>

#include "base.h"
#include "sched.h"

typedef struct coord_metrics coord_metrics;

coord_metrics *metrics_new(void);
void metrics_free(coord_metrics *m);

void metrics_request(coord_metrics *m, const char *method, const char *code, double seconds);
void metrics_job_finished(coord_metrics *m, const char *kind, const char *outcome, double seconds);
void metrics_task(coord_metrics *m, const char *worker, const char *outcome);

typedef struct metrics_gauges {
    size_t jobs_queued, jobs_running, programs;
    size_t workers[SCHED_W_N_STATES];
    bool serving; /* false while shutting down (/health answers 503) */
} metrics_gauges;

/* Renders the exposition text (malloc'ed, NUL-terminated). */
char *metrics_render(coord_metrics *m, const metrics_gauges *g);

/* HTTP endpoint. gauges is called on the HTTP thread for each request. */
typedef struct metrics_http metrics_http;
metrics_http *metrics_http_start(const char *host, unsigned port, coord_metrics *m,
                                 void (*gauges)(void *ctx, metrics_gauges *out), void *ctx, unsigned *bound_port,
                                 zisk_err *err);
void metrics_http_stop(metrics_http *h);

#endif
