/*
 * cmd_prove.c: `zisk setup`, `zisk prove` and `zisk verify`: proving RISC-V executions locally
 * (src/zkvm, docs/PROOFS.md).
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "vm.h"
#include "zkvm.h"

#define ELF_MAX_BYTES ((size_t)512 << 20)
#define PROOF_MAX_BYTES ((size_t)1 << 31)

/* The proving-key folder: --proving-key, else ~/.zisk/provingKey. Returns an allocated path. */
static char *pk_dir(const char *flag) {
    if (flag) return strdup(flag);
    const char *home = getenv("HOME");
    size_t n = strlen(home ? home : ".") + 32;
    char *p = malloc(n);
    if (p) snprintf(p, n, "%s/.zisk/provingKey", home ? home : ".");
    return p;
}

static vm_program *load_program(const char *cmd, const char *path) {
    zisk_err err;
    uint8_t *elf;
    size_t len;
    if (zisk_read_file(path, ELF_MAX_BYTES, &elf, &len, &err) != 0) {
        fprintf(stderr, "%s: %s\n", cmd, err.msg);
        return NULL;
    }
    vm_program *p = NULL;
    if (vm_program_from_elf(elf, len, &p, &err) != 0) fprintf(stderr, "%s: %s: %s\n", cmd, path, err.msg);
    free(elf);
    return p;
}

#define FLAG(name, val)                                          \
    if ((r = cli_flag(&a, name, 1, &(val)))) {                  \
        if (r < 0) return CLI_EXIT_USAGE;                        \
        continue;                                                \
    }
#define SWITCH(name, var)                                        \
    if ((r = cli_flag(&a, name, 0, &v))) {                       \
        var = 1;                                                 \
        continue;                                                \
    }

/* ------------------------------------------------------------------------------------------ */

static void setup_usage(FILE *f) {
    fprintf(f,
            "Usage: zisk setup --elf FILE [--proving-key DIR] [--json]\n"
            "\n"
            "Computes a program's setup and prints its verification key (VK): the commitment to its\n"
            "transpiled code and initial memory, which proofs of its runs name. The first run also\n"
            "creates the proving-key folder with the commitments of the universal AIRs (tables,\n"
            "segment selectors); 'zisk prove' and 'zisk verify' load it and refuse a missing or\n"
            "damaged one.\n"
            "\n"
            "  --elf FILE          the guest program\n"
            "  --proving-key DIR   the proving-key folder (default ~/.zisk/provingKey)\n"
            "  --json              print {\"vk\": HEX, \"proving_key\": DIR, \"created\": BOOL}\n"
            "\n"
            "Exit status: 0 done; 1 the ELF or the folder could not be used; 2 bad command line.\n");
}

int cmd_setup(int argc, char **argv) {
    cli_args a = {argc, 1, argv, "zisk setup"};
    const char *elf_path = NULL, *pk_flag = NULL, *v;
    int json = 0, r;
    while (a.i < argc) {
        if (!strcmp(argv[a.i], "--help") || !strcmp(argv[a.i], "-h")) {
            setup_usage(stdout);
            return CLI_EXIT_OK;
        }
        FLAG("--elf", elf_path)
        FLAG("--proving-key", pk_flag)
        SWITCH("--json", json)
        return cli_usage_error(&a, "unknown option '%s'", argv[a.i]);
    }
    if (!elf_path) return cli_usage_error(&a, "--elf FILE is required");
    vm_program *p = load_program(a.cmd, elf_path);
    if (!p) return CLI_EXIT_FAILURE;
    char *dir = pk_dir(pk_flag);
    zisk_err err;
    zkvm_keys *keys = NULL;
    int created = 0, status = CLI_EXIT_FAILURE;
    hash_digest vk;
    if (zkvm_keys_create(dir, &keys, &created, &err) != 0 || zkvm_program_vk(p, &vk, &err) != 0) {
        fprintf(stderr, "zisk setup: %s\n", err.msg);
        goto done;
    }
    char hex[65];
    zkvm_vk_hex(&vk, hex);
    if (json) {
        printf("{\"vk\":\"%s\",\"proving_key\":", hex);
        cli_json_string(stdout, dir);
        printf(",\"created\":%s}\n", created ? "true" : "false");
    } else {
        if (created) fprintf(stderr, "created proving key folder %s\n", dir);
        printf("%s\n", hex);
    }
    status = CLI_EXIT_OK;
done:
    zkvm_keys_free(keys);
    free(dir);
    vm_program_free(p);
    return status;
}

/* ------------------------------------------------------------------------------------------ */

