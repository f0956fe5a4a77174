/*
 * test_checkpoint.c: segment checkpoints. For real programs and several segment sizes:
 * recording does not change the run; every segment replayed from its checkpoint alone ends
 * exactly in the next segment's recorded start state (the last in the run's end state); the
 * file format round-trips and refuses every truncation; a tampered read log is caught.
 *
 * argv[1]: folder with the assembled test programs (memmix.elf ...)
 * argv[2]: folder with the example guests (optional cases)
 * Exits 77 (skip) when the programs were not built (no guest toolchain).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "vm.h"

static const char *progs_dir, *guests_dir;

static vm_program *load_program(const char *dir, const char *name) {
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    uint8_t *data;
    size_t len;
    zisk_err err;
    if (zisk_read_file(path, 64u << 20, &data, &len, &err) != 0) return NULL;
    vm_program *p = NULL;
    if (vm_program_from_elf(data, len, &p, &err) != 0) fail_msg("%s: %s", path, err.msg);
    free(data);
    return p;
}

static const uint8_t memmix_input[] = {1, 0, 0, 0, 0, 0, 0, 0, 'A', 0, 0, 0, 0, 0, 0, 0};

static vm *new_machine(const vm_program *p) {
    vm *m = vm_new(p);
    zisk_err err;
    assert_int_equal(vm_set_input(m, memmix_input, sizeof memmix_input, &err), 0);
    vm_set_console(m, NULL);
    return m;
}

static int states_equal(const vm_state *a, const vm_state *b) {
    return a->pc == b->pc && a->step == b->step && a->reservation == b->reservation &&
           memcmp(a->regs, b->regs, sizeof a->regs) == 0;
}

/* Records with 2^k segments, compares with a plain run, replays and chains every segment. */
static void check_program(const vm_program *p, unsigned k, uint64_t max_steps) {
    vm *plain = new_machine(p);
    vm_result want;
    vm_run(plain, VM_BACKEND_INTERPRETER, max_steps, &want);

    vm *m = new_machine(p);
    vm_checkpoints cps;
    zisk_err err;
    assert_int_equal(vm_run_checkpointed(m, k, max_steps, &cps, &err), 0);
    assert_int_equal(cps.result.stop, want.stop);
    assert_int_equal(cps.result.steps, want.steps);
    assert_int_equal(cps.result.exit_code, want.exit_code);
    uint32_t o1[VM_OUTPUT_WORDS], o2[VM_OUTPUT_WORDS];
    vm_get_outputs(plain, o1);
    vm_get_outputs(m, o2);
    assert_memory_equal(o1, o2, sizeof o1);
    assert_int_equal(cps.end.step, want.steps);

    uint64_t seg = 1ull << k, total = 0;
    assert_true(cps.n_segments >= 1);
    for (size_t i = 0; i < cps.n_segments; i++) {
        const vm_checkpoint *cp = &cps.segments[i];
        assert_int_equal(cp->start.step, i * seg);
        if (i + 1 < cps.n_segments) assert_int_equal(cp->n_steps, seg);
        total += cp->n_steps;
        vm_state end;
        int exited;
        if (vm_replay_segment(p, cp, &end, &exited, &err) != 0) fail_msg("k=%u segment %zu: %s", k, i, err.msg);
        const vm_state *next = i + 1 < cps.n_segments ? &cps.segments[i + 1].start : &cps.end;
        if (!states_equal(&end, next)) fail_msg("k=%u: segment %zu does not end where the next starts", k, i);
        assert_int_equal(exited, i + 1 == cps.n_segments && want.stop == VM_STOP_EXIT);
    }
    assert_int_equal(total, want.steps);
    vm_checkpoints_free(&cps);
    vm_free(m);
    vm_free(plain);
}

static void test_memmix_all_segment_sizes(void **state) {
    (void)state;
    vm_program *p = load_program(progs_dir, "memmix.elf");
    assert_non_null(p);
    for (unsigned k = 1; k <= 14; k++) check_program(p, k, UINT64_MAX);
    vm_program_free(p);
}

static void test_step_limit_not_multiple_of_segment(void **state) {
    (void)state;
    vm_program *p = load_program(progs_dir, "loop_forever.elf");
    assert_non_null(p);
    check_program(p, 4, 1000); /* 62 full segments and one of 8 steps */
    vm_program *q = load_program(progs_dir, "memmix.elf");
    check_program(q, 6, 777);
    vm_program_free(q);
    vm_program_free(p);
}

static void test_fault_is_recorded(void **state) {
    (void)state;
    vm_program *p = load_program(progs_dir, "fault_store_rom.elf");
    assert_non_null(p);
    check_program(p, 1, UINT64_MAX);
    vm *m = new_machine(p);
    vm_checkpoints cps;
    zisk_err err;
    assert_int_equal(vm_run_checkpointed(m, 3, UINT64_MAX, &cps, &err), 0);
    assert_int_equal(cps.result.stop, VM_STOP_FAULT);
    assert_non_null(strstr(cps.result.message, "read-only ROM"));
    vm_checkpoints_free(&cps);
    vm_free(m);
    vm_program_free(p);
}

/* Example guests with empty input, when they were built. */
static void test_example_guests(void **state) {
    (void)state;
    static const char *names[] = {"hello.elf", "fibonacci.elf", "sha256.elf", "keccak.elf", "sort.elf", "bigint.elf"};
    int ran = 0;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        vm_program *p = load_program(guests_dir, names[i]);
        if (!p) continue;
        check_program(p, 10, 50u * 1000 * 1000);
        check_program(p, 13, 50u * 1000 * 1000);
        vm_program_free(p);
        ran++;
    }
    if (!ran) skip();
}

