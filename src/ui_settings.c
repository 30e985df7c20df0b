/*
 * ui_settings.c: what a person manages in a browser.
 *
 *	GET  /settings/tokens		their access tokens, a form for more
 *	POST /settings/tokens		action=create (the token shown once)
 *					or action=revoke&id=N
 *	GET  /join, POST /join		registration, when the hub allows it
 *
 * The same domain calls as the API (tokens.c, accounts.c, and sessions.c
 * to log a new user in), so the same rules and messages.
 * Every form carries a CSRF token (ui_csrf): the session's for a person
 * logged in, the browser's khub_csrf cookie for /join.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "accounts.h"
#include "auth.h"
#include "hub.h"
#include "names.h"
#include "sessions.h"
#include "tokens.h"
#include "ui.h"

/* Lifetimes the token form offers, in days (0: never expires). */
static const int DAYS[] = { 30, 90, 365, 0 };

static void
tokens_page(struct req *r, int status, const char *error,
    const struct token_issued *made, const char *made_name,
    const char *made_role)
{
	struct token_rec *v;
	struct html h;
	struct kerr e;
	size_t n, i;
	const char *csrf = ui_csrf(r, true);

	if (token_list(r->hub->db, r->a, r->who->user_id, &v, &n, &e) != 0) {
		resp_kerr(r, &e);
		return;
	}
	html_init(&h, r->a);
	ui_head(r, &h, "Access tokens");
	html_printf(&h, "<h1>Access tokens</h1><p class=\"mute\">Tokens let "
	    "huggingface_hub, git and other tools act as you: set "
	    "<code>HF_TOKEN</code>, or give it as git's password.</p>");
	if (error != NULL)
		html_printf(&h, "<p class=\"error\" role=\"alert\">%s</p>",
		    error);
	if (made != NULL)
		html_printf(&h, "<section class=\"newtoken\" role=\"status\">"
		    "<p>Your new token <strong>%s</strong> (%s). Copy it now: "
		    "it is not shown again.</p><label for=\"newtoken\">Token"
		    "</label> <input type=\"text\" id=\"newtoken\" readonly "
		    "size=\"44\" value=\"%s\"></section>", made_name, made_role,
		    made->token);
	if (n == 0)
		html_printf(&h, "<p>You have no tokens yet.</p>");
	else {
		html_printf(&h, "<table class=\"files tokens\"><thead><tr>"
		    "<th scope=\"col\">Name</th><th scope=\"col\">Role</th>"
		    "<th scope=\"col\">Created</th><th scope=\"col\">Expires"
		    "</th><th scope=\"col\"><span class=\"mute\">Revoke</span>"
		    "</th></tr></thead><tbody>");
		for (i = 0; i < n; i++) {
			html_printf(&h, "<tr><td>%s</td><td>%s</td><td class="
			    "\"when\">%s</td><td class=\"when\">%s%s</td><td>"
			    "<form method=\"post\" action=\"/settings/tokens\">"
			    "<input type=\"hidden\" name=\"csrf\" value=\"%s\">"
			    "<input type=\"hidden\" name=\"action\" value=\""
			    "revoke\"><input type=\"hidden\" name=\"id\" value="
			    "\"%lld\"><button type=\"submit\" aria-label=\""
			    "Revoke %s\">Revoke</button></form></td></tr>",
			    v[i].name, v[i].role, ui_date(r->a,
			    v[i].created_ms / 1000), v[i].expires_ms ?
			    ui_date(r->a, v[i].expires_ms / 1000) : "never",
			    v[i].expired ? " (expired)" : "", csrf,
			    (long long)v[i].id, v[i].name);
		}
		html_printf(&h, "</tbody></table>");
	}
	html_printf(&h, "<h2>New token</h2><form class=\"login\" method=\""
	    "post\" action=\"/settings/tokens\"><input type=\"hidden\" name="
	    "\"csrf\" value=\"%s\"><input type=\"hidden\" name=\"action\" "
	    "value=\"create\"><label for=\"name\">Name</label><input type="
	    "\"text\" id=\"name\" name=\"name\" maxlength=\"%d\" required>"
	    "<label for=\"role\">Role</label><select id=\"role\" name=\"role\">"
	    "<option value=\"read\">read: download, clone</option><option "
	    "value=\"write\">write: also upload, push, create</option>"
	    "</select><label for=\"days\">Expires</label><select id=\"days\" "
	    "name=\"days\">", csrf, TOKEN_NAME_MAX);
	for (i = 0; i < sizeof(DAYS) / sizeof(DAYS[0]); i++)
		if (DAYS[i])
			html_printf(&h, "<option value=\"%d\">in %d days"
			    "</option>", DAYS[i], DAYS[i]);
		else
			html_printf(&h, "<option value=\"0\">never</option>");
	html_printf(&h, "</select><button type=\"submit\">Create token"
	    "</button></form>");
	resp_header(r, "Cache-Control", "no-store");
	ui_send(r, &h, status);
}

