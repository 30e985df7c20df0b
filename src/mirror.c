/*
 * mirror.c: repositories read through from upstream hubs (mirror.h):
 * finding one upstream (mirror_pull), and copying a revision's tree,
 * history and regular files with upstream's ids (mirror_revision).
 *
 * A revision is copied whole before it is answered, all or nothing: its
 * regular files are fetched and checked against their git blob id, stored
 * as every regular file is (blobstore.h), and only then do its trees, its
 * commit and the revision's answer land, in one transaction. An LFS file
 * gets its git_blob row (upstream's sha256 and size, checked against the
 * pointer's id) with in_s3 = 0 until its fill (mirror_fill.c) copies it.
 */
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mysqld_error.h>

#include "blobstore.h"
#include "db.h"
#include "gc.h"
#include "hash.h"
#include "hub.h"
#include "log.h"
#include "mirror.h"
#include "mirror_int.h"
#include "mirror_json.h"
#include "names.h"
#include "upstream.h"
#include "url.h"

/* History kept per mirrored revision (the commits endpoint's maximum). */
#define HISTORY_MAX	1000
#define TREE_PAGE	1000	/* entries per upstream tree page */

static const struct db_stmt SQL_NS = DB_READ("s", "isi",
    "SELECT n.id, n.kind, m.ns_id IS NOT NULL FROM namespace n"
    " LEFT JOIN mirror_ns m ON m.ns_id = n.id WHERE n.name = ?");
static const struct db_stmt SQL_NS_ADD = DB_WRITE("s",
    "INSERT INTO namespace (kind, name, fullname) VALUES ('org', ?, '')");
static const struct db_stmt SQL_NS_MARK = DB_WRITE("i",
    "INSERT IGNORE INTO mirror_ns (ns_id) VALUES (?)");
static const struct db_stmt SQL_REPO_ADD = DB_WRITE("sisiii",
    "INSERT INTO repo (type, owner_id, name, private, created_at,"
    " updated_at) VALUES (?, ?, ?, ?, FROM_UNIXTIME(? / 1000),"
    " FROM_UNIXTIME(? / 1000))");
static const struct db_stmt SQL_MARK = DB_WRITE("is",
    "INSERT INTO mirror_repo (repo_id, upstream) VALUES (?, ?)");
static const struct db_stmt SQL_REV = DB_READ("iis", "bi",
    "SELECT target, checked_at > NOW(3) - INTERVAL ? SECOND"
    " FROM mirror_rev WHERE repo_id = ? AND rev = ?");
static const struct db_stmt SQL_REV_PUT = DB_WRITE("isb",
    "INSERT INTO mirror_rev (repo_id, rev, target) VALUES (?, ?, ?)"
    " ON DUPLICATE KEY UPDATE target = VALUES(target), checked_at = NOW(3)");
/* Upstream failed: the last answer stands for another fresh seconds, so
 * that an outage costs one failed call per revision and window, not one
 * per request. */
static const struct db_stmt SQL_REV_TOUCH = DB_WRITE("is",
    "UPDATE mirror_rev SET checked_at = NOW(3) WHERE repo_id = ? AND rev = ?");
static const struct db_stmt SQL_HAVE = DB_READ("ib", "i",
    "SELECT 1 FROM repo_commit WHERE repo_id = ? AND oid = ?");
/* One copy of a repository's revisions at a time, on any machine (the
 * lock is the database server's): a second reader waits for the first
 * copy instead of making its own. */
static const struct db_stmt SQL_LOCK = DB_READ("ii", "i",
    "SELECT GET_LOCK(CONCAT('khub_mirror_', ?), ?)");
static const struct db_stmt SQL_UNLOCK = DB_READ("i", "",
    "DO RELEASE_LOCK(CONCAT('khub_mirror_', ?))");
static const struct db_stmt SQL_REPO_COMMIT = DB_WRITE("ib",
    "INSERT IGNORE INTO repo_commit (repo_id, oid) VALUES (?, ?)");
static const struct db_stmt SQL_REPO_BLOB = DB_WRITE("ib",
    "INSERT IGNORE INTO repo_blob (repo_id, oid) VALUES (?, ?)");
/* The revision's own commit gets its real tree even if an older copy
 * listed it as history (with the empty tree). */
static const struct db_stmt SQL_HEAD_COMMIT = DB_WRITE("bbbsis",
    "INSERT INTO git_commit (oid, tree, parent, author_name, author_email,"
    " time, message) VALUES (?, ?, ?, ?, '', ?, ?)"
    " ON DUPLICATE KEY UPDATE tree = VALUES(tree)");
static const struct db_stmt SQL_REFS_CLEAR = DB_WRITE("i",
    "DELETE FROM ref WHERE repo_id = ?");
static const struct db_stmt SQL_REF_PUT = DB_WRITE("isbb",
    "INSERT INTO ref (repo_id, kind, name, target) VALUES (?, ?, ?, ?)");
static const struct db_stmt SQL_TOUCH = DB_WRITE("ii",
    "UPDATE repo SET updated_at = FROM_UNIXTIME(?) WHERE id = ?");

bool
mirror_enabled(const struct conf *c)
{
	return c->mirror_upstream[0] != NULL;
}

