/*
 * likes.c: likes (likes.h). The like row and repo.likes change in one
 * transaction, the count only by the statement that added or removed the
 * row: two racing likes of one user insert one row (the unique key), and
 * likes of several users each move the count once. Likes of one
 * repository queue on its row (SQL_LOCK): a few milliseconds each.
 */
#include <string.h>

#include "db.h"
#include "hub.h"
#include "likes.h"
#include "names.h"

/* First in each transaction: the repository's row, for writing. Without
 * it, the like row's foreign key check share-locks that row and two likes
 * deadlock, each holding it shared while it waits to update the count. */
static const struct db_stmt SQL_LOCK = DB_READ("i", "i",
    "SELECT likes FROM repo WHERE id = ? FOR UPDATE");
static const struct db_stmt SQL_LIKE = DB_WRITE("ii",
    "INSERT IGNORE INTO repo_like (user_id, repo_id) VALUES (?, ?)");
static const struct db_stmt SQL_UNLIKE = DB_WRITE("ii",
    "DELETE FROM repo_like WHERE user_id = ? AND repo_id = ?");
static const struct db_stmt SQL_COUNT_UP = DB_WRITE("i",
    "UPDATE repo SET likes = likes + 1 WHERE id = ?");
static const struct db_stmt SQL_COUNT_DOWN = DB_WRITE("i",
    "UPDATE repo SET likes = likes - 1 WHERE id = ? AND likes > 0");
static const struct db_stmt SQL_NAMESPACE = DB_READ("s", "i",
    "SELECT id FROM namespace WHERE name = ?");
/* What the viewer may read, as the listings decide it (listing.c). */
#define VISIBLE \
    " AND (r.private = 0 OR r.owner_id = ? OR EXISTS (SELECT 1" \
    "  FROM org_member m WHERE m.org_id = r.owner_id AND m.user_id = ?))"
static const struct db_stmt SQL_OF_USER = DB_READ("iiiiu", "iisss",
    "SELECT l.id, FLOOR(UNIX_TIMESTAMP(l.created_at) * 1000), n.name,"
    " r.name, r.type"
    " FROM repo_like l JOIN repo r ON r.id = l.repo_id"
    " JOIN namespace n ON n.id = r.owner_id"
    " WHERE l.user_id = ? AND l.id < ?" VISIBLE
    " ORDER BY l.id DESC LIMIT ?");
static const struct db_stmt SQL_COUNT_OF_USER = DB_READ("iii", "i",
    "SELECT COUNT(*) FROM repo_like l JOIN repo r ON r.id = l.repo_id"
    " WHERE l.user_id = ?" VISIBLE);
static const struct db_stmt SQL_OF_REPO = DB_READ("iiu", "iiss",
    "SELECT l.id, FLOOR(UNIX_TIMESTAMP(l.created_at) * 1000), n.name,"
    " IF(n.fullname = '', n.name, n.fullname)"
    " FROM repo_like l JOIN namespace n ON n.id = l.user_id"
    " WHERE l.repo_id = ? AND l.id < ? ORDER BY l.id DESC LIMIT ?");

int
likes_set(const struct dctx *d, int64_t repo_id, bool like, struct kerr *e)
{
	struct db *db = d->hub->db;
	struct db_res *res;

	if (db_begin(db) != 0)
		return kerr_db(e, db);
	if (db_exec(db, d->a, NULL, &SQL_LOCK, db_i(repo_id)) != 0 ||
	    db_exec(db, d->a, &res, like ? &SQL_LIKE : &SQL_UNLIKE,
	    db_i(d->user_id), db_i(repo_id)) != 0)
		goto fail;
	if (db_affected(res) == 1 && db_exec(db, d->a, NULL, like ?
	    &SQL_COUNT_UP : &SQL_COUNT_DOWN, db_i(repo_id)) != 0)
		goto fail;
	if (db_commit(db) != 0)
		goto fail;
	return 0;
fail:
	kerr_db(e, db);
	db_rollback(db);
	return -1;
}

/* Reads up to want rows of a list query into *out: a user's likes
 * (of_user: the repository's namespace, name, type) or likers (the user's
 * name and full name), after the like's id and time. */
static int
list(const struct dctx *d, struct db_res *res, size_t want, bool of_user,
    struct like_item **out, size_t *n, struct kerr *e)
{
	struct like_item *it;
	int rc;

	*out = arena_zalloc(d->a, (want ? want : 1) * sizeof(**out));
	for (*n = 0; *n < want; ++*n) {
		it = &(*out)[*n];
		rc = of_user ? db_row(res, db_out_i(&it->id),
		    db_out_i(&it->created_ms), db_out_s(&it->ns),
		    db_out_s(&it->name), db_out_s(&it->type)) : db_row(res,
		    db_out_i(&it->id), db_out_i(&it->created_ms),
		    db_out_s(&it->user), db_out_s(&it->fullname));
		if (rc < 0)
			return kerr_db(e, d->hub->db);
		if (rc == 0)
			break;
	}
	db_done(res);
	return 0;
}

int
likes_of_user(const struct dctx *d, const char *user, int64_t before,
    size_t want, struct like_item **out, size_t *n, struct kerr *e)
{
	struct db_res *res;
	int64_t uid;
	int rc = 0;

	*n = 0;
	if (name_ascii(user)) {
		if (db_exec(d->hub->db, d->a, &res, &SQL_NAMESPACE,
		    db_s(user)) != 0 || (rc = db_row(res, db_out_i(&uid))) < 0)
			return kerr_db(e, d->hub->db);
		db_done(res);
	}
	if (rc == 0)
		return kerr_set(e, 404, "NotFound", "User %.96s not found",
		    user);
	if (db_exec(d->hub->db, d->a, &res, &SQL_OF_USER, db_i(uid),
	    db_i(before > 0 ? before : INT64_MAX), db_i(d->user_id),
	    db_i(d->user_id), db_u((uint64_t)want)) != 0)
		return kerr_db(e, d->hub->db);
	return list(d, res, want, true, out, n, e);
}

int
likes_of_repo(const struct dctx *d, int64_t repo_id, int64_t before,
    size_t want, struct like_item **out, size_t *n, struct kerr *e)
{
	struct db_res *res;

	*n = 0;
	if (db_exec(d->hub->db, d->a, &res, &SQL_OF_REPO, db_i(repo_id),
	    db_i(before > 0 ? before : INT64_MAX), db_u((uint64_t)want)) != 0)
		return kerr_db(e, d->hub->db);
	return list(d, res, want, false, out, n, e);
}

int
likes_count(const struct dctx *d, int64_t user_id, int64_t *count,
    struct kerr *e)
{
	struct db_res *res;

	*count = 0;
	if (db_exec(d->hub->db, d->a, &res, &SQL_COUNT_OF_USER, db_i(user_id),
	    db_i(d->user_id), db_i(d->user_id)) != 0 || db_row(res,
	    db_out_i(count)) < 0)
		return kerr_db(e, d->hub->db);
	db_done(res);
	return 0;
}
