/*
 * test_toml.c: unit and rejection tests for the TOML 1.0 parser (src/toml).
 *
 * Valid documents are checked value by value through the public API; invalid ones must fail with
 * a message that names the problem (a fragment of it is checked) and, for many, the exact
 * "t.toml:LINE:COL:" where it is. The cases include the examples of the TOML 1.0 specification,
 * written from its text (valid and "INVALID" ones alike).
 *
 * TOML_TEST_VERBOSE=1 prints every rejection message, to review their wording.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "toml.h"

/* ------------------------------------------------------------------------------- helpers */

static toml_doc *parse_len(const char *src, size_t len) {
    toml_doc *d = NULL;
    zisk_err e;
    e.msg[0] = 0;
    if (toml_parse(src, len, "t.toml", &d, &e) != 0) fail_msg("unexpected error: %s\n--- source:\n%s", e.msg, src);
    assert_non_null(d);
    return d;
}

static toml_doc *parse(const char *src) {
    return parse_len(src, strlen(src));
}

/* Expects a rejection whose message contains frag; line/col of 0 are not checked. */
static void reject_len(const char *src, size_t len, unsigned line, unsigned col, const char *frag) {
    toml_doc *d = (toml_doc *)1;
    zisk_err e;
    memset(&e, 0, sizeof e);
    int rc = toml_parse(src, len, "t.toml", &d, &e);
    if (getenv("TOML_TEST_VERBOSE")) printf("  %-48.48s -> %s\n", src, e.msg);
    if (rc == 0) {
        toml_free(d);
        fail_msg("accepted an invalid document:\n%s", src);
    }
    assert_int_equal(rc, -1);
    assert_null(d);
    assert_true(strncmp(e.msg, "t.toml:", 7) == 0);
    if (line) {
        char where[32];
        snprintf(where, sizeof where, "t.toml:%u:%u: ", line, col);
        if (strncmp(e.msg, where, strlen(where)) != 0)
            fail_msg("expected the error at %s got: %s\n--- source:\n%s", where, e.msg, src);
    }
    if (frag && !strstr(e.msg, frag))
        fail_msg("expected '%s' in the message, got: %s\n--- source:\n%s", frag, e.msg, src);
}

static void reject_at(const char *src, unsigned line, unsigned col, const char *frag) {
    reject_len(src, strlen(src), line, col, frag);
}

static void reject(const char *src, const char *frag) {
    reject_len(src, strlen(src), 0, 0, frag);
}

static const toml_node *get(const toml_doc *d, const char *path, toml_type t) {
    const toml_node *n = toml_get(d, path);
    if (!n) fail_msg("path '%s' not found", path);
    if (toml_type_of(n) != t)
        fail_msg("path '%s' is a %s, expected %s", path, toml_type_name(toml_type_of(n)), toml_type_name(t));
    return n;
}

static int64_t get_int(const toml_doc *d, const char *path) {
    return toml_int(get(d, path, TOML_INTEGER));
}

static double get_float(const toml_doc *d, const char *path) {
    return toml_float(get(d, path, TOML_FLOAT));
}

static const char *get_str(const toml_doc *d, const char *path) {
    return toml_str(get(d, path, TOML_STRING), NULL);
}

static void assert_str_node(const toml_node *n, const char *want, size_t want_len) {
    assert_non_null(n);
    assert_int_equal(toml_type_of(n), TOML_STRING);
    size_t len;
    const char *s = toml_str(n, &len);
    assert_int_equal(len, want_len);
    assert_memory_equal(s, want, want_len);
    assert_int_equal(s[len], 0);
}

/* ------------------------------------------------------------------------- valid: basics */

static void test_empty_and_comments(void **state) {
    (void)state;
    const char *docs[] = {"", "\n", "   \t  ", "# only a comment", "# c\n\n  # c2\r\n\t\n",
                          "\xEF\xBB\xBF# after a byte-order mark\n", "a = 1 # trailing comment"};
    for (size_t i = 0; i < sizeof docs / sizeof *docs; i++) {
        toml_doc *d = parse(docs[i]);
        const toml_node *root = toml_root(d);
        assert_int_equal(toml_type_of(root), TOML_TABLE);
        assert_int_equal(toml_len(root), i == 6 ? 1 : 0);
        toml_free(d);
    }
    toml_doc *d = NULL;
    assert_int_equal(toml_parse(NULL, 0, NULL, &d, NULL), 0);
    assert_string_equal(toml_doc_name(d), "<toml>");
    toml_free(d);
    toml_free(NULL);
}

static void test_keys(void **state) {
    (void)state;
    toml_doc *d = parse("key = \"value\"\n"
                        "bare_key = 1\n"
                        "bare-key = 2\n"
                        "1234 = 3\n"
                        "\"127.0.0.1\" = 4\n"
                        "\"character encoding\" = 5\n"
                        "\"ʎǝʞ\" = 6\n"
                        "'key2' = 7\n"
                        "'quoted \"value\"' = 8\n"
                        "\"\" = 9\n"
                        "physical.color = \"orange\"\n"
                        "physical.shape = \"round\"\n"
                        "site.\"google.com\" = true\n"
                        "fruit . flavor = \"banana\"\n"
                        "3.14159 = \"pi\"\n"
                        "\"\\u0041\" = 10\n"
                        "-_- = 11\n");
    assert_string_equal(get_str(d, "key"), "value");
    assert_int_equal(get_int(d, "bare_key"), 1);
    assert_int_equal(get_int(d, "bare-key"), 2);
    assert_int_equal(get_int(d, "1234"), 3);
    assert_int_equal(get_int(d, "\"127.0.0.1\""), 4);
    assert_int_equal(get_int(d, "'127.0.0.1'"), 4);
    assert_int_equal(get_int(d, "\"character encoding\""), 5);
    assert_int_equal(get_int(d, "\"ʎǝʞ\""), 6);
    assert_int_equal(get_int(d, "key2"), 7);
    assert_int_equal(get_int(d, "'quoted \"value\"'"), 8);
    assert_int_equal(get_int(d, "\"\""), 9);
    assert_string_equal(get_str(d, "physical.color"), "orange");
    assert_string_equal(get_str(d, "physical . shape"), "round");
    assert_true(toml_bool(get(d, "site.\"google.com\"", TOML_BOOLEAN)));
    assert_string_equal(get_str(d, "fruit.flavor"), "banana");
    /* 3.14159 as a key is the table "3" with the key "14159" */
    assert_string_equal(get_str(d, "3.14159"), "pi");
    get(d, "3", TOML_TABLE);
    assert_int_equal(get_int(d, "A"), 10); /* "\u0041" is the same key as A */
    assert_int_equal(get_int(d, "-_-"), 11);
    /* keys of the root in file order */
    const toml_node *root = toml_root(d);
    const char *order[] = {"key", "bare_key", "bare-key", "1234", "127.0.0.1", "character encoding", "ʎǝʞ",
                           "key2", "quoted \"value\"", "", "physical", "site", "fruit", "3", "A", "-_-"};
    assert_int_equal(toml_len(root), sizeof order / sizeof *order);
    for (size_t i = 0; i < toml_len(root); i++) {
        size_t len;
        const char *k = toml_key_at(root, i, &len);
        assert_string_equal(k, order[i]);
        assert_int_equal(len, strlen(order[i]));
    }
    /* a key with a dot, taken literally */
    assert_non_null(toml_table_get(root, "127.0.0.1", 9));
    assert_null(toml_table_get(root, "127", 3));
    toml_free(d);
}

static void test_lookup_paths(void **state) {
    (void)state;
    toml_doc *d = parse("[worker.compute_capacity]\ncompute_units = 10\n"
                        "[servers.\"alpha.example\"]\nip = \"10.0.0.1\"\n"
                        "[[arr]]\nx = 1\n"
                        "nul = \"a\\u0000b\"\n"
                        "\"a\\u0000b\" = 3\n");
    assert_int_equal(get_int(d, "worker.compute_capacity.compute_units"), 10);
    assert_int_equal(get_int(d, " worker . compute_capacity . compute_units "), 10);
    assert_int_equal(get_int(d, "worker.'compute_capacity'.\"compute_units\""), 10);
    assert_string_equal(get_str(d, "servers.\"alpha.example\".ip"), "10.0.0.1");
    assert_null(toml_get(d, "servers.alpha.example.ip"));
    assert_null(toml_get(d, "worker.missing"));
    assert_null(toml_get(d, "worker.compute_capacity.compute_units.deeper")); /* crosses an int */
    assert_null(toml_get(d, "arr.x")); /* arrays are not indexed by paths */
    assert_null(toml_get(d, ""));
    assert_null(toml_get(d, "worker."));
    assert_null(toml_get(d, ".worker"));
    assert_null(toml_get(d, "worker..compute_capacity"));
    assert_null(toml_get(d, "worker compute_capacity"));
    assert_null(toml_get(d, "\"unterminated"));
    assert_null(toml_get(d, "bad\xff"));
    const toml_node *w = get(d, "worker", TOML_TABLE);
    assert_int_equal(toml_int(toml_lookup(w, "compute_capacity.compute_units")), 10);
    assert_null(toml_lookup(toml_get(d, "worker.compute_capacity.compute_units"), "x"));
    const toml_node *arr = get(d, "arr", TOML_ARRAY);
    assert_true(toml_is_array_of_tables(arr));
    assert_int_equal(toml_len(arr), 1);
    const toml_node *e0 = toml_at(arr, 0);
    assert_int_equal(toml_int(toml_lookup(e0, "x")), 1);
    assert_str_node(toml_lookup(e0, "nul"), "a\0b", 3);
    assert_int_equal(toml_int(toml_table_get(e0, "a\0b", 3)), 3);
    assert_null(toml_table_get(e0, "a", 1));
    toml_free(d);
}

/* ---------------------------------------------------------------------------- valid: strings */

