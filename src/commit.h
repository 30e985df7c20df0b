/*
 * commit.h: the write path of a repository: new trees and a commit from a
 * list of operations, landed on a branch atomically.
 */
#ifndef KHUB_COMMIT_H
#define KHUB_COMMIT_H

#include <stdbool.h>
#include <stddef.h>

#include <json.h>

#include "dctx.h"
#include "gitstore.h"
#include "names.h"	/* path_invalid() */
#include "repo.h"

enum op_kind { OP_PUT, OP_DELETE };

struct commit_op {
	enum op_kind	 kind;
	const char	*path;	/* validated (path_invalid() == NULL) */
	struct blob_info blob;	/* for OP_PUT: content stored, or in data */
	/* For OP_PUT of a small regular blob not stored yet (blobstore.h):
	 * its blob.size bytes, written to blob_data in the transaction of
	 * its git_blob row. Else NULL. */
	const void	*data;
	/* For OP_PUT of a regular blob in S3 (large) whose bytes this
	 * request carries, stored by it or before: its blob.size bytes, put
	 * again should gc's orphan sweep have deleted them before their row
	 * landed, or under an earlier try's row (commit_store_again()).
	 * Else NULL. */
	const void	*bytes;
	bool		 repeat;	/* the same blob as an earlier op's */
	/* Its row was found stored (commit_store_regular(s)): not written
	 * again, since only who stored the bytes writes the row (gc.h). */
	bool		 stored;
};

struct commit_req {
	struct repo	*repo;
	const char	*branch;
	const struct oid *parent;	/* parentCommit: must be the head */
	const char	*summary, *description;
	struct commit_op *ops;
	size_t		 nops;
	/* A pull request's first commit (create_pr): built on the branch's
	 * head, or on parent (any commit of the repository), and no branch
	 * moves; with() makes the ref. */
	bool		 detached;
	/* Rows that land with the commit in its transaction, once the
	 * branch moved (detached: instead): 0, or -1 with *e (a deadlock
	 * retries the commit). parent is the commit built on. */
	int		(*with)(void *arg, const struct oid *parent,
			    const struct oid *commit, struct kerr *e);
	void		*with_arg;
	/* The commit's author: the caller's name and e-mail (NULL: "khub",
	 * and name@users.noreply.khub). */
	const char	*author_name, *author_email;
};

/*
 * Lands the operations on the branch as one new commit, or not at all.
 * A concurrent commit that moved the branch first makes this one rebuild
 * on the new head (no update is lost), unless a parent was named: then
 * 412. Returns 0 with *out the new commit's id, or -1 with *e filled
 * (404 RevisionNotFound for a missing branch or a parent not of the
 * repository, 412, 503, with()'s error, the database's).
 */
int	 commit_apply(struct dctx *, struct commit_req *, struct oid *out,
	    struct kerr *e);
/*
 * Creates a repository's history: its first commit ("initial commit",
 * holding files, by author_name and author_email as in commit_req) and
 * branch main, inside the caller's transaction. 0, or -1 with *e.
 */
int	 commit_initial(struct dctx *, int64_t repo_id, const char *author_name,
	    const char *author_email, struct commit_op *ops, size_t nops,
	    struct oid *out, struct kerr *e);
/*
 * Stores a regular file's bytes in S3 (unless a blob with that id is
 * already known, or it is small: then op->data keeps the bytes for the
 * commit to write with its row) and fills op->blob, op->data and
 * op->bytes. data
 * must last as long as the request. Returns 0, or -1 with *e (503/500,
 * 422 for a SHA-1 collision).
 */
int	 commit_store_regular(struct dctx *, const void *data, size_t len,
	    struct commit_op *op, struct kerr *e);
/*
 * Once the rows of ops[0..nops) are committed: each large blob this
 * request PUT whose key gc's orphan sweep deleted meanwhile is stored
 * again (gc_store_again()). commit_apply() calls it itself; a caller of
 * commit_initial() calls it after committing. Returns 0, or -1 with *e
 * (503).
 */
int	 commit_store_again(struct dctx *, const struct commit_op *ops,
	    size_t nops, struct kerr *e);
/* A regular file's bytes to store, and (out) its blob. */
struct commit_blob {
	const void	*data;
	size_t		 len;
	struct blob_info blob;
	bool		 stored;	/* out: it was stored already */
	const void	*row_data;	/* out: for commit_op.data */
};
/*
 * commit_store_regular() for n files of distinct contents: one existence
 * query per thousand, the missing bytes of large ones PUT to S3 in
 * parallel (small ones are left in row_data). Returns 0, or -1 with *e
 * (503/500, 422 for a SHA-1 collision).
 */
int	 commit_store_regulars(struct dctx *, struct commit_blob *, size_t n,
	    struct kerr *e);
/*
 * One line of a commit's NDJSON body, {"key": ..., "value": {...}}, as the
 * members of value a commit reads, copied into the arena: each NULL when
 * absent or not a string. The JSON objects themselves are freed line by
 * line: kept, json-c's tables cost 2 KB a line, 200 MB for a commit of
 * 100,000 files.
 */
struct ndjson_line {
	const char	*key;
	const char	*path, *content, *encoding;	/* file, lfsFile, ... */
	const char	*oid, *algo;			/* lfsFile */
	const char	*summary, *description, *parent;	/* header */
	enum { NDJSON_NO_SIZE, NDJSON_SIZE, NDJSON_BAD_SIZE } has_size;
	int64_t		 size;	/* when has_size is NDJSON_SIZE: >= 0 */
};

/*
 * Splits a commit's NDJSON body (len bytes of any kind, then a NUL, as
 * req_body() gives it) into its lines, copied into a; blank lines are
 * skipped. Returns 0 with the lines in *out and their count in *nout, or
 * -1 with *e: 400 (413 for a line over 2 GiB) naming the first bad line.
 */
int	 commit_ndjson_parse(struct arena *a, const char *body, size_t len,
	    struct ndjson_line **out, size_t *nout, struct kerr *e);

#endif
