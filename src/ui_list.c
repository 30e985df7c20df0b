/*
 * ui_list.c: listings of repositories, /models, /datasets, /spaces (and
 * / as the models'), with ?search=, ?author=, ?sort= and pages; and a
 * profile, /{name}: the repositories of a user or an organization. Both
 * read through listing.c, the API's listing query: private repositories
 * appear only to who may read them, a page costs one indexed query.
 */
#include <stdlib.h>
#include <string.h>

#include "accounts.h"
#include "api_repo.h"
#include "auth.h"
#include "hub.h"
#include "listing.h"
#include "names.h"
#include "ui.h"

#define LIST_PAGE	30	/* repositories a listing page shows */
#define PROFILE_MAX	100	/* of each type on a profile */

/* The sort orders offered, with their names for people. */
static const struct {
	const char	*key, *label;
} sorts[] = {
	{ "recent", "Recently updated" }, { "createdAt", "Newest" },
	{ "likes", "Most likes" }, { "downloads", "Most downloads" },
};

/* Writes the rows of res as the items of a list; *n gets how many, and
 * the cursor of the row after the last shown into *next (NULL: none). */
static int
rows(struct req *r, struct html *h, struct db_res *res, const char *type,
    const struct listing_key *sk, size_t limit, size_t *n, char **next)
{
	int64_t id, priv, gated, disabled, downloads, likes, created, updated;
	int64_t last_v = 0, last_id = 0;
	char *ns, *name, *mirror;
	void *head;
	size_t hlen;
	enum repo_type t;
	int rc;

	*n = 0;
	*next = NULL;
	while ((rc = db_row(res, db_out_i(&id), db_out_s(&ns), db_out_s(&name),
	    db_out_i(&priv), db_out_i(&gated), db_out_i(&disabled),
	    db_out_i(&downloads), db_out_i(&likes), db_out_i(&created),
	    db_out_i(&updated), db_out_b(&head, &hlen),
	    db_out_s(&mirror))) == 1) {
		const char *full = *ns ? arena_printf(r->a, "%s/%s", ns,
		    name) : name;

		if (*n == limit) {
			*next = arena_printf(r->a, "%lld_%lld",
			    (long long)last_v, (long long)last_id);
			continue;	/* drains the one more row asked for */
		}
		last_id = id;
		last_v = sk->which == LS_UPDATED ? updated : sk->which ==
		    LS_CREATED ? created : sk->which == LS_LIKES ? likes :
		    downloads;
		html_printf(h, "<li><a href=\"/%s%s\">%s</a>",
		    repo_type_of(type, &t) == 0 ? repo_type_prefix(t) : "",
		    html_url(r->a, full, true), full);
		if (priv)
			html_printf(h, " <span class=\"badge private\">private"
			    "</span>");
		if (mirror != NULL)
			html_printf(h, " <span class=\"badge\">mirror of %s"
			    "</span>", mirror);
		html_printf(h, "<div class=\"meta\">Updated %s &middot; "
		    "%lld downloads &middot; %lld likes</div></li>",
		    ui_date(r->a, updated / 1000), (long long)downloads,
		    (long long)likes);
		(*n)++;
	}
	if (rc < 0)
		return -1;
	db_done(res);
	return 0;
}

/* "<value>_<id>" into q (listing_cursor_parse); -1 when malformed. */
static int
cursor_parse(const char *s, struct listing_q *q)
{
	if (listing_cursor_parse(s, &q->cv, &q->cid) != 0)
		return -1;
	q->has_cursor = true;
	return 0;
}

