/*
 * test_log.c: tests for src/log: names, filter specs (valid and rejected, with their
 * messages), target prefix matching, exact output of the three formats, JSON and terminal
 * escaping (checked by an independent JSON validator, also on random bytes), file output,
 * colour decisions (file, pseudo-terminal, NO_COLOR), rate limiting, truncation and threads.
 *
 * The logger is process-wide, so every test starts from reset(): defaults plus output captured
 * into a temporary file (capture_text() reads it back).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "json_check.h"
#include "log.h"
#include "log_internal.h"

/* ---- Helpers ---- */

static char g_dir[256];   /* a fresh temporary directory for the whole run */
static int g_capture = -1; /* the file logs are captured into */

static void path_in_dir(char *out, size_t n, const char *name) {
    snprintf(out, n, "%s/%s", g_dir, name);
}

/* Defaults (as before zlog_init) with output going to a new, empty capture file. */
static int reset(void **state) {
    (void)state;
    zlog_config cfg = {0};
    zisk_err err;
    assert_int_equal(zlog_init(&cfg, &err), 0);
    if (g_capture >= 0) close(g_capture);
    char path[300];
    path_in_dir(path, sizeof path, "capture.log");
    unlink(path);
    g_capture = open(path, O_RDWR | O_CREAT | O_TRUNC | O_APPEND, 0600);
    assert_true(g_capture >= 0);
    zlog_set_fd(g_capture);
    return 0;
}

/* Everything written to the capture file so far (caller frees). */
static char *read_fd_all(int fd) {
    struct stat st;
    assert_int_equal(fstat(fd, &st), 0);
    char *s = malloc((size_t)st.st_size + 1);
    assert_non_null(s);
    ssize_t n = pread(fd, s, (size_t)st.st_size, 0);
    assert_int_equal(n, st.st_size);
    s[n] = '\0';
    return s;
}

static char *capture_text(void) { return read_fd_all(g_capture); }

static char *read_path(const char *path) {
    int fd = open(path, O_RDONLY);
    assert_true(fd >= 0);
    char *s = read_fd_all(fd);
    close(fd);
    return s;
}

static int count_lines(const char *s) {
    int n = 0;
    for (; *s; s++) n += *s == '\n';
    return n;
}

/* Checks that every line of s is one valid JSON object; returns the number of lines. */
static int check_json_lines(const char *s) {
    int n = 0;
    while (*s) {
        const char *nl = strchr(s, '\n');
        assert_non_null(nl);
        if (!json_valid(s, (size_t)(nl - s))) fail_msg("not valid JSON: %.*s", (int)(nl - s), s);
        assert_int_equal(*s, '{');
        n++;
        s = nl + 1;
    }
    return n;
}

/* The formatter on a fixed time: 2025-01-31T12:00:00.123456789Z. */
static char *fmt_record(zlog_format format, bool color, zlog_level level, const char *target,
                        const char *msg, size_t msg_len, const zlog_field *fields, size_t n) {
    zlog_record r = {.ts = {.tv_sec = 1738324800, .tv_nsec = 123456789},
                    .level = level,
                    .target = target,
                    .message = msg,
                    .message_len = msg_len,
                    .fields = fields,
                    .n_fields = n};
    zlog_buf b = {0};
    zlog__format_record(&b, format, color, &r);
    char *s = malloc(b.len + 1);
    assert_non_null(s);
    memcpy(s, b.p, b.len);
    s[b.len] = '\0';
    zlog__buf_free(&b);
    return s;
}

static char *fmt_msg(zlog_format format, const char *msg, size_t msg_len) {
    return fmt_record(format, false, ZLOG_LEVEL_INFO, "t", msg, msg_len, NULL, 0);
}

#define assert_contains(hay, needle)                                                       \
    do {                                                                                   \
        if (!strstr((hay), (needle))) fail_msg("'%s' not found in:\n%s", (needle), (hay)); \
    } while (0)
#define assert_not_contains(hay, needle)                                                  \
    do {                                                                                  \
        if (strstr((hay), (needle))) fail_msg("'%s' unexpectedly in:\n%s", (needle), (hay)); \
    } while (0)

/* ---- Names ---- */

static void test_level_names(void **state) {
    (void)state;
    zlog_level l;
    zisk_err err;
    const struct {
        const char *s;
        zlog_level l;
    } ok[] = {{"trace", ZLOG_LEVEL_TRACE}, {"DEBUG", ZLOG_LEVEL_DEBUG}, {"Info", ZLOG_LEVEL_INFO},
              {"wArN", ZLOG_LEVEL_WARN},   {"error", ZLOG_LEVEL_ERROR}, {"OFF", ZLOG_LEVEL_OFF}};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        assert_int_equal(zlog_level_parse(ok[i].s, &l, &err), 0);
        assert_int_equal(l, ok[i].l);
    }
    const char *bad[] = {"warning", "", "inf", "information", "info ", "err"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(zlog_level_parse(bad[i], &l, &err), -1);
        assert_contains(err.msg, "unknown log level");
        assert_contains(err.msg, "trace, debug, info, warn, error or off");
    }
    assert_int_equal(zlog_level_parse(NULL, &l, &err), -1);
    assert_string_equal(zlog_level_name(ZLOG_LEVEL_WARN), "warn");
    assert_string_equal(zlog_level_name((zlog_level)9), "?");
}

static void test_format_names(void **state) {
    (void)state;
    zlog_format f;
    zisk_err err;
    assert_int_equal(zlog_format_parse("JSON", &f, &err), 0);
    assert_int_equal(f, ZLOG_FORMAT_JSON);
    assert_int_equal(zlog_format_parse("pretty", &f, &err), 0);
    assert_int_equal(f, ZLOG_FORMAT_PRETTY);
    assert_int_equal(zlog_format_parse("Compact", &f, &err), 0);
    assert_int_equal(f, ZLOG_FORMAT_COMPACT);
    assert_int_equal(zlog_format_parse("full", &f, &err), -1);
    assert_string_equal(err.msg, "unknown log format 'full' (expected pretty, json or compact)");
    assert_string_equal(zlog_format_name(ZLOG_FORMAT_COMPACT), "compact");
}

/* ---- Filter specs ---- */

