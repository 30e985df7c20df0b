/*
 * ui_layout.c: what every page shares: the document around the content,
 * the answer's headers, error pages, CSRF tokens, the stylesheet.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "api_repo.h"
#include "auth.h"
#include "blobstore.h"
#include "db.h"
#include "gitstore.h"
#include "hub.h"
#include "log.h"
#include "refs.h"
#include "s3.h"
#include "secrets.h"
#include "ui.h"

/*
 * No script, no inline style, no plugin, no frame; styles only from
 * here; images from here and from the web (model cards link pictures).
 */
#define CSP	"default-src 'none'; style-src 'self'; "			\
    "img-src 'self' https: data:%s%s; form-action 'self'; base-uri 'none'; " \
    "frame-ancestors 'none'"

/* The stylesheet. Compiled in: the server has no files to find. */
static const char CSS[] =
":root{--fg:#1f2328;--mute:#59636e;--line:#d1d9e0;--soft:#f6f8fa;"
"--link:#0969da;--accent:#ffd21e}\n"
"*{box-sizing:border-box}\n"
"body{margin:0;font:15px/1.5 system-ui,-apple-system,'Segoe UI',sans-serif;"
"color:var(--fg);background:#fff}\n"
"a{color:var(--link);text-decoration:none}a:hover{text-decoration:underline}\n"
"p a,dd a{text-decoration:underline}\n"
"header.top{display:flex;gap:1.5em;align-items:center;padding:.6em 1.5em;"
"border-bottom:1px solid var(--line);flex-wrap:wrap}\n"
"header.top .logo{font-weight:700;font-size:1.2em;color:var(--fg)}\n"
"header.top nav a{margin-right:1em;color:var(--fg)}\n"
"header.top form.search input{padding:.3em .6em;border:1px solid var(--line);"
"border-radius:6px;min-width:16em}\n"
"header.top .who{margin-left:auto;display:flex;gap:.8em;align-items:center}\n"
"header.top .who form{margin:0}\n"
"button,input[type=submit]{font:inherit;padding:.3em .9em;border:1px solid "
"var(--line);border-radius:6px;background:var(--soft);cursor:pointer}\n"
"main{max-width:1200px;margin:0 auto;padding:1em 1.5em 3em}\n"
"footer{color:var(--mute);font-size:.85em;text-align:center;padding:2em;"
"border-top:1px solid var(--line)}\n"
"h1{font-size:1.5em;margin:.4em 0}\n"
".repohead h1 .kind{color:var(--mute);font-weight:400;font-size:.8em;"
"margin-right:.4em}\n"
".badge{display:inline-block;border:1px solid var(--line);border-radius:6px;"
"padding:0 .5em;margin:0 .3em .3em 0;font-size:.85em;background:var(--soft)}\n"
".badge.private{background:#fff8c5;border-color:#d4a72c}\n"
"nav.tabs{border-bottom:1px solid var(--line);margin:.8em 0 1em}\n"
"nav.tabs a{display:inline-block;padding:.4em .9em;color:var(--fg);"
"border-bottom:2px solid transparent}\n"
"nav.tabs a.on{border-bottom-color:var(--accent);font-weight:600}\n"
".cols{display:flex;gap:2em;align-items:flex-start}\n"
".cols>.card{flex:1;min-width:0}\n"
".cols>aside{width:22em;flex-shrink:0}\n"
"@media (max-width:800px){.cols{flex-direction:column}"
".cols>aside{width:100%}}\n"
"aside section{border:1px solid var(--line);border-radius:8px;padding:.6em "
".9em;margin-bottom:1em}\n"
"aside h2{font-size:1em;margin:.2em 0 .5em}\n"
"dl.facts{display:grid;grid-template-columns:auto 1fr;gap:.2em 1em;margin:0}\n"
"dl.facts dt{color:var(--mute)}dl.facts dd{margin:0;overflow-wrap:anywhere}\n"
"pre{background:var(--soft);border:1px solid var(--line);border-radius:6px;"
"padding:.6em .8em;overflow:auto;font-size:.85em}\n"
"code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}\n"
".markdown table{border-collapse:collapse;margin:1em 0}\n"
".markdown th,.markdown td{border:1px solid var(--line);padding:.3em .7em}\n"
".markdown img{max-width:100%}\n"
"p.picture img{max-width:100%;border:1px solid var(--line);"
"background:repeating-conic-gradient(#eee 0 25%,#fff 0 50%) 0 0/16px 16px}\n"
"table.files{width:100%;border-collapse:collapse;border:1px solid var(--line)}"
"\n"
"table.files td{padding:.35em .8em;border-top:1px solid var(--line)}\n"
"table.files td.size,table.files td.when{color:var(--mute);white-space:nowrap;"
"text-align:right}\n"
"table.files tr:hover{background:var(--soft)}\n"
"table.files td.last{color:var(--mute);max-width:28em;overflow:hidden;"
"text-overflow:ellipsis;white-space:nowrap}table.files td.last a{color:"
"inherit}\n"
".lfs{font-size:.75em;border:1px solid var(--line);border-radius:4px;"
"padding:0 .3em;margin-left:.4em;color:var(--mute)}\n"
".crumbs{margin:.5em 0 1em;font-family:ui-monospace,monospace}\n"
".pager{margin:1em 0;display:flex;gap:1em}\n"
"table.code{border-collapse:collapse;width:100%;font-size:.85em;"
"border:1px solid var(--line)}\n"
"table.code td{padding:0 .8em;vertical-align:top}\n"
"table.code td.ln{text-align:right;color:var(--mute);user-select:none;"
"border-right:1px solid var(--line);width:1%}\n"
"table.code td.ln a{color:inherit}\n"
"table.code td.lc{white-space:pre;font-family:ui-monospace,monospace}\n"
"table.diff tr.add td.lc{background:#dafbe1}\n"
"table.diff tr.del td.lc{background:#ffebe9}\n"
"table.diff tr.hunk td{background:#ddf4ff;color:var(--mute)}\n"
"section.change{margin:1.2em 0}section.change h3{font-size:1em;"
"font-family:ui-monospace,monospace;font-weight:400}\n"
".badge.added{background:#dafbe1}.badge.removed{background:#ffebe9}\n"
"pre.message{white-space:pre-wrap}\n"
"details.switch{display:inline-block;border:1px solid var(--line);"
"border-radius:6px;padding:.2em .6em;margin:.3em 0}details.switch ul{"
"list-style:none;padding:0;margin:.2em 0;max-height:20em;overflow:auto}"
"details.switch h3{font-size:.85em;margin:.4em 0 0;color:var(--mute)}\n"
"article.comment{border:1px solid var(--line);border-radius:8px;padding:"
".5em .9em;margin:.8em 0}article.comment header{margin-bottom:.3em}\n"
"p.event{color:var(--mute);margin:.6em .9em}\n"
"form.wide{max-width:48em}form.wide textarea{font:inherit;padding:.4em;"
"border:1px solid var(--line);border-radius:6px}\n"
".actions{display:flex;gap:.6em;margin:1em 0}.actions form{margin:0}\n"
".filters a.on{font-weight:600}.filters a.new{margin-left:auto}\n"
".badge.st-open{background:#dafbe1}.badge.st-merged{background:#fbefff}\n"
"section.conflicts{border:1px solid #cf222e;border-radius:8px;padding:"
".4em .9em}\n"
"ul.repos{list-style:none;padding:0;display:grid;grid-template-columns:"
"repeat(auto-fill,minmax(22em,1fr));gap:.8em}\n"
"ul.repos li{border:1px solid var(--line);border-radius:8px;padding:.6em .9em}"
"\n"
"ul.repos .meta,.mute{color:var(--mute);font-size:.85em}\n"
"ul.commits{list-style:none;padding:0;border:1px solid var(--line);"
"border-radius:8px}\n"
"ul.commits li{padding:.5em .9em;border-top:1px solid var(--line)}\n"
"ul.commits li:first-child{border-top:0}\n"
"ul.commits .id{font-family:ui-monospace,monospace;float:right}\n"
"form.login{max-width:22em;display:grid;gap:.6em}\n"
"form.login select{padding:.4em;font:inherit}\n"
"table.tokens th{text-align:left;padding:.35em .8em}"
"table.tokens td.when{text-align:left}\n"
"table.members th{text-align:left;padding:.35em .8em}\n"
"form.inline{display:flex;gap:.5em;align-items:center;margin:0}\n"
".hidden{position:absolute;left:-9999px}\n"
"section.newtoken{border:1px solid #2da44e;border-radius:8px;padding:.6em "
".9em;margin:1em 0;background:#dafbe1}\n"
"form.login input[type=text],form.login input[type=password]{padding:.4em;"
"border:1px solid var(--line);border-radius:6px;font:inherit}\n"
".error{color:#cf222e}\n"
"section.setting{border:1px solid var(--line);border-radius:8px;padding:"
".4em .9em 1em;margin:1em 0;max-width:48em}\n"
"section.danger{border-color:#cf222e}\n"
"p.done{color:#1a7f37}\n"
"form.sort{margin:.5em 0 1em;display:flex;gap:.6em;align-items:center;"
"flex-wrap:wrap}\n"
"form.sort input,form.sort select{font:inherit;padding:.2em .4em}\n";

