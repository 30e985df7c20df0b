/*
 * ui_repo_settings.c: a repository's settings for its admins,
 * /{repo}/settings: visibility, the gate on its files, renaming or moving
 * it to another namespace, deleting it (the id typed again to confirm).
 *
 *	GET  /{repo}/settings		the forms
 *	POST /{repo}/settings		action=visibility|gated|move|delete
 *
 * repos.c's rules, as the API's settings, move and delete. Anyone but an
 * admin gets what the route's line (ACCESS_ADMIN, opened as repo_open()
 * does) answers: the 404 page when they may not read the repository,
 * else 403.
 */
#include <string.h>

#include "api_repo.h"
#include "auth.h"
#include "gated.h"
#include "hub.h"
#include "repos.h"
#include "ui.h"

static void
page(struct req *r, struct repo *repo, int status, const char *error,
    const char *done)
{
	static const char *const gates[] = { "off", "auto", "manual" };
	const char *csrf = ui_csrf(r, true), *base = ui_repo_path(r, repo);
	struct html h;
	size_t i;

	html_init(&h, r->a);
	ui_head(r, &h, arena_printf(r->a, "Settings · %s", repo->full));
	ui_repo_header(r, &h, repo, "settings", "main");
	if (error != NULL)
		html_printf(&h, "<p class=\"error\" role=\"alert\">%s</p>",
		    error);
	if (done != NULL)
		html_printf(&h, "<p class=\"done\" role=\"status\">%s</p>",
		    done);
	html_printf(&h, "<section class=\"setting\"><h2>Visibility</h2>"
	    "<form method=\"post\" action=\"%s/settings\"><input type=\""
	    "hidden\" name=\"csrf\" value=\"%s\"><input type=\"hidden\" name="
	    "\"action\" value=\"visibility\"><p><label><input type=\"radio\" "
	    "name=\"private\" value=\"0\"%s> Public: anyone can see and "
	    "download it</label><br><label><input type=\"radio\" name=\""
	    "private\" value=\"1\"%s> Private: only you and those you share "
	    "it with</label></p><button type=\"submit\">Save visibility"
	    "</button></form></section>", base, csrf, repo->private_ ? "" :
	    " checked", repo->private_ ? " checked" : "");
	html_printf(&h, "<section class=\"setting\"><h2>Access requests</h2>"
	    "<form method=\"post\" action=\"%s/settings\"><input type=\""
	    "hidden\" name=\"csrf\" value=\"%s\"><input type=\"hidden\" name="
	    "\"action\" value=\"gated\"><p><label for=\"gated\">People must "
	    "ask for access to the files</label> <select id=\"gated\" name=\""
	    "gated\">", base, csrf);
	for (i = 0; i < 3; i++)
		html_printf(&h, "<option value=\"%s\"%s>%s</option>", gates[i],
		    (int)repo->gated == (int)i ? " selected" : "", i == 0 ?
		    "no" : i == 1 ? "yes, accepted at once" :
		    "yes, accepted by a writer");
	html_printf(&h, "</select></p><button type=\"submit\">Save</button>"
	    "</form></section>");
	html_printf(&h, "<section class=\"setting\"><h2>Rename or move</h2>"
	    "<form method=\"post\" action=\"%s/settings\"><input type=\""
	    "hidden\" name=\"csrf\" value=\"%s\"><input type=\"hidden\" name="
	    "\"action\" value=\"move\"><p><label for=\"to\">New id "
	    "(namespace/name)</label> <input type=\"text\" id=\"to\" name="
	    "\"to\" value=\"%s\" maxlength=\"200\" required></p><button type="
	    "\"submit\">Rename</button></form></section>", base, csrf,
	    repo->full);
	html_printf(&h, "<section class=\"setting danger\"><h2>Delete</h2>"
	    "<form method=\"post\" action=\"%s/settings\"><input type=\""
	    "hidden\" name=\"csrf\" value=\"%s\"><input type=\"hidden\" name="
	    "\"action\" value=\"delete\"><p>This deletes the repository, its "
	    "history and its discussions, for good.</p><p><label for=\""
	    "confirm\">Type <code>%s</code> to confirm</label> <input type="
	    "\"text\" id=\"confirm\" name=\"confirm\" autocomplete=\"off\" "
	    "required></p><button type=\"submit\">Delete this repository"
	    "</button></form></section>", base, csrf, repo->full);
	resp_header(r, "Cache-Control", "no-store");
	ui_send(r, &h, status);
}

