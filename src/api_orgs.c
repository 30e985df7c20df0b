/*
 * api_orgs.c: organizations over HTTP: create, get, members (list, add,
 * change, remove), and a user's or organization's public overview.
 *
 * An organization's existence, name, full name and member count are
 * public (as the Hub's); its member list and the caller's role only for
 * members; member changes only for its admins, with a write token. An
 * organization always keeps at least one admin.
 */
#include <string.h>

#include "api.h"
#include "auth.h"
#include "db.h"
#include "hub.h"
#include "jsonutil.h"
#include "likes.h"
#include "names.h"
#include "orgs.h"

/* A namespace, its member count and the caller's role in it (user id 0:
 * anonymous, no row). */
static const struct db_stmt SQL_NS = DB_READ("is", "isssis",
    "SELECT n.id, n.kind, n.name, n.fullname,"
    " (SELECT COUNT(*) FROM org_member m WHERE m.org_id = n.id),"
    " (SELECT m.role FROM org_member m WHERE m.org_id = n.id"
    "  AND m.user_id = ?)"
    " FROM namespace n WHERE n.name = ?");
static const struct db_stmt SQL_USER_ORGS = DB_READ("i", "ss",
    "SELECT n.name, n.fullname FROM org_member m"
    " JOIN namespace n ON n.id = m.org_id WHERE m.user_id = ?"
    " AND n.name <> '' ORDER BY n.name");

struct ns {
	int64_t		 id;
	char		*kind, *name, *fullname, *role;	/* role: NULL */
	int64_t		 members;
};

/*
 * Looks up namespace name with the caller's role. Returns 1 found, 0 not
 * (a name that cannot exist is not looked up), -1 after answering a
 * database error.
 */
static int
ns_find(struct req *r, const char *name, struct ns *ns)
{
	struct db_res *res;
	int rc;

	memset(ns, 0, sizeof(*ns));
	if (name == NULL || name_invalid(name) != NULL)
		return 0;
	if (db_exec(r->hub->db, r->a, &res, &SQL_NS, db_i(r->who ?
	    r->who->user_id : (int64_t)0), db_s(name)) != 0 ||
	    (rc = db_row(res, db_out_i(&ns->id), db_out_s(&ns->kind),
	    db_out_s(&ns->name), db_out_s(&ns->fullname),
	    db_out_i(&ns->members), db_out_s(&ns->role))) < 0) {
		resp_db_error(r);
		return -1;
	}
	db_done(res);
	return rc;
}

/* The organization named name for the caller; NULL after answering 404
 * (or a database error). */
static struct ns *
org_find(struct req *r, const char *name)
{
	struct ns *ns = arena_zalloc(r->a, sizeof(*ns));
	int rc;

	if ((rc = ns_find(r, name, ns)) < 0)
		return NULL;
	if (rc == 0 || strcmp(ns->kind, "org") != 0) {
		resp_error(r, 404, "NotFound", "Organization %s not found",
		    name ? name : "");
		return NULL;
	}
	return ns;
}

static const char *
display_name(const char *fullname, const char *name)
{
	return fullname != NULL && *fullname != '\0' ? fullname : name;
}

/* Whether the caller's token may change things; answers 403 if not. */
static int
can_write(struct req *r)
{
	if (strcmp(r->who->token_role, "write") != 0) {
		resp_error(r, 403, "Forbidden", "This token is read-only");
		return 0;
	}
	return 1;
}

void
api_org_create(struct req *r)
{
	json_object *body, *o;
	const char *name, *fullname;
	struct kerr e;
	int64_t id;

	body = r->json;
	if (!can_write(r))
		return;
	name = jget_str(body, "name");
	fullname = jget_str(body, "fullname");
	if (name == NULL) {
		resp_error(r, 400, "BadRequest", "'name' is required");
		return;
	}
	if (fullname == NULL)
		fullname = "";
	if (org_create(r->hub->db, r->a, name, fullname, r->who->user_id, &id,
	    &e) != 0) {
		resp_kerr(r, &e);
		return;
	}
	o = jobj();
	jset(o, "type", jstr("org"));
	jset(o, "name", jstr(name));
	jset(o, "fullname", jstr(display_name(fullname, name)));
	jset(o, "url", jstr(arena_printf(r->a, "%s/%s", r->endpoint, name)));
	resp_json(r, 200, o);
}

void
api_org_get(struct req *r)
{
	struct ns *ns;
	json_object *o;

	if ((ns = org_find(r, r->args.arg)) == NULL)
		return;
	o = jobj();
	jset(o, "type", jstr("org"));
	jset(o, "name", jstr(ns->name));
	jset(o, "fullname", jstr(display_name(ns->fullname, ns->name)));
	jset(o, "numMembers", jint(ns->members));
	/* Only a member learns that, and its own role. */
	if (ns->role != NULL) {
		jset(o, "isMember", jbool(1));
		jset(o, "roleInOrg", jstr(ns->role));
	}
	resp_json(r, 200, o);
}

