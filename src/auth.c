/*
 * auth.c: turns the Authorization header (or, without one, the session_id
 * cookie) into a principal, one indexed lookup by the token's or session's
 * hash. Nothing is cached for these: a revoked token, an ended session or
 * a disabled user is refused on the very next request, on every machine.
 * The one exception, auth_token_recall(), serves answers that come from
 * memory anyway (api_resolve.c) and learns of revocations as they do.
 */
#include <stdint.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <sodium.h>

#include "accounts.h"
#include "auth.h"
#include "cache.h"
#include "db.h"
#include "hub.h"
#include "log.h"
#include "secrets.h"

static const struct db_stmt SQL_TOKEN = DB_READ("b", AUTH_TOKEN_KINDS,
    AUTH_TOKEN_SELECT);

static const struct db_stmt SQL_SESSION = DB_READ("b", "ibiisss",
    "SELECT s.id, s.hash, FLOOR(UNIX_TIMESTAMP(s.created_at) * 1000),"
    " u.id, u.name, u.fullname, u.email"
    " FROM session s JOIN namespace u ON u.id = s.user_id"
    " WHERE s.hash = ? AND s.expires_at > NOW(3)"
    " AND u.kind = 'user' AND u.disabled = 0");

static void	remember(const struct principal *,
		    const unsigned char hash[TOKEN_HASH_LEN]);

const char *
auth_token_of(struct arena *a, const char *h, size_t *len)
{
	unsigned char raw[256];
	size_t rawlen;
	const char *colon;

	if (!strncasecmp(h, "Bearer ", 7)) {
		h += 7;
		h += strspn(h, " ");
		*len = strcspn(h, " ");
		/* "Bearer <token> junk" is not a token: refuse it whole. */
		if (h[*len + strspn(h + *len, " ")] != '\0')
			return NULL;
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
		return arena_strndup(a, colon + 1, *len);
	}
	return NULL;
}

int
auth_cookie(struct req *r, const char **out, size_t *len)
{
	const char *h, *p, *end, *eq;
	size_t n;

	if ((h = req_header(r, "Cookie")) == NULL)
		return 0;
	/* "a=1; session_id=...; b=2": pairs split by ';', blanks around
	 * them ignored. Other cookies are not ours to judge; ours must be
	 * exactly 64 hex digits. The first session_id wins (the browser
	 * sends the most specific path first). */
	for (p = h; *p != '\0'; p = *end == ';' ? end + 1 : end) {
		p += strspn(p, " \t");
		end = p + strcspn(p, ";");
		n = (size_t)(end - p);
		while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
			n--;
		if ((eq = memchr(p, '=', n)) == NULL ||
		    (size_t)(eq - p) != strlen("session_id") ||
		    memcmp(p, "session_id", (size_t)(eq - p)) != 0)
			continue;
		*out = eq + 1;
		*len = n - (size_t)(eq + 1 - p);
		return session_wellformed(*out, *len) ? 1 : -1;
	}
	return 0;
}

/*
 * Whether a request that carries the session cookie may change anything.
 * Browsers send the cookie with requests other sites make (a form, a
 * text/plain fetch, and SameSite=Lax does not cover same-site origins
 * such as the S3 endpoint's): a write counts only when the browser says
 * it comes from the hub's own pages (Sec-Fetch-Site: same-origin, else an
 * Origin equal to the hub's), with a body type no other site can send
 * without a CORS preflight. Bearer and Basic callers never reach this.
 */
bool
auth_same_origin(struct req *r)
{
	const char *site = req_header(r, "Sec-Fetch-Site"),
	    *origin = req_header(r, "Origin");
	size_t n;

	if (site != NULL && strcmp(site, "same-origin") != 0)
		return false;
	if (origin == NULL && site == NULL)
		return false;
	if (origin != NULL) {
		n = strlen(r->endpoint);
		while (n > 0 && r->endpoint[n - 1] == '/')
			n--;
		if (strlen(origin) != n || strncasecmp(origin, r->endpoint,
		    n) != 0)
			return false;
	}
	return true;
}

