/*
 * test_route.c: percent-decoding, path splitting, and the router on every
 * URL form of the protocol notes.
 */
#include "check.h"
#include "fakereq.h"
#include "api.h"
#include "jsonutil.h"
#include "repo.h"
#include "router.h"
#include "ui.h"
#include "url.h"

/* The server's own table (router.c), not a copy: what these tests pin
 * is what the server routes by. */
#define h_info		api_repo_info
#define h_resolve	api_resolve
#define h_tree		api_tree
#define h_lfs		api_lfs_batch
#define h_branch	api_branch
#define h_list		api_repo_list

struct fake f;

static const struct route *
route(const char *method, const char *uri, int *status)
{
	static char m[64], u[8192];
	const char *vars[] = { m, u, NULL };
	unsigned allowed;

	snprintf(m, sizeof(m), "REQUEST_METHOD=%s", method);
	snprintf(u, sizeof(u), "REQUEST_URI=%s", uri);
	fake_end(&f);
	if (fake_begin(&f, vars, NULL) != 0) {
		*status = f.r.status;
		return NULL;
	}
	return router_match(router_table, router_table_len, &f.r, status,
	    &allowed);
}

static void
test_decode(void)
{
	struct arena a;

	arena_init(&a, 1024);
	CHECK_STR(url_decode(&a, "a%2Fb%20c", 9, false), "a/b c");
	CHECK_STR(url_decode(&a, "a+b", 3, false), "a+b");
	CHECK_STR(url_decode(&a, "a+b", 3, true), "a b");
	CHECK_STR(url_decode(&a, "%e2%9C%93", 9, false), "\xe2\x9c\x93");
	CHECK(url_decode(&a, "%", 1, false) == NULL);
	CHECK(url_decode(&a, "%4", 2, false) == NULL);
	CHECK(url_decode(&a, "%4g", 3, false) == NULL);
	CHECK(url_decode(&a, "a%00", 4, false) == NULL);
	/* only n bytes are read */
	CHECK_STR(url_decode(&a, "ab%41", 2, false), "ab");
	arena_free(&a);
}

static void
test_split(void)
{
	struct arena a;
	char **s;
	size_t n;

	arena_init(&a, 1024);
	CHECK(url_split_path(&a, "/a/b%2Fc/", 9, &s, &n) == 0);
	CHECK(n == 3);
	CHECK_STR(s[0], "a");
	CHECK_STR(s[1], "b/c");
	CHECK_STR(s[2], "");
	CHECK(url_split_path(&a, "/", 1, &s, &n) == 0 && n == 1);
	CHECK(url_split_path(&a, "a/b", 3, &s, &n) == -1);
	CHECK(url_split_path(&a, "/%zz", 4, &s, &n) == -1);
	arena_free(&a);
}

static void
test_encode(void)
{
	struct arena a;
	struct buf b;

	arena_init(&a, 1024);
	buf_init(&b, &a);
	url_encode(&b, "a b/c?d%e~", 10, true);
	CHECK_STR(b.data, "a%20b/c%3Fd%25e~");
	buf_init(&b, &a);
	url_encode(&b, "refs/pr/1", 9, false);
	CHECK_STR(b.data, "refs%2Fpr%2F1");
	arena_free(&a);
}

static void
test_api_forms(void)
{
	const struct route *rt;
	int st;

	rt = route("GET", "/api/models/alice/bert", &st);
	CHECK(rt != NULL && rt->fn == h_info);
	CHECK(f.r.args.type == REPO_MODEL);
	CHECK_STR(f.r.args.ns, "alice");
	CHECK_STR(f.r.args.name, "bert");

	rt = route("GET", "/api/datasets/org/data/tree/refs%2Fpr%2F1/a%2Fb%20c",
	    &st);
	CHECK(rt != NULL && rt->fn == h_tree);
	CHECK(f.r.args.type == REPO_DATASET);
	CHECK_STR(f.r.args.rev, "refs/pr/1");
	CHECK_STR(f.r.args.path, "a/b c");

	rt = route("GET", "/api/spaces/o/s/tree/main", &st);
	CHECK(rt != NULL && rt->fn == h_tree);
	CHECK(f.r.args.type == REPO_SPACE);
	CHECK_STR(f.r.args.path, "");

	rt = route("GET", "/api/models?author=x&limit=3", &st);
	CHECK(rt != NULL && rt->fn == h_list);
	rt = route("GET", "/api/kittens/a/b", &st);
	CHECK(rt == NULL && st == 404);
}

