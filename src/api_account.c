/*
 * api_account.c: the Authentication API: register, login, logout, me, and
 * tokens managed by their owner.
 *
 * A login creates a session: 32 random bytes, sent once as the cookie
 * session_id (64 hex digits), stored only as their SHA-256 (auth.c looks
 * it up). Logging out ends that one session. A failed login answers the
 * same way, after the same delay, whether the user exists or not.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "accounts.h"
#include "api.h"
#include "auth.h"
#include "db.h"
#include "hub.h"
#include "jsonutil.h"
#include "names.h"
#include "secrets.h"
#include "sessions.h"
#include "tokens.h"

/* Bounds of what people type: longer is refused before any work. */
#define PASSWORD_MAX		ACCOUNT_PASSWORD_MAX
#define FULLNAME_MAX		ACCOUNT_FULLNAME_MAX

static const struct db_stmt SQL_USER = DB_READ("i", "isssi",
    "SELECT id, name, fullname, email,"
    " FLOOR(UNIX_TIMESTAMP(created_at) * 1000)"
    " FROM namespace WHERE id = ?");
static const struct db_stmt SQL_ORGS = DB_READ("i", "sss",
    "SELECT n.name, n.fullname, m.role FROM org_member m"
    " JOIN namespace n ON n.id = m.org_id"
    " WHERE m.user_id = ? AND n.name <> '' ORDER BY n.name");
/*
 * The string field key of body into *out (NULL when absent or null), at
 * most max characters, control characters refused unless ctl_ok. Answers
 * 400 and returns -1 for a missing required field or a wrong value.
 */
static int
field(struct req *r, json_object *body, const char *key, int required,
    size_t max, int ctl_ok, const char **out)
{
	json_object *v;
	const char *s;
	size_t chars;

	*out = NULL;
	if (!json_object_object_get_ex(body, key, &v) || v == NULL) {
		if (!required)
			return 0;
		resp_error(r, 400, "BadRequest", "Field '%s' is required", key);
		return -1;
	}
	if (!json_object_is_type(v, json_type_string)) {
		resp_error(r, 400, "BadRequest", "Field '%s' must be a string",
		    key);
		return -1;
	}
	s = json_object_get_string(v);
	/* req_read_body() saw it is UTF-8 */
	(void)utf8_valid((const unsigned char *)s, strlen(s), &chars);
	if (chars > max) {
		resp_error(r, 400, "BadRequest", "Field '%s' is longer than "
		    "%zu characters", key, max);
		return -1;
	}
	if (!ctl_ok)
		for (; *s != '\0'; s++)
			if ((unsigned char)*s < 0x20 || *s == 0x7f) {
				resp_error(r, 400, "BadRequest", "Field '%s' "
				    "holds a control character", key);
				return -1;
			}
	*out = json_object_get_string(v);
	return 0;
}


/* The user as the Authentication API shows it (never a secret). */
static json_object *
user_json(struct req *r, int64_t id, const char *name, const char *fullname,
    const char *email, int64_t created_ms)
{
	json_object *o = jobj();

	jset(o, "type", jstr("user"));
	jset(o, "id", jint(id));
	jset(o, "username", jstr(name));
	jset(o, "name", jstr(name));
	jset(o, "fullname", jstr(fullname != NULL && *fullname ? fullname :
	    name));
	jset(o, "email", jstr(email));
	jset(o, "emailVerified", jbool(email != NULL));
	jset(o, "createdAt", jstr(iso_time_ms(r->a, created_ms)));
	return o;
}

/* The user row id as user_json, or NULL after answering (database). */
static json_object *
user_json_by_id(struct req *r, int64_t id)
{
	struct db_res *res;
	char *name, *fullname, *email;
	int64_t uid, created;
	int rc;

	if (db_exec(r->hub->db, r->a, &res, &SQL_USER, db_i(id)) != 0 ||
	    (rc = db_row(res, db_out_i(&uid), db_out_s(&name),
	    db_out_s(&fullname), db_out_s(&email), db_out_i(&created))) < 0) {
		resp_db_error(r);
		return NULL;
	}
	if (rc == 0) {
		/* Deleted between two statements: as good as a failure. */
		resp_error(r, 500, "InternalError", "The account vanished");
		return NULL;
	}
	return user_json(r, uid, name, fullname, email, created);
}