const char *
mirror_token(const struct conf *c, const char *upstream)
{
	size_t i;

	for (i = 0; i < MIRROR_UPSTREAMS; i++)
		if (c->mirror_upstream[i] != NULL &&
		    !strcmp(c->mirror_upstream[i], upstream))
			return c->mirror_token[i];
	return NULL;
}

bool
mirror_configured(const struct conf *c, const char *upstream)
{
	size_t i;

	for (i = 0; i < MIRROR_UPSTREAMS; i++)
		if (c->mirror_upstream[i] != NULL &&
		    !strcmp(c->mirror_upstream[i], upstream))
			return true;
	return false;
}

const char *
mirror_prefix(const char *type)
{
	enum repo_type t;

	return repo_type_of(type, &t) == 0 ? repo_type_prefix(t) : "";
}

/* Whether one of the blank-separated patterns matches id. */
static bool
matches(const char *patterns, const char *id)
{
	char pat[256];
	const char *p = patterns;

	while (p != NULL && *p != '\0') {
		size_t n;

		p += strspn(p, " \t");
		n = strcspn(p, " \t");
		if (n > 0 && n < sizeof(pat)) {
			memcpy(pat, p, n);
			pat[n] = '\0';
			if (fnmatch(pat, id, 0) == 0)
				return true;
		}
		p += n;
	}
	return false;
}

int
mirror_failed(struct kerr *e, int rc, const char *upstream, const char *err)
{
	log_warn("mirror: upstream %s failed: %s", upstream, err);
	if (rc == UP_TIMEOUT)
		return kerr_set(e, 504, "UpstreamTimeout", "The upstream hub "
		    "%s did not answer in time", upstream);
	return kerr_set(e, 502, "UpstreamError", "The upstream hub %s "
	    "failed: %s", upstream, rc == UP_DOWN ? "it cannot be reached" :
	    "its answer was refused");
}

int
mirror_api(struct dctx *d, const char *upstream, const char *url,
    struct up_resp *out, struct kerr *e)
{
	char err[512];
	int rc;

	rc = upstream_get(d->a, url, mirror_token(&d->hub->conf, upstream),
	    d->hub->conf.mirror_timeout, MIRROR_BODY_MAX, out, err,
	    sizeof(err));
	if (rc != UP_OK)
		return mirror_failed(e, rc, upstream, err);
	/* a redirect (a renamed repository) is "not under this name" */
	if (!(out->status == 200 || (out->status >= 300 && out->status < 400) ||
	    out->status == 401 || out->status == 403 || out->status == 404)) {
		snprintf(err, sizeof(err), "GET %s: status %ld", url,
		    out->status);
		return mirror_failed(e, UP_DOWN, upstream, err);
	}
	return 0;
}

/* The local namespace for upstream's ns: made for the mirror if missing;
 * 1 when a local user or organization owns the name. */
static int
namespace_for(struct dctx *d, const char *ns, int64_t *id, struct kerr *e)
{
	struct db *db = d->hub->db;
	struct db_res *res;
	char *kind;
	int64_t marked;
	int rc;

	if (db_exec(db, d->a, &res, &SQL_NS, db_s(ns)) != 0 ||
	    (rc = db_row(res, db_out_i(id), db_out_s(&kind),
	    db_out_i(&marked))) < 0)
		return kerr_db(e, db);
	if (rc == 1)
		/* the canonical namespace ('') holds upstream's too */
		return marked || *ns == '\0' ? 0 : 1;
	if (db_exec(db, d->a, &res, &SQL_NS_ADD, db_s(ns)) != 0) {
		if (db_errno(db) == ER_DUP_ENTRY)
			return namespace_for(d, ns, id, e);
		return kerr_db(e, db);
	}
	*id = (int64_t)db_insert_id(res);
	if (db_exec(db, d->a, NULL, &SQL_NS_MARK, db_i(*id)) != 0)
		return kerr_db(e, db);
	return 0;
}

/* Makes the mirror repository from upstream's info. 0, 1 (the namespace
 * is a local one's), -1. */
static int
create(struct dctx *d, const char *upstream, const char *type,
    const char *ns, const char *name, const struct up_info *info,
    struct kerr *e)
{
	struct db *db = d->hub->db;
	struct db_res *res;
	int64_t ns_id, repo_id;
	int64_t when = info->created_ms > 0 ? info->created_ms :
	    (int64_t)time(NULL) * 1000;
	int rc;

	if (db_begin(db) != 0)
		return kerr_db(e, db);
	if ((rc = namespace_for(d, ns, &ns_id, e)) != 0) {
		db_rollback(db);
		return rc;
	}
	/* Private or gated upstream (read with a token): private here,
	 * read by the members of the namespace's organization only (not
	 * gated: this hub has no one to grant its access requests). */
	if (db_exec(db, d->a, &res, &SQL_REPO_ADD, db_s(type), db_i(ns_id),
	    db_s(name), db_i((int64_t)(info->private_ || info->gated)),
	    db_i(when), db_i(when)) != 0) {
		bool dup = db_errno(db) == ER_DUP_ENTRY;

		db_rollback(db);
		return dup ? 0 : kerr_db(e, db);	/* a race: made */
	}
	repo_id = (int64_t)db_insert_id(res);
	if (db_exec(db, d->a, NULL, &SQL_MARK, db_i(repo_id),
	    db_s(upstream)) != 0 ||
	    db_commit(db) != 0) {
		db_rollback(db);
		return kerr_db(e, db);
	}
	log_info("mirror: %s %s%s%s is now a mirror of %s", type, ns,
	    *ns ? "/" : "", name, upstream);
	return 0;
}