static void test_basic_strings(void **state) {
    (void)state;
    toml_doc *d = parse("s1 = \"I'm a string. \\\"You can quote me\\\". Name\\tJos\\u00E9\\nLocation\\tSF.\"\n"
                        "esc = \"\\b\\t\\n\\f\\r\\\"\\\\\"\n"
                        "u4 = \"\\u0041\\u00e9\\u20AC\\uD7FF\\uE000\\uFFFF\"\n"
                        "u8 = \"\\U0001F600\\U0010FFFF\\U00000041\"\n"
                        "nul = \"a\\u0000b\"\n"
                        "tab = \"a\tb\"\n"
                        "utf8 = \"日本語 ñ\"\n"
                        "empty = \"\"\n"
                        "hash = \"# not a comment\"\n");
    assert_string_equal(get_str(d, "s1"), "I'm a string. \"You can quote me\". Name\tJos\xC3\xA9\nLocation\tSF.");
    assert_string_equal(get_str(d, "esc"), "\b\t\n\f\r\"\\");
    assert_string_equal(get_str(d, "u4"), "A\xC3\xA9\xE2\x82\xAC\xED\x9F\xBF\xEE\x80\x80\xEF\xBF\xBF");
    assert_string_equal(get_str(d, "u8"), "\xF0\x9F\x98\x80\xF4\x8F\xBF\xBF" "A");
    assert_str_node(toml_get(d, "nul"), "a\0b", 3);
    assert_string_equal(get_str(d, "tab"), "a\tb");
    assert_string_equal(get_str(d, "utf8"), "日本語 ñ");
    assert_str_node(toml_get(d, "empty"), "", 0);
    assert_string_equal(get_str(d, "hash"), "# not a comment");
    toml_free(d);
}

static void test_multiline_basic_strings(void **state) {
    (void)state;
    toml_doc *d = parse("str1 = \"\"\"\nRoses are red\nViolets are blue\"\"\"\n"
                        /* the three forms the spec says are equivalent */
                        "a = \"The quick brown fox jumps over the lazy dog.\"\n"
                        "b = \"\"\"\nThe quick brown \\\n\n\n  fox jumps over \\\n    the lazy dog.\"\"\"\n"
                        "c = \"\"\"\\\n       The quick brown \\\n       fox jumps over \\\n"
                        "       the lazy dog.\\\n       \"\"\"\n"
                        "q4 = \"\"\"Here are two quotation marks: \"\". Simple enough.\"\"\"\n"
                        "q5 = \"\"\"Here are three quotation marks: \"\"\\\".\"\"\"\n"
                        "q15 = \"\"\"Here are fifteen quotation marks: \"\"\\\"\"\"\\\"\"\"\\\"\"\"\\\"\"\"\\\".\"\"\"\n"
                        "q6 = \"\"\"\"This,\" she said, \"is just a pointless statement.\"\"\"\"\n"
                        "end1 = \"\"\"x\"\"\"\"\n"
                        "end2 = \"\"\"x\"\"\"\"\"\n"
                        "ws_bs = \"\"\"a \\   \n   b\"\"\"\n"
                        "crlf = \"\"\"\r\nline1\r\nline2\\\r\n  cont\"\"\"\n"
                        "no_trim = \"\"\"  \nx\"\"\"\n"
                        "empty = \"\"\"\"\"\"\n"
                        "esc = \"\"\"\\t\\u0041\"\"\"\n");
    assert_string_equal(get_str(d, "str1"), "Roses are red\nViolets are blue");
    const char *fox = "The quick brown fox jumps over the lazy dog.";
    assert_string_equal(get_str(d, "a"), fox);
    assert_string_equal(get_str(d, "b"), fox);
    assert_string_equal(get_str(d, "c"), fox);
    assert_string_equal(get_str(d, "q4"), "Here are two quotation marks: \"\". Simple enough.");
    assert_string_equal(get_str(d, "q5"), "Here are three quotation marks: \"\"\".");
    assert_string_equal(get_str(d, "q15"), "Here are fifteen quotation marks: \"\"\"\"\"\"\"\"\"\"\"\"\"\"\".");
    assert_string_equal(get_str(d, "q6"), "\"This,\" she said, \"is just a pointless statement.\"");
    assert_string_equal(get_str(d, "end1"), "x\"");
    assert_string_equal(get_str(d, "end2"), "x\"\"");
    assert_string_equal(get_str(d, "ws_bs"), "a b");
    assert_string_equal(get_str(d, "crlf"), "line1\nline2cont"); /* CRLF normalised to LF */
    assert_string_equal(get_str(d, "no_trim"), "  \nx");
    assert_string_equal(get_str(d, "empty"), "");
    assert_string_equal(get_str(d, "esc"), "\tA");
    toml_free(d);
}

static void test_literal_strings(void **state) {
    (void)state;
    toml_doc *d = parse("winpath  = 'C:\\Users\\nodejs\\templates'\n"
                        "winpath2 = '\\\\ServerX\\admin$\\system32\\'\n"
                        "quoted   = 'Tom \"Dubs\" Preston-Werner'\n"
                        "regex    = '<\\i\\c*\\s*>'\n"
                        "regex2 = '''I [dw]on't need \\d{2} apples'''\n"
                        "lines  = '''\nThe first newline is\ntrimmed in raw strings.\n   All other whitespace\n"
                        "   is preserved.\n'''\n"
                        "quot15 = '''Here are fifteen quotation marks: \"\"\"\"\"\"\"\"\"\"\"\"\"\"\"'''\n"
                        "apos15 = \"Here are fifteen apostrophes: '''''''''''''''\"\n"
                        "str = ''''That,' she said, 'is still pointless.''''\n"
                        "tab = 'a\tb'\n"
                        "empty = ''\n"
                        "mlempty = ''''''\n"
                        "bs_nl = '''a\\\nb'''\n");
    assert_string_equal(get_str(d, "winpath"), "C:\\Users\\nodejs\\templates");
    assert_string_equal(get_str(d, "winpath2"), "\\\\ServerX\\admin$\\system32\\");
    assert_string_equal(get_str(d, "quoted"), "Tom \"Dubs\" Preston-Werner");
    assert_string_equal(get_str(d, "regex"), "<\\i\\c*\\s*>");
    assert_string_equal(get_str(d, "regex2"), "I [dw]on't need \\d{2} apples");
    assert_string_equal(get_str(d, "lines"),
                        "The first newline is\ntrimmed in raw strings.\n   All other whitespace\n   is preserved.\n");
    assert_string_equal(get_str(d, "quot15"), "Here are fifteen quotation marks: \"\"\"\"\"\"\"\"\"\"\"\"\"\"\"");
    assert_string_equal(get_str(d, "apos15"), "Here are fifteen apostrophes: '''''''''''''''");
    assert_string_equal(get_str(d, "str"), "'That,' she said, 'is still pointless.'");
    assert_string_equal(get_str(d, "tab"), "a\tb");
    assert_string_equal(get_str(d, "empty"), "");
    assert_string_equal(get_str(d, "mlempty"), "");
    assert_string_equal(get_str(d, "bs_nl"), "a\\\nb"); /* no line-ending backslash in literals */
    toml_free(d);
}

/* --------------------------------------------------------------------------- valid: numbers */

static void test_integers(void **state) {
    (void)state;
    toml_doc *d = parse("int1 = +99\nint2 = 42\nint3 = 0\nint4 = -17\n"
                        "int5 = 1_000\nint6 = 5_349_221\nint7 = 53_49_221\nint8 = 1_2_3_4_5\n"
                        "hex1 = 0xDEADBEEF\nhex2 = 0xdeadbeef\nhex3 = 0xdead_beef\n"
                        "oct1 = 0o01234567\noct2 = 0o755\nbin1 = 0b11010110\n"
                        "max = 9223372036854775807\nmin = -9223372036854775808\n"
                        "hexmax = 0x7FFF_FFFF_FFFF_FFFF\noctmax = 0o777777777777777777777\n"
                        "binmax = 0b111111111111111111111111111111111111111111111111111111111111111\n"
                        "pz = +0\nnz = -0\nhz = 0x0\nlz = 0x00000001\n");
    assert_int_equal(get_int(d, "int1"), 99);
    assert_int_equal(get_int(d, "int2"), 42);
    assert_int_equal(get_int(d, "int3"), 0);
    assert_int_equal(get_int(d, "int4"), -17);
    assert_int_equal(get_int(d, "int5"), 1000);
    assert_int_equal(get_int(d, "int6"), 5349221);
    assert_int_equal(get_int(d, "int7"), 5349221);
    assert_int_equal(get_int(d, "int8"), 12345);
    assert_int_equal(get_int(d, "hex1"), 0xDEADBEEF);
    assert_int_equal(get_int(d, "hex2"), 0xDEADBEEF);
    assert_int_equal(get_int(d, "hex3"), 0xDEADBEEF);
    assert_int_equal(get_int(d, "oct1"), 01234567);
    assert_int_equal(get_int(d, "oct2"), 0755);
    assert_int_equal(get_int(d, "bin1"), 214);
    assert_true(get_int(d, "max") == INT64_MAX);
    assert_true(get_int(d, "min") == INT64_MIN);
    assert_true(get_int(d, "hexmax") == INT64_MAX);
    assert_true(get_int(d, "octmax") == INT64_MAX);
    assert_true(get_int(d, "binmax") == INT64_MAX);
    assert_int_equal(get_int(d, "pz"), 0);
    assert_int_equal(get_int(d, "nz"), 0);
    assert_int_equal(get_int(d, "hz"), 0);
    assert_int_equal(get_int(d, "lz"), 1);
    toml_free(d);
}

