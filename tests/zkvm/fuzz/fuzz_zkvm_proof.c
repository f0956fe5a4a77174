/*
 * fuzz_zkvm_proof.c: libFuzzer target for zkVM proof files (src/zkvm/zkvm.h, zkvm_verify):
 * the header (magic, version, instance table, program root, length), the structure checks and
 * the STARK job underneath. Nothing may crash, leak or read out of bounds, and nothing but a
 * real proof may verify. Seeds (corpus/): hand-made headers and a real proof cut short (full
 * proofs are megabytes; the STARK decoder and verifier have their own target, fuzz_stark).
 */
#include <stdint.h>
#include <stdlib.h>

#include "zkvm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    zkvm_statement st;
    zisk_err err;
    (void)zkvm_verify(data, size, NULL, NULL, &st, &err);
    return 0;
}
