/*
 * api_gated.c: gated repositories (gated.c) over HTTP: who may download
 * (api_gate_check(), called by every path that hands out a file's bytes),
 * auth-check, asking for access, and the writers' access-request calls as
 * huggingface_hub sends them (list by status, handle, grant).
 *
 * A denied download is 401 for an anonymous caller and 403 for a user,
 * X-Error-Code GatedRepo, with the Hub's message in X-Error-Message (which
 * a HEAD answer, bodiless, carries alone). A private repository the caller
 * may not read is RepoNotFound everywhere here, as a missing one.
 */
#include <string.h>

#include "api.h"
#include "api_repo.h"
#include "auth.h"
#include "gated.h"
#include "jsonutil.h"

#define GATE_PAGE	500	/* requests a page, unless ?limit= (v0 of
				 * huggingface_hub reads only the first) */
#define GATE_PAGE_MAX	1000

int
api_gate_check(struct req *r, const struct repo *repo, int *status,
    const char **msg)
{
	const char *kind = repo_type_name(repo->type);
	enum gate_verdict v;
	struct dctx x;
	struct kerr e;

	if (repo->gated == GATE_OFF || repo->member)
		return 0;	/* the hot path: nothing to look up */
	x = req_dctx(r);
	if (gate_verdict(&x, repo->id, repo->gated, repo->member, &v,
	    &e) != 0) {
		resp_kerr(r, &e);
		return -1;
	}
	*status = v == GATE_LOGIN ? 401 : 403;
	switch (v) {
	case GATE_PASS:
		return 0;
	case GATE_LOGIN:
		*msg = arena_printf(r->a, "Access to %s %s is restricted. You "
		    "must have access to it and be authenticated to access "
		    "it. Please log in.", kind, repo->full);
		break;
	case GATE_PENDING:
		*msg = arena_printf(r->a, "Your request to access %s %s is "
		    "awaiting a review from the repo authors.", kind,
		    repo->full);
		break;
	case GATE_REJECTED:
		*msg = arena_printf(r->a, "Your request to access %s %s has "
		    "been rejected by the repo's authors.", kind, repo->full);
		break;
	case GATE_ASK:
		*msg = arena_printf(r->a, "Access to %s %s is restricted and "
		    "you are not in the authorized list. Visit %s to ask for "
		    "access.", kind, repo->full, repo_url(r, repo));
		break;
	}
	return 1;
}

int
api_gate_files(struct req *r, const struct repo *repo)
{
	const char *msg;
	int status, rc;

	if ((rc = api_gate_check(r, repo, &status, &msg)) == 1)
		resp_error(r, status, "GatedRepo", "%s", msg);
	return rc != 0 ? -1 : 0;
}

/* The body's "user" (the clients always send it), or NULL after 400. */
static const char *
user_of(struct req *r, json_object *body)
{
	const char *user = jget_str(body, "user");

	if (user == NULL)
		resp_error(r, 400, "BadRequest", "'user' is required");
	return user;
}

/* The answer of a domain call that failed, or 0. */
static int
answered(struct req *r, int rc, const struct kerr *e)
{
	if (rc != 0)
		resp_kerr(r, e);
	return rc;
}

void
api_auth_check(struct req *r)
{
	if (api_gate_files(r, r->repo) != 0)
		return;
	resp_json(r, 200, jobj());
}

void
api_auth_check_write(struct req *r)
{
	/* the route's line opened the repository for ACCESS_WRITE */
	resp_json(r, 200, jobj());
}

/* The answers of an ask body: a JSON object of strings, or none (the web
 * form may have no fields, and the clients post no body). The route reads
 * it (BODY_JSON_OPT, at most ASK_BODY_MAX bytes), once the repository
 * and the caller are known. */
static int
fields_of(struct req *r, const char **out)
{
	json_object *o;

	*out = NULL;
	if (req_read_body(r) != 0)
		return -1;
	if ((o = r->json) == NULL)
		return 0;
	json_object_object_foreach(o, k, v) {
		(void)k;
		if (!json_object_is_type(v, json_type_string)) {
			resp_error(r, 400, "BadRequest", "Each answer must be "
			    "a string");
			return -1;
		}
	}
	if (json_object_object_length(o) > 0)
		*out = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	return 0;
}

