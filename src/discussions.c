/*
 * discussions.c: discussions and pull requests (discussions.h): rows of
 * discussion and discussion_event, the refs/pr/N refs, tree diffs and the
 * three-way tree merge a pull request's merge needs.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>


#include "db.h"
#include "discussions.h"
#include "fresh.h"
#include "gc.h"
#include "gitstore.h"
#include "hub.h"
#include "jsonutil.h"
#include "names.h"
#include "treediff.h"


#define MS(col)	" FLOOR(UNIX_TIMESTAMP(" col ") * 1000)"

static const struct db_stmt SQL_LIST = DB_READ("iiiiiissii", "iiisssssbbii",
    "SELECT d.num, d.is_pr, d.author_id, n.name, n.fullname, d.title,"
    " d.status, d.base_branch, d.base_oid, d.merge_oid," MS("d.created_at") ","
    " (SELECT COUNT(*) FROM discussion_event c WHERE c.repo_id = d.repo_id"
    "  AND c.num = d.num AND c.type = 'comment')"
    " FROM discussion d LEFT JOIN namespace n ON n.id = d.author_id"
    " WHERE d.repo_id = ? AND (? = 0 OR d.is_pr = ?)"
    " AND (? = 0 OR (? = 1 AND d.status IN ('draft', 'open'))"
    "  OR (? = 2 AND d.status IN ('closed', 'merged')))"
    " AND (? IS NULL OR d.author_id = (SELECT id FROM namespace"
    "  WHERE kind = 'user' AND name = ?))"
    " ORDER BY d.num DESC LIMIT ? OFFSET ?");
static const struct db_stmt SQL_COUNT = DB_READ("iiiiiiss", "i",
    "SELECT COUNT(*) FROM discussion d LEFT JOIN namespace n"
    " ON n.id = d.author_id"
    " WHERE d.repo_id = ? AND (? = 0 OR d.is_pr = ?)"
    " AND (? = 0 OR (? = 1 AND d.status IN ('draft', 'open'))"
    "  OR (? = 2 AND d.status IN ('closed', 'merged')))"
    " AND (? IS NULL OR d.author_id = (SELECT id FROM namespace"
    "  WHERE kind = 'user' AND name = ?))");
static const struct db_stmt SQL_GET = DB_READ("ii", "iiisssssbbii",
    "SELECT d.num, d.is_pr, d.author_id, n.name, n.fullname, d.title,"
    " d.status, d.base_branch, d.base_oid, d.merge_oid," MS("d.created_at") ","
    " 0 FROM discussion d LEFT JOIN namespace n ON n.id = d.author_id"
    " WHERE d.repo_id = ? AND d.num = ?");
static const struct db_stmt SQL_LOCK = DB_READ("ii", "iiisssssbbii",
    "SELECT d.num, d.is_pr, d.author_id, NULL, NULL, d.title,"
    " d.status, d.base_branch, d.base_oid, d.merge_oid, 0, 0"
    " FROM discussion d WHERE d.repo_id = ? AND d.num = ? FOR UPDATE");
static const struct db_stmt SQL_EVENTS = DB_READ("iiiii", "issssssbisii",
    "SELECT e.id, e.type, n.name, n.fullname, e.body, e.prior, e.status,"
    " e.oid, e.hidden, ed.name," MS("e.created_at") "," MS("e.updated_at")
    " FROM discussion_event e LEFT JOIN namespace n ON n.id = e.author_id"
    " LEFT JOIN namespace ed ON ed.id = COALESCE(e.edited_by, e.author_id)"
    " WHERE e.repo_id = ? AND e.num = ? AND (? = 0 OR e.id = ?)"
    " ORDER BY e.id LIMIT ?");
static const struct db_stmt SQL_EDITS = DB_READ("iiii", "issi",
    "SELECT x.event_id, x.body, n.name," MS("x.created_at")
    " FROM discussion_edit x JOIN discussion_event e ON e.id = x.event_id"
    " LEFT JOIN namespace n ON n.id = x.author_id"
    " WHERE e.repo_id = ? AND e.num = ? AND (? = 0 OR e.id = ?)"
    " ORDER BY x.event_id, x.seq");
static const struct db_stmt SQL_SEQ_BUMP = DB_WRITE("i",
    "INSERT INTO discussion_seq (repo_id, last) VALUES (?, 1)"
    " ON DUPLICATE KEY UPDATE last = last + 1");
static const struct db_stmt SQL_SEQ_GET = DB_READ("i", "i",
    "SELECT last FROM discussion_seq WHERE repo_id = ?");
static const struct db_stmt SQL_NEW = DB_WRITE("iiiisssb",
    "INSERT INTO discussion (repo_id, num, is_pr, author_id, title, status,"
    " base_branch, base_oid) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
static const struct db_stmt SQL_NEW_EVENT = DB_WRITE("iisisssb",
    "INSERT INTO discussion_event (repo_id, num, type, author_id, body,"
    " prior, status, oid) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
static const struct db_stmt SQL_NEVENTS = DB_READ("ii", "i",
    "SELECT COUNT(*) FROM discussion_event WHERE repo_id = ? AND num = ?");
static const struct db_stmt SQL_PR_REF = DB_WRITE("isb",
    "INSERT INTO ref (repo_id, kind, name, target) VALUES (?, 'branch', ?, ?)");
static const struct db_stmt SQL_HEAD = DB_READ("is", "b",
    "SELECT target FROM ref WHERE repo_id = ? AND kind = 'branch'"
    " AND name = ?");
static const struct db_stmt SQL_MOVE = DB_WRITE("bisb",
    "UPDATE ref SET target = ? WHERE repo_id = ? AND kind = 'branch'"
    " AND name = ? AND target = ?");
static const struct db_stmt SQL_SET_TITLE = DB_WRITE("sii",
    "UPDATE discussion SET title = ? WHERE repo_id = ? AND num = ?");
static const struct db_stmt SQL_SET_STATUS = DB_WRITE("sii",
    "UPDATE discussion SET status = ? WHERE repo_id = ? AND num = ?");
static const struct db_stmt SQL_SET_MERGED = DB_WRITE("bii",
    "UPDATE discussion SET status = 'merged', merge_oid = ?"
    " WHERE repo_id = ? AND num = ?");
static const struct db_stmt SQL_COMMENT_LOCK = DB_READ("iii", "ii",
    "SELECT author_id, hidden FROM discussion_event WHERE id = ?"
    " AND repo_id = ? AND num = ? AND type = 'comment' FOR UPDATE");
static const struct db_stmt SQL_KEEP_VERSION = DB_WRITE("i",
    "INSERT INTO discussion_edit (event_id, seq, body, author_id, created_at)"
    " SELECT e.id, (SELECT COUNT(*) FROM discussion_edit x"
    "  WHERE x.event_id = e.id), e.body, COALESCE(e.edited_by, e.author_id),"
    " e.updated_at FROM discussion_event e WHERE e.id = ?");
static const struct db_stmt SQL_EDIT = DB_WRITE("sii",
    "UPDATE discussion_event SET body = ?, edited_by = ?,"
    " updated_at = CURRENT_TIMESTAMP(3) WHERE id = ?");
static const struct db_stmt SQL_HIDE = DB_WRITE("ii",
    "UPDATE discussion_event SET body = '', hidden = 1, edited_by = ?,"
    " updated_at = CURRENT_TIMESTAMP(3) WHERE id = ?");
static const struct db_stmt SQL_FORGET = DB_WRITE("i",
    "DELETE FROM discussion_edit WHERE event_id = ?");
static const struct db_stmt SQL_REPO_COMMIT = DB_WRITE("ib",
    "INSERT IGNORE INTO repo_commit (repo_id, oid) VALUES (?, ?)");
static const struct db_stmt SQL_TOUCH = DB_WRITE("i",
    "UPDATE repo SET updated_at = CURRENT_TIMESTAMP(3) WHERE id = ?");
static const struct db_stmt SQL_USER = DB_READ("i", "ss",
    "SELECT name, email FROM namespace WHERE id = ?");

int64_t
discussion_pr_of_rev(const char *rev)
{
	const char *p;
	int64_t n = 0;

	if (strncmp(rev, "refs/pr/", 8) != 0)
		return 0;
	for (p = rev + 8; *p >= '0' && *p <= '9'; p++) {
		if (n > 100000000)
			return 0;
		n = n * 10 + (*p - '0');
	}
	/* digits only, no leading zero: one spelling per number */
	return *p == '\0' && p > rev + 8 && rev[8] != '0' ? n : 0;
}

