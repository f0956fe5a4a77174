/*
 * cmd_client.c: `zisk client`: drive a coordinator over its public gRPC API
 * (proto/zisk/api.proto): register programs, set them up, run jobs, wait for and watch them,
 * cancel, list workers and jobs.
 *
 * Exit status (scripts rely on it): 0 success; 1 the request or the job failed; 2 bad usage;
 * 3 an execute job's guest exited with a non-zero code; 4 the coordinator was unreachable;
 * 5 --timeout passed before the job ended.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "vm.h"
#include "wire.h"

#define RPC_TIMEOUT 30.0

static void client_usage(FILE *f) {
    fprintf(f,
            "Usage: zisk client [--coordinator URL] <command> [options]\n"
            "\n"
            "Talks to a zisk-coordinator's public API (default http://127.0.0.1:7000, or\n"
            "$ZISK_COORDINATOR_URL).\n"
            "\n"
            "Commands:\n"
            "  register --elf FILE [--name NAME]      store a program; prints its id\n"
            "  setup (--program ID | --elf FILE) [--no-wait]\n"
            "                                         set the program up on every ready worker\n"
            "  execute (--program ID | --elf FILE) [--input FILE | --input-raw FILE | --input-path PATH]\n"
            "          [--max-steps N] [--priority P] [--job-timeout S] [--no-wait] [--json]\n"
            "                                         run a program on a worker; waits and prints the\n"
            "                                         outputs (--input-path: a file in the workers'\n"
            "                                         inputs folders)\n"
            "  wait JOB [--json]                      wait for a job to end and print it\n"
            "  watch JOB                              follow a job's events (progress on a terminal)\n"
            "  cancel JOB                             cancel a job\n"
            "  get JOB [--json]                       print a job\n"
            "  workers [--json]                       list the workers\n"
            "  jobs [--json] [--limit N]              list recent jobs\n"
            "\n"
            "Common options: --timeout S (give up waiting for a job after S seconds; default: wait\n"
            "forever).\n"
            "Exit status: 0 success; 1 failure; 2 bad usage; 3 guest exited with a non-zero code;\n"
            "4 coordinator unreachable; 5 --timeout passed.\n");
}

typedef struct client {
    rpc_channel *ch;
    const char *url;
    int json;
    double wait_timeout; /* <= 0: forever */
} client;

/* Maps a failed call to an exit status after printing why. */
static int rpc_failure(const client *c, const char *what, const rpc_status *st) {
    if (st->code == GRPC_STATUS_UNAVAILABLE || st->code == GRPC_STATUS_DEADLINE_EXCEEDED) {
        fprintf(stderr, "zisk client: %s: coordinator %s unreachable (%s: %s)\n", what, c->url,
                rpc_status_code_name(st->code), st->message);
        return CLI_EXIT_UNAVAILABLE;
    }
    fprintf(stderr, "zisk client: %s: %s: %s\n", what, rpc_status_code_name(st->code), st->message);
    return CLI_EXIT_FAILURE;
}

static const char *job_state_name(Zisk__Api__V1__JobState s) {
    switch (s) {
    case ZISK__API__V1__JOB_STATE__JOB_STATE_QUEUED: return "queued";
    case ZISK__API__V1__JOB_STATE__JOB_STATE_RUNNING: return "running";
    case ZISK__API__V1__JOB_STATE__JOB_STATE_COMPLETED: return "completed";
    case ZISK__API__V1__JOB_STATE__JOB_STATE_FAILED: return "failed";
    case ZISK__API__V1__JOB_STATE__JOB_STATE_CANCELLED: return "cancelled";
    default: return "unknown";
    }
}

static const char *job_kind_name(Zisk__Api__V1__JobKind k) {
    switch (k) {
    case ZISK__API__V1__JOB_KIND__JOB_KIND_SETUP: return "setup";
    case ZISK__API__V1__JOB_KIND__JOB_KIND_EXECUTE: return "execute";
    case ZISK__API__V1__JOB_KIND__JOB_KIND_PROVE: return "prove";
    case ZISK__API__V1__JOB_KIND__JOB_KIND_WRAP: return "wrap";
    default: return "unknown";
    }
}

