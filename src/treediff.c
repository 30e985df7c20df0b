/*
 * treediff.c: two trees compared entry by entry in git's order, as
 * git's diff-tree does; equal ids are skipped whole.
 */
#include <string.h>

#include "gitstore.h"
#include "treediff.h"

struct walk {
	struct db		*db;
	struct arena		*a;
	struct tree_change	*c;
	size_t			 n, cap, max, trees, max_trees;
};

static const struct tree EMPTY;

/* path "/" name, or name at the root */
static const char *
join(struct arena *a, const char *dir, const struct tree_entry *e)
{
	return *dir == '\0' ? arena_strndup(a, e->name, e->namelen) :
	    arena_printf(a, "%s/%.*s", dir, (int)e->namelen, e->name);
}

static int
read_tree(struct walk *w, const struct oid *id, struct tree *t)
{
	int rc;

	if (id == NULL) {
		*t = EMPTY;
		return 0;
	}
	if (w->trees++ == w->max_trees)
		return 1;
	if ((rc = gitstore_tree(w->db, w->a, id, t)) != 0)
		return -1;	/* missing: a commit names it, so an error */
	return 0;
}

static int	 walk(struct walk *, const char *dir, const struct oid *old,
		    const struct oid *new);

/* One side's entry, the other absent (mode 0) or of another kind. */
static int
one(struct walk *w, const char *dir, const struct tree_entry *old,
    const struct tree_entry *new)
{
	const struct tree_entry *e = old != NULL ? old : new;
	const char *path = join(w->a, dir, e);

	if (e->mode == MODE_DIR)
		return walk(w, path, old != NULL ? &old->oid : NULL,
		    new != NULL ? &new->oid : NULL);
	if (w->n == w->max)
		return 1;
	w->c = arena_grow(w->a, w->c, w->n, &w->cap, sizeof(*w->c), 64);
	memset(&w->c[w->n], 0, sizeof(w->c[w->n]));
	w->c[w->n].path = path;
	if (old != NULL)
		w->c[w->n].old = *old;
	if (new != NULL)
		w->c[w->n].new = *new;
	w->n++;
	return 0;
}

static int
walk(struct walk *w, const char *dir, const struct oid *old,
    const struct oid *new)
{
	struct tree a, b;
	size_t i = 0, j = 0;
	int rc, c;

	if ((rc = read_tree(w, old, &a)) != 0 ||
	    (rc = read_tree(w, new, &b)) != 0)
		return rc;
	while (i < a.n || j < b.n) {
		if (i == a.n)
			c = 1;
		else if (j == b.n)
			c = -1;
		else
			c = tree_entry_cmp(&a.e[i], &b.e[j]);
		if (c < 0)
			rc = one(w, dir, &a.e[i++], NULL);
		else if (c > 0)
			rc = one(w, dir, NULL, &b.e[j++]);
		else if (oid_eq(&a.e[i].oid, &b.e[j].oid) &&
		    a.e[i].mode == b.e[j].mode) {
			i++, j++;
			continue;
		} else if (a.e[i].mode == MODE_DIR) {
			rc = walk(w, join(w->a, dir, &a.e[i]), &a.e[i].oid,
			    &b.e[j].oid);
			i++, j++;
		} else {
			/* same name and kind: a changed file (or its mode) */
			if ((rc = one(w, dir, &a.e[i], NULL)) == 0) {
				w->c[w->n - 1].new = b.e[j];
			}
			i++, j++;
		}
		if (rc != 0)
			return rc;
	}
	return 0;
}

int
treediff(struct db *db, struct arena *a, const struct oid *old_root,
    const struct oid *new_root, size_t max, size_t max_trees,
    struct tree_change **out, size_t *n)
{
	struct walk w = { db, a, NULL, 0, 0, max, 0, max_trees };
	int rc;

	rc = walk(&w, "", old_root, new_root);
	*out = w.c;
	*n = w.n;
	return rc;
}