int
mirror_pull(struct dctx *d, const char *type, const char *ns,
    const char *name, struct kerr *e)
{
	const struct conf *c = &d->hub->conf;
	const char *full;
	struct up_resp resp;
	struct up_info info;
	struct kerr last;
	char err[256];
	size_t i;
	int tried = 0, failed = 0;

	if (!mirror_enabled(c))
		return 1;
	/* names this hub could hold, and safe in upstream's URLs */
	if ((*ns != '\0' && name_invalid(ns) != NULL) || name_invalid(name) !=
	    NULL || (*ns == '\0' && name_reserved(name)))
		return 1;
	full = *ns == '\0' ? name : arena_printf(d->a, "%s/%s", ns, name);
	if (!matches(c->mirror_allow, full) || matches(c->mirror_deny, full))
		return 1;
	for (i = 0; i < MIRROR_UPSTREAMS; i++) {
		const char *up = c->mirror_upstream[i];

		if (up == NULL)
			continue;
		tried++;
		if (mirror_api(d, up, arena_printf(d->a, "%s/api/%ss/%s", up,
		    type, full), &resp, &last) != 0) {
			failed++;
			continue;
		}
		if (resp.status != 200)
			continue;	/* not there, or not for us: the next */
		if (mirror_parse_info(d->a, resp.body, resp.len, &info, err,
		    sizeof(err)) != 0) {
			mirror_failed(&last, UP_BADBYTES, up, err);
			failed++;
			continue;
		}
		/* Never what upstream serves only to its users, unless the
		 * administrator gave this upstream a token (README). */
		if ((info.private_ || info.gated || info.disabled) &&
		    c->mirror_token[i] == NULL)
			continue;
		if (info.disabled)
			continue;
		return create(d, up, type, ns, name, &info, e);
	}
	if (tried > 0 && failed == tried) {
		*e = last;
		return -1;
	}
	return 1;
}

/* Whether the commit's tree is here (a revision copied before). */
static int
have_commit(struct dctx *d, int64_t repo_id, const struct oid *c, bool *have,
    struct kerr *e)
{
	struct db_res *res;
	int rc;

	if (db_exec(d->hub->db, d->a, &res, &SQL_HAVE, db_i(repo_id), db_b(c->b,
	    OID_LEN)) != 0 || (rc = db_row(res, db_skip())) < 0)
		return kerr_db(e, d->hub->db);
	*have = rc == 1;
	return 0;
}

/* GETs every page of a listing (Link rel="next", on upstream only),
 * handing each body to page(). */
static int
pages(struct dctx *d, const char *upstream, const char *url,
    int (*page)(void *, struct up_resp *, struct kerr *), void *arg,
    struct kerr *e)
{
	struct up_resp resp;
	size_t n = 0, base = strlen(upstream);

	while (url != NULL) {
		if (++n > 1000)
			return kerr_set(e, 502, "UpstreamError", "The upstream "
			    "hub %s sent more than 1000 pages", upstream);
		if (mirror_api(d, upstream, url, &resp, e) != 0)
			return -1;
		if (resp.status != 200) {
			if (resp.error_code != NULL &&
			    !strcmp(resp.error_code, "RevisionNotFound"))
				return kerr_set(e, 404, "RevisionNotFound",
				    "Invalid rev id");
			return kerr_set(e, 502, "UpstreamError", "The upstream "
			    "hub %s answered %ld to a listing", upstream,
			    resp.status);
		}
		if (page(arg, &resp, e) != 0)
			return -1;
		url = resp.next;
		if (url != NULL && (strncmp(url, upstream, base) != 0 ||
		    url[base] != '/'))
			return kerr_set(e, 502, "UpstreamError", "The upstream "
			    "hub %s sent a next page elsewhere", upstream);
	}
	return 0;
}

struct snap {
	struct dctx	*d;
	const char	*upstream;
	size_t		 max;
	struct up_entry	*files;
	size_t		 nfiles;
	struct up_commit *commits;
	size_t		 ncommits;
	struct up_ref	*refs;
	size_t		 nrefs;
	struct gc_git	 git;		/* the trees written (gc.h) */
};

static int
tree_page(void *arg, struct up_resp *r, struct kerr *e)
{
	struct snap *s = arg;
	char err[256];

	if (mirror_parse_tree(s->d->a, r->body, r->len, &s->files, &s->nfiles,
	    s->max, err, sizeof(err)) != 0)
		return mirror_failed(e, UP_BADBYTES, s->upstream, err);
	return 0;
}

static int
commits_page(void *arg, struct up_resp *r, struct kerr *e)
{
	struct snap *s = arg;
	char err[256];

	if (s->ncommits >= HISTORY_MAX) {
		r->next = NULL;		/* older history is left out */
		return 0;
	}
	if (mirror_parse_commits(s->d->a, r->body, r->len, &s->commits,
	    &s->ncommits, HISTORY_MAX, err, sizeof(err)) != 0)
		return mirror_failed(e, UP_BADBYTES, s->upstream, err);
	if (s->ncommits >= HISTORY_MAX)
		r->next = NULL;
	return 0;
}

