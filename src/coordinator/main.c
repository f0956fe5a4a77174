/*
 * zisk-coordinator: the cluster coordinator. This build carries only its identity (--help, --version):
 * the cluster runtime is a later milestone, and until then the binary refuses to start rather
 * than pretend to serve.
 */
#include <stdio.h>
#include <string.h>

#ifndef ZISK_VERSION
#define ZISK_VERSION "unknown"
#endif

static void usage(FILE *f) {
    fprintf(f,
            "zisk-coordinator %s\n"
            "\n"
            "Usage: zisk-coordinator [--help | --version]\n"
            "\n"
            "The cluster coordinator is not available in this build: it only answers --help and\n"
            "--version. Use 'zisk execute' to run guest programs locally.\n",
            ZISK_VERSION);
}

int main(int argc, char **argv) {
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            usage(stdout);
            return 0;
        }
        if (!strcmp(argv[i], "--version") || !strcmp(argv[i], "-V")) {
            printf("zisk-coordinator %s\n", ZISK_VERSION);
            return 0;
        }
    }
    fprintf(stderr, "zisk-coordinator: the cluster coordinator is not available in this build (only --help and --version)\n");
    return 2;
}
