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

#include "principal.h"
#include "request.h"
#include "secrets.h"


/*
 * Identifies the caller into r->who (NULL: anonymous): the Authorization
 * header, else the cookie session_id. Returns 0, or answers itself (401 for
 * a token or session that is malformed, unknown, expired or revoked, or
 * whose user is disabled; 503 when the database is down) and returns -1.
 */
int	 auth_identify(struct req *);
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
/*
 * A token's lookup folded into another query (AUTH_TOKEN_SELECT,
 * principal.h; repo.c folds it into the repository's).
 * auth_token_pending(): the hash of the token to look up into hash and 1;
 * 0 when there is none to look up (no Authorization header, or the caller
 * is known already: call auth_identify(), which sees to the session
 * cookie); -1 after answering 401 for a header with no usable token.
 * auth_token_found(): the row's columns into r->who, p NULL or its
 * token_id 0 when the query found no such token (then it answers 401 and
 * returns -1); 0.
 */
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
