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

#include "request.h"

struct db;
struct repo;
struct rules;

struct quota {
	bool		 limited;	/* a quota applies */
	uint64_t	 quota, used;	/* used: only when limited */
	bool		 has_lfs_threshold;
	uint64_t	 lfs_threshold;	/* the repository's own */
	const char	*lfs_patterns;	/* one pattern a line, or NULL */
};

/*
 * One query: the quota and usage of the repository's namespace (the sum
 * is computed only when a quota applies) and the repository's LFS
 * settings. Returns 0, or -1 on a database error (without answering).
 */
int	 quota_load(struct req *, const struct repo *, struct quota *);
/* a + b, saturating: announced sizes come from clients. */
static inline uint64_t
quota_add(uint64_t a, uint64_t b)
{
	return a + b < a ? UINT64_MAX : a + b;
}

/* Whether adding bytes stays within the quota. */
bool	 quota_allows(const struct quota *, uint64_t adding);
/* The message of a refusal, in the arena. */
char	*quota_message(struct req *, const struct repo *, const struct quota *,
	    uint64_t adding);
/*
 * quota_load and quota_allows: 0 when the upload fits; else answers (413
 * QuotaExceeded, or the database error) and returns -1.
 */
int	 quota_check(struct req *, struct repo *, uint64_t adding);
/* The repository's LFS patterns as .gitattributes rules (filter=lfs). */
void	 lfs_settings_rules(struct req *, const struct quota *,
	    struct rules *);

/*
 * Used bytes and quota of the namespace id (quota 0: none), for khubctl
 * and repo info. Returns 0 or -1 on a database error.
 */
int	 quota_used(struct db *, struct arena *, int64_t ns_id,
	    uint64_t default_quota, uint64_t *used, uint64_t *quota);

#endif