static void prove_usage(FILE *f) {
    fprintf(f,
            "Usage: zisk prove --elf FILE [--input FILE | --input-raw FILE] -o PROOF\n"
            "                  [--segment-bits K] [--verify-constraints] [--proving-key DIR] [--json]\n"
            "\n"
            "Executes the program and proves the run: that it reached exit with its exit code and 64\n"
            "output words (the public values; the input stays private). Prints a summary: steps,\n"
            "segments, instances, seconds by phase, proof size.\n"
            "\n"
            "  --elf FILE            the guest program\n"
            "  --input FILE          a ZisK input file (record stream), as for 'zisk execute'\n"
            "  --input-raw FILE      a plain file, wrapped as one record\n"
            "  -o, --output PROOF    where to write the proof\n"
            "  --segment-bits K      at most 2^K rows per instance (main, memory, provider segments);\n"
            "                        %d..%d, default %d\n"
            "  --verify-constraints  check every constraint and bus of the witness before proving, and\n"
            "                        name the first failing constraint, AIR and row\n"
            "  --proving-key DIR     the proving-key folder (default ~/.zisk/provingKey; 'zisk setup'\n"
            "                        creates it)\n"
            "  --json                print the summary as one JSON object\n"
            "\n"
            "Exit status: 0 proved; 1 the run cannot be proven (it faults, or a check failed) or a\n"
            "file could not be used; 2 bad command line.\n",
            ZKVM_SEGMENT_BITS_MIN, ZKVM_SEGMENT_BITS_MAX, ZKVM_SEGMENT_BITS_DEFAULT);
}

