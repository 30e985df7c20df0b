/*
 * auth.c: turns the Authorization header into a principal, one indexed
 * lookup by the token's hash. Nothing is cached: a revoked token is refused
 * on the very next request, on every machine.
 */
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "auth.h"
#include "db.h"
#include "hub.h"
#include "secrets.h"

static const char SQL_TOKEN[] =
    "SELECT t.id, t.name, t.role, t.hash,"
    " FLOOR(UNIX_TIMESTAMP(t.created_at) * 1000),"
    " u.id, u.name, u.fullname, u.email"
    " FROM token t JOIN namespace u ON u.id = t.user_id"
    " WHERE t.hash = ? AND t.revoked_at IS NULL"
    " AND (t.expires_at IS NULL OR t.expires_at > NOW(3))"
    " AND u.kind = 'user'";

/* The token text of an Authorization header, or NULL. */
static const char *
token_of(struct req *r, const char *h, size_t *len)
{
	unsigned char raw[256];
	size_t rawlen;
	const char *colon;

	if (!strncasecmp(h, "Bearer ", 7)) {
		h += 7;
		h += strspn(h, " ");
		*len = strcspn(h, " ");
		return h;
	}
	if (!strncasecmp(h, "Basic ", 6)) {
		h += 6;
		h += strspn(h, " ");
		if (sodium_base642bin(raw, sizeof(raw) - 1, h, strlen(h), NULL,
		    &rawlen, NULL, sodium_base64_VARIANT_ORIGINAL) != 0)
			return NULL;
		raw[rawlen] = '\0';
		/* user:token; the user name is not checked (git-lfs sends
		 * whatever the credential helper has). */
		if ((colon = memchr(raw, ':', rawlen)) == NULL)
			return NULL;
		*len = rawlen - (size_t)(colon + 1 - (const char *)raw);
		return arena_strndup(r->a, colon + 1, *len);
	}
	return NULL;
}

int
auth_identify(struct req *r)
{
	unsigned char hash[TOKEN_HASH_LEN];
	struct principal *p;
	struct db_res *res;
	const char *h, *tok;
	void *stored;
	size_t len = 0, slen;
	int rc;

	if (r->auth_done)
		return 0;
	h = req_header(r, "Authorization");
	if (h == NULL || *h == '\0') {
		r->auth_done = 1;
		return 0;
	}
	tok = token_of(r, h, &len);
	if (tok == NULL || !token_wellformed(tok, len)) {
		resp_error(r, 401, "Unauthorized", "Invalid credentials in "
		    "Authorization header");
		return -1;
	}
	token_hash(tok, len, hash);
	p = arena_zalloc(r->a, sizeof(*p));
	if (db_exec(r->hub->db, r->a, &res, SQL_TOKEN, "b", hash,
	    sizeof(hash)) != 0) {
		resp_db_error(r);
		return -1;
	}
	rc = db_row(res, "issbiisss", &p->token_id, &p->token_name,
	    &p->token_role, &stored, &slen, &p->token_created_ms, &p->user_id,
	    &p->name, &p->fullname, &p->email);
	if (rc < 0) {
		resp_db_error(r);
		return -1;
	}
	/* The index found it; compare in constant time all the same. */
	if (rc == 0 || slen != sizeof(hash) ||
	    sodium_memcmp(stored, hash, sizeof(hash)) != 0) {
		resp_error(r, 401, "Unauthorized", "Invalid credentials in "
		    "Authorization header");
		return -1;
	}
	r->who = p;
	r->auth_done = 1;
	return 0;
}

int
auth_require(struct req *r)
{
	if (auth_identify(r) != 0)
		return -1;
	if (r->who == NULL) {
		resp_error(r, 401, "Unauthorized", "You must be "
		    "authenticated: send Authorization: Bearer <token>");
		return -1;
	}
	return 0;
}
