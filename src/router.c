/*
 * router.c: the route table and a small backtracking matcher over it.
 */
#include <string.h>

#include "api.h"
#include "api_repo.h"
#include "auth.h"
#include "cors.h"
#include "router.h"
#include "ui.h"

/* Columns that many lines share: a page's form (read by ui_form(), after
 * the page's errors became pages), and a discussion call's small optional
 * JSON (read once the repository is open). */
#define PAGE_FORM	BODY_FORM | BODY_LATE, UI_FORM_MAX
#define DISCUSSION	AUTH_ANY, ACCESS_READ, BODY_JSON_OPT | BODY_LATE, \
	DISCUSSION_BODY_MAX

/* Every endpoint of the server: one line each. Columns a line leaves out
 * are 0 (AUTH_ANY, ACCESS_NONE, BODY_NONE): the table reads as the routes
 * differ. A route on a repository whose line opens none says why. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
const struct route router_table[] = {
	/* api_account.c (whoami), api_health.c */
	{ M_GET,	"/api/whoami-v2",	api_whoami, AUTH_USER },
	{ M_GET,	"/api/health",		api_health },
	{ M_GET,	"/metrics",		api_metrics },
	/* api_admin.c: the admin API */
	{ M_GET | M_POST, "/api/admin/users",	api_admin_users, AUTH_ADMIN,
	    ACCESS_NONE, BODY_JSON },
	{ M_PUT,	"/api/admin/users/{arg}", api_admin_user, AUTH_ADMIN,
	    ACCESS_NONE, BODY_JSON },
	{ M_GET,	"/api/admin/namespaces/{arg}", api_admin_namespace,
	    AUTH_ADMIN },
	{ M_GET,	"/api/admin/storage",	api_admin_storage, AUTH_ADMIN },
	/* api_account.c: the Authentication API (sessions, tokens) */
	{ M_POST,	"/api/auth/register",	api_auth_register, AUTH_ANY,
	    ACCESS_NONE, BODY_JSON | BODY_LATE },
	{ M_POST,	"/api/auth/login",	api_auth_login, AUTH_ANY,
	    ACCESS_NONE, BODY_JSON },
	{ M_POST,	"/api/auth/logout",	api_auth_logout },
	{ M_GET,	"/api/auth/me",		api_auth_me, AUTH_USER },
	{ M_GET,	"/api/auth/tokens",	api_tokens_list, AUTH_USER },
	{ M_POST,	"/api/auth/tokens/create", api_token_create, AUTH_USER,
	    ACCESS_NONE, BODY_JSON | BODY_LATE },
	{ M_DELETE,	"/api/auth/tokens/{arg}", api_token_delete, AUTH_USER },
	/* api_orgs.c: organizations and users */
	{ M_POST,	"/org/create",		api_org_create, AUTH_USER,
	    ACCESS_NONE, BODY_JSON },
	{ M_GET,	"/org/{arg}",		api_org_get, AUTH_IDENTIFY },
	{ M_GET,	"/org/{arg}/members",	api_org_members, AUTH_IDENTIFY },
	{ M_POST | M_PUT | M_DELETE, "/org/{ns}/members/{name}",
	    api_org_member, AUTH_USER, ACCESS_NONE, BODY_JSON },
	{ M_GET,	"/api/users/{arg}/overview", api_user_overview,
	    AUTH_IDENTIFY },
	/* api_repos.c: repositories as a whole; delete and move name their
	 * repository in the body */
	{ M_POST,	"/api/repos/create",	api_repo_create, AUTH_USER,
	    ACCESS_NONE, BODY_JSON },
	{ M_DELETE,	"/api/repos/delete",	api_repo_delete, AUTH_IDENTIFY,
	    ACCESS_NONE, BODY_JSON },
	{ M_POST,	"/api/repos/move",	api_repo_move, AUTH_IDENTIFY,
	    ACCESS_NONE, BODY_JSON },
	{ M_PUT,	"/api/{type}/{id}/settings", api_repo_settings, AUTH_ANY,
	    ACCESS_ADMIN, BODY_JSON | BODY_LATE },
	/* api_info.c: information and listings. A repository's info opens
	 * it itself: its query's 400s (blobs, expand) come before the
	 * lookup. */
	{ M_GET,	"/api/{type}",		api_repo_list, AUTH_IDENTIFY },
	{ M_GET,	"/api/users/{arg}/repos", api_user_repos, AUTH_IDENTIFY },
	{ M_GET,	"/api/{type}/{id}", api_repo_info },
	{ M_GET,	"/api/{type}/{id}/revision/{rev}", api_repo_info },
	/* api_tree.c: files of a revision. A listing opens its repository
	 * itself (repo_open_page()): a bad cursor is a 400 before the
	 * lookup, and a later page reads the commit the cursor names. */
	{ M_GET,	"/api/{type}/{id}/tree/{rev}/{path*}", api_tree },
	{ M_POST,	"/api/{type}/{id}/paths-info/{rev}",
	    api_paths_info, AUTH_ANY, ACCESS_READ | REPO_AT_REV,
	    BODY_JSON_OR_FORM | BODY_LATE },
	/* api_commit.c: the write path. Its routes open the repository
	 * themselves: what they need depends on the request (a pull
	 * request's ref, or ?create_pr, lets a reader write; pr_need()). */
	{ M_POST,	"/api/{type}/{id}/preupload/{rev}",
	    api_preupload, AUTH_ANY, ACCESS_NONE, BODY_JSON | BODY_LATE },
	{ M_POST,	"/api/{type}/{id}/commit/{rev}", api_commit, AUTH_ANY,
	    ACCESS_NONE, BODY_NDJSON | BODY_LATE },
	{ M_POST,	"/api/validate-yaml",	api_validate_yaml, AUTH_ANY,
	    ACCESS_NONE, BODY_JSON },
	/* api_refs.c: branches, tags, history. The branch line opens its
	 * repository itself: a new branch is looked up at the body's
	 * startingPoint, in the same query. */
	{ M_GET,	"/api/{type}/{id}/refs", api_refs, AUTH_ANY,
	    ACCESS_READ },
	{ M_GET,	"/api/{type}/{id}/commits/{rev}", api_commits, AUTH_ANY,
	    ACCESS_READ | REPO_AT_REV },
	{ M_POST | M_DELETE, "/api/{type}/{id}/branch/{arg}",
	    api_branch, AUTH_ANY, ACCESS_NONE, BODY_JSON_OPT, REF_BODY_MAX },
	{ M_POST,	"/api/{type}/{id}/tag/{rev}", api_tag_create, AUTH_ANY,
	    ACCESS_WRITE | REPO_AT_REV, BODY_JSON_OPT | BODY_LATE,
	    REF_BODY_MAX },
	{ M_DELETE,	"/api/{type}/{id}/tag/{arg}", api_tag_delete, AUTH_ANY,
	    ACCESS_WRITE },
	/* api_discussions.c: discussions and pull requests; {rev} of a
	 * comment route is the comment's id */
	{ M_GET | M_POST, "/api/{type}/{id}/discussions", api_discussions,
	    DISCUSSION },
	{ M_GET,	"/api/{type}/{id}/discussions/{arg}", api_discussion,
	    AUTH_ANY, ACCESS_READ },
	{ M_POST,	"/api/{type}/{id}/discussions/{arg}/comment",
	    api_discussion_comment, DISCUSSION },
	{ M_POST,	"/api/{type}/{id}/discussions/{arg}/comment/{rev}/edit",
	    api_discussion_comment_edit, DISCUSSION },
	{ M_POST,	"/api/{type}/{id}/discussions/{arg}/comment/{rev}/hide",
	    api_discussion_comment_hide, DISCUSSION },
	{ M_POST,	"/api/{type}/{id}/discussions/{arg}/title",
	    api_discussion_title, DISCUSSION },
	{ M_POST,	"/api/{type}/{id}/discussions/{arg}/status",
	    api_discussion_status, DISCUSSION },
	{ M_POST,	"/api/{type}/{id}/discussions/{arg}/merge",
	    api_discussion_merge, DISCUSSION },
	/* api_resolve.c: downloads, every URL form. They open their
	 * repository themselves: the hot path answers from the resolve
	 * cache with no database round trip before any lookup. */
	{ M_GET,	"/api/{type}/{id}/resolve/{rev}/{path*}",
	    api_resolve },
	{ M_GET,	"/{repo}/resolve/{rev}/{path*}", api_resolve },
	{ M_GET,	"/{repo}/raw/{rev}/{path*}", api_raw },
	/* api_likes.c: likes */
	{ M_POST | M_DELETE, "/api/{type}/{id}/like", api_like, AUTH_ANY,
	    ACCESS_READ },
	{ M_GET,	"/api/{type}/{id}/likers", api_repo_likers, AUTH_ANY,
	    ACCESS_READ },
	{ M_GET,	"/api/users/{arg}/likes", api_user_likes,
	    AUTH_IDENTIFY },
	/* api_gated.c: gated repositories */
	{ M_GET,	"/api/{type}/{id}/auth-check", api_auth_check, AUTH_ANY,
	    ACCESS_READ },
	{ M_GET,	"/api/{type}/{id}/auth-check/write",
	    api_auth_check_write, AUTH_ANY, ACCESS_WRITE },
	{ M_POST,	"/api/{type}/{id}/ask-access", api_ask_access,
	    AUTH_ANY, ACCESS_READ, BODY_JSON_OPT | BODY_LATE, ASK_BODY_MAX },
	{ M_GET,	"/api/{type}/{id}/user-access-request/{arg}",
	    api_access_requests, AUTH_ANY, ACCESS_WRITE },
	{ M_POST,	"/api/{type}/{id}/user-access-request/handle",
	    api_access_handle, AUTH_ANY, ACCESS_WRITE, BODY_JSON | BODY_LATE },
	{ M_POST,	"/api/{type}/{id}/user-access-request/grant",
	    api_access_grant, AUTH_ANY, ACCESS_WRITE, BODY_JSON | BODY_LATE },
	/* api_lfs.c: the git-lfs batch API and its callbacks. They open
	 * their repository themselves: an upload's need depends on the
	 * caller's token and the body's ref (upload_need()), and their
	 * errors are git-lfs's JSON. */
	{ M_POST,	"/{repo.git}/info/lfs/objects/batch", api_lfs_batch,
	    AUTH_ANY, ACCESS_NONE, BODY_JSON },
	{ M_POST,	"/{repo.git}/info/lfs/objects/verify", api_lfs_verify,
	    AUTH_IDENTIFY, ACCESS_NONE, BODY_JSON | BODY_LATE },
	{ M_POST,	"/{repo.git}/info/lfs/objects/complete/{arg}",
	    api_lfs_complete, AUTH_ANY, ACCESS_NONE, BODY_JSON | BODY_LATE },
	/* api_git.c: git clone, fetch and ls-remote (smart HTTP). They open
	 * their repository themselves: a refusal is git's own error and a
	 * Basic challenge, and fetch or push decides the access. */
	{ M_GET,	"/{repo.git}/info/refs", api_git_info_refs },
	{ M_GET,	"/{repo}/info/refs",	api_git_info_refs },
	{ M_POST,	"/{repo.git}/git-upload-pack", api_git_upload_pack },
	{ M_POST,	"/{repo}/git-upload-pack", api_git_upload_pack },
	{ M_POST,	"/{repo.git}/git-receive-pack", api_git_receive_pack },
	{ M_POST,	"/{repo}/git-receive-pack", api_git_receive_pack },
	/* ui_account.c, ui_layout.c: the login form, the stylesheet. Log
	 * in, log out and sign up check their forms' tokens themselves:
	 * signed out, a refusal is the form again, and logging out with no
	 * session needs no token. */
	{ M_GET | M_POST, "/login",	ui_login, AUTH_PAGE, ACCESS_NONE,
	    PAGE_FORM },
	{ M_POST,	"/logout",	ui_logout, AUTH_PAGE, ACCESS_NONE,
	    PAGE_FORM },
	/* ui_settings.c: tokens, sign-up, a new organization */
	{ M_GET | M_POST, "/settings/tokens", ui_tokens, AUTH_PAGE_USER,
	    ACCESS_NONE, PAGE_FORM },
	{ M_GET | M_POST, "/join",	ui_join, AUTH_PAGE, ACCESS_NONE,
	    PAGE_FORM },
	{ M_GET | M_POST, "/organizations/new", ui_org_new, AUTH_PAGE_USER,
	    ACCESS_NONE, PAGE_FORM },
	{ M_GET | M_POST, "/organizations/{arg}/settings/members",
	    ui_org_members, AUTH_PAGE_USER, ACCESS_NONE, PAGE_FORM },
	{ M_GET,	"/static/khub.css", ui_static_css },
	/* ui_*.c: pages at the Hub's URLs, when no route above takes the
	 * path (R_PAGE); /{arg} is a profile, or a canonical model's page
	 * (then ui_profile() opens it). A folder opens its repository
	 * itself, as the API's listing. */
	{ M_GET | R_PAGE,	"/",		ui_list, AUTH_PAGE },
	{ M_GET | R_PAGE,	"/{type}",	ui_list, AUTH_PAGE },
	{ M_GET | R_PAGE,	"/{repo}",	ui_repo, AUTH_PAGE,
	    ACCESS_READ | REPO_AT_REV },
	{ M_GET | R_PAGE,	"/{repo}/tree/{rev}/{path*}", ui_tree,
	    AUTH_PAGE },
	{ M_GET | R_PAGE,	"/{repo}/blob/{rev}/{path*}", ui_blob,
	    AUTH_PAGE, ACCESS_READ | REPO_AT_REV },
	{ M_GET | R_PAGE,	"/{repo}/commits/{rev}", ui_log, AUTH_PAGE,
	    ACCESS_READ | REPO_AT_REV },
	{ M_GET | R_PAGE,	"/{repo}/commit/{rev}", ui_commit, AUTH_PAGE,
	    ACCESS_READ | REPO_AT_REV },
	{ M_GET | R_PAGE,	"/{repo}/discussions", ui_discussions,
	    AUTH_PAGE, ACCESS_READ },
	{ M_GET | M_POST | R_PAGE, "/{repo}/settings", ui_repo_settings,
	    AUTH_PAGE_USER, ACCESS_ADMIN, PAGE_FORM },
	{ M_GET | M_POST | R_PAGE, "/{repo}/discussions/{arg}",
	    ui_discussion, AUTH_PAGE_FORM, ACCESS_READ, PAGE_FORM },
	{ M_GET | R_PAGE,	"/{arg}",	ui_profile, AUTH_PAGE },
};
#pragma GCC diagnostic pop
const size_t router_table_len = sizeof(router_table) /
    sizeof(router_table[0]);

