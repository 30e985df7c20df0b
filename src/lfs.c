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
 * Knowing a sha256 is not owning the bytes: an object becomes usable in
 * a repository when bytes uploaded for it were checked (a row of
 * lfs_proof), or when it or a repository the caller may read already
 * references it. A verified upload of bytes
 * that are stored already is only a new proof: storage stays deduplicated.
 * No answer depends on whether an object exists outside the repository,
 * and none states a stored size: a stranger learns nothing by asking.
 * Staging keys are per repository, so that bytes staged for one
 * repository never prove anything for another.
 *
 * Hashing was most of the cost: libsodium's portable SHA-256 runs at about
 * 170-300 MB/s here, OpenSSL's (SHA-NI, AVX2) at 1.7 GB/s, faster than S3
 * hands the bytes over; every hash is OpenSSL's now (hash.h).
 */
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "db.h"
#include "gitstore.h"
#include "hash.h"
#include "hub.h"
#include "lfs.h"
#include "log.h"
#include "metrics.h"
#include "s3.h"

static const struct db_stmt SQL_OBJECT = DB_READ("b", "u",
    "SELECT size FROM lfs_object WHERE sha256 = ?");
static const struct db_stmt SQL_RECORD = DB_WRITE("bu",
    "INSERT IGNORE INTO lfs_object (sha256, size) VALUES (?, ?)");
static const struct db_stmt SQL_UNRECORD = DB_WRITE("b",
    "DELETE FROM lfs_object WHERE sha256 = ?");
/* The repository may use the object: a proof of its own, or a commit that
 * references it (repo_blob by the pointer's blob id) in this repository or
 * in any the caller may read: such a caller could download the bytes and
 * upload them again, so asking for that proves nothing. */
static const struct db_stmt SQL_LINKABLE = DB_READ("buiibbii", "u",
    "SELECT o.size FROM lfs_object o WHERE o.sha256 = ? AND o.size = ?"
    " AND (EXISTS (SELECT 1 FROM lfs_proof p WHERE p.repo_id = ?"
    " AND p.sha256 = o.sha256) OR EXISTS (SELECT 1 FROM repo_blob rb"
    " WHERE rb.repo_id = ? AND rb.oid = ?) OR EXISTS (SELECT 1"
    " FROM repo_blob rb JOIN repo rr ON rr.id = rb.repo_id"
    " WHERE rb.oid = ? AND rr.disabled = 0 AND (rr.private = 0"
    " OR rr.owner_id = ? OR EXISTS (SELECT 1 FROM org_member m"
    " WHERE m.org_id = rr.owner_id AND m.user_id = ?))))");
static const struct db_stmt SQL_SIZE_IN_REPO = DB_READ("ib", "u",
    "SELECT g.size FROM repo_blob rb JOIN git_blob g ON g.oid = rb.oid"
    " WHERE rb.repo_id = ? AND g.lfs = 1 AND g.sha256 = ? LIMIT 1");
static const struct db_stmt SQL_PROVE = DB_WRITE("ib",
    "INSERT IGNORE INTO lfs_proof (repo_id, sha256) VALUES (?, ?)");

/* The object's bytes as they stream from S3. */
struct hasher {
	struct hash	 sha;
	uint64_t	 n;		/* bytes seen */
	uint64_t	 max;		/* the size announced */
	int		 over;		/* more bytes than announced */
};

static void
hasher_init(struct hasher *h, uint64_t max)
{
	hash_init(&h->sha, HASH_SHA256);
	h->n = 0;
	h->max = max;
	h->over = 0;
}

static void
hasher_final(struct hasher *h, unsigned char out[SHA256_LEN])
{
	hash_final(&h->sha, out);
}

char *
lfs_staging_key(struct arena *a, int64_t repo_id,
    const unsigned char sha256[SHA256_LEN], uint64_t size)
{
	char hex[2 * SHA256_LEN + 1];

	hex_encode(hex, sha256, SHA256_LEN);
	return arena_printf(a, S3_UPLOAD_PREFIX "%lld/%s-%llu",
	    (long long)repo_id, hex, (unsigned long long)size);
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
	hash_update(&h->sha, data, len);
	h->n += len;
	return 0;
}

static enum lfs_result
db_failure(const struct dctx *x, char **msg)
{
	if (db_unavailable(x->hub->db)) {
		*msg = "The database is unavailable; try again shortly";
		return LFS_UNAVAILABLE;
	}
	log_error("lfs: database error: %s (request %s)",
	    db_error(x->hub->db), x->id);
	*msg = arena_printf(x->a, "Database error (request %s)", x->id);
	return LFS_ERROR;
}

/* The S3 error rc as a result; the details go to the log only (they name
 * internal keys). */