static void record(const char *name, unsigned k, vm_program **prog, vm_checkpoints *cps) {
    *prog = load_program(progs_dir, name);
    assert_non_null(*prog);
    vm *m = new_machine(*prog);
    zisk_err err;
    assert_int_equal(vm_run_checkpointed(m, k, UINT64_MAX, cps, &err), 0);
    vm_free(m);
}

static void test_file_roundtrip_and_truncation(void **state) {
    (void)state;
    vm_program *p;
    vm_checkpoints cps, back;
    record("memmix.elf", 9, &p, &cps);
    char path[] = "/tmp/zisk-ckpt-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    zisk_err err;
    assert_int_equal(vm_checkpoints_write(&cps, path, &err), 0);
    assert_int_equal(vm_checkpoints_read(path, &back, &err), 0);
    assert_int_equal(back.n_segments, cps.n_segments);
    assert_int_equal(back.log_segment_steps, cps.log_segment_steps);
    assert_true(states_equal(&back.end, &cps.end));
    assert_int_equal(back.result.steps, cps.result.steps);
    assert_int_equal(back.result.exit_code, cps.result.exit_code);
    for (size_t i = 0; i < cps.n_segments; i++) {
        assert_true(states_equal(&back.segments[i].start, &cps.segments[i].start));
        assert_int_equal(back.segments[i].n_steps, cps.segments[i].n_steps);
        assert_int_equal(back.segments[i].n_reads, cps.segments[i].n_reads);
        assert_memory_equal(back.segments[i].reads, cps.segments[i].reads, cps.segments[i].n_reads * 8);
    }
    vm_checkpoints_free(&back);

    /* Every truncation is refused with a message, never a crash. */
    uint8_t *data;
    size_t len;
    assert_int_equal(zisk_read_file(path, 1u << 30, &data, &len, &err), 0);
    for (size_t cut = 0; cut < len; cut += (cut < 1024 ? 1 : 97)) {
        assert_int_equal(zisk_write_file(path, data, cut, &err), 0);
        assert_int_equal(vm_checkpoints_read(path, &back, &err), -1);
        assert_true(strlen(err.msg) > 0);
    }
    /* A few targeted corruptions: magic, version, segment size, a non-zero x0. */
    size_t offsets[] = {0, 8, 12, 32}; /* 32: x0 of the end state */
    for (size_t i = 0; i < sizeof offsets / sizeof offsets[0]; i++) {
        data[offsets[i]] ^= 0x5a;
        assert_int_equal(zisk_write_file(path, data, len, &err), 0);
        assert_int_equal(vm_checkpoints_read(path, &back, &err), -1);
        data[offsets[i]] ^= 0x5a;
    }
    free(data);
    unlink(path);
    vm_checkpoints_free(&cps);
    vm_program_free(p);
}

static void test_tampered_log_is_caught(void **state) {
    (void)state;
    vm_program *p;
    vm_checkpoints cps;
    record("memmix.elf", 20, &p, &cps); /* one segment: the whole run */
    assert_int_equal(cps.n_segments, 1);
    vm_checkpoint *cp = &cps.segments[0];
    vm_state end;
    int exited;
    zisk_err err;
    /* A missing or an extra word is always an error. */
    cp->n_reads--;
    assert_int_equal(vm_replay_segment(p, cp, &end, &exited, &err), -1);
    assert_non_null(strstr(err.msg, "exhausted"));
    cp->n_reads++;
    uint64_t *longer = malloc((cp->n_reads + 1) * 8);
    memcpy(longer, cp->reads, cp->n_reads * 8);
    longer[cp->n_reads] = 0;
    vm_checkpoint extra = *cp;
    extra.reads = longer;
    extra.n_reads++;
    assert_int_equal(vm_replay_segment(p, &extra, &end, &exited, &err), -1);
    assert_non_null(strstr(err.msg, "unused"));
    free(longer);
    /* A changed value of a word the program computes with changes the end state. memmix folds
     * every loaded value into its checksum; only the prior words of sub-word stores do not
     * reach a register, so at least half of all changes must show. */
    uint64_t detected = 0;
    for (uint64_t j = 0; j < cp->n_reads; j++) {
        cp->reads[j] ^= ~0ull;
        if (vm_replay_segment(p, cp, &end, &exited, &err) != 0 || !states_equal(&end, &cps.end)) detected++;
        cp->reads[j] ^= ~0ull;
    }
    print_message("tampered reads detected: %llu of %llu\n", (unsigned long long)detected,
                  (unsigned long long)cp->n_reads);
    assert_true(detected * 2 >= cp->n_reads);
    vm_checkpoints_free(&cps);
    vm_program_free(p);
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: test_checkpoint PROGS_DIR [GUESTS_DIR]\n");
        return 2;
    }
    progs_dir = argv[1];
    guests_dir = argc > 2 ? argv[2] : "/nonexistent";
    char probe[1024];
    snprintf(probe, sizeof probe, "%s/memmix.elf", progs_dir);
    if (access(probe, R_OK) != 0) {
        fprintf(stderr, "test_checkpoint: %s not built (no guest toolchain): skipping\n", probe);
        return 77;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_memmix_all_segment_sizes),
        cmocka_unit_test(test_step_limit_not_multiple_of_segment),
        cmocka_unit_test(test_fault_is_recorded),
        cmocka_unit_test(test_example_guests),
        cmocka_unit_test(test_file_roundtrip_and_truncation),
        cmocka_unit_test(test_tampered_log_is_caught),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
