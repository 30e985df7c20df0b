/*
 * mirror_admin.c: what khubctl mirror does (mirror.h): list, refresh, pin
 * (a whole revision copied for offline use), drop, and running fills.
 */
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "gitstore.h"
#include "hub.h"
#include "mirror.h"
#include "mirror_int.h"
#include "names.h"

static const struct db_stmt SQL_LIST = DB_READ("", "ssssii",
    "SELECT r.type, n.name, r.name, m.upstream,"
    " (SELECT COUNT(*) FROM repo_commit c WHERE c.repo_id = r.id),"
    " (SELECT COUNT(*) FROM repo_blob rb JOIN git_blob b ON b.oid = rb.oid"
    "   WHERE rb.repo_id = r.id AND b.lfs = 1 AND b.in_s3 = 0)"
    " FROM mirror_repo m JOIN repo r ON r.id = m.repo_id"
    " JOIN namespace n ON n.id = r.owner_id ORDER BY r.type, n.name, r.name");
static const struct db_stmt SQL_FIND = DB_READ("sss", "is",
    "SELECT r.id, m.upstream FROM repo r JOIN namespace n ON n.id = r.owner_id"
    " JOIN mirror_repo m ON m.repo_id = r.id"
    " WHERE r.type = ? AND n.name = ? AND r.name = ?");
static const struct db_stmt SQL_EXPIRE = DB_WRITE("i",
    "UPDATE mirror_rev SET checked_at = '1970-01-02' WHERE repo_id = ?");
static const struct db_stmt SQL_DROP = DB_WRITE("i",
    "DELETE FROM repo WHERE id = ?");

int
mirror_list(struct dctx *d, struct mirror_info **v, size_t *n,
    struct kerr *e)
{
	struct db_res *res;
	struct mirror_info m;
	char *ns, *name;
	size_t cap = 0;
	int rc;

	*v = NULL;
	*n = 0;
	if (db_exec(d->hub->db, d->a, &res, &SQL_LIST) != 0)
		return kerr_db(e, d->hub->db);
	while ((rc = db_row(res, db_out_s(&m.type), db_out_s(&ns),
	    db_out_s(&name), db_out_s(&m.upstream), db_out_i(&m.revisions),
	    db_out_i(&m.lfs_missing))) == 1) {
		if (*n == cap) {
			struct mirror_info *nv;

			cap = cap ? 2 * cap : 16;
			nv = arena_alloc(d->a, cap * sizeof(*nv));
			if (*n > 0)
				memcpy(nv, *v, *n * sizeof(*nv));
			*v = nv;
		}
		m.id = *ns ? arena_printf(d->a, "%s/%s", ns, name) : name;
		(*v)[(*n)++] = m;
	}
	return rc < 0 ? kerr_db(e, d->hub->db) : 0;
}

/* The mirror type/id: its repository id and upstream. */
static int
find(struct dctx *d, const char *type, const char *id, int64_t *repo_id,
    char **upstream, struct kerr *e)
{
	const char *ns, *name;
	struct db_res *res;
	int rc;

	if (repo_id_split(d->a, id, &ns, &name) != 0)
		return kerr_set(e, 400, "BadRequest", "'%s' is not "
		    "namespace/name", id);

	if (db_exec(d->hub->db, d->a, &res, &SQL_FIND, db_s(type), db_s(ns),
	    db_s(name)) != 0 || (rc = db_row(res, db_out_i(repo_id),
	    db_out_s(upstream))) < 0)
		return kerr_db(e, d->hub->db);
	if (rc == 0)
		return kerr_set(e, 404, "RepoNotFound", "%s %s is not a mirror "
		    "here", type, id);
	return 0;
}

int
mirror_refresh(struct dctx *d, const char *type, const char *id,
    struct kerr *e)
{
	char *upstream;
	int64_t repo_id;

	if (find(d, type, id, &repo_id, &upstream, e) != 0)
		return -1;
	if (db_exec(d->hub->db, d->a, NULL, &SQL_EXPIRE, db_i(repo_id)) != 0)
		return kerr_db(e, d->hub->db);
	return 0;
}

