/*
 * zisk_impl.h: what each runtime variant (runtime/zisk/, runtime/linux/) provides to the shared
 * code in runtime/zisk_common.c. Private to the runtime; guests include zisk.h only.
 */
#ifndef ZISK_GUEST_IMPL_H
#define ZISK_GUEST_IMPL_H

#include <stddef.h>
#include <stdint.h>

/* The input region: *size bytes from the returned pointer, laid out like ZisK's region at
 * 0x40000000 (a u64 that is ignored, then the input file verbatim, then zeros to the end). */
const uint8_t *zisk__input_region(size_t *size);

/* One byte to the console; zisk__console_flush pushes out anything buffered. */
void zisk__console_put(uint8_t c);
void zisk__console_flush(void);

/* Stores output word i (already checked < 64). */
void zisk__output_store(unsigned i, uint32_t value);

/* Ends the process with `code`, after the variant's own end-of-run work. */
__attribute__((noreturn)) void zisk__sys_exit(int code);

#endif