static int
refs_page(void *arg, struct up_resp *r, struct kerr *e)
{
	struct snap *s = arg;
	char err[256];

	if (mirror_parse_refs(s->d->a, r->body, r->len, &s->refs, &s->nrefs,
	    err, sizeof(err)) != 0)
		return mirror_failed(e, UP_BADBYTES, s->upstream, err);
	return 0;
}

/* A folder being built: its entries, then its id. */
struct dir {
	const char	*path;		/* "" for the root */
	struct tree	 t;
	size_t		 cap;
	struct oid	 oid;
	bool		 has_upstream;	/* upstream listed its id */
	struct oid	 upstream_oid;
};

static int
dir_cmp_depth(const void *x, const void *y)
{
	const struct dir *a = x, *b = y;
	size_t da = 0, db = 0;
	const char *p;

	for (p = a->path; *p; p++)
		da += *p == '/';
	for (p = b->path; *p; p++)
		db += *p == '/';
	da += *a->path != '\0';
	db += *b->path != '\0';
	return da > db ? -1 : da < db ? 1 : strcmp(a->path, b->path);
}

static struct dir *
dir_find(struct dir *dirs, size_t n, const char *path, size_t len)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strlen(dirs[i].path) == len &&
		    !memcmp(dirs[i].path, path, len))
			return &dirs[i];
	return NULL;
}

static void
dir_add(struct arena *a, struct dir *d, const char *name, unsigned mode,
    const struct oid *oid)
{
	if (d->t.n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 8;
		struct tree_entry *ne = arena_alloc(a, cap * sizeof(*ne));

		if (d->t.n > 0)
			memcpy(ne, d->t.e, d->t.n * sizeof(*ne));
		d->t.e = ne;
		d->cap = cap;
	}
	d->t.e[d->t.n].name = name;
	d->t.e[d->t.n].namelen = strlen(name);
	d->t.e[d->t.n].mode = mode;
	d->t.e[d->t.n].oid = *oid;
	d->t.n++;
}

/*
 * Builds the git trees of the listing, deepest first, and writes them.
 * *root is the root's id. A folder whose id is not upstream's means a mode
 * the listing does not tell (an executable, a link): logged, kept.
 */
static int
build_trees(struct snap *s, struct oid *root, struct kerr *e)
{
	struct arena *a = s->d->a;
	struct dir *dirs;
	size_t ndirs = 1, i;
	struct buf raw;

	dirs = arena_zalloc(a, (s->nfiles + 1) * sizeof(*dirs));
	dirs[0].path = "";
	for (i = 0; i < s->nfiles; i++)
		if (s->files[i].dir) {
			dirs[ndirs].path = s->files[i].path;
			dirs[ndirs].has_upstream = true;
			dirs[ndirs].upstream_oid = s->files[i].oid;
			ndirs++;
		}
	/* deepest first: a folder's id is known before its parent's */
	qsort(dirs, ndirs, sizeof(*dirs), dir_cmp_depth);
	for (i = 0; i < s->nfiles; i++) {
		const struct up_entry *f = &s->files[i];
		const char *slash;
		struct dir *parent;

		if (f->dir)
			continue;
		slash = strrchr(f->path, '/');
		parent = dir_find(dirs, ndirs, f->path, slash ?
		    (size_t)(slash - f->path) : 0);
		if (parent == NULL)
			return kerr_set(e, 502, "UpstreamError", "The upstream "
			    "hub %s listed %s without its folder", s->upstream,
			    f->path);
		dir_add(a, parent, slash ? slash + 1 : f->path, MODE_FILE,
		    &f->oid);
	}
	for (i = 0; i < ndirs; i++) {
		struct dir *dd = &dirs[i], *parent;
		const char *slash;

		tree_sort(&dd->t);
		for (size_t k = 1; k < dd->t.n; k++)
			if (tree_entry_cmp(&dd->t.e[k - 1], &dd->t.e[k]) == 0)
				return kerr_set(e, 502, "UpstreamError", "The "
				    "upstream hub %s listed a name twice in "
				    "'%s'", s->upstream, dd->path);
		buf_init(&raw, a);
		tree_write(&raw, &dd->t);
		git_object_oid(&dd->oid, "tree", raw.data, raw.len);
		if (dd->has_upstream && !oid_eq(&dd->oid, &dd->upstream_oid))
			log_warn("mirror: %s: folder %s is %s upstream, %s "
			    "here (a mode the listing does not give)",
			    s->upstream, dd->path, oid_hex_a(a,
			    &dd->upstream_oid), oid_hex_a(a, &dd->oid));
		if (gitstore_put_tree(s->d->hub->db, a, &dd->oid, raw.data,
		    raw.len) != 0)
			return kerr_db(e, s->d->hub->db);
		gc_git_tree(&s->git, &dd->oid, raw.data, raw.len);
		if (*dd->path == '\0') {
			*root = dd->oid;
			continue;
		}
		slash = strrchr(dd->path, '/');
		parent = dir_find(dirs, ndirs, dd->path, slash ?
		    (size_t)(slash - dd->path) : 0);
		if (parent == NULL)
			return kerr_set(e, 502, "UpstreamError", "The upstream "
			    "hub %s listed folder %s without its parent",
			    s->upstream, dd->path);
		dir_add(a, parent, slash ? slash + 1 : dd->path, MODE_DIR,
		    &dd->oid);
	}
	return 0;
}