static int job_is_final(const Zisk__Api__V1__Job *j) {
    return j->state == ZISK__API__V1__JOB_STATE__JOB_STATE_COMPLETED ||
           j->state == ZISK__API__V1__JOB_STATE__JOB_STATE_FAILED ||
           j->state == ZISK__API__V1__JOB_STATE__JOB_STATE_CANCELLED;
}

static void print_job_json(FILE *f, const Zisk__Api__V1__Job *j) {
    fprintf(f, "{\"job_id\":");
    cli_json_string(f, j->job_id);
    fprintf(f, ",\"kind\":\"%s\",\"state\":\"%s\",\"program_id\":", job_kind_name(j->kind), job_state_name(j->state));
    cli_json_string(f, j->program_id);
    fprintf(f, ",\"attempts\":%u,\"workers\":[", j->attempts);
    for (size_t i = 0; i < j->n_workers; i++) {
        if (i) fputc(',', f);
        cli_json_string(f, j->workers[i]);
    }
    fprintf(f, "],\"created_unix_ms\":%lld,\"finished_unix_ms\":%lld", (long long)j->created_unix_ms,
            (long long)j->finished_unix_ms);
    if (j->message && *j->message) {
        fprintf(f, ",\"message\":");
        cli_json_string(f, j->message);
    }
    if (j->result_case == ZISK__API__V1__JOB__RESULT_EXECUTE && j->execute) {
        const Zisk__Api__V1__ExecuteOutput *e = j->execute;
        fprintf(f, ",\"stop\":\"%s\",\"steps\":%llu,\"exit_code\":%llu,\"outputs\":[", e->stop,
                (unsigned long long)e->steps, (unsigned long long)e->exit_code);
        for (size_t i = 0; i < e->n_outputs; i++) fprintf(f, "%s%u", i ? "," : "", e->outputs[i]);
        fprintf(f, "],\"seconds\":%.6f", e->seconds);
        if (e->message && *e->message) {
            fprintf(f, ",\"guest_message\":");
            cli_json_string(f, e->message);
        }
    }
    fprintf(f, "}\n");
}

static void print_job_human(const Zisk__Api__V1__Job *j) {
    printf("job %s: %s %s", j->job_id, job_kind_name(j->kind), job_state_name(j->state));
    if (j->n_workers) printf(" on %s", j->workers[j->n_workers - 1]);
    if (j->attempts > 1) printf(" (%u attempts)", j->attempts);
    printf("\n");
    if (j->message && *j->message) printf("  %s\n", j->message);
    if (j->result_case == ZISK__API__V1__JOB__RESULT_EXECUTE && j->execute) {
        const Zisk__Api__V1__ExecuteOutput *e = j->execute;
        if (!strcmp(e->stop, "exit")) printf("exit code: %llu\n", (unsigned long long)e->exit_code);
        else printf("guest %s: %s\n", e->stop, e->message);
        printf("steps:     %llu\nseconds:   %.6f\n", (unsigned long long)e->steps, e->seconds);
        uint32_t out[64] = {0};
        for (size_t i = 0; i < e->n_outputs && i < 64; i++) out[i] = e->outputs[i];
        cli_print_outputs(stdout, out);
    }
}

/* Exit status for a finished job. */
static int job_status(const Zisk__Api__V1__Job *j) {
    if (j->state != ZISK__API__V1__JOB_STATE__JOB_STATE_COMPLETED) return CLI_EXIT_FAILURE;
    if (j->result_case == ZISK__API__V1__JOB__RESULT_EXECUTE && j->execute) {
        if (strcmp(j->execute->stop, "exit") != 0) return CLI_EXIT_FAILURE;
        if (j->execute->exit_code != 0) return CLI_EXIT_GUEST_CODE;
    }
    return CLI_EXIT_OK;
}