int cmd_prove(int argc, char **argv) {
    cli_args a = {argc, 1, argv, "zisk prove"};
    const char *elf_path = NULL, *input_path = NULL, *raw_path = NULL, *out_path = NULL;
    const char *bits_s = NULL, *pk_flag = NULL, *v;
    int json = 0, check = 0, r;
    while (a.i < argc) {
        if (!strcmp(argv[a.i], "--help") || !strcmp(argv[a.i], "-h")) {
            prove_usage(stdout);
            return CLI_EXIT_OK;
        }
        FLAG("--elf", elf_path)
        FLAG("--input", input_path)
        FLAG("--input-raw", raw_path)
        FLAG("--output", out_path)
        FLAG("-o", out_path)
        FLAG("--segment-bits", bits_s)
        FLAG("--proving-key", pk_flag)
        SWITCH("--verify-constraints", check)
        SWITCH("--json", json)
        return cli_usage_error(&a, "unknown option '%s'", argv[a.i]);
    }
    if (!elf_path) return cli_usage_error(&a, "--elf FILE is required");
    if (!out_path) return cli_usage_error(&a, "-o PROOF is required");
    if (input_path && raw_path) return cli_usage_error(&a, "give either --input or --input-raw, not both");
    uint64_t bits = ZKVM_SEGMENT_BITS_DEFAULT;
    if (bits_s && (zisk_parse_u64(bits_s, &bits) != 0 || bits < ZKVM_SEGMENT_BITS_MIN || bits > ZKVM_SEGMENT_BITS_MAX))
        return cli_usage_error(&a, "--segment-bits: '%s' is not an integer from %d to %d", bits_s,
                               ZKVM_SEGMENT_BITS_MIN, ZKVM_SEGMENT_BITS_MAX);
    zisk_malloc_keep_freed(); /* the prover's buffers: reuse instead of fresh pages (base.h) */
    vm_program *p = load_program(a.cmd, elf_path);
    if (!p) return CLI_EXIT_FAILURE;
    uint8_t *input = NULL, *proof = NULL;
    size_t input_len = 0, proof_len = 0;
    if ((input_path || raw_path) &&
        cli_load_input(a.cmd, input_path ? input_path : raw_path, raw_path != NULL, &input, &input_len) != 0) {
        vm_program_free(p);
        return CLI_EXIT_FAILURE;
    }
    char *dir = pk_dir(pk_flag);
    zisk_err err;
    zkvm_keys *keys = NULL;
    int status = CLI_EXIT_FAILURE;
    zkvm_prove_stats st;
    if (zkvm_keys_load(dir, &keys, &err) != 0) {
        fprintf(stderr, "zisk prove: %s\n", err.msg);
        goto done;
    }
    zkvm_prove_opts opts;
    memset(&opts, 0, sizeof opts);
    opts.segment_bits = (unsigned)bits;
    opts.verify_constraints = check;
    opts.progress = isatty(STDERR_FILENO) && !json ? stderr : NULL;
    if (zkvm_prove(p, input, input_len, &opts, keys, &proof, &proof_len, &st, &err) != 0) {
        fprintf(stderr, "zisk prove: %s\n", err.msg);
        goto done;
    }
    if (zkvm_keys_save(keys, &err) != 0) fprintf(stderr, "zisk prove: warning: %s\n", err.msg);
    if (zisk_write_file(out_path, proof, proof_len, &err) != 0) {
        fprintf(stderr, "zisk prove: %s\n", err.msg);
        goto done;
    }
    char hex[65];
    zkvm_vk_hex(&st.statement.program_vk, hex);
    if (json) {
        printf("{\"proof\":");
        cli_json_string(stdout, out_path);
        printf(",\"vk\":\"%s\",\"exit_code\":%llu,\"steps\":%llu,\"uops\":%llu,\"instances\":%zu,"
               "\"main_segments\":%zu,\"memory_segments\":%zu,\"proof_bytes\":%zu,\"seconds\":{\"execute\":%.3f,"
               "\"trace\":%.3f,\"setup\":%.3f,\"check\":%.3f,\"prove\":%.3f,\"total\":%.3f},\"prove_seconds_by_air\":{",
               hex, (unsigned long long)st.statement.exit_code, (unsigned long long)st.rv_steps,
               (unsigned long long)st.uops, st.instances, st.main_segments, st.memory_segments, st.proof_bytes,
               st.execute_s, st.trace_s, st.setup_s, st.check_s, st.prove_s, st.total_s);
        int first = 1;
        for (unsigned k = 0; k < ZKVM_N_KINDS; k++) {
            if (!st.instances_by_kind[k]) continue;
            printf("%s\"%s\":%.3f", first ? "" : ",", zkvm_kind_name((zkvm_kind)k), st.prove_s_by_kind[k]);
            first = 0;
        }
        const stark_stats *ss = &st.stark;
        printf("},\"prove_seconds_by_step\":{\"lde\":%.3f,\"commit\":%.3f,\"stage2\":%.3f,\"quotient\":%.3f,"
               "\"ood\":%.3f,\"deep\":%.3f,\"fri\":%.3f,\"open\":%.3f},\"lde_cells\":%llu,\"outputs\":[",
               ss->lde_s, ss->commit_s, ss->stage2_s, ss->quotient_s, ss->ood_s, ss->deep_s, ss->fri_s, ss->open_s,
               (unsigned long long)ss->lde_cells);
        for (int i = 0; i < VM_OUTPUT_WORDS; i++) printf("%s%u", i ? "," : "", st.statement.outputs[i]);
        printf("]}\n");
    } else {
        printf("proof:      %s (%zu bytes)\n", out_path, st.proof_bytes);
        printf("program VK: %s\n", hex);
        printf("exit code:  %llu\n", (unsigned long long)st.statement.exit_code);
        printf("steps:      %llu RISC-V instructions, %llu uops\n", (unsigned long long)st.rv_steps,
               (unsigned long long)st.uops);
        printf("instances:  %zu (main segments %zu, memory segments %zu)\n", st.instances, st.main_segments,
               st.memory_segments);
        printf("seconds:    execute %.3f, traces %.3f, keys %.3f, check %.3f, prove %.3f, total %.3f\n",
               st.execute_s, st.trace_s, st.setup_s, st.check_s, st.prove_s, st.total_s);
        printf("by AIR (instances, rows, prove seconds):\n");
        for (unsigned k = 0; k < ZKVM_N_KINDS; k++)
            if (st.instances_by_kind[k])
                printf("  %-13s %4zu %10llu %8.3f\n", zkvm_kind_name((zkvm_kind)k), st.instances_by_kind[k],
                       (unsigned long long)st.rows_by_kind[k], st.prove_s_by_kind[k]);
        cli_print_outputs(stdout, st.statement.outputs);
    }
    status = CLI_EXIT_OK;
done:
    free(proof);
    free(input);
    zkvm_keys_free(keys);
    free(dir);
    vm_program_free(p);
    return status;
}

/* ------------------------------------------------------------------------------------------ */