struct membuf {
	struct buf	 b;
	uint64_t	 max;
};

static int
membuf_sink(void *arg, const void *p, size_t n)
{
	struct membuf *m = arg;

	if (m->b.len + n > m->max)
		return -1;
	buf_add(&m->b, p, n);
	return 0;
}

struct oid_at {
	struct oid	 oid;
	size_t		 i;
};

static int
oid_at_cmp(const void *x, const void *y)
{
	const struct oid_at *a = x, *b = y;
	int c = memcmp(a->oid.b, b->oid.b, OID_LEN);

	return c != 0 ? c : a->i < b->i ? -1 : a->i > b->i;
}

/* Marks every repeat of a blob in oids[0..n) as found: one file's bytes
 * are fetched once however many paths hold them. */
static void
mark_repeats(struct arena *a, const struct oid *oids, size_t n, bool *found)
{
	struct oid_at *v = arena_alloc(a, (n + 1) * sizeof(*v));
	size_t i;

	for (i = 0; i < n; i++) {
		v[i].oid = oids[i];
		v[i].i = i;
	}
	qsort(v, n, sizeof(*v), oid_at_cmp);
	for (i = 1; i < n; i++)
		if (oid_eq(&v[i].oid, &v[i - 1].oid))
			found[v[i].i] = true;
}

/* Small blobs' bytes and rows (db_transaction()'s body). */
struct small_tx {
	struct db		*db;
	struct arena		*a;
	const struct blob_row	*rows;
	const struct blob_info	*small;
	size_t			 n;
};

static int
small_tx(void *arg)
{
	struct small_tx *t = arg;
	size_t i;

	if (blobstore_put_small(t->db, t->a, t->rows, t->n) != 0)
		return -1;
	for (i = 0; i < t->n; i++)
		if (gitstore_put_blob(t->db, t->a, &t->small[i]) != 0)
			return -1;
	return 0;
}

/*
 * Fetches, checks and stores the regular files the store lacks: a file
 * whose bytes are not its git blob id is refused (nothing of the revision
 * lands). Small ones go to blob_data with their rows, larger ones to S3.
 */
static int
copy_regulars(struct snap *s, const char *type, const char *full,
    const char *commit, struct kerr *e)
{
	struct dctx *d = s->d;
	struct db *db = d->hub->db;
	struct oid *oids;
	struct blob_info *have, bi;
	struct blob_row *rows;
	struct blob_info *small;
	bool *found;
	size_t i, n = 0, nrows = 0, nput = 0;
	uint64_t total = 0;
	struct s3_obj *put;
	struct small_tx t;

	oids = arena_alloc(d->a, (s->nfiles + 1) * sizeof(*oids));
	for (i = 0; i < s->nfiles; i++)
		if (!s->files[i].dir)
			oids[n++] = s->files[i].oid;
	have = arena_alloc(d->a, (n + 1) * sizeof(*have));
	found = arena_zalloc(d->a, (n + 1) * sizeof(*found));
	/* the database's answer, not the cache's: gc may have collected
	 * what this worker remembers */
	if (n > 0 && gitstore_blobs_stored(db, d->a, oids, n, have,
	    found) != 0)
		return kerr_db(e, db);
	mark_repeats(d->a, oids, n, found);
	rows = arena_alloc(d->a, (n + 1) * sizeof(*rows));
	small = arena_alloc(d->a, (n + 1) * sizeof(*small));
	put = arena_alloc(d->a, (n + 1) * sizeof(*put));
	for (i = 0, n = 0; i < s->nfiles; i++) {
		const struct up_entry *f = &s->files[i];
		struct membuf m;
		struct buf url;
		struct oid got;
		char err[512];
		long status;
		int rc;

		if (f->dir)
			continue;
		if (found[n++])
			continue;	/* its bytes are stored already */
		memset(&bi, 0, sizeof(bi));
		bi.oid = f->oid;
		bi.size = f->size;
		if (f->lfs) {
			/* its object comes with its first download */
			bi.lfs = true;
			memcpy(bi.sha256, f->sha256, SHA256_LEN);
			bi.in_s3 = false;
			if (gitstore_put_blob(db, d->a, &bi) != 0)
				return kerr_db(e, db);
			continue;
		}
		if ((total += f->size) > d->hub->conf.mirror_max_regular)
			return kerr_set(e, 502, "UpstreamError", "This revision "
			    "has more than %llu bytes of regular files "
			    "([mirror] max_regular_bytes): not mirrored",
			    (unsigned long long)d->hub->conf.mirror_max_regular);
		buf_init(&url, d->a);
		buf_printf(&url, "%s/%s%s/resolve/%s/", s->upstream,
		    mirror_prefix(type), full, commit);
		url_encode(&url, f->path, strlen(f->path), true);
		buf_init(&m.b, d->a);
		m.max = f->size;
		rc = upstream_download(d->a, url.data, mirror_token(
		    &d->hub->conf, s->upstream), d->hub->conf.mirror_timeout,
		    f->size, membuf_sink, &m, &status, err, sizeof(err));
		if (rc == UP_OK && status != 200) {
			snprintf(err, sizeof(err), "GET %s: status %ld",
			    url.data, status);
			rc = UP_DOWN;
		}
		if (rc != UP_OK)
			return mirror_failed(e, rc, s->upstream, err);
		git_blob_oid(&got, m.b.data, m.b.len);
		if (!oid_eq(&got, &f->oid)) {
			log_warn("mirror: upstream %s sent bytes for %s that "
			    "are not blob %s: refused", s->upstream, f->path,
			    oid_hex_a(d->a, &f->oid));
			return kerr_set(e, 502, "UpstreamBadBytes", "The "
			    "upstream hub %s sent bytes for %s that are not "
			    "the file it lists: refused", s->upstream, f->path);
		}
		hash_sha256(bi.sha256, m.b.data, m.b.len);
		if (blobstore_is_small(false, m.b.len)) {
			bi.in_s3 = false;
			small[nrows] = bi;
			rows[nrows].oid = &small[nrows].oid;
			rows[nrows].data = m.b.data;
			rows[nrows].len = m.b.len;
			nrows++;
			continue;
		}
		bi.in_s3 = true;
		put[nput].key = gitstore_s3_key(d->a, &bi);
		put[nput].data = m.b.data;
		put[nput].len = m.b.len;
		if ((rc = s3_put(d->hub->s3, put[nput].key, m.b.data,
		    m.b.len)) != S3_OK) {
			kerr_set(e, rc == S3_UNAVAILABLE ? 503 : 500,
			    rc == S3_UNAVAILABLE ? "ServiceUnavailable" :
			    "InternalError", "Storing a mirrored file in S3 "
			    "failed: %s", s3_errmsg(d->hub->s3));
			e->hidden = true;
			return -1;
		}
		if (gitstore_put_blob(db, d->a, &bi) != 0)
			return kerr_db(e, db);
		nput++;
	}
	/* gc's orphan sweep may have deleted bytes just PUT before their
	 * row landed: stored again (gc_store_again()). */
	if (gc_store_again(db, d->a, d->hub->s3, put, nput, e) != 0)
		return -1;
	/* A small blob's row only with its bytes, in one transaction
	 * (tried again when it loses a deadlock to another copy of the same
	 * files, as a commit's blob rows are). */
	t.db = db;
	t.a = d->a;
	t.rows = rows;
	t.small = small;
	t.n = nrows;
	if (nrows > 0 && db_transaction(db, small_tx, &t) != 0)
		return kerr_db(e, db);
	return 0;
}