/* Long-polls until the job ends (or the client's timeout). *out owns the final job. */
static int wait_job(client *c, const char *job_id, Zisk__Api__V1__Job **out) {
    double deadline = c->wait_timeout > 0 ? zisk_now_seconds() + c->wait_timeout : 0;
    *out = NULL;
    for (;;) {
        uint32_t slice = 60;
        if (deadline) {
            double left = deadline - zisk_now_seconds();
            if (left <= 0) {
                fprintf(stderr, "zisk client: job %s did not end within %.0f s\n", job_id, c->wait_timeout);
                return CLI_EXIT_TIMEOUT;
            }
            if (left < slice) slice = left < 1 ? 1 : (uint32_t)left;
        }
        Zisk__Api__V1__WaitJobResultRequest req = ZISK__API__V1__WAIT_JOB_RESULT_REQUEST__INIT;
        req.job_id = (char *)job_id;
        req.timeout_seconds = slice;
        ProtobufCMessage *resp;
        rpc_status st;
        if (rpc_unary(c->ch, &wire_api_wait_job_result, &req.base, slice + RPC_TIMEOUT, &resp, &st) != GRPC_STATUS_OK)
            return rpc_failure(c, "wait", &st);
        Zisk__Api__V1__Job *j = (Zisk__Api__V1__Job *)resp;
        if (job_is_final(j)) {
            *out = j;
            return CLI_EXIT_OK;
        }
        rpc_message_free(resp);
    }
}

static int finish_job(client *c, Zisk__Api__V1__Job *j) {
    if (c->json) print_job_json(stdout, j);
    else print_job_human(j);
    int rc = job_status(j);
    rpc_message_free(&j->base);
    return rc;
}

static int register_elf(client *c, const char *path, const char *name, char id[WIRE_PROGRAM_ID_LEN + 1], int quiet) {
    zisk_err err;
    uint8_t *elf;
    size_t len;
    if (zisk_read_file(path, (size_t)RPC_MAX_MESSAGE_BYTES - 4096, &elf, &len, &err) != 0) {
        fprintf(stderr, "zisk client: %s\n", err.msg);
        return CLI_EXIT_FAILURE;
    }
    Zisk__Api__V1__RegisterProgramRequest req = ZISK__API__V1__REGISTER_PROGRAM_REQUEST__INIT;
    req.elf.data = elf;
    req.elf.len = len;
    req.name = (char *)(name ? name : path);
    ProtobufCMessage *resp;
    rpc_status st;
    grpc_status_code code = rpc_unary(c->ch, &wire_api_register_program, &req.base, RPC_TIMEOUT, &resp, &st);
    free(elf);
    if (code != GRPC_STATUS_OK) return rpc_failure(c, "register", &st);
    Zisk__Api__V1__RegisterProgramResponse *r = (Zisk__Api__V1__RegisterProgramResponse *)resp;
    snprintf(id, WIRE_PROGRAM_ID_LEN + 1, "%s", r->program_id);
    if (!quiet) {
        if (c->json) printf("{\"program_id\":\"%s\",\"already_registered\":%s}\n", r->program_id, r->already_registered ? "true" : "false");
        else printf("%s\n", r->program_id);
    }
    rpc_message_free(resp);
    return CLI_EXIT_OK;
}

static int submit(client *c, Zisk__Api__V1__JobRequest *req, char *job_id, size_t n) {
    ProtobufCMessage *resp;
    rpc_status st;
    if (rpc_unary(c->ch, &wire_api_submit_job, &req->base, RPC_TIMEOUT, &resp, &st) != GRPC_STATUS_OK)
        return rpc_failure(c, "submit", &st);
    snprintf(job_id, n, "%s", ((Zisk__Api__V1__SubmitJobResponse *)resp)->job_id);
    rpc_message_free(resp);
    return CLI_EXIT_OK;
}

