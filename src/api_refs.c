/*
 * api_refs.c: refs, history, branches and tags.
 *
 * Branches and tags are rows of `ref` (repo_id, kind, name). Its primary
 * key makes creation atomic: a duplicate insert is the 409, so there is
 * no check-then-insert race. History follows first parents from a commit
 * with one recursive query a page, bounded by the page's end.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <mysqld_error.h>

#include "api.h"
#include "api_repo.h"
#include "auth.h"
#include "db.h"
#include "discussions.h"
#include "fresh.h"
#include "gc.h"
#include "gitstore.h"
#include "hub.h"
#include "jsonutil.h"
#include "refs.h"

static const struct db_stmt SQL_NEW_REF = DB_WRITE("issbs",
    "INSERT INTO ref (repo_id, kind, name, target, message)"
    " VALUES (?, ?, ?, ?, ?)");
/* overwrite: the branch points at the new target whether it existed */
static const struct db_stmt SQL_PUT_BRANCH = DB_WRITE("isb",
    "INSERT INTO ref (repo_id, kind, name, target) VALUES (?, 'branch', ?, ?)"
    " ON DUPLICATE KEY UPDATE target = VALUES(target)");
/* overwrite with nothing to point at: create if missing, else keep */
static const struct db_stmt SQL_KEEP_BRANCH = DB_WRITE("isb",
    "INSERT IGNORE INTO ref (repo_id, kind, name, target)"
    " VALUES (?, 'branch', ?, ?)");
static const struct db_stmt SQL_DEL_REF = DB_WRITE("iss",
    "DELETE FROM ref WHERE repo_id = ? AND kind = ? AND name = ?");
static const struct db_stmt SQL_IS_COMMIT = DB_READ("ib", "i",
    "SELECT 1 FROM repo_commit WHERE repo_id = ? AND oid = ?");
static const struct db_stmt SQL_REPO_COMMIT = DB_WRITE("ib",
    "INSERT IGNORE INTO repo_commit (repo_id, oid) VALUES (?, ?)");
/*
 * A page of first-parent history: the commits at depth [?3, ?2) from ?1.
 * The recursion stops at the page's end; the server's default cap of
 * 1,000 iterations is lifted for this statement only.
 */
static const struct db_stmt SQL_HISTORY = DB_READ("bii", "bsis",
    "SET STATEMENT max_recursive_iterations = 100000000 FOR"
    " WITH RECURSIVE h (depth, oid, parent) AS ("
    "  SELECT CAST(0 AS UNSIGNED), oid, parent FROM git_commit WHERE oid = ?"
    "  UNION ALL"
    "  SELECT h.depth + 1, c.oid, c.parent FROM h"
    "   JOIN git_commit c ON c.oid = h.parent WHERE h.depth + 1 < ?)"
    " SELECT h.oid, c.author_name, c.time, c.message FROM h"
    " JOIN git_commit c ON c.oid = h.oid WHERE h.depth >= ?"
    " ORDER BY h.depth");
static const struct db_stmt SQL_HISTORY_COUNT = DB_READ("b", "i",
    "SET STATEMENT max_recursive_iterations = 100000000 FOR"
    " WITH RECURSIVE h (oid, parent) AS ("
    "  SELECT oid, parent FROM git_commit WHERE oid = ?"
    "  UNION ALL"
    "  SELECT c.oid, c.parent FROM h JOIN git_commit c ON c.oid = h.parent)"
    " SELECT COUNT(*) FROM h");

#define COMMITS_PAGE	50	/* commits per page unless ?limit= */
#define COMMITS_MAX	1000	/* the largest ?limit= honoured */
#define PAGE_MAX	1000000000LL

/* Whether s is UTF-8 text (a ref name from the path, a tag message). */
static bool
text_valid(const char *s)
{
	size_t chars;

	return utf8_valid((const unsigned char *)s, strlen(s), &chars) != 0;
}

/*
 * Checks a new or named ref: "refs/heads/x" (branch) or "refs/tags/x"
 * (tag) stand for x; any other "refs/" name is refused (refs/pr/N belongs
 * to pull requests). A name that is not a valid ref, or that reads as a
 * commit id (4 to 40 hex digits: a client takes 40 for an immutable
 * commit, and resolve would let a ref shadow a short id), HEAD, or a name
 * that still starts with "refs/" answers 400 "Invalid rev id". Returns the
 * bare name, or NULL when it answered.
 */
