/*
 * ui.h: the pages for people (ui_*.c), server-rendered HTML at the Hub's
 * own URLs, GET only but for the login form. Every page is written with
 * html.h (escaped by construction) inside the layout of ui_layout.c, and
 * answered with a strict Content-Security-Policy: no script at all, the
 * one stylesheet served by khub itself (/static/khub.css).
 *
 * A page reads through the same domain calls as the API (its route's line
 * opens the repository as repo_open_rev() does, gitstore, filelist);
 * their error answers become HTML pages (ui_begin(), which the router
 * calls for a page's line, installs the request's error_page), and a
 * repository the caller may not read is the same 404 page as a missing
 * one.
 */
#ifndef KHUB_UI_H
#define KHUB_UI_H

#include "html.h"
#include "request.h"

struct repo;

/* ui_layout.c: the page around the content, errors, CSRF, the CSS. */

/*
 * Starts a page request (the router, for a line with AUTH_PAGE...):
 * errors of what follows answer as HTML pages, and the caller is
 * identified (auth_identify) but for a POST, whose form proves itself.
 * Returns 0, or -1 when it answered (an invalid session: the 401 page).
 */
int	 ui_begin(struct req *);
/* Writes the document's head and the site header (search, who is
 * logged in, log in or out) into h; title is text. */
void	 ui_head(struct req *, struct html *, const char *title);
/* Closes the document (footer) and sends it with status. */
void	 ui_send(struct req *, struct html *, int status);
/* An error page: status, a title and a message (text); the request's
 * X-Error-Code is code. A RepoNotFound is always a 404 page that names
 * nothing asked for, so a private repository looks missing. */
void	 ui_error(struct req *, int status, const char *code,
	    const char *msg);
/* The router's 404 for a browser (Accept: text/html). */
void	 ui_not_found(struct req *);
/* GET /static/khub.css: the stylesheet, cached for a year (its URL
 * carries a version). */
void	 ui_static_css(struct req *);
/*
 * The CSRF token of this browser's forms: a hash of a secret cookie the
 * browser holds (the session when logged in, else khub_csrf, set here
 * when missing). Other sites cannot read it, and a form posted without
 * it (or from another origin) is refused by ui_csrf_ok().
 */
const char *ui_csrf(struct req *, bool for_session);
/* Whether a form POST may act: same origin (Sec-Fetch-Site or Origin)
 * and given equal to the token ui_csrf() put in the form. */
bool	 ui_csrf_ok(struct req *, const char *given, bool for_session);
struct qarg;
/*
 * The fields of a form POSTed to this page (an urlencoded body of at most
 * UI_FORM_MAX bytes, every field UTF-8: req_read_body(), for a route
 * whose line says BODY_FORM | BODY_LATE, UI_FORM_MAX) into *n of them;
 * NULL when it answered (413, 400). Look them up with query_get(). A
 * line with AUTH_PAGE_FORM or AUTH_PAGE_USER has read it already (in
 * r->form, r->nform).
 */
struct qarg *ui_form(struct req *, size_t *n);
#define UI_FORM_MAX	16384
/* Whether a person is logged in with a session; else it answered with
 * a 303 to the login form, coming back to here (a path, URL-encoded).
 * The router asks it for a line with AUTH_PAGE_USER. */
int	 ui_logged_in(struct req *, const char *here);
/*
 * For a form posted by a person logged in (the router, for a line with
 * AUTH_PAGE_FORM or AUTH_PAGE_USER): checks its CSRF token against
 * the session cookie (ui_csrf_ok) and only then identifies the session,
 * whose cookie may come with this urlencoded body. 1 when r->who is the
 * session's user; 0 when it answered (a 403 page for a wrong token or
 * origin, nothing identified; a bad session; ui_logged_in's 303).
 */
int	 ui_form_session(struct req *, struct qarg *, size_t n,
	    const char *here);
/* Where to go after a form: next if it is a path of this hub, else "/". */
const char *ui_next(const char *next);
/* The value of cookie name into *v (*len bytes, not NUL-terminated);
 * 1 when present, else 0. */
int	 ui_cookie(struct req *, const char *name, const char **v,
	    size_t *len);
/* "/{type prefix}{ns}/{name}", percent-encoded, for links. */
char	*ui_repo_path(struct req *, const struct repo *);
/* The repository's title bar and tabs (card, files, history); tab is
 * "card", "files" or "history", rev the revision shown. */
void	 ui_repo_header(struct req *, struct html *, const struct repo *,
	    const char *tab, const char *rev);
/*
 * The branch and tag switcher of a files or history page (page "tree" or
 * "commits"): the revision shown, and every branch and tag linking the
 * same page at it (pull requests' refs left out: they have their own
 * pages). Works without script (<details>). 0, or -1 on a database error
 * (nothing answered).
 */
int	 ui_rev_switch(struct req *, struct html *, const struct repo *,
	    const char *page, const char *rev);
struct blob_info;
/*
 * The first max bytes of a blob's content from S3 (as the API reads a
 * README) into *out (NUL-terminated, in the arena), *len of them;
 * *truncated when there is more. Returns 0, or -1 when S3 failed
 * (logged; the page then says the file cannot be shown).
 */
int	 ui_blob_read(struct req *, const struct blob_info *, size_t max,
	    char **out, size_t *len, bool *truncated);
/* A date for people, "2026-12-01 14:03 UTC", from Unix seconds. */
char	*ui_date(struct arena *, int64_t seconds);

/* ui_repo.c: the repository page (card, metadata, snippets) */
void	 ui_repo(struct req *);
/* ui_tree.c: a folder of a revision */
void	 ui_tree(struct req *);
/* ui_blob.c: a file of a revision */
void	 ui_blob(struct req *);
/* ui_log.c: the history of a revision */
void	 ui_log(struct req *);
/* ui_settings.c: tokens (/settings/tokens), sign-up (/join) */
void	 ui_tokens(struct req *);
void	 ui_join(struct req *);
/* ui_org.c: a new organization (/organizations/new), its members
 * (/organizations/{org}/settings/members), and the members part of its
 * profile page (for its members) */
void	 ui_org_new(struct req *);
void	 ui_org_members(struct req *);
int	 ui_org_section(struct req *, struct html *, int64_t org_id,
	    const char *org);
/* ui_commit.c: a commit, its changed files and their diffs */
void	 ui_commit(struct req *);
struct oid;
/*
 * The files that differ from tree old_tree (NULL: empty) to new_tree,
 * with diffs of small text files, bounded as a commit page is; links go
 * to new_rev (old_rev for removed files). what names the change ("commit",
 * "pull request") in the note when there is more than is listed. 0, or
 * -1 on a database error (nothing answered).
 */
int	 ui_changes(struct req *, struct html *, const char *base,
	    const struct oid *old_tree, const struct oid *new_tree,
	    const char *old_rev, const char *new_rev, const char *what);
/* ui_discussions.c: /{repo}/discussions, /{repo}/discussions/{num|new} */
void	 ui_discussions(struct req *);
void	 ui_discussion(struct req *);
/* ui_repo_settings.c: /{repo}/settings, for its admins */
void	 ui_repo_settings(struct req *);
/* ui_list.c: listings of models, datasets, spaces; a user's or an
 * organization's profile (a name no one has: the canonical model) */
void	 ui_list(struct req *);
void	 ui_profile(struct req *);
/* ui_account.c: log in (the form and its POST), log out */
void	 ui_login(struct req *);
void	 ui_logout(struct req *);

#endif
