/* Hashing glue over OpenSSL's libcrypto. */
#include "config.h"

#include "util/hash.h"

#include <pthread.h>

#include <openssl/evp.h>
#include <openssl/params.h>

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

/* OpenSSL 3 looks the MAC up on every HMAC() call, which is a sixth of a
 * site's time per count: fetch it once. The fetched MAC is immutable and
 * shared between threads; each call has its own context. */
static EVP_MAC *hmac;
static pthread_once_t hmac_once = PTHREAD_ONCE_INIT;

static void hmac_fetch(void)
{
	hmac = EVP_MAC_fetch(NULL, "HMAC", NULL);
}

void hash_hmac_sha256(const void *key, size_t key_len, const void *data, size_t len,
                      uint8_t out[HASH_SHA256_LEN])
{
	char digest[] = "SHA256"; /* the parameter API takes a mutable string */
	OSSL_PARAM params[] = { OSSL_PARAM_construct_utf8_string("digest", digest, 0),
		                OSSL_PARAM_construct_end() };
	EVP_MAC_CTX *ctx;
	size_t n = 0;

	pthread_once(&hmac_once, hmac_fetch);
	if (hmac == NULL || (ctx = EVP_MAC_CTX_new(hmac)) == NULL)
		fatal("HMAC-SHA256 is not available");
	if (EVP_MAC_init(ctx, key, key_len, params) != 1 || EVP_MAC_update(ctx, data, len) != 1 ||
	    EVP_MAC_final(ctx, out, &n, HASH_SHA256_LEN) != 1 || n != HASH_SHA256_LEN)
		fatal("HMAC-SHA256 failed");
	EVP_MAC_CTX_free(ctx);
}
