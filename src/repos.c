/*
 * repos.c: managing a repository (see repos.h).
 */
#include <string.h>

#include <mysqld_error.h>

#include "fresh.h"
#include "names.h"
#include "repos.h"

static const char SQL_NAMESPACE[] =
    "SELECT n.id, n.kind, (SELECT m.role FROM org_member m"
    " WHERE m.org_id = n.id AND m.user_id = ?) FROM namespace n"
    " WHERE n.name = ?";
static const char SQL_DELETE[] = "DELETE FROM repo WHERE id = ?";
static const char SQL_MOVE[] =
    "UPDATE repo SET owner_id = ?, name = ? WHERE id = ?";
static const char SQL_SET_PRIVATE[] =
    "UPDATE repo SET private = ? WHERE id = ?";
static const char SQL_SET_GATED[] =
    "UPDATE repo SET gated = ? WHERE id = ?";
/* Per-repository LFS settings (quota.c reads them for preupload): each
 * changes only when its flag is 1; NULL means the server's default. */
static const char SQL_SET_LFS[] =
    "UPDATE repo SET lfs_threshold = IF(?, ?, lfs_threshold),"
    " lfs_patterns = IF(?, ?, lfs_patterns),"
    " lfs_multipart_threshold = IF(?, ?, lfs_multipart_threshold)"
    " WHERE id = ?";

int
repos_namespace_writable(struct db *db, struct arena *a, int64_t user_id,
    bool can_write, const char *ns, int64_t *id, struct kerr *e)
{
	struct db_res *res;
	char *kind, *role;
	int rc;

	if (db_exec(db, a, &res, SQL_NAMESPACE, "is", user_id, ns) != 0 ||
	    (rc = db_row(res, "iss", id, &kind, &role)) < 0)
		return kerr_db(e, db);
	if (rc == 0)
		return kerr_set(e, 404, "NotFound", "No user or organization "
		    "named %s", ns);
	if (!strcmp(kind, "user") ? *id != user_id :
	    role == NULL || !strcmp(role, "read"))
		return kerr_set(e, 403, "Forbidden", "You don't have the "
		    "rights to create repositories in %s", ns);
	if (!can_write)
		return kerr_set(e, 403, "Forbidden", "This token is read-only");
	return 0;
}

int
repos_delete(struct db *db, struct arena *a, int64_t repo_id,
    struct kerr *e)
{
	/* Refs, repo_commit and repo_blob go with it (ON DELETE CASCADE);
	 * its repo_change row stays, to tell the caches it changed. */
	if (db_begin(db) != 0)
		return kerr_db(e, db);
	if (db_exec(db, a, NULL, SQL_DELETE, "i", repo_id) != 0 ||
	    fresh_bump(db, repo_id) != 0 || db_commit(db) != 0) {
		kerr_db(e, db);
		db_rollback(db);
		return -1;
	}
	return 0;
}

int
repos_move(struct db *db, struct arena *a, int64_t repo_id, int64_t ns_id,
    const char *name, struct kerr *e)
{
	const char *why;

	if ((why = name_invalid(name)) != NULL)
		return kerr_set(e, 400, "BadRequest", "Repository name '%s' %s",
		    name, why);
	if (db_begin(db) != 0)
		return kerr_db(e, db);
	if (db_exec(db, a, NULL, SQL_MOVE, "isi", ns_id, name, repo_id) != 0) {
		db_rollback(db);
		if (db_errno(db) == ER_DUP_ENTRY)
			return kerr_set(e, 409, "RepoExists", "A repository "
			    "called %s already exists there", name);
		return kerr_db(e, db);
	}
	if (fresh_bump(db, repo_id) != 0 || db_commit(db) != 0) {
		kerr_db(e, db);
		db_rollback(db);
		return -1;
	}
	return 0;
}

int
repos_settings(struct db *db, struct arena *a, int64_t repo_id,
    const struct repos_settings *s, struct kerr *e)
{
	if (db_begin(db) != 0)
		return kerr_db(e, db);
	if ((s->private_ >= 0 && db_exec(db, a, NULL, SQL_SET_PRIVATE, "ii",
	    (int64_t)s->private_, repo_id) != 0) ||
	    (s->gated >= 0 && db_exec(db, a, NULL, SQL_SET_GATED, "ii",
	    (int64_t)s->gated, repo_id) != 0) ||
	    ((s->set_threshold || s->set_multipart || s->set_patterns) &&
	    db_exec(db, a, NULL, SQL_SET_LFS, "isisisi",
	    (int64_t)s->set_threshold, s->threshold,
	    (int64_t)s->set_patterns, s->patterns,
	    (int64_t)s->set_multipart, s->multipart, repo_id) != 0) ||
	    fresh_bump(db, repo_id) != 0 || db_commit(db) != 0) {
		kerr_db(e, db);
		db_rollback(db);
		return -1;
	}
	return 0;
}
