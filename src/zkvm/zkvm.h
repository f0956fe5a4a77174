/*
 * zkvm.h: proving and verifying RISC-V executions (docs/PROOFS.md).
 *
 * The statement a proof makes: the program whose verification key is `program_vk` (the VK
 * digest of its program AIR, which commits to the transpiled code and the initial memory),
 * started at its entry with zeroed registers and SOME private input in the input region, ran
 * to the exit system call with exit code `exit_code`, and the 64 output words held `outputs`.
 *
 * zkvm_prove executes the program, builds every AIR instance's trace (main and memory
 * segments, the program, the boundary, the range table, the operation providers), proves them
 * as one STARK job (stage-1 commitments of all instances -> global challenges -> finish), and
 * encodes one proof file. zkvm_verify checks such a file: its layout, every instance against
 * the VK of its AIR, the segment structure, the job-wide bus sums, and returns the statement.
 *
 * Errors: ELF files, inputs and proof files are outside data: failures are returned with err
 * saying what and where; nothing aborts on them. zkvm_verify never crashes on any bytes.
 */
#ifndef ZISK_ZKVM_H
#define ZISK_ZKVM_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "base.h"
#include "hash.h"
#include "stark.h"
#include "vm.h"

#define ZKVM_PROOF_VERSION 18
/* Default and limits of --segment-bits (rows per main/memory/provider instance = 2^bits). */
#define ZKVM_SEGMENT_BITS_DEFAULT 18
#define ZKVM_SEGMENT_BITS_MIN 4
#define ZKVM_SEGMENT_BITS_MAX 22
/* Streaming threshold: when holding every instance's trace and stage-1 LDE until the end of
 * the job would take more than this (about 24 bytes per trace cell), traces and LDEs are
 * dropped after each commitment and rebuilt when the instance is finished (docs/PROOFS.md,
 * "Memory"). */
#define ZKVM_HOLD_BYTES (1024ull << 20)
/* When streaming, the last instances (providers and tables, proved first in step 3) keep their
 * traces and LDEs up to this many bytes (docs/PROOFS.md, "Memory"). */
#define ZKVM_HOLD_TAIL_BYTES (256ull << 20)

/* The AIR kinds an instance can be (the proof file names each instance's kind). */
typedef enum zkvm_kind {
    ZKVM_KIND_PROGRAM = 0,
    ZKVM_KIND_MAIN = 1,
    ZKVM_KIND_MEMORY = 2,
    ZKVM_KIND_BOUNDARY = 3,
    ZKVM_KIND_RANGE = 4,
    /* 5: the binary AIR until proof version 13 (compares, min/max, JALR: now cmp); retired */
    ZKVM_KIND_BINARY_TABLE = 6,
    ZKVM_KIND_SHIFT = 7,
    ZKVM_KIND_ARITH = 8,
    ZKVM_KIND_ADD = 9,
    ZKVM_KIND_LOGIC = 10,
    ZKVM_KIND_SHIFTW = 11,
    ZKVM_KIND_EQ = 12,
    ZKVM_KIND_REFRESH = 13,
    ZKVM_KIND_SHIFT64 = 14,
    ZKVM_KIND_MEMOP = 15,
    ZKVM_KIND_MUL = 16,
    ZKVM_KIND_CMP = 17,
    ZKVM_KIND_WMEM = 18,
    ZKVM_KIND_DIV = 19,
    ZKVM_N_KINDS = 20
} zkvm_kind;
const char *zkvm_kind_name(zkvm_kind k);

typedef struct zkvm_statement {
    hash_digest program_vk;
    uint64_t exit_code;
    uint32_t outputs[VM_OUTPUT_WORDS];
} zkvm_statement;

/* The proving-key folder (--proving-key, default ~/.zisk/provingKey): the commitments of the
 * universal AIRs' fixed columns (range table, byte table, segment selectors, ...), one per AIR
 * kind and size, in DIR/universal.keys (docs/PROOFS.md, "Proving key"). `zisk setup` creates
 * the folder; entries for new sizes are added as they are first computed. The file carries a
 * fingerprint of this build's AIRs and parameters and a checksum: a file from another build or
 * a damaged one is refused with an error that says so. */
typedef struct zkvm_keys zkvm_keys;
/* Loads DIR/universal.keys. -1 with err when it is missing (telling to run `zisk setup`),
 * damaged, or made by a build with other AIRs. */
