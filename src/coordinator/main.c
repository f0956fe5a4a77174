/*
 * zisk-coordinator: the stateful process of a zisk cluster. It keeps the job queue and the
 * worker pool, serves the public API (port 7000), the worker streams (port 50051) and
 * /metrics + /health over HTTP (port 9090), and keeps its state in SQLite under its data
 * directory. It never proves: workers do.
 *
 * HOW IT WORKS (this file): resolve the configuration (coord_config.h), set up logging, print
 * the banner (every setting and where it came from), block SIGTERM/SIGINT in every thread, start
 * the coordinator (coordinator.h), then wait for a signal with sigwait and stop gracefully.
 *
 * Exit status: 0 after a clean shutdown; 1 when it cannot start (store, ports); 2 for a
 * configuration error; 130 when a second signal arrives during the shutdown.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "coord_config.h"
#include "coordinator.h"
#include "log.h"

#ifndef ZISK_VERSION
#define ZISK_VERSION "unknown"
#endif

extern char **environ;

static void usage(void) {
    printf("zisk-coordinator %s: the coordinator of a zisk cluster\n\n"
           "Usage: zisk-coordinator [OPTIONS]\n\n"
           "Keeps the job queue and the worker pool; serves the public gRPC API (clients), the cluster\n"
           "port (workers) and HTTP /metrics and /health. State (programs, jobs, results) lives in\n"
           "SQLite under the data directory and survives restarts.\n"
           "Settings come from built-in defaults < TOML files < ZISK_COORDINATOR_* environment\n"
           "variables < flags. SIGTERM/SIGINT: stop taking jobs, let calls in flight and running tasks\n"
           "finish (server.shutdown_timeout_seconds), save, exit 0.\n\nOptions:\n",
           ZISK_VERSION);
    cfg_print_help(stdout, coord_options, coord_n_options);
    printf("      --print-config-reference\n          Print the configuration reference (Markdown) and exit\n");
}

/* A second signal during the (possibly long) graceful stop exits at once. */
static void *second_signal(void *arg) {
    sigset_t *set = arg;
    int sig;
    if (sigwait(set, &sig) == 0) {
        static const char msg[] = "zisk-coordinator: second signal: exiting now\n";
        ssize_t r = write(STDERR_FILENO, msg, sizeof msg - 1);
        (void)r;
        _exit(130);
    }
    return NULL;
}

int main(int argc, char **argv) {
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--print-config-reference")) {
            cfg_print_markdown(stdout, coord_options, coord_n_options);
            return 0;
        }
    cfg_result cfg;
    zisk_err err;
    if (coord_config_resolve(argc, argv, environ, 1, &cfg, &err) != 0) {
        fprintf(stderr, "zisk-coordinator: %s\n", err.msg);
        return 2;
    }
    if (cfg.help) {
        usage();
        cfg_result_free(&cfg);
        return 0;
    }
    if (cfg.version) {
        printf("zisk-coordinator %s\n", ZISK_VERSION);
        cfg_result_free(&cfg);
        return 0;
    }
    coord_settings s;
    if (coord_settings_from(&cfg, environ, &s, &err) != 0) {
        fprintf(stderr, "zisk-coordinator: %s\n", err.msg);
        cfg_result_free(&cfg);
        return 2;
    }
    if (service_log_start(&s.log, &err) != 0) {
        fprintf(stderr, "zisk-coordinator: %s\n", err.msg);
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL); /* before any thread starts: they inherit the mask */

    ZLOG_INFO("zisk_coordinator", "zisk-coordinator %s starting", ZISK_VERSION);
    service_banner(&cfg, &s.log, "zisk_coordinator::config", NULL, NULL);
    cfg_result_free(&cfg);

    coordinator *c = coordinator_start(&s, &err);
    if (!c) {
        ZLOG_ERROR("zisk_coordinator", "cannot start: %s", err.msg);
        coord_settings_free(&s);
        zlog_shutdown();
        return 1;
    }
    int sig = 0;
    sigwait(&set, &sig);
    ZLOG_INFO("zisk_coordinator", "received %s", sig == SIGTERM ? "SIGTERM" : "SIGINT");
    pthread_t t;
    if (pthread_create(&t, NULL, second_signal, &set) == 0) pthread_detach(t);
    coordinator_stop(c);
    coord_settings_free(&s);
    zlog_shutdown();
    return 0;
}