static void verify_usage(FILE *f) {
    fprintf(f,
            "Usage: zisk verify --proof PROOF [--elf FILE | --vk HEX] [--proving-key DIR] [--json]\n"
            "\n"
            "Checks a proof. Exits 0 and prints the public values (exit code, 64 output words) only\n"
            "if the proof is valid for the program; otherwise exits 1 with the reason. With neither\n"
            "--elf nor --vk the proof is checked against the VK it names, and the output says so.\n"
            "\n"
            "  --proof PROOF       the proof file ('zisk prove -o')\n"
            "  --elf FILE          the program the proof must be for (its VK is computed)\n"
            "  --vk HEX            the program VK the proof must be for ('zisk setup' prints it)\n"
            "  --proving-key DIR   the proving-key folder (default ~/.zisk/provingKey)\n"
            "  --json              print {\"valid\", \"vk\", \"vk_source\", \"exit_code\", \"outputs\"}\n"
            "                      or {\"valid\": false, \"error\"}\n"
            "\n"
            "Exit status: 0 valid; 1 invalid, or a file could not be used; 2 bad command line.\n");
}

int cmd_verify(int argc, char **argv) {
    cli_args a = {argc, 1, argv, "zisk verify"};
    const char *proof_path = NULL, *elf_path = NULL, *vk_s = NULL, *pk_flag = NULL, *v;
    int json = 0, r;
    while (a.i < argc) {
        if (!strcmp(argv[a.i], "--help") || !strcmp(argv[a.i], "-h")) {
            verify_usage(stdout);
            return CLI_EXIT_OK;
        }
        FLAG("--proof", proof_path)
        FLAG("--elf", elf_path)
        FLAG("--vk", vk_s)
        FLAG("--proving-key", pk_flag)
        SWITCH("--json", json)
        return cli_usage_error(&a, "unknown option '%s'", argv[a.i]);
    }
    if (!proof_path) return cli_usage_error(&a, "--proof PROOF is required");
    if (elf_path && vk_s) return cli_usage_error(&a, "give either --elf or --vk, not both");
    zisk_err err;
    hash_digest want;
    const char *source = "proof";
    if (vk_s) {
        if (zkvm_vk_parse(vk_s, &want, &err) != 0) return cli_usage_error(&a, "--vk: %s", err.msg);
        source = "vk";
    }
    int status = CLI_EXIT_FAILURE;
    uint8_t *proof = NULL;
    size_t len = 0;
    char *dir = pk_dir(pk_flag);
    zkvm_keys *keys = NULL;
    zkvm_statement st;
    const char *fail = NULL;
    char msg[sizeof err.msg + 64];
    if (elf_path) {
        vm_program *p = load_program(a.cmd, elf_path);
        if (!p) goto done;
        int vrc = zkvm_program_vk(p, &want, &err);
        vm_program_free(p);
        if (vrc != 0) {
            fprintf(stderr, "zisk verify: %s\n", err.msg);
            goto done;
        }
        source = "elf";
    }
    if (zisk_read_file(proof_path, PROOF_MAX_BYTES, &proof, &len, &err) != 0 ||
        zkvm_keys_load(dir, &keys, &err) != 0) {
        fprintf(stderr, "zisk verify: %s\n", err.msg);
        goto done;
    }
    if (zkvm_verify(proof, len, (elf_path || vk_s) ? &want : NULL, keys, &st, &err) != 0) {
        snprintf(msg, sizeof msg, "%s", err.msg);
        fail = msg;
    } else if (zkvm_keys_save(keys, &err) != 0) {
        fprintf(stderr, "zisk verify: warning: %s\n", err.msg);
    }
    char hex[65];
    if (!fail) zkvm_vk_hex(&st.program_vk, hex);
    if (json) {
        if (fail) {
            printf("{\"valid\":false,\"error\":");
            cli_json_string(stdout, fail);
            printf("}\n");
        } else {
            printf("{\"valid\":true,\"vk\":\"%s\",\"vk_source\":\"%s\",\"exit_code\":%llu,\"outputs\":[", hex, source,
                   (unsigned long long)st.exit_code);
            for (int i = 0; i < VM_OUTPUT_WORDS; i++) printf("%s%u", i ? "," : "", st.outputs[i]);
            printf("]}\n");
        }
    } else if (fail) {
        fprintf(stderr, "zisk verify: INVALID: %s\n", fail);
    } else {
        printf("valid proof\n");
        if (!strcmp(source, "proof"))
            printf("program VK: %s (taken from the proof itself: no --elf or --vk was given, so this only says\n"
                   "            the proof is valid for the program with this VK)\n", hex);
        else
            printf("program VK: %s (matches --%s)\n", hex, source);
        printf("exit code:  %llu\n", (unsigned long long)st.exit_code);
        cli_print_outputs(stdout, st.outputs);
    }
    status = fail ? CLI_EXIT_FAILURE : CLI_EXIT_OK;
done:
    free(proof);
    zkvm_keys_free(keys);
    free(dir);
    return status;
}