/* The next '/'-separated part of the pattern at *p, into part. */
static int
next_part(const char **p, char *part, size_t size)
{
	const char *s = *p, *e;

	if (*s == '\0')
		return 0;
	s++;				/* the '/' */
	e = strchr(s, '/');
	if (e == NULL)
		e = s + strlen(s);
	if ((size_t)(e - s) >= size)
		return -1;
	memcpy(part, s, (size_t)(e - s));
	part[e - s] = '\0';
	*p = e;
	return 1;
}

/* Which forms of a repository id a match tries: first only "ns/name",
 * then, when no route took the path, also the canonical "name". */
enum pass { NAMESPACED, CANONICAL };

static int	match(struct req *, const char *pat, size_t i,
		    struct route_args *, enum pass);

/* Whether segs[at] is a type prefix: never a namespace of a bare model
 * id (name_reserved() refuses them), so /datasets/squad/... is typed. */
static int
is_type(struct req *r, size_t at)
{
	enum repo_type t;

	return at < r->nsegs && repo_type_of_plural(r->segs[at], &t) == 0;
}

/* Takes a repository id at segment at: "ns/name" (ns "" and "name" in
 * the canonical pass); the next segment to match, or 0 when none fits. */
static size_t
take_id(struct req *r, size_t at, enum pass pass, struct route_args *a)
{
	if (pass == CANONICAL) {
		if (at >= r->nsegs || *r->segs[at] == '\0')
			return 0;
		a->ns = "";
		a->name = r->segs[at];
		return at + 1;
	}
	if (at + 2 > r->nsegs || *r->segs[at] == '\0' ||
	    *r->segs[at + 1] == '\0')
		return 0;
	a->ns = r->segs[at];
	a->name = r->segs[at + 1];
	return at + 2;
}