void
api_auth_register(struct req *r)
{
	json_object *body, *o;
	const char *name, *email, *password, *fullname;
	struct kerr e;
	int64_t id;

	if (!r->hub->conf.allow_registration) {
		resp_error(r, 403, "RegistrationDisabled", "Registration is "
		    "switched off on this server: an administrator creates "
		    "accounts (khubctl user add)");
		return;
	}
	/* The body (BODY_LATE) after that: every string in it is UTF-8
	 * with no NUL (req_read_body). */
	if (req_read_body(r) != 0)
		return;
	body = r->json;
	/* The lengths first: a long value is refused before any check
	 * looks at it. Names are at most 96 ASCII characters. */
	if (field(r, body, "username", 1, 96, 0, &name) != 0 ||
	    field(r, body, "email", 1, EMAIL_MAX, 0, &email) != 0 ||
	    field(r, body, "password", 1, PASSWORD_MAX, 1, &password) != 0 ||
	    field(r, body, "fullname", 0, FULLNAME_MAX, 0, &fullname) != 0)
		return;
	if (account_create(r->hub->db, r->a, name, email, fullname, password,
	    &id, &e) != 0) {
		resp_kerr(r, &e);
		return;
	}
	if ((o = user_json_by_id(r, id)) == NULL)
		return;
	body = jobj();
	jset(body, "success", jbool(1));
	jset(body, "message", jstr("User created successfully"));
	jset(body, "email_verified", jbool(1));
	jset(body, "user", o);
	resp_json(r, 200, body);
}

void
api_auth_login(struct req *r)
{
	char sid[SESSION_LEN + 1];
	json_object *body, *o;
	const char *login, *password;
	struct session_user u;
	struct kerr e;

	body = r->json;
	if (field(r, body, "username", 0, EMAIL_MAX, 1, &login) != 0 ||
	    (login == NULL &&
	    field(r, body, "email", 1, EMAIL_MAX, 1, &login) != 0) ||
	    field(r, body, "password", 1, PASSWORD_MAX, 1, &password) != 0)
		return;
	if (session_login(r->hub->db, r->a, login, password, sid, &u,
	    &e) != 0) {
		resp_kerr(r, &e);
		return;
	}
	resp_header(r, "Set-Cookie", "session_id=%s; Max-Age=%d; %s", sid,
	    SESSION_DAYS * 86400, auth_cookie_attrs(r));
	resp_header(r, "Cache-Control", "no-store");
	sodium_memzero(sid, sizeof(sid));
	o = user_json(r, u.id, u.name, u.fullname, u.email, u.created_ms);
	body = jobj();
	jset(body, "success", jbool(1));
	jset(body, "message", jstr("Logged in successfully"));
	jset(body, "username", jstr(u.name));
	jset(body, "user", o);
	resp_json(r, 200, body);
}

void
api_auth_logout(struct req *r)
{
	json_object *o;
	const char *sid;
	struct kerr e;
	size_t len;

	/* This session only; none (or a malformed cookie) is fine too. */
	if (auth_cookie(r, &sid, &len) == 1 &&
	    session_end(r->hub->db, r->a, sid, len, &e) != 0) {
		resp_kerr(r, &e);
		return;
	}
	resp_header(r, "Set-Cookie", "session_id=; Max-Age=0; %s",
	    auth_cookie_attrs(r));
	o = jobj();
	jset(o, "success", jbool(1));
	jset(o, "message", jstr("Logged out successfully"));
	resp_json(r, 200, o);
}

/*
 * The organizations user_id belongs to, as whoami-v2 and me list them
 * ({type, name, fullname, roleInOrg}). NULL after answering a database
 * error.
 */