/* The commit message git's format holds for upstream's title and
 * description (api_refs.c splits it back the same way). */
static char *
message_of(struct arena *a, const struct up_commit *c)
{
	return *c->message == '\0' ? arena_printf(a, "%s\n", c->title) :
	    arena_printf(a, "%s\n\n%s\n", c->title, c->message);
}

/* gc_hold_copy() on the revision's files: 0, 1 (one collected), -1. */
static int
hold(struct snap *s)
{
	struct oid *v = arena_alloc(s->d->a, (s->nfiles + 1) * sizeof(*v));
	size_t i, n = 0;

	for (i = 0; i < s->nfiles; i++)
		if (!s->files[i].dir)
			v[n++] = s->files[i].oid;
	return gc_hold_copy(s->d->hub->db, s->d->a, v, n);
}

/* git's empty tree: older history's commits name it until read. */
static const struct oid empty_tree = { {
	0x4b, 0x82, 0x5d, 0xc6, 0x42, 0xcb, 0x6e, 0xb9, 0xa0, 0x60,
	0xe5, 0x4b, 0xf8, 0xd6, 0x92, 0x88, 0xfb, 0xee, 0x49, 0x04 } };

/* What land_tx() lands. */
struct land {
	struct snap	*s;
	int64_t		 repo_id;
	const struct oid *commit, *root;
	struct kerr	*e;
};

/* The history, the revision's commit, its refs and its blobs: the body of
 * land()'s transaction. 0, or -1 (*e set when it was not the database). */
