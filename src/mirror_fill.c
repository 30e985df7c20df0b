/*
 * mirror_fill.c: copying an upstream LFS object into S3 (mirror.h), as a
 * job in MariaDB (mirror_fill) any worker on any machine may run.
 *
 * A fill downloads into an unlinked temporary file while hashing, and
 * only bytes whose sha256 and size are the object's are PUT to S3 at its
 * key; then lfs_object and git_blob say the object is there. Nothing is
 * served before that: a download of a file whose object is not there is
 * either sent to upstream (once, while the fill runs) or answered with an
 * error, never with half an object.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "db.h"
#include "gc.h"
#include "gitstore.h"
#include "hash.h"
#include "hub.h"
#include "log.h"
#include "mirror.h"
#include "mirror_int.h"
#include "url.h"

#define LEASE_S		600	/* a claimed fill's time before others retry */
#define ATTEMPTS_MAX	3	/* tries before a fill is failed for good */
#define WAIT_MS		100	/* poll period of a download that waits */
#define IDLE_S		30	/* how often an idle worker looks for fills */
#define RETRY_S		30	/* a failed fill's wait before its next try */
/* S3's largest single PUT: a larger object would need a multipart copy,
 * which fills do not do yet: it stays upstream's to serve. */
#define PUT_MAX		(UINT64_C(5) << 30)

static const struct db_stmt SQL_QUEUE = DB_WRITE("buss",
    "INSERT INTO mirror_fill (sha256, size, url, upstream) VALUES (?, ?, ?, ?)"
    " ON DUPLICATE KEY UPDATE state = IF(state = 'failed' AND"
    " done_at < NOW(3) - INTERVAL 60 SECOND, 'queued', state),"
    " attempts = IF(state = 'queued', attempts, 0)");
static const struct db_stmt SQL_CLAIM_ONE = DB_READ("b", "buss",
    "SELECT sha256, size, url, upstream FROM mirror_fill"
    " WHERE sha256 = ? AND state = 'queued'"
    " AND (lease_until IS NULL OR lease_until < NOW(3))"
    " FOR UPDATE SKIP LOCKED");
static const struct db_stmt SQL_CLAIM_ANY = DB_READ("", "buss",
    "SELECT sha256, size, url, upstream FROM mirror_fill"
    " WHERE state = 'queued' AND (lease_until IS NULL OR lease_until < NOW(3))"
    " LIMIT 1 FOR UPDATE SKIP LOCKED");
static const struct db_stmt SQL_LEASE = DB_WRITE("ib",
    "UPDATE mirror_fill SET lease_until = NOW(3) + INTERVAL ? SECOND,"
    " attempts = attempts + 1, error = NULL WHERE sha256 = ?");
static const struct db_stmt SQL_DONE = DB_WRITE("b",
    "UPDATE mirror_fill SET state = 'done', lease_until = NULL, error = NULL,"
    " done_at = NOW(3) WHERE sha256 = ?");
static const struct db_stmt SQL_RETRY = DB_WRITE("isiib",
    "UPDATE mirror_fill SET lease_until = NOW(3) + INTERVAL ? SECOND,"
    " error = ?, state = IF(attempts >= ?, 'failed', 'queued'),"
    " done_at = IF(attempts >= ?, NOW(3), NULL) WHERE sha256 = ?");
/* Upstream could not be reached: no try spent, the next ask tries again. */
static const struct db_stmt SQL_RELEASE = DB_WRITE("sb",
    "UPDATE mirror_fill SET lease_until = NULL, error = ?,"
    " attempts = attempts - 1 WHERE sha256 = ?");
static const struct db_stmt SQL_STATE = DB_READ("b", "ssi",
    "SELECT f.state, f.error, o.sha256 IS NOT NULL FROM mirror_fill f"
    " LEFT JOIN lfs_object o ON o.sha256 = f.sha256 WHERE f.sha256 = ?");
static const struct db_stmt SQL_OBJECT = DB_READ("b", "i",
    "SELECT 1 FROM lfs_object WHERE sha256 = ?");
static const struct db_stmt SQL_RECORD = DB_WRITE("bu",
    "INSERT IGNORE INTO lfs_object (sha256, size) VALUES (?, ?)");