void
ui_list(struct req *r)
{
	enum repo_type t = r->args.type;
	const char *search = req_query(r, "search"),
	    *author = req_query(r, "author"), *sort = req_query(r, "sort"),
	    *cursor = req_query(r, "cursor"), *plural = repo_type_plural(t);
	struct listing_q q;
	struct db_res *res;
	struct html h;
	char *next = NULL;
	size_t i, n = 0;

	memset(&q, 0, sizeof(q));
	q.type = repo_type_name(t);
	if ((q.sk = listing_sort_of(sort)) == NULL) {
		resp_error(r, 400, "BadRequest", "There is no such order.");
		return;
	}
	if (cursor != NULL && *cursor != '\0' && cursor_parse(cursor, &q)) {
		resp_error(r, 400, "BadRequest", "Invalid cursor");
		return;
	}
	q.author = author != NULL && *author != '\0' ? author : NULL;
	q.like = listing_like(r->a, search);
	q.viewer = r->who ? r->who->user_id : 0;
	html_init(&h, r->a);
	ui_head(r, &h, t == REPO_DATASET ? "Datasets" : t == REPO_SPACE ?
	    "Spaces" : "Models");
	html_printf(&h, "<h1>%s</h1><form class=\"sort\" method=\"get\" "
	    "action=\"/%s\"><input type=\"search\" name=\"search\" value=\"%s\""
	    " placeholder=\"Filter by name\" aria-label=\"Filter by name\">"
	    "<input type=\"text\" name=\"author\" value=\"%s\" "
	    "placeholder=\"Author\" aria-label=\"Author\">"
	    "<select name=\"sort\" aria-label=\"Sort\">", t == REPO_DATASET ?
	    "Datasets" : t == REPO_SPACE ? "Spaces" : "Models", plural,
	    search ? search : "", q.author ? q.author : "");
	for (i = 0; i < sizeof(sorts) / sizeof(sorts[0]); i++)
		if (listing_sort_of(sorts[i].key) == q.sk)
			html_printf(&h, "<option value=\"%s\" selected>%s"
			    "</option>", sorts[i].key, sorts[i].label);
		else
			html_printf(&h, "<option value=\"%s\">%s</option>",
			    sorts[i].key, sorts[i].label);
	html_printf(&h, "</select><button type=\"submit\">Show</button>"
	    "</form><ul class=\"repos\">");
	/* An author or search no name can match has no repositories. */
	if (q.like != NULL && (q.author == NULL || name_ascii(q.author))) {
		if (listing_exec(r->hub->db, r->a, &q, LIST_PAGE + 1,
		    &res) != 0 || rows(r, &h, res, q.type, q.sk, LIST_PAGE,
		    &n, &next) != 0) {
			resp_db_error(r);
			return;
		}
	}
	html_printf(&h, "</ul>");
	if (n == 0)
		html_printf(&h, "<p class=\"mute\">Nothing here.</p>");
	if (next != NULL || q.has_cursor) {
		html_printf(&h, "<nav class=\"pager\" aria-label=\"Pages\">");
		if (q.has_cursor)
			html_printf(&h, "<a href=\"/%s?search=%s&amp;author=%s"
			    "&amp;sort=%s\">First page</a>", plural,
			    html_url(r->a, search ? search : "", false),
			    html_url(r->a, q.author ? q.author : "", false),
			    html_url(r->a, sort ? sort : "", false));
		if (next != NULL)
			html_printf(&h, "<a rel=\"next\" href=\"/%s?search=%s"
			    "&amp;author=%s&amp;sort=%s&amp;cursor=%s\">Next "
			    "page</a>", plural,
			    html_url(r->a, search ? search : "", false),
			    html_url(r->a, q.author ? q.author : "", false),
			    html_url(r->a, sort ? sort : "", false),
			    html_url(r->a, next, false));
		html_printf(&h, "</nav>");
	}
	ui_send(r, &h, 200);
}

void
ui_profile(struct req *r)
{
	static const enum repo_type types[] = { REPO_MODEL, REPO_DATASET,
	    REPO_SPACE };
	const char *name = r->args.arg;
	struct listing_q q;
	struct db_res *res;
	struct html h;
	struct kerr e;
	int64_t id;
	bool org = false, known;
	size_t k, n;
	char *next;

	known = name_ascii(name) && name_invalid(name) == NULL;
	if (known) {
		if (account_find(r->hub->db, r->a, name, "org", &id, &e) == 0)
			org = true;
		else if (e.status != 404 || account_find(r->hub->db, r->a,
		    name, "user", &id, &e) != 0) {
			if (e.status != 404) {
				resp_kerr(r, &e);
				return;
			}
			known = false;
		}
	}
	if (!known) {
		/* No one of that name: the canonical model (/gpt2), opened
		 * here as the repository page's line would. */
		r->args.type = REPO_MODEL;
		r->args.ns = "";
		r->args.name = name;
		if ((r->repo = repo_open_rev(r, ACCESS_READ, "main")) == NULL)
			return;
		ui_repo(r);
		return;
	}
	html_init(&h, r->a);
	ui_head(r, &h, name);
	html_printf(&h, "<h1><span class=\"mute\">%s</span> %s</h1>",
	    org ? "Organization" : "User", name);
	if (org && ui_org_section(r, &h, id, name) != 0)
		return;
	for (k = 0; k < 3; k++) {
		memset(&q, 0, sizeof(q));
		q.type = repo_type_name(types[k]);
		q.sk = listing_sort_of(NULL);
		q.author = name;
		q.like = "%";
		q.viewer = r->who ? r->who->user_id : 0;
		html_printf(&h, "<h2>%s</h2><ul class=\"repos\">",
		    types[k] == REPO_DATASET ? "Datasets" : types[k] ==
		    REPO_SPACE ? "Spaces" : "Models");
		if (listing_exec(r->hub->db, r->a, &q, PROFILE_MAX + 1,
		    &res) != 0 || rows(r, &h, res, q.type, q.sk, PROFILE_MAX,
		    &n, &next) != 0) {
			resp_db_error(r);
			return;
		}
		html_printf(&h, "</ul>");
		if (n == 0)
			html_printf(&h, "<p class=\"mute\">None yet.</p>");
		else if (next != NULL)
			html_printf(&h, "<p><a href=\"/%s?author=%s\">All of "
			    "them</a></p>", repo_type_plural(types[k]),
			    html_url(r->a, name, false));
	}
	ui_send(r, &h, 200);
}