static char *
pr_ref(struct arena *a, int64_t num)
{
	return arena_printf(a, "refs/pr/%lld", (long long)num);
}

/* Reads a discussion row of SQL_LIST's columns. 1, 0 or -1. */
static int
row_discussion(struct db_res *res, struct discussion *d)
{
	void *base, *merge;
	size_t blen, mlen;
	int64_t is_pr;
	int rc;

	memset(d, 0, sizeof(*d));
	rc = db_row(res, db_out_i(&d->num), db_out_i(&is_pr),
	    db_out_i(&d->author_id), db_out_s(&d->author),
	    db_out_s(&d->author_fullname), db_out_s(&d->title),
	    db_out_s(&d->status), db_out_s(&d->base_branch), db_out_b(&base,
	    &blen), db_out_b(&merge, &mlen), db_out_i(&d->created_ms),
	    db_out_i(&d->ncomments));
	if (rc != 1)
		return rc;
	d->is_pr = is_pr != 0;
	if (base != NULL && blen == OID_LEN)
		memcpy(d->base_oid.b, base, OID_LEN);
	if (merge != NULL && mlen == OID_LEN) {
		d->has_merge = true;
		memcpy(d->merge_oid.b, merge, OID_LEN);
	}
	return 1;
}

int
discussion_list(struct dctx *x, int64_t repo_id, const struct dfilter *f,
    int64_t page, struct discussion **out, size_t *n, int64_t *count,
    struct kerr *e)
{
	struct db *db = x->hub->db;
	struct db_res *res;
	struct discussion *v;
	int64_t type = f->type, st = f->status;
	int rc;

	*n = 0;
	if (db_exec(db, x->a, &res, &SQL_COUNT, db_i(repo_id), db_i(type),
	    db_i((int64_t)(type == 2)), db_i(st), db_i(st), db_i(st),
	    db_s(f->author), db_s(f->author)) != 0 ||
	    db_row(res, db_out_i(count)) != 1)
		return kerr_db(e, db);
	db_done(res);
	v = arena_alloc(x->a, DISCUSSION_PAGE * sizeof(*v));
	if (db_exec(db, x->a, &res, &SQL_LIST, db_i(repo_id), db_i(type),
	    db_i((int64_t)(type == 2)), db_i(st), db_i(st), db_i(st),
	    db_s(f->author), db_s(f->author), db_i((int64_t)DISCUSSION_PAGE),
	    db_i(page * DISCUSSION_PAGE)) != 0)
		return kerr_db(e, db);
	while (*n < DISCUSSION_PAGE && (rc = row_discussion(res, &v[*n])) == 1)
		(*n)++;
	if (rc < 0)
		return kerr_db(e, db);
	*out = v;
	return 0;
}

/* Discussion num through st (SQL_GET, or SQL_LOCK in a transaction). */
static int
get_with(struct dctx *x, const struct db_stmt *st, int64_t repo_id,
    int64_t num, struct discussion *d, struct kerr *e)
{
	struct db_res *res;
	int rc;

	if (db_exec(x->hub->db, x->a, &res, st, db_i(repo_id),
	    db_i(num)) != 0 ||
	    (rc = row_discussion(res, d)) < 0)
		return kerr_db(e, x->hub->db);
	db_done(res);
	if (rc == 0)
		return kerr_set(e, 404, "NotFound", "Discussion #%lld not found",
		    (long long)num);
	return 0;
}

int
discussion_get(struct dctx *x, int64_t repo_id, int64_t num,
    struct discussion *out, struct kerr *e)
{
	return get_with(x, &SQL_GET, repo_id, num, out, e);
}

/* Events of discussion num (only event id when id != 0), history
 * attached. */
static int
load_events(struct dctx *x, int64_t repo_id, int64_t num, int64_t id,
    struct devent **out, size_t *n, struct kerr *e)
{
	struct db *db = x->hub->db;
	struct db_res *res;
	struct devent *v;
	size_t cap = 16, i;
	int rc;