void
api_ask_access(struct req *r)
{
	struct repo *repo = r->repo;
	const char *fields, *status;
	json_object *o;
	struct dctx x;
	struct kerr e;

	if (auth_require_write(r) != 0 || fields_of(r, &fields) != 0)
		return;
	x = req_dctx(r);
	if (answered(r, gate_ask(&x, repo->id, repo->gated, repo->member,
	    fields, &status, &e), &e) != 0)
		return;
	o = jobj();
	jset(o, "status", jstr(status));
	resp_json(r, 200, o);
}

void
api_access_requests(struct req *r)
{
	struct gate_req *q;
	struct repo *repo = r->repo;
	json_object *a, *o, *u, *f;
	struct dctx x;
	struct kerr e;
	size_t limit, n, i;
	int64_t after;

	if (req_page(r, GATE_PAGE, GATE_PAGE_MAX, &limit, &after) != 0)
		return;
	x = req_dctx(r);
	/* one more than the page: whether another follows */
	if (answered(r, gate_list(&x, repo->id, repo->gated, r->args.arg,
	    after, limit + 1, &q, &n, &e), &e) != 0)
		return;
	a = jarr();
	for (i = 0; i < n && i < limit; i++) {
		o = jobj();
		u = jobj();
		jset(u, "user", jstr(q[i].user));
		jset(u, "fullname", jstr(q[i].fullname));
		if (q[i].email != NULL)
			jset(u, "email", jstr(q[i].email));
		jset(u, "avatarUrl", jstr(""));
		jset(u, "type", jstr("user"));
		jset(o, "user", u);
		jset(o, "status", jstr(q[i].status));
		jset(o, "timestamp", jstr(iso_time_ms(r->a, q[i].created_ms)));
		if (q[i].fields != NULL &&
		    (f = json_tokener_parse(q[i].fields)) != NULL)
			jset(o, "fields", f);
		if (q[i].reason != NULL)
			jset(o, "rejectionReason", jstr(q[i].reason));
		json_object_array_add(a, o);
	}
	if (n > limit)
		resp_link_next(r, arena_printf(r->a, "/api/%s/%s/"
		    "user-access-request/%s", repo_type_plural(repo->type),
		    repo->full, r->args.arg), arena_printf(r->a, "%lld",
		    (long long)q[limit - 1].id));
	resp_json(r, 200, a);
}

void
api_access_handle(struct req *r)
{
	struct repo *repo = r->repo;
	json_object *body, *v;
	const char *reason = NULL, *user;
	struct dctx x;
	struct kerr e;

	if (req_read_body(r) != 0 ||
	    (user = user_of(r, body = r->json)) == NULL)
		return;
	if (json_object_object_get_ex(body, "rejectionReason", &v) &&
	    v != NULL && (reason = jget_str(body, "rejectionReason")) ==
	    NULL) {
		resp_error(r, 400, "BadRequest", "'rejectionReason' must be a "
		    "string");
		return;
	}
	x = req_dctx(r);
	if (answered(r, gate_handle(&x, repo->id, repo->gated, user,
	    jget_str(body, "status"), reason, &e), &e) != 0)
		return;
	resp_json(r, 200, jobj());
}

void
api_access_grant(struct req *r)
{
	struct repo *repo = r->repo;
	json_object *body, *o;
	const char *user;
	struct dctx x;
	struct kerr e;
	char *name;

	if (req_read_body(r) != 0 ||
	    (user = user_of(r, body = r->json)) == NULL)
		return;
	x = req_dctx(r);
	if (answered(r, gate_grant(&x, repo->id, repo->gated, repo->owner_id,
	    user, &name, &e), &e) != 0)
		return;
	o = jobj();
	jset(o, "user", jstr(name));
	jset(o, "status", jstr("accepted"));
	resp_json(r, 200, o);
}
