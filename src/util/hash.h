/* SHA-256 and HMAC-SHA256 over libcrypto: the one place that links it. */
#ifndef ECII_UTIL_HASH_H
#define ECII_UTIL_HASH_H

#include <stddef.h>
#include <stdint.h>

#define HASH_SHA256_LEN 32

void hash_sha256(const void *data, size_t len, uint8_t out[HASH_SHA256_LEN]);
/* Writes the lower-case hex digest and a NUL into out (65 bytes). */
void hash_sha256_hex(const void *data, size_t len, char out[2 * HASH_SHA256_LEN + 1]);
void hash_hmac_sha256(const void *key, size_t key_len, const void *data, size_t len,
                      uint8_t out[HASH_SHA256_LEN]);

#endif