static void
test_resolve_forms(void)
{
	const struct route *rt;
	int st;

	/* models without prefix */
	rt = route("GET", "/alice/bert/resolve/main/config.json", &st);
	CHECK(rt != NULL && rt->fn == h_resolve);
	CHECK(f.r.args.type == REPO_MODEL);
	CHECK_STR(f.r.args.ns, "alice");
	CHECK_STR(f.r.args.rev, "main");
	CHECK_STR(f.r.args.path, "config.json");

	/* the seed's /models/ prefix, datasets, spaces */
	rt = route("GET", "/models/alice/bert/resolve/feat%2Fx/a/b.bin", &st);
	CHECK(rt != NULL && f.r.args.type == REPO_MODEL);
	CHECK_STR(f.r.args.ns, "alice");
	CHECK_STR(f.r.args.rev, "feat/x");
	CHECK_STR(f.r.args.path, "a/b.bin");
	rt = route("GET", "/datasets/o/d/resolve/v1.0/train%20(1).csv", &st);
	CHECK(rt != NULL && f.r.args.type == REPO_DATASET);
	CHECK_STR(f.r.args.path, "train (1).csv");
	rt = route("GET", "/spaces/o/s/raw/main/app.py", &st);
	CHECK(rt != NULL && f.r.args.type == REPO_SPACE);
	rt = route("GET", "/api/models/o/m/resolve/main/x", &st);
	CHECK(rt != NULL && rt->fn == h_resolve && f.r.args.type == REPO_MODEL);

	/* A type prefix is never a namespace: here "ns/name" fits nowhere
	 * (the typed form leaves "main" where "resolve" must be), so this is
	 * the canonical model "resolve". */
	rt = route("GET", "/models/resolve/resolve/main/f", &st);
	CHECK(rt != NULL && f.r.args.type == REPO_MODEL);
	CHECK_STR(f.r.args.ns, "");
	CHECK_STR(f.r.args.name, "resolve");
	CHECK_STR(f.r.args.rev, "main");

	/* HEAD is served by GET routes */
	rt = route("HEAD", "/a/b/resolve/main/f", &st);
	CHECK(rt != NULL && rt->fn == h_resolve);
}

/* Repositories without a namespace, on every URL form; "ns/name" wins
 * wherever it fits. */
static void
test_canonical_forms(void)
{
	const struct route *rt;
	int st;

	rt = route("GET", "/api/models/gpt2", &st);
	CHECK(rt != NULL && rt->fn == h_info && f.r.args.type == REPO_MODEL);
	CHECK_STR(f.r.args.ns, "");
	CHECK_STR(f.r.args.name, "gpt2");
	rt = route("GET", "/api/datasets/squad/tree/main/a/b", &st);
	CHECK(rt != NULL && rt->fn == h_tree && f.r.args.type == REPO_DATASET);
	CHECK_STR(f.r.args.ns, "");
	CHECK_STR(f.r.args.name, "squad");
	CHECK_STR(f.r.args.path, "a/b");
	rt = route("GET", "/gpt2/resolve/main/config.json", &st);
	CHECK(rt != NULL && rt->fn == h_resolve && f.r.args.type == REPO_MODEL);
	CHECK_STR(f.r.args.ns, "");
	CHECK_STR(f.r.args.name, "gpt2");
	CHECK_STR(f.r.args.path, "config.json");
	rt = route("GET", "/datasets/squad/resolve/main/x.csv", &st);
	CHECK(rt != NULL && f.r.args.type == REPO_DATASET);
	CHECK_STR(f.r.args.ns, "");
	CHECK_STR(f.r.args.name, "squad");
	rt = route("POST", "/gpt2.git/info/lfs/objects/batch", &st);
	CHECK(rt != NULL && rt->fn == h_lfs);
	CHECK_STR(f.r.args.ns, "");
	CHECK_STR(f.r.args.name, "gpt2");
	/* ns/name first: a user's repository named "tree" */
	rt = route("GET", "/api/models/u/tree", &st);
	CHECK(rt != NULL && rt->fn == h_info);
	CHECK_STR(f.r.args.ns, "u");
	CHECK_STR(f.r.args.name, "tree");
	/* a method that fits a namespaced route is 405, not canonical */
	rt = route("PUT", "/api/models/a/b", &st);
	CHECK(rt == NULL && st == 405);
	rt = route("GET", "/api/models/gpt2/no/such", &st);
	CHECK(rt == NULL);
}

