/*
 * blobstore.h: where a regular file's bytes are. A blob of at most
 * BLOB_SMALL_MAX bytes is written to MariaDB (table blob_data) with its
 * git_blob row at commit, and PUT to S3 only when first downloaded
 * (downloads are redirects to presigned S3 URLs); a larger one is PUT to S3
 * at commit. LFS objects are always in S3 (lfs.h).
 *
 * Reads and publish return 0; -1 on a database error (the caller answers
 * resp_db_error(), which keeps SQL detail out of the answer); or -2 with e
 * filled when S3 failed or bytes are missing: its status is 503 when S3
 * cannot be reached, else 500, and its message names S3 and is fit to show
 * (as the commit's own S3 errors are).
 */
#ifndef KHUB_BLOBSTORE_H
#define KHUB_BLOBSTORE_H

#include <stdbool.h>
#include <stddef.h>

#include "arena.h"
#include "db.h"
#include "gitstore.h"
#include "kerr.h"
#include "s3.h"


/*
 * S3 (RGW here) takes about a thousand PUTs a second, whatever the
 * parallelism, so a commit of 100,000 distinct one-line files took 100 s;
 * MariaDB takes such rows by the thousand per statement. 4 KiB holds
 * configs, READMEs, .gitattributes and most source files, and keeps a
 * multi-row INSERT of a thousand rows a few MiB.
 */
#define BLOB_SMALL_MAX	4096

/* Whether a blob of this kind and size is written to the database. */
bool	 blobstore_is_small(bool lfs, uint64_t size);

/* A row of blob_data to write. */
struct blob_row {
	const struct oid *oid;
	const void	*data;
	size_t		 len;		/* <= BLOB_SMALL_MAX */
};

/* Rows per INSERT at most. */
#define BLOB_ROWS_MAX	DB_ROWS_MAX
/* What a row costs in a statement's packet besides its bytes: the id, two
 * parameter types, two length prefixes. */
#define BLOB_ROW_COST	40

/*
 * How many of rows[0..n) the next INSERT takes: as many as fit in budget
 * bytes (each costs its len + BLOB_ROW_COST), at most BLOB_ROWS_MAX, and
 * at least one when n > 0.
 */
size_t	 blobstore_batch(const struct blob_row *rows, size_t n, size_t budget);

/*
 * Writes rows[0..n) to blob_data (INSERT IGNORE: a blob already there is
 * the same bytes, see commit.c) with multi-row prepared statements, each
 * under the server's max_allowed_packet. Does not open a transaction: the
 * caller writes the git_blob rows in the same one. Returns 0 or -1 (the
 * database's error: db_error(), db_errno()).
 */
int	 blobstore_put_small(struct db *, struct arena *,
	    const struct blob_row *rows, size_t n);

/*
 * Hands the bytes of regular blob b to sink, from blob_data when they are
 * there, else from S3 (s3_get()); a sink that stops the transfer makes it
 * fail (-2).
 */
int	 blobstore_get(struct db *, struct s3 *, struct arena *,
	    const struct blob_info *b, s3_sink sink, void *arg, struct kerr *e);

/*
 * Makes sure b's bytes are in S3 at gitstore_s3_key(b), so that a presigned
 * URL names an object: a blob still only in blob_data is PUT there, then
 * marked in_s3 (b->in_s3 too). Without S3 traffic when b->in_s3, or when
 * the database says another worker did it already. Two workers doing it at
 * once both PUT the same bytes to the same key: harmless.
 */
int	 blobstore_publish(struct db *, struct s3 *, struct arena *,
	    struct blob_info *b, struct kerr *e);

#endif
