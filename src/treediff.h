/*
 * treediff.h: what changed between two trees, file by file (the commit
 * page; a commit's files added, removed and changed).
 */
#ifndef KHUB_TREEDIFF_H
#define KHUB_TREEDIFF_H

#include <stddef.h>

#include "arena.h"
#include "gitobj.h"

struct db;

/* A file that differs: old.mode == 0 when added, new.mode == 0 when
 * removed; names and paths in the arena. */
struct tree_change {
	const char		*path;
	struct tree_entry	 old, new;
};

/*
 * The files that differ from the tree old_root (NULL: the empty tree) to
 * new_root, in git's path order, entering only folders whose ids differ
 * (so the work is the size of the change, not of the trees). A path that
 * turned from file to folder is a removal and additions. At most max
 * changes and max_trees trees read: returns 0 with *out and *n, 1 when
 * either bound was reached (*out and *n hold what was found before it),
 * -1 on a database error.
 */
int	 treediff(struct db *, struct arena *, const struct oid *old_root,
	    const struct oid *new_root, size_t max, size_t max_trees,
	    struct tree_change **out, size_t *n);

#endif