int
mirror_drop(struct dctx *d, const char *type, const char *id,
    struct kerr *e)
{
	char *upstream;
	int64_t repo_id;

	if (find(d, type, id, &repo_id, &upstream, e) != 0)
		return -1;
	/* refs, mirror_repo and mirror_rev go with it (ON DELETE CASCADE) */
	if (db_exec(d->hub->db, d->a, NULL, &SQL_DROP, db_i(repo_id)) != 0)
		return kerr_db(e, d->hub->db);
	return 0;
}

/* An LFS file of the revision still upstream. */
struct want {
	char		*path;
	struct blob_info b;
};

struct walk {
	struct dctx	*d;
	struct want	*v;
	size_t		 n, cap;
};

/* gitstore_tree_walk()'s callback: an LFS file not yet in S3 into w. */
static int
want_add(void *arg, const char *dir, const struct tree_entry *te)
{
	struct walk *w = arg;
	struct blob_info b;

	if (te->mode == MODE_DIR)
		return GS_WALK_ON;
	if (gitstore_blob(w->d->hub->db, w->d->a, &te->oid, &b) != 0)
		return -1;
	if (!b.lfs || b.in_s3)
		return GS_WALK_ON;
	w->v = arena_grow(w->d->a, w->v, w->n, &w->cap, sizeof(*w->v), 16);
	w->v[w->n].path = gitstore_path(w->d->a, dir, te);
	w->v[w->n].b = b;
	w->n++;
	return GS_WALK_ON;
}

int
mirror_pin(struct dctx *d, const char *type, const char *id, const char *rev,
    void (*progress)(void *, const char *, uint64_t, size_t, size_t),
    void *arg, struct oid *commit, struct kerr *e)
{
	const char *ns, *name;
	struct commit_info ci;
	struct walk w;
	char *upstream, hex[OID_HEX + 1];
	int64_t repo_id;
	size_t i;

	if (find(d, type, id, &repo_id, &upstream, e) != 0) {
		int rc;

		/* (find() split the id: a 404 is a well-formed one's) */
		if (e->status != 404 ||
		    repo_id_split(d->a, id, &ns, &name) != 0)
			return -1;
		rc = mirror_pull(d, type, ns, name, e);
		if (rc < 0)
			return -1;
		if (rc == 1 || find(d, type, id, &repo_id, &upstream, e) != 0)
			return kerr_set(e, 404, "RepoNotFound", "No upstream "
			    "serves %s %s (or the mirror may not take it)",
			    type, id);
	}
	if (mirror_revision(d, repo_id, upstream, type, id, rev, NULL, commit,
	    e) != 0)
		return -1;
	if (gitstore_commit(d->hub->db, d->a, commit, &ci) != 0)
		return kerr_db(e, d->hub->db);
	memset(&w, 0, sizeof(w));
	w.d = d;
	if (gitstore_tree_walk(d->hub->db, d->a, &ci.tree, "", want_add,
	    &w) != 0)
		return kerr_db(e, d->hub->db);
	oid_hex(commit, hex);
	for (i = 0; i < w.n; i++) {
		if (mirror_lfs_fill(d, upstream, type, id, hex, w.v[i].path,
		    &w.v[i].b, e) != 0)
			return -1;
		if (progress != NULL)
			progress(arg, w.v[i].path, w.v[i].b.size, i + 1, w.n);
	}
	return 0;
}

int
mirror_work(struct dctx *d, size_t *ran, size_t *failed, struct kerr *e)
{
	struct kerr fe;
	int rc;

	/* a failed fill waits before its next try: each runs once here */
	*ran = *failed = 0;
	while ((rc = mirror_fill_run(d, NULL, &fe)) != 1) {
		if (rc == 0) {
			(*ran)++;
			continue;
		}
		if (fe.status == 503 || (fe.status == 500 && fe.hidden)) {
			*e = fe;	/* our database or S3: stop */
			return -1;
		}
		(*failed)++;
		*e = fe;
	}
	return 0;
}