/* The stylesheet's version in its URL: a hash of its text. */
static const char *
css_version(void)
{
	static char v[17];
	unsigned char h[crypto_generichash_BYTES_MIN];

	if (*v == '\0') {
		crypto_generichash(h, sizeof(h), (const unsigned char *)CSS,
		    sizeof(CSS) - 1, NULL, 0);
		sodium_bin2hex(v, sizeof(v), h, 8);
	}
	return v;
}

static void
page_error(struct req *r, int status, const char *code, const char *msg)
{
	ui_error(r, status, code, msg);
}

int
ui_begin(struct req *r)
{
	r->error_page = page_error;
	/* A form's POST proves itself with its CSRF token (ui_csrf_ok);
	 * auth_identify would refuse its body type. */
	if (r->method == M_POST)
		return 0;
	return auth_identify(r);
}

int
ui_cookie(struct req *r, const char *name, const char **v, size_t *len)
{
	const char *c = req_header(r, "Cookie"), *p;
	size_t n = strlen(name);

	for (p = c; p != NULL && *p != '\0'; ) {
		p += strspn(p, " ;");
		if (!strncmp(p, name, n) && p[n] == '=') {
			*v = p + n + 1;
			*len = strcspn(*v, ";");
			while (*len > 0 && (*v)[*len - 1] == ' ')
				(*len)--;
			return 1;
		}
		p += strcspn(p, ";");
	}
	return 0;
}

