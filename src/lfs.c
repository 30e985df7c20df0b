/*
 * lfs.c: the check that turns an uploaded LFS object into a usable one.
 *
 * The guarantee: an object is in lfs_object (and so may be committed and
 * downloaded) only once khub has read its bytes and found that they hash
 * to its oid and have the size announced. S3 cannot check a sha256 on a
 * presigned PUT sent with no headers, so clients upload to a staging key
 * and the check happens here, after the upload.
 *
 * The staging key is writable by anyone who asked for an upload of the
 * same oid, even while it is being checked; so the bytes checked are a
 * private copy of it (CopyObject to a key no client knows), and the final
 * key is copied from that same private copy: what lands at the final key
 * is exactly what was hashed.
 *
 * Hashing was most of the cost: libsodium's portable SHA-256 runs at about
 * 170-300 MB/s here, OpenSSL's (SHA-NI, AVX2) at 1.7 GB/s, faster than S3
 * hands the bytes over; so this one hash is OpenSSL's.
 */
#include <string.h>
#include <time.h>

#include <openssl/evp.h>
#include <sodium.h>

#include "db.h"
#include "gitstore.h"
#include "hub.h"
#include "lfs.h"
#include "log.h"
#include "s3.h"

static const char SQL_OBJECT[] =
    "SELECT size FROM lfs_object WHERE sha256 = ?";
static const char SQL_RECORD[] =
    "INSERT IGNORE INTO lfs_object (sha256, size) VALUES (?, ?)";

/* The object's bytes as they stream from S3. */
struct hasher {
	EVP_MD_CTX	*ctx;
	uint64_t	 n;		/* bytes seen */
	uint64_t	 max;		/* the size announced */
	int		 over;		/* more bytes than announced */
};