/* Parses the options shared by setup/execute. */
typedef struct job_opts {
    const char *program, *elf, *input, *input_raw, *input_path;
    uint64_t max_steps, priority, job_timeout;
    int no_wait;
} job_opts;

static int parse_job_opts(cli_args *a, job_opts *o, int execute) {
    const char *v;
    while (a->i < a->argc) {
        int r;
        if ((r = cli_flag(a, "--program", 1, &o->program)) || (r = cli_flag(a, "--elf", 1, &o->elf))) {
            if (r < 0) return -1;
            continue;
        }
        if ((r = cli_flag(a, "--no-wait", 0, &v))) { o->no_wait = 1; continue; }
        if (execute) {
            if ((r = cli_flag(a, "--input", 1, &o->input)) || (r = cli_flag(a, "--input-raw", 1, &o->input_raw)) ||
                (r = cli_flag(a, "--input-path", 1, &o->input_path))) {
                if (r < 0) return -1;
                continue;
            }
            const char *num = NULL;
            uint64_t *dst = NULL;
            if ((r = cli_flag(a, "--max-steps", 1, &num))) dst = &o->max_steps;
            else if ((r = cli_flag(a, "--priority", 1, &num))) dst = &o->priority;
            else if ((r = cli_flag(a, "--job-timeout", 1, &num))) dst = &o->job_timeout;
            if (r < 0) return -1;
            if (dst) {
                if (zisk_parse_u64(num, dst) != 0) {
                    cli_usage_error(a, "'%s' is not a non-negative integer", num);
                    return -1;
                }
                continue;
            }
        }
        cli_usage_error(a, "unknown option '%s'", a->argv[a->i]);
        return -1;
    }
    if (!o->program == !o->elf) {
        cli_usage_error(a, "give exactly one of --program ID and --elf FILE");
        return -1;
    }
    if (!!o->input + !!o->input_raw + !!o->input_path > 1) {
        cli_usage_error(a, "give at most one of --input, --input-raw and --input-path");
        return -1;
    }
    return 0;
}

static int cmd_setup_or_execute(client *c, cli_args *a, int execute) {
    job_opts o;
    memset(&o, 0, sizeof o);
    if (parse_job_opts(a, &o, execute) != 0) return CLI_EXIT_USAGE;
    char id[WIRE_PROGRAM_ID_LEN + 1];
    if (o.elf) {
        int rc = register_elf(c, o.elf, NULL, id, 1);
        if (rc) return rc;
    } else {
        snprintf(id, sizeof id, "%s", o.program);
    }
    Zisk__Api__V1__JobRequest req = ZISK__API__V1__JOB_REQUEST__INIT;
    Zisk__Api__V1__JobInput in = ZISK__API__V1__JOB_INPUT__INIT;
    uint8_t *data = NULL;
    size_t len = 0;
    req.kind = execute ? ZISK__API__V1__JOB_KIND__JOB_KIND_EXECUTE : ZISK__API__V1__JOB_KIND__JOB_KIND_SETUP;
    req.program_id = id;
    req.max_steps = o.max_steps;
    req.priority = (int32_t)o.priority;
    req.timeout_seconds = (uint32_t)o.job_timeout;
    if (o.input || o.input_raw) {
        zisk_err err;
        if (zisk_read_file(o.input ? o.input : o.input_raw, (size_t)(VM_INPUT_SIZE - 24), &data, &len, &err) != 0) {
            fprintf(stderr, "zisk client: %s\n", err.msg);
            return CLI_EXIT_FAILURE;
        }
        if (o.input_raw) cli_wrap_record(&data, &len); /* as `zisk execute --input-raw` does */
        in.source_case = ZISK__API__V1__JOB_INPUT__SOURCE_INLINE_DATA;
        in.inline_data.data = data;
        in.inline_data.len = len;
        req.input = &in;
    } else if (o.input_path) {
        in.source_case = ZISK__API__V1__JOB_INPUT__SOURCE_PATH;
        in.path = (char *)o.input_path;
        req.input = &in;
    }
    char job_id[128];
    int rc = submit(c, &req, job_id, sizeof job_id);
    free(data);
    if (rc) return rc;
    if (o.no_wait) {
        if (c->json) printf("{\"job_id\":\"%s\"}\n", job_id);
        else printf("%s\n", job_id);
        return CLI_EXIT_OK;
    }
    Zisk__Api__V1__Job *j;
    rc = wait_job(c, job_id, &j);
    if (rc) return rc;
    return finish_job(c, j);
}