const char *
auth_cookie_attrs(struct req *r)
{
	return strncmp(r->endpoint, "https:", 6) == 0 ?
	    "Path=/; HttpOnly; SameSite=Lax; Secure" :
	    "Path=/; HttpOnly; SameSite=Lax";
}

static bool
session_write_allowed(struct req *r)
{
	const char *ct = req_env(r, "CONTENT_TYPE"),
	    *cl = req_env(r, "CONTENT_LENGTH");
	size_t n;

	if (r->method == M_GET || r->method == M_HEAD || r->form_ok)
		return true;
	if (!auth_same_origin(r))
		return false;
	if (cl != NULL && *cl != '\0' && strcmp(cl, "0") != 0) {
		if (ct == NULL)
			return false;
		n = strcspn(ct, "; ");
		if (!(n == 16 && !strncasecmp(ct, "application/json", n)) &&
		    !(n == 20 && !strncasecmp(ct, "application/x-ndjson", n)))
			return false;
	}
	return true;
}

/* The session_id cookie into r->who; 0, or answers 401/403/503 and -1. */
static int
session_identify(struct req *r)
{
	unsigned char hash[TOKEN_HASH_LEN];
	struct principal *p;
	struct db_res *res;
	const char *sid;
	void *stored;
	size_t len = 0, slen;
	int rc;

	if ((rc = auth_cookie(r, &sid, &len)) == 0) {
		r->auth_done = 1;
		return 0;
	}
	if (rc < 0) {
		resp_error(r, 401, "Unauthorized", "Invalid session cookie: "
		    "log in again");
		return -1;
	}
	if (!session_write_allowed(r)) {
		resp_error(r, 403, "CrossSiteRequest", "A write with the "
		    "session cookie must come from this hub's own pages "
		    "(Origin) with a JSON body; other clients send "
		    "Authorization: Bearer <token>");
		return -1;
	}
	token_hash(sid, len, hash);
	p = arena_zalloc(r->a, sizeof(*p));
	if (db_exec(r->hub->db, r->a, &res, &SQL_SESSION, db_b(hash,
	    sizeof(hash))) != 0) {
		resp_db_error(r);
		return -1;
	}
	rc = db_row(res, db_out_i(&p->session_id), db_out_b(&stored, &slen),
	    db_out_i(&p->token_created_ms), db_out_i(&p->user_id),
	    db_out_s(&p->name), db_out_s(&p->fullname), db_out_s(&p->email));
	if (rc < 0) {
		resp_db_error(r);
		return -1;
	}
	if (rc == 0 || slen != sizeof(hash) ||
	    sodium_memcmp(stored, hash, sizeof(hash)) != 0) {
		resp_error(r, 401, "Unauthorized", "Session expired or "
		    "invalid: log in again");
		return -1;
	}
	p->is_session = 1;
	p->token_id = 0;
	p->token_name = "session";
	p->token_role = "write";
	r->who = p;
	r->auth_done = 1;
	return 0;
}

static bool	 token_matches(const void *, size_t,
		    const unsigned char[TOKEN_HASH_LEN]);

/* The user of token tok (len bytes) into *out: 1, 0 when no usable token
 * has that hash, -1 when the database fails (nothing answered). */
static int
token_lookup(struct req *r, const char *tok, size_t len,
    struct principal **out)
{
	unsigned char hash[TOKEN_HASH_LEN];
	struct principal *p;
	struct db_res *res;
	void *stored;
	size_t slen;
	int rc;

	if (!token_wellformed(tok, len))
		return 0;
	token_hash(tok, len, hash);
	p = arena_zalloc(r->a, sizeof(*p));
	if (db_exec(r->hub->db, r->a, &res, &SQL_TOKEN, db_b(hash,
	    sizeof(hash))) != 0)
		return -1;
	rc = db_row(res, AUTH_TOKEN_COLS(p, &stored, &slen));
	if (rc <= 0)
		return rc;
	if (!token_matches(stored, slen, hash))
		return 0;
	remember(p, hash);
	*out = p;
	return 1;
}