/* Tries {repo} / {repo.git} at segment i: the typed form first, then the
 * bare model form. */
static int
match_repo(struct req *r, const char *rest, size_t i, int git,
    struct route_args *a, enum pass pass)
{
	struct route_args save = *a;
	size_t k, at, len;

	for (k = 0; k < 2; k++) {
		*a = save;
		at = i;
		if (k == 0) {
			if (!is_type(r, at))
				continue;
			repo_type_of_plural(r->segs[at++], &a->type);
		} else {
			if (pass == NAMESPACED && is_type(r, at))
				continue;
			a->type = REPO_MODEL;
		}
		if ((at = take_id(r, at, pass, a)) == 0)
			continue;
		if (git) {
			len = strlen(a->name);
			if (len <= 4 || strcmp(a->name + len - 4, ".git") != 0)
				continue;
			a->name = arena_strndup(r->a, a->name, len - 4);
		}
		if (match(r, rest, at, a, pass))
			return 1;
	}
	*a = save;
	return 0;
}

/* Does the pattern from pat match the segments from i on? */
static int
match(struct req *r, const char *pat, size_t i, struct route_args *a,
    enum pass pass)
{
	char part[64];
	const char *rest = pat;
	const char *seg;
	size_t at;
	int got;

	got = next_part(&rest, part, sizeof(part));
	if (got <= 0)
		return got == 0 && i == r->nsegs;
	if (!strcmp(part, "{repo}") || !strcmp(part, "{repo.git}"))
		return match_repo(r, rest, i, part[5] == '.', a, pass);
	if (!strcmp(part, "{id}"))
		return (at = take_id(r, i, pass, a)) != 0 &&
		    match(r, rest, at, a, pass);
	if (!strcmp(part, "{path*}")) {
		struct buf b;
		size_t k;

		if (*rest != '\0')
			return 0;	/* {path*} comes last */
		buf_init(&b, r->a);
		for (k = i; k < r->nsegs; k++) {
			if (k > i)
				buf_addc(&b, '/');
			buf_adds(&b, r->segs[k]);
		}
		a->path = b.data;
		return 1;
	}
	if (i >= r->nsegs)
		return 0;
	seg = r->segs[i];
	if (part[0] != '{') {
		if (strcmp(part, seg) != 0)
			return 0;
	} else if (*seg == '\0')
		return 0;		/* captures are never empty */
	else if (!strcmp(part, "{type}")) {
		if (repo_type_of_plural(seg, &a->type) != 0)
			return 0;
	} else if (!strcmp(part, "{ns}"))
		a->ns = seg;
	else if (!strcmp(part, "{name}"))
		a->name = seg;
	else if (!strcmp(part, "{rev}"))
		a->rev = seg;
	else if (!strcmp(part, "{arg}"))
		a->arg = seg;
	else
		return 0;		/* a typo in the table matches nothing */
	return match(r, rest, i + 1, a, pass);
}

