/*
 * toml.h: a TOML 1.0 parser (https://toml.io/en/v1.0.0), for configuration files.
 *
 * TOML is outside data (STYLE.md practice 4): toml_parse never aborts and never reads out of
 * bounds on any input. A document that breaks any rule of TOML 1.0 is refused with one message
 * of the form "NAME:LINE:COL: what was wrong / what was expected", e.g.
 *     worker.toml:3:17: expected '=' after key 'url', found '"'
 * LINE and COL are 1-based; COL counts Unicode characters (a tab counts as one).
 *
 * What is accepted: everything TOML 1.0 allows (tables, arrays of tables, dotted keys, inline
 * tables, bare and quoted keys, the four string forms with every escape, decimal/hex/octal/
 * binary integers, floats incl. inf/nan, booleans, the four date-time forms, arrays of mixed
 * types, comments, LF and CRLF line ends), plus a leading UTF-8 byte-order mark. What is
 * refused: everything TOML 1.0 forbids (duplicate keys, a table defined twice, [[x]] on a static
 * array, extending an inline table, invalid UTF-8, control characters, leading zeros, integers
 * outside int64, ...) and, as limits of this implementation, trees deeper than TOML_MAX_DEPTH
 * and documents larger than TOML_MAX_SIZE bytes. Floats that
 * overflow binary64 (e.g. 1e400) are refused rather than silently becoming inf.
 *
 * Ownership: toml_parse returns a toml_doc that owns every node, key and string of the tree
 * (one arena). Nothing in the tree points into the input buffer, which the caller may free right
 * after toml_parse. Every pointer obtained from a doc stays valid until toml_free(doc), and the
 * tree is read-only; a parsed doc may be read from several threads at once.
 *
 * Misuse is a bug, not bad data: accessors that expect a type (toml_int on a string, an array
 * index out of range, ...) abort through ZISK_ASSERT. Check toml_type_of first.
 *
 * Typical use by a configuration layer:
 *     toml_doc *doc;
 *     if (toml_parse(buf, len, "worker.toml", &doc, &err) != 0) { report err.msg; }
 *     const toml_node *n = toml_get(doc, "worker.compute_capacity.compute_units");
 *     if (n && toml_type_of(n) != TOML_INTEGER)
 *         return toml_value_err(doc, n, &err, "compute_units must be an integer, not %s",
 *                               toml_type_name(toml_type_of(n)));
 *     // unknown keys: walk toml_root(doc) with toml_len/toml_key_at/toml_at and report
 *     // toml_key_err(doc, node, &err, "unknown key '%s'", key) as a warning.
 *     toml_free(doc);
 */
#ifndef ZISK_TOML_H
#define ZISK_TOML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base.h"

/* No node of the tree is deeper than this (the root table is depth 0; a table's values and an
 * array's elements are one deeper; headers, dotted keys, arrays and inline tables all count), so
 * both the parser and code that walks the tree recursively have bounded stack use. */
#define TOML_MAX_DEPTH 64
/* Largest document toml_parse accepts, in bytes (keeps line/column numbers in 32 bits). */
#define TOML_MAX_SIZE (1u << 30)

typedef struct toml_doc toml_doc;
typedef struct toml_node toml_node;

typedef enum toml_type {
    TOML_TABLE = 1,       /* keys in file order; see toml_len/toml_key_at/toml_at */
    TOML_ARRAY,           /* static array [..] or array of tables [[..]] (toml_is_array_of_tables) */
    TOML_STRING,          /* UTF-8, may contain NUL (from \u0000): use the length */
    TOML_INTEGER,         /* int64_t */
    TOML_FLOAT,           /* double (binary64), incl. +-inf and nan */
    TOML_BOOLEAN,
    TOML_OFFSET_DATETIME, /* 1979-05-27T07:32:00-07:00 */
    TOML_LOCAL_DATETIME,  /* 1979-05-27T07:32:00 */
    TOML_LOCAL_DATE,      /* 1979-05-27 */
    TOML_LOCAL_TIME,      /* 07:32:00.999 */
} toml_type;

/* A validated date-time. Which fields are meaningful depends on the node's type: the date fields
 * for OFFSET_DATETIME, LOCAL_DATETIME and LOCAL_DATE; the time fields for OFFSET_DATETIME,
 * LOCAL_DATETIME and LOCAL_TIME; offset_minutes for OFFSET_DATETIME only. */
