/*
 * blobstore.c: small blobs' bytes in MariaDB, the others in S3; a small
 * blob reaches S3 on its first download.
 *
 * The blob_data rows stay once their bytes are in S3 as well: they are
 * what khub itself reads (preupload's rules, the README card) without an
 * S3 round trip; deleting them would give back at most 4 KiB a blob, and
 * would let a worker holding a stale cached in_s3 = 0 find neither the
 * row nor (if it did not look again) the object.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "blobstore.h"
#include "db.h"
#include "log.h"

static const struct db_stmt SQL_DATA = DB_READ("b", "b",
    "SELECT data FROM blob_data WHERE oid = ?");
static const struct db_stmt SQL_PACKET = DB_READ("", "u",
    "SELECT @@max_allowed_packet");

/* The bytes of one INSERT at most, when the server takes more: a few MiB
 * is already a thousand rows, and a statement is held whole in memory on
 * both sides. */
#define BATCH_BYTES	(4u << 20)

bool
blobstore_is_small(bool lfs, uint64_t size)
{
	return !lfs && size <= BLOB_SMALL_MAX;
}

size_t
blobstore_batch(const struct blob_row *rows, size_t n, size_t budget)
{
	size_t i, used = 0;

	for (i = 0; i < n && i < BLOB_ROWS_MAX; i++) {
		size_t cost = rows[i].len + BLOB_ROW_COST;

		if (i > 0 && used + cost > budget)
			break;
		used += cost;
	}
	return i;
}

static struct db_rows put_rows = DB_ROWS(
    "INSERT IGNORE INTO blob_data (oid, data) VALUES ",
    "(?, ?)", "bb");

/* The bytes a statement may carry: BATCH_BYTES, or half the server's
 * max_allowed_packet when that is less (read once per process). */
static int
batch_budget(struct db *db, struct arena *a, size_t *out)
{
	static uint64_t packet;
	struct db_res *res;

	if (packet == 0 && (db_exec(db, a, &res, &SQL_PACKET) != 0 ||
	    db_row(res, db_out_u(&packet)) != 1))
		return -1;
	*out = packet / 2 < BATCH_BYTES ? (size_t)(packet / 2) : BATCH_BYTES;
	return 0;
}

int
blobstore_put_small(struct db *db, struct arena *a,
    const struct blob_row *rows, size_t n)
{
	struct db_param *ps;
	size_t budget, i = 0;

	if (n == 0)
		return 0;
	if (batch_budget(db, a, &budget) != 0)
		return -1;
	ps = arena_zalloc(a, 2 * BLOB_ROWS_MAX * sizeof(*ps));
	while (i < n) {
		size_t m = blobstore_batch(rows + i, n - i, budget), j;

		for (j = 0; j < m; j++) {
			const struct blob_row *b = &rows[i + j];

			ps[2 * j] = db_b(b->oid->b, OID_LEN);
			/* an empty file's bytes: "", never NULL */
			ps[2 * j + 1] = db_b(b->data != NULL ? b->data : "", b->len);
		}
		if (db_exec_rows(db, a, &put_rows, ps, m) != 0)
			return -1;
		i += m;
	}
	return 0;
}

static int
s3_failed(struct s3 *s3, int rc, const char *what, const struct blob_info *b,
    struct kerr *e)
{
	char hex[OID_HEX + 1];

	oid_hex(&b->oid, hex);
	kerr_set(e, rc == S3_UNAVAILABLE ? 503 : 500, rc == S3_UNAVAILABLE ?
	    "ServiceUnavailable" : "InternalError", "%s blob %s in S3 "
	    "failed: %s", what, hex, s3_errmsg(s3));
	e->hidden = true;	/* S3's own words name internal keys */
	return -2;
}

static int
missing(const struct blob_info *b, struct kerr *e)
{
	char hex[OID_HEX + 1];

	oid_hex(&b->oid, hex);
	log_error("blob %s: in neither blob_data nor S3", hex);
	kerr_set(e, 500, "InternalError", "The bytes of blob %s are missing "
	    "(neither in the database nor in S3)", hex);
	return -2;
}

/* b's row of blob_data: 1 with *data, *len; 0 when there is none; -1. */
static int
row_of(struct db *db, struct arena *a, const struct blob_info *b,
    void **data, size_t *len)
{
	struct db_res *res;
	int rc;

	if (db_exec(db, a, &res, &SQL_DATA, db_b(b->oid.b, OID_LEN)) != 0)
		return -1;
	if ((rc = db_row(res, db_out_b(data, len))) < 0)
		return -1;
	if (rc == 1 && *data == NULL)
		*data = "";
	return rc;
}

int
blobstore_get(struct db *db, struct s3 *s3, struct arena *a,
    const struct blob_info *b, s3_sink sink, void *arg, struct kerr *e)
{
	bool in_s3 = b->in_s3;
	void *data;
	size_t len;
	int rc;

	/* Small blobs from before blob_data are only in S3: one miss. */
	if (!in_s3 || blobstore_is_small(b->lfs, b->size)) {
		if ((rc = row_of(db, a, b, &data, &len)) < 0)
			return -1;
		if (rc == 1) {
			if (sink(arg, data, len) != 0) {
				kerr_set(e, 500, "InternalError", "Reading a "
				    "blob stopped");
				return -2;
			}
			return 0;
		}
		/* No row and a cached in_s3 = 0: what does the database say? */
		if (!in_s3 && ((rc = gitstore_blob_in_s3(db, a, &b->oid,
		    &in_s3)) < 0))
			return -1;
		if (!in_s3)
			return missing(b, e);
	}
	if ((rc = s3_get(s3, gitstore_s3_key(a, b), sink, arg)) != S3_OK)
		return s3_failed(s3, rc, "Reading", b, e);
	return 0;
}

int
blobstore_publish(struct db *db, struct s3 *s3, struct arena *a,
    struct blob_info *b, struct kerr *e)
{
	bool in_s3;
	void *data;
	size_t len;
	int rc;

	if (b->in_s3 || b->lfs)
		return 0;
	/* The cached flag may be stale: another worker may have done it. */
	if ((rc = gitstore_blob_in_s3(db, a, &b->oid, &in_s3)) < 0)
		return -1;
	if (rc == 0 && in_s3) {
		b->in_s3 = true;
		return 0;
	}
	if ((rc = row_of(db, a, b, &data, &len)) < 0)
		return -1;
	if (rc == 0)
		return missing(b, e);
	if ((rc = s3_put(s3, gitstore_s3_key(a, b), data, len)) != S3_OK)
		return s3_failed(s3, rc, "Storing", b, e);
	/* Only now: a presigned URL must never name a missing object. */
	if (gitstore_set_in_s3(db, a, &b->oid) != 0)
		return -1;
	b->in_s3 = true;
	return 0;
}