	*n = 0;
	v = arena_alloc(x->a, cap * sizeof(*v));
	if (db_exec(db, x->a, &res, &SQL_EVENTS, db_i(repo_id), db_i(num),
	    db_i(id), db_i(id), db_i((int64_t)DISCUSSION_EVENTS_MAX)) != 0)
		return kerr_db(e, db);
	for (;;) {
		struct devent *ev;
		void *oid;
		size_t olen;
		int64_t hidden;

		if (*n == cap) {
			struct devent *bigger = arena_alloc(x->a, 2 * cap *
			    sizeof(*bigger));

			memcpy(bigger, v, cap * sizeof(*v));
			v = bigger;
			cap *= 2;
		}
		ev = &v[*n];
		memset(ev, 0, sizeof(*ev));
		rc = db_row(res, db_out_i(&ev->id), db_out_s(&ev->type),
		    db_out_s(&ev->author), db_out_s(&ev->author_fullname),
		    db_out_s(&ev->body), db_out_s(&ev->prior),
		    db_out_s(&ev->status), db_out_b(&oid, &olen),
		    db_out_i(&hidden), db_out_s(&ev->editor),
		    db_out_i(&ev->created_ms), db_out_i(&ev->updated_ms));
		if (rc != 1)
			break;
		ev->hidden = hidden != 0;
		if (oid != NULL && olen == OID_LEN) {
			ev->has_oid = true;
			memcpy(ev->oid.b, oid, OID_LEN);
		}
		(*n)++;
	}
	if (rc < 0)
		return kerr_db(e, db);
	if (db_exec(db, x->a, &res, &SQL_EDITS, db_i(repo_id), db_i(num),
	    db_i(id), db_i(id)) != 0)
		return kerr_db(e, db);
	i = 0;
	for (;;) {
		int64_t eid, at;
		char *body, *author;
		struct devent *ev;

		if ((rc = db_row(res, db_out_i(&eid), db_out_s(&body),
		    db_out_s(&author), db_out_i(&at))) != 1)
			break;
		/* both in id order: a merge */
		while (i < *n && v[i].id < eid)
			i++;
		if (i == *n)
			continue;
		ev = &v[i];
		if (ev->id != eid)
			continue;
		if (ev->nhistory % 8 == 0) {
			struct dedit *h = arena_alloc(x->a, (ev->nhistory + 8) *
			    sizeof(*h));

			if (ev->nhistory)
				memcpy(h, ev->history, ev->nhistory *
				    sizeof(*h));
			ev->history = h;
		}
		ev->history[ev->nhistory].body = body;
		ev->history[ev->nhistory].author = author;
		ev->history[ev->nhistory].at_ms = at;
		ev->nhistory++;
	}
	if (rc < 0)
		return kerr_db(e, db);
	*out = v;
	return 0;
}

int
discussion_events(struct dctx *x, int64_t repo_id, int64_t num,
    struct devent **out, size_t *n, struct kerr *e)
{
	return load_events(x, repo_id, num, 0, out, n, e);
}

int
discussion_event(struct dctx *x, int64_t repo_id, int64_t num, int64_t id,
    struct devent *out, struct kerr *e)
{
	struct devent *v;
	size_t n;

	if (id <= 0)
		return kerr_set(e, 404, "NotFound", "No such comment");
	if (load_events(x, repo_id, num, id, &v, &n, e) != 0)
		return -1;
	if (n == 0)
		return kerr_set(e, 404, "NotFound", "No such comment");
	*out = v[0];
	return 0;
}

/* ---- checks ---- */

static int
need_participant(const struct dactor *who, struct kerr *e)
{
	if (who->user_id == 0)
		return kerr_set(e, 401, "Unauthorized", "You must be "
		    "authenticated to take part in discussions");
	if (!who->participate)
		return kerr_set(e, 403, "Forbidden", "Taking part in "
		    "discussions needs a write token");
	return 0;
}

/* The author of d or a writer. */
static int
need_author_or_writer(const struct dactor *who, const struct discussion *d,
    struct kerr *e)
{
	if (need_participant(who, e) != 0)
		return -1;
	if (!who->write && who->user_id != d->author_id)
		return kerr_set(e, 403, "Forbidden", "Only the author of "
		    "#%lld or a writer of the repository may do this",
		    (long long)d->num);
	return 0;
}

static int
need_writer(const struct dactor *who, struct kerr *e)
{
	if (need_participant(who, e) != 0)
		return -1;
	if (!who->write)
		return kerr_set(e, 403, "Forbidden", "You need write rights "
		    "on the repository to do this");
	return 0;
}

static int
check_title(const char *title, struct kerr *e)
{
	if (title == NULL || *title == '\0')
		return kerr_set(e, 400, "BadRequest", "'title' is required");
	if (!text_plain(title, DISCUSSION_TITLE_MAX))
		return kerr_set(e, 400, "BadRequest", "'title' must be text of "
		    "at most %d characters, without control characters",
		    DISCUSSION_TITLE_MAX);
	return 0;
}

static int
check_text(const char *what, const char *s, struct kerr *e)
{
	size_t chars;

	if (s == NULL || *s == '\0')
		return kerr_set(e, 400, "BadRequest", "'%s' is required", what);
	if (strlen(s) > DISCUSSION_TEXT_MAX ||
	    !utf8_valid((const unsigned char *)s, strlen(s), &chars))
		return kerr_set(e, 400, "BadRequest", "'%s' must be UTF-8 text "
		    "of at most %d bytes", what, DISCUSSION_TEXT_MAX);
	return 0;
}

/* ---- writes ---- */

/* An event row; *id its id. Checks the discussion's bound first. */
static int
add_event(struct dctx *x, int64_t repo_id, int64_t num, const char *type,
    int64_t author, const char *body, const char *prior, const char *status,
    const struct oid *oid, int64_t *id, struct kerr *e)
{
	struct db *db = x->hub->db;
	struct db_res *res;
	int64_t have = 0;

	if (db_exec(db, x->a, &res, &SQL_NEVENTS, db_i(repo_id),
	    db_i(num)) != 0 ||
	    db_row(res, db_out_i(&have)) != 1)
		return kerr_db(e, db);
	db_done(res);
	if (have >= DISCUSSION_EVENTS_MAX)
		return kerr_set(e, 409, "Conflict", "Discussion #%lld has "
		    "reached %d events: open a new one", (long long)num,
		    DISCUSSION_EVENTS_MAX);
	if ((oid != NULL ? db_exec(db, x->a, &res, &SQL_NEW_EVENT,
	    db_i(repo_id), db_i(num), db_s(type), db_i(author), db_s(body),
	    db_s(prior), db_s(status), db_b(oid->b, OID_LEN)) : db_exec(db,
	    x->a, &res, &SQL_NEW_EVENT, db_i(repo_id), db_i(num), db_s(type),
	    db_i(author), db_s(body), db_s(prior), db_s(status),
	    db_null())) != 0)
		return kerr_db(e, db);
	if (id != NULL)
		*id = (int64_t)db_insert_id(res);
	return 0;
}

