/*
 * api_admin.c: the admin API under /api/admin/, for [server] admin_token
 * or a site admin's write token, from the admin_allow addresses only:
 * users (list, create, disable, password, quota, site admin), a
 * namespace's repositories with their sizes, storage totals. The rules
 * are accounts.c's, the same as khubctl's. Who may call is the route
 * table's AUTH_ADMIN (auth_admin(), auth.c), checked before the handler.
 */
#include <string.h>

#include "accounts.h"
#include "api.h"
#include "auth.h"
#include "hub.h"
#include "jsonutil.h"

static json_object *
user_json(const struct account *u)
{
	json_object *o = jobj();

	jset(o, "name", jstr(u->name));
	jset(o, "fullname", jstr(u->fullname));
	jset(o, "email", u->email ? jstr(u->email) : NULL);
	jset(o, "disabled", jbool(u->disabled));
	jset(o, "siteAdmin", jbool(u->site_admin));
	jset(o, "quotaBytes", u->default_quota ? NULL :
	    jint((int64_t)u->quota_bytes));
	return o;
}

/* GET /api/admin/users and POST (create: username, email, fullname,
 * password: all but username optional). */
void
api_admin_users(struct req *r)
{
	struct account *u;
	json_object *body, *arr;
	struct kerr e;
	size_t i, n;
	int64_t id;

	if (r->method == M_POST) {
		const char *name, *email, *fullname, *pw;

		body = r->json;
		name = jget_str(body, "username");
		email = jget_str(body, "email");
		fullname = jget_str(body, "fullname");
		pw = jget_str(body, "password");
		if (name == NULL) {
			resp_error(r, 400, "BadRequest", "'username' is "
			    "required");
			return;
		}
		if (account_create(r->hub->db, r->a, name, email, fullname, pw,
		    &id, &e) != 0) {
			resp_kerr(r, &e);
			return;
		}
	}
	if (account_list(r->hub->db, r->a, &u, &n, &e) != 0) {
		resp_kerr(r, &e);
		return;
	}
	if (r->method == M_POST) {
		for (i = 0; i < n && u[i].id != id; i++)
			;
		if (i < n)
			resp_json(r, 200, user_json(&u[i]));
		else
			resp_error(r, 500, "InternalError", "The new user is "
			    "not listed");
		return;
	}
	arr = jarr();
	for (i = 0; i < n; i++)
		json_object_array_add(arr, user_json(&u[i]));
	resp_json(r, 200, arr);
}

/* PUT /api/admin/users/NAME {"disabled": bool, "password": "...",
 * "quotaBytes": n | null, "siteAdmin": bool}: each that is present, in
 * that order; any refusal stops there. */
void
api_admin_user(struct req *r)
{
	json_object *body, *v;
	struct kerr e;
	const char *name = r->args.arg;
	int rc = 0;

	body = r->json;
	if (json_object_object_get_ex(body, "disabled", &v)) {
		if (!json_object_is_type(v, json_type_boolean)) {
			resp_error(r, 400, "BadRequest", "'disabled' must be "
			    "true or false");
			return;
		}
		rc = account_set_disabled(r->hub->db, r->a, name,
		    json_object_get_boolean(v), &e);
	}
	if (rc == 0 && json_object_object_get_ex(body, "password", &v)) {
		if (!json_object_is_type(v, json_type_string)) {
			resp_error(r, 400, "BadRequest", "'password' must be a "
			    "string");
			return;
		}
		rc = account_set_password(r->hub->db, r->a, name,
		    json_object_get_string(v), &e);
	}
	if (rc == 0 && json_object_object_get_ex(body, "quotaBytes", &v)) {
		if (v != NULL && (!json_object_is_type(v, json_type_int) ||
		    json_object_get_int64(v) < 0)) {
			resp_error(r, 400, "BadRequest", "'quotaBytes' must be "
			    "a byte count or null (the default)");
			return;
		}
		rc = account_set_quota(r->hub->db, r->a, name, v == NULL,
		    v == NULL ? 0 : (uint64_t)json_object_get_int64(v), &e);
	}
	if (rc == 0 && json_object_object_get_ex(body, "siteAdmin", &v)) {
		if (!json_object_is_type(v, json_type_boolean)) {
			resp_error(r, 400, "BadRequest", "'siteAdmin' must be "
			    "true or false");
			return;
		}
		rc = account_set_site_admin(r->hub->db, r->a, name,
		    json_object_get_boolean(v), &e);
	}
	if (rc != 0) {
		resp_kerr(r, &e);
		return;
	}
	v = jobj();
	jset(v, "name", jstr(name));
	jset(v, "updated", jbool(1));
	resp_json(r, 200, v);
}

/* GET /api/admin/namespaces/NAME: its usage and its repositories with
 * their sizes. */
void
api_admin_namespace(struct req *r)
{
	struct repo_size *rs;
	struct usage u;
	struct kerr e;
	json_object *o, *arr, *x;
	size_t i, n;

	if (account_usage(r->hub->db, r->a, r->args.arg,
	    r->hub->conf.default_quota, &u, &e) != 0 ||
	    account_repos(r->hub->db, r->a, r->args.arg, &rs, &n, &e) != 0) {
		resp_kerr(r, &e);
		return;
	}
	o = jobj();
	jset(o, "name", jstr(r->args.arg));
	jset(o, "usedBytes", jint((int64_t)u.used));
	jset(o, "quotaBytes", u.quota ? jint((int64_t)u.quota) : NULL);
	jset(o, "defaultQuota", jbool(u.default_quota));
	arr = jarr();
	for (i = 0; i < n; i++) {
		x = jobj();
		jset(x, "type", jstr(rs[i].type));
		jset(x, "name", jstr(rs[i].name));
		jset(x, "private", jbool(rs[i].private_));
		jset(x, "bytes", jint((int64_t)rs[i].bytes));
		json_object_array_add(arr, x);
	}
	jset(o, "repos", arr);
	resp_json(r, 200, o);
}

/* GET /api/admin/storage: the hub's totals. */
void
api_admin_storage(struct req *r)
{
	struct storage s;
	struct kerr e;
	json_object *o;

	if (account_storage(r->hub->db, r->a, &s, &e) != 0) {
		resp_kerr(r, &e);
		return;
	}
	o = jobj();
	jset(o, "users", jint(s.users));
	jset(o, "organizations", jint(s.orgs));
	jset(o, "repos", jint(s.repos));
	jset(o, "blobs", jint(s.blobs));
	jset(o, "bytes", jint((int64_t)s.bytes));
	resp_json(r, 200, o);
}
