/*
 * auth.h: who is calling. Tokens come as "Authorization: Bearer hf_..." or,
 * from git-lfs, as HTTP Basic with the token as the password; browsers send
 * the cookie session_id (api_account.c logs in). A session writes like a
 * write token.
 */
#ifndef KHUB_AUTH_H
#define KHUB_AUTH_H

#include <stdbool.h>
#include <stdint.h>

#include "request.h"
#include "secrets.h"

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
 * Identifies the caller into r->who (NULL: anonymous): the Authorization
 * header, else the cookie session_id. Returns 0, or answers itself (401 for
 * a token or session that is malformed, unknown, expired or revoked, or
 * whose user is disabled; 503 when the database is down) and returns -1.
 */
int	 auth_identify(struct req *);
/*
 * A token's lookup folded into another query (repo.c: the repository,
 * the caller's rights and the ref in the same round trip). The query
 * selects AUTH_TOKEN_SELECT as a derived table (its columns named
 * token_id, token_name, token_role, token_hash, token_created_ms,
 * user_id, user_name, user_fullname, user_email, token_expires_ms, in
 * that order, read
 * with AUTH_TOKEN_FORMAT), its placeholder the token's hash.
 *
 * auth_token_pending(): the hash of the token to look up into hash and 1;
 * 0 when there is none to look up (no Authorization header, or the caller
 * is known already: call auth_identify(), which sees to the session
 * cookie); -1 after answering 401 for a header with no usable token.
 * auth_token_found(): the row's columns into r->who, p NULL or its
 * token_id 0 when the query found no such token (then it answers 401 and
 * returns -1); 0.
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
#define AUTH_TOKEN_FORMAT	"issbiisssi"
/*
 * For answers that come from memory (api_resolve.c), themselves kept true
 * by fresh.h: the Authorization header's token as the worker remembers it
 * from an earlier request (every token auth_token_found() and
 * auth_identify() accepted is), without the database. 1: r->who is the
 * caller; 0: no token, or not remembered, or past its expiry (ask the
 * database, which answers a bad one); -1 after answering 401 for a
 * header with no usable token. A remembered token is forgotten by
 * auth_forget_tokens(), which its owner calls when fresh.h reports a
 * change to any token or account (FRESH_AUTH).
 */
int	 auth_token_recall(struct req *);
void	 auth_forget_tokens(void);
int	 auth_token_pending(struct req *, unsigned char hash[TOKEN_HASH_LEN]);
int	 auth_token_found(struct req *, struct principal *p,
	    const void *stored, size_t slen,
	    const unsigned char hash[TOKEN_HASH_LEN]);
/*
 * The user of the token in the Authorization header (Bearer or Basic) into
 * r->who, answering nothing for credentials auth_identify would refuse:
 * r->who stays NULL for them, as for no header, and the session cookie is
 * not looked at. For a caller whose refusal must not depend on why (the
 * admin API). Returns 0, or answers 503/500 when the database fails and
 * returns -1.
 */
int	 auth_token_quiet(struct req *);
/* auth_identify, and 401 for an anonymous caller. */
int	 auth_require(struct req *);
/* auth_require, and 403 for a read-only token: for a caller acting in
 * their own name (a like, an access request). */
int	 auth_require_write(struct req *);
/*
 * The admin API's caller (AUTH_ADMIN, api_admin.c): from an address
 * admin_allow names, the admin token, or a write token (not a read token,
 * not a session) of an enabled user who is a site admin. Everyone else is
 * refused alike, whatever the reason (no token, a user's, a wrong one, a
 * disabled user's, another address): 403, or 404 (no such endpoint) when
 * no admin_token is set, as before site admins, so that the API does not
 * show to others. Returns 0, or answers (403, 404, 503...) and -1.
 */
int	 auth_admin(struct req *);
/*
 * The session_id cookie's value from the Cookie header into *out (not
 * NUL-terminated, *len bytes). Returns 1 when there is one, 0 when none, -1
 * when its value is not a session id's shape (other cookies are ignored).
 */
int	 auth_cookie(struct req *, const char **out, size_t *len);
/*
 * Whether the browser says the request comes from the hub's own pages:
 * Sec-Fetch-Site same-origin (when sent), and an Origin (when sent) equal
 * to the hub's; one of the two must be there. Writes with the session
 * cookie (and the pages' forms) need it.
 */
bool	 auth_same_origin(struct req *);
/* The attributes of the session cookie: Path=/, HttpOnly, SameSite=Lax,
 * and Secure when the client came over https. */
const char *auth_cookie_attrs(struct req *);
/*
 * The token text of an Authorization header value h: "Bearer <token>"
 * (*len bytes, inside h; anything after the token refuses it) or "Basic"
 * base64 of "user:token" (a copy in the arena). NULL for any other shape.
 */
const char *auth_token_of(struct arena *, const char *h, size_t *len);

/* The caller as a commit's author (commit.h): its name and e-mail, NULL
 * for an anonymous caller or a user without an address. */
void	 auth_author(const struct req *, const char **name, const char **email);

#endif
