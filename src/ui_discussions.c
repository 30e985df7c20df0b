/*
 * ui_discussions.c: a repository's discussions and pull requests, for
 * people, at the Hub's URLs:
 *
 *	GET  /{repo}/discussions	the list (?status=open|closed|all,
 *					?type=discussion|pull_request, ?p=N)
 *	GET  /{repo}/discussions/new	a form; POST opens a discussion
 *	GET  /{repo}/discussions/{num}	one: its events, and for a pull
 *					request its files and their diffs
 *					since it started, its conflicts
 *	POST /{repo}/discussions/{num}	action=comment, close, reopen, merge
 *
 * discussions.c's rules and rights, as the API's: people who may read
 * the repository open and comment, its author or a writer closes and
 * reopens, writers merge. Forms need the session and its CSRF token.
 */
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "api_repo.h"
#include "auth.h"
#include "discussions.h"
#include "gitstore.h"
#include "hub.h"
#include "router.h"
#include "ui.h"

#define PAGE_MAX	10000

/* What the caller may do here (a person logged in takes part). */
static void
actor_of(struct req *r, const struct repo *repo, struct dactor *who)
{
	memset(who, 0, sizeof(*who));
	if (r->who == NULL)
		return;
	who->user_id = r->who->user_id;
	who->participate = r->who->is_session ||
	    !strcmp(r->who->token_role, "write");
	who->write = who->participate && repo->access >= ACCESS_WRITE;
}

/* The number in the path, 0 when it is none (the 404 page answered). */
static int64_t
num_of(struct req *r)
{
	const char *s = r->args.arg;
	size_t n = strlen(s);

	if (n == 0 || n > 9 || strspn(s, "0123456789") != n || *s == '0') {
		ui_error(r, 404, "NotFound", "There is no such discussion.");
		return 0;
	}
	return strtoll(s, NULL, 10);
}

static void
status_badge(struct html *h, const char *status)
{
	html_printf(h, "<span class=\"badge st-%s\">%s</span>", status,
	    status);
}

static void
filter_link(struct html *h, const char *base, const char *label,
    const char *status, const char *type, bool on)
{
	if (on)
		html_printf(h, "<a href=\"%s/discussions?status=%s%s%s\" class="
		    "\"on\" aria-current=\"page\">%s</a>", base, status,
		    *type ? "&type=" : "", type, label);
	else
		html_printf(h, "<a href=\"%s/discussions?status=%s%s%s\">%s</a>",
		    base, status, *type ? "&type=" : "", type, label);
}

