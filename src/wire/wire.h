/*
 * wire.h: the zisk services on the wire: the rpc_method tables of the cluster protocol
 * (proto/zisk/cluster.proto) and of the public API (proto/zisk/api.proto), and the program id
 * (the hex SHA-256 of an ELF) that both sides compute.
 */
#ifndef ZISK_WIRE_H
#define ZISK_WIRE_H

#include <stddef.h>
#include <stdint.h>

#include "rpc.h"
#include "zisk/api.pb-c.h"
#include "zisk/cluster.pb-c.h"

/* ClusterService.WorkerStream: the worker's one bidirectional stream. */
extern const rpc_method wire_worker_stream;

/* ZiskApi methods. */
extern const rpc_method wire_api_register_program;
extern const rpc_method wire_api_submit_job;
extern const rpc_method wire_api_wait_job_result;
extern const rpc_method wire_api_watch_job;
extern const rpc_method wire_api_push_job_input;
extern const rpc_method wire_api_cancel_job;
extern const rpc_method wire_api_list_workers;
extern const rpc_method wire_api_list_jobs;
extern const rpc_method wire_api_get_job;

#define WIRE_PROGRAM_ID_LEN 64 /* hex characters */

/* Writes the program id of an ELF image (lower-case hex SHA-256, NUL-terminated) into out. */
void wire_program_id(const uint8_t *elf, size_t len, char out[WIRE_PROGRAM_ID_LEN + 1]);

/* Whether s looks like a program id (64 lower-case hex characters). */
int wire_is_program_id(const char *s);

#endif
