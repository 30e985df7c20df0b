/*
 * gc.h: collecting what no repository references any more (khubctl gc).
 *
 * Garbage, each kind after a grace period:
 *	- blob rows (git_blob, and a small blob's blob_data) no repository
 *	  references (repo_blob), with their bytes in S3 (blob/...; a small
 *	  blob's S3 copy stays, gc.c small()): left by deleted repositories
 *	  and failed commits;
 *	- LFS objects (lfs_object, lfs/... in S3) whose pointer no repository
 *	  references, with their possession proofs (lfs_proof): uploads never
 *	  committed, objects of deleted repositories;
 *	- multipart uploads never completed (lfs_upload rows, aborted in S3);
 *	- staged uploads never verified (lfs-staging/...) and verification
 *	  copies left behind (lfs-verify/...), by their S3 modification time.
 *	- orphans: keys of content (blob/..., lfs/...) no row names, by
 *	  their S3 modification time: bytes a commit stored and never
 *	  recorded (it failed after the PUT, or S3 finished a PUT khub had
 *	  given up on), a copy whose row never came. A small blob's key
 *	  (blobstore.h) stays, as its copy does (gc.c small()).
 *
 * The grace period of a blob or LFS object runs from the first gc run
 * that found it unreferenced (gc_mark; a reference in between drops the
 * mark). It is a courtesy to clients between upload and commit, not what
 * keeps data safe: that is a lock protocol with the commit (gc_hold()).
 * gc deletes an object in one transaction that holds its row exclusively,
 * checks with a locking read that no repository references it, deletes
 * the bytes from S3, then the rows. A commit locks (shared) every blob row
 * and LFS object it references in the transaction that adds the
 * references: it either waits for gc and then finds the row gone (and
 * fails cleanly: 503, send the commit again), or gc waits for it and then
 * sees the reference. A commit writes a blob row only with bytes it stored
 * itself (commit.c), so a row gc deleted is never brought back by a
 * commit that had only seen it.
 */
#ifndef KHUB_GC_H
#define KHUB_GC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dctx.h"
#include "kerr.h"

struct arena;
struct db;
struct oid;
struct s3;
struct s3_obj;

/* Called for each object deleted (or, in a dry run, that would be):
 * what it is ("blob", "small-blob", "lfs-pointer", "lfs", "multipart",
 * "staging", "orphan"), its S3 key or hex id, and the bytes it frees. */
typedef void (*gc_report_fn)(void *arg, const char *what, const char *key,
    uint64_t bytes);

#define GC_ORPHAN_MIN_AGE	3600	/* seconds */

struct gc_opts {
	bool		 dry_run;	/* delete nothing (marks are recorded) */
	int64_t		 grace;		/* seconds, >= 0 */
	/* seconds an orphan (no row names it) must be old; -1: the grace,
	 * but at least GC_ORPHAN_MIN_AGE, which no write takes from its
	 * PUT to its row (a commit of max_body at the slowest rate S3 is
	 * given, s3.c). */
	int64_t		 orphan_age;
	gc_report_fn	 report;	/* or NULL */
	void		*arg;
};

struct gc_stats {
	uint64_t	 objects, bytes;	/* deleted, or would be */
	uint64_t	 marked;		/* unreferenced, in their grace */
};

/*
 * One collection: marks what is unreferenced now, then deletes what has
 * stayed so for the grace period (reports it only, in a dry run), in the
 * order blobs, LFS objects, multipart uploads, staged keys. Stops at the
 * first database or S3 failure: what was deleted before is consistent.
 * Returns 0, or -1 with *e filled. *st counts what was done either way.
 */
int	 gc_run(const struct dctx *, const struct gc_opts *, struct gc_stats *,
	    struct kerr *);

/*
 * For a commit, inside the transaction that adds its references: locks
 * (shared, until the transaction ends) the blob rows named by each
 * chunk[i], a JSON array of counts[i] distinct hex blob ids, and the LFS
 * objects of those that are LFS pointers. Returns 0 when every one is
 * stored, 1 when gc collected one since the commit saw it (roll back;
 * the commit must be sent again), -1 on a database error.
 */
int	 gc_hold(struct db *, struct arena *, char *const *chunk,
	    const size_t *counts, size_t nchunks);

/*
 * For a writer that PUT content bytes v[0..n) to S3 and then committed
 * the rows that name them (a commit, a push, a mirror's copy): gc's
 * orphan sweep may have deleted some of those keys just before the rows
 * landed (the rows waited for its transaction, gc.c). Each key it left a
 * tombstone for is looked at, and PUT again if gone. One query per
 * thousand keys, and S3 calls only for tombstoned keys. Returns 0, or -1
 * with *e (503: S3 or the database).
 */
int	 gc_store_again(struct db *, struct arena *, struct s3 *,
	    const struct s3_obj *v, size_t n, struct kerr *e);

/*
 * The same hold for a mirror's copy of a revision (mirror.c), in the
 * transaction that adds its references, before its first write: on the
 * blob ids v[0..n) (repeats allowed), of which an LFS file's object need
 * not be stored yet (its row says not in S3: the fill comes with its
 * first download, mirror_fill.c), and is not held then. 0, 1 (gc
 * collected one: roll back, copy again), -1 (database).
 */
int	 gc_hold_copy(struct db *, struct arena *, const struct oid *v,
	    size_t n);

#endif