void
ui_tokens(struct req *r)
{
	struct token_issued t;
	struct qarg *q;
	struct kerr e;
	const char *action, *name, *role, *days, *id;
	char *end;
	long d;
	size_t n, i;

	memset(&e, 0, sizeof(e));
	/* the route's line (AUTH_PAGE_USER): a person signed in, and a
	 * POST's form proved */
	if (r->method != M_POST) {
		tokens_page(r, 200, NULL, NULL, NULL, NULL);
		return;
	}
	q = r->form;
	n = r->nform;
	action = query_get(q, n, "action");
	if (action != NULL && !strcmp(action, "revoke")) {
		long long v;

		id = query_get(q, n, "id");
		v = id != NULL && *id >= '0' && *id <= '9' ?
		    strtoll(id, &end, 10) : 0;
		if (v <= 0 || *end != '\0' || token_revoke(r->hub->db, r->a,
		    r->who->user_id, (int64_t)v, &e) != 0) {
			if (v > 0 && e.status >= 500) {
				resp_kerr(r, &e);
				return;
			}
			tokens_page(r, 404, "There is no such token.", NULL,
			    NULL, NULL);
			return;
		}
		resp_redirect(r, 303, arena_printf(r->a, "%s/settings/tokens",
		    r->endpoint));
		return;
	}
	name = query_get(q, n, "name");
	role = query_get(q, n, "role");
	days = query_get(q, n, "days");
	d = days != NULL && *days >= '0' && *days <= '9' ?
	    strtol(days, &end, 10) : -1;
	for (i = 0; i < sizeof(DAYS) / sizeof(DAYS[0]); i++)
		if (d == DAYS[i] && *end == '\0')
			break;
	if (action == NULL || strcmp(action, "create") != 0 ||
	    i == sizeof(DAYS) / sizeof(DAYS[0])) {
		tokens_page(r, 400, "This form could not be read.", NULL, NULL,
		    NULL);
		return;
	}
	if (token_issue(r->hub->db, r->a, r->who->user_id, name, role,
	    d ? (int64_t)time(NULL) + d * 86400 : 0, &t, &e) != 0) {
		if (e.status >= 500)
			resp_kerr(r, &e);
		else
			tokens_page(r, e.status, e.msg, NULL, NULL, NULL);
		return;
	}
	tokens_page(r, 200, NULL, &t, name, role);
	sodium_memzero(t.token, sizeof(t.token));
}

static void
join_form(struct req *r, int status, const char *error, const char *name,
    const char *email, const char *fullname)
{
	struct html h;

	html_init(&h, r->a);
	ui_head(r, &h, "Sign up");
	html_printf(&h, "<h1>Sign up</h1>");
	if (error != NULL)
		html_printf(&h, "<p class=\"error\" role=\"alert\">%s</p>",
		    error);
	html_printf(&h, "<form class=\"login\" method=\"post\" action=\""
	    "/join\"><input type=\"hidden\" name=\"csrf\" value=\"%s\">"
	    "<label for=\"username\">Username</label><input type=\"text\" "
	    "id=\"username\" name=\"username\" value=\"%s\" autocomplete=\""
	    "username\" maxlength=\"96\" required><label for=\"email\">"
	    "E-mail</label><input type=\"text\" id=\"email\" name=\"email\" "
	    "value=\"%s\" autocomplete=\"email\" maxlength=\"%d\" required>"
	    "<label for=\"fullname\">Full name <span class=\"mute\">"
	    "(optional)</span></label><input type=\"text\" id=\"fullname\" "
	    "name=\"fullname\" value=\"%s\" autocomplete=\"name\" maxlength="
	    "\"%d\"><label for=\"password\">Password <span class=\"mute\">"
	    "(at least %d characters)</span></label><input type=\"password\" "
	    "id=\"password\" name=\"password\" autocomplete=\"new-password\" "
	    "minlength=\"%d\" required><button type=\"submit\">Create "
	    "account</button></form>", ui_csrf(r, false), name ? name : "",
	    email ? email : "", EMAIL_MAX, fullname ? fullname : "",
	    ACCOUNT_FULLNAME_MAX, ACCOUNT_PASSWORD_MIN, ACCOUNT_PASSWORD_MIN);
	resp_header(r, "Cache-Control", "no-store");
	ui_send(r, &h, status);
}

void
ui_join(struct req *r)
{
	char sid[SESSION_LEN + 1];
	struct session_user u;
	struct qarg *q;
	struct kerr e;
	const char *name, *email, *fullname, *password;
	int64_t id;
	size_t n;

	if (!r->hub->conf.allow_registration) {
		ui_error(r, 403, "RegistrationDisabled", "Registration is "
		    "switched off on this hub: an administrator creates "
		    "accounts.");
		return;
	}
	if (r->method != M_POST) {
		join_form(r, 200, NULL, NULL, NULL, NULL);
		return;
	}
	if ((q = ui_form(r, &n)) == NULL)
		return;
	name = query_get(q, n, "username");
	email = query_get(q, n, "email");
	fullname = query_get(q, n, "fullname");
	password = query_get(q, n, "password");
	if (!ui_csrf_ok(r, query_get(q, n, "csrf"), false)) {
		join_form(r, 403, "This form expired or came from another "
		    "site: try again here.", name, email, fullname);
		return;
	}
	if (name == NULL || email == NULL || password == NULL ||
	    strlen(name) > 96 || strlen(email) > EMAIL_MAX) {
		join_form(r, 400, "Give a username, an e-mail address and a "
		    "password.", name, email, fullname);
		return;
	}
	if (fullname != NULL && *fullname == '\0')
		fullname = NULL;
	if (account_create(r->hub->db, r->a, name, email, fullname, password,
	    &id, &e) != 0 || session_login(r->hub->db, r->a, name, password,
	    sid, &u, &e) != 0) {
		if (e.status >= 500)
			resp_kerr(r, &e);
		else
			join_form(r, e.status, e.msg, name, email, fullname);
		return;
	}
	resp_header(r, "Set-Cookie", "session_id=%s; Max-Age=%d; %s", sid,
	    SESSION_DAYS * 86400, auth_cookie_attrs(r));
	sodium_memzero(sid, sizeof(sid));
	resp_header(r, "Cache-Control", "no-store");
	resp_redirect(r, 303, arena_printf(r->a, "%s/%s", r->endpoint,
	    html_url(r->a, name, false)));
}