static enum lfs_result
s3_failure(const struct dctx *x, int rc, char **msg)
{
	log_error("lfs: %s (request %s)", s3_errmsg(x->hub->s3), x->id);
	if (rc == S3_UNAVAILABLE) {
		*msg = "The storage is unavailable; try again shortly";
		return LFS_UNAVAILABLE;
	}
	*msg = arena_printf(x->a, "Storage error (request %s)", x->id);
	return LFS_ERROR;
}

/* A best-effort DELETE: a leftover is only garbage, never wrong data. */
static void
discard(const struct dctx *x, const char *key)
{
	if (s3_delete(x->hub->s3, key) != S3_OK)
		log_warn("lfs: cannot delete %s: %s", key,
		    s3_errmsg(x->hub->s3));
}

#define LFS_SPEC	"version https://git-lfs.github.com/spec/v1\n"

bool
lfs_is_pointer(const void *data, size_t len)
{
	return len < 1024 && len >= sizeof(LFS_SPEC) - 1 &&
	    memcmp(data, LFS_SPEC, sizeof(LFS_SPEC) - 1) == 0;
}

/* Whether lfs_object holds the object: 1 (its size in *size), 0, or -1. */
static int
stored_size(const struct dctx *x, const unsigned char sha256[SHA256_LEN],
    uint64_t *size)
{
	struct db_res *res;

	if (db_exec(x->hub->db, x->a, &res, &SQL_OBJECT, db_b(sha256,
	    SHA256_LEN)) != 0)
		return -1;
	return db_row(res, db_out_u(size));
}

int
lfs_linkable(const struct dctx *x, int64_t repo_id,
    const unsigned char sha256[SHA256_LEN], uint64_t size)
{
	struct db_res *res;
	struct oid pointer;
	struct buf b;
	uint64_t have;
	int64_t user;

	buf_init(&b, x->a);
	lfs_pointer(&b, sha256, size);
	git_blob_oid(&pointer, b.data, b.len);
	user = x->user_id;
	if (db_exec(x->hub->db, x->a, &res, &SQL_LINKABLE, db_b(sha256,
	    SHA256_LEN), db_u(size), db_i(repo_id), db_i(repo_id),
	    db_b(pointer.b, OID_LEN), db_b(pointer.b, OID_LEN), db_i(user),
	    db_i(user)) != 0)
		return -1;
	return db_row(res, db_out_u(&have));
}

int
lfs_size_in_repo(const struct dctx *x, int64_t repo_id,
    const unsigned char sha256[SHA256_LEN], uint64_t *size)
{
	struct db_res *res;

	if (db_exec(x->hub->db, x->a, &res, &SQL_SIZE_IN_REPO, db_i(repo_id),
	    db_b(sha256, SHA256_LEN)) != 0)
		return -1;
	return db_row(res, db_out_u(size));
}

/* lfs_linkable() as a result: LFS_OK, LFS_MISSING or a database failure. */
static enum lfs_result
linkable(const struct dctx *x, int64_t repo_id,
    const unsigned char sha256[SHA256_LEN], uint64_t size, char **msg)
{
	int rc;

	if ((rc = lfs_linkable(x, repo_id, sha256, size)) < 0)
		return db_failure(x, msg);
	return rc == 1 ? LFS_OK : LFS_MISSING;
}

/* Nothing staged: unless a concurrent check just proved it. The message
 * is the same whether or not the object exists elsewhere. */
static enum lfs_result
missing(const struct dctx *x, int64_t repo_id,
    const unsigned char sha256[SHA256_LEN], uint64_t size, const char *hex,
    char **msg)
{
	enum lfs_result res;

	if ((res = linkable(x, repo_id, sha256, size, msg)) != LFS_MISSING)
		return res;
	*msg = arena_printf(x->a, "LFS object %s (%llu bytes) was never "
	    "uploaded to this repository, or its upload did not complete",
	    hex, (unsigned long long)size);
	return LFS_MISSING;
}

