/*
 * accounts.c: users and their storage, for khubctl, the admin API and
 * registration (see accounts.h).
 */
#include <stdio.h>
#include <string.h>

#include <mysqld_error.h>
#include <sodium.h>

#include "accounts.h"
#include "fresh.h"
#include "names.h"
#include "quota.h"
#include "secrets.h"

static const struct db_stmt SQL_CREATE = DB_WRITE("ssss",
    "INSERT INTO namespace (kind, name, fullname, email, password_hash)"
    " VALUES ('user', ?, ?, ?, ?)");
static const struct db_stmt SQL_FIND = DB_READ("s", "is",
    "SELECT id, kind FROM namespace WHERE name = ?");
static const struct db_stmt SQL_LIST = DB_READ("", "isssiiiu",
    "SELECT id, name, fullname, email, disabled, site_admin,"
    " quota_bytes IS NULL,"
    " COALESCE(quota_bytes, 0) FROM namespace WHERE kind = 'user'"
    " ORDER BY name");
static const struct db_stmt SQL_DISABLE = DB_WRITE("ii",
    "UPDATE namespace SET disabled = ? WHERE id = ?");
static const struct db_stmt SQL_SITE_ADMIN_SET = DB_WRITE("ii",
    "UPDATE namespace SET site_admin = ? WHERE id = ?");
static const struct db_stmt SQL_SITE_ADMIN = DB_READ("i", "i",
    "SELECT site_admin FROM namespace WHERE id = ? AND kind = 'user'"
    " AND disabled = 0");
static const struct db_stmt SQL_PASSWORD = DB_WRITE("si",
    "UPDATE namespace SET password_hash = ? WHERE id = ?");
static const struct db_stmt SQL_SESSIONS_END = DB_WRITE("i",
    "DELETE FROM session WHERE user_id = ?");
static const struct db_stmt SQL_QUOTA_SET = DB_WRITE("ui",
    "UPDATE namespace SET quota_bytes = ? WHERE id = ?");
static const struct db_stmt SQL_QUOTA_UNSET = DB_WRITE("i",
    "UPDATE namespace SET quota_bytes = NULL WHERE id = ?");
static const struct db_stmt SQL_USAGE = DB_READ("ii", "ii",
    "SELECT quota_bytes IS NULL, (SELECT COUNT(*) FROM repo WHERE"
    " owner_id = ?) FROM namespace WHERE id = ?");
static const struct db_stmt SQL_REPOS = DB_READ("i", "ssiu",
    "SELECT r.type, r.name, r.private,"
    " (SELECT CAST(COALESCE(SUM(b.size), 0) AS UNSIGNED) FROM repo_blob rb"
    "  JOIN git_blob b ON b.oid = rb.oid WHERE rb.repo_id = r.id)"
    " FROM repo r WHERE r.owner_id = ? ORDER BY r.type, r.name");
static const struct db_stmt SQL_STORAGE = DB_READ("", "iiiiu",
    "SELECT (SELECT COUNT(*) FROM namespace WHERE kind = 'user'),"
    " (SELECT COUNT(*) FROM namespace WHERE kind = 'org' AND name <> ''),"
    " (SELECT COUNT(*) FROM repo), (SELECT COUNT(*) FROM git_blob),"
    " (SELECT CAST(COALESCE(SUM(size), 0) AS UNSIGNED) FROM git_blob)");

/* Room for one more element of size bytes in an arena array of n. */
static void *
grow(struct arena *a, void *old, size_t n, size_t *cap, size_t size)
{
	void *more;

	if (n < *cap)
		return old;
	*cap = *cap ? 2 * *cap : 64;
	more = arena_alloc(a, *cap * size);
	if (n)
		memcpy(more, old, n * size);
	return more;
}

