/*
 * api_discussions.c: discussions and pull requests as the Hub's clients
 * call them (/api/{type}s/{id}/discussions...): list, create, details
 * with events and a PR's diff, comment, edit and hide a comment, rename,
 * change status, merge. The rules are discussions.c's; this file reads
 * the request, finds the caller's rights and writes the Hub's JSON.
 *
 * Every route opens the repository for ACCESS_READ first (its line in
 * the table), so a private repository the caller may not read answers
 * exactly as a missing one (RepoNotFound) whatever follows.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api.h"
#include "api_repo.h"
#include "auth.h"
#include "diff.h"
#include "discussions.h"
#include "gitstore.h"
#include "html.h"
#include "hub.h"
#include "jsonutil.h"

/* What ?diff=1 shows of file contents, in all; past it, files are
 * named without their lines. */
#define DIFF_TEXT_MAX	(1 << 20)
/* A file's contents are shown in a diff up to this size. */
#define DIFF_FILE_MAX	65536
/* The highest ?p= page (50 a page). */
#define PAGE_MAX	1000000
#define HIDDEN_TEXT	"This comment has been hidden"
/* Lines a diff may change before it is one replacing hunk, and its
 * context lines, as git diff's default. */
#define DIFF_EDITS	2000
#define DIFF_CONTEXT	3

/* The route's repository (readable by the caller), and what the caller
 * may do in it. */
static struct repo *
repo_actor(struct req *r, struct dactor *who)
{
	struct repo *repo = r->repo;

	memset(who, 0, sizeof(*who));
	if (r->who != NULL) {
		who->user_id = r->who->user_id;
		/* a read token reads, and takes part in nothing */
		who->participate = !strcmp(r->who->token_role, "write");
		who->write = repo->access >= ACCESS_WRITE;
	}
	return repo;
}

/* The discussion number in the path; 0 after answering. */
static int64_t
num_arg(struct req *r)
{
	const char *s = r->args.arg;
	size_t n = strlen(s);

	if (n == 0 || n > 9 || strspn(s, "0123456789") != n || *s == '0') {
		resp_error(r, 400, "BadRequest", "Invalid discussion number: "
		    "%s", s);
		return 0;
	}
	return strtoll(s, NULL, 10);
}

static json_object *
author_json(const char *name, const char *fullname)
{
	json_object *o = jobj();

	jset(o, "name", jstr(name));
	jset(o, "fullname", jstr(fullname && *fullname ? fullname : name));
	jset(o, "type", jstr("user"));
	return o;
}

/* Sets "author" unless the user is gone: the clients then say
 * "deleted". */
static void
set_author(json_object *o, const char *key, const char *name,
    const char *fullname)
{
	if (name != NULL)
		jset(o, key, author_json(name, fullname));
}

static char *
markdown(struct req *r, const char *text)
{
	struct html h;

	html_init(&h, r->a);
	html_markdown(&h, text, strlen(text), NULL);
	return h.b.data != NULL ? h.b.data : "";
}