static void test_floats(void **state) {
    (void)state;
    toml_doc *d = parse("flt1 = +1.0\nflt2 = 3.1415\nflt3 = -0.01\n"
                        "flt4 = 5e+22\nflt5 = 1e06\nflt6 = -2E-22\n"
                        "flt7 = 6.626e-34\nflt8 = 224_617.445_991_228\n"
                        "sf1 = inf\nsf2 = +inf\nsf3 = -inf\nsf4 = nan\nsf5 = +nan\nsf6 = -nan\n"
                        "zero = 0.0\npz = +0.0\nnz = -0.0\nze = 0e0\nexp_us = 1e1_0\n"
                        "tiny = 1e-400\nbig = 1.7976931348623157e308\narr = [1.5,2.5]\n");
    assert_true(get_float(d, "flt1") == 1.0);
    assert_true(get_float(d, "flt2") == 3.1415);
    assert_true(get_float(d, "flt3") == -0.01);
    assert_true(get_float(d, "flt4") == 5e22);
    assert_true(get_float(d, "flt5") == 1e6);
    assert_true(get_float(d, "flt6") == -2e-22);
    assert_true(get_float(d, "flt7") == 6.626e-34);
    assert_true(get_float(d, "flt8") == 224617.445991228);
    assert_true(isinf(get_float(d, "sf1")) && get_float(d, "sf1") > 0);
    assert_true(isinf(get_float(d, "sf2")) && get_float(d, "sf2") > 0);
    assert_true(isinf(get_float(d, "sf3")) && get_float(d, "sf3") < 0);
    assert_true(isnan(get_float(d, "sf4")));
    assert_true(isnan(get_float(d, "sf5")));
    assert_true(isnan(get_float(d, "sf6")) && signbit(get_float(d, "sf6")));
    assert_true(get_float(d, "zero") == 0.0 && !signbit(get_float(d, "zero")));
    assert_true(get_float(d, "pz") == 0.0 && !signbit(get_float(d, "pz")));
    assert_true(get_float(d, "nz") == 0.0 && signbit(get_float(d, "nz")));
    assert_true(get_float(d, "ze") == 0.0);
    assert_true(get_float(d, "exp_us") == 1e10);
    assert_true(get_float(d, "tiny") == 0.0); /* underflow rounds to zero; only overflow is refused */
    assert_true(get_float(d, "big") == 1.7976931348623157e308);
    toml_free(d);
}

static void test_booleans(void **state) {
    (void)state;
    toml_doc *d = parse("t = true\nf = false\na = [true,false]\n");
    assert_true(toml_bool(get(d, "t", TOML_BOOLEAN)));
    assert_false(toml_bool(get(d, "f", TOML_BOOLEAN)));
    const toml_node *a = get(d, "a", TOML_ARRAY);
    assert_true(toml_bool(toml_at(a, 0)));
    assert_false(toml_bool(toml_at(a, 1)));
    toml_free(d);
}

static void check_dt(const toml_doc *d, const char *path, toml_type type, const char *text, int y, int mo,
                     int da, int h, int mi, int s, uint32_t ns, int off) {
    const toml_node *n = get(d, path, type);
    assert_string_equal(toml_str(n, NULL), text);
    const toml_datetime *dt = toml_datetime_of(n);
    assert_int_equal(dt->year, y);
    assert_int_equal(dt->month, mo);
    assert_int_equal(dt->day, da);
    assert_int_equal(dt->hour, h);
    assert_int_equal(dt->minute, mi);
    assert_int_equal(dt->second, s);
    assert_int_equal(dt->nanosecond, ns);
    assert_int_equal(dt->offset_minutes, off);
}

static void test_datetimes(void **state) {
    (void)state;
    toml_doc *d = parse("odt1 = 1979-05-27T07:32:00Z\n"
                        "odt2 = 1979-05-27T00:32:00-07:00\n"
                        "odt3 = 1979-05-27T00:32:00.999999-07:00\n"
                        "odt4 = 1979-05-27 07:32:00Z\n"
                        "odt5 = 1979-05-27t07:32:00z\n"
                        "odt6 = 2000-02-29T23:59:60+05:30\n"
                        "ldt1 = 1979-05-27T07:32:00\n"
                        "ldt2 = 1979-05-27T00:32:00.999999\n"
                        "ldt3 = 1979-05-27 00:32:00.1234567891234\n"
                        "ld1 = 1979-05-27\n"
                        "ld2 = 2024-02-29 # a date then a comment\n"
                        "lt1 = 07:32:00\n"
                        "lt2 = 00:32:00.999999\n"
                        "arr = [1979-05-27, 07:32:00, 1979-05-27 07:32:00]\n"
                        "inl = {a = 1979-05-27 07:32:00Z, b = 00:00:00}\n");
    check_dt(d, "odt1", TOML_OFFSET_DATETIME, "1979-05-27T07:32:00Z", 1979, 5, 27, 7, 32, 0, 0, 0);
    check_dt(d, "odt2", TOML_OFFSET_DATETIME, "1979-05-27T00:32:00-07:00", 1979, 5, 27, 0, 32, 0, 0, -420);
    check_dt(d, "odt3", TOML_OFFSET_DATETIME, "1979-05-27T00:32:00.999999-07:00", 1979, 5, 27, 0, 32, 0,
             999999000, -420);
    check_dt(d, "odt4", TOML_OFFSET_DATETIME, "1979-05-27 07:32:00Z", 1979, 5, 27, 7, 32, 0, 0, 0);
    check_dt(d, "odt5", TOML_OFFSET_DATETIME, "1979-05-27t07:32:00z", 1979, 5, 27, 7, 32, 0, 0, 0);
    check_dt(d, "odt6", TOML_OFFSET_DATETIME, "2000-02-29T23:59:60+05:30", 2000, 2, 29, 23, 59, 60, 0, 330);
    check_dt(d, "ldt1", TOML_LOCAL_DATETIME, "1979-05-27T07:32:00", 1979, 5, 27, 7, 32, 0, 0, 0);
    check_dt(d, "ldt2", TOML_LOCAL_DATETIME, "1979-05-27T00:32:00.999999", 1979, 5, 27, 0, 32, 0, 999999000, 0);
    check_dt(d, "ldt3", TOML_LOCAL_DATETIME, "1979-05-27 00:32:00.1234567891234", 1979, 5, 27, 0, 32, 0,
             123456789, 0);
    check_dt(d, "ld1", TOML_LOCAL_DATE, "1979-05-27", 1979, 5, 27, 0, 0, 0, 0, 0);
    check_dt(d, "ld2", TOML_LOCAL_DATE, "2024-02-29", 2024, 2, 29, 0, 0, 0, 0, 0);
    check_dt(d, "lt1", TOML_LOCAL_TIME, "07:32:00", 0, 0, 0, 7, 32, 0, 0, 0);
    check_dt(d, "lt2", TOML_LOCAL_TIME, "00:32:00.999999", 0, 0, 0, 0, 32, 0, 999999000, 0);
    const toml_node *a = get(d, "arr", TOML_ARRAY);
    assert_int_equal(toml_type_of(toml_at(a, 0)), TOML_LOCAL_DATE);
    assert_int_equal(toml_type_of(toml_at(a, 1)), TOML_LOCAL_TIME);
    assert_int_equal(toml_type_of(toml_at(a, 2)), TOML_LOCAL_DATETIME);
    get(d, "inl.a", TOML_OFFSET_DATETIME);
    get(d, "inl.b", TOML_LOCAL_TIME);
    toml_free(d);
}

/* -------------------------------------------------------------------- valid: arrays, tables */

static void test_arrays(void **state) {
    (void)state;
    toml_doc *d = parse("integers = [ 1, 2, 3 ]\n"
                        "colors = [ \"red\", \"yellow\", \"green\" ]\n"
                        "nested_arrays_of_ints = [ [ 1, 2 ], [3, 4, 5] ]\n"
                        "nested_mixed_array = [ [ 1, 2 ], [\"a\", \"b\", \"c\"] ]\n"
                        "string_array = [ \"all\", 'strings', \"\"\"are the same\"\"\", '''type''' ]\n"
                        "numbers = [ 0.1, 0.2, 0.5, 1, 2, 5 ]\n"
                        "contributors = [\n  \"Foo Bar <foo@example.com>\",\n"
                        "  { name = \"Baz Qux\", email = \"bazqux@example.com\", url = \"https://example.com/bazqux\" }\n]\n"
                        "integers2 = [\n  1, 2, 3\n]\n"
                        "integers3 = [\n  1,\n  2, # this is ok\n]\n"
                        "empty = []\n"
                        "empty2 = [ # comment\n\n]\n"
                        "crlf = [\r\n 1,\r\n 2\r\n]\r\n"
                        "deep = [[[[[]]]]]\n"
                        "tables = [{a = 1}, {b = {c = 2}}]\n");
    const toml_node *a = get(d, "integers", TOML_ARRAY);
    assert_int_equal(toml_len(a), 3);
    assert_false(toml_is_array_of_tables(a));
    for (size_t i = 0; i < 3; i++) assert_int_equal(toml_int(toml_at(a, i)), (int64_t)i + 1);
    a = get(d, "colors", TOML_ARRAY);
    assert_str_node(toml_at(a, 2), "green", 5);
    a = get(d, "nested_mixed_array", TOML_ARRAY);
    assert_int_equal(toml_len(toml_at(a, 0)), 2);
    assert_str_node(toml_at(toml_at(a, 1), 2), "c", 1);
    a = get(d, "string_array", TOML_ARRAY);
    assert_int_equal(toml_len(a), 4);
    assert_str_node(toml_at(a, 2), "are the same", 12);
    a = get(d, "numbers", TOML_ARRAY);
    assert_int_equal(toml_type_of(toml_at(a, 0)), TOML_FLOAT);
    assert_int_equal(toml_type_of(toml_at(a, 3)), TOML_INTEGER);
    a = get(d, "contributors", TOML_ARRAY);
    assert_int_equal(toml_type_of(toml_at(a, 1)), TOML_TABLE);
    assert_string_equal(toml_str(toml_lookup(toml_at(a, 1), "email"), NULL), "bazqux@example.com");
    assert_int_equal(toml_len(get(d, "integers2", TOML_ARRAY)), 3);
    assert_int_equal(toml_len(get(d, "integers3", TOML_ARRAY)), 2);
    assert_int_equal(toml_len(get(d, "empty", TOML_ARRAY)), 0);
    assert_int_equal(toml_len(get(d, "empty2", TOML_ARRAY)), 0);
    assert_int_equal(toml_len(get(d, "crlf", TOML_ARRAY)), 2);
    a = get(d, "deep", TOML_ARRAY);
    for (int i = 0; i < 4; i++) {
        assert_int_equal(toml_len(a), 1);
        a = toml_at(a, 0);
    }
    assert_int_equal(toml_len(a), 0);
    a = get(d, "tables", TOML_ARRAY);
    assert_int_equal(toml_int(toml_lookup(toml_at(a, 1), "b.c")), 2);
    toml_free(d);
}