size_t
router_patterns(const char **names, size_t max)
{
	size_t n = router_table_len, i;

	for (i = 0; i < n && i < max; i++)
		names[i] = router_table[i].pattern;
	return i;
}

/* One walk of the table over the routes with flags R_PAGE or not; with
 * strict, only over those that take the request's method (no 405). */
static const struct route *
match_table(const struct route *table, size_t n, struct req *r,
    unsigned flags, bool strict, int *status, unsigned *allowed)
{
	enum pass pass;
	size_t k;

	/* A path some route takes with "ns/name" never means a canonical
	 * repository: those come second. */
	for (pass = NAMESPACED; pass <= CANONICAL; pass++) {
		for (k = 0; k < n; k++) {
			struct route_args a;

			if ((table[k].methods & R_PAGE) != flags ||
			    (strict && !(table[k].methods & r->method)))
				continue;
			memset(&a, 0, sizeof(a));
			a.path = "";
			if (!match(r, table[k].pattern, 0, &a, pass))
				continue;
			/* HEAD is served wherever GET is. */
			if (table[k].methods & r->method ||
			    (r->method == M_HEAD &&
			    table[k].methods & M_GET)) {
				r->args = a;
				return &table[k];
			}
			*status = 405;
			*allowed |= table[k].methods;
		}
		if (*status == 405)
			break;
	}
	return NULL;
}

