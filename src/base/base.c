#include "base.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <sys/stat.h>
#include <time.h>

int zisk_err_set(zisk_err *err, const char *fmt, ...) {
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
    }
    return -1;
}

void zisk_panic(const char *file, int line, const char *fmt, ...) {
    va_list ap;
    fprintf(stderr, "zisk: internal error at %s:%d: ", file, line);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    abort();
}

void *zisk_xmalloc(size_t n) {
    void *p = malloc(n ? n : 1);
    if (!p) zisk_panic(__FILE__, __LINE__, "out of memory allocating %zu bytes", n);
    return p;
}

void *zisk_xcalloc(size_t count, size_t size) {
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (!p) zisk_panic(__FILE__, __LINE__, "out of memory allocating %zu x %zu bytes", count, size);
    return p;
}

void zisk_malloc_keep_freed(void) {
#ifdef __GLIBC__
    (void)mallopt(M_MMAP_MAX, 0);             /* large blocks from the heap, not fresh mmaps */
    (void)mallopt(M_TRIM_THRESHOLD, INT_MAX); /* and freed heap memory stays for reuse */
#endif
}

void *zisk_xrealloc(void *p, size_t n) {
    void *q = realloc(p, n ? n : 1);
    if (!q) zisk_panic(__FILE__, __LINE__, "out of memory reallocating %zu bytes", n);
    return q;
}

char *zisk_xstrdup(const char *s) {
    size_t n = strlen(s) + 1;
    char *p = zisk_xmalloc(n);
    memcpy(p, s, n);
    return p;
}

int zisk_read_file(const char *path, size_t max_size, uint8_t **data, size_t *len, zisk_err *err) {
    FILE *f = fopen(path, "rb");
    if (!f) return zisk_err_set(err, "cannot open '%s': %s", path, strerror(errno));
    struct stat st;
    if (fstat(fileno(f), &st) != 0) {
        int e = errno;
        fclose(f);
        return zisk_err_set(err, "cannot stat '%s': %s", path, strerror(e));
    }
    if (S_ISDIR(st.st_mode)) {
        fclose(f);
        return zisk_err_set(err, "'%s' is a directory, expected a file", path);
    }
    /* Read in chunks: st_size is only a hint (pipes and /dev/stdin report 0). */
    size_t cap = st.st_size > 0 ? (size_t)st.st_size + 1 : 65536, n = 0;
    if (cap > max_size + 1) cap = max_size + 1;
    uint8_t *buf = zisk_xmalloc(cap);
    for (;;) {
        if (n == cap) {
            if (cap > max_size) break;
            cap = cap * 2 > max_size + 1 ? max_size + 1 : cap * 2;
            buf = zisk_xrealloc(buf, cap);
        }
        size_t r = fread(buf + n, 1, cap - n, f);
        n += r;
        if (r == 0) break;
    }
    int rerr = ferror(f);
    fclose(f);
    if (rerr) {
        free(buf);
        return zisk_err_set(err, "cannot read '%s': I/O error", path);
    }
    if (n > max_size) {
        free(buf);
        return zisk_err_set(err, "'%s' is larger than the limit of %zu bytes", path, max_size);
    }
    *data = buf;
    *len = n;
    return 0;
}

int zisk_write_file(const char *path, const void *data, size_t len, zisk_err *err) {
    FILE *f = fopen(path, "wb");
    if (!f) return zisk_err_set(err, "cannot create '%s': %s", path, strerror(errno));
    size_t w = len ? fwrite(data, 1, len, f) : 0;
    int bad = (w != len) | (fclose(f) != 0);
    if (bad) return zisk_err_set(err, "cannot write '%s': %s", path, strerror(errno));
    return 0;
}

double zisk_now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int zisk_parse_u64(const char *s, uint64_t *out) {
    if (!s || !*s) return -1;
    unsigned base = 10;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        s += 2;
        if (!*s) return -1;
    }
    uint64_t v = 0;
    for (; *s; s++) {
        unsigned d;
        if (*s >= '0' && *s <= '9') d = (unsigned)(*s - '0');
        else if (base == 16 && *s >= 'a' && *s <= 'f') d = (unsigned)(*s - 'a' + 10);
        else if (base == 16 && *s >= 'A' && *s <= 'F') d = (unsigned)(*s - 'A' + 10);
        else if (*s == '_' ) continue; /* 1_000_000 */
        else return -1;
        if (v > (UINT64_MAX - d) / base) return -1;
        v = v * base + d;
    }
    *out = v;
    return 0;
}

int zisk_mkdir_p(const char *path, zisk_err *err) {
    char buf[4096];
    if (snprintf(buf, sizeof buf, "%s", path) >= (int)sizeof buf)
        return zisk_err_set(err, "folder path is too long: %s", path);
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/') continue;
        *p = 0;
        if (mkdir(buf, 0755) != 0 && errno != EEXIST)
            return zisk_err_set(err, "cannot create folder '%s': %s", buf, strerror(errno));
        *p = '/';
    }
    if (mkdir(buf, 0755) != 0 && errno != EEXIST)
        return zisk_err_set(err, "cannot create folder '%s': %s", buf, strerror(errno));
    struct stat sb;
    if (stat(buf, &sb) != 0 || !S_ISDIR(sb.st_mode)) return zisk_err_set(err, "'%s' is not a folder", buf);
    return 0;
}

