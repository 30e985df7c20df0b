/*
 * api_repo.h: a request's repository, opened for the API and the pages:
 * repo.h's rules, answered as JSON with X-Error-Code (the pages' layer
 * turns the same answers into pages).
 */
#ifndef KHUB_API_REPO_H
#define KHUB_API_REPO_H

#include "repo.h"
#include "request.h"

/*
 * Opens the repository named by r->args (type, ns, name) for a caller who
 * needs at least `need`, identifying the caller in the same query when a
 * token comes with the request (repo_find()); a repository that is not
 * here is asked of the mirror's upstreams for a read (unless
 * ?fallback=false). Answers repo_allow()'s refusals. Returns NULL when it
 * answered.
 */
struct repo	*repo_open(struct req *, enum access need);
/* repo_open, looking up revision rev as a ref in the same query. */
struct repo	*repo_open_rev(struct req *, enum access need, const char *rev);
/* repo_rev(), answering its errors: -1 when it answered. */
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

#endif