/* The secret cookie behind the forms' token: the session, or khub_csrf
 * (made here when for_session is false and there is none). */
static int
csrf_secret(struct req *r, bool for_session, bool make, const char **v,
    size_t *len)
{
	static char fresh[SESSION_LEN + 1];

	if (for_session)
		return auth_cookie(r, v, len) == 1;
	if (ui_cookie(r, "khub_csrf", v, len) && session_wellformed(*v, *len))
		return 1;
	if (!make)
		return 0;
	session_generate(fresh);
	/* SameSite=Strict: never sent along from another site's page. */
	resp_header(r, "Set-Cookie", "khub_csrf=%s; %s; SameSite=Strict",
	    fresh, strncmp(r->endpoint, "https:", 6) == 0 ?
	    "Path=/; HttpOnly; Secure" : "Path=/; HttpOnly");
	*v = fresh;
	*len = SESSION_LEN;
	return 1;
}

/* The token of a secret: SHA-256 of "csrf:" and it, in hex. */
static char *
csrf_of(struct arena *a, const char *v, size_t len)
{
	unsigned char h[TOKEN_HASH_LEN];
	char *s = arena_printf(a, "csrf:%.*s", (int)len, v), *hex;

	token_hash(s, strlen(s), h);
	hex = arena_alloc(a, 2 * sizeof(h) + 1);
	sodium_bin2hex(hex, 2 * sizeof(h) + 1, h, sizeof(h));
	return hex;
}

const char *
ui_csrf(struct req *r, bool for_session)
{
	const char *v;
	size_t len;

	if (!csrf_secret(r, for_session, true, &v, &len))
		return "";
	return csrf_of(r->a, v, len);
}

