/*
 * hash.c: SHA-1, SHA-256 and HMAC-SHA-256 through OpenSSL's EVP (hash.h).
 */
#include <stdlib.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>

#include "hash.h"
#include "log.h"

static void __attribute__((noreturn))
failed(const char *what)
{
	log_error("hash: %s failed (out of memory?)", what);
	abort();
}

/* Fetched once per process: an implicit fetch on every init costs a
 * lookup in OpenSSL's provider tables. */
static const EVP_MD *
md(enum hash_alg alg)
{
	static EVP_MD *sha1, *sha256;
	EVP_MD **slot = alg == HASH_SHA1 ? &sha1 : &sha256;

	if (*slot == NULL && (*slot = EVP_MD_fetch(NULL, alg == HASH_SHA1 ?
	    "SHA1" : "SHA256", NULL)) == NULL)
		failed("EVP_MD_fetch");
	return *slot;
}

void
hash_init(struct hash *h, enum hash_alg alg)
{
	EVP_MD_CTX *c;

	if ((c = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex2(c, md(alg), NULL) != 1)
		failed("EVP_DigestInit_ex2");
	h->ctx = c;
}

void
hash_update(struct hash *h, const void *data, size_t len)
{
	if (len > 0 && EVP_DigestUpdate(h->ctx, data, len) != 1)
		failed("EVP_DigestUpdate");
}

void
hash_final(struct hash *h, unsigned char *out)
{
	if (EVP_DigestFinal_ex(h->ctx, out, NULL) != 1)
		failed("EVP_DigestFinal_ex");
	hash_discard(h);
}

void
hash_discard(struct hash *h)
{
	EVP_MD_CTX_free(h->ctx);
	h->ctx = NULL;
}

void
hash_sha256(unsigned char out[HASH_SHA256_LEN], const void *data, size_t len)
{
	struct hash h;

	hash_init(&h, HASH_SHA256);
	hash_update(&h, data, len);
	hash_final(&h, out);
}

void
hash_hmac_sha256(unsigned char out[HASH_SHA256_LEN], const void *key,
    size_t keylen, const void *msg, size_t len)
{
	/* One context, its digest set once (setting it fetches SHA-256
	 * from the provider tables each time); each call keys it anew. */
	static EVP_MAC_CTX *c;
	EVP_MAC *mac;
	size_t n;

	if (c == NULL) {
		OSSL_PARAM params[] = {
			OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
			    (char *)"SHA256", 0),
			OSSL_PARAM_construct_end()
		};

		if ((mac = EVP_MAC_fetch(NULL, "HMAC", NULL)) == NULL ||
		    (c = EVP_MAC_CTX_new(mac)) == NULL ||
		    EVP_MAC_CTX_set_params(c, params) != 1)
			failed("EVP_MAC_fetch");
		EVP_MAC_free(mac);	/* the context holds its own */
	}
	if (EVP_MAC_init(c, key, keylen, NULL) != 1 ||
	    EVP_MAC_update(c, msg, len) != 1 ||
	    EVP_MAC_final(c, out, &n, HASH_SHA256_LEN) != 1)
		failed("HMAC-SHA-256");
}
