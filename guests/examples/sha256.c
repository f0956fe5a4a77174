/*
 * sha256: SHA-256 of the input's first record (with `zisk execute --input-raw FILE`, of FILE).
 *
 * Console: the digest in lowercase hex.
 * Outputs: words 0..7 = digest as big-endian u32 words; word 8 = input length (low 32 bits).
 * Exit:    0.
 */
#include <stdio.h>

#include "zisk.h"
#include "lib/hexout.h"
#include "lib/sha256.h"

int main(void)
{
    size_t len;
    const uint8_t *data = zisk_input_next(&len);
    uint8_t digest[32];
    sha256(data, len, digest);
    print_hex(digest, sizeof digest);
    printf("\n");
    commit_digest(digest);
    zisk_commit(8, (uint32_t)len);
    return 0;
}
