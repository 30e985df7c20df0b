/*
 * principal.h: who a caller is, and a token row as a query reads it; for
 * the front doors (auth.h says how a request names its caller) and for
 * the domain code that folds a token's lookup into its own query (repo.c).
 */
#ifndef KHUB_PRINCIPAL_H
#define KHUB_PRINCIPAL_H

#include <stdint.h>

struct principal {
	int64_t		 user_id;
	char		*name, *fullname, *email;
	int64_t		 token_id;
	char		*token_name;
	char		*token_role;	/* "read" or "write" */
	int64_t		 token_created_ms;	/* Unix time, milliseconds */
	int64_t		 token_expires_ms;	/* 0: never */
	/* A browser session: token_id 0, token_name "session", role
	 * "write", token_created_ms the login's time. */
	int		 is_session;
	int64_t		 session_id;	/* the session row's id */
};

/*
 * A token's row as a derived table of another query (repo.c: the
 * repository, the caller's rights and the ref in the same round trip):
 * its columns named token_id, token_name, token_role, token_hash,
 * token_created_ms, user_id, user_name, user_fullname, user_email,
 * token_expires_ms, in that order, of kinds AUTH_TOKEN_KINDS (db.h), read
 * into a struct principal with AUTH_TOKEN_COLS; its placeholder the token's
 * hash. auth_token_found() (auth.h) checks what
 * it found.
 */
#define AUTH_TOKEN_SELECT \
	"SELECT t.id AS token_id, t.name AS token_name, t.role AS token_role," \
	" t.hash AS token_hash," \
	" FLOOR(UNIX_TIMESTAMP(t.created_at) * 1000) AS token_created_ms," \
	" u.id AS user_id, u.name AS user_name, u.fullname AS user_fullname," \
	" u.email AS user_email," \
	" COALESCE(FLOOR(UNIX_TIMESTAMP(t.expires_at) * 1000), 0)" \
	" AS token_expires_ms" \
	" FROM token t JOIN namespace u ON u.id = t.user_id" \
	" WHERE t.hash = ? AND t.revoked_at IS NULL" \
	" AND (t.expires_at IS NULL OR t.expires_at > NOW(3))" \
	" AND u.kind = 'user' AND u.disabled = 0"
#define AUTH_TOKEN_KINDS	"issbiisssi"
/* db_row()'s destinations of those columns: into principal p, the stored
 * hash into stored and slen. */
#define AUTH_TOKEN_COLS(p, stored, slen) db_out_i(&(p)->token_id), \
	db_out_s(&(p)->token_name), db_out_s(&(p)->token_role), \
	db_out_b((stored), (slen)), db_out_i(&(p)->token_created_ms), \
	db_out_i(&(p)->user_id), db_out_s(&(p)->name), \
	db_out_s(&(p)->fullname), db_out_s(&(p)->email), \
	db_out_i(&(p)->token_expires_ms)

#endif
