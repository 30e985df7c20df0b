/*
 * ui_commit.c: a commit, /{repo}/commit/{rev}: its message, author and
 * parent, the files it added, removed and changed against its first
 * parent, and the diffs of small text files. Every part is bounded
 * before it is read: COMMIT_FILES changes listed (COMMIT_TREES trees
 * read to find them), diffs of files up to DIFF_FILE bytes, DIFF_BYTES
 * read from the store for one page, DIFF_EDITS changed lines a file.
 */
#include <string.h>

#include "api.h"
#include "api_repo.h"
#include "diff.h"
#include "gitstore.h"
#include "hub.h"
#include "jsonutil.h"
#include "treediff.h"
#include "ui.h"

#define COMMIT_FILES	1000
#define COMMIT_TREES	4000
#define DIFF_FILE	(64 * 1024)
#define DIFF_BYTES	(1024 * 1024)
#define DIFF_EDITS	2000
#define DIFF_CONTEXT	3

/* Whether s[0..n) is text to show: UTF-8 without NUL. */
static bool
is_text(const char *s, size_t n)
{
	size_t chars;

	return memchr(s, '\0', n) == NULL &&
	    utf8_valid((const unsigned char *)s, n, &chars);
}

/* One side of a change: its blob facts (in *bi), 0 when it is absent. */
static int
side(struct req *r, const struct tree_entry *e, struct blob_info *bi)
{
	if (e->mode == 0 || e->mode == 0160000)
		return 0;
	if (gitstore_blob(r->hub->db, r->a, &e->oid, bi) != 0)
		return -1;
	return 1;
}

/* The text of one side for a diff ("" when absent), or why not. */
static const char *
side_text(struct req *r, int have, const struct blob_info *bi,
    size_t *budget, char **text, size_t *len)
{
	bool cut;

	*text = "";
	*len = 0;
	if (!have)
		return NULL;
	if (bi->lfs)
		return "Stored with Git LFS.";
	if (bi->size > DIFF_FILE)
		return "Too large to show the changes.";
	if (bi->size > *budget)
		return "Not shown: this commit changes too much to show it all.";
	*budget -= bi->size;
	if (ui_blob_read(r, bi, DIFF_FILE, text, len, &cut) != 0)
		return "Cannot be read right now.";
	if (!is_text(*text, *len))
		return "Binary file.";
	return NULL;
}

static void
write_hunks(struct html *h, const struct diff_line *s, size_t n)
{
	struct diff_hunk k;
	size_t pos = 0, i;

	html_printf(h, "<table class=\"code diff\"><tbody>");
	while (diff_next_hunk(s, n, DIFF_CONTEXT, &pos, &k)) {
		html_printf(h, "<tr class=\"hunk\"><td class=\"ln\"></td>"
		    "<td class=\"ln\"></td><td class=\"lc\">@@ -%zu,%zu +%zu,"
		    "%zu @@</td></tr>", k.a_start, k.a_len, k.b_start, k.b_len);
		for (i = k.start; i < k.end; i++) {
			const struct diff_line *l = &s[i];

			html_printf(h, "<tr class=\"%s\"><td class=\"ln\">",
			    l->op == '+' ? "add" : l->op == '-' ? "del" : "");
			if (l->a_no)
				html_printf(h, "%zu", l->a_no);
			html_printf(h, "</td><td class=\"ln\">");
			if (l->b_no)
				html_printf(h, "%zu", l->b_no);
			html_printf(h, "</td><td class=\"lc\">%.1s", l->op == '+' ?
			    "+" : l->op == '-' ? "-" : " ");
			html_text(h, l->s, l->len);
			if (!l->eol)
				html_printf(h, "<span class=\"mute\"> (no "
				    "newline at end of file)</span>");
			html_printf(h, "</td></tr>");
		}
	}
	html_printf(h, "</tbody></table>");
}

/* One changed file: its heading, and its diff or why there is none. */
static int
write_change(struct req *r, struct html *h, const char *base,
    const char *hex, const char *phex, const struct tree_change *c,
    size_t *budget)
{
	struct blob_info ob, nb;
	struct diff_line *s;
	const char *why, *what, *epath = html_url(r->a, c->path, true);
	char *ot, *nt;
	size_t ol, nl, n;
	int have_o, have_n;

	if ((have_o = side(r, &c->old, &ob)) < 0 ||
	    (have_n = side(r, &c->new, &nb)) < 0)
		return -1;
	what = c->old.mode == 0 ? "added" : c->new.mode == 0 ? "removed" :
	    "changed";
	html_printf(h, "<section class=\"change\"><h3><span class=\"badge "
	    "%s\">%s</span> ", what, what);
	if (c->new.mode != 0)
		html_printf(h, "<a href=\"%s/blob/%s/%s\">%s</a>", base, hex,
		    epath, c->path);
	else
		html_printf(h, "<a href=\"%s/blob/%s/%s\">%s</a>", base, phex,
		    epath, c->path);
	if (have_o && have_n && ob.size != nb.size)
		html_printf(h, " <span class=\"mute\">%s &rarr; %s</span>",
		    html_size(r->a, ob.size), html_size(r->a, nb.size));
	else if (have_n || have_o)
		html_printf(h, " <span class=\"mute\">%s</span>",
		    html_size(r->a, have_n ? nb.size : ob.size));
	html_printf(h, "</h3>");
	if ((why = side_text(r, have_o, &ob, budget, &ot, &ol)) == NULL)
		why = side_text(r, have_n, &nb, budget, &nt, &nl);
	if (why == NULL && (c->old.mode == 0160000 || c->new.mode == 0160000))
		why = "A submodule.";
	if (why == NULL && diff_lines(r->a, ot, ol, nt, nl, DIFF_EDITS, &s,
	    &n) != 0)
		why = "Too many changed lines to show.";
	if (why != NULL)
		html_printf(h, "<p class=\"mute\">%s</p>", why);
	else if (ol == 0 && nl == 0)
		html_printf(h, "<p class=\"mute\">An empty file.</p>");
	else if (c->old.mode != c->new.mode && c->old.mode && c->new.mode &&
	    oid_eq(&c->old.oid, &c->new.oid))
		html_printf(h, "<p class=\"mute\">Mode %o &rarr; %o.</p>",
		    c->old.mode, c->new.mode);
	else
		write_hunks(h, s, n);
	html_printf(h, "</section>");
	return 0;
}