void
api_org_members(struct req *r)
{
	struct org_member *v;
	struct ns *ns;
	struct kerr e;
	json_object *list;
	size_t n, i;

	if ((ns = org_find(r, r->args.arg)) == NULL)
		return;
	if (ns->role == NULL) {
		resp_error(r, r->who ? 403 : 401, r->who ? "Forbidden" :
		    "Unauthorized", "Only members of %s see its members",
		    ns->name);
		return;
	}
	if (org_members(r->hub->db, r->a, ns->id, &v, &n, &e) != 0) {
		resp_kerr(r, &e);
		return;
	}
	list = jarr();
	for (i = 0; i < n; i++) {
		json_object *m = jobj();

		jset(m, "type", jstr("user"));
		jset(m, "name", jstr(v[i].name));
		jset(m, "user", jstr(v[i].name));
		jset(m, "fullname", jstr(display_name(v[i].fullname,
		    v[i].name)));
		jset(m, "role", jstr(v[i].role));
		json_object_array_add(list, m);
	}
	resp_json(r, 200, list);
}

/*
 * POST or PUT {role}: adds the member or changes their role; DELETE
 * removes them. Admins only; the last admin can be neither demoted nor
 * removed (400).
 */
void
api_org_member(struct req *r)
{
	json_object *body = NULL, *o;
	struct ns *ns;
	const char *role = NULL;
	char *uname;
	struct kerr e;

	if (r->method != M_DELETE) {
		body = r->json;
		role = jget_str(body, "role");
		if (!org_role_valid(role)) {
			resp_error(r, 400, "BadRequest", "'role' must be read, "
			    "write or admin");
			return;
		}
	}
	if ((ns = org_find(r, r->args.ns)) == NULL)
		return;
	if (ns->role == NULL || strcmp(ns->role, "admin") != 0) {
		resp_error(r, 403, "Forbidden", "Only admins of %s manage "
		    "its members", ns->name);
		return;
	}
	if (!can_write(r))
		return;
	if (org_member_set(r->hub->db, r->a, ns->id, ns->name, r->args.name,
	    role, &uname, &e) != 0) {
		resp_kerr(r, &e);
		return;
	}
	o = jobj();
	if (role != NULL) {
		jset(o, "name", jstr(uname));
		jset(o, "role", jstr(role));
	}
	resp_json(r, 200, o);
}

void
api_user_overview(struct req *r)
{
	struct db_res *res;
	struct ns ns;
	json_object *o, *orgs;
	char *name, *fullname;
	struct dctx x;
	struct kerr e;
	int64_t likes;
	int rc;

	if ((rc = ns_find(r, r->args.arg, &ns)) < 0)
		return;
	if (rc == 0) {
		resp_error(r, 404, "NotFound", "No user or organization named "
		    "%s", r->args.arg ? r->args.arg : "");
		return;
	}
	o = jobj();
	jset(o, "type", jstr(ns.kind));
	jset(o, "name", jstr(ns.name));
	jset(o, "fullname", jstr(display_name(ns.fullname, ns.name)));
	if (!strcmp(ns.kind, "org")) {
		jset(o, "numMembers", jint(ns.members));
		resp_json(r, 200, o);
		return;
	}
	/* A user's organizations: public, as the Hub's profile pages. */
	if (db_exec(r->hub->db, r->a, &res, &SQL_USER_ORGS, db_i(ns.id)) != 0) {
		json_object_put(o);
		resp_db_error(r);
		return;
	}
	orgs = jarr();
	while ((rc = db_row(res, db_out_s(&name), db_out_s(&fullname))) == 1) {
		json_object *org = jobj();

		jset(org, "type", jstr("org"));
		jset(org, "name", jstr(name));
		jset(org, "fullname", jstr(display_name(fullname, name)));
		json_object_array_add(orgs, org);
	}
	if (rc < 0) {
		json_object_put(orgs);
		json_object_put(o);
		resp_db_error(r);
		return;
	}
	jset(o, "orgs", orgs);
	/* what huggingface_hub's User reads */
	jset(o, "user", jstr(ns.name));
	jset(o, "avatarUrl", jstr(""));
	/* the likes this caller may see (those list_liked_repos() lists) */
	x = req_dctx(r);
	if (likes_count(&x, ns.id, &likes, &e) != 0) {
		json_object_put(o);
		resp_kerr(r, &e);
		return;
	}
	jset(o, "numLikes", jint(likes));
	resp_json(r, 200, o);
}
