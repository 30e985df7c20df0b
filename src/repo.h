/*
 * repo.h: finding a repository, the caller's rights on it, and revisions:
 * the rules every front door applies, each answering its own way
 * (api_repo.h for the API and the pages).
 *
 * One query answers "which repository, may this caller see it, and what
 * does this revision name" (and, folded in, "whose token is this"): the
 * hot path (resolve) costs one round trip before the tree walk.
 */
#ifndef KHUB_REPO_H
#define KHUB_REPO_H

#include <stdbool.h>
#include <stdint.h>

#include "dctx.h"
#include "gated.h"
#include "gitobj.h"
#include "kerr.h"
#include "mirror.h"
#include "names.h"	/* rev_valid(), enum repo_type */
#include "principal.h"

enum access { ACCESS_NONE, ACCESS_READ, ACCESS_WRITE, ACCESS_ADMIN };

struct repo {
	int64_t		 id;
	enum repo_type	 type;
	int64_t		 owner_id;
	char		*ns, *name;	/* as stored (case kept) */
	char		*full;		/* "ns/name"; "name" when canonical */
	bool		 private_, disabled;
	enum gate	 gated;
	uint64_t	 lfs_multipart_threshold;	/* 0: the default */
	int64_t		 downloads, likes;
	int64_t		 created_ms, updated_ms;
	enum access	 access;	/* the caller's rights */
	char		*mirror;	/* its upstream, when a mirror (mirror.h) */
	struct mirror_seen mirror_seen;	/* of rev_asked, when a mirror */
	/* The caller owns it or is a member of its organization (whatever
	 * the token's role): a gated repository's files are theirs. */
	bool		 member;
	/* The revision asked for with repo_open_rev(), if it named a ref. */
	const char	*rev_asked;
	bool		 rev_is_ref;
	char		*rev_kind;	/* "branch" or "tag" */
	struct oid	 rev_target;
	/* Its repo_change seq when read (fresh.h): what a cached answer
	 * about it names. */
	uint64_t	 change_seq;
	/* The caller's role in its namespace's organization, if any
	 * ("admin", "write", "read"): repo_grant()'s input. */
	const char	*role;
};

/* A revision resolved to a commit. */
struct rev {
	struct oid	 commit;
	const char	*kind;		/* "branch", "tag" or "commit" */
	const char	*name;		/* the ref's name, or the hex id */
};

/* A lookup of a repository: its name, and what to find with it. */
struct repo_ask {
	enum repo_type	 type;
	const char	*ns, *name;
	const char	*rev;		/* a revision to look up as a ref; NULL */
	int64_t		 user_id;	/* the caller, when known (a session) */
	/* TOKEN_HASH_LEN bytes: a token to look up in the same query; NULL */
	const unsigned char *token_hash;
};
/* What repo_find() found of q->token_hash: p->token_id 0 when no such
 * token (auth_token_found() checks it against stored). */
struct repo_token {
	struct principal *p;
	const void	*stored;	/* the row's hash, slen bytes */
	size_t		 slen;
};
/*
 * Looks up q's repository, the caller's role in its organization, q->rev
 * as a branch or tag, and q->token_hash's token, in one query. *out is
 * NULL when no repository has that name (a name name_ascii() refuses is
 * never looked up); else its rights are not set yet: repo_grant() sets
 * them once the caller is known. Returns 0, or -1 with *e (the database).
 */
int		 repo_find(const struct dctx *, const struct repo_ask *q,
		    struct repo **out, struct repo_token *tok, struct kerr *e);
/* The rights of who (NULL: anonymous) on repo: repo->access, ->member. */
void		 repo_grant(struct repo *, const struct principal *who);
/*
 * Whether who may act on repo as need asks (after repo_grant()). A
 * repository the caller may not read is refused as a missing one is
 * (repo_not_found()); a mirror refuses every change (403); a readable one
 * without the rights needed 401 for an anonymous caller, else 403.
 * Returns 0, or -1 with *e.
 */
int		 repo_allow(const struct repo *, const struct principal *who,
		    enum access need, struct kerr *e);
/* RepoNotFound, worded alike whether it exists or not: 401 for an
 * anonymous caller, 404 otherwise. Returns -1. */
int		 repo_not_found(struct kerr *, bool anonymous);
/*
 * Resolves rev (a branch, a tag, "refs/heads/x", "refs/tags/x", "HEAD"
 * (the default branch, main), or a full or abbreviated (7+ hex) commit id
 * of this repository; a mirror's: upstream's answer) to a commit. Returns
 * 0, or -1 with *e: 400 "Invalid rev id", 404 RevisionNotFound,
 * RepoNotFound (a mirror's upstream lost it), 503.
 */
int		 repo_rev(struct dctx *, struct repo *, const char *rev,
		    struct rev *out, struct kerr *e);
/* A repository id as the Hub writes it: "ns/name", or "name" for one of
 * the canonical repositories (ns "": those without a namespace, "gpt2"). */
char		*repo_id_of(struct arena *, const char *ns, const char *name);

#endif
