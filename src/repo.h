/*
 * repo.h: finding a repository, the caller's rights on it, and revisions.
 *
 * One query answers "which repository, may this caller see it, and what
 * does this revision name": the hot path (resolve) costs one round trip
 * before the tree walk.
 */
#ifndef KHUB_REPO_H
#define KHUB_REPO_H

#include <stdbool.h>
#include <stdint.h>

#include "gated.h"
#include "gitobj.h"
#include "mirror.h"
#include "names.h"	/* rev_valid() */
#include "request.h"

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
};

/* A revision resolved to a commit. */
struct rev {
	struct oid	 commit;
	const char	*kind;		/* "branch", "tag" or "commit" */
	const char	*name;		/* the ref's name, or the hex id */
};

/*
 * Opens the repository named by r->args (type, ns, name) for a caller who
 * needs at least `need`. A missing repository and one the caller may not
 * read get the same answer (RepoNotFound: 401 anonymous, 404 otherwise);
 * a readable one without the rights needed: 401 anonymous, 403 otherwise.
 * Returns NULL when it answered.
 */
struct repo	*repo_open(struct req *, enum access need);
/* repo_open, looking up revision rev as a ref in the same query. */
struct repo	*repo_open_rev(struct req *, enum access need, const char *rev);
/*
 * Resolves rev (a branch, a tag, "refs/heads/x", "refs/tags/x", "HEAD" (the
 * default branch, main), or a full
 * or abbreviated (7+ hex) commit id of this repository) to a commit. On
 * failure answers 400 "Invalid rev id" or 404 RevisionNotFound and returns
 * -1.
 */
int		 repo_resolve(struct req *, struct repo *, const char *rev,
		    struct rev *);
/*
 * repo_open_rev(ACCESS_READ) and repo_resolve() for a paged tree listing:
 * with the request's "cursor" (tree_cursor_parse(), filelist.h) the
 * commit the first page read, even if the branch moved since, checked to
 * be this repository's, and *offset where the page starts (else rev, 0).
 * NULL after answering (400 for a bad cursor, before the repository is
 * looked up).
 */
struct repo	*repo_open_page(struct req *, const char *rev, size_t *offset,
		    struct rev *);
/* The repository's URL as the client sees it: endpoint/[type/]ns/name. */
char		*repo_url(struct req *, const struct repo *);
/* A repository id as the Hub writes it: "ns/name", or "name" for one of
 * the canonical repositories (ns "": those without a namespace, "gpt2"). */
char		*repo_id_of(struct arena *, const char *ns, const char *name);

struct commit_op;

#endif