static json_object *
event_json(struct req *r, const struct devent *ev)
{
	json_object *o = jobj(), *data = jobj();
	char hex[32];

	snprintf(hex, sizeof(hex), "%024llx", (unsigned long long)ev->id);
	jset(o, "id", jstr(hex));
	set_author(o, "author", ev->author, ev->author_fullname);
	jset(o, "createdAt", jstr(iso_time_ms(r->a, ev->created_ms)));
	jset(o, "type", jstr(ev->type));
	if (!strcmp(ev->type, "comment")) {
		const char *raw = ev->hidden ? HIDDEN_TEXT : ev->body ?
		    ev->body : "";
		json_object *latest = jobj(), *hist = jarr(), *editors = jarr();
		size_t i;

		jset(data, "edited", jbool(ev->nhistory > 0));
		jset(data, "hidden", jbool(ev->hidden));
		jset(latest, "raw", jstr(raw));
		jset(latest, "html", jstr(markdown(r, raw)));
		jset(latest, "updatedAt", jstr(iso_time_ms(r->a,
		    ev->updated_ms)));
		set_author(latest, "author", ev->editor, NULL);
		jset(data, "latest", latest);
		for (i = 0; i < ev->nhistory; i++) {
			json_object *h = jobj();

			jset(h, "raw", jstr(ev->history[i].body));
			jset(h, "updatedAt", jstr(iso_time_ms(r->a,
			    ev->history[i].at_ms)));
			set_author(h, "author", ev->history[i].author, NULL);
			json_object_array_add(hist, h);
		}
		jset(data, "history", hist);
		jset(data, "numEdits", jint((int64_t)ev->nhistory));
		if (ev->editor != NULL)
			json_object_array_add(editors, jstr(ev->editor));
		jset(data, "editors", editors);
		jset(data, "reactions", jarr());
		jset(data, "isReport", jbool(0));
	} else if (!strcmp(ev->type, "status-change")) {
		jset(data, "status", jstr(ev->status));
	} else if (!strcmp(ev->type, "commit")) {
		jset(data, "subject", jstr(ev->body));
		jset(data, "oid", jstr(ev->has_oid ? oid_hex_a(r->a, &ev->oid) :
		    NULL));
	} else if (!strcmp(ev->type, "title-change")) {
		jset(data, "from", jstr(ev->prior));
		jset(data, "to", jstr(ev->body));
	}
	jset(o, "data", data);
	return o;
}

/* The members a listing item and the details share. */
static json_object *
discussion_json(struct req *r, const struct repo *repo,
    const struct discussion *d)
{
	json_object *o = jobj(), *rj = jobj();

	jset(o, "num", jint(d->num));
	jset(o, "title", jstr(d->title));
	jset(o, "status", jstr(d->status));
	set_author(o, "author", d->author, d->author_fullname);
	jset(o, "createdAt", jstr(iso_time_ms(r->a, d->created_ms)));
	jset(o, "isPullRequest", jbool(d->is_pr));
	jset(rj, "name", jstr(repo->full));
	jset(rj, "type", jstr(repo_type_name(repo->type)));
	jset(o, "repo", rj);
	jset(o, "pinned", jbool(0));
	jset(o, "locked", jbool(0));
	return o;
}

/* The 'type' or 'status' filter: index of the value in names, 0 when
 * absent; -1 after answering 400. */
static int
filter_arg(struct req *r, const char *key, const char *const *names)
{
	const char *v = req_query(r, key);
	int i;

	if (v == NULL || *v == '\0')
		return 0;
	for (i = 0; names[i] != NULL; i++)
		if (!strcmp(v, names[i]))
			return i;
	resp_error(r, 400, "BadRequest", "Invalid '%s': %s", key, v);
	return -1;
}

/* GET .../discussions?p=&type=&status=&author= */
static void
list(struct req *r)
{
	static const char *const types[] = { "all", "discussion",
	    "pull_request", NULL };
	static const char *const statuses[] = { "all", "open", "closed",
	    NULL };
	struct discussion *v;
	struct dfilter f;
	struct dactor who;
	struct repo *repo;
	struct kerr e;
	json_object *o, *arr;
	const char *p, *author;
	int64_t page = 0, count;
	size_t n, i;

	repo = repo_actor(r, &who);
	if ((f.type = filter_arg(r, "type", types)) < 0 ||
	    (f.status = filter_arg(r, "status", statuses)) < 0)
		return;
	author = req_query(r, "author");
	f.author = author != NULL && *author != '\0' ? author : NULL;
	if ((p = req_query(r, "p")) != NULL && *p != '\0') {
		if (strspn(p, "0123456789") != strlen(p) || strlen(p) > 7 ||
		    (page = strtoll(p, NULL, 10)) > PAGE_MAX) {
			resp_error(r, 400, "BadRequest", "'p' must be a page "
			    "number from 0 to %d", PAGE_MAX);
			return;
		}
	}
	{
		struct dctx x = req_dctx(r);

		if (discussion_list(&x, repo->id, &f, page, &v, &n, &count,
		    &e) != 0) {
			resp_kerr(r, &e);
			return;
		}
	}
	arr = jarr();
	for (i = 0; i < n; i++) {
		json_object *d = discussion_json(r, repo, &v[i]);

		jset(d, "numComments", jint(v[i].ncomments));
		jset(d, "topReactions", jarr());
		json_object_array_add(arr, d);
	}
	o = jobj();
	jset(o, "discussions", arr);
	jset(o, "count", jint(count));
	jset(o, "start", jint(page * DISCUSSION_PAGE));
	resp_json(r, 200, o);
}