int
account_create(struct db *db, struct arena *a, const char *name,
    const char *email, const char *fullname, const char *password,
    int64_t *id, struct kerr *e)
{
	char hash[crypto_pwhash_STRBYTES];
	struct db_res *res;
	const char *why;
	int rc;

	if ((why = name_invalid(name)) != NULL)
		return kerr_set(e, 400, "BadRequest", "Invalid username: it %s",
		    why);
	if (name_reserved(name))
		return kerr_set(e, 400, "BadRequest", "The username '%s' is "
		    "reserved", name);
	if (email != NULL && (strlen(email) > EMAIL_MAX ||
	    !email_plausible(email)))
		return kerr_set(e, 400, "BadRequest", "Invalid email address");
	if (fullname != NULL && strlen(fullname) > ACCOUNT_FULLNAME_MAX * 4)
		return kerr_set(e, 400, "BadRequest", "The full name is too "
		    "long");
	if (password != NULL && (strlen(password) < ACCOUNT_PASSWORD_MIN ||
	    strlen(password) > ACCOUNT_PASSWORD_MAX))
		return kerr_set(e, 400, "BadRequest", "The password must have "
		    "at least %d characters (at most %d)", ACCOUNT_PASSWORD_MIN,
		    ACCOUNT_PASSWORD_MAX);
	hash[0] = '\0';
	if (password != NULL && password_hash(password, hash) != 0)
		return kerr_set(e, 500, "InternalError", "Out of memory "
		    "hashing the password");
	rc = db_exec(db, a, &res, &SQL_CREATE, db_s(name), db_s(fullname ?
	    fullname : ""), db_s(email), db_s(hash[0] ? hash : NULL));
	sodium_memzero(hash, sizeof(hash));
	if (rc != 0) {
		if (db_errno(db) != ER_DUP_ENTRY)
			return kerr_db(e, db);
		/* Which unique key: the message names it. */
		if (strstr(db_error(db), "namespace_email") != NULL)
			return kerr_set(e, 409, "Conflict", "an account with "
			    "the email address %s already exists", email);
		return kerr_set(e, 409, "Conflict", "the name '%s' already "
		    "exists", name);
	}
	*id = (int64_t)db_insert_id(res);
	return 0;
}

int
account_find(struct db *db, struct arena *a, const char *name,
    const char *kind, int64_t *id, struct kerr *e)
{
	struct db_res *res;
	char *k;
	int rc;

	if (db_exec(db, a, &res, &SQL_FIND, db_s(name)) != 0 ||
	    (rc = db_row(res, db_out_i(id), db_out_s(&k))) < 0)
		return kerr_db(e, db);
	if (rc == 0 || (kind != NULL && strcmp(k, kind) != 0))
		return kerr_set(e, 404, "NotFound", "no %s named '%s'",
		    kind == NULL ? "user or organization" :
		    !strcmp(kind, "org") ? "organization" : "user", name);
	return 0;
}

int
account_list(struct db *db, struct arena *a, struct account **out,
    size_t *n, struct kerr *e)
{
	struct db_res *res;
	struct account u, *all = NULL;
	int64_t disabled, admin, dflt;
	size_t cap = 0;
	int rc;

	*n = 0;
	if (db_exec(db, a, &res, &SQL_LIST) != 0)
		return kerr_db(e, db);
	while ((rc = db_row(res, db_out_i(&u.id), db_out_s(&u.name),
	    db_out_s(&u.fullname), db_out_s(&u.email), db_out_i(&disabled),
	    db_out_i(&admin), db_out_i(&dflt),
	    db_out_u(&u.quota_bytes))) == 1) {
		u.disabled = disabled != 0;
		u.site_admin = admin != 0;
		u.default_quota = dflt != 0;
		all = grow(a, all, *n, &cap, sizeof(*all));
		all[(*n)++] = u;
	}
	if (rc < 0)
		return kerr_db(e, db);
	*out = all;
	return 0;
}

int
account_set_disabled(struct db *db, struct arena *a, const char *name,
    bool disabled, struct kerr *e)
{
	int64_t id;

	if (account_find(db, a, name, "user", &id, e) != 0)
		return -1;
	/* with the change that makes every worker forget its tokens */
	if (db_begin(db) != 0 || db_exec(db, a, NULL, &SQL_DISABLE,
	    db_i((int64_t)disabled), db_i(id)) != 0 || fresh_bump(db,
	    FRESH_AUTH) != 0 ||
	    db_commit(db) != 0) {
		kerr_db(e, db);
		db_rollback(db);
		return -1;
	}
	return 0;
}

int
account_set_site_admin(struct db *db, struct arena *a, const char *name,
    bool on, struct kerr *e)
{
	int64_t id;

	if (account_find(db, a, name, "user", &id, e) != 0)
		return -1;
	if (db_exec(db, a, NULL, &SQL_SITE_ADMIN_SET, db_i((int64_t)on),
	    db_i(id)) != 0)
		return kerr_db(e, db);
	return 0;
}

int
account_is_site_admin(struct db *db, struct arena *a, int64_t id, bool *yes,
    struct kerr *e)
{
	struct db_res *res;
	int64_t v = 0;

