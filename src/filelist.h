/*
 * filelist.h: what the answers listing a revision's files share (repo
 * info siblings, tree, paths-info): JSON text written straight into a
 * buffer (thousands of items cost no json-c object each), blob metadata
 * for many files in one query, and each path's last commit.
 */
#ifndef KHUB_FILELIST_H
#define KHUB_FILELIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "db.h"
#include "gitstore.h"

/* Appends s[0..n) as a JSON string, quotes included. */
void	 jtext_str(struct buf *, const char *s, size_t n);
/* Appends "key": as JSON text (key is a literal, not escaped). */
#define jtext_key(b, key)	buf_adds((b), "\"" key "\":")

/*
 * The metadata of n blobs: out[i] and found[i] for oids[i]. Cached ones
 * come from the cache, the others from one query per thousand. Returns
 * 0, or -1 on a database error.
 */
int	 blobs_get(struct db *, struct arena *, const struct oid *oids,
	    size_t n, struct blob_info *out, bool *found);

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

/*
 * A tree listing's page cursor, "<offset>.<commit hex>" (where the next
 * page starts, in which commit: the API's Link and the pages' "next"):
 * 0 with *offset and hex (NUL-terminated), -1 when malformed.
 */
int	 tree_cursor_parse(const char *s, size_t *offset,
	    char hex[OID_HEX + 1]);

#endif
