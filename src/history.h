/*
 * history.h: what changed a path last: for each entry of a listing (tree
 * with expand, the pages' folders), the newest commit since which it has
 * its id, found by walking the revision's first-parent history.
 */
#ifndef KHUB_HISTORY_H
#define KHUB_HISTORY_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "db.h"
#include "gitstore.h"

/* A path's last commit, for expand=true. */
struct last_commit {
	struct oid	 id;
	int64_t		 time;		/* Unix seconds */
	const char	*title;		/* the message's first line */
};

/* How many commits lastCommit looks back at most, from the revision. */
#define LAST_COMMIT_WALK	200

/*
 * For n entries of the tree of commit head (paths[i] from the root, oids[i]
 * their ids there), the newest commit on head's first-parent history
 * since which the entry has that id (the commit that last changed it).
 * The walk stops after LAST_COMMIT_WALK commits: entries unchanged over
 * all of them get the oldest commit seen. Returns 0, or -1 on a database
 * error.
 */
int	 last_commits(struct db *, struct arena *, const struct oid *head,
	    size_t n, const char *const *paths, const struct oid *oids,
	    struct last_commit *out);

/* Appends "lastCommit":{"id","title","date"} (no comma). */
void	 jtext_last_commit(struct arena *, struct buf *,
	    const struct last_commit *);

#endif