static int need_job_id(cli_args *a, const char **job) {
    const char *v;
    *job = NULL;
    while (a->i < a->argc) {
        int r;
        if ((r = cli_flag(a, "--json", 0, &v))) continue;
        if (a->argv[a->i][0] == '-') return cli_usage_error(a, "unknown option '%s'", a->argv[a->i]);
        if (*job) return cli_usage_error(a, "one job id, please ('%s' is extra)", a->argv[a->i]);
        *job = a->argv[a->i++];
    }
    if (!*job) return cli_usage_error(a, "a job id is required");
    return 0;
}

static int cmd_get(client *c, cli_args *a, int wait) {
    const char *job;
    if (need_job_id(a, &job)) return CLI_EXIT_USAGE;
    Zisk__Api__V1__Job *j;
    if (wait) {
        int rc = wait_job(c, job, &j);
        if (rc) return rc;
        return finish_job(c, j);
    }
    Zisk__Api__V1__GetJobRequest req = ZISK__API__V1__GET_JOB_REQUEST__INIT;
    req.job_id = (char *)job;
    ProtobufCMessage *resp;
    rpc_status st;
    if (rpc_unary(c->ch, &wire_api_get_job, &req.base, RPC_TIMEOUT, &resp, &st) != GRPC_STATUS_OK)
        return rpc_failure(c, "get", &st);
    j = (Zisk__Api__V1__Job *)resp;
    if (c->json) print_job_json(stdout, j);
    else print_job_human(j);
    rpc_message_free(resp);
    return CLI_EXIT_OK;
}

static int cmd_cancel(client *c, cli_args *a) {
    const char *job;
    if (need_job_id(a, &job)) return CLI_EXIT_USAGE;
    Zisk__Api__V1__CancelJobRequest req = ZISK__API__V1__CANCEL_JOB_REQUEST__INIT;
    req.job_id = (char *)job;
    req.reason = "cancelled by zisk client";
    ProtobufCMessage *resp;
    rpc_status st;
    if (rpc_unary(c->ch, &wire_api_cancel_job, &req.base, RPC_TIMEOUT, &resp, &st) != GRPC_STATUS_OK)
        return rpc_failure(c, "cancel", &st);
    printf("job %s: %s\n", job, job_state_name(((Zisk__Api__V1__CancelJobResponse *)resp)->state));
    rpc_message_free(resp);
    return CLI_EXIT_OK;
}

static const char *event_name(Zisk__Api__V1__JobEventType t) {
    static const char *const names[] = {"event", "queued", "started", "progress", "completed", "failed", "cancelled"};
    return (unsigned)t < sizeof names / sizeof names[0] ? names[t] : "event";
}