/* POST .../discussions {title, description, pullRequest} */
static void
create(struct req *r)
{
	json_object *body, *o;
	const char *title, *description;
	struct dactor who;
	struct repo *repo;
	struct rev base;
	struct kerr e;
	struct dctx x;
	bool pr = false;
	int64_t num;

	repo = repo_actor(r, &who);
	if (req_read_body(r) != 0)
		return;
	body = r->json;
	if (req_member_str(r, body, "title", &title) != 0 ||
	    req_member_str(r, body, "description", &description) != 0)
		return;
	if (req_member_bool(r, body, "pullRequest", &pr) != 0)
		return;
	/* a pull request's ref starts at main's head */
	if (pr && repo_resolve(r, repo, "refs/heads/main", &base) != 0)
		return;
	x = req_dctx(r);
	if (discussion_create(&x, repo->id, &who, title, description, pr,
	    "main", &base.commit, &num, &e) != 0) {
		resp_kerr(r, &e);
		return;
	}
	o = jobj();
	jset(o, "num", jint(num));
	jset(o, "pullRequest", jbool(pr));
	jset(o, "url", jstr(arena_printf(r->a, "%s/discussions/%lld",
	    repo_url(r, repo), (long long)num)));
	resp_json(r, 200, o);
}

void
api_discussions(struct req *r)
{
	if (r->method == M_POST)
		create(r);
	else
		list(r);
}

/* ---- the diff of a pull request ---- */

struct text {
	struct buf	 b;
	size_t		 max;
};

static int
to_text(void *arg, const void *data, size_t len)
{
	struct text *t = arg;

	if (t->b.len + len > t->max)
		return 1;
	buf_add(&t->b, data, len);
	return 0;
}

/* The bytes of blob oid when it is text of at most DIFF_FILE_MAX bytes
 * (an LFS file: its pointer, as git diffs it); NULL otherwise. */
static const char *
blob_text(struct req *r, const struct oid *oid, size_t *len)
{
	struct blob_info bi;
	struct text t;
	struct kerr e;

	if (gitstore_blob(r->hub->db, r->a, oid, &bi) != 0 ||
	    gitstore_blob_git_size(&bi) > DIFF_FILE_MAX)
		return NULL;
	buf_init(&t.b, r->a);
	t.max = DIFF_FILE_MAX;
	if (gitstore_blob_read(r->hub->db, r->hub->s3, r->a, &bi, to_text,
	    &t, &e) != 0)
		return NULL;
	buf_addc(&t.b, '\0');
	*len = t.b.len - 1;
	if (memchr(t.b.data, '\0', *len) != NULL)
		return NULL;	/* binary, as git decides */
	return t.b.data;
}

static size_t
count_lines(const char *s, size_t n)
{
	size_t k = 0, i;

	for (i = 0; i < n; i++)
		k += s[i] == '\n';
	return k + (n > 0 && s[n - 1] != '\n');
}

/* A line of a unified diff: its mark, the line, and git's note when it
 * has no newline. */
static void
add_line(struct buf *b, char mark, const char *s, size_t len, int eol)
{
	buf_addc(b, mark);
	buf_add(b, s, len);
	buf_addc(b, '\n');
	if (!eol)
		buf_adds(b, "\\ No newline at end of file\n");
}

/* Every line of s[0..n) after mark. */
static void
add_lines(struct buf *b, char mark, const char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		const char *nl = memchr(s + i, '\n', n - i);
		size_t l = nl ? (size_t)(nl - (s + i)) : n - i;

		add_line(b, mark, s + i, l, nl != NULL);
		i += l + 1;
	}
}

