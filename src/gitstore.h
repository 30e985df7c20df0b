/*
 * gitstore.h: git objects in MariaDB, read through the worker's cache.
 *
 * Reads return 0 (found), 1 (no such object) or -1 (database error: the
 * caller answers with resp_db_error). Pointers returned stay valid until
 * the end of the request (the arena's reset and cache_trim()).
 */
#ifndef KHUB_GITSTORE_H
#define KHUB_GITSTORE_H

#include <stdbool.h>
#include <stdint.h>

#include "arena.h"
#include "gitobj.h"
#include "kerr.h"

struct db;

struct blob_info {
	struct oid	 oid;
	uint64_t	 size;		/* the file's size (LFS: the object's) */
	unsigned char	 sha256[SHA256_LEN];
	bool		 lfs;
	/* Its bytes are in S3 at gitstore_s3_key(); if not (a small regular
	 * file, blobstore.h), only in the database until first downloaded.
	 * Goes from false to true once and never back: a cached false may
	 * be stale, a cached true never is. */
	bool		 in_s3;
};

int	 gitstore_commit(struct db *, struct arena *, const struct oid *,
	    struct commit_info *);
int	 gitstore_tree(struct db *, struct arena *, const struct oid *,
	    struct tree *);
/* A tree's raw bytes (git's format, what its id is the hash of). */
int	 gitstore_tree_raw(struct db *, struct arena *, const struct oid *,
	    const void **raw, size_t *len);
int	 gitstore_blob(struct db *, struct arena *, const struct oid *,
	    struct blob_info *);
/*
 * gitstore_blob() for n blobs at once (a listing's files): out[i] and
 * found[i] for oids[i]. Cached ones come from the cache, the others from
 * one query per thousand. Returns 0, or -1 on a database error.
 */
int	 gitstore_blobs(struct db *, struct arena *, const struct oid *oids,
	    size_t n, struct blob_info *out, bool *found);
/*
 * gitstore_blobs() from the database alone: what is stored now, for a
 * writer deciding what it must store (gc may have deleted rows that this
 * worker's cache still holds; khubctl gc cannot reach it).
 */
int	 gitstore_blobs_stored(struct db *, struct arena *,
	    const struct oid *oids, size_t n, struct blob_info *out,
	    bool *found);
/*
 * Finds path ("a/b/c.txt", or "" for the root itself) from the root tree:
 * 0 with *out the entry (for "", a folder entry holding the root's id),
 * 1 when some part of the path does not exist, -1 on error.
 */
int	 gitstore_walk(struct db *, struct arena *, const struct oid *root,
	    const char *path, struct tree_entry *out);
/*
 * Visits every entry under tree, the folder at path dir ("" for a
 * revision's root), depth first in git order (which is path order), as
 * libgit2's git_tree_walk: fn(arg, dir, e) for each, dir the path of its
 * folder (join with gitstore_path()), a folder before what it holds.
 * fn returns
 * GS_WALK_ON (into a folder too), GS_WALK_SKIP (not into this folder),
 * GS_WALK_STOP (the walk ends, returning 0), or -1 (returned). Returns 0,
 * or -1 when a tree cannot be read (a commit names it: an error).
 */
enum { GS_WALK_ON, GS_WALK_SKIP, GS_WALK_STOP };
int	 gitstore_tree_walk(struct db *, struct arena *, const struct oid *tree,
	    const char *dir,
	    int (*fn)(void *arg, const char *dir, const struct tree_entry *e),
	    void *arg);
/* The path of entry e of folder dir ("" at the root), from the arena. */
char	*gitstore_path(struct arena *, const char *dir,
	    const struct tree_entry *e);

/* An annotated tag object: its exact text (raw) and what it tags. */
int	 gitstore_tag(struct db *, struct arena *, const struct oid *,
	    const void **raw, size_t *len, struct tag_info *);

/* Writes (idempotent: an object with the same id is the same object). */
int	 gitstore_put_blob(struct db *, struct arena *,
	    const struct blob_info *);
int	 gitstore_put_tree(struct db *, struct arena *, const struct oid *,
	    const void *raw, size_t len);
int	 gitstore_put_commit(struct db *, struct arena *, const struct oid *,
	    const struct commit_info *);
/* The longest chain of tags (a tag of a tag...) khub takes and peels. */
#define GIT_TAG_DEPTH	10
/*
 * A tag object, its raw text as parsed into t; for a tag of a tag, what
 * the chain peels to (the first object of it that is not a tag: peeled,
 * of peeled_type), else NULL (its object is what it peels to).
 */
int	 gitstore_put_tag(struct db *, struct arena *, const struct oid *,
	    const struct tag_info *t, const struct oid *peeled,
	    const char *peeled_type, const void *raw, size_t len);
/*
 * Records that the blob's bytes are now in S3 (in_s3 = 1), in the database
 * and this worker's cache. Call it only once the PUT succeeded. 0 or -1.
 */
int	 gitstore_set_in_s3(struct db *, struct arena *, const struct oid *);
/*
 * Whether the database says the blob is in S3, bypassing the cache (which
 * it refreshes): 0 with *in_s3 set, 1 for no such blob, -1 on error.
 */
int	 gitstore_blob_in_s3(struct db *, struct arena *, const struct oid *,
	    bool *in_s3);

/* The S3 key of a blob's content: blob/ab/cd/<sha1> or lfs/ab/cd/<sha256>. */
char	*gitstore_s3_key(struct arena *, const struct blob_info *);

struct s3;
/* The length of b's git object: the file's size, or for an LFS file the
 * length of its pointer text (b->size is the LFS object's). */
uint64_t gitstore_blob_git_size(const struct blob_info *b);
/*
 * The bytes of b's git object, handed to sink in order (s3.h's s3_sink):
 * a regular file's bytes (from blob_data or S3, blobstore.h), or an LFS
 * file's pointer text. The one place git reads blob contents. Returns 0,
 * or -1 with *e filled: 500 when the bytes are missing from the store or
 * the sink stopped, 503 when the store cannot be reached now.
 */
int	 gitstore_blob_read(struct db *, struct s3 *, struct arena *,
	    const struct blob_info *b, int (*sink)(void *, const void *, size_t),
	    void *arg, struct kerr *e);

#endif