static int cmd_watch(client *c, cli_args *a) {
    const char *job;
    if (need_job_id(a, &job)) return CLI_EXIT_USAGE;
    zisk_err err;
    rpc_stream *s = rpc_stream_open(c->ch, &wire_api_watch_job, 0, &err);
    if (!s) {
        fprintf(stderr, "zisk client: watch: %s\n", err.msg);
        return CLI_EXIT_FAILURE;
    }
    Zisk__Api__V1__WatchJobRequest req = ZISK__API__V1__WATCH_JOB_REQUEST__INIT;
    req.job_id = (char *)job;
    rpc_stream_send(s, &req.base);
    rpc_stream_close_send(s);
    int tty = isatty(STDOUT_FILENO), rc = CLI_EXIT_FAILURE;
    double t0 = zisk_now_seconds(), deadline = c->wait_timeout > 0 ? t0 + c->wait_timeout : 0;
    static const char spin[] = "|/-\\";
    unsigned tick = 0;
    char phase[64] = "";
    for (;;) {
        ProtobufCMessage *msg;
        rpc_status st;
        if (deadline && zisk_now_seconds() > deadline) {
            if (tty) printf("\n");
            fprintf(stderr, "zisk client: job %s did not end within %.0f s\n", job, c->wait_timeout);
            rc = CLI_EXIT_TIMEOUT;
            break;
        }
        rpc_recv_result r = rpc_stream_recv(s, tty ? 0.2 : 1.0, &msg, &st);
        if (r == RPC_RECV_TIMEOUT) {
            if (tty) {
                printf("\r%c %-12s %.1f s   ", spin[tick++ % 4], phase, zisk_now_seconds() - t0);
                fflush(stdout);
            }
            continue;
        }
        if (r == RPC_RECV_END) {
            if (tty) printf("\n");
            if (st.code != GRPC_STATUS_OK) rc = rpc_failure(c, "watch", &st);
            break;
        }
        Zisk__Api__V1__JobEvent *e = (Zisk__Api__V1__JobEvent *)msg;
        if (e->phase && *e->phase) snprintf(phase, sizeof phase, "%s", e->phase);
        else snprintf(phase, sizeof phase, "%s", event_name(e->type));
        if (tty) {
            int width = 30, filled = (int)(e->progress * width);
            printf("\r%-10s [", event_name(e->type));
            for (int i = 0; i < width; i++) putchar(i < filled ? '#' : '.');
            printf("] %3.0f%% %s %s\n", e->progress * 100, e->phase ? e->phase : "", e->message ? e->message : "");
        } else {
            printf("%s %s%s%s\n", event_name(e->type), e->phase ? e->phase : "", e->message && *e->message ? ": " : "",
                   e->message ? e->message : "");
        }
        fflush(stdout);
        int final = e->type == ZISK__API__V1__JOB_EVENT_TYPE__JOB_EVENT_COMPLETED ||
                    e->type == ZISK__API__V1__JOB_EVENT_TYPE__JOB_EVENT_FAILED ||
                    e->type == ZISK__API__V1__JOB_EVENT_TYPE__JOB_EVENT_CANCELLED;
        if (final) rc = e->job ? job_status(e->job) : (e->type == ZISK__API__V1__JOB_EVENT_TYPE__JOB_EVENT_COMPLETED ? 0 : 1);
        rpc_message_free(msg);
        if (final) break;
    }
    rpc_stream_destroy(s);
    return rc;
}

