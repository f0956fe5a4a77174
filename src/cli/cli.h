/*
 * cli.h: the `zisk` command's subcommands and their shared helpers (argument parsing, JSON
 * output). Each subcommand returns the process exit status.
 */
#ifndef ZISK_CLI_H
#define ZISK_CLI_H

#include <stdint.h>
#include <stdio.h>

/* Exit statuses shared by every subcommand. */
#define CLI_EXIT_OK 0
#define CLI_EXIT_FAILURE 1     /* guest fault, step limit, bad input file, I/O error */
#define CLI_EXIT_USAGE 2       /* bad command line */
#define CLI_EXIT_GUEST_CODE 3  /* guest exited with a non-zero exit code */
#define CLI_EXIT_UNAVAILABLE 4 /* client: the coordinator could not be reached */
#define CLI_EXIT_TIMEOUT 5     /* client: the job did not end within --timeout */

int cmd_execute(int argc, char **argv);
int cmd_input(int argc, char **argv);
int cmd_replay(int argc, char **argv);
int cmd_client(int argc, char **argv);
int cmd_bench(int argc, char **argv);
int cmd_setup(int argc, char **argv);
int cmd_prove(int argc, char **argv);
int cmd_verify(int argc, char **argv);

/* Argument cursor: accepts `--name value` and `--name=value`. */
typedef struct cli_args {
    int argc, i;
    char **argv;
    const char *cmd; /* for messages, e.g. "zisk execute" */
} cli_args;

/* If argv[i] is the flag `name`, sets *value (NULL for a switch) and advances; returns 1.
 * Returns -1 (after printing an error) when a value is required and missing. */
int cli_flag(cli_args *a, const char *name, int takes_value, const char **value);

/* Prints "<cmd>: <message>" plus a hint to use --help on stderr; returns CLI_EXIT_USAGE. */
int cli_usage_error(const cli_args *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Prints the 64 public output words, 8 per row in hex (all-zero rows folded). */
void cli_print_outputs(FILE *f, const uint32_t out[64]);

/* Wraps a plain file's bytes as one ZisK input record (u64 LE length, the data, zero padding
 * to a multiple of 8): frees *data and replaces it (and *len) with the record. */
void cli_wrap_record(uint8_t **data, size_t *len);

/* Reads an input file for a guest: a ZisK record stream placed verbatim (a warning on stderr,
 * prefixed with cmd, when it is not well-formed), or with raw a plain file wrapped as one
 * record. Returns 0 with *buf (allocated) and *len, or -1 after printing the error. */
int cli_load_input(const char *cmd, const char *path, int raw, uint8_t **buf, size_t *len);

/* Writes s as a JSON string literal (with quotes). */
void cli_json_string(FILE *f, const char *s);

#endif
