/*
 * likes.h: users' likes of repositories. repo.likes is kept exact: it
 * changes in the transaction of the like row, and only when a row was
 * added or removed. Lists are newest first, in pages whose cursor is the
 * last like's id. Functions return 0, or -1 with *e filled (kerr.h).
 */
#ifndef KHUB_LIKES_H
#define KHUB_LIKES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dctx.h"
#include "kerr.h"

/* The caller (d->user_id, not anonymous) likes (like) or stops liking
 * repository repo_id; liking twice or unliking what one does not like
 * changes nothing. */
int	 likes_set(const struct dctx *, int64_t repo_id, bool like,
	    struct kerr *);

/* A like, as the lists show it. */
struct like_item {
	int64_t		 id;		/* the page cursor */
	int64_t		 created_ms;
	/* a user's likes: the repository */
	char		*ns, *name, *type;	/* type "model"... */
	/* a repository's likers: the user */
	char		*user, *fullname;
};

/*
 * The likes of user (a name) that the caller may see (the repositories it
 * may read), newest first, with ids below before (0: from the newest), at
 * most want into *out (in d->a). 404 for no such user or organization.
 */
int	 likes_of_user(const struct dctx *, const char *user, int64_t before,
	    size_t want, struct like_item **out, size_t *n, struct kerr *);
/* The users who like repository repo_id, newest first, the same way. */
int	 likes_of_repo(const struct dctx *, int64_t repo_id, int64_t before,
	    size_t want, struct like_item **out, size_t *n, struct kerr *);
/* How many of user_id's likes the caller may see (what likes_of_user
 * lists). */
int	 likes_count(const struct dctx *, int64_t user_id, int64_t *count,
	    struct kerr *);

#endif