const struct route *
router_match(const struct route *table, size_t n, struct req *r,
    int *status, unsigned *allowed)
{
	const struct route *rt;

	*status = 404;
	*allowed = 0;
	if ((rt = match_table(table, n, r, 0, false, status, allowed)) != NULL ||
	    *status == 405)
		return rt;
	/* Then the pages (R_PAGE): what no API route takes. A page's form
	 * POSTs to its own page; any other POST stays a 404. */
	if (!(r->method & (M_GET | M_HEAD | M_POST)) || (r->nsegs > 0 &&
	    !strcmp(r->segs[0], "api")))
		return NULL;
	return match_table(table, n, r, R_PAGE, r->method == M_POST, status,
	    allowed);
}

char *
router_here(struct req *r)
{
	const char *p = r->route != NULL ? r->route : "";
	char part[64];
	struct buf b;

	buf_init(&b, r->a);
	while (next_part(&p, part, sizeof(part)) == 1) {
		buf_addc(&b, '/');
		if (!strcmp(part, "{repo}"))
			buf_printf(&b, "%s%s", repo_type_prefix(r->args.type),
			    html_url(r->a, repo_id_of(r->a, r->args.ns,
			    r->args.name), true));
		else if (!strcmp(part, "{arg}"))
			buf_adds(&b, html_url(r->a, r->args.arg, false));
		else
			buf_adds(&b, part);
	}
	if (b.len == 0)
		buf_addc(&b, '/');
	return b.data;
}

