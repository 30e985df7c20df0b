/*
 * tokens.c: issuing access tokens (see tokens.h).
 */
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "names.h"
#include "tokens.h"

static const char SQL_ADD_FOREVER[] =
    "INSERT INTO token (user_id, name, role, hash) VALUES (?, ?, ?, ?)";
static const char SQL_ADD_UNTIL[] =
    "INSERT INTO token (user_id, name, role, hash, expires_at)"
    " VALUES (?, ?, ?, ?, FROM_UNIXTIME(?))";
static const char SQL_GET[] =
    "SELECT FLOOR(UNIX_TIMESTAMP(created_at) * 1000),"
    " FLOOR(UNIX_TIMESTAMP(expires_at) * 1000) FROM token WHERE id = ?";

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
	rc = until ? db_exec(db, a, &res, SQL_ADD_UNTIL, "issbi", user_id,
	    name, role, hash, sizeof(hash), until) :
	    db_exec(db, a, &res, SQL_ADD_FOREVER, "issb", user_id, name, role,
	    hash, sizeof(hash));
	if (rc == 0) {
		out->id = (int64_t)db_insert_id(res);
		rc = db_exec(db, a, &res, SQL_GET, "i", out->id) != 0 ||
		    db_row(res, "ii", &out->created_ms, &out->expires_ms) != 1;
	}
	if (rc != 0) {
		sodium_memzero(out->token, sizeof(out->token));
		return kerr_db(e, db);
	}
	return 0;
}