/* The index found it; compare in constant time all the same. */
static bool
token_matches(const void *stored, size_t slen,
    const unsigned char hash[TOKEN_HASH_LEN])
{
	return stored != NULL && slen == TOKEN_HASH_LEN &&
	    sodium_memcmp(stored, hash, TOKEN_HASH_LEN) == 0;
}

static int
bad_credentials(struct req *r)
{
	resp_error(r, 401, "Unauthorized", "Invalid credentials in "
	    "Authorization header");
	return -1;
}

/*
 * What the worker remembers of a token it authenticated (CACHE_TOKEN):
 * the principal, keyed by the token's hash. The strings follow the
 * struct: the user's name, full name, e-mail, the token's name and role.
 */
struct tok_entry {
	unsigned char	 hash[TOKEN_HASH_LEN];
	int64_t		 user_id, token_id, created_ms, expires_ms;
	uint16_t	 len[5];
	char		 str[];
};

#define TOK_ENTRY_MAX	2048

static void
tok_key(struct oid *k, const unsigned char hash[TOKEN_HASH_LEN])
{
	memcpy(k->b, hash, OID_LEN);	/* a prefix of a SHA-256 */
}

static void
remember(const struct principal *p, const unsigned char hash[TOKEN_HASH_LEN])
{
	_Alignas(struct tok_entry) unsigned char raw[TOK_ENTRY_MAX];
	struct tok_entry *e = (struct tok_entry *)raw;
	const char *s[5] = { p->name, p->fullname, p->email, p->token_name,
	    p->token_role };
	size_t n = sizeof(*e), l;
	struct oid k;
	int i;

	memcpy(e->hash, hash, TOKEN_HASH_LEN);
	e->user_id = p->user_id;
	e->token_id = p->token_id;
	e->created_ms = p->token_created_ms;
	e->expires_ms = p->token_expires_ms;
	for (i = 0; i < 5; i++) {
		l = s[i] != NULL ? strlen(s[i]) : 0;
		if (n + l + 1 > sizeof(raw))
			return;		/* too long to keep: asked each time */
		e->len[i] = (uint16_t)l;
		memcpy(raw + n, l > 0 ? s[i] : "", l + 1);
		n += l + 1;
	}
	tok_key(&k, hash);
	cache_put(CACHE_TOKEN, &k, raw, n);
}

static bool
every(const void *data, size_t len, void *arg)
{
	return true;
}

void
auth_forget_tokens(void)
{
	cache_drop_if(CACHE_TOKEN, every, NULL);
}

int
auth_token_recall(struct req *r)
{
	unsigned char hash[TOKEN_HASH_LEN];
	const struct tok_entry *e;
	struct principal *p;
	struct timespec ts;
	const char *s;
	char **out[5];
	struct oid k;
	size_t len, n;
	int i, rc;

	if ((rc = auth_token_pending(r, hash)) <= 0)
		return rc;
	tok_key(&k, hash);
	if ((e = cache_get(CACHE_TOKEN, &k, &len)) == NULL ||
	    len < sizeof(*e) || sodium_memcmp(e->hash, hash,
	    TOKEN_HASH_LEN) != 0)
		return 0;
	clock_gettime(CLOCK_REALTIME, &ts);
	if (e->expires_ms != 0 && e->expires_ms <= (int64_t)ts.tv_sec *
	    1000 + ts.tv_nsec / 1000000)
		return 0;	/* the database says why */
	p = arena_zalloc(r->a, sizeof(*p));
	p->user_id = e->user_id;
	p->token_id = e->token_id;
	p->token_created_ms = e->created_ms;
	p->token_expires_ms = e->expires_ms;
	out[0] = &p->name;
	out[1] = &p->fullname;
	out[2] = &p->email;
	out[3] = &p->token_name;
	out[4] = &p->token_role;
	for (i = 0, s = e->str, n = sizeof(*e); i < 5; i++) {
		if (n + e->len[i] + 1 > len)
			return 0;
		*out[i] = arena_strndup(r->a, s, e->len[i]);
		s += e->len[i] + 1;
		n += e->len[i] + 1;
	}
	r->who = p;
	r->auth_done = 1;
	return 1;
}