/* The hunks turning old into new, as git diff -U3 writes them; texts too
 * different for diff_lines()'s bound are one hunk replacing every line. */
static void
add_hunks(struct req *r, struct buf *b, const char *old, size_t ol,
    const char *new, size_t nl)
{
	struct diff_line *s;
	struct diff_hunk h;
	size_t n, pos = 0, i;

	if (diff_lines(r->a, old, ol, new, nl, DIFF_EDITS, &s, &n) == 0) {
		while (diff_next_hunk(s, n, DIFF_CONTEXT, &pos, &h)) {
			buf_printf(b, "@@ -%zu,%zu +%zu,%zu @@\n", h.a_start,
			    h.a_len, h.b_start, h.b_len);
			for (i = h.start; i < h.end; i++)
				add_line(b, s[i].op, s[i].s, s[i].len,
				    s[i].eol);
		}
		return;
	}
	/* every old line out, every new one in: what git apply takes */
	buf_printf(b, "@@ -%zu,%zu +%zu,%zu @@\n", ol ? (size_t)1 : 0,
	    count_lines(old, ol), nl ? (size_t)1 : 0, count_lines(new, nl));
	add_lines(b, '-', old, ol);
	add_lines(b, '+', new, nl);
}

/*
 * git's diff of the changes: headers for every file, and for text files
 * (while the budget lasts) their hunks.
 */
static char *
diff_text(struct req *r, const struct dchange *c, size_t n)
{
	struct buf b;
	size_t i, used = 0;

	buf_init(&b, r->a);
	buf_adds(&b, "");
	for (i = 0; i < n; i++) {
		const struct dchange *d = &c[i];
		const char *old = NULL, *new = NULL;
		size_t ol = 0, nl = 0;
		char oh[OID_HEX + 1], nh[OID_HEX + 1];

		buf_printf(&b, "diff --git a/%s b/%s\n", d->path, d->path);
		if (!d->has_old)
			buf_printf(&b, "new file mode %o\n", d->new_mode);
		else if (!d->has_new)
			buf_printf(&b, "deleted file mode %o\n", d->old_mode);
		else if (d->old_mode != d->new_mode)
			buf_printf(&b, "old mode %o\nnew mode %o\n",
			    d->old_mode, d->new_mode);
		oid_hex(&d->old_oid, oh);
		oid_hex(&d->new_oid, nh);
		buf_printf(&b, "index %.7s..%.7s", d->has_old ? oh :
		    "0000000000", d->has_new ? nh : "0000000000");
		if (d->has_old && d->has_new && d->old_mode == d->new_mode)
			buf_printf(&b, " %o", d->new_mode);
		buf_addc(&b, '\n');
		if (used < DIFF_TEXT_MAX) {
			if (d->has_old)
				old = blob_text(r, &d->old_oid, &ol);
			if (d->has_new)
				new = blob_text(r, &d->new_oid, &nl);
		}
		if ((d->has_old && old == NULL) || (d->has_new &&
		    new == NULL)) {
			buf_printf(&b, "Binary files %s%s and %s%s differ\n",
			    d->has_old ? "a/" : "/dev/null", d->has_old ?
			    d->path : "", d->has_new ? "b/" : "/dev/null",
			    d->has_new ? d->path : "");
			continue;
		}
		if (ol == 0 && nl == 0)
			continue;
		used += ol + nl;
		buf_printf(&b, "--- %s%s\n+++ %s%s\n", d->has_old ? "a/" :
		    "/dev/null", d->has_old ? d->path : "", d->has_new ?
		    "b/" : "/dev/null", d->has_new ? d->path : "");
		add_hunks(r, &b, old ? old : "", ol, new ? new : "", nl);
	}
	return b.data;
}

static json_object *
paths_json(const struct dchange *c, size_t n)
{
	json_object *a = jarr();
	size_t i;

	for (i = 0; i < n; i++)
		json_object_array_add(a, jstr(c[i].path));
	return a;
}