static void test_tables(void **state) {
    (void)state;
    toml_doc *d = parse("[table-1]\nkey1 = \"some string\"\nkey2 = 123\n\n"
                        "[table-2]\nkey1 = \"another string\"\nkey2 = 456\n"
                        "[dog.\"tater.man\"]\ntype.name = \"pug\"\n"
                        "[a.b.c]\n[ d.e.f ]\n[ g .  h  . i ]\n[ j . \"ʞ\" . 'l' ]\n"
                        /* super-tables need not be defined first, and may be defined after */
                        "[x.y.z.w]\n[x]\nq = 1\n"
                        /* a sub-table of a table defined by dotted keys */
                        "[fruit]\napple.color = \"red\"\napple.taste.sweet = true\n"
                        "[fruit.apple.texture]\nsmooth = true\n"
                        "[empty]\n");
    assert_string_equal(get_str(d, "table-1.key1"), "some string");
    assert_int_equal(get_int(d, "table-2.key2"), 456);
    assert_string_equal(get_str(d, "dog.\"tater.man\".type.name"), "pug");
    get(d, "a.b.c", TOML_TABLE);
    get(d, "d.e.f", TOML_TABLE);
    get(d, "g.h.i", TOML_TABLE);
    get(d, "j.\"ʞ\".l", TOML_TABLE);
    get(d, "x.y.z.w", TOML_TABLE);
    assert_int_equal(get_int(d, "x.q"), 1);
    assert_string_equal(get_str(d, "fruit.apple.color"), "red");
    assert_true(toml_bool(get(d, "fruit.apple.taste.sweet", TOML_BOOLEAN)));
    assert_true(toml_bool(get(d, "fruit.apple.texture.smooth", TOML_BOOLEAN)));
    assert_int_equal(toml_len(get(d, "empty", TOML_TABLE)), 0);
    /* x keeps its place (first mention) in the root's key order, and y stays before q */
    const toml_node *x = get(d, "x", TOML_TABLE);
    assert_string_equal(toml_key_at(x, 0, NULL), "y");
    assert_string_equal(toml_key_at(x, 1, NULL), "q");
    toml_free(d);

    /* the root table's keys come before any header */
    d = parse("name = \"Fido\"\nbreed = \"pug\"\n[owner]\nname = \"Regina Dogman\"\nmember_since = 1999-08-04\n");
    assert_string_equal(get_str(d, "name"), "Fido");
    assert_string_equal(get_str(d, "owner.name"), "Regina Dogman");
    toml_free(d);

    /* dotted keys and headers that reach the same tables in the spec's "valid but discouraged" order */
    d = parse("apple.type = \"fruit\"\norange.type = \"fruit\"\napple.skin = \"thin\"\n"
              "orange.skin = \"thick\"\napple.color = \"red\"\norange.color = \"orange\"\n");
    assert_string_equal(get_str(d, "orange.color"), "orange");
    assert_int_equal(toml_len(get(d, "apple", TOML_TABLE)), 3);
    toml_free(d);
}

static void test_inline_tables(void **state) {
    (void)state;
    toml_doc *d = parse("name = { first = \"Tom\", last = \"Preston-Werner\" }\n"
                        "point = { x = 1, y = 2 }\n"
                        "animal = { type.name = \"pug\" }\n"
                        "empty = {}\n"
                        "spaced = {   }\n"
                        "nested = { a = { b = { c = [1, {d = 2}] } } }\n"
                        "dots = { a.b = 1, a.c = 2, \"q.k\" = 3 }\n"
                        "ml = { s = \"\"\"multi\nline\"\"\", arr = [\n1,\n2] }\n");
    assert_string_equal(get_str(d, "name.first"), "Tom");
    assert_string_equal(get_str(d, "name.last"), "Preston-Werner");
    assert_int_equal(get_int(d, "point.y"), 2);
    assert_string_equal(get_str(d, "animal.type.name"), "pug");
    assert_int_equal(toml_len(get(d, "empty", TOML_TABLE)), 0);
    assert_int_equal(toml_len(get(d, "spaced", TOML_TABLE)), 0);
    const toml_node *c = get(d, "nested.a.b.c", TOML_ARRAY);
    assert_int_equal(toml_int(toml_lookup(toml_at(c, 1), "d")), 2);
    assert_int_equal(get_int(d, "dots.a.b"), 1);
    assert_int_equal(get_int(d, "dots.a.c"), 2);
    assert_int_equal(get_int(d, "dots.\"q.k\""), 3);
    assert_string_equal(get_str(d, "ml.s"), "multi\nline");
    assert_int_equal(toml_len(get(d, "ml.arr", TOML_ARRAY)), 2);
    toml_free(d);
}

static void test_array_of_tables(void **state) {
    (void)state;
    toml_doc *d = parse("[[products]]\nname = \"Hammer\"\nsku = 738594937\n\n"
                        "[[products]]  # empty table within the array\n\n"
                        "[[products]]\nname = \"Nail\"\nsku = 284758393\ncolor = \"gray\"\n"
                        /* the spec's nested example */
                        "[[fruits]]\nname = \"apple\"\n"
                        "[fruits.physical]  # subtable\ncolor = \"red\"\nshape = \"round\"\n"
                        "[[fruits.varieties]]  # nested array of tables\nname = \"red delicious\"\n"
                        "[[fruits.varieties]]\nname = \"granny smith\"\n"
                        "[[fruits]]\nname = \"banana\"\n"
                        "[[fruits.varieties]]\nname = \"plantain\"\n"
                        /* an array of tables under an implicit table, defined afterwards */
                        "[[a.b]]\nx = 1\n[a]\ny = 2\n"
                        /* inline array of inline tables is a static array, not an AOT */
                        "points = [ { x = 1, y = 2, z = 3 },\n           { x = 7, y = 8, z = 9 } ]\n");
    const toml_node *p = get(d, "products", TOML_ARRAY);
    assert_true(toml_is_array_of_tables(p));
    assert_int_equal(toml_len(p), 3);
    assert_int_equal(toml_len(toml_at(p, 1)), 0);
    assert_string_equal(toml_str(toml_lookup(toml_at(p, 2), "color"), NULL), "gray");
    assert_int_equal(toml_int(toml_lookup(toml_at(p, 0), "sku")), 738594937);
    const toml_node *f = get(d, "fruits", TOML_ARRAY);
    assert_int_equal(toml_len(f), 2);
    const toml_node *apple = toml_at(f, 0);
    assert_string_equal(toml_str(toml_lookup(apple, "physical.shape"), NULL), "round");
    const toml_node *v = toml_lookup(apple, "varieties");
    assert_int_equal(toml_len(v), 2);
    assert_string_equal(toml_str(toml_lookup(toml_at(v, 1), "name"), NULL), "granny smith");
    v = toml_lookup(toml_at(f, 1), "varieties");
    assert_int_equal(toml_len(v), 1);
    assert_string_equal(toml_str(toml_lookup(toml_at(v, 0), "name"), NULL), "plantain");
    assert_int_equal(get_int(d, "a.y"), 2);
    assert_int_equal(toml_len(get(d, "a.b", TOML_ARRAY)), 1);
    const toml_node *pts = get(d, "a.points", TOML_ARRAY);
    assert_false(toml_is_array_of_tables(pts));
    assert_int_equal(toml_int(toml_lookup(toml_at(pts, 1), "z")), 9);
    toml_free(d);
}

static void test_crlf_document(void **state) {
    (void)state;
    toml_doc *d = parse("# comment\r\n[a]\r\nb = 1\r\nc = \"x\" # c\r\n\r\n[[d]]\r\ne = '''\r\nl1\r\nl2'''\r\n");
    assert_int_equal(get_int(d, "a.b"), 1);
    assert_string_equal(get_str(d, "a.c"), "x");
    assert_string_equal(toml_str(toml_lookup(toml_at(get(d, "d", TOML_ARRAY), 0), "e"), NULL), "l1\nl2");
    /* line numbers count CRLF lines */
    assert_int_equal(toml_key_line(toml_get(d, "a.b")), 3);
    toml_free(d);
}

/* ----------------------------------------------------------------------- positions, errors */