static json_object *
orgs_json(struct req *r, int64_t user_id)
{
	struct db_res *res;
	json_object *orgs;
	char *name, *fullname, *role;
	int rc;

	if (db_exec(r->hub->db, r->a, &res, &SQL_ORGS, db_i(user_id)) != 0) {
		resp_db_error(r);
		return NULL;
	}
	orgs = jarr();
	while ((rc = db_row(res, db_out_s(&name), db_out_s(&fullname),
	    db_out_s(&role))) == 1) {
		json_object *org = jobj();

		jset(org, "type", jstr("org"));
		jset(org, "name", jstr(name));
		jset(org, "fullname", jstr(*fullname ? fullname : name));
		jset(org, "roleInOrg", jstr(role));
		json_object_array_add(orgs, org);
	}
	if (rc < 0) {
		json_object_put(orgs);
		resp_db_error(r);
		return NULL;
	}
	return orgs;
}

void
api_auth_me(struct req *r)
{
	json_object *o, *orgs, *auth;
	struct principal *p = r->who;	/* AUTH_USER */

	if ((o = user_json_by_id(r, p->user_id)) == NULL)
		return;
	if ((orgs = orgs_json(r, p->user_id)) == NULL) {
		json_object_put(o);
		return;
	}
	jset(o, "orgs", orgs);
	auth = jobj();
	jset(auth, "type", jstr(p->is_session ? "session" : "access_token"));
	jset(auth, "role", jstr(p->token_role));
	if (!p->is_session) {
		jset(auth, "tokenId", jint(p->token_id));
		jset(auth, "displayName", jstr(p->token_name));
	}
	jset(o, "auth", auth);
	resp_json(r, 200, o);
}

/*
 * Tokens are managed by a browser session or a write token: a read token
 * must not mint a write one. After AUTH_USER (the table). Returns 0, or
 * answers 403 and -1.
 */
static int
require_manager(struct req *r)
{
	if (!r->who->is_session && strcmp(r->who->token_role, "write") != 0) {
		resp_error(r, 403, "Forbidden", "Managing tokens needs a "
		    "session or a write token");
		return -1;
	}
	return 0;
}

/* An ISO 8601 time "2026-01-31T12:00:00Z" (fraction and 'Z' optional,
 * always UTC) into Unix seconds; -1 when malformed. */
static int64_t
parse_iso_utc(const char *s)
{
	struct tm tm;
	const char *end;
	time_t t;

	memset(&tm, 0, sizeof(tm));
	if ((end = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm)) == NULL)
		return -1;
	if (*end == '.') {
		end++;
		if (*end < '0' || *end > '9')
			return -1;
		while (*end >= '0' && *end <= '9')
			end++;
	}
	if (*end == 'Z')
		end++;
	else if (!strcmp(end, "+00:00"))
		end += 6;
	if (*end != '\0')
		return -1;
	if ((t = timegm(&tm)) == (time_t)-1)
		return -1;
	return (int64_t)t;
}

static json_object *
token_json(struct req *r, int64_t id, const char *name, const char *role,
    int64_t created_ms, int64_t expires_ms)
{
	json_object *o = jobj();

	jset(o, "id", jint(id));
	jset(o, "name", jstr(name));
	jset(o, "role", jstr(role));
	jset(o, "createdAt", jstr(iso_time_ms(r->a, created_ms)));
	/* A NULL expiry reads 0: never. */
	jset(o, "expiresAt", expires_ms ? jstr(iso_time_ms(r->a,
	    expires_ms)) : NULL);
	return o;
}

void
api_tokens_list(struct req *r)
{
	json_object *o, *arr, *t;
	struct token_rec *v;
	struct kerr e;
	size_t n, i;

	if (require_manager(r) != 0)
		return;
	if (token_list(r->hub->db, r->a, r->who->user_id, &v, &n, &e) != 0) {
		resp_kerr(r, &e);
		return;
	}
	arr = jarr();
	for (i = 0; i < n; i++) {
		t = token_json(r, v[i].id, v[i].name, v[i].role,
		    v[i].created_ms, v[i].expires_ms);
		jset(t, "expired", jbool(v[i].expired));
		jset(t, "current", jbool(!r->who->is_session &&
		    v[i].id == r->who->token_id));
		json_object_array_add(arr, t);
	}
	o = jobj();
	jset(o, "tokens", arr);
	resp_json(r, 200, o);
}

