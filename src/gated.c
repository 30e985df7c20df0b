/*
 * gated.c: gated repositories' access requests and who may read their
 * files (gated.h). Each change is one statement on one row (INSERT IGNORE,
 * or an UPDATE conditioned on the status it leaves), so racing writers
 * never both win and nothing is half-written.
 */
#include <string.h>

#include "db.h"
#include "gated.h"
#include "hub.h"
#include "jsonutil.h"
#include "names.h"

static const struct db_stmt SQL_STATUS = DB_READ("ii", "s",
    "SELECT status FROM gate_request WHERE repo_id = ? AND user_id = ?");
static const struct db_stmt SQL_ASK = DB_WRITE("iiss",
    "INSERT IGNORE INTO gate_request (repo_id, user_id, status, fields)"
    " VALUES (?, ?, ?, ?)");
/* The user named, and whether they own the repository or are a member of
 * the organization that does. */
static const struct db_stmt SQL_USER = DB_READ("iis", "isi",
    "SELECT n.id, n.name, n.id = ? OR EXISTS (SELECT 1 FROM org_member m"
    "  WHERE m.org_id = ? AND m.user_id = n.id)"
    " FROM namespace n WHERE n.name = ? AND n.kind = 'user'");
static const struct db_stmt SQL_MOVE = DB_WRITE("ssiis",
    "UPDATE gate_request SET status = ?, reason = ?"
    " WHERE repo_id = ? AND user_id = ? AND status <> ?");
static const struct db_stmt SQL_GRANT_NEW = DB_WRITE("ii",
    "INSERT IGNORE INTO gate_request (repo_id, user_id, status)"
    " VALUES (?, ?, 'accepted')");
static const struct db_stmt SQL_GRANT = DB_WRITE("ii",
    "UPDATE gate_request SET status = 'accepted', reason = NULL"
    " WHERE repo_id = ? AND user_id = ? AND status <> 'accepted'");
static const struct db_stmt SQL_LIST = DB_READ("isiu", "issssssi",
    "SELECT g.id, n.name, IF(n.fullname = '', n.name, n.fullname), n.email, g.status, g.fields,"
    " g.reason, FLOOR(UNIX_TIMESTAMP(g.created_at) * 1000)"
    " FROM gate_request g JOIN namespace n ON n.id = g.user_id"
    " WHERE g.repo_id = ? AND g.status = ? AND g.id > ?"
    " ORDER BY g.id LIMIT ?");

const char *
gate_name(enum gate g)
{
	return g == GATE_AUTO ? "auto" : g == GATE_MANUAL ? "manual" : NULL;
}

enum gate
gate_of(int64_t stored)
{
	return stored == GATE_AUTO ? GATE_AUTO : stored == GATE_MANUAL ?
	    GATE_MANUAL : GATE_OFF;
}

static bool
status_valid(const char *s)
{
	return s != NULL && (!strcmp(s, "pending") ||
	    !strcmp(s, "accepted") || !strcmp(s, "rejected"));
}

static int
not_gated(enum gate g, struct kerr *e)
{
	if (g != GATE_OFF)
		return 0;
	return kerr_set(e, 400, "BadRequest", "This repository is not gated");
}

int
gate_verdict(const struct dctx *d, int64_t repo_id, enum gate g, bool member,
    enum gate_verdict *v, struct kerr *e)
{
	struct db_res *res;
	char *status;
	int rc;

	*v = GATE_PASS;
	if (g == GATE_OFF || member)
		return 0;
	if (d->user_id == 0) {
		*v = GATE_LOGIN;
		return 0;
	}
	if (db_exec(d->hub->db, d->a, &res, &SQL_STATUS, db_i(repo_id),
	    db_i(d->user_id)) != 0 || (rc = db_row(res, db_out_s(&status))) < 0)
		return kerr_db(e, d->hub->db);
	db_done(res);
	*v = rc == 0 ? GATE_ASK : !strcmp(status, "accepted") ? GATE_PASS :
	    !strcmp(status, "pending") ? GATE_PENDING : GATE_REJECTED;
	return 0;
}

int
gate_ask(const struct dctx *d, int64_t repo_id, enum gate g, bool member,
    const char *fields, const char **status, struct kerr *e)
{
	struct db_res *res;

	*status = g == GATE_AUTO ? "accepted" : "pending";
	if (not_gated(g, e) != 0)
		return -1;
	if (member)
		return kerr_set(e, 400, "BadRequest", "You have access to this "
		    "repository already");
	if (db_exec(d->hub->db, d->a, &res, &SQL_ASK, db_i(repo_id),
	    db_i(d->user_id), db_s(*status), db_s(fields)) != 0)
		return kerr_db(e, d->hub->db);
	if (db_affected(res) == 0)
		return kerr_set(e, 409, "Conflict", "You have already asked for "
		    "access to this repository");
	return 0;
}

/* The user named into *id and *name, *member whether they are one of the
 * owner's; 404 when there is no such user. */