static void test_positions_real(void **state) {
    (void)state;
    toml_doc *d = parse("# header comment\n"
                        "[worker]\n"
                        "  compute_units = 10\n"
                        "\"é\" = {\"ü\" = \"x\", \" \" = 2}\n"
                        "[worker.compute_capacity]\n"
                        "a.b.c = [1,\n"
                        "  2]\n"
                        "[[jobs]]\n"
                        "[x.y]\n"
                        "[x]\n");
    const toml_node *n = toml_get(d, "worker.compute_units");
    assert_int_equal(toml_key_line(n), 3);
    assert_int_equal(toml_key_col(n), 3);
    assert_int_equal(toml_line(n), 3);
    assert_int_equal(toml_col(n), 19);
    /* columns count characters, not bytes */
    n = toml_get(d, "worker.\"é\"");
    assert_int_equal(toml_key_col(n), 1);
    assert_int_equal(toml_col(n), 7);
    n = toml_get(d, "worker.\"é\".\"ü\"");
    assert_int_equal(toml_key_col(n), 8);
    assert_int_equal(toml_col(n), 14);
    n = toml_get(d, "worker.\"é\".\" \"");
    assert_int_equal(toml_key_col(n), 19);
    assert_int_equal(toml_col(n), 25);
    n = toml_get(d, "worker");
    assert_int_equal(toml_line(n), 2);
    assert_int_equal(toml_col(n), 1);
    assert_int_equal(toml_key_line(n), 2);
    assert_int_equal(toml_key_col(n), 2);
    n = toml_get(d, "worker.compute_capacity");
    assert_int_equal(toml_key_col(n), 9);
    n = toml_get(d, "worker.compute_capacity.a.b"); /* a dotted-key table: where its key is */
    assert_int_equal(toml_key_line(n), 6);
    assert_int_equal(toml_key_col(n), 3);
    n = toml_get(d, "worker.compute_capacity.a.b.c");
    assert_int_equal(toml_key_col(n), 5);
    assert_int_equal(toml_col(n), 9);
    assert_int_equal(toml_line(toml_at(n, 1)), 7);
    assert_int_equal(toml_col(toml_at(n, 1)), 3);
    n = toml_get(d, "jobs");
    assert_int_equal(toml_line(n), 8);
    assert_int_equal(toml_key_col(n), 3);
    assert_int_equal(toml_line(toml_at(n, 0)), 8);
    /* x: first created implicitly by [x.y] at line 9, then defined by [x] at line 10 */
    n = toml_get(d, "x");
    assert_int_equal(toml_line(n), 10);
    assert_int_equal(toml_key_line(n), 10);
    assert_int_equal(toml_key_col(n), 2);

    /* errors the configuration layer formats at a node */
    zisk_err e;
    n = toml_get(d, "worker.compute_units");
    assert_int_equal(toml_key_err(d, n, &e, "unknown key '%s'", "compute_units"), -1);
    assert_string_equal(e.msg, "t.toml:3:3: unknown key 'compute_units'");
    assert_int_equal(toml_value_err(d, n, &e, "expected a %s", toml_type_name(TOML_STRING)), -1);
    assert_string_equal(e.msg, "t.toml:3:19: expected a string");
    assert_int_equal(toml_value_err(d, n, NULL, "no err"), -1);
    toml_free(d);
}

static void test_type_names(void **state) {
    (void)state;
    assert_string_equal(toml_type_name(TOML_TABLE), "table");
    assert_string_equal(toml_type_name(TOML_ARRAY), "array");
    assert_string_equal(toml_type_name(TOML_STRING), "string");
    assert_string_equal(toml_type_name(TOML_INTEGER), "integer");
    assert_string_equal(toml_type_name(TOML_FLOAT), "float");
    assert_string_equal(toml_type_name(TOML_BOOLEAN), "boolean");
    assert_string_equal(toml_type_name(TOML_OFFSET_DATETIME), "offset date-time");
    assert_string_equal(toml_type_name(TOML_LOCAL_DATETIME), "local date-time");
    assert_string_equal(toml_type_name(TOML_LOCAL_DATE), "local date");
    assert_string_equal(toml_type_name(TOML_LOCAL_TIME), "local time");
}

/* The example from the brief: the message says where and what was expected. */
static void test_error_format(void **state) {
    (void)state;
    reject_at("[coordinator]\n# the coordinator\nurl      \"http://127.0.0.1:50051\"\n", 3, 10,
              "expected '=' after key 'url', found '\"'");
    reject_at("[worker]\ncompute_capacity.compute_units = \n", 2, 34,
              "expected a value after '=' for key 'compute_capacity.compute_units', found end of line");
    reject_at("a = 1\nb = 2 3\n", 2, 7, "expected end of line after the value of 'b', found '3'");
    reject_at("[a]\nx = 1\n[b]\n[a]\n", 4, 1, "table [a] is defined twice (first at 1:1)");
    reject_at("name = \"x\"\n  name = \"y\"\n", 2, 3, "duplicate key 'name' (first defined at 1:1)");
    reject_at("a = hello\n", 1, 5, "invalid value 'hello' (strings must be quoted");
    reject_at("s = \"abc\n", 1, 5, "unterminated string");
    reject_at("é = 1", 1, 1, "expected a key, a [table] header or a comment, found 'é'");
    reject_at("\"é\" = \"ü\\q\"", 1, 9, "invalid escape sequence '\\q'");
    reject_at("x = [1, 2\n", 2, 1, "expected ',' or ']' after an element of the array opened at 1:5, found end of file");
    reject_at("x = 0123", 1, 5, "leading zeros are not allowed in '0123'");
    reject_at("x = 1__2", 1, 6, "underscores in numbers must be between digits");
    reject_at("x = 1979-13-01", 1, 10, "month 13 is not 01..12");
    /* the name given to toml_parse prefixes every message */
    zisk_err e;
    toml_doc *d = (toml_doc *)1;
    assert_int_equal(toml_parse("a =", 3, "/etc/zisk/worker.toml", &d, &e), -1);
    assert_null(d);
    assert_string_equal(e.msg, "/etc/zisk/worker.toml:1:4: expected a value after '=' for key 'a', found end of file");
    /* documents above TOML_MAX_SIZE are refused before a byte is read */
    static const char tiny[1] = {0};
    assert_int_equal(toml_parse(tiny, (size_t)TOML_MAX_SIZE + 1, "huge.toml", &d, &e), -1);
    assert_null(d);
    assert_non_null(strstr(e.msg, "huge.toml: document is 1073741825 bytes; at most 1073741824 are accepted"));
    /* a NULL err is fine */
    assert_int_equal(toml_parse("a =", 3, NULL, &d, NULL), -1);
    /* long keys are cut in messages, not overflowing them */
    char big[600];
    memset(big, 'k', 400);
    strcpy(big + 400, " x");
    reject(big, "...'");
}

/* --------------------------------------------------------------------------- rejections */

typedef struct bad_case {
    const char *src;
    const char *frag;
} bad_case;

static void run_bad(const bad_case *c, size_t n) {
    for (size_t i = 0; i < n; i++) reject(c[i].src, c[i].frag);
}

static void test_reject_keys(void **state) {
    (void)state;
    static const bad_case cases[] = {
        {"key = # INVALID", "expected a value after '=' for key 'key', found a comment"},
        {"key =\nx = 1", "found end of line"},
        {"first = \"Tom\" last = \"Preston-Werner\" # INVALID", "expected end of line after the value of 'first'"},
        {"= \"no key name\"", "expected a key"},
        {"\"\"\"key\"\"\" = \"not allowed\"", "a multi-line string cannot be used as a key"},
        {"'''key''' = 1", "a multi-line string cannot be used as a key"},
        {"name = \"Tom\"\nname = \"Pradyun\"", "duplicate key 'name'"},
        {"spelling = \"favorite\"\n\"spelling\" = \"favourite\"", "duplicate key 'spelling'"},
        {"a = 1\n'a' = 2", "duplicate key 'a'"},
        {"A = 1\n\"\\u0041\" = 2", "duplicate key 'A'"},
        {"fruit.apple = 1\nfruit.apple.smooth = true", "'fruit.apple' as a table: it is already an integer"},
        {"a.b = 1\na = 2", "duplicate key 'a'"},
        {"a.b = 1\na.b = 2", "duplicate key 'a.b'"},
        {"key", "expected '=' after key 'key', found end of file"},
        {"key value", "expected '=' after key 'key', found 'v'"},
        {"a. = 1", "expected a key after '.'"},
        {".a = 1", "expected a key, a [table] header or a comment, found '.'"},
        {"a..b = 1", "expected a key after '.'"},
        {"a b = 1", "expected '=' after key 'a', found 'b'"},
        {"\"a\nb\" = 1", "unterminated string"},
        {"a = 1 = 2", "expected end of line"},
        {"a := 1", "expected '=' after key 'a', found ':'"},
        {"a.\"b\"c = 1", "expected '=' after key 'a.b', found 'c'"},
        {"a=1,b=2", "expected end of line after the value of 'a', found ','"},
        {"tbl = {}\ntbl.x = 1", "cannot add to 'tbl': it is an inline table"},
    };
    run_bad(cases, sizeof cases / sizeof *cases);
}

