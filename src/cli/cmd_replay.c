/*
 * cmd_replay.c: `zisk replay`: replay recorded segment checkpoints from the program alone and
 * check that each segment ends exactly where the next one starts (and the last where the run
 * ended). This is what a prover on another machine does before building a segment's trace.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "vm.h"

static void replay_usage(FILE *f) {
    fprintf(f,
            "Usage: zisk replay --elf FILE --checkpoints FILE [--segment N]\n"
            "\n"
            "Replays segment checkpoints written by 'zisk execute --checkpoints' using only the\n"
            "program and each segment's checkpoint, and checks that segment i ends in the recorded\n"
            "start state of segment i+1 (the last one in the recorded end state).\n"
            "  --segment N   replay only segment N (0-based)\n"
            "Exit status: 0 all replayed segments chain up; 1 a mismatch or a bad file; 2 bad usage.\n");
}

static int state_equal(const vm_state *a, const vm_state *b, char *why, size_t n) {
    if (a->step != b->step) return snprintf(why, n, "step %llu != %llu", (unsigned long long)a->step, (unsigned long long)b->step), 0;
    if (a->pc != b->pc) return snprintf(why, n, "pc 0x%llx != 0x%llx", (unsigned long long)a->pc, (unsigned long long)b->pc), 0;
    for (int i = 0; i < 32; i++)
        if (a->regs[i] != b->regs[i])
            return snprintf(why, n, "x%d 0x%llx != 0x%llx", i, (unsigned long long)a->regs[i], (unsigned long long)b->regs[i]), 0;
    if (a->reservation != b->reservation) return snprintf(why, n, "LR reservation differs"), 0;
    return 1;
}

int cmd_replay(int argc, char **argv) {
    cli_args a = {argc, 1, argv, "zisk replay"};
    const char *elf_path = NULL, *ckpt_path = NULL, *seg_s = NULL;
    while (a.i < argc) {
        int r;
        if (!strcmp(argv[a.i], "--help") || !strcmp(argv[a.i], "-h")) {
            replay_usage(stdout);
            return CLI_EXIT_OK;
        }
        if ((r = cli_flag(&a, "--elf", 1, &elf_path))) { if (r < 0) return CLI_EXIT_USAGE; continue; }
        if ((r = cli_flag(&a, "--checkpoints", 1, &ckpt_path))) { if (r < 0) return CLI_EXIT_USAGE; continue; }
        if ((r = cli_flag(&a, "--segment", 1, &seg_s))) { if (r < 0) return CLI_EXIT_USAGE; continue; }
        return cli_usage_error(&a, "unknown option '%s'", argv[a.i]);
    }
    if (!elf_path || !ckpt_path) return cli_usage_error(&a, "--elf FILE and --checkpoints FILE are required");
    uint64_t only = UINT64_MAX;
    if (seg_s && zisk_parse_u64(seg_s, &only) != 0) return cli_usage_error(&a, "--segment: '%s' is not a number", seg_s);

    zisk_err err;
    uint8_t *elf;
    size_t elf_len;
    vm_program *prog;
    if (zisk_read_file(elf_path, (size_t)512 << 20, &elf, &elf_len, &err) != 0) {
        fprintf(stderr, "zisk replay: %s\n", err.msg);
        return CLI_EXIT_FAILURE;
    }
    int rc = vm_program_from_elf(elf, elf_len, &prog, &err);
    free(elf);
    if (rc != 0) {
        fprintf(stderr, "zisk replay: %s: %s\n", elf_path, err.msg);
        return CLI_EXIT_FAILURE;
    }
    vm_checkpoints cps;
    if (vm_checkpoints_read(ckpt_path, &cps, &err) != 0) {
        fprintf(stderr, "zisk replay: %s\n", err.msg);
        vm_program_free(prog);
        return CLI_EXIT_FAILURE;
    }
    if (only != UINT64_MAX && only >= cps.n_segments) {
        fprintf(stderr, "zisk replay: segment %llu does not exist (the file has %zu)\n", (unsigned long long)only,
                cps.n_segments);
        vm_checkpoints_free(&cps);
        vm_program_free(prog);
        return CLI_EXIT_FAILURE;
    }
    int status = CLI_EXIT_OK;
    size_t replayed = 0;
    double t0 = zisk_now_seconds();
    for (size_t i = 0; i < cps.n_segments; i++) {
        if (only != UINT64_MAX && i != only) continue;
        vm_state end;
        int exited;
        char why[160];
        if (vm_replay_segment(prog, &cps.segments[i], &end, &exited, &err) != 0) {
            fprintf(stderr, "zisk replay: segment %zu: %s\n", i, err.msg);
            status = CLI_EXIT_FAILURE;
            break;
        }
        const vm_state *want = i + 1 < cps.n_segments ? &cps.segments[i + 1].start : &cps.end;
        if (!state_equal(&end, want, why, sizeof why)) {
            fprintf(stderr, "zisk replay: segment %zu does not end where %s: %s\n", i,
                    i + 1 < cps.n_segments ? "the next segment starts" : "the run ended", why);
            status = CLI_EXIT_FAILURE;
            break;
        }
        replayed++;
    }
    if (status == CLI_EXIT_OK)
        printf("replayed %zu of %zu segments (2^%u steps each) in %.3f s: all chain up\n", replayed,
               cps.n_segments, cps.log_segment_steps, zisk_now_seconds() - t0);
    vm_checkpoints_free(&cps);
    vm_program_free(prog);
    return status;
}