static void test_filter_parse_valid(void **state) {
    (void)state;
    zlog_filter f;
    zisk_err err;

    assert_int_equal(zlog_filter_parse("info", ZLOG_LEVEL_ERROR, &f, &err), 0);
    assert_int_equal(f.default_level, ZLOG_LEVEL_INFO);
    assert_int_equal(f.n_entries, 0);

    /* No bare level: the fallback is the default. */
    assert_int_equal(zlog_filter_parse("zisk_worker=debug,rpc=warn", ZLOG_LEVEL_INFO, &f, &err), 0);
    assert_int_equal(f.default_level, ZLOG_LEVEL_INFO);
    assert_int_equal(f.n_entries, 2);
    assert_string_equal(f.entries[0].target, "zisk_worker");
    assert_int_equal(f.entries[0].level, ZLOG_LEVEL_DEBUG);
    assert_string_equal(f.entries[1].target, "rpc");
    assert_int_equal(f.entries[1].level, ZLOG_LEVEL_WARN);

    assert_int_equal(zlog_filter_parse("warn,zisk_worker::conn=trace", ZLOG_LEVEL_INFO, &f, &err), 0);
    assert_int_equal(f.default_level, ZLOG_LEVEL_WARN);
    assert_int_equal(f.n_entries, 1);
    assert_string_equal(f.entries[0].target, "zisk_worker::conn");
    assert_int_equal(f.entries[0].level, ZLOG_LEVEL_TRACE);

    /* Spaces, empty entries, case, last bare level wins, a repeated target keeps its last. */
    assert_int_equal(
        zlog_filter_parse(" Debug , a.b-c = ERROR ,, a.b-c=Off, error,", ZLOG_LEVEL_INFO, &f, &err), 0);
    assert_int_equal(f.default_level, ZLOG_LEVEL_ERROR);
    assert_int_equal(f.n_entries, 1);
    assert_string_equal(f.entries[0].target, "a.b-c");
    assert_int_equal(f.entries[0].level, ZLOG_LEVEL_OFF);

    /* A target of exactly ZLOG_TARGET_MAX bytes and ZLOG_FILTER_MAX_ENTRIES entries fit. */
    char spec[ZLOG_TARGET_MAX + 16];
    memset(spec, 'x', ZLOG_TARGET_MAX);
    strcpy(spec + ZLOG_TARGET_MAX, "=info");
    assert_int_equal(zlog_filter_parse(spec, ZLOG_LEVEL_INFO, &f, &err), 0);
    assert_int_equal(strlen(f.entries[0].target), ZLOG_TARGET_MAX);

    char many[ZLOG_FILTER_MAX_ENTRIES * 16] = "";
    for (int i = 0; i < ZLOG_FILTER_MAX_ENTRIES; i++)
        sprintf(many + strlen(many), "%st%d=debug", i ? "," : "", i);
    assert_int_equal(zlog_filter_parse(many, ZLOG_LEVEL_INFO, &f, &err), 0);
    assert_int_equal(f.n_entries, ZLOG_FILTER_MAX_ENTRIES);
    assert_int_equal(zlog_filter_max_level(&f), ZLOG_LEVEL_DEBUG);
}

