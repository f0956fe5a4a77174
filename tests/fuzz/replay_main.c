/*
 * replay_main.c: runs a libFuzzer target over saved inputs without libFuzzer, so every build
 * (gcc included, sanitizers optional) replays the corpora as a regression test.
 *
 * Usage: fuzz_replay_X PATH...   each PATH is a file or a directory of files (not recursive).
 * Exits 0 when every input ran; 1 when a path cannot be read or a directory holds no input
 * (a missing corpus must not pass silently). A crash in the target is the test's failure.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Inputs larger than this are not corpus files (libFuzzer's default -max_len is 4096). */
#define REPLAY_MAX_INPUT (16u << 20)

static int replay_file(const char *path) {
    uint8_t *data = NULL;
    size_t len = 0;
    zisk_err err;
    if (zisk_read_file(path, REPLAY_MAX_INPUT, &data, &len, &err) != 0) {
        fprintf(stderr, "replay: %s\n", err.msg);
        return -1;
    }
    /* An exact-size copy, so AddressSanitizer sees any read past the input's end. */
    uint8_t *copy = malloc(len ? len : 1);
    if (!copy) {
        fprintf(stderr, "replay: out of memory for %s\n", path);
        free(data);
        return -1;
    }
    memcpy(copy, data, len);
    free(data);
    /* Named before it runs, so the last name in a failing log is the reproducer. */
    printf("replay: %s (%zu bytes)\n", path, len);
    fflush(stdout);
    LLVMFuzzerTestOneInput(copy, len);
    free(copy);
    return 0;
}

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Replays every regular file in dir, in name order (stable logs). Returns the count or -1. */
static long replay_dir(const char *dir) {
    DIR *d = opendir(dir);
    if (!d) {
        perror(dir);
        return -1;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    for (struct dirent *de; (de = readdir(d)) != NULL;) {
        if (de->d_name[0] == '.') continue;
        if (n == cap) {
            cap = cap ? 2 * cap : 64;
            names = zisk_xrealloc(names, cap * sizeof *names);
        }
        size_t l = strlen(dir) + strlen(de->d_name) + 2;
        names[n] = zisk_xmalloc(l);
        snprintf(names[n], l, "%s/%s", dir, de->d_name);
        n++;
    }
    closedir(d);
    if (n) qsort(names, n, sizeof *names, cmp_str);
    long count = 0;
    int bad = 0;
    for (size_t i = 0; i < n; i++) {
        struct stat st;
        if (stat(names[i], &st) == 0 && S_ISREG(st.st_mode)) {
            if (replay_file(names[i]) == 0)
                count++;
            else
                bad = 1;
        }
        free(names[i]);
    }
    free(names);
    return bad ? -1 : count;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: %s FILE_OR_DIR...\n", argv[0]);
        return 2;
    }
    long total = 0;
    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) != 0) {
            perror(argv[i]);
            return 1;
        }
        if (S_ISDIR(st.st_mode)) {
            long c = replay_dir(argv[i]);
            if (c < 0) return 1;
            if (c == 0) {
                fprintf(stderr, "replay: no inputs in %s\n", argv[i]);
                return 1;
            }
            total += c;
        } else {
            if (replay_file(argv[i]) != 0) return 1;
            total++;
        }
    }
    printf("replayed %ld input(s)\n", total);
    return 0;
}
