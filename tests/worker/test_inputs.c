/* Inputs named by path stay inside the inputs folder (src/worker/worker_inputs.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "worker_inputs.h"

static char root[64], folder[128];

static void touch(const char *path) {
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("data", f);
    fclose(f);
}

static int setup(void **state) {
    (void)state;
    strcpy(root, "/tmp/zisk-inputs-XXXXXX");
    if (!mkdtemp(root)) return -1;
    char p[256];
    snprintf(folder, sizeof folder, "%s/inputs", root);
    mkdir(folder, 0755);
    snprintf(p, sizeof p, "%s/sub", folder);
    mkdir(p, 0755);
    snprintf(p, sizeof p, "%s/in.bin", folder);
    touch(p);
    snprintf(p, sizeof p, "%s/sub/x.bin", folder);
    touch(p);
    snprintf(p, sizeof p, "%s/secret", root);
    touch(p);
    char target[256];
    snprintf(p, sizeof p, "%s/escape", folder);
    snprintf(target, sizeof target, "%s/secret", root);
    if (symlink(target, p) != 0) return -1;
    snprintf(p, sizeof p, "%s/inside-link", folder);
    if (symlink("sub/x.bin", p) != 0) return -1;
    snprintf(p, sizeof p, "%s/dirlink", folder);
    if (symlink("..", p) != 0) return -1;
    return 0;
}

static int teardown(void **state) {
    (void)state;
    char cmd[160];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    return system(cmd) == 0 ? 0 : -1;
}

static void ok(const char *rel, const char *suffix) {
    char *abs;
    zisk_err err;
    if (worker_resolve_input(folder, rel, &abs, &err) != 0) fail_msg("'%s' refused: %s", rel, err.msg);
    size_t n = strlen(abs), m = strlen(suffix);
    assert_true(n >= m && !strcmp(abs + n - m, suffix));
    free(abs);
}

static void refused(const char *rel, const char *fragment) {
    char *abs = NULL;
    zisk_err err;
    if (worker_resolve_input(folder, rel, &abs, &err) == 0) fail_msg("'%s' accepted as %s", rel, abs);
    assert_null(abs);
    if (!strstr(err.msg, fragment)) fail_msg("'%s': message '%s' lacks '%s'", rel, err.msg, fragment);
}

static void test_inside(void **state) {
    (void)state;
    ok("in.bin", "/inputs/in.bin");
    ok("sub/x.bin", "/inputs/sub/x.bin");
    ok("./sub//x.bin", "/inputs/sub/x.bin");
    ok("inside-link", "/inputs/sub/x.bin"); /* a symlink that stays inside is fine */
}

static void test_escapes(void **state) {
    (void)state;
    refused("", "empty");
    refused("/etc/passwd", "absolute");
    refused("../secret", "'..'");
    refused("sub/../../secret", "'..'");
    refused("sub/..", "'..'");
    refused("escape", "outside the inputs folder");
    refused("dirlink/secret", "outside the inputs folder");
    refused("missing.bin", "not found");
    refused("sub", "not a regular file");
}

int main(void) {
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_inside), cmocka_unit_test(test_escapes)};
    return cmocka_run_group_tests(tests, setup, teardown);
}