enum lfs_result
lfs_verify(const struct dctx *x, int64_t repo_id,
    const unsigned char sha256[SHA256_LEN], uint64_t size, char **msg)
{
	struct s3 *s3 = x->hub->s3;
	struct s3_stat st;
	struct hasher h;
	struct timespec t0, t1;
	unsigned char got[SHA256_LEN];
	char hex[2 * SHA256_LEN + 1], ghex[2 * SHA256_LEN + 1], rnd[17];
	unsigned char rb[8];
	char *staging, *snap, *final;
	enum lfs_result res;
	uint64_t have;
	double secs;
	int rc, stored;

	*msg = NULL;
	hex_encode(hex, sha256, SHA256_LEN);
	if ((res = linkable(x, repo_id, sha256, size, msg)) != LFS_MISSING)
		return res;
	if (size > LFS_MAX_SIZE) {
		*msg = arena_printf(x->a, "LFS object %s is %llu bytes: this "
		    "server stores objects of up to 5 GiB", hex,
		    (unsigned long long)size);
		return LFS_TOO_LARGE;
	}
	staging = lfs_staging_key(x->a, repo_id, sha256, size);
	if ((rc = s3_head(s3, staging, &st)) == S3_NOTFOUND)
		return missing(x, repo_id, sha256, size, hex, msg);
	if (rc != S3_OK)
		return s3_failure(x, rc, msg);
	if (st.size != size) {
		discard(x, staging);
		*msg = arena_printf(x->a, "LFS object %s: %llu bytes were "
		    "uploaded, not the %llu announced; upload it again", hex,
		    (unsigned long long)st.size, (unsigned long long)size);
		return LFS_MISMATCH;
	}

	/* The private copy that is checked, then copied to its final key. */
	randombytes_buf(rb, sizeof(rb));
	hex_encode(rnd, rb, sizeof(rb));
	snap = arena_printf(x->a, "lfs-verify/%s-%llu-%s", hex,
	    (unsigned long long)size, rnd);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if ((rc = s3_copy(s3, staging, snap)) == S3_NOTFOUND)
		return missing(x, repo_id, sha256, size, hex, msg);
	if (rc != S3_OK)
		return s3_failure(x, rc, msg);

	hasher_init(&h, size);
	rc = s3_get(s3, snap, hash_sink, &h);
	hasher_final(&h, got);
	if (rc != S3_OK && !h.over) {
		res = s3_failure(x, rc, msg);
		discard(x, snap);
		return res;
	}
	if (h.over || h.n != size || sodium_memcmp(got, sha256,
	    SHA256_LEN) != 0) {
		discard(x, snap);
		discard(x, staging);
		if (h.over || h.n != size)
			*msg = arena_printf(x->a, "LFS object %s: the upload "
			    "is not %llu bytes long; upload it again", hex,
			    (unsigned long long)size);
		else {
			hex_encode(ghex, got, SHA256_LEN);
			*msg = arena_printf(x->a, "LFS object %s: the bytes "
			    "uploaded have sha256 %s; upload the right "
			    "content again", hex, ghex);
		}
		return LFS_MISMATCH;
	}

	/* The bytes are the object's: store them unless they are already
	 * (then this upload only proves possession), then the proof. */
	if ((stored = stored_size(x, sha256, &have)) < 0) {
		res = db_failure(x, msg);
		discard(x, snap);
		return res;
	}
	if (stored == 0) {
		final = lfs_object_key(x->a, sha256);
		if ((rc = s3_copy(s3, snap, final)) != S3_OK) {
			res = s3_failure(x, rc, msg);
			discard(x, snap);
			return res;
		}
		if (db_exec(x->hub->db, x->a, NULL, &SQL_RECORD, db_b(sha256,
		    SHA256_LEN), db_u(size)) != 0) {
			res = db_failure(x, msg);
			discard(x, snap);
			return res;
		}
		/* gc deletes a key no row names (an orphan) holding that
		 * row's absence: the row above waited for it, and the key
		 * may be gone since the copy (gc.c sweep_orphans()). */
		if ((rc = s3_head(s3, final, &st)) == S3_NOTFOUND)
			rc = s3_copy(s3, snap, final);
		if (rc != S3_OK) {
			/* no row without its bytes (best effort) */
			(void)db_exec(x->hub->db, x->a, NULL, &SQL_UNRECORD,
			    db_b(sha256, SHA256_LEN));
			res = s3_failure(x, rc, msg);
			discard(x, snap);
			return res;
		}
	}
	if (db_exec(x->hub->db, x->a, NULL, &SQL_PROVE, db_i(repo_id),
	    db_b(sha256, SHA256_LEN)) != 0) {
		res = db_failure(x, msg);
		discard(x, snap);
		return res;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	discard(x, snap);
	discard(x, staging);
	secs = (double)(t1.tv_sec - t0.tv_sec) +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	metrics_add(MET_LFS_VERIFIED_BYTES, size);
	log_info("lfs: verified %s (%llu bytes) in %.3f s (%.0f MB/s)", hex,
	    (unsigned long long)size, secs, secs > 0 ?
	    (double)size / secs / 1e6 : 0.0);
	return LFS_OK;
}

int
lfs_ensure_verified(const struct dctx *x, int64_t repo_id,
    const unsigned char sha256[SHA256_LEN], uint64_t size, struct kerr *e)
{
	char *msg;

	switch (lfs_verify(x, repo_id, sha256, size, &msg)) {
	case LFS_OK:
		return 0;
	case LFS_MISSING:
		return kerr_set(e, 422, "LfsObjectNotFound", "%s", msg);
	case LFS_MISMATCH:
		return kerr_set(e, 422, "LfsObjectMismatch", "%s", msg);
	case LFS_TOO_LARGE:
		return kerr_set(e, 413, "PayloadTooLarge", "%s", msg);
	case LFS_UNAVAILABLE:
		return kerr_set(e, 503, "ServiceUnavailable", "%s", msg);
	case LFS_ERROR:
		break;
	}
	return kerr_set(e, 500, "InternalError", "%s", msg);
}
