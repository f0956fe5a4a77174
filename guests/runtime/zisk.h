/*
 * zisk.h: the guest-side runtime API for programs that run on the zisk RISC-V machine.
 *
 * The same guest source builds two ways (see guests/CMakeLists.txt):
 *   - for zisk (runtime/zisk/): a bare-metal RV64 ELF with ZisK's memory map. The input file is
 *     mapped read-only at 0x40000000, outputs are 32-bit words at 0xa0010000, the console is the
 *     UART byte at 0xa0000200, and the program ends with `ecall` a7 = 93.
 *   - for Linux (runtime/linux/): a static Linux ELF for qemu-riscv64, used as an independent
 *     reference in the differential tests. Its start-up code reads stdin into a buffer laid out
 *     like ZisK's input region, the console is fd 1, and at exit the 64 output words are printed
 *     on fd 2 as one line (format below).
 * Both link against picolibc (tinystdio): printf/puts on stdout or stderr write to the console,
 * malloc takes memory from the heap between the end of .bss and the stack.
 *
 * Input: ZisK input files are a stream of records, each a little-endian u64 length followed by
 * that many bytes, zero-padded to a multiple of 8. `zisk execute --input FILE` places such a
 * file verbatim at 0x40000008; `--input-raw FILE` wraps a plain file as one record. The region
 * reads zero past the data, so a zero-length record and the end of the input look the same:
 * design inputs so that this does not matter (e.g. send counts as u64 records).
 *
 * Buffers: record data returned by the input functions stays valid and unchanged for the whole
 * run and must not be written (it is read-only memory on zisk). Nothing here allocates.
 *
 * Errors: a malformed input (a record length that runs past the input region) is a fault of the
 * input, not of the guest: the runtime prints "zisk: ..." on the console and exits with
 * ZISK_EXIT_PANIC. A guest bug caught by the runtime (commit index out of range) does the same.
 */
#ifndef ZISK_GUEST_H
#define ZISK_GUEST_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define ZISK_OUTPUT_WORDS 64
/* Exit code used by zisk_panic(). */
#define ZISK_EXIT_PANIC 101

/* Returns the data of the next input record and stores its length in *len; *len is 0 at the
 * end of the input (and for an empty record). Never returns NULL; the pointer is 8-byte
 * aligned. Each call moves to the following record. */
const uint8_t *zisk_input_next(size_t *len);

/* Like zisk_input_next, but returns 1 and the record's first 8 bytes as a little-endian u64 in
 * *value when the record holds at least 8 bytes, and 0 (with *value = 0) otherwise. */
int zisk_input_next_u64(uint64_t *value);

/* Returns the whole input file as the host gave it (a record stream, headers included): a
 * pointer to its first byte (the u64 at 0x40000008 on zisk) and in *len the number of bytes the
 * records span, up to the first zero length word. Does not move the record cursor. */
const uint8_t *zisk_input_all(size_t *len);

/* Sets public output word i (0..63) to value. Words never committed read 0. On zisk this is a
 * 32-bit store to 0xa0010000 + 4*i. An index out of range is a guest bug: zisk_panic. */
void zisk_commit(unsigned i, uint32_t value);

/* Commits value as two words: i gets the low half and i+1 the high half. */
void zisk_commit_u64(unsigned i, uint64_t value);

/* Writes len bytes to the console, unformatted (printf works too). */
void zisk_console_write(const void *buf, size_t len);

/* Ends the program with the given exit code (a0 of the exit ecall). Does not run atexit
 * handlers; exit() does and then comes here. */
__attribute__((noreturn)) void zisk_exit(int code);

/* Prints "zisk: <msg>\n" on the console and exits with ZISK_EXIT_PANIC. */
__attribute__((noreturn)) void zisk_panic(const char *msg);

/* Linux variant only: the line printed on stderr at exit is
 *   "zisk-outputs:" followed by 64 times " " + the word in decimal, then "\n". */
#define ZISK_LINUX_OUTPUTS_TAG "zisk-outputs:"

#ifdef __cplusplus
}
#endif

#endif