bool
ui_csrf_ok(struct req *r, const char *given, bool for_session)
{
	const char *v, *want;
	size_t len;

	if (!auth_same_origin(r) || given == NULL ||
	    !csrf_secret(r, for_session, false, &v, &len))
		return false;
	want = csrf_of(r->a, v, len);
	return strlen(given) == strlen(want) &&
	    sodium_memcmp(given, want, strlen(want)) == 0;
}

int
ui_logged_in(struct req *r, const char *here)
{
	if (r->who != NULL && r->who->is_session)
		return 1;
	resp_redirect(r, 303, arena_printf(r->a, "%s/login?next=%s",
	    r->endpoint, here));
	return 0;
}

int
ui_form_session(struct req *r, struct qarg *q, size_t n, const char *here)
{
	if (!ui_csrf_ok(r, query_get(q, n, "csrf"), true)) {
		ui_error(r, 403, "Forbidden", "This form expired or came from "
		    "another site: nothing was changed. Go back, reload the "
		    "page and try again.");
		return 0;
	}
	r->form_ok = true;
	if (auth_identify(r) != 0)
		return 0;
	return ui_logged_in(r, here);
}

void
ui_head(struct req *r, struct html *h, const char *title)
{
	html_printf(h, "<!doctype html>\n<html lang=\"en\"><head>"
	    "<meta charset=\"utf-8\"><meta name=\"viewport\" "
	    "content=\"width=device-width, initial-scale=1\">"
	    "<title>%s - khub</title>"
	    "<link rel=\"icon\" href=\"data:,\">"
	    "<link rel=\"stylesheet\" href=\"/static/khub.css?v=%s\">"
	    "</head><body><header class=\"top\">"
	    "<a class=\"logo\" href=\"/\">khub</a>"
	    "<nav aria-label=\"Repositories\"><a href=\"/models\">Models</a>"
	    "<a href=\"/datasets\">Datasets</a><a href=\"/spaces\">Spaces</a>"
	    "</nav><form class=\"search\" action=\"/models\" method=\"get\" "
	    "role=\"search\"><input type=\"search\" name=\"search\" "
	    "placeholder=\"Search models\" aria-label=\"Search models\">"
	    "</form><div class=\"who\">", title, css_version());
	if (r->who != NULL) {
		html_printf(h, "<a href=\"/%s\">%s</a>",
		    html_url(r->a, r->who->name, false), r->who->name);
		if (r->who->is_session)
			html_printf(h, "<a href=\"/settings/tokens\">"
			    "Settings</a><form method=\"post\" "
			    "action=\"/logout\"><input type=\"hidden\" "
			    "name=\"csrf\" value=\"%s\"><button "
			    "type=\"submit\">Log out</button></form>",
			    ui_csrf(r, true));
	} else {
		html_printf(h, "<a href=\"/login\">Log in</a>");
		if (r->hub->conf.allow_registration)
			html_printf(h, "<a href=\"/join\">Sign up</a>");
	}
	html_printf(h, "</div></header><main>");
}

void
ui_send(struct req *r, struct html *h, int status)
{
	const char *origin;

	html_printf(h, "</main><footer>khub %s &middot; request %s</footer>"
	    "</body></html>\n", KHUB_VERSION, r->id);
	/* A picture of a repository is a redirect to S3: an http:// S3
	 * (a LAN, a test) must be named, https: ones all are. */
	origin = s3_public_origin(r->hub->s3, r->a);
	if (strncmp(origin, "http://", 7) != 0 || strpbrk(origin, " ;,'\"")
	    != NULL)
		origin = "";
	resp_header(r, "Content-Security-Policy", CSP, *origin ? " " : "",
	    origin);
	resp_header(r, "X-Frame-Options", "DENY");
	resp_header(r, "Referrer-Policy", "same-origin");
	/* What a page shows depends on who asks: no shared cache keeps it. */
	if (!resp_has_header(r, "Cache-Control"))
		resp_header(r, "Cache-Control", "private, no-cache");
	resp_header(r, "Vary", "Cookie");
	resp_send(r, status, "text/html; charset=utf-8", h->b.data, h->b.len);
}