static void
list_page(struct req *r, struct repo *repo)
{
	static const char *const statuses[] = { "all", "open", "closed", NULL };
	static const char *const types[] = { "", "discussion", "pull_request",
	    NULL };
	const char *base = ui_repo_path(r, repo), *s, *t, *p;
	struct discussion *v;
	struct dfilter f;
	struct html h;
	struct kerr e;
	struct dctx x = req_dctx(r);
	int64_t page = 0, count;
	size_t n, i;

	memset(&f, 0, sizeof(f));
	s = req_query(r, "status");
	t = req_query(r, "type");
	for (f.status = 0; statuses[f.status] != NULL && s != NULL &&
	    strcmp(s, statuses[f.status]) != 0; f.status++)
		;
	if (s == NULL || statuses[f.status] == NULL)
		f.status = 1;		/* open, as the Hub's page starts */
	for (f.type = 0; types[f.type] != NULL && t != NULL &&
	    strcmp(t, types[f.type]) != 0; f.type++)
		;
	if (t == NULL || types[f.type] == NULL)
		f.type = 0;
	if ((p = req_query(r, "p")) != NULL && strspn(p, "0123456789") ==
	    strlen(p) && strlen(p) > 0 && strlen(p) < 6)
		page = strtoll(p, NULL, 10);
	if (page > PAGE_MAX)
		page = PAGE_MAX;
	if (discussion_list(&x, repo->id, &f, page, &v, &n, &count, &e) != 0) {
		resp_kerr(r, &e);
		return;
	}
	html_init(&h, r->a);
	ui_head(r, &h, arena_printf(r->a, "Discussions of %s", repo->full));
	ui_repo_header(r, &h, repo, "community", "main");
	html_printf(&h, "<nav class=\"pager filters\" aria-label=\"Filters\">");
	filter_link(&h, base, "Open", "open", types[f.type], f.status == 1);
	filter_link(&h, base, "Closed", "closed", types[f.type], f.status == 2);
	filter_link(&h, base, "All", "all", types[f.type], f.status == 0);
	html_printf(&h, "<span class=\"mute\">&middot;</span>");
	filter_link(&h, base, "Everything", statuses[f.status], "",
	    f.type == 0);
	filter_link(&h, base, "Discussions", statuses[f.status], "discussion",
	    f.type == 1);
	filter_link(&h, base, "Pull requests", statuses[f.status],
	    "pull_request", f.type == 2);
	if (r->who != NULL)
		html_printf(&h, "<a class=\"new\" href=\"%s/discussions/new\">"
		    "New discussion</a>", base);
	html_printf(&h, "</nav>");
	if (n == 0)
		html_printf(&h, "<p class=\"mute\">Nothing here yet.</p>");
	else
		html_printf(&h, "<ul class=\"commits discussions\">");
	for (i = 0; i < n; i++) {
		html_printf(&h, "<li><a href=\"%s/discussions/%lld\">%s</a> ",
		    base, (long long)v[i].num, v[i].title);
		status_badge(&h, v[i].status);
		html_printf(&h, "<br><span class=\"mute\">#%lld &middot; %s by "
		    "%s &middot; %s &middot; %lld comment%s</span></li>",
		    (long long)v[i].num, v[i].is_pr ? "pull request" :
		    "discussion", v[i].author != NULL ? v[i].author :
		    "a deleted user", ui_date(r->a, v[i].created_ms / 1000),
		    (long long)v[i].ncomments, v[i].ncomments == 1 ? "" : "s");
	}
	if (n > 0)
		html_printf(&h, "</ul>");
	if (page > 0 || (page + 1) * DISCUSSION_PAGE < count) {
		html_printf(&h, "<nav class=\"pager\" aria-label=\"Pages\">");
		if (page > 0)
			html_printf(&h, "<a href=\"%s/discussions?status=%s%s%s&p="
			    "%lld\">Newer</a>", base, statuses[f.status],
			    f.type ? "&type=" : "", types[f.type],
			    (long long)page - 1);
		if ((page + 1) * DISCUSSION_PAGE < count)
			html_printf(&h, "<a rel=\"next\" href=\"%s/discussions?"
			    "status=%s%s%s&p=%lld\">Older</a>", base,
			    statuses[f.status], f.type ? "&type=" : "",
			    types[f.type], (long long)page + 1);
		html_printf(&h, "</nav>");
	}
	ui_send(r, &h, 200);
}

static void
new_form(struct req *r, struct repo *repo, int status, const char *error,
    const char *title, const char *text)
{
	struct html h;

	html_init(&h, r->a);
	ui_head(r, &h, arena_printf(r->a, "New discussion · %s", repo->full));
	ui_repo_header(r, &h, repo, "community", "main");
	html_printf(&h, "<h2>New discussion</h2>");
	if (error != NULL)
		html_printf(&h, "<p class=\"error\" role=\"alert\">%s</p>",
		    error);
	html_printf(&h, "<form class=\"login wide\" method=\"post\" action=\""
	    "%s/discussions/new\"><input type=\"hidden\" name=\"csrf\" value="
	    "\"%s\"><label for=\"title\">Title</label><input type=\"text\" "
	    "id=\"title\" name=\"title\" value=\"%s\" maxlength=\"%d\" "
	    "required><label for=\"text\">Description <span class=\"mute\">"
	    "(Markdown)</span></label><textarea id=\"text\" name=\"text\" "
	    "rows=\"8\">%s</textarea><button type=\"submit\">Open the "
	    "discussion</button></form>", ui_repo_path(r, repo),
	    ui_csrf(r, true), title ? title : "", DISCUSSION_TITLE_MAX,
	    text ? text : "");
	ui_send(r, &h, status);
}