static int cmd_workers(client *c, cli_args *a) {
    const char *v;
    while (a->i < a->argc) {
        if (cli_flag(a, "--json", 0, &v)) continue;
        return cli_usage_error(a, "unknown option '%s'", a->argv[a->i]);
    }
    Zisk__Api__V1__ListWorkersRequest req = ZISK__API__V1__LIST_WORKERS_REQUEST__INIT;
    ProtobufCMessage *resp;
    rpc_status st;
    if (rpc_unary(c->ch, &wire_api_list_workers, &req.base, RPC_TIMEOUT, &resp, &st) != GRPC_STATUS_OK)
        return rpc_failure(c, "workers", &st);
    Zisk__Api__V1__ListWorkersResponse *r = (Zisk__Api__V1__ListWorkersResponse *)resp;
    if (c->json) {
        printf("[");
        for (size_t i = 0; i < r->n_workers; i++) {
            const Zisk__Api__V1__WorkerInfo *w = r->workers[i];
            printf("%s{\"worker_id\":", i ? "," : "");
            cli_json_string(stdout, w->worker_id);
            printf(",\"state\":\"%s\",\"compute_units\":%u,\"current_job_id\":", w->state, w->compute_units);
            cli_json_string(stdout, w->current_job_id);
            printf(",\"version\":");
            cli_json_string(stdout, w->version);
            printf(",\"last_heartbeat_unix_ms\":%lld,\"programs\":%zu}", (long long)w->last_heartbeat_unix_ms, w->n_programs);
        }
        printf("]\n");
    } else {
        printf("%-38s %-11s %6s  %-38s %s\n", "WORKER", "STATE", "UNITS", "JOB", "PROGRAMS");
        for (size_t i = 0; i < r->n_workers; i++) {
            const Zisk__Api__V1__WorkerInfo *w = r->workers[i];
            printf("%-38s %-11s %6u  %-38s %zu\n", w->worker_id, w->state, w->compute_units,
                   *w->current_job_id ? w->current_job_id : "-", w->n_programs);
        }
        printf("%zu worker%s\n", r->n_workers, r->n_workers == 1 ? "" : "s");
    }
    rpc_message_free(resp);
    return CLI_EXIT_OK;
}

static int cmd_jobs(client *c, cli_args *a) {
    const char *v, *limit_s = NULL;
    uint64_t limit = 0;
    while (a->i < a->argc) {
        int r;
        if (cli_flag(a, "--json", 0, &v)) continue;
        if ((r = cli_flag(a, "--limit", 1, &limit_s))) {
            if (r < 0 || zisk_parse_u64(limit_s, &limit) != 0) return cli_usage_error(a, "--limit needs a number");
            continue;
        }
        return cli_usage_error(a, "unknown option '%s'", a->argv[a->i]);
    }
    Zisk__Api__V1__ListJobsRequest req = ZISK__API__V1__LIST_JOBS_REQUEST__INIT;
    req.limit = (uint32_t)limit;
    ProtobufCMessage *resp;
    rpc_status st;
    if (rpc_unary(c->ch, &wire_api_list_jobs, &req.base, RPC_TIMEOUT, &resp, &st) != GRPC_STATUS_OK)
        return rpc_failure(c, "jobs", &st);
    Zisk__Api__V1__ListJobsResponse *r = (Zisk__Api__V1__ListJobsResponse *)resp;
    if (c->json) {
        printf("[");
        for (size_t i = 0; i < r->n_jobs; i++) {
            if (i) printf(",");
            print_job_json(stdout, r->jobs[i]);
        }
        printf("]\n");
    } else {
        printf("%-38s %-8s %-10s %-14s %8s  %s\n", "JOB", "KIND", "STATE", "PROGRAM", "ATTEMPTS", "MESSAGE");
        for (size_t i = 0; i < r->n_jobs; i++) {
            const Zisk__Api__V1__Job *j = r->jobs[i];
            printf("%-38s %-8s %-10s %-14.12s %8u  %s\n", j->job_id, job_kind_name(j->kind), job_state_name(j->state),
                   j->program_id, j->attempts, j->message ? j->message : "");
        }
    }
    rpc_message_free(resp);
    return CLI_EXIT_OK;
}