static void test_reject_tables(void **state) {
    (void)state;
    static const bad_case cases[] = {
        /* the spec's invalid examples */
        {"[fruit]\napple = \"red\"\n\n[fruit]\norange = \"orange\"", "table [fruit] is defined twice"},
        {"[fruit]\napple = \"red\"\n\n[fruit.apple]\ntexture = \"smooth\"",
         "[fruit.apple] conflicts with 'fruit.apple', already a string"},
        {"[fruit]\napple.color = \"red\"\napple.taste.sweet = true\n[fruit.apple]",
         "table [fruit.apple] was already defined by dotted keys"},
        {"[fruit]\napple.color = \"red\"\napple.taste.sweet = true\n[fruit.apple.taste]",
         "table [fruit.apple.taste] was already defined by dotted keys"},
        {"[product]\ntype = { name = \"Nail\" }\ntype.edible = false",
         "cannot add to 'type': it is an inline table"},
        {"[product]\ntype.name = \"Nail\"\ntype = { edible = false }", "duplicate key 'type'"},
        {"fruits = []\n\n[[fruits]]", "cannot append to 'fruits' with [[fruits]]: it is a static array"},
        {"[[fruits]]\nname = \"apple\"\n[[fruits.varieties]]\nname = \"red delicious\"\n"
         "[fruits.varieties]\nname = \"granny smith\"",
         "[fruits.varieties] conflicts with the array of tables [[fruits.varieties]]"},
        {"[[fruits]]\n[fruits.physical]\ncolor = \"red\"\n[[fruits.physical]]\ncolor = \"green\"",
         "[[fruits.physical]] conflicts with 'fruits.physical', already a table"},
        {"[fruit.physical]\ncolor = \"red\"\n[[fruit]]\nname = \"apple\"",
         "[[fruit]] conflicts with 'fruit', already a table"},
        /* more */
        {"a = 1\n[a]", "[a] conflicts with 'a', already an integer"},
        {"a = 07:00:00\n[a.b]", "cannot use 'a' as a table: it is already a local time (defined at 1:1)"},
        {"a = 1979-05-27\n[[a]]", "[[a]] conflicts with 'a', already a local date"},
        {"a = 1.5\n[a]", "already a float"},
        {"a = true\na.b = 1", "cannot use 'a' as a table: it is already a boolean"},
        {"a = \"s\"\na.b = 1", "already a string"},
        {"a = 1\n[a.b]", "cannot use 'a' as a table: it is already an integer"},
        {"a = [1]\n[a.b]", "cannot use 'a' as a table: it is already an array"},
        {"a = {}\n[a]", "[a] conflicts with 'a', already an inline table"},
        {"a = {}\n[a.b]", "cannot add to 'a': it is an inline table"},
        {"[a]\nb = {}\n[a.b]", "[a.b] conflicts with 'a.b', already an inline table"},
        {"a = {b = {}}\n[a.b.c]", "cannot add to 'a': it is an inline table"},
        {"[a]\n[a]", "defined twice"},
        {"[a.b]\n[a]\n[a]", "defined twice"},
        {"[a]\nb = 1\n[a.b]", "already an integer"},
        {"[[a]]\n[a]", "[a] conflicts with the array of tables [[a]]"},
        {"[a]\n[[a]]", "[[a]] conflicts with 'a', already a table"},
        {"a = [{b = 1}]\n[[a]]", "static array"},
        {"a = [{b = 1}]\n[a.c]", "cannot use 'a' as a table: it is already an array"},
        {"[a.b.c]\nz = 9\n[a]\nb.c.t = 1", "cannot use a dotted key to add to table 'b': it was created by a [header] at 1:4"},
        {"[a.b.c.d]\nz = 9\n[a]\nb.c.d.k.t = 1", "cannot use a dotted key to add to table 'b'"},
        {"[a.b]\n[a]\nb.x = 1", "cannot use a dotted key to add to table 'b'"},
        {"[[tab.arr]]\n[tab]\narr.val1 = 1", "cannot use 'arr' as a table: it is already an array of tables"},
        {"a.b = 1\n[a.b]", "already an integer"},
        {"a.b.c = 1\n[a]", "table [a] was already defined by dotted keys"},
        {"a.b.c = 1\n[a.b]", "table [a.b] was already defined by dotted keys"},
        {"[a]\nx.y = 1\n[a.x]", "table [a.x] was already defined by dotted keys"},
        {"t = {a.b = 1, a = 2}", "duplicate key 'a'"},
        {"t = {a = {}, a.b = 1}", "cannot add to 'a': it is an inline table"},
        {"t = {a = 1, a = 1}", "duplicate key 'a'"},
        {"t = {a = 1, a.b = 1}", "cannot use 'a' as a table: it is already an integer"},
        /* header syntax */
        {"[a", "expected ']' to close the table header '[a', found end of file"},
        {"[a\nb = 1", "expected ']' to close the table header"},
        {"[]", "expected a table name after '[', found ']'"},
        {"[a.]", "expected a key after '.'"},
        {"[.a]", "expected a table name after '['"},
        {"[a b]", "expected ']' to close the table header '[a', found 'b' (keys with spaces must be quoted)"},
        {"[[a]", "expected ']]' to close the array-of-tables header '[[a'"},
        {"[[a] ]", "expected ']]' to close the array-of-tables header"},
        {"[ [a] ]", "expected a table name after '[', found '['"},
        {"[a]]", "expected end of line after table header [a], found ']'"},
        {"[a] b = 1", "expected end of line after table header [a], found 'b'"},
        {"[[]]", "expected a table name after '[['"},
        {"[\"\"\"a\"\"\"]", "a multi-line string cannot be used as a key"},
        {"[a]\n[a.\"b\"]\n[a.b]", "defined twice"},
    };
    run_bad(cases, sizeof cases / sizeof *cases);
}

static void test_reject_strings(void **state) {
    (void)state;
    static const bad_case cases[] = {
        {"s = \"\\q\"", "invalid escape sequence '\\q'"},
        {"s = \"\\e\"", "invalid escape sequence '\\e'"}, /* TOML 1.1 only */
        {"s = \"\\x41\"", "invalid escape sequence '\\x'"},
        {"s = \"\\ \"", "invalid escape sequence: backslash followed by a space"},
        {"s = \"a\\\nb\"", "invalid escape sequence: backslash followed by end of line"},
        {"s = \"\\u12\"", "escape \\u needs exactly 4 hexadecimal digits"},
        {"s = \"\\u12G4\"", "escape \\u needs exactly 4 hexadecimal digits"},
        {"s = \"\\U0001F60\"", "escape \\U needs exactly 8 hexadecimal digits"},
        {"s = \"\\uD800\"", "escape \\uD800 is not a Unicode scalar value"},
        {"s = \"\\uDFFF\"", "is not a Unicode scalar value"},
        {"s = \"\\U00110000\"", "escape \\U00110000 is not a Unicode scalar value"},
        {"s = \"\\UFFFFFFFF\"", "is not a Unicode scalar value"},
        {"s = \"\\", "unterminated string: backslash at end of file"},
        {"s = \"abc", "unterminated string: no closing \" before end of file"},
        {"s = 'abc", "unterminated string: no closing ' before end of file"},
        {"s = \"\"\"abc", "unterminated string: no closing \"\"\" before end of file"},
        {"s = '''abc\n", "unterminated string: no closing ''' before end of file"},
        {"s = \"abc\ndef\"", "no closing \" before end of line (multi-line strings use \"\"\")"},
        {"s = 'abc\ndef'", "no closing ' before end of line (multi-line strings use ''')"},
        {"s = \"a\x01" "b\"", "control character U+0001 is not allowed in a string (write it as an escape)"},
        {"s = \"a\x7f\"", "control character U+007F is not allowed in a string"},
        {"s = 'a\x1f'", "control character U+001F is not allowed in a string"},
        {"s = \"\"\"a\x08\"\"\"", "control character U+0008"},
        {"s = \"a\rb\"", "carriage return without a line feed in a string"},
        {"s = \"\"\"a\rb\"\"\"", "carriage return without a line feed in a string"},
        {"s = '''a\rb'''", "carriage return without a line feed in a string"},
        {"s = \"\"\"a\"\"\"\"\"\"", "6 consecutive quotes in a multi-line string"},
        {"s = '''a''''''", "6 consecutive apostrophes"},
        {"s = \"\"\"a\"\"\"\"\"\"\"\"\"", "9 consecutive quotes"},
        {"s = '''a''' '''", "expected end of line"},
        {"s = \"\"\"\\u00\"\"\"", "escape \\u needs exactly 4 hexadecimal digits"},
        {"s = \"\"\"a\\ b\"\"\"", "invalid escape sequence: backslash followed by a space"},
        {"s = \"\"\"a\\\t\tb\"\"\"", "invalid escape sequence: backslash followed by a tab"},
        {"s = \"a\" \"b\"", "expected end of line after the value of 's', found '\"'"},
    };
    run_bad(cases, sizeof cases / sizeof *cases);
    /* NUL bytes in the document (not escapes) */
    reject_len("s = '''a\0'''", 12, 1, 9, "control character U+0000 is not allowed in a string");
    reject_len("s = \"\0\"", 7, 1, 6, "control character U+0000");
    reject_len("a = 1\0", 6, 1, 6, "expected end of line after the value of 'a', found control character U+0000");
    reject_len("\0", 1, 1, 1, "control character U+0000");
}

static void test_reject_numbers(void **state) {
    (void)state;
    static const bad_case cases[] = {
        {"i = 01", "leading zeros are not allowed in '01'"},
        {"i = +01", "leading zeros are not allowed"},
        {"i = -01", "leading zeros are not allowed"},
        {"i = 00", "leading zeros are not allowed"},
        {"i = 0_0", "leading zeros are not allowed"},
        {"f = 03.14", "leading zeros are not allowed"},
        {"f = 00.0", "leading zeros are not allowed"},
        {"f = -03e2", "leading zeros are not allowed"},
        {"i = 1__000", "underscores in numbers must be between digits"},
        {"i = _1", "invalid value '_1'"},
        {"i = 1_", "underscores in numbers must be between digits"},
        {"i = +_1", "underscores in numbers must be between digits"},
        {"i = 0x_1", "underscores in numbers must be between digits"},
        {"i = 0x1_", "underscores in numbers must be between digits"},
        {"f = 1_.0", "underscores in numbers must be between digits"},
        {"f = 1._0", "underscores in numbers must be between digits"},
        {"f = 1.0_", "underscores in numbers must be between digits"},
        {"f = 1e_1", "underscores in numbers must be between digits"},
        {"f = 1_e1", "underscores in numbers must be between digits"},
        {"i = 0X1F", "invalid character 'X' in number '0X1F'"},
        {"i = 0O17", "invalid character 'O'"},
        {"i = 0B1", "invalid character 'B'"},
        {"i = 0x", "expected a hexadecimal digit after '0x'"},
        {"i = 0xG", "expected a hexadecimal digit after '0x', found 'G'"},
        {"i = 0o8", "expected an octal digit after '0o', found '8'"},
        {"i = 0o78", "invalid character '8' in octal integer"},
        {"i = 0b102", "invalid character '2' in binary integer"},
        {"i = 0x1.5", "invalid character '.' in hexadecimal integer"},
        {"i = +0x1", "a sign is not allowed on hexadecimal integers"},
        {"i = -0o7", "a sign is not allowed on octal integers"},
        {"i = -0b1", "a sign is not allowed on binary integers"},
        {"i = 9223372036854775808", "integer '9223372036854775808' does not fit in a signed 64-bit integer"},
        {"i = -9223372036854775809", "does not fit in a signed 64-bit integer"},
        {"i = 99999999999999999999999999", "does not fit"},
        {"i = 0x8000000000000000", "does not fit"},
        {"i = 0xFFFFFFFFFFFFFFFF", "does not fit"},
        {"i = 0o1000000000000000000000", "does not fit"},
        {"i = 0b1000000000000000000000000000000000000000000000000000000000000000", "does not fit"},
        {"i = +", "expected a decimal digit after the sign"},
        {"i = -", "expected a decimal digit after the sign"},
        {"i = +-1", "expected a decimal digit after the sign, found '-'"},
        {"i = 1-2", "invalid character '-' in number '1-2'"},
        {"i = 1a", "invalid character 'a'"},
        {"i = 12:00", "invalid time in '12:00': expected HH:MM:SS"},
        {"f = 1.", "expected a decimal digit after the decimal point"},
        {"f = .5", "expected a value after '=' for key 'f', found '.'"},
        {"f = +.5", "expected a decimal digit after the sign, found '.'"},
        {"f = 1.e5", "expected a decimal digit after the decimal point, found 'e'"},
        {"f = 1e", "expected a decimal digit in the exponent"},
        {"f = 1e+", "expected a decimal digit in the exponent"},
        {"f = 1e1.5", "invalid character '.' in number"},
        {"f = 1.2.3", "invalid character '.' in number '1.2.3'"},
        {"f = 1e400", "float '1e400' is out of range"},
        {"f = -1e400", "out of range"},
        {"f = Inf", "invalid value 'Inf'"},
        {"f = NaN", "invalid value 'NaN'"},
        {"f = infinity", "invalid value 'infinity'"},
        {"f = +infinity", "expected a decimal digit after the sign, found 'i'"},
        {"f = inf1", "invalid value 'inf1'"},
        {"f = 1inf", "invalid character 'i'"},
        {"b = True", "invalid value 'True' (strings must be quoted; booleans are lowercase true/false)"},
        {"b = FALSE", "invalid value 'FALSE'"},
        {"b = truee", "invalid value 'truee'"},
        {"b = t", "invalid value 't'"},
        {"x = 1_000_000_000_000_000_000_000_000_000_000_000_000_000_000_000", "does not fit"},
    };
    run_bad(cases, sizeof cases / sizeof *cases);
}