/* A form's action; answers (a page, or a 303 where it now is). */
static void
act(struct req *r, struct repo *repo, struct qarg *q, size_t n)
{
	struct repos_settings st;
	struct kerr e;
	const char *action = query_get(q, n, "action"), *v, *ns, *name;
	int64_t ns_id;

	memset(&st, 0, sizeof(st));
	st.private_ = -1;
	st.gated = -1;
	if (action == NULL)
		action = "";
	if (!strcmp(action, "visibility") &&
	    (v = query_get(q, n, "private")) != NULL &&
	    (!strcmp(v, "0") || !strcmp(v, "1")))
		st.private_ = *v == '1';
	else if (!strcmp(action, "gated") &&
	    (v = query_get(q, n, "gated")) != NULL &&
	    (!strcmp(v, "off") || !strcmp(v, "auto") || !strcmp(v, "manual")))
		st.gated = !strcmp(v, "off") ? GATE_OFF : !strcmp(v, "auto") ?
		    GATE_AUTO : GATE_MANUAL;
	else if (!strcmp(action, "move")) {
		v = query_get(q, n, "to");
		if (repo_id_split(r->a, v, &ns, &name) != 0 || *ns == '\0') {
			page(r, repo, 400, "The new id is namespace/name.", NULL);
			return;
		}
		if (repos_namespace_writable(r->hub->db, r->a, r->who->user_id,
		    true, ns, &ns_id,
		    &e) != 0 || repos_move(r->hub->db, r->a, repo->id, ns_id,
		    name, &e) != 0) {
			if (e.status >= 500)
				resp_kerr(r, &e);
			else
				page(r, repo, e.status, e.msg, NULL);
			return;
		}
		resp_redirect(r, 303, arena_printf(r->a, "%s/%s%s/settings",
		    r->endpoint, repo_type_prefix(repo->type), html_url(r->a,
		    v, true)));
		return;
	} else if (!strcmp(action, "delete")) {
		v = query_get(q, n, "confirm");
		if (v == NULL || strcmp(v, repo->full) != 0) {
			page(r, repo, 400, "Type the repository's id exactly to "
			    "delete it: nothing was deleted.", NULL);
			return;
		}
		if (repos_delete(r->hub->db, r->a, repo->id, &e) != 0) {
			resp_kerr(r, &e);
			return;
		}
		resp_redirect(r, 303, arena_printf(r->a, "%s/%s", r->endpoint,
		    html_url(r->a, *repo->ns ? repo->ns : r->who->name,
		    false)));
		return;
	} else {
		page(r, repo, 400, "This form could not be read.", NULL);
		return;
	}
	if (repos_settings(r->hub->db, r->a, repo->id, &st, &e) != 0) {
		resp_kerr(r, &e);
		return;
	}
	if (st.private_ >= 0)
		repo->private_ = st.private_;
	if (st.gated >= 0)
		repo->gated = (enum gate)st.gated;
	page(r, repo, 200, NULL, "Saved.");
}

void
ui_repo_settings(struct req *r)
{
	/* The route's line (AUTH_PAGE_USER, ACCESS_ADMIN): a person signed
	 * in, a POST's form proved, the repository open for its admins. */
	if (r->method == M_POST)
		act(r, r->repo, r->form, r->nform);
	else
		page(r, r->repo, 200, NULL, NULL);
}
