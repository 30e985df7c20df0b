/*
 * orgs.c: organizations and their members (see orgs.h).
 */
#include <string.h>

#include <mysqld_error.h>

#include "names.h"
#include "orgs.h"

static const struct db_stmt SQL_ORG_ADD = DB_WRITE("ss",
    "INSERT INTO namespace (kind, name, fullname) VALUES ('org', ?, ?)");
static const struct db_stmt SQL_MEMBER_SET = DB_WRITE("iis",
    "INSERT INTO org_member (org_id, user_id, role) VALUES (?, ?, ?)"
    " ON DUPLICATE KEY UPDATE role = VALUES(role)");
static const struct db_stmt SQL_MEMBER_DEL = DB_WRITE("ii",
    "DELETE FROM org_member WHERE org_id = ? AND user_id = ?");
static const struct db_stmt SQL_USER = DB_READ("s", "is",
    "SELECT id, name FROM namespace WHERE name = ? AND kind = 'user'");
/* Within the transaction that changes members: the admins, locked, so
 * two admins removing each other cannot leave none. */
static const struct db_stmt SQL_ADMINS = DB_READ("i", "i",
    "SELECT user_id FROM org_member WHERE org_id = ? AND role = 'admin'"
    " FOR UPDATE");
static const struct db_stmt SQL_ROLE_LOCK = DB_READ("ii", "s",
    "SELECT role FROM org_member WHERE org_id = ? AND user_id = ?"
    " FOR UPDATE");
static const struct db_stmt SQL_MEMBERS = DB_READ("i", "sss",
    "SELECT n.name, n.fullname, m.role FROM org_member m"
    " JOIN namespace n ON n.id = m.user_id WHERE m.org_id = ?"
    " ORDER BY n.name");

bool
org_role_valid(const char *role)
{
	return role != NULL && (!strcmp(role, "read") ||
	    !strcmp(role, "write") || !strcmp(role, "admin"));
}

int
org_create(struct db *db, struct arena *a, const char *name,
    const char *fullname, int64_t owner_id, int64_t *id, struct kerr *e)
{
	struct db_res *res;
	const char *why;

	if ((why = name_invalid(name)) != NULL)
		return kerr_set(e, 400, "BadRequest", "Organization name "
		    "'%s' %s", name, why);
	if (name_reserved(name))
		return kerr_set(e, 400, "BadRequest", "The name '%s' is "
		    "reserved", name);
	if (fullname == NULL)
		fullname = "";
	if (!text_plain(fullname, ORG_FULLNAME_MAX))
		return kerr_set(e, 400, "BadRequest", "'fullname' must be "
		    "text of at most %d characters", ORG_FULLNAME_MAX);
	/* The organization and its first admin together, or neither. */
	if (db_begin(db) != 0)
		return kerr_db(e, db);
	if (db_exec(db, a, &res, &SQL_ORG_ADD, db_s(name),
	    db_s(fullname)) != 0) {
		bool taken = db_errno(db) == ER_DUP_ENTRY;

		kerr_db(e, db);
		db_rollback(db);
		if (taken)
			return kerr_set(e, 409, "Conflict", "The name '%s' is "
			    "already taken by a user or an organization",
			    name);
		return -1;
	}
	*id = (int64_t)db_insert_id(res);
	if (db_exec(db, a, NULL, &SQL_MEMBER_SET, db_i(*id), db_i(owner_id),
	    db_s("admin")) != 0 || db_commit(db) != 0) {
		kerr_db(e, db);
		db_rollback(db);
		return -1;
	}
	return 0;
}

int
org_member_set(struct db *db, struct arena *a, int64_t org_id,
    const char *org, const char *user, const char *role, char **uname,
    struct kerr *e)
{
	struct db_res *res;
	char *name, *cur = NULL;
	int64_t uid, admin_id;
	int rc, nadmins = 0;

	if (role != NULL && !org_role_valid(role))
		return kerr_set(e, 400, "BadRequest", "'role' must be read, "
		    "write or admin");
	if (name_invalid(user) != NULL)
		rc = 0;
	else if (db_exec(db, a, &res, &SQL_USER, db_s(user)) != 0 ||
	    (rc = db_row(res, db_out_i(&uid), db_out_s(&name))) < 0)
		return kerr_db(e, db);
	if (rc == 0)
		return kerr_set(e, 404, "NotFound", "No user named %s", user);
	db_done(res);

	if (db_begin(db) != 0)
		return kerr_db(e, db);
	if (db_exec(db, a, &res, &SQL_ADMINS, db_i(org_id)) != 0)
		goto dberr;
	while ((rc = db_row(res, db_out_i(&admin_id))) == 1)
		nadmins++;
	if (rc < 0)
		goto dberr;
	if (db_exec(db, a, &res, &SQL_ROLE_LOCK, db_i(org_id),
	    db_i(uid)) != 0 ||
	    (rc = db_row(res, db_out_s(&cur))) < 0)
		goto dberr;
	db_done(res);
	if (rc == 0)
		cur = NULL;
	if (role == NULL && cur == NULL) {
		db_rollback(db);
		return kerr_set(e, 404, "NotFound", "%s is not a member of %s",
		    name, org);
	}
	if (cur != NULL && !strcmp(cur, "admin") && nadmins <= 1 &&
	    (role == NULL || strcmp(role, "admin") != 0)) {
		db_rollback(db);
		return kerr_set(e, 400, "BadRequest", "%s is the last admin of "
		    "%s: an organization keeps at least one admin", name, org);
	}
	if (role == NULL)
		rc = db_exec(db, a, NULL, &SQL_MEMBER_DEL, db_i(org_id),
		    db_i(uid));
	else
		rc = db_exec(db, a, NULL, &SQL_MEMBER_SET, db_i(org_id),
		    db_i(uid), db_s(role));
	if (rc != 0 || db_commit(db) != 0)
		goto dberr;
	if (uname != NULL)
		*uname = name;
	return 0;
dberr:
	kerr_db(e, db);
	db_rollback(db);
	return -1;
}

int
org_members(struct db *db, struct arena *a, int64_t org_id,
    struct org_member **out, size_t *n, struct kerr *e)
{
	struct db_res *res;
	struct org_member m, *v = NULL;
	size_t cap = 0;
	int rc;

	*n = 0;
	if (db_exec(db, a, &res, &SQL_MEMBERS, db_i(org_id)) != 0)
		return kerr_db(e, db);
	while ((rc = db_row(res, db_out_s(&m.name), db_out_s(&m.fullname),
	    db_out_s(&m.role))) == 1) {
		v = arena_grow(a, v, *n, &cap, sizeof(*v), 16);
		v[(*n)++] = m;
	}
	if (rc < 0)
		return kerr_db(e, db);
	*out = v;
	return 0;
}
