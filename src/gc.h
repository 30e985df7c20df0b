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
 *	- git objects (commits, trees, annotated tags) nothing reaches:
 *	  of deleted repositories, failed commits and pushes ("Git objects"
 *	  below);
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
 *
 * Git objects (git_commit with git_commit_parent, git_tree, git_tag) are
 * shared by every repository and written before the transaction that
 * makes them reachable. Their reference rows:
 *	- of a commit: a repo_commit row, a commit naming it as a parent, a
 *	  tag naming it, a ref targeting it;
 *	- of a tree: a commit naming it as its tree, an edge (git_tree_edge:
 *	  child, parent) from a tree naming it as a subtree, a tag;
 *	- of a tag: a ref targeting it, a tag naming it.
 * A tree's edges are written with it, in one transaction (no tree row is
 * without them), and go with it; a commit's later parents go before its
 * row. gc marks the rows nothing names (the roots of the garbage: a
 * deleted repository's head commits, a failed commit's); one that has
 * stayed marked for the grace period is deleted in a transaction that
 * holds it exclusively and checks with locking reads that nothing names
 * it, and then what it named (its tree and parents; a tree's subtrees; a
 * tag's object) in the same way, at once: what only garbage reached goes
 * in the same run. So a row goes once every row that reached it went, the
 * first of them after its grace.
 * A writer (a commit, a push, a mirror's copy, a branch's first commit)
 * holds what it names: in the transaction that adds the repo_commit rows
 * or moves the ref, before its first write, it locks (shared) every
 * commit, tree and tag it wrote or found stored, every subtree of those
 * trees, and every commit's tree and parents (gc_git_*(), gc_hold_git()),
 * and rolls back when one is missing (503: send it again). Each row it
 * names either was deleted before its lock (it sees it missing), or its
 * lock makes gc wait until its transaction has committed; by then the row
 * has a reference: the writer's own rows (edges, commit rows, written
 * before or in that transaction; one naming a row gc was deleting waited
 * for gc's locking read, and the writer then sees the row missing), down
 * to repo_commit and ref rows, which it writes in that transaction. A row
 * a writer holds when gc wants it (a deadlock, a lock wait timeout) is
 * left for the next run. Trees stored before sql/016 get their edges
 * from gc's first run (gc_state), and no git object is collected before:
 * run gc only once every worker writes edges.
 */
#ifndef KHUB_GC_H
#define KHUB_GC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dctx.h"
#include "kerr.h"

struct arena;
struct commit_info;
struct db;
struct oid;
struct tag_info;
struct s3;
struct s3_obj;

/* Called for each object deleted (or, in a dry run, that would be):
 * what it is ("blob", "small-blob", "lfs-pointer", "lfs", "multipart",
 * "staging", "orphan", "commit", "tree", "tag"), its S3 key or hex id, and
 * the bytes it frees (a git object's: its row's text). */
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
 * order git objects (tags, commits, trees, each with what only it
 * reached), blobs, LFS objects, multipart uploads, orphans, staged keys.
 * First it writes the edges of trees stored before sql/016 (none in a dry
 * run); no git object is marked or deleted before. An object whose
 * deletion loses a deadlock to a writer is left for the next run. Stops
 * at the first other database or S3 failure: what was deleted before is
 * consistent.
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

/* The git objects a writer names (gc.h above), for gc_hold_git(). */
struct gc_git {
	struct arena	*a;
	struct oid	*v[3];		/* trees, commits, tags */
	size_t		 n[3], cap[3];
};

void	 gc_git_init(struct gc_git *, struct arena *);
/* A tree the writer stored or names, with its subtrees. */
void	 gc_git_tree(struct gc_git *, const struct oid *, const void *raw,
	    size_t len);
/* A commit the writer stored or names, with its tree and parents. */
void	 gc_git_commit(struct gc_git *, const struct oid *,
	    const struct commit_info *);
/* A tag the writer stored, with what it tags (a blob is not held here). */
void	 gc_git_tag(struct gc_git *, const struct oid *,
	    const struct tag_info *);

/*
 * In the writer's transaction, before its first write: locks (shared,
 * until the transaction ends) every object of h. 0 when each is stored,
 * 1 when one is not (gc collected it: roll back, the write must be sent
 * again), -1 on a database error.
 */
int	 gc_hold_git(struct db *, struct arena *, struct gc_git *h);

#endif
