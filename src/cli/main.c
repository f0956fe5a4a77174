/*
 * main.c: the `zisk` command: local tools for guest programs. Subcommands live in cmd_*.c.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"

#ifndef ZISK_VERSION
#define ZISK_VERSION "unknown"
#endif

static void usage(FILE *f) {
    fprintf(f,
            "zisk %s: RISC-V zkVM tools\n"
            "\n"
            "Usage: zisk <command> [options]\n"
            "\n"
            "Commands:\n"
            "  execute   run a guest ELF with the emulator and print steps, exit code and outputs\n"
            "  input     build a ZisK input file (a stream of records) from values and files\n"
            "  replay    replay recorded segment checkpoints and check that they chain up\n"
            "  setup     compute a program's verification key; create the proving-key folder\n"
            "  prove     execute a guest and prove the run (exit code and outputs public)\n"
            "  verify    check a proof and print its public values\n"
            "  bench     measure this machine's proving kernels (field, NTT, Poseidon2, Merkle)\n"
            "  client    drive a zisk-coordinator: register, setup, execute, wait, watch, cancel,\n"
            "            workers, jobs\n"
            "\n"
            "Run 'zisk <command> --help' for a command's options.\n",
            ZISK_VERSION);
}

int main(int argc, char **argv) {
    if (argc < 2) {
        usage(stderr);
        return CLI_EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
        usage(stdout);
        return CLI_EXIT_OK;
    }
    if (!strcmp(cmd, "--version") || !strcmp(cmd, "-V")) {
        printf("zisk %s\n", ZISK_VERSION);
        return CLI_EXIT_OK;
    }
    if (!strcmp(cmd, "execute")) return cmd_execute(argc - 1, argv + 1);
    if (!strcmp(cmd, "input")) return cmd_input(argc - 1, argv + 1);
    if (!strcmp(cmd, "replay")) return cmd_replay(argc - 1, argv + 1);
    if (!strcmp(cmd, "client")) return cmd_client(argc - 1, argv + 1);
    if (!strcmp(cmd, "bench")) return cmd_bench(argc - 1, argv + 1);
    if (!strcmp(cmd, "setup")) return cmd_setup(argc - 1, argv + 1);
    if (!strcmp(cmd, "prove")) return cmd_prove(argc - 1, argv + 1);
    if (!strcmp(cmd, "verify")) return cmd_verify(argc - 1, argv + 1);
    fprintf(stderr, "zisk: unknown command '%s'\n\n", cmd);
    usage(stderr);
    return CLI_EXIT_USAGE;
}
