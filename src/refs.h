/*
 * refs.h: reading a repository's refs, the same list for every front
 * door (the API's refs, the pages' branch and tag switcher).
 */
#ifndef KHUB_REFS_H
#define KHUB_REFS_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "db.h"
#include "gitobj.h"
#include "kerr.h"

struct ref_entry {
	const char	*kind;		/* "branch" or "tag" */
	const char	*name;		/* a branch, a tag, or refs/pr/N */
	struct oid	 target;	/* a commit: annotated tags peeled */
};

/* Every ref of repository repo_id, branches then tags, by name, into *out
 * (arena memory), *n of them. Pull requests' refs are branches named
 * refs/pr/N (discussions.h). */
int	 refs_list(struct db *, struct arena *, int64_t repo_id,
	    struct ref_entry **out, size_t *n, struct kerr *);

#endif