static const char *
ref_name_check(struct req *r, const char *kind, const char *name)
{
	const char *prefix = !strcmp(kind, "branch") ? "refs/heads/" :
	    "refs/tags/";

	if (!strncmp(name, prefix, strlen(prefix)))
		name += strlen(prefix);
	else if (!strncmp(name, "refs/", 5)) {
		resp_error(r, 400, "BadRequest", "Invalid reference for a %s: "
		    "%s", kind, name);
		return NULL;
	}
	if (!ref_name_valid(name)) {
		resp_error(r, 400, "BadRequest", "Invalid rev id: %s", name);
		return NULL;
	}
	/* Names that would read as something else: a commit id, the
	 * default branch, or a full ref name of their own. */
	if (ref_name_ambiguous(name)) {
		resp_error(r, 400, "BadRequest", "Invalid rev id: %s (a %s may "
		    "not be named like a commit id (4 to 40 hex digits), HEAD, "
		    "or refs/...)", name, kind);
		return NULL;
	}
	return name;
}

static json_object *
ref_json(struct req *r, const char *kind, const char *name,
    const struct oid *target)
{
	json_object *o = jobj();

	jset(o, "name", jstr(name));
	jset(o, "ref", jstr(arena_printf(r->a, "refs/%s/%s",
	    !strcmp(kind, "branch") ? "heads" : "tags", name)));
	jset(o, "targetCommit", jstr(oid_hex_a(r->a, target)));
	return o;
}

/*
 * GET /api/{type}s/{ns}/{name}/refs[?include_prs=1]: every key the client
 * indexes is present, empty or not; pull requests' refs only with
 * include_prs, as pullRequests.
 */
void
api_refs(struct req *r)
{
	json_object *branches, *tags, *pulls, *o;
	struct ref_entry *v;
	struct repo *repo = r->repo;
	struct kerr e;
	size_t n, i;
	int prs;

	if ((prs = req_query_bool(r, "include_prs", 0)) < 0)
		return;
	if (refs_list(r->hub->db, r->a, repo->id, &v, &n, &e) != 0) {
		resp_kerr(r, &e);
		return;
	}
	branches = jarr();
	tags = jarr();
	pulls = jarr();
	for (i = 0; i < n; i++) {
		int64_t num;

		/* a pull request's ref is a branch row named refs/pr/N */
		if ((num = discussion_pr_of_rev(v[i].name)) != 0) {
			json_object *p = jobj();

			jset(p, "name", jstr(arena_printf(r->a, "%lld",
			    (long long)num)));
			jset(p, "ref", jstr(v[i].name));
			jset(p, "targetCommit", jstr(oid_hex_a(r->a,
			    &v[i].target)));
			json_object_array_add(pulls, p);
			continue;
		}
		json_object_array_add(!strcmp(v[i].kind, "branch") ? branches :
		    tags, ref_json(r, v[i].kind, v[i].name, &v[i].target));
	}
	o = jobj();
	jset(o, "branches", branches);
	jset(o, "converts", jarr());
	jset(o, "tags", tags);
	if (prs)
		jset(o, "pullRequests", pulls);
	else
		json_object_put(pulls);
	resp_json(r, 200, o);
}

static char *
html(struct req *r, const char *s)
{
	struct buf b;

	buf_init(&b, r->a);
	buf_addmarkup(&b, s);
	return b.data;
}

/*
 * A commit message as the Hub shows it: title, its first line; message,
 * the description after it (the blank separator line and the newline that
 * git's format adds at the end left out), "" when there is none.
 */
static void
split_message(struct req *r, const char *msg, char **title, char **body)
{
	size_t n = strlen(msg), t;

	if (n > 0 && msg[n - 1] == '\n')
		n--;
	t = strcspn(msg, "\n");
	if (t > n)
		t = n;
	*title = arena_strndup(r->a, msg, t);
	msg += t;
	n -= t;
	if (n > 0 && *msg == '\n') {
		msg++;
		n--;
	}
	if (n > 0 && *msg == '\n') {
		msg++;
		n--;
	}
	*body = arena_strndup(r->a, msg, n);
}

/* Whether the query asks for expand[]=formatted (or expand=formatted). */
static bool
want_formatted(const struct req *r)
{
	size_t i;

	for (i = 0; i < r->nquery; i++)
		if ((!strcmp(r->query[i].key, "expand[]") ||
		    !strcmp(r->query[i].key, "expand")) &&
		    !strcmp(r->query[i].value, "formatted"))
			return true;
	return false;
}

/* A non-negative decimal query parameter within [lo, hi], dflt when
 * absent or empty; -1 (answered 400) when unreadable or out of range. */