static int
user_find(const struct dctx *d, int64_t owner_id, const char *user,
    int64_t *id, char **name, bool *member, struct kerr *e)
{
	struct db_res *res;
	int64_t m = 0;
	int rc = 0;

	if (user != NULL && name_ascii(user)) {
		if (db_exec(d->hub->db, d->a, &res, &SQL_USER, db_i(owner_id),
		    db_i(owner_id), db_s(user)) != 0 ||
		    (rc = db_row(res, db_out_i(id), db_out_s(name),
		    db_out_i(&m))) < 0)
			return kerr_db(e, d->hub->db);
		db_done(res);
	}
	if (rc == 0)
		return kerr_set(e, 404, "NotFound", "User %.96s not found",
		    user != NULL ? user : "");
	*member = m != 0;
	return 0;
}

int
gate_handle(const struct dctx *d, int64_t repo_id, enum gate g,
    const char *user, const char *status, const char *reason,
    struct kerr *e)
{
	struct db_res *res;
	int64_t uid;
	char *name, *now;
	bool member;
	size_t chars;
	int rc;

	if (not_gated(g, e) != 0)
		return -1;
	if (!status_valid(status))
		return kerr_set(e, 400, "BadRequest", "'status' must be "
		    "pending, accepted or rejected");
	if (reason != NULL && (strcmp(status, "rejected") != 0 ||
	    !utf8_valid((const unsigned char *)reason, strlen(reason),
	    &chars) || chars > GATE_REASON_MAX))
		return kerr_set(e, 400, "BadRequest", "'rejectionReason' is "
		    "for a rejection only, at most %d characters",
		    GATE_REASON_MAX);
	if (user_find(d, 0, user, &uid, &name, &member, e) != 0)
		return -1;
	if (db_exec(d->hub->db, d->a, &res, &SQL_MOVE, db_s(status),
	    db_s(reason), db_i(repo_id), db_i(uid), db_s(status)) != 0)
		return kerr_db(e, d->hub->db);
	if (db_affected(res) == 1)
		return 0;
	/* Nothing moved: no request, or one in that status already. */
	if (db_exec(d->hub->db, d->a, &res, &SQL_STATUS, db_i(repo_id),
	    db_i(uid)) != 0 || (rc = db_row(res, db_out_s(&now))) < 0)
		return kerr_db(e, d->hub->db);
	db_done(res);
	if (rc == 0)
		return kerr_set(e, 404, "NotFound", "No access request from "
		    "%s", name);
	return kerr_set(e, 404, "NotFound", "The access request from %s is "
	    "%s already", name, now);
}

int
gate_grant(const struct dctx *d, int64_t repo_id, enum gate g,
    int64_t owner_id, const char *user, char **name, struct kerr *e)
{
	struct db_res *res;
	int64_t uid;
	bool member;

	if (not_gated(g, e) != 0 ||
	    user_find(d, owner_id, user, &uid, name, &member, e) != 0)
		return -1;
	if (member)
		return kerr_set(e, 400, "BadRequest", "%s has access to this "
		    "repository already", *name);
	if (db_exec(d->hub->db, d->a, &res, &SQL_GRANT_NEW, db_i(repo_id),
	    db_i(uid)) != 0)
		return kerr_db(e, d->hub->db);
	if (db_affected(res) == 1)
		return 0;
	if (db_exec(d->hub->db, d->a, &res, &SQL_GRANT, db_i(repo_id),
	    db_i(uid)) != 0)
		return kerr_db(e, d->hub->db);
	if (db_affected(res) == 0)
		return kerr_set(e, 400, "BadRequest", "%s has access to this "
		    "repository already", *name);
	return 0;
}

int
gate_list(const struct dctx *d, int64_t repo_id, enum gate g,
    const char *status, int64_t after, size_t want, struct gate_req **out,
    size_t *n, struct kerr *e)
{
	struct db_res *res;
	struct gate_req *q;
	int rc;

	*n = 0;
	*out = NULL;
	if (not_gated(g, e) != 0)
		return -1;
	if (!status_valid(status))
		return kerr_set(e, 400, "BadRequest", "The status must be "
		    "pending, accepted or rejected");
	if (db_exec(d->hub->db, d->a, &res, &SQL_LIST, db_i(repo_id),
	    db_s(status), db_i(after), db_u((uint64_t)want)) != 0)
		return kerr_db(e, d->hub->db);
	*out = arena_alloc(d->a, (want ? want : 1) * sizeof(**out));
	for (; *n < want; ++*n) {
		q = &(*out)[*n];
		rc = db_row(res, db_out_i(&q->id), db_out_s(&q->user),
		    db_out_s(&q->fullname), db_out_s(&q->email),
		    db_out_s(&q->status), db_out_s(&q->fields),
		    db_out_s(&q->reason), db_out_i(&q->created_ms));
		if (rc < 0)
			return kerr_db(e, d->hub->db);
		if (rc == 0)
			break;
	}
	db_done(res);
	return 0;
}