void
api_token_create(struct req *r)
{
	struct token_issued t;
	struct kerr e;
	json_object *body, *o, *v;
	const char *name, *role, *at;
	int64_t until = 0, days;
	int has_days;

	if (require_manager(r) != 0 || req_read_body(r) != 0)
		return;
	body = r->json;
	if (field(r, body, "name", 1, TOKEN_NAME_MAX, 0, &name) != 0 ||
	    field(r, body, "role", 0, 5, 0, &role) != 0 ||
	    field(r, body, "expires_at", 0, 40, 0, &at) != 0)
		return;
	if (role == NULL)
		role = "read";
	has_days = json_object_object_get_ex(body, "expires_in_days", &v) &&
	    v != NULL;
	if (has_days && at != NULL) {
		resp_error(r, 400, "BadRequest", "Give expires_in_days or "
		    "expires_at, not both");
		return;
	}
	if (has_days) {
		days = json_object_is_type(v, json_type_int) ?
		    json_object_get_int64(v) : 0;
		if (days < 1 || days > TOKEN_DAYS_MAX) {
			resp_error(r, 400, "BadRequest", "expires_in_days "
			    "must be a whole number from 1 to %d",
			    TOKEN_DAYS_MAX);
			return;
		}
		until = (int64_t)time(NULL) + days * 86400;
	} else if (at != NULL) {
		until = parse_iso_utc(at);
		if (until < 0) {
			resp_error(r, 400, "BadRequest", "expires_at must be "
			    "a UTC time like 2030-01-31T12:00:00Z");
			return;
		}
	}
	if (token_issue(r->hub->db, r->a, r->who->user_id, name, role, until,
	    &t, &e) != 0) {
		resp_kerr(r, &e);
		return;
	}
	o = token_json(r, t.id, name, role, t.created_ms, t.expires_ms);
	jset(o, "success", jbool(1));
	jset(o, "token_id", jint(t.id));
	/* The only time the token is ever shown. */
	jset(o, "token", jstr(t.token));
	jset(o, "message", jstr("Token created: save it now, it is not "
	    "shown again"));
	sodium_memzero(t.token, sizeof(t.token));
	resp_header(r, "Cache-Control", "no-store");
	resp_json(r, 200, o);
}

void
api_token_delete(struct req *r)
{
	json_object *o;
	struct kerr e;
	const char *a = r->args.arg;
	char *end = NULL;
	long long id;

	if (require_manager(r) != 0)
		return;
	errno = 0;
	id = (a != NULL && *a >= '0' && *a <= '9') ? strtoll(a, &end, 10) : 0;
	if (id <= 0 || errno != 0 || *end != '\0') {
		resp_error(r, 404, "NotFound", "Token not found");
		return;
	}
	if (token_revoke(r->hub->db, r->a, r->who->user_id, (int64_t)id,
	    &e) != 0) {
		resp_kerr(r, &e);
		return;
	}
	o = jobj();
	jset(o, "success", jbool(1));
	jset(o, "message", jstr("Token revoked"));
	resp_json(r, 200, o);
}

/* GET /api/whoami-v2: the shape the clients read. */
void
api_whoami(struct req *r)
{
	json_object *o, *orgs, *auth, *at;
	struct principal *p = r->who;	/* AUTH_USER */

	if ((orgs = orgs_json(r, p->user_id)) == NULL)
		return;
	o = jobj();
	jset(o, "type", jstr("user"));
	jset(o, "id", jstr(arena_printf(r->a, "%lld", (long long)p->user_id)));
	jset(o, "name", jstr(p->name));
	jset(o, "fullname", jstr(*p->fullname ? p->fullname : p->name));
	jset(o, "email", jstr(p->email));
	jset(o, "emailVerified", jbool(p->email != NULL));
	jset(o, "isPro", jbool(0));
	jset(o, "canPay", jbool(0));
	jset(o, "orgs", orgs);
	auth = jobj();
	at = jobj();
	jset(at, "displayName", jstr(p->token_name));
	jset(at, "role", jstr(p->token_role));
	jset(at, "createdAt", jstr(iso_time_ms(r->a, p->token_created_ms)));
	/* A browser session reads as a write token: clients look for
	 * auth.accessToken.role. */
	jset(auth, "type", jstr(p->is_session ? "session" : "access_token"));
	jset(auth, "accessToken", at);
	jset(o, "auth", auth);
	resp_json(r, 200, o);
}