/* The next number of repo_id's sequence, in the open transaction. */
static int
next_num(struct dctx *x, int64_t repo_id, int64_t *num, struct kerr *e)
{
	struct db *db = x->hub->db;
	struct db_res *res;

	if (db_exec(db, x->a, NULL, &SQL_SEQ_BUMP, db_i(repo_id)) != 0 ||
	    db_exec(db, x->a, &res, &SQL_SEQ_GET, db_i(repo_id)) != 0 ||
	    db_row(res, db_out_i(num)) != 1)
		return kerr_db(e, db);
	db_done(res);
	return 0;
}

/* A discussion's row and its description comment, in the open
 * transaction; a pull request's ref at head too. */
static int
insert_discussion(struct dctx *x, int64_t repo_id, int64_t author,
    const char *title, const char *description, bool is_pr,
    const char *status, const char *base_branch, const struct oid *base,
    const struct oid *head, int64_t *num, struct kerr *e)
{
	struct db *db = x->hub->db;

	if (next_num(x, repo_id, num, e) != 0)
		return -1;
	if ((is_pr ? db_exec(db, x->a, NULL, &SQL_NEW, db_i(repo_id),
	    db_i(*num), db_i((int64_t)1), db_i(author), db_s(title),
	    db_s(status), db_s(base_branch), db_b(base->b, OID_LEN)) :
	    db_exec(db, x->a, NULL, &SQL_NEW, db_i(repo_id), db_i(*num),
	    db_i((int64_t)0), db_i(author), db_s(title), db_s(status),
	    db_null(), db_null())) != 0)
		return kerr_db(e, db);
	if (add_event(x, repo_id, *num, "comment", author, description, NULL,
	    NULL, NULL, NULL, e) != 0)
		return -1;
	if (is_pr && (db_exec(db, x->a, NULL, &SQL_PR_REF, db_i(repo_id),
	    db_s(pr_ref(x->a, *num)), db_b(head->b, OID_LEN)) != 0 ||
	    fresh_bump(db, repo_id) != 0))
		return kerr_db(e, db);
	return 0;
}

struct tx {
	struct dctx	*x;
	int		(*fn)(struct dctx *, void *, struct kerr *);
	void		*arg;
	struct kerr	*e;
};

static int
run_tx(void *arg)
{
	struct tx *t = arg;

	return t->fn(t->x, t->arg, t->e);
}

/* Runs fn in a transaction of its own, again after a deadlock
 * (db_transaction()); 0, or -1 with *e. */
static int
in_tx(struct dctx *x, int (*fn)(struct dctx *, void *, struct kerr *),
    void *arg, struct kerr *e)
{
	struct tx t = { x, fn, arg, e };

	if (db_transaction(x->hub->db, run_tx, &t) == 0)
		return 0;
	/* fn's own refusal is in *e; a database error is the database's */
	if (db_errno(x->hub->db) != 0)
		kerr_db(e, x->hub->db);
	return -1;
}

struct create_args {
	int64_t		 repo_id;
	const struct dactor *who;
	const char	*title, *description, *base_branch;
	bool		 is_pr;
	const struct oid *base;
	int64_t		*num;
};

static int
create_tx(struct dctx *x, void *arg, struct kerr *e)
{
	struct create_args *c = arg;

	return insert_discussion(x, c->repo_id, c->who->user_id, c->title,
	    c->description, c->is_pr, c->is_pr ? "draft" : "open",
	    c->base_branch, c->base, c->base, c->num, e);
}

int
discussion_create(struct dctx *x, int64_t repo_id, const struct dactor *who,
    const char *title, const char *description, bool is_pr,
    const char *base_branch, const struct oid *base, int64_t *num,
    struct kerr *e)
{
	struct create_args c = { repo_id, who, title, description,
	    base_branch, is_pr, base, num };

	if (need_participant(who, e) != 0 || check_title(title, e) != 0 ||
	    check_text("description", description, e) != 0)
		return -1;
	return in_tx(x, create_tx, &c, e);
}

int
discussion_open_pr_tx(struct dctx *x, int64_t repo_id,
    const char *base_branch, const struct oid *base, const struct oid *head,
    const char *summary, const char *description, int64_t *num,
    struct kerr *e)
{
	char *title = arena_strndup(x->a, summary, strcspn(summary, "\n"));

	/* the Hub's titles are at most 200 characters: a longer summary is
	 * cut at a character's start */
	if (!text_plain(title, DISCUSSION_TITLE_MAX)) {
		size_t n = strlen(title), chars = 0, i;

		for (i = 0; i < n; i++)
			if (((unsigned char)title[i] & 0xc0) != 0x80 &&
			    ++chars > DISCUSSION_TITLE_MAX)
				break;
		title[i] = '\0';
		if (!text_plain(title, DISCUSSION_TITLE_MAX))
			title = "Pull request";
	}
	if (description == NULL || *description == '\0')
		description = summary;
	if (insert_discussion(x, repo_id, x->user_id, title, description, true,
	    "open", base_branch, base, head, num, e) != 0)
		return -1;
	return discussion_commit_tx(x, repo_id, *num, head, summary, e);
}

int
discussion_commit_tx(struct dctx *x, int64_t repo_id, int64_t num,
    const struct oid *commit, const char *summary, struct kerr *e)
{
	char *subject = arena_strndup(x->a, summary, strcspn(summary, "\n"));

	return add_event(x, repo_id, num, "commit", x->user_id, subject, NULL,
	    NULL, commit, NULL, e);
}

int
discussion_may_push(struct dctx *x, int64_t repo_id, int64_t num,
    const struct dactor *who, struct kerr *e)
{
	struct discussion d;

	if (discussion_get(x, repo_id, num, &d, e) != 0) {
		if (e->status == 404)	/* no such ref, as for a branch */
			kerr_set(e, 404, "RevisionNotFound", "Invalid rev id: "
			    "refs/pr/%lld", (long long)num);
		return -1;
	}
	if (!d.is_pr)
		return kerr_set(e, 404, "RevisionNotFound", "Invalid rev id: "
		    "refs/pr/%lld", (long long)num);
	if (!who->write && (who->user_id == 0 || who->user_id != d.author_id))
		return kerr_set(e, who->user_id ? 403 : 401, who->user_id ?
		    "Forbidden" : "Unauthorized", "Only the author of pull "
		    "request #%lld or a writer may commit to it",
		    (long long)num);
	if (!who->write && !who->participate)
		return kerr_set(e, 403, "Forbidden", "Committing needs a write "
		    "token");
	if (strcmp(d.status, "open") && strcmp(d.status, "draft"))
		return kerr_set(e, 409, "Conflict", "Pull request #%lld is %s",
		    (long long)num, d.status);
	return 0;
}