int zkvm_keys_load(const char *dir, zkvm_keys **out, zisk_err *err);
/* Creates DIR (and parents) and DIR/universal.keys with the fixed-size universal commitments.
 * An existing valid file is loaded instead (*created = 0). */
int zkvm_keys_create(const char *dir, zkvm_keys **out, int *created, zisk_err *err);
/* Writes the file again if entries were added since it was loaded. */
int zkvm_keys_save(zkvm_keys *k, zisk_err *err);
void zkvm_keys_free(zkvm_keys *k);

/* The program's VK (computes the program AIR's fixed commitment: transpiles, LDE, Merkle). */
int zkvm_program_vk(const vm_program *p, hash_digest *vk, zisk_err *err);
/* 64 lower-case hex digits of a VK (4 little-endian u64 elements), NUL-terminated. */
void zkvm_vk_hex(const hash_digest *vk, char out[65]);
/* Parses zkvm_vk_hex's format; -1 with err on anything else. */
int zkvm_vk_parse(const char *hex, hash_digest *vk, zisk_err *err);

/* TESTS ONLY: the malicious-prover hook. Called on every build of an instance's trace (once,
 * or twice when streaming: the second time with a scratch copy of the publics), before it is
 * checked or committed; it may edit the trace (column-major, n_cols x 2^log_n) and the publics
 * in place. `index` counts instances of the same kind (segment index for main/memory). */
typedef void (*zkvm_tamper_fn)(void *ctx, zkvm_kind kind, size_t index, unsigned log_n,
                               uint32_t n_cols, gl_t *trace, gl_t *publics);

typedef struct zkvm_prove_opts {
    unsigned segment_bits;   /* 2^bits rows per instance at most (ZKVM_SEGMENT_BITS_*) */
    int verify_constraints;  /* check every instance's constraints and the buses first */
    FILE *progress;          /* one line per phase (NULL: quiet) */
    /* TESTS ONLY (leave zero): edit the witness, and write a proof even when an instance does
     * not satisfy its AIR, so that tests can check the verifier rejects it. */
    zkvm_tamper_fn tamper;
    void *tamper_ctx;
    int keep_invalid;
    /* The streaming threshold in bytes (0: ZKVM_HOLD_BYTES; 1: always stream). */
    uint64_t hold_bytes;
} zkvm_prove_opts;

/* What a prove run did (for the summary and benchmarks). */
typedef struct zkvm_prove_stats {
    uint64_t rv_steps, uops;
    size_t instances, main_segments, memory_segments;
    size_t instances_by_kind[ZKVM_N_KINDS];
    uint64_t rows_by_kind[ZKVM_N_KINDS];     /* padded rows */
    double execute_s, trace_s, setup_s, check_s, prove_s, encode_s, total_s;
    double prove_s_by_kind[ZKVM_N_KINDS];    /* stark_stats totals (LDE, commits, FRI, ...) */
    stark_stats stark;                       /* the STARK's steps summed over all instances */
    size_t proof_bytes;
    int streamed;                            /* traces were dropped and rebuilt */
    zkvm_statement statement;
} zkvm_prove_stats;

/* Proves program p on input[0..input_len) (placed at the input region like `zisk execute`).
 * On success returns 0 and *proof (allocated; free()) of *proof_len bytes. Returns -1 with err
 * keys: the proving-key folder (may be NULL); every universal key the prover computes must match
 * its entry (else an error naming the file), and new sizes are added. Returns -1 with err
 * when the run cannot be proven (it faults, is too long, uses an unsupported access) or, with
 * verify_constraints, when a constraint or a bus fails (err names the AIR, the constraint and
 * the row). */
int zkvm_prove(const vm_program *p, const uint8_t *input, size_t input_len,
               const zkvm_prove_opts *opts, zkvm_keys *keys, uint8_t **proof, size_t *proof_len,
               zkvm_prove_stats *stats, zisk_err *err);

/* Verifies proof[0..len). expected_vk: the program VK the proof must be for (NULL: the VK the
 * proof names, which the caller must then report as such). keys: the universal commitments
 * (NULL: computed here, slower); missing sizes are computed and added. On success returns 0
 * and fills *st. Returns -1 with err saying what failed (layout, VK, an instance and its check, the
 * segment structure, the bus sums). */
int zkvm_verify(const uint8_t *proof, size_t len, const hash_digest *expected_vk, zkvm_keys *keys,
                zkvm_statement *st, zisk_err *err);

#endif