int cmd_client(int argc, char **argv) {
    cli_args a = {argc, 1, argv, "zisk client"};
    client c = {.url = getenv("ZISK_COORDINATOR_URL")};
    if (!c.url || !*c.url) c.url = "http://127.0.0.1:7000";
    const char *v, *timeout_s = NULL;
    /* Options before the command, then the command, then its options (common ones anywhere). */
    const char *cmd = NULL;
    int cmd_at = 0;
    char **rest = zisk_xcalloc((size_t)argc + 1, sizeof *rest);
    int nrest = 0;
    rest[nrest++] = argv[0];
    while (a.i < argc) {
        int r;
        if (!strcmp(argv[a.i], "--help") || !strcmp(argv[a.i], "-h")) {
            client_usage(stdout);
            free(rest);
            return CLI_EXIT_OK;
        }
        if ((r = cli_flag(&a, "--coordinator", 1, &c.url))) { if (r < 0) goto usage; continue; }
        if ((r = cli_flag(&a, "--timeout", 1, &timeout_s))) { if (r < 0) goto usage; continue; }
        if ((r = cli_flag(&a, "--json", 0, &v))) { c.json = 1; continue; }
        if (!cmd && argv[a.i][0] != '-') {
            cmd = argv[a.i++];
            cmd_at = nrest;
            continue;
        }
        rest[nrest++] = argv[a.i++];
    }
    (void)cmd_at;
    if (!cmd) {
        client_usage(stderr);
        free(rest);
        return CLI_EXIT_USAGE;
    }
    if (timeout_s) {
        uint64_t t;
        if (zisk_parse_u64(timeout_s, &t) != 0 || t == 0) {
            cli_usage_error(&a, "--timeout: '%s' is not a positive number of seconds", timeout_s);
            goto usage;
        }
        c.wait_timeout = (double)t;
    }
    zisk_err err;
    c.ch = rpc_channel_create(c.url, NULL, &err);
    if (!c.ch) {
        fprintf(stderr, "zisk client: %s\n", err.msg);
        free(rest);
        return CLI_EXIT_USAGE;
    }
    char name[64];
    snprintf(name, sizeof name, "zisk client %s", cmd);
    cli_args sub = {nrest, 1, rest, name};
    int rc;
    if (!strcmp(cmd, "register")) {
        const char *elf = NULL, *pname = NULL;
        rc = CLI_EXIT_OK;
        while (sub.i < sub.argc) {
            int r;
            if ((r = cli_flag(&sub, "--elf", 1, &elf)) || (r = cli_flag(&sub, "--name", 1, &pname))) {
                if (r < 0) { rc = CLI_EXIT_USAGE; break; }
                continue;
            }
            rc = cli_usage_error(&sub, "unknown option '%s'", sub.argv[sub.i]);
            break;
        }
        if (rc == CLI_EXIT_OK && !elf) rc = cli_usage_error(&sub, "--elf FILE is required");
        char id[WIRE_PROGRAM_ID_LEN + 1];
        if (rc == CLI_EXIT_OK) rc = register_elf(&c, elf, pname, id, 0);
    } else if (!strcmp(cmd, "setup")) rc = cmd_setup_or_execute(&c, &sub, 0);
    else if (!strcmp(cmd, "execute")) rc = cmd_setup_or_execute(&c, &sub, 1);
    else if (!strcmp(cmd, "wait")) rc = cmd_get(&c, &sub, 1);
    else if (!strcmp(cmd, "get")) rc = cmd_get(&c, &sub, 0);
    else if (!strcmp(cmd, "watch")) rc = cmd_watch(&c, &sub);
    else if (!strcmp(cmd, "cancel")) rc = cmd_cancel(&c, &sub);
    else if (!strcmp(cmd, "workers")) rc = cmd_workers(&c, &sub);
    else if (!strcmp(cmd, "jobs")) rc = cmd_jobs(&c, &sub);
    else if (!strcmp(cmd, "prove") || !strcmp(cmd, "wrap")) {
        fprintf(stderr,
                "zisk client: '%s' is not supported by this build yet: the cluster does not prove yet; prove "
                "on one machine with 'zisk prove' (and check with 'zisk verify')\n",
                cmd);
        rc = CLI_EXIT_FAILURE;
    } else {
        fprintf(stderr, "zisk client: unknown command '%s'\n\n", cmd);
        client_usage(stderr);
        rc = CLI_EXIT_USAGE;
    }
    rpc_channel_destroy(c.ch);
    free(rest);
    return rc;
usage:
    free(rest);
    return CLI_EXIT_USAGE;
}
