/*
 * coord_store.c: SQLite persistence of programs and jobs (see coord_store.h).
 *
 * Columns map one to one onto sched_job fields; the worker list is stored '\n'-joined (worker
 * ids never contain control characters); the 64 output words as 256 little-endian bytes.
 */
#include "coord_store.h"

#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct coord_store {
    sqlite3 *db;
    char *dir;
};

static const char schema[] =
    "CREATE TABLE IF NOT EXISTS programs(id TEXT PRIMARY KEY, name TEXT, size INTEGER, created_ms INTEGER,"
    " set_up INTEGER NOT NULL DEFAULT 0);"
    "CREATE TABLE IF NOT EXISTS jobs(id TEXT PRIMARY KEY, seq INTEGER, kind INTEGER, state INTEGER,"
    " program_id TEXT, priority INTEGER, timeout_s INTEGER, max_steps INTEGER, input_kind INTEGER, input BLOB,"
    " input_path TEXT, input_ready INTEGER, created_ms INTEGER, started_ms INTEGER, finished_ms INTEGER,"
    " phase TEXT, error_code INTEGER, message TEXT, workers TEXT, attempts INTEGER, retry_errors INTEGER,"
    " task_id TEXT, has_result INTEGER, stop TEXT, steps INTEGER, exit_code INTEGER, outputs BLOB, seconds REAL,"
    " result_message TEXT);"
    "CREATE INDEX IF NOT EXISTS jobs_by_seq ON jobs(seq);"
    "CREATE INDEX IF NOT EXISTS jobs_by_state ON jobs(state, seq);"
    "PRAGMA user_version = 1;";

static int db_err(coord_store *st, zisk_err *err, const char *what) {
    return zisk_err_set(err, "database %s/coordinator.db: %s: %s", st->dir, what, sqlite3_errmsg(st->db));
}

int store_open(const char *data_dir, coord_store **out, zisk_err *err) {
    *out = NULL;
    char path[4200];
    if (zisk_mkdir_p(data_dir, err) != 0) return -1;
    snprintf(path, sizeof path, "%s/programs", data_dir);
    if (zisk_mkdir_p(path, err) != 0) return -1;
    if (access(data_dir, W_OK) != 0)
        return zisk_err_set(err, "data directory '%s' is not writable: %s", data_dir, strerror(errno));
    coord_store *st = zisk_xcalloc(1, sizeof *st);
    st->dir = zisk_xstrdup(data_dir);
    snprintf(path, sizeof path, "%s/coordinator.db", data_dir);
    if (sqlite3_open_v2(path, &st->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, NULL) !=
        SQLITE_OK) {
        db_err(st, err, "cannot open");
        store_close(st);
        return -1;
    }
    sqlite3_busy_timeout(st->db, 5000);
    char *msg = NULL;
    if (sqlite3_exec(st->db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;", NULL, NULL, &msg) != SQLITE_OK ||
        sqlite3_exec(st->db, schema, NULL, NULL, &msg) != SQLITE_OK) {
        zisk_err_set(err, "database %s: cannot set up the schema: %s (is it a zisk-coordinator database?)", path,
                     msg ? msg : "?");
        sqlite3_free(msg);
        store_close(st);
        return -1;
    }
    *out = st;
    return 0;
}

void store_close(coord_store *st) {
    if (!st) return;
    if (st->db) sqlite3_close(st->db);
    free(st->dir);
    free(st);
}

/* ---- programs ---- */

static void elf_path(const coord_store *st, const char *id, char *out, size_t n) {
    snprintf(out, n, "%s/programs/%s.elf", st->dir, id);
}

static int write_durable(const char *path, const uint8_t *data, size_t len, zisk_err *err) {
    char tmp[4300];
    if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp%d", path, (int)getpid()) >= sizeof tmp)
        return zisk_err_set(err, "path '%s' is too long", path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return zisk_err_set(err, "cannot create '%s': %s", tmp, strerror(errno));
    size_t off = 0;
    while (off < len) {
        ssize_t w = write(fd, data + off, len - off);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) {
            zisk_err_set(err, "cannot write '%s': %s", tmp, strerror(errno));
            close(fd);
            unlink(tmp);
            return -1;
        }
        off += (size_t)w;
    }
    if (fsync(fd) != 0 || close(fd) != 0) {
        zisk_err_set(err, "cannot sync '%s': %s", tmp, strerror(errno));
        unlink(tmp);
        return -1;
    }
    if (rename(tmp, path) != 0) {
        zisk_err_set(err, "cannot rename '%s' to '%s': %s", tmp, path, strerror(errno));
        unlink(tmp);
        return -1;
    }
    return 0;
}

int store_put_program(coord_store *st, const char *id, const char *name, const uint8_t *elf, size_t len,
                      int64_t unix_ms, bool *already, zisk_err *err) {
    *already = false;
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(st->db, "SELECT 1 FROM programs WHERE id = ?", -1, &q, NULL) != SQLITE_OK)
        return db_err(st, err, "prepare");
    sqlite3_bind_text(q, 1, id, -1, SQLITE_STATIC);
    int rc = sqlite3_step(q);
    sqlite3_finalize(q);
    char path[4300];
    elf_path(st, id, path, sizeof path);
    if (rc == SQLITE_ROW && access(path, R_OK) == 0) {
        *already = true;
        return 0;
    }
    if (write_durable(path, elf, len, err) != 0) return -1;
    if (sqlite3_prepare_v2(st->db,
                           "INSERT INTO programs(id, name, size, created_ms) VALUES(?, ?, ?, ?) "
                           "ON CONFLICT(id) DO NOTHING",
                           -1, &q, NULL) != SQLITE_OK)
        return db_err(st, err, "prepare");
    sqlite3_bind_text(q, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, name ? name : "", -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 3, (sqlite3_int64)len);
    sqlite3_bind_int64(q, 4, unix_ms);
    rc = sqlite3_step(q);
    sqlite3_finalize(q);
    if (rc != SQLITE_DONE) return db_err(st, err, "insert program");
    return 0;
}