static void test_reject_datetimes(void **state) {
    (void)state;
    static const bad_case cases[] = {
        {"d = 1979-13-01", "month 13 is not 01..12"},
        {"d = 1979-00-01", "month 00 is not 01..12"},
        {"d = 1979-01-32", "1979-01 has no day 32"},
        {"d = 1979-01-00", "has no day 00"},
        {"d = 2023-02-29", "2023-02 has no day 29"},
        {"d = 1900-02-29", "1900-02 has no day 29"},
        {"d = 2021-04-31", "2021-04 has no day 31"},
        {"d = 1979-5-27", "invalid date '1979-5-27': expected YYYY-MM-DD"},
        {"d = 1979-05-7", "expected YYYY-MM-DD"},
        {"d = 1979-05-277", "expected YYYY-MM-DD"},
        {"d = 19790-05-27", "invalid character '-'"},
        {"d = 1979-05-27T", "expected HH:MM:SS"},
        {"d = 1979-05-27T07:32", "expected HH:MM:SS (seconds are required)"},
        {"d = 1979-05-27 07:32", "expected HH:MM:SS"},
        {"d = 1979-05-27X07:32:00", "expected 'T' or a space between date and time, found 'X'"},
        {"d = 1979-05-27T24:00:00", "24:00:00 is out of range"},
        {"d = 1979-05-27T23:60:00", "out of range"},
        {"d = 1979-05-27T23:59:61", "out of range"},
        {"d = 1979-05-27T7:32:00", "expected HH:MM:SS"},
        {"d = 1979-05-27T07:32:00.", "expected digits after '.'"},
        {"d = 1979-05-27T07:32:00.Z", "expected digits after '.'"},
        {"d = 1979-05-27T07:32:00+25:00", "invalid offset in '1979-05-27T07:32:00+25:00': out of range"},
        {"d = 1979-05-27T07:32:00+07:60", "out of range"},
        {"d = 1979-05-27T07:32:00+07", "expected Z or +HH:MM"},
        {"d = 1979-05-27T07:32:00+0700", "expected Z or +HH:MM"},
        {"d = 1979-05-27T07:32:00ZZ", "unexpected 'Z'"},
        {"d = 1979-05-27T07:32:00X", "unexpected 'X'"},
        {"d = 1979-05-27T07:32:00Z+07:00", "unexpected '+'"},
        {"t = 07:32:00Z", "a local time cannot have an offset"},
        {"t = 07:32:00-07:00", "a local time cannot have an offset"},
        {"t = 07:32", "expected HH:MM:SS"},
        {"t = 24:00:00", "out of range"},
        {"t = 07:32:00.", "expected digits after '.'"},
        {"t = 07:32:00 07:32:00", "expected end of line"},
        {"d = 1979-05-27 07:32:00 Z", "expected end of line"},
        {"d = 1979-05-27T07:32:00.123x", "unexpected 'x'"},
    };
    run_bad(cases, sizeof cases / sizeof *cases);
}

static void test_reject_arrays_and_inline(void **state) {
    (void)state;
    static const bad_case cases[] = {
        {"a = [1,,2]", "expected a value or ']' in the array opened at 1:5, found ','"},
        {"a = [,]", "expected a value or ']' in the array opened at 1:5, found ','"},
        {"a = [1 2]", "expected ',' or ']' after an element of the array opened at 1:5, found '2'"},
        {"a = [1,2", "found end of file"},
        {"a = [", "expected a value or ']' in the array opened at 1:5, found end of file"},
        {"a = [1] 2", "expected end of line"},
        {"a = [1,\n# comment \x01\n]", "control character U+0001 is not allowed in a comment"},
        {"a = [=]", "found '='"},
        {"a = [a]", "invalid value 'a'"},
        {"t = {a = 1,}", "a trailing comma is not allowed in an inline table"},
        {"t = {a = 1, }", "a trailing comma is not allowed in an inline table"},
        {"t = {,}", "expected a key in the inline table, found ','"},
        {"t = {a = 1\n}", "an inline table must be written on one line"},
        {"t = {\na = 1}", "an inline table must be written on one line"},
        {"t = {a = 1, \nb = 2}", "an inline table must be written on one line"},
        {"t = {a = 1 # c\n}", "an inline table must be written on one line"},
        {"t = {a = 1", "expected ',' or '}' in the inline table opened at 1:5, found end of file"},
        {"t = {a = 1 b = 2}", "expected ',' or '}' in the inline table opened at 1:5, found 'b'"},
        {"t = {a}", "expected '=' after key 'a', found '}'"},
        {"t = {a = }", "expected a value after '=' for key 'a', found '}'"},
        {"t = {a = 1}}", "expected end of line"},
        {"t = {a = [1,}", "expected a value or ']'"},
        {"t = {a = [1}", "expected ',' or ']'"},
        {"a = {b = 1} ,", "expected end of line"},
    };
    run_bad(cases, sizeof cases / sizeof *cases);
}

static void test_reject_comments_and_lines(void **state) {
    (void)state;
    static const bad_case cases[] = {
        {"# a \x01 comment", "control character U+0001 is not allowed in a comment"},
        {"a = 1 # \x7f", "control character U+007F is not allowed in a comment"},
        {"# a\rb", "carriage return without a line feed in a comment"},
        {"a = 1\rb = 2", "found a carriage return without a line feed"},
        {"\r", "carriage return without a line feed (lines must end with LF or CRLF)"},
        {"a = 1\n  \rx", "carriage return without a line feed"},
        {"a = 1\n\x0c", "control character U+000C"},
        {"\x0b", "control character U+000B"},
    };
    run_bad(cases, sizeof cases / sizeof *cases);
    /* tabs are whitespace, anywhere whitespace goes */
    toml_doc *d = parse("\t[\ta\t.\tb\t]\t#\tc\n\tk\t=\t1\t# tab\n");
    assert_int_equal(get_int(d, "a.b.k"), 1);
    toml_free(d);
}

static void test_reject_utf8(void **state) {
    (void)state;
    static const bad_case cases[] = {
        {"# \xff", "invalid UTF-8 (byte 0xFF)"},
        {"a = \"\xc0\x80\"", "invalid UTF-8 (byte 0xC0)"},                /* overlong NUL */
        {"a = \"\xe0\x80\xaf\"", "invalid UTF-8 (byte 0xE0)"},             /* overlong */
        {"a = \"\xed\xa0\x80\"", "invalid UTF-8 (byte 0xED)"},             /* surrogate U+D800 */
        {"a = \"\xf4\x90\x80\x80\"", "invalid UTF-8 (byte 0xF4)"},         /* above U+10FFFF */
        {"a = \"\xf5\x80\x80\x80\"", "invalid UTF-8 (byte 0xF5)"},
        {"a = \"\x80\"", "invalid UTF-8 (byte 0x80)"},                     /* lone continuation */
        {"a = \"\xe2\x82\"", "invalid UTF-8 (byte 0xE2)"},                 /* truncated */
        {"a = 1 # \xe2\x82", "invalid UTF-8"},                             /* truncated at EOF */
        {"\xef\xbb\xbf\xef\xbb\xbf", "expected a key"},                   /* a second BOM is content */
    };
    run_bad(cases, sizeof cases / sizeof *cases);
    reject_at("a = 1\nb = \"é\xff\"\n", 2, 7, "invalid UTF-8");
}