static const char *
status_title(int status)
{
	switch (status) {
	case 400: return "Bad request";
	case 401: return "Log in to see this";
	case 403: return "Not allowed";
	case 404: return "Not found";
	case 503: return "Unavailable";
	default: return status >= 500 ? "Server error" : "Error";
	}
}

void
ui_error(struct req *r, int status, const char *code, const char *msg)
{
	struct html h;

	r->error_page = NULL;	/* an error while answering one is JSON */
	/* Missing or not for this caller: one page, whoever asks, that
	 * names nothing of what was asked. */
	if (code != NULL && !strcmp(code, "RepoNotFound")) {
		status = 404;
		msg = "Repository not found. It does not exist, or it is "
		    "private and you may not see it.";
	}
	html_init(&h, r->a);
	ui_head(r, &h, status_title(status));
	html_printf(&h, "<div class=\"errorpage\"><h1>%d: %s</h1><p>%s</p>",
	    status, status_title(status), msg);
	if (r->who == NULL && (status == 401 || status == 404))
		html_printf(&h, "<p><a href=\"/login\">Log in</a> to see "
		    "your private repositories.</p>");
	html_printf(&h, "</div>");
	ui_send(r, &h, status);
}

void
ui_not_found(struct req *r)
{
	r->error_page = page_error;
	resp_error(r, 404, "NotFound", "There is no page here.");
}

void
ui_static_css(struct req *r)
{
	const char *inm = req_header(r, "If-None-Match");
	char etag[24];

	snprintf(etag, sizeof(etag), "\"%s\"", css_version());
	resp_header(r, "Cache-Control", "public, max-age=31536000, immutable");
	resp_header(r, "ETag", "%s", etag);
	if (inm != NULL && !strcmp(inm, etag)) {
		resp_send(r, 304, NULL, NULL, 0);
		return;
	}
	resp_send(r, 200, "text/css; charset=utf-8", CSS, sizeof(CSS) - 1);
}

char *
ui_repo_path(struct req *r, const struct repo *repo)
{
	return arena_printf(r->a, "/%s%s", repo_type_prefix(repo->type),
	    html_url(r->a, repo->full, true));
}

/* A tab of the repository's bar; the one shown is marked. */
static void
tab(struct html *h, const char *href, const char *label, bool on)
{
	if (on)
		html_printf(h, "<a class=\"on\" aria-current=\"page\" "
		    "href=\"%s\">%s</a>", href, label);
	else
		html_printf(h, "<a href=\"%s\">%s</a>", href, label);
}

void
ui_repo_header(struct req *r, struct html *h, const struct repo *repo,
    const char *which, const char *rev)
{
	const char *base = ui_repo_path(r, repo), *erev = html_url(r->a, rev,
	    false);

	html_printf(h, "<div class=\"repohead\"><h1><span class=\"kind\">%s"
	    "</span>", repo->type == REPO_DATASET ? "Dataset" :
	    repo->type == REPO_SPACE ? "Space" : "Model");
	if (*repo->ns != '\0')
		html_printf(h, "<a href=\"/%s\">%s</a> / ",
		    html_url(r->a, repo->ns, false), repo->ns);
	html_printf(h, "<a href=\"%s\">%s</a></h1>", base, repo->name);
	if (repo->private_)
		html_printf(h, "<span class=\"badge private\">private</span>");
	if (repo->gated)
		html_printf(h, "<span class=\"badge\">gated</span>");
	html_printf(h, "</div><nav class=\"tabs\" aria-label=\"Repository\">");
	tab(h, base, repo->type == REPO_DATASET ? "Dataset card" :
	    repo->type == REPO_SPACE ? "App card" : "Model card",
	    !strcmp(which, "card"));
	tab(h, arena_printf(r->a, "%s/tree/%s", base, erev), "Files",
	    !strcmp(which, "files"));
	tab(h, arena_printf(r->a, "%s/commits/%s", base, erev), "History",
	    !strcmp(which, "history"));
	tab(h, arena_printf(r->a, "%s/discussions", base), "Community",
	    !strcmp(which, "community"));
	if (repo->access >= ACCESS_ADMIN)
		tab(h, arena_printf(r->a, "%s/settings", base), "Settings",
		    !strcmp(which, "settings"));
	html_printf(h, "</nav>");
}