static void
test_lfs_forms(void)
{
	const struct route *rt;
	int st;

	rt = route("POST", "/alice/bert.git/info/lfs/objects/batch", &st);
	CHECK(rt != NULL && rt->fn == h_lfs && f.r.args.type == REPO_MODEL);
	CHECK_STR(f.r.args.name, "bert");
	rt = route("POST", "/datasets/o/d.git/info/lfs/objects/batch", &st);
	CHECK(rt != NULL && f.r.args.type == REPO_DATASET);
	CHECK_STR(f.r.args.name, "d");
	rt = route("POST", "/alice/bert/info/lfs/objects/batch", &st);
	CHECK(rt == NULL && st == 404);
	rt = route("POST", "/alice/.git/info/lfs/objects/batch", &st);
	CHECK(rt == NULL);
}

static void
test_methods(void)
{
	const struct route *rt;
	int st;

	rt = route("DELETE", "/api/models/a/b/branch/dev", &st);
	CHECK(rt != NULL && rt->fn == h_branch);
	CHECK_STR(f.r.args.arg, "dev");
	rt = route("PUT", "/api/models/a/b/branch/dev", &st);
	CHECK(rt == NULL && st == 405);
	rt = route("GET", "/api/repos/create", &st);
	CHECK(rt == NULL && st == 405);
	/* empty segments never capture */
	rt = route("GET", "/api/models//b", &st);
	CHECK(rt == NULL && st == 404);
	rt = route("GET", "/api/nothing/here", &st);
	CHECK(rt == NULL && st == 404);
	/* outside /api/, a page for people takes what no API route does */
	rt = route("GET", "/nothing/here", &st);
	CHECK(rt != NULL && rt->fn == ui_repo && (rt->methods & R_PAGE));
	rt = route("POST", "/nothing/here", &st);
	CHECK(rt == NULL && st == 404);
	rt = route("GET", "/a/b/resolve/main/%zz", &st);
	CHECK(rt == NULL && st == 400);
}

/* What every line of the table promises is something the router can
 * keep: a body only for methods that carry one, a limit only (and
 * always) for the optional small JSON body and a page's form, a page's
 * form read late (after ui_begin(): its errors are pages too) on a
 * page's line, and a repository only where the path names one. */
static void
test_columns(void)
{
	size_t k;

	for (k = 0; k < router_table_len; k++) {
		const struct route *rt = &router_table[k];
		unsigned kind = rt->body & BODY_KIND, m = rt->methods & ~R_PAGE;

		unsigned need = rt->repo & REPO_ACCESS;
		bool page = rt->auth >= AUTH_PAGE;

		CHECK(rt->fn != NULL && rt->pattern != NULL);
		CHECK(rt->auth <= AUTH_PAGE_USER);
		CHECK((rt->repo & ~(REPO_ACCESS | REPO_AT_REV)) == 0);
		CHECK(need <= ACCESS_ADMIN);
		if (need != ACCESS_NONE)
			CHECK(strstr(rt->pattern, "/{type}/{id}") != NULL ||
			    !strncmp(rt->pattern, "/{repo}", 7));
		else
			CHECK(!(rt->repo & REPO_AT_REV));
		/* a form of a person signed in: the router reads it */
		if (rt->auth == AUTH_PAGE_FORM || rt->auth == AUTH_PAGE_USER)
			CHECK(rt->methods & M_POST && kind == BODY_FORM);
		CHECK(kind <= BODY_FORM);
		CHECK((rt->body & ~(BODY_KIND | BODY_LATE)) == 0);
		if (kind != BODY_NONE)
			CHECK(m & (M_POST | M_PUT | M_PATCH) || m == M_DELETE);
		else
			CHECK(!(rt->body & BODY_LATE));
		CHECK((kind == BODY_JSON_OPT || kind == BODY_FORM) ==
		    (rt->body_max > 0));
		if (kind == BODY_FORM)
			CHECK(rt->body == (BODY_FORM | BODY_LATE) &&
			    rt->body_max == UI_FORM_MAX && page);
		if (rt->methods & R_PAGE)
			CHECK((kind == BODY_NONE || kind == BODY_FORM) && page);
	}
}

