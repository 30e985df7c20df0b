/*
 * ui_log.c: the history of a revision, /{repo}/commits/{rev}: its
 * first-parent commits, LOG_PAGE a page, newest first. A page starts at
 * a commit (?from=, checked to be this repository's), so page N costs
 * what page 1 does: LOG_PAGE commit reads through the object cache.
 */
#include <string.h>

#include "api_repo.h"
#include "gitstore.h"
#include "hub.h"
#include "ui.h"

#define LOG_PAGE	30

void
ui_log(struct req *r)
{
	struct repo *repo;
	struct rev rv;
	struct commit_info ci;
	struct oid cur;
	struct html h;
	const char *rev = r->args.rev, *from, *base, *erev;
	char hex[OID_HEX + 1];
	size_t n;
	bool more = false;
	int rc;

	repo = r->repo;		/* looked up with {rev} */
	if (repo_resolve(r, repo, rev, &rv) != 0)
		return;
	cur = rv.commit;
	if ((from = req_query(r, "from")) != NULL && *from != '\0') {
		struct rev fv;

		/* any commit of this repository: the caller may read it */
		if (strlen(from) != OID_HEX) {
			resp_error(r, 400, "BadRequest", "Invalid from");
			return;
		}
		repo->rev_is_ref = false;
		if (repo_resolve(r, repo, from, &fv) != 0)
			return;
		cur = fv.commit;
	}
	base = ui_repo_path(r, repo);
	erev = html_url(r->a, rev, false);
	html_init(&h, r->a);
	ui_head(r, &h, arena_printf(r->a, "History of %s", repo->full));
	ui_repo_header(r, &h, repo, "history", rev);
	if (ui_rev_switch(r, &h, repo, "commits", rev) != 0) {
		resp_db_error(r);
		return;
	}
	html_printf(&h, "<h2>History of <code>%s</code></h2><ul "
	    "class=\"commits\">", rev);
	for (n = 0;; n++) {
		if ((rc = gitstore_commit(r->hub->db, r->a, &cur, &ci)) < 0) {
			resp_db_error(r);
			return;
		}
		if (rc > 0)
			break;		/* history cut short */
		oid_hex(&cur, hex);
		if (n == LOG_PAGE) {
			more = true;
			break;
		}
		html_printf(&h, "<li><a class=\"id\" href=\"%s/tree/%s\">"
		    "<code>%.7s</code></a><a href=\"%s/commit/%s\">%.*s</a><br>"
		    "<span class=\"mute\">%s &middot; %s</span></li>", base,
		    hex, hex, base, hex, (int)strcspn(ci.message, "\n"),
		    ci.message, ci.author_name ? ci.author_name : "",
		    ui_date(r->a, ci.time));
		if (!ci.has_parent)
			break;
		cur = ci.parent;
	}
	html_printf(&h, "</ul>");
	if (more || from != NULL) {
		html_printf(&h, "<nav class=\"pager\" aria-label=\"Pages\">");
		if (from != NULL)
			html_printf(&h, "<a href=\"%s/commits/%s\">Newest</a>",
			    base, erev);
		if (more)
			html_printf(&h, "<a rel=\"next\" href=\"%s/commits/%s?"
			    "from=%s\">Older</a>", base, erev, hex);
		html_printf(&h, "</nav>");
	}
	ui_send(r, &h, 200);
}
