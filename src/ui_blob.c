/*
 * ui_blob.c: a file of a revision, /{repo}/blob/{rev}/{path}: text with
 * line numbers up to BLOB_SHOW bytes, read from S3 as the API reads a
 * README; LFS and binary files (and larger ones): their facts and a
 * download link (resolve: the 302 to S3).
 */
#include <string.h>
#include <strings.h>

#include "api.h"
#include "api_repo.h"
#include "gitstore.h"
#include "hex.h"
#include "hub.h"
#include "jsonutil.h"
#include "ui.h"

/* The largest file shown as text. */
#define BLOB_SHOW	(512 * 1024)

/* Whether s[0..n) is text to show: UTF-8 without NUL. */
static bool
is_text(const char *s, size_t n)
{
	size_t chars;

	return memchr(s, '\0', n) == NULL &&
	    utf8_valid((const unsigned char *)s, n, &chars);
}

/* Whether a file of this name is a picture a browser shows itself. */
static bool
is_image(const char *path)
{
	static const char *const ext[] = { ".png", ".jpg", ".jpeg", ".gif",
	    ".webp", ".avif", ".bmp", ".ico", NULL };
	size_t n = strlen(path), k, i;

	for (i = 0; ext[i] != NULL; i++) {
		k = strlen(ext[i]);
		if (n > k && strcasecmp(path + n - k, ext[i]) == 0)
			return true;
	}
	return false;
}

void
ui_blob(struct req *r)
{
	struct repo *repo;
	struct rev rv;
	struct commit_info ci;
	struct tree_entry at;
	struct blob_info bi;
	struct html h;
	const char *rev = r->args.rev, *path = r->args.path, *base, *erev,
	    *slash, *why = NULL;
	char *text = NULL, hex[OID_HEX + 1], bhex[OID_HEX + 1];
	size_t len = 0, line, i, start;
	bool cut = false;
	int rc;

	/* A file's text is its bytes: a gated repository's gate decides. */
	if (api_gate_files(r, repo = r->repo) != 0)
		return;
	if (repo_resolve(r, repo, rev, &rv) != 0)
		return;
	oid_hex(&rv.commit, hex);
	if (gitstore_commit(r->hub->db, r->a, &rv.commit, &ci) != 0) {
		resp_db_error(r);
		return;
	}
	base = ui_repo_path(r, repo);
	erev = html_url(r->a, rev, false);
	if ((rc = gitstore_walk(r->hub->db, r->a, &ci.tree, path, &at)) < 0) {
		resp_db_error(r);
		return;
	}
	if (rc > 0 || *path == '\0' || at.mode == 0160000) {
		resp_error(r, 404, "EntryNotFound", "There is no file here at "
		    "this revision.");
		return;
	}
	if (at.mode == MODE_DIR) {
		resp_redirect(r, 302, arena_printf(r->a, "%s%s/tree/%s/%s",
		    r->endpoint, base, erev, html_url(r->a, path, true)));
		return;
	}
	if ((rc = gitstore_blob(r->hub->db, r->a, &at.oid, &bi)) != 0) {
		resp_db_error(r);	/* a tree names it: it must exist */
		return;
	}
	oid_hex(&at.oid, bhex);
	if (is_image(path))
		why = "";	/* shown below, from its download URL */
	else if (bi.lfs)
		why = "This file is stored with Git LFS.";
	else if (bi.size > BLOB_SHOW)
		why = "This file is too large to show here.";
	else if (ui_blob_read(r, &bi, BLOB_SHOW, &text, &len, &cut) != 0)
		why = "This file cannot be read right now.";
	else if (!is_text(text, len))
		why = "This is a binary file.";
	html_init(&h, r->a);
	ui_head(r, &h, arena_printf(r->a, "%s/%s", repo->full, path));
	ui_repo_header(r, &h, repo, "files", rev);
	html_printf(&h, "<nav class=\"crumbs\" aria-label=\"File\">"
	    "<a href=\"%s/tree/%s\">%s</a>", base, erev, repo->name);
	for (start = 0; (slash = strchr(path + start, '/')) != NULL;
	    start = (size_t)(slash - path) + 1)
		html_printf(&h, " / <a href=\"%s/tree/%s/%s\">%.*s</a>", base,
		    erev, html_url(r->a, arena_strndup(r->a, path,
		    (size_t)(slash - path)), true),
		    (int)(slash - path - (long)start), path + start);
	html_printf(&h, " / %s</nav>", path + start);
	html_printf(&h, "<p><a class=\"download\" href=\"%s/resolve/%s/%s\">"
	    "Download</a> &middot; %s", base, erev,
	    html_url(r->a, path, true), html_size(r->a, bi.size));
	if (bi.lfs) {
		char sha[2 * SHA256_LEN + 1];

		hex_encode(sha, bi.sha256, SHA256_LEN);
		html_printf(&h, " &middot; <span class=\"lfs\">LFS</span> "
		    "<span class=\"mute\">sha256 <code>%s</code></span>", sha);
	}
	html_printf(&h, " &middot; <span class=\"mute\">git blob <code>%s"
	    "</code></span></p>", bhex);
	if (why != NULL && *why == '\0') {
		html_printf(&h, "<p class=\"picture\"><img src=\"%s/resolve/"
		    "%s/%s\" alt=\"%s\"></p>", base, erev,
		    html_url(r->a, path, true), path);
		ui_send(r, &h, 200);
		return;
	}
	if (why != NULL) {
		html_printf(&h, "<p>%s <a href=\"%s/resolve/%s/%s\">Download "
		    "it</a> (%s).</p>", why, base, erev,
		    html_url(r->a, path, true), html_size(r->a, bi.size));
		ui_send(r, &h, 200);
		return;
	}
	html_printf(&h, "<table class=\"code\"><tbody>");
	for (i = 0, line = 1; i < len; line++) {
		const char *nl = memchr(text + i, '\n', len - i);
		size_t n = nl != NULL ? (size_t)(nl - text) - i : len - i;

		html_printf(&h, "<tr><td class=\"ln\"><a id=\"L%zu\" "
		    "href=\"#L%zu\">%zu</a></td><td class=\"lc\">", line, line,
		    line);
		html_text(&h, text + i, n);
		html_printf(&h, "</td></tr>");
		i += n + 1;
	}
	html_printf(&h, "</tbody></table>");
	ui_send(r, &h, 200);
}