/* A few lines, as the handlers rely on them. */
static void
test_promises(void)
{
	const struct route *rt;
	int st;

	rt = route("POST", "/api/repos/create", &st);
	CHECK(rt != NULL && rt->auth == AUTH_USER && rt->body == BODY_JSON);
	rt = route("DELETE", "/api/repos/delete", &st);
	CHECK(rt != NULL && rt->auth == AUTH_IDENTIFY &&
	    rt->body == BODY_JSON);
	rt = route("POST", "/api/models/a/b/commit/main", &st);
	CHECK(rt != NULL && rt->body == (BODY_NDJSON | BODY_LATE));
	rt = route("POST", "/api/models/a/b/paths-info/main", &st);
	CHECK(rt != NULL && rt->body == (BODY_JSON_OR_FORM | BODY_LATE));
	rt = route("GET", "/api/admin/storage", &st);
	CHECK(rt != NULL && rt->auth == AUTH_ADMIN);
	rt = route("GET", "/api/whoami-v2", &st);
	CHECK(rt != NULL && rt->auth == AUTH_USER);

	/* the repository, opened before the handler */
	rt = route("GET", "/api/models/a/b/refs", &st);
	CHECK(rt != NULL && rt->repo == ACCESS_READ);
	rt = route("GET", "/api/models/a/b/commits/main", &st);
	CHECK(rt != NULL && rt->repo == (ACCESS_READ | REPO_AT_REV));
	rt = route("POST", "/api/models/a/b/tag/main", &st);
	CHECK(rt != NULL && rt->repo == (ACCESS_WRITE | REPO_AT_REV));
	rt = route("GET", "/api/datasets/a/b/user-access-request/pending",
	    &st);
	CHECK(rt != NULL && rt->repo == ACCESS_WRITE);
	rt = route("PUT", "/api/spaces/a/b/settings", &st);
	CHECK(rt != NULL && rt->repo == ACCESS_ADMIN);
	rt = route("POST", "/api/models/a/b/discussions/1/merge", &st);
	CHECK(rt != NULL && rt->repo == ACCESS_READ);
	rt = route("GET", "/a/b", &st);
	CHECK(rt != NULL && rt->fn == ui_repo && rt->auth == AUTH_PAGE &&
	    rt->repo == (ACCESS_READ | REPO_AT_REV));
	rt = route("POST", "/a/b/settings", &st);
	CHECK(rt != NULL && rt->auth == AUTH_PAGE_USER &&
	    rt->repo == ACCESS_ADMIN);
	rt = route("POST", "/a/b/discussions/new", &st);
	CHECK(rt != NULL && rt->auth == AUTH_PAGE_FORM &&
	    rt->repo == ACCESS_READ);
	/* those that open it themselves (router.c says why) */
	rt = route("GET", "/a/b/resolve/main/x", &st);
	CHECK(rt != NULL && rt->repo == ACCESS_NONE);
	rt = route("GET", "/a/b.git/info/refs", &st);
	CHECK(rt != NULL && rt->repo == ACCESS_NONE);
	rt = route("POST", "/api/models/a/b/commit/main", &st);
	CHECK(rt != NULL && rt->repo == ACCESS_NONE);
	rt = route("POST", "/login", &st);
	CHECK(rt != NULL && rt->auth == AUTH_PAGE);
}