static void test_depth_limit(void **state) {
    (void)state;
    char buf[4 * TOML_MAX_DEPTH + 64];
    /* exactly TOML_MAX_DEPTH levels parse */
    size_t o = 0;
    o += (size_t)sprintf(buf, "a = ");
    for (int i = 0; i < TOML_MAX_DEPTH; i++) buf[o++] = '[';
    for (int i = 0; i < TOML_MAX_DEPTH; i++) buf[o++] = ']';
    buf[o] = 0;
    toml_doc *d = parse(buf);
    toml_free(d);
    /* one more is refused with a clear message, arrays and inline tables alike */
    o = (size_t)sprintf(buf, "a = ");
    for (int i = 0; i <= TOML_MAX_DEPTH; i++) buf[o++] = '[';
    buf[o] = 0;
    reject_at(buf, 1, 5 + TOML_MAX_DEPTH, "nested deeper than 64 levels");
    o = (size_t)sprintf(buf, "a = ");
    for (int i = 0; i <= TOML_MAX_DEPTH; i++) o += (size_t)sprintf(buf + o, i % 2 ? "[" : "{b=");
    reject(buf, "nested deeper than 64 levels");
    /* headers and dotted keys count too: the tree itself is never deeper than the limit */
    o = (size_t)sprintf(buf, "[k");
    for (int i = 1; i < TOML_MAX_DEPTH; i++) o += (size_t)sprintf(buf + o, ".k");
    o += (size_t)sprintf(buf + o, "]\n");
    d = parse(buf); /* a table at depth 64, empty */
    toml_free(d);
    strcpy(buf + o, "x = 1\n");
    reject_at(buf, 2, 1, "nested deeper than 64 levels (tables, arrays and inline tables count together)");
    o = 0;
    for (int i = 0; i < TOML_MAX_DEPTH; i++) o += (size_t)sprintf(buf + o, i ? ".k" : "k");
    strcpy(buf + o, " = 1\n");
    d = parse(buf);
    toml_free(d);
    memmove(buf + 2, buf, strlen(buf) + 1);
    memcpy(buf, "k.", 2);
    reject(buf, "nested deeper than 64 levels");
    reject("[[a.b]]\n" "c = [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
           "nested deeper than 64 levels");
    /* a huge input of only '[' cannot overflow the stack */
    size_t n = 1 << 20;
    char *big = malloc(n + 5);
    memcpy(big, "a = ", 4);
    memset(big + 4, '[', n);
    big[n + 4] = 0;
    reject(big, "nested deeper");
    free(big);
}

/* Many keys in one table (the hash index), many tables, long lines: correct and not quadratic. */
static void test_large_documents(void **state) {
    (void)state;
    const int n = 20000;
    size_t cap = (size_t)n * 48 + 64;
    char *buf = malloc(cap);
    size_t o = 0;
    for (int i = 0; i < n; i++) o += (size_t)snprintf(buf + o, cap - o, "key_%d = %d\n", i, i);
    toml_doc *d = parse_len(buf, o);
    assert_int_equal(toml_len(toml_root(d)), (size_t)n);
    for (int i = 0; i < n; i += 997) {
        char k[32];
        snprintf(k, sizeof k, "key_%d", i);
        assert_int_equal(get_int(d, k), i);
        assert_string_equal(toml_key_at(toml_root(d), (size_t)i, NULL), k);
    }
    assert_null(toml_get(d, "key_20000"));
    toml_free(d);
    /* a duplicate at the very end is still found */
    o += (size_t)snprintf(buf + o, cap - o, "key_12345 = 0\n");
    reject_len(buf, o, (unsigned)n + 1, 1, "duplicate key 'key_12345' (first defined at 12346:1)");

    /* one long line: an array of n integers, with an error at its end */
    o = (size_t)snprintf(buf, cap, "a = [");
    for (int i = 0; i < n; i++) o += (size_t)snprintf(buf + o, cap - o, "%d,", i % 10);
    o += (size_t)snprintf(buf + o, cap - o, "x]");
    reject_len(buf, o, 1, (unsigned)(6 + 2 * n), "invalid value 'x'");
    buf[o - 2] = '0';
    d = parse_len(buf, o);
    assert_int_equal(toml_len(get(d, "a", TOML_ARRAY)), (size_t)n + 1);
    toml_free(d);

    /* many array-of-tables elements */
    o = 0;
    for (int i = 0; i < n / 4; i++) o += (size_t)snprintf(buf + o, cap - o, "[[t]]\nv = %d\n", i);
    d = parse_len(buf, o);
    const toml_node *t = get(d, "t", TOML_ARRAY);
    assert_int_equal(toml_len(t), (size_t)n / 4);
    assert_int_equal(toml_int(toml_lookup(toml_at(t, (size_t)n / 4 - 1), "v")), n / 4 - 1);
    toml_free(d);
    free(buf);
}

/* A realistic worker config, walked the way the configuration layer will walk it. */
static void test_worker_config_walk(void **state) {
    (void)state;
    const char *src = "# zisk-worker configuration\n"
                      "[coordinator]\n"
                      "url = \"http://10.0.0.5:50051\"\n"
                      "\n"
                      "[worker]\n"
                      "worker_id = \"gpu-node-7\"\n"
                      "compute_capacity.compute_units = 10\n"
                      "inputs_folder = \"/var/lib/zisk-worker/inputs\"\n"
                      "colour = \"blue\"   # unknown key\n"
                      "\n"
                      "[connection]\n"
                      "reconnect_interval_seconds = 5\n"
                      "heartbeat_timeout_seconds = 30\n"
                      "\n"
                      "[logging]\n"
                      "level = \"debug\"\n"
                      "format = \"json\"\n"
                      "file_path = '/var/log/zisk/worker.log'\n";
    toml_doc *d = parse(src);
    assert_string_equal(get_str(d, "coordinator.url"), "http://10.0.0.5:50051");
    assert_int_equal(get_int(d, "worker.compute_capacity.compute_units"), 10);
    assert_int_equal(get_int(d, "connection.heartbeat_timeout_seconds"), 30);
    const toml_node *w = get(d, "worker", TOML_TABLE);
    static const char *known[] = {"worker_id", "compute_capacity", "inputs_folder"};
    int unknown = 0;
    for (size_t i = 0; i < toml_len(w); i++) {
        const char *k = toml_key_at(w, i, NULL);
        bool found = false;
        for (size_t j = 0; j < 3; j++) found |= strcmp(k, known[j]) == 0;
        if (!found) {
            zisk_err e;
            toml_key_err(d, toml_at(w, i), &e, "unknown key 'worker.%s'", k);
            assert_string_equal(e.msg, "t.toml:9:1: unknown key 'worker.colour'");
            unknown++;
        }
    }
    assert_int_equal(unknown, 1);
    toml_free(d);
}

static void test_parse_file(void **state) {
    (void)state;
    char path[] = "/tmp/test_toml_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    const char *src = "[a]\nb = 'c'\nd = \n";
    assert_int_equal(write(fd, src, strlen(src)), (ssize_t)strlen(src));
    close(fd);
    toml_doc *d = (toml_doc *)1;
    zisk_err e;
    assert_int_equal(toml_parse_file(path, 1 << 20, &d, &e), -1);
    assert_null(d);
    char want[128];
    snprintf(want, sizeof want, "%s:3:5: expected a value after '=' for key 'd', found end of line", path);
    assert_string_equal(e.msg, want);
    /* too large for the cap */
    assert_int_equal(toml_parse_file(path, 4, &d, &e), -1);
    assert_non_null(strstr(e.msg, path));
    unlink(path);
    assert_int_equal(toml_parse_file(path, 1 << 20, &d, &e), -1);
    assert_non_null(strstr(e.msg, path));
    strcpy(path, "/tmp/test_toml_XXXXXX");
    fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "x = 1\n", 6), 6);
    close(fd);
    assert_int_equal(toml_parse_file(path, 1 << 20, &d, &e), 0);
    assert_string_equal(toml_doc_name(d), path);
    assert_int_equal(get_int(d, "x"), 1);
    toml_free(d);
    unlink(path);
}

/* The input buffer may be freed right after parsing: nothing points into it. */
static void test_tree_owns_its_data(void **state) {
    (void)state;
    const char *src = "[t]\nbare = 'lit'\n\"q\" = \"basic\"\nd = 1979-05-27\n";
    size_t n = strlen(src);
    char *copy = malloc(n);
    memcpy(copy, src, n);
    toml_doc *d = parse_len(copy, n);
    memset(copy, 'X', n);
    free(copy);
    assert_string_equal(get_str(d, "t.bare"), "lit");
    assert_string_equal(get_str(d, "t.q"), "basic");
    assert_string_equal(toml_str(get(d, "t.d", TOML_LOCAL_DATE), NULL), "1979-05-27");
    assert_string_equal(toml_key_at(get(d, "t", TOML_TABLE), 0, NULL), "bare");
    toml_free(d);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty_and_comments),
        cmocka_unit_test(test_keys),
        cmocka_unit_test(test_lookup_paths),
        cmocka_unit_test(test_basic_strings),
        cmocka_unit_test(test_multiline_basic_strings),
        cmocka_unit_test(test_literal_strings),
        cmocka_unit_test(test_integers),
        cmocka_unit_test(test_floats),
        cmocka_unit_test(test_booleans),
        cmocka_unit_test(test_datetimes),
        cmocka_unit_test(test_arrays),
        cmocka_unit_test(test_tables),
        cmocka_unit_test(test_inline_tables),
        cmocka_unit_test(test_array_of_tables),
        cmocka_unit_test(test_crlf_document),
        cmocka_unit_test(test_positions_real),
        cmocka_unit_test(test_type_names),
        cmocka_unit_test(test_error_format),
        cmocka_unit_test(test_reject_keys),
        cmocka_unit_test(test_reject_tables),
        cmocka_unit_test(test_reject_strings),
        cmocka_unit_test(test_reject_numbers),
        cmocka_unit_test(test_reject_datetimes),
        cmocka_unit_test(test_reject_arrays_and_inline),
        cmocka_unit_test(test_reject_comments_and_lines),
        cmocka_unit_test(test_reject_utf8),
        cmocka_unit_test(test_depth_limit),
        cmocka_unit_test(test_large_documents),
        cmocka_unit_test(test_worker_config_walk),
        cmocka_unit_test(test_parse_file),
        cmocka_unit_test(test_tree_owns_its_data),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
