/*
 * ui_org.c: organizations, for people.
 *
 *	GET  /organizations/new		the form; POST creates, 303 to it
 *	GET  /organizations/{org}/settings/members
 *					its members and roles (members);
 *	POST				add or change (action=set), remove
 *					(action=remove): admins only
 *
 * orgs.c's rules, as the API's: an organization keeps one admin at least,
 * its member list is for its members only (others get the 404 page of a
 * missing organization, so the list tells nothing).
 */
#include <string.h>

#include "accounts.h"
#include "auth.h"
#include "hub.h"
#include "orgs.h"
#include "ui.h"

static const char *const ROLES[] = { "read", "write", "admin", NULL };

static void
org_form(struct req *r, int status, const char *error, const char *name,
    const char *fullname)
{
	struct html h;

	html_init(&h, r->a);
	ui_head(r, &h, "New organization");
	html_printf(&h, "<h1>New organization</h1>");
	if (error != NULL)
		html_printf(&h, "<p class=\"error\" role=\"alert\">%s</p>",
		    error);
	html_printf(&h, "<form class=\"login\" method=\"post\" action=\""
	    "/organizations/new\"><input type=\"hidden\" name=\"csrf\" "
	    "value=\"%s\"><label for=\"name\">Name <span class=\"mute\">(in "
	    "URLs and repository ids)</span></label><input type=\"text\" "
	    "id=\"name\" name=\"name\" value=\"%s\" maxlength=\"96\" required>"
	    "<label for=\"fullname\">Full name <span class=\"mute\">"
	    "(optional)</span></label><input type=\"text\" id=\"fullname\" "
	    "name=\"fullname\" value=\"%s\" maxlength=\"%d\"><button type=\""
	    "submit\">Create organization</button></form><p class=\"mute\">"
	    "You will be its first admin.</p>", ui_csrf(r, true),
	    name ? name : "", fullname ? fullname : "", ORG_FULLNAME_MAX);
	ui_send(r, &h, status);
}

void
ui_org_new(struct req *r)
{
	struct qarg *q;
	struct kerr e;
	const char *name, *fullname;
	int64_t id;
	size_t n;

	/* the route's line (AUTH_PAGE_USER): a person signed in, and a
	 * POST's form proved */
	if (r->method != M_POST) {
		org_form(r, 200, NULL, NULL, NULL);
		return;
	}
	q = r->form;
	n = r->nform;
	name = query_get(q, n, "name");
	fullname = query_get(q, n, "fullname");
	if (name == NULL || strlen(name) > 96) {
		org_form(r, 400, "Give the organization a name.", name,
		    fullname);
		return;
	}
	if (fullname != NULL && *fullname == '\0')
		fullname = NULL;
	if (org_create(r->hub->db, r->a, name, fullname, r->who->user_id, &id,
	    &e) != 0) {
		if (e.status >= 500)
			resp_kerr(r, &e);
		else
			org_form(r, e.status, e.msg, name, fullname);
		return;
	}
	resp_redirect(r, 303, arena_printf(r->a, "%s/%s", r->endpoint,
	    html_url(r->a, name, false)));
}

/* The members and the viewer's role in organization org (id *id); 0, or
 * -1 once answered (the 404 page for no such organization or a viewer
 * not in it). */
static int
members_of(struct req *r, const char *org, int64_t *id,
    struct org_member **v, size_t *n, const char **role)
{
	struct kerr e;
	size_t i;

	*role = NULL;
	if (account_find(r->hub->db, r->a, org, "org", id, &e) != 0 ||
	    org_members(r->hub->db, r->a, *id, v, n, &e) != 0) {
		if (e.status >= 500)
			resp_kerr(r, &e);
		else
			ui_error(r, 404, "NotFound", "There is no such "
			    "organization, or you are not one of its members.");
		return -1;
	}
	for (i = 0; r->who != NULL && i < *n; i++)
		if (!strcmp((*v)[i].name, r->who->name))
			*role = (*v)[i].role;
	if (*role == NULL) {
		ui_error(r, 404, "NotFound", "There is no such organization, "
		    "or you are not one of its members.");
		return -1;
	}
	return 0;
}

static void
role_select(struct html *h, const char *id, const char *current)
{
	size_t i;

	html_printf(h, "<select id=\"%s\" name=\"role\">", id);
	for (i = 0; ROLES[i] != NULL; i++)
		html_printf(h, "<option value=\"%s\"%s>%s</option>", ROLES[i],
		    current != NULL && !strcmp(current, ROLES[i]) ?
		    " selected" : "", ROLES[i]);
	html_printf(h, "</select>");
}