static void
event_html(struct req *r, struct html *h, const char *base,
    const struct devent *ev)
{
	const char *who = ev->author != NULL ? ev->author : "a deleted user";

	if (!strcmp(ev->type, "comment")) {
		html_printf(h, "<article class=\"comment\"><header><strong>%s"
		    "</strong> <span class=\"mute\">%s%s</span></header>", who,
		    ui_date(r->a, ev->created_ms / 1000), ev->nhistory > 0 ?
		    " (edited)" : "");
		if (ev->hidden)
			html_printf(h, "<p class=\"mute\">This comment has been "
			    "hidden.</p>");
		else {
			html_printf(h, "<div class=\"markdown\">");
			html_markdown(h, ev->body ? ev->body : "", ev->body ?
			    strlen(ev->body) : 0, NULL);
			html_printf(h, "</div>");
		}
		html_printf(h, "</article>");
	} else if (!strcmp(ev->type, "status-change"))
		html_printf(h, "<p class=\"event\"><strong>%s</strong> changed "
		    "the status to <strong>%s</strong> <span class=\"mute\">%s"
		    "</span></p>", who, ev->status ? ev->status : "",
		    ui_date(r->a, ev->created_ms / 1000));
	else if (!strcmp(ev->type, "commit")) {
		char hex[OID_HEX + 1];

		oid_hex(&ev->oid, hex);
		html_printf(h, "<p class=\"event\"><strong>%s</strong> added a "
		    "commit: <a href=\"%s/commit/%s\"><code>%.7s</code> %s</a> "
		    "<span class=\"mute\">%s</span></p>", who, base, hex, hex,
		    ev->body ? ev->body : "", ui_date(r->a,
		    ev->created_ms / 1000));
	} else if (!strcmp(ev->type, "title-change"))
		html_printf(h, "<p class=\"event\"><strong>%s</strong> renamed it "
		    "from <em>%s</em> to <em>%s</em> <span class=\"mute\">%s"
		    "</span></p>", who, ev->prior ? ev->prior : "",
		    ev->body ? ev->body : "", ui_date(r->a,
		    ev->created_ms / 1000));
}

/* A form with one button doing action. */
static void
button(struct html *h, const char *action_url, const char *csrf,
    const char *action, const char *label)
{
	html_printf(h, "<form method=\"post\" action=\"%s\"><input type=\""
	    "hidden\" name=\"csrf\" value=\"%s\"><input type=\"hidden\" name="
	    "\"action\" value=\"%s\"><button type=\"submit\">%s</button>"
	    "</form>", action_url, csrf, action, label);
}