/* ---- comments, title, status ---- */

struct change_args {
	int64_t		 repo_id, num, id;
	const struct dactor *who;
	const char	*text, *status;
	int64_t		 event;		/* out: the event to answer with */
};

static int
comment_tx(struct dctx *x, void *arg, struct kerr *e)
{
	struct change_args *c = arg;
	struct discussion d;

	if (get_with(x, &SQL_LOCK, c->repo_id, c->num, &d, e) != 0)
		return -1;
	return add_event(x, c->repo_id, c->num, "comment", c->who->user_id,
	    c->text, NULL, NULL, NULL, &c->event, e);
}

/* fn in a transaction, then *out the event it wrote. */
static int
change(struct dctx *x, int (*fn)(struct dctx *, void *, struct kerr *),
    struct change_args *c, struct devent *out, struct kerr *e)
{
	if (in_tx(x, fn, c, e) != 0)
		return -1;
	return discussion_event(x, c->repo_id, c->num, c->event, out, e);
}

int
discussion_comment(struct dctx *x, int64_t repo_id, int64_t num,
    const struct dactor *who, const char *text, struct devent *out,
    struct kerr *e)
{
	struct change_args c = { repo_id, num, 0, who, text, NULL, 0 };

	if (need_participant(who, e) != 0 || check_text("comment", text, e))
		return -1;
	return change(x, comment_tx, &c, out, e);
}

/* Locks comment c->id of the discussion; its author and whether it is
 * hidden. */
static int
lock_comment(struct dctx *x, struct change_args *c, int64_t *author,
    int64_t *hidden, struct kerr *e)
{
	struct db_res *res;
	int rc;

	if (db_exec(x->hub->db, x->a, &res, &SQL_COMMENT_LOCK, db_i(c->id),
	    db_i(c->repo_id), db_i(c->num)) != 0 ||
	    (rc = db_row(res, db_out_i(author), db_out_i(hidden))) < 0)
		return kerr_db(e, x->hub->db);
	db_done(res);
	if (rc == 0)
		return kerr_set(e, 404, "NotFound", "No such comment");
	return 0;
}

static int
edit_tx(struct dctx *x, void *arg, struct kerr *e)
{
	struct change_args *c = arg;
	struct db *db = x->hub->db;
	int64_t author, hidden;

	if (lock_comment(x, c, &author, &hidden, e) != 0)
		return -1;
	if (author != c->who->user_id)
		return kerr_set(e, 403, "Forbidden", "Only its author may edit "
		    "a comment");
	if (hidden)
		return kerr_set(e, 403, "Forbidden", "A hidden comment cannot "
		    "be edited");
	if (db_exec(db, x->a, NULL, &SQL_KEEP_VERSION, db_i(c->id)) != 0 ||
	    db_exec(db, x->a, NULL, &SQL_EDIT, db_s(c->text),
	    db_i(c->who->user_id), db_i(c->id)) != 0)
		return kerr_db(e, db);
	c->event = c->id;
	return 0;
}

int
discussion_edit_comment(struct dctx *x, int64_t repo_id, int64_t num,
    const struct dactor *who, int64_t id, const char *text,
    struct devent *out, struct kerr *e)
{
	struct change_args c = { repo_id, num, id, who, text, NULL, 0 };

	if (need_participant(who, e) != 0 || check_text("content", text, e))
		return -1;
	return change(x, edit_tx, &c, out, e);
}

static int
hide_tx(struct dctx *x, void *arg, struct kerr *e)
{
	struct change_args *c = arg;
	struct db *db = x->hub->db;
	int64_t author, hidden;

	if (lock_comment(x, c, &author, &hidden, e) != 0)
		return -1;
	c->event = c->id;
	if (hidden)
		return 0;	/* hidden already: the same answer */
	if (db_exec(db, x->a, NULL, &SQL_FORGET, db_i(c->id)) != 0 ||
	    db_exec(db, x->a, NULL, &SQL_HIDE, db_i(c->who->user_id),
	    db_i(c->id)) != 0)
		return kerr_db(e, db);
	return 0;
}

int
discussion_hide_comment(struct dctx *x, int64_t repo_id, int64_t num,
    const struct dactor *who, int64_t id, struct devent *out,
    struct kerr *e)
{
	struct change_args c = { repo_id, num, id, who, NULL, NULL, 0 };

	if (need_writer(who, e) != 0)
		return -1;
	return change(x, hide_tx, &c, out, e);
}

static int
rename_tx(struct dctx *x, void *arg, struct kerr *e)
{
	struct change_args *c = arg;
	struct discussion d;

	if (get_with(x, &SQL_LOCK, c->repo_id, c->num, &d, e) != 0 ||
	    need_author_or_writer(c->who, &d, e) != 0)
		return -1;
	if (db_exec(x->hub->db, x->a, NULL, &SQL_SET_TITLE, db_s(c->text),
	    db_i(c->repo_id), db_i(c->num)) != 0)
		return kerr_db(e, x->hub->db);
	return add_event(x, c->repo_id, c->num, "title-change",
	    c->who->user_id, c->text, d.title, NULL, NULL, &c->event, e);
}

int
discussion_rename(struct dctx *x, int64_t repo_id, int64_t num,
    const struct dactor *who, const char *title, struct devent *out,
    struct kerr *e)
{
	struct change_args c = { repo_id, num, 0, who, title, NULL, 0 };

	if (need_participant(who, e) != 0 || check_title(title, e) != 0)
		return -1;
	return change(x, rename_tx, &c, out, e);
}