static void
members_page(struct req *r, int status, const char *error, const char *org,
    const struct org_member *v, size_t n, const char *role)
{
	const char *eorg = html_url(r->a, org, false), *csrf = ui_csrf(r, true);
	bool admin = !strcmp(role, "admin");
	struct html h;
	size_t i;

	html_init(&h, r->a);
	ui_head(r, &h, arena_printf(r->a, "Members of %s", org));
	html_printf(&h, "<h1>Members of <a href=\"/%s\">%s</a></h1>", eorg,
	    org);
	if (error != NULL)
		html_printf(&h, "<p class=\"error\" role=\"alert\">%s</p>",
		    error);
	html_printf(&h, "<table class=\"files members\"><thead><tr><th "
	    "scope=\"col\">Member</th><th scope=\"col\">Role</th>");
	if (admin)
		html_printf(&h, "<th scope=\"col\"><span class=\"mute\">"
		    "Remove</span></th>");
	html_printf(&h, "</tr></thead><tbody>");
	for (i = 0; i < n; i++) {
		html_printf(&h, "<tr><td><a href=\"/%s\">%s</a>",
		    html_url(r->a, v[i].name, false), v[i].name);
		if (v[i].fullname != NULL && *v[i].fullname != '\0')
			html_printf(&h, " <span class=\"mute\">%s</span>",
			    v[i].fullname);
		html_printf(&h, "</td><td>");
		if (admin) {
			html_printf(&h, "<form class=\"inline\" method=\"post\">"
			    "<input type=\"hidden\" name=\"csrf\" value=\"%s\">"
			    "<input type=\"hidden\" name=\"action\" value=\"set"
			    "\"><input type=\"hidden\" name=\"user\" value=\"%s"
			    "\"><label class=\"hidden\" for=\"role-%zu\">Role of "
			    "%s</label>", csrf, v[i].name, i, v[i].name);
			role_select(&h, arena_printf(r->a, "role-%zu", i),
			    v[i].role);
			html_printf(&h, "<button type=\"submit\" aria-label=\""
			    "Save the role of %s\">Save</button></form></td>"
			    "<td><form method=\"post\"><input type=\"hidden\" "
			    "name=\"csrf\" value=\"%s\"><input type=\"hidden\" "
			    "name=\"action\" value=\"remove\"><input type=\""
			    "hidden\" name=\"user\" value=\"%s\"><button type=\""
			    "submit\" aria-label=\"Remove %s\">Remove</button>"
			    "</form>", v[i].name, csrf, v[i].name, v[i].name);
		} else
			html_printf(&h, "%s", v[i].role);
		html_printf(&h, "</td></tr>");
	}
	html_printf(&h, "</tbody></table>");
	if (admin) {
		html_printf(&h, "<h2>Add a member</h2><form class=\"login\" "
		    "method=\"post\"><input type=\"hidden\" name=\"csrf\" "
		    "value=\"%s\"><input type=\"hidden\" name=\"action\" "
		    "value=\"set\"><label for=\"user\">Username</label><input "
		    "type=\"text\" id=\"user\" name=\"user\" maxlength=\"96\" "
		    "required><label for=\"role\">Role</label>", csrf);
		role_select(&h, "role", "read");
		html_printf(&h, "<button type=\"submit\">Add member</button>"
		    "</form>");
	}
	ui_send(r, &h, status);
}

void
ui_org_members(struct req *r)
{
	struct org_member *v;
	struct qarg *q;
	struct kerr e;
	const char *org = r->args.arg, *role, *action, *user, *newrole;
	char *here, *uname;
	int64_t id;
	size_t n, nq;

	here = arena_printf(r->a, "/organizations/%s/settings/members",
	    html_url(r->a, org, false));
	/* the route's line (AUTH_PAGE_USER): a person signed in, and a
	 * POST's form proved */
	if (r->method != M_POST) {
		if (members_of(r, org, &id, &v, &n, &role) == 0)
			members_page(r, 200, NULL, org, v, n, role);
		return;
	}
	q = r->form;
	nq = r->nform;
	if (members_of(r, org, &id, &v, &n, &role) != 0)
		return;
	if (strcmp(role, "admin") != 0) {
		members_page(r, 403, "Only the organization's admins manage "
		    "its members.", org, v, n, role);
		return;
	}
	action = query_get(q, nq, "action");
	user = query_get(q, nq, "user");
	newrole = query_get(q, nq, "role");
	if (action == NULL || user == NULL || *user == '\0' ||
	    (strcmp(action, "remove") != 0 && (strcmp(action, "set") != 0 ||
	    !org_role_valid(newrole)))) {
		members_page(r, 400, "This form could not be read.", org, v, n,
		    role);
		return;
	}
	if (org_member_set(r->hub->db, r->a, id, org, user,
	    !strcmp(action, "set") ? newrole : NULL, &uname, &e) != 0) {
		if (e.status >= 500)
			resp_kerr(r, &e);
		else
			members_page(r, e.status, e.msg, org, v, n, role);
		return;
	}
	resp_redirect(r, 303, arena_printf(r->a, "%s%s", r->endpoint, here));
}

int
ui_org_section(struct req *r, struct html *h, int64_t org_id,
    const char *org)
{
	struct org_member *v;
	struct kerr e;
	const char *role = NULL;
	size_t n, i;

	if (r->who == NULL)
		return 0;
	if (org_members(r->hub->db, r->a, org_id, &v, &n, &e) != 0) {
		resp_kerr(r, &e);
		return -1;
	}
	for (i = 0; i < n; i++)
		if (!strcmp(v[i].name, r->who->name))
			role = v[i].role;
	if (role == NULL)
		return 0;	/* the list is for members only */
	html_printf(h, "<h2>Members</h2><p>");
	for (i = 0; i < n; i++)
		html_printf(h, "%s<a href=\"/%s\">%s</a> <span class=\"mute\">"
		    "%s</span>", i ? ", " : "", html_url(r->a, v[i].name,
		    false), v[i].name, v[i].role);
	html_printf(h, "</p><p><a href=\"/organizations/%s/settings/"
	    "members\">%s</a></p>", html_url(r->a, org, false),
	    !strcmp(role, "admin") ? "Manage members and roles" :
	    "Members and roles");
	return 0;
}