/* The files a pull request changes since it started, and its conflicts. */
static int
pr_part(struct req *r, struct html *h, struct repo *repo, const char *base,
    const struct discussion *d)
{
	struct dctx x = req_dctx(r);
	struct commit_info from, to;
	struct dchange *c = NULL;
	struct oid head, base_head;
	struct kerr e;
	struct rev rv;
	char fhex[OID_HEX + 1], thex[OID_HEX + 1];
	const char *gmsg;
	size_t n = 0, i;
	int gate, gst;

	html_printf(h, "<p class=\"mute\">Wants to merge <code>refs/pr/%lld"
	    "</code> into <code>%s</code>", (long long)d->num,
	    d->base_branch);
	if (d->has_merge) {
		oid_hex(&d->merge_oid, thex);
		html_printf(h, "; merged as <a href=\"%s/commit/%s\"><code>%.7s"
		    "</code></a>", base, thex, thex);
	}
	html_printf(h, ".</p>");
	e.status = 0;
	if (!strcmp(d->status, "open") || !strcmp(d->status, "draft")) {
		if (discussion_conflicts(&x, repo->id, d, &head, &base_head,
		    &c, &n, &e) != 0 && e.status != 413 && e.status != 404) {
			resp_kerr(r, &e);
			return -1;
		}
		if (e.status == 413 || e.status == 404)
			n = 0;
		if (n > 0) {
			html_printf(h, "<section class=\"conflicts\"><h2>"
			    "Conflicts with %s</h2><ul>", d->base_branch);
			for (i = 0; i < n; i++)
				html_printf(h, "<li><code>%s</code></li>",
				    c[i].path);
			html_printf(h, "</ul><p class=\"mute\">It cannot be "
			    "merged until they are resolved.</p></section>");
		}
	}
	/* The diffs are the files' text: a gated repository's gate decides
	 * (the discussion itself stays readable). */
	if ((gate = api_gate_check(r, repo, &gst, &gmsg)) != 0) {
		if (gate < 0)
			return -1;
		html_printf(h, "<p class=\"mute\">Its changes are shown to "
		    "those with access to the repository's files.</p>");
		return 0;
	}
	if (repo_resolve(r, repo, arena_printf(r->a, "refs/pr/%lld",
	    (long long)d->num), &rv) != 0)
		return -1;
	if (gitstore_commit(r->hub->db, r->a, &d->base_oid, &from) != 0 ||
	    gitstore_commit(r->hub->db, r->a, &rv.commit, &to) != 0) {
		resp_db_error(r);
		return -1;
	}
	oid_hex(&d->base_oid, fhex);
	oid_hex(&rv.commit, thex);
	if (ui_changes(r, h, base, &from.tree, &to.tree, fhex, thex,
	    "pull request") != 0) {
		resp_db_error(r);
		return -1;
	}
	return 0;
}

static void
one_page(struct req *r, struct repo *repo, int64_t num, int status,
    const char *error)
{
	const char *base = ui_repo_path(r, repo), *csrf, *url;
	struct dctx x = req_dctx(r);
	struct discussion d;
	struct dactor who;
	struct devent *ev;
	struct html h;
	struct kerr e;
	size_t n, i;
	bool mine, live;

	if (discussion_get(&x, repo->id, num, &d, &e) != 0 ||
	    discussion_events(&x, repo->id, num, &ev, &n, &e) != 0) {
		if (e.status == 404)
			ui_error(r, 404, "NotFound", "There is no such "
			    "discussion.");
		else
			resp_kerr(r, &e);
		return;
	}
	actor_of(r, repo, &who);
	mine = who.user_id != 0 && who.user_id == d.author_id;
	live = !strcmp(d.status, "open") || !strcmp(d.status, "draft");
	url = arena_printf(r->a, "%s/discussions/%lld", base, (long long)num);
	html_init(&h, r->a);
	ui_head(r, &h, arena_printf(r->a, "%s · %s", d.title, repo->full));
	ui_repo_header(r, &h, repo, "community", "main");
	html_printf(&h, "<div class=\"discussion\"><h2>%s <span class=\"mute\">"
	    "#%lld</span></h2><p>", d.title, (long long)d.num);
	status_badge(&h, d.status);
	html_printf(&h, " <span class=\"mute\">%s opened by %s, %s</span></p>",
	    d.is_pr ? "Pull request" : "Discussion", d.author != NULL ?
	    d.author : "a deleted user", ui_date(r->a, d.created_ms / 1000));
	if (error != NULL)
		html_printf(&h, "<p class=\"error\" role=\"alert\">%s</p>",
		    error);
	if (d.is_pr && pr_part(r, &h, repo, base, &d) != 0)
		return;
	html_printf(&h, "<h2>Conversation</h2>");
	for (i = 0; i < n; i++)
		event_html(r, &h, base, &ev[i]);
	if (who.participate) {
		csrf = ui_csrf(r, true);
		html_printf(&h, "<form class=\"login wide\" method=\"post\" "
		    "action=\"%s\"><input type=\"hidden\" name=\"csrf\" value="
		    "\"%s\"><input type=\"hidden\" name=\"action\" value=\""
		    "comment\"><label for=\"text\">Comment <span class=\"mute\">"
		    "(Markdown)</span></label><textarea id=\"text\" name=\"text\" "
		    "rows=\"5\" required></textarea><button type=\"submit\">"
		    "Comment</button></form><div class=\"actions\">", url, csrf);
		if ((mine || who.write) && live)
			button(&h, url, csrf, "close", d.is_pr ?
			    "Close the pull request" : "Close the discussion");
		else if ((mine || who.write) && !strcmp(d.status, "closed"))
			button(&h, url, csrf, "reopen", "Reopen");
		if (who.write && d.is_pr && live)
			button(&h, url, csrf, "merge", "Merge");
		html_printf(&h, "</div>");
	} else if (r->who == NULL)
		html_printf(&h, "<p><a href=\"/login?next=%s\">Log in</a> to "
		    "take part.</p>", html_url(r->a, url, true));
	html_printf(&h, "</div>");
	ui_send(r, &h, status);
}