/* A page's path, as the login form comes back to it. */
static void
test_here(void)
{
	const struct route *rt;
	int st;

	rt = route("GET", "/datasets/a/b%20c/settings", &st);
	CHECK(rt != NULL && rt->fn == ui_repo_settings);
	f.r.route = rt->pattern;
	CHECK_STR(router_here(&f.r), "/datasets/a/b%20c/settings");
	rt = route("GET", "/gpt2/discussions/new", &st);	/* canonical */
	CHECK(rt != NULL && rt->fn == ui_discussion);
	f.r.route = rt->pattern;
	CHECK_STR(router_here(&f.r), "/gpt2/discussions/new");
	rt = route("GET", "/models/a/b/discussions/new", &st);
	CHECK(rt != NULL && rt->fn == ui_discussion);
	f.r.route = rt->pattern;
	CHECK_STR(router_here(&f.r), "/a/b/discussions/new");
	rt = route("GET", "/organizations/o%2Fx/settings/members", &st);
	CHECK(rt != NULL && rt->fn == ui_org_members);
	f.r.route = rt->pattern;
	CHECK_STR(router_here(&f.r), "/organizations/o%2Fx/settings/members");
	rt = route("GET", "/settings/tokens", &st);
	f.r.route = rt->pattern;
	CHECK_STR(router_here(&f.r), "/settings/tokens");
}

/* route() with a body, then router_prepare(): its result, and the
 * answer it gave (f.r.status, 0 when none). With no_repo, the line
 * without its repository column (there is no database here). */
static int
prepare_line(const char *method, const char *uri, const char *ct,
    const char *body, bool no_repo)
{
	static struct route line;
	static char m[64], u[256], l[64], c[128];
	const char *vars[] = { m, u, l, c, NULL };
	const struct route *rt;
	unsigned allowed;
	int st;

	snprintf(m, sizeof(m), "REQUEST_METHOD=%s", method);
	snprintf(u, sizeof(u), "REQUEST_URI=%s", uri);
	snprintf(l, sizeof(l), "CONTENT_LENGTH=%zu", strlen(body));
	snprintf(c, sizeof(c), "CONTENT_TYPE=%s", ct);
	fake_end(&f);
	if (fake_begin(&f, vars, body) != 0)
		return -2;
	rt = router_match(router_table, router_table_len, &f.r, &st,
	    &allowed);
	if (rt == NULL)
		return -2;
	if (no_repo) {
		line = *rt;
		line.repo = ACCESS_NONE;
		rt = &line;
	}
	return router_prepare(rt, &f.r);
}

static int
prepare(const char *method, const char *uri, const char *ct,
    const char *body)
{
	return prepare_line(method, uri, ct, body, false);
}

/* prepare() for a route that opens its repository, without it. */
static int
prepare_body(const char *method, const char *uri, const char *ct,
    const char *body)
{
	return prepare_line(method, uri, ct, body, true);
}

/* The one body parser, before the handler: JSON that is no object, not
 * UTF-8, or holds a NUL, and forms that are not UTF-8, are 400
 * BadRequest as every handler answered them; a late body waits for the
 * handler; a method that carries no body reads none. */
