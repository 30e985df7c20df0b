/*
 * tokens.c: issuing access tokens (see tokens.h).
 */
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "fresh.h"
#include "names.h"
#include "tokens.h"

static const struct db_stmt SQL_ADD_FOREVER = DB_WRITE("issb",
    "INSERT INTO token (user_id, name, role, hash) VALUES (?, ?, ?, ?)");
static const struct db_stmt SQL_ADD_UNTIL = DB_WRITE("issbi",
    "INSERT INTO token (user_id, name, role, hash, expires_at)"
    " VALUES (?, ?, ?, ?, FROM_UNIXTIME(?))");
static const struct db_stmt SQL_GET = DB_READ("i", "ii",
    "SELECT FLOOR(UNIX_TIMESTAMP(created_at) * 1000),"
    " FLOOR(UNIX_TIMESTAMP(expires_at) * 1000) FROM token WHERE id = ?");

static const struct db_stmt SQL_LIST = DB_READ("i", "issiii",
    "SELECT id, name, role, FLOOR(UNIX_TIMESTAMP(created_at) * 1000),"
    " FLOOR(UNIX_TIMESTAMP(expires_at) * 1000),"
    " expires_at IS NOT NULL AND expires_at <= NOW(3)"
    " FROM token WHERE user_id = ? AND revoked_at IS NULL ORDER BY id");
static const struct db_stmt SQL_REVOKE = DB_WRITE("ii",
    "UPDATE token SET revoked_at = NOW(3)"
    " WHERE id = ? AND user_id = ? AND revoked_at IS NULL");

bool
token_role_valid(const char *role)
{
	return role != NULL && (!strcmp(role, "read") ||
	    !strcmp(role, "write"));
}

int
token_issue(struct db *db, struct arena *a, int64_t user_id,
    const char *name, const char *role, int64_t until,
    struct token_issued *out, struct kerr *e)
{
	unsigned char hash[TOKEN_HASH_LEN];
	struct db_res *res;
	int64_t now = (int64_t)time(NULL);
	int rc;

	memset(out, 0, sizeof(*out));
	if (name == NULL || *name == '\0' || !text_plain(name, TOKEN_NAME_MAX))
		return kerr_set(e, 400, "BadRequest", "A token's name is 1 to "
		    "%d characters of text", TOKEN_NAME_MAX);
	if (!token_role_valid(role))
		return kerr_set(e, 400, "BadRequest", "A token's role is read "
		    "or write");
	if (until != 0 && (until <= now ||
	    until > now + (int64_t)TOKEN_DAYS_MAX * 86400))
		return kerr_set(e, 400, "BadRequest", "expires_at must be in "
		    "the future, within %d days", TOKEN_DAYS_MAX);
	token_generate(out->token);
	token_hash(out->token, TOKEN_LEN, hash);
	rc = until ? db_exec(db, a, &res, &SQL_ADD_UNTIL, db_i(user_id),
	    db_s(name), db_s(role), db_b(hash, sizeof(hash)), db_i(until)) :
	    db_exec(db, a, &res, &SQL_ADD_FOREVER, db_i(user_id), db_s(name),
	    db_s(role), db_b(hash, sizeof(hash)));
	if (rc == 0) {
		out->id = (int64_t)db_insert_id(res);
		rc = db_exec(db, a, &res, &SQL_GET, db_i(out->id)) != 0 ||
		    db_row(res, db_out_i(&out->created_ms),
		    db_out_i(&out->expires_ms)) != 1;
	}
	if (rc != 0) {
		sodium_memzero(out->token, sizeof(out->token));
		return kerr_db(e, db);
	}
	return 0;
}

int
token_list(struct db *db, struct arena *a, int64_t user_id,
    struct token_rec **out, size_t *n, struct kerr *e)
{
	struct db_res *res;
	struct token_rec t, *v = NULL;
	size_t cap = 0;
	int64_t expired;
	int rc;

	*n = 0;
	if (db_exec(db, a, &res, &SQL_LIST, db_i(user_id)) != 0)
		return kerr_db(e, db);
	while ((rc = db_row(res, db_out_i(&t.id), db_out_s(&t.name),
	    db_out_s(&t.role), db_out_i(&t.created_ms), db_out_i(&t.expires_ms),
	    db_out_i(&expired))) == 1) {
		v = arena_grow(a, v, *n, &cap, sizeof(*v), 16);
		t.expired = expired != 0;
		v[(*n)++] = t;
	}
	if (rc < 0)
		return kerr_db(e, db);
	*out = v;
	return 0;
}

int
token_revoke(struct db *db, struct arena *a, int64_t user_id, int64_t id,
    struct kerr *e)
{
	struct db_res *res;

	/* with the change that makes every worker forget it */
	if (db_begin(db) != 0 ||
	    db_exec(db, a, &res, &SQL_REVOKE, db_i(id), db_i(user_id)) != 0)
		goto dberr;
	if (db_affected(res) == 0) {
		db_rollback(db);
		return kerr_set(e, 404, "NotFound", "Token not found");
	}
	if (fresh_bump(db, FRESH_AUTH) != 0 || db_commit(db) != 0)
		goto dberr;
	return 0;
dberr:
	kerr_db(e, db);
	db_rollback(db);
	return -1;
}