int store_program_elf(coord_store *st, const char *id, uint8_t **elf, size_t *len, zisk_err *err) {
    char path[4300];
    elf_path(st, id, path, sizeof path);
    return zisk_read_file(path, (size_t)128 << 20, elf, len, err);
}

int store_program_set_up(coord_store *st, const char *id, zisk_err *err) {
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(st->db, "UPDATE programs SET set_up = 1 WHERE id = ?", -1, &q, NULL) != SQLITE_OK)
        return db_err(st, err, "prepare");
    sqlite3_bind_text(q, 1, id, -1, SQLITE_STATIC);
    int rc = sqlite3_step(q);
    sqlite3_finalize(q);
    return rc == SQLITE_DONE ? 0 : db_err(st, err, "update program");
}

int store_load_programs(coord_store *st, void (*fn)(void *ctx, const char *id, bool set_up), void *ctx,
                        zisk_err *err) {
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(st->db, "SELECT id, set_up FROM programs ORDER BY created_ms", -1, &q, NULL) != SQLITE_OK)
        return db_err(st, err, "prepare");
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        const char *id = (const char *)sqlite3_column_text(q, 0);
        char path[4300];
        if (!id || strlen(id) != SCHED_PROGRAM_ID_LEN) continue;
        elf_path(st, id, path, sizeof path);
        if (access(path, R_OK) != 0) continue; /* the ELF file is gone: forget the program */
        fn(ctx, id, sqlite3_column_int(q, 1) != 0);
    }
    sqlite3_finalize(q);
    return rc == SQLITE_DONE ? 0 : db_err(st, err, "read programs");
}

/* ---- jobs ---- */

#define JOB_COLUMNS                                                                                          \
    "id, seq, kind, state, program_id, priority, timeout_s, max_steps, input_kind, input_path, input_ready,"  \
    " created_ms, started_ms, finished_ms, phase, error_code, message, workers, attempts, retry_errors,"     \
    " task_id, has_result, stop, steps, exit_code, outputs, seconds, result_message"
#define N_JOB_COLUMNS 28

static char *join_workers(const sched_job *j) {
    size_t n = 1;
    for (size_t i = 0; i < j->n_workers; i++) n += strlen(j->workers[i]) + 1;
    char *out = zisk_xmalloc(n);
    out[0] = 0;
    size_t len = 0;
    for (size_t i = 0; i < j->n_workers; i++) len += (size_t)snprintf(out + len, n - len, "%s%s", i ? "\n" : "", j->workers[i]);
    return out;
}