static long long
query_int(struct req *r, const char *key, long long dflt, long long lo,
    long long hi)
{
	const char *s = req_query(r, key);
	char *end;
	long long v;

	if (s == NULL || *s == '\0')
		return dflt;
	if (strspn(s, "0123456789") != strlen(s) || strlen(s) > 12 ||
	    (v = strtoll(s, &end, 10)) < lo || v > hi) {
		resp_error(r, 400, "BadRequest", "Query parameter '%s' must be "
		    "an integer from %lld to %lld", key, lo, hi);
		return -1;
	}
	return v;
}

/*
 * GET /api/{type}s/{ns}/{name}/commits/{rev}[?p=N][&limit=L]
 * [&expand[]=formatted]: the first-parent history from rev, newest first,
 * a page at a time; p=N skips N pages. The first page says the history's
 * length in X-Total-Count. While more remain, Link names the next page:
 * from the same head commit (so a commit landing meanwhile shifts
 * nothing), with a cursor, the next page's first commit, to start from
 * there instead of walking the pages before it again.
 */
void
api_commits(struct req *r)
{
	struct repo *repo = r->repo;	/* looked up with {rev} */
	struct rev rv;
	struct db_res *res;
	json_object *arr;
	long long limit, page, skip;
	bool formatted, more = false;
	struct oid start, next;
	const char *cursor;
	void *oidp;
	size_t olen;
	char *author, *message, *head;
	int64_t when, one, shown = 0;
	int rc;

	if (repo_resolve(r, repo, r->args.rev, &rv) != 0)
		return;
	/* a larger limit is clamped, as the Hub does with page sizes */
	if ((limit = query_int(r, "limit", COMMITS_PAGE, 1, 1000000)) < 0 ||
	    (page = query_int(r, "p", 0, 0, PAGE_MAX)) < 0)
		return;
	if (limit > COMMITS_MAX)
		limit = COMMITS_MAX;
	formatted = want_formatted(r);
	skip = page * limit;
	start = rv.commit;
	if ((cursor = req_query(r, "cursor")) != NULL) {
		/* any commit of this repository: the caller may list it */
		if (oid_parse(&start, cursor, strlen(cursor)) != 0) {
			resp_error(r, 400, "BadRequest", "Invalid cursor");
			return;
		}
		if (db_exec(r->hub->db, r->a, &res, &SQL_IS_COMMIT,
		    db_i(repo->id), db_b(start.b, OID_LEN)) != 0 ||
		    (rc = db_row(res, db_out_i(&one))) < 0) {
			resp_db_error(r);
			return;
		}
		if (rc == 0) {
			resp_error(r, 400, "BadRequest", "Invalid cursor");
			return;
		}
		skip = 0;
	}

	/* one more than the page: whether a next page exists */
	if (db_exec(r->hub->db, r->a, &res, &SQL_HISTORY, db_b(start.b,
	    OID_LEN), db_i((int64_t)(skip + limit + 1)),
	    db_i((int64_t)skip)) != 0) {
		resp_db_error(r);
		return;
	}
	arr = jarr();
	while ((rc = db_row(res, db_out_b(&oidp, &olen), db_out_s(&author),
	    db_out_i(&when), db_out_s(&message))) == 1) {
		json_object *c, *authors, *who;
		struct oid oid;
		char *title, *body;

		if (olen != OID_LEN)
			continue;
		memcpy(oid.b, oidp, OID_LEN);
		if (shown == limit) {
			more = true;
			next = oid;
			continue;
		}
		split_message(r, message, &title, &body);
		c = jobj();
		jset(c, "id", jstr(oid_hex_a(r->a, &oid)));
		jset(c, "title", jstr(title));
		jset(c, "message", jstr(body));
		authors = jarr();
		who = jobj();
		jset(who, "user", jstr(author));
		json_object_array_add(authors, who);
		jset(c, "authors", authors);
		jset(c, "date", jstr(iso_time_ms(r->a, when * 1000)));
		if (formatted) {
			json_object *f = jobj();

			jset(f, "title", jstr(html(r, title)));
			jset(f, "message", jstr(html(r, body)));
			jset(c, "formatted", f);
		}
		json_object_array_add(arr, c);
		shown++;
	}
	if (rc < 0) {
		json_object_put(arr);
		resp_db_error(r);
		return;
	}

	head = oid_hex_a(r->a, &rv.commit);
	if (page == 0 && cursor == NULL) {
		int64_t total = shown;

		if (more) {
			if (db_exec(r->hub->db, r->a, &res, &SQL_HISTORY_COUNT,
			    db_b(rv.commit.b, OID_LEN)) != 0 ||
			    db_row(res, db_out_i(&total)) != 1) {
				json_object_put(arr);
				resp_db_error(r);
				return;
			}
		}
		resp_header(r, "X-Total-Count", "%lld", (long long)total);
	}
	if (more)
		resp_header(r, "Link", "<%s/api/%s/%s/commits/%s?p=%lld"
		    "&limit=%lld%s&cursor=%s>; rel=\"next\"", r->endpoint,
		    repo_type_plural(repo->type), repo->full, head,
		    page + 1, limit, formatted ? "&expand%5B%5D=formatted" : "",
		    oid_hex_a(r->a, &next));
	resp_json(r, 200, arr);
}

