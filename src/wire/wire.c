#include "wire.h"

#include <openssl/sha.h>
#include <string.h>

const rpc_method wire_worker_stream = {"/zisk.cluster.v1.ClusterService/WorkerStream", RPC_BIDI_STREAM,
                                       &zisk__cluster__v1__worker_message__descriptor,
                                       &zisk__cluster__v1__coordinator_message__descriptor};

const rpc_method wire_api_register_program = {"/zisk.api.v1.ZiskApi/RegisterProgram", RPC_UNARY,
                                              &zisk__api__v1__register_program_request__descriptor,
                                              &zisk__api__v1__register_program_response__descriptor};
const rpc_method wire_api_submit_job = {"/zisk.api.v1.ZiskApi/SubmitJob", RPC_UNARY,
                                        &zisk__api__v1__job_request__descriptor,
                                        &zisk__api__v1__submit_job_response__descriptor};
const rpc_method wire_api_wait_job_result = {"/zisk.api.v1.ZiskApi/WaitJobResult", RPC_UNARY,
                                             &zisk__api__v1__wait_job_result_request__descriptor,
                                             &zisk__api__v1__job__descriptor};
const rpc_method wire_api_watch_job = {"/zisk.api.v1.ZiskApi/WatchJob", RPC_SERVER_STREAM,
                                       &zisk__api__v1__watch_job_request__descriptor,
                                       &zisk__api__v1__job_event__descriptor};
const rpc_method wire_api_push_job_input = {"/zisk.api.v1.ZiskApi/PushJobInput", RPC_CLIENT_STREAM,
                                            &zisk__api__v1__job_input_chunk__descriptor,
                                            &zisk__api__v1__push_job_input_response__descriptor};
const rpc_method wire_api_cancel_job = {"/zisk.api.v1.ZiskApi/CancelJob", RPC_UNARY,
                                        &zisk__api__v1__cancel_job_request__descriptor,
                                        &zisk__api__v1__cancel_job_response__descriptor};
const rpc_method wire_api_list_workers = {"/zisk.api.v1.ZiskApi/ListWorkers", RPC_UNARY,
                                          &zisk__api__v1__list_workers_request__descriptor,
                                          &zisk__api__v1__list_workers_response__descriptor};
const rpc_method wire_api_list_jobs = {"/zisk.api.v1.ZiskApi/ListJobs", RPC_UNARY,
                                       &zisk__api__v1__list_jobs_request__descriptor,
                                       &zisk__api__v1__list_jobs_response__descriptor};
const rpc_method wire_api_get_job = {"/zisk.api.v1.ZiskApi/GetJob", RPC_UNARY,
                                     &zisk__api__v1__get_job_request__descriptor, &zisk__api__v1__job__descriptor};

void wire_program_id(const uint8_t *elf, size_t len, char out[WIRE_PROGRAM_ID_LEN + 1]) {
    static const char hex[] = "0123456789abcdef";
    uint8_t d[SHA256_DIGEST_LENGTH];
    SHA256(elf, len, d);
    for (int i = 0; i < SHA256_DIGEST_LENGTH; i++) {
        out[2 * i] = hex[d[i] >> 4];
        out[2 * i + 1] = hex[d[i] & 15];
    }
    out[WIRE_PROGRAM_ID_LEN] = 0;
}

int wire_is_program_id(const char *s) {
    size_t n = 0;
    for (; s[n]; n++)
        if (!((s[n] >= '0' && s[n] <= '9') || (s[n] >= 'a' && s[n] <= 'f'))) return 0;
    return n == WIRE_PROGRAM_ID_LEN;
}
