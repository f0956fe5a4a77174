/*
 * coord_metrics.c: counters, the exposition text and the libmicrohttpd endpoint (see
 * coord_metrics.h). Label values come from outside (worker ids) and are escaped as the text
 * format requires (backslash, double quote, newline).
 */
#include "coord_metrics.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netdb.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define N_BUCKETS 12
static const double job_buckets[N_BUCKETS] = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10, 60, 300};

typedef struct series {
    char *key;   /* rendered label set, e.g. method="GetJob",code="OK" */
    char *group; /* the part used for the duration (method / kind) */
    double value, sum;
    uint64_t count;
    uint64_t buckets[N_BUCKETS];
} series;

typedef struct family {
    series *s;
    size_t n, cap;
} family;

struct coord_metrics {
    pthread_mutex_t mu;
    family requests, durations, jobs, job_hist, tasks;
};

coord_metrics *metrics_new(void) {
    coord_metrics *m = zisk_xcalloc(1, sizeof *m);
    pthread_mutex_init(&m->mu, NULL);
    return m;
}

static void family_free(family *f) {
    for (size_t i = 0; i < f->n; i++) {
        free(f->s[i].key);
        free(f->s[i].group);
    }
    free(f->s);
}

void metrics_free(coord_metrics *m) {
    if (!m) return;
    family_free(&m->requests);
    family_free(&m->durations);
    family_free(&m->jobs);
    family_free(&m->job_hist);
    family_free(&m->tasks);
    pthread_mutex_destroy(&m->mu);
    free(m);
}

static void escape(char *out, size_t n, const char *v) {
    size_t k = 0;
    for (; *v && k + 3 < n; v++) {
        if (*v == '\\' || *v == '"') {
            out[k++] = '\\';
            out[k++] = *v;
        } else if (*v == '\n') {
            out[k++] = '\\';
            out[k++] = 'n';
        } else {
            out[k++] = *v;
        }
    }
    out[k] = 0;
}

static series *get(family *f, const char *key) {
    for (size_t i = 0; i < f->n; i++)
        if (!strcmp(f->s[i].key, key)) return &f->s[i];
    if (f->n == f->cap) {
        f->cap = f->cap ? f->cap * 2 : 16;
        f->s = zisk_xrealloc(f->s, f->cap * sizeof *f->s);
    }
    series *s = &f->s[f->n++];
    memset(s, 0, sizeof *s);
    s->key = zisk_xstrdup(key);
    return s;
}

void metrics_request(coord_metrics *m, const char *method, const char *code, double seconds) {
    char key[256];
    snprintf(key, sizeof key, "method=\"%s\",code=\"%s\"", method, code);
    pthread_mutex_lock(&m->mu);
    get(&m->requests, key)->value += 1;
    snprintf(key, sizeof key, "method=\"%s\"", method);
    series *d = get(&m->durations, key);
    d->sum += seconds;
    d->count++;
    pthread_mutex_unlock(&m->mu);
}

void metrics_job_finished(coord_metrics *m, const char *kind, const char *outcome, double seconds) {
    char key[256];
    snprintf(key, sizeof key, "kind=\"%s\",outcome=\"%s\"", kind, outcome);
    pthread_mutex_lock(&m->mu);
    get(&m->jobs, key)->value += 1;
    if (!strcmp(outcome, "completed")) {
        snprintf(key, sizeof key, "%s", kind);
        series *h = get(&m->job_hist, key);
        h->sum += seconds;
        h->count++;
        for (int i = 0; i < N_BUCKETS; i++)
            if (seconds <= job_buckets[i]) h->buckets[i]++;
    }
    pthread_mutex_unlock(&m->mu);
}

void metrics_task(coord_metrics *m, const char *worker, const char *outcome) {
    char w[300], key[400];
    escape(w, sizeof w, worker);
    snprintf(key, sizeof key, "worker=\"%s\",outcome=\"%s\"", w, outcome);
    pthread_mutex_lock(&m->mu);
    get(&m->tasks, key)->value += 1;
    pthread_mutex_unlock(&m->mu);
}