static const struct db_stmt SQL_BLOBS_IN = DB_WRITE("b",
    "UPDATE git_blob SET in_s3 = 1 WHERE sha256 = ? AND lfs = 1");

/* This worker queued a fill it did not run: mirror_idle() runs it. */
static bool pending;
static time_t last_look;

struct fill {
	FILE		*f;
	struct hash	 h;
	uint64_t	 got;
};

static int
fill_sink(void *arg, const void *p, size_t n)
{
	struct fill *x = arg;

	hash_update(&x->h, p, n);
	x->got += n;
	return fwrite(p, 1, n, x->f) == n ? 0 : -1;
}

/* Downloads, checks and stores one object; 0, or -1 with e (and the
 * reason kept in the row by the caller). */
static int
fill_one(struct dctx *d, const unsigned char *sha256, uint64_t size,
    const char *url, const char *upstream, struct kerr *e)
{
	struct fill x;
	struct blob_info bi;
	unsigned char got[SHA256_LEN];
	char err[512];
	struct s3_obj obj;
	long status;
	void *map = NULL;
	char *key;
	int rc, db = 0, again = 0;

	memset(&x, 0, sizeof(x));
	if ((x.f = tmpfile()) == NULL)
		return kerr_set(e, 500, "InternalError", "No temporary file "
		    "for a mirror fill");
	hash_init(&x.h, HASH_SHA256);
	rc = upstream_download(d->a, url, mirror_token(&d->hub->conf,
	    upstream), d->hub->conf.mirror_timeout, size, fill_sink, &x,
	    &status, err, sizeof(err));
	hash_final(&x.h, got);
	if (rc == UP_OK && status != 200) {
		snprintf(err, sizeof(err), "GET %s: status %ld", url, status);
		rc = UP_DOWN;
	}
	if (rc != UP_OK) {
		fclose(x.f);
		return mirror_failed(e, rc, upstream, err);
	}
	if (x.got != size || memcmp(got, sha256, SHA256_LEN) != 0) {
		fclose(x.f);
		log_warn("mirror: upstream %s sent bytes that are not LFS "
		    "object %s (%s): refused", upstream, url,
		    x.got != size ? "size" : "sha256");
		return kerr_set(e, 502, "UpstreamBadBytes", "The upstream hub "
		    "%s sent bytes that are not this file's: refused",
		    upstream);
	}
	memset(&bi, 0, sizeof(bi));
	bi.lfs = true;
	bi.size = size;
	memcpy(bi.sha256, sha256, SHA256_LEN);
	if (fflush(x.f) != 0 || (size > 0 && (map = mmap(NULL, size,
	    PROT_READ, MAP_PRIVATE, fileno(x.f), 0)) == MAP_FAILED)) {
		fclose(x.f);
		return kerr_set(e, 500, "InternalError", "Cannot map a mirror "
		    "fill's temporary file");
	}
	key = gitstore_s3_key(d->a, &bi);
	rc = s3_put(d->hub->s3, key, size > 0 ? map : "", size);
	if (rc == S3_OK && db_exec(d->hub->db, d->a, NULL, &SQL_RECORD,
	    db_b(sha256, SHA256_LEN), db_u(size)) != 0)
		db = -1;
	/* gc's orphan sweep may have deleted the key just before the row
	 * landed: stored again (gc_store_again()). */
	obj.key = key;
	obj.data = size > 0 ? map : "";
	obj.len = size;
	if (rc == S3_OK && db == 0 &&
	    gc_store_again(d->hub->db, d->a, d->hub->s3, &obj, 1, e) != 0)
		again = -1;
	if (size > 0)
		munmap(map, size);
	fclose(x.f);
	if (again != 0)
		return -1;
	if (rc != S3_OK) {
		kerr_set(e, rc == S3_UNAVAILABLE ? 503 : 500, rc ==
		    S3_UNAVAILABLE ? "ServiceUnavailable" : "InternalError",
		    "Storing a mirrored object in S3 failed: %s",
		    s3_errmsg(d->hub->s3));
		e->hidden = true;
		return -1;
	}
	if (db != 0 || db_exec(d->hub->db, d->a, NULL, &SQL_BLOBS_IN,
	    db_b(sha256, SHA256_LEN)) != 0)
		return kerr_db(e, d->hub->db);
	return 0;
}

