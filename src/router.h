/*
 * router.h: one table maps every URL form of the Hub protocol to a handler.
 *
 * A pattern is '/'-separated; each part is a literal or a capture:
 *	{type}	models | datasets | spaces (sets args.type)
 *	{id}	a repository id: "ns/name" (args.ns, args.name), or, when
 *		no route takes the path so, a canonical "name" (args.ns "")
 *	{repo}	a repository in download form: {id} (a model) or
 *		"models|datasets|spaces/{id}"
 *	{repo.git}  the same, the last segment ending in ".git" (LFS URLs)
 *	{ns} {name} {rev} {arg}	one segment each (decoded, may hold '/')
 *	{path*}	every remaining segment, '/'-joined (possibly empty)
 * Matching is on decoded segments of the raw REQUEST_URI, so "refs%2Fpr%2F1"
 * stays one revision.
 *
 * A line says, after its handler, what the handler needs, and the router
 * provides it before calling it (as cgit's def_cmd and kcgi's kvalid
 * tables): who may call (enum route_auth, the pages' own kinds among
 * them), the repository the handler works on and the access it needs
 * (enum access, repo.h: opened as repo_open() does, into r->repo), and
 * what the body is (enum body_kind, request.h: parsed and checked once,
 * UTF-8 with no NUL, into r->json, r->form or r->body). Columns left out
 * are 0: anyone, no repository, no body.
 */
#ifndef KHUB_ROUTER_H
#define KHUB_ROUTER_H

#include "request.h"

typedef void (*handler_fn)(struct req *);

/* Who may call a route, checked before its handler (auth.h). */
enum route_auth {
	AUTH_ANY,	/* anyone: the handler asks what it needs itself */
	AUTH_IDENTIFY,	/* auth_identify(): anonymous, or a valid credential
			 * in r->who (401 for a bad one) */
	AUTH_USER,	/* auth_require(): r->who set (401 otherwise) */
	AUTH_ADMIN,	/* auth_admin(): the admin API's caller (403, 404) */
	/* A page (ui_*.c): its errors are pages (ui_begin()), and the
	 * caller is identified but for a POST, whose form proves itself. */
	AUTH_PAGE,
	/* AUTH_PAGE, and a POST is a form of a person signed in: the form
	 * read (r->form), its CSRF token the session's, then the session
	 * identified (ui_form_session(): a 403 page, a 303 to the login
	 * form coming back to the route's path). */
	AUTH_PAGE_FORM,
	/* AUTH_PAGE_FORM, and a GET too needs a person signed in (the
	 * 303 to the login form). */
	AUTH_PAGE_USER
};

/*
 * The repository column: an enum access (ACCESS_NONE: the handler opens
 * none, or opens it itself), with REPO_AT_REV to look up the route's {rev}
 * (main on a route without one) as a ref in the same query
 * (repo_open_rev()). The repository is the route's {type}/{id} or {repo}.
 */
#define REPO_AT_REV	0x10u
#define REPO_ACCESS	0x0fu	/* the enum access of the column */

struct route {
	unsigned	 methods;	/* enum method bits, and R_PAGE */
	const char	*pattern;
	handler_fn	 fn;
	enum route_auth	 auth;
	unsigned	 repo;		/* enum access, REPO_AT_REV */
	unsigned	 body;		/* enum body_kind, BODY_LATE */
	size_t		 body_max;	/* BODY_JSON_OPT's limit, bytes */
};

/*
 * A page for people (ui_*.c): tried only for GET and HEAD, outside /api/,
 * and only when no other route takes the path in either pass; so adding a
 * page never changes an API answer (not even a 404 into a 405).
 */
#define R_PAGE	0x100u	/* above every enum method bit */

/*
 * Finds the route of table[0..n) for r's path and method and fills r->args.
 * Returns it, or NULL with *status 404 (no pattern matches) or 405 (a pattern
 * matches, not for this method; *allowed gets the methods that would).
 */
const struct route *router_match(const struct route *table, size_t n,
	    struct req *r, int *status, unsigned *allowed);
/* The server's route patterns, in table order, into names[0..max);
 * returns how many (metrics label requests by them). */
size_t	 router_patterns(const char **names, size_t max);
/* The server's table (what router_dispatch() routes through). */
extern const struct route router_table[];
extern const size_t router_table_len;
/*
 * What route rt promises r's handler, before it runs, in this order: the
 * caller checked (rt->auth; a page's form then read), the body read
 * (rt->body, for the methods that carry one: POST, PUT and PATCH; DELETE
 * only on a line that takes no other method, as DELETE /api/repos/delete
 * names its repository in the body) unless BODY_LATE, and the repository
 * opened (rt->repo, into r->repo: before a late body). Returns 0, or
 * answers (401, 400, 413, RepoNotFound, a page's 303...) and -1.
 */
int	 router_prepare(const struct route *rt, struct req *r);
/* The path of r on its route (r->route, set by router_prepare()) as the
 * pages link it, percent-encoded, the repository as the pages name it:
 * where the login form comes back to. Knows the captures {repo} and
 * {arg}, and literals. */
char	*router_here(struct req *r);
/* Routes r through the server's table, prepares and runs the handler;
 * answers 404 and 405 itself. */
void	 router_dispatch(struct req *);

#endif