/* A growing text buffer. */
typedef struct sbuf {
    char *p;
    size_t len, cap;
} sbuf;

static void sb_printf(sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_printf(sbuf *b, const char *fmt, ...) {
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
        va_end(ap);
        if (n >= 0 && (size_t)n < b->cap - b->len) {
            b->len += (size_t)n;
            return;
        }
        b->cap = b->cap * 2 + (n > 0 ? (size_t)n : 0) + 256;
        b->p = zisk_xrealloc(b->p, b->cap);
    }
}

#define P "zisk_coordinator_"

char *metrics_render(coord_metrics *m, const metrics_gauges *g) {
    sbuf b = {zisk_xmalloc(4096), 0, 4096};
    b.p[0] = 0;
    pthread_mutex_lock(&m->mu);
    sb_printf(&b, "# HELP " P "requests_total API requests by method and gRPC status.\n# TYPE " P "requests_total counter\n");
    for (size_t i = 0; i < m->requests.n; i++)
        sb_printf(&b, P "requests_total{%s} %.0f\n", m->requests.s[i].key, m->requests.s[i].value);
    sb_printf(&b, "# HELP " P "request_duration_seconds Time from a request's arrival to its answer.\n"
                  "# TYPE " P "request_duration_seconds summary\n");
    for (size_t i = 0; i < m->durations.n; i++) {
        series *s = &m->durations.s[i];
        sb_printf(&b, P "request_duration_seconds_sum{%s} %.6f\n" P "request_duration_seconds_count{%s} %llu\n", s->key,
                  s->sum, s->key, (unsigned long long)s->count);
    }
    sb_printf(&b, "# HELP " P "jobs_total Finished jobs by kind and outcome.\n# TYPE " P "jobs_total counter\n");
    for (size_t i = 0; i < m->jobs.n; i++) sb_printf(&b, P "jobs_total{%s} %.0f\n", m->jobs.s[i].key, m->jobs.s[i].value);
    sb_printf(&b, "# HELP " P "job_duration_seconds Submission to completion of completed jobs.\n"
                  "# TYPE " P "job_duration_seconds histogram\n");
    for (size_t i = 0; i < m->job_hist.n; i++) {
        series *s = &m->job_hist.s[i];
        for (int k = 0; k < N_BUCKETS; k++)
            sb_printf(&b, P "job_duration_seconds_bucket{kind=\"%s\",le=\"%g\"} %llu\n", s->key, job_buckets[k],
                      (unsigned long long)s->buckets[k]);
        sb_printf(&b, P "job_duration_seconds_bucket{kind=\"%s\",le=\"+Inf\"} %llu\n", s->key, (unsigned long long)s->count);
        sb_printf(&b, P "job_duration_seconds_sum{kind=\"%s\"} %.6f\n" P "job_duration_seconds_count{kind=\"%s\"} %llu\n",
                  s->key, s->sum, s->key, (unsigned long long)s->count);
    }
    sb_printf(&b, "# HELP " P "worker_tasks_total Tasks by worker and outcome.\n# TYPE " P "worker_tasks_total counter\n");
    for (size_t i = 0; i < m->tasks.n; i++)
        sb_printf(&b, P "worker_tasks_total{%s} %.0f\n", m->tasks.s[i].key, m->tasks.s[i].value);
    pthread_mutex_unlock(&m->mu);
    sb_printf(&b, "# HELP " P "active_jobs Jobs not finished yet.\n# TYPE " P "active_jobs gauge\n");
    sb_printf(&b, P "active_jobs{state=\"queued\"} %zu\n" P "active_jobs{state=\"running\"} %zu\n", g->jobs_queued,
              g->jobs_running);
    sb_printf(&b, "# HELP " P "workers Known workers by state.\n# TYPE " P "workers gauge\n");
    for (int st = 0; st < SCHED_W_N_STATES; st++)
        sb_printf(&b, P "workers{state=\"%s\"} %zu\n", sched_worker_state_name((sched_worker_state)st), g->workers[st]);
    sb_printf(&b, "# HELP " P "registered_programs Programs registered.\n# TYPE " P "registered_programs gauge\n");
    sb_printf(&b, P "registered_programs %zu\n", g->programs);
    return b.p;
}

