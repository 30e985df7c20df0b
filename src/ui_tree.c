/*
 * ui_tree.c: a folder of a revision, /{repo}/tree/{rev}/{path}: its
 * entries (folders first, as git orders them otherwise), sizes and LFS
 * marks, a breadcrumb, and pages of TREE_PAGE entries: a folder of any
 * size costs one tree read and one blob query per page.
 */
#include <stdlib.h>
#include <string.h>

#include "api_repo.h"
#include "gitstore.h"
#include "history.h"
#include "hub.h"
#include "ui.h"

/* Entries per page: 10,000 files are 20 pages of a few hundred kB. */
#define TREE_PAGE	500

/* The breadcrumb: the repository, then each folder of path. */
static void
crumbs(struct req *r, struct html *h, const char *base, const char *rev,
    const char *path)
{
	const char *p = path, *slash;

	html_printf(h, "<nav class=\"crumbs\" aria-label=\"Folder\">"
	    "<a href=\"%s/tree/%s\">%s</a>", base, html_url(r->a, rev, false),
	    strrchr(base, '/') + 1);
	while (*p != '\0') {
		char *upto;

		slash = strchr(p, '/');
		upto = arena_strndup(r->a, path, slash ? (size_t)(slash -
		    path) : strlen(path));
		html_printf(h, " / <a href=\"%s/tree/%s/%s\">%.*s</a>", base,
		    html_url(r->a, rev, false), html_url(r->a, upto, true),
		    (int)(slash ? slash - p : (long)strlen(p)), p);
		if (slash == NULL)
			break;
		p = slash + 1;
	}
	html_printf(h, "</nav>");
}

/* An entry's last commit: its title, linking the commit, and when. */
static void
last_cell(struct req *r, struct html *h, const char *base, const char *hex,
    const struct last_commit *l)
{
	html_printf(h, "<td class=\"last\"><a href=\"%s/commit/%s\">%s</a>"
	    "</td><td class=\"when\">%s</td>", base, hex, l->title,
	    ui_date(r->a, l->time));
}