typedef struct toml_datetime {
    int year, month, day;     /* month 1..12, day 1..days in that month (leap years counted) */
    int hour, minute, second; /* 0..23, 0..59, 0..60 (60: RFC 3339 leap second) */
    uint32_t nanosecond;      /* fraction of the second; digits beyond the 9th are dropped */
    int offset_minutes;       /* east of UTC: "Z" is 0, "-07:00" is -420 */
} toml_datetime;

/* Parses len bytes of TOML. name (e.g. the file path; NULL means "<toml>") prefixes error
 * messages and is copied into the doc. Returns 0 and sets *out to a new doc the caller frees
 * with toml_free; or returns -1, sets *out to NULL and fills err (when not NULL) with
 * "NAME:LINE:COL: message". data may be NULL when len is 0. */
int toml_parse(const void *data, size_t len, const char *name, toml_doc **out, zisk_err *err);

/* Reads the file at path (at most max_size bytes, capped at TOML_MAX_SIZE) and parses it with
 * the path as its name. Returns as toml_parse; read errors name the path and the cause. */
int toml_parse_file(const char *path, size_t max_size, toml_doc **out, zisk_err *err);

/* Frees the doc and everything in it. NULL is a no-op. */
void toml_free(toml_doc *doc);

/* The name given to toml_parse, and the root table (never NULL). */
const char *toml_doc_name(const toml_doc *doc);
const toml_node *toml_root(const toml_doc *doc);

/* Looks up a dotted key path from the root, written as in TOML: bare or quoted parts separated by
 * dots, e.g. "worker.compute_capacity.compute_units" or 'servers."alpha.example".ip'. Every part
 * but the last must name a table (arrays are not indexed: use toml_at). Returns the node, or
 * NULL when the path is absent, crosses a non-table, or is not a valid TOML key. */
const toml_node *toml_get(const toml_doc *doc, const char *path);
/* The same, relative to a table node (NULL when table is not a table). */
const toml_node *toml_lookup(const toml_node *table, const char *path);
/* One key of a table, taken literally (dots are part of the key; may contain NUL). */
const toml_node *toml_table_get(const toml_node *table, const char *key, size_t key_len);

toml_type toml_type_of(const toml_node *n);
/* "table", "array", "string", "integer", "float", "boolean", "offset date-time",
 * "local date-time", "local date", "local time": for messages. */
const char *toml_type_name(toml_type t);

/* Where the value starts in the source (for a table defined by a [header], where the header
 * starts; for an element of [[x]], where that [[x]] starts). */
uint32_t toml_line(const toml_node *n);
uint32_t toml_col(const toml_node *n);
/* Where the key that names this node was written (the last part of a dotted key or header).
 * For array elements, the same as toml_line/toml_col. For a table first created implicitly (as
 * "a" by [a.b]) and later defined with [a], the explicit definition. */
uint32_t toml_key_line(const toml_node *n);
uint32_t toml_key_col(const toml_node *n);

/* Values; each asserts the node's type. */
int64_t toml_int(const toml_node *n);     /* TOML_INTEGER */
double toml_float(const toml_node *n);    /* TOML_FLOAT */
bool toml_bool(const toml_node *n);       /* TOML_BOOLEAN */
/* TOML_STRING: the decoded string (NUL-terminated; *len, when len is not NULL, gets its length,
 * which counts any embedded NUL). Date-time types: the text as written in the document. */
const char *toml_str(const toml_node *n, size_t *len);
const toml_datetime *toml_datetime_of(const toml_node *n); /* the four date-time types */

/* Arrays and tables: number of elements / keys. */
size_t toml_len(const toml_node *n);
/* Element i of an array, or the value of the i-th key of a table (file order); i < toml_len. */
const toml_node *toml_at(const toml_node *n, size_t i);
/* Key i of a table (NUL-terminated; *len gets its length, which counts any embedded NUL). */
const char *toml_key_at(const toml_node *table, size_t i, size_t *len);
/* True for arrays built with [[header]] (only those may be extended by another [[header]]). */
bool toml_is_array_of_tables(const toml_node *n);

/* Fill err with "NAME:LINE:COL: <printf message>" at the node's value (toml_value_err) or key
 * (toml_key_err) position, for the configuration layer's own errors and warnings. Return -1. */
int toml_value_err(const toml_doc *doc, const toml_node *n, zisk_err *err, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
int toml_key_err(const toml_doc *doc, const toml_node *n, zisk_err *err, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#endif