static int
land_tx(void *arg)
{
	const struct land *l = arg;
	struct snap *s = l->s;
	struct dctx *d = s->d;
	struct db *db = d->hub->db;
	int64_t repo_id = l->repo_id;
	const struct oid *commit = l->commit, *root = l->root;
	struct kerr *e = l->e;
	size_t i;
	int rc;

	/* gc's hold (gc.h), before the first write: the files found stored
	 * may be garbage gc is deleting; it sees these references, or this
	 * copy sees them gone and fails (the next read copies again). */
	if ((rc = hold(s)) != 0 ||
	    (rc = gc_hold_git(db, d->a, &s->git)) != 0) {
		if (rc < 0)
			return -1;
		kerr_set(e, 503, "ServiceUnavailable", "Files of this revision "
		    "were being collected as garbage while it was copied; "
		    "read it again");
		return -1;
	}
	for (i = 0; i < s->ncommits; i++) {
		const struct up_commit *c = &s->commits[i];
		struct commit_info ci;
		bool parent = i + 1 < s->ncommits;

		memset(&ci, 0, sizeof(ci));
		ci.author_name = c->author;
		ci.author_email = "";
		ci.time = c->time;
		ci.message = message_of(d->a, c);
		ci.has_parent = parent;
		if (parent)
			ci.parent = s->commits[i + 1].id;
		if (i == 0) {
			if (db_exec(db, d->a, NULL, &SQL_HEAD_COMMIT,
			    db_b(commit->b, OID_LEN), db_b(root->b, OID_LEN),
			    parent ? db_b(ci.parent.b, OID_LEN) : db_null(),
			    db_s(ci.author_name), db_i(ci.time),
			    db_s(ci.message)) != 0)
				return -1;
			continue;
		}
		/* Older history: listed, its tree not copied (the empty
		 * tree) until someone reads that revision. */
		ci.tree = empty_tree;
		if (gitstore_put_commit(db, d->a, &c->id, &ci) != 0)
			return -1;
	}
	if (db_exec(db, d->a, NULL, &SQL_REPO_COMMIT, db_i(repo_id),
	    db_b(commit->b, OID_LEN)) != 0)
		return -1;
	for (i = 0; i < s->nfiles; i++)
		if (!s->files[i].dir && db_exec(db, d->a, NULL, &SQL_REPO_BLOB,
		    db_i(repo_id), db_b(s->files[i].oid.b, OID_LEN)) != 0)
			return -1;
	/* upstream's refs as they are now, whatever they were */
	if (db_exec(db, d->a, NULL, &SQL_REFS_CLEAR, db_i(repo_id)) != 0)
		return -1;
	for (i = 0; i < s->nrefs; i++)
		if (db_exec(db, d->a, NULL, &SQL_REF_PUT, db_i(repo_id),
		    db_s(s->refs[i].tag ? "tag" : "branch"),
		    db_b(s->refs[i].name, strlen(s->refs[i].name)),
		    db_b(s->refs[i].target.b, OID_LEN)) != 0)
			return -1;
	if (db_exec(db, d->a, NULL, &SQL_TOUCH, db_i(s->commits[0].time),
	    db_i(repo_id)) != 0)
		return -1;
	return 0;
}

/*
 * Lands the copied revision: its commits, references and refs in one
 * transaction. Two copies at once may deadlock (upstream's identical
 * initial commits, rows of the same blobs): the loser tries again, as a
 * commit does. Returns 0, or -1 with *e.
 */
static int
land(struct snap *s, int64_t repo_id, const struct oid *commit,
    const struct oid *root, struct kerr *e)
{
	struct land l = { s, repo_id, commit, root, e };
	struct dctx *d = s->d;
	struct db *db = d->hub->db;

	memset(e, 0, sizeof(*e));
	/* the older commits' tree must be there to walk (lastCommit) */
	if (s->ncommits > 1 && gitstore_put_tree(db, d->a, &empty_tree, "",
	    0) != 0)
		return kerr_db(e, db);
	if (s->ncommits > 1)
		gc_git_tree(&s->git, &empty_tree, "", 0);
	if (db_transaction(db, land_tx, &l) == 0)
		return 0;
	if (db_errno(db) == ER_LOCK_DEADLOCK)
		return kerr_set(e, 503, "ServiceUnavailable", "Copying this "
		    "revision kept meeting other copies' locks; read it "
		    "again");
	if (e->status == 0)
		kerr_db(e, db);
	return -1;
}

/* Copies revision commit of the mirror (mirror.c's header says how). */
static int
copy_revision(struct dctx *d, int64_t repo_id, const char *upstream,
    const char *type, const char *full, const struct oid *commit,
    struct kerr *e)
{
	struct snap s;
	struct oid root;
	char hex[OID_HEX + 1];
	const char *api;

	memset(&s, 0, sizeof(s));
	s.d = d;
	s.upstream = upstream;
	gc_git_init(&s.git, d->a);
	s.max = d->hub->conf.mirror_max_files;
	oid_hex(commit, hex);
	api = arena_printf(d->a, "%s/api/%ss/%s", upstream, type, full);
	if (pages(d, upstream, arena_printf(d->a, "%s/tree/%s?recursive=true"
	    "&limit=%d", api, hex, TREE_PAGE), tree_page, &s, e) != 0 ||
	    pages(d, upstream, arena_printf(d->a, "%s/commits/%s?limit=%d",
	    api, hex, HISTORY_MAX), commits_page, &s, e) != 0 ||
	    pages(d, upstream, arena_printf(d->a, "%s/refs", api), refs_page,
	    &s, e) != 0)
		return -1;
	if (s.ncommits == 0 || !oid_eq(&s.commits[0].id, commit))
		return kerr_set(e, 502, "UpstreamError", "The upstream hub %s "
		    "gave a history that does not start at %s", upstream, hex);
	if (copy_regulars(&s, type, full, hex, e) != 0 ||
	    build_trees(&s, &root, e) != 0 ||
	    land(&s, repo_id, commit, &root, e) != 0)
		return -1;
	log_info("mirror: copied %s@%s from %s (%zu entries, %zu commits)",
	    full, hex, upstream, s.nfiles, s.ncommits);
	return 0;
}

/* What mirror_rev holds for rev. */
static int
look(struct dctx *d, int64_t repo_id, const char *rev,
    struct mirror_seen *out, struct kerr *e)
{
	struct db_res *res;
	void *oid;
	size_t olen;
	int64_t fresh = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	out->looked = true;
	if (db_exec(d->hub->db, d->a, &res, &SQL_REV,
	    db_i((int64_t)d->hub->conf.mirror_fresh), db_i(repo_id),
	    db_s(rev)) != 0 ||
	    (rc = db_row(res, db_out_b(&oid, &olen), db_out_i(&fresh))) < 0)
		return kerr_db(e, d->hub->db);
	if (rc == 1 && olen == OID_LEN) {
		out->known = true;
		out->fresh = fresh != 0;
		memcpy(out->commit.b, oid, OID_LEN);
	}
	return 0;
}