int
ui_changes(struct req *r, struct html *h, const char *base,
    const struct oid *old_tree, const struct oid *new_tree,
    const char *old_rev, const char *new_rev, const char *what)
{
	struct tree_change *ch;
	size_t n, i, budget = DIFF_BYTES, added = 0, removed = 0;
	int rc;

	rc = treediff(r->hub->db, r->a, old_tree, new_tree, COMMIT_FILES,
	    COMMIT_TREES, &ch, &n);
	if (rc < 0)
		return -1;
	for (i = 0; i < n; i++) {
		added += ch[i].old.mode == 0;
		removed += ch[i].new.mode == 0;
	}
	html_printf(h, "<h2 class=\"files\">%zu%s file%s changed <span "
	    "class=\"mute\">(%zu added, %zu removed)</span></h2>", n,
	    rc > 0 ? "+" : "", n == 1 ? "" : "s", added, removed);
	if (rc > 0)
		html_printf(h, "<p class=\"mute\">This %s changes more than "
		    "can be listed here; the first %zu files follow. <a href="
		    "\"%s/tree/%s\">Browse its files</a>.</p>", what, n, base,
		    new_rev);
	for (i = 0; i < n; i++)
		if (write_change(r, h, base, new_rev, old_rev, &ch[i],
		    &budget) != 0)
			return -1;
	return 0;
}

void
ui_commit(struct req *r)
{
	struct repo *repo;
	struct rev rv;
	struct commit_info ci, pi;
	struct html h;
	const char *rev = r->args.rev, *base, *nl;
	char hex[OID_HEX + 1], phex[OID_HEX + 1] = "";

	/* The diffs are the files' text: a gated repository's gate decides. */
	if (api_gate_files(r, repo = r->repo) != 0)
		return;
	if (repo_resolve(r, repo, rev, &rv) != 0)
		return;
	if (gitstore_commit(r->hub->db, r->a, &rv.commit, &ci) != 0 ||
	    (ci.has_parent &&
	    gitstore_commit(r->hub->db, r->a, &ci.parent, &pi) != 0)) {
		resp_db_error(r);
		return;
	}
	oid_hex(&rv.commit, hex);
	if (ci.has_parent)
		oid_hex(&ci.parent, phex);
	base = ui_repo_path(r, repo);
	nl = strchr(ci.message, '\n');
	html_init(&h, r->a);
	ui_head(r, &h, arena_printf(r->a, "%.*s · %s", nl != NULL ?
	    (int)(nl - ci.message) : (int)strlen(ci.message), ci.message,
	    repo->full));
	ui_repo_header(r, &h, repo, "history", hex);
	html_printf(&h, "<div class=\"commit\"><h2>%.*s</h2>", nl != NULL ?
	    (int)(nl - ci.message) : (int)strlen(ci.message), ci.message);
	if (nl != NULL && nl[strspn(nl, "\n")] != '\0') {
		const char *body = nl + strspn(nl, "\n");
		size_t blen = strlen(body);

		while (blen > 0 && body[blen - 1] == '\n')
			blen--;
		html_printf(&h, "<pre class=\"message\">%.*s</pre>",
		    (int)blen, body);
	}
	html_printf(&h, "<dl class=\"facts\"><dt>Author</dt><dd>%s</dd>"
	    "<dt>Date</dt><dd>%s</dd><dt>Commit</dt><dd><code>%s</code> "
	    "&middot; <a href=\"%s/tree/%s\">Browse files</a></dd>",
	    ci.author_name ? ci.author_name : "", ui_date(r->a, ci.time), hex,
	    base, hex);
	if (ci.has_parent)
		html_printf(&h, "<dt>Parent</dt><dd><a href=\"%s/commit/%s\">"
		    "<code>%.7s</code></a></dd>", base, phex, phex);
	html_printf(&h, "</dl></div>");
	if (ui_changes(r, &h, base, ci.has_parent ? &pi.tree : NULL, &ci.tree,
	    phex, hex, "commit") != 0) {
		resp_db_error(r);
		return;
	}
	ui_send(r, &h, 200);
}