void
ui_tree(struct req *r)
{
	struct repo *repo;
	struct rev rv;
	struct commit_info ci;
	struct tree_entry at;
	struct tree t;
	struct blob_info *bi;
	struct oid *fo, *eo;
	struct last_commit *lc;
	struct html h;
	const char **paths;
	bool *found;
	const char *rev = r->args.rev, *base, *erev;
	char *path, hex[OID_HEX + 1];
	size_t offset = 0, i, k, nf, end, n;
	int rc;

	if ((repo = repo_open_page(r, rev, &offset, &rv)) == NULL)
		return;
	oid_hex(&rv.commit, hex);
	if (gitstore_commit(r->hub->db, r->a, &rv.commit, &ci) != 0) {
		resp_db_error(r);
		return;
	}
	path = arena_strdup(r->a, r->args.path);
	for (n = strlen(path); n > 0 && path[n - 1] == '/'; n--)
		path[n - 1] = '\0';
	base = ui_repo_path(r, repo);
	erev = html_url(r->a, rev, false);
	if ((rc = gitstore_walk(r->hub->db, r->a, &ci.tree, path, &at)) < 0) {
		resp_db_error(r);
		return;
	}
	if (rc > 0) {
		resp_error(r, 404, "EntryNotFound", "There is no folder here "
		    "at this revision.");
		return;
	}
	if (at.mode != MODE_DIR) {
		/* A file's URL with tree/: the file's page. */
		resp_redirect(r, 302, arena_printf(r->a, "%s%s/blob/%s/%s",
		    r->endpoint, base, erev, html_url(r->a, path, true)));
		return;
	}
	if (gitstore_tree(r->hub->db, r->a, &at.oid, &t) != 0) {
		resp_db_error(r);
		return;
	}
	end = offset + TREE_PAGE < t.n ? offset + TREE_PAGE : t.n;
	if (offset > t.n)
		offset = t.n;
	/* Sizes and LFS marks of the page's files, in one batch. */
	fo = arena_alloc(r->a, (end - offset + 1) * sizeof(*fo));
	bi = arena_alloc(r->a, (end - offset + 1) * sizeof(*bi));
	found = arena_alloc(r->a, (end - offset + 1) * sizeof(*found));
	for (nf = 0, i = offset; i < end; i++)
		if (t.e[i].mode != MODE_DIR && t.e[i].mode != 0160000)
			fo[nf++] = t.e[i].oid;
	if (gitstore_blobs(r->hub->db, r->a, fo, nf, bi, found) != 0) {
		resp_db_error(r);
		return;
	}
	/* Each entry's last commit, as the API's expand=true finds it. */
	paths = arena_alloc(r->a, (end - offset + 1) * sizeof(*paths));
	eo = arena_alloc(r->a, (end - offset + 1) * sizeof(*eo));
	lc = arena_alloc(r->a, (end - offset + 1) * sizeof(*lc));
	for (i = offset; i < end; i++) {
		paths[i - offset] = *path ? arena_printf(r->a, "%s/%.*s", path,
		    (int)t.e[i].namelen, t.e[i].name) : arena_strndup(r->a,
		    t.e[i].name, t.e[i].namelen);
		eo[i - offset] = t.e[i].oid;
	}
	if (last_commits(r->hub->db, r->a, &rv.commit, end - offset, paths,
	    eo, lc) != 0) {
		resp_db_error(r);
		return;
	}
	html_init(&h, r->a);
	ui_head(r, &h, *path ? arena_printf(r->a, "%s/%s", repo->full, path) :
	    repo->full);
	ui_repo_header(r, &h, repo, "files", rev);
	if (ui_rev_switch(r, &h, repo, "tree", rev) != 0) {
		resp_db_error(r);
		return;
	}
	crumbs(r, &h, base, rev, path);
	html_printf(&h, "<p class=\"mute\"><a href=\"%s/commits/%s\">%.*s</a> "
	    "&middot; %s &middot; <code>%.7s</code> &middot; %zu entries</p>",
	    base, html_url(r->a, hex, false), (int)strcspn(ci.message, "\n"),
	    ci.message, ui_date(r->a, ci.time), hex, t.n);
	html_printf(&h, "<table class=\"files\"><tbody>");
	for (k = 0, i = offset; i < end; i++) {
		const struct tree_entry *e = &t.e[i];
		char *name = arena_strndup(r->a, e->name, e->namelen);
		char *full = *path ? arena_printf(r->a, "%s/%s", path, name) :
		    name;
		const char *href = html_url(r->a, full, true);
		const struct last_commit *l = &lc[i - offset];
		char lhex[OID_HEX + 1];

		if (e->mode == 0160000)
			continue;	/* a submodule: not a file here */
		oid_hex(&l->id, lhex);
		if (e->mode == MODE_DIR) {
			html_printf(&h, "<tr><td><a class=\"dir\" href=\"%s/"
			    "tree/%s/%s\">%s/</a></td>", base, erev, href, name);
			last_cell(r, &h, base, lhex, l);
			html_printf(&h, "<td class=\"size\"></td></tr>");
			continue;
		}
		html_printf(&h, "<tr><td><a href=\"%s/blob/%s/%s\">%s</a>",
		    base, erev, href, name);
		if (found[k] && bi[k].lfs)
			html_printf(&h, "<span class=\"lfs\" title=\"stored "
			    "with Git LFS\">LFS</span>");
		html_printf(&h, "</td>");
		last_cell(r, &h, base, lhex, l);
		html_printf(&h, "<td class=\"size\">%s</td></tr>",
		    found[k] ? html_size(r->a, bi[k].size) : "");
		k++;
	}
	html_printf(&h, "</tbody></table>");
	if (offset > 0 || end < t.n) {
		html_printf(&h, "<nav class=\"pager\" aria-label=\"Pages\">"
		    "<span>Entries %zu to %zu of %zu</span>", offset + 1, end,
		    t.n);
		if (offset > 0)
			html_printf(&h, "<a href=\"%s/tree/%s/%s\">First page"
			    "</a>", base, erev, html_url(r->a, path, true));
		if (end < t.n)
			html_printf(&h, "<a rel=\"next\" href=\"%s/tree/%s/%s?"
			    "cursor=%zu.%s\">Next page</a>", base, erev,
			    html_url(r->a, path, true), end, hex);
		html_printf(&h, "</nav>");
	}
	ui_send(r, &h, 200);
}