/* ---- HTTP ---- */

struct metrics_http {
    struct MHD_Daemon *d;
    coord_metrics *m;
    void (*gauges)(void *ctx, metrics_gauges *out);
    void *ctx;
};

static enum MHD_Result answer(struct MHD_Connection *conn, unsigned status, const char *type, char *body, bool owned) {
    struct MHD_Response *r = MHD_create_response_from_buffer(strlen(body), body,
                                                             owned ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
    MHD_add_response_header(r, "Content-Type", type);
    enum MHD_Result rc = MHD_queue_response(conn, status, r);
    MHD_destroy_response(r);
    return rc;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
                                  const char *version, const char *upload_data, size_t *upload_data_size,
                                  void **req_cls) {
    metrics_http *h = cls;
    (void)version;
    (void)upload_data;
    if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) {
        /* Ignore any body (the first call announces it; later calls carry it). */
        if (*upload_data_size) {
            *upload_data_size = 0;
            return MHD_YES;
        }
        if (!*req_cls) {
            *req_cls = (void *)1;
            return MHD_YES;
        }
        return answer(conn, 405, "text/plain", "method not allowed: use GET\n", false);
    }
    metrics_gauges g;
    memset(&g, 0, sizeof g);
    h->gauges(h->ctx, &g);
    if (!strcmp(url, "/metrics"))
        return answer(conn, 200, "text/plain; version=0.0.4; charset=utf-8", metrics_render(h->m, &g), true);
    if (!strcmp(url, "/health"))
        return g.serving ? answer(conn, 200, "text/plain", "ok\n", false)
                         : answer(conn, 503, "text/plain", "shutting down\n", false);
    return answer(conn, 404, "text/plain", "not found: try /metrics or /health\n", false);
}

metrics_http *metrics_http_start(const char *host, unsigned port, coord_metrics *m,
                                 void (*gauges)(void *ctx, metrics_gauges *out), void *ctx, unsigned *bound_port,
                                 zisk_err *err) {
    struct addrinfo hints, *ai = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    char ps[16];
    snprintf(ps, sizeof ps, "%u", port);
    int gai = getaddrinfo(host, ps, &hints, &ai);
    if (gai != 0 || !ai) {
        zisk_err_set(err, "metrics.host '%s': %s", host, gai_strerror(gai));
        return NULL;
    }
    metrics_http *h = zisk_xcalloc(1, sizeof *h);
    h->m = m;
    h->gauges = gauges;
    h->ctx = ctx;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG;
    if (ai->ai_family == AF_INET6) flags |= MHD_USE_IPv6;
    h->d = MHD_start_daemon(flags, (uint16_t)port, NULL, NULL, on_request, h, MHD_OPTION_SOCK_ADDR, ai->ai_addr,
                            MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)10, MHD_OPTION_CONNECTION_LIMIT, (unsigned)64,
                            MHD_OPTION_END);
    freeaddrinfo(ai);
    if (!h->d) {
        free(h);
        zisk_err_set(err, "cannot serve metrics on %s:%u (port in use or address not available)", host, port);
        return NULL;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(h->d, MHD_DAEMON_INFO_BIND_PORT);
    *bound_port = info ? info->port : port;
    return h;
}

void metrics_http_stop(metrics_http *h) {
    if (!h) return;
    MHD_stop_daemon(h->d);
    free(h);
}