static void
test_body(void)
{
	CHECK(prepare("POST", "/api/validate-yaml", "application/json",
	    "{\"content\": \"a: b\"}") == 0);
	CHECK(f.r.status == 0 && f.r.json != NULL);
	CHECK_STR(jget_str(f.r.json, "content"), "a: b");

	CHECK(prepare("POST", "/api/validate-yaml", "application/json",
	    "{\"content\": \"\xff\"}") == -1);
	CHECK(f.r.status == 400);
	CHECK_STR(f.r.error_code, "BadRequest");
	CHECK(prepare("POST", "/api/validate-yaml", "application/json",
	    "{\"\xc3\": 1}") == -1 && f.r.status == 400);
	CHECK(prepare("POST", "/api/validate-yaml", "application/json",
	    "{\"a\": [\"x\\u0000y\"]}") == -1 && f.r.status == 400);
	CHECK(prepare("POST", "/api/validate-yaml", "application/json",
	    "[1]") == -1 && f.r.status == 400);
	CHECK(prepare("POST", "/api/validate-yaml", "application/json",
	    "{} x") == -1 && f.r.status == 400);

	/* BODY_LATE: nothing read yet; then the same parser, for a form */
	CHECK(prepare_body("POST", "/api/models/a/b/paths-info/main",
	    "application/x-www-form-urlencoded", "paths=a%FF") == 0);
	CHECK(!f.r.body_read && f.r.status == 0);
	CHECK(req_read_body(&f.r) == -1 && f.r.status == 400);
	CHECK(prepare_body("POST", "/api/models/a/b/paths-info/main",
	    "application/x-www-form-urlencoded", "paths=a&paths=b%2Fc") == 0);
	CHECK(req_read_body(&f.r) == 0 && f.r.json == NULL &&
	    f.r.nform == 2);
	CHECK_STR(f.r.form[1].value, "b/c");
	CHECK(req_read_body(&f.r) == 0);	/* once */
	CHECK(prepare_body("POST", "/api/models/a/b/paths-info/main",
	    "text/plain", " {\"paths\": [\"a\"]}") == 0);
	CHECK(req_read_body(&f.r) == 0 && f.r.json != NULL);

	/* a page's form, read by ui_form() through the same parser; its
	 * errors are pages (shown here as JSON: a page needs S3's origin) */
	CHECK(prepare("POST", "/login", "application/x-www-form-urlencoded",
	    "username=a&password=b") == 0 && !f.r.body_read);
	CHECK(req_read_body(&f.r) == 0 && f.r.nform == 2);
	CHECK_STR(query_get(f.r.form, f.r.nform, "password"), "b");
	CHECK(prepare("POST", "/login", "application/x-www-form-urlencoded",
	    "username=%C3") == 0 && f.r.error_page != NULL);
	f.r.error_page = NULL;
	CHECK(req_read_body(&f.r) == -1 && f.r.status == 400);
	CHECK(prepare("POST", "/login", "application/x-www-form-urlencoded",
	    "username=%zz") == 0 && f.r.error_page != NULL);
	f.r.error_page = NULL;
	CHECK(req_read_body(&f.r) == -1 && f.r.status == 400);
	CHECK_STR(f.r.error_msg, "The form could not be read.");

	/* DELETE shares the branch line with POST: it carries no body */
	CHECK(prepare("DELETE", "/api/models/a/b/branch/dev",
	    "application/json", "not json") == 0);
	CHECK(f.r.json == NULL && f.r.status == 0);
	CHECK(prepare("POST", "/api/models/a/b/branch/dev",
	    "application/json", "not json") == -1 && f.r.status == 400);
	/* the optional body may be left out */
	CHECK(prepare("POST", "/api/models/a/b/branch/dev",
	    "application/json", "") == 0 && f.r.json == NULL);

	/* the caller before the body: anonymous is 401, nothing read */
	CHECK(prepare("POST", "/api/repos/create", "application/json",
	    "{\"name\": \"\xff\"}") == -1);
	CHECK(f.r.status == 401 && f.r.json == NULL && !f.r.body_read);
}

/* The repository and the page's person, before the handler: a name no
 * repository can have is RepoNotFound from the router itself, where the
 * line opens the repository (and not where the handler does); a page
 * for a person signed in sends anyone else to the login form. */
static void
test_prepared(void)
{
	CHECK(prepare("GET", "/api/models/a/b%C3%A9/refs", "", "") == -1);
	CHECK(f.r.status == 401 && f.r.repo == NULL);	/* anonymous */
	CHECK_STR(f.r.error_code, "RepoNotFound");
	CHECK(prepare("POST", "/api/models/a/b%C3%A9/discussions/1/comment",
	    "application/json", "{\"comment\": \"x\"}") == -1);
	CHECK(f.r.status == 401 && !f.r.body_read);
	CHECK_STR(f.r.error_code, "RepoNotFound");
	CHECK(prepare("GET", "/api/models/a/b%C3%A9/tree/main", "", "") == 0);
	CHECK(f.r.status == 0);

	CHECK(prepare("GET", "/settings/tokens", "", "") == -1);
	CHECK(f.r.status == 303 && f.r.error_page != NULL);
	CHECK(strstr(fake_output(&f), "/login?next=/settings/tokens\r\n") !=
	    NULL);
	CHECK(prepare("GET", "/login", "", "") == 0 && f.r.status == 0 &&
	    f.r.error_page != NULL);
}

int
main(void)
{
	arena_init(&f.a, 1024);
	RUN(test_decode);
	RUN(test_split);
	RUN(test_encode);
	RUN(test_api_forms);
	RUN(test_resolve_forms);
	RUN(test_canonical_forms);
	RUN(test_lfs_forms);
	RUN(test_methods);
	RUN(test_columns);
	RUN(test_promises);
	RUN(test_here);
	RUN(test_body);
	RUN(test_prepared);
	fake_end(&f);
	return check_done("route");
}