/*
 * The commit an empty branch starts from: no parent, git's empty tree,
 * written to the store (idempotent) and added to h (gc.h). Returns 0, or
 * answers and -1.
 */
static int
empty_commit(struct req *r, struct gc_git *h, struct oid *out)
{
	struct commit_info c;
	struct buf text;
	struct db *db = r->hub->db;

	memset(&c, 0, sizeof(c));
	git_object_oid(&c.tree, "tree", "", 0);
	c.author_name = r->who->name;
	c.author_email = r->who->email != NULL ? r->who->email :
	    arena_printf(r->a, "%s@users.noreply.khub", r->who->name);
	c.time = (int64_t)time(NULL);
	c.message = "initial commit\n";
	buf_init(&text, r->a);
	commit_write(&text, &c);
	git_object_oid(out, "commit", text.data, text.len);
	gc_git_commit(h, out, &c);
	if (gitstore_put_tree(db, r->a, &c.tree, "", 0) != 0 ||
	    gitstore_put_commit(db, r->a, out, &c) != 0) {
		resp_db_error(r);
		return -1;
	}
	return 0;
}

/*
 * POST .../branch/{branch} {startingPoint?, emptyBranch?, overwrite?}:
 * needs write rights. The branch starts at startingPoint (any revision)
 * or main's head; emptyBranch starts it from a new commit with no files.
 * An existing branch is 409, unless overwrite: then it moves to the new
 * start (and stays as it is when no start was named).
 */
static void
branch_create(struct req *r)
{
	struct db *db = r->hub->db;
	json_object *body;
	const char *start, *name;
	struct repo *repo;
	struct db_res *res;
	struct gc_git held;
	struct rev rv;
	bool empty, overwrite;
	int rc;

	body = r->json;	/* BODY_JSON_OPT: NULL when none came */
	if (req_member_str(r, body, "startingPoint", &start) != 0 ||
	    req_member_bool(r, body, "emptyBranch", &empty) != 0 ||
	    req_member_bool(r, body, "overwrite", &overwrite) != 0)
		return;
	if (start != NULL && *start == '\0')
		start = NULL;
	if (empty)
		start = NULL;
	if ((repo = repo_open_rev(r, ACCESS_WRITE, start != NULL ? start :
	    "refs/heads/main")) == NULL)
		return;
	if (!empty && repo_resolve(r, repo, start != NULL ? start :
	    "refs/heads/main", &rv) != 0)
		return;
	if ((name = ref_name_check(r, "branch", r->args.arg)) == NULL)
		return;
	gc_git_init(&held, r->a);
	if (empty && empty_commit(r, &held, &rv.commit) != 0)
		return;

	if (db_begin(db) != 0)
		goto dberr;
	/* an empty branch's commit joins the repository with its branch,
	 * held against gc before (gc.h) */
	if (empty && (rc = gc_hold_git(db, r->a, &held)) != 0) {
		if (rc < 0)
			goto dberr_rb;
		db_rollback(db);
		resp_error(r, 503, "ServiceUnavailable", "The new branch's "
		    "commit was collected as garbage meanwhile; try again");
		return;
	}
	if (empty && db_exec(db, r->a, NULL, &SQL_REPO_COMMIT, db_i(repo->id),
	    db_b(rv.commit.b, OID_LEN)) != 0)
		goto dberr_rb;
	if (overwrite) {
		if (db_exec(db, r->a, &res, start != NULL || empty ?
		    &SQL_PUT_BRANCH : &SQL_KEEP_BRANCH, db_i(repo->id),
		    db_s(name), db_b(rv.commit.b, OID_LEN)) != 0)
			goto dberr_rb;
	} else if (db_exec(db, r->a, NULL, &SQL_NEW_REF, db_i(repo->id),
	    db_s("branch"), db_s(name), db_b(rv.commit.b, OID_LEN),
	    db_null()) != 0) {
		if (db_errno(db) != ER_DUP_ENTRY)
			goto dberr_rb;
		db_rollback(db);
		resp_error(r, 409, "Conflict", "Reference refs/heads/%s "
		    "already exists", name);
		return;
	}
	if (fresh_bump(db, repo->id) != 0 || db_commit(db) != 0)
		goto dberr_rb;
	resp_json(r, 200, ref_json(r, "branch", name, &rv.commit));
	return;
dberr_rb:
	db_rollback(db);
dberr:
	resp_db_error(r);
}

