/*
 * zisk-worker: the proving process. It dials the coordinator, registers its compute capacity
 * and runs the tasks it is assigned (execute jobs today; proving comes with the proof system).
 * The user documentation (spec/zisk-worker.md, docs/CONFIGURATION.md) is the contract.
 *
 * Exit status: 0 after a clean shutdown (SIGTERM/SIGINT drained, or the coordinator's
 * shutdown); 2 for a configuration error; 130 when a second SIGINT forces the exit.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "worker.h"
#include "worker_config.h"

#ifndef ZISK_VERSION
#define ZISK_VERSION "unknown"
#endif

extern char **environ;

static volatile sig_atomic_t sigint_count;

static void on_signal(int sig) {
    if (sig == SIGINT && ++sigint_count >= 2) {
        static const char msg[] = "zisk-worker: second interrupt: exiting now\n";
        ssize_t r = write(STDERR_FILENO, msg, sizeof msg - 1);
        (void)r;
        _exit(130);
    }
    worker_stop_requested = 1;
}

static void usage(void) {
    printf("zisk-worker %s: the stateless proving process of a zisk cluster\n\n"
           "Usage: zisk-worker [OPTIONS]\n\n"
           "Dials the coordinator, registers its compute capacity and runs the tasks it is assigned,\n"
           "reconnecting forever. Settings come from built-in defaults < the TOML file (--config or\n"
           "ZISK_WORKER_CONFIG) < ZISK_WORKER_* environment variables < flags.\n"
           "SIGTERM/SIGINT: stop taking tasks, finish the running one, report it, exit 0; a second\n"
           "SIGINT exits at once.\n\nOptions:\n",
           ZISK_VERSION);
    cfg_print_help(stdout, worker_options, worker_n_options);
    printf("      --print-config-reference\n          Print the configuration reference (Markdown) and exit\n");
}

int main(int argc, char **argv) {
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--print-config-reference")) {
            cfg_print_markdown(stdout, worker_options, worker_n_options);
            return 0;
        }
    cfg_result cfg;
    zisk_err err;
    if (cfg_resolve(worker_options, worker_n_options, argc, argv, environ, &cfg, &err) != 0) {
        fprintf(stderr, "zisk-worker: %s\n", err.msg);
        return 2;
    }
    if (cfg.help) {
        usage();
        cfg_result_free(&cfg);
        return 0;
    }
    if (cfg.version) {
        printf("zisk-worker %s\n", ZISK_VERSION);
        cfg_result_free(&cfg);
        return 0;
    }
    worker_settings s;
    if (worker_settings_from(&cfg, environ, &s, &err) != 0) {
        fprintf(stderr, "zisk-worker: %s\n", err.msg);
        cfg_result_free(&cfg);
        return 2;
    }
    if (service_log_start(&s.log, &err) != 0) {
        fprintf(stderr, "zisk-worker: %s\n", err.msg);
        return 2;
    }

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    /* Banner: every resolved setting and where it came from. */
    ZLOG_INFO("zisk_worker", "zisk-worker %s starting", ZISK_VERSION);
    char id_line[256];
    snprintf(id_line, sizeof id_line, "worker.worker_id = %s (random UUID: no id configured)", s.worker_id);
    service_banner(&cfg, &s.log, "zisk_worker::config", s.worker_id_generated ? "worker.worker_id" : NULL, id_line);
    ZLOG_INFO("zisk_worker", "%s", s.backend_note);
    cfg_result_free(&cfg);

    int rc = worker_run(&s);
    worker_settings_free(&s);
    zlog_shutdown();
    return rc;
}
