/*
 * history.c: each path's last commit, walking a revision's first-parent
 * history (see history.h).
 */
#include <stdbool.h>
#include <string.h>

#include "history.h"
#include "jsonutil.h"
#include "jtext.h"

/* The first line of a commit message: its title. */
static const char *
title_of(struct arena *a, const char *msg)
{
	return arena_strndup(a, msg, strcspn(msg, "\n"));
}

/* An entry waiting for its last commit, grouped by its folder. */
struct lc_entry {
	size_t		 item;		/* index in the caller's arrays */
	const char	*dir;		/* folder path ("" for the root) */
	const char	*name;
	size_t		 namelen;
	bool		 pending;
};

static int
lc_cmp(const void *x, const void *y)
{
	const struct lc_entry *a = x, *b = y;

	return strcmp(a->dir, b->dir);
}

int
last_commits(struct db *db, struct arena *a, const struct oid *head,
    size_t n, const char *const *paths, const struct oid *oids,
    struct last_commit *out)
{
	struct commit_info cur, par;
	struct lc_entry *e;
	struct oid *diroid;
	size_t *gstart, ngroups = 0, npending = n, i, g, steps;
	const char *title;

	if (n == 0)
		return 0;
	if (gitstore_commit(db, a, head, &cur) != 0)
		return -1;
	title = title_of(a, cur.message);
	e = arena_alloc(a, n * sizeof(*e));
	for (i = 0; i < n; i++) {
		const char *slash = strrchr(paths[i], '/');

		out[i].id = *head;
		out[i].time = cur.time;
		out[i].title = title;
		e[i].item = i;
		e[i].dir = slash ? arena_strndup(a, paths[i],
		    (size_t)(slash - paths[i])) : "";
		e[i].name = slash ? slash + 1 : paths[i];
		e[i].namelen = strlen(e[i].name);
		e[i].pending = true;
	}
	/* Entries of one folder are checked together: when the folder's
	 * tree did not change between two commits, none of them did. */
	qsort(e, n, sizeof(*e), lc_cmp);
	gstart = arena_alloc(a, (n + 1) * sizeof(*gstart));
	for (i = 0; i < n; i++)
		if (i == 0 || strcmp(e[i - 1].dir, e[i].dir) != 0)
			gstart[ngroups++] = i;
	gstart[ngroups] = n;
	diroid = arena_alloc(a, ngroups * sizeof(*diroid));
	for (g = 0; g < ngroups; g++) {
		struct tree_entry te;

		if (gitstore_walk(db, a, &cur.tree, e[gstart[g]].dir,
		    &te) != 0)
			return -1;	/* the caller found them there */
		diroid[g] = te.oid;
	}
	for (steps = 0; npending > 0 && cur.has_parent &&
	    steps < LAST_COMMIT_WALK; steps++) {
		struct oid pid = cur.parent;
		int rc;

		if ((rc = gitstore_commit(db, a, &pid, &par)) < 0)
			return -1;
		if (rc > 0)
			break;		/* history cut short: keep what we have */
		title = NULL;
		for (g = 0; g < ngroups; g++) {
			struct tree_entry te;
			struct tree t;
			bool same, gone;

			for (i = gstart[g]; i < gstart[g + 1] && !e[i].pending;
			    i++)
				;
			if (i == gstart[g + 1])
				continue;	/* nothing left to find here */
			if (oid_eq(&par.tree, &cur.tree)) {
				same = true;
				gone = false;
			} else {
				if ((rc = gitstore_walk(db, a, &par.tree,
				    e[gstart[g]].dir, &te)) < 0)
					return -1;
				gone = rc > 0 || te.mode != MODE_DIR;
				same = !gone && oid_eq(&te.oid, &diroid[g]);
			}
			if (!same && !gone && gitstore_tree(db, a, &te.oid,
			    &t) != 0)
				return -1;
			for (i = gstart[g]; i < gstart[g + 1]; i++) {
				struct lc_entry *x = &e[i];
				long k;

				if (!x->pending)
					continue;
				if (!same && (gone || (k = tree_find(&t,
				    x->name, x->namelen)) < 0 ||
				    !oid_eq(&t.e[k].oid, &oids[x->item]))) {
					/* changed by cur: cur is its answer */
					x->pending = false;
					npending--;
					continue;
				}
				if (title == NULL)
					title = title_of(a, par.message);
				out[x->item].id = pid;
				out[x->item].time = par.time;
				out[x->item].title = title;
			}
			if (!gone)
				diroid[g] = same ? diroid[g] : te.oid;
		}
		cur = par;
	}
	return 0;
}

void
jtext_last_commit(struct arena *a, struct buf *b, const struct last_commit *lc)
{
	char hex[OID_HEX + 1];

	oid_hex(&lc->id, hex);
	buf_printf(b, "\"lastCommit\":{\"id\":\"%s\",\"title\":", hex);
	jtext_str(b, lc->title, strlen(lc->title));
	buf_printf(b, ",\"date\":\"%s\"}", iso_time_ms(a, lc->time * 1000));
}