int store_save_job(coord_store *st, const sched_job *j, bool with_input, zisk_err *err) {
    static const char sql[] = "INSERT INTO jobs(" JOB_COLUMNS ", input) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
                              " ON CONFLICT(id) DO UPDATE SET state=excluded.state, started_ms=excluded.started_ms,"
                              " finished_ms=excluded.finished_ms, phase=excluded.phase, error_code=excluded.error_code,"
                              " message=excluded.message, workers=excluded.workers, attempts=excluded.attempts,"
                              " retry_errors=excluded.retry_errors, task_id=excluded.task_id,"
                              " input_ready=excluded.input_ready, has_result=excluded.has_result, stop=excluded.stop,"
                              " steps=excluded.steps, exit_code=excluded.exit_code, outputs=excluded.outputs,"
                              " seconds=excluded.seconds, result_message=excluded.result_message";
    static const char sql_input[] = " , input=excluded.input";
    char full[sizeof sql + sizeof sql_input];
    snprintf(full, sizeof full, "%s%s", sql, with_input ? sql_input : "");
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(st->db, full, -1, &q, NULL) != SQLITE_OK) return db_err(st, err, "prepare");
    char *workers = join_workers(j);
    uint8_t outputs[SCHED_OUTPUT_WORDS * 4];
    for (int i = 0; i < SCHED_OUTPUT_WORDS; i++)
        for (int b = 0; b < 4; b++) outputs[i * 4 + b] = (uint8_t)(j->result.outputs[i] >> (8 * b));
    int c = 1;
    sqlite3_bind_text(q, c++, j->id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, c++, (sqlite3_int64)j->seq);
    sqlite3_bind_int(q, c++, j->kind);
    sqlite3_bind_int(q, c++, j->state);
    sqlite3_bind_text(q, c++, j->program_id, -1, SQLITE_STATIC);
    sqlite3_bind_int(q, c++, j->priority);
    sqlite3_bind_int64(q, c++, j->timeout_seconds);
    sqlite3_bind_int64(q, c++, (sqlite3_int64)j->max_steps);
    sqlite3_bind_int(q, c++, j->input_kind);
    if (j->input_path) sqlite3_bind_text(q, c++, j->input_path, -1, SQLITE_STATIC);
    else sqlite3_bind_null(q, c++);
    sqlite3_bind_int(q, c++, j->input_ready);
    sqlite3_bind_int64(q, c++, j->created_unix_ms);
    sqlite3_bind_int64(q, c++, j->started_unix_ms);
    sqlite3_bind_int64(q, c++, j->finished_unix_ms);
    sqlite3_bind_text(q, c++, j->phase, -1, SQLITE_STATIC);
    sqlite3_bind_int(q, c++, j->error_code);
    sqlite3_bind_text(q, c++, j->message, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, c++, workers, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, c++, j->attempts);
    sqlite3_bind_int64(q, c++, j->retry_errors);
    sqlite3_bind_text(q, c++, j->task_id, -1, SQLITE_STATIC);
    sqlite3_bind_int(q, c++, j->has_result);
    sqlite3_bind_text(q, c++, j->result.stop, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, c++, (sqlite3_int64)j->result.steps);
    sqlite3_bind_int64(q, c++, (sqlite3_int64)j->result.exit_code);
    sqlite3_bind_blob(q, c++, outputs, sizeof outputs, SQLITE_STATIC);
    sqlite3_bind_double(q, c++, j->result.seconds);
    sqlite3_bind_text(q, c++, j->result.message, -1, SQLITE_STATIC);
    if (with_input && j->input) sqlite3_bind_blob64(q, c++, j->input, j->input_len, SQLITE_STATIC);
    else if (with_input) sqlite3_bind_zeroblob(q, c++, 0);
    else sqlite3_bind_null(q, c++);
    int rc = sqlite3_step(q);
    sqlite3_finalize(q);
    free(workers);
    return rc == SQLITE_DONE ? 0 : db_err(st, err, "save job");
}

static void col_str(sqlite3_stmt *q, int i, char *dst, size_t n) {
    const unsigned char *t = sqlite3_column_text(q, i);
    snprintf(dst, n, "%s", t ? (const char *)t : "");
}