static void
hasher_init(struct hasher *h, uint64_t max)
{
	if ((h->ctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex(h->ctx, EVP_sha256(), NULL) != 1)
		oom();
	h->n = 0;
	h->max = max;
	h->over = 0;
}

static void
hasher_final(struct hasher *h, unsigned char out[SHA256_LEN])
{
	EVP_DigestFinal_ex(h->ctx, out, NULL);
	EVP_MD_CTX_free(h->ctx);
}

char *
lfs_staging_key(struct arena *a, const unsigned char sha256[SHA256_LEN],
    uint64_t size)
{
	char hex[2 * SHA256_LEN + 1];

	hex_encode(hex, sha256, SHA256_LEN);
	return arena_printf(a, "lfs-staging/%s-%llu", hex,
	    (unsigned long long)size);
}

char *
lfs_object_key(struct arena *a, const unsigned char sha256[SHA256_LEN])
{
	struct blob_info b;

	memset(&b, 0, sizeof(b));
	memcpy(b.sha256, sha256, SHA256_LEN);
	b.lfs = true;
	return gitstore_s3_key(a, &b);
}

static int
hash_sink(void *arg, const void *data, size_t len)
{
	struct hasher *h = arg;

	if (len > h->max - h->n) {
		h->over = 1;
		return 1;	/* stop: it cannot be the object */
	}
	EVP_DigestUpdate(h->ctx, data, len);
	h->n += len;
	return 0;
}

static enum lfs_result
db_failure(struct req *r, char **msg)
{
	if (db_unavailable(r->hub->db)) {
		*msg = "The database is unavailable; try again shortly";
		return LFS_UNAVAILABLE;
	}
	log_error("lfs: database error: %s (request %s)",
	    db_error(r->hub->db), r->id);
	*msg = arena_printf(r->a, "Database error (request %s)", r->id);
	return LFS_ERROR;
}

/* The S3 error rc as a result; the details go to the log only (they name
 * internal keys). */
static enum lfs_result
s3_failure(struct req *r, int rc, char **msg)
{
	log_error("lfs: %s (request %s)", s3_errmsg(r->hub->s3), r->id);
	if (rc == S3_UNAVAILABLE) {
		*msg = "The storage is unavailable; try again shortly";
		return LFS_UNAVAILABLE;
	}
	*msg = arena_printf(r->a, "Storage error (request %s)", r->id);
	return LFS_ERROR;
}

/* A best-effort DELETE: a leftover is only garbage, never wrong data. */
static void
discard(struct req *r, const char *key)
{
	if (s3_delete(r->hub->s3, key) != S3_OK)
		log_warn("lfs: cannot delete %s: %s", key,
		    s3_errmsg(r->hub->s3));
}

/* Whether lfs_object has the object: LFS_OK, LFS_MISSING, LFS_MISMATCH
 * (known with another size), or a database failure. */
static enum lfs_result
known(struct req *r, const unsigned char sha256[SHA256_LEN], uint64_t size,
    const char *hex, char **msg)
{
	struct db_res *res;
	uint64_t have;
	int rc;

	if (db_exec(r->hub->db, r->a, &res, SQL_OBJECT, "b", sha256,
	    (size_t)SHA256_LEN) != 0)
		return db_failure(r, msg);
	if ((rc = db_row(res, "u", &have)) < 0)
		return db_failure(r, msg);
	if (rc == 0)
		return LFS_MISSING;
	if (have != size) {
		*msg = arena_printf(r->a, "LFS object %s has a size of %llu "
		    "bytes, not %llu", hex, (unsigned long long)have,
		    (unsigned long long)size);
		return LFS_MISMATCH;
	}
	return LFS_OK;
}

/* Nothing staged: unless a concurrent check just recorded it. */
static enum lfs_result
missing(struct req *r, const unsigned char sha256[SHA256_LEN], uint64_t size,
    const char *hex, char **msg)
{
	enum lfs_result res;

	if ((res = known(r, sha256, size, hex, msg)) != LFS_MISSING)
		return res;
	*msg = arena_printf(r->a, "LFS object %s (%llu bytes) was never "
	    "uploaded, or its upload did not complete", hex,
	    (unsigned long long)size);
	return LFS_MISSING;
}

enum lfs_result
lfs_verify(struct req *r, const unsigned char sha256[SHA256_LEN],
    uint64_t size, char **msg)
{
	struct s3 *s3 = r->hub->s3;
	struct s3_stat st;
	struct hasher h;
	struct timespec t0, t1;
	unsigned char got[SHA256_LEN];
	char hex[2 * SHA256_LEN + 1], ghex[2 * SHA256_LEN + 1], rnd[17];
	unsigned char rb[8];
	char *staging, *snap, *final;
	enum lfs_result res;
	double secs;
	int rc;

	*msg = NULL;
	hex_encode(hex, sha256, SHA256_LEN);
	if ((res = known(r, sha256, size, hex, msg)) != LFS_MISSING)
		return res;
	if (size > LFS_MAX_SIZE) {
		*msg = arena_printf(r->a, "LFS object %s is %llu bytes: this "
		    "server stores objects of up to 5 GiB", hex,
		    (unsigned long long)size);
		return LFS_TOO_LARGE;
	}
	staging = lfs_staging_key(r->a, sha256, size);
	if ((rc = s3_head(s3, staging, &st)) == S3_NOTFOUND)
		return missing(r, sha256, size, hex, msg);
	if (rc != S3_OK)
		return s3_failure(r, rc, msg);
	if (st.size != size) {
		discard(r, staging);
		*msg = arena_printf(r->a, "LFS object %s: %llu bytes were "
		    "uploaded, not the %llu announced; upload it again", hex,
		    (unsigned long long)st.size, (unsigned long long)size);
		return LFS_MISMATCH;
	}

	/* The private copy that is checked, then copied to its final key. */
	randombytes_buf(rb, sizeof(rb));
	hex_encode(rnd, rb, sizeof(rb));
	snap = arena_printf(r->a, "lfs-verify/%s-%llu-%s", hex,
	    (unsigned long long)size, rnd);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if ((rc = s3_copy(s3, staging, snap)) == S3_NOTFOUND)
		return missing(r, sha256, size, hex, msg);
	if (rc != S3_OK)
		return s3_failure(r, rc, msg);

	hasher_init(&h, size);
	rc = s3_get(s3, snap, hash_sink, &h);
	hasher_final(&h, got);
	if (rc != S3_OK && !h.over) {
		res = s3_failure(r, rc, msg);
		discard(r, snap);
		return res;
	}
	if (h.over || h.n != size || sodium_memcmp(got, sha256,
	    SHA256_LEN) != 0) {
		discard(r, snap);
		discard(r, staging);
		if (h.over || h.n != size)
			*msg = arena_printf(r->a, "LFS object %s: the upload "
			    "is not %llu bytes long; upload it again", hex,
			    (unsigned long long)size);
		else {
			hex_encode(ghex, got, SHA256_LEN);
			*msg = arena_printf(r->a, "LFS object %s: the bytes "
			    "uploaded have sha256 %s; upload the right "
			    "content again", hex, ghex);
		}
		return LFS_MISMATCH;
	}

	final = lfs_object_key(r->a, sha256);
	if ((rc = s3_copy(s3, snap, final)) != S3_OK) {
		res = s3_failure(r, rc, msg);
		discard(r, snap);
		return res;
	}
	if (db_exec(r->hub->db, r->a, NULL, SQL_RECORD, "bu", sha256,
	    (size_t)SHA256_LEN, size) != 0) {
		res = db_failure(r, msg);
		discard(r, snap);
		return res;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	discard(r, snap);
	discard(r, staging);
	secs = (double)(t1.tv_sec - t0.tv_sec) +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	log_info("lfs: verified %s (%llu bytes) in %.3f s (%.0f MB/s)", hex,
	    (unsigned long long)size, secs, secs > 0 ?
	    (double)size / secs / 1e6 : 0.0);
	return LFS_OK;
}

int
lfs_ensure_verified(struct req *r, const unsigned char sha256[SHA256_LEN],
    uint64_t size)
{
	enum lfs_result res;
	char *msg;

	switch ((res = lfs_verify(r, sha256, size, &msg))) {
	case LFS_OK:
		return 0;
	case LFS_MISSING:
		resp_error(r, 422, "LfsObjectNotFound", "%s", msg);
		break;
	case LFS_MISMATCH:
		resp_error(r, 422, "LfsObjectMismatch", "%s", msg);
		break;
	case LFS_TOO_LARGE:
		resp_error(r, 413, "PayloadTooLarge", "%s", msg);
		break;
	case LFS_UNAVAILABLE:
		resp_error(r, 503, "ServiceUnavailable", "%s", msg);
		break;
	case LFS_ERROR:
		resp_error(r, 500, "InternalError", "%s", msg);
		break;
	}
	return -1;
}