static void test_filter_parse_invalid(void **state) {
    (void)state;
    const struct {
        const char *spec, *msg;
    } cases[] = {
        {"", "log filter '' is empty; expected a level such as 'info' or target=level entries"},
        {" , ,", "log filter ' , ,' is empty"},
        {"inof", "log filter entry 'inof' is neither a level (trace, debug, info, warn, error or "
                 "off) nor target=level"},
        {"info,zisk_worker", "log filter entry 'zisk_worker' is neither a level"},
        {"warning", "log filter entry 'warning' is neither a level"},
        {"a=", "log filter entry 'a=' has no level after '='"},
        {"a= ", "log filter entry 'a=' has no level after '='"},
        {"=debug", "log filter entry '=debug' has an empty target"},
        {" = debug", "log filter entry '= debug' has an empty target"},
        {"a=b=c", "log filter entry 'a=b=c' has more than one '='"},
        {"a=loud", "log filter entry 'a=loud': unknown level 'loud' (expected trace, debug, info, "
                   "warn, error or off)"},
        {"a:b=info", "log filter entry 'a:b=info' has a single ':' in the target (use '::')"},
        {"a::=info", "log filter entry 'a::=info' has an empty segment in the target"},
        {"::a=info", "log filter entry '::a=info' has an empty segment in the target"},
        {"a::::b=info", "log filter entry 'a::::b=info' has an empty segment in the target"},
        {"a b=info", "log filter entry 'a b=info' has a character not allowed in a target"},
        {"a\x1b=info", "has a character not allowed in a target"},
        {"info,foo/bar", "log filter entry 'foo/bar': regex filters ('/...') are not supported"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        zlog_filter f = zlog_filter_from_level(ZLOG_LEVEL_TRACE);
        zisk_err err = {{0}};
        if (zlog_filter_parse(cases[i].spec, ZLOG_LEVEL_INFO, &f, &err) != -1)
            fail_msg("spec '%s' was accepted", cases[i].spec);
        if (!strstr(err.msg, cases[i].msg))
            fail_msg("spec '%s': got '%s', want '%s'", cases[i].spec, err.msg, cases[i].msg);
        /* *out untouched on error */
        assert_int_equal(f.default_level, ZLOG_LEVEL_TRACE);
        assert_int_equal(f.n_entries, 0);
    }

    zlog_filter f;
    zisk_err err;
    char spec[ZLOG_TARGET_MAX + 16];
    memset(spec, 'x', ZLOG_TARGET_MAX + 1);
    strcpy(spec + ZLOG_TARGET_MAX + 1, "=info");
    assert_int_equal(zlog_filter_parse(spec, ZLOG_LEVEL_INFO, &f, &err), -1);
    assert_contains(err.msg, "has a target longer than 128 bytes");

    char many[(ZLOG_FILTER_MAX_ENTRIES + 1) * 16] = "";
    for (int i = 0; i <= ZLOG_FILTER_MAX_ENTRIES; i++)
        sprintf(many + strlen(many), "%st%d=debug", i ? "," : "", i);
    assert_int_equal(zlog_filter_parse(many, ZLOG_LEVEL_INFO, &f, &err), -1);
    assert_string_equal(err.msg, "log filter has more than 32 target=level entries");

    /* A huge entry is quoted back only in part. */
    char *huge = malloc(10000);
    memset(huge, 'q', 9999);
    huge[9999] = '\0';
    assert_int_equal(zlog_filter_parse(huge, ZLOG_LEVEL_INFO, &f, &err), -1);
    assert_true(strlen(err.msg) < 200);
    free(huge);

    assert_int_equal(zlog_filter_parse(NULL, ZLOG_LEVEL_INFO, &f, &err), -1);
}

static void test_filter_prefix_matching(void **state) {
    (void)state;
    zlog_filter f;
    zisk_err err;
    /* The longer target is listed first on purpose: longest match wins, not first or last. */
    assert_int_equal(zlog_filter_parse("zisk_worker::conn=trace,warn,zisk_worker=debug,rpc=error",
                                      ZLOG_LEVEL_INFO, &f, &err),
                     0);
    const struct {
        const char *target;
        zlog_level want;
    } cases[] = {
        {"zisk_worker", ZLOG_LEVEL_DEBUG},
        {"zisk_worker::conn", ZLOG_LEVEL_TRACE},
        {"zisk_worker::conn::tls", ZLOG_LEVEL_TRACE},
        {"zisk_worker::connx", ZLOG_LEVEL_DEBUG},
        {"zisk_worker::config", ZLOG_LEVEL_DEBUG},
        {"zisk_worker2", ZLOG_LEVEL_WARN},
        {"zisk_worke", ZLOG_LEVEL_WARN},
        {"zisk_worker:conn", ZLOG_LEVEL_WARN},
        {"rpc", ZLOG_LEVEL_ERROR},
        {"rpc::server", ZLOG_LEVEL_ERROR},
        {"grpc", ZLOG_LEVEL_WARN},
        {"", ZLOG_LEVEL_WARN},
        {NULL, ZLOG_LEVEL_WARN},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        zlog_level got = zlog_filter_level_for(&f, cases[i].target);
        if (got != cases[i].want)
            fail_msg("target '%s': level %s, want %s", cases[i].target ? cases[i].target : "(NULL)",
                     zlog_level_name(got), zlog_level_name(cases[i].want));
    }
    assert_int_equal(zlog_filter_max_level(&f), ZLOG_LEVEL_TRACE);

    f = zlog_filter_from_level(ZLOG_LEVEL_OFF);
    assert_int_equal(zlog_filter_level_for(&f, "x"), ZLOG_LEVEL_OFF);
    assert_int_equal(zlog_filter_max_level(&f), ZLOG_LEVEL_OFF);
}

/* ---- Exact output ---- */

static void test_format_exact(void **state) {
    (void)state;
    const zlog_field fields[] = {ZLOG_F_STR("worker_id", "w1"), ZLOG_F_U64("capacity", 10),
                                ZLOG_F_I64("delta", -3),       ZLOG_F_BOOL("ok", true),
                                ZLOG_F_F64("ratio", 0.1),      ZLOG_F_STR("note", "two words"),
                                ZLOG_F_STR("none", NULL)};
    size_t nf = sizeof fields / sizeof fields[0];
    const char *msg = "connected";
    char *s;

    s = fmt_record(ZLOG_FORMAT_PRETTY, false, ZLOG_LEVEL_INFO, "zisk_worker::conn", msg, 9, fields, nf);
    assert_string_equal(s, "2025-01-31T12:00:00.123456Z  INFO zisk_worker::conn: connected "
                           "worker_id=w1 capacity=10 delta=-3 ok=true ratio=0.1 "
                           "note=\"two words\" none=(null)\n");
    free(s);

    s = fmt_record(ZLOG_FORMAT_COMPACT, false, ZLOG_LEVEL_WARN, "zisk_worker::conn", msg, 9, fields, 1);
    assert_string_equal(s, "12:00:00.123 WARN conn: connected worker_id=w1\n");
    free(s);

    s = fmt_record(ZLOG_FORMAT_JSON, false, ZLOG_LEVEL_ERROR, "zisk_worker::conn", msg, 9, fields, nf);
    assert_string_equal(s, "{\"timestamp\":\"2025-01-31T12:00:00.123456Z\",\"level\":\"ERROR\","
                           "\"target\":\"zisk_worker::conn\",\"message\":\"connected\","
                           "\"fields\":{\"worker_id\":\"w1\",\"capacity\":10,\"delta\":-3,"
                           "\"ok\":true,\"ratio\":0.1,\"note\":\"two words\",\"none\":null}}\n");
    assert_true(json_valid(s, strlen(s)));
    free(s);

    /* No fields: no "fields" key; colour is never added to json. */
    s = fmt_record(ZLOG_FORMAT_JSON, true, ZLOG_LEVEL_DEBUG, "", "m", 1, NULL, 0);
    assert_string_equal(s, "{\"timestamp\":\"2025-01-31T12:00:00.123456Z\",\"level\":\"DEBUG\","
                           "\"target\":\"\",\"message\":\"m\"}\n");
    free(s);

    /* Empty target: text formats leave the "target: " part out. */
    s = fmt_record(ZLOG_FORMAT_PRETTY, false, ZLOG_LEVEL_TRACE, NULL, "m", 1, NULL, 0);
    assert_string_equal(s, "2025-01-31T12:00:00.123456Z TRACE m\n");
    free(s);

    /* Colour: level colours and dim timestamp/target, italic keys. */
    s = fmt_record(ZLOG_FORMAT_PRETTY, true, ZLOG_LEVEL_ERROR, "a", "m", 1, fields, 1);
    assert_string_equal(s, "\x1b[2m2025-01-31T12:00:00.123456Z\x1b[0m \x1b[31mERROR\x1b[0m "
                           "\x1b[2ma:\x1b[0m m \x1b[3mworker_id\x1b[0m=w1\n");
    free(s);

    /* Floats: shortest exact form, and no invalid JSON for non-finite values. */
    const zlog_field fl[] = {ZLOG_F_F64("a", 1.0 / 3), ZLOG_F_F64("b", 1e300), ZLOG_F_F64("c", 0.0 / 0.0),
                            ZLOG_F_F64("d", -1.0 / 0.0)};
    s = fmt_record(ZLOG_FORMAT_JSON, false, ZLOG_LEVEL_INFO, "t", "m", 1, fl, 4);
    assert_contains(s, "\"a\":0.33333333333333331,\"b\":1e+300,\"c\":\"NaN\",\"d\":\"-inf\"}");
    assert_true(json_valid(s, strlen(s)));
    free(s);
    s = fmt_record(ZLOG_FORMAT_COMPACT, false, ZLOG_LEVEL_INFO, "t", "m", 1, fl + 2, 2);
    assert_string_equal(s, "12:00:00.123 INFO t: m c=NaN d=-inf\n");
    free(s);
}

/* ---- Escaping ---- */

static void test_utf8_decoder(void **state) {
    (void)state;
    const struct {
        const char *s;
        size_t n;
        size_t want_len;
        uint32_t want_cp;
    } cases[] = {
        {"A", 1, 1, 'A'},
        {"\xc3\xa9", 2, 2, 0xE9},
        {"\xe2\x82\xac", 3, 3, 0x20AC},
        {"\xf0\x9f\x98\x80", 4, 4, 0x1F600},
        {"\xf4\x8f\xbf\xbf", 4, 4, 0x10FFFF},
        {"\xc0\xaf", 2, 1, UINT32_MAX},         /* overlong lead */
        {"\xe0\x80\x80", 3, 1, UINT32_MAX},     /* overlong 3-byte */
        {"\xed\xa0\x80", 3, 1, UINT32_MAX},     /* surrogate */
        {"\xf4\x90\x80\x80", 4, 1, UINT32_MAX}, /* above U+10FFFF */
        {"\xf5\x80", 2, 1, UINT32_MAX},
        {"\x80", 1, 1, UINT32_MAX},
        {"\xe2\x82", 2, 2, UINT32_MAX},         /* truncated at the end */
        {"\xe2\x82x", 3, 2, UINT32_MAX},        /* interrupted: maximal subpart E2 82 */
        {"\xf0\x9f\x98", 3, 3, UINT32_MAX},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint32_t cp;
        size_t len = zlog__utf8_next((const uint8_t *)cases[i].s, cases[i].n, &cp);
        if (len != cases[i].want_len || cp != cases[i].want_cp)
            fail_msg("case %zu: len %zu cp %x, want %zu %x", i, len, cp, cases[i].want_len,
                     cases[i].want_cp);
    }
}

static void test_json_escaping(void **state) {
    (void)state;
    const char msg[] = "q\" b\\ n\n r\r t\t c\x01 e\x1b d\x7f c1\xc2\x85 ok\xc3\xa9\xf0\x9f\x98\x80 "
                       "bad\xff sur\xed\xa0\x80 cut\xe2\x82x nul";
    char *s = fmt_msg(ZLOG_FORMAT_JSON, msg, sizeof msg - 1);
    assert_contains(s, "\"message\":\"q\\\" b\\\\ n\\n r\\r t\\t c\\u0001 e\\u001b d\\u007f "
                       "c1\\u0085 ok\xc3\xa9\xf0\x9f\x98\x80 bad\xef\xbf\xbd "
                       "sur\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd cut\xef\xbf\xbdx nul\"");
    assert_true(json_valid(s, strlen(s)));
    assert_int_equal(count_lines(s), 1);
    free(s);

    /* A NUL inside the message (explicit length) is escaped, not a terminator. */
    s = fmt_msg(ZLOG_FORMAT_JSON, "a\0b", 3);
    assert_contains(s, "\"message\":\"a\\u0000b\"");
    free(s);

    /* Keys and targets are escaped too. */
    const zlog_field f[] = {ZLOG_F_STR("k\"\n", "v\x01")};
    s = fmt_record(ZLOG_FORMAT_JSON, false, ZLOG_LEVEL_INFO, "t\"x", "m", 1, f, 1);
    assert_contains(s, "\"target\":\"t\\\"x\"");
    assert_contains(s, "\"fields\":{\"k\\\"\\n\":\"v\\u0001\"}");
    assert_true(json_valid(s, strlen(s)));
    free(s);
}

static void test_text_escaping(void **state) {
    (void)state;
    const char msg[] = "line1\nline2 \x1b[31mred\t\"q\" back\\slash c1\xc2\x9b bad\xff\xfe ok\xc3\xa9";
    char *s = fmt_msg(ZLOG_FORMAT_PRETTY, msg, sizeof msg - 1);
    assert_contains(s, " INFO t: line1\\nline2 \\x1b[31mred\\t\"q\" back\\slash c1\\u{9b} "
                       "bad\\xff\\xfe ok\xc3\xa9\n");
    assert_int_equal(count_lines(s), 1);
    assert_null(strchr(s, 0x1b));
    free(s);

    const zlog_field f[] = {ZLOG_F_STR("plain", "abc-1.2:3/x"), ZLOG_F_STR("empty", ""),
                           ZLOG_F_STR("eq", "a=b"),           ZLOG_F_STR("quote", "say \"hi\""),
                           ZLOG_F_STR("nl", "a\nb"),          ZLOG_F_STR("esc", "\x1b[2J"),
                           ZLOG_F_STR("bs", "c:\\dir"),        ZLOG_F_STR("utf", "\xc3\xa9t\xc3\xa9")};
    s = fmt_record(ZLOG_FORMAT_COMPACT, false, ZLOG_LEVEL_INFO, "t", "m", 1, f, 8);
    assert_string_equal(s, "12:00:00.123 INFO t: m plain=abc-1.2:3/x empty=\"\" eq=\"a=b\" "
                           "quote=\"say \\\"hi\\\"\" nl=\"a\\nb\" esc=\"\\x1b[2J\" "
                           "bs=\"c:\\\\dir\" utf=\xc3\xa9t\xc3\xa9\n");
    free(s);
}

/* Random bytes everywhere: every json line must validate, every text line must be one line
 * without ESC. A fixed seed keeps failures reproducible. */
static void test_random_inputs(void **state) {
    (void)state;
    uint64_t x = 0x9E3779B97F4A7C15u;
#define RND() (x ^= x << 13, x ^= x >> 7, x ^= x << 17, x)
    char a[64], b[64], c[64], t[32];
    for (int iter = 0; iter < 20000; iter++) {
        size_t la = RND() % sizeof a, lb = RND() % (sizeof b - 1), lc = RND() % (sizeof c - 1),
               lt = RND() % (sizeof t - 1);
        /* Mostly high bytes and controls, where the escapers have work to do. */
        for (size_t i = 0; i < la; i++) a[i] = (char)(RND() % 3 ? 0x80 + RND() % 0x80 : RND() % 0x40);
        for (size_t i = 0; i < lb; i++) b[i] = (char)(1 + RND() % 255);
        for (size_t i = 0; i < lc; i++) c[i] = (char)(1 + RND() % 255);
        for (size_t i = 0; i < lt; i++) t[i] = (char)(1 + RND() % 255);
        b[lb] = c[lc] = t[lt] = '\0';
        const zlog_field f[] = {ZLOG_F_STR(b, c), ZLOG_F_STR(c, b)};
        char *s = fmt_record(ZLOG_FORMAT_JSON, false, ZLOG_LEVEL_INFO, t, a, la, f, 2);
        if (!json_valid(s, strlen(s)) || count_lines(s) != 1)
            fail_msg("iteration %d: bad json line %s", iter, s);
        free(s);
        s = fmt_record(ZLOG_FORMAT_PRETTY, false, ZLOG_LEVEL_INFO, t, a, la, f, 2);
        assert_int_equal(count_lines(s), 1);
        assert_null(strchr(s, 0x1b));
        assert_null(strchr(s, '\r'));
        free(s);
    }
#undef RND
}

/* ---- Truncation and limits ---- */

static void test_truncation(void **state) {
    (void)state;
    /* A message of 2-byte characters cut at ZLOG_MESSAGE_MAX (even) lands on a boundary; shift by
     * one byte so the cut would split a character and must back off instead. */
    size_t n = ZLOG_MESSAGE_MAX + 1001;
    char *msg = malloc(n + 1);
    msg[0] = 'x';
    for (size_t i = 1; i + 1 < n; i += 2) msg[i] = '\xc3', msg[i + 1] = '\xa9';
    msg[n] = '\0';
    char *s = fmt_msg(ZLOG_FORMAT_JSON, msg, n);
    assert_true(json_valid(s, strlen(s)));
    assert_not_contains(s, "\xef\xbf\xbd"); /* no split character */
    assert_contains(s, "\xc3\xa9[...]\"}");
    assert_true(strlen(s) < ZLOG_MESSAGE_MAX + 200);
    free(s);

    s = fmt_msg(ZLOG_FORMAT_PRETTY, msg, n);
    assert_contains(s, "\xc3\xa9[...]\n");
    assert_not_contains(s, "\\x");
    free(s);
    free(msg);

    /* Through the API: a long printf message, a long value, too many fields. */
    assert_int_equal(reset(NULL), 0);
    zlog_set_format(ZLOG_FORMAT_JSON);
    char *big = malloc(ZLOG_VALUE_MAX * 3);
    memset(big, 'v', ZLOG_VALUE_MAX * 3 - 1);
    big[ZLOG_VALUE_MAX * 3 - 1] = '\0';
    zlog_write(ZLOG_LEVEL_INFO, "t", "%s%s%s%s%s", big, big, big, big, big);
    zlog_kv(ZLOG_LEVEL_INFO, "t", "kv", "big", big, (char *)NULL);
    zlog_field many[ZLOG_FIELDS_MAX + 5];
    for (int i = 0; i < ZLOG_FIELDS_MAX + 5; i++) many[i] = ZLOG_F_I64("i", i);
    zlog_write_fields(ZLOG_LEVEL_INFO, "t", many, ZLOG_FIELDS_MAX + 5, "many");
    zlog_kv(ZLOG_LEVEL_INFO, "t", "kvmany", "a", "1", "a", "2", "a", "3", "a", "4", "a", "5", "a",
           "6", "a", "7", "a", "8", "a", "9", "a", "10", "a", "11", "a", "12", "a", "13", "a", "14",
           "a", "15", "a", "16", "a", "17", "a", "18", "a", "19", "a", "20", "a", "21", "a", "22",
           "a", "23", "a", "24", "a", "25", "a", "26", "a", "27", "a", "28", "a", "29", "a", "30",
           "a", "31", "a", "32", "a", "33", "a", "34", (char *)NULL);
    free(big);
    char *out = capture_text();
    assert_int_equal(check_json_lines(out), 4);
    char *l2 = strchr(out, '\n') + 1;
    assert_true((size_t)(l2 - out) < ZLOG_MESSAGE_MAX + 200); /* the message was cut */
    assert_contains(out, "v[...]\"}\n");
    /* The value keeps exactly ZLOG_VALUE_MAX bytes. */
    char *want = malloc(ZLOG_VALUE_MAX + 32);
    strcpy(want, "\"big\":\"");
    memset(want + 7, 'v', ZLOG_VALUE_MAX);
    strcpy(want + 7 + ZLOG_VALUE_MAX, "[...]\"}}\n");
    assert_contains(l2, want);
    free(want);
    assert_contains(out, "\"i\":31,\"fields_dropped\":5}}\n");
    assert_contains(out, "\"a\":\"32\",\"fields_dropped\":2}}\n");
    free(out);
}

/* ---- End to end ---- */

static int g_evaluated;
static int side_effect(void) { return ++g_evaluated; }

static void test_levels_and_cheap_check(void **state) {
    (void)state;
    zlog_set_level(ZLOG_LEVEL_INFO);
    g_evaluated = 0;
    ZLOG_DEBUG("t", "never %d", side_effect());
    ZLOG_TRACE("t", "never %d", side_effect());
    ZLOG_KV(ZLOG_LEVEL_DEBUG, "t", "never", "k", side_effect() ? "x" : "y");
    assert_int_equal(g_evaluated, 0); /* arguments of disabled calls are not evaluated */
    assert_false(ZLOG_ENABLED(ZLOG_LEVEL_DEBUG));
    assert_true(ZLOG_ENABLED(ZLOG_LEVEL_INFO));
    ZLOG_INFO("t", "shown %d", side_effect());
    ZLOG_WARN("t", "warn");
    ZLOG_ERROR("t", "error");
    assert_int_equal(g_evaluated, 1);
    char *out = capture_text();
    assert_int_equal(count_lines(out), 3);
    assert_contains(out, " INFO t: shown 1\n");
    assert_contains(out, " WARN t: warn\n");
    assert_contains(out, "ERROR t: error\n");
    free(out);

    /* Off: nothing at all, even errors; an OFF record level is never written. */
    zlog_set_level(ZLOG_LEVEL_OFF);
    ZLOG_ERROR("t", "hidden");
    zlog_write(ZLOG_LEVEL_OFF, "t", "hidden");
    zlog_set_level(ZLOG_LEVEL_TRACE);
    zlog_write(ZLOG_LEVEL_OFF, "t", "hidden");
    zlog_write((zlog_level)42, "t", "hidden");
    out = capture_text();
    assert_not_contains(out, "hidden");
    free(out);
}

static void test_filter_end_to_end(void **state) {
    (void)state;
    zisk_err err;
    assert_int_equal(zlog_set_filter_spec("warn,zisk_worker::conn=trace,rpc=off", ZLOG_LEVEL_INFO, &err), 0);
    assert_true(ZLOG_ENABLED(ZLOG_LEVEL_TRACE)); /* some target wants trace */
    assert_true(zlog_enabled(ZLOG_LEVEL_TRACE, "zisk_worker::conn::tls"));
    assert_false(zlog_enabled(ZLOG_LEVEL_INFO, "zisk_worker"));
    assert_false(zlog_enabled(ZLOG_LEVEL_ERROR, "rpc"));
    ZLOG_TRACE("zisk_worker::conn", "a1");
    ZLOG_TRACE("zisk_worker::conn::tls", "a2");
    ZLOG_DEBUG("zisk_worker::connection", "b1");
    ZLOG_INFO("zisk_worker", "b2");
    ZLOG_WARN("zisk_worker", "a3");
    ZLOG_ERROR("rpc", "b3");
    ZLOG_ERROR("rpc2", "a4");
    ZLOG_FIELDS(ZLOG_LEVEL_TRACE, "zisk_worker::conn", ((zlog_field[]){ZLOG_F_STR("job_id", "j1")}), 1,
               "a5 %d", 5);
    ZLOG_KV(ZLOG_LEVEL_DEBUG, "zisk_worker::conn", "a6", "worker_id", "w1", "job_id", "j2");
    ZLOG_KV(ZLOG_LEVEL_DEBUG, "zisk_worker", "b4", "worker_id", "w1");
    char *out = capture_text();
    for (int i = 1; i <= 6; i++) {
        char w[8];
        snprintf(w, sizeof w, "a%d", i);
        assert_contains(out, w);
    }
    assert_not_contains(out, "b1");
    assert_not_contains(out, "b2");
    assert_not_contains(out, "b3");
    assert_not_contains(out, "b4");
    assert_contains(out, "a5 5 job_id=j1\n");
    assert_contains(out, "a6 worker_id=w1 job_id=j2\n");
    free(out);

    /* A bad spec leaves the filter as it was. */
    assert_int_equal(zlog_set_filter_spec("warn,bogus=", ZLOG_LEVEL_INFO, &err), -1);
    assert_true(zlog_enabled(ZLOG_LEVEL_TRACE, "zisk_worker::conn"));
}

static void test_json_end_to_end(void **state) {
    (void)state;
    zlog_set_format(ZLOG_FORMAT_JSON);
    zlog_set_color(ZLOG_COLOR_ALWAYS); /* json ignores colour */
    ZLOG_INFO("zisk_worker", "hello \"%s\"\n", "world");
    ZLOG_KV(ZLOG_LEVEL_WARN, "zisk_worker::conn", "lost", "worker_id", "w-1", "job_id", NULL);
    zlog_write_fields(ZLOG_LEVEL_ERROR, "x", (zlog_field[]){ZLOG_F_U64("n", 18446744073709551615u)}, 1,
                     "%s", "");
    char *out = capture_text();
    assert_int_equal(check_json_lines(out), 3);
    assert_null(strchr(out, 0x1b));
    assert_contains(out, "\"level\":\"INFO\",\"target\":\"zisk_worker\",\"message\":\"hello "
                         "\\\"world\\\"\\n\"}\n");
    assert_contains(out, "\"level\":\"WARN\",\"target\":\"zisk_worker::conn\",\"message\":\"lost\","
                         "\"fields\":{\"worker_id\":\"w-1\",\"job_id\":null}}\n");
    assert_contains(out, "\"message\":\"\",\"fields\":{\"n\":18446744073709551615}}\n");
    /* The timestamp shape: {"timestamp":"YYYY-MM-DDTHH:MM:SS.uuuuuuZ" */
    const char *ts = out + strlen("{\"timestamp\":\"");
    const char *shape = "dddd-dd-ddTdd:dd:dd.ddddddZ\"";
    for (size_t i = 0; shape[i]; i++) {
        if (shape[i] == 'd') assert_true(ts[i] >= '0' && ts[i] <= '9');
        else assert_int_equal(ts[i], shape[i]);
    }
    free(out);
}

static void test_init_fallback(void **state) {
    (void)state;
    zisk_err err;
    /* RUST_LOG-style targets refine the configured level... */
    zlog_config cfg = {.filter = "rpc=debug", .fallback = ZLOG_LEVEL_WARN};
    assert_int_equal(zlog_init(&cfg, &err), 0);
    zlog_set_fd(g_capture);
    assert_true(zlog_enabled(ZLOG_LEVEL_DEBUG, "rpc::client"));
    assert_false(zlog_enabled(ZLOG_LEVEL_INFO, "zisk_worker"));
    assert_true(zlog_enabled(ZLOG_LEVEL_WARN, "zisk_worker"));
    /* ...a bare level replaces it, and no filter means just the fallback (0 = info). */
    cfg.filter = "error";
    assert_int_equal(zlog_init(&cfg, &err), 0);
    assert_false(zlog_enabled(ZLOG_LEVEL_WARN, "zisk_worker"));
    cfg.filter = "";
    cfg.fallback = ZLOG_LEVEL_OFF;
    assert_int_equal(zlog_init(&cfg, &err), 0);
    assert_true(zlog_enabled(ZLOG_LEVEL_INFO, "x"));
    assert_false(ZLOG_ENABLED(ZLOG_LEVEL_DEBUG));
    /* Values outside the enums are refused, not trusted. */
    cfg.format = (zlog_format)7;
    assert_int_equal(zlog_init(&cfg, &err), -1);
    assert_string_equal(err.msg, "invalid log format value 7");
    zlog_set_fd(g_capture);
    ZLOG_KV(ZLOG_LEVEL_INFO, "t", "no fields at all");
    char *out = capture_text();
    assert_contains(out, " INFO t: no fields at all\n");
    free(out);
}

/* ---- Files ---- */

static void test_file_output(void **state) {
    (void)state;
    char path[300];
    path_in_dir(path, sizeof path, "worker.log");
    unlink(path);
    zisk_err err;
    zlog_config cfg = {.filter = "debug", .format = ZLOG_FORMAT_JSON, .file_path = path};
    assert_int_equal(zlog_init(&cfg, &err), 0); /* created */
    ZLOG_DEBUG("zisk_worker", "first");
    zlog_shutdown();
    struct stat st;
    assert_int_equal(stat(path, &st), 0);

    /* Append: the earlier line stays. Text goes to the file only, and without colour. */
    cfg.format = ZLOG_FORMAT_PRETTY;
    assert_int_equal(zlog_init(&cfg, &err), 0);
    ZLOG_INFO("zisk_worker", "second");
    ZLOG_TRACE("zisk_worker", "not shown");
    zlog_shutdown();
    /* After shutdown logging still works, on stderr: point fd 2 at the capture file to see it. */
    int saved = dup(STDERR_FILENO);
    assert_true(saved >= 0);
    assert_int_equal(dup2(g_capture, STDERR_FILENO), STDERR_FILENO);
    ZLOG_INFO("zisk_worker", "after shutdown");
    assert_int_equal(dup2(saved, STDERR_FILENO), STDERR_FILENO);
    close(saved);
    char *c = capture_text();
    assert_contains(c, "  INFO zisk_worker: after shutdown\n");
    free(c);

    char *s = read_path(path);
    assert_int_equal(count_lines(s), 2);
    assert_contains(s, "\"message\":\"first\"}\n");
    assert_contains(s, "  INFO zisk_worker: second\n");
    assert_null(strchr(s, 0x1b));
    assert_not_contains(s, "shutdown");
    free(s);

    /* Unopenable paths: clear errors, previous configuration kept. */
    assert_int_equal(reset(NULL), 0);
    char bad[400];
    path_in_dir(bad, sizeof bad, "no/such/dir/x.log");
    cfg.file_path = bad;
    cfg.filter = "trace";
    assert_int_equal(zlog_init(&cfg, &err), -1);
    assert_contains(err.msg, "cannot open log file '");
    assert_contains(err.msg, "no/such/dir/x.log': No such file or directory");
    assert_false(ZLOG_ENABLED(ZLOG_LEVEL_TRACE)); /* the filter was not applied either */
    assert_int_equal(zlog_set_file(g_dir, &err), -1);
    assert_contains(err.msg, "Is a directory");
    ZLOG_INFO("t", "still captured");
    s = capture_text();
    assert_contains(s, "still captured");
    free(s);

    /* A bad filter in zlog_init is reported and changes nothing. */
    cfg.file_path = NULL;
    cfg.filter = "info,zisk=verbose";
    assert_int_equal(zlog_init(&cfg, &err), -1);
    assert_string_equal(err.msg, "log filter entry 'zisk=verbose': unknown level 'verbose' "
                                 "(expected trace, debug, info, warn, error or off)");
}

static void test_reopen(void **state) {
    (void)state;
    char path[300], moved[300];
    path_in_dir(path, sizeof path, "rot.log");
    path_in_dir(moved, sizeof moved, "rot.log.1");
    unlink(path);
    unlink(moved);
    zisk_err err;
    assert_int_equal(zlog_set_file(path, &err), 0);
    ZLOG_INFO("t", "before");
    assert_int_equal(rename(path, moved), 0);
    ZLOG_INFO("t", "still old");
    assert_int_equal(zlog_reopen(&err), 0);
    ZLOG_INFO("t", "after");
    zlog_shutdown();
    assert_int_equal(zlog_reopen(&err), 0); /* no file: nothing to do */
    char *a = read_path(moved), *b = read_path(path);
    assert_contains(a, "before");
    assert_contains(a, "still old");
    assert_not_contains(a, "after");
    assert_contains(b, "after");
    assert_int_equal(count_lines(b), 1);
    free(a);
    free(b);
}

static void test_dropped_lines(void **state) {
    (void)state;
    int ro = open("/dev/null", O_RDONLY);
    assert_true(ro >= 0);
    uint64_t before = zlog_dropped_lines();
    zlog_set_fd(ro);
    ZLOG_INFO("t", "cannot be written");
    ZLOG_INFO("t", "cannot be written");
    assert_int_equal(zlog_dropped_lines() - before, 2);
    zlog_set_fd(g_capture);
    close(ro);
}

/* ---- Colour ---- */

static void test_color_decision(void **state) {
    (void)state;
    /* Not a terminal: no colour on AUTO even without NO_COLOR. */
    unsetenv("NO_COLOR");
    ZLOG_INFO("t", "plain");
    char *s = capture_text();
    assert_null(strchr(s, 0x1b));
    free(s);
    zlog_set_color(ZLOG_COLOR_ALWAYS);
    ZLOG_INFO("t", "forced");
    s = capture_text();
    assert_contains(s, "\x1b[32m INFO\x1b[0m");
    free(s);

    /* A pseudo-terminal: colour on AUTO unless NO_COLOR is set and not empty. */
    int master = posix_openpt(O_RDWR | O_NOCTTY);
    if (master < 0 || grantpt(master) != 0 || unlockpt(master) != 0) {
        if (master >= 0) close(master);
        skip(); /* no pty support in this sandbox */
    }
    int slave = open(ptsname(master), O_RDWR | O_NOCTTY);
    assert_true(slave >= 0);
    const struct {
        const char *no_color; /* NULL: unset */
        bool want;
    } cases[] = {{NULL, true}, {"", true}, {"1", false}};
    for (size_t i = 0; i < 3; i++) {
        if (cases[i].no_color) setenv("NO_COLOR", cases[i].no_color, 1);
        else unsetenv("NO_COLOR");
        zlog_set_color(ZLOG_COLOR_AUTO);
        zlog_set_fd(slave);
        ZLOG_WARN("t", "tty");
        /* A pty hands the line over in pieces when it likes (a read can return part of it, or
         * just the "\r\n" of the line end): read until this line has ended, 5 s at most. */
        char buf[512];
        size_t got = 0;
        buf[0] = '\0';
        while (got + 1 < sizeof buf) {
            const char *t = strstr(buf, "tty");
            if (t && strchr(t, '\n')) break;
            struct pollfd pfd = {.fd = master, .events = POLLIN};
            assert_int_equal(poll(&pfd, 1, 5000), 1);
            ssize_t n = read(master, buf + got, sizeof buf - 1 - got);
            assert_true(n > 0);
            got += (size_t)n;
            buf[got] = '\0';
        }
        assert_contains(buf, "tty");
        if (cases[i].want) assert_contains(buf, "\x1b[33m WARN\x1b[0m");
        else assert_null(strchr(buf, 0x1b));
    }
    /* NEVER wins over a terminal. */
    unsetenv("NO_COLOR");
    zlog_set_color(ZLOG_COLOR_NEVER);
    ZLOG_WARN("t", "tty");
    char buf[512];
    ssize_t n = read(master, buf, sizeof buf - 1);
    assert_true(n > 0);
    buf[n] = '\0';
    assert_null(strchr(buf, 0x1b));
    zlog_set_fd(g_capture);
    close(slave);
    close(master);
}

/* ---- Rate limiting ---- */

static void test_ratelimit_backoff(void **state) {
    (void)state;
    zlog_ratelimit rl = ZLOG_RATELIMIT_INIT;
    uint64_t sup = 99;
    /* min 5 s, max 20 s: passes at 0, 5, 15, 35, 55, 75 (intervals 5, 10, 20, 20, ...). */
    const double pass_at[] = {0, 5, 15, 35, 55, 75};
    size_t next = 0;
    uint64_t held = 0;
    for (int t10 = 0; t10 <= 800; t10++) { /* an event every 0.1 s for 80 s */
        double now = 1000.0 + t10 / 10.0;
        bool pass = zlog_ratelimit_check_at(&rl, now, 5, 20, &sup);
        bool want = next < 6 && t10 == (int)(pass_at[next] * 10);
        if (pass != want) fail_msg("t=%.1f: pass=%d want=%d", t10 / 10.0, pass, want);
        if (pass) {
            assert_int_equal(sup, held);
            held = 0;
            next++;
        } else {
            held++;
        }
    }
    assert_int_equal(next, 6);

    /* Reset: the next event passes at once and the back-off starts again at the minimum. */
    zlog_ratelimit_reset(&rl);
    assert_true(zlog_ratelimit_check_at(&rl, 2000, 5, 20, &sup));
    assert_int_equal(sup, 0);
    assert_false(zlog_ratelimit_check_at(&rl, 2004.9, 5, 20, &sup));
    assert_true(zlog_ratelimit_check_at(&rl, 2005, 5, 20, &sup));
    assert_int_equal(sup, 1);

    /* min == max: a plain "once every N seconds". */
    zlog_ratelimit every = ZLOG_RATELIMIT_INIT;
    int passes = 0;
    for (int t = 0; t < 100; t++) passes += zlog_ratelimit_check_at(&every, t, 10, 10, NULL);
    assert_int_equal(passes, 10);

    /* Nonsense intervals are clamped, never poison the state. */
    zlog_ratelimit odd = ZLOG_RATELIMIT_INIT;
    assert_true(zlog_ratelimit_check_at(&odd, 0, 0.0 / 0.0, -1, &sup));
    assert_true(zlog_ratelimit_check_at(&odd, 0, 0.0 / 0.0, -1, &sup)); /* interval 0 */
    assert_true(zlog_ratelimit_check_at(&odd, 1, 10, 1, &sup));
    assert_false(zlog_ratelimit_check_at(&odd, 5, 10, 1, &sup)); /* max < min: min used */
    assert_true(zlog_ratelimit_check_at(&odd, 11, 10, 1, &sup));
}

static void test_ratelimit_macro(void **state) {
    (void)state;
    zlog_ratelimit rl = ZLOG_RATELIMIT_INIT;
    /* Real time: the first passes, the next 99 within a second are held back. */
    for (int i = 0; i < 100; i++)
        ZLOG_RATELIMITED(&rl, 3600, 3600, ZLOG_LEVEL_WARN, "zisk_worker::conn",
                        "cannot reach coordinator (try %d)", i);
    rl.next_at = 0; /* pretend the interval has passed */
    ZLOG_RATELIMITED(&rl, 3600, 3600, ZLOG_LEVEL_WARN, "zisk_worker::conn",
                    "cannot reach coordinator (try %d)", 100);
    char *out = capture_text();
    assert_int_equal(count_lines(out), 2);
    assert_contains(out, "cannot reach coordinator (try 0)\n");
    assert_contains(out, "cannot reach coordinator (try 100) suppressed=99\n");
    free(out);

    /* Disabled level: nothing is counted. */
    zlog_ratelimit quiet = ZLOG_RATELIMIT_INIT;
    ZLOG_RATELIMITED(&quiet, 1, 1, ZLOG_LEVEL_DEBUG, "t", "x");
    assert_false(quiet.started);
}

/* ---- Threads ---- */

#define N_THREADS 8
#define N_LINES 400

static void *writer(void *arg) {
    int id = (int)(intptr_t)arg;
    char pad[200];
    memset(pad, 'a' + id, sizeof pad - 1);
    pad[sizeof pad - 1] = '\0';
    for (int i = 0; i < N_LINES; i++)
        ZLOG_FIELDS(ZLOG_LEVEL_INFO, "zisk_worker", ((zlog_field[]){ZLOG_F_I64("thread", id),
                   ZLOG_F_I64("i", i), ZLOG_F_STR("pad", pad)}), 3, "line %d of %d", i, id);
    return NULL;
}

static void test_threads(void **state) {
    (void)state;
    char path[300];
    path_in_dir(path, sizeof path, "threads.log");
    unlink(path);
    zisk_err err;
    zlog_config cfg = {.format = ZLOG_FORMAT_JSON, .file_path = path};
    assert_int_equal(zlog_init(&cfg, &err), 0);
    pthread_t th[N_THREADS];
    for (int i = 0; i < N_THREADS; i++)
        assert_int_equal(pthread_create(&th[i], NULL, writer, (void *)(intptr_t)i), 0);
    /* Reconfigure while they write: must not tear lines or crash. */
    for (int i = 0; i < 50; i++) {
        zlog_set_format(ZLOG_FORMAT_JSON);
        zlog_set_level(ZLOG_LEVEL_INFO);
    }
    for (int i = 0; i < N_THREADS; i++) pthread_join(th[i], NULL);
    zlog_shutdown();
    char *s = read_path(path);
    assert_int_equal(check_json_lines(s), N_THREADS * N_LINES);
    free(s);
}

/* ---- Main ---- */

int main(void) {
    snprintf(g_dir, sizeof g_dir, "%s/zisk-log-test-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(g_dir)) {
        perror("mkdtemp");
        return 1;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_level_names),
        cmocka_unit_test(test_format_names),
        cmocka_unit_test(test_filter_parse_valid),
        cmocka_unit_test(test_filter_parse_invalid),
        cmocka_unit_test(test_filter_prefix_matching),
        cmocka_unit_test(test_format_exact),
        cmocka_unit_test(test_utf8_decoder),
        cmocka_unit_test(test_json_escaping),
        cmocka_unit_test(test_text_escaping),
        cmocka_unit_test(test_random_inputs),
        cmocka_unit_test_setup(test_truncation, reset),
        cmocka_unit_test_setup(test_levels_and_cheap_check, reset),
        cmocka_unit_test_setup(test_filter_end_to_end, reset),
        cmocka_unit_test_setup(test_json_end_to_end, reset),
        cmocka_unit_test_setup(test_init_fallback, reset),
        cmocka_unit_test_setup(test_file_output, reset),
        cmocka_unit_test_setup(test_reopen, reset),
        cmocka_unit_test_setup(test_dropped_lines, reset),
        cmocka_unit_test_setup(test_color_decision, reset),
        cmocka_unit_test(test_ratelimit_backoff),
        cmocka_unit_test_setup(test_ratelimit_macro, reset),
        cmocka_unit_test_setup(test_threads, reset),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    zlog_shutdown();
    if (g_capture >= 0) close(g_capture);
    /* Leave the directory for inspection when something failed. */
    if (!failed) {
        const char *names[] = {"capture.log", "worker.log", "rot.log", "rot.log.1", "threads.log"};
        for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
            char p[300];
            path_in_dir(p, sizeof p, names[i]);
            unlink(p);
        }
        rmdir(g_dir);
    }
    return failed ? 1 : 0;
}
