/*
 * hash.h: every digest khub computes, from one provider, OpenSSL's EVP:
 * SHA-1 for git's object ids, SHA-256 for LFS ids, token and session
 * hashes and S3 signatures, HMAC-SHA-256 for SigV4. (OpenSSL's SHA-1 runs
 * at about 1.9 GB/s here, the own one it replaces at 210 MB/s.)
 *
 * An allocation failure inside OpenSSL aborts the worker: a digest cannot
 * be skipped, and the supervisor starts a fresh worker.
 */
#ifndef KHUB_HASH_H
#define KHUB_HASH_H

#include <stddef.h>

#define HASH_SHA1_LEN	20
#define HASH_SHA256_LEN	32

enum hash_alg { HASH_SHA1, HASH_SHA256 };

/* A digest in progress: hash_init, any number of hash_update, then
 * hash_final, which also releases it. */
struct hash {
	void		*ctx;
};

void	 hash_init(struct hash *, enum hash_alg);
void	 hash_update(struct hash *, const void *data, size_t len);
/* Writes the digest (HASH_SHA1_LEN or HASH_SHA256_LEN bytes). */
void	 hash_final(struct hash *, unsigned char *out);
/* Releases a digest that will not be finished. */
void	 hash_discard(struct hash *);

void	 hash_sha256(unsigned char out[HASH_SHA256_LEN], const void *data,
	    size_t len);
void	 hash_hmac_sha256(unsigned char out[HASH_SHA256_LEN],
	    const void *key, size_t keylen, const void *msg, size_t len);

#endif