int
auth_token_pending(struct req *r, unsigned char hash[TOKEN_HASH_LEN])
{
	const char *h, *tok;
	size_t len = 0;

	if (r->auth_done)
		return 0;
	h = req_header(r, "Authorization");
	if (h == NULL || *h == '\0')
		return 0;
	if ((tok = auth_token_of(r->a, h, &len)) == NULL ||
	    !token_wellformed(tok, len))
		return bad_credentials(r);
	token_hash(tok, len, hash);
	return 1;
}

int
auth_token_found(struct req *r, struct principal *p, const void *stored,
    size_t slen, const unsigned char hash[TOKEN_HASH_LEN])
{
	if (p == NULL || p->token_id == 0 || !token_matches(stored, slen, hash))
		return bad_credentials(r);
	remember(p, hash);
	r->who = p;
	r->auth_done = 1;
	return 0;
}

int
auth_identify(struct req *r)
{
	struct principal *p;
	const char *h, *tok;
	size_t len = 0;
	int rc;

	if (r->auth_done)
		return 0;
	h = req_header(r, "Authorization");
	if (h == NULL || *h == '\0')
		return session_identify(r);
	if ((tok = auth_token_of(r->a, h, &len)) == NULL)
		rc = 0;
	else if ((rc = token_lookup(r, tok, len, &p)) < 0) {
		resp_db_error(r);
		return -1;
	}
	if (rc == 0)
		return bad_credentials(r);
	r->who = p;
	r->auth_done = 1;
	return 0;
}

int
auth_token_quiet(struct req *r)
{
	struct principal *p;
	const char *h, *tok;
	size_t len = 0;
	int rc;

	if (r->auth_done)
		return 0;
	if ((h = req_header(r, "Authorization")) == NULL ||
	    (tok = auth_token_of(r->a, h, &len)) == NULL)
		return 0;
	if ((rc = token_lookup(r, tok, len, &p)) < 0) {
		resp_db_error(r);
		return -1;
	}
	if (rc == 1) {
		r->who = p;
		r->auth_done = 1;
	}
	return 0;
}

int
auth_require(struct req *r)
{
	if (auth_identify(r) != 0)
		return -1;
	if (r->who == NULL) {
		const char *sw = req_env(r, "SERVER_SOFTWARE");
		static bool told;

		/* Apache drops Authorization unless told to pass it. */
		if (!told && sw != NULL && !strncmp(sw, "Apache", 6)) {
			log_warn("no credentials reached khub under Apache: "
			    "if clients send Authorization, set CGIPassAuth "
			    "On");
			told = true;
		}
		resp_error(r, 401, "Unauthorized", "You must be "
		    "authenticated: send Authorization: Bearer <token>");
		return -1;
	}
	return 0;
}

int
auth_require_write(struct req *r)
{
	if (auth_require(r) != 0)
		return -1;
	if (strcmp(r->who->token_role, "write") != 0) {
		resp_error(r, 403, "Forbidden", "This token is read-only");
		return -1;
	}
	return 0;
}

int
auth_admin(struct req *r)
{
	const struct conf *c = &r->hub->conf;
	bool token_on = c->admin_token != NULL && *c->admin_token != '\0',
	    yes = false;
	struct kerr e;

	if (req_from(r, c->admin_allow)) {
		if (token_on && req_bearer_is(r, c->admin_token))
			return 0;
		if (auth_token_quiet(r) != 0)
			return -1;
		if (r->who != NULL && !strcmp(r->who->token_role, "write") &&
		    account_is_site_admin(r->hub->db, r->a, r->who->user_id,
		    &yes, &e) != 0) {
			resp_kerr(r, &e);
			return -1;
		}
		if (yes)
			return 0;
	}
	if (!token_on)
		resp_error(r, 404, "NotFound", "No such endpoint: %s %s",
		    r->method_name, r->uri);
	else
		resp_error(r, 403, "Forbidden", "The admin API takes the "
		    "admin token or a site admin's write token, from the "
		    "addresses in admin_allow");
	return -1;
}

void
auth_author(const struct req *r, const char **name, const char **email)
{
	*name = r->who != NULL ? r->who->name : NULL;
	*email = r->who != NULL ? r->who->email : NULL;
}
