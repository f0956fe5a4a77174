/* The configuration table (src/config): precedence, origins, errors, unknown keys, help. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"

static const char *const formats[] = {"pretty", "json", "compact", NULL};

static const cfg_option opts[] = {
    {.name = "config", .type = CFG_PATH_CONFIG, .env = "T_CONFIG", .flag = "--config", .metavar = "PATH",
     .help = "TOML file"},
    {.name = "coordinator.url", .type = CFG_STRING, .default_text = "http://127.0.0.1:50051",
     .toml_key = "coordinator.url", .env = "T_URL", .flag = "--coordinator-url", .short_flag = 'c',
     .metavar = "URL", .help = "Coordinator URL"},
    {.name = "worker.compute_capacity", .type = CFG_UINT, .default_text = "10",
     .toml_key = "worker.compute_capacity.compute_units", .toml_alias = "worker.compute_capacity",
     .env = "T_CAP", .flag = "--compute-capacity", .metavar = "N", .min = 1, .max = 1000000,
     .help = "Compute units"},
    {.name = "worker.worker_id", .type = CFG_STRING, .default_doc = "random UUID", .toml_key = "worker.worker_id",
     .env = "T_ID", .flag = "--worker-id", .metavar = "ID", .help = "Worker id"},
    {.name = "logging.format", .type = CFG_ENUM, .default_text = "pretty", .toml_key = "logging.format",
     .env = "T_FMT", .choices = formats, .help = "Log format"},
    {.name = "emulator", .type = CFG_BOOL, .default_text = "false", .flag = "--emulator", .short_flag = 'l',
     .help = "Use the emulator"},
    {.name = "verbose", .type = CFG_COUNT, .short_flag = 'v', .help = "More logs"},
};
#define N_OPTS (sizeof opts / sizeof opts[0])

static char tmpfile_path[64];

static const char *write_toml(const char *text) {
    strcpy(tmpfile_path, "/tmp/zisk-cfg-XXXXXX");
    int fd = mkstemp(tmpfile_path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    return tmpfile_path;
}

static int resolve(char **argv, char **env, cfg_result *r, zisk_err *err) {
    int argc = 0;
    while (argv[argc]) argc++;
    return cfg_resolve(opts, N_OPTS, argc, argv, env, r, err);
}

static void test_defaults(void **state) {
    (void)state;
    char *argv[] = {"w", NULL}, *env[] = {NULL};
    cfg_result r;
    zisk_err err;
    assert_int_equal(resolve(argv, env, &r, &err), 0);
    assert_string_equal(cfg_get(&r, "coordinator.url")->text, "http://127.0.0.1:50051");
    assert_int_equal(cfg_get(&r, "worker.compute_capacity")->number, 10);
    assert_int_equal(cfg_get(&r, "worker.compute_capacity")->source, CFG_SRC_DEFAULT);
    assert_null(cfg_get(&r, "worker.worker_id")->text); /* computed by the program */
    assert_int_equal(cfg_get(&r, "emulator")->boolean, 0);
    assert_null(r.config_path);
    char line[256];
    cfg_describe(&r, 2, line, sizeof line);
    assert_string_equal(line, "worker.compute_capacity = 10 (default)");
    cfg_result_free(&r);
}

/* The spec's example: TOML 10, env 16, flag 32; later layers win. */
static void test_precedence(void **state) {
    (void)state;
    const char *path = write_toml("[worker]\ncompute_capacity.compute_units = 10\n[coordinator]\nurl = \"http://f:1\"\n");
    char cfgflag[96];
    snprintf(cfgflag, sizeof cfgflag, "--config=%s", path);
    cfg_result r;
    zisk_err err;
    char *argv1[] = {"w", cfgflag, NULL}, *env0[] = {NULL};
    assert_int_equal(resolve(argv1, env0, &r, &err), 0);
    assert_int_equal(cfg_get(&r, "worker.compute_capacity")->number, 10);
    assert_int_equal(cfg_get(&r, "worker.compute_capacity")->source, CFG_SRC_FILE);
    assert_non_null(strstr(cfg_get(&r, "worker.compute_capacity")->origin, ":2:"));
    assert_string_equal(cfg_get(&r, "coordinator.url")->text, "http://f:1");
    cfg_result_free(&r);

    char *env1[] = {"T_CAP=16", NULL};
    assert_int_equal(resolve(argv1, env1, &r, &err), 0);
    assert_int_equal(cfg_get(&r, "worker.compute_capacity")->number, 16);
    assert_string_equal(cfg_get(&r, "worker.compute_capacity")->origin, "env T_CAP");
    cfg_result_free(&r);

    char *argv2[] = {"w", cfgflag, "--compute-capacity", "32", NULL};
    assert_int_equal(resolve(argv2, env1, &r, &err), 0);
    assert_int_equal(cfg_get(&r, "worker.compute_capacity")->number, 32);
    assert_string_equal(cfg_get(&r, "worker.compute_capacity")->origin, "flag --compute-capacity");
    cfg_result_free(&r);

    /* The file path from the environment; the flag wins over it. */
    char envcfg[96];
    snprintf(envcfg, sizeof envcfg, "T_CONFIG=%s", path);
    char *env2[] = {envcfg, NULL}, *argv3[] = {"w", NULL};
    assert_int_equal(resolve(argv3, env2, &r, &err), 0);
    assert_string_equal(r.config_path, path);
    assert_int_equal(cfg_get(&r, "worker.compute_capacity")->number, 10);
    cfg_result_free(&r);
    char *argv4[] = {"w", "--config", "/nonexistent/x.toml", NULL};
    assert_int_equal(resolve(argv4, env2, &r, &err), -1);
    assert_non_null(strstr(err.msg, "/nonexistent/x.toml"));
    unlink(path);
}