/* copy_revision() under the repository's lock, unless the copy that
 * held it made this one. */
static int
copy_locked(struct dctx *d, int64_t repo_id, const char *upstream,
    const char *type, const char *full, const struct oid *commit,
    struct kerr *e)
{
	struct db *db = d->hub->db;
	struct db_res *res;
	int64_t got = 0;
	bool have;
	int rc;

	if (db_exec(db, d->a, &res, &SQL_LOCK, db_i(repo_id),
	    db_i((int64_t)d->hub->conf.mirror_timeout * 6)) != 0 ||
	    db_row(res, db_out_i(&got)) < 0)
		return kerr_db(e, db);
	if (got != 1)
		return kerr_set(e, 504, "UpstreamTimeout", "Another copy of "
		    "%s from %s takes too long", full, upstream);
	rc = have_commit(d, repo_id, commit, &have, e);
	if (rc == 0 && !have)
		rc = copy_revision(d, repo_id, upstream, type, full, commit, e);
	db_exec(db, d->a, NULL, &SQL_UNLOCK, db_i(repo_id));
	return rc;
}

/* The last answer for rev stands (SQL_REV_TOUCH); 0 or -1. */
static int
stale(struct dctx *d, int64_t repo_id, const char *rev, struct kerr *e)
{
	if (db_exec(d->hub->db, d->a, NULL, &SQL_REV_TOUCH, db_i(repo_id),
	    db_s(rev)) != 0)
		return kerr_db(e, d->hub->db);
	return 0;
}

int
mirror_revision(struct dctx *d, int64_t repo_id, const char *upstream,
    const char *type, const char *full, const char *rev,
    const struct mirror_seen *seen, struct oid *commit, struct kerr *e)
{
	struct db *db = d->hub->db;
	struct mirror_seen here;
	struct up_resp resp;
	struct up_info info;
	struct buf url;
	struct kerr ue;
	bool known, have = false;
	char err[256];

	if (seen == NULL) {
		if (look(d, repo_id, rev, &here, e) != 0)
			return -1;
		seen = &here;
	}
	known = seen->known;
	if (known) {
		*commit = seen->commit;
		/* a commit id never names another commit */
		if (seen->fresh || strlen(rev) == OID_HEX)
			return 0;
	} else if (strlen(rev) == OID_HEX && oid_parse(commit, rev,
	    OID_HEX) == 0) {
		/* a commit copied here (as a branch's head) answers for
		 * itself, upstream or not */
		if (have_commit(d, repo_id, commit, &have, e) != 0)
			return -1;
		if (have)
			return 0;
	}
	if (!mirror_configured(&d->hub->conf, upstream)) {
		if (known)
			return 0;
		return kerr_set(e, 502, "UpstreamError", "This mirror's "
		    "upstream %s is no longer configured", upstream);
	}
	buf_init(&url, d->a);
	buf_printf(&url, "%s/api/%ss/%s/revision/", upstream, type, full);
	url_encode(&url, rev, strlen(rev), false);
	if (mirror_api(d, upstream, url.data, &resp, &ue) != 0) {
		if (known) {
			log_warn("mirror: %s@%s: upstream %s failed, answering "
			    "its last known commit", full, rev, upstream);
			return stale(d, repo_id, rev, e);
		}
		*e = ue;
		return -1;
	}
	if (resp.status != 200) {
		if (resp.error_code != NULL &&
		    !strcmp(resp.error_code, "RevisionNotFound"))
			return kerr_set(e, 404, "RevisionNotFound", "Invalid "
			    "rev id: %s", rev);
		/* Gone upstream, renamed, or no longer public: never served
		 * here either (what was copied stays until khubctl mirror
		 * drop; a revision given as a commit id copied here still
		 * answers, above). */
		log_info("mirror: %s: upstream %s answers %ld: not served",
		    full, upstream, resp.status);
		return kerr_set(e, 404, "RepoNotFound", "Repository not found "
		    "(its upstream no longer serves it)");
	}
	if (mirror_parse_info(d->a, resp.body, resp.len, &info, err,
	    sizeof(err)) != 0) {
		mirror_failed(&ue, UP_BADBYTES, upstream, err);
		if (known)
			return stale(d, repo_id, rev, e);
		*e = ue;
		return -1;
	}
	if (have_commit(d, repo_id, &info.sha, &have, e) != 0)
		return -1;
	if (!have && copy_locked(d, repo_id, upstream, type, full, &info.sha,
	    &ue) != 0) {
		if (known && ue.status >= 500) {
			log_warn("mirror: %s@%s: copying %s failed (%s), "
			    "answering the last known commit", full, rev,
			    oid_hex_a(d->a, &info.sha), ue.msg);
			return stale(d, repo_id, rev, e);
		}
		*e = ue;
		return -1;
	}
	*commit = info.sha;
	if (db_exec(db, d->a, NULL, &SQL_REV_PUT, db_i(repo_id), db_s(rev),
	    db_b(info.sha.b, OID_LEN)) != 0)
		return kerr_db(e, db);
	return 0;
}