static int
status_tx(struct dctx *x, void *arg, struct kerr *e)
{
	struct change_args *c = arg;
	struct discussion d;

	if (get_with(x, &SQL_LOCK, c->repo_id, c->num, &d, e) != 0 ||
	    need_author_or_writer(c->who, &d, e) != 0)
		return -1;
	if (!strcmp(d.status, "merged"))
		return kerr_set(e, 409, "Conflict", "Pull request #%lld is "
		    "merged", (long long)c->num);
	if (!strcmp(d.status, c->status))
		return kerr_set(e, 409, "Conflict", "#%lld is %s already",
		    (long long)c->num, c->status);
	if (c->text != NULL && add_event(x, c->repo_id, c->num, "comment",
	    c->who->user_id, c->text, NULL, NULL, NULL, NULL, e) != 0)
		return -1;
	if (db_exec(x->hub->db, x->a, NULL, &SQL_SET_STATUS, db_s(c->status),
	    db_i(c->repo_id), db_i(c->num)) != 0)
		return kerr_db(e, x->hub->db);
	return add_event(x, c->repo_id, c->num, "status-change",
	    c->who->user_id, NULL, NULL, c->status, NULL, &c->event, e);
}

int
discussion_set_status(struct dctx *x, int64_t repo_id, int64_t num,
    const struct dactor *who, const char *status, const char *comment,
    struct devent *out, struct kerr *e)
{
	struct change_args c = { repo_id, num, 0, who, comment, status, 0 };

	if (need_participant(who, e) != 0)
		return -1;
	if (status == NULL || (strcmp(status, "open") &&
	    strcmp(status, "closed")))
		return kerr_set(e, 400, "BadRequest", "'status' must be "
		    "\"open\" or \"closed\"");
	if (comment != NULL && *comment == '\0')
		c.text = NULL;
	if (c.text != NULL && check_text("comment", c.text, e) != 0)
		return -1;
	return change(x, status_tx, &c, out, e);
}

/* ---- trees: diff and merge ---- */

/* A tree by id, or the empty tree for NULL. */
static int
load_tree(struct dctx *x, const struct oid *oid, struct tree *t,
    struct kerr *e)
{
	int rc;

	t->e = NULL;
	t->n = 0;
	if (oid == NULL)
		return 0;
	if ((rc = gitstore_tree(x->hub->db, x->a, oid, t)) < 0)
		return kerr_db(e, x->hub->db);
	if (rc == 1)
		return kerr_set(e, 500, "InternalError", "A tree is missing "
		    "from the store");
	return 0;
}

/*
 * The next key of k trees walked side by side in git order: at[i] gets
 * tree i's entry of that key (NULL when it has none) and the positions
 * move past it. 0 when every tree is done.
 */
static int
next_key(struct tree *t, size_t *pos, size_t k,
    const struct tree_entry **at)
{
	const struct tree_entry *min = NULL;
	size_t i;

	for (i = 0; i < k; i++)
		if (pos[i] < t[i].n && (min == NULL ||
		    tree_entry_cmp(&t[i].e[pos[i]], min) < 0))
			min = &t[i].e[pos[i]];
	if (min == NULL)
		return 0;
	for (i = 0; i < k; i++) {
		at[i] = NULL;
		if (pos[i] < t[i].n && tree_entry_cmp(&t[i].e[pos[i]],
		    min) == 0)
			at[i] = &t[i].e[pos[i]];
	}
	for (i = 0; i < k; i++)
		if (at[i] != NULL)
			pos[i]++;
	return 1;
}

static bool
same_entry(const struct tree_entry *a, const struct tree_entry *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return a->mode == b->mode && oid_eq(&a->oid, &b->oid);
}

static bool
is_dir(const struct tree_entry *t)
{
	return t != NULL && t->mode == MODE_DIR;
}

struct changes {
	struct dchange	*v;
	size_t		 n, cap, max;
	struct gc_git	*held;		/* the trees written (gc.h), or NULL */
};

static char *
join_path(struct arena *a, const char *prefix, const struct tree_entry *t)
{
	return arena_printf(a, "%s%.*s", prefix, (int)t->namelen, t->name);
}

static int
add_change(struct dctx *x, struct changes *c, const char *path,
    const struct tree_entry *from, const struct tree_entry *to,
    struct kerr *e)
{
	struct dchange *d;

	if (c->n == c->max)
		return kerr_set(e, 413, "PayloadTooLarge", "More than %zu "
		    "files differ", c->max);
	if (c->n == c->cap) {
		size_t cap = c->cap ? 2 * c->cap : 16;
		struct dchange *v = arena_alloc(x->a, cap * sizeof(*v));

		if (c->n)
			memcpy(v, c->v, c->n * sizeof(*v));
		c->v = v;
		c->cap = cap;
	}
	d = &c->v[c->n++];
	memset(d, 0, sizeof(*d));
	d->path = arena_strdup(x->a, path);
	if ((d->has_old = from != NULL)) {
		d->old_mode = from->mode;
		d->old_oid = from->oid;
	}
	if ((d->has_new = to != NULL)) {
		d->new_mode = to->mode;
		d->new_oid = to->oid;
	}
	return 0;
}

int
discussion_changes(struct dctx *x, const struct oid *from,
    const struct oid *to, size_t max, struct dchange **out, size_t *n,
    struct kerr *e)
{
	struct changes c = { NULL, 0, 0, max, NULL };
	struct tree_change *tc;
	size_t nt, i;
	int rc;

	/* treediff's walk, as the commit page's; folders read bounded too */
	if ((rc = treediff(x->hub->db, x->a, from, to, max + 1, 4 * max + 16, &tc,
	    &nt)) < 0)
		return kerr_db(e, x->hub->db);
	if (rc > 0)
		return kerr_set(e, 413, "PayloadTooLarge", "More than %zu "
		    "files differ", max);
	for (i = 0; i < nt; i++)
		if (add_change(x, &c, tc[i].path, tc[i].old.mode ?
		    &tc[i].old : NULL, tc[i].new.mode ? &tc[i].new : NULL,
		    e) != 0)
			return -1;
	*out = c.v;
	*n = c.n;
	return 0;
}

/* Entries by their names alone (qsort). */
static int
cmp_name(const void *x, const void *y)
{
	const struct tree_entry *a = x, *b = y;
	size_t n = a->namelen < b->namelen ? a->namelen : b->namelen;
	int c = memcmp(a->name, b->name, n);

	return c != 0 ? c : (a->namelen > b->namelen) - (a->namelen <
	    b->namelen);
}

/*
 * Merges folders base, ours and theirs (ids or NULL) three ways: a key
 * changed on one side only takes that side; on both, folders merge
 * inside, anything else is a conflict (into c). With write, the merged
 * folders are stored; *out gets the merged folder's id, *empty whether it
 * has no entries.
 */
static int
merge_trees(struct dctx *x, const struct oid *base, const struct oid *ours,
    const struct oid *theirs, const char *prefix, bool write,
    struct changes *c, struct oid *out, bool *empty, struct kerr *e)
{
	struct tree t[3], m;
	size_t pos[3] = { 0, 0, 0 }, i;
	const struct tree_entry *at[3];
	struct buf raw;