static void test_alias_and_enum(void **state) {
    (void)state;
    const char *path = write_toml("worker.compute_capacity = 7\nlogging.format = \"JSON\"\n");
    char *argv[] = {"w", "--config", (char *)path, NULL}, *env[] = {NULL};
    cfg_result r;
    zisk_err err;
    assert_int_equal(resolve(argv, env, &r, &err), 0);
    assert_int_equal(cfg_get(&r, "worker.compute_capacity")->number, 7);
    assert_string_equal(cfg_get(&r, "logging.format")->text, "json"); /* canonical */
    cfg_result_free(&r);
    unlink(path);
}

static void test_unknown_keys_warn(void **state) {
    (void)state;
    const char *path = write_toml("[worker]\nworker_id = \"a\"\nfrobnicate = 1\n[nothing]\nx = 2\n");
    char *argv[] = {"w", "--config", (char *)path, NULL}, *env[] = {NULL};
    cfg_result r;
    zisk_err err;
    assert_int_equal(resolve(argv, env, &r, &err), 0);
    assert_int_equal(r.n_warnings, 2);
    assert_non_null(strstr(r.warnings[0], ":3:1: unknown key 'worker.frobnicate'"));
    assert_non_null(strstr(r.warnings[1], "unknown key 'nothing'"));
    cfg_result_free(&r);
    unlink(path);
}

static void expect_error(char **argv, char **env, const char *fragment) {
    cfg_result r;
    zisk_err err;
    if (resolve(argv, env, &r, &err) == 0) {
        cfg_result_free(&r);
        fail_msg("expected an error containing '%s'", fragment);
    }
    if (!strstr(err.msg, fragment)) fail_msg("error '%s' lacks '%s'", err.msg, fragment);
}

static void test_errors(void **state) {
    (void)state;
    char *env0[] = {NULL};
    char *a1[] = {"w", "--compute-capacity", "0", NULL};
    expect_error(a1, env0, "worker.compute_capacity '0' from flag --compute-capacity: must be at least 1");
    char *a2[] = {"w", "--compute-capacity", "ten", NULL};
    expect_error(a2, env0, "not a non-negative integer");
    char *e3[] = {"T_CAP=0", NULL}, *a3[] = {"w", NULL};
    expect_error(a3, e3, "from env T_CAP: must be at least 1");
    char *e4[] = {"T_FMT=xml", NULL};
    expect_error(a3, e4, "expected one of pretty, json, compact");
    char *a5[] = {"w", "--bogus", NULL};
    expect_error(a5, env0, "unknown option '--bogus'");
    char *a6[] = {"w", "--worker-id", NULL};
    expect_error(a6, env0, "needs a value");
    char *a7[] = {"w", "stray", NULL};
    expect_error(a7, env0, "unexpected argument 'stray'");
    char *a8[] = {"w", "--emulator=yes", NULL};
    expect_error(a8, env0, "takes no value");
    char *a9[] = {"w", "-x", NULL};
    expect_error(a9, env0, "unknown option '-x'");
    const char *path = write_toml("[worker]\ncompute_capacity = \"many\"\n");
    char *a10[] = {"w", "--config", (char *)path, NULL};
    expect_error(a10, env0, ":2:");
    expect_error(a10, env0, "must be an integer");
    unlink(path);
    path = write_toml("[worker\n");
    char *a11[] = {"w", "--config", (char *)path, NULL};
    expect_error(a11, env0, ":1:");
    unlink(path);
}

static void test_switches_counts_help(void **state) {
    (void)state;
    char *argv[] = {"w", "-l", "-vvv", "-v", "-cX", NULL}, *env[] = {NULL};
    cfg_result r;
    zisk_err err;
    assert_int_equal(resolve(argv, env, &r, &err), 0);
    assert_int_equal(cfg_get(&r, "emulator")->boolean, 1);
    assert_int_equal(cfg_get(&r, "verbose")->number, 4);
    assert_string_equal(cfg_get(&r, "coordinator.url")->text, "X");
    cfg_result_free(&r);
    /* --help works even with bad values around it. */
    char *h[] = {"w", "--compute-capacity", "0", "--help", NULL};
    assert_int_equal(resolve(h, env, &r, &err), 0);
    assert_true(r.help);
    cfg_result_free(&r);
    /* Empty environment variables count as unset. */
    char *e2[] = {"T_CAP=", NULL}, *a2[] = {"w", NULL};
    assert_int_equal(resolve(a2, e2, &r, &err), 0);
    assert_int_equal(cfg_get(&r, "worker.compute_capacity")->number, 10);
    cfg_result_free(&r);
}

static void test_help_and_markdown(void **state) {
    (void)state;
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    cfg_print_help(f, opts, N_OPTS);
    fclose(f);
    assert_non_null(strstr(buf, "-c, --coordinator-url URL"));
    assert_non_null(strstr(buf, "[default: http://127.0.0.1:50051] [env: T_URL] [config: coordinator.url]"));
    assert_non_null(strstr(buf, "[default: random UUID]"));
    free(buf);
    f = open_memstream(&buf, &len);
    cfg_print_markdown(f, opts, N_OPTS);
    fclose(f);
    assert_non_null(strstr(buf, "| `worker.compute_capacity` | `--compute-capacity N` | `T_CAP` | `worker.compute_capacity.compute_units` | 10 |"));
    free(buf);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),          cmocka_unit_test(test_precedence),
        cmocka_unit_test(test_alias_and_enum),    cmocka_unit_test(test_unknown_keys_warn),
        cmocka_unit_test(test_errors),            cmocka_unit_test(test_switches_counts_help),
        cmocka_unit_test(test_help_and_markdown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
