/*
 * api_auth.c: the caller's own account: GET /api/whoami-v2.
 */
#include "api.h"
#include "auth.h"
#include "db.h"
#include "hub.h"
#include "jsonutil.h"

static const char SQL_ORGS[] =
    "SELECT n.name, n.fullname, m.role FROM org_member m"
    " JOIN namespace n ON n.id = m.org_id"
    " WHERE m.user_id = ? ORDER BY n.name";

void
api_whoami(struct req *r)
{
	json_object *o, *orgs, *auth, *at;
	struct principal *p;
	struct db_res *res;
	char *name, *fullname, *role;
	int rc;

	if (auth_require(r) != 0)
		return;
	p = r->who;
	if (db_exec(r->hub->db, r->a, &res, SQL_ORGS, "i", p->user_id) != 0) {
		resp_db_error(r);
		return;
	}
	orgs = jarr();
	while ((rc = db_row(res, "sss", &name, &fullname, &role)) == 1) {
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
		return;
	}
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
