/*
 * worker_inputs.h: job inputs named by path resolve inside the worker's inputs folder and can
 * never escape it. The path comes from the network, so it is outside data.
 */
#ifndef ZISK_WORKER_INPUTS_H
#define ZISK_WORKER_INPUTS_H

#include "base.h"

/* Resolves `rel` inside `folder`. Refused: empty, absolute, any ".." component, NUL bytes,
 * missing files, non-regular files, and anything whose real path (symlinks followed) lies
 * outside the folder's real path. On success *abs_out is the real path (caller frees). */
int worker_resolve_input(const char *folder, const char *rel, char **abs_out, zisk_err *err);

#endif