static sched_job *row_to_job(sqlite3_stmt *q, bool with_input) {
    sched_job *j = sched_job_alloc();
    int c = 0;
    col_str(q, c++, j->id, sizeof j->id);
    j->seq = (uint64_t)sqlite3_column_int64(q, c++);
    j->kind = (sched_kind)sqlite3_column_int(q, c++);
    j->state = (sched_job_state)sqlite3_column_int(q, c++);
    col_str(q, c++, j->program_id, sizeof j->program_id);
    j->priority = sqlite3_column_int(q, c++);
    j->timeout_seconds = (uint32_t)sqlite3_column_int64(q, c++);
    j->max_steps = (uint64_t)sqlite3_column_int64(q, c++);
    j->input_kind = (sched_input)sqlite3_column_int(q, c++);
    const unsigned char *ip = sqlite3_column_text(q, c++);
    if (ip) j->input_path = zisk_xstrdup((const char *)ip);
    j->input_ready = sqlite3_column_int(q, c++) != 0;
    j->created_unix_ms = sqlite3_column_int64(q, c++);
    j->started_unix_ms = sqlite3_column_int64(q, c++);
    j->finished_unix_ms = sqlite3_column_int64(q, c++);
    col_str(q, c++, j->phase, sizeof j->phase);
    j->error_code = (sched_error)sqlite3_column_int(q, c++);
    col_str(q, c++, j->message, sizeof j->message);
    const unsigned char *w = sqlite3_column_text(q, c++);
    if (w && *w) {
        char *copy = zisk_xstrdup((const char *)w), *save = NULL;
        for (char *t = strtok_r(copy, "\n", &save); t; t = strtok_r(NULL, "\n", &save)) sched_job_add_worker(j, t);
        free(copy);
    }
    j->attempts = (uint32_t)sqlite3_column_int64(q, c++);
    j->retry_errors = (uint32_t)sqlite3_column_int64(q, c++);
    col_str(q, c++, j->task_id, sizeof j->task_id);
    j->has_result = sqlite3_column_int(q, c++) != 0;
    col_str(q, c++, j->result.stop, sizeof j->result.stop);
    j->result.steps = (uint64_t)sqlite3_column_int64(q, c++);
    j->result.exit_code = (uint64_t)sqlite3_column_int64(q, c++);
    const uint8_t *out = sqlite3_column_blob(q, c);
    int out_len = sqlite3_column_bytes(q, c++);
    if (out && out_len == SCHED_OUTPUT_WORDS * 4)
        for (int i = 0; i < SCHED_OUTPUT_WORDS; i++)
            j->result.outputs[i] = (uint32_t)out[i * 4] | (uint32_t)out[i * 4 + 1] << 8 |
                                   (uint32_t)out[i * 4 + 2] << 16 | (uint32_t)out[i * 4 + 3] << 24;
    j->result.seconds = sqlite3_column_double(q, c++);
    col_str(q, c++, j->result.message, sizeof j->result.message);
    if (with_input) {
        const void *in = sqlite3_column_blob(q, c);
        int in_len = sqlite3_column_bytes(q, c);
        if (in && in_len > 0) {
            j->input = zisk_xmalloc((size_t)in_len);
            memcpy(j->input, in, (size_t)in_len);
            j->input_len = (size_t)in_len;
        }
    }
    return j;
}

sched_job *store_get_job(coord_store *st, const char *id, bool with_input, zisk_err *err) {
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(st->db, "SELECT " JOB_COLUMNS ", input FROM jobs WHERE id = ?", -1, &q, NULL) != SQLITE_OK) {
        db_err(st, err, "prepare");
        return NULL;
    }
    sqlite3_bind_text(q, 1, id, -1, SQLITE_STATIC);
    sched_job *j = NULL;
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) j = row_to_job(q, with_input);
    else if (rc != SQLITE_DONE) db_err(st, err, "read job");
    else zisk_err_set(err, "job %s not found", id);
    sqlite3_finalize(q);
    return j;
}

int store_load_active_jobs(coord_store *st, void (*fn)(void *ctx, sched_job *j), void *ctx, zisk_err *err) {
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(st->db, "SELECT " JOB_COLUMNS ", input FROM jobs WHERE state IN (1, 2) ORDER BY seq", -1, &q,
                           NULL) != SQLITE_OK)
        return db_err(st, err, "prepare");
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) fn(ctx, row_to_job(q, true));
    sqlite3_finalize(q);
    return rc == SQLITE_DONE ? 0 : db_err(st, err, "read jobs");
}

int store_list_jobs(coord_store *st, uint32_t limit, int state, void (*fn)(void *ctx, sched_job *j), void *ctx,
                    zisk_err *err) {
    sqlite3_stmt *q;
    const char *sql = state ? "SELECT " JOB_COLUMNS " FROM jobs WHERE state = ? ORDER BY seq DESC LIMIT ?"
                            : "SELECT " JOB_COLUMNS " FROM jobs WHERE ? = 0 ORDER BY seq DESC LIMIT ?";
    if (sqlite3_prepare_v2(st->db, sql, -1, &q, NULL) != SQLITE_OK) return db_err(st, err, "prepare");
    sqlite3_bind_int(q, 1, state);
    sqlite3_bind_int64(q, 2, limit);
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) fn(ctx, row_to_job(q, false));
    sqlite3_finalize(q);
    return rc == SQLITE_DONE ? 0 : db_err(st, err, "list jobs");
}
