/*
 * lfs.h: LFS objects: where they are kept in S3, and the check that makes
 * one usable.
 *
 * A client uploads an object to a staging key (a presigned PUT, or a
 * multipart upload); it becomes usable, a row of lfs_object at its final
 * key lfs/ab/cd/<sha256>, only once khub has read its bytes back from S3
 * and found that they hash to its oid and that its size is the one
 * announced. Clients that never call verify (the JS client) get the same
 * check at commit time, through lfs_ensure_verified().
 *
 * Everything here is per repository: an object is usable in a repository
 * when one of its commits references it or bytes uploaded for it were
 * checked (a possession proof), or when a repository the caller may read
 * references it; knowing an oid is never enough.
 */
#ifndef KHUB_LFS_H
#define KHUB_LFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "dctx.h"
#include "gitobj.h"
#include "kerr.h"

/* The largest object khub can verify: S3's CopyObject limit (5 GiB). */
#define LFS_MAX_SIZE	(UINT64_C(5) << 30)

enum lfs_result {
	LFS_OK = 0,		/* verified, now or before */
	LFS_MISSING,		/* neither verified nor staged */
	LFS_MISMATCH,		/* staged bytes were not the object (removed) */
	LFS_TOO_LARGE,		/* over LFS_MAX_SIZE */
	LFS_UNAVAILABLE,	/* S3 or the database cannot be reached */
	LFS_ERROR		/* S3 refused, database error */
};

/* Where a client uploads an object of that sha256 and size for a
 * repository. One key per (repository, sha256, size), so that a later check
 * finds it from the oid alone, and bytes staged for one repository prove
 * nothing for another. */
char	*lfs_staging_key(struct arena *, int64_t repo_id,
	    const unsigned char sha256[SHA256_LEN], uint64_t size);
/* The final key, as gitstore_s3_key() gives it for an LFS blob. */
char	*lfs_object_key(struct arena *, const unsigned char sha256[SHA256_LEN]);

/* Whether bytes look like a git-lfs pointer file (they start as every
 * pointer does and are short). Such a file names an object by id; as a
 * regular file it would stand for the object's bytes without them. */
bool	 lfs_is_pointer(const void *data, size_t len);

/*
 * Whether the repository may use the object (sha256, size) without its
 * bytes: bytes uploaded for it were verified, or a commit references it
 * there or in a repository the caller (x->user_id) may read. 1 yes, 0 no, -1
 * database error. Never depends on repositories the caller cannot read.
 */
int	 lfs_linkable(const struct dctx *, int64_t repo_id,
	    const unsigned char sha256[SHA256_LEN], uint64_t size);

/*
 * The size of the LFS object sha256 when a commit of the repository
 * references it (a CommitOperationCopy sends an lfsFile without a size):
 * 1 with *size, 0 when the repository does not, -1 database error.
 */
int	 lfs_size_in_repo(const struct dctx *, int64_t repo_id,
	    const unsigned char sha256[SHA256_LEN], uint64_t *size);

/*
 * Makes sure the repository may use the object (sha256, size): linkable
 * already, or now, from the repository's staging key: the staged bytes are
 * copied to a private key (so that nobody can change them between the
 * check and the copy), streamed through SHA-256, and on a match copied to
 * the final key (unless stored already) and proved for the repository; on
 * a mismatch the staged object is deleted. Answers nothing: returns an
 * lfs_result, *msg (in the arena) saying why when not LFS_OK; the message
 * never depends on other repositories.
 */
enum lfs_result lfs_verify(const struct dctx *, int64_t repo_id,
	    const unsigned char sha256[SHA256_LEN], uint64_t size, char **msg);

/*
 * lfs_verify() for commits, one call per LFS file: returns 0 when the
 * object is usable (already, or now from its staging key); otherwise -1
 * with *e filled (422 LfsObjectNotFound or LfsObjectMismatch, 413 too
 * large, 503 unavailable, 500 errors).
 */
int	 lfs_ensure_verified(const struct dctx *, int64_t repo_id,
	    const unsigned char sha256[SHA256_LEN], uint64_t size,
	    struct kerr *);

#endif