int
ui_rev_switch(struct req *r, struct html *h, const struct repo *repo,
    const char *page, const char *rev)
{
	const char *base = ui_repo_path(r, repo);
	struct ref_entry *v;
	struct kerr e;
	size_t n, i, k;
	int kind;

	if (refs_list(r->hub->db, r->a, repo->id, &v, &n, &e) != 0)
		return -1;
	html_printf(h, "<details class=\"switch\"><summary>Revision: <code>"
	    "%s</code></summary><div>", rev);
	for (kind = 0; kind < 2; kind++) {
		const char *want = kind == 0 ? "branch" : "tag";

		for (i = 0, k = 0; i < n; i++) {
			if (strcmp(v[i].kind, want) != 0 ||
			    !strncmp(v[i].name, "refs/", 5))
				continue;
			if (k++ == 0)
				html_printf(h, "<h3>%s</h3><ul>", kind == 0 ?
				    "Branches" : "Tags");
			if (!strcmp(v[i].name, rev))
				html_printf(h, "<li><a href=\"%s/%s/%s\" "
				    "aria-current=\"true\">%s</a></li>", base,
				    page, html_url(r->a, v[i].name, false),
				    v[i].name);
			else
				html_printf(h, "<li><a href=\"%s/%s/%s\">%s"
				    "</a></li>", base, page, html_url(r->a,
				    v[i].name, false), v[i].name);
		}
		if (k > 0)
			html_printf(h, "</ul>");
	}
	html_printf(h, "</div></details>");
	return 0;
}

/* Collects an S3 object into a buffer, up to a bound. */
struct sink {
	struct buf	 b;
	size_t		 max;
	bool		 full;
};

static int
sink_add(void *arg, const void *data, size_t len)
{
	struct sink *s = arg;

	if (s->b.len + len > s->max) {
		buf_add(&s->b, data, s->max - s->b.len);
		s->full = true;
		return 1;	/* enough: the rest is not shown */
	}
	buf_add(&s->b, data, len);
	return 0;
}

int
ui_blob_read(struct req *r, const struct blob_info *bi, size_t max,
    char **out, size_t *len, bool *truncated)
{
	struct sink s;
	struct kerr e;
	int rc;

	buf_init(&s.b, r->a);
	s.max = max;
	s.full = false;
	/* Small files may be only in the database (blobstore.h). */
	rc = blobstore_get(r->hub->db, r->hub->s3, r->a, bi, sink_add, &s, &e);
	if (rc != 0 && !s.full) {
		log_warn("request %s: reading blob %s: %s", r->id,
		    oid_hex_a(r->a, &bi->oid), rc == -1 ?
		    db_error(r->hub->db) : e.msg);
		return -1;
	}
	*out = s.b.data;
	*len = s.b.len;
	*truncated = s.full;
	return 0;
}

char *
ui_date(struct arena *a, int64_t seconds)
{
	time_t t = (time_t)seconds;
	struct tm tm;
	char s[32];

	gmtime_r(&t, &tm);
	strftime(s, sizeof(s), "%Y-%m-%d %H:%M UTC", &tm);
	return arena_strdup(a, s);
}

const char *
ui_next(const char *next)
{
	if (next == NULL || next[0] != '/' || next[1] == '/' ||
	    next[1] == '\\' || strpbrk(next, "\r\n\\") != NULL)
		return "/";
	return next;
}

struct qarg *
ui_form(struct req *r, size_t *n)
{
	/* The route's line says BODY_FORM | BODY_LATE (test_route checks
	 * every page that reads a form): read now, after ui_begin(), so
	 * that its errors are pages too. */
	if ((r->body_kind & BODY_KIND) != BODY_FORM) {
		resp_error(r, 500, "InternalError", "This page's route takes "
		    "no form");
		return NULL;
	}
	if (req_read_body(r) != 0)
		return NULL;
	*n = r->nform;
	return r->form;
}