/* A pull request's "changes", "filesWithConflicts" and, with ?diff=1,
 * "diff". 0, or -1 after answering. */
static int
pr_members(struct req *r, struct repo *repo, const struct discussion *d,
    json_object *o)
{
	struct dctx x = req_dctx(r);
	json_object *changes = jobj();
	struct dchange *c = NULL;
	struct oid head, base_head;
	struct kerr e;
	const char *gmsg;
	size_t n = 0;
	int diff, gate = 0, gst;

	if ((diff = req_query_bool(r, "diff", 0)) < 0)
		return -1;
	jset(changes, "base", jstr(arena_printf(r->a, "refs/heads/%s",
	    d->base_branch)));
	if (d->has_merge)
		jset(changes, "mergeCommitId", jstr(oid_hex_a(r->a,
		    &d->merge_oid)));
	jset(o, "changes", changes);
	if (!strcmp(d->status, "open") || !strcmp(d->status, "draft")) {
		if (discussion_conflicts(&x, repo->id, d, &head, &base_head,
		    &c, &n, &e) != 0) {
			/* too many to say, or a base branch gone: none
			 * listed, and merging says why */
			if (e.status != 413 && e.status != 404) {
				resp_kerr(r, &e);
				return -1;
			}
			n = 0;
		}
	}
	jset(o, "filesWithConflicts", paths_json(c, n));
	/* The diff is the files' text: left out (it is optional) for one a
	 * gated repository's gate does not let in. */
	if (diff && (gate = api_gate_check(r, repo, &gst, &gmsg)) < 0)
		return -1;
	if (diff && gate == 0) {
		struct oid from, to;
		struct commit_info ci;
		char *ref = arena_printf(r->a, "refs/pr/%lld",
		    (long long)d->num);
		struct rev rv;

		if (repo_resolve(r, repo, ref, &rv) != 0)
			return -1;
		if (gitstore_commit(r->hub->db, r->a, &rv.commit, &ci) != 0) {
			resp_db_error(r);
			return -1;
		}
		to = ci.tree;
		if (gitstore_commit(r->hub->db, r->a, &d->base_oid, &ci) != 0) {
			resp_db_error(r);
			return -1;
		}
		from = ci.tree;
		/* a diff too large to show is left out, as optional */
		if (discussion_changes(&x, &from, &to, DISCUSSION_CHANGES_MAX,
		    &c, &n, &e) == 0)
			jset(o, "diff", jstr(diff_text(r, c, n)));
		else if (e.status != 413) {
			resp_kerr(r, &e);
			return -1;
		}
	}
	return 0;
}

/* GET .../discussions/{num}[?diff=1] */
void
api_discussion(struct req *r)
{
	struct discussion d;
	struct devent *ev;
	struct dactor who;
	struct repo *repo;
	struct kerr e;
	struct dctx x;
	json_object *o, *events;
	int64_t num;
	size_t n, i;

	repo = repo_actor(r, &who);
	if ((num = num_arg(r)) == 0)
		return;
	x = req_dctx(r);
	if (discussion_get(&x, repo->id, num, &d, &e) != 0 ||
	    discussion_events(&x, repo->id, num, &ev, &n, &e) != 0) {
		resp_kerr(r, &e);
		return;
	}
	o = discussion_json(r, repo, &d);
	events = jarr();
	for (i = 0; i < n; i++)
		json_object_array_add(events, event_json(r, &ev[i]));
	jset(o, "events", events);
	if (d.is_pr && pr_members(r, repo, &d, o) != 0) {
		json_object_put(o);
		return;
	}
	resp_json(r, 200, o);
}

/* ---- changes ---- */

/* The event id of the path ({rev}: the hex id the answers give); 0 when
 * it is none. */
static int64_t
event_arg(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 24 || strspn(s, "0123456789abcdef") != n)
		return 0;
	return (int64_t)strtoull(s, NULL, 16) > 0 ?
	    (int64_t)strtoull(s, NULL, 16) : 0;
}