/* Deletes the ref with the change that tells the caches, in one
 * transaction; 0, or answers (404 for no such ref) and returns -1. */
static int
ref_delete(struct req *r, struct repo *repo, const char *kind,
    const char *name)
{
	struct db *db = r->hub->db;
	struct db_res *res;

	if (db_begin(db) != 0 || db_exec(db, r->a, &res, &SQL_DEL_REF,
	    db_i(repo->id), db_s(kind), db_s(name)) != 0)
		goto dberr;
	if (db_affected(res) == 0) {
		db_rollback(db);
		resp_error(r, 404, "RevisionNotFound", "Invalid rev id: %s "
		    "(no such %s)", name, kind);
		return -1;
	}
	if (fresh_bump(db, repo->id) != 0 || db_commit(db) != 0)
		goto dberr;
	return 0;
dberr:
	db_rollback(db);
	resp_db_error(r);
	return -1;
}

/*
 * DELETE .../branch/{branch}: needs write rights, as on the Hub; main
 * cannot go.
 */
static void
branch_delete(struct req *r)
{
	const char *name = r->args.arg;
	struct repo *repo;

	if ((repo = repo_open(r, ACCESS_WRITE)) == NULL)
		return;
	if (!strncmp(name, "refs/heads/", 11))
		name += 11;
	if (!strcmp(name, "main")) {
		resp_error(r, 403, "Forbidden", "Cannot delete refs/heads/main");
		return;
	}
	/* a pull request's ref goes with its pull request, never alone */
	if (!strncmp(name, "refs/", 5)) {
		resp_error(r, 400, "BadRequest", "Invalid reference for a "
		    "branch: %s", name);
		return;
	}
	if (ref_delete(r, repo, "branch", name) == 0)
		resp_json(r, 200, jobj());
}

void
api_branch(struct req *r)
{
	if (r->method == M_DELETE)
		branch_delete(r);
	else
		branch_create(r);
}

/*
 * POST .../tag/{revision} {tag, message?}: needs write rights. The
 * revision is resolved before the tag's name is looked at (a client test
 * expects RevisionNotFound for a missing revision and a bad name).
 */
void
api_tag_create(struct req *r)
{
	json_object *body;
	const char *tag, *message;
	struct repo *repo = r->repo;	/* looked up with {rev} */
	struct rev rv;

	if (repo_resolve(r, repo, r->args.rev, &rv) != 0)
		return;
	if (req_read_body(r) != 0)
		return;
	body = r->json;
	if (req_member_str(r, body, "tag", &tag) != 0 ||
	    req_member_str(r, body, "message", &message) != 0)
		return;
	if (tag == NULL) {
		resp_error(r, 400, "BadRequest", "Missing 'tag'");
		return;
	}
	if ((tag = ref_name_check(r, "tag", tag)) == NULL)
		return;
	if (message != NULL && !text_valid(message)) {
		resp_error(r, 400, "BadRequest", "'message' is not UTF-8");
		return;
	}
	if (db_begin(r->hub->db) != 0) {
		resp_db_error(r);
		return;
	}
	if (db_exec(r->hub->db, r->a, NULL, &SQL_NEW_REF, db_i(repo->id),
	    db_s("tag"), db_s(tag), db_b(rv.commit.b, OID_LEN),
	    db_s(message)) != 0 ||
	    fresh_bump(r->hub->db, repo->id) != 0 ||
	    db_commit(r->hub->db) != 0) {
		unsigned err = db_errno(r->hub->db);

		db_rollback(r->hub->db);
		if (err == ER_DUP_ENTRY)
			resp_error(r, 409, "Conflict", "Reference refs/tags/%s "
			    "already exists", tag);
		else
			resp_db_error(r);
		return;
	}
	resp_json(r, 200, ref_json(r, "tag", tag, &rv.commit));
}

/* DELETE .../tag/{tag}: needs write rights. */
void
api_tag_delete(struct req *r)
{
	const char *name = r->args.arg;
	struct repo *repo = r->repo;

	if (!strncmp(name, "refs/tags/", 10))
		name += 10;
	if (ref_delete(r, repo, "tag", name) == 0)
		resp_json(r, 200, jobj());
}