	if (load_tree(x, base, &t[0], e) != 0 ||
	    load_tree(x, ours, &t[1], e) != 0 ||
	    load_tree(x, theirs, &t[2], e) != 0)
		return -1;
	m.n = 0;
	m.e = arena_alloc(x->a, (t[0].n + t[1].n + t[2].n + 1) *
	    sizeof(*m.e));
	while (next_key(t, pos, 3, at)) {
		const struct tree_entry *b = at[0], *o = at[1], *th = at[2];
		const struct tree_entry *take;

		if (same_entry(o, th))
			take = o;
		else if (same_entry(b, o))
			take = th;
		else if (same_entry(b, th))
			take = o;
		else if ((o == NULL || is_dir(o)) && (th == NULL ||
		    is_dir(th)) && (b == NULL || is_dir(b)) && o != NULL &&
		    th != NULL) {
			struct tree_entry *d = &m.e[m.n];
			bool gone;

			*d = *o;
			if (merge_trees(x, b ? &b->oid : NULL, &o->oid,
			    &th->oid, arena_printf(x->a, "%s%.*s/", prefix,
			    (int)o->namelen, o->name), write, c, &d->oid,
			    &gone, e) != 0)
				return -1;
			if (!gone)
				m.n++;
			continue;
		} else {
			if (add_change(x, c, join_path(x->a, prefix,
			    o ? o : th ? th : b), o, th, e) != 0)
				return -1;
			continue;
		}
		if (take != NULL)
			m.e[m.n++] = *take;
	}
	/* A file on one side and a folder of its name on the other: both
	 * kept would make a tree git refuses. In git order they need not be
	 * neighbours ("a", "a-b", "a/"): by plain name they are. */
	if (m.n > 1) {
		struct tree_entry *by = arena_memdup(x->a, m.e, m.n *
		    sizeof(*by));

		qsort(by, m.n, sizeof(*by), cmp_name);
		for (i = 1; i < m.n; i++)
			if (cmp_name(&by[i], &by[i - 1]) == 0 &&
			    add_change(x, c, join_path(x->a, prefix, &by[i]),
			    NULL, &by[i], e) != 0)
				return -1;
	}
	*empty = m.n == 0;
	if (c->n > 0 || m.n == 0)
		return 0;
	/* keys come in git order, but a file and a folder of one name
	 * compare apart: sort as git does */
	tree_sort(&m);
	buf_init(&raw, x->a);
	tree_write(&raw, &m);
	git_object_oid(out, "tree", raw.data, raw.len);
	if (write && gitstore_put_tree(x->hub->db, x->a, out, raw.data,
	    raw.len) != 0)
		return kerr_db(e, x->hub->db);
	if (write && c->held != NULL)
		gc_git_tree(c->held, out, raw.data, raw.len);
	return 0;
}

/* The head of branch name (a full "refs/pr/N" too); 404 without it. */
static int
ref_head(struct dctx *x, int64_t repo_id, const char *name, struct oid *out,
    struct kerr *e)
{
	struct db_res *res;
	void *t;
	size_t tlen;
	int rc;

	if (db_exec(x->hub->db, x->a, &res, &SQL_HEAD, db_i(repo_id),
	    db_s(name)) != 0 || (rc = db_row(res, db_out_b(&t, &tlen))) < 0)
		return kerr_db(e, x->hub->db);
	db_done(res);
	if (rc == 0 || tlen != OID_LEN)
		return kerr_set(e, 404, "RevisionNotFound", "Invalid rev id: "
		    "%s", name);
	memcpy(out->b, t, OID_LEN);
	return 0;
}

/* The root tree of commit c. */
static int
root_of(struct dctx *x, const struct oid *c, struct oid *tree,
    struct kerr *e)
{
	struct commit_info ci;
	int rc;

	if ((rc = gitstore_commit(x->hub->db, x->a, c, &ci)) < 0)
		return kerr_db(e, x->hub->db);
	if (rc == 1)
		return kerr_set(e, 500, "InternalError", "A commit is missing "
		    "from the store");
	*tree = ci.tree;
	return 0;
}

/* The three-way merge of d's changes onto its base branch's head; *tree
 * the result unless there are conflicts (c->n > 0). */
static int
merge_pr(struct dctx *x, int64_t repo_id, const struct discussion *d,
    bool write, struct oid *head, struct oid *base_head, struct changes *c,
    struct oid *tree, struct kerr *e)
{
	struct oid bt, ot, tt;
	bool empty;

	if (ref_head(x, repo_id, pr_ref(x->a, d->num), head, e) != 0 ||
	    ref_head(x, repo_id, d->base_branch, base_head, e) != 0)
		return -1;
	if (oid_eq(base_head, &d->base_oid) || oid_eq(base_head, head))
		return 0;	/* nothing to merge: a fast-forward */
	if (root_of(x, &d->base_oid, &bt, e) != 0 ||
	    root_of(x, base_head, &ot, e) != 0 ||
	    root_of(x, head, &tt, e) != 0)
		return -1;
	if (merge_trees(x, &bt, &ot, &tt, "", write, c, tree, &empty, e) != 0)
		return -1;
	if (empty && c->n == 0) {
		git_object_oid(tree, "tree", "", 0);
		if (write && gitstore_put_tree(x->hub->db, x->a, tree, "",
		    0) != 0)
			return kerr_db(e, x->hub->db);
		if (write && c->held != NULL)
			gc_git_tree(c->held, tree, "", 0);
	}
	return 0;
}

int
discussion_conflicts(struct dctx *x, int64_t repo_id,
    const struct discussion *d, struct oid *head, struct oid *base_head,
    struct dchange **out, size_t *n, struct kerr *e)
{
	struct changes c = { NULL, 0, 0, DISCUSSION_CHANGES_MAX, NULL };
	struct oid tree;

	if (merge_pr(x, repo_id, d, false, head, base_head, &c, &tree, e) != 0)
		return -1;
	*out = c.v;
	*n = c.n;
	return 0;
}

struct merge_args {
	int64_t		 repo_id, num;
	const struct dactor *who;
	const char	*comment;
	struct oid	 from, to;	/* the base branch moves from, to */
	const char	*branch;
	bool		 new_commit;	/* to is a merge commit */
	struct gc_git	 held;		/* what it wrote (gc.h) */
};

