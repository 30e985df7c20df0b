/*
 * quota.h: storage quotas per namespace, and the per-repository LFS
 * settings preupload honors.
 *
 * A namespace's used bytes are the sum over its repositories of the sizes
 * of the blobs each references (repo_blob joined with git_blob): a blob
 * shared by two repositories counts for each, an LFS file counts its
 * object's size. The quota is namespace.quota_bytes, else the server's
 * default_quota; 0 means none.
 */
#ifndef KHUB_QUOTA_H
#define KHUB_QUOTA_H

#include <stdbool.h>
#include <stdint.h>

#include "arena.h"
#include "gitobj.h"
#include "kerr.h"

struct db;
struct rules;

struct quota {
	bool		 limited;	/* a quota applies */
	uint64_t	 quota, used;	/* used: only when limited */
	bool		 has_lfs_threshold;
	uint64_t	 lfs_threshold;	/* the repository's own */
	const char	*lfs_patterns;	/* one pattern a line, or NULL */
};

/*
 * One query: the quota and usage of repository repo_id's namespace (its
 * own quota, else default_quota; the sum is computed only when a quota
 * applies) and the repository's LFS settings. 0, or -1 with *e filled.
 */
int	 quota_load(struct db *, struct arena *, uint64_t default_quota,
	    int64_t repo_id, struct quota *, struct kerr *);
/* a + b, saturating: announced sizes come from clients. */
static inline uint64_t
quota_add(uint64_t a, uint64_t b)
{
	return a + b < a ? UINT64_MAX : a + b;
}

/* Whether adding bytes stays within the quota (adding nothing always
 * does). */
bool	 quota_allows(const struct quota *, uint64_t adding);
/* The message of a refusal of namespace ns, in the arena. */
char	*quota_message(struct arena *, const char *ns, const struct quota *,
	    uint64_t adding);
/*
 * quota_load and quota_allows, before the work (git push's check; a
 * commit checks again inside its transaction, quota_commit_check()):
 * 0 when adding fits; else -1 with *e filled (413 QuotaExceeded, or the
 * database error).
 */
int	 quota_check(struct db *, struct arena *, uint64_t default_quota,
	    int64_t repo_id, const char *ns, uint64_t adding, struct kerr *);
/* The repository's LFS patterns as .gitattributes rules (filter=lfs). */
void	 lfs_settings_rules(struct arena *, const struct quota *,
	    struct rules *);

/* A blob a commit names, for quota_new_bytes(). */
struct quota_blob {
	struct oid	 oid;
	uint64_t	 size;
};
/*
 * What the blobs v[0..n) (any order, repeats allowed; v is sorted in
 * place) add to the use of repository repo_id's namespace: the sizes of
 * the distinct ones it does not reference yet, into *adding. A commit
 * that names content the repository has already adds nothing. 0, or -1
 * (database).
 */
int	 quota_new_bytes(struct db *, struct arena *, int64_t repo_id,
	    struct quota_blob *v, size_t n, uint64_t *adding);

/*
 * A commit's quota check, atomic with it. quota_commit_limit(), before the
 * commit's transaction: the quota of namespace ns_id into *quota (its own,
 * else default_quota; 0: none). quota_commit_check(), inside it, before
 * its first write: when a quota applies, locks the namespace's row
 * (concurrent commits into it wait) and counts only what the commit adds, the
 * bytes of the blobs of chunk[0..nchunks) (JSON arrays of distinct hex
 * blob ids, all stored) that repository repo_id does not reference yet.
 * It only reads (and locks): on Galera a read that waits for the cluster
 * (wsrep_sync_wait) must come before the transaction's first write.
 * quota_commit_mark(), once the commit has written its ref: when a quota
 * applies, writes the namespace's row, so that two commits into it on
 * different Galera nodes (whose locks do not reach each other) conflict
 * and one retries.
 * quota_commit_limit() and quota_commit_mark() return 0 or -1 (database);
 * quota_commit_check() 0, or -1 with *e filled: 413 QuotaExceeded naming
 * ns, or the database error (db_errno() ER_LOCK_DEADLOCK: retry the
 * transaction).
 */
int	 quota_commit_limit(struct db *, struct arena *, uint64_t default_quota,
	    int64_t ns_id, uint64_t *quota);
int	 quota_commit_check(struct db *, struct arena *, uint64_t quota,
	    int64_t ns_id, const char *ns, int64_t repo_id, char *const *chunk,
	    size_t nchunks, struct kerr *);
int	 quota_commit_mark(struct db *, struct arena *, uint64_t quota,
	    int64_t ns_id);

/*
 * Used bytes and quota of the namespace id (quota 0: none), for khubctl
 * and repo info. Returns 0 or -1 on a database error.
 */
int	 quota_used(struct db *, struct arena *, int64_t ns_id,
	    uint64_t default_quota, uint64_t *used, uint64_t *quota);
/*
 * The bytes repository repo_id stores (every blob any of its commits
 * named), kept per worker as of updated_ms (its updated_at, which every
 * commit moves). Returns 0 or -1 on a database error.
 */
int	 quota_repo_used(struct db *, struct arena *, int64_t repo_id,
	    int64_t updated_ms, uint64_t *used);

#endif
