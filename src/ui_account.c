/*
 * ui_account.c: logging in and out with a form, for people.
 *
 *	GET  /login	the form (username or e-mail, password)
 *	POST /login	logs in: the session_id cookie, then 303 to ?next=
 *	POST /logout	ends this session, then 303 to /
 *
 * The same sessions as the Authentication API (sessions.c), so the same
 * rules: the same answer and delay for a wrong password and an unknown
 * user. Each form carries a CSRF token (ui_csrf) and must come from the
 * hub's own pages.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "auth.h"
#include "hub.h"
#include "sessions.h"
#include "ui.h"

static void
form(struct req *r, int status, const char *error, const char *login,
    const char *next)
{
	struct html h;

	html_init(&h, r->a);
	ui_head(r, &h, "Log in");
	html_printf(&h, "<h1>Log in</h1>");
	if (error != NULL)
		html_printf(&h, "<p class=\"error\" role=\"alert\">%s</p>",
		    error);
	html_printf(&h, "<form class=\"login\" method=\"post\" "
	    "action=\"/login\"><input type=\"hidden\" name=\"csrf\" "
	    "value=\"%s\"><input type=\"hidden\" name=\"next\" value=\"%s\">"
	    "<label for=\"username\">Username or e-mail</label>"
	    "<input type=\"text\" id=\"username\" name=\"username\" "
	    "value=\"%s\" autocomplete=\"username\" required>"
	    "<label for=\"password\">Password</label>"
	    "<input type=\"password\" id=\"password\" name=\"password\" "
	    "autocomplete=\"current-password\" required>"
	    "<button type=\"submit\">Log in</button></form>",
	    ui_csrf(r, false), ui_next(next), login ? login : "");
	resp_header(r, "Cache-Control", "no-store");
	ui_send(r, &h, status);
}

void
ui_login(struct req *r)
{
	char sid[SESSION_LEN + 1];
	struct session_user u;
	struct qarg *q;
	struct kerr e;
	const char *login, *password, *next;
	size_t n;

	if (r->method != M_POST) {
		form(r, 200, NULL, NULL, req_query(r, "next"));
		return;
	}
	if ((q = ui_form(r, &n)) == NULL)
		return;
	login = query_get(q, n, "username");
	password = query_get(q, n, "password");
	next = query_get(q, n, "next");
	if (!ui_csrf_ok(r, query_get(q, n, "csrf"), false)) {
		form(r, 403, "This form expired or came from another site: "
		    "log in again here.", login, next);
		return;
	}
	if (login == NULL || *login == '\0' || password == NULL ||
	    strlen(login) > 254 || strlen(password) > 1024) {
		form(r, 400, "Give your username and password.", login, next);
		return;
	}
	if (session_login(r->hub->db, r->a, login, password, sid, &u,
	    &e) != 0) {
		if (e.status >= 500)
			resp_kerr(r, &e);
		else
			form(r, e.status, e.msg, login, next);
		return;
	}
	resp_header(r, "Set-Cookie", "session_id=%s; Max-Age=%d; %s", sid,
	    SESSION_DAYS * 86400, auth_cookie_attrs(r));
	sodium_memzero(sid, sizeof(sid));
	resp_header(r, "Cache-Control", "no-store");
	resp_redirect(r, 303, arena_printf(r->a, "%s%s", r->endpoint,
	    ui_next(next)));
}

void
ui_logout(struct req *r)
{
	struct qarg *q;
	struct kerr e;
	const char *sid;
	size_t n, len;

	if ((q = ui_form(r, &n)) == NULL)
		return;
	if (auth_cookie(r, &sid, &len) == 1) {
		if (!ui_csrf_ok(r, query_get(q, n, "csrf"), true)) {
			resp_error(r, 403, "Forbidden", "This form expired or "
			    "came from another site.");
			return;
		}
		if (session_end(r->hub->db, r->a, sid, len, &e) != 0) {
			resp_kerr(r, &e);
			return;
		}
	}
	resp_header(r, "Set-Cookie", "session_id=; Max-Age=0; %s",
	    auth_cookie_attrs(r));
	resp_redirect(r, 303, arena_printf(r->a, "%s/", r->endpoint));
}