static int
merge_tx(struct dctx *x, void *arg, struct kerr *e)
{
	struct merge_args *m = arg;
	struct db *db = x->hub->db;
	struct db_res *res;
	struct discussion d;
	int rc;

	if (get_with(x, &SQL_LOCK, m->repo_id, m->num, &d, e) != 0)
		return -1;
	/* before the first write: the merge's commit and trees are still
	 * stored, and stay so (gc.h) */
	if (m->new_commit && (rc = gc_hold_git(db, x->a, &m->held)) != 0)
		return rc < 0 ? kerr_db(e, db) : kerr_set(e, 503,
		    "ServiceUnavailable", "The merge's commit was collected "
		    "as garbage meanwhile; try again");
	if (strcmp(d.status, "open") != 0)
		return kerr_set(e, 409, "Conflict", "Pull request #%lld is %s",
		    (long long)m->num, d.status);
	/* the branch moves from what the merge was built on, or the
	 * merge is built again (a branch already at the head stays) */
	if (!oid_eq(&m->from, &m->to) && db_exec(db, x->a, &res, &SQL_MOVE,
	    db_b(m->to.b, OID_LEN), db_i(m->repo_id), db_s(m->branch),
	    db_b(m->from.b, OID_LEN)) != 0)
		return kerr_db(e, db);
	if (!oid_eq(&m->from, &m->to) && db_affected(res) != 1)
		return kerr_set(e, 409, "Conflict", "The branch %s moved "
		    "during the merge: try again", m->branch);
	if (m->new_commit && db_exec(db, x->a, NULL, &SQL_REPO_COMMIT,
	    db_i(m->repo_id), db_b(m->to.b, OID_LEN)) != 0)
		return kerr_db(e, db);
	if (db_exec(db, x->a, NULL, &SQL_SET_MERGED, db_b(m->to.b, OID_LEN),
	    db_i(m->repo_id), db_i(m->num)) != 0 ||
	    db_exec(db, x->a, NULL, &SQL_TOUCH, db_i(m->repo_id)) != 0 ||
	    fresh_bump(db, m->repo_id) != 0)
		return kerr_db(e, db);
	if (m->comment != NULL && add_event(x, m->repo_id, m->num, "comment",
	    m->who->user_id, m->comment, NULL, NULL, NULL, NULL, e) != 0)
		return -1;
	return add_event(x, m->repo_id, m->num, "status-change",
	    m->who->user_id, NULL, NULL, "merged", NULL, NULL, e);
}

/* The merge commit of d: tree, parents the base branch's head and the
 * pull request's, by the caller; written to the store. */
static int
merge_commit(struct dctx *x, const struct discussion *d,
    const struct oid *tree, const struct oid *base_head,
    const struct oid *head, struct gc_git *h, struct oid *out,
    struct kerr *e)
{
	struct commit_info c;
	struct db_res *res;
	struct buf text;
	char *name = NULL, *email = NULL;

	if (db_exec(x->hub->db, x->a, &res, &SQL_USER, db_i(x->user_id)) != 0 ||
	    db_row(res, db_out_s(&name), db_out_s(&email)) < 0)
		return kerr_db(e, x->hub->db);
	db_done(res);
	memset(&c, 0, sizeof(c));
	c.tree = *tree;
	c.parent = *base_head;
	c.has_parent = true;
	c.more_parents = head;
	c.nmore = 1;
	c.author_name = name != NULL ? name : "khub";
	c.author_email = email != NULL ? email : arena_printf(x->a,
	    "%s@users.noreply.khub", c.author_name);
	c.time = (int64_t)time(NULL);
	c.message = arena_printf(x->a, "Merge refs/pr/%lld into %s\n\n%s\n",
	    (long long)d->num, d->base_branch, d->title);
	buf_init(&text, x->a);
	commit_write(&text, &c);
	git_object_oid(out, "commit", text.data, text.len);
	gc_git_commit(h, out, &c);
	if (gitstore_put_commit(x->hub->db, x->a, out, &c) != 0)
		return kerr_db(e, x->hub->db);
	return 0;
}

int
discussion_merge(struct dctx *x, int64_t repo_id, int64_t num,
    const struct dactor *who, const char *comment,
    struct dchange **conflicts, size_t *nconflicts, struct kerr *e)
{
	struct changes c = { NULL, 0, 0, DISCUSSION_CHANGES_MAX, NULL };
	struct merge_args m;
	struct discussion d;
	struct oid head, base_head, tree;

	*nconflicts = 0;
	if (need_writer(who, e) != 0 ||
	    discussion_get(x, repo_id, num, &d, e) != 0)
		return -1;
	if (!d.is_pr)
		return kerr_set(e, 400, "BadRequest", "#%lld is a discussion, "
		    "not a pull request", (long long)num);
	if (!strcmp(d.status, "draft"))
		return kerr_set(e, 409, "Conflict", "Pull request #%lld is a "
		    "draft: open it first", (long long)num);
	if (strcmp(d.status, "open") != 0)
		return kerr_set(e, 409, "Conflict", "Pull request #%lld is %s",
		    (long long)num, d.status);
	if (comment != NULL && *comment == '\0')
		comment = NULL;
	if (comment != NULL && check_text("comment", comment, e) != 0)
		return -1;
	memset(&m, 0, sizeof(m));
	gc_git_init(&m.held, x->a);
	c.held = &m.held;
	if (merge_pr(x, repo_id, &d, true, &head, &base_head, &c, &tree,
	    e) != 0)
		return -1;
	if (c.n > 0) {
		*conflicts = c.v;
		*nconflicts = c.n;
		return kerr_set(e, 409, "MergeConflict", "Pull request #%lld "
		    "conflicts with %s in %zu file(s): %s%s", (long long)num,
		    d.base_branch, c.n, c.v[0].path, c.n > 1 ? ", ..." : "");
	}
	m.repo_id = repo_id;
	m.num = num;
	m.who = who;
	m.comment = comment;
	m.from = base_head;
	m.branch = d.base_branch;
	if (oid_eq(&base_head, &head) || oid_eq(&head, &d.base_oid))
		m.to = base_head;	/* nothing to bring: the branch stays */
	else if (oid_eq(&base_head, &d.base_oid))
		m.to = head;		/* a fast-forward */
	else {
		if (merge_commit(x, &d, &tree, &base_head, &head, &m.held,
		    &m.to, e) != 0)
			return -1;
		m.new_commit = true;
	}
	return in_tx(x, merge_tx, &m, e);
}
