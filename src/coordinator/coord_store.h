/*
 * coord_store.h: the coordinator's durable state in its data directory.
 *
 * HOW IT WORKS
 *  <data_dir>/coordinator.db   SQLite (WAL journal): tables `programs` and `jobs` (every field
 *                              of a job, its input and its result). A job row is rewritten on
 *                              every state change, so after a crash or a restart the database
 *                              holds each job's last state.
 *  <data_dir>/programs/<id>.elf the registered ELF files, named by their hex SHA-256, written
 *                              to a temporary name, fsync'ed, then renamed.
 *  synchronous=NORMAL with WAL: a killed process loses nothing committed; a power cut may lose
 *  the last few commits, never corrupt the database.
 *
 * Errors: functions return 0 or -1 with err saying what failed (the SQLite message, the path).
 * Not thread-safe: the coordinator calls it under its lock.
 */
#ifndef ZISK_COORD_STORE_H
#define ZISK_COORD_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base.h"
#include "sched.h"

typedef struct coord_store coord_store;

/* Creates data_dir (and programs/) if missing, opens or creates the database. */
int store_open(const char *data_dir, coord_store **out, zisk_err *err);
void store_close(coord_store *st);

/* Stores an ELF under its id; *already is set when it was registered before (nothing written). */
int store_put_program(coord_store *st, const char *id, const char *name, const uint8_t *elf, size_t len,
                      int64_t unix_ms, bool *already, zisk_err *err);
/* Reads a program's ELF (caller frees *elf). */
int store_program_elf(coord_store *st, const char *id, uint8_t **elf, size_t *len, zisk_err *err);
int store_program_set_up(coord_store *st, const char *id, zisk_err *err);
/* Calls fn for each program. */
int store_load_programs(coord_store *st, void (*fn)(void *ctx, const char *id, bool set_up), void *ctx,
                        zisk_err *err);

/* Writes the job's row; with_input also (re)writes its input bytes. */
int store_save_job(coord_store *st, const sched_job *j, bool with_input, zisk_err *err);
/* Reads one job (a new record for sched_job_free, or sched_restore); NULL when missing or on
 * error (err says which). with_input loads the input bytes too. */
sched_job *store_get_job(coord_store *st, const char *id, bool with_input, zisk_err *err);
/* Calls fn with each job that is queued or running (inputs loaded; fn takes ownership). */
int store_load_active_jobs(coord_store *st, void (*fn)(void *ctx, sched_job *j), void *ctx, zisk_err *err);
/* Calls fn with up to limit jobs, newest first, optionally only those in `state` (0: all); fn
 * takes ownership of each record (sched_job_free). */
int store_list_jobs(coord_store *st, uint32_t limit, int state, void (*fn)(void *ctx, sched_job *j),
                    void *ctx, zisk_err *err);

#endif
