/*
 * cmd_execute.c: `zisk execute`: run a guest ELF and report steps, speed, exit code and the 64
 * public output words; optionally record segment checkpoints.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "vm.h"

#define ELF_MAX_BYTES ((size_t)512 << 20)

static void execute_usage(FILE *f) {
    fprintf(f,
            "Usage: zisk execute --elf FILE [--input FILE | --input-raw FILE] [--max-steps N] [--json]\n"
            "                    [--segment-bits K --checkpoints FILE]\n"
            "\n"
            "Runs a RISC-V guest (RV64IMAC ELF, ZisK memory map) with the interpreter.\n"
            "\n"
            "  --elf FILE          the guest program\n"
            "  --input FILE        a ZisK input file (a stream of records: u64 length + data padded to 8\n"
            "                      bytes), placed verbatim at 0x40000008; build one with 'zisk input'\n"
            "  --input-raw FILE    a plain file, wrapped as one record\n"
            "  --max-steps N       stop with an error after N steps (default: no limit)\n"
            "  --json              print one JSON object on stdout: stop, steps, exit_code, outputs (64\n"
            "                      numbers), seconds, mhz (and message on a fault); the guest's console\n"
            "                      output then goes to stderr\n"
            "  --segment-bits K    segment size 2^K steps for checkpoints (1..40, default 18)\n"
            "  --checkpoints FILE  record per-segment checkpoints (start state + memory read log) into FILE\n"
            "\n"
            "Exit status: 0 the guest exited with code 0; 3 it exited with another code; 1 it faulted,\n"
            "hit the step limit, or a file could not be used; 2 bad command line.\n");
}

static const char *stop_name(vm_stop s) {
    switch (s) {
    case VM_STOP_EXIT: return "exit";
    case VM_STOP_FAULT: return "fault";
    case VM_STOP_STEP_LIMIT: return "step_limit";
    }
    return "unknown";
}

int cmd_execute(int argc, char **argv) {
    cli_args a = {argc, 1, argv, "zisk execute"};
    const char *elf_path = NULL, *input_path = NULL, *raw_path = NULL, *max_steps_s = NULL;
    const char *seg_bits_s = NULL, *ckpt_path = NULL, *v;
    int json = 0;
    while (a.i < argc) {
        int r;
        if (!strcmp(argv[a.i], "--help") || !strcmp(argv[a.i], "-h")) {
            execute_usage(stdout);
            return CLI_EXIT_OK;
        }
        if ((r = cli_flag(&a, "--elf", 1, &elf_path))) { if (r < 0) return CLI_EXIT_USAGE; continue; }
        if ((r = cli_flag(&a, "--input", 1, &input_path))) { if (r < 0) return CLI_EXIT_USAGE; continue; }
        if ((r = cli_flag(&a, "--input-raw", 1, &raw_path))) { if (r < 0) return CLI_EXIT_USAGE; continue; }
        if ((r = cli_flag(&a, "--max-steps", 1, &max_steps_s))) { if (r < 0) return CLI_EXIT_USAGE; continue; }
        if ((r = cli_flag(&a, "--segment-bits", 1, &seg_bits_s))) { if (r < 0) return CLI_EXIT_USAGE; continue; }
        if ((r = cli_flag(&a, "--checkpoints", 1, &ckpt_path))) { if (r < 0) return CLI_EXIT_USAGE; continue; }
        if ((r = cli_flag(&a, "--json", 0, &v))) { json = 1; continue; }
        return cli_usage_error(&a, "unknown option '%s'", argv[a.i]);
    }
    if (!elf_path) return cli_usage_error(&a, "--elf FILE is required");
    if (input_path && raw_path) return cli_usage_error(&a, "give either --input or --input-raw, not both");
    uint64_t max_steps = UINT64_MAX, seg_bits = 18;
    if (max_steps_s && (zisk_parse_u64(max_steps_s, &max_steps) != 0 || max_steps == 0))
        return cli_usage_error(&a, "--max-steps: '%s' is not a positive integer", max_steps_s);
    if (seg_bits_s && (zisk_parse_u64(seg_bits_s, &seg_bits) != 0 || seg_bits < 1 || seg_bits > 40))
        return cli_usage_error(&a, "--segment-bits: '%s' is not an integer from 1 to 40", seg_bits_s);
    if (seg_bits_s && !ckpt_path)
        return cli_usage_error(&a, "--segment-bits only applies with --checkpoints FILE");

    zisk_err err;
    uint8_t *elf = NULL, *input = NULL;
    size_t elf_len = 0, input_len = 0;
    if (zisk_read_file(elf_path, ELF_MAX_BYTES, &elf, &elf_len, &err) != 0) {
        fprintf(stderr, "zisk execute: %s\n", err.msg);
        return CLI_EXIT_FAILURE;
    }
    vm_program *prog = NULL;
    if (vm_program_from_elf(elf, elf_len, &prog, &err) != 0) {
        fprintf(stderr, "zisk execute: %s: %s\n", elf_path, err.msg);
        free(elf);
        return CLI_EXIT_FAILURE;
    }
    free(elf);
    if ((input_path || raw_path) && cli_load_input("zisk execute", input_path ? input_path : raw_path, raw_path != NULL, &input, &input_len) != 0) {
        vm_program_free(prog);
        return CLI_EXIT_FAILURE;
    }
    vm *m = vm_new(prog);
    if (vm_set_input(m, input, input_len, &err) != 0) {
        fprintf(stderr, "zisk execute: %s\n", err.msg);
        vm_free(m);
        vm_program_free(prog);
        free(input);
        return CLI_EXIT_FAILURE;
    }
    free(input);

    /* The guest console gets its own fully buffered stream on stdout (stderr with --json). */
    int console_fd = dup(json ? STDERR_FILENO : STDOUT_FILENO);
    FILE *console = console_fd >= 0 ? fdopen(console_fd, "w") : NULL;
    if (console) setvbuf(console, NULL, _IOFBF, 1 << 16);
    fflush(stdout);
    vm_set_console(m, console ? console : (json ? stderr : stdout));

    vm_result res;
    vm_checkpoints cps;
    int have_cps = 0;
    double t0 = zisk_now_seconds();
    if (ckpt_path) {
        if (vm_run_checkpointed(m, (unsigned)seg_bits, max_steps, &cps, &err) != 0) {
            fprintf(stderr, "zisk execute: %s\n", err.msg);
            return CLI_EXIT_FAILURE;
        }
        have_cps = 1;
        res = cps.result;
    } else {
        vm_run(m, VM_BACKEND_INTERPRETER, max_steps, &res);
    }
    double secs = zisk_now_seconds() - t0;
    if (console) fclose(console);
    double mhz = secs > 0 ? (double)res.steps / secs / 1e6 : 0.0;
    uint32_t out[VM_OUTPUT_WORDS];
    vm_get_outputs(m, out);

    int status = CLI_EXIT_OK;
    if (res.stop == VM_STOP_EXIT) status = res.exit_code == 0 ? CLI_EXIT_OK : CLI_EXIT_GUEST_CODE;
    else status = CLI_EXIT_FAILURE;
    if (res.stop == VM_STOP_STEP_LIMIT)
        snprintf(res.message, sizeof res.message, "step limit of %llu steps reached at pc 0x%llx",
                 (unsigned long long)max_steps, (unsigned long long)res.pc);

    if (have_cps && vm_checkpoints_write(&cps, ckpt_path, &err) != 0) {
        fprintf(stderr, "zisk execute: %s\n", err.msg);
        status = CLI_EXIT_FAILURE;
    }

    if (json) {
        printf("{\"stop\":\"%s\",\"steps\":%llu,\"exit_code\":%llu,\"outputs\":[", stop_name(res.stop),
               (unsigned long long)res.steps, (unsigned long long)res.exit_code);
        for (int i = 0; i < VM_OUTPUT_WORDS; i++) printf("%s%u", i ? "," : "", out[i]);
        printf("],\"seconds\":%.6f,\"mhz\":%.3f", secs, mhz);
        if (have_cps) printf(",\"segments\":%zu,\"segment_bits\":%u", cps.n_segments, cps.log_segment_steps);
        if (res.stop != VM_STOP_EXIT) {
            printf(",\"pc\":%llu,\"message\":", (unsigned long long)res.pc);
            cli_json_string(stdout, res.message);
        }
        printf("}\n");
    } else {
        fflush(stdout);
        if (res.stop == VM_STOP_EXIT)
            fprintf(stderr, "exit code: %llu\n", (unsigned long long)res.exit_code);
        else
            fprintf(stderr, "zisk execute: %s: %s\n", res.stop == VM_STOP_FAULT ? "guest fault" : "stopped", res.message);
        fprintf(stderr, "steps:     %llu\nseconds:   %.6f\nspeed:     %.1f MHz\n", (unsigned long long)res.steps,
                secs, mhz);
        if (have_cps)
            fprintf(stderr, "segments:  %zu of 2^%u steps -> %s\n", cps.n_segments, cps.log_segment_steps, ckpt_path);
        cli_print_outputs(stderr, out);
    }
    if (have_cps) vm_checkpoints_free(&cps);
    vm_free(m);
    vm_program_free(prog);
    return status;
}