int
mirror_fill_run(struct dctx *d, const unsigned char *want, struct kerr *e)
{
	struct db *db = d->hub->db;
	struct db_res *res;
	void *sha;
	size_t slen;
	uint64_t size;
	char *url, *upstream;
	unsigned char key[SHA256_LEN];
	int rc;

	if (db_begin(db) != 0)
		return kerr_db(e, db);
	rc = want != NULL ? db_exec(db, d->a, &res, &SQL_CLAIM_ONE, db_b(want,
	    SHA256_LEN)) : db_exec(db, d->a, &res, &SQL_CLAIM_ANY);
	if (rc != 0 || (rc = db_row(res, db_out_b(&sha, &slen), db_out_u(&size),
	    db_out_s(&url), db_out_s(&upstream))) < 0) {
		kerr_db(e, db);
		db_rollback(db);
		return -1;
	}
	if (rc == 0 || slen != SHA256_LEN) {
		db_rollback(db);
		return 1;
	}
	memcpy(key, sha, SHA256_LEN);
	if (db_exec(db, d->a, NULL, &SQL_LEASE, db_i((int64_t)LEASE_S),
	    db_b(key, SHA256_LEN)) != 0 || db_commit(db) != 0) {
		kerr_db(e, db);
		db_rollback(db);
		return -1;
	}
	/* The lease is ours; the download holds no lock. */
	if (fill_one(d, key, size, url, upstream, e) != 0) {
		/* wrong bytes are tried a few times, slowly; an outage
		 * spends no try */
		if (!strcmp(e->code, "UpstreamBadBytes"))
			db_exec(db, d->a, NULL, &SQL_RETRY,
			    db_i((int64_t)RETRY_S), db_s(e->msg),
			    db_i((int64_t)ATTEMPTS_MAX),
			    db_i((int64_t)ATTEMPTS_MAX), db_b(key, SHA256_LEN));
		else
			db_exec(db, d->a, NULL, &SQL_RELEASE, db_s(e->msg),
			    db_b(key, SHA256_LEN));
		return -1;
	}
	if (db_exec(db, d->a, NULL, &SQL_DONE, db_b(key, SHA256_LEN)) !=
	    0)
		return kerr_db(e, db);
	log_info("mirror: filled LFS object of %llu bytes from %s",
	    (unsigned long long)size, upstream);
	return 0;
}

/* Whether the object is in S3 here (lfs_object); 0/1, -1. */
static int
object_here(struct dctx *d, const unsigned char *sha256, struct kerr *e)
{
	struct db_res *res;
	int rc;

	if (db_exec(d->hub->db, d->a, &res, &SQL_OBJECT, db_b(sha256,
	    SHA256_LEN)) != 0 || (rc = db_row(res, db_skip())) < 0)
		return kerr_db(e, d->hub->db);
	return rc;
}

/* Where upstream serves the file: its own redirect's target (which holds
 * no token), else, without a token, its resolve URL itself. */
static char *
upstream_url(struct dctx *d, const char *upstream, const char *url)
{
	const char *token = mirror_token(&d->hub->conf, upstream);
	struct up_resp resp;
	char err[512], *loc;
	int rc;

	/* a redirect has a small body; a file's own bytes go past the cap */
	rc = upstream_get(d->a, url, token, d->hub->conf.mirror_timeout, 65536,
	    &resp, err, sizeof(err));
	if (rc == UP_OK && resp.status >= 300 && resp.status < 400 &&
	    resp.location != NULL && (loc = upstream_location(d->a, url,
	    resp.location)) != NULL)
		return loc;
	if (rc != UP_OK && rc != UP_TOOBIG)
		log_warn("mirror: upstream %s failed: %s", upstream, err);
	return token == NULL ? (char *)url : NULL;
}