/* A page's caller (AUTH_PAGE...): its errors pages from here on; a form
 * of a person signed in read and proved, a GET's person signed in. */
static int
prepare_page(const struct route *rt, struct req *r)
{
	struct qarg *q;
	size_t n;

	if (ui_begin(r) != 0)
		return -1;
	if (rt->auth == AUTH_PAGE)
		return 0;
	if (r->method == M_POST) {
		if ((q = ui_form(r, &n)) == NULL ||
		    !ui_form_session(r, q, n, router_here(r)))
			return -1;
	} else if (rt->auth == AUTH_PAGE_USER &&
	    !ui_logged_in(r, router_here(r)))
		return -1;
	return 0;
}

int
router_prepare(const struct route *rt, struct req *r)
{
	unsigned with_body = M_POST | M_PUT | M_PATCH;
	enum access need = (enum access)(rt->repo & REPO_ACCESS);

	r->route = rt->pattern;
	if ((rt->methods & ~R_PAGE) == M_DELETE)
		with_body |= M_DELETE;
	r->body_kind = r->method & with_body ? rt->body : BODY_NONE;
	r->body_max = rt->body_max;
	switch (rt->auth) {
	case AUTH_ANY:
		break;
	case AUTH_IDENTIFY:
		if (auth_identify(r) != 0)
			return -1;
		break;
	case AUTH_USER:
		if (auth_require(r) != 0)
			return -1;
		break;
	case AUTH_ADMIN:
		if (auth_admin(r) != 0)
			return -1;
		break;
	case AUTH_PAGE:
	case AUTH_PAGE_FORM:
	case AUTH_PAGE_USER:
		if (prepare_page(rt, r) != 0)
			return -1;
		break;
	}
	if (!(r->body_kind & BODY_LATE) && req_read_body(r) != 0)
		return -1;
	if (need != ACCESS_NONE && (r->repo = repo_open_rev(r, need,
	    rt->repo & REPO_AT_REV ? r->args.rev != NULL ? r->args.rev :
	    "main" : NULL)) == NULL)
		return -1;
	return 0;
}

void
router_dispatch(struct req *r)
{
	static const char *names[] = { "GET", "HEAD", "POST", "PUT", "DELETE",
	    "OPTIONS", "PATCH" };
	const struct route *rt;
	const char *accept;
	unsigned allowed;
	int status;

	if (cors_preflight(r))
		return;
	rt = router_match(router_table, router_table_len, r, &status,
	    &allowed);
	if (rt != NULL) {
		r->route_index = (size_t)(rt - router_table);
		if (router_prepare(rt, r) == 0)
			rt->fn(r);
		return;
	}
	if (status == 405) {
		struct buf b;
		size_t k;

		buf_init(&b, r->a);
		for (k = 0; k < sizeof(names) / sizeof(names[0]); k++)
			if (allowed & 1u << k)
				buf_printf(&b, "%s%s", b.len ? ", " : "",
				    names[k]);
		resp_header(r, "Allow", "%s", b.data);
		resp_error(r, 405, "MethodNotAllowed", "Method %s is not "
		    "allowed here", r->method_name);
		return;
	}
	/* A browser asking for a page that is none gets one that says so. */
	accept = req_header(r, "Accept");
	if (accept != NULL && strstr(accept, "text/html") != NULL &&
	    (r->nsegs == 0 || strcmp(r->segs[0], "api") != 0)) {
		ui_not_found(r);
		return;
	}
	resp_error(r, 404, "NotFound", "No such endpoint: %s %s",
	    r->method_name, r->uri);
}
