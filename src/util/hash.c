/* Hashing glue over OpenSSL's libcrypto. */
#include "config.h"

#include "util/hash.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "util/xmalloc.h"

void hash_sha256(const void *data, size_t len, uint8_t out[HASH_SHA256_LEN])
{
	unsigned int n = HASH_SHA256_LEN;

	if (EVP_Digest(data, len, out, &n, EVP_sha256(), NULL) != 1)
		fatal("SHA-256 failed");
}

void hash_sha256_hex(const void *data, size_t len, char out[2 * HASH_SHA256_LEN + 1])
{
	static const char hex[] = "0123456789abcdef";
	uint8_t d[HASH_SHA256_LEN];

	hash_sha256(data, len, d);
	for (size_t i = 0; i < HASH_SHA256_LEN; i++) {
		out[2 * i] = hex[d[i] >> 4];
		out[2 * i + 1] = hex[d[i] & 15];
	}
	out[2 * HASH_SHA256_LEN] = '\0';
}

void hash_hmac_sha256(const void *key, size_t key_len, const void *data, size_t len,
                      uint8_t out[HASH_SHA256_LEN])
{
	unsigned int n = HASH_SHA256_LEN;

	if (HMAC(EVP_sha256(), key, (int)key_len, data, len, out, &n) == NULL)
		fatal("HMAC-SHA256 failed");
}