/* mirror_lfs_want(); wait: whatever the size (khubctl mirror pin). */
static int
want(struct dctx *d, const char *upstream, const char *type,
    const char *full, const char *commit, const char *path,
    struct blob_info *b, bool wait, char **out, struct kerr *e)
{
	struct db *db = d->hub->db;
	struct db_res *res;
	struct buf url;
	struct timespec ts = { 0, WAIT_MS * 1000000L };
	char *state, *error;
	int64_t here;
	unsigned waited = 0;
	int rc;

	*out = NULL;
	/* stored since (a fill, or a local upload of the same object) */
	if ((rc = object_here(d, b->sha256, e)) < 0)
		return -1;
	if (rc == 1)
		goto stored;
	if (!mirror_configured(&d->hub->conf, upstream))
		return kerr_set(e, 502, "UpstreamError", "This file was never "
		    "copied, and the mirror's upstream %s is no longer "
		    "configured", upstream);
	buf_init(&url, d->a);
	buf_printf(&url, "%s/%s%s/resolve/%s/", upstream, mirror_prefix(type),
	    full, commit);
	url_encode(&url, path, strlen(path), true);
	if (b->size > PUT_MAX) {
		if (wait)
			return kerr_set(e, 502, "UpstreamError", "Files over "
			    "5 GiB are not copied from upstream yet");
		goto upstream;
	}
	if (db_exec(db, d->a, NULL, &SQL_QUEUE, db_b(b->sha256, SHA256_LEN),
	    db_u(b->size), db_s(url.data), db_s(upstream)) != 0)
		return kerr_db(e, db);
	if (!wait && b->size > d->hub->conf.mirror_wait_max) {
		/* too big to wait for: the fill runs after this answer */
		pending = true;
		goto upstream;
	}
	for (;;) {
		rc = mirror_fill_run(d, b->sha256, e);
		if (rc == 0)
			goto stored;
		if (rc < 0)
			return -1;
		/* another worker has it: wait for it, as long as a call to
		 * upstream may take */
		if (db_exec(db, d->a, &res, &SQL_STATE, db_b(b->sha256,
		    SHA256_LEN)) != 0 ||
		    (rc = db_row(res, db_out_s(&state), db_out_s(&error),
		    db_out_i(&here))) < 0)
			return kerr_db(e, db);
		if (rc == 1 && here)
			goto stored;
		/* failed for good, or its last try did (tried again later):
		 * no one waits for that */
		if (rc == 1 && (!strcmp(state, "failed") || error != NULL))
			return kerr_set(e, 502, "UpstreamError", "Copying this "
			    "file from %s failed: %s", upstream, error ?
			    error : "unknown");
		if (!wait && waited++ * WAIT_MS >
		    d->hub->conf.mirror_timeout * 1000u * 3)
			return kerr_set(e, 504, "UpstreamTimeout", "Copying "
			    "this file from %s takes longer than this request "
			    "may wait", upstream);
		nanosleep(&ts, NULL);
	}
stored:
	if (gitstore_set_in_s3(db, d->a, &b->oid) != 0)
		return kerr_db(e, db);
	b->in_s3 = true;
	return 0;
upstream:
	/* upstream serves this once */
	if ((*out = upstream_url(d, upstream, url.data)) == NULL)
		return kerr_set(e, 502, "UpstreamError", "The upstream hub %s "
		    "did not say where this file is", upstream);
	return 1;
}

int
mirror_lfs_want(struct dctx *d, const char *upstream, const char *type,
    const char *full, const char *commit, const char *path,
    struct blob_info *b, char **out, struct kerr *e)
{
	return want(d, upstream, type, full, commit, path, b, false, out, e);
}

int
mirror_lfs_fill(struct dctx *d, const char *upstream, const char *type,
    const char *full, const char *commit, const char *path,
    struct blob_info *b, struct kerr *e)
{
	char *url;

	return want(d, upstream, type, full, commit, path, b, true, &url, e);
}

void
mirror_idle(struct dctx *d)
{
	struct kerr e;
	time_t now;

	if (!mirror_enabled(&d->hub->conf))
		return;
	now = time(NULL);
	if (!pending && now - last_look < IDLE_S)
		return;
	pending = false;
	last_look = now;
	/* one fill per answer: the next request is not kept waiting long */
	if (mirror_fill_run(d, NULL, &e) < 0)
		log_warn("mirror: a fill failed: %s", e.msg);
}