/* POST: what a form asks, then back to the discussion (303). */
static void
act(struct req *r, bool create)
{
	struct dchange *conf;
	struct devent ev;
	struct dactor who;
	struct repo *repo;
	struct qarg *q;
	struct kerr e;
	struct dctx x;
	const char *action, *text, *title;
	int64_t num = 0;
	size_t nq, nconf;
	int rc;

	/* the route's line (AUTH_PAGE_FORM): the form proved, a person
	 * signed in, the repository open */
	q = r->form;
	nq = r->nform;
	repo = r->repo;
	if (!create && (num = num_of(r)) == 0)
		return;
	actor_of(r, repo, &who);
	x = req_dctx(r);
	action = query_get(q, nq, "action");
	text = query_get(q, nq, "text");
	title = query_get(q, nq, "title");
	if (create) {
		rc = discussion_create(&x, repo->id, &who, title, text ? text :
		    "", false, NULL, NULL, &num, &e);
		if (rc != 0 && e.status < 500) {
			new_form(r, repo, e.status, e.msg, title, text);
			return;
		}
	} else if (action != NULL && !strcmp(action, "comment"))
		rc = discussion_comment(&x, repo->id, num, &who, text ? text :
		    "", &ev, &e);
	else if (action != NULL && (!strcmp(action, "close") ||
	    !strcmp(action, "reopen")))
		rc = discussion_set_status(&x, repo->id, num, &who,
		    !strcmp(action, "close") ? "closed" : "open", NULL, &ev, &e);
	else if (action != NULL && !strcmp(action, "merge"))
		rc = discussion_merge(&x, repo->id, num, &who, NULL, &conf,
		    &nconf, &e);
	else {
		one_page(r, repo, num, 400, "This form could not be read.");
		return;
	}
	if (rc != 0) {
		if (e.status >= 500)
			resp_kerr(r, &e);
		else
			one_page(r, repo, num, e.status, e.msg);
		return;
	}
	resp_redirect(r, 303, arena_printf(r->a, "%s%s/discussions/%lld",
	    r->endpoint, ui_repo_path(r, repo), (long long)num));
}

void
ui_discussions(struct req *r)
{
	list_page(r, r->repo);
}

void
ui_discussion(struct req *r)
{
	struct repo *repo;
	bool create = !strcmp(r->args.arg, "new");
	int64_t num;

	if (r->method == M_POST) {
		act(r, create);
		return;
	}
	repo = r->repo;
	if (create) {
		/* this page, for the login form to come back to */
		if (ui_logged_in(r, router_here(r)))
			new_form(r, repo, 200, NULL, NULL, NULL);
		return;
	}
	if ((num = num_of(r)) != 0)
		one_page(r, repo, num, 200, NULL);
}
