/*
 * base.h: the lowest layer. Error reporting by trust level, and whole-file I/O.
 *
 * Errors by trust level (STYLE.md practice 4):
 *  - A broken invariant in our own code is a bug: ZISK_ASSERT aborts with file and line.
 *  - Anything derived from outside data (files, flags, network) is reported through a
 *    zisk_err: the function returns non-zero and fills err->msg with a sentence saying what
 *    was wrong and where. Such functions never abort and never read out of bounds.
 */
#ifndef ZISK_BASE_H
#define ZISK_BASE_H

#include <stddef.h>
#include <stdint.h>

#define ZISK_ERR_MSG_MAX 512

typedef struct zisk_err {
    char msg[ZISK_ERR_MSG_MAX];
} zisk_err;

/* Sets err->msg (printf-style) when err is not NULL. Always returns -1 so callers can write
 * `return zisk_err_set(err, "...")`. */
int zisk_err_set(zisk_err *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Aborts the process with file, line and message: for our own bugs only. */
_Noreturn void zisk_panic(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define ZISK_ASSERT(cond)                                                            \
    do {                                                                             \
        if (__builtin_expect(!(cond), 0)) zisk_panic(__FILE__, __LINE__, "assertion failed: %s", #cond); \
    } while (0)

#define ZISK_LIKELY(x) __builtin_expect(!!(x), 1)
#define ZISK_UNLIKELY(x) __builtin_expect(!!(x), 0)

/* Allocation that aborts on out-of-memory (callers never see NULL). */
void *zisk_xmalloc(size_t n);
void *zisk_xcalloc(size_t count, size_t size);
void *zisk_xrealloc(void *p, size_t n);
char *zisk_xstrdup(const char *s);

/* For a process that allocates and frees buffers of hundreds of MiB over and over (the prover:
 * traces, LDEs and Merkle trees, per instance): serve them from the heap and keep freed memory
 * for reuse instead of unmapping it. With glibc's defaults each such buffer is a fresh mmap
 * whose pages the kernel faults in and zeroes again on first touch (11% of a 2^20-step zkVM
 * proof, docs/PERFORMANCE.md); peak memory stays the same, but the process keeps its heap until
 * it exits. Call once at start-up, before threads. No effect (and harmless) outside glibc or
 * under a sanitizer's allocator. */
void zisk_malloc_keep_freed(void);

/* Reads a whole file into a new buffer (caller frees with free()). Refuses files larger than
 * max_size bytes. Returns 0 on success; -1 with err filled (names the path and the cause). */
int zisk_read_file(const char *path, size_t max_size, uint8_t **data, size_t *len, zisk_err *err);

/* Writes len bytes to path atomically enough for our use (write + fsync-free rename is not
 * needed here); returns 0 or -1 with err filled. */
int zisk_write_file(const char *path, const void *data, size_t len, zisk_err *err);

/* Monotonic clock in seconds. */
double zisk_now_seconds(void);

/* Parses an unsigned decimal or 0x-prefixed hexadecimal integer that must fill the whole
 * string. Returns 0 on success, -1 on any malformed or out-of-range input. */
int zisk_parse_u64(const char *s, uint64_t *out);
/* Creates folder `path` and its missing parents (mode 0755). Returns 0, or -1 with err naming
 * the folder that could not be created (or a path component that is not a folder). */
int zisk_mkdir_p(const char *path, zisk_err *err);

#endif