/* Answers {key: event} for a change that succeeded, or the error. */
static void
answer_event(struct req *r, int rc, const char *key, const struct devent *ev,
    const struct kerr *e)
{
	json_object *o;

	if (rc != 0) {
		resp_kerr(r, e);
		return;
	}
	o = jobj();
	jset(o, key, event_json(r, ev));
	resp_json(r, 200, o);
}

/* The parts every change needs: repository, rights, number, body. */
struct change {
	struct repo	*repo;
	struct dactor	 who;
	int64_t		 num;
	json_object	*body;
	struct dctx	 x;
	struct devent	 ev;
	struct kerr	 e;
};

static int
change_open(struct req *r, struct change *c)
{
	c->repo = repo_actor(r, &c->who);
	if ((c->num = num_arg(r)) == 0 || req_read_body(r) != 0)
		return -1;
	c->body = r->json;
	c->x = req_dctx(r);
	return 0;
}

/* POST .../discussions/{num}/comment {comment} */
void
api_discussion_comment(struct req *r)
{
	struct change c;
	const char *text;

	if (change_open(r, &c) != 0 || req_member_str(r, c.body, "comment",
	    &text) != 0)
		return;
	answer_event(r, discussion_comment(&c.x, c.repo->id, c.num, &c.who,
	    text, &c.ev, &c.e), "newMessage", &c.ev, &c.e);
}

/* POST .../discussions/{num}/comment/{id}/edit {content} */
void
api_discussion_comment_edit(struct req *r)
{
	struct change c;
	const char *text;

	if (change_open(r, &c) != 0 || req_member_str(r, c.body, "content",
	    &text) != 0)
		return;
	answer_event(r, discussion_edit_comment(&c.x, c.repo->id, c.num,
	    &c.who, event_arg(r->args.rev), text, &c.ev, &c.e),
	    "updatedComment", &c.ev, &c.e);
}

/* POST .../discussions/{num}/comment/{id}/hide, no body */
void
api_discussion_comment_hide(struct req *r)
{
	struct change c;

	if (change_open(r, &c) != 0)
		return;
	answer_event(r, discussion_hide_comment(&c.x, c.repo->id, c.num,
	    &c.who, event_arg(r->args.rev), &c.ev, &c.e), "updatedComment",
	    &c.ev, &c.e);
}

/* POST .../discussions/{num}/title {title} */
void
api_discussion_title(struct req *r)
{
	struct change c;
	const char *title;

	if (change_open(r, &c) != 0 || req_member_str(r, c.body, "title",
	    &title) != 0)
		return;
	answer_event(r, discussion_rename(&c.x, c.repo->id, c.num, &c.who,
	    title, &c.ev, &c.e), "newTitle", &c.ev, &c.e);
}

/* POST .../discussions/{num}/status {status, comment?} */
void
api_discussion_status(struct req *r)
{
	struct change c;
	const char *status, *comment;

	if (change_open(r, &c) != 0 || req_member_str(r, c.body, "status",
	    &status) != 0 || req_member_str(r, c.body, "comment", &comment) != 0)
		return;
	answer_event(r, discussion_set_status(&c.x, c.repo->id, c.num, &c.who,
	    status, comment, &c.ev, &c.e), "newStatus", &c.ev, &c.e);
}

/* POST .../discussions/{num}/merge [{comment}] */
void
api_discussion_merge(struct req *r)
{
	struct change c;
	struct dchange *conflicts;
	const char *comment;
	size_t n;

	if (change_open(r, &c) != 0 || req_member_str(r, c.body, "comment",
	    &comment) != 0)
		return;
	if (discussion_merge(&c.x, c.repo->id, c.num, &c.who, comment,
	    &conflicts, &n, &c.e) != 0) {
		if (n > 0) {
			json_object *extra = jobj();

			jset(extra, "filesWithConflicts", paths_json(conflicts,
			    n));
			resp_error_with(r, c.e.status, c.e.code, extra, "%s",
			    c.e.msg);
		} else
			resp_kerr(r, &c.e);
		return;
	}
	resp_json(r, 200, jobj());
}