	*yes = false;
	/* Asked on each admin request, never cached: taking the flag away
	 * or disabling the user takes effect on the next one. */
	if (db_exec(db, a, &res, &SQL_SITE_ADMIN, db_i(id)) != 0 ||
	    db_row(res, db_out_i(&v)) < 0)
		return kerr_db(e, db);
	*yes = v != 0;
	return 0;
}

int
account_set_password(struct db *db, struct arena *a, const char *name,
    const char *password, struct kerr *e)
{
	char hash[crypto_pwhash_STRBYTES];
	int64_t id;
	int rc;

	if (strlen(password) < ACCOUNT_PASSWORD_MIN ||
	    strlen(password) > ACCOUNT_PASSWORD_MAX)
		return kerr_set(e, 400, "BadRequest", "The password must have "
		    "at least %d characters (at most %d)", ACCOUNT_PASSWORD_MIN,
		    ACCOUNT_PASSWORD_MAX);
	if (account_find(db, a, name, "user", &id, e) != 0)
		return -1;
	if (password_hash(password, hash) != 0)
		return kerr_set(e, 500, "InternalError", "Out of memory "
		    "hashing the password");
	/* The password and the end of the old sessions, together. */
	rc = db_begin(db) != 0 ||
	    db_exec(db, a, NULL, &SQL_PASSWORD, db_s(hash), db_i(id)) != 0 ||
	    db_exec(db, a, NULL, &SQL_SESSIONS_END, db_i(id)) != 0 ||
	    db_commit(db) != 0;
	sodium_memzero(hash, sizeof(hash));
	if (rc) {
		db_rollback(db);
		return kerr_db(e, db);
	}
	return 0;
}

int
account_set_quota(struct db *db, struct arena *a, const char *name,
    bool none, uint64_t bytes, struct kerr *e)
{
	int64_t id;

	/* quota_bytes is a BIGINT UNSIGNED read back as signed */
	if (!none && bytes > (uint64_t)INT64_MAX)
		return kerr_set(e, 400, "BadRequest", "A quota is at most %lld "
		    "bytes", (long long)INT64_MAX);
	if (account_find(db, a, name, NULL, &id, e) != 0)
		return -1;
	if (none ? db_exec(db, a, NULL, &SQL_QUOTA_UNSET, db_i(id)) :
	    db_exec(db, a, NULL, &SQL_QUOTA_SET, db_u(bytes), db_i(id)))
		return kerr_db(e, db);
	return 0;
}

int
account_usage(struct db *db, struct arena *a, const char *name,
    uint64_t default_quota, struct usage *u, struct kerr *e)
{
	struct db_res *res;
	int64_t id, dflt = 0;

	memset(u, 0, sizeof(*u));
	if (account_find(db, a, name, NULL, &id, e) != 0)
		return -1;
	if (quota_used(db, a, id, default_quota, &u->used, &u->quota) != 0 ||
	    db_exec(db, a, &res, &SQL_USAGE, db_i(id), db_i(id)) != 0 ||
	    db_row(res, db_out_i(&dflt), db_out_i(&u->repos)) < 0)
		return kerr_db(e, db);
	u->default_quota = dflt != 0;
	return 0;
}

int
account_repos(struct db *db, struct arena *a, const char *name,
    struct repo_size **out, size_t *n, struct kerr *e)
{
	struct db_res *res;
	struct repo_size r, *all = NULL;
	int64_t id, priv;
	size_t cap = 0;
	int rc;

	*n = 0;
	if (account_find(db, a, name, NULL, &id, e) != 0)
		return -1;
	if (db_exec(db, a, &res, &SQL_REPOS, db_i(id)) != 0)
		return kerr_db(e, db);
	while ((rc = db_row(res, db_out_s(&r.type), db_out_s(&r.name),
	    db_out_i(&priv), db_out_u(&r.bytes))) == 1) {
		r.private_ = priv != 0;
		all = grow(a, all, *n, &cap, sizeof(*all));
		all[(*n)++] = r;
	}
	if (rc < 0)
		return kerr_db(e, db);
	*out = all;
	return 0;
}

int
account_storage(struct db *db, struct arena *a, struct storage *s,
    struct kerr *e)
{
	struct db_res *res;

	memset(s, 0, sizeof(*s));
	if (db_exec(db, a, &res, &SQL_STORAGE) != 0 ||
	    db_row(res, db_out_i(&s->users), db_out_i(&s->orgs),
	    db_out_i(&s->repos), db_out_i(&s->blobs), db_out_u(&s->bytes)) < 0)
		return kerr_db(e, db);
	return 0;
}
